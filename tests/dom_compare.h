/* dom_compare.h: the HTML reader's arena DOM (src/readers/html_dom.c) against the tree libxml2's own builder makes
 * of the same bytes with the same options. Header-only (static functions), shared by tests/runtest_dom.c and the
 * HTML fuzz target. */
#ifndef GAL_DOM_COMPARE_H
#define GAL_DOM_COMPARE_H

#include "../src/readers/html_dom.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static xmlDoc *dom_libxml2(const char *data, size_t len)
{
	htmlParserCtxtPtr pc = htmlCreateMemoryParserCtxt(data, (int)len);
	if (!pc)
		return NULL;
	htmlCtxtUseOptions(pc, GAL_HTML_PARSE_OPTIONS);
	xmlSwitchEncoding(pc, XML_CHAR_ENCODING_UTF8);
	htmlParseDocument(pc);
	xmlDoc *doc = pc->myDoc;
	pc->myDoc = NULL;
	htmlFreeParserCtxt(pc);
	return doc;
}

/* Document order over the element tree and what follows the root at the document level (past x's subtree
 * without `descend`). */
static const xmlNode *dom_step(const xmlNode *x, int descend)
{
	if (descend && x->type == XML_ELEMENT_NODE && x->children)
		return x->children;
	while (!x->next) {
		x = x->parent;
		if (!x || x->type != XML_ELEMENT_NODE)
			return NULL;
	}
	return x->next;
}

static const char *dom_str(const xmlChar *s) { return s ? (const char *)s : "(null)"; }

/* "" when the two nodes agree, else what differs. */
static const char *dom_node_diff(const xmlNode *a, const xmlNode *b, char *why, size_t size)
{
	if (a->type != b->type)
		snprintf(why, size, "type %d vs %d", (int)a->type, (int)b->type);
	else if (a->type == XML_ELEMENT_NODE && strcmp(dom_str(a->name), dom_str(b->name)))
		snprintf(why, size, "element <%s> vs <%s>", dom_str(a->name), dom_str(b->name));
	else if (a->type == XML_ELEMENT_NODE && a->line != b->line)
		snprintf(why, size, "<%s> line %d vs %d", dom_str(a->name), a->line, b->line);
	else if ((a->type == XML_TEXT_NODE || a->type == XML_CDATA_SECTION_NODE) &&
		 strcmp(dom_str(a->content), dom_str(b->content)))
		snprintf(why, size, "text \"%.40s\" vs \"%.40s\"", dom_str(a->content), dom_str(b->content));
	else {
		const xmlAttr *p = a->type == XML_ELEMENT_NODE ? a->properties : NULL;
		const xmlAttr *q = b->type == XML_ELEMENT_NODE ? b->properties : NULL;
		for (; p && q; p = p->next, q = q->next) {
			const char *pv = p->children ? dom_str(p->children->content) : "(none)";
			const char *qv = q->children ? dom_str(q->children->content) : "(none)";
			if (strcmp(dom_str(p->name), dom_str(q->name)) || strcmp(pv, qv)) {
				snprintf(why, size, "<%s> attribute %s=\"%.40s\" vs %s=\"%.40s\"", dom_str(a->name),
					 dom_str(p->name), pv, dom_str(q->name), qv);
				return why;
			}
		}
		if (p || q)
			snprintf(why, size, "<%s> has %s attributes", dom_str(a->name), p ? "fewer" : "more");
		else
			why[0] = '\0';
	}
	return why;
}

/* Text that gal_dom_skim takes out: the text children of <style> and of <script> but JSON-LD (and, below,
 * drawings). */
static int dom_skimmed_text(const xmlNode *x)
{
	if ((x->type != XML_TEXT_NODE && x->type != XML_CDATA_SECTION_NODE) || !x->parent ||
	    x->parent->type != XML_ELEMENT_NODE)
		return 0;
	const xmlNode *p = x->parent;
	if (p->name && !strcmp((const char *)p->name, "style"))
		return 1;
	if (!p->name || strcmp((const char *)p->name, "script"))
		return 0;
	const char *type = gal_dom_attr(p, "type");
	return !type || gal_strcasecmp(type, "application/ld+json");
}

/* An <svg> of the skimmed page whose content the skimmer took out: nothing in it but white space (the line
 * breaks it keeps). Its subtree and the whole page's <svg> at the same place are passed over together; every
 * other <svg> is compared node for node, and a skim that went wrong inside a drawing shows in what follows it. */
static int dom_emptied_svg(const xmlNode *x)
{
	if (x->type != XML_ELEMENT_NODE || !x->name || strcmp((const char *)x->name, "svg"))
		return 0;
	for (const xmlNode *k = x->children; k; k = k->next)
		if (!gal_dom_is_blank(k))
			return 0;
	return 1;
}

/* The next node in document order, passing over x's subtree when `over`, and (skimmed) over skimmed text. */
static const xmlNode *dom_step_over(const xmlNode *x, int skimmed, int over)
{
	x = dom_step(x, !over);
	while (x && skimmed && dom_skimmed_text(x))
		x = dom_step(x, 1);
	return x;
}

/* Walks two trees together (skimmed: b is the skimmed page's, and what gal_dom_skim takes out is passed over);
 * 0 when they agree node for node. */
static int dom_walk_diff(const xmlNode *a, const xmlNode *b, int skimmed, const char *what, char *why, size_t size)
{
	size_t count = 0;
	char diff[256];
	for (; a && b; count++) {
		if (*dom_node_diff(a, b, diff, sizeof diff)) {
			snprintf(why, size, "node %zu: %s", count, diff);
			return 1;
		}
		int over = skimmed && dom_emptied_svg(b);
		a = dom_step_over(a, skimmed, over);
		b = dom_step_over(b, skimmed, over);
	}
	if (a || b) {
		snprintf(why, size, "the %s has %s nodes (after %zu)", what, a ? "fewer" : "more", count);
		return 1;
	}
	return 0;
}

/* Parses data both ways and walks the trees together: the arena DOM (built from the skimmed page) against
 * libxml2's tree of the same skimmed bytes, node for node (type, name, text, attributes, line); and libxml2's tree
 * of the skimmed page against its tree of the page as it is, but for the text skimming takes out. Returns 0 when
 * they agree, 1 when not (why says where and how), -1 when a parse failed. */
static int dom_first_diff(const char *data, size_t len, char *why, size_t size)
{
	char *skimmed = malloc(len ? len : 1);
	size_t slen = skimmed ? gal_dom_skim(data, len, skimmed) : 0;
	xmlDoc *doc = skimmed ? dom_libxml2(skimmed, slen) : NULL, *whole = dom_libxml2(data, len);
	gal_dom *dom = NULL;
	int wf = 0, rc = 0;
	if (!skimmed || gal_dom_parse(data, len, 0, &wf, &dom) != GAL_OK) {
		snprintf(why, size, "arena parse failed");
		rc = -1;
	} else {
		const xmlNode *b = gal_dom_root(dom);
		const xmlNode *a = doc ? xmlDocGetRootElement(doc) : NULL, *w = whole ? xmlDocGetRootElement(whole) : NULL;
		char diff[256];
		if (dom_walk_diff(a, b, 0, "arena DOM", diff, sizeof diff)) {
			snprintf(why, size, "arena DOM against libxml2's: %s", diff);
			rc = 1;
		} else if (dom_walk_diff(w, a, 1, "skimmed page's tree", diff, sizeof diff)) {
			snprintf(why, size, "skimmed page against the whole page (libxml2's trees): %s", diff);
			rc = 1;
		}
	}
	xmlFreeDoc(doc);
	xmlFreeDoc(whole);
	gal_dom_free(dom);
	free(skimmed);
	return rc;
}

#endif
