/* render.h: line-oriented output shared by the text-like writers: block separation, line prefixes (quote
 * markers, list indentation) and wrapping by display width (wide CJK characters count two columns). */
#ifndef GAL_RENDER_H
#define GAL_RENDER_H

#include "util.h"

typedef struct {
	gal_sink *sink;
	int width;       /* wrap column; 0 = never wrap */
	gal_buf line;    /* the current line, prefix included */
	gal_buf prefix;  /* written at the start of every line */
	size_t col;      /* display width of `line` */
	size_t content;  /* byte offset where the current line's content starts (after the prefix) */
	size_t brk;      /* byte offset of the last break opportunity in `line`, 0 = none */
	size_t brk_end;  /* where the text after the break starts (brk + 1 for a space, brk for CJK) */
	int line_open;   /* `line` holds a started line */
	int need_nl;     /* newlines owed before the next output: 1 ends the line, 2 adds a blank line */
	size_t nl_prefix; /* prefix length when the blank line was asked for (it belongs to that level) */
	int started;     /* anything written yet */
	uint32_t last_cp;
} gal_render;

void gal_render_init(gal_render *r, gal_sink *sink, int width);
/* Writes text; with wrap, spaces (and gaps between wide characters) are places to break the line, and a
 * newline in the text starts a new line. */
void gal_render_text(gal_render *r, const char *s, size_t n, int wrap);
void gal_render_puts(gal_render *r, const char *s); /* no wrapping */
void gal_render_cr(gal_render *r);                  /* end the current line, if any */
void gal_render_blankline(gal_render *r);           /* a blank line before the next output */
/* Appends to the prefix; returns the old length, to restore with gal_render_prefix_pop. */
size_t gal_render_prefix_push(gal_render *r, const char *s);
void gal_render_prefix_pop(gal_render *r, size_t old_len);
/* Whether the next output starts a line (only the prefix precedes it). */
int gal_render_at_line_start(const gal_render *r);
void gal_render_finish(gal_render *r); /* flushes, ends with one newline; frees internal buffers */

#endif
