/* util.h: small shared machinery: growable buffers, UTF-8, strings, error records. */
#ifndef GAL_UTIL_H
#define GAL_UTIL_H

#include "galley.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable byte buffer, always NUL-terminated when data != NULL. Allocation failure is sticky: `failed` is
 * set and later appends do nothing, so callers check once at the end. */
typedef struct {
	char *data;
	size_t len, cap;
	int failed;
} gal_buf;

#define GAL_BUF_INIT {NULL, 0, 0, 0}

/* Makes room for `extra` more bytes and the NUL; 0 (and `failed` set) when that fails or failed before. */
int gal_buf_reserve(gal_buf *b, size_t extra);
/* Appends are inline: readers and writers append a character at a time, millions of times per batch. */
static inline void gal_buf_put(gal_buf *b, const char *s, size_t n)
{
	if ((b->failed || b->len + n + 1 > b->cap) && !gal_buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}
static inline void gal_buf_puts(gal_buf *b, const char *s) { gal_buf_put(b, s, strlen(s)); }
static inline void gal_buf_putc(gal_buf *b, char c)
{
	if ((b->failed || b->len + 2 > b->cap) && !gal_buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void gal_buf_printf(gal_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gal_buf_clear(gal_buf *b);
void gal_buf_free(gal_buf *b);
/* Returns the string (never NULL unless allocation failed) and resets the buffer. */
char *gal_buf_detach(gal_buf *b);

/* Decodes one UTF-8 code point at s (n bytes available). Returns its length (1-4) and stores the code point,
 * or returns 1 and stores 0xFFFD for an invalid or truncated sequence. n must be > 0. */
int gal_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (4 bytes room); returns the length. */
int gal_utf8_encode(uint32_t cp, char *out);
/* 1 if the n bytes are valid UTF-8. */
int gal_utf8_valid(const char *s, size_t n);
/* Display width in terminal columns of a code point (0 for combining marks, 2 for East Asian wide). */
int gal_cp_width(uint32_t cp);
/* Display width of n bytes of UTF-8. */
size_t gal_str_width(const char *s, size_t n);

/* ASCII helpers that ignore the locale. */
int gal_strcasecmp(const char *a, const char *b);
int gal_strncasecmp(const char *a, const char *b, size_t n);
/* Lower-cases the UTF-8 character at p in place (ASCII, Latin-1, Latin Extended-A, Greek and basic Cyrillic
 * capitals: the byte length never changes); returns its length in bytes, never stepping over a NUL. */
size_t gal_utf8_lower(unsigned char *p);
/* Case-insensitive in the letters gal_utf8_lower knows: s after a leading `prefix`, or NULL; equality; whether
 * needle occurs in hay. */
const char *gal_ci_skip(const char *s, const char *prefix);
int gal_ci_equal(const char *a, const char *b);
int gal_ci_contains(const char *hay, const char *needle);
/* How many leading bytes of s (n bytes) are printable ASCII (0x20-0x7E), eight at a time: the fast path of the
 * byte scanners (decoding, the tree's control and NFC check), which look at the rest one byte at a time. It may
 * stop short of the first other byte in the last eight (always on big-endian machines), never past it. */
static inline size_t gal_printable_ascii_prefix(const unsigned char *s, size_t n)
{
	const uint64_t hi = 0x8080808080808080u, ones = 0x0101010101010101u;
	size_t i = 0;
	uint64_t w, bad;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		/* a byte >= 0x7F (adding one sets its high bit) or < 0x20 (subtracting 0x20 borrows): carries and
		 * borrows run towards later bytes only, so the lowest flag is the first such byte */
		bad = ((w | (w + ones)) & hi) | ((w - ones * 0x20) & ~w & hi);
		if (bad) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			i += (size_t)__builtin_ctzll(bad) / 8;
#endif
			break;
		}
	}
	return i;
}

/* HTML whitespace: space, tab, LF, FF, CR */
static inline int gal_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
/* HTML white-space collapsing of a text run into out (room for strlen(s) bytes): runs of white space become one
 * space, and none at all when *ws says the text before ended in one; *ws is updated. Returns the bytes written. */
size_t gal_collapse_run(const char *s, char *out, int *ws);
/* Copy of s with surrounding whitespace removed and inner runs collapsed to one space; NULL on ENOMEM. */
char *gal_collapse_ws(const char *s);
/* Compares texts by their ASCII letters and digits alone, ignoring case (bytes outside ASCII compare exactly):
 * "is this line the headline". With `prefix`, one text being a prefix of the other counts as equal. */
int gal_loose_equal(const char *a, const char *b, int prefix);

/* A sink that hands every write to fn (the charset encoder); a failure fn returns is sticky. Closing it only
 * reports that failure; the filter's owner finishes its work. */
typedef int (*gal_sink_fn)(void *ctx, const char *data, size_t len);
gal_sink *gal_sink_new_filter(gal_sink_fn fn, void *ctx);
/* Initialises libxml2 once per process, safely from any thread (pthread_once); gal_read, gal_write and
 * gal_epub_entry call it first. */
void gal_lib_init(void);

/* Fills an error record. */
void gal_error_set(gal_error *err, int code, const gal_options *opts, const char *format, long line, long col,
		   const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Sends a warning through opts->warn, if any. */
void gal_warn(const gal_options *opts, const char *format, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
