/* textual.c: the engine behind the Markdown and text writers. Plain text is Markdown without markup: the same
 * walk over blocks, prefixes and block separation, with a different inline renderer and header. Inline content is
 * rendered to a string first, because Markdown's emphasis rules depend on the characters on both sides. */
#include "writers.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	gal_render r;
	const gal_options *opts;
	int plain;
	int in_table;
	int tight;         /* inside a tight list item: blocks separated by one newline */
	char last_bullet;  /* bullet of the previous sibling list, to keep adjacent lists apart */
} W;

/* ------------------------------------------------------------------ character classes */

static int is_ascii_punct(int c)
{
	return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
	       (c >= 0x7B && c <= 0x7E);
}

/* Classes for CommonMark's flanking rules: 0 white space (or edge), 1 punctuation, 2 other. */
static int cls_of_cp(uint32_t cp)
{
	if (cp == 0 || cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A))
		return 0;
	if (cp < 0x80)
		return is_ascii_punct((int)cp) ? 1 : 2;
	/* Unicode punctuation (general categories P*): the common ranges */
	if ((cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) || (cp >= 0x3001 && cp <= 0x3003) ||
	    (cp >= 0x3008 && cp <= 0x3011) || cp == 0xA1 || cp == 0xA7 || cp == 0xAB || cp == 0xB6 || cp == 0xB7 ||
	    cp == 0xBB || cp == 0xBF || (cp >= 0xFF01 && cp <= 0xFF0F))
		return 1;
	return 2;
}

static int first_class(const char *s, size_t n)
{
	if (!n)
		return 0;
	uint32_t cp;
	gal_utf8_decode((const unsigned char *)s, n, &cp);
	return cls_of_cp(cp);
}

static int last_class(const char *s, size_t n)
{
	if (!n)
		return 0;
	size_t i = n - 1;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	uint32_t cp;
	gal_utf8_decode((const unsigned char *)s + i, n - i, &cp);
	return cls_of_cp(cp);
}

/* ------------------------------------------------------------------ Markdown inline escaping */

static int entity_follows(const char *s, size_t i, size_t n)
{
	size_t j = i + 1;
	if (j < n && s[j] == '#')
		j++;
	size_t start = j;
	while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= '0' && s[j] <= '9')))
		j++;
	return j > start && j < n && s[j] == ';';
}

/* A space or tab as a character reference: Markdown keeps those where it would drop the character itself. */
static const char *ws_ref(char c) { return c == '\t' ? "&#9;" : "&#32;"; }

/* Escapes literal text for Markdown. `bol`: the text starts a line (block-start syntax must be neutralised). */
static void md_escape(gal_buf *b, const char *s, size_t n, int bol, int in_table, int in_heading)
{
	/* bytes that never need escaping go out in runs */
	static const unsigned char special[256] = {['\n'] = 1, ['\r'] = 1, ['\\'] = 1, ['`'] = 1, ['*'] = 1, ['_'] = 1,
						   ['['] = 1,  [']'] = 1,  ['<'] = 1,   ['~'] = 1, ['|'] = 1, ['#'] = 1,
						   ['&'] = 1};
	for (size_t i = 0; i < n; i++) {
		if (!bol && !special[(unsigned char)s[i]]) {
			size_t j = i + 1;
			while (j < n && !special[(unsigned char)s[j]])
				j++;
			gal_buf_put(b, s + i, j - i);
			i = j - 1;
			continue;
		}
		char c = s[i];
		if (c == '\n' || c == '\r')
			c = ' ';
		if (bol) {
			/* leading spaces would be stripped or start a code block */
			if (c == ' ' || c == '\t') {
				gal_buf_puts(b, ws_ref(c));
				continue;
			}
			bol = 0;
			if (c == '#' || c == '-' || c == '+' || c == '=' || c == '>' || c == '~') {
				gal_buf_putc(b, '\\');
				gal_buf_putc(b, c);
				continue;
			}
			if (c >= '0' && c <= '9') {
				size_t j = i;
				while (j < n && j - i < 10 && s[j] >= '0' && s[j] <= '9')
					j++;
				gal_buf_put(b, s + i, j - i);
				if (j < n && (s[j] == '.' || s[j] == ')')) {
					gal_buf_putc(b, '\\');
					gal_buf_putc(b, s[j]);
					j++;
				}
				i = j - 1;
				continue;
			}
		}
		switch (c) {
		case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '~':
			gal_buf_putc(b, '\\');
			gal_buf_putc(b, c);
			break;
		case '|':
			gal_buf_puts(b, in_table ? "\\|" : "|");
			break;
		case '#':
			gal_buf_puts(b, in_heading ? "\\#" : "#");
			break;
		case '&':
			gal_buf_puts(b, entity_follows(s, i, n) ? "\\&" : "&");
			break;
		default:
			gal_buf_putc(b, c);
		}
	}
}

/* ------------------------------------------------------------------ inline rendering */

typedef struct {
	const W *w;
	int in_heading;
} ictx;

static void inlines(const ictx *ic, const gal_node *parent, gal_buf *out, int block_level, int bol);

static void code_span(const ictx *ic, const char *s, size_t n, gal_buf *out)
{
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	int all_space = 1;
	for (size_t i = 0; i < n; i++)
		all_space &= s[i] == ' ';
	int pad = n && !all_space && (s[0] == '`' || s[n - 1] == '`' || (s[0] == ' ' && s[n - 1] == ' '));
	for (size_t i = 0; i <= longest; i++)
		gal_buf_putc(out, '`');
	if (pad)
		gal_buf_putc(out, ' ');
	for (size_t i = 0; i < n; i++) {
		if (ic->w->in_table && s[i] == '|')
			gal_buf_putc(out, '\\');
		gal_buf_putc(out, s[i] == '\n' ? ' ' : s[i]);
	}
	if (pad)
		gal_buf_putc(out, ' ');
	for (size_t i = 0; i <= longest; i++)
		gal_buf_putc(out, '`');
}

static void link_dest(const char *href, gal_buf *out)
{
	int pointy = !*href;
	for (const char *p = href; *p; p++)
		if (*p == ' ' || *p == '(' || *p == ')' || *p == '<' || *p == '>' || (unsigned char)*p < 0x20)
			pointy = 1;
	if (pointy)
		gal_buf_putc(out, '<');
	for (const char *p = href; *p; p++) {
		if (*p == '\n' || *p == '\r')
			continue;
		if (*p == '<' || *p == '>' || *p == '\\')
			gal_buf_putc(out, '\\');
		gal_buf_putc(out, *p);
	}
	if (pointy)
		gal_buf_putc(out, '>');
}

static void link_title(const char *title, gal_buf *out)
{
	gal_buf_puts(out, " \"");
	for (const char *p = title; *p; p++) {
		if (*p == '"' || *p == '\\')
			gal_buf_putc(out, '\\');
		gal_buf_putc(out, *p == '\n' ? ' ' : *p);
	}
	gal_buf_putc(out, '"');
}

/* Renders one inline node into `out`; bol: it starts a line. */
static void inline_node(const ictx *ic, const gal_node *n, gal_buf *out, int bol)
{
	int plain = ic->w->plain;
	switch (n->type) {
	case GAL_NODE_TEXT:
		if (plain) {
			/* copied in runs between line breaks, which become spaces */
			const char *p = n->lit ? n->lit : "", *end = p + n->len, *nl;
			while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
				gal_buf_put(out, p, (size_t)(nl - p));
				gal_buf_putc(out, ' ');
				p = nl + 1;
			}
			gal_buf_put(out, p, (size_t)(end - p));
		} else
			md_escape(out, n->lit ? n->lit : "", n->len, bol, ic->w->in_table, ic->in_heading);
		break;
	case GAL_NODE_CODE: {
		if (!n->len || (n->prev && n->prev->type == GAL_NODE_CODE && n->prev->len))
			break;
		/* adjacent code spans are written as one: their backtick fences would run together */
		gal_buf lit = GAL_BUF_INIT;
		for (const gal_node *k = n; k && k->type == GAL_NODE_CODE; k = k->next)
			gal_buf_put(&lit, k->lit ? k->lit : "", k->len);
		if (plain)
			gal_buf_put(out, lit.data, lit.len);
		else
			code_span(ic, lit.data, lit.len, out);
		gal_buf_free(&lit);
		break;
	}
	case GAL_NODE_LINEBREAK:
		if (ic->in_heading || ic->w->in_table)
			gal_buf_putc(out, ' ');
		else
			gal_buf_puts(out, plain ? "\n" : "\\\n");
		break;
	case GAL_NODE_LINK: {
		gal_buf inner = GAL_BUF_INIT;
		inlines(ic, n, &inner, 0, 0);
		if (plain) {
			gal_buf_put(out, inner.data, inner.len);
		} else {
			gal_buf_putc(out, '[');
			gal_buf_put(out, inner.data, inner.len);
			gal_buf_puts(out, "](");
			link_dest(n->s1 ? n->s1 : "", out);
			if (n->s2 && *n->s2)
				link_title(n->s2, out);
			gal_buf_putc(out, ')');
		}
		gal_buf_free(&inner);
		break;
	}
	default: /* EMPH, STRONG, SUPERSCRIPT, SUBSCRIPT: wrapped by the caller, who knows the neighbours */
		inlines(ic, n, out, 0, 0);
		break;
	}
}

static const char *html_tag(gal_node_type t)
{
	return t == GAL_NODE_EMPH ? "em" : t == GAL_NODE_STRONG ? "strong" : t == GAL_NODE_SUPERSCRIPT ? "sup" : "sub";
}

/* Renders the children of `parent`. Each child is rendered alone, then joined; emphasis chooses `*` delimiters
 * when CommonMark's flanking rules allow it given the characters on both sides, and HTML tags otherwise. */
static void inlines(const ictx *ic, const gal_node *parent, gal_buf *out, int block_level, int bol)
{
	size_t count = 0;
	for (const gal_node *k = parent->first; k; k = k->next)
		count++;
	if (!count)
		return;
	gal_buf *parts = calloc(count, sizeof *parts);
	if (!parts) {
		out->failed = 1;
		return;
	}
	/* hard breaks at the edges of a block mean nothing (and Markdown cannot express them) */
	size_t first_real = count, last_real = 0, i = 0;
	for (const gal_node *k = parent->first; k; k = k->next, i++)
		if (k->type != GAL_NODE_LINEBREAK) {
			if (first_real == count)
				first_real = i;
			last_real = i;
		}
	i = 0;
	for (const gal_node *k = parent->first; k; k = k->next, i++) {
		if (k->type == GAL_NODE_LINEBREAK && block_level && (i < first_real || i > last_real || first_real == count))
			continue;
		inline_node(ic, k, &parts[i], bol);
		bol = k->type == GAL_NODE_LINEBREAK;
	}
	/* the character class at the container's edges: line edge at block level, a delimiter inside emphasis */
	int edge = block_level ? 0 : 1;
	int prev_cls = edge;
	i = 0;
	for (const gal_node *k = parent->first; k; k = k->next, i++) {
		gal_buf *p = &parts[i];
		int wrap = k->type == GAL_NODE_EMPH || k->type == GAL_NODE_STRONG || k->type == GAL_NODE_SUPERSCRIPT ||
			   k->type == GAL_NODE_SUBSCRIPT;
		if (wrap && !ic->w->plain && p->len) {
			int next_cls = edge;
			if (i + 1 < count) {
				gal_buf *q = &parts[i + 1];
				next_cls = q->len ? first_class(q->data, q->len) : 1;
				if (k->next->type != GAL_NODE_TEXT && k->next->type != GAL_NODE_CODE)
					next_cls = 1; /* a delimiter or bracket follows */
			}
			int in_first = first_class(p->data, p->len), in_last = last_class(p->data, p->len);
			/* left-flanking opener and right-flanking closer for '*' */
			int open_ok = in_first != 0 && (in_first != 1 || prev_cls != 2);
			int close_ok = in_last != 0 && (in_last != 1 || next_cls != 2);
			/* the run must not merge with a '*' run right beside it */
			if (p->data[0] == '*' || p->data[p->len - 1] == '*')
				open_ok = 0;
			if (out->len && out->data[out->len - 1] == '*')
				open_ok = 0;
			if (i + 1 < count && parts[i + 1].len && parts[i + 1].data[0] == '*')
				close_ok = 0;
			if ((k->type == GAL_NODE_EMPH || k->type == GAL_NODE_STRONG) && open_ok && close_ok) {
				const char *d = k->type == GAL_NODE_EMPH ? "*" : "**";
				gal_buf_puts(out, d);
				gal_buf_put(out, p->data, p->len);
				gal_buf_puts(out, d);
			} else {
				gal_buf_printf(out, "<%s>", html_tag(k->type));
				gal_buf_put(out, p->data, p->len);
				gal_buf_printf(out, "</%s>", html_tag(k->type));
			}
			prev_cls = 1;
		} else {
			/* white space before a hard break would be dropped: keep it as a character reference */
			if (k->type == GAL_NODE_LINEBREAK && !ic->w->plain && out->len &&
			    (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\t')) {
				char ws = out->data[--out->len];
				gal_buf_puts(out, ws_ref(ws));
			}
			/* "!" right before a link would make it an image */
			if (p->len && p->data[0] == '[' && out->len && out->data[out->len - 1] == '!' && !ic->w->plain) {
				out->data[--out->len] = '\0';
				gal_buf_puts(out, "\\!");
			}
			gal_buf_put(out, p->data, p->len);
			if (p->len)
				prev_cls = k->type == GAL_NODE_LINK && !ic->w->plain ? 1 : last_class(p->data, p->len);
		}
		gal_buf_free(p);
	}
	free(parts);
}

static char *inline_string(W *w, const gal_node *parent, int in_heading)
{
	ictx ic = {w, in_heading};
	gal_buf b = GAL_BUF_INIT;
	/* table cells do not start lines: block syntax cannot begin there */
	inlines(&ic, parent, &b, 1, !w->in_table);
	if (w->plain)
		return gal_buf_detach(&b);
	/* white space at the edges of a line or a cell is lost to Markdown parsers: keep it as references */
	gal_buf e = GAL_BUF_INIT;
	size_t lead = 0, end = b.len;
	while (lead < b.len && (b.data[lead] == ' ' || b.data[lead] == '\t'))
		lead++;
	while (end > lead && (b.data[end - 1] == ' ' || b.data[end - 1] == '\t'))
		end--;
	for (size_t i = 0; i < lead; i++)
		gal_buf_puts(&e, ws_ref(b.data[i]));
	gal_buf_put(&e, b.data ? b.data + lead : "", end - lead);
	for (size_t i = end; i < b.len; i++)
		gal_buf_puts(&e, ws_ref(b.data[i]));
	gal_buf_free(&b);
	return gal_buf_detach(&e);
}

/* ------------------------------------------------------------------ blocks */

static void blocks(W *w, const gal_node *parent);

static void write_inline_block(W *w, const gal_node *n, const char *lead)
{
	char *s = inline_string(w, n, n->type == GAL_NODE_HEADING);
	if (!s)
		return;
	if (lead)
		gal_render_puts(&w->r, lead);
	gal_render_text(&w->r, s, strlen(s), w->plain);
	free(s);
}

static void separate(W *w)
{
	if (w->tight)
		gal_render_cr(&w->r);
	else
		gal_render_blankline(&w->r);
}

static void plain_heading(W *w, const gal_node *n)
{
	char *s = inline_string(w, n, 1);
	if (!s)
		return;
	gal_render_text(&w->r, s, strlen(s), 1);
	int level = n->as.heading.level;
	if (level <= 2) {
		size_t width = gal_str_width(s, strlen(s));
		if (w->r.width && width > (size_t)w->r.width)
			width = (size_t)w->r.width;
		gal_render_cr(&w->r);
		for (size_t i = 0; i < width; i++)
			gal_render_puts(&w->r, level == 1 ? "=" : "-");
	}
	free(s);
}

static void fence_block(W *w, const gal_node *n)
{
	const char *s = n->lit ? n->lit : "";
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < n->len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	char fence[64];
	size_t flen = longest >= 3 ? longest + 1 : 3;
	if (flen > sizeof fence - 1)
		flen = sizeof fence - 1;
	memset(fence, '`', flen);
	fence[flen] = '\0';
	gal_render_puts(&w->r, fence);
	if (n->s1)
		gal_render_puts(&w->r, n->s1);
	gal_render_cr(&w->r);
	gal_render_text(&w->r, s, n->len, 0);
	gal_render_cr(&w->r);
	gal_render_puts(&w->r, fence);
}

static void list(W *w, const gal_node *n, char bullet)
{
	int ordered = n->as.list.ordered;
	long num = n->as.list.start;
	if (num > 999999999)
		num = 999999999;
	int tight = 1;
	for (const gal_node *it = n->first; it; it = it->next) {
		int paras = 0;
		for (const gal_node *b = it->first; b; b = b->next)
			if (b != it->first || b->type != GAL_NODE_PARAGRAPH)
				paras += b->type != GAL_NODE_LIST;
		if (paras)
			tight = 0;
	}
	int saved_tight = w->tight;
	for (const gal_node *it = n->first; it; it = it->next, num++) {
		if (it != n->first) {
			if (tight)
				gal_render_cr(&w->r);
			else
				gal_render_blankline(&w->r);
		}
		char marker[32];
		if (ordered)
			snprintf(marker, sizeof marker, "%ld%c ", num, w->plain || bullet == '-' ? '.' : ')');
		else
			snprintf(marker, sizeof marker, "%c ", w->plain ? '-' : bullet);
		gal_render_puts(&w->r, marker);
		char pad[32];
		size_t ml = strlen(marker);
		memset(pad, ' ', ml);
		pad[ml] = '\0';
		size_t old = gal_render_prefix_push(&w->r, pad);
		w->tight = tight;
		w->last_bullet = 0;
		if (!it->first && !w->plain)
			gal_render_cr(&w->r);
		blocks(w, it);
		gal_render_prefix_pop(&w->r, old);
	}
	w->tight = saved_tight;
}

/* ---- tables */

typedef struct {
	char **cells;
	size_t ncells;
	int header;
} trow;

/* One row: Markdown "| a | b |", text columns padded to their widths and two spaces apart. */
static void table_line(W *w, char **cells, const size_t *widths, size_t ncols)
{
	gal_buf line = GAL_BUF_INIT;
	if (!w->plain)
		gal_buf_puts(&line, "|");
	for (size_t c = 0; c < ncols; c++) {
		const char *s = cells && cells[c] ? cells[c] : "";
		int last = c + 1 == ncols;
		if (!w->plain)
			gal_buf_putc(&line, ' ');
		gal_buf_puts(&line, s);
		if (!(w->plain && last))
			for (size_t k = gal_str_width(s, strlen(s)); k < widths[c]; k++)
				gal_buf_putc(&line, ' ');
		gal_buf_puts(&line, w->plain ? (last ? "" : "  ") : " |");
	}
	gal_render_puts(&w->r, line.data ? line.data : "");
	gal_render_cr(&w->r);
	gal_buf_free(&line);
}

/* The delimiter row (Markdown) or the rule under a header row (text). */
static void table_rule(W *w, const size_t *widths, size_t ncols)
{
	gal_buf line = GAL_BUF_INIT;
	if (!w->plain)
		gal_buf_puts(&line, "|");
	for (size_t c = 0; c < ncols; c++) {
		if (!w->plain)
			gal_buf_putc(&line, ' ');
		for (size_t k = 0; k < widths[c]; k++)
			gal_buf_putc(&line, '-');
		gal_buf_puts(&line, w->plain ? (c + 1 < ncols ? "  " : "") : " |");
	}
	gal_render_puts(&w->r, line.data ? line.data : "");
	gal_render_cr(&w->r);
	gal_buf_free(&line);
}

static void table(W *w, const gal_node *t)
{
	size_t nrows = 0, ncols = 0;
	for (const gal_node *r = t->first; r; r = r->next) {
		size_t c = 0;
		for (const gal_node *cell = r->first; cell; cell = cell->next)
			c++;
		if (c > ncols)
			ncols = c;
		nrows++;
	}
	if (!nrows || !ncols)
		return;
	trow *rows = calloc(nrows, sizeof *rows);
	size_t *widths = calloc(ncols, sizeof *widths);
	if (!rows || !widths) {
		free(rows);
		free(widths);
		return;
	}
	w->in_table = 1;
	size_t i = 0;
	for (const gal_node *r = t->first; r; r = r->next, i++) {
		rows[i].cells = calloc(ncols, sizeof(char *));
		rows[i].header = r->as.row.header;
		size_t c = 0;
		for (const gal_node *cell = r->first; cell && rows[i].cells; cell = cell->next, c++) {
			rows[i].cells[c] = inline_string(w, cell, 0);
			size_t wd = rows[i].cells[c] ? gal_str_width(rows[i].cells[c], strlen(rows[i].cells[c])) : 0;
			if (wd > widths[c])
				widths[c] = wd;
		}
	}
	w->in_table = 0;
	int has_header = rows[0].header;
	for (size_t c = 0; c < ncols; c++)
		if (widths[c] < 3)
			widths[c] = 3;
	if (!w->plain && !has_header) {
		/* a pipe table needs a header row: an empty one */
		table_line(w, NULL, widths, ncols);
		table_rule(w, widths, ncols);
	}
	for (size_t r = 0; r < nrows; r++) {
		table_line(w, rows[r].cells, widths, ncols);
		if (r == 0 && has_header)
			table_rule(w, widths, ncols);
	}
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; rows[r].cells && c < ncols; c++)
			free(rows[r].cells[c]);
		free(rows[r].cells);
	}
	free(rows);
	free(widths);
	const char *cap = t->s1;
	if (cap && *cap) {
		gal_render_blankline(&w->r);
		gal_buf b = GAL_BUF_INIT;
		if (w->plain)
			gal_buf_printf(&b, "Table: %s", cap);
		else {
			gal_buf_puts(&b, "Table: ");
			md_escape(&b, cap, strlen(cap), 0, 0, 0);
		}
		gal_render_text(&w->r, b.data, b.len, w->plain);
		gal_buf_free(&b);
	}
}

static void figure(W *w, const gal_node *n)
{
	const char *src = n->s1, *alt = n->s2, *credit = n->s3;
	int wrote = 0;
	if (!w->plain && src) {
		gal_buf b = GAL_BUF_INIT;
		gal_buf_puts(&b, "![");
		if (alt)
			md_escape(&b, alt, strlen(alt), 0, 0, 0);
		gal_buf_puts(&b, "](");
		link_dest(src, &b);
		gal_buf_putc(&b, ')');
		gal_render_puts(&w->r, b.data ? b.data : "");
		gal_buf_free(&b);
		wrote = 1;
	}
	char *cap = n->first ? inline_string(w, n, 0) : NULL;
	gal_buf b = GAL_BUF_INIT;
	if (cap && *cap)
		gal_buf_puts(&b, cap);
	if (credit && *credit) {
		if (b.len)
			gal_buf_putc(&b, ' ');
		gal_buf_putc(&b, '(');
		if (w->plain)
			gal_buf_puts(&b, credit);
		else
			md_escape(&b, credit, strlen(credit), 0, 0, 0);
		gal_buf_putc(&b, ')');
	}
	if (w->plain && !b.len && alt && *alt)
		gal_buf_printf(&b, "[Image: %s]", alt);
	if (b.len) {
		if (wrote)
			gal_render_blankline(&w->r);
		gal_render_text(&w->r, b.data, b.len, w->plain);
	}
	gal_buf_free(&b);
	free(cap);
}

static void block(W *w, const gal_node *n)
{
	switch (n->type) {
	case GAL_NODE_PARAGRAPH:
		write_inline_block(w, n, NULL);
		break;
	case GAL_NODE_HEADING:
		if (w->plain)
			plain_heading(w, n);
		else {
			char lead[8];
			snprintf(lead, sizeof lead, "%.*s ", n->as.heading.level, "######");
			write_inline_block(w, n, lead);
		}
		break;
	case GAL_NODE_BLOCKQUOTE: {
		/* right after a list marker or an outer quote marker the line is open: the marker goes there too */
		if (w->r.line_open && !w->r.need_nl)
			gal_render_puts(&w->r, w->plain ? "    " : "> ");
		size_t old = gal_render_prefix_push(&w->r, w->plain ? "    " : "> ");
		int saved = w->tight;
		w->tight = 0;
		blocks(w, n);
		char *attribution = n->s1 ? gal_collapse_ws(n->s1) : NULL;
		if (attribution && *attribution) {
			gal_render_blankline(&w->r);
			gal_buf b = GAL_BUF_INIT;
			gal_buf_puts(&b, "\xe2\x80\x94 ");
			if (w->plain)
				gal_buf_puts(&b, attribution);
			else
				md_escape(&b, attribution, strlen(attribution), 0, 0, 0);
			gal_render_text(&w->r, b.data, b.len, w->plain);
			gal_buf_free(&b);
		}
		free(attribution);
		w->tight = saved;
		gal_render_prefix_pop(&w->r, old);
		break;
	}
	case GAL_NODE_LIST: {
		char bullet = w->last_bullet == '-' ? '+' : '-';
		list(w, n, bullet);
		w->last_bullet = bullet;
		return;
	}
	case GAL_NODE_TABLE:
		table(w, n);
		break;
	case GAL_NODE_FIGURE:
		figure(w, n);
		break;
	case GAL_NODE_PRE:
		if (w->plain) {
			size_t old = gal_render_prefix_push(&w->r, "    ");
			gal_render_text(&w->r, n->lit ? n->lit : "", n->len, 0);
			gal_render_prefix_pop(&w->r, old);
		} else
			fence_block(w, n);
		break;
	case GAL_NODE_THEMATIC_BREAK:
		gal_render_puts(&w->r, "* * *");
		break;
	default:
		break;
	}
	w->last_bullet = 0;
}

static void blocks(W *w, const gal_node *parent)
{
	for (const gal_node *n = parent->first; n; n = n->next) {
		if (n != parent->first)
			separate(w);
		block(w, n);
	}
}

/* ------------------------------------------------------------------ headers */

char *gal_byline_text(const gal_meta *m)
{
	if (!m->nbylines)
		return NULL;
	gal_buf b = GAL_BUF_INIT;
	gal_buf_puts(&b, "By ");
	for (size_t i = 0; i < m->nbylines; i++) {
		if (i)
			gal_buf_puts(&b, i + 1 == m->nbylines ? " and " : ", ");
		gal_buf_puts(&b, m->bylines[i].name);
		if (m->bylines[i].title && *m->bylines[i].title)
			gal_buf_printf(&b, ", %s", m->bylines[i].title);
	}
	return gal_buf_detach(&b);
}

static char *dateline_text(const gal_meta *m)
{
	if (!m->dateline_place && !m->dateline_date)
		return NULL;
	gal_buf b = GAL_BUF_INIT;
	if (m->dateline_place)
		gal_buf_puts(&b, m->dateline_place);
	if (m->dateline_place && m->dateline_date)
		gal_buf_puts(&b, ", ");
	if (m->dateline_date)
		gal_buf_puts(&b, m->dateline_date);
	return gal_buf_detach(&b);
}

static void add_text_block(gal_node *art, gal_node_type t, const char *text, int emph)
{
	if (!text || !*text)
		return;
	gal_node *b = gal_node_new(t), *parent = b;
	if (!b)
		return;
	if (emph && (parent = gal_node_new(GAL_NODE_EMPH)))
		gal_node_append(b, parent);
	gal_node *tx = gal_node_new(GAL_NODE_TEXT);
	if (tx && parent) {
		gal_node_set_literal(tx, text, strlen(text));
		gal_node_append(parent, tx);
	} else
		gal_node_free(tx);
	gal_node_append(art, b);
}

gal_node *gal_header_blocks(const gal_node *article)
{
	const gal_meta *m = article->meta;
	gal_node *art = gal_node_new(GAL_NODE_ARTICLE);
	if (!art || !m)
		return art;
	add_text_block(art, GAL_NODE_HEADING, m->headline, 0);
	add_text_block(art, GAL_NODE_PARAGRAPH, m->deck, 1);
	char *by = gal_byline_text(m), *dl = dateline_text(m);
	add_text_block(art, GAL_NODE_PARAGRAPH, by, 0);
	add_text_block(art, GAL_NODE_PARAGRAPH, dl, 0);
	add_text_block(art, GAL_NODE_PARAGRAPH, m->abstract, 0);
	free(by);
	free(dl);
	gal_tree_normalize(art);
	return art;
}

static void text_line(W *w, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	gal_render_cr(&w->r);
	if (label)
		gal_render_puts(&w->r, label);
	gal_render_text(&w->r, value, strlen(value), 1);
}

/* The subjects of one kind, comma-separated; NULL when there are none. Caller frees. */
static char *subject_list(const gal_meta *m, gal_subject_kind kind)
{
	gal_buf b = GAL_BUF_INIT;
	for (size_t i = 0; i < m->nsubjects; i++)
		if (m->subjects[i].kind == kind)
			gal_buf_printf(&b, "%s%s", b.len ? ", " : "", m->subjects[i].name);
	return b.len ? gal_buf_detach(&b) : (gal_buf_free(&b), NULL);
}

static void plain_header(W *w, const gal_node *article)
{
	const gal_meta *m = article->meta;
	int any = 0;
	if (m->headline) {
		gal_node *h = gal_node_new(GAL_NODE_HEADING);
		gal_node *t = gal_node_new(GAL_NODE_TEXT);
		if (h && t && gal_node_set_literal(t, m->headline, strlen(m->headline)) == GAL_OK &&
		    gal_node_append(h, t) == GAL_OK) {
			plain_heading(w, h);
			any = 1;
		} else
			gal_node_free(t);
		gal_node_free(h);
	}
	if (m->deck) {
		if (any)
			gal_render_blankline(&w->r);
		gal_render_text(&w->r, m->deck, strlen(m->deck), 1);
		any = 1;
	}
	char *by = gal_byline_text(m), *dl = dateline_text(m);
	char *kw = NULL;
	if (m->keywords.count) {
		gal_buf b = GAL_BUF_INIT;
		for (size_t i = 0; i < m->keywords.count; i++)
			gal_buf_printf(&b, "%s%s", i ? ", " : "", m->keywords.items[i]);
		kw = gal_buf_detach(&b);
	}
	char urg[16] = "";
	if (m->urgency)
		snprintf(urg, sizeof urg, "%d", m->urgency);
	char *subj[GAL_SUBJECT__COUNT] = {NULL};
	for (int k = 0; k < GAL_SUBJECT__COUNT; k++)
		subj[k] = subject_list(m, (gal_subject_kind)k);
	const char *lines[][2] = {{NULL, by},
				  {NULL, dl},
				  {"Published: ", m->issued},
				  {"Updated: ", m->modified},
				  {"Release: ", m->released},
				  {"Expires: ", m->expires},
				  {"Urgency: ", urg},
				  {"Section: ", m->section},
				  {"Series: ", m->series},
				  {"Source: ", m->source},
				  {"Keywords: ", kw},
				  {"People: ", subj[GAL_SUBJECT_PERSON]},
				  {"Organisations: ", subj[GAL_SUBJECT_ORG]},
				  {"Places: ", subj[GAL_SUBJECT_PLACE]},
				  {"Events: ", subj[GAL_SUBJECT_EVENT]},
				  {"Topics: ", subj[GAL_SUBJECT_TOPIC]},
				  {"URL: ", m->url}};
	int first = 1;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		if (!lines[i][1] || !*lines[i][1])
			continue;
		if (first && any)
			gal_render_blankline(&w->r);
		first = 0;
		text_line(w, lines[i][0], lines[i][1]);
		any = 1;
	}
	if (m->abstract) {
		if (any)
			gal_render_blankline(&w->r);
		gal_render_text(&w->r, m->abstract, strlen(m->abstract), 1);
		any = 1;
	}
	free(by);
	free(dl);
	free(kw);
	for (int k = 0; k < GAL_SUBJECT__COUNT; k++)
		free(subj[k]);
	if (any)
		gal_render_blankline(&w->r);
}

/* ---- YAML front matter */

static void yaml_str(gal_buf *b, const char *s)
{
	gal_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			gal_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			gal_buf_puts(b, "\\n");
		else if (*p == '\t')
			gal_buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7F)
			gal_buf_printf(b, "\\x%02x", *p);
		else
			gal_buf_putc(b, (char)*p);
	}
	gal_buf_putc(b, '"');
}

static void yaml_field(gal_buf *b, const char *key, const char *v)
{
	if (!v || !*v)
		return;
	gal_buf_printf(b, "%s: ", key);
	yaml_str(b, v);
	gal_buf_putc(b, '\n');
}

static void yaml_list(gal_buf *b, const char *key, char *const *items, size_t n)
{
	if (!n)
		return;
	gal_buf_printf(b, "%s:\n", key);
	for (size_t i = 0; i < n; i++) {
		gal_buf_puts(b, "- ");
		yaml_str(b, items[i]);
		gal_buf_putc(b, '\n');
	}
}

static void front_matter(W *w, const gal_node *doc, const gal_node *single)
{
	gal_buf b = GAL_BUF_INIT;
	gal_buf_puts(&b, "---\n");
	if (single) {
		const gal_meta *m = single->meta;
		yaml_field(&b, "title", m->headline);
		yaml_field(&b, "subtitle", m->deck);
		char **names = calloc(m->nbylines + 1, sizeof *names);
		for (size_t i = 0; names && i < m->nbylines; i++)
			names[i] = m->bylines[i].name;
		if (names)
			yaml_list(&b, "author", names, m->nbylines);
		free(names);
		char *by = gal_byline_text(m), *dl = dateline_text(m);
		yaml_field(&b, "byline", by);
		yaml_field(&b, "dateline", dl);
		free(by);
		free(dl);
		yaml_field(&b, "date", m->issued);
		yaml_field(&b, "modified", m->modified);
		yaml_field(&b, "section", m->section);
		yaml_list(&b, "keywords", m->keywords.items, m->keywords.count);
		yaml_field(&b, "lang", m->language);
		yaml_field(&b, "source", m->source);
		yaml_field(&b, "rights", m->copyright);
		yaml_field(&b, "url", m->url);
		yaml_field(&b, "id", m->id);
		yaml_field(&b, "abstract", m->abstract);
		if (m->urgency)
			gal_buf_printf(&b, "urgency: %d\n", m->urgency);
		yaml_field(&b, "released", m->released);
		yaml_field(&b, "expires", m->expires);
		yaml_field(&b, "usage", m->rights);
		yaml_field(&b, "series", m->series);
		static const char *const subject_keys[GAL_SUBJECT__COUNT] = {"people", "organizations", "places",
									     "events", "topics"};
		for (int k = 0; k < GAL_SUBJECT__COUNT; k++) {
			char **sn = calloc(m->nsubjects + 1, sizeof *sn);
			size_t n = 0;
			for (size_t i = 0; sn && i < m->nsubjects; i++)
				if (m->subjects[i].kind == (gal_subject_kind)k)
					sn[n++] = m->subjects[i].name;
			if (sn)
				yaml_list(&b, subject_keys[k], sn, n);
			free(sn);
		}
		yaml_field(&b, "bibliography", m->bibliography);
	} else {
		const gal_docmeta *d = doc->docmeta;
		yaml_field(&b, "title", d->title);
		yaml_field(&b, "author", d->creator);
		yaml_field(&b, "date", d->date);
		yaml_field(&b, "lang", d->language);
	}
	gal_buf_puts(&b, "---");
	gal_render_puts(&w->r, b.data ? b.data : "");
	gal_buf_free(&b);
	gal_render_blankline(&w->r);
}

static void end_matter(W *w, const gal_node *art)
{
	const gal_meta *m = art->meta;
	const char *items[64];
	size_t n = 0;
	if (m->tagline)
		items[n++] = m->tagline;
	for (size_t i = 0; i < m->notes.count && n < 61; i++)
		items[n++] = m->notes.items[i];
	if (m->bibliography)
		items[n++] = m->bibliography;
	char *copy = NULL, *rights = NULL;
	if (w->plain && m->copyright) {
		gal_buf b = GAL_BUF_INIT;
		int labelled = !strncmp(m->copyright, "\xc2\xa9", 2) || !gal_strncasecmp(m->copyright, "copyright", 9);
		gal_buf_printf(&b, "%s%s", labelled ? "" : "Copyright: ", m->copyright);
		copy = gal_buf_detach(&b);
		if (copy)
			items[n++] = copy;
	}
	if (w->plain && m->rights) {
		gal_buf b = GAL_BUF_INIT;
		gal_buf_printf(&b, "Rights: %s", m->rights);
		if ((rights = gal_buf_detach(&b)))
			items[n++] = rights;
	}
	for (size_t i = 0; i < n; i++) {
		gal_render_blankline(&w->r);
		if (w->plain)
			gal_render_text(&w->r, items[i], strlen(items[i]), 1);
		else {
			gal_buf b = GAL_BUF_INIT;
			md_escape(&b, items[i], strlen(items[i]), 1, 0, 0);
			gal_render_text(&w->r, b.data ? b.data : "", b.len, 0);
			gal_buf_free(&b);
		}
	}
	free(copy);
	free(rights);
}

/* ------------------------------------------------------------------ entry */

int gal_textual_write(gal_node *doc, gal_sink *sink, const gal_options *opts, int plain, gal_error *err)
{
	(void)err;
	W w;
	memset(&w, 0, sizeof w);
	w.opts = opts;
	w.plain = plain;
	gal_render_init(&w.r, sink, plain ? opts->columns : 0);
	size_t narticles = 0;
	for (gal_node *a = doc->first; a; a = a->next)
		narticles++;
	if (!plain && opts->standalone)
		front_matter(&w, doc, narticles == 1 ? doc->first : NULL);
	for (gal_node *a = doc->first; a; a = a->next) {
		if (a != doc->first) {
			gal_render_blankline(&w.r);
			gal_render_puts(&w.r, plain ? "* * *" : "* * *");
			gal_render_blankline(&w.r);
		}
		if (plain)
			plain_header(&w, a);
		else if (!(opts->standalone && narticles == 1)) {
			gal_node *h = gal_header_blocks(a);
			if (h && h->first) {
				blocks(&w, h);
				gal_render_blankline(&w.r);
			}
			gal_node_free(h);
		}
		w.last_bullet = 0;
		blocks(&w, a);
		end_matter(&w, a);
	}
	gal_render_finish(&w.r);
	return gal_sink_error(sink);
}
