/* node.h: the tree's private layout, shared by the library's own modules. */
#ifndef GAL_NODE_H
#define GAL_NODE_H

#include "galley.h"

struct gal_node {
	gal_node_type type;
	gal_node *parent, *first, *last, *prev, *next;
	/* literal text of TEXT, CODE, PRE; NUL-terminated, len bytes */
	char *lit;
	size_t len, cap;
	union {
		struct {
			int level;
		} heading;
		struct {
			int ordered, start;
		} list;
		struct {
			int header;
		} row;
	} as;
	/* string attributes (see gal_attr); which apply depends on type */
	char *s1, *s2, *s3;
	gal_meta *meta;       /* ARTICLE */
	gal_docmeta *docmeta; /* DOCUMENT */
};

/* The next node of a walk over root's subtree in document order (parent pointers, no allocation); NULL at the
 * end. */
static inline const gal_node *gal_node_walk_next(const gal_node *n, const gal_node *root)
{
	if (n->first)
		return n->first;
	while (n != root && !n->next)
		n = n->parent;
	return n == root ? NULL : n->next;
}

/* Removes every byline of m (a reader that took them from a source it then rejects). */
void gal_meta_clear_bylines(gal_meta *m);

/* Frees n and the ancestors it leaves empty, up to (not including) `stop`. */
void gal_node_free_up(gal_node *n, gal_node *stop);

/* Removes white space and line breaks at the start and end of an inline block (paragraph, heading, cell,
 * figure caption): the readers' invariant, also applied by gal_tree_normalize. */
void gal_inline_block_trim(gal_node *b);

#endif
