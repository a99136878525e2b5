/* html_dom.c: libxml2's HTML parser driven through SAX, building its DOM in one arena.
 *
 * libxml2's own tree builder (SAX2) allocates every node, name, attribute and text with malloc and frees them one
 * by one in xmlFreeDoc: a third of the parse time on news pages (bench/README.md). The reader only reads the tree
 * (and unlinks a few subtrees), so the same tree is built here with the same node structs, from one arena that is
 * freed at once. The shape is the one SAX2 builds for HTML, rule for rule (libxml2 2.9's SAX2.c): element names
 * split at the first colon ("o:p" is a "p"), boolean attributes without a value get their name as value, adjacent
 * text (and adjacent CDATA) merged into one node, an element after the root closed becomes the root's child
 * unless a doctype or a comment came first. tests/runtest_dom.c compares this tree with libxml2's on every fixture
 * page (elements, attributes, text, CDATA, comments, line numbers of elements); the HTML fuzz target on every
 * input it tries. What differs and nobody reads: no node has a `doc`, top-level nodes have no parent (not the
 * document), text nodes carry no line, comments and processing instructions keep no content, CDATA nodes are
 * named "cdata". The parser itself (tokenizer, implied and auto-closed elements, entities) is libxml2's,
 * untouched. ctxt->node is left NULL (SAX2 points it at the open element): libxml2's HTML parser reads it only in
 * its white-space rule (areBlanks), after every test that can change the events; with blanks kept, blank text comes
 * as characters either way, and the rule's 40 name comparisons per blank run were 5 % of a page's time. */
#include "html_dom.h"

#include "../scratch.h"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/dict.h>
#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
	struct chunk *next;
	size_t cap, used;
	char data[];
} chunk;

/* Two arenas: the tree's walks touch elements and text, rarely attributes, so attributes live apart and the walks
 * read denser memory. */
typedef struct {
	chunk *chunks;
	size_t first; /* the first chunk's size: from the input's length */
} arena;

struct gal_dom {
	arena tree, attrs;
	xmlDict *dict;         /* the parser's name dictionary, kept: element and attribute names point into it */
	xmlNode *first, *last; /* the document level */
	xmlNode **stack;       /* the open elements, as SAX2's node stack */
	size_t depth, stack_cap;
	xmlNode **marked; /* elements the page's metadata is read from (gal_dom_marked), in document order */
	size_t nmarked, marked_cap;
	xmlNode *text;   /* the text or CDATA node made or grown last */
	size_t text_len; /* its length (the content may hold a NUL byte, as SAX2's does) */
	int failed;
};

enum { CHUNK_MIN = 16 * 1024, CHUNK_MAX_FIRST = 64 * 1024 * 1024, ALIGN = sizeof(void *) };

static void *alloc_from(gal_dom *d, arena *ar, size_t n)
{
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	chunk *c = ar->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = c ? c->cap * 2 : ar->first;
		while (cap < n && cap <= SIZE_MAX / 2)
			cap *= 2;
		if (cap < n || cap > SIZE_MAX - sizeof(chunk)) {
			d->failed = 1;
			return NULL;
		}
		size_t got;
		chunk *fresh = gal_scratch_get(sizeof *fresh + cap, &got);
		if (!fresh) {
			d->failed = 1;
			return NULL;
		}
		fresh->next = c;
		fresh->cap = got - sizeof *fresh;
		fresh->used = 0;
		ar->chunks = c = fresh;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

static void *alloc_in(gal_dom *d, size_t n)
{
	return alloc_from(d, &d->tree, n);
}

static char *copy_to(gal_dom *d, arena *ar, const char *s, size_t n)
{
	char *p = alloc_from(d, ar, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *copy(gal_dom *d, const char *s, size_t n)
{
	return copy_to(d, &d->tree, s, n);
}

/* A name as the parser passes it: its dictionary's copy is kept as is (it lives as long as the DOM), anything
 * else copied. */
static const xmlChar *name_of(gal_dom *d, const char *name)
{
	if (xmlDictOwns(d->dict, (const xmlChar *)name) == 1)
		return (const xmlChar *)name;
	return (const xmlChar *)copy(d, name, strlen(name));
}

/* A zeroed node of this type in arena ar. */
static xmlNode *node_in(gal_dom *d, arena *ar, xmlElementType type)
{
	xmlNode *x = alloc_from(d, ar, sizeof *x);
	if (x) {
		memset(x, 0, sizeof *x);
		x->type = type;
	}
	return x;
}

static xmlNode *new_node(gal_dom *d, xmlElementType type)
{
	return node_in(d, &d->tree, type);
}

static void append(xmlNode *parent, xmlNode *x)
{
	x->parent = parent;
	x->prev = parent->last;
	if (parent->last)
		parent->last->next = x;
	else
		parent->children = x;
	parent->last = x;
}

/* Appends x to parent, or to the document level. */
static void add_node(gal_dom *d, xmlNode *parent, xmlNode *x)
{
	if (parent) {
		append(parent, x);
		return;
	}
	x->prev = d->last;
	if (d->last)
		d->last->next = x;
	else
		d->first = x;
	d->last = x;
}

static gal_dom *dom_of(void *ctx)
{
	return ((htmlParserCtxtPtr)ctx)->_private;
}

static void fail(void *ctx)
{
	dom_of(ctx)->failed = 1;
	xmlStopParser((htmlParserCtxtPtr)ctx);
}

static int mark(gal_dom *d, xmlNode *x)
{
	if (d->nmarked == d->marked_cap) {
		size_t cap = d->marked_cap ? d->marked_cap * 2 : 64;
		xmlNode **m = realloc(d->marked, cap * sizeof *m);
		if (!m)
			return 0;
		d->marked = m;
		d->marked_cap = cap;
	}
	d->marked[d->nmarked++] = x;
	return 1;
}

/* SAX2 drops the namespace prefix of an HTML element name: "o:p" is a "p" (but ":x" and "x:" stay whole). */
static const char *local_name(const char *name)
{
	if (name[0] == ':')
		return name;
	const char *colon = strchr(name, ':');
	return colon && colon[1] ? colon + 1 : name;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	htmlParserCtxtPtr pc = ctx;
	gal_dom *d = dom_of(ctx);
	xmlNode *x = new_node(d, XML_ELEMENT_NODE);
	if (!x || !(x->name = name_of(d, local_name((const char *)name)))) {
		fail(ctx);
		return;
	}
	if (pc->linenumbers && pc->input)
		x->line = pc->input->line < 65535 ? (unsigned short)pc->input->line : 65535;
	xmlNode *parent = d->depth ? d->stack[d->depth - 1] : NULL;
	/* SAX2 puts a top-level element after the first into the document's first child when that is an element,
	 * else beside it (a doctype, which libxml2 always puts first, or a comment) */
	if (!parent && d->first && d->first->type == XML_ELEMENT_NODE && !(pc->myDoc && pc->myDoc->intSubset))
		parent = d->first;
	add_node(d, parent, x);
	if (d->depth == d->stack_cap) {
		size_t cap = d->stack_cap ? d->stack_cap * 2 : 64;
		xmlNode **s = realloc(d->stack, cap * sizeof *s);
		if (!s) {
			fail(ctx);
			return;
		}
		d->stack = s;
		d->stack_cap = cap;
	}
	d->stack[d->depth++] = x;
	if (gal_dom_metadata_element((const char *)x->name) && !mark(d, x)) {
		fail(ctx);
		return;
	}

	xmlAttr *prev = NULL;
	for (size_t i = 0; atts && atts[i]; i += 2) {
		const char *an = (const char *)atts[i], *av = (const char *)atts[i + 1];
		if (!av && htmlIsBooleanAttr(atts[i]))
			av = an;
		xmlAttr *a = alloc_from(d, &d->attrs, sizeof *a);
		if (!a) {
			fail(ctx);
			return;
		}
		memset(a, 0, sizeof *a);
		a->type = XML_ATTRIBUTE_NODE;
		a->parent = x;
		if (!(a->name = name_of(d, an))) {
			fail(ctx);
			return;
		}
		if (av) {
			xmlNode *t = node_in(d, &d->attrs, XML_TEXT_NODE);
			if (!t || !(t->content = (xmlChar *)copy_to(d, &d->attrs, av, strlen(av)))) {
				fail(ctx);
				return;
			}
			t->name = xmlStringText;
			t->parent = (xmlNode *)a;
			a->children = a->last = t;
		}
		a->prev = prev;
		if (prev)
			prev->next = a;
		else
			x->properties = a;
		prev = a;
	}
}

/* (libxml2 2.9.14 also pops its own node stack once without calling this: when a start tag has no end before the
 * input ends. The element then stays open here, which changes nothing: the parse is over.) */
static void on_end(void *ctx, const xmlChar *name)
{
	(void)name;
	gal_dom *d = dom_of(ctx);
	if (d->depth)
		d->depth--;
}

/* Text and CDATA: appended to the open element's last child when that is a node of the same type (SAX2 merges
 * them), else a new node. */
static void add_text(void *ctx, const xmlChar *s, int len, xmlElementType type)
{
	gal_dom *d = dom_of(ctx);
	xmlNode *parent = d->depth ? d->stack[d->depth - 1] : NULL;
	if (!parent || len < 0)
		return;
	size_t n = (size_t)len;
	xmlNode *t = parent->last;
	if (t && t->type == type) {
		size_t old = t == d->text ? d->text_len : strlen((const char *)t->content);
		chunk *c = d->tree.chunks;
		size_t old_alloc = (old + 1 + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		size_t new_alloc = (old + n + 1 + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		/* grown in place when the content is the arena's last allocation and the chunk has room */
		if ((char *)t->content + old_alloc == c->data + c->used && c->used - old_alloc + new_alloc <= c->cap)
			c->used += new_alloc - old_alloc;
		else {
			char *p = alloc_in(d, old + n + 1);
			if (!p) {
				fail(ctx);
				return;
			}
			memcpy(p, t->content, old);
			t->content = (xmlChar *)p;
		}
		memcpy(t->content + old, s, n);
		t->content[old + n] = '\0';
		d->text = t;
		d->text_len = old + n;
		return;
	}
	if (!(t = new_node(d, type)) || !(t->content = (xmlChar *)copy(d, (const char *)s, n))) {
		fail(ctx);
		return;
	}
	t->name = type == XML_TEXT_NODE ? xmlStringText : (const xmlChar *)"cdata";
	append(parent, t);
	d->text = t;
	d->text_len = n;
}

static void on_chars(void *ctx, const xmlChar *s, int len)
{
	add_text(ctx, s, len, XML_TEXT_NODE);
}
static void on_cdata(void *ctx, const xmlChar *s, int len)
{
	add_text(ctx, s, len, XML_CDATA_SECTION_NODE);
}
static void on_blank(void *ctx, const xmlChar *s, int len)
{
	(void)ctx, (void)s, (void)len;
}

/* Comments and processing instructions are kept as nodes (without content): they separate text nodes in SAX2's
 * tree, and one before the root decides where a second top-level element goes. */
static void add_other(void *ctx, xmlElementType type)
{
	gal_dom *d = dom_of(ctx);
	xmlNode *x = new_node(d, type);
	if (!x) {
		fail(ctx);
		return;
	}
	x->name = (const xmlChar *)(type == XML_COMMENT_NODE ? "comment" : "pi");
	x->content = (xmlChar *)"";
	add_node(d, d->depth ? d->stack[d->depth - 1] : NULL, x);
}

static void on_comment(void *ctx, const xmlChar *s)
{
	(void)s;
	add_other(ctx, XML_COMMENT_NODE);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target, (void)data;
	add_other(ctx, XML_PI_NODE);
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* ------------------------------------------------------------------ skimming scripts, style sheets, drawings */

/* A news page is often half scripts and style sheets, which libxml2's HTML parser reads a character at a time and
 * galley never reads (but JSON-LD); inline <svg> icons and charts add drawings of long path data, which galley
 * skips too. Before parsing, gal_dom_skim takes the content of every <script> (but JSON-LD) and <style> element,
 * and of every <svg> whose content it can follow (skim_svg), out of the page, keeping its line breaks so that
 * line numbers stay. To know where such an element starts, it follows the page as libxml2 2.9's HTML parser
 * tokenizes it (comments, processing instructions, doctypes, start tags with their quoted and bogus attributes,
 * end tags); wherever it is not sure what libxml2 does, it stops and leaves the rest of the page as it is.
 * tests/dom_compare.h checks, on every fixture, the fuzz corpus and random tag soup, that libxml2 builds the same
 * tree from the skimmed page but for the skipped text and drawings. The rules are libxml2 2.9.14's (Debian 12):
 * with another version nothing is skimmed. */

static int skim_blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int skim_letter(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
/* htmlParseHTMLName's characters */
static int skim_name_char(unsigned char c)
{
	return skim_letter(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' || c == '.';
}

/* Whether in[i..] starts with the lower-case word w, ASCII case-insensitively. */
static int skim_word(const char *in, size_t len, size_t i, const char *w)
{
	for (; *w; w++, i++)
		if (i >= len || ((unsigned char)in[i] | 32) != (unsigned char)*w)
			return 0;
	return 1;
}

/* libxml2 reads at most this many characters of a tag's or attribute's name (HTML_PARSER_BUFFER_SIZE) and the
 * rest of a longer run as what follows the name: the skimmer does not follow such names. */
#define SKIM_NAME_MAX 100

/* Whether a name (htmlParseHTMLName's: a tag's or an attribute's) may start with c. */
static int skim_name_start(unsigned char c) { return skim_letter(c) || c == '_' || c == ':' || c == '.'; }

/* The end of a name starting at i (a run of name characters). */
static size_t skim_name_end(const char *in, size_t len, size_t i)
{
	while (i < len && skim_name_char((unsigned char)in[i]))
		i++;
	return i;
}

static int skim_version_ok(void)
{
	static int ok = -1; /* (a benign race: every thread computes the same value) */
	if (ok < 0)
		ok = atoi(xmlParserVersion) == 20914;
	return ok;
}

/* The end of a comment starting at in[i] ("<!--"): after the first "-->" or "--!>" whose dashes come after
 * "<!--"; 0 when there is none (libxml2 then takes the rest of the page). */
static size_t skim_comment_end(const char *in, size_t len, size_t i)
{
	for (size_t j = i + 4;; j++) {
		const char *d = j < len ? memchr(in + j, '-', len - j) : NULL;
		if (!d)
			return 0;
		j = (size_t)(d - in);
		if (j + 2 < len && in[j + 1] == '-' && in[j + 2] == '>')
			return j + 3;
		if (j + 3 < len && in[j + 1] == '-' && in[j + 2] == '!' && in[j + 3] == '>')
			return j + 4;
	}
}

/* A start tag's attributes (htmlParseStartTag), from *i after its name to its '>' or "/>", where *i is left.
 * *type and *type_end span the value of the first "type" attribute (both 0 without one or without a value).
 * Returns 0 when a quoted value or the tag runs to the end of the page, or for a name too long to follow. */
static int skim_attrs(const char *in, size_t len, size_t *pi, size_t *type, size_t *type_end)
{
	size_t i = *pi;
	int seen_type = 0;
	*type = *type_end = 0;
	while (i < len && skim_blank((unsigned char)in[i]))
		i++;
	while (i < len && in[i] != '>' && !(in[i] == '/' && i + 1 < len && in[i + 1] == '>')) {
		unsigned char c = (unsigned char)in[i];
		if (skim_name_start(c)) {
			size_t an = i, an_end = skim_name_end(in, len, i);
			if (an_end - an >= SKIM_NAME_MAX)
				return 0;
			int is_type = an_end - an == 4 && skim_word(in, len, an, "type") && !seen_type;
			seen_type |= is_type;
			i = an_end;
			while (i < len && skim_blank((unsigned char)in[i]))
				i++;
			if (i < len && in[i] == '=') {
				i++;
				while (i < len && skim_blank((unsigned char)in[i]))
					i++;
				size_t v = i, v_end;
				if (i < len && (in[i] == '"' || in[i] == '\'')) {
					const char *q = memchr(in + i + 1, in[i], len - i - 1);
					if (!q)
						return 0; /* the value takes the rest of the page */
					v = i + 1;
					v_end = (size_t)(q - in);
					i = v_end + 1;
				} else {
					while (i < len && in[i] != '>' && !skim_blank((unsigned char)in[i]))
						i++;
					v_end = i;
				}
				if (is_type) {
					*type = v;
					*type_end = v_end;
				}
			}
		} else { /* a bogus attribute: dropped up to a blank or the end of the tag */
			while (i < len && !skim_blank((unsigned char)in[i]) && in[i] != '>' &&
			       !(in[i] == '/' && i + 1 < len && in[i + 1] == '>'))
				i++;
		}
		while (i < len && skim_blank((unsigned char)in[i]))
			i++;
	}
	*pi = i;
	return i < len;
}

/* The content of a <script> or <style> (tag) from i, after its start tag: where the end tag that closes it starts
 * (libxml2 compares the prefix "</script" or "</style" only), or 0 when libxml2 would do otherwise. */
static size_t skim_raw_end(const char *in, size_t len, size_t i, const char *tag)
{
	size_t tl = strlen(tag);
	if (i + 1 < len && in[i] == '<') {
		/* first, libxml2 looks for a tag that closes the element (<noscript> a script, <body> a style) or an end
		 * tag */
		if (skim_letter((unsigned char)in[i + 1])) {
			size_t n = i + 1, n_end = skim_name_end(in, len, n);
			if ((n_end - n == 8 && skim_word(in, len, n, "noscript")) ||
			    (n_end - n == 4 && skim_word(in, len, n, "body")) ||
			    (n_end - n == 8 && skim_word(in, len, n, "frameset")))
				return 0;
		} else if (in[i + 1] == '/') {
			if (!skim_word(in, len, i + 2, tag) ||
			    (i + 2 + tl < len && skim_name_char((unsigned char)in[i + 2 + tl])))
				return 0;
			return i; /* empty: the end tag follows */
		}
	}
	for (size_t end = i;; end++) {
		const char *lt = end < len ? memchr(in + end, '<', len - end) : NULL;
		if (!lt)
			return len;
		end = (size_t)(lt - in);
		if (end + 1 < len && in[end + 1] == '/' && skim_word(in, len, end + 2, tag))
			/* "</scripts>" is another end tag, which libxml2 reads as one (and goes on with the script) */
			return end + 2 + tl < len && skim_name_char((unsigned char)in[end + 2 + tl]) ? 0 : end;
	}
}

/* The content of an inline <svg> from i (after its start tag): where the "</svg" that closes it starts, or 0 when
 * it is not sure that the content leaves the tree around it alone. Inside, libxml2 makes elements of tags it does
 * not know (path, g, defs...) and closes nothing outside for them; it is left alone for a tag that libxml2 knows
 * (a <title> or <a> there may close elements outside, a <style> is read as such), a nested <svg>, an end tag of an
 * element not opened inside it, a doctype, a processing instruction, a name of 100 characters or more. */
static size_t skim_svg(const char *in, size_t len, size_t i)
{
	struct {
		size_t at, n;
	} open[32]; /* the unknown elements left open inside: libxml2's stack above the <svg> */
	int depth = 0;
	for (;;) {
		const char *lt = i < len ? memchr(in + i, '<', len - i) : NULL;
		if (!lt)
			return 0;
		i = (size_t)(lt - in);
		if (i + 1 >= len)
			return 0;
		unsigned char c1 = (unsigned char)in[i + 1];
		if (c1 == '/') {
			size_t n = i + 2, n_end = skim_name_end(in, len, n);
			unsigned char c2 = n < len ? (unsigned char)in[n] : 0;
			if (!skim_name_start(c2)) {
				i += 2; /* "</" without a name is dropped */
				continue;
			}
			if (n_end - n >= SKIM_NAME_MAX)
				return 0;
			if (n_end - n == 3 && skim_word(in, len, n, "svg"))
				return i;
			/* it closes the innermost element of its name, and those above it (all unknown: libxml2 gives them
			 * the same end priority) */
			int k = depth - 1;
			while (k >= 0 && !(open[k].n == n_end - n && !gal_strncasecmp(in + open[k].at, in + n, open[k].n)))
				k--;
			if (k < 0)
				return 0; /* perhaps open outside: it would close the <svg> */
			depth = k;
			const char *gt = memchr(in + n_end, '>', len - n_end);
			if (!gt)
				return 0;
			i = (size_t)(gt - in) + 1;
		} else if (skim_letter(c1)) {
			size_t n = i + 1, n_end = skim_name_end(in, len, n);
			char name[SKIM_NAME_MAX];
			if (n_end - n >= sizeof name)
				return 0;
			for (size_t k = n; k < n_end; k++)
				name[k - n] = (char)(in[k] | ((in[k] >= 'A' && in[k] <= 'Z') ? 32 : 0));
			name[n_end - n] = '\0';
			if (!strcmp(name, "svg") || htmlTagLookup((const xmlChar *)name))
				return 0;
			size_t type, type_end;
			i = n_end;
			if (!skim_attrs(in, len, &i, &type, &type_end))
				return 0;
			if (in[i] == '/') { /* "<path/>": closed at once */
				i += 2;
				continue;
			}
			if (depth == (int)(sizeof open / sizeof *open))
				return 0;
			open[depth].at = n;
			open[depth++].n = n_end - n;
			i++;
		} else if (c1 == '!' && i + 3 < len && in[i + 2] == '-' && in[i + 3] == '-') {
			if (!(i = skim_comment_end(in, len, i)))
				return 0;
		} else if (c1 == '?' || (c1 == '!' && skim_word(in, len, i + 2, "doctype"))) {
			return 0;
		} else {
			i++; /* a '<' of text */
		}
	}
}

static size_t skim(const char *in, size_t len, char *out, int clean)
{
	size_t i = 0, o = 0, from = 0; /* in[from..i) is still to be copied */
	/* the prologue (htmlParseDocument): blanks, comments, processing instructions and one doctype before the
	 * content; 1 before the doctype, 2 after it, 0 in the content */
	int prologue = 1;
	/* libxml2 stops at a NUL byte in many places, and reads the rest of a page as Latin-1 after a byte that is
	 * not UTF-8 (the reader's input is decoded text, clean; other callers' may not be) */
	if (!skim_version_ok() || (!clean && (memchr(in, '\0', len) || !gal_utf8_valid(in, len))))
		goto rest;
	while (i < len) {
		const char *lt = memchr(in + i, '<', len - i);
		if (!lt)
			break;
		for (const char *b = in + i; prologue && b < lt; b++)
			if (!skim_blank((unsigned char)*b))
				prologue = 0;
		i = (size_t)(lt - in);
		if (i + 1 >= len)
			break;
		unsigned char c1 = (unsigned char)in[i + 1];
		if (!(c1 == '?' || (c1 == '!' && (skim_word(in, len, i + 2, "--") || skim_word(in, len, i + 2, "doctype")))))
			prologue = 0;
		if (c1 == '!') {
			if (i + 3 < len && in[i + 2] == '-' && in[i + 3] == '-') {
				if (!(i = skim_comment_end(in, len, i)))
					goto rest; /* not terminated: libxml2 takes the rest of the page */
				continue;
			}
			if (skim_word(in, len, i + 2, "doctype")) {
				/* its quoted literals may hold '>': not followed */
				size_t j = i + 9;
				while (j < len && in[j] != '>' && in[j] != '"' && in[j] != '\'')
					j++;
				if (j >= len || in[j] != '>')
					goto rest;
				i = j + 1;
				/* in the content, libxml2 reads on from a doctype as from text: "</" is a '<' of text */
				if (prologue != 1 && i + 1 < len && in[i] == '<' && in[i + 1] == '/')
					i++;
				prologue = prologue == 1 ? 2 : 0;
				continue;
			}
			i++; /* a '<' of text */
			continue;
		}
		if (c1 == '?') {
			if (i + 2 >= len)
				break;
			unsigned char c2 = (unsigned char)in[i + 2];
			if (skim_letter(c2) || c2 == '_' || c2 == ':') { /* a processing instruction, up to '>' */
				const char *gt = memchr(in + i + 2, '>', len - i - 2);
				if (!gt)
					goto rest;
				i = (size_t)(gt - in) + 1;
			} else if (c2 < 0x80) {
				i += 2; /* not a name: "<?" is dropped, the rest is text */
			} else {
				goto rest; /* a name in another script: not followed */
			}
			continue;
		}
		if (c1 == '/') {
			/* an end tag runs to the next '>' whatever it holds; "</" without a name is dropped */
			unsigned char c2 = i + 2 < len ? (unsigned char)in[i + 2] : 0;
			if (skim_name_start(c2)) {
				const char *gt = memchr(in + i + 2, '>', len - i - 2);
				if (!gt)
					goto rest;
				i = (size_t)(gt - in) + 1;
			} else {
				i += 2;
			}
			continue;
		}
		if (!skim_letter(c1)) {
			i++;
			continue;
		}
		/* a start tag: its name, then attributes up to '>' or "/>" */
		size_t name = i + 1, name_end = skim_name_end(in, len, name);
		if (name_end - name >= SKIM_NAME_MAX)
			goto rest;
		int script = name_end - name == 6 && skim_word(in, len, name, "script");
		int style = name_end - name == 5 && skim_word(in, len, name, "style");
		int svg = name_end - name == 3 && skim_word(in, len, name, "svg");
		size_t type, type_end;
		i = name_end;
		if (!skim_attrs(in, len, &i, &type, &type_end))
			goto rest;
		if (in[i] == '/') { /* "<script/>": empty */
			i += 2;
			continue;
		}
		i++;
		size_t end = 0;
		if (svg) {
			end = skim_svg(in, len, i); /* 0: read on inside it as anywhere */
		} else if (script || style) {
			if (!(end = skim_raw_end(in, len, i, script ? "script" : "style")))
				goto rest;
			/* a JSON-LD script stays (or one whose type may be: a character reference in it) */
			const char *ld = "application/ld+json";
			if (script && type_end > type &&
			    (memchr(in + type, '&', type_end - type) ||
			     (type_end - type == strlen(ld) && skim_word(in, len, type, ld)))) {
				i = end;
				continue;
			}
		}
		if (!end)
			continue;
		memcpy(out + o, in + from, i - from);
		o += i - from;
		for (const char *nl = in + i; (nl = memchr(nl, '\n', (size_t)(in + end - nl))); nl++)
			out[o++] = '\n';
		from = end;
		i = end;
	}
rest:
	memcpy(out + o, in + from, len - from);
	return o + len - from;
}

size_t gal_dom_skim(const char *in, size_t len, char *out) { return skim(in, len, out, 0); }

int gal_dom_parse(const char *utf8, size_t len, unsigned flags, int *well_formed, gal_dom **out)
{
	*out = NULL;
	if (len > (size_t)INT32_MAX)
		return GAL_ELIMIT;
	gal_dom *d = calloc(1, sizeof *d);
	if (d && len == 0) { /* libxml2 makes no parser for nothing: an empty DOM */
		*well_formed = 1;
		*out = d;
		return GAL_OK;
	}
	size_t skim_cap = 0;
	char *skimmed = d ? gal_scratch_get(len, &skim_cap) : NULL;
	size_t skim_len = skimmed ? skim(utf8, len, skimmed, (flags & GAL_DOM_CLEAN) != 0) : 0;
	htmlParserCtxtPtr pc = skimmed ? htmlCreateMemoryParserCtxt(skimmed, (int)skim_len) : NULL;
	if (!pc) {
		gal_scratch_put(skimmed, skim_cap);
		free(d);
		return GAL_ENOMEM;
	}
	/* news pages' DOMs take 6 to 11 times the page's bytes, about half of it attributes: one chunk per arena for
	 * most pages (pages of memory never written stay unmapped), at most 64 MiB at once */
	d->tree.first = len < CHUNK_MIN / 4 ? CHUNK_MIN : len > CHUNK_MAX_FIRST / 4 ? CHUNK_MAX_FIRST : len * 4;
	d->attrs.first = d->tree.first;
	/* libxml2's generic error messages off for this parse (the setting is per thread), the caller's back after */
	xmlGenericErrorFunc saved_fn = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, silent);
	htmlCtxtUseOptions(pc, GAL_HTML_PARSE_OPTIONS);
	xmlSwitchEncoding(pc, XML_CHAR_ENCODING_UTF8);
	/* the document node itself (and its doctype, which the white-space rule reads) is still SAX2's */
	xmlSAXHandler *sax = (xmlSAXHandler *)pc->sax;
	sax->ignorableWhitespace = sax->ignorableWhitespace == xmlSAX2Characters ? on_chars : on_blank;
	sax->startElement = on_start;
	sax->endElement = on_end;
	sax->characters = on_chars;
	sax->cdataBlock = on_cdata;
	sax->comment = on_comment;
	sax->processingInstruction = on_pi;
	pc->_private = d;
	d->dict = pc->dict;
	xmlDictReference(d->dict);
	htmlParseDocument(pc);
	gal_scratch_put(skimmed, skim_cap);
	xmlSetGenericErrorFunc(saved_ctx, saved_fn);
	*well_formed = pc->wellFormed;
	pc->node = NULL;
	if (pc->myDoc)
		xmlFreeDoc(pc->myDoc);
	pc->myDoc = NULL;
	htmlFreeParserCtxt(pc);
	free(d->stack);
	d->stack = NULL;
	if (d->failed) {
		gal_dom_free(d);
		return GAL_ENOMEM;
	}
	*out = d;
	return GAL_OK;
}

xmlNode *gal_dom_root(const gal_dom *d)
{
	for (xmlNode *x = d ? d->first : NULL; x; x = x->next)
		if (x->type == XML_ELEMENT_NODE)
			return x;
	return NULL;
}

void gal_dom_free(gal_dom *d)
{
	if (!d)
		return;
	for (int i = 0; i < 2; i++)
		for (chunk *c = (i ? &d->attrs : &d->tree)->chunks, *next; c; c = next) {
			next = c->next;
			gal_scratch_put(c, sizeof *c + c->cap);
		}
	free(d->stack);
	free(d->marked);
	xmlDictFree(d->dict);
	free(d);
}

xmlNode *const *gal_dom_marked(const gal_dom *d, size_t *n)
{
	*n = d ? d->nmarked : 0;
	return d ? d->marked : NULL;
}

void gal_dom_unlink(xmlNode *x)
{
	/* the document level is gal_dom's own list: nothing there is ever taken out */
	if (!x->parent)
		return;
	if (x->parent->children == x)
		x->parent->children = x->next;
	if (x->parent->last == x)
		x->parent->last = x->prev;
	if (x->next)
		x->next->prev = x->prev;
	if (x->prev)
		x->prev->next = x->next;
	x->parent = x->next = x->prev = NULL;
}

void gal_dom_insert_before(xmlNode *x, xmlNode *ref)
{
	if (!ref->parent)
		return;
	gal_dom_unlink(x);
	x->parent = ref->parent;
	x->next = ref;
	x->prev = ref->prev;
	if (ref->prev)
		ref->prev->next = x;
	else
		ref->parent->children = x;
	ref->prev = x;
}
