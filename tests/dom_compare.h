/* dom_compare.h: the HTML reader's arena DOM (src/readers/html_dom.c) against the tree libxml2's own builder makes
 * of the same bytes with the same options. Header-only (static functions), shared by tests/runtest_dom.c and the
 * HTML fuzz target. */
#ifndef GAL_DOM_COMPARE_H
#define GAL_DOM_COMPARE_H

#include "../src/readers/html_dom.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
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

/* Document order over the element tree and what follows the root at the document level. */
static const xmlNode *dom_step(const xmlNode *x)
{
	if (x->type == XML_ELEMENT_NODE && x->children)
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

/* Parses data both ways and walks the two trees together. Returns 0 when they are the same node for node (type,
 * name, text, attributes, line), 1 when they differ (why says where and how), -1 when the arena parse failed. */
static int dom_first_diff(const char *data, size_t len, char *why, size_t size)
{
	xmlDoc *doc = dom_libxml2(data, len);
	gal_dom *dom = NULL;
	int wf = 0, rc = 0;
	if (gal_dom_parse(data, len, &wf, &dom) != GAL_OK) {
		snprintf(why, size, "arena parse failed");
		xmlFreeDoc(doc);
		return -1;
	}
	const xmlNode *a = doc ? xmlDocGetRootElement(doc) : NULL, *b = gal_dom_root(dom);
	size_t count = 0;
	char diff[256];
	for (; a && b; a = dom_step(a), b = dom_step(b), count++)
		if (*dom_node_diff(a, b, diff, sizeof diff)) {
			snprintf(why, size, "node %zu: %s", count, diff);
			rc = 1;
			break;
		}
	if (!rc && (a || b)) {
		snprintf(why, size, "the arena DOM has %s nodes (after %zu)", a ? "fewer" : "more", count);
		rc = 1;
	}
	xmlFreeDoc(doc);
	gal_dom_free(dom);
	return rc;
}

#endif
