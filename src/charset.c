/* charset.c: encodings in and out (docs/charsets.md). UTF-8, windows-1252 and x-user-defined are decoded here,
 * windows-1252 because glibc's iconv refuses five of its bytes; every other encoding goes through iconv(3), in and
 * out. No state outlives a call: iconv descriptors and the transliteration locale belong to one conversion, so
 * conversions may run on several threads at once. */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------ labels */

/* The WHATWG Encoding Standard's encodings and their labels, with the iconv names that read and write them. `dec`
 * NULL: decoded here. `enc` NULL: output passes the user's label to iconv as given (so that "latin1" output is
 * ISO-8859-1, not windows-1252), falling back on `dec`. glibc's SHIFT_JIS, EUC-KR and BIG5 differ from what
 * browsers read (SHIFT_JIS turns '\' into a yen sign), so those use CP932, CP949 and BIG5-HKSCS both ways. */
typedef struct {
	const char *name, *dec, *enc, *labels;
} encoding;

static const encoding encodings[] = {
    {"UTF-8", NULL, NULL, "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
    {"windows-1252", NULL, NULL,
     "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 iso_8859-1 "
     "iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"},
    {"x-user-defined", NULL, NULL, "x-user-defined"},
    /* the rest through iconv */
    {"IBM866", "IBM866", NULL, "866 cp866 csibm866 ibm866"},
    {"ISO-8859-2", "ISO-8859-2", NULL,
     "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
    {"ISO-8859-3", "ISO-8859-3", NULL,
     "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
    {"ISO-8859-4", "ISO-8859-4", NULL,
     "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
    {"ISO-8859-5", "ISO-8859-5", NULL,
     "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988"},
    {"ISO-8859-6", "ISO-8859-6", NULL,
     "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e iso-8859-6-i "
     "iso-ir-127 "
     "iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
    {"ISO-8859-7", "ISO-8859-7", NULL,
     "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 iso_8859-7 "
     "iso_8859-7:1987 "
     "sun_eu_greek"},
    {"ISO-8859-8", "ISO-8859-8", NULL,
     "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 "
     "iso_8859-8:1988 visual"},
    {"ISO-8859-8-I", "ISO-8859-8", "ISO-8859-8", "csiso88598i iso-8859-8-i logical"},
    {"ISO-8859-10", "ISO-8859-10", NULL, "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
    {"ISO-8859-13", "ISO-8859-13", NULL, "iso-8859-13 iso8859-13 iso885913"},
    {"ISO-8859-14", "ISO-8859-14", NULL, "iso-8859-14 iso8859-14 iso885914"},
    {"ISO-8859-15", "ISO-8859-15", NULL, "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
    {"ISO-8859-16", "ISO-8859-16", NULL, "iso-8859-16"},
    {"KOI8-R", "KOI8-R", NULL, "cskoi8r koi koi8 koi8-r koi8_r"},
    {"KOI8-U", "KOI8-U", NULL, "koi8-ru koi8-u"},
    {"macintosh", "MACINTOSH", NULL, "csmacintosh mac macintosh x-mac-roman"},
    {"windows-874", "CP874", NULL, "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"},
    {"windows-1250", "CP1250", NULL, "cp1250 windows-1250 x-cp1250"},
    {"windows-1251", "CP1251", NULL, "cp1251 windows-1251 x-cp1251"},
    {"windows-1253", "CP1253", NULL, "cp1253 windows-1253 x-cp1253"},
    {"windows-1254", "CP1254", NULL,
     "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 windows-1254 "
     "x-cp1254"},
    {"windows-1255", "CP1255", NULL, "cp1255 windows-1255 x-cp1255"},
    {"windows-1256", "CP1256", NULL, "cp1256 windows-1256 x-cp1256"},
    {"windows-1257", "CP1257", NULL, "cp1257 windows-1257 x-cp1257"},
    {"windows-1258", "CP1258", NULL, "cp1258 windows-1258 x-cp1258"},
    {"x-mac-cyrillic", "MAC-CYRILLIC", NULL, "x-mac-cyrillic x-mac-ukrainian"},
    /* browsers decode GBK with the gb18030 decoder, its superset */
    {"GBK", "GB18030", "GBK", "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk"},
    {"gb18030", "GB18030", "GB18030", "gb18030"},
    {"Big5", "BIG5-HKSCS", "BIG5-HKSCS", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"},
    {"EUC-JP", "EUC-JP", "EUC-JP", "cseucpkdfmtjapanese euc-jp x-euc-jp"},
    {"ISO-2022-JP", "ISO-2022-JP", "ISO-2022-JP", "csiso2022jp iso-2022-jp"},
    {"Shift_JIS", "CP932", "CP932", "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis"},
    {"EUC-KR", "CP949", "CP949",
     "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949"},
    /* WHATWG maps these to its "replacement" encoding (browsers refuse them, against script injection); a converter
     * has no such risk, so what iconv knows is read */
    {"ISO-2022-KR", "ISO-2022-KR", "ISO-2022-KR", "csiso2022kr iso-2022-kr"},
    {"ISO-2022-CN", "ISO-2022-CN", "ISO-2022-CN", "iso-2022-cn"},
    {"ISO-2022-CN-EXT", "ISO-2022-CN-EXT", "ISO-2022-CN-EXT", "iso-2022-cn-ext"},
    {"UTF-16BE", "UTF-16BE", NULL, "unicodefffe utf-16be"},
    {"UTF-16LE", "UTF-16LE", NULL, "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"},
};

/* the first three are decoded here */
enum { E_UTF8, E_1252, E_USER };

/* A label as WHATWG matches it: surrounding ASCII white space removed, ASCII case ignored. */
static const encoding *find_encoding(const char *label, size_t n)
{
	while (n && gal_is_space((unsigned char)*label))
		label++, n--;
	while (n && gal_is_space((unsigned char)label[n - 1]))
		n--;
	if (!n)
		return NULL;
	for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++)
		for (const char *p = encodings[i].labels; *p;) {
			size_t k = strcspn(p, " ");
			if (k == n && !gal_strncasecmp(p, label, n))
				return &encodings[i];
			p += k + (p[k] == ' ');
		}
	return NULL;
}

const char *gal_charset_canonical(const char *label)
{
	const encoding *e = label ? find_encoding(label, strlen(label)) : NULL;
	return e ? e->name : NULL;
}

int gal_charset_wide(const char *label)
{
	static const char *const wide[] = {"utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4"};
	if (!label)
		return 0;
	const encoding *e = find_encoding(label, strlen(label));
	if (e)
		return !strncmp(e->name, "UTF-16", 6);
	for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
		if (!gal_strncasecmp(label, wide[i], strlen(wide[i])))
			return 1;
	return 0;
}

int gal_charset_is_utf8(const char *label)
{
	return label && find_encoding(label, strlen(label)) == &encodings[E_UTF8];
}

static int iconv_knows(const char *to, const char *from)
{
	iconv_t cd = iconv_open(to, from);
	if (cd == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

int gal_charset_check_input(const char *label, gal_error *err)
{
	if (label && (find_encoding(label, strlen(label)) || (*label && iconv_knows("UTF-8", label))))
		return GAL_OK;
	if (err)
		gal_error_set(err, GAL_ECHARSET, NULL, NULL, 0, 0, "unknown character set '%s'", label ? label : "");
	return GAL_ECHARSET;
}

/* The iconv name for output in `label`; NULL when nothing writes it. */
static const char *output_name(const char *label)
{
	const encoding *e = find_encoding(label, strlen(label));
	if (e && e->enc)
		return e->enc;
	if (*label && iconv_knows(label, "UTF-8"))
		return label;
	return e && e->dec && iconv_knows(e->dec, "UTF-8") ? e->dec : e == &encodings[E_1252] ? "WINDOWS-1252" : NULL;
}

int gal_charset_check_output(const char *label, gal_error *err)
{
	if (label && (gal_charset_is_utf8(label) || output_name(label)))
		return GAL_OK;
	if (err)
		gal_error_set(err, GAL_ECHARSET, NULL, NULL, 0, 0, "cannot write the character set '%s'",
		              label ? label : "");
	return GAL_ECHARSET;
}

static int is_utf16(const encoding *e)
{
	return e && !strncmp(e->name, "UTF-16", 6);
}

void gal_charset_xml_name(const char *label, char *buf, size_t size)
{
	const encoding *e = find_encoding(label, strlen(label));
	/* where output passes the label to iconv as given, the label says what was written */
	if (e && !((e == &encodings[E_1252] || is_utf16(e)) && iconv_knows(label, "UTF-8"))) {
		snprintf(buf, size, "%s", e->name);
		return;
	}
	size_t k = 0;
	for (const char *p = label; *p && k + 1 < size; p++)
		if (!gal_is_space((unsigned char)*p))
			buf[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	buf[k] = '\0';
}

int gal_charset_needs_bom(const char *label)
{
	static const char *const fixed[] = {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE",
	                                    "UCS-2LE",  "UCS-2BE",  "UCS-4LE",  "UCS-4BE"};
	const char *name = output_name(label);
	for (size_t i = 0; name && i < sizeof fixed / sizeof *fixed; i++)
		if (!gal_strcasecmp(name, fixed[i]))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ prescans */

static int starts_ci(const char *p, const char *end, const char *word)
{
	size_t k = strlen(word);
	return (size_t)(end - p) >= k && !gal_strncasecmp(p, word, k);
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One attribute of a tag, as the WHATWG prescan reads it: name (lower-cased into name[]) and value (pointer and
 * length into the input). Returns 0 at the tag's end or the input's. */
static int get_attr(const char **pp, const char *end, char *name, size_t namesize, const char **val, size_t *vlen)
{
	const char *p = *pp;
	while (p < end && (gal_is_space((unsigned char)*p) || *p == '/'))
		p++;
	if (p >= end || *p == '>')
		return *pp = p, 0;
	size_t k = 0;
	do {
		if (k + 1 < namesize)
			name[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		p++;
	} while (p < end && *p != '=' && *p != '/' && *p != '>' && !gal_is_space((unsigned char)*p));
	name[k] = '\0';
	*val = p, *vlen = 0;
	while (p < end && gal_is_space((unsigned char)*p))
		p++;
	if (p >= end || *p != '=') {
		*pp = p;
		return 1;
	}
	p++;
	while (p < end && gal_is_space((unsigned char)*p))
		p++;
	if (p < end && (*p == '"' || *p == '\'')) {
		char q = *p++;
		const char *v = p;
		while (p < end && *p != q)
			p++;
		if (p >= end)
			return *pp = p, 0; /* runs past the prescan's end */
		*val = v, *vlen = (size_t)(p - v);
		*pp = p + 1;
		return 1;
	}
	const char *v = p;
	while (p < end && *p != '>' && !gal_is_space((unsigned char)*p))
		p++;
	*val = v, *vlen = (size_t)(p - v);
	*pp = p;
	return 1;
}

/* The charset named in a Content-Type value ("text/html; charset=koi8-r"), as WHATWG extracts it. */
static const encoding *from_content(const char *s, size_t n, const char **lab, size_t *labn)
{
	const char *end = s + n, *p = s;
	while (p < end) {
		while (p < end && !starts_ci(p, end, "charset"))
			p++;
		if (p >= end)
			return NULL;
		p += 7;
		while (p < end && gal_is_space((unsigned char)*p))
			p++;
		if (p >= end || *p != '=')
			continue;
		p++;
		while (p < end && gal_is_space((unsigned char)*p))
			p++;
		const char *v = p;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;
			v = p;
			while (p < end && *p != q)
				p++;
			if (p >= end)
				return NULL;
		} else
			while (p < end && *p != ';' && !gal_is_space((unsigned char)*p))
				p++;
		*lab = v, *labn = (size_t)(p - v);
		return find_encoding(v, (size_t)(p - v));
	}
	return NULL;
}

/* The WHATWG prescan of the first 1024 bytes: comments skipped, other tags' attributes read past, a <meta> with
 * charset= or with http-equiv="content-type" and a content naming a charset. The label as written goes to lab. */
static const encoding *html_prescan(const char *d, size_t n, char *lab, size_t labsize)
{
	const char *p = d, *end = d + (n > 1024 ? 1024 : n);
	char name[16];
	const char *v;
	size_t vn;
	while (p < end) {
		if (starts_ci(p, end, "<!--")) {
			const char *c = p + 2;
			while (c < end && !starts_ci(c, end, "-->"))
				c++;
			if (c >= end)
				return NULL;
			p = c + 3;
			continue;
		} else if (starts_ci(p, end, "<meta") && p + 5 < end &&
		           (gal_is_space((unsigned char)p[5]) || p[5] == '/')) {
			p += 5;
			int got_pragma = 0, need_pragma = -1, seen_he = 0, seen_content = 0, seen_charset = 0;
			const encoding *cs = NULL;
			const char *cl = NULL;
			size_t cln = 0;
			while (get_attr(&p, end, name, sizeof name, &v, &vn)) {
				if (!strcmp(name, "http-equiv") && !seen_he++) {
					got_pragma = vn == 12 && !gal_strncasecmp(v, "content-type", 12);
				} else if (!strcmp(name, "content") && !seen_content++) {
					const char *l;
					size_t ln;
					const encoding *e = cs ? NULL : from_content(v, vn, &l, &ln);
					if (e)
						cs = e, cl = l, cln = ln, need_pragma = 1;
				} else if (!strcmp(name, "charset") && !seen_charset++) {
					cs = find_encoding(v, vn), cl = v, cln = vn, need_pragma = 0;
				}
			}
			if (need_pragma < 0 || (need_pragma == 1 && !got_pragma) || !cs)
				continue;
			snprintf(lab, labsize, "%.*s", (int)(cln < 60 ? cln : 60), cl);
			/* a page whose markup can be read as ASCII is not UTF-16 */
			if (is_utf16(cs))
				return &encodings[E_UTF8];
			return cs == &encodings[E_USER] ? &encodings[E_1252] : cs;
		} else if (*p == '<' && p + 1 < end &&
		           (is_alpha((unsigned char)p[1]) ||
		            (p[1] == '/' && p + 2 < end && is_alpha((unsigned char)p[2])))) {
			while (p < end && !gal_is_space((unsigned char)*p) && *p != '>')
				p++;
			while (get_attr(&p, end, name, sizeof name, &v, &vn))
				;
		} else if (starts_ci(p, end, "<!") || starts_ci(p, end, "</") || starts_ci(p, end, "<?")) {
			while (p < end && *p != '>')
				p++;
		}
		p++;
	}
	return NULL;
}

/* The encoding label of an XML declaration at the start of d, copied to lab; 0 if there is none. */
static int xml_prescan(const char *d, size_t n, char *lab, size_t labsize)
{
	if (n < 6 || memcmp(d, "<?xml", 5) || !gal_is_space((unsigned char)d[5]))
		return 0;
	const char *end = memchr(d, '>', n < 512 ? n : 512);
	if (!end)
		return 0;
	for (const char *e = d + 5; e + 8 <= end; e++) {
		if (memcmp(e, "encoding", 8))
			continue;
		e += 8;
		while (e < end && (gal_is_space((unsigned char)*e) || *e == '='))
			e++;
		if (e >= end || (*e != '"' && *e != '\''))
			return 0;
		char q = *e++;
		size_t k = 0;
		while (e < end && *e != q && k < labsize - 1)
			lab[k++] = *e++;
		lab[k] = '\0';
		return k > 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ decoders */

static const uint16_t cp1252_hi[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                       0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

typedef struct {
	gal_buf out;
	size_t bad, first_bad; /* invalid sequences, and the input offset of the first */
	size_t first_bad_out;  /* where in the output it went, for its line */
	size_t ctl, first_ctl; /* control characters dropped */
	size_t base;           /* input offset of the bytes being decoded */
} decoder;

/* Controls other than tab, LF and CR never reach the tree: C0, DEL and C1. */
static int dropped(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp < 0xA0);
}

static void put_cp(decoder *d, uint32_t cp, size_t offset)
{
	char u[4];
	if (dropped(cp)) {
		if (!d->ctl++)
			d->first_ctl = offset;
		return;
	}
	gal_buf_put(&d->out, u, (size_t)gal_utf8_encode(cp, u));
}

static void bad_seq(decoder *d, size_t offset)
{
	if (!d->bad++) {
		d->first_bad = offset;
		d->first_bad_out = d->out.len;
	}
	gal_buf_put(&d->out, "\xef\xbf\xbd", 3);
}

/* One UTF-8 sequence: its length and code point, or minus the length of its maximal valid prefix (Unicode's
 * "maximal subpart", which browsers replace by one U+FFFD), at least 1. */
static int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	int need;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		need = 1, v = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2, v = c & 0x0F, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3, v = c & 0x07, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return -1;
	for (int i = 1; i <= need; i++) {
		if ((size_t)i >= n || s[i] < lo || s[i] > hi)
			return -i;
		v = v << 6 | (s[i] & 0x3Fu);
		lo = 0x80, hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* Room for `n` more bytes at once (UTF-8 input gives about as much output). */
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

static void decode_utf8(decoder *d, const unsigned char *s, size_t n)
{
	size_t i = 0, run = 0;
	/* valid text is copied in runs; only dropped controls and bad bytes interrupt a run */
	if (!buf_reserve(&d->out, n))
		return;
	while (i < n) {
		i += gal_printable_ascii_prefix(s + i, n - i);
		if (i >= n)
			break;
		unsigned char c = s[i];
		if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		uint32_t cp = c;
		int k = c < 0x80 ? 1 : utf8_next(s + i, n - i, &cp);
		if (k > 0 && !dropped(cp)) {
			i += (size_t)k;
			continue;
		}
		gal_buf_put(&d->out, (const char *)s + run, i - run);
		if (k > 0)
			put_cp(d, cp, d->base + i);
		else
			bad_seq(d, d->base + i);
		i += (size_t)(k > 0 ? k : -k);
		run = i;
	}
	gal_buf_put(&d->out, (const char *)s + run, i - run);
}

static void decode_1252(decoder *d, const unsigned char *s, size_t n)
{
	if (!buf_reserve(&d->out, n + n / 2))
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		put_cp(d, c >= 0x80 && c < 0xA0 ? cp1252_hi[c - 0x80] : c, d->base + i);
	}
}

static void decode_user(decoder *d, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_cp(d, s[i] < 0x80 ? s[i] : 0xF780u + s[i] - 0x80, d->base + i);
}

static int decode_iconv(decoder *d, const char *name, const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return GAL_ECHARSET;
	/* an invalid UTF-16 code unit is two bytes */
	size_t unit = !gal_strncasecmp(name, "UTF-16", 6) ? 2 : 1;
	char tmp[4096];
	char *in = (char *)s;
	size_t inleft = n, base = d->base;
	while (inleft > 0 && !d->out.failed) {
		char *o = tmp;
		size_t oleft = sizeof tmp;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;
		/* iconv's UTF-8 goes through the same filter, so that controls are dropped the same way */
		d->base = base + (size_t)(in - s);
		decode_utf8(d, (const unsigned char *)tmp, (size_t)(o - tmp));
		if (r != (size_t)-1 || e == E2BIG)
			continue;
		bad_seq(d, base + (size_t)(in - s));
		/* EINVAL: a sequence cut off by the end of the input, one replacement for all of it (as browsers) */
		size_t skip = e == EINVAL ? inleft : unit < inleft ? unit : inleft;
		in += skip;
		inleft -= skip;
	}
	iconv_close(cd);
	d->base = base;
	return GAL_OK;
}

static int has_non_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* The line (from 1) at byte `at` of decoded text: LF, CR LF and a lone CR each end one. */
static long line_at(const char *s, size_t at)
{
	long line = 1;
	for (size_t i = 0; i < at; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= at || s[i + 1] != '\n')))
			line++;
	return line;
}

int gal_decode(const char *data, size_t len, gal_sniff_mode mode, const char *override, const gal_options *opts,
               const char *fmtname, const char *part, char **out, size_t *outlen, char *used, gal_error *err)
{
	const unsigned char *u = (const unsigned char *)data;
	const encoding *enc = NULL, *declared = NULL;
	const char *iconv_name = NULL; /* an encoding only iconv knows (an override or an XML declaration) */
	char lab[64] = "";             /* the label as written, for messages */
	char pfx[300] = "";
	size_t skip = 0;
	if (part)
		snprintf(pfx, sizeof pfx, "%.280s: ", part);
	const encoding *bom = len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? &encodings[E_UTF8]
	                      : len >= 2 && u[0] == 0xFF && u[1] == 0xFE               ? find_encoding("utf-16le", 8)
	                      : len >= 2 && u[0] == 0xFE && u[1] == 0xFF               ? find_encoding("utf-16be", 8)
	                                                                               : NULL;
	if (override) {
		if (!(enc = find_encoding(override, strlen(override)))) {
			if (gal_charset_check_input(override, NULL)) {
				gal_error_set(err, GAL_ECHARSET, opts, fmtname, 0, 0, "%sunknown character set '%s'",
				              pfx, override);
				return GAL_ECHARSET;
			}
			iconv_name = override;
		}
		/* the override's own byte order mark is not text */
		if (bom && bom == enc)
			skip = bom == &encodings[E_UTF8] ? 3 : 2;
	} else if (bom) {
		enc = bom, skip = bom == &encodings[E_UTF8] ? 3 : 2;
	} else if (mode == GAL_SNIFF_XML && len >= 4 && !memcmp(data, "<\0?\0", 4)) {
		enc = find_encoding("utf-16le", 8); /* XML 1.0 appendix F: UTF-16 without its mark */
	} else if (mode == GAL_SNIFF_XML && len >= 4 && !memcmp(data, "\0<\0?", 4)) {
		enc = find_encoding("utf-16be", 8);
	} else if (mode == GAL_SNIFF_HTML) {
		declared = html_prescan(data, len, lab, sizeof lab);
	} else if (xml_prescan(data, len, lab, sizeof lab)) {
		declared = find_encoding(lab, strlen(lab));
		/* a declaration read as ASCII bytes cannot be UTF-16 */
		if (is_utf16(declared))
			declared = &encodings[E_UTF8];
		else if (!declared && iconv_knows("UTF-8", lab))
			iconv_name =
			    lab; /* XML may name any encoding: beyond the browsers' labels, whatever iconv knows */
		else if (!declared)
			gal_warn(opts, fmtname, 0, "%sunknown encoding '%s' in the XML declaration; reading as UTF-8",
			         pfx, lab);
	}
	if (!enc && !iconv_name) {
		enc = declared;
		if (!enc)
			enc = mode == GAL_SNIFF_XML || gal_utf8_valid(data, len) ? &encodings[E_UTF8]
			                                                         : &encodings[E_1252];
		/* wire feeds often label UTF-8 bytes as Latin-1: trust the bytes when they are valid UTF-8 */
		if (declared == &encodings[E_1252] && has_non_ascii(data, len) && gal_utf8_valid(data, len)) {
			gal_warn(opts, fmtname, 0, "%sdeclared %s, but the bytes are UTF-8", pfx, lab);
			enc = &encodings[E_UTF8];
		}
	}
	const char *name = enc ? enc->name : iconv_name;
	if (used)
		snprintf(used, GAL_CHARSET_NAME_MAX, "%s", name);
	decoder d = {GAL_BUF_INIT, 0, 0, 0, 0, 0, skip};
	const unsigned char *body = u + skip;
	size_t n = len - skip;
	int rc = GAL_OK;
	if (enc == &encodings[E_UTF8])
		decode_utf8(&d, body, n);
	else if (enc == &encodings[E_1252])
		decode_1252(&d, body, n);
	else if (enc == &encodings[E_USER])
		decode_user(&d, body, n);
	else
		rc = decode_iconv(&d, enc ? enc->dec : iconv_name, (const char *)body, n);
	if (rc == GAL_OK && d.out.failed)
		rc = GAL_ENOMEM;
	if (rc != GAL_OK) {
		gal_buf_free(&d.out);
		gal_error_set(err, rc, opts, fmtname, 0, 0, "%scannot decode %s", pfx, name);
		return rc;
	}
	if (d.bad) {
		long line = line_at(d.out.data, d.first_bad_out);
		if (opts && opts->charset.strict) {
			gal_buf_free(&d.out);
			gal_error_set(err, GAL_ECHARSET, opts, fmtname, line, 0,
			              "%sinvalid %s at byte %zu (%zu invalid sequence%s in all)", pfx, name,
			              d.first_bad, d.bad, d.bad == 1 ? "" : "s");
			return GAL_ECHARSET;
		}
		gal_warn(opts, fmtname, line,
		         "%sinvalid %s: %zu bad byte sequence%s replaced with U+FFFD, the first at byte %zu", pfx, name,
		         d.bad, d.bad == 1 ? "" : "s", d.first_bad);
	}
	if (d.ctl && opts && opts->verbose)
		gal_warn(opts, fmtname, 0, "%s%zu control character%s dropped, the first at byte %zu", pfx, d.ctl,
		         d.ctl == 1 ? "" : "s", d.first_ctl);
	if (!d.out.data)
		gal_buf_put(&d.out, "", 0);
	*outlen = d.out.len;
	*out = gal_buf_detach(&d.out);
	return *out ? GAL_OK : GAL_ENOMEM;
}

/* ------------------------------------------------------------------ output */

struct gal_encoder {
	gal_sink *inner, *sink;
	iconv_t cd;
	locale_t loc; /* transliteration's locale, (locale_t)0 when not transliterating */
	gal_encode_mode mode;
	const char *fmtname;
	char name[64]; /* the encoding, for messages */
	gal_buf out;   /* encoded bytes, held until finish */
	char pend[4];  /* the start of a character cut by the end of a write */
	size_t npend;
	long line, col; /* of the next input character: lines and characters of the output from 1 */
	int status;
	uint32_t bad_cp; /* the first character the encoding cannot hold, and where */
	long bad_line, bad_col;
	int invalid; /* the writer gave invalid UTF-8 */
	int subst;   /* writing a substitute */
};

/* Advances line and column over UTF-8 the encoder consumed. */
static void advance(gal_encoder *e, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			e->line++, e->col = 1;
		else if ((c & 0xC0) != 0x80)
			e->col++;
	}
}

static void conv(gal_encoder *e, const char *s, size_t n, int at_end);

/* A replacement the encoding writes instead of a character: a character reference or '?'. */
static void substitute(gal_encoder *e, uint32_t cp)
{
	char ref[16];
	long line = e->line, col = e->col;
	if (e->subst) {
		e->status = GAL_ECHARSET; /* the encoding cannot even hold the substitute */
		return;
	}
	if (e->mode == GAL_ENCODE_CHARREF)
		snprintf(ref, sizeof ref, "&#x%X;", (unsigned)cp);
	else
		snprintf(ref, sizeof ref, "?");
	e->subst = 1;
	conv(e, ref, strlen(ref), 0);
	e->subst = 0;
	e->line = line, e->col = col; /* a substitute takes the place of one character */
}

/* A character that cannot be written: an error, or a substitute. `n` input bytes are used up. */
static void unwritable(gal_encoder *e, uint32_t cp, const char *s, size_t n)
{
	if (e->mode == GAL_ENCODE_STRICT) {
		e->bad_cp = cp, e->bad_line = e->line, e->bad_col = e->col;
		e->status = GAL_ECHARSET;
		return;
	}
	substitute(e, cp);
	advance(e, s, n);
}

static void conv(gal_encoder *e, const char *s, size_t n, int at_end)
{
	char tmp[4096];
	char *in = (char *)s;
	size_t left = n;
	while ((left > 0 || at_end) && !e->status) {
		char *o = tmp, *from = in;
		size_t oleft = sizeof tmp;
		size_t r =
		    at_end && !left ? iconv(e->cd, NULL, NULL, &o, &oleft) : iconv(e->cd, &in, &left, &o, &oleft);
		int saved = errno;
		gal_buf_put(&e->out, tmp, (size_t)(o - tmp));
		if (e->out.failed)
			e->status = GAL_ENOMEM;
		advance(e, from, (size_t)(in - from));
		if (r != (size_t)-1) {
			if (at_end && !left)
				break;
			continue;
		}
		if (saved == E2BIG)
			continue;
		if (saved == EINVAL && left < sizeof e->pend) {
			/* a character cut by the end of this write: kept for the next */
			memcpy(e->pend, in, left);
			e->npend = left;
			return;
		}
		uint32_t cp = 0xFFFD;
		int k = utf8_next((const unsigned char *)in, left, &cp);
		if (k < 0)
			e->invalid = 1, cp = 0xFFFD;
		size_t used = (size_t)(k < 0 ? -k : k);
		unwritable(e, cp, in, used);
		in += used;
		left -= used;
	}
}

/* The cut character held from the last write was not completed: invalid UTF-8 from the writer. */
static void pend_invalid(gal_encoder *e)
{
	char buf[4];
	size_t n = e->npend;
	memcpy(buf, e->pend, n);
	e->npend = 0;
	e->invalid = 1;
	unwritable(e, 0xFFFD, buf, n);
}

static int enc_write(void *ctx, const char *data, size_t len)
{
	gal_encoder *e = ctx;
	locale_t old = e->loc ? uselocale(e->loc) : (locale_t)0;
	/* complete a character cut by the end of the last write with the continuation bytes that start this one */
	while (e->npend && len && !e->status) {
		unsigned c = (unsigned char)e->pend[0];
		size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (((unsigned char)*data & 0xC0) != 0x80 || e->npend >= want) {
			pend_invalid(e);
			break;
		}
		e->pend[e->npend++] = *data++;
		len--;
		if (e->npend == want) {
			char buf[4];
			memcpy(buf, e->pend, want);
			e->npend = 0;
			conv(e, buf, want, 0);
		}
	}
	if (len && !e->status)
		conv(e, data, len, 0);
	if (e->loc)
		uselocale(old);
	return e->status;
}

int gal_encoder_new(gal_sink *inner, const char *label, gal_encode_mode mode, const char *fmtname, gal_encoder **out,
                    gal_sink **sink, gal_error *err)
{
	*out = NULL;
	*sink = NULL;
	const char *iname = label ? output_name(label) : NULL;
	if (!iname) {
		gal_error_set(err, GAL_ECHARSET, NULL, fmtname, 0, 0, "cannot write the character set '%s'",
		              label ? label : "");
		return GAL_ECHARSET;
	}
	gal_encoder *e = calloc(1, sizeof *e);
	if (!e) {
		gal_error_set(err, GAL_ENOMEM, NULL, fmtname, 0, 0, "out of memory");
		return GAL_ENOMEM;
	}
	e->inner = inner;
	e->mode = mode;
	e->fmtname = fmtname;
	e->line = e->col = 1;
	e->cd = (iconv_t)-1;
	gal_charset_xml_name(label, e->name, sizeof e->name);
	char full[96];
	snprintf(full, sizeof full, "%s%s", iname, mode == GAL_ENCODE_TRANSLIT ? "//TRANSLIT" : "");
	if (mode == GAL_ENCODE_TRANSLIT) {
		/* glibc transliterates with the tables of the calling thread's LC_CTYPE, and the "C" locale has none
		 * for accented letters: a UTF-8 locale of this conversion's own, never the process's (setlocale) */
		static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
		for (size_t i = 0; i < sizeof names / sizeof *names && !e->loc; i++)
			e->loc = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
	}
	locale_t old = e->loc ? uselocale(e->loc) : (locale_t)0;
	e->cd = iconv_open(full, "UTF-8");
	if (e->loc)
		uselocale(old);
	if (e->cd == (iconv_t)-1) {
		gal_error_set(err, GAL_ECHARSET, NULL, fmtname, 0, 0, "cannot write the character set '%s'", label);
		gal_encoder_free(e);
		return GAL_ECHARSET;
	}
	if (!(e->sink = gal_sink_new_filter(enc_write, e))) {
		gal_error_set(err, GAL_ENOMEM, NULL, fmtname, 0, 0, "out of memory");
		gal_encoder_free(e);
		return GAL_ENOMEM;
	}
	*out = e;
	*sink = e->sink;
	return GAL_OK;
}

int gal_encoder_finish(gal_encoder *e, int status, gal_error *err)
{
	locale_t old = e->loc ? uselocale(e->loc) : (locale_t)0;
	if (!e->status && e->npend)
		pend_invalid(e);
	/* a stateful encoding (ISO-2022-JP) returns to its initial state */
	if (!e->status)
		conv(e, NULL, 0, 1);
	if (e->loc)
		uselocale(old);
	if (e->status == GAL_ECHARSET) {
		char glyph[8] = "";
		const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)e->bad_cp);
		/* the character itself too, when it is visible on its own */
		if (p->category >= UTF8PROC_CATEGORY_LU && p->category <= UTF8PROC_CATEGORY_SO &&
		    p->category != UTF8PROC_CATEGORY_MN && p->category != UTF8PROC_CATEGORY_ME &&
		    p->category != UTF8PROC_CATEGORY_MC) {
			glyph[0] = ' ', glyph[1] = '(';
			int k = gal_utf8_encode(e->bad_cp, glyph + 2);
			glyph[2 + k] = ')', glyph[3 + k] = '\0';
		}
		if (e->invalid && e->bad_cp == 0xFFFD)
			gal_error_set(err, GAL_ECHARSET, NULL, e->fmtname, 0, 0,
			              "invalid UTF-8 in the output at line %ld, column %ld", e->bad_line, e->bad_col);
		else
			gal_error_set(
			    err, GAL_ECHARSET, NULL, e->fmtname, 0, 0,
			    "U+%04X%s at line %ld, column %ld of the output cannot be written in %s (--translit "
			    "approximates it)",
			    (unsigned)e->bad_cp, glyph, e->bad_line, e->bad_col, e->name);
		return GAL_ECHARSET;
	}
	if (e->status) {
		gal_error_set(err, e->status, NULL, e->fmtname, 0, 0, "%s", gal_strerror(e->status));
		return e->status;
	}
	if (status)
		return status;
	return gal_sink_write(e->inner, e->out.data ? e->out.data : "", e->out.len);
}

void gal_encoder_free(gal_encoder *e)
{
	if (!e)
		return;
	if (e->cd != (iconv_t)-1)
		iconv_close(e->cd);
	if (e->loc)
		freelocale(e->loc);
	gal_sink_free(e->sink);
	gal_buf_free(&e->out);
	free(e);
}
