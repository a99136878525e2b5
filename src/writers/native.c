/* native.c: the tree as an indented outline, for tests and debugging (like pandoc's "native"). */
#include "../readers/readers.h"
#include "writers.h"

#include <stdio.h>
#include <string.h>

static void quoted(gal_sink *s, const char *v)
{
	gal_sink_puts(s, "\"");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			gal_sink_printf(s, "\\%c", *p);
		else if (*p == '\n')
			gal_sink_puts(s, "\\n");
		else if (*p == '\t')
			gal_sink_puts(s, "\\t");
		else if (*p < 0x20)
			gal_sink_printf(s, "\\x%02x", *p);
		else
			gal_sink_write(s, (const char *)p, 1);
	}
	gal_sink_puts(s, "\"");
}

static void field(gal_sink *s, int depth, const char *key, const char *v)
{
	if (!v)
		return;
	gal_sink_printf(s, "%*s%s: ", depth * 2, "", key);
	quoted(s, v);
	gal_sink_puts(s, "\n");
}

static void meta(gal_sink *s, int d, const gal_meta *m)
{
	field(s, d, "id", m->id);
	field(s, d, "headline", m->headline);
	field(s, d, "deck", m->deck);
	for (size_t i = 0; i < m->nbylines; i++) {
		field(s, d, "byline", m->bylines[i].name);
		field(s, d + 1, "title", m->bylines[i].title);
	}
	field(s, d, "dateline_place", m->dateline_place);
	field(s, d, "dateline_date", m->dateline_date);
	field(s, d, "issued", m->issued);
	field(s, d, "modified", m->modified);
	field(s, d, "section", m->section);
	for (size_t i = 0; i < m->keywords.count; i++)
		field(s, d, "keyword", m->keywords.items[i]);
	field(s, d, "language", m->language);
	field(s, d, "source", m->source);
	field(s, d, "copyright", m->copyright);
	field(s, d, "url", m->url);
	field(s, d, "abstract", m->abstract);
	field(s, d, "tagline", m->tagline);
	for (size_t i = 0; i < m->notes.count; i++)
		field(s, d, "note", m->notes.items[i]);
	if (m->urgency)
		gal_sink_printf(s, "%*surgency: %d\n", d * 2, "", m->urgency);
	field(s, d, "released", m->released);
	field(s, d, "expires", m->expires);
	field(s, d, "rights", m->rights);
	field(s, d, "series", m->series);
	for (size_t i = 0; i < m->nsubjects; i++) {
		char key[32];
		snprintf(key, sizeof key, "subject %s", gal_subject_kind_name(m->subjects[i].kind));
		field(s, d, key, m->subjects[i].name);
	}
	field(s, d, "bibliography", m->bibliography);
	for (size_t i = 0; i < m->nprops; i++) {
		gal_sink_printf(s, "%*sprop ", d * 2, "");
		quoted(s, m->props[i].name);
		gal_sink_puts(s, ": ");
		quoted(s, m->props[i].value);
		gal_sink_puts(s, "\n");
	}
}

static int native_write(gal_node *doc, gal_sink *s, const gal_options *opts, gal_error *err)
{
	(void)opts;
	(void)err;
	gal_iter *it = gal_iter_new(doc);
	if (!it)
		return GAL_ENOMEM;
	int depth = 0;
	gal_event ev;
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE) {
		gal_node *n = gal_iter_node(it);
		if (ev == GAL_EVENT_EXIT) {
			depth--;
			continue;
		}
		gal_sink_printf(s, "%*s%s", depth * 2, "", gal_node_type_name(n->type));
		switch (n->type) {
		case GAL_NODE_HEADING: gal_sink_printf(s, " %d", n->as.heading.level); break;
		case GAL_NODE_LIST:
			gal_sink_printf(s, " %s %d", n->as.list.ordered ? "ordered" : "bullet", n->as.list.start);
			break;
		case GAL_NODE_ROW:
			if (n->as.row.header)
				gal_sink_puts(s, " header");
			break;
		case GAL_NODE_TEXT:
		case GAL_NODE_CODE:
		case GAL_NODE_PRE:
			gal_sink_puts(s, " ");
			quoted(s, n->lit ? n->lit : "");
			break;
		default: break;
		}
		gal_sink_puts(s, "\n");
		static const struct {
			gal_attr a;
			const char *name;
		} attrs[] = {{GAL_ATTR_HREF, "href"},     {GAL_ATTR_TITLE, "title"},
			     {GAL_ATTR_SRC, "src"},       {GAL_ATTR_ALT, "alt"},
			     {GAL_ATTR_CREDIT, "credit"}, {GAL_ATTR_ATTRIBUTION, "attribution"},
			     {GAL_ATTR_CAPTION, "caption"}, {GAL_ATTR_LANG, "lang"}};
		for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
			field(s, depth + 1, attrs[i].name, gal_node_attr(n, attrs[i].a));
		if (n->type == GAL_NODE_DOCUMENT) {
			field(s, depth + 1, "title", n->docmeta->title);
			field(s, depth + 1, "creator", n->docmeta->creator);
			field(s, depth + 1, "date", n->docmeta->date);
			field(s, depth + 1, "language", n->docmeta->language);
		}
		if (n->type == GAL_NODE_ARTICLE)
			meta(s, depth + 1, n->meta);
		if (n->type == GAL_NODE_TEXT || n->type == GAL_NODE_CODE || n->type == GAL_NODE_PRE ||
		    n->type == GAL_NODE_LINEBREAK || n->type == GAL_NODE_THEMATIC_BREAK)
			continue; /* no EXIT event for leaves */
		depth++;
	}
	gal_iter_free(it);
	return gal_sink_error(s);
}

const gal_format gal_format_native = {
    "native", "tree", NULL, "the article tree as an outline (debugging)", NULL, NULL, native_write, 1, GAL_OUTPUT_CONVERTED,
};
