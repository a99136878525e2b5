/* charset.h: decoding input to UTF-8 (the tree's only encoding) and naming encodings. */
#ifndef GAL_CHARSET_H
#define GAL_CHARSET_H

#include "util.h"

typedef enum { GAL_SNIFF_HTML, GAL_SNIFF_XML } gal_sniff_mode;

/* Decodes input to UTF-8 following the browser rules for HTML (BOM, <meta> prescan of the first 1024 bytes,
 * then UTF-8 if valid, else windows-1252) or the XML rules (BOM, XML declaration, UTF-8; an XML label that is
 * not a browser label is tried with iconv(3)). `override` (may be NULL) wins over everything. Invalid bytes become
 * U+FFFD with one warning; C0 controls other than tab, LF and CR are dropped. *out is NUL-terminated, caller frees.
 * *label receives the encoding used (static storage; "iconv" for such an XML label). */
int gal_decode(const char *data, size_t len, gal_sniff_mode mode, const char *override, const gal_options *opts,
	       const char *fmtname, char **out, size_t *outlen, const char **label, gal_error *err);

/* The canonical name of an encoding label as browsers map it ("latin1" -> "windows-1252"); NULL if unknown. */
const char *gal_charset_canonical(const char *label);

#endif
