/* json.h: a small JSON reader for the JSON-LD blocks in web pages. Bounded depth and size; never recursive
 * beyond GAL_JSON_MAX_DEPTH. */
#ifndef GAL_JSON_H
#define GAL_JSON_H

#include <stddef.h>

#define GAL_JSON_MAX_DEPTH 64

typedef enum { GAL_JSON_NULL, GAL_JSON_BOOL, GAL_JSON_NUMBER, GAL_JSON_STRING, GAL_JSON_ARRAY, GAL_JSON_OBJECT } gal_json_type;

typedef struct gal_json gal_json;
struct gal_json {
	gal_json_type type;
	char *key;    /* member name when inside an object */
	char *str;    /* STRING (UTF-8), NUMBER (as written) */
	int boolean;
	gal_json *child, *last, *next; /* ARRAY and OBJECT members */
};

/* Parses n bytes; NULL if not valid JSON (or on ENOMEM). */
gal_json *gal_json_parse(const char *s, size_t n);
void gal_json_free(gal_json *v);
/* Member of an object by name; NULL if absent or v is not an object. */
const gal_json *gal_json_get(const gal_json *v, const char *key);
/* The string value of v, or NULL. */
const char *gal_json_str(const gal_json *v);

#endif
