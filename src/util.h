/* util.h: small shared machinery: growable buffers, UTF-8, strings, error records. */
#ifndef GAL_UTIL_H
#define GAL_UTIL_H

#include "galley.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer, always NUL-terminated when data != NULL. Allocation failure is sticky: `failed` is
 * set and later appends do nothing, so callers check once at the end. */
typedef struct {
	char *data;
	size_t len, cap;
	int failed;
} gal_buf;

#define GAL_BUF_INIT {NULL, 0, 0, 0}

void gal_buf_put(gal_buf *b, const char *s, size_t n);
void gal_buf_puts(gal_buf *b, const char *s);
void gal_buf_putc(gal_buf *b, char c);
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
int gal_is_space(int c); /* HTML whitespace: space, tab, LF, FF, CR */
/* Copy of s with surrounding whitespace removed and inner runs collapsed to one space; NULL on ENOMEM. */
char *gal_collapse_ws(const char *s);
/* Compares texts by their ASCII letters and digits alone, ignoring case (bytes outside ASCII compare exactly):
 * "is this line the headline". With `prefix`, one text being a prefix of the other counts as equal. */
int gal_loose_equal(const char *a, const char *b, int prefix);

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
