/* nitf.h: what the NITF reader and writer share: the schema's fixed values and the copyright mapping. */
#ifndef GAL_NITF_H
#define GAL_NITF_H

#include "util.h"

/* NITF 3.x namespace (3.3 to 3.6 use this one URI); the XSD's fixed values of <nitf>'s attributes */
#define GAL_NITF_NS "http://iptc.org/std/NITF/2006-10-18/"
#define GAL_NITF_VERSION "-//IPTC//DTD NITF 3.6//EN"
#define GAL_NITF_CHANGE_DATE "September 11, 2009"
#define GAL_NITF_CHANGE_TIME "12:26"

/* The NITF writer (src/writers/nitf.c); the format record lives with the reader. */
int gal_nitf_write(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err);

/* docdata/doc.copyright is two attributes, the tree one string. The reader builds the string ("© 2024 Holder",
 * or the holder alone when it already says "Copyright"); the writer splits a string back so that reading it
 * again gives the same string. *year and *holder are NULL or allocated; caller frees. */
char *gal_nitf_copyright_text(const char *year, const char *holder);
int gal_nitf_copyright_split(const char *text, char **year, char **holder);

#endif
