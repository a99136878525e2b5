/* nitf.c: the NITF 3.6 writer.
 *
 * The output validates against IPTC's NITF 3.6 XSD and against schemas/galley-nitf.xsd, the subset written here:
 * the NITF namespace, the fixed values of <nitf>'s version attributes, and the children of head, docdata and
 * body.head in the schema's order. One article per document. Every metadata field has one home (docs/nitf.md);
 * what NITF has no element for travels in a class: <em class="strong">, <em class="code">, <hl2 class="h3">.
 * Blocks and inlines are written in one walk with the tree iterator, so no depth of tree recurses. */
#include "../charset.h"
#include "../nitf.h"
#include "../readers/readers.h"
#include "writers.h"

#include <stdlib.h>
#include <string.h>

/* XML parsers refuse documents nested deeper than 256 elements (libxml2 without XML_PARSE_HUGE): deeper
 * structure is written as text, so that what galley writes can always be read. */
#define MAX_LEVEL 250

typedef struct {
	gal_sink *s;
	const gal_options *opts;
	int depth;   /* indentation of element-only content */
	int section; /* inside a table: 0 none yet, 1 thead, 2 tbody */
	int level;   /* element nesting at the current node of the body */
	int flattened_warned;
} X;

/* ------------------------------------------------------------------ escaping */

/* Writes UTF-8 text as XML character data (attr: as an attribute value). Characters XML cannot hold (C0 controls
 * other than tab, LF, CR; U+FFFE, U+FFFF) are dropped, invalid UTF-8 becomes U+FFFD, and CR, tab and LF in
 * attributes become references so that a parser gives them back. */
static void esc(X *x, const char *t, size_t n, int attr)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned char ch = u[i];
		const char *rep = NULL;
		size_t adv = 1;
		int drop = 0;
		if (ch >= 0x80) {
			uint32_t cp;
			int k = gal_utf8_decode(u + i, n - i, &cp);
			adv = (size_t)k;
			if (cp == 0xFFFD && k == 1)
				rep = "\xef\xbf\xbd";
			else if (cp == 0xFFFE || cp == 0xFFFF)
				drop = 1;
		} else if (ch == '&')
			rep = "&amp;";
		else if (ch == '<')
			rep = "&lt;";
		else if (ch == '>')
			rep = "&gt;";
		else if (ch == '"' && attr)
			rep = "&quot;";
		else if (ch == '\r')
			rep = "&#13;";
		else if (ch == '\n' && attr)
			rep = "&#10;";
		else if (ch == '\t' && attr)
			rep = "&#9;";
		else if (ch < 0x20 && ch != '\n' && ch != '\t')
			drop = 1;
		if (rep || drop) {
			gal_sink_write(x->s, t + run, i - run);
			if (rep)
				gal_sink_puts(x->s, rep);
			run = i + adv;
		}
		i += adv;
	}
	gal_sink_write(x->s, t + run, n - run);
}

static void text(X *x, const char *t)
{
	if (t)
		esc(x, t, strlen(t), 0);
}

static void attr(X *x, const char *name, const char *v)
{
	if (!v)
		return;
	gal_sink_printf(x->s, " %s=\"", name);
	esc(x, v, strlen(v), 1);
	gal_sink_puts(x->s, "\"");
}

/* ------------------------------------------------------------------ layout */

static void nl(X *x)
{
	gal_sink_printf(x->s, "\n%*s", x->depth * 2, "");
}

/* <name> on a line of its own, its content indented below */
static void el_open(X *x, const char *name)
{
	nl(x);
	gal_sink_printf(x->s, "<%s>", name);
	x->depth++;
}

static void el_close(X *x, const char *name)
{
	x->depth--;
	nl(x);
	gal_sink_printf(x->s, "</%s>", name);
}

/* <name>text</name> on one line */
static void leaf(X *x, const char *name, const char *t)
{
	nl(x);
	gal_sink_printf(x->s, "<%s>", name);
	text(x, t);
	gal_sink_printf(x->s, "</%s>", name);
}

/* One element per line of a multi-line string (deck lines, abstract and note paragraphs). */
static void lines(X *x, const char *name, const char *s)
{
	for (const char *p = s; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, n);
		char *t = line ? gal_collapse_ws(line) : NULL;
		if (t && *t)
			leaf(x, name, t);
		free(t);
		free(line);
		p += n;
		if (*p)
			p++;
	}
}

/* ------------------------------------------------------------------ dates, names, copyright */

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* ISO 8601 as the tree holds it ("2024-03-05T14:30:00+01:00") in NITF's basic form ("20240305T143000+0100") in
 * buf; anything else is returned as it is. */
static const char *norm_date(const char *iso, char *buf, size_t size)
{
	size_t n = strlen(iso);
	if (n < 10 || n > 25 || size < 32 || !digits(iso, 4) || iso[4] != '-' || !digits(iso + 5, 2) || iso[7] != '-' ||
	    !digits(iso + 8, 2))
		return iso;
	int k = snprintf(buf, size, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	const char *p = iso + 10;
	if (*p == 'T') {
		if (strlen(p) < 9 || !digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2) || p[6] != ':' ||
		    !digits(p + 7, 2))
			return iso;
		k += snprintf(buf + k, size - (size_t)k, "T%.2s%.2s%.2s", p + 1, p + 4, p + 7);
		p += 9;
		if (*p == 'Z')
			k += snprintf(buf + k, size - (size_t)k, "Z"), p++;
		else if ((*p == '+' || *p == '-') && strlen(p) >= 6 && digits(p + 1, 2) && p[3] == ':' &&
		         digits(p + 4, 2))
			k += snprintf(buf + k, size - (size_t)k, "%c%.2s%.2s", *p, p + 1, p + 4), p += 6;
	}
	return *p ? iso : buf; /* not a form galley makes: leave it alone */
}

/* An XML name token (meta/@name is an NMTOKEN), conservatively: ASCII letters, digits and . _ : - */
static int is_nmtoken(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == ':' || *s == '-'))
			return 0;
	return 1;
}

static int has_mark(const char *s)
{
	return !strncmp(s, "\xc2\xa9", 2) || !gal_strncasecmp(s, "(c)", 3) || !gal_strncasecmp(s, "copyright", 9);
}

char *gal_nitf_copyright_text(const char *year, const char *holder)
{
	gal_buf b = GAL_BUF_INIT;
	if (holder && has_mark(holder))
		gal_buf_puts(&b, holder);
	else if (year)
		gal_buf_printf(&b, "\xc2\xa9 %s%s%s", year, holder ? " " : "", holder ? holder : "");
	else if (holder)
		gal_buf_puts(&b, holder);
	return b.len ? gal_buf_detach(&b) : (gal_buf_free(&b), NULL);
}

int gal_nitf_copyright_split(const char *t, char **year, char **holder)
{
	*year = *holder = NULL;
	if (!t || !*t)
		return GAL_OK;
	/* "© 2024" and "© 2024 Holder", as gal_nitf_copyright_text makes them */
	if (!strncmp(t, "\xc2\xa9 ", 3) && digits(t + 3, 4) && (!t[7] || (t[7] == ' ' && t[8] && !has_mark(t + 8)))) {
		*year = strndup(t + 3, 4);
		*holder = t[7] ? strdup(t + 8) : NULL;
		return *year && (!t[7] || *holder) ? GAL_OK : GAL_ENOMEM;
	}
	/* anything else is the holder, whole; a year in a marked text ("Copyright 2024 X") is given too */
	if (!(*holder = strdup(t)))
		return GAL_ENOMEM;
	if (has_mark(t))
		for (const char *p = t; *p; p++)
			if ((p == t || p[-1] < '0' || p[-1] > '9') && digits(p, 4) && (p[0] == '1' || p[0] == '2') &&
			    (p[4] < '0' || p[4] > '9')) {
				*year = strndup(p, 4);
				return *year ? GAL_OK : GAL_ENOMEM;
			}
	return GAL_OK;
}

/* ------------------------------------------------------------------ head */

static void date_el(X *x, const char *name, const char *iso)
{
	if (!iso)
		return;
	char buf[64];
	nl(x);
	gal_sink_printf(x->s, "<%s", name);
	attr(x, "norm", norm_date(iso, buf, sizeof buf));
	gal_sink_puts(x->s, "/>");
}

static const char *subject_element(gal_subject_kind k)
{
	switch (k) {
	case GAL_SUBJECT_PERSON: return "person";
	case GAL_SUBJECT_ORG: return "org";
	case GAL_SUBJECT_PLACE: return "location";
	case GAL_SUBJECT_EVENT: return "event";
	default: return "classifier";
	}
}

static int write_docdata(X *x, const gal_meta *m)
{
	char *year = NULL, *holder = NULL;
	if (gal_nitf_copyright_split(m->copyright, &year, &holder))
		return GAL_ENOMEM;
	if (!m->id && !m->urgency && !m->issued && !m->released && !m->expires && !m->series && !year && !holder &&
	    !m->keywords.count && !m->nsubjects)
		return GAL_OK;
	el_open(x, "docdata");
	if (m->id) {
		nl(x);
		gal_sink_puts(x->s, "<doc-id");
		attr(x, "id-string", m->id);
		gal_sink_puts(x->s, "/>");
	}
	if (m->urgency >= 1 && m->urgency <= 8) {
		nl(x);
		gal_sink_printf(x->s, "<urgency ed-urg=\"%d\"/>", m->urgency);
	}
	date_el(x, "date.issue", m->issued);
	date_el(x, "date.release", m->released);
	date_el(x, "date.expire", m->expires);
	if (m->series) {
		nl(x);
		gal_sink_puts(x->s, "<series");
		attr(x, "series.name", m->series);
		gal_sink_puts(x->s, "/>");
	}
	if (year || holder) {
		nl(x);
		gal_sink_puts(x->s, "<doc.copyright");
		attr(x, "year", year);
		attr(x, "holder", holder);
		gal_sink_puts(x->s, "/>");
	}
	if (m->keywords.count) {
		el_open(x, "key-list");
		for (size_t i = 0; i < m->keywords.count; i++) {
			nl(x);
			gal_sink_puts(x->s, "<keyword");
			attr(x, "key", m->keywords.items[i]);
			gal_sink_puts(x->s, "/>");
		}
		el_close(x, "key-list");
	}
	if (m->nsubjects) {
		el_open(x, "identified-content");
		for (size_t i = 0; i < m->nsubjects; i++)
			leaf(x, subject_element(m->subjects[i].kind), m->subjects[i].name);
		el_close(x, "identified-content");
	}
	el_close(x, "docdata");
	free(year);
	free(holder);
	return GAL_OK;
}

static int write_head(X *x, const gal_node *doc, const gal_meta *m)
{
	const gal_docmeta *d = gal_node_docmeta_const(doc);
	const char *title = d && d->title ? d->title : m->headline;
	el_open(x, "head");
	if (title)
		leaf(x, "title", title);
	for (size_t i = 0; i < m->nprops; i++) {
		if (!is_nmtoken(m->props[i].name)) {
			gal_warn(x->opts, "NITF", 0, "metadata name '%s' is not an XML name token: not written",
			         m->props[i].name);
			continue;
		}
		nl(x);
		gal_sink_puts(x->s, "<meta");
		attr(x, "name", m->props[i].name);
		attr(x, "content", m->props[i].value ? m->props[i].value : "");
		gal_sink_puts(x->s, "/>");
	}
	if (write_docdata(x, m))
		return GAL_ENOMEM;
	if (m->section || m->url) {
		nl(x);
		gal_sink_puts(x->s, "<pubdata");
		attr(x, "position.section", m->section);
		attr(x, "ex-ref", m->url);
		gal_sink_puts(x->s, "/>");
	}
	if (m->modified) {
		char buf[64];
		nl(x);
		gal_sink_puts(x->s, "<revision-history");
		attr(x, "norm", norm_date(m->modified, buf, sizeof buf));
		gal_sink_puts(x->s, "/>");
	}
	el_close(x, "head");
	return GAL_OK;
}

static void write_body_head(X *x, const gal_meta *m)
{
	if (!m->headline && !m->deck && !m->notes.count && !m->rights && !m->nbylines && !m->source &&
	    !m->dateline_place && !m->dateline_date && !m->abstract)
		return;
	el_open(x, "body.head");
	if (m->headline || m->deck) {
		el_open(x, "hedline");
		leaf(x, "hl1", m->headline ? m->headline : "");
		lines(x, "hl2", m->deck);
		el_close(x, "hedline");
	}
	for (size_t i = 0; i < m->notes.count; i++) {
		el_open(x, "note");
		el_open(x, "body.content");
		lines(x, "p", m->notes.items[i]);
		el_close(x, "body.content");
		el_close(x, "note");
	}
	if (m->rights)
		leaf(x, "rights", m->rights);
	for (size_t i = 0; i < m->nbylines; i++) {
		nl(x);
		gal_sink_puts(x->s, "<byline>By <person>");
		text(x, m->bylines[i].name);
		gal_sink_puts(x->s, "</person>");
		if (m->bylines[i].title && *m->bylines[i].title) {
			gal_sink_puts(x->s, ", <byttl>");
			text(x, m->bylines[i].title);
			gal_sink_puts(x->s, "</byttl>");
		}
		gal_sink_puts(x->s, "</byline>");
	}
	if (m->source)
		leaf(x, "distributor", m->source);
	if (m->dateline_place || m->dateline_date) {
		nl(x);
		gal_sink_puts(x->s, "<dateline>");
		if (m->dateline_place) {
			gal_sink_puts(x->s, "<location>");
			text(x, m->dateline_place);
			gal_sink_puts(x->s, "</location>");
		}
		if (m->dateline_date) {
			gal_sink_puts(x->s, m->dateline_place ? ", <story.date>" : "<story.date>");
			text(x, m->dateline_date);
			gal_sink_puts(x->s, "</story.date>");
		}
		gal_sink_puts(x->s, "</dateline>");
	}
	if (m->abstract) {
		el_open(x, "abstract");
		lines(x, "p", m->abstract);
		el_close(x, "abstract");
	}
	el_close(x, "body.head");
}

/* ------------------------------------------------------------------ body */

static int only_text(const gal_node *n)
{
	for (const gal_node *k = gal_node_first_child(n); k; k = gal_node_next(k))
		if (gal_node_type_of(k) != GAL_NODE_TEXT)
			return 0;
	return 1;
}

/* An item holding one paragraph is written with the paragraph's inlines straight in <li>. */
static int tight_item(const gal_node *item)
{
	const gal_node *f = gal_node_first_child(item);
	return f && !gal_node_next(f) && gal_node_type_of(f) == GAL_NODE_PARAGRAPH;
}

static void enter(X *x, gal_node *n)
{
	gal_sink *s = x->s;
	gal_node *parent = gal_node_parent(n);
	switch (gal_node_type_of(n)) {
	case GAL_NODE_PARAGRAPH:
		if (gal_node_type_of(parent) == GAL_NODE_ITEM && tight_item(parent))
			break;
		nl(x);
		gal_sink_puts(s, "<p>");
		break;
	case GAL_NODE_HEADING:
		nl(x);
		if (gal_node_heading_level(n) == 2)
			gal_sink_puts(s, "<hl2>");
		else
			gal_sink_printf(s, "<hl2 class=\"h%d\">", gal_node_heading_level(n));
		break;
	case GAL_NODE_BLOCKQUOTE:
		el_open(x, "bq");
		if (gal_node_first_child(n))
			el_open(x, "block");
		else {
			nl(x);
			gal_sink_puts(s, "<block/>");
		}
		break;
	case GAL_NODE_LIST:
		nl(x);
		if (gal_node_list_ordered(n)) {
			gal_sink_puts(s, "<ol");
			if (gal_node_list_start(n) != 1)
				gal_sink_printf(s, " seqnum=\"%d\"", gal_node_list_start(n));
			gal_sink_puts(s, ">");
		} else
			gal_sink_puts(s, "<ul>");
		x->depth++;
		break;
	case GAL_NODE_ITEM:
		nl(x);
		if (!gal_node_first_child(n))
			gal_sink_puts(s, "<li/>");
		else {
			gal_sink_puts(s, "<li>");
			if (!tight_item(n))
				x->depth++;
		}
		break;
	case GAL_NODE_TABLE:
		el_open(x, "table");
		x->section = 0;
		if (gal_node_attr(n, GAL_ATTR_CAPTION))
			leaf(x, "caption", gal_node_attr(n, GAL_ATTR_CAPTION));
		break;
	case GAL_NODE_ROW: {
		/* leading header rows go to thead, the rest to tbody */
		int want = gal_node_row_header(n) && x->section != 2 ? 1 : 2;
		if (want != x->section) {
			if (x->section)
				el_close(x, x->section == 1 ? "thead" : "tbody");
			el_open(x, want == 1 ? "thead" : "tbody");
			x->section = want;
		}
		el_open(x, "tr");
		break;
	}
	case GAL_NODE_CELL:
		nl(x);
		gal_sink_puts(s, gal_node_row_header(parent) ? "<th>" : "<td>");
		break;
	case GAL_NODE_FIGURE:
		nl(x);
		gal_sink_puts(s, "<media media-type=\"image\">");
		x->depth++;
		nl(x);
		gal_sink_puts(s, "<media-reference");
		attr(x, "source", gal_node_attr(n, GAL_ATTR_SRC));
		attr(x, "alternate-text", gal_node_attr(n, GAL_ATTR_ALT));
		gal_sink_puts(s, "/>");
		if (gal_node_first_child(n)) {
			nl(x);
			gal_sink_puts(s, "<media-caption>");
		}
		break;
	case GAL_NODE_PRE: {
		const char *lang = gal_node_attr(n, GAL_ATTR_LANG);
		const char *lit = gal_node_literal(n);
		nl(x);
		gal_sink_puts(s, "<pre");
		if (lang) {
			gal_sink_puts(s, " class=\"language-");
			esc(x, lang, strlen(lang), 1);
			gal_sink_puts(s, "\"");
		}
		/* a reader drops one newline after <pre>: give it one to drop when the text starts with its own */
		gal_sink_puts(s, lit[0] == '\n' ? ">\n" : ">");
		text(x, lit);
		gal_sink_puts(s, "</pre>");
		break;
	}
	case GAL_NODE_THEMATIC_BREAK:
		nl(x);
		gal_sink_puts(s, "<hr/>");
		break;
	case GAL_NODE_TEXT: text(x, gal_node_literal(n)); break;
	case GAL_NODE_EMPH: gal_sink_puts(s, "<em>"); break;
	case GAL_NODE_STRONG: gal_sink_puts(s, "<em class=\"strong\">"); break;
	case GAL_NODE_CODE:
		gal_sink_puts(s, "<em class=\"code\">");
		text(x, gal_node_literal(n));
		gal_sink_puts(s, "</em>");
		break;
	case GAL_NODE_LINK:
		gal_sink_puts(s, "<a");
		attr(x, "href", gal_node_attr(n, GAL_ATTR_HREF) ? gal_node_attr(n, GAL_ATTR_HREF) : "");
		attr(x, "title", gal_node_attr(n, GAL_ATTR_TITLE));
		gal_sink_puts(s, ">");
		break;
	case GAL_NODE_LINEBREAK: gal_sink_puts(s, "<br/>"); break;
	case GAL_NODE_SUPERSCRIPT:
	case GAL_NODE_SUBSCRIPT: {
		const char *tag = gal_node_type_of(n) == GAL_NODE_SUPERSCRIPT ? "sup" : "sub";
		/* num/sup holds text only; marked-up super- and subscripts go in a classed em */
		if (only_text(n))
			gal_sink_printf(s, "<num><%s>", tag);
		else
			gal_sink_printf(s, "<em class=\"%s\">", tag);
		break;
	}
	default: break;
	}
}

static void leave(X *x, gal_node *n)
{
	gal_sink *s = x->s;
	gal_node *parent = gal_node_parent(n);
	switch (gal_node_type_of(n)) {
	case GAL_NODE_PARAGRAPH:
		if (!(gal_node_type_of(parent) == GAL_NODE_ITEM && tight_item(parent)))
			gal_sink_puts(s, "</p>");
		break;
	case GAL_NODE_HEADING: gal_sink_puts(s, "</hl2>"); break;
	case GAL_NODE_BLOCKQUOTE: {
		if (gal_node_first_child(n))
			el_close(x, "block");
		const char *a = gal_node_attr(n, GAL_ATTR_ATTRIBUTION);
		if (a)
			leaf(x, "credit", a);
		el_close(x, "bq");
		break;
	}
	case GAL_NODE_LIST: el_close(x, gal_node_list_ordered(n) ? "ol" : "ul"); break;
	case GAL_NODE_ITEM:
		if (!gal_node_first_child(n))
			break;
		if (tight_item(n))
			gal_sink_puts(s, "</li>");
		else
			el_close(x, "li");
		break;
	case GAL_NODE_TABLE:
		if (x->section)
			el_close(x, x->section == 1 ? "thead" : "tbody");
		x->section = 0;
		el_close(x, "table");
		break;
	case GAL_NODE_ROW: el_close(x, "tr"); break;
	case GAL_NODE_CELL: gal_sink_puts(s, gal_node_row_header(parent) ? "</th>" : "</td>"); break;
	case GAL_NODE_FIGURE: {
		if (gal_node_first_child(n))
			gal_sink_puts(s, "</media-caption>");
		const char *credit = gal_node_attr(n, GAL_ATTR_CREDIT);
		if (credit)
			leaf(x, "media-producer", credit);
		x->depth--;
		nl(x);
		gal_sink_puts(s, "</media>");
		break;
	}
	case GAL_NODE_EMPH:
	case GAL_NODE_STRONG: gal_sink_puts(s, "</em>"); break;
	case GAL_NODE_LINK: gal_sink_puts(s, "</a>"); break;
	case GAL_NODE_SUPERSCRIPT:
	case GAL_NODE_SUBSCRIPT: {
		const char *tag = gal_node_type_of(n) == GAL_NODE_SUPERSCRIPT ? "sup" : "sub";
		if (only_text(n))
			gal_sink_printf(s, "</%s></num>", tag);
		else
			gal_sink_puts(s, "</em>");
		break;
	}
	default: break;
	}
}

/* How many elements a node opens around its children. */
static int cost(const gal_node *n)
{
	switch (gal_node_type_of(n)) {
	case GAL_NODE_PARAGRAPH:
		return gal_node_type_of(gal_node_parent(n)) == GAL_NODE_ITEM && tight_item(gal_node_parent(n)) ? 0 : 1;
	case GAL_NODE_HEADING:
	case GAL_NODE_LIST:
	case GAL_NODE_ITEM:
	case GAL_NODE_ROW:
	case GAL_NODE_CELL:
	case GAL_NODE_EMPH:
	case GAL_NODE_STRONG:
	case GAL_NODE_LINK: return 1;
	case GAL_NODE_BLOCKQUOTE:
	case GAL_NODE_TABLE:
	case GAL_NODE_FIGURE:
	case GAL_NODE_SUPERSCRIPT:
	case GAL_NODE_SUBSCRIPT: return 2;
	default: return 0;
	}
}

/* Writes a node too deep for XML readers as its text: a paragraph in place of a block, text in place of an inline
 * container. Returns 0 for nodes that must be written whole (items, rows, cells: their parent checked for them). */
static int flatten(X *x, gal_node *n)
{
	gal_node_type t = gal_node_type_of(n);
	int block = t == GAL_NODE_BLOCKQUOTE || t == GAL_NODE_LIST || t == GAL_NODE_TABLE || t == GAL_NODE_FIGURE;
	int inl = t == GAL_NODE_EMPH || t == GAL_NODE_STRONG || t == GAL_NODE_LINK || t == GAL_NODE_SUPERSCRIPT ||
	          t == GAL_NODE_SUBSCRIPT;
	if (!block && !inl)
		return 0;
	if (!x->flattened_warned++)
		gal_warn(x->opts, "NITF", 0, "structure nested deeper than %d elements: written as text", MAX_LEVEL);
	char *t_ = gal_node_text(n);
	if (block) {
		nl(x);
		gal_sink_puts(x->s, "<p>");
	}
	text(x, t_ ? t_ : "");
	if (block)
		gal_sink_puts(x->s, "</p>");
	free(t_);
	return 1;
}

/* Nodes with nothing to write, whose NITF element may not be empty (a list without items, a row without cells). */
static int nothing_to_write(const gal_node *n)
{
	gal_node_type t = gal_node_type_of(n);
	return (t == GAL_NODE_LIST || t == GAL_NODE_ROW) && !gal_node_first_child(n);
}

static int write_content(X *x, gal_node *art)
{
	if (!gal_node_first_child(art))
		return GAL_OK;
	el_open(x, "body.content");
	gal_iter *it = gal_iter_new(art);
	if (!it)
		return GAL_ENOMEM;
	gal_event ev;
	gal_node *flat = NULL; /* the node written as text, whose EXIT is skipped */
	x->level = 3;          /* nitf, body, body.content */
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE) {
		gal_node *n = gal_iter_node(it);
		if (n == art || nothing_to_write(n))
			continue;
		if (ev == GAL_EVENT_ENTER) {
			/* room for this node's elements and a leaf inside (a br, a paragraph) */
			if (x->level + cost(n) + 2 > MAX_LEVEL && flatten(x, n)) {
				gal_iter_skip(it);
				flat = n;
				continue;
			}
			enter(x, n);
			x->level += cost(n);
		} else if (n == flat)
			flat = NULL;
		else {
			x->level -= cost(n);
			leave(x, n);
		}
	}
	gal_iter_free(it);
	el_close(x, "body.content");
	return GAL_OK;
}

/* ------------------------------------------------------------------ document */

int gal_nitf_write(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err)
{
	gal_node *art = gal_node_first_child(doc);
	if (art && gal_node_next(art)) {
		gal_error_set(err, GAL_EUNSUPPORTED, NULL, "NITF", 0, 0,
		              "one article per document: with several inputs, give -o DIR/ (one file per article)");
		return GAL_EUNSUPPORTED;
	}
	/* another encoding than UTF-8: named in the declaration, and what it cannot hold written as character
	 * references, so that no text is lost */
	gal_encoder *enc = NULL;
	char encname[64] = "UTF-8";
	const char *to = opts->charset.to;
	if (to && !gal_charset_is_utf8(to)) {
		int rc = gal_encoder_new(sink, to, GAL_ENCODE_CHARREF, "NITF", &enc, &sink, err);
		if (rc)
			return rc;
		gal_charset_xml_name(to, encname, sizeof encname);
		if (gal_charset_needs_bom(to)) /* XML wants UTF-16 to start with one */
			gal_sink_puts(sink, "\xEF\xBB\xBF");
	}
	X x = {sink, opts, 0, 0, 0, 0};
	const gal_meta *m = art ? gal_node_meta_const(art) : NULL;
	const gal_docmeta *d = gal_node_docmeta_const(doc);
	const char *lang = m && m->language ? m->language : d ? d->language : NULL;
	gal_sink_printf(sink, "<?xml version=\"1.0\" encoding=\"%s\"?>\n<nitf", encname);
	attr(&x, "xmlns", GAL_NITF_NS);
	attr(&x, "version", GAL_NITF_VERSION);
	attr(&x, "change.date", GAL_NITF_CHANGE_DATE);
	attr(&x, "change.time", GAL_NITF_CHANGE_TIME);
	attr(&x, "baselang", lang);
	gal_sink_puts(sink, ">");
	x.depth = 1;
	int rc = GAL_OK;
	if (m)
		rc = write_head(&x, doc, m);
	if (!rc) {
		el_open(&x, "body");
		if (m)
			write_body_head(&x, m);
		if (art)
			rc = write_content(&x, art);
		if (m && (m->tagline || m->bibliography)) {
			el_open(&x, "body.end");
			if (m->tagline)
				leaf(&x, "tagline", m->tagline);
			if (m->bibliography)
				leaf(&x, "bibliography", m->bibliography);
			el_close(&x, "body.end");
		}
		el_close(&x, "body");
	}
	gal_sink_puts(sink, "\n</nitf>\n");
	if (rc)
		gal_error_set(err, rc, opts, "NITF", 0, 0, "%s", gal_strerror(rc));
	if (enc) {
		rc = gal_encoder_finish(enc, rc, err);
		gal_encoder_free(enc);
		return rc;
	}
	return rc ? rc : gal_sink_error(sink);
}
