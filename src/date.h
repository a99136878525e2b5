/* date.h: date normalisation. */
#ifndef GAL_DATE_H
#define GAL_DATE_H

#include "util.h"

/* ISO 8601 form of a date in one of the forms pages and wires use ("2024-03-05T14:30:00+01:00",
 * "20240305T143000Z", "Tue, 05 Mar 2024 14:30:00 GMT", "March 5, 2024"); NULL if not recognised.
 * The result is "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ss" with "Z" or an offset when one was given. Caller frees. */
char *gal_date_normalize(const char *text);

#endif
