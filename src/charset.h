/* charset.h: encodings in and out of galley (docs/charsets.md). Input is decoded to UTF-8, the tree's only
 * encoding; output is encoded from UTF-8 by an encoder sink; strings in the tree are NFC without control
 * characters (nfc.c). */
#ifndef GAL_CHARSET_H
#define GAL_CHARSET_H

#include "util.h"

typedef enum { GAL_SNIFF_HTML, GAL_SNIFF_XML } gal_sniff_mode;

/* Decodes input to UTF-8. `override` (may be NULL; the caller passes opts->charset.from where it applies) wins over
 * everything but a byte order mark of its own encoding, which is skipped. Otherwise the browser rules for HTML (BOM,
 * <meta> prescan of the first 1024 bytes, then UTF-8 if valid, else windows-1252) or the XML rules (BOM, UTF-16
 * signature, XML declaration, UTF-8); a document labelled windows-1252 (or a label mapped to it) whose bytes are
 * valid non-ASCII UTF-8 is read as UTF-8 with a warning. Invalid bytes become U+FFFD with one warning, or are
 * GAL_ECHARSET with opts->charset.strict. Control characters other than tab, LF and CR are dropped. `part` (may be
 * NULL) names the document inside a container for messages. *out is NUL-terminated, caller frees. `used` (may be
 * NULL; GAL_CHARSET_NAME_MAX bytes) receives the name of the encoding the bytes were read as. */
#define GAL_CHARSET_NAME_MAX 64
int gal_decode(const char *data, size_t len, gal_sniff_mode mode, const char *override, const gal_options *opts,
               const char *fmtname, const char *part, char **out, size_t *outlen, char *used, gal_error *err);

/* 1 if `label` (may be NULL) names an encoding whose text holds NUL bytes (UTF-16, UTF-32). */
int gal_charset_wide(const char *label);

/* The WHATWG name of an encoding label ("latin1" -> "windows-1252"); NULL if it is not a WHATWG label. Static
 * storage. */
const char *gal_charset_canonical(const char *label);

/* ------------------------------------------------------------------ output */

typedef enum {
	GAL_ENCODE_STRICT,   /* a character the encoding cannot hold is GAL_ECHARSET, naming it and its place */
	GAL_ENCODE_TRANSLIT, /* iconv //TRANSLIT ("é" -> "e"), '?' where it knows no approximation */
	GAL_ENCODE_CHARREF   /* XML: &#xHHHH; for what the encoding cannot hold */
} gal_encode_mode;

typedef struct gal_encoder gal_encoder;

/* An encoder from UTF-8 into `label`, in front of `inner`: *sink takes the writer's UTF-8. The encoded bytes are
 * held until gal_encoder_finish, so that a failed conversion writes nothing. `fmtname` names the writer in
 * messages. GAL_ECHARSET when iconv(3) does not know the encoding. */
int gal_encoder_new(gal_sink *inner, const char *label, gal_encode_mode mode, const char *fmtname, gal_encoder **out,
                    gal_sink **sink, gal_error *err);
/* Ends the conversion. With `status` (the writer's) GAL_OK and no conversion error, the bytes go to the inner sink;
 * otherwise nothing does. Returns the first failure (a conversion error with its message in err). */
int gal_encoder_finish(gal_encoder *e, int status, gal_error *err);
/* Frees the encoder and its sink. NULL is allowed. */
void gal_encoder_free(gal_encoder *e);

/* The name an XML declaration gives to output in `label`: the WHATWG name in its registered spelling (Shift_JIS,
 * EUC-KR), or for labels passed to iconv as given (ISO-8859-1, US-ASCII, UTF-16) the label in upper case. */
void gal_charset_xml_name(const char *label, char *buf, size_t size);
/* Whether output in `label` must start with a byte order mark for XML: UTF-16 or UTF-32 of a fixed byte order
 * (iconv writes none; the plain UTF-16 and UTF-32 converters write their own). */
int gal_charset_needs_bom(const char *label);

/* ------------------------------------------------------------------ tree text (nfc.c) */

/* Whether a code point keeps a string from being NFC as it stands (a combining mark, a character that may compose
 * with the one before it, a singleton or excluded decomposition): strings with none are NFC already. */
int gal_nfc_unsafe(uint32_t cp);
enum {
	GAL_CLEAN_KEEP_FORM = 1, /* an address or identifier: controls go, no NFC */
	GAL_CLEAN_COLLAPSE = 2   /* flowing text: a control dropped between two spaces leaves one */
};
/* Cleans n bytes of UTF-8 for the tree: control characters other than tab and LF dropped (CR LF and a lone CR
 * become LF), then NFC unless GAL_CLEAN_KEEP_FORM. Returns 0 when the text is clean as it is; else a new string in
 * *out (*outlen bytes, NUL-terminated, caller frees) and what changed: 1 controls, 2 NFC (or both); GAL_ENOMEM. */
int gal_text_clean(const char *s, size_t n, int flags, char **out, size_t *outlen);
/* gal_text_clean on every string of a tree: literals, attributes, article and document metadata. Text nodes left
 * empty are removed. GAL_OK or GAL_ENOMEM. */
int gal_tree_clean(gal_node *root);

#endif
