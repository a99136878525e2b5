/* tree.c: the article tree, its metadata and its iterator. */
#include "node.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ node kinds */

static const char *const type_names[GAL_NODE__COUNT] = {
    [GAL_NODE_NONE] = "none",
    [GAL_NODE_DOCUMENT] = "document",
    [GAL_NODE_ARTICLE] = "article",
    [GAL_NODE_PARAGRAPH] = "paragraph",
    [GAL_NODE_HEADING] = "heading",
    [GAL_NODE_BLOCKQUOTE] = "blockquote",
    [GAL_NODE_LIST] = "list",
    [GAL_NODE_ITEM] = "item",
    [GAL_NODE_TABLE] = "table",
    [GAL_NODE_ROW] = "row",
    [GAL_NODE_CELL] = "cell",
    [GAL_NODE_FIGURE] = "figure",
    [GAL_NODE_PRE] = "pre",
    [GAL_NODE_THEMATIC_BREAK] = "thematic_break",
    [GAL_NODE_TEXT] = "text",
    [GAL_NODE_EMPH] = "emph",
    [GAL_NODE_STRONG] = "strong",
    [GAL_NODE_LINK] = "link",
    [GAL_NODE_CODE] = "code",
    [GAL_NODE_LINEBREAK] = "linebreak",
    [GAL_NODE_SUPERSCRIPT] = "superscript",
    [GAL_NODE_SUBSCRIPT] = "subscript",
};

const char *gal_node_type_name(gal_node_type type)
{
	if ((int)type < 0 || type >= GAL_NODE__COUNT)
		return "invalid";
	return type_names[type];
}

int gal_node_is_block(gal_node_type t)
{
	return t >= GAL_NODE_PARAGRAPH && t <= GAL_NODE_THEMATIC_BREAK && t != GAL_NODE_ITEM && t != GAL_NODE_ROW &&
	       t != GAL_NODE_CELL;
}

int gal_node_is_inline(gal_node_type t)
{
	return t >= GAL_NODE_TEXT && t <= GAL_NODE_SUBSCRIPT;
}

static int has_literal(gal_node_type t)
{
	return t == GAL_NODE_TEXT || t == GAL_NODE_CODE || t == GAL_NODE_PRE;
}

int gal_node_can_contain(gal_node_type parent, gal_node_type child)
{
	switch (parent) {
	case GAL_NODE_DOCUMENT:
		return child == GAL_NODE_ARTICLE;
	case GAL_NODE_ARTICLE:
	case GAL_NODE_BLOCKQUOTE:
	case GAL_NODE_ITEM:
		return gal_node_is_block(child);
	case GAL_NODE_LIST:
		return child == GAL_NODE_ITEM;
	case GAL_NODE_TABLE:
		return child == GAL_NODE_ROW;
	case GAL_NODE_ROW:
		return child == GAL_NODE_CELL;
	case GAL_NODE_PARAGRAPH:
	case GAL_NODE_HEADING:
	case GAL_NODE_CELL:
	case GAL_NODE_FIGURE:
	case GAL_NODE_EMPH:
	case GAL_NODE_STRONG:
	case GAL_NODE_SUPERSCRIPT:
	case GAL_NODE_SUBSCRIPT:
		return gal_node_is_inline(child);
	case GAL_NODE_LINK: /* links do not nest */
		return gal_node_is_inline(child) && child != GAL_NODE_LINK;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ create, free, link */

gal_node *gal_node_new(gal_node_type type)
{
	if ((int)type <= GAL_NODE_NONE || type >= GAL_NODE__COUNT)
		return NULL;
	gal_node *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->type = type;
	if (type == GAL_NODE_HEADING)
		n->as.heading.level = 1;
	if (type == GAL_NODE_LIST)
		n->as.list.start = 1;
	if (type == GAL_NODE_ARTICLE && !(n->meta = calloc(1, sizeof *n->meta))) {
		free(n);
		return NULL;
	}
	if (type == GAL_NODE_DOCUMENT && !(n->docmeta = calloc(1, sizeof *n->docmeta))) {
		free(n);
		return NULL;
	}
	return n;
}

void gal_strlist_clear(gal_strlist *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = list->cap = 0;
}

void gal_meta_clear_bylines(gal_meta *m)
{
	for (size_t i = 0; i < m->nbylines; i++) {
		free(m->bylines[i].name);
		free(m->bylines[i].title);
	}
	free(m->bylines);
	m->bylines = NULL;
	m->nbylines = 0;
}

static void meta_free(gal_meta *m)
{
	if (!m)
		return;
	char **strs[] = {&m->id,       &m->headline, &m->deck,   &m->dateline_place, &m->dateline_date,
			 &m->issued,   &m->modified, &m->section, &m->language,      &m->source,
			 &m->copyright, &m->url,     &m->abstract, &m->tagline, &m->released, &m->expires,
			 &m->rights,    &m->series,  &m->bibliography};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		free(*strs[i]);
	for (size_t i = 0; i < m->nsubjects; i++)
		free(m->subjects[i].name);
	free(m->subjects);
	for (size_t i = 0; i < m->nprops; i++) {
		free(m->props[i].name);
		free(m->props[i].value);
	}
	free(m->props);
	gal_meta_clear_bylines(m);
	gal_strlist_clear(&m->keywords);
	gal_strlist_clear(&m->notes);
	free(m);
}

static void docmeta_free(gal_docmeta *d)
{
	if (!d)
		return;
	free(d->title);
	free(d->creator);
	free(d->date);
	free(d->language);
	free(d->charset);
	free(d);
}

static void free_one(gal_node *n)
{
	free(n->lit);
	free(n->s1);
	free(n->s2);
	free(n->s3);
	meta_free(n->meta);
	docmeta_free(n->docmeta);
	free(n);
}

void gal_node_unlink(gal_node *n)
{
	if (!n || !n->parent)
		return;
	if (n->prev)
		n->prev->next = n->next;
	else
		n->parent->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		n->parent->last = n->prev;
	n->parent = n->prev = n->next = NULL;
}

/* Iterative, so that freeing a deep tree cannot overflow the stack. */
void gal_node_free(gal_node *node)
{
	if (!node)
		return;
	gal_node_unlink(node);
	gal_node *cur = node;
	while (cur) {
		if (cur->first) {
			cur = cur->first;
			continue;
		}
		gal_node *parent = cur->parent, *next = cur->next;
		if (parent) {
			parent->first = next;
			if (next)
				next->prev = NULL;
			else
				parent->last = NULL;
		}
		free_one(cur);
		if (cur == node)
			break;
		cur = next ? next : parent;
	}
}

int gal_node_append(gal_node *parent, gal_node *child)
{
	if (!parent || !child || child->parent || child == parent || !gal_node_can_contain(parent->type, child->type))
		return GAL_EINVAL;
	child->parent = parent;
	child->prev = parent->last;
	if (parent->last)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
	return GAL_OK;
}

int gal_node_prepend(gal_node *parent, gal_node *child)
{
	if (!parent || !child || child->parent || child == parent || !gal_node_can_contain(parent->type, child->type))
		return GAL_EINVAL;
	child->parent = parent;
	child->next = parent->first;
	if (parent->first)
		parent->first->prev = child;
	else
		parent->last = child;
	parent->first = child;
	return GAL_OK;
}

int gal_node_insert_before(gal_node *sibling, gal_node *child)
{
	if (!sibling || !child || !sibling->parent || child->parent || child == sibling ||
	    !gal_node_can_contain(sibling->parent->type, child->type))
		return GAL_EINVAL;
	child->parent = sibling->parent;
	child->next = sibling;
	child->prev = sibling->prev;
	if (sibling->prev)
		sibling->prev->next = child;
	else
		sibling->parent->first = child;
	sibling->prev = child;
	return GAL_OK;
}

/* ------------------------------------------------------------------ accessors */

gal_node_type gal_node_type_of(const gal_node *n) { return n ? n->type : GAL_NODE_NONE; }
gal_node *gal_node_parent(const gal_node *n) { return n ? n->parent : NULL; }
gal_node *gal_node_first_child(const gal_node *n) { return n ? n->first : NULL; }
gal_node *gal_node_last_child(const gal_node *n) { return n ? n->last : NULL; }
gal_node *gal_node_next(const gal_node *n) { return n ? n->next : NULL; }
gal_node *gal_node_prev(const gal_node *n) { return n ? n->prev : NULL; }

const char *gal_node_literal(const gal_node *n)
{
	if (!n || !has_literal(n->type))
		return NULL;
	return n->lit ? n->lit : "";
}

int gal_node_set_literal(gal_node *n, const char *text, size_t len)
{
	if (!n || !has_literal(n->type))
		return GAL_EINVAL;
	n->len = 0;
	if (n->lit)
		n->lit[0] = '\0';
	return gal_node_append_literal(n, text, len);
}

int gal_node_append_literal(gal_node *n, const char *text, size_t len)
{
	if (!n || !has_literal(n->type))
		return GAL_EINVAL;
	if (n->len + len + 1 > n->cap) {
		size_t cap = n->cap ? n->cap : 16;
		while (cap < n->len + len + 1)
			cap *= 2;
		char *p = realloc(n->lit, cap);
		if (!p)
			return GAL_ENOMEM;
		n->lit = p;
		n->cap = cap;
	}
	if (len)
		memcpy(n->lit + n->len, text, len);
	n->len += len;
	n->lit[n->len] = '\0';
	return GAL_OK;
}

int gal_node_heading_level(const gal_node *n) { return n && n->type == GAL_NODE_HEADING ? n->as.heading.level : 0; }

int gal_node_set_heading_level(gal_node *n, int level)
{
	if (!n || n->type != GAL_NODE_HEADING || level < 1 || level > 6)
		return GAL_EINVAL;
	n->as.heading.level = level;
	return GAL_OK;
}

int gal_node_list_ordered(const gal_node *n) { return n && n->type == GAL_NODE_LIST ? n->as.list.ordered : 0; }
int gal_node_list_start(const gal_node *n) { return n && n->type == GAL_NODE_LIST ? n->as.list.start : 0; }

int gal_node_set_list(gal_node *n, int ordered, int start)
{
	if (!n || n->type != GAL_NODE_LIST || start < 0)
		return GAL_EINVAL;
	n->as.list.ordered = !!ordered;
	n->as.list.start = start;
	return GAL_OK;
}

int gal_node_row_header(const gal_node *n) { return n && n->type == GAL_NODE_ROW ? n->as.row.header : 0; }

int gal_node_set_row_header(gal_node *n, int header)
{
	if (!n || n->type != GAL_NODE_ROW)
		return GAL_EINVAL;
	n->as.row.header = !!header;
	return GAL_OK;
}

/* Which of s1/s2/s3 holds an attribute for a node type; NULL if the type lacks it. */
static char **attr_slot(gal_node *n, gal_attr attr)
{
	if (!n)
		return NULL;
	switch (n->type) {
	case GAL_NODE_LINK:
		return attr == GAL_ATTR_HREF ? &n->s1 : attr == GAL_ATTR_TITLE ? &n->s2 : NULL;
	case GAL_NODE_FIGURE:
		return attr == GAL_ATTR_SRC ? &n->s1 : attr == GAL_ATTR_ALT ? &n->s2 : attr == GAL_ATTR_CREDIT ? &n->s3 : NULL;
	case GAL_NODE_BLOCKQUOTE:
		return attr == GAL_ATTR_ATTRIBUTION ? &n->s1 : NULL;
	case GAL_NODE_TABLE:
		return attr == GAL_ATTR_CAPTION ? &n->s1 : NULL;
	case GAL_NODE_PRE:
		return attr == GAL_ATTR_LANG ? &n->s1 : NULL;
	default:
		return NULL;
	}
}

const char *gal_node_attr(const gal_node *n, gal_attr attr)
{
	char **slot = attr_slot((gal_node *)n, attr);
	return slot ? *slot : NULL;
}

int gal_node_set_attr(gal_node *n, gal_attr attr, const char *value)
{
	char **slot = attr_slot(n, attr);
	if (!slot)
		return GAL_EINVAL;
	return gal_set_string(slot, value);
}

gal_meta *gal_node_meta(gal_node *n) { return n && n->type == GAL_NODE_ARTICLE ? n->meta : NULL; }
const gal_meta *gal_node_meta_const(const gal_node *n) { return n && n->type == GAL_NODE_ARTICLE ? n->meta : NULL; }
gal_docmeta *gal_node_docmeta(gal_node *n) { return n && n->type == GAL_NODE_DOCUMENT ? n->docmeta : NULL; }
const gal_docmeta *gal_node_docmeta_const(const gal_node *n)
{
	return n && n->type == GAL_NODE_DOCUMENT ? n->docmeta : NULL;
}

int gal_set_string(char **slot, const char *value)
{
	char *copy = NULL;
	if (value && !(copy = strdup(value)))
		return GAL_ENOMEM;
	free(*slot);
	*slot = copy;
	return GAL_OK;
}

int gal_strlist_push(gal_strlist *list, const char *value)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 4;
		char **items = realloc(list->items, cap * sizeof *items);
		if (!items)
			return GAL_ENOMEM;
		list->items = items;
		list->cap = cap;
	}
	if (!(list->items[list->count] = strdup(value)))
		return GAL_ENOMEM;
	list->count++;
	return GAL_OK;
}

int gal_meta_add_byline(gal_meta *m, const char *name, const char *title)
{
	gal_byline *b = realloc(m->bylines, (m->nbylines + 1) * sizeof *b);
	if (!b)
		return GAL_ENOMEM;
	m->bylines = b;
	b[m->nbylines].name = strdup(name ? name : "");
	b[m->nbylines].title = title ? strdup(title) : NULL;
	if (!b[m->nbylines].name || (title && !b[m->nbylines].title)) {
		free(b[m->nbylines].name);
		free(b[m->nbylines].title);
		return GAL_ENOMEM;
	}
	m->nbylines++;
	return GAL_OK;
}

int gal_meta_add_subject(gal_meta *m, gal_subject_kind kind, const char *name)
{
	if ((int)kind < 0 || kind >= GAL_SUBJECT__COUNT || !name)
		return GAL_EINVAL;
	gal_subject *s = realloc(m->subjects, (m->nsubjects + 1) * sizeof *s);
	if (!s)
		return GAL_ENOMEM;
	m->subjects = s;
	if (!(s[m->nsubjects].name = strdup(name)))
		return GAL_ENOMEM;
	s[m->nsubjects++].kind = kind;
	return GAL_OK;
}

int gal_meta_add_prop(gal_meta *m, const char *name, const char *value)
{
	if (!name)
		return GAL_EINVAL;
	gal_prop *p = realloc(m->props, (m->nprops + 1) * sizeof *p);
	if (!p)
		return GAL_ENOMEM;
	m->props = p;
	p[m->nprops].name = strdup(name);
	p[m->nprops].value = strdup(value ? value : "");
	if (!p[m->nprops].name || !p[m->nprops].value) {
		free(p[m->nprops].name);
		free(p[m->nprops].value);
		return GAL_ENOMEM;
	}
	m->nprops++;
	return GAL_OK;
}

const char *gal_subject_kind_name(gal_subject_kind kind)
{
	static const char *const names[GAL_SUBJECT__COUNT] = {"person", "org", "place", "event", "topic"};
	return (int)kind >= 0 && kind < GAL_SUBJECT__COUNT ? names[kind] : "invalid";
}

/* ------------------------------------------------------------------ iterator */

struct gal_iter {
	gal_node *root, *cur;
	gal_event ev;
};

static int may_have_children(const gal_node *n)
{
	return !has_literal(n->type) && n->type != GAL_NODE_LINEBREAK && n->type != GAL_NODE_THEMATIC_BREAK;
}

gal_iter *gal_iter_new(gal_node *root)
{
	if (!root)
		return NULL;
	gal_iter *it = calloc(1, sizeof *it);
	if (it)
		it->root = root;
	return it;
}

void gal_iter_free(gal_iter *it) { free(it); }
gal_node *gal_iter_node(const gal_iter *it) { return it ? it->cur : NULL; }

void gal_iter_skip(gal_iter *it)
{
	if (it && it->ev == GAL_EVENT_ENTER && may_have_children(it->cur))
		it->ev = GAL_EVENT_EXIT;
}

gal_event gal_iter_next(gal_iter *it)
{
	if (!it || it->ev == GAL_EVENT_DONE)
		return GAL_EVENT_DONE;
	if (it->ev == GAL_EVENT_NONE) {
		it->cur = it->root;
		return it->ev = GAL_EVENT_ENTER;
	}
	gal_node *c = it->cur;
	if (it->ev == GAL_EVENT_ENTER && may_have_children(c)) {
		if (c->first) {
			it->cur = c->first;
			return it->ev = GAL_EVENT_ENTER;
		}
		return it->ev = GAL_EVENT_EXIT;
	}
	if (c == it->root) {
		it->cur = NULL;
		return it->ev = GAL_EVENT_DONE;
	}
	if (c->next) {
		it->cur = c->next;
		return it->ev = GAL_EVENT_ENTER;
	}
	it->cur = c->parent;
	return it->ev = GAL_EVENT_EXIT;
}

/* ------------------------------------------------------------------ whole-tree helpers */

char *gal_node_text(const gal_node *node)
{
	/* two walks, the first to size the string: extractors call this for every paragraph */
	size_t size = 1;
	for (const gal_node *n = node; n; n = gal_node_walk_next(n, node))
		size += n->lit ? n->len : n->type == GAL_NODE_LINEBREAK;
	char *out = malloc(size), *o = out;
	if (!out)
		return NULL;
	for (const gal_node *n = node; n; n = gal_node_walk_next(n, node)) {
		if (n->lit) {
			memcpy(o, n->lit, n->len);
			o += n->len;
		} else if (n->type == GAL_NODE_LINEBREAK)
			*o++ = ' ';
	}
	*o = '\0';
	return out;
}

size_t gal_node_count(const gal_node *node)
{
	size_t count = 0;
	gal_iter *it = gal_iter_new((gal_node *)node);
	if (!it)
		return 0;
	gal_event ev;
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE)
		if (ev == GAL_EVENT_ENTER)
			count++;
	gal_iter_free(it);
	return count;
}

static int is_inline_container(gal_node_type t)
{
	return t == GAL_NODE_EMPH || t == GAL_NODE_STRONG || t == GAL_NODE_LINK || t == GAL_NODE_SUPERSCRIPT ||
	       t == GAL_NODE_SUBSCRIPT;
}

/* Moves children of n before n, then frees n. */
static void dissolve(gal_node *n)
{
	gal_node *c;
	while ((c = n->first)) {
		gal_node_unlink(c);
		c->parent = NULL;
		if (gal_node_insert_before(n, c) != GAL_OK)
			gal_node_free(c);
	}
	gal_node_free(n);
}

/* Splits leading or trailing spaces off the first/last text inside an inline container and moves them outside,
 * so that "<em> word </em>" becomes " <em>word</em> " (Markdown cannot express the former). */
static void hoist_spaces(gal_node *n)
{
	gal_node *t = n->first;
	if (t && t->type == GAL_NODE_TEXT && t->len && t->lit[0] == ' ') {
		size_t k = 0;
		while (k < t->len && t->lit[k] == ' ')
			k++;
		int moved = 0;
		if (n->prev && n->prev->type == GAL_NODE_TEXT) {
			moved = gal_node_append_literal(n->prev, " ", 1) == GAL_OK;
		} else {
			gal_node *sp = gal_node_new(GAL_NODE_TEXT);
			moved = sp && gal_node_set_literal(sp, " ", 1) == GAL_OK && gal_node_insert_before(n, sp) == GAL_OK;
			if (!moved)
				gal_node_free(sp);
		}
		if (moved) {
			memmove(t->lit, t->lit + k, t->len - k + 1);
			t->len -= k;
		}
	}
	t = n->last;
	if (t && t->type == GAL_NODE_TEXT && t->len && t->lit[t->len - 1] == ' ') {
		size_t k = t->len;
		while (k > 0 && t->lit[k - 1] == ' ')
			k--;
		gal_node *sp = gal_node_new(GAL_NODE_TEXT);
		int moved = sp && gal_node_set_literal(sp, " ", 1) == GAL_OK &&
			    (n->next ? gal_node_insert_before(n->next, sp) : gal_node_append(n->parent, sp)) == GAL_OK;
		if (moved) {
			t->len = k;
			t->lit[k] = '\0';
		} else
			gal_node_free(sp);
	}
}

static int has_ancestor_of_type(const gal_node *n, gal_node_type t)
{
	for (const gal_node *p = n->parent; p; p = p->parent)
		if (p->type == t)
			return 1;
	return 0;
}

static int is_empty_inline(const gal_node *n)
{
	return !n->first || (n->first == n->last && n->first->type == GAL_NODE_TEXT && n->first->len == 0);
}

/* The first (or last) text leaf of an inline block, descending through inline containers. */
static gal_node *edge_leaf(gal_node *n, int last)
{
	while (n && is_inline_container(n->type) == 0 && n->type != GAL_NODE_TEXT && (last ? n->last : n->first))
		n = last ? n->last : n->first;
	while (n && is_inline_container(n->type) && (last ? n->last : n->first))
		n = last ? n->last : n->first;
	return n;
}

void gal_node_free_up(gal_node *n, gal_node *stop)
{
	while (n->parent && n->parent != stop && n->parent->first == n && n->parent->last == n)
		n = n->parent;
	gal_node_free(n);
}

/* Writers rely on this invariant, since no output format keeps white space at block edges. */
void gal_inline_block_trim(gal_node *b)
{
	for (int last = 0; last < 2; last++) {
		for (;;) { /* each round removes a node or ends */
			gal_node *n = edge_leaf(b, last);
			if (!n || n == b)
				break;
			if (n->type == GAL_NODE_LINEBREAK || (n->type == GAL_NODE_TEXT && n->len == 0)) {
				gal_node_free_up(n, b); /* and the containers it leaves empty */
				continue;
			}
			if (n->type != GAL_NODE_TEXT)
				break;
			size_t k = 0;
			if (last) {
				while (k < n->len && (n->lit[n->len - 1 - k] == ' ' || n->lit[n->len - 1 - k] == '\t' ||
						      n->lit[n->len - 1 - k] == '\n'))
					k++;
				n->len -= k;
				n->lit[n->len] = '\0';
			} else {
				while (k < n->len && (n->lit[k] == ' ' || n->lit[k] == '\t' || n->lit[k] == '\n'))
					k++;
				memmove(n->lit, n->lit + k, n->len - k + 1);
				n->len -= k;
			}
			if (n->len)
				break;
		}
	}
}

/* Tidies one node whose children are already tidy; returns the next node to visit's subtree root
 * (the node that now follows the place where `n` stood). */
static gal_node *tidy(gal_node *n)
{
	gal_node *prev = n->prev, *parent = n->parent;
	if (is_inline_container(n->type)) {
		/* emphasis inside the same emphasis adds nothing; a link inside a link cannot be expressed */
		if ((n->type == GAL_NODE_EMPH || n->type == GAL_NODE_STRONG || n->type == GAL_NODE_LINK) &&
		    has_ancestor_of_type(n, n->type)) {
			/* the moved children are visited again, so that they merge with their new neighbours */
			gal_node *after = n->first ? n->first : n->next;
			dissolve(n);
			return after;
		}
		hoist_spaces(n);
		if (is_empty_inline(n)) {
			gal_node *after = n->next;
			gal_node_free(n);
			return after;
		}
		return n->next;
	}
	if (n->type == GAL_NODE_TEXT || n->type == GAL_NODE_CODE) {
		gal_node *after = n->next;
		if (n->len == 0)
			gal_node_free(n);
		else if (prev && prev->type == n->type) { /* adjacent texts, or adjacent code spans, merge */
			gal_node_append_literal(prev, n->lit, n->len);
			gal_node_free(n);
		}
		return after;
	}
	(void)parent;
	if (n->type == GAL_NODE_PARAGRAPH || n->type == GAL_NODE_HEADING || n->type == GAL_NODE_CELL ||
	    n->type == GAL_NODE_FIGURE)
		gal_inline_block_trim(n);
	if ((n->type == GAL_NODE_PARAGRAPH && !n->first) || (n->type == GAL_NODE_BLOCKQUOTE && !n->first && !n->s1)) {
		gal_node *after = n->next;
		gal_node_free(n);
		return after;
	}
	return n->next;
}

static gal_node *first_leaf(gal_node *n)
{
	while (n->first)
		n = n->first;
	return n;
}

/* Post-order walk without recursion (deep trees): each node is tidied after its children. */
void gal_tree_normalize(gal_node *root)
{
	if (!root)
		return;
	gal_node *cur = first_leaf(root);
	while (cur != root) {
		gal_node *parent = cur->parent;
		gal_node *next = tidy(cur);
		cur = next ? first_leaf(next) : parent;
	}
}
