/* util.c: buffers, UTF-8, strings, error records. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------ buffers */

int gal_buf_reserve(gal_buf *b, size_t extra)
{
	if (b->failed)
		return 0;
	if (b->len + extra + 1 <= b->cap)
		return 1;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2) {
			b->failed = 1;
			return 0;
		}
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return 0;
	}
	b->data = p;
	b->cap = cap;
	return 1;
}

void gal_buf_printf(gal_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && gal_buf_reserve(b, (size_t)n)) {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void gal_buf_clear(gal_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void gal_buf_free(gal_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

char *gal_buf_detach(gal_buf *b)
{
	char *s = b->failed ? NULL : b->data;
	if (!s && !b->failed)
		s = calloc(1, 1);
	if (b->failed)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return s;
}

/* ------------------------------------------------------------------ UTF-8 */

int gal_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if ((size_t)len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = v;
	return len;
}

int gal_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = 0xFFFD;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return gal_utf8_encode(0xFFFD, out);
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

int gal_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			/* ASCII eight bytes at a time */
			uint64_t w;
			while (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080u)))
				i += 8;
			if (i < n && p[i] < 0x80)
				i++;
			continue;
		}
		uint32_t cp;
		int k = gal_utf8_decode(p + i, n - i, &cp);
		if (cp == 0xFFFD && k == 1)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

/* utf8proc knows the Unicode tables (East Asian width, combining marks, emoji); its width for
 * control characters is 0, which suits us. */
int gal_cp_width(uint32_t cp)
{
	if (cp < 0x20)
		return 0;
	if (cp < 0x7F)
		return 1;
	return utf8proc_charwidth((utf8proc_int32_t)cp);
}

size_t gal_str_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			w += p[i] >= 0x20 && p[i] != 0x7F;
			i++;
			continue;
		}
		uint32_t cp;
		i += (size_t)gal_utf8_decode(p + i, n - i, &cp);
		w += (size_t)gal_cp_width(cp);
	}
	return w;
}

/* ------------------------------------------------------------------ strings */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int gal_strcasecmp(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
		a++, b++;
	return lower((unsigned char)*a) - lower((unsigned char)*b);
}

int gal_strncasecmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int d = lower((unsigned char)a[i]) - lower((unsigned char)b[i]);
		if (d || !a[i])
			return d;
	}
	return 0;
}


size_t gal_collapse_run(const char *s, char *out, int *ws)
{
	size_t o = 0;
	for (const char *p = s; *p;) {
		if (gal_is_space((unsigned char)*p)) {
			if (!*ws)
				out[o++] = ' ';
			*ws = 1;
			p++;
			continue;
		}
		const char *q = p;
		while (*q && !gal_is_space((unsigned char)*q))
			q++;
		memcpy(out + o, p, (size_t)(q - p));
		o += (size_t)(q - p);
		p = q;
		*ws = 0;
	}
	return o;
}

char *gal_collapse_ws(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	int pending = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* U+00A0 no-break space counts as white space in metadata */
		int ws = gal_is_space(*p) || (p[0] == 0xC2 && p[1] == 0xA0);
		if (ws) {
			if (p[0] == 0xC2)
				p++;
			pending = o != out;
			continue;
		}
		if (pending)
			*o++ = ' ';
		pending = 0;
		*o++ = (char)*p;
		while (p[1] > ' ' && p[1] != 0xC2) /* the rest of a word at once */
			*o++ = (char)*++p;
	}
	*o = '\0';
	return out;
}

/* ------------------------------------------------------------------ errors */

const char *gal_strerror(int code)
{
	switch (code) {
	case GAL_OK: return "success";
	case GAL_ENOMEM: return "out of memory";
	case GAL_EIO: return "input/output error";
	case GAL_EPARSE: return "parse error";
	case GAL_ELIMIT: return "limit exceeded";
	case GAL_EINVAL: return "invalid argument";
	case GAL_ECHARSET: return "character set error";
	case GAL_EFORMAT: return "format error";
	case GAL_EUNSUPPORTED: return "not supported";
	default: return "unknown error";
	}
}

static void vset(gal_error *err, int code, const char *file, const char *format, long line, long col,
		 const char *fmt, va_list ap)
{
	memset(err, 0, sizeof *err);
	err->code = code;
	if (file)
		snprintf(err->file, sizeof err->file, "%s", file);
	err->format = format;
	err->line = line;
	err->column = col;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
}

void gal_error_set(gal_error *err, int code, const gal_options *opts, const char *format, long line, long col,
		   const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, opts ? opts->source_name : NULL, format, line, col, fmt, ap);
	va_end(ap);
}

void gal_warn(const gal_options *opts, const char *format, long line, const char *fmt, ...)
{
	if (!opts || !opts->warn)
		return;
	gal_error w;
	va_list ap;
	va_start(ap, fmt);
	vset(&w, GAL_OK, opts->source_name, format, line, 0, fmt, ap);
	va_end(ap);
	opts->warn(opts->warn_data, &w);
}

char *gal_error_format(const gal_error *err, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
#define ADD(...)                                                                                                  \
	do {                                                                                                       \
		int n_ = snprintf(buf + off, size - off, __VA_ARGS__);                                              \
		if (n_ > 0)                                                                                        \
			off = off + (size_t)n_ < size ? off + (size_t)n_ : size - 1;                               \
	} while (0)
	if (err->file[0])
		ADD("%s:", err->file);
	if (err->file[0] && err->line > 0)
		ADD("%ld:", err->line);
	if (err->file[0])
		ADD(" ");
	if (err->format)
		ADD("%s: ", err->format);
	ADD("%s", err->message[0] ? err->message : gal_strerror(err->code));
#undef ADD
	return buf;
}

static int loose_skip(unsigned char c)
{
	return c && c < 0x80 && !(c >= '0' && c <= '9') && !((c | 32) >= 'a' && (c | 32) <= 'z');
}

size_t gal_utf8_lower(unsigned char *p)
{
	if (*p < 0x80) {
		if (*p >= 'A' && *p <= 'Z')
			*p += 32;
		return 1;
	}
	if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
		p[1] += 0x20; /* À-Þ */
	else if (*p == 0xD0 && p[1] >= 0x90 && p[1] <= 0x9F)
		p[1] += 0x20; /* А-П */
	else if (*p == 0xD0 && p[1] >= 0xA0 && p[1] <= 0xAF)
		p[0] = 0xD1, p[1] -= 0x20; /* Р-Я */
	else if (*p == 0xD0 && p[1] == 0x81)
		p[0] = 0xD1, p[1] = 0x91; /* Ё */
	else if (*p == 0xCE && p[1] >= 0x91 && p[1] <= 0x9F)
		p[1] += 0x20; /* Α-Ο */
	else if (*p == 0xCE && p[1] >= 0xA0 && p[1] <= 0xAB && p[1] != 0xA2)
		p[0] = 0xCF, p[1] -= 0x20; /* Π-Ϋ */
	else if (*p == 0xCE && (p[1] == 0x86 || (p[1] >= 0x88 && p[1] <= 0x8A))) {
		p[1] = p[1] == 0x86 ? 0xAC : p[1] + 0x25; /* Ά Έ Ή Ί */
	} else if (*p == 0xCE && (p[1] == 0x8C || p[1] == 0x8E || p[1] == 0x8F))
		p[0] = 0xCF, p[1] = p[1] == 0x8C ? 0x8C : p[1] - 0x01; /* Ό Ύ Ώ */
	else if ((*p == 0xC4 || *p == 0xC5) && p[1] >= 0x80 && p[1] <= 0xBF) {
		/* Latin Extended-A (Č, Ł, Ő, Ś, Ž ...): capitals are the even code points of U+0100-0137 and
		 * U+014A-0177, the odd ones of U+0139-0148 and U+0179-017E */
		unsigned cp = ((unsigned)(*p & 0x1F) << 6) | (p[1] & 0x3F);
		int upper = (cp <= 0x137 || (cp >= 0x14A && cp <= 0x177)) ? !(cp & 1)
			    : ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) ? (cp & 1)
											       : 0;
		if (upper && cp != 0x130) { /* (İ lower-cases to i with a dot above: two characters) */
			cp++;
			p[0] = (unsigned char)(0xC0 | (cp >> 6));
			p[1] = (unsigned char)(0x80 | (cp & 0x3F));
		}
	}
	size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
	for (size_t i = 1; i < n; i++)
		if (!p[i])
			return i; /* a truncated sequence: never step over the NUL */
	return n;
}

/* One character of s, lower-cased, into out (5 bytes); its length in s. */
static size_t lower_one(const char *s, unsigned char *out)
{
	size_t n = 0;
	while (n < 4 && s[n] && (n == 0 || ((unsigned char)s[n] & 0xC0) == 0x80))
		n++, out[n - 1] = (unsigned char)s[n - 1];
	out[n] = '\0';
	gal_utf8_lower(out);
	return n;
}

const char *gal_ci_skip(const char *s, const char *prefix)
{
	while (*prefix) {
		unsigned char a[5], b[5];
		size_t la = lower_one(s, a), lb = lower_one(prefix, b);
		if (!la || la != lb || memcmp(a, b, la))
			return NULL;
		s += la, prefix += lb;
	}
	return s;
}

int gal_ci_equal(const char *a, const char *b)
{
	const char *end = gal_ci_skip(a, b);
	return end && !*end;
}

int gal_ci_contains(const char *hay, const char *needle)
{
	for (; *hay; hay++)
		if (((unsigned char)*hay & 0xC0) != 0x80 && gal_ci_skip(hay, needle))
			return 1;
	return !*needle;
}

int gal_loose_equal(const char *a, const char *b, int prefix)
{
	size_t i = 0, j = 0;
	for (;;) {
		/* (a no-break space is a space) */
		while (loose_skip((unsigned char)a[i]) || ((unsigned char)a[i] == 0xC2 && (unsigned char)a[i + 1] == 0xA0))
			i += (unsigned char)a[i] == 0xC2 ? 2 : 1;
		while (loose_skip((unsigned char)b[j]) || ((unsigned char)b[j] == 0xC2 && (unsigned char)b[j + 1] == 0xA0))
			j += (unsigned char)b[j] == 0xC2 ? 2 : 1;
		if (!a[i] || !b[j])
			return prefix || (!a[i] && !b[j]);
		if ((unsigned char)a[i] < 0x80 && (unsigned char)b[j] < 0x80) {
			if (lower((unsigned char)a[i]) != lower((unsigned char)b[j]))
				return 0;
			i++, j++;
			continue;
		}
		unsigned char ca[5], cb[5];
		size_t la = lower_one(a + i, ca), lb = lower_one(b + j, cb);
		if (la != lb || memcmp(ca, cb, la))
			return 0;
		i += la, j += lb;
	}
}
