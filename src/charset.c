/* charset.c: input decoding. windows-1252 (and the labels browsers map to it) is decoded here by table, because
 * glibc's iconv refuses five of its bytes; every other encoding goes through iconv(3). */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ labels */

static const struct {
	const char *label, *name;
} labels[] = {
    {"utf-8", "UTF-8"},         {"utf8", "UTF-8"},           {"unicode-1-1-utf-8", "UTF-8"},
    {"iso-8859-1", "windows-1252"}, {"iso8859-1", "windows-1252"}, {"iso_8859-1", "windows-1252"},
    {"latin1", "windows-1252"}, {"l1", "windows-1252"},      {"us-ascii", "windows-1252"},
    {"ascii", "windows-1252"},  {"windows-1252", "windows-1252"}, {"cp1252", "windows-1252"},
    {"x-cp1252", "windows-1252"}, {"cp819", "windows-1252"}, {"ibm819", "windows-1252"},
    {"iso-ir-100", "windows-1252"}, {"iso-8859-15", "ISO-8859-15"}, {"iso8859-15", "ISO-8859-15"},
    {"latin9", "ISO-8859-15"},  {"iso-8859-2", "ISO-8859-2"}, {"latin2", "ISO-8859-2"},
    {"windows-1250", "windows-1250"}, {"windows-1251", "windows-1251"}, {"cp1251", "windows-1251"},
    {"windows-1253", "windows-1253"}, {"windows-1254", "windows-1254"}, {"iso-8859-9", "windows-1254"},
    {"windows-1256", "windows-1256"}, {"iso-8859-5", "ISO-8859-5"}, {"iso-8859-7", "ISO-8859-7"},
    {"koi8-r", "KOI8-R"},       {"koi8r", "KOI8-R"},         {"koi8-u", "KOI8-U"},
    {"shift_jis", "Shift_JIS"}, {"shift-jis", "Shift_JIS"},  {"sjis", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},  {"windows-31j", "Shift_JIS"}, {"x-sjis", "Shift_JIS"},
    {"euc-jp", "EUC-JP"},       {"iso-2022-jp", "ISO-2022-JP"}, {"gb18030", "GB18030"},
    {"gbk", "GB18030"},         {"gb2312", "GB18030"},        {"x-gbk", "GB18030"},
    {"big5", "Big5"},           {"euc-kr", "EUC-KR"},         {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},   {"utf-16be", "UTF-16BE"},
};

const char *gal_charset_canonical(const char *label)
{
	if (!label)
		return NULL;
	char buf[64];
	size_t n = 0;
	while (*label && gal_is_space((unsigned char)*label))
		label++;
	while (label[n] && n < sizeof buf - 1 && !gal_is_space((unsigned char)label[n]) && label[n] != '"' &&
	       label[n] != '\'' && label[n] != ';') {
		buf[n] = label[n];
		n++;
	}
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
		if (!gal_strcasecmp(buf, labels[i].label))
			return labels[i].name;
	return NULL;
}

/* ------------------------------------------------------------------ prescans */

static const char *find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (!gal_strncasecmp(s + i, needle, k))
			return s + i;
	return NULL;
}

/* <meta charset=...> or <meta http-equiv content="...; charset=..."> in the first 1024 bytes. A simplification
 * of the WHATWG prescan: it looks for "charset=" inside <meta> tags. */
static const char *html_prescan(const char *d, size_t n, char *lab, size_t labsize)
{
	if (n > 1024)
		n = 1024;
	const char *p = d, *end = d + n;
	while ((p = find_ci(p, (size_t)(end - p), "<meta"))) {
		const char *close = memchr(p, '>', (size_t)(end - p));
		if (!close)
			break;
		const char *cs = find_ci(p, (size_t)(close - p), "charset");
		if (cs) {
			cs += 7;
			while (cs < close && (gal_is_space((unsigned char)*cs)))
				cs++;
			if (cs < close && *cs == '=') {
				cs++;
				while (cs < close && (gal_is_space((unsigned char)*cs) || *cs == '"' || *cs == '\''))
					cs++;
				size_t k = 0;
				while (cs < close && k < labsize - 1 && !gal_is_space((unsigned char)*cs) && *cs != '"' &&
				       *cs != '\'' && *cs != ';' && *cs != '/' && *cs != '>')
					lab[k++] = *cs++;
				lab[k] = '\0';
				const char *name = gal_charset_canonical(lab);
				/* a UTF-16 label in a document read as ASCII-compatible bytes means UTF-8 (WHATWG) */
				if (name && !strncmp(name, "UTF-16", 6))
					name = "UTF-8";
				if (name)
					return name;
			}
		}
		p = close;
	}
	return NULL;
}

static const char *xml_prescan(const char *d, size_t n, char *lab, size_t labsize)
{
	if (n < 5 || memcmp(d, "<?xml", 5))
		return NULL;
	const char *end = memchr(d, '>', n < 512 ? n : 512);
	if (!end)
		return NULL;
	const char *e = find_ci(d, (size_t)(end - d), "encoding");
	if (!e)
		return NULL;
	e += 8;
	while (e < end && (gal_is_space((unsigned char)*e) || *e == '='))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return NULL;
	char q = *e++;
	size_t k = 0;
	while (e < end && *e != q && k < labsize - 1)
		lab[k++] = *e++;
	lab[k] = '\0';
	const char *name = gal_charset_canonical(lab);
	/* a declaration read as ASCII bytes cannot be UTF-16 */
	if (name && !strncmp(name, "UTF-16", 6))
		name = "UTF-8";
	return name ? name : "?";
}

/* ------------------------------------------------------------------ decoders */

static const uint16_t cp1252_hi[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

typedef struct {
	gal_buf out;
	size_t bad, first_bad;
} decoder;

static void put_cp(decoder *d, uint32_t cp)
{
	char u[4];
	/* controls other than tab, LF, CR never reach the tree */
	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F)
		return;
	gal_buf_put(&d->out, u, (size_t)gal_utf8_encode(cp, u));
}

static void bad_byte(decoder *d, size_t offset)
{
	if (!d->bad++)
		d->first_bad = offset;
	put_cp(d, 0xFFFD);
}

/* Room for `n` more bytes at once (the output of UTF-8 input is about its size). */
static int buf_reserve(gal_buf *b, size_t n)
{
	size_t len = b->len;
	gal_buf_put(b, "", 0);
	if (b->failed)
		return 0;
	if (b->cap < len + n + 1) {
		char *p = realloc(b->data, len + n + 1);
		if (!p) {
			b->failed = 1;
			return 0;
		}
		b->data = p;
		b->cap = len + n + 1;
	}
	return 1;
}

static void decode_utf8(decoder *d, const unsigned char *s, size_t n, size_t base)
{
	size_t i = 0, run = 0;
	/* valid text is copied in runs; only dropped controls and bad bytes interrupt a run */
	if (!buf_reserve(&d->out, n))
		return;
	while (i < n) {
		unsigned char c = s[i];
		if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			uint32_t cp;
			int k = gal_utf8_decode(s + i, n - i, &cp);
			if (!(cp == 0xFFFD && k == 1)) {
				i += (size_t)k;
				continue;
			}
		}
		gal_buf_put(&d->out, (const char *)s + run, i - run);
		if (c < 0x80)
			put_cp(d, c); /* a control that never reaches the tree, or DEL */
		else
			bad_byte(d, base + i);
		i++;
		run = i;
	}
	gal_buf_put(&d->out, (const char *)s + run, i - run);
}

static void decode_1252(decoder *d, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		put_cp(d, c >= 0x80 && c < 0xA0 ? cp1252_hi[c - 0x80] : c);
	}
}

static int decode_iconv(decoder *d, const char *name, const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return GAL_ECHARSET;
	char tmp[4096];
	char *in = (char *)s;
	size_t inleft = n;
	while (inleft > 0) {
		char *o = tmp;
		size_t oleft = sizeof tmp;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		/* re-validate what iconv produced so that controls are filtered the same way */
		decode_utf8(d, (const unsigned char *)tmp, (size_t)(o - tmp), 0);
		if (r == (size_t)-1) {
			if (errno == E2BIG)
				continue;
			/* EILSEQ or EINVAL (truncated at the end): one replacement char, skip a byte */
			if (!d->bad++)
				d->first_bad = (size_t)(in - s);
			put_cp(d, 0xFFFD);
			in++;
			inleft--;
		}
	}
	iconv_close(cd);
	return GAL_OK;
}

static int has_non_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

int gal_decode(const char *data, size_t len, gal_sniff_mode mode, const char *override, const gal_options *opts,
	       const char *fmtname, char **out, size_t *outlen, const char **label, gal_error *err)
{
	const unsigned char *u = (const unsigned char *)data;
	const char *name = NULL, *declared = NULL;
	char declared_label[64] = ""; /* as written, for messages */
	size_t skip = 0;
	if (override) {
		if (!(name = gal_charset_canonical(override))) {
			gal_error_set(err, GAL_ECHARSET, opts, fmtname, 0, 0, "unknown character set '%s'", override);
			return GAL_ECHARSET;
		}
	} else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		name = "UTF-8", skip = 3;
	} else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		name = "UTF-16LE", skip = 2;
	} else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		name = "UTF-16BE", skip = 2;
	} else {
		declared = mode == GAL_SNIFF_HTML ? html_prescan(data, len, declared_label, sizeof declared_label)
						  : xml_prescan(data, len, declared_label, sizeof declared_label);
		if (declared && !strcmp(declared, "?")) {
			/* XML may name any encoding: beyond the browsers' labels, whatever iconv knows */
			iconv_t cd = iconv_open("UTF-8", declared_label);
			if (cd != (iconv_t)-1) {
				iconv_close(cd);
				declared = declared_label;
			} else {
				gal_warn(opts, fmtname, 0, "unknown encoding '%s' in the XML declaration; reading as UTF-8",
					 declared_label);
				declared = NULL;
			}
		}
		name = declared;
		if (!name)
			name = mode == GAL_SNIFF_XML || gal_utf8_valid(data, len) ? "UTF-8" : "windows-1252";
		/* wire feeds often label UTF-8 bytes as Latin-1: trust the bytes when they are valid UTF-8 */
		if (declared && !strcmp(declared, "windows-1252") && has_non_ascii(data, len) &&
		    gal_utf8_valid(data, len)) {
			gal_warn(opts, fmtname, 0, "declared %s, but the bytes are UTF-8", declared_label);
			name = "UTF-8";
		}
	}
	decoder d = {GAL_BUF_INIT, 0, 0};
	const char *body = data + skip;
	size_t n = len - skip;
	int rc = GAL_OK;
	if (!strcmp(name, "UTF-8"))
		decode_utf8(&d, (const unsigned char *)body, n, skip);
	else if (!strcmp(name, "windows-1252"))
		decode_1252(&d, (const unsigned char *)body, n);
	else
		rc = decode_iconv(&d, name, body, n);
	if (rc == GAL_OK && d.out.failed)
		rc = GAL_ENOMEM;
	if (rc != GAL_OK) {
		gal_buf_free(&d.out);
		gal_error_set(err, rc, opts, fmtname, 0, 0, "cannot decode %s", name);
		return rc;
	}
	if (d.bad)
		gal_warn(opts, fmtname, 0, "invalid %s: %zu bad byte sequence%s replaced with U+FFFD, the first at byte %zu",
			 name, d.bad, d.bad == 1 ? "" : "s", d.first_bad);
	if (!d.out.data)
		gal_buf_put(&d.out, "", 0);
	*outlen = d.out.len;
	*out = gal_buf_detach(&d.out);
	if (label)
		*label = name == declared_label ? "iconv" : name; /* static storage */
	return *out ? GAL_OK : GAL_ENOMEM;
}
