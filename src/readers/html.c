/* html.c: the HTML reader. libxml2's HTML parser, through html_dom.c, builds a DOM (recovering as browsers do);
 * this file maps it onto the article tree and reads the page's metadata (<meta>, Open Graph, JSON-LD). */
#include "../charset.h"
#include "../date.h"
#include "../json.h"
#include "../node.h"
#include "html_dom.h"
#include "html_extract.h"
#include "readers.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <pthread.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#define FMT "HTML"

/* ------------------------------------------------------------------ element kinds */

typedef enum {
	K_INLINE = 0, /* unknown and transparent inline elements: their text is kept */
	K_SKIP,
	K_BLOCK, /* transparent block container */
	K_P,
	K_H,
	K_BQ,
	K_LIST,
	K_LI,
	K_DL,
	K_DT,
	K_DD,
	K_TABLE,
	K_FIGURE,
	K_FIGCAPTION,
	K_PRE,
	K_HR,
	K_IMG,
	K_BR,
	K_EM,
	K_STRONG,
	K_A,
	K_CODE,
	K_SUP,
	K_SUB,
	K_Q,
	K_TABLE_PART /* tr, td, th, thead, tbody, tfoot, caption, colgroup, col outside their table */
} kind;

static const struct {
	const char *name;
	kind k;
} kinds[] = {
    {"a", K_A},           {"address", K_BLOCK},   {"area", K_SKIP},        {"article", K_BLOCK},
    {"aside", K_BLOCK},   {"audio", K_SKIP},      {"b", K_STRONG},         {"blockquote", K_BQ},
    {"body", K_BLOCK},    {"br", K_BR},           {"button", K_SKIP},      {"canvas", K_SKIP},
    {"caption", K_TABLE_PART}, {"center", K_BLOCK}, {"cite", K_EM},        {"code", K_CODE},
    {"col", K_SKIP},      {"colgroup", K_SKIP},   {"datalist", K_SKIP},    {"dd", K_DD},
    {"details", K_BLOCK}, {"dfn", K_EM},          {"dialog", K_BLOCK},     {"dir", K_LIST},
    {"div", K_BLOCK},     {"dl", K_DL},           {"dt", K_DT},            {"em", K_EM},
    {"embed", K_SKIP},    {"fieldset", K_BLOCK},  {"figcaption", K_FIGCAPTION}, {"figure", K_FIGURE},
    {"footer", K_BLOCK},  {"form", K_BLOCK},      {"frame", K_SKIP},       {"frameset", K_SKIP},
    {"h1", K_H},          {"h2", K_H},            {"h3", K_H},             {"h4", K_H},
    {"h5", K_H},          {"h6", K_H},            {"head", K_SKIP},        {"header", K_BLOCK},
    {"hgroup", K_BLOCK},  {"hr", K_HR},           {"html", K_BLOCK},       {"i", K_EM},
    {"iframe", K_SKIP},   {"img", K_IMG},         {"input", K_SKIP},       {"kbd", K_CODE},
    {"legend", K_BLOCK},  {"li", K_LI},           {"link", K_SKIP},        {"listing", K_PRE},
    {"main", K_BLOCK},    {"map", K_SKIP},        {"menu", K_LIST},        {"meta", K_SKIP},
    {"nav", K_BLOCK},     {"noembed", K_SKIP},    {"noframes", K_SKIP},    {"noscript", K_SKIP},
    {"object", K_SKIP},   {"ol", K_LIST},         {"optgroup", K_SKIP},    {"option", K_SKIP},
    {"p", K_P},           {"param", K_SKIP},      {"plaintext", K_PRE},    {"pre", K_PRE},
    {"progress", K_SKIP}, {"q", K_Q},             {"samp", K_CODE},        {"script", K_SKIP},
    {"search", K_BLOCK},  {"section", K_BLOCK},   {"select", K_SKIP},      {"source", K_INLINE},
    {"strong", K_STRONG}, {"style", K_SKIP},      {"sub", K_SUB},          {"summary", K_BLOCK},
    {"sup", K_SUP},       {"svg", K_SKIP},        {"table", K_TABLE},      {"tbody", K_TABLE_PART},
    {"td", K_TABLE_PART}, {"template", K_SKIP},   {"textarea", K_SKIP},    {"tfoot", K_TABLE_PART},
    {"th", K_TABLE_PART}, {"thead", K_TABLE_PART}, {"title", K_SKIP},      {"tr", K_TABLE_PART},
    {"track", K_INLINE},    {"tt", K_CODE},         {"ul", K_LIST},          {"var", K_EM},
    {"video", K_SKIP},    {"xmp", K_PRE},
};

/* The table in a hash set, built once: an element's kind costs one hash of its name and, mostly, one string
 * comparison (the reader asks it of every element of every page). */
enum { KIND_SLOTS = 256 };
static unsigned char kind_slot[KIND_SLOTS]; /* index into kinds + 1; 0 = empty */
static pthread_once_t kind_once = PTHREAD_ONCE_INIT;

static unsigned kind_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void kind_index_build(void)
{
	_Static_assert(sizeof kinds / sizeof *kinds < KIND_SLOTS / 2, "kind_slot too small");
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		unsigned h = kind_hash(kinds[i].name) % KIND_SLOTS;
		while (kind_slot[h])
			h = (h + 1) % KIND_SLOTS;
		kind_slot[h] = (unsigned char)(i + 1);
	}
}

static kind kind_lookup(const char *name)
{
	pthread_once(&kind_once, kind_index_build);
	for (unsigned h = kind_hash(name) % KIND_SLOTS; kind_slot[h]; h = (h + 1) % KIND_SLOTS)
		if (!strcmp(name, kinds[kind_slot[h] - 1].name))
			return kinds[kind_slot[h] - 1].k;
	/* AMP and similar custom images */
	if (!strcmp(name, "amp-img"))
		return K_IMG;
	return K_INLINE;
}

/* An element's kind, looked up once and kept in the node's spare `extra` field under a marker: the reader and the
 * extractor ask for every element's kind many times. libxml2 uses `extra` only in XInclude, XPath and the text
 * reader, none of which galley runs on these trees; the marker guards against a version that sets it. */
enum { KIND_MARK = 0xA500 };

static kind kind_of(const xmlNode *x)
{
	if (x->type != XML_ELEMENT_NODE)
		return K_INLINE;
	if ((x->extra & 0xFF00) != KIND_MARK)
		((xmlNode *)x)->extra = (unsigned short)(KIND_MARK | kind_lookup((const char *)x->name));
	return (kind)(x->extra & 0xFF);
}

static int is_block_kind(kind k)
{
	return k != K_INLINE && k != K_SKIP && k != K_A && k != K_EM && k != K_STRONG && k != K_CODE && k != K_SUP &&
	       k != K_SUB && k != K_Q && k != K_BR && k != K_IMG;
}

int gal_html_elem_class(const xmlNode *x)
{
	kind k = kind_of(x);
	return k == K_SKIP ? GAL_HE_SKIP : is_block_kind(k) ? GAL_HE_BLOCK : GAL_HE_INLINE;
}

/* ------------------------------------------------------------------ reader state */

typedef struct {
	const gal_options *opts;
	gal_error *err;
	int status;
	size_t nodes;
	int depth;
	int depth_warned;
	int ws; /* the inline text built so far ends in white space (or nothing): collapse the next space */
	gal_node *para_for_ws; /* the block whose inline content `ws` describes */
} hctx;

static gal_node *new_node(hctx *c, gal_node_type t)
{
	if (c->status)
		return NULL;
	if (++c->nodes > c->opts->limits.max_nodes) {
		gal_error_set(c->err, GAL_ELIMIT, c->opts, FMT, 0, 0, "more than %zu nodes: refused",
			      c->opts->limits.max_nodes);
		c->status = GAL_ELIMIT;
		return NULL;
	}
	gal_node *n = gal_node_new(t);
	if (!n) {
		gal_error_set(c->err, GAL_ENOMEM, c->opts, FMT, 0, 0, "out of memory");
		c->status = GAL_ENOMEM;
	}
	return n;
}

/* Appends a new node of type t to parent; NULL (and nothing appended) when parent may not hold it. */
static gal_node *add(hctx *c, gal_node *parent, gal_node_type t)
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

/* ------------------------------------------------------------------ inline text */

/* Appends text with HTML white-space collapsing (spaces, tabs, newlines -> one space). */
static void append_text(hctx *c, gal_node *parent, const char *s)
{
	/* collapsed into one buffer sized once (on the stack for the usual short text node) */
	size_t n = strlen(s), o = 0;
	char small[1024], *b = n < sizeof small ? small : malloc(n + 1);
	if (!b) {
		gal_error_set(c->err, GAL_ENOMEM, c->opts, FMT, 0, 0, "out of memory");
		c->status = GAL_ENOMEM;
		return;
	}
	o = gal_collapse_run(s, b, &c->ws);
	if (o) {
		gal_node *last = parent->last;
		if (!(last && last->type == GAL_NODE_TEXT))
			last = add(c, parent, GAL_NODE_TEXT);
		if (last)
			gal_node_append_literal(last, b, o);
	}
	if (b != small)
		free(b);
}

static void append_raw(hctx *c, gal_node *parent, const char *s)
{
	gal_node *t = add(c, parent, GAL_NODE_TEXT);
	if (t)
		gal_node_set_literal(t, s, strlen(s));
	c->ws = 0;
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
		gal_node_free_up(n, block); /* the text became empty: drop it, then look again */
	}
}

/* Ends an inline block: trims its edges, and removes it if nothing is left. */
static void finish_inline_block(gal_node *b)
{
	gal_inline_block_trim(b);
	if (!b->first)
		gal_node_free(b);
}

/* Text of a DOM subtree (text nodes only, skipping script/style; <br> as a newline), for attributes and
 * literals. Iterative: it also serves as the fallback for subtrees nested beyond the depth limit. */
static void dom_text(const xmlNode *root, gal_buf *b)
{
	const xmlNode *x = root->children;
	while (x) {
		const xmlNode *down = NULL;
		if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE)
			gal_buf_puts(b, (const char *)x->content);
		else if (x->type == XML_ELEMENT_NODE) {
			kind k = kind_of(x);
			if (k == K_BR)
				gal_buf_putc(b, '\n');
			else if (k != K_SKIP)
				down = x->children;
		}
		x = gal_dom_next(x, root, down != NULL);
	}
}

/* The text of the nodes from `first` to the last sibling, text nodes included. */
static void dom_text_from(const xmlNode *first, gal_buf *b)
{
	for (const xmlNode *k = first; k; k = k->next)
		if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE)
			gal_buf_puts(b, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE)
			dom_text(k, b);
}

static char *dom_text_collapsed(const xmlNode *x)
{
	gal_buf b = GAL_BUF_INIT;
	dom_text(x, &b);
	char *s = gal_collapse_ws(b.data ? b.data : "");
	gal_buf_free(&b);
	return s;
}

char *gal_html_text(const xmlNode *x) { return dom_text_collapsed(x); }

/* ------------------------------------------------------------------ inline elements */

static void inline_children(hctx *c, const xmlNode *x, gal_node *parent);
static void blocks(hctx *c, const xmlNode *first, gal_node *container);
static void blocks_until(hctx *c, const xmlNode *first, const xmlNode *last, gal_node *container);

static int deeper(hctx *c)
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

/* A stand-in picture shown until a script loads the real one: the element says it is lazy, or the file's
 * name says what it is ("placeholder-16x9.png", "blank.gif", "spacer.gif"). */
static int placeholder_src(const xmlNode *img, const char *src)
{
	const char *cls = gal_dom_attr(img, "class");
	if (cls && gal_dom_contains_ci(cls, "lazy"))
		return 1;
	const char *name = strrchr(src, '/');
	name = name ? name + 1 : src;
	static const char *const stand_in[] = {"placeholder", "blank.", "spacer", "transparent.", "pixel.", "1x1.",
					       "lazy", "loading.", "grey.", "gray.", NULL};
	for (size_t i = 0; stand_in[i]; i++)
		if (gal_dom_contains_ci(name, stand_in[i]))
			return 1;
	return 0;
}

static const char *image_src(const xmlNode *img)
{
	const char *src = gal_dom_attr(img, "src");
	/* lazy-loading pages put a placeholder in src and the real image elsewhere */
	const char *lazy[] = {"data-src", "data-original", "data-lazy-src", "data-url"};
	const char *v = NULL;
	for (size_t i = 0; i < sizeof lazy / sizeof *lazy && !(v && *v); i++)
		v = gal_dom_attr(img, lazy[i]);
	if (v && *v && (!src || !*src || !strncmp(src, "data:", 5) || placeholder_src(img, src)))
		return v;
	return src;
}

static void inline_elem(hctx *c, const xmlNode *x, gal_node *parent)
{
	kind k = kind_of(x);
	if (k == K_SKIP)
		return;
	if (!deeper(c)) {
		char *t = dom_text_collapsed(x);
		if (t && *t) {
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
	case K_EM:
	case K_STRONG:
	case K_SUP:
	case K_SUB:
		n = add(c, parent,
			k == K_EM       ? GAL_NODE_EMPH
			: k == K_STRONG ? GAL_NODE_STRONG
			: k == K_SUP    ? GAL_NODE_SUPERSCRIPT
					: GAL_NODE_SUBSCRIPT);
		inline_children(c, x, n ? n : parent);
		break;
	case K_A: {
		const char *href = gal_dom_attr(x, "href");
		if (href && (n = add(c, parent, GAL_NODE_LINK))) {
			char *h = gal_collapse_ws(href);
			gal_node_set_attr(n, GAL_ATTR_HREF, h);
			free(h);
			const char *title = gal_dom_attr(x, "title");
			if (title && *title)
				gal_node_set_attr(n, GAL_ATTR_TITLE, title);
		}
		inline_children(c, x, n ? n : parent);
		break;
	}
	case K_CODE: {
		gal_buf b = GAL_BUF_INIT;
		dom_text(x, &b);
		char *t = gal_collapse_ws(b.data ? b.data : "");
		/* white space in code collapses as a browser shows it; edge spaces stay outside the span */
		if (t && *t) {
			if (b.data && gal_is_space((unsigned char)b.data[0]) && !c->ws)
				append_text(c, parent, " ");
			if ((n = add(c, parent, GAL_NODE_CODE)))
				gal_node_set_literal(n, t, strlen(t));
			c->ws = 0;
			if (b.len && gal_is_space((unsigned char)b.data[b.len - 1]))
				append_text(c, parent, " ");
		}
		free(t);
		gal_buf_free(&b);
		break;
	}
	case K_Q:
		append_text(c, parent, "\xe2\x80\x9c");
		inline_children(c, x, parent);
		append_text(c, parent, "\xe2\x80\x9d");
		break;
	case K_IMG: {
		/* an image inside running text: its alt text stands for it */
		const char *alt = gal_dom_attr(x, "alt");
		if (alt && *alt) {
			char *a = gal_collapse_ws(alt);
			if (a && *a)
				append_text(c, parent, a);
			free(a);
		}
		break;
	}
	case K_INLINE:
		inline_children(c, x, parent);
		break;
	default:
		/* a block inside inline content (a table in a table cell, a list in a link): its text is kept,
		 * set apart by spaces */
		if (!c->ws)
			append_text(c, parent, " ");
		inline_children(c, x, parent);
		if (!c->ws)
			append_text(c, parent, " ");
		break;
	}
	c->depth--;
}

static void inline_children(hctx *c, const xmlNode *x, gal_node *parent)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE)
			append_text(c, parent, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE)
			inline_elem(c, k, parent);
	}
}

/* ------------------------------------------------------------------ block elements */

/* Whether an inline element holds block content (then it is treated as a transparent block container).
 * The search is bounded; a huge subtree counts as holding blocks. */
static int holds_blocks(const xmlNode *x)
{
	const xmlNode *stack[64];
	int sp = 0, seen = 0;
	stack[sp++] = x;
	while (sp) {
		const xmlNode *n = stack[--sp];
		for (const xmlNode *k = n->children; k; k = k->next) {
			if (k->type != XML_ELEMENT_NODE)
				continue;
			if (++seen > 2000)
				return 1;
			kind kk = kind_of(k);
			if (is_block_kind(kk) && kk != K_SKIP)
				return 1;
			if (kk != K_SKIP && k->children) {
				if (sp == 64)
					return 1;
				stack[sp++] = k;
			}
		}
	}
	return 0;
}

static int has_class_word(const xmlNode *x, const char *const *words)
{
	const char *cls = gal_dom_attr(x, "class");
	if (!cls)
		return 0;
	for (size_t i = 0; words[i]; i++)
		if (gal_dom_contains_ci(cls, words[i]))
			return 1;
	return 0;
}

static void paragraph(hctx *c, const xmlNode *x, gal_node *container, gal_node_type t, int level)
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

static void set_image(gal_node *fig, const xmlNode *img)
{
	const char *src = image_src(img), *alt = gal_dom_attr(img, "alt");
	char *s = src ? gal_collapse_ws(src) : NULL;
	gal_node_set_attr(fig, GAL_ATTR_SRC, s);
	free(s);
	if (alt) {
		char *a = gal_collapse_ws(alt);
		if (a && *a)
			gal_node_set_attr(fig, GAL_ATTR_ALT, a);
		free(a);
	}
}

/* A paragraph (or link) whose whole content is one image: returns the image. */
static const char *image_src(const xmlNode *img);

/* Two image elements of the same picture (the same source, lazy or not). */
static int same_image(const xmlNode *a, const xmlNode *b)
{
	const char *sa = image_src(a), *sb = image_src(b);
	return sa && sb && *sa && !strcmp(sa, sb);
}

/* An element with nothing in it but white space (no element, no text). */
static int blank_element(const xmlNode *x)
{
	for (const xmlNode *k = x->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE || ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) &&
						    !gal_dom_is_blank(k)))
			return 0;
	return 1;
}

static int enlarge_link(const xmlNode *k);

/* Whether x shows nothing but a picture viewer's controls: buttons, "Enlarge this image", no picture and no
 * other text (a viewer's box beside the picture). */
static int controls_only(const xmlNode *x, int depth)
{
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (k->type == XML_TEXT_NODE) {
			if (!gal_dom_is_blank(k))
				return 0;
		} else if (k->type == XML_ELEMENT_NODE) {
			kind kk = kind_of(k);
			if (kk == K_SKIP || kk == K_BR || enlarge_link(k))
				continue;
			if (kk == K_IMG || depth >= 4 || !controls_only(k, depth + 1))
				return 0;
		}
	}
	return 1;
}

static const xmlNode *lone_image(const xmlNode *x, int depth)
{
	const xmlNode *img = NULL;
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (k->type == XML_TEXT_NODE) {
			for (const char *p = (const char *)k->content; *p; p++)
				if (!gal_is_space((unsigned char)*p))
					return NULL;
		} else if (k->type == XML_ELEMENT_NODE) {
			kind kk = kind_of(k);
			/* a <picture>'s <source> elements are the same image in other sizes (libxml2, which does not know
			 * them as empty, nests the rest of the picture in them) */
			int source = !strcmp((const char *)k->name, "source");
			/* (and wrappers emptied by the extractor: a picture's share buttons) */
			if (kk == K_SKIP || kk == K_BR || (source && !k->children) || (kk != K_IMG && blank_element(k)) ||
			    enlarge_link(k) || (kk != K_IMG && controls_only(k, 0)))
				continue;
			if (img && kk == K_IMG && same_image(img, k))
				continue; /* the same picture twice (an AMP copy beside a lazy one) */
			if (img)
				return NULL;
			if (kk == K_IMG)
				img = k;
			else if ((kk == K_A || source || !strcmp((const char *)k->name, "picture") ||
				  !strcmp((const char *)k->name, "span") || !strcmp((const char *)k->name, "div")) &&
				 depth < 6)
				img = lone_image(k, depth + 1);
			else
				return NULL;
			if (!img)
				return NULL;
		}
	}
	return img;
}

static void collect_images(const xmlNode *x, const xmlNode **imgs, int *n, int max, int depth)
{
	for (const xmlNode *k = x->children; k && *n < max; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		kind kk = kind_of(k);
		if (kk == K_IMG)
			imgs[(*n)++] = k;
		else if (kk != K_FIGCAPTION && kk != K_SKIP && depth < 32)
			collect_images(k, imgs, n, max, depth + 1);
	}
}

static const xmlNode *child_of_kind(const xmlNode *x, kind k)
{
	for (const xmlNode *n = x->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && kind_of(n) == k)
			return n;
	return NULL;
}

static const char *const credit_words[] = {"credit", "copyright", "photographer", "byline", "source", NULL};

/* The last element of a caption, set apart in its own element, that reads as a credit: "Photo: ...",
 * "© ...", "Name / Agency", a picture agency's name. */
static int credit_like(const xmlNode *k)
{
	for (const xmlNode *n = k->next; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE || (n->type == XML_TEXT_NODE && !gal_dom_is_blank(n)))
			return 0;
	static const char *const tags[] = {"span", "small", "em", "i", "cite", "div", "p", "b", NULL};
	int tag = 0;
	for (size_t i = 0; tags[i]; i++)
		tag |= !strcmp((const char *)k->name, tags[i]);
	if (!tag)
		return 0;
	char *t = dom_text_collapsed(k);
	int yes = 0;
	if (t && *t && strlen(t) < 120) {
		static const char *const starts[] = {"photo", "foto", "image", "picture", "pictured", "credit", "courtesy",
						     "illustration", "graphic", "bild", "source", "quelle", "crédit",
						     "fuente", "fonte", "\xc2\xa9", "(c)",
						     "\xd0\xa4\xd0\xbe\xd1\x82\xd0\xbe", /* "Фото" */ NULL};
		static const char *const has[] = {"\xc2\xa9", "getty", "reuters", "afp", "ap photo", "dpa",
						  "shutterstock", "istock", "epa-efe", "photographer",
						  /* "courtesy of", "photographed by" (ja, zh), "photo" (ru) */
						  "\xe6\x8f\x90\xe4\xbe\x9b", "\xe6\x92\xae\xe5\xbd\xb1", "\xe6\x91\x84",
						  "\xd1\x84\xd0\xbe\xd1\x82\xd0\xbe", NULL};
		for (size_t i = 0; starts[i] && !yes; i++)
			yes = !gal_strncasecmp(t, starts[i], strlen(starts[i]));
		for (size_t i = 0; has[i] && !yes; i++)
			yes = gal_dom_contains_ci(t, has[i]);
		/* "Name / Agency", "AGENCY/Name"; not a date ("on 17/10") */
		for (const char *q = strchr(t, '/'); q && !yes; q = strchr(q + 1, '/'))
			yes = q > t && !(q[-1] >= '0' && q[-1] <= '9' && q[1] >= '0' && q[1] <= '9');
	}
	free(t);
	return yes;
}

/* Whether the text under x is at most max bytes (stops counting past it). */
static int text_within(const xmlNode *x, size_t max)
{
	size_t n = 0;
	for (const xmlNode *k = x->children; k; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE)) {
		if (k->type == XML_TEXT_NODE && k->content)
			for (const unsigned char *p = k->content; *p; p++)
				if (!gal_is_space(*p) && ++n > max)
					return 0;
	}
	return 1;
}

/* A caption's link to the picture's full size ("Enlarge", "Enlarge this image"), and a separator after it ("/",
 * "|"); the caption's own switches ("hide caption", "toggle caption"). */
static int enlarge_link(const xmlNode *k)
{
	if (k->type != XML_ELEMENT_NODE)
		return 0;
	kind kk = kind_of(k);
	int link = kk == K_A;
	if (!link && kk != K_INLINE && kk != K_STRONG && kk != K_EM)
		return 0;
	static const char *const words[] = {"enlarge", "expand", "zoom", "view larger", "vergrößern", "agrandir",
					    "ampliar", "ingrandisci", "enlarge this image", "enlarge image",
					    "expand image", "view full size", "view photo", "see photo", "view image",
					    "lihat foto", "ver foto", "voir la photo", "foto ansehen", "zobrazit foto", NULL};
	static const char *const switches[] = {"hide caption", "toggle caption", "show caption", "close caption",
					       NULL};
	if (!text_within(k, 48))
		return 0; /* (longer than any of the words: not collapsed, which costs the whole subtree's text) */
	char *t = dom_text_collapsed(k);
	int yes = 0;
	for (size_t i = 0; t && link && words[i] && !yes; i++)
		yes = !gal_strcasecmp(t, words[i]);
	for (size_t i = 0; t && switches[i] && !yes; i++)
		yes = !gal_strcasecmp(t, switches[i]);
	/* a gallery's counter as a link: "24 fotografií", "12 photos", "+19" */
	if (t && link && !yes && strlen(t) < 24 && (*t == '+' || (*t >= '0' && *t <= '9'))) {
		const char *q = t + (*t == '+');
		while (*q >= '0' && *q <= '9')
			q++;
		static const char *const photo[] = {"foto", "photo", "picture", "image", "bild", "zdj", "slide", NULL};
		int word = 0;
		for (size_t i = 0; photo[i] && *q == ' ' && !word; i++)
			word = !gal_strncasecmp(q + 1, photo[i], strlen(photo[i]));
		yes = q > t + (*t == '+') && ((!*q && *t == '+') || (word && !strchr(q + 1, ' ')));
	}
	free(t);
	return yes;
}

static int separator(const xmlNode *k)
{
	char *t = k->type == XML_ELEMENT_NODE ? dom_text_collapsed(k)
		  : k->type == XML_TEXT_NODE && k->content ? gal_collapse_ws((const char *)k->content)
							   : NULL;
	int yes = t && (!strcmp(t, "/") || !strcmp(t, "|") || !strcmp(t, ""));
	free(t);
	return yes;
}

/* Figure caption: inline content of the figcaption, with credit elements taken out into `credit`. */
static void caption_inlines(hctx *c, const xmlNode *x, gal_node *parent, gal_buf *credit, int depth)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (enlarge_link(k)) {
			while (k->next && separator(k->next))
				k = k->next;
			continue;
		}
		if (k->type == XML_TEXT_NODE)
			append_text(c, parent, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE) {
			/* "<span>Caption.</span><span>NAME</span>": two lines on the page, not one word */
			const gal_node *last = gal_node_last_child(parent);
			const char *lt = last && last->type == GAL_NODE_TEXT ? gal_node_literal(last) : NULL;
			size_t ll = lt ? strlen(lt) : 0;
			if (ll && strchr(".!?", lt[ll - 1]))
				append_text(c, parent, " ");
			if (has_class_word(k, credit_words) || credit_like(k)) {
				char *t = dom_text_collapsed(k);
				if (t && *t) {
					if (credit->len)
						gal_buf_puts(credit, "; ");
					gal_buf_puts(credit, t);
				}
				free(t);
			} else if (kind_of(k) == K_INLINE && depth < 8 && !holds_blocks(k))
				caption_inlines(c, k, parent, credit, depth + 1);
			else if ((kind_of(k) == K_BLOCK || kind_of(k) == K_P || kind_of(k) == K_FIGCAPTION) && depth < 8) {
				/* a caption box's blocks (caption_box): their text, one after the other */
				append_text(c, parent, " ");
				caption_inlines(c, k, parent, credit, depth + 1);
			} else
				inline_elem(c, k, parent);
		}
	}
}

/* "(Photo: AP)" -> "Photo: AP": writers add their own brackets. */
static char *unparen(char *s)
{
	/* "| Agency / Name", "- Credit": a bar or dash that set the credit apart from the caption */
	if (s && (*s == '|' || (*s == '-' && s[1] == ' '))) {
		size_t skip = 1;
		while (s[skip] == ' ')
			skip++;
		memmove(s, s + skip, strlen(s + skip) + 1);
	}
	size_t n = s ? strlen(s) : 0;
	if (n >= 2 && ((s[0] == '(' && s[n - 1] == ')' && !memchr(s + 1, '(', n - 2)) ||
		       (s[0] == '[' && s[n - 1] == ']' && !memchr(s + 1, '[', n - 2)))) {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	} else if (n >= 6 && !memcmp(s, "\xef\xbc\x88", 3) && !memcmp(s + n - 3, "\xef\xbc\x89", 3)) {
		/* full-width parentheses */
		memmove(s, s + 3, n - 6);
		s[n - 6] = '\0';
	}
	return s;
}

/* The last sentence of a caption's text when it reads as a credit ("... on Friday. Photo: Jane Doe",
 * "...。记者 陈思远 摄"); NULL otherwise. */
static const char *tail_credit(const char *t)
{
	/* "... (foto Vigili del fuoco)", "... (Photo: Jane Doe)"; "... [File: Agency]" */
	size_t tl = strlen(t);
	if (tl > 3 && t[tl - 1] == ']') {
		const char *open = strrchr(t, '[');
		if (open && open > t && open[-1] == ' ' && tl - (size_t)(open - t) < 80 &&
		    (strchr(open, '/') || strchr(open, ':') || !gal_strncasecmp(open + 1, "photo ", 6) ||
		     !gal_strncasecmp(open + 1, "foto ", 5) || !strncmp(open + 1, "\xec\x82\xac\xec\xa7\x84", 6)))
			return open; /* ("[사진 Agency]": "photo" in Korean) */
	}
	if (tl > 3 && t[tl - 1] == ')') {
		const char *open = strrchr(t, '(');
		static const char *const paren[] = {"foto ", "foto:", "photo ", "photo:", "credit", "\xc2\xa9", "ph. ",
						    "ph:", NULL};
		for (size_t i = 0; open && open > t && paren[i]; i++)
			if (!gal_strncasecmp(open + 1, paren[i], strlen(paren[i])))
				return open;
	}
	/* "Caption | Name | Outlet": the credit after the first bar */
	const char *bar = strstr(t, " | ");
	if (bar && bar - t >= 20 && strlen(bar + 3) < 80 && !strstr(bar + 3, ". "))
		return bar + 3;
	const char *start = NULL;
	for (const char *p = t; *p; p++) {
		if (!strncmp(p, "\xe3\x80\x82", 3)) /* 。 */
			start = p + 3;
		else if ((*p == '.' || *p == '!' || *p == '?') && p[1] == ' ')
			start = p + 2;
		/* "Caption — Foto: Name", "Caption - Photo: Name" */
		else if (*p == ' ' && (!strncmp(p + 1, "\xe2\x80\x94 ", 4) || !strncmp(p + 1, "\xe2\x80\x93 ", 4)))
			start = p + 5;
		else if (*p == ' ' && p[1] == '-' && p[2] == ' ')
			start = p + 3;
	}
	if (!start)
		return NULL;
	while (*start == ' ')
		start++;
	size_t n = strlen(start);
	if (!n || n > 80)
		return NULL;
	static const char *const starts[] = {"photo:", "photo by ", "photograph:", "photograph by ", "foto:", "credit:",
					     "image:", "picture:", "\xc2\xa9", "\xd0\xa4\xd0\xbe\xd1\x82\xd0\xbe:",
					     "\xe1\xba\xa2nh:", "\xe1\xba\xa3nh:", /* "Ảnh:" (vi) */ NULL};
	for (size_t i = 0; starts[i]; i++)
		if (!gal_strncasecmp(start, starts[i], strlen(starts[i])))
			return start;
	/* "... 摄" (photographed by), "... 提供" (courtesy of) */
	static const char *const ends[] = {"\xe6\x91\x84", "\xe6\x8f\x90\xe4\xbe\x9b", "\xe6\x92\xae\xe5\xbd\xb1",
					   " \xea\xb8\xb0\xec\x9e\x90" /* "Name 기자" (ko: reporter) */, NULL};
	for (size_t i = 0; ends[i]; i++) {
		size_t el = strlen(ends[i]);
		if (n > el && !strcmp(start + n - el, ends[i]))
			return start;
	}
	return NULL;
}

/* Cuts a text node's literal to its first n bytes, less the spaces they end in (a credit taken off its end). */
static void keep_head(gal_node *t, size_t n)
{
	char *head = strndup(gal_node_literal(t), n);
	if (!head)
		return;
	while (n && head[n - 1] == ' ')
		n--;
	gal_node_set_literal(t, head, n);
	free(head);
}

/* A tail credit that starts in a text of the caption and runs on into inline elements after it ("... on 17/10.
 * Photo: <em>Jane Doe</em>"): into `credit`, and out of the caption. */
static void split_tail_credit(gal_node *fig, gal_buf *credit)
{
	gal_buf all = GAL_BUF_INIT;
	for (gal_node *k = fig->first; k; k = k->next) {
		char *t = gal_node_text(k);
		if (t)
			gal_buf_puts(&all, t);
		free(t);
	}
	const char *tail = all.data ? tail_credit(all.data) : NULL;
	size_t at = tail ? (size_t)(tail - all.data) : 0, pos = 0;
	for (gal_node *k = tail ? fig->first : NULL; k; k = k->next) {
		char *t = gal_node_text(k);
		size_t len = t ? strlen(t) : 0;
		free(t);
		if (pos + len <= at) {
			pos += len;
			continue;
		}
		/* the credit starts inside k: a text keeps what comes before it; anything else goes whole */
		if (k->type != GAL_NODE_TEXT && pos < at)
			break; /* (it starts inside an element: left as it is) */
		gal_buf_puts(credit, tail);
		if (k->type == GAL_NODE_TEXT && at > pos) {
			keep_head(k, at - pos);
			k = k->next;
		}
		while (k) {
			gal_node *next = k->next;
			gal_node_free(k);
			k = next;
		}
		break;
	}
	gal_buf_free(&all);
}

/* A figure's caption from a caption element: its inline content, and its credit apart. */
static void figure_caption(hctx *c, gal_node *fig, const xmlNode *cap)
{
	gal_buf credit = GAL_BUF_INIT;
	c->ws = 1;
	caption_inlines(c, cap, fig, &credit, 0);
	gal_inline_block_trim(fig);
	gal_node *last = gal_node_last_child(fig);
	const char *lt = !credit.len && last && last->type == GAL_NODE_TEXT ? gal_node_literal(last) : NULL;
	const char *tail = lt ? tail_credit(lt) : NULL;
	if (!tail && !credit.len && last)
		split_tail_credit(fig, &credit); /* "Caption. Photo: <em>Name</em>": across the caption's inlines */
	if (tail) {
		/* "Caption. Photo: Name" in one run of text */
		gal_buf_puts(&credit, tail);
		keep_head(last, (size_t)(tail - lt));
	}
	/* "Caption — <span>Photo: ...</span>": the dash before the credit goes with it */
	last = gal_node_last_child(fig);
	lt = credit.len && last && last->type == GAL_NODE_TEXT ? gal_node_literal(last) : NULL;
	if (lt) {
		size_t kl = strlen(lt);
		while (kl && lt[kl - 1] == ' ')
			kl--;
		size_t dl = kl >= 3 && (!memcmp(lt + kl - 3, "\xe2\x80\x94", 3) || !memcmp(lt + kl - 3, "\xe2\x80\x93", 3)) ? 3
			    : kl >= 1 && (lt[kl - 1] == '-' || lt[kl - 1] == '|')                                     ? 1
																 : 0;
		if (dl && kl > dl && lt[kl - dl - 1] == ' ')
			keep_head(last, kl - dl);
	}
	if (credit.len) {
		char *cr = unparen(gal_collapse_ws(credit.data));
		gal_node_set_attr(fig, GAL_ATTR_CREDIT, cr);
		free(cr);
	}
	gal_buf_free(&credit);
}

static void blockquote(hctx *c, const xmlNode *x, gal_node *container, const xmlNode *cap);

static void figure(hctx *c, const xmlNode *x, gal_node *container)
{
	const xmlNode *imgs[64];
	int n = 0;
	collect_images(x, imgs, &n, 64, 0);
	/* a lazy picture drawn by a script: the image in its <noscript> fallback */
	for (const xmlNode *k = x->children; k && !n; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE && kind_of(k) != K_FIGCAPTION))
		if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "noscript"))
			collect_images(k, imgs, &n, 64, 0);
	const xmlNode *cap = child_of_kind(x, K_FIGCAPTION);
	/* or one in a wrapper of its own (<div class="caption-wrapper"><figcaption>), not in a figure inside */
	for (const xmlNode *k = x->children; k && !cap; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE && kind_of(k) != K_FIGURE))
		if (k->type == XML_ELEMENT_NODE && kind_of(k) == K_FIGCAPTION)
			cap = k;
	if (!n) {
		/* a figure around a quotation: the caption is its attribution */
		const xmlNode *bq = child_of_kind(x, K_BQ);
		if (bq) {
			blockquote(c, bq, container, cap);
			for (const xmlNode *k = x->children; k; k = k->next)
				if (k != bq && k != cap && k->type == XML_ELEMENT_NODE)
					blocks_until(c, k, k, container); /* anything else inside */
			return;
		}
		blocks(c, x->children, container);
		return;
	}
	for (int i = 0; i < n; i++) {
		gal_node *fig = add(c, container, GAL_NODE_FIGURE);
		if (!fig)
			return;
		set_image(fig, imgs[i]);
		if (i == n - 1 && cap)
			figure_caption(c, fig, cap);
		/* a credit set on the picture, outside the caption ("Image source, Agency" over the image) */
		if (i == n - 1 && !gal_node_attr(fig, GAL_ATTR_CREDIT))
			for (const xmlNode *k = x->children ? x->children : NULL; k; k = gal_dom_next(k, x, k != cap && k->type == XML_ELEMENT_NODE)) {
				if (k == cap || k->type != XML_ELEMENT_NODE ||
				    !(has_class_word(k, credit_words) || !strcmp((const char *)k->name, "cite")))
					continue;
				char *t = unparen(dom_text_collapsed(k));
				if (t && *t && strlen(t) < 120)
					gal_node_set_attr(fig, GAL_ATTR_CREDIT, t);
				free(t);
				break;
			}
	}
	/* text in the figure outside the caption and images (rare): kept as blocks */
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (k == cap || k->type != XML_ELEMENT_NODE)
			continue;
		kind kk = kind_of(k);
		if (kk == K_P || kk == K_BQ || kk == K_LIST || kk == K_TABLE)
			blocks_until(c, k, k, container);
	}
}

static void strip_dash(char *s)
{
	/* "— Name", "-- Name", "– Name" */
	const char *p = s;
	while (*p == '-' || *p == ' ' || !strncmp(p, "\xe2\x80\x94", 3) || !strncmp(p, "\xe2\x80\x93", 3) ||
	       !strncmp(p, "\xe2\x80\x95", 3))
		p += *p == '-' || *p == ' ' ? 1 : 3;
	memmove(s, p, strlen(p) + 1);
}

/* The <br> before a quote's last line when that line is inline text starting with a dash and short: an
 * attribution written out by hand. */
static const xmlNode *dash_line(const xmlNode *x)
{
	const xmlNode *br = NULL;
	for (const xmlNode *k = x->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE) {
			kind kk = kind_of(k);
			if (kk == K_BR)
				br = k;
			else if (kk != K_INLINE && kk != K_EM && kk != K_STRONG && kk != K_A)
				br = NULL; /* a block after the last break */
		}
	if (!br || !br->prev)
		return NULL;
	gal_buf b = GAL_BUF_INIT;
	dom_text_from(br->next, &b);
	const char *p = b.data ? b.data : "";
	while (gal_is_space((unsigned char)*p))
		p++;
	int dash = (!strncmp(p, "--", 2) || !strncmp(p, "\xe2\x80\x94", 3) || !strncmp(p, "\xe2\x80\x95", 3) ||
		    !strncmp(p, "\xe2\x80\x93 ", 4)) && strlen(p) < 150;
	gal_buf_free(&b);
	return dash ? br : NULL;
}

static void blockquote(hctx *c, const xmlNode *x, gal_node *container, const xmlNode *cap)
{
	gal_node *q = add(c, container, GAL_NODE_BLOCKQUOTE);
	if (!q)
		return;
	/* attribution: the figure's caption, or a <footer> / lone <cite> paragraph at the end of the quote */
	const xmlNode *attr = cap;
	if (!attr) {
		const xmlNode *last = NULL;
		for (const xmlNode *k = x->children; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE)
				last = k;
			else if (k->type == XML_TEXT_NODE && !gal_dom_is_blank(k))
				last = NULL;
		if (last && (!strcmp((const char *)last->name, "footer") || !strcmp((const char *)last->name, "cite")))
			attr = last;
		else if (last && kind_of(last) == K_P) {
			const xmlNode *only = NULL;
			int others = 0;
			for (const xmlNode *k = last->children; k; k = k->next)
				if (k->type == XML_ELEMENT_NODE)
					only ? others++ : (void)(only = k);
				else if (k->type == XML_TEXT_NODE && !gal_dom_is_blank(k)) {
					const char *t = (const char *)k->content;
					while (gal_is_space((unsigned char)*t))
						t++;
					/* a dash before the cite is allowed */
					if (strncmp(t, "\xe2\x80\x94", 3) && strncmp(t, "\xe2\x80\x93", 3) && *t != '-')
						others++;
				}
			if (only && !others && !strcmp((const char *)only->name, "cite"))
				attr = last;
		}
	}
	/* or a last line of loose text after a <br> that starts with a dash ("<br><br>-- <i>Paper</i>, 1869") */
	const xmlNode *dash_br = attr ? NULL : dash_line(x);
	if (attr) {
		char *t = dom_text_collapsed(attr);
		if (t) {
			strip_dash(t);
			if (*t)
				gal_node_set_attr(q, GAL_ATTR_ATTRIBUTION, t);
		}
		free(t);
	} else if (dash_br) {
		gal_buf b = GAL_BUF_INIT;
		dom_text_from(dash_br->next, &b);
		char *t = b.data ? gal_collapse_ws(b.data) : NULL;
		if (t) {
			strip_dash(t);
			if (*t)
				gal_node_set_attr(q, GAL_ATTR_ATTRIBUTION, t);
		}
		free(t);
		gal_buf_free(&b);
		/* the line breaks before the attribution go with it */
		while (dash_br->prev && (kind_of(dash_br->prev) == K_BR ||
					 (dash_br->prev->type == XML_TEXT_NODE && gal_dom_is_blank(dash_br->prev))))
			dash_br = dash_br->prev;
		attr = dash_br;
	}
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k == attr)
			continue;
		/* one child at a time so that the attribution can be skipped; loose text is gathered per run */
		const xmlNode *start = k;
		const xmlNode *stop = start;
		while (stop->next && stop->next != attr)
			stop = stop->next;
		blocks_until(c, start, stop, q);
		break;
	}
}

/* The image of a gallery slide: a list item with one image and only captions beside it. */
static const xmlNode *slide_image(const xmlNode *li)
{
	if (li->type != XML_ELEMENT_NODE || kind_of(li) != K_LI)
		return NULL;
	const xmlNode *imgs[2];
	int n = 0;
	collect_images(li, imgs, &n, 2, 0);
	if (n != 1)
		return NULL;
	for (const xmlNode *y = li->children; y; y = gal_dom_next(y, li, y->type == XML_ELEMENT_NODE))
		if (y->type == XML_ELEMENT_NODE) {
			kind k = kind_of(y);
			if (k == K_LIST || k == K_TABLE || k == K_H || k == K_BQ || k == K_DL || k == K_PRE)
				return NULL;
		}
	return imgs[0];
}

/* A photo gallery's slide as a figure: the item's text is the caption, its credit elements the credit. */
static void slide(hctx *c, const xmlNode *li, const xmlNode *img, gal_node *container)
{
	gal_node *fig = add(c, container, GAL_NODE_FIGURE);
	if (!fig)
		return;
	set_image(fig, img);
	gal_buf cap = GAL_BUF_INIT, credit = GAL_BUF_INIT;
	const xmlNode *y = li->children;
	while (y) {
		int down = y->type == XML_ELEMENT_NODE && kind_of(y) != K_SKIP;
		if (y->type == XML_TEXT_NODE || y->type == XML_CDATA_SECTION_NODE) {
			gal_buf_puts(&cap, (const char *)y->content);
		} else if (down && has_class_word(y, credit_words)) {
			gal_buf *b = &credit;
			if (b->len)
				gal_buf_puts(b, "; ");
			dom_text(y, b);
			down = 0;
		} else if (down && kind_of(y) != K_INLINE && kind_of(y) != K_EM && kind_of(y) != K_STRONG && kind_of(y) != K_A)
			gal_buf_putc(&cap, ' '); /* between blocks */
		y = gal_dom_next(y, li, down);
	}
	char *t = gal_collapse_ws(cap.data ? cap.data : "");
	if (t && *t) {
		c->ws = 1;
		append_text(c, fig, t);
		gal_inline_block_trim(fig);
	}
	free(t);
	if (credit.len) {
		char *cr = unparen(gal_collapse_ws(credit.data));
		gal_node_set_attr(fig, GAL_ATTR_CREDIT, cr);
		free(cr);
	}
	gal_buf_free(&cap);
	gal_buf_free(&credit);
}

static void list(hctx *c, const xmlNode *x, gal_node *container)
{
	/* a gallery: items of one picture each become figures */
	size_t items = 0, slides = 0;
	for (const xmlNode *k = x->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && kind_of(k) == K_LI)
			items++, slides += slide_image(k) != NULL;
	if (slides >= 2 && slides * 3 >= items * 2) {
		for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
			const xmlNode *img = slide_image(k);
			if (img)
				slide(c, k, img, container);
			else if (k->type == XML_ELEMENT_NODE && kind_of(k) == K_LI)
				blocks(c, k->children, container);
		}
		return;
	}
	gal_node *l = add(c, container, GAL_NODE_LIST);
	if (!l)
		return;
	const char *name = (const char *)x->name;
	int ordered = !strcmp(name, "ol");
	const char *start = gal_dom_attr(x, "start");
	long st = start ? strtol(start, NULL, 10) : 1;
	gal_node_set_list(l, ordered, st >= 0 && st <= 999999999 ? (int)st : 1);
	gal_node *last_item = NULL;
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type == XML_TEXT_NODE && gal_dom_is_blank(k))
			continue;
		if (k->type != XML_TEXT_NODE && k->type != XML_ELEMENT_NODE)
			continue;
		kind kk = k->type == XML_ELEMENT_NODE ? kind_of(k) : K_INLINE;
		if (kk == K_SKIP)
			continue;
		if (kk == K_LI) {
			last_item = add(c, l, GAL_NODE_ITEM);
			if (last_item)
				blocks(c, k->children, last_item);
			continue;
		}
		/* stray content between items (a nested list straight inside <ul>, loose text): joins the item
		 * before it, or starts one */
		if (!last_item)
			last_item = add(c, l, GAL_NODE_ITEM);
		if (last_item)
			blocks_until(c, k, k, last_item);
	}
	if (!l->first)
		gal_node_free(l);
}

static void def_list(hctx *c, const xmlNode *x, gal_node *container)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type == XML_ELEMENT_NODE && kind_of(k) == K_DT) {
			gal_node *p = add(c, container, GAL_NODE_PARAGRAPH);
			gal_node *s = p ? add(c, p, GAL_NODE_STRONG) : NULL;
			if (s) {
				c->ws = 1;
				inline_children(c, k, s);
				finish_inline_block(p);
			}
		} else if (k->type == XML_ELEMENT_NODE && kind_of(k) == K_DD) {
			blocks(c, k->children, container);
		} else if (k->type == XML_ELEMENT_NODE || !gal_dom_is_blank(k)) {
			blocks_until(c, k, k, container);
		}
	}
}

static void pre(hctx *c, const xmlNode *x, gal_node *container)
{
	gal_buf b = GAL_BUF_INIT;
	dom_text(x, &b);
	const char *s = b.data ? b.data : "";
	size_t n = b.len;
	/* browsers drop one newline right after <pre>; trailing newlines are not content */
	if (n && s[0] == '\n')
		s++, n--;
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	gal_node *p = n ? add(c, container, GAL_NODE_PRE) : NULL;
	if (p) {
		gal_node_set_literal(p, s, n);
		const xmlNode *code = child_of_kind(x, K_CODE);
		const char *cls = gal_dom_attr(x, "class");
		if (!(cls && (strstr(cls, "language-") || strstr(cls, "lang-"))) && code)
			cls = gal_dom_attr(code, "class");
		const char *lang = cls ? strstr(cls, "language-") : NULL;
		lang = lang ? lang + 9 : cls && strstr(cls, "lang-") ? strstr(cls, "lang-") + 5 : NULL;
		if (lang) {
			char l[64];
			size_t k = 0;
			while (lang[k] && !gal_is_space((unsigned char)lang[k]) && k < sizeof l - 1)
				l[k] = lang[k], k++;
			/* cut at the limit inside a character: drop the character's first bytes too */
			if (((unsigned char)lang[k] & 0xC0) == 0x80) {
				while (k > 0 && ((unsigned char)l[k - 1] & 0xC0) == 0x80)
					k--;
				if (k > 0)
					k--;
			}
			l[k] = '\0';
			if (k)
				gal_node_set_attr(p, GAL_ATTR_LANG, l);
		}
	}
	gal_buf_free(&b);
}

static void table_row(hctx *c, const xmlNode *tr, gal_node *t, int header)
{
	gal_node *row = add(c, t, GAL_NODE_ROW);
	if (!row)
		return;
	int all_th = 1, cells = 0;
	for (const xmlNode *k = tr->children; k && !c->status; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)k->name;
		int th = !strcmp(name, "th");
		if (!th && strcmp(name, "td"))
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
		const char *span = gal_dom_attr(k, "colspan");
		long span_n = span ? strtol(span, NULL, 10) : 1; /* strtol, not atoi: no overflow */
		long extra = span_n > 1 ? span_n - 1 : 0;
		for (long i = 0; i < extra && i < 63; i++)
			add(c, row, GAL_NODE_CELL);
	}
	/* a first row of <th> cells is a header row even without <thead>; so is a first row of cells all in bold
	 * (CMS tables: <td><strong>Station</strong></td>), which then loses the bold */
	int all_bold = cells > 0 && row == t->first && !all_th && !header, bold = 0;
	for (gal_node *cell = row->first; cell && all_bold; cell = cell->next) {
		all_bold = !cell->first || (cell->first == cell->last && cell->first->type == GAL_NODE_STRONG);
		bold += cell->first != NULL;
	}
	all_bold &= bold > 0;
	if (all_bold)
		for (gal_node *cell = row->first; cell; cell = cell->next) {
			gal_node *b = cell->first;
			while (b && b->first) {
				gal_node *k = b->first;
				gal_node_unlink(k);
				gal_node_append(cell, k);
			}
			if (b)
				gal_node_free(b);
		}
	gal_node_set_row_header(row, header || (all_th && cells && row == t->first) || all_bold);
	if (!row->first)
		gal_node_free(row);
}

static void table_rows(hctx *c, const xmlNode *x, gal_node *t, int header, int depth)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)k->name;
		if (!strcmp(name, "tr"))
			table_row(c, k, t, header);
		else if ((!strcmp(name, "thead") || !strcmp(name, "tbody") || !strcmp(name, "tfoot")) && depth < 2)
			table_rows(c, k, t, !strcmp(name, "thead"), depth + 1);
		else if (!strcmp(name, "caption") && !gal_node_attr(t, GAL_ATTR_CAPTION)) {
			char *cap = dom_text_collapsed(k);
			if (cap && *cap)
				gal_node_set_attr(t, GAL_ATTR_CAPTION, cap);
			free(cap);
		}
	}
}

/* A table used for page layout, not data: a cell holds another table, headings or several paragraphs, or
 * the table says so (role=presentation). Its cells are transparent containers. Bounded search. */
static int layout_table(const xmlNode *x)
{
	const char *role = gal_dom_attr(x, "role");
	if (role && (!gal_strcasecmp(role, "presentation") || !gal_strcasecmp(role, "none")))
		return 1;
	const xmlNode *n = x->children;
	int seen = 0, paras = 0, rows = 0, heads = 0;
	while (n && seen++ < 5000) {
		if (n->type == XML_ELEMENT_NODE) {
			kind k = kind_of(n);
			if (n != x && (k == K_TABLE || k == K_H || k == K_LIST || k == K_BQ))
				return 1;
			if (k == K_P && ++paras >= 2)
				return 1;
			rows += !strcmp((const char *)n->name, "tr");
			heads += !strcmp((const char *)n->name, "th") || !strcmp((const char *)n->name, "caption");
		}
		n = gal_dom_next(n, x, n->type == XML_ELEMENT_NODE && kind_of(n) != K_SKIP && kind_of(n) != K_TABLE);
	}
	/* one row and no headers is not tabular data: a line of page furniture set side by side */
	return rows == 1 && !heads;
}

/* Whether an element holds no text and no image. */
static int blank_elem(const xmlNode *x)
{
	char *t = dom_text_collapsed(x);
	int blank = !t || !*t;
	free(t);
	return blank;
}

/* A table that is a picture and its caption: one cell with the image alone, the others short text. */
static int table_figure(const xmlNode *x, const xmlNode **img, const xmlNode **cap)
{
	*img = *cap = NULL;
	const xmlNode *n = x->children;
	int seen = 0, cells = 0;
	while (n && seen++ < 200) {
		int down = n->type == XML_ELEMENT_NODE;
		if (down && n != x && kind_of(n) == K_TABLE)
			return 0;
		if (down && (!strcmp((const char *)n->name, "th") || !strcmp((const char *)n->name, "caption")))
			return 0;
		if (down && !strcmp((const char *)n->name, "td")) {
			cells++;
			const xmlNode *i = lone_image(n, 0);
			if (i && !*img)
				*img = i;
			else if (!i && !*cap)
				*cap = n;
			else if (i || !blank_elem(n))
				return 0;
			down = 0;
		}
		n = gal_dom_next(n, x, down);
	}
	if (n || !*img || !*cap || cells > 3)
		return 0;
	char *t = dom_text_collapsed(*cap);
	size_t len = t ? strlen(t) : 0;
	free(t);
	return len > 0 && len < 400;
}

/* The cells of a layout table, in order, as blocks. */
static void layout_cells(hctx *c, const xmlNode *x, gal_node *container, int depth)
{
	for (const xmlNode *k = x->children; k && !c->status; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)k->name;
		if (!strcmp(name, "td") || !strcmp(name, "th") || !strcmp(name, "caption"))
			blocks(c, k->children, container);
		else if (depth < 4 && (!strcmp(name, "tr") || !strcmp(name, "tbody") || !strcmp(name, "thead") ||
				       !strcmp(name, "tfoot")))
			layout_cells(c, k, container, depth + 1);
	}
}

static const xmlNode *title_above(const xmlNode *table);

static void table(hctx *c, const xmlNode *x, gal_node *container)
{
	const xmlNode *img, *cap;
	if (table_figure(x, &img, &cap)) {
		gal_node *fig = add(c, container, GAL_NODE_FIGURE);
		if (fig) {
			set_image(fig, img);
			figure_caption(c, fig, cap);
		}
		return;
	}
	if (layout_table(x)) {
		layout_cells(c, x, container, 0);
		return;
	}
	gal_node *t = add(c, container, GAL_NODE_TABLE);
	if (!t)
		return;
	table_rows(c, x, t, 0, 0);
	const xmlNode *title = gal_node_attr(t, GAL_ATTR_CAPTION) ? NULL : title_above(x);
	char *tt = title ? dom_text_collapsed(title) : NULL;
	if (tt && *tt)
		gal_node_set_attr(t, GAL_ATTR_CAPTION, tt);
	free(tt);
	if (!t->first && !gal_node_attr(t, GAL_ATTR_CAPTION))
		gal_node_free(t);
}

/* A box that holds a picture's caption and credit in blocks of their own (<div class=caption> and
 * <figcaption class=credit> in a "metadata" box): short text blocks only, no picture, list, table or heading. */
static int caption_box(const xmlNode *x)
{
	int blocks = 0;
	for (const xmlNode *k = x; k; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE)) {
		if (k == x || k->type != XML_ELEMENT_NODE)
			continue;
		kind kk = kind_of(k);
		if (kk == K_IMG || kk == K_LIST || kk == K_DL || kk == K_TABLE || kk == K_H || kk == K_BQ || kk == K_PRE ||
		    kk == K_FIGURE || kk == K_HR || kk == K_TABLE_PART)
			return 0;
		if (is_block_kind(kk) && kk != K_SKIP && ++blocks > 4)
			return 0;
	}
	return 1;
}

/* Whether an element with text follows k among its siblings. */
static int caption_follows(const xmlNode *k)
{
	for (const xmlNode *n = k->next; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && kind_of(n) != K_SKIP && !blank_elem(n))
			return 1;
	return 0;
}

/* A box (<div>, a CMS's media <article> or <section>) that is a figure without the element: one image and one
 * short caption beside it (a caption element, or a box of caption and credit blocks), and maybe a credit element
 * of its own after the caption. */
static int implicit_figure(const xmlNode *x, const xmlNode **img, const xmlNode **cap, const xmlNode **credit)
{
	*img = *cap = *credit = NULL;
	const char *name = (const char *)x->name;
	if (strcmp(name, "div") && strcmp(name, "article") && strcmp(name, "section"))
		return 0;
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (k->type == XML_TEXT_NODE) {
			if (!gal_dom_is_blank(k))
				return 0;
			continue;
		}
		if (k->type != XML_ELEMENT_NODE || kind_of(k) == K_SKIP)
			continue;
		const xmlNode *i = kind_of(k) == K_IMG ? k : lone_image(k, 0);
		if (i && !*img)
			*img = i;
		else if (!i && !k->children)
			continue; /* an empty placeholder (a background layer) */
		else if (!*cap && !*credit && has_class_word(k, credit_words) && (!holds_blocks(k) || caption_box(k)) &&
			 caption_follows(k))
			*credit = k; /* the credit set above the caption ("media__copyright", then "media__info") */
		else if (!*cap && (kind_of(k) == K_INLINE || kind_of(k) == K_BLOCK || kind_of(k) == K_P ||
				   kind_of(k) == K_FIGCAPTION) &&
			 (!holds_blocks(k) || caption_box(k)))
			*cap = k;
		else if (*cap && !*credit && !holds_blocks(k) && (has_class_word(k, credit_words) || credit_like(k)))
			*credit = k;
		else
			return 0;
	}
	/* (not an image shown under 100 pixels: an avatar or an icon, not a picture with a caption) */
	if (!*img || !*cap || gal_dom_image_under(*img, 100))
		return 0;
	char *t = dom_text_collapsed(*cap);
	size_t n = t ? strlen(t) : 0;
	free(t);
	return n > 0 && n < 400;
}

int gal_html_picture_box(const xmlNode *x)
{
	return x->type == XML_ELEMENT_NODE && kind_of(x) != K_IMG && lone_image(x, 0) != NULL;
}

int gal_html_figure_like(const xmlNode *x)
{
	const xmlNode *img, *cap, *credit;
	if (kind_of(x) == K_FIGURE) {
		const xmlNode *imgs[1];
		int n = 0;
		collect_images(x, imgs, &n, 1, 0);
		return n > 0;
	}
	return implicit_figure(x, &img, &cap, &credit);
}

/* A box a CMS sets as a quotation (<div class="article__quote">, "pullquote", "quote-box"): a class word "quote",
 * "blockquote", "pullquote" or "quotation", prose only, and not inside a quotation already. */
static int quote_box(const xmlNode *x, const gal_node *container)
{
	const char *cls = gal_dom_attr(x, "class");
	const char *name = (const char *)x->name;
	if (!cls || (strcmp(name, "div") && strcmp(name, "section") && strcmp(name, "aside")))
		return 0;
	static const char *const words[] = {"quote", "blockquote", "pullquote", "quotation", NULL};
	int hit = 0;
	for (const char *p = cls; *p && !hit;) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		const char *w = p;
		while (isalnum((unsigned char)*p))
			p++;
		for (size_t i = 0; words[i] && !hit; i++)
			hit = (size_t)(p - w) == strlen(words[i]) && !gal_strncasecmp(w, words[i], (size_t)(p - w));
	}
	if (!hit)
		return 0;
	for (const gal_node *a = container; a; a = a->parent)
		if (a->type == GAL_NODE_BLOCKQUOTE)
			return 0;
	int text = 0;
	for (const xmlNode *k = x->children; k; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE)) {
		if (k->type == XML_TEXT_NODE)
			text |= !gal_dom_is_blank(k);
		else if (k->type == XML_ELEMENT_NODE) {
			kind kk = kind_of(k);
			if (kk == K_TABLE || kk == K_LIST || kk == K_DL || kk == K_IMG || kk == K_FIGURE || kk == K_H ||
			    kk == K_BQ || kk == K_A)
				return 0; /* a box of quotes with pictures or links is a module, not a quotation */
		}
	}
	return text;
}

/* The table right after x (x's next element, or the one table inside it and its lone-child wrappers). */
static const xmlNode *next_table(const xmlNode *x)
{
	const xmlNode *t = x->next;
	while (t && t->type != XML_ELEMENT_NODE) {
		if (t->type == XML_TEXT_NODE && !gal_dom_is_blank(t))
			return NULL;
		t = t->next;
	}
	for (int depth = 0; t && depth < 4 && kind_of(t) != K_TABLE; depth++) {
		const xmlNode *only = NULL;
		for (const xmlNode *k = t->children; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE && kind_of(k) != K_SKIP) {
				if (only)
					return NULL;
				only = k;
			}
		t = only;
	}
	return t && kind_of(t) == K_TABLE ? t : NULL;
}

static const xmlNode *table_caption(const xmlNode *t)
{
	for (const xmlNode *k = t->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "caption"))
			return k;
	return NULL;
}

/* A short block or heading whose class calls it a title or caption ("TableTitle", "Table__Title"). */
static int titled_block(const xmlNode *x)
{
	kind k = kind_of(x);
	const char *cls = gal_dom_attr(x, "class");
	if ((k != K_BLOCK && k != K_P && k != K_H) || !cls ||
	    !(gal_dom_contains_ci(cls, "title") || gal_dom_contains_ci(cls, "caption")))
		return 0;
	char *t = dom_text_collapsed(x);
	size_t n = t ? strlen(t) : 0;
	free(t);
	return n > 0 && n < 200;
}

/* Whether x is a table's title set above it: the table carries the same title as its <caption> (the caption
 * keeps it), or has no caption and x is called its title (it becomes the caption). */
static int title_of_next_table(const xmlNode *x)
{
	const xmlNode *t = next_table(x), *cap = t ? table_caption(t) : NULL;
	if (t && !cap)
		return titled_block(x);
	if (!cap)
		return 0;
	char *a = dom_text_collapsed(x), *b = dom_text_collapsed(cap);
	int same = a && b && *a && strlen(a) < 200 && gal_loose_equal(a, b, 0);
	free(a);
	free(b);
	return same;
}

/* The title above a table without <caption> (see title_of_next_table), or NULL. */
static const xmlNode *title_above(const xmlNode *table)
{
	const xmlNode *t = table;
	for (int up = 0; t && up < 4; up++) {
		const xmlNode *p = t->prev;
		while (p && p->type != XML_ELEMENT_NODE)
			p = p->prev;
		if (p)
			return next_table(p) == table && titled_block(p) ? p : NULL;
		t = t->parent; /* (the table is its wrapper's first element: look beside the wrapper) */
	}
	return NULL;
}

static void block_elem(hctx *c, const xmlNode *x, gal_node *container)
{
	kind k = kind_of(x);
	if (k == K_SKIP || ((k == K_BLOCK || k == K_P || k == K_H) && title_of_next_table(x)))
		return;
	if (!deeper(c)) {
		char *t = dom_text_collapsed(x);
		gal_node *p = t && *t ? add(c, container, GAL_NODE_PARAGRAPH) : NULL;
		if (p)
			append_raw(c, p, t);
		free(t);
		return;
	}
	switch (k) {
	case K_P: {
		const xmlNode *img = lone_image(x, 0);
		if (img) {
			gal_node *fig = add(c, container, GAL_NODE_FIGURE);
			if (fig)
				set_image(fig, img);
		} else
			paragraph(c, x, container, GAL_NODE_PARAGRAPH, 0);
		break;
	}
	case K_H:
		paragraph(c, x, container, GAL_NODE_HEADING, x->name[1] - '0');
		break;
	case K_BQ:
		blockquote(c, x, container, NULL);
		break;
	case K_LIST:
		list(c, x, container);
		break;
	case K_DL:
		def_list(c, x, container);
		break;
	case K_TABLE:
		table(c, x, container);
		break;
	case K_FIGURE:
		figure(c, x, container);
		break;
	case K_PRE:
		pre(c, x, container);
		break;
	case K_HR:
		add(c, container, GAL_NODE_THEMATIC_BREAK);
		break;
	case K_IMG: {
		gal_node *fig = add(c, container, GAL_NODE_FIGURE);
		if (fig)
			set_image(fig, x);
		break;
	}
	default: { /* transparent containers, and inline elements that hold blocks */
		const xmlNode *img, *cap, *credit;
		if (quote_box(x, container))
			blockquote(c, x, container, NULL);
		else if (implicit_figure(x, &img, &cap, &credit)) {
			gal_node *fig = add(c, container, GAL_NODE_FIGURE);
			if (fig) {
				set_image(fig, img);
				figure_caption(c, fig, cap);
				char *t = credit && !gal_node_attr(fig, GAL_ATTR_CREDIT) ? unparen(dom_text_collapsed(credit)) : NULL;
				if (t && *t)
					gal_node_set_attr(fig, GAL_ATTR_CREDIT, t);
				free(t);
			}
		} else
			blocks(c, x->children, container);
		break;
	}
	}
	c->depth--;
}

/* Block content: block elements map one to one; runs of loose inline content become paragraphs. */
/* For a paragraph that is one image: the next paragraph when it is its caption, a short text in a paragraph of
 * the same class (CMS exports that put the picture and its caption in two <p class="pic">). */
static const xmlNode *caption_para(const xmlNode *x)
{
	const char *cls = gal_dom_attr(x, "class");
	if (!cls || !*cls || kind_of(x) != K_P || !lone_image(x, 0))
		return NULL;
	const xmlNode *y = x->next;
	while (y && y->type == XML_TEXT_NODE && gal_dom_is_blank(y))
		y = y->next;
	if (!y || y->type != XML_ELEMENT_NODE || kind_of(y) != K_P || lone_image(y, 0) ||
	    !gal_dom_attr(y, "class") || strcmp(gal_dom_attr(y, "class"), cls))
		return NULL;
	char *t = dom_text_collapsed(y);
	size_t n = t ? strlen(t) : 0;
	free(t);
	return n && n <= 300 ? y : NULL;
}

static void blocks_until(hctx *c, const xmlNode *first, const xmlNode *last, gal_node *container)
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
		int inl = !is_block_kind(k) && !(k != K_BR && k != K_IMG && holds_blocks(x));
		if (inl && k == K_IMG && !para) {
			block_elem(c, x, container); /* an image between blocks is a figure */
			continue;
		}
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
		const xmlNode *cap = x != last ? caption_para(x) : NULL;
		if (cap) {
			/* <p class="pic"><img></p><p class="pic">Caption</p>: one figure */
			gal_node *fig = add(c, container, GAL_NODE_FIGURE);
			if (fig) {
				set_image(fig, lone_image(x, 0));
				figure_caption(c, fig, cap);
			}
			while (x != cap && x != last)
				x = x->next;
			continue;
		}
		/* a quotation and its source beside it: <blockquote>...</blockquote><cite>Name</cite> */
		const xmlNode *cite = x != last && k == K_BQ ? x->next : NULL;
		while (cite && cite != last && cite->type == XML_TEXT_NODE && gal_dom_is_blank(cite))
			cite = cite->next;
		if (cite && cite->type == XML_ELEMENT_NODE && !strcmp((const char *)cite->name, "cite") && deeper(c)) {
			blockquote(c, x, container, cite);
			c->depth--;
			x = cite;
			continue;
		}
		block_elem(c, x, container);
	}
	if (para)
		finish_inline_block(para);
}

static void blocks(hctx *c, const xmlNode *first, gal_node *container)
{
	blocks_until(c, first, NULL, container);
}

/* ------------------------------------------------------------------ metadata */

typedef struct {
	char *jsonld_headline, *og_title, *title, *og_desc, *desc, *section, *site, *url, *lang, *issued,
	    *modified, *time_datetime, *copyright, *jsonld_desc, *jsonld_lang, *og_type, *jsonld_body, *publisher;
	gal_strlist authors, jsonld_authors, keywords;
	int jsonld_article; /* the page declares an article in JSON-LD */
} page_meta;

static void pm_free(page_meta *m)
{
	char **s[] = {&m->jsonld_headline, &m->og_title, &m->title,   &m->og_desc,       &m->desc,
		      &m->section,         &m->site,     &m->url,     &m->lang,          &m->issued,
		      &m->modified,        &m->time_datetime, &m->copyright, &m->jsonld_desc, &m->jsonld_lang,
		      &m->og_type,         &m->jsonld_body, &m->publisher};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		free(*s[i]);
	gal_strlist_clear(&m->authors);
	gal_strlist_clear(&m->jsonld_authors);
	gal_strlist_clear(&m->keywords);
}

/* Sets *slot to a collapsed copy of v unless already set (first source wins). */
static void take(char **slot, const char *v)
{
	if (*slot || !v)
		return;
	char *t = gal_collapse_ws(v);
	if (t && !*t) {
		free(t);
		t = NULL;
	}
	*slot = t;
}

static int strlist_has(const gal_strlist *l, const char *v)
{
	for (size_t i = 0; i < l->count; i++)
		if (!gal_strcasecmp(l->items[i], v))
			return 1;
	return 0;
}

static void push_unique(gal_strlist *l, const char *v)
{
	char *t = gal_collapse_ws(v);
	if (t && *t && !strlist_has(l, t))
		gal_strlist_push(l, t);
	free(t);
}

static void push_split(gal_strlist *l, const char *v, char sep)
{
	char *copy = strdup(v);
	if (!copy)
		return;
	for (char *p = copy, *q; p; p = q) {
		q = strchr(p, sep);
		if (q)
			*q++ = '\0';
		push_unique(l, p);
	}
	free(copy);
}

static int jsonld_is_article(const gal_json *o)
{
	static const char *const types[] = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
					    "OpinionNewsArticle", "BlogPosting", "LiveBlogPosting", "ReviewNewsArticle",
					    "BackgroundNewsArticle", "Report", "TechArticle", "ScholarlyArticle", NULL};
	const gal_json *t = gal_json_get(o, "@type");
	if (!t)
		return 0;
	for (const gal_json *v = t->type == GAL_JSON_ARRAY ? t->child : t; v; v = t->type == GAL_JSON_ARRAY ? v->next : NULL)
		for (size_t i = 0; types[i]; i++)
			if (gal_json_str(v) && !strcmp(gal_json_str(v), types[i]))
				return 1;
	return 0;
}

static void jsonld_names(const gal_json *v, gal_strlist *out)
{
	if (!v)
		return;
	if (v->type == GAL_JSON_STRING)
		push_unique(out, v->str);
	else if (v->type == GAL_JSON_OBJECT)
		jsonld_names(gal_json_get(v, "name"), out);
	else if (v->type == GAL_JSON_ARRAY)
		for (const gal_json *k = v->child; k; k = k->next)
			if (k->type != GAL_JSON_ARRAY)
				jsonld_names(k, out);
}

/* A reference {"@id": "..."} without a name, looked up among the objects of the page's @graph. */
static const gal_json *jsonld_resolve(const gal_json *v, const gal_json *graph)
{
	const char *id = gal_json_str(gal_json_get(v, "@id"));
	if (!id || gal_json_get(v, "name") || !graph || graph->type != GAL_JSON_ARRAY)
		return v;
	for (const gal_json *k = graph->child; k; k = k->next) {
		const char *kid = gal_json_str(gal_json_get(k, "@id"));
		if (kid && !strcmp(kid, id) && gal_json_get(k, "name"))
			return k;
	}
	return v;
}

static void jsonld_article(const gal_json *o, page_meta *m, const gal_json *graph)
{
	take(&m->jsonld_headline, gal_json_str(gal_json_get(o, "headline")));
	if (!m->jsonld_headline)
		take(&m->jsonld_headline, gal_json_str(gal_json_get(o, "name")));
	take(&m->jsonld_desc, gal_json_str(gal_json_get(o, "description")));
	take(&m->issued, gal_json_str(gal_json_get(o, "datePublished")));
	take(&m->modified, gal_json_str(gal_json_get(o, "dateModified")));
	take(&m->jsonld_lang, gal_json_str(gal_json_get(o, "inLanguage")));
	m->jsonld_article = 1;
	if (!m->jsonld_body) {
		/* keep the paragraph breaks: this text may become the body */
		const char *b = gal_json_str(gal_json_get(o, "articleBody"));
		if (b && *b)
			m->jsonld_body = strdup(b);
	}
	if (!m->jsonld_authors.count) {
		const gal_json *au = gal_json_get(o, "author");
		if (au && au->type == GAL_JSON_ARRAY) {
			for (const gal_json *k = au->child; k; k = k->next)
				jsonld_names(jsonld_resolve(k, graph), &m->jsonld_authors);
		} else
			jsonld_names(jsonld_resolve(au, graph), &m->jsonld_authors);
	}
	const gal_json *sec = gal_json_get(o, "articleSection");
	if (sec && sec->type == GAL_JSON_ARRAY)
		sec = sec->child;
	take(&m->section, gal_json_str(sec));
	const gal_json *kw = gal_json_get(o, "keywords");
	if (kw && !m->keywords.count) {
		if (kw->type == GAL_JSON_STRING)
			push_split(&m->keywords, kw->str, ',');
		else
			jsonld_names(kw, &m->keywords);
	}
	const gal_json *pub = jsonld_resolve(gal_json_get(o, "publisher"), graph);
	take(&m->site, gal_json_str(gal_json_get(pub, "name")));
	take(&m->publisher, gal_json_str(gal_json_get(pub, "name")));
	const gal_json *url = gal_json_get(o, "url");
	take(&m->url, gal_json_str(url));
	take(&m->copyright, gal_json_str(gal_json_get(o, "copyrightNotice")));
}

static void jsonld_walk(const gal_json *v, page_meta *m, int depth, const gal_json *graph)
{
	if (!v || depth > 4)
		return;
	if (v->type == GAL_JSON_ARRAY) {
		for (const gal_json *k = v->child; k; k = k->next)
			jsonld_walk(k, m, depth + 1, graph);
		return;
	}
	if (v->type != GAL_JSON_OBJECT)
		return;
	if (jsonld_is_article(v))
		jsonld_article(v, m, graph);
	const gal_json *g = gal_json_get(v, "@graph");
	jsonld_walk(g, m, depth + 1, g ? g : graph);
	/* WebPage { mainEntity: NewsArticle } */
	jsonld_walk(gal_json_get(v, "mainEntity"), m, depth + 1, graph);
}

static void read_meta_tag(const xmlNode *x, page_meta *m)
{
	const char *name = gal_dom_attr(x, "property");
	if (!name)
		name = gal_dom_attr(x, "name");
	if (!name)
		name = gal_dom_attr(x, "itemprop");
	const char *content = gal_dom_attr(x, "content");
	const char *equiv = gal_dom_attr(x, "http-equiv");
	if (equiv && content && !gal_strcasecmp(equiv, "content-language"))
		take(&m->lang, content);
	if (!name || !content)
		return;
	static const struct {
		const char *name;
		int field;
	} map[] = {{"og:title", 1},
		   {"twitter:title", 1},
		   {"og:description", 2},
		   {"twitter:description", 2},
		   {"description", 3},
		   {"author", 4},
		   {"article:author", 4},
		   {"byl", 4},
		   {"keywords", 5},
		   {"news_keywords", 5},
		   {"article:tag", 5},
		   {"og:site_name", 6},
		   {"article:published_time", 7},
		   {"og:article:published_time", 7},
		   {"datepublished", 7},
		   {"date", 7},
		   {"pubdate", 7},
		   {"dc.date", 7},
		   {"dc.date.issued", 7},
		   {"dcterms.created", 7},
		   {"article:modified_time", 8},
		   {"og:updated_time", 8},
		   {"datemodified", 8},
		   {"dcterms.modified", 8},
		   {"article:section", 9},
		   {"og:url", 10},
		   {"copyright", 11},
		   {"dc.rights", 11},
		   {"og:locale", 12},
		   {"dc.language", 12},
		   {"og:type", 13}};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		if (gal_strcasecmp(name, map[i].name))
			continue;
		switch (map[i].field) {
		case 1: take(&m->og_title, content); break;
		case 2: take(&m->og_desc, content); break;
		case 3: take(&m->desc, content); break;
		case 4:
			/* a profile URL is not a name */
			if (strncmp(content, "http", 4))
				push_unique(&m->authors, content);
			break;
		case 5: push_split(&m->keywords, content, ','); break;
		case 6: take(&m->site, content); break;
		case 7: take(&m->issued, content); break;
		case 8: take(&m->modified, content); break;
		case 9: take(&m->section, content); break;
		case 10: take(&m->url, content); break;
		case 11: take(&m->copyright, content); break;
		case 13: take(&m->og_type, content); break;
		case 12:
			if (!m->lang) {
				char *l = gal_collapse_ws(content);
				for (char *p = l; p && *p; p++)
					if (*p == '_')
						*p = '-';
				m->lang = l;
			}
			break;
		}
		return;
	}
}

/* Whether the walk over root that reads the metadata reaches x: inside root, at most 1000 levels down, and not
 * inside a script or another skipped element (the walk entered <head> and the elements it read). */
static int meta_reaches(const xmlNode *root, const xmlNode *x)
{
	if (x == root)
		return 1;
	size_t depth = 0;
	for (const xmlNode *a = x->parent;; a = a->parent) {
		if (!a || ++depth > 1000)
			return 0;
		/* the walk entered every element it read itself (but scripts), and <head> */
		const char *name = (const char *)a->name;
		if (name[0] == 's' && !strcmp(name, "script"))
			return 0;
		if (kind_of(a) == K_SKIP && strcmp(name, "head") && !gal_dom_metadata_element(name))
			return 0;
		if (a == root)
			return 1;
	}
}

/* The page's metadata, from the elements the parser marked (html, meta, title, link, time, script) in document
 * order: the same as a walk over root that does not enter scripts and skipped elements. */
static void read_page_meta(const gal_dom *dom, const xmlNode *root, page_meta *m, const gal_options *opts)
{
	size_t n;
	xmlNode *const *marked = gal_dom_marked(dom, &n);
	for (size_t i = 0; i < n; i++) {
		const xmlNode *x = marked[i];
		if (!meta_reaches(root, x))
			continue;
		const char *name = (const char *)x->name;
		if (name[0] == 'h' && !strcmp(name, "html"))
			take(&m->lang, gal_dom_attr(x, "lang"));
		else if (name[0] == 'm' && !strcmp(name, "meta"))
			read_meta_tag(x, m);
		else if (name[0] == 't' && !strcmp(name, "title")) {
			char *t = dom_text_collapsed(x);
			take(&m->title, t);
			free(t);
		} else if (name[0] == 'l' && !strcmp(name, "link")) {
			const char *rel = gal_dom_attr(x, "rel");
			if (rel && !gal_strcasecmp(rel, "canonical"))
				take(&m->url, gal_dom_attr(x, "href"));
		} else if (name[0] == 't' && !strcmp(name, "time")) {
			take(&m->time_datetime, gal_dom_attr(x, "datetime"));
		} else if (name[0] == 's' && !strcmp(name, "script")) {
			const char *type = gal_dom_attr(x, "type");
			if (type && !gal_strcasecmp(type, "application/ld+json")) {
				gal_buf b = GAL_BUF_INIT;
				/* script content: text or CDATA nodes, depending on the libxml2 version */
				for (const xmlNode *k = x->children; k; k = k->next)
					if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content)
						gal_buf_puts(&b, (const char *)k->content);
				gal_json *j = b.data ? gal_json_parse(b.data, b.len) : NULL;
				if (b.data && !j)
					gal_warn(opts, FMT, (long)x->line, "JSON-LD block is not valid JSON: ignored");
				jsonld_walk(j, m, 0, NULL);
				gal_json_free(j);
				gal_buf_free(&b);
			}
		}
	}
}

static void set_date(char **slot, const char *v)
{
	if (!v || *slot)
		return;
	char *iso = gal_date_normalize(v);
	*slot = iso ? iso : strdup(v);
}

static const char *const title_seps[] = {" | ", " - ", " \xe2\x80\x94 ", " \xe2\x80\x93 ", " :: ", " \xc2\xb7 ",
					 " \xc2\xbb ", NULL};

/* "Headline | Site" -> "Headline". With the site's name known, only that suffix or prefix goes; with `guess`
 * (a <title> on a page that does not name its site), the last part goes when what is left still reads as a
 * headline (four words or more). Returns a new string. */
static char *strip_site(const char *title, const char *site, int guess)
{
	const char *cut = NULL, *cut_sep = NULL;
	for (size_t i = 0; title_seps[i]; i++) {
		const char *sep = title_seps[i];
		size_t sl = strlen(sep);
		for (const char *p = strstr(title, sep); p; p = strstr(p + 1, sep)) {
			if (site && !gal_strcasecmp(p + sl, site))
				return strndup(title, (size_t)(p - title));
			if (site && (size_t)(p - title) == strlen(site) && !gal_strncasecmp(title, site, strlen(site)))
				return strdup(p + sl);
			if (!cut || p > cut)
				cut = p, cut_sep = sep;
		}
	}
	if (guess && cut) {
		size_t words = 1;
		for (const char *p = title; p < cut; p++)
			words += *p == ' ';
		int wide = 0; /* scripts without spaces between words */
		for (const char *p = title; p < cut; p++)
			wide |= (unsigned char)*p >= 0xE3;
		/* a bar separates a site's name almost always; a dash may be the headline's own */
		if (!strcmp(cut_sep, " | ") || words >= 4 || (wide && cut - title >= 15))
			return strndup(title, (size_t)(cut - title));
	}
	return strdup(title);
}

/* "Name: Headline" or "Headline | Name" -> "Headline" when `name` is one whole part; NULL otherwise. */
char *gal_title_other_part(const char *title, const char *name)
{
	size_t tl = strlen(title), nl = strlen(name);
	if (nl + 3 > tl)
		return NULL;
	for (size_t i = 0; title_seps[i]; i++) {
		size_t sl = strlen(title_seps[i]);
		if (!gal_strncasecmp(title, name, nl) && !strncmp(title + nl, title_seps[i], sl) && title[nl + sl])
			return strdup(title + nl + sl);
		if (tl > nl + sl && !gal_strcasecmp(title + tl - nl, name) &&
		    !strncmp(title + tl - nl - sl, title_seps[i], sl))
			return strndup(title, tl - nl - sl);
	}
	if (!gal_strncasecmp(title, name, nl) && !strncmp(title + nl, ": ", 2) && title[nl + 2])
		return strdup(title + nl + 2);
	return NULL;
}

static void apply_meta(page_meta *pm, gal_node *doc, gal_node *art, const gal_extract *ex)
{
	gal_meta *m = art->meta;
	char *h1 = NULL, *headline = NULL;
	if (!ex) {
		/* a leading <h1> is the headline's place on the page */
		gal_node *first = art->first;
		if (first && first->type == GAL_NODE_HEADING && first->as.heading.level == 1) {
			h1 = gal_node_text(first);
			const char *best = pm->jsonld_headline ? pm->jsonld_headline : pm->og_title ? pm->og_title : pm->title;
			if (h1 && *h1 && (!best || gal_loose_equal(h1, best, 1)))
				gal_node_free(first);
			else {
				free(h1);
				h1 = NULL;
			}
		}
		const char *hl = pm->jsonld_headline ? pm->jsonld_headline : pm->og_title ? pm->og_title : h1 ? h1 : pm->title;
		headline = hl ? strdup(hl) : NULL;
	} else {
		/* best source first; site names trimmed off titles */
		if (pm->jsonld_headline)
			headline = strip_site(pm->jsonld_headline, pm->site, 0);
		else if (pm->og_title)
			headline = strip_site(pm->og_title, pm->site, 0);
		else if (ex->h1 && *ex->h1)
			headline = strdup(ex->h1);
		else if (pm->title)
			headline = strip_site(pm->title, pm->site, 1);
	}
	/* white space collapsed as in all metadata (a no-break space in an <h1> is a space), so that the headline is
	 * the same from the page's title, its <h1> or a NITF copy */
	char *hc = headline ? gal_collapse_ws(headline) : NULL;
	gal_set_string(&m->headline, hc);
	free(hc);
	free(headline);
	free(h1);
	const gal_strlist *authors = pm->jsonld_authors.count           ? &pm->jsonld_authors
				     : ex && ex->authors.count ? &ex->authors
							       : &pm->authors;
	for (size_t i = 0; i < authors->count; i++)
		/* the site as its own author (JSON-LD "author": the publishing organization) is its name, not a byline */
		if ((!pm->site || !gal_loose_equal(authors->items[i], pm->site, 0)) &&
		    (!pm->publisher || !gal_loose_equal(authors->items[i], pm->publisher, 0)))
			gal_meta_add_byline(m, authors->items[i], NULL);
	for (size_t i = 0; i < pm->keywords.count; i++)
		gal_strlist_push(&m->keywords, pm->keywords.items[i]);
	set_date(&m->issued, pm->issued ? pm->issued : ex && ex->date ? ex->date : pm->time_datetime);
	set_date(&m->modified, pm->modified);
	/* a label that is only the site's name (a blog's title bar) is not a section */
	const char *section = pm->section ? pm->section : ex ? ex->section : NULL;
	if (section && pm->site && gal_loose_equal(section, pm->site, 0))
		section = NULL;
	gal_set_string(&m->section, section);
	gal_set_string(&m->source, pm->site);
	gal_set_string(&m->url, pm->url);
	gal_set_string(&m->language, pm->lang ? pm->lang : pm->jsonld_lang);
	gal_set_string(&m->copyright, pm->copyright);
}

/* The page's description, best source first. */
static const char *page_desc(const page_meta *pm)
{
	return pm->og_desc ? pm->og_desc : pm->desc ? pm->desc : pm->jsonld_desc;
}

/* The description is a deck only when it is not just the opening paragraph. */
static void apply_deck(page_meta *pm, gal_node *doc, gal_node *art, const char *shown)
{
	gal_meta *m = art->meta;
	const char *desc = page_desc(pm);
	int opening = 0;
	if (desc) {
		/* a description cut short ("...", an ellipsis) is still the opening paragraph */
		char *d = strdup(desc);
		size_t dl = d ? strlen(d) : 0;
		while (dl && (d[dl - 1] == '.' || d[dl - 1] == ' '))
			d[--dl] = '\0';
		if (dl >= 3 && !strcmp(d + dl - 3, "\xe2\x80\xa6"))
			d[dl -= 3] = '\0';
		/* the opening paragraph, and the first point of a list of points the story may open with
		 * ("highlights") */
		const gal_node *para = art->first, *list = art->first;
		while (para && para->type != GAL_NODE_PARAGRAPH)
			para = para->next;
		while (list && list->type != GAL_NODE_LIST && list->type != GAL_NODE_PARAGRAPH)
			list = list->next;
		const gal_node *opens[2] = {para, list && list->type == GAL_NODE_LIST ? list->first : NULL};
		for (int i = 0; i < 2 && !opening && d; i++) {
			char *pt = opens[i] ? gal_node_text(opens[i]) : NULL;
			char *pc = pt ? gal_collapse_ws(pt) : NULL;
			opening = pc && gal_loose_equal(d, pc, 1);
			/* or the opening paragraph after its dateline ("WASHINGTON (AP) — ", "(CNN) — ") */
			for (size_t k = 1; pc && *d && !opening && k < 80 && pc[k]; k++)
				if (pc[k - 1] == ' ')
					opening = gal_loose_equal(d, pc + k, 1);
			free(pt);
			free(pc);
		}
		if (!opening)
			gal_set_string(&m->deck, desc);
		free(d);
	}
	/* a description that only opens the story leaves the deck to the one the page shows under the headline */
	if ((!desc || opening) && shown && *shown) {
		gal_set_string(&m->deck, shown);
		for (gal_node *n = art->first; n && n->type == GAL_NODE_PARAGRAPH; n = n->next) {
			char *t = gal_node_text(n);
			int same = t && gal_loose_equal(t, shown, 0);
			free(t);
			if (same) {
				gal_node_free(n);
				break;
			}
		}
	}
	gal_docmeta *d = doc->docmeta;
	gal_set_string(&d->title, m->headline);
	gal_set_string(&d->language, m->language);
	gal_set_string(&d->date, m->issued);
	if (m->nbylines)
		gal_set_string(&d->creator, m->bylines[0].name);
}

/* Bytes of text in the body's blocks: how much story there is. */
static size_t body_text(const gal_node *art)
{
	size_t n = 0;
	for (const gal_node *b = art->first; b; b = b->next) {
		char *t = gal_node_text(b);
		n += t ? strlen(t) : 0;
		free(t);
	}
	return n;
}

/* A body from JSON-LD articleBody (pages that build their text with JavaScript): one paragraph per line. */
static void body_from_jsonld(hctx *c, const char *text, gal_node *art)
{
	const char *p = text;
	while (*p && !c->status) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, n);
		char *t = line ? gal_collapse_ws(line) : NULL;
		if (t && *t) {
			gal_node *para = add(c, art, GAL_NODE_PARAGRAPH);
			if (para)
				append_raw(c, para, t);
		}
		free(t);
		free(line);
		p += n;
		if (*p)
			p++;
	}
}

static int blank_text(const gal_node *n)
{
	if (n->type != GAL_NODE_TEXT)
		return 0;
	for (const char *p = gal_node_literal(n); p && *p; p++)
		if (!gal_is_space((unsigned char)*p))
			return 0;
	return 1;
}

/* "text<br><br>text": old pages separate paragraphs with two line breaks. Each such paragraph becomes two,
 * in every container of blocks. */
static void split_double_breaks(gal_node *container)
{
	for (gal_node *b = container->first; b; b = b->next) {
		if (b->type == GAL_NODE_BLOCKQUOTE || b->type == GAL_NODE_ITEM || b->type == GAL_NODE_LIST) {
			split_double_breaks(b);
			continue;
		}
		if (b->type != GAL_NODE_PARAGRAPH)
			continue;
		for (gal_node *k = b->first; k; k = k->next) {
			if (k->type != GAL_NODE_LINEBREAK)
				continue;
			gal_node *k2 = k->next;
			while (k2 && blank_text(k2))
				k2 = k2->next;
			if (!k2 || k2->type != GAL_NODE_LINEBREAK)
				continue;
			/* the rest after the breaks moves to a new paragraph right after this one */
			gal_node *rest = k2->next;
			while (rest && (rest->type == GAL_NODE_LINEBREAK || blank_text(rest)))
				rest = rest->next;
			if (!rest)
				break; /* trailing breaks: trimmed below */
			gal_node *p = gal_node_new(GAL_NODE_PARAGRAPH);
			if (!p)
				break;
			if ((b->next ? gal_node_insert_before(b->next, p) : gal_node_append(container, p)) != 0) {
				gal_node_free(p);
				break;
			}
			while (rest) {
				gal_node *nx = rest->next;
				gal_node_unlink(rest);
				gal_node_append(p, rest);
				rest = nx;
			}
			break;
		}
		gal_inline_block_trim(b);
	}
}

static void extract_body(hctx *c, xmlNode *root, page_meta *pm, gal_node *tree, gal_node *art)
{
	const gal_options *opts = c->opts;
	gal_extract ex;
	const char *hl = pm->jsonld_headline ? pm->jsonld_headline : pm->og_title;
	const char *desc = page_desc(pm);
	int evidence = pm->jsonld_article || (pm->og_type && !gal_strcasecmp(pm->og_type, "article"));
	if (gal_extract_run(root, hl, pm->title, desc, evidence, &ex) != GAL_OK) {
		gal_extract_free(&ex);
		gal_error_set(c->err, GAL_ENOMEM, opts, FMT, 0, 0, "out of memory");
		c->status = GAL_ENOMEM;
		return;
	}
	for (size_t i = 0; ex.found && i < ex.nroots && !c->status; i++) {
		c->ws = 1;
		blocks_until(c, ex.roots[i], ex.roots[i], art);
	}
	if (c->status) {
		gal_extract_free(&ex);
		return;
	}
	split_double_breaks(art);
	gal_tree_normalize(tree);
	apply_meta(pm, tree, art, &ex);
	/* the description as a deck while cleaning, so that a deck shown at the top of the body goes */
	gal_set_string(&art->meta->deck, desc);
	gal_extract_clean_tree(art);
	gal_set_string(&art->meta->deck, NULL);
	size_t text = body_text(art);
	/* the page's own JSON-LD copy of the text, when the page shows much less of it */
	if (pm->jsonld_body && text * 10 < strlen(pm->jsonld_body) * 3) {
		while (art->first)
			gal_node_free(art->first);
		body_from_jsonld(c, pm->jsonld_body, art);
		text = body_text(art);
		ex.found = 1;
	}
	if (ex.found && !text) {
		ex.found = 0;
		ex.why = "no text";
	}
	if (!ex.found) {
		while (art->first)
			gal_node_free(art->first);
		/* what the page shows outside an article (a masthead's date, a teaser's byline) is not metadata */
		gal_meta *m = art->meta;
		if (!pm->issued) {
			free(m->issued);
			m->issued = NULL;
		}
		if (!pm->section) {
			free(m->section);
			m->section = NULL;
		}
		if (!pm->jsonld_authors.count && ex.authors.count) {
			gal_meta_clear_bylines(m);
			for (size_t i = 0; i < pm->authors.count; i++)
				gal_meta_add_byline(m, pm->authors.items[i], NULL);
		}
		gal_warn(opts, FMT, 0, "no article found (%s): the body is empty", ex.why ? ex.why : "no text");
	}
	gal_tree_normalize(tree);
	apply_deck(pm, tree, art, ex.found ? ex.deck : NULL);
	gal_extract_free(&ex);
}

/* ------------------------------------------------------------------ entry points */

int gal_html_to_tree(const char *utf8, size_t len, const gal_options *opts, gal_node **out, gal_error *err)
{
	/* The input is UTF-8 by now; the encoding is stated and the page's own declaration ignored, so results do
	 * not depend on the libxml2 version's encoding rules. */
	if (len > (size_t)INT32_MAX) {
		gal_error_set(err, GAL_ELIMIT, opts, FMT, 0, 0, "input too large");
		return GAL_ELIMIT;
	}
	gal_dom *dom;
	int well_formed;
	int rc = gal_dom_parse(utf8, len, GAL_DOM_CLEAN, &well_formed, &dom);
	if (rc) {
		gal_error_set(err, rc, opts, FMT, 0, 0, rc == GAL_ELIMIT ? "input too large" : "out of memory");
		return rc;
	}
	if (opts->verbose && !well_formed)
		gal_warn(opts, FMT, 0, "malformed HTML: recovered as a browser would");
	xmlNode *root = gal_dom_root(dom);

	gal_node *tree = gal_node_new(GAL_NODE_DOCUMENT), *art = gal_node_new(GAL_NODE_ARTICLE);
	if (!tree || !art) {
		gal_node_free(tree);
		gal_node_free(art);
		gal_dom_free(dom);
		gal_error_set(err, GAL_ENOMEM, opts, FMT, 0, 0, "out of memory");
		return GAL_ENOMEM;
	}
	gal_node_append(tree, art);
	hctx c = {opts, err, GAL_OK, 2, 0, 0, 1, NULL};
	if (root) {
		page_meta pm;
		memset(&pm, 0, sizeof pm);
		read_page_meta(dom, root, &pm, opts);
		if (!opts->no_extract)
			extract_body(&c, root, &pm, tree, art);
		else {
			blocks(&c, root, art);
			if (!c.status) {
				split_double_breaks(art);
				gal_tree_normalize(tree);
				apply_meta(&pm, tree, art, NULL);
				apply_deck(&pm, tree, art, NULL);
			}
		}
		pm_free(&pm);
	}
	gal_dom_free(dom);
	if (c.status) {
		gal_node_free(tree);
		return c.status;
	}
	*out = tree;
	return GAL_OK;
}

int gal_html_dom_blocks(const xmlNode *first, const xmlNode *last, gal_node *container, size_t *nodes,
			const gal_options *opts, gal_error *err)
{
	hctx c = {opts, err, GAL_OK, *nodes, 0, 0, 1, NULL};
	blocks_until(&c, first, last, container);
	*nodes = c.nodes;
	return c.status;
}

static int html_read(const char *data, size_t len, const gal_options *opts, gal_node **out, gal_error *err)
{
	/* UTF-16 is full of NUL bytes: not binary when the user says so */
	if (!gal_charset_wide(opts->charset.from) && gal_looks_binary(data, len)) {
		gal_error_set(err, GAL_EPARSE, opts, FMT, 0, 0, "not HTML: the input is binary data");
		return GAL_EPARSE;
	}
	char *utf8;
	size_t n;
	char label[GAL_CHARSET_NAME_MAX];
	int rc = gal_decode(data, len, GAL_SNIFF_HTML, opts->charset.from, opts, FMT, NULL, &utf8, &n, label, err);
	if (rc)
		return rc;
	/* nothing, or a byte order mark and nothing else */
	if (n == 0) {
		free(utf8);
		gal_error_set(err, GAL_EPARSE, opts, FMT, 0, 0, "empty input");
		return GAL_EPARSE;
	}
	rc = gal_html_to_tree(utf8, n, opts, out, err);
	free(utf8);
	if (!rc && gal_set_string(&(*out)->docmeta->charset, label)) {
		gal_node_free(*out);
		*out = NULL;
		gal_error_set(err, GAL_ENOMEM, opts, FMT, 0, 0, "out of memory");
		rc = GAL_ENOMEM;
	}
	return rc;
}

static int html_sniff(const char *data, size_t len)
{
	size_t n = len < 1024 ? len : 1024;
	size_t i = 0;
	if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < n && gal_is_space((unsigned char)data[i]))
		i++;
	if (i + 9 <= n && !gal_strncasecmp(data + i, "<!doctype", 9))
		return 80;
	if (i + 5 <= n && !gal_strncasecmp(data + i, "<html", 5))
		return 80;
	for (size_t k = i; k + 5 <= n; k++)
		if (data[k] == '<' && (!gal_strncasecmp(data + k, "<body", 5) || !gal_strncasecmp(data + k, "<div", 4) ||
				       !gal_strncasecmp(data + k, "<p>", 3) || !gal_strncasecmp(data + k, "<head", 5)))
			return 50;
	return 10;
}

const gal_format gal_format_html = {
    "html", "htm xhtml", "html htm xhtml shtml", "HTML web pages", html_sniff, html_read, NULL, 0, GAL_OUTPUT_CONVERTED,
};
