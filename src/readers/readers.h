/* readers.h: what reader and writer files share with the registry. */
#ifndef GAL_READERS_H
#define GAL_READERS_H

#include "../util.h"

extern const gal_format gal_format_html;
extern const gal_format gal_format_text;
extern const gal_format gal_format_markdown;
extern const gal_format gal_format_native;
extern const gal_format gal_format_nitf;
extern const gal_format gal_format_epub;

/* The EPUB writer (src/writers/epub.c); the format's row is in src/readers/epub.c with the reader. */
int gal_epub_write(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err);

/* NUL bytes or many control characters in the first 4 KiB (UTF-16 with a BOM excepted). */
int gal_looks_binary(const char *data, size_t len);

#endif
