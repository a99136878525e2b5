/* nitf.c: the NITF reader (IPTC News Industry Text Format 3.0 to 3.6).
 *
 * The bytes are decoded to UTF-8 first (charset.c: BOM, XML declaration, UTF-8 under a Latin-1 label), then
 * libxml2 parses them with no network, no DTD and no external entity loading; entities declared inside the
 * document are expanded here, under a budget, so that an expansion bomb is refused instead of followed. The DOM is
 * then mapped onto the article tree: head and docdata to metadata, body.head to the article header, body.content
 * to blocks, body.end to end matter. Real wire NITF often has no namespace, breaks the schema's child order and
 * puts elements where they do not belong: the reader takes elements by name wherever they stand. */
#include "../charset.h"
#include "../date.h"
#include "../nitf.h"
#include "../node.h"
#include "html_dom.h"
#include "readers.h"

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdlib.h>
#include <string.h>

#define FMT "NITF"

/* ------------------------------------------------------------------ element kinds (body content) */

typedef enum {
	K_UNKNOWN = 0, /* not a NITF element: its text is kept, like an inline element's */
	K_INLINE,      /* enriched text (person, org, chron, ...): transparent, its text is kept */
	K_SKIP,        /* no text worth keeping (codes, metadata, encoded media) */
	K_BLOCK,       /* transparent block container */
	K_P,           /* a paragraph-like element */
	K_H,
	K_BQ,
	K_CREDIT,
	K_LIST,
	K_LI,
	K_DL,
	K_DT,
	K_DD,
	K_TABLE,
	K_NITF_TABLE,
	K_TABLE_PART,
	K_MEDIA,
	K_PRE,
	K_HR,
	K_NOTE, /* note and fn inside the body: end matter */
	K_KEYLIST,
	K_BR,
	K_EM,
	K_A,
	K_Q,
	K_SUP,
	K_SUB,
	K_FRAC
} kind;

static const struct {
	const char *name;
	kind k;
} kinds[] = {
    /* sorted by name (strcmp order) for the binary search */
    {"a", K_A},
    {"abstract", K_BLOCK},
    {"addressee", K_INLINE},
    {"alt-code", K_SKIP},
    {"block", K_BLOCK},
    {"blockquote", K_BQ},
    {"body.content", K_BLOCK},
    {"bq", K_BQ},
    {"br", K_BR},
    {"byline", K_P},
    {"byttl", K_INLINE},
    {"caption", K_TABLE_PART},
    {"care.of", K_INLINE},
    {"chron", K_INLINE},
    {"city", K_INLINE},
    {"classifier", K_INLINE},
    {"col", K_SKIP},
    {"colgroup", K_SKIP},
    {"copyrite", K_INLINE},
    {"copyrite.holder", K_INLINE},
    {"copyrite.year", K_INLINE},
    {"country", K_INLINE},
    {"credit", K_CREDIT},
    {"custom-table", K_PRE},
    {"datasource", K_P},
    {"dateline", K_P},
    {"dd", K_DD},
    {"delivery.office", K_INLINE},
    {"delivery.point", K_INLINE},
    {"denom", K_INLINE},
    {"dl", K_DL},
    {"dt", K_DT},
    {"em", K_EM},
    {"event", K_INLINE},
    {"fn", K_NOTE},
    {"frac", K_FRAC},
    {"frac-sep", K_INLINE},
    {"function", K_INLINE},
    {"hl1", K_H},
    {"hl2", K_H},
    {"hr", K_HR},
    {"key-list", K_KEYLIST},
    {"lang", K_INLINE},
    {"li", K_LI},
    {"location", K_INLINE},
    {"media", K_MEDIA},
    {"media-caption", K_P},
    {"media-metadata", K_SKIP},
    {"media-object", K_SKIP},
    {"media-producer", K_P},
    {"media-reference", K_SKIP},
    {"money", K_INLINE},
    {"name.family", K_INLINE},
    {"name.given", K_INLINE},
    {"nitf-table", K_NITF_TABLE},
    {"nitf-table-metadata", K_SKIP},
    {"note", K_NOTE},
    {"num", K_INLINE},
    {"numer", K_INLINE},
    {"object.title", K_INLINE},
    {"ol", K_LIST},
    {"org", K_INLINE},
    {"p", K_P},
    {"person", K_INLINE},
    {"postaddr", K_INLINE},
    {"postcode", K_INLINE},
    {"pre", K_PRE},
    {"pronounce", K_INLINE},
    {"q", K_Q},
    {"region", K_INLINE},
    {"state", K_INLINE},
    {"sub", K_SUB},
    {"sublocation", K_INLINE},
    {"sup", K_SUP},
    {"table", K_TABLE},
    {"table-reference", K_SKIP},
    {"tbody", K_TABLE_PART},
    {"td", K_TABLE_PART},
    {"tfoot", K_TABLE_PART},
    {"th", K_TABLE_PART},
    {"thead", K_TABLE_PART},
    {"tobject", K_SKIP},
    {"tr", K_TABLE_PART},
    {"ul", K_LIST},
    {"virtloc", K_INLINE},
};

static int is_nitf_ns(const xmlChar *href)
{
	/* 3.3 to 3.6 share one URI; any IPTC NITF URI is taken as NITF */
	return href && (!strcmp((const char *)href, GAL_NITF_NS) || strstr((const char *)href, "iptc.org/std/NITF"));
}

/* An element's NITF name: its local name in no namespace or in NITF's; NULL for other nodes and namespaces. */
static const char *nname(const xmlNode *x)
{
	if (!x || x->type != XML_ELEMENT_NODE)
		return NULL;
	if (x->ns && !is_nitf_ns(x->ns->href))
		return NULL;
	return (const char *)x->name;
}

static int is(const xmlNode *x, const char *name)
{
	const char *n = nname(x);
	return n && !strcmp(n, name);
}

static kind kind_of(const xmlNode *x)
{
	const char *name = nname(x);
	if (!name)
		return K_UNKNOWN;
	size_t lo = 0, hi = sizeof kinds / sizeof *kinds;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, kinds[mid].name);
		if (!c)
			return kinds[mid].k;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return K_UNKNOWN;
}

static int is_block_kind(kind k)
{
	return k != K_UNKNOWN && k != K_INLINE && k != K_SKIP && k != K_BR && k != K_EM && k != K_A && k != K_Q &&
	       k != K_SUP && k != K_SUB && k != K_FRAC;
}

/* An attribute in no namespace (or NITF's); NULL when absent. Entity references in values are expanded by now,
 * so a value is one text node. */
static const char *att(const xmlNode *x, const char *name)
{
	for (const xmlAttr *a = x->properties; a; a = a->next)
		if (a->name && !strcmp((const char *)a->name, name) && (!a->ns || is_nitf_ns(a->ns->href)))
			return a->children && a->children->content ? (const char *)a->children->content : "";
	return NULL;
}

static const char *xml_lang(const xmlNode *x)
{
	for (const xmlAttr *a = x->properties; a; a = a->next)
		if (a->name && !strcmp((const char *)a->name, "lang") && a->ns && a->ns->prefix &&
		    !strcmp((const char *)a->ns->prefix, "xml"))
			return a->children && a->children->content ? (const char *)a->children->content : "";
	return NULL;
}

/* A collapsed copy of an attribute, NULL when absent or blank. */
static char *att_text(const xmlNode *x, const char *name)
{
	const char *v = att(x, name);
	char *t = v ? gal_collapse_ws(v) : NULL;
	if (t && !*t) {
		free(t);
		t = NULL;
	}
	return t;
}

/* ------------------------------------------------------------------ reader state */

#define MAX_UNKNOWN 16

typedef struct {
	const gal_options *opts;
	gal_error *err;
	int status;
	size_t nodes;
	int depth, depth_warned;
	int ws; /* the inline text built so far ends in white space (or nothing): collapse the next space */
	gal_node *doc, *art;
	gal_meta *m;
	size_t budget, budget_total; /* bytes of entity expansion still allowed, and at the start */
	int external_warned;
	/* values with more than one source, resolved at the end */
	char *title, *doc_rights, *scope, *pub_name, *pub_date, *story_norm;
	/* unknown elements, reported once each with --verbose */
	char unknown[MAX_UNKNOWN][48];
	int nunknown;
} nctx;

static void fail(nctx *c, int code, long line, long col, const char *msg)
{
	if (c->status)
		return;
	gal_error_set(c->err, code, c->opts, FMT, line, col, "%s", msg);
	c->status = code;
}

static void oom(nctx *c)
{
	fail(c, GAL_ENOMEM, 0, 0, "out of memory");
}

/* The line of a node, or of its nearest ancestor that has one (copies of entity content have none). */
static long line_of(const xmlNode *x)
{
	for (; x && x->type != XML_DOCUMENT_NODE; x = x->parent) {
		long l = xmlGetLineNo(x);
		if (l > 0)
			return l;
	}
	return 0;
}

static gal_node *new_node(nctx *c, gal_node_type t)
{
	if (c->status)
		return NULL;
	if (++c->nodes > c->opts->limits.max_nodes) {
		char msg[128];
		snprintf(msg, sizeof msg, "more than %zu nodes: refused", c->opts->limits.max_nodes);
		fail(c, GAL_ELIMIT, 0, 0, msg);
		return NULL;
	}
	gal_node *n = gal_node_new(t);
	if (!n)
		oom(c);
	return n;
}

/* Appends a new node of type t to parent; NULL (and nothing appended) when parent may not hold it. */
static gal_node *add(nctx *c, gal_node *parent, gal_node_type t)
{
	if (!gal_node_can_contain(parent->type, t))
		return NULL;
	gal_node *n = new_node(c, t);
	if (n && gal_node_append(parent, n) != GAL_OK) {
		gal_node_free(n);
		n = NULL;
	}
	return n;
}

/* Records an element the reader does not know; its text is kept by the caller. */
static void note_unknown(nctx *c, const xmlNode *x)
{
	if (!c->opts->verbose || x->type != XML_ELEMENT_NODE)
		return;
	char name[48];
	if (x->ns && x->ns->prefix)
		snprintf(name, sizeof name, "%s:%s", (const char *)x->ns->prefix, (const char *)x->name);
	else
		snprintf(name, sizeof name, "%s", (const char *)x->name);
	for (int i = 0; i < c->nunknown; i++)
		if (!strcmp(c->unknown[i], name))
			return;
	if (c->nunknown == MAX_UNKNOWN)
		return;
	memcpy(c->unknown[c->nunknown++], name, sizeof name);
	gal_warn(c->opts, FMT, line_of(x), "unknown element <%s>: its text is kept", name);
}

static int deeper(nctx *c)
{
	if (c->depth >= c->opts->limits.max_depth) {
		if (!c->depth_warned++)
			gal_warn(c->opts, FMT, 0, "nesting deeper than %d elements: inner markup flattened to text",
			         c->opts->limits.max_depth);
		return 0;
	}
	c->depth++;
	return 1;
}

/* ------------------------------------------------------------------ text of DOM subtrees */

/* The text of a subtree in document order, iteratively: text nodes, <br> as a newline; encoded media and codes
 * skipped. `except` (may be NULL) names an element whose text is left out. */
static void dom_text(const xmlNode *root, gal_buf *b, const char *except)
{
	const xmlNode *x = root->children;
	while (x) {
		int down = 0;
		if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE)
			gal_buf_puts(b, (const char *)x->content);
		else if (x->type == XML_ELEMENT_NODE) {
			kind k = kind_of(x);
			if (k == K_BR)
				gal_buf_putc(b, '\n');
			else if (k != K_SKIP && !(except && is(x, except))) {
				/* block boundaries inside running text become spaces */
				if (is_block_kind(k) && b->len)
					gal_buf_putc(b, ' ');
				down = 1;
			}
		}
		x = gal_dom_next(x, root, down);
	}
}

/* Collapsed text of a subtree; NULL when blank. Caller frees. */
static char *text_of(const xmlNode *x, const char *except)
{
	gal_buf b = GAL_BUF_INIT;
	dom_text(x, &b, except);
	char *t = gal_collapse_ws(b.data ? b.data : "");
	gal_buf_free(&b);
	if (t && !*t) {
		free(t);
		t = NULL;
	}
	return t;
}

static void add_line(gal_buf *b, const char *s)
{
	char *t = gal_collapse_ws(s ? s : "");
	if (t && *t)
		gal_buf_printf(b, "%s%s", b->len ? "\n" : "", t);
	free(t);
}

/* Text of a block container, one line per paragraph (abstracts, notes). NULL when blank. Caller frees. */
static char *lines_of(const xmlNode *x, int depth)
{
	gal_buf b = GAL_BUF_INIT, run = GAL_BUF_INIT;
	for (const xmlNode *k = x->children; k; k = k->next) {
		kind kk = kind_of(k);
		if (k->type == XML_ELEMENT_NODE && is_block_kind(kk)) {
			add_line(&b, run.data);
			gal_buf_clear(&run);
			int para = kk == K_P || kk == K_H || kk == K_PRE || kk == K_DT || kk == K_CREDIT;
			/* both are collapsed already: text_of a line, lines_of lines */
			char *t = para || depth > 32 ? text_of(k, NULL) : lines_of(k, depth + 1);
			if (t)
				gal_buf_printf(&b, "%s%s", b.len ? "\n" : "", t);
			free(t);
		} else if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE)
			gal_buf_puts(&run, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE && kk != K_SKIP)
			dom_text(k, &run, NULL);
	}
	add_line(&b, run.data);
	gal_buf_free(&run);
	return b.len ? gal_buf_detach(&b) : (gal_buf_free(&b), NULL);
}

/* ------------------------------------------------------------------ inline content */

/* Appends text with XML-as-HTML white-space collapsing (NITF text is laid out freely by its producers). */
static void append_text(nctx *c, gal_node *parent, const char *s)
{
	/* collapsed into one buffer sized once (on the stack for the usual short text node) */
	size_t n = strlen(s);
	char small[1024], *b = n < sizeof small ? small : malloc(n + 1);
	if (!b) {
		oom(c);
		return;
	}
	size_t o = gal_collapse_run(s, b, &c->ws);
	if (o) {
		gal_node *last = parent->last;
		if (!(last && last->type == GAL_NODE_TEXT))
			last = add(c, parent, GAL_NODE_TEXT);
		if (last && gal_node_append_literal(last, b, o) != GAL_OK)
			oom(c);
	}
	if (b != small)
		free(b);
}

/* Removes trailing spaces from the last text inside a block, before a line break. */
static void trim_trailing(gal_node *block)
{
	for (;;) {
		gal_node *n = block;
		while (n->last && n->type != GAL_NODE_TEXT)
			n = n->last;
		if (n->type != GAL_NODE_TEXT)
			return;
		while (n->len && n->lit[n->len - 1] == ' ')
			n->lit[--n->len] = '\0';
		if (n->len || n == block)
			return;
		gal_node_free_up(n, block);
	}
}

/* Ends an inline block: trims its edges, and removes it if nothing is left. */
static void finish_inline_block(gal_node *b)
{
	gal_inline_block_trim(b);
	if (!b->first)
		gal_node_free(b);
}

static int class_has(const xmlNode *x, const char *word)
{
	const char *cls = att(x, "class");
	size_t n = strlen(word);
	for (const char *p = cls; p && *p;) {
		while (*p && gal_is_space((unsigned char)*p))
			p++;
		size_t k = 0;
		while (p[k] && !gal_is_space((unsigned char)p[k]))
			k++;
		if (k == n && !gal_strncasecmp(p, word, n))
			return 1;
		p += k;
	}
	return 0;
}

static void inline_children(nctx *c, const xmlNode *x, gal_node *parent);

/* <em> carries what NITF has no element for, in its class (as galley writes it): strong, code, sup, sub. */
static gal_node_type em_type(const xmlNode *x)
{
	if (class_has(x, "strong") || class_has(x, "bold"))
		return GAL_NODE_STRONG;
	if (class_has(x, "code"))
		return GAL_NODE_CODE;
	if (class_has(x, "sup") || class_has(x, "superscript"))
		return GAL_NODE_SUPERSCRIPT;
	if (class_has(x, "sub") || class_has(x, "subscript"))
		return GAL_NODE_SUBSCRIPT;
	return GAL_NODE_EMPH;
}

static void code_span(nctx *c, const xmlNode *x, gal_node *parent)
{
	gal_buf b = GAL_BUF_INIT;
	dom_text(x, &b, NULL);
	char *t = gal_collapse_ws(b.data ? b.data : "");
	if (t && *t) {
		if (b.data && gal_is_space((unsigned char)b.data[0]) && !c->ws)
			append_text(c, parent, " ");
		gal_node *n = add(c, parent, GAL_NODE_CODE);
		if (n && gal_node_set_literal(n, t, strlen(t)) != GAL_OK)
			oom(c);
		c->ws = 0;
		if (b.len && gal_is_space((unsigned char)b.data[b.len - 1]))
			append_text(c, parent, " ");
	}
	free(t);
	gal_buf_free(&b);
}

static void frac(nctx *c, const xmlNode *x, gal_node *parent)
{
	int sep = 0;
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (is(k, "frac-sep"))
			sep = 1;
		else if (is(k, "denom") && !sep)
			append_text(c, parent, "/");
		if (k->type == XML_ELEMENT_NODE)
			inline_children(c, k, parent);
	}
}

static void inline_elem(nctx *c, const xmlNode *x, gal_node *parent)
{
	kind k = kind_of(x);
	if (k == K_UNKNOWN)
		note_unknown(c, x);
	if (k == K_SKIP)
		return;
	if (!deeper(c)) {
		char *t = text_of(x, NULL);
		if (t) {
			if (!c->ws)
				append_text(c, parent, " ");
			append_text(c, parent, t);
		}
		free(t);
		return;
	}
	gal_node *n = NULL;
	switch (k) {
	case K_BR:
		trim_trailing(parent);
		add(c, parent, GAL_NODE_LINEBREAK);
		c->ws = 1;
		break;
	case K_EM: {
		gal_node_type t = em_type(x);
		if (t == GAL_NODE_CODE) {
			code_span(c, x, parent);
			break;
		}
		n = add(c, parent, t);
		inline_children(c, x, n ? n : parent);
		break;
	}
	case K_SUP:
	case K_SUB:
		n = add(c, parent, k == K_SUP ? GAL_NODE_SUPERSCRIPT : GAL_NODE_SUBSCRIPT);
		inline_children(c, x, n ? n : parent);
		break;
	case K_A: {
		const char *href = att(x, "href");
		if (href && (n = add(c, parent, GAL_NODE_LINK))) {
			char *h = gal_collapse_ws(href);
			const char *title = att(x, "title");
			if (gal_node_set_attr(n, GAL_ATTR_HREF, h) != GAL_OK ||
			    (title && *title && gal_node_set_attr(n, GAL_ATTR_TITLE, title) != GAL_OK))
				oom(c);
			free(h);
		}
		inline_children(c, x, n ? n : parent);
		break;
	}
	case K_Q:
		append_text(c, parent, "\xe2\x80\x9c");
		inline_children(c, x, parent);
		append_text(c, parent, "\xe2\x80\x9d");
		break;
	case K_FRAC: frac(c, x, parent); break;
	case K_UNKNOWN:
	case K_INLINE: inline_children(c, x, parent); break;
	default:
		/* a block inside inline content (a list in a table cell): its text is kept, set apart by spaces */
		if (!c->ws)
			append_text(c, parent, " ");
		inline_children(c, x, parent);
		if (!c->ws)
			append_text(c, parent, " ");
		break;
	}
	c->depth--;
}

static void inline_children(nctx *c, const xmlNode *x, gal_node *parent)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE)
			append_text(c, parent, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE)
			inline_elem(c, k, parent);
	}
}

/* ------------------------------------------------------------------ block content */

static void blocks(nctx *c, const xmlNode *first, gal_node *container);
static void blocks_until(nctx *c, const xmlNode *first, const xmlNode *last, gal_node *container);

/* Whether an inline or unknown element holds block content. Bounded; a huge subtree counts as holding blocks. */
static int holds_blocks(const xmlNode *x)
{
	const xmlNode *n = x->children;
	int seen = 0;
	while (n) {
		int down = 0;
		if (n->type == XML_ELEMENT_NODE) {
			if (++seen > 2000)
				return 1;
			kind k = kind_of(n);
			if (is_block_kind(k))
				return 1;
			down = k != K_SKIP;
		}
		n = gal_dom_next(n, x, down);
	}
	return 0;
}

static void paragraph(nctx *c, const xmlNode *x, gal_node *container, gal_node_type t, int level)
{
	gal_node *p = add(c, container, t);
	if (!p)
		return;
	if (t == GAL_NODE_HEADING)
		gal_node_set_heading_level(p, level);
	c->ws = 1;
	inline_children(c, x, p);
	finish_inline_block(p);
	c->ws = 1;
}

/* hl2 is a heading of level 2; galley writes other levels as hl2 class="hN". */
static int heading_level(const xmlNode *x)
{
	if (is(x, "hl1"))
		return 1;
	const char *cls = att(x, "class");
	if (cls && (cls[0] == 'h' || cls[0] == 'H') && cls[1] >= '1' && cls[1] <= '6' && !cls[2])
		return cls[1] - '0';
	return 2;
}

static void add_note(nctx *c, char *text)
{
	if (text && gal_strlist_push(&c->m->notes, text) != GAL_OK)
		oom(c);
	free(text);
}

static void blockquote(nctx *c, const xmlNode *x, gal_node *container)
{
	gal_node *q = add(c, container, GAL_NODE_BLOCKQUOTE);
	if (!q)
		return;
	/* <block>s are the quotation, <credit>s its attribution; loose content (older NITF) is quotation too */
	gal_buf credit = GAL_BUF_INIT;
	const xmlNode *run = NULL;
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (kind_of(k) == K_CREDIT) {
			if (run)
				blocks_until(c, run, k->prev, q);
			run = NULL;
			char *t = text_of(k, NULL);
			if (t)
				gal_buf_printf(&credit, "%s%s", credit.len ? "; " : "", t);
			free(t);
		} else if (!run)
			run = k;
	}
	if (run)
		blocks_until(c, run, NULL, q);
	if (!credit.len) {
		char *qs = att_text(x, "quote-source");
		if (qs)
			gal_buf_puts(&credit, qs);
		free(qs);
	}
	if (credit.len && gal_node_set_attr(q, GAL_ATTR_ATTRIBUTION, credit.data) != GAL_OK)
		oom(c);
	gal_buf_free(&credit);
}

static void list(nctx *c, const xmlNode *x, gal_node *container)
{
	gal_node *l = add(c, container, GAL_NODE_LIST);
	if (!l)
		return;
	int ordered = is(x, "ol");
	const char *seq = ordered ? att(x, "seqnum") : NULL;
	char *end = NULL;
	long st = seq ? strtol(seq, &end, 10) : 1;
	if (!seq || end == seq || st < 0 || st > 999999999)
		st = 1;
	gal_node_set_list(l, ordered, (int)st);
	gal_node *last_item = NULL;
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (gal_dom_is_blank(k) ||
		    (k->type != XML_TEXT_NODE && k->type != XML_ELEMENT_NODE && k->type != XML_CDATA_SECTION_NODE))
			continue;
		if (kind_of(k) == K_LI) {
			if ((last_item = add(c, l, GAL_NODE_ITEM)))
				blocks(c, k->children, last_item);
			continue;
		}
		/* stray content between items joins the item before it, or starts one */
		if (!last_item)
			last_item = add(c, l, GAL_NODE_ITEM);
		if (last_item)
			blocks_until(c, k, k, last_item);
	}
	if (!l->first)
		gal_node_free(l);
}

/* dl has no node of its own: terms become bold paragraphs, definitions their blocks (as the HTML reader does). */
static void def_list(nctx *c, const xmlNode *x, gal_node *container)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		kind kk = kind_of(k);
		if (kk == K_DT) {
			gal_node *p = add(c, container, GAL_NODE_PARAGRAPH);
			gal_node *s = p ? add(c, p, GAL_NODE_STRONG) : NULL;
			if (s) {
				c->ws = 1;
				inline_children(c, k, s);
				finish_inline_block(p);
			}
		} else if (kk == K_DD) {
			blocks(c, k->children, container);
		} else if (k->type == XML_ELEMENT_NODE || (k->type == XML_TEXT_NODE && !gal_dom_is_blank(k)))
			blocks_until(c, k, k, container);
	}
}

static void pre(nctx *c, const xmlNode *x, gal_node *container)
{
	gal_buf b = GAL_BUF_INIT;
	dom_text(x, &b, NULL);
	const char *s = b.data ? b.data : "";
	size_t n = b.len;
	/* one newline right after <pre> is layout (galley writes one when the text starts with a newline) */
	if (n && s[0] == '\n')
		s++, n--;
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	gal_node *p = n ? add(c, container, GAL_NODE_PRE) : NULL;
	if (p) {
		if (gal_node_set_literal(p, s, n) != GAL_OK)
			oom(c);
		const char *cls = att(x, "class");
		const char *lang = cls ? strstr(cls, "language-") : NULL;
		if (lang) {
			char l[64];
			size_t k = 0;
			lang += 9;
			while (lang[k] && !gal_is_space((unsigned char)lang[k]) && k < sizeof l - 1)
				l[k] = lang[k], k++;
			while (k && lang[k] && ((unsigned char)lang[k] & 0xC0) == 0x80)
				k--; /* cut at a character boundary */
			l[k] = '\0';
			if (k && gal_node_set_attr(p, GAL_ATTR_LANG, l) != GAL_OK)
				oom(c);
		}
	}
	if (b.failed)
		oom(c);
	gal_buf_free(&b);
}

static void table_row(nctx *c, const xmlNode *tr, gal_node *t, int header)
{
	gal_node *row = add(c, t, GAL_NODE_ROW);
	if (!row)
		return;
	int all_th = 1, cells = 0;
	for (const xmlNode *k = tr->children; k && !c->status; k = k->next) {
		int th = is(k, "th");
		if (!th && !is(k, "td"))
			continue;
		all_th &= th;
		cells++;
		gal_node *cell = add(c, row, GAL_NODE_CELL);
		if (!cell)
			return;
		c->ws = 1;
		inline_children(c, k, cell);
		gal_inline_block_trim(cell);
		/* spanned columns become empty cells, so that columns stay aligned */
		const char *span = att(k, "colspan");
		long span_n = span ? strtol(span, NULL, 10) : 1;
		for (long i = 1; i < span_n && i < 64; i++)
			add(c, row, GAL_NODE_CELL);
	}
	/* a first row of <th> cells is a header row even outside <thead> */
	gal_node_set_row_header(row, header || (all_th && cells && row == t->first));
	if (!row->first)
		gal_node_free(row);
}

static void table_rows(nctx *c, const xmlNode *x, gal_node *t, int header, int depth)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (is(k, "tr"))
			table_row(c, k, t, header);
		else if ((is(k, "thead") || is(k, "tbody") || is(k, "tfoot")) && depth < 2)
			table_rows(c, k, t, is(k, "thead"), depth + 1);
		else if (is(k, "caption") && !gal_node_attr(t, GAL_ATTR_CAPTION)) {
			char *cap = text_of(k, NULL);
			if (cap && gal_node_set_attr(t, GAL_ATTR_CAPTION, cap) != GAL_OK)
				oom(c);
			free(cap);
		}
	}
}

static void table(nctx *c, const xmlNode *x, gal_node *container)
{
	gal_node *t = add(c, container, GAL_NODE_TABLE);
	if (!t)
		return;
	table_rows(c, x, t, 0, 0);
	if (!t->first && !gal_node_attr(t, GAL_ATTR_CAPTION))
		gal_node_free(t);
}

/* nitf-table: a table (or a custom table, kept as preformatted text) with metadata; the summary is a caption. */
static void nitf_table(nctx *c, const xmlNode *x, gal_node *container)
{
	char *summary = NULL;
	for (const xmlNode *k = x->children; k; k = k->next)
		if (is(k, "nitf-table-metadata"))
			for (const xmlNode *s = k->children; s; s = s->next)
				if (is(s, "nitf-table-summary") && !summary)
					summary = text_of(s, NULL);
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (is(k, "table")) {
			gal_node *before = container->last;
			table(c, k, container);
			gal_node *t = container->last;
			if (summary && t != before && t && t->type == GAL_NODE_TABLE &&
			    !gal_node_attr(t, GAL_ATTR_CAPTION) &&
			    gal_node_set_attr(t, GAL_ATTR_CAPTION, summary) != GAL_OK)
				oom(c);
		} else if (is(k, "custom-table"))
			pre(c, k, container);
	}
	free(summary);
}

/* media -> figure: the first media-reference with a source is the image; captions and producers follow. */
static void media(nctx *c, const xmlNode *x, gal_node *container)
{
	const xmlNode *ref = NULL;
	for (const xmlNode *k = x->children; k; k = k->next)
		if (is(k, "media-reference") && (!ref || (!att(ref, "source") && att(k, "source"))))
			ref = k;
	gal_node *fig = add(c, container, GAL_NODE_FIGURE);
	if (!fig)
		return;
	if (ref) {
		/* present but empty is kept as empty: "" and none are different sources */
		const char *s = att(ref, "source"), *a = att(ref, "alternate-text");
		char *src = s ? gal_collapse_ws(s) : att_text(ref, "data-location");
		char *alt = a ? gal_collapse_ws(a) : att_text(ref, "name");
		if ((src && gal_node_set_attr(fig, GAL_ATTR_SRC, src) != GAL_OK) ||
		    (alt && gal_node_set_attr(fig, GAL_ATTR_ALT, alt) != GAL_OK))
			oom(c);
		free(src);
		free(alt);
	}
	gal_buf credit = GAL_BUF_INIT;
	c->ws = 1;
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (is(k, "media-caption") || kind_of(k) == K_UNKNOWN) {
			if (kind_of(k) == K_UNKNOWN)
				note_unknown(c, k);
			if (!c->ws)
				append_text(c, fig, " ");
			inline_children(c, k, fig);
		} else if (is(k, "media-producer")) {
			char *t = text_of(k, NULL);
			if (t)
				gal_buf_printf(&credit, "%s%s", credit.len ? "; " : "", t);
			free(t);
		}
	}
	gal_inline_block_trim(fig);
	if (credit.len && gal_node_set_attr(fig, GAL_ATTR_CREDIT, credit.data) != GAL_OK)
		oom(c);
	gal_buf_free(&credit);
}

static void keywords(nctx *c, const xmlNode *x)
{
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (!is(k, "keyword"))
			continue;
		char *v = att_text(k, "key");
		if (!v)
			v = text_of(k, NULL); /* text inside keyword: not NITF, but wires send it */
		if (v && gal_strlist_push(&c->m->keywords, v) != GAL_OK)
			oom(c);
		free(v);
	}
}

static void block_elem(nctx *c, const xmlNode *x, gal_node *container)
{
	kind k = kind_of(x);
	if (k == K_SKIP)
		return;
	if (k == K_UNKNOWN)
		note_unknown(c, x);
	if (!deeper(c)) {
		char *t = text_of(x, NULL);
		gal_node *p = t ? add(c, container, GAL_NODE_PARAGRAPH) : NULL;
		if (p) {
			c->ws = 1;
			append_text(c, p, t);
		}
		free(t);
		return;
	}
	switch (k) {
	case K_P:
	case K_DT:
	case K_CREDIT: paragraph(c, x, container, GAL_NODE_PARAGRAPH, 0); break;
	case K_H: paragraph(c, x, container, GAL_NODE_HEADING, heading_level(x)); break;
	case K_BQ: blockquote(c, x, container); break;
	case K_LIST: list(c, x, container); break;
	case K_DL: def_list(c, x, container); break;
	case K_TABLE: table(c, x, container); break;
	case K_NITF_TABLE: nitf_table(c, x, container); break;
	case K_MEDIA: media(c, x, container); break;
	case K_PRE: pre(c, x, container); break;
	case K_HR: add(c, container, GAL_NODE_THEMATIC_BREAK); break;
	case K_NOTE: add_note(c, lines_of(x, 0)); break;
	case K_KEYLIST: keywords(c, x); break;
	default: /* block, li, dd, table parts out of place, and inline or unknown elements holding blocks */
		blocks(c, x->children, container);
		break;
	}
	c->depth--;
}

/* Block content from `first` to `last` (NULL: to the end): block elements map one to one; runs of loose inline
 * content become paragraphs. */
static void blocks_until(nctx *c, const xmlNode *first, const xmlNode *last, gal_node *container)
{
	gal_node *para = NULL;
	for (const xmlNode *x = first; x && !c->status; x = x == last ? NULL : x->next) {
		if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE) {
			if (!para && gal_dom_is_blank(x))
				continue;
			if (!para) {
				if (!(para = add(c, container, GAL_NODE_PARAGRAPH)))
					return;
				c->ws = 1;
			}
			append_text(c, para, (const char *)x->content);
			continue;
		}
		if (x->type != XML_ELEMENT_NODE)
			continue;
		kind k = kind_of(x);
		if (k == K_SKIP)
			continue;
		int inl = !is_block_kind(k) && !(k != K_BR && holds_blocks(x));
		if (inl && k == K_BR && !para)
			continue;
		if (inl) {
			if (!para) {
				if (!(para = add(c, container, GAL_NODE_PARAGRAPH)))
					return;
				c->ws = 1;
			}
			inline_elem(c, x, para);
			continue;
		}
		if (para)
			finish_inline_block(para);
		para = NULL;
		block_elem(c, x, container);
	}
	if (para)
		finish_inline_block(para);
}

static void blocks(nctx *c, const xmlNode *first, gal_node *container)
{
	blocks_until(c, first, NULL, container);
}

/* ------------------------------------------------------------------ metadata */

/* Takes value into *slot unless the slot is filled already (the first source wins); frees what it does not take. */
static void set_once(char **slot, char *value)
{
	if (value && !*slot)
		*slot = value;
	else
		free(value);
}

/* A date attribute (norm): ISO 8601 when it can be read, otherwise as found. */
static char *date_att(nctx *c, const xmlNode *x, const char *name)
{
	char *v = att_text(x, name);
	if (!v)
		return NULL;
	char *iso = gal_date_normalize(v);
	if (iso) {
		free(v);
		return iso;
	}
	/* kept as found, unless it is a template left unfilled ("YYYYMMDD000000-HHMM") */
	int letters = 0, other = 0;
	for (const char *p = v; *p; p++) {
		if (strchr("YMDHS", *p))
			letters = 1;
		else if (!strchr("0123456789T+-:Z", *p))
			other = 1;
	}
	int keep = !letters || other;
	if (c->opts->verbose)
		gal_warn(c->opts, FMT, line_of(x), "<%s %s=\"%s\">: not a date galley can read; %s",
		         (const char *)x->name, name, v, keep ? "kept as found" : "ignored (a template)");
	if (!keep) {
		free(v);
		return NULL;
	}
	return v;
}

/* The part of a place galley shows: "Newport News, VA" from <city>..</city>, <state>..</state>. */
static char *location_text(const xmlNode *x)
{
	int parts = 0, words = 0;
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (is(k, "city") || is(k, "state") || is(k, "region") || is(k, "country") || is(k, "sublocation"))
			parts++;
		else if (k->type == XML_TEXT_NODE)
			for (const char *p = (const char *)k->content; *p; p++)
				words |= !gal_is_space((unsigned char)*p) && *p != ',' && *p != ';';
	}
	if (!parts || words)
		return text_of(x, NULL);
	gal_buf b = GAL_BUF_INIT;
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		char *t = text_of(k, NULL);
		if (t)
			gal_buf_printf(&b, "%s%s", b.len ? ", " : "", t);
		free(t);
	}
	return b.len ? gal_buf_detach(&b) : (gal_buf_free(&b), NULL);
}

static void dateline(nctx *c, const xmlNode *x)
{
	gal_buf place = GAL_BUF_INIT, loose = GAL_BUF_INIT;
	char *date = NULL;
	int has_loc = 0;
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (is(k, "location")) {
			has_loc = 1;
			char *t = location_text(k);
			if (t)
				gal_buf_printf(&place, "%s%s", place.len ? ", " : "", t);
			free(t);
		} else if (is(k, "story.date")) {
			char *t = text_of(k, NULL);
			if (t)
				set_once(&date, t);
			else
				set_once(&c->story_norm, date_att(c, k, "norm"));
		} else if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE)
			gal_buf_puts(&loose, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE && kind_of(k) != K_SKIP) {
			if (kind_of(k) == K_UNKNOWN)
				note_unknown(c, k);
			dom_text(k, &loose, NULL);
		}
	}
	char *p = has_loc ? (place.len ? gal_buf_detach(&place) : NULL) : gal_collapse_ws(loose.data ? loose.data : "");
	if (p && !*p) {
		free(p);
		p = NULL;
	}
	set_once(&c->m->dateline_place, p);
	set_once(&c->m->dateline_date, date);
	gal_buf_free(&place);
	gal_buf_free(&loose);
}

/* "By A and B" as one byline; <person> elements as names, each <byttl> the title of the person before it. */
static void byline(nctx *c, const xmlNode *x)
{
	int persons = 0;
	for (const xmlNode *k = x->children; k; k = k->next)
		persons += is(k, "person");
	gal_meta *m = c->m;
	if (persons) {
		size_t first = m->nbylines;
		gal_buf pending = GAL_BUF_INIT; /* title text before the first person */
		for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
			if (k->type != XML_ELEMENT_NODE)
				continue;
			if (is(k, "person")) {
				char *n = text_of(k, NULL);
				if (n && gal_meta_add_byline(m, n, pending.len ? pending.data : NULL) != GAL_OK)
					oom(c);
				if (n)
					gal_buf_clear(&pending);
				free(n);
				continue;
			}
			/* byttl, location, virtloc (and unknown elements, whose text is kept so): the person's title */
			if (kind_of(k) == K_UNKNOWN)
				note_unknown(c, k);
			char *t = text_of(k, NULL);
			if (t && m->nbylines > first) {
				gal_byline *b = &m->bylines[m->nbylines - 1];
				gal_buf title = GAL_BUF_INIT;
				gal_buf_printf(&title, "%s%s%s", b->title ? b->title : "", b->title ? ", " : "", t);
				free(b->title);
				if (!(b->title = gal_buf_detach(&title)))
					oom(c);
			} else if (t)
				gal_buf_printf(&pending, "%s%s", pending.len ? ", " : "", t);
			free(t);
		}
		if (pending.len && gal_meta_add_byline(m, pending.data, NULL) != GAL_OK)
			oom(c); /* persons without names: the rest stands for the author */
		gal_buf_free(&pending);
		return;
	}
	char *name = text_of(x, "byttl"), *title = NULL;
	for (const xmlNode *k = x->children; k; k = k->next)
		if (is(k, "byttl") && !title)
			title = text_of(k, NULL);
	if (name && !gal_strncasecmp(name, "by ", 3))
		memmove(name, name + 3, strlen(name + 3) + 1);
	if (name && !*name) {
		free(name);
		name = NULL;
	}
	if (!name) { /* a byline that is only a title: the title names the author */
		name = title;
		title = NULL;
	}
	if (name && gal_meta_add_byline(m, name, title) != GAL_OK)
		oom(c);
	free(name);
	free(title);
}

static gal_subject_kind subject_kind(const xmlNode *x)
{
	if (is(x, "person"))
		return GAL_SUBJECT_PERSON;
	if (is(x, "org"))
		return GAL_SUBJECT_ORG;
	if (is(x, "location"))
		return GAL_SUBJECT_PLACE;
	if (is(x, "event"))
		return GAL_SUBJECT_EVENT;
	return GAL_SUBJECT_TOPIC;
}

static void identified_content(nctx *c, const xmlNode *x)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		char *t = is(k, "location") ? location_text(k) : text_of(k, NULL);
		if (!t)
			t = att_text(k, "value");
		if (t && gal_meta_add_subject(c->m, subject_kind(k), t) != GAL_OK)
			oom(c);
		free(t);
	}
}

static void revision(nctx *c, const xmlNode *x)
{
	char *d = date_att(c, x, "norm");
	/* the latest revision is the modification date (ISO strings of one form compare as dates) */
	if (d && (!c->m->modified || strcmp(d, c->m->modified) > 0)) {
		free(c->m->modified);
		c->m->modified = d;
	} else
		free(d);
}

static void pubdata(nctx *c, const xmlNode *x)
{
	set_once(&c->m->section, att_text(x, "position.section"));
	set_once(&c->m->url, att_text(x, "ex-ref"));
	set_once(&c->pub_name, att_text(x, "name"));
	set_once(&c->pub_date, date_att(c, x, "date.publication"));
}

/* The children of docdata, also taken from head where wires put them. Returns 0 for an element it does not know. */
static int docdata_child(nctx *c, const xmlNode *x)
{
	gal_meta *m = c->m;
	if (is(x, "doc-id"))
		set_once(&m->id, att_text(x, "id-string"));
	else if (is(x, "urgency")) {
		const char *u = att(x, "ed-urg");
		char *end = NULL;
		long v = u ? strtol(u, &end, 10) : 0;
		if (u && end != u && v >= 1 && v <= 8 && !m->urgency)
			m->urgency = (int)v;
		else if (u && c->opts->verbose)
			gal_warn(c->opts, FMT, line_of(x), "<urgency ed-urg=\"%s\">: not 1 to 8; ignored", u);
	} else if (is(x, "date.issue"))
		set_once(&m->issued, date_att(c, x, "norm"));
	else if (is(x, "date.release"))
		set_once(&m->released, date_att(c, x, "norm"));
	else if (is(x, "date.expire"))
		set_once(&m->expires, date_att(c, x, "norm"));
	else if (is(x, "doc.copyright")) {
		char *y = att_text(x, "year"), *h = att_text(x, "holder");
		set_once(&m->copyright, gal_nitf_copyright_text(y, h));
		free(y);
		free(h);
	} else if (is(x, "doc.rights")) {
		static const char *const parts[] = {"owner", "type", "limitations", "geography"};
		gal_buf b = GAL_BUF_INIT;
		for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
			char *t = att_text(x, parts[i]);
			if (t)
				gal_buf_printf(&b, "%s%s", b.len ? "; " : "", t);
			free(t);
		}
		set_once(&c->doc_rights, b.len ? gal_buf_detach(&b) : NULL);
		gal_buf_free(&b);
	} else if (is(x, "key-list"))
		keywords(c, x);
	else if (is(x, "identified-content"))
		identified_content(c, x);
	else if (is(x, "series"))
		set_once(&m->series, att_text(x, "series.name"));
	else if (is(x, "ed-msg") || is(x, "correction"))
		add_note(c, att_text(x, "info"));
	else if (is(x, "doc-scope"))
		set_once(&c->scope, att_text(x, "scope"));
	else if (is(x, "pubdata"))
		pubdata(c, x);
	else if (is(x, "revision-history"))
		revision(c, x);
	else if (is(x, "evloc") || is(x, "del-list") || is(x, "fixture") || is(x, "du-key"))
		; /* codes and routing: not modelled (see docs/nitf.md) */
	else
		return 0;
	return 1;
}

/* An element the reader has no place for in the header: its text goes to the notes, never lost. */
static void stray(nctx *c, const xmlNode *x)
{
	note_unknown(c, x);
	add_note(c, text_of(x, NULL));
}

/* Warns (with --verbose) when a child comes before one it should follow in the schema's order. */
static void check_order(nctx *c, const xmlNode *parent, const char *const *order)
{
	if (!c->opts->verbose)
		return;
	int high = -1;
	const char *high_name = NULL;
	for (const xmlNode *k = parent->children; k; k = k->next) {
		const char *n = nname(k);
		if (!n)
			continue;
		for (int i = 0; order[i]; i++)
			if (!strcmp(order[i], n)) {
				if (i < high) {
					gal_warn(c->opts, FMT, line_of(k),
					         "<%s> after <%s> in <%s> (out of the schema's order): read anyway", n,
					         high_name, (const char *)parent->name);
					return;
				}
				high = i, high_name = order[i];
				break;
			}
	}
}

static void read_head(nctx *c, const xmlNode *head)
{
	static const char *const order[] = {"title",   "meta",    "tobject",          "iim",
	                                    "docdata", "pubdata", "revision-history", NULL};
	check_order(c, head, order);
	for (const xmlNode *x = head->children; x && !c->status; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		if (is(x, "title"))
			set_once(&c->title, text_of(x, NULL));
		else if (is(x, "meta")) {
			const char *name = att(x, "name"), *content = att(x, "content");
			if (name && *name && gal_meta_add_prop(c->m, name, content) != GAL_OK)
				oom(c);
		} else if (is(x, "docdata")) {
			for (const xmlNode *k = x->children; k && !c->status; k = k->next)
				if (k->type == XML_ELEMENT_NODE && !docdata_child(c, k))
					stray(c, k);
		} else if (is(x, "tobject") || is(x, "iim"))
			; /* subject codes and IIM records: not modelled */
		else if (!docdata_child(c, x))
			stray(c, x);
	}
}

/* With --verbose: a second occurrence of an element of which the first is read. */
static void second_one(nctx *c, const xmlNode *x, const void *already)
{
	if (already && c->opts->verbose)
		gal_warn(c->opts, FMT, line_of(x), "a second <%s>: only the first is read", (const char *)x->name);
}

static void read_body_head(nctx *c, const xmlNode *bh)
{
	static const char *const order[] = {"hedline",  "note",     "rights", "byline", "distributor",
	                                    "dateline", "abstract", "series", NULL};
	check_order(c, bh, order);
	gal_meta *m = c->m;
	for (const xmlNode *x = bh->children; x && !c->status; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		if (is(x, "hedline")) {
			second_one(c, x, m->headline);
			gal_buf deck = GAL_BUF_INIT;
			for (const xmlNode *k = x->children; k; k = k->next) {
				if (is(k, "hl1"))
					set_once(&m->headline, text_of(k, NULL));
				else if (is(k, "hl2")) {
					char *t = text_of(k, NULL);
					if (t)
						gal_buf_printf(&deck, "%s%s", deck.len ? "\n" : "", t);
					free(t);
				} else if (k->type == XML_ELEMENT_NODE)
					stray(c, k);
			}
			set_once(&m->deck, deck.len ? gal_buf_detach(&deck) : NULL);
			gal_buf_free(&deck);
		} else if (is(x, "note"))
			add_note(c, lines_of(x, 0));
		else if (is(x, "rights")) {
			gal_buf b = GAL_BUF_INIT;
			int elems = 0;
			for (const xmlNode *k = x->children; k; k = k->next)
				elems += k->type == XML_ELEMENT_NODE;
			if (elems) /* rights.owner, rights.limitations...: one item each */
				for (const xmlNode *k = x->children; k; k = k->next) {
					char *t = k->type == XML_ELEMENT_NODE ? text_of(k, NULL)
					          : k->type == XML_TEXT_NODE ? gal_collapse_ws((const char *)k->content)
					                                     : NULL;
					if (t && *t)
						gal_buf_printf(&b, "%s%s", b.len ? "; " : "", t);
					free(t);
				}
			char *t = elems ? (b.len ? gal_buf_detach(&b) : NULL) : text_of(x, NULL);
			second_one(c, x, m->rights);
			set_once(&m->rights, t);
			gal_buf_free(&b);
		} else if (is(x, "byline"))
			byline(c, x);
		else if (is(x, "distributor")) {
			second_one(c, x, m->source);
			set_once(&m->source, text_of(x, NULL));
		} else if (is(x, "dateline")) {
			second_one(c, x, m->dateline_place ? (void *)m->dateline_place : m->dateline_date);
			dateline(c, x);
		} else if (is(x, "abstract")) {
			second_one(c, x, m->abstract);
			set_once(&m->abstract, lines_of(x, 0));
		} else if (is(x, "series"))
			set_once(&m->series, att_text(x, "series.name"));
		else
			stray(c, x);
	}
}

static void read_body_end(nctx *c, const xmlNode *be)
{
	for (const xmlNode *x = be->children; x && !c->status; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		if (is(x, "tagline"))
			set_once(&c->m->tagline, text_of(x, NULL));
		else if (is(x, "bibliography"))
			set_once(&c->m->bibliography, text_of(x, NULL));
		else
			stray(c, x);
	}
}

static void read_body(nctx *c, const xmlNode *body)
{
	for (const xmlNode *x = body->children; x && !c->status; x = x->next) {
		if (is(x, "body.head"))
			read_body_head(c, x);
		else if (is(x, "body.content")) {
			c->ws = 1;
			blocks(c, x->children, c->art);
		} else if (is(x, "body.end"))
			read_body_end(c, x);
		else if (x->type == XML_ELEMENT_NODE || (x->type == XML_TEXT_NODE && !gal_dom_is_blank(x))) {
			/* content straight in <body>: read as body content */
			c->ws = 1;
			blocks_until(c, x, x, c->art);
		}
	}
}

/* Fills what has more than one source, and the document's metadata. */
static void resolve(nctx *c, const xmlNode *root, const xmlNode *body)
{
	gal_meta *m = c->m;
	if (!m->headline && c->title)
		m->headline = strdup(c->title);
	set_once(&m->rights, c->doc_rights), c->doc_rights = NULL;
	set_once(&m->section, c->scope), c->scope = NULL;
	set_once(&m->source, c->pub_name), c->pub_name = NULL;
	set_once(&m->issued, c->pub_date), c->pub_date = NULL;
	set_once(&m->issued, c->story_norm), c->story_norm = NULL;
	const char *lang = att(root, "baselang");
	if (!lang || !*lang)
		lang = xml_lang(root);
	if ((!lang || !*lang) && body)
		lang = xml_lang(body);
	if (lang && *lang)
		set_once(&m->language, gal_collapse_ws(lang));
	gal_docmeta *d = gal_node_docmeta(c->doc);
	if (gal_set_string(&d->title, c->title ? c->title : m->headline) || gal_set_string(&d->language, m->language) ||
	    gal_set_string(&d->date, m->issued) || gal_set_string(&d->creator, m->nbylines ? m->bylines[0].name : NULL))
		oom(c);
}

static void read_nitf(nctx *c, const xmlNode *root)
{
	const char *version = att(root, "version");
	if (version && c->opts->verbose && !strstr(version, "NITF 3."))
		gal_warn(c->opts, FMT, line_of(root), "version \"%s\": read as NITF 3.x", version);
	const xmlNode *body = NULL;
	for (const xmlNode *x = root->children; x && !c->status; x = x->next) {
		if (is(x, "head"))
			read_head(c, x);
		else if (is(x, "body")) {
			if (!body)
				body = x;
			read_body(c, x);
		} else if (x->type == XML_ELEMENT_NODE)
			stray(c, x);
	}
	if (!c->status)
		resolve(c, root, body);
}

/* ------------------------------------------------------------------ entities */

/* The text an entity stands for in an attribute value, recursively; charged to the budget. */
static int entity_value(nctx *c, const xmlDoc *doc, const xmlChar *name, gal_buf *out, int depth);

static int charge_at(nctx *c, size_t n, long line)
{
	if (n > c->budget) {
		char msg[160];
		snprintf(msg, sizeof msg, "entity expansion beyond %zu bytes: refused (an entity expansion bomb?)",
		         c->budget_total);
		fail(c, GAL_ELIMIT, line, 0, msg);
		return -1;
	}
	c->budget -= n;
	return 0;
}

static int charge(nctx *c, size_t n)
{
	return charge_at(c, n, 0);
}

static void warn_external(nctx *c, const xmlChar *name, long line)
{
	if (!c->external_warned++)
		gal_warn(c->opts, FMT, line, "external entity &%s; not read (galley never loads external entities)",
		         (const char *)name);
}

/* An undeclared entity: the HTML entity of that name (NITF's DTDs declare the same ISO sets), else kept as
 * written. Returns 1 when it was an HTML entity. */
static int undeclared_value(const xmlChar *name, gal_buf *out)
{
	const htmlEntityDesc *e = htmlEntityLookup(name);
	if (e) {
		char u[4];
		gal_buf_put(out, u, (size_t)gal_utf8_encode(e->value, u));
		return 1;
	}
	gal_buf_printf(out, "&%s;", (const char *)name);
	return 0;
}

static int node_list_value(nctx *c, const xmlDoc *doc, const xmlNode *list, gal_buf *out, int depth)
{
	for (const xmlNode *k = list; k && !c->status; k = k->next) {
		if (k->type == XML_TEXT_NODE && k->content) {
			size_t n = strlen((const char *)k->content);
			if (charge(c, n + 1))
				return -1;
			gal_buf_put(out, (const char *)k->content, n);
		} else if (k->type == XML_ENTITY_REF_NODE) {
			if (entity_value(c, doc, k->name, out, depth + 1))
				return -1;
		} else if (k->children && depth < 40) {
			if (node_list_value(c, doc, k->children, out, depth + 1))
				return -1;
		}
	}
	return c->status ? -1 : 0;
}

static int entity_value(nctx *c, const xmlDoc *doc, const xmlChar *name, gal_buf *out, int depth)
{
	xmlEntity *e = xmlGetDocEntity(doc, name);
	if (charge(c, 1))
		return -1;
	if (!e) {
		undeclared_value(name, out);
		return 0;
	}
	if (e->etype == XML_INTERNAL_PREDEFINED_ENTITY) {
		gal_buf_puts(out, (const char *)e->content);
		return 0;
	}
	if (e->etype != XML_INTERNAL_GENERAL_ENTITY) {
		warn_external(c, name, 0);
		return 0;
	}
	if (depth > 40) {
		fail(c, GAL_ELIMIT, 0, 0, "entities nested more than 40 deep: refused");
		return -1;
	}
	if (e->children)
		return node_list_value(c, doc, e->children, out, depth);
	/* not parsed by libxml2 (no reference in content): its replacement text, if it holds no markup */
	if (e->content && !strpbrk((const char *)e->content, "<&")) {
		size_t n = strlen((const char *)e->content);
		if (charge(c, n))
			return -1;
		gal_buf_put(out, (const char *)e->content, n);
	}
	return 0;
}

static void set_att_value(xmlAttr *a, const char *value)
{
	xmlNode *t = xmlNewDocText(a->doc, (const xmlChar *)value);
	if (!t)
		return;
	xmlFreeNodeList(a->children);
	a->children = a->last = t;
	t->parent = (xmlNode *)a;
}

/* Replaces one entity reference in content with what it stands for; returns the node to continue with (never
 * NULL: an empty expansion leaves an empty text node). */
static xmlNode *expand_ref(nctx *c, xmlDoc *doc, xmlNode *ref)
{
	xmlEntity *e = xmlGetDocEntity(doc, ref->name);
	xmlNode *list = NULL;
	if (charge_at(c, 16, line_of(ref)))
		return NULL;
	if (e && e->etype == XML_INTERNAL_GENERAL_ENTITY && e->children) {
		if (charge_at(c, (size_t)e->length, line_of(ref)))
			return NULL;
		list = xmlDocCopyNodeList(doc, e->children);
	} else {
		gal_buf b = GAL_BUF_INIT;
		if (!e) {
			int html = undeclared_value(ref->name, &b);
			if (!html || c->opts->verbose)
				gal_warn(c->opts, FMT, line_of(ref), "undeclared entity &%s; %s",
				         (const char *)ref->name, html ? "read as the HTML entity" : "kept as written");
		} else if (e->etype == XML_INTERNAL_PREDEFINED_ENTITY)
			gal_buf_puts(&b, (const char *)e->content);
		else if (e->etype == XML_INTERNAL_GENERAL_ENTITY) {
			if (e->content && !strpbrk((const char *)e->content, "<&"))
				gal_buf_puts(&b, (const char *)e->content);
		} else
			warn_external(c, ref->name, line_of(ref));
		list = xmlNewDocText(doc, (const xmlChar *)(b.data ? b.data : ""));
		gal_buf_free(&b);
	}
	if (!list) {
		oom(c);
		return NULL;
	}
	/* the copies go before the reference; a text copy may merge into the text before it */
	xmlNode *resume = NULL;
	while (list) {
		xmlNode *next = list->next;
		list->next = list->prev = NULL;
		list->parent = NULL;
		xmlNode *at = xmlAddPrevSibling(ref, list);
		if (!at) {
			xmlFreeNode(list);
			xmlFreeNodeList(next);
			oom(c);
			return NULL;
		}
		if (!resume)
			resume = at;
		list = next;
	}
	xmlUnlinkNode(ref);
	xmlFreeNode(ref);
	return resume;
}

/* Expands every entity reference in the document (content and attribute values), charging each expansion to the
 * budget: libxml2 refuses the classic bombs itself; this bounds the rest. */
static void expand_entities(nctx *c, xmlDoc *doc, xmlNode *root)
{
	xmlNode *x = root;
	while (x && !c->status) {
		if (x->type == XML_ENTITY_REF_NODE) {
			x = expand_ref(c, doc, x);
			continue; /* the copy may hold references itself */
		}
		if (x->type == XML_ELEMENT_NODE) {
			for (xmlAttr *a = x->properties; a && !c->status; a = a->next) {
				int refs = 0;
				for (xmlNode *k = a->children; k; k = k->next)
					refs += k->type == XML_ENTITY_REF_NODE;
				if (!refs)
					continue;
				gal_buf b = GAL_BUF_INIT;
				if (!node_list_value(c, doc, a->children, &b, 0))
					set_att_value(a, b.data ? b.data : "");
				gal_buf_free(&b);
			}
		}
		int down = x->type == XML_ELEMENT_NODE && x->children;
		if (down) {
			x = x->children;
			continue;
		}
		while (x && x != root && !x->next)
			x = x->parent;
		x = !x || x == root ? NULL : x->next;
	}
}

/* ------------------------------------------------------------------ parsing */

typedef struct {
	int fatal; /* errors other than the ones the reader recovers from */
	int code;
	long line, col;
	char msg[256];
	int other_fatal; /* fatal errors other than refused entity loops */
	int loop;        /* libxml2 refused an entity reference loop or amplification */
	long loop_line, loop_col;
	int undeclared; /* undeclared entities in a document without a DTD (their text is missing) */
	long und_line, und_col;
	char und_msg[256];
	char names[32][32]; /* their names, for a second parse that declares them */
	int nnames, names_unknown;
	int ns_errors;
	long ns_line;
	char ns_msg[256];
} parse_log;

static void copy_msg(char *dst, size_t size, const char *msg)
{
	snprintf(dst, size, "%s", msg ? msg : "error");
	size_t n = strlen(dst);
	while (n && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
}

static void on_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr pc = data;
	parse_log *log = pc ? pc->_private : NULL;
	if (!log || !e)
		return;
	if (e->domain == XML_FROM_NAMESPACE) {
		if (!log->ns_errors++) {
			log->ns_line = e->line;
			copy_msg(log->ns_msg, sizeof log->ns_msg, e->message);
		}
		return;
	}
	if (e->code == XML_WAR_UNDECLARED_ENTITY)
		return; /* a DTD we do not read may declare it: the reference is kept and resolved later */
	if (e->code == XML_ERR_UNDECLARED_ENTITY) {
		if (!log->undeclared++) {
			log->und_line = e->line;
			log->und_col = e->int2;
			copy_msg(log->und_msg, sizeof log->und_msg, e->message);
		}
		const char *name = e->str1;
		int known = name && strlen(name) < sizeof log->names[0] && htmlEntityLookup((const xmlChar *)name);
		if (!known)
			log->names_unknown++;
		else {
			int seen = 0;
			for (int i = 0; i < log->nnames; i++)
				seen |= !strcmp(log->names[i], name);
			if (!seen && log->nnames < 32)
				snprintf(log->names[log->nnames++], sizeof log->names[0], "%s", name);
			else if (!seen)
				log->names_unknown++;
		}
		return;
	}
	if (e->level == XML_ERR_WARNING)
		return;
	if (e->code == XML_ERR_ENTITY_LOOP) {
		log->loop = 1; /* the last report is the reference in the document itself */
		log->loop_line = e->line;
		log->loop_col = e->int2;
	}
	if (e->code != XML_ERR_ENTITY_LOOP)
		log->other_fatal++;
	if (!log->fatal++) {
		log->code = e->code;
		log->line = e->line;
		log->col = e->int2;
		copy_msg(log->msg, sizeof log->msg, e->message);
	}
}

static xmlParserInputPtr no_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)ctx;
	(void)public_id;
	(void)system_id;
	return NULL; /* nothing outside the input is ever read */
}

/* Parses UTF-8 XML; the declared encoding is ignored (the bytes were decoded already). */
static xmlDoc *parse(const char *utf8, size_t len, parse_log *log, int *oom_flag)
{
	memset(log, 0, sizeof *log);
	xmlParserCtxtPtr pc = xmlCreateMemoryParserCtxt(utf8, (int)len);
	if (!pc) {
		*oom_flag = 1;
		return NULL;
	}
	/* never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE: the defaults bound depth and expansion */
	xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_IGNORE_ENC |
	                          XML_PARSE_COMPACT);
	pc->_private = log;
	pc->sax->serror = on_error;
	pc->sax->resolveEntity = no_entity;
	pc->sax->externalSubset = NULL;
	xmlSwitchEncoding(pc, XML_CHAR_ENCODING_UTF8);
	xmlParseDocument(pc);
	xmlDoc *doc = pc->myDoc;
	pc->myDoc = NULL;
	if (!pc->wellFormed && !log->fatal && !log->undeclared) {
		/* not well-formed without a report (should not happen): say so */
		log->fatal = 1;
		copy_msg(log->msg, sizeof log->msg, "not well-formed XML");
	}
	xmlFreeParserCtxt(pc);
	return doc;
}

/* A copy of the input with an internal DTD subset declaring the given HTML entities, inserted after the XML
 * declaration on the same line (so that line numbers do not move). *at and *added say where and how much. */
static char *with_entity_decls(const char *utf8, size_t len, const parse_log *log, size_t *newlen, size_t *at,
                               size_t *added)
{
	size_t pos = 0;
	if (len >= 5 && !memcmp(utf8, "<?xml", 5)) {
		const char *e = strstr(utf8, "?>");
		if (!e)
			return NULL;
		pos = (size_t)(e - utf8) + 2;
	}
	gal_buf b = GAL_BUF_INIT;
	gal_buf_put(&b, utf8, pos);
	gal_buf_puts(&b, "<!DOCTYPE nitf [");
	for (int i = 0; i < log->nnames; i++) {
		const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)log->names[i]);
		if (d)
			gal_buf_printf(&b, "<!ENTITY %s \"&#%u;\">", log->names[i], d->value);
	}
	gal_buf_puts(&b, "]>");
	*at = pos;
	*added = b.len - pos;
	gal_buf_put(&b, utf8 + pos, len - pos);
	*newlen = b.len;
	return gal_buf_detach(&b);
}

/* ------------------------------------------------------------------ entry points */

static int nitf_to_tree(const char *utf8, size_t len, const gal_options *opts, gal_node **out, gal_error *err)
{
	if (len > (size_t)INT32_MAX / 2) {
		gal_error_set(err, GAL_ELIMIT, opts, FMT, 0, 0, "input too large");
		return GAL_ELIMIT;
	}
	parse_log log;
	int no_mem = 0;
	xmlDoc *doc = parse(utf8, len, &log, &no_mem);
	char *again = NULL;
	size_t at = 0, added = 0;
	long first_line = 1;
	/* &nbsp; and friends without a DTD: not XML, but common; read them as the HTML entities they are. (Many
	 * undeclared references also trip libxml2's amplification check: the second parse decides.) */
	if (!log.other_fatal && log.undeclared && !log.names_unknown && (!doc || !doc->intSubset)) {
		size_t n2;
		parse_log first = log;
		if ((again = with_entity_decls(utf8, len, &first, &n2, &at, &added))) {
			for (size_t i = 0; i < at; i++)
				first_line += utf8[i] == '\n';
			xmlFreeDoc(doc);
			doc = parse(again, n2, &log, &no_mem);
			gal_warn(opts, FMT, first.und_line,
			         "entities used without a declaration (&%s;%s): read as the HTML entities",
			         first.names[0], first.nnames > 1 ? " and others" : "");
		}
	}
	free(again);
	if (no_mem) {
		xmlFreeDoc(doc);
		gal_error_set(err, GAL_ENOMEM, opts, FMT, 0, 0, "out of memory");
		return GAL_ENOMEM;
	}
	if (log.fatal || log.undeclared) {
		int loop = log.loop;
		long line = loop && log.loop_line ? log.loop_line : log.fatal ? log.line : log.und_line;
		long col = loop && log.loop_line ? log.loop_col : log.fatal ? log.col : log.und_col;
		if (added && line == first_line && col > (long)added)
			col -= (long)added;
		xmlFreeDoc(doc);
		if (loop) {
			gal_error_set(err, GAL_ELIMIT, opts, FMT, line, col,
			              "entity expansion refused at line %ld, column %ld (an entity reference loop or "
			              "expansion bomb)",
			              line, col);
			return GAL_ELIMIT;
		}
		const char *msg = log.fatal ? log.msg : log.und_msg;
		if (!strncmp(msg, "Excessive depth", 15)) {
			gal_error_set(err, GAL_ELIMIT, opts, FMT, line, col,
			              "elements nested more than %u deep (line %ld, column %ld): refused",
			              xmlParserMaxDepth, line, col);
			return GAL_ELIMIT;
		}
		gal_error_set(err, GAL_EPARSE, opts, FMT, line, col, "not well-formed XML (line %ld, column %ld): %s",
		              line, col, msg);
		return GAL_EPARSE;
	}
	if (log.ns_errors && opts->verbose)
		gal_warn(opts, FMT, log.ns_line, "%s%s: read anyway", log.ns_msg,
		         log.ns_errors > 1 ? " (and other namespace errors)" : "");
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !is(root, "nitf")) {
		if (root)
			gal_error_set(err, GAL_EPARSE, opts, FMT, line_of(root), 0,
			              "not NITF: the root element is <%s>, not <nitf>", (const char *)root->name);
		else
			gal_error_set(err, GAL_EPARSE, opts, FMT, 0, 0, "not NITF: no root element");
		xmlFreeDoc(doc);
		return GAL_EPARSE;
	}

	nctx c;
	memset(&c, 0, sizeof c);
	c.opts = opts;
	c.err = err;
	c.nodes = 2;
	c.ws = 1;
	/* room for what entities legitimately add; a bomb needs far more */
	c.budget = (size_t)4 << 20;
	c.budget += len < ((size_t)64 << 20) ? len * 4 : (size_t)256 << 20;
	c.budget_total = c.budget;
	expand_entities(&c, doc, root);
	c.doc = gal_node_new(GAL_NODE_DOCUMENT);
	c.art = gal_node_new(GAL_NODE_ARTICLE);
	if (!c.status && (!c.doc || !c.art))
		oom(&c);
	if (!c.status) {
		gal_node_append(c.doc, c.art);
		c.m = gal_node_meta(c.art);
		read_nitf(&c, root);
	} else
		gal_node_free(c.art);
	xmlFreeDoc(doc);
	free(c.title);
	free(c.doc_rights);
	free(c.scope);
	free(c.pub_name);
	free(c.pub_date);
	free(c.story_norm);
	if (c.status) {
		gal_node_free(c.doc);
		return c.status;
	}
	gal_tree_normalize(c.doc);
	*out = c.doc;
	return GAL_OK;
}

static int nitf_read(const char *data, size_t len, const gal_options *opts, gal_node **out, gal_error *err)
{
	/* UTF-16 is full of NUL bytes: not binary when the user says so */
	if (!gal_charset_wide(opts->charset.from) && gal_looks_binary(data, len)) {
		gal_error_set(err, GAL_EPARSE, opts, FMT, 0, 0, "not NITF: the input is binary data");
		return GAL_EPARSE;
	}
	char *utf8;
	size_t n;
	char label[GAL_CHARSET_NAME_MAX];
	int rc = gal_decode(data, len, GAL_SNIFF_XML, opts->charset.from, opts, FMT, NULL, &utf8, &n, label, err);
	if (rc)
		return rc;
	/* nothing, or a byte order mark and nothing else */
	if (n == 0) {
		free(utf8);
		gal_error_set(err, GAL_EPARSE, opts, FMT, 0, 0, "empty input");
		return GAL_EPARSE;
	}
	rc = nitf_to_tree(utf8, n, opts, out, err);
	free(utf8);
	if (!rc && gal_set_string(&gal_node_docmeta(*out)->charset, label)) {
		gal_node_free(*out);
		*out = NULL;
		gal_error_set(err, GAL_ENOMEM, opts, FMT, 0, 0, "out of memory");
		rc = GAL_ENOMEM;
	}
	return rc;
}

static const char *find_bytes(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			return hay + i;
	return NULL;
}

/* Skips the prolog (XML declaration, comments, processing instructions, DOCTYPE) and looks at the root's name. */
static int nitf_sniff(const char *data, size_t len)
{
	size_t n = len < 65536 ? len : 65536, i = 0;
	if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	for (;;) {
		while (i < n && gal_is_space((unsigned char)data[i]))
			i++;
		if (i + 1 >= n || data[i] != '<')
			return 0;
		const char *end = NULL; /* the last byte of the construct */
		if (data[i + 1] == '?')
			end = (end = find_bytes(data + i, n - i, "?>")) ? end + 1 : NULL;
		else if (i + 4 <= n && !memcmp(data + i, "<!--", 4))
			end = (end = find_bytes(data + i, n - i, "-->")) ? end + 2 : NULL;
		else if (i + 9 <= n && !gal_strncasecmp(data + i, "<!DOCTYPE", 9)) {
			int bracket = 0;
			for (size_t k = i; k < n; k++) {
				bracket += data[k] == '[' ? 1 : data[k] == ']' ? -1 : 0;
				if (data[k] == '>' && bracket <= 0) {
					end = data + k;
					break;
				}
			}
		} else {
			/* the root: <nitf or <prefix:nitf */
			size_t k = i + 1;
			while (k < n && data[k] != ':' && data[k] != '>' && data[k] != '/' &&
			       !gal_is_space((unsigned char)data[k]))
				k++;
			size_t name = i + 1;
			if (k < n && data[k] == ':')
				name = ++k;
			while (k < n && data[k] != '>' && data[k] != '/' && !gal_is_space((unsigned char)data[k]))
				k++;
			return k - name == 4 && !memcmp(data + name, "nitf", 4) ? 95 : 0;
		}
		if (!end)
			return 0;
		i = (size_t)(end - data) + 1;
	}
}

const gal_format gal_format_nitf = {
    "nitf",     "xml",     "xml nitf",     "NITF 3.x news stories (IPTC News Industry Text Format)",
    nitf_sniff, nitf_read, gal_nitf_write, 0, GAL_OUTPUT_OWN,
};
