/* text.c: the plain-text writer (a variant of the Markdown writer without markup; see textual.c). */
#include "../readers/readers.h"
#include "writers.h"

static int text_write(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err)
{
	return gal_textual_write(doc, sink, opts, 1, err);
}

const gal_format gal_format_text = {
    "text", "plain txt", "txt", "plain text, wrapped at --columns", NULL, NULL, text_write, 0, GAL_OUTPUT_CONVERTED,
};
