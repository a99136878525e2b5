/* html_extract.h: finding the article in a web page (html_extract.c), used by the HTML reader. */
#ifndef GAL_HTML_EXTRACT_H
#define GAL_HTML_EXTRACT_H

#include "../util.h"

#include <libxml/tree.h>

/* What the extractor found. `roots` are the DOM subtrees that hold the story, in page order (the junk inside
 * them already unlinked from the DOM); the strings are metadata read off the visible page, for the fields the
 * page's <meta> and JSON-LD leave empty. */
typedef struct {
	const xmlNode **roots;
	size_t nroots;
	int found;        /* 0: the page holds no article (an index, a form): the body stays empty */
	const char *why;  /* when !found: why not, for the warning */
	char *h1;         /* the headline as the page shows it */
	char *date;       /* a visible publication date, raw */
	char *section;    /* a visible section label (kicker, category link) */
	char *deck;       /* a deck shown under the headline that differs from the page's description */
	gal_strlist authors;
} gal_extract;

/* Element classes the extractor needs from the reader's element table. */
enum { GAL_HE_INLINE, GAL_HE_SKIP, GAL_HE_BLOCK };
int gal_html_elem_class(const xmlNode *x);

/* Whether the reader maps x to a figure: a <figure> with a picture, or a box of one picture and its caption. */
int gal_html_figure_like(const xmlNode *x);
/* Whether x is a box holding one picture and nothing else visible but its viewer's controls ("Enlarge this
 * image"). */
int gal_html_picture_box(const xmlNode *x);

/* Text of a DOM subtree as a browser shows it, white space collapsed. */
char *gal_html_text(const xmlNode *x);

/* Finds the article in the page under root (its root element). `headline` and `desc` (from JSON-LD / Open Graph, may be NULL) help: the first
 * chooses the page's h1, and neither is taken as story text. `evidence`: the page's metadata says it is an
 * article (then a short one is still one). Every node's _private must be NULL (as gal_dom_parse leaves them); the
 * extractor uses it while it runs. Returns GAL_OK or GAL_ENOMEM. */
int gal_extract_run(xmlNode *root, const char *headline, const char *title, const char *desc, int evidence,
		    gal_extract *ex);
void gal_extract_free(gal_extract *ex);

/* Tree pass after conversion: drops paragraphs the page repeats, boilerplate lines ("Advertisement",
 * "Read more: ..."), and leading blocks that repeat the headline, byline, date or section. Authors named in a
 * dropped byline line are added to the article's metadata when it has none. */
void gal_extract_clean_tree(gal_node *article);

#endif
