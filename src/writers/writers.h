/* writers.h: what the text-like writers share. */
#ifndef GAL_WRITERS_H
#define GAL_WRITERS_H

#include "../node.h"
#include "../render.h"

/* The article header (headline, deck, abstract, byline, dateline) as blocks, in the order the Markdown writer
 * prints them when not standalone. Returned as a detached ARTICLE node holding those blocks; caller frees. */
gal_node *gal_header_blocks(const gal_node *article);

/* "By A, Title and B" from the bylines; caller frees; NULL when there are none. */
char *gal_byline_text(const gal_meta *m);

/* The shared engine of the text and Markdown writers. */
int gal_textual_write(gal_node *doc, gal_sink *sink, const gal_options *opts, int plain, gal_error *err);

#endif
