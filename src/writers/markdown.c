/* markdown.c: the CommonMark writer (GFM pipe tables; YAML front matter with --standalone). */
#include "../readers/readers.h"
#include "writers.h"

static int markdown_write(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err)
{
	return gal_textual_write(doc, sink, opts, 0, err);
}

const gal_format gal_format_markdown = {
    "markdown", "md commonmark gfm", "md markdown", "CommonMark with GFM pipe tables", NULL, NULL, markdown_write, 0, GAL_OUTPUT_CONVERTED,
};
