/* registry.c: the one table of formats. A new format is one file and one row here. */
#include "charset.h"
#include "node.h"
#include "readers/readers.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <string.h>

static const gal_format *const formats[] = {
    &gal_format_html,
    &gal_format_text,
    &gal_format_markdown,
    &gal_format_native,
    &gal_format_nitf,
    &gal_format_epub,
    NULL,
};

const gal_format *const *gal_formats(void) { return formats; }

/* libxml2 sets up its global tables (dictionary lock, per-thread state, character handlers) in xmlInitParser,
 * which is not safe to run twice at once: threads that read in parallel must find it done. */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static void lib_init(void) { xmlInitParser(); }
void gal_lib_init(void) { pthread_once(&lib_once, lib_init); }

/* Whether `word` is one of the space-separated words in `list`. */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		const char *e = strchr(p, ' ');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && !gal_strncasecmp(p, word, n))
			return 1;
		p += k;
	}
	return 0;
}

const gal_format *gal_format_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; formats[i]; i++)
		if (!gal_strcasecmp(formats[i]->name, name) || in_list(formats[i]->aliases, name))
			return formats[i];
	return NULL;
}

const gal_format *gal_format_for_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	if (!dot || !dot[1])
		return NULL;
	for (size_t i = 0; formats[i]; i++)
		if (formats[i]->read && in_list(formats[i]->extensions, dot + 1))
			return formats[i];
	return NULL;
}

const gal_format *gal_format_sniff(const char *data, size_t len)
{
	const gal_format *best = NULL;
	int score = 0;
	for (size_t i = 0; formats[i]; i++) {
		if (!formats[i]->sniff)
			continue;
		int s = formats[i]->sniff(data, len);
		if (s > score) {
			score = s;
			best = formats[i];
		}
	}
	return best;
}

int gal_looks_binary(const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t n = len < 4096 ? len : 4096;
	if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
		return 0;
	/* "<?" in UTF-16 without a byte order mark: an XML declaration (XML 1.0 appendix F) */
	if (n >= 4 && (!memcmp(data, "<\0?\0", 4) || !memcmp(data, "\0<\0?", 4)))
		return 0;
	/* it runs on every input: a table lookup per byte, no branches (bit 0: a control character other than tab,
	 * newline, form feed and return; bit 16: NUL; at most 4096 bytes, so the count stays below bit 16) */
	static const unsigned kind[32] = {0x10001, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1,
						1,     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	size_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += u[i] < 0x20 ? kind[u[i]] : 0;
	size_t ctl = sum & 0xFFFF, nul = sum >> 16;
	return nul || ctl * 10 > n; /* a NUL byte, or more than 10% control characters */
}

int gal_read(const gal_format *fmt, const char *data, size_t len, const gal_options *opts, gal_node **out,
	     gal_error *err)
{
	gal_options defaults = GAL_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	*out = NULL;
	gal_lib_init();
	if (!fmt || !fmt->read) {
		gal_error_set(err, GAL_EFORMAT, opts, NULL, 0, 0, "%s: not a reader", fmt ? fmt->name : "(null)");
		return GAL_EFORMAT;
	}
	if (len > opts->limits.max_input_bytes) {
		gal_error_set(err, GAL_ELIMIT, opts, NULL, 0, 0, "input of %zu bytes exceeds the limit of %zu bytes", len,
			      opts->limits.max_input_bytes);
		return GAL_ELIMIT;
	}
	int rc = fmt->read(data, len, opts, out, err);
	/* one place for every reader: NFC, no control characters */
	if (rc == GAL_OK && gal_tree_clean(*out)) {
		gal_node_free(*out);
		*out = NULL;
		gal_error_set(err, GAL_ENOMEM, opts, fmt->name, 0, 0, "out of memory");
		rc = GAL_ENOMEM;
	}
	return rc;
}

int gal_write(const gal_format *fmt, gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err)
{
	gal_options defaults = GAL_OPTIONS_INIT;
	if (!opts)
		opts = &defaults;
	if (!fmt || !fmt->write) {
		gal_error_set(err, GAL_EFORMAT, opts, NULL, 0, 0, "%s: not a writer", fmt ? fmt->name : "(null)");
		return GAL_EFORMAT;
	}
	if (!doc || doc->type != GAL_NODE_DOCUMENT) {
		gal_error_set(err, GAL_EINVAL, opts, NULL, 0, 0, "writers take a document node");
		return GAL_EINVAL;
	}
	gal_lib_init();
	const char *to = opts->charset.to;
	int rc;
	if (to && !gal_charset_is_utf8(to) && fmt->charset == GAL_OUTPUT_UTF8_ONLY) {
		gal_error_set(err, GAL_EFORMAT, opts, NULL, 0, 0, "%s is always UTF-8: it cannot be written in %s", fmt->name,
			      to);
		return GAL_EFORMAT;
	} else if (to && !gal_charset_is_utf8(to) && fmt->charset == GAL_OUTPUT_CONVERTED) {
		gal_encoder *enc;
		gal_sink *es;
		rc = gal_encoder_new(sink, to, opts->charset.translit ? GAL_ENCODE_TRANSLIT : GAL_ENCODE_STRICT, fmt->name,
				     &enc, &es, err);
		if (rc)
			return rc;
		rc = fmt->write(doc, es, opts, err);
		rc = gal_encoder_finish(enc, rc, err);
		gal_encoder_free(enc);
	} else
		rc = fmt->write(doc, sink, opts, err);
	if (!rc && gal_sink_error(sink)) {
		rc = gal_sink_error(sink);
		gal_error_set(err, rc, opts, NULL, 0, 0, "cannot write output: %s", gal_strerror(rc));
	}
	return rc;
}
