/* render.c: see render.h. Lines are assembled in memory and sent to the sink as each one ends. */
#include "render.h"

#include <string.h>

void gal_render_init(gal_render *r, gal_sink *sink, int width)
{
	memset(r, 0, sizeof *r);
	r->sink = sink;
	r->width = width > 0 ? width : 0;
}

/* Sends the current line. Trailing spaces are the writer's business (they matter in code blocks). */
static void flush_line(gal_render *r)
{
	size_t n = r->line.len;
	/* a line holding only the prefix is written without the prefix's trailing spaces */
	if (n == r->content)
		while (n > 0 && r->line.data[n - 1] == ' ')
			n--;
	gal_sink_write(r->sink, r->line.data ? r->line.data : "", n);
	gal_sink_write(r->sink, "\n", 1);
	gal_buf_clear(&r->line);
	r->line_open = 0;
	r->brk = 0;
	r->col = 0;
}

static void open_line_slow(gal_render *r);

/* Called before every piece of text: the usual case, a line already open, returns at once. */
static inline void open_line(gal_render *r)
{
	if (!r->line_open || r->need_nl)
		open_line_slow(r);
}

static void open_line_slow(gal_render *r)
{
	if (r->need_nl && r->started) {
		if (r->line_open)
			flush_line(r);
		if (r->need_nl >= 2) {
			size_t n = r->nl_prefix < r->prefix.len ? r->nl_prefix : r->prefix.len;
			while (n > 0 && r->prefix.data[n - 1] == ' ')
				n--;
			gal_sink_write(r->sink, r->prefix.data ? r->prefix.data : "", n);
			gal_sink_write(r->sink, "\n", 1);
		}
	}
	r->need_nl = 0;
	if (!r->line_open) {
		gal_buf_clear(&r->line);
		gal_buf_put(&r->line, r->prefix.data ? r->prefix.data : "", r->prefix.len);
		r->col = gal_str_width(r->line.data, r->line.len);
		r->content = r->line.len;
		r->brk = 0;
		r->line_open = 1;
		r->last_cp = 0;
	}
	r->started = 1;
}

/* Breaks the current line at the last opportunity; the text after it moves to a new line. */
static void wrap_line(gal_render *r)
{
	/* the text after the break stays where it is in the buffer while the line before it is sent and the new line's
	 * prefix written: the prefix (at most `content` bytes) ends before the break, which is before the rest */
	size_t rest = r->brk_end, rest_len = r->line.len - r->brk_end;
	r->line.len = r->brk;
	flush_line(r);
	open_line(r);
	/* a wrapped line does not start with spaces */
	while (rest_len && r->line.data[rest] == ' ')
		rest++, rest_len--;
	memmove(r->line.data + r->line.len, r->line.data + rest, rest_len);
	r->line.len += rest_len;
	r->line.data[r->line.len] = '\0';
	r->col = gal_str_width(r->line.data, r->line.len);
}

/* Closing punctuation that must not start a line (a small part of UAX #14's rules, enough for CJK text). */
static int no_break_before(uint32_t cp)
{
	static const uint32_t cl[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0xFF09,
				      0x300D, 0x300F, 0x3011, 0x3009, 0x300B, 0x201D, 0x2019, 0x30FC, 0x3063,
				      0x3083, 0x3085, 0x3087, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x3041, 0x3043};
	for (size_t i = 0; i < sizeof cl / sizeof *cl; i++)
		if (cl[i] == cp)
			return 1;
	return 0;
}

static int no_break_after(uint32_t cp)
{
	return cp == 0x300C || cp == 0x300E || cp == 0x3010 || cp == 0x3008 || cp == 0x300A || cp == 0xFF08 ||
	       cp == 0x201C || cp == 0x2018;
}

void gal_render_text(gal_render *r, const char *s, size_t n, int wrap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] == '\n') {
			open_line(r);
			flush_line(r);
			r->need_nl = 0;
			open_line(r);
			i++;
			continue;
		}
		open_line(r);
		if (p[i] > 0x20 && p[i] < 0x7F) {
			/* a run of printable ASCII other than spaces: one column each, no break inside; it goes in at once
			 * as far as it fits */
			size_t j = i, room = wrap && r->width ? (r->col < (size_t)r->width ? (size_t)r->width - r->col : 0)
							  : (size_t)-1;
			while (j < n && j - i < room && p[j] > 0x20 && p[j] < 0x7F)
				j++;
			if (j > i) {
				gal_buf_put(&r->line, s + i, j - i);
				r->col += j - i;
				r->last_cp = p[j - 1];
				i = j;
				continue;
			}
		}
		uint32_t cp;
		int k, w;
		if (p[i] == ' ') /* between the ASCII runs above: the common case */
			cp = ' ', k = 1, w = 1;
		else {
			k = gal_utf8_decode(p + i, n - i, &cp);
			w = gal_cp_width(cp);
		}
		if (wrap && cp == ' ') {
			if (r->line.len == r->content) { /* no spaces at the start of a line */
				i += (size_t)k;
				continue;
			}
			r->brk = r->line.len;
			r->brk_end = r->line.len + 1;
		} else if (wrap && w == 2 && r->last_cp && gal_cp_width(r->last_cp) == 2 && !no_break_before(cp) &&
			   !no_break_after(r->last_cp) && r->line.len > r->content) {
			r->brk = r->line.len;
			r->brk_end = r->line.len;
		}
		if (wrap && r->width && cp != ' ' && r->col + (size_t)w > (size_t)r->width && r->brk > r->content)
			wrap_line(r);
		gal_buf_put(&r->line, s + i, (size_t)k);
		r->col += (size_t)w;
		r->last_cp = cp;
		i += (size_t)k;
	}
}

void gal_render_puts(gal_render *r, const char *s) { gal_render_text(r, s, strlen(s), 0); }

void gal_render_cr(gal_render *r)
{
	if (r->line_open && r->need_nl < 1)
		r->need_nl = 1;
}

void gal_render_blankline(gal_render *r)
{
	if (r->started) {
		if (r->need_nl < 2 || r->prefix.len < r->nl_prefix)
			r->nl_prefix = r->prefix.len;
		r->need_nl = 2;
	}
}

size_t gal_render_prefix_push(gal_render *r, const char *s)
{
	size_t old = r->prefix.len;
	gal_buf_puts(&r->prefix, s);
	return old;
}

void gal_render_prefix_pop(gal_render *r, size_t old_len)
{
	if (old_len <= r->prefix.len) {
		r->prefix.len = old_len;
		if (r->prefix.data)
			r->prefix.data[old_len] = '\0';
	}
}

int gal_render_at_line_start(const gal_render *r)
{
	return !r->line_open || r->need_nl || r->line.len == r->content;
}

void gal_render_finish(gal_render *r)
{
	if (r->line_open)
		flush_line(r);
	gal_buf_free(&r->line);
	gal_buf_free(&r->prefix);
}
