/* html_dom.h: small helpers over libxml2's DOM, shared by the HTML reader and the article extractor. */
#ifndef GAL_HTML_DOM_H
#define GAL_HTML_DOM_H

#include "../util.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

/* The value of an attribute without allocating (libxml2 keeps it as a text child); NULL if absent. */
static inline const char *gal_dom_attr(const xmlNode *x, const char *name)
{
	/* (the first letter is compared inline: most attributes differ there) */
	for (const xmlAttr *a = x->properties; a; a = a->next)
		if (a->name && (a->name[0] | 32) == (name[0] | 32) && !gal_strcasecmp((const char *)a->name, name))
			return a->children && a->children->content ? (const char *)a->children->content : "";
	return NULL;
}

/* Whether hay contains needle, ASCII case-insensitively. */
static inline int gal_dom_contains_ci(const char *hay, const char *needle)
{
	size_t n = 0;
	while (needle[n])
		n++;
	if (!n)
		return 1;
	int c0 = needle[0] >= 'A' && needle[0] <= 'Z' ? needle[0] + 32 : needle[0];
	for (; *hay; hay++) /* (the first letter before the rest) */
		if ((*hay >= 'A' && *hay <= 'Z' ? *hay + 32 : *hay) == c0 && !gal_strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* Whether an image says it is shown under `px` pixels wide or high (width/height attributes). */
static inline int gal_dom_image_under(const xmlNode *img, int px)
{
	const char *w = gal_dom_attr(img, "width"), *h = gal_dom_attr(img, "height");
	return (w && *w >= '0' && *w <= '9' && atoi(w) < px) || (h && *h >= '0' && *h <= '9' && atoi(h) < px);
}

/* A text node holding only white space. */
static inline int gal_dom_is_blank(const xmlNode *x)
{
	if (x->type != XML_TEXT_NODE)
		return 0;
	for (const char *p = (const char *)x->content; p && *p; p++)
		if (!gal_is_space((unsigned char)*p))
			return 0;
	return 1;
}

/* The next node in document order inside root: x's first child when `descend` (and it has one), else the next
 * sibling of x or of its nearest ancestor below root; NULL when the walk is over. The one iterative walk the
 * reader and the extractor use, so that deep pages never recurse. */
static inline const xmlNode *gal_dom_next(const xmlNode *x, const xmlNode *root, int descend)
{
	if (descend && x->children)
		return x->children;
	while (x && x != root && !x->next)
		x = x->parent;
	return !x || x == root ? NULL : x->next;
}

/* libxml2's HTML parser options for every page galley reads (the HTML reader, EPUB's XHTML fallback, and the tests
 * and benchmark that compare with them): recover as browsers do, no network, no messages, the input already
 * decoded to UTF-8 (its own charset declaration ignored), no size limit of libxml2's (galley has its own). */
#define GAL_HTML_PARSE_OPTIONS                                                                                     \
	(HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC |  \
	 HTML_PARSE_COMPACT | XML_PARSE_HUGE)

/* A page's DOM: libxml2's node structs (xmlNode, xmlAttr), built through SAX in one arena (html_dom.c) in the
 * shape libxml2's own tree builder gives them. Read it like any libxml2 tree, but never free or add nodes with
 * libxml2's functions: gal_dom_unlink takes a subtree out, gal_dom_free frees everything. */
typedef struct gal_dom gal_dom;
/* Parses UTF-8 HTML (libxml2's HTML parser, recovering as browsers do). *well_formed is libxml2's verdict.
 * Returns GAL_OK, GAL_ENOMEM or GAL_ELIMIT (over 2 GiB). */
int gal_dom_parse(const char *utf8, size_t len, unsigned flags, int *well_formed, gal_dom **out);
/* gal_dom_parse's flag: the text is valid UTF-8 without NUL bytes, as gal_decode gives it (not checked again). */
#define GAL_DOM_CLEAN 1u
/* Copies an HTML page (UTF-8, len bytes) to out (len bytes at least) without the content of its <script> (but
 * JSON-LD) and <style> elements and of its inline <svg> drawings, whose line breaks stay; returns the length
 * written. gal_dom_parse parses the
 * skimmed copy: libxml2 then builds the same tree but for that text, with the same line numbers. With a libxml2
 * whose tokenizer it has not been checked against, it copies the page as it is. */
size_t gal_dom_skim(const char *in, size_t len, char *out);
/* The root element (NULL for a page without elements). */
xmlNode *gal_dom_root(const gal_dom *d);
void gal_dom_free(gal_dom *d);
/* The elements gal_dom_metadata_element names, in document order, as parsed (the page metadata reader's, so that
 * it need not walk the whole page). Unlinked ones stay in the list. */
xmlNode *const *gal_dom_marked(const gal_dom *d, size_t *n);
/* Whether the page metadata reader reads this element: html, meta, title, link, time, script. */
static inline int gal_dom_metadata_element(const char *n)
{
	switch (n[0]) {
	case 'h': return !strcmp(n, "html");
	case 'm': return !strcmp(n, "meta");
	case 't': return !strcmp(n, "title") || !strcmp(n, "time");
	case 'l': return !strcmp(n, "link");
	case 's': return !strcmp(n, "script");
	default: return 0;
	}
}
/* Takes x (and its subtree) out of the tree; the memory stays in the arena. Nodes at the document level (without
 * a parent) stay where they are. */
void gal_dom_unlink(xmlNode *x);
/* Moves x (taken out of where it was) to just before ref; nothing when ref is at the document level. */
void gal_dom_insert_before(xmlNode *x, xmlNode *ref);

/* Parses HTML (valid UTF-8 without NUL bytes: gal_decode's output) and maps it onto a new DOCUMENT tree with one
 * article: the article found in the page, or with opts->no_extract the whole page. */
int gal_html_to_tree(const char *utf8, size_t len, const gal_options *opts, gal_node **out, gal_error *err);

/* "Name: Headline" or "Headline | Name" -> a copy of "Headline" when `name` is one whole part of the
 * title; NULL otherwise. */
char *gal_title_other_part(const char *title, const char *name);
/* Maps DOM nodes onto blocks appended to `container` (an ARTICLE) the way the reader maps a page with
 * opts->no_extract, without reading any metadata: the siblings from `first` to `last` (NULL: to the last one).
 * For readers that parse (X)HTML themselves (EPUB content documents). *nodes counts the nodes made so far,
 * across calls, against opts->limits.max_nodes. The caller normalises the tree. */
int gal_html_dom_blocks(const xmlNode *first, const xmlNode *last, gal_node *container, size_t *nodes,
			const gal_options *opts, gal_error *err);

#endif
