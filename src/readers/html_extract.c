/* html_extract.c: finds the article in a cluttered web page.
 *
 * The approach is evidence plus scoring, in the spirit of Arc90's Readability and its successors:
 *  1. Every element of <body> gets an info record: its text length, link text length, commas, and a weight
 *     from its class and id ("comment", "share", "sidebar" count against; "article", "content" for).
 *  2. Page furniture is marked as junk: by tag and ARIA role (nav, aside, footer, dialogs), hidden elements,
 *     and (in the strict pass) by class/id hints.
 *  3. Paragraph-like blocks score by length and commas; their scores flow to their parent and, damped, to
 *     further ancestors; a candidate's score is scaled down by its link density. Semantic evidence
 *     (<article>, <main>, itemprop=articleBody) adds to the score.
 *  4. The best candidate is widened to a common ancestor when the runners-up sit beside it, then its siblings
 *     that look like story text are taken with it.
 *  5. Inside the chosen subtrees, junk and boilerplate boxes (link lists, teaser grids, sign-up boxes) are
 *     removed before the reader maps what is left.
 * If the strict pass finds too little, a second pass runs without the class hints. A page whose best content
 * is a list of teasers, or too little prose without any sign of being an article, has no article.
 * After conversion, gal_extract_clean_tree() works on the article tree: repeated paragraphs, boilerplate
 * lines, and header lines (headline, byline, date) repeated at the top of the body.
 *
 * No rule here names a site: every hint is a word that many sites use. */
#include "html_extract.h"

#include "../date.h"
#include "../node.h"
#include "../scratch.h"
#include "html_dom.h"

#include <libxml/HTMLparser.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ per-element records */

enum {
	F_HARD_JUNK = 1,  /* furniture by tag, role or hidden state */
	F_SOFT_JUNK = 2,  /* furniture by class/id hint (strict pass only) */
	F_CAND = 4,       /* has a candidate score */
	F_TEXTBLOCK = 8,  /* paragraph-like: p, pre, td, or a div holding only inline content */
	F_BLOCKKIDS = 16, /* has block-level element children */
	F_NEG_HINT = 32,  /* class/id has a negative hint */
	F_POS_HINT = 64,  /* class/id has a positive hint */
	F_STRONG_NEG = 128, /* a negative hint that is never story text (comments, cookie banners, ...) */
	F_ASIDE = 256,      /* <aside>: a side column outside the story, a fact box inside it */
	F_IN_JUNK = 512,    /* this element or an ancestor is junk (set by measure) */
	F_TEASER_KNOWN = 1024, F_TEASER = 2048, /* teaser_list() memo */
	F_NO_CTA = 4096, /* checked: no call to action in its text (so none in its descendants') */
	F_IN_CAPTION = 8192, /* inside a <figcaption> */
	F_IN_FIGURE = 16384, /* inside a <figure> */
	F_PROSE_KIDS = 32768 /* three or more paragraphs of 80 bytes or more as its children */
};

enum { HID_DISPLAY = 1, HID_ARIA = 2 }; /* not displayed (hidden, a style); hidden from screen readers */

typedef struct {
	const xmlNode *x;
	size_t parent; /* index of the parent element, or SIZE_MAX */
	size_t text;   /* bytes of visible text (non-space) in the subtree, junk excluded */
	size_t link;   /* of which inside links */
	size_t commas;
	size_t raw_text; /* text including junk */
	size_t own_text, own_commas; /* in the element's own text children (measured once, summed per pass) */
	double score;
	int weight;
	int flags;
	int cls; /* GAL_HE_* */
	/* read in the one walk over the element's attributes (collect): */
	unsigned hint, hint_len; /* its hint string (hint_string) in ectx.pool at `hint`; hint_len 0: none */
	int hint_flags;          /* the string's F_NEG_HINT, F_STRONG_NEG, F_POS_HINT (hint_scan) */
	unsigned look;           /* and its LK_* bits */
	int hidden;              /* HID_*: hidden, aria-hidden=true, or a style that hides it */
	int junk_role;           /* a role of page furniture (navigation, banner, ...) */
	const char *rel, *itemprop;
} rec;

typedef struct {
	rec *r;
	size_t n, cap, r_bytes; /* records used, records and bytes allocated (a scratch block) */
	char *pool; /* the records' hint strings (see hstr); a scratch block */
	size_t pool_len, pool_cap;
	/* the distinct hint strings seen (record index + 1 of the first with it; 0: free): a page repeats its class
	 * lists, and a repeated one is neither stored nor scanned again */
	unsigned seen_hint[2048];
	size_t nseen_hint;
	int strict;
	size_t body_text; /* raw text of the whole body */
	const char *headline, *desc; /* from the page's metadata, may be NULL */
	const xmlNode *h1;           /* the headline's element */
	const char *h1_text;         /* and its text (owned by the gal_extract) */
	int debug;                   /* GALLEY_DEBUG_EXTRACT is set: candidates and pruned boxes go to stderr */
} ectx;

static double dmax(double a, double b) { return a > b ? a : b; }
static double dmin(double a, double b) { return a < b ? a : b; }

static rec *R(const xmlNode *x) { return (rec *)x->_private; }

/* Element name tests run on every element many times: the first byte rules out most names without a call. */
static inline int is_name(const xmlNode *x, const char *name)
{
	return x && x->type == XML_ELEMENT_NODE && x->name[0] == (unsigned char)name[0] &&
	       !strcmp((const char *)x->name, name);
}

/* 1-6 for <h1>-<h6>, else 0. */
static int heading_level(const xmlNode *x)
{
	if (!x || x->type != XML_ELEMENT_NODE || x->name[0] != 'h' || x->name[1] < '1' || x->name[1] > '6' || x->name[2])
		return 0;
	return x->name[1] - '0';
}

static int name_in(const xmlNode *x, const char *const *names)
{
	if (!x || x->type != XML_ELEMENT_NODE)
		return 0;
	for (size_t i = 0; names[i]; i++)
		if (x->name[0] == (unsigned char)names[i][0] && !strcmp((const char *)x->name, names[i]))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ class and id hints */

/* Substrings of class/id (lower-cased) that mark page furniture. The first group is never story text. */
/* (not "pullquote": a pull quote is dropped when its words stand in a paragraph of the story, pull_quote(); one
 * that quotes nothing else in the story is a quotation) */
static const char *const strong_neg[] = {
    "comment", "disqus", "cookie", "consent", "gdpr", "newsletter", "subscri", "paywall", "regwall", "wall",
    "outbrain", "taboola", "related", "recommend", "more-from", "morefrom", "most-read", "mostread",
    "most-popular", "mostpopular", "trending", "sharing", "share-", "-share", "sharebar", "social",
    "sidebar", "breadcrumb", "advert", "sponsor", "promo", "popup", "modal", "author-bio", "authorbio",
    "author-box", "authorbox", "about-author", "about-the-author", "authorcard", "author-card", "author-info",
    "authorinfo", "author-profile", "signup", "sign-up", "login", "masthead",
    "footer", "navbar", "navigation", "menu", "skip-link", "screen-reader", "sr-only", "visually-hidden",
    "read-more", "readmore", "also-read", "pagination", "pager", "toolbar", "widget", "banner", "byline",
    "newsfeed", "headlines", "gallery-nav", "thumbnails", "keywords",
    /* comment boxes named in other languages (es/pt, it, de, fr) */
    "comentario", "commenti", "kommentar", "commentaire", "visuallyhidden", "screenreader",
    /* a live blog's pinned post: a copy of one further down; an affiliate disclosure; a paywall's barrier */
    "pinned", "disclosure", "barrier", "talkback", NULL};
/* Whole words (class/id split at non-alphanumerics) that mark furniture; too short to match inside words. */
static const char *const neg_words[] = {"ad",   "ads",  "adv",   "nav",  "tags",  "tag",  "share", "print",
					"meta", "bio",  "rail",  "aside", "dfp", "gpt",
					"extra", "header", "utility",
					"tools", "actions", "buttons", "icons", NULL};
/* ("text" is not one: utility-class pages put text-sm, text-gray-900 on everything) */
static const char *const pos_hints[] = {"article", "body",  "content", "entry", "main",     "post",
					"story",   "blog",  "prose",   "richtext", "rich-text", NULL};

/* Attributes whose values make an element's hint string: class and id, the component names that script-built
 * pages put in data attributes, and ARIA labels, which say as much. */
static const char *const hint_names[] = {"class",     "id",        "data-testid", "data-component",
					 "data-module", "data-area", "data-type",   "aria-label", "data-*-name"};
enum { NHINTS = sizeof hint_names / sizeof *hint_names };

/* The parts (hint_names order) lower-cased into buf, separated by spaces, cut to size - 1 bytes and the NUL (a long
 * class list fills it); returns the length. */
static size_t hint_join(const char *const *parts, char *buf, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < NHINTS && n + 1 < size; i++) {
		if (!parts[i])
			continue;
		for (const char *p = parts[i]; *p && n + 2 < size; p++)
			buf[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
		buf[n++] = ' ';
	}
	buf[n] = '\0';
	return n;
}

static const char *attr_value(const xmlAttr *a)
{
	return a->children && a->children->content ? (const char *)a->children->content : "";
}

/* The hint part an attribute name is (its index in hint_names), or -1. */
static int hint_part(const char *an)
{
	char c0 = *an >= 'A' && *an <= 'Z' ? (char)(*an + 32) : *an;
	if (c0 != 'c' && c0 != 'i' && c0 != 'd' && c0 != 'a')
		return -1;
	for (int i = 0; i < NHINTS - 1; i++)
		if (hint_names[i][0] == c0 && !gal_strcasecmp(an, hint_names[i]))
			return i;
	/* a component's name or region in a data attribute: data-component-name, data-gu-name, data-block-name,
	 * data-dtm-region (not data-link-name, an analytics label of links) */
	size_t n = strlen(an);
	if (c0 == 'd' && n > 10 && !gal_strncasecmp(an, "data-", 5) &&
	    ((!gal_strcasecmp(an + n - 5, "-name") && gal_strcasecmp(an, "data-link-name")) ||
	     !gal_strcasecmp(an + n - 7, "-region")))
		return NHINTS - 1;
	return -1;
}

/* Lower-cased "class id" of x into buf; returns its length. For elements without a record (collect() makes
 * the records' strings once). */
static size_t hint_string(const xmlNode *x, char *buf, size_t size)
{
	const char *parts[NHINTS] = {0};
	int any = 0;
	/* the first of each name, as gal_dom_attr finds it */
	for (const xmlAttr *a = x->properties; a; a = a->next) {
		int i = a->name ? hint_part((const char *)a->name) : -1;
		if (i >= 0 && !parts[i])
			parts[i] = attr_value(a), any = 1;
	}
	if (!any) {
		buf[0] = '\0';
		return 0;
	}
	return hint_join(parts, buf, size);
}

/* A hint string and its LK_* bits. A record's is made once (collect: the string in the pool); other elements'
 * in the hstr's own buffer. */
typedef struct {
	const char *s; /* the string */
	size_t len;
	unsigned look; /* its LK_* bits */
	char buf[512];
} hstr;

#define L(c) [c] = c - 'a' + 1
static const unsigned char letter_no[256] = {L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'),
					     L('j'), L('k'), L('l'), L('m'), L('n'), L('o'), L('p'), L('q'), L('r'),
					     L('s'), L('t'), L('u'), L('v'), L('w'), L('x'), L('y'), L('z')};
#undef L

/* The pair bit of p[0] p[1], or -1 when either is not a lower-case letter. */
static inline int pair_index(const char *p)
{
	unsigned a = letter_no[(unsigned char)p[0]], b = a ? letter_no[(unsigned char)p[1]] : 0;
	return a && b ? (int)(a << 5 | b) : -1;
}

static int hint_scan(const char *buf, size_t len, unsigned *look);

static size_t hstr_of(const ectx *e, const xmlNode *x, hstr *h)
{
	const rec *r = R(x);
	if (r) {
		h->len = r->hint_len;
		h->s = r->hint_len ? e->pool + r->hint : "";
		h->look = r->look;
		return h->len;
	}
	h->len = hint_string(x, h->buf, sizeof h->buf);
	hint_scan(h->buf, h->len, &h->look);
	h->s = h->buf;
	return h->len;
}

static int has_word(const char *s, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = s; (p = strstr(p, w)); p++) {
		int before = p == s || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9'));
		char a = p[wl];
		int after = !((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9'));
		if (before && after)
			return 1;
	}
	return 0;
}

/* What look() and a few other places ask of a hint string (substrings, as hsub): found in the same pass as the
 * furniture hints, so that those tests are bit tests. */
enum {
	LK_SKIPBOX = 1, /* comment, related, sidebar, footer, teaser, recommend, more-from */
	LK_LOGO = 2,    /* the site's logo in an <h1> */
	LK_BYLINE = 4,
	LK_BIO = 8,
	LK_DATE = 16,
	LK_CRUMB = 32,
	LK_KICKER = 64, /* a section label above the headline */
	LK_DECK = 128,  /* the deck under the headline */
	LK_HEAD = 256,
	LK_VIDEO = 512 /* a video or a player */
};
static const struct {
	const char *pat;
	unsigned bit;
} look_pats[] = {{"comment", LK_SKIPBOX}, {"related", LK_SKIPBOX}, {"sidebar", LK_SKIPBOX}, {"footer", LK_SKIPBOX},
		 {"teaser", LK_SKIPBOX}, {"recommend", LK_SKIPBOX}, {"more-from", LK_SKIPBOX},
		 {"logo", LK_LOGO}, {"site-title", LK_LOGO}, {"brand", LK_LOGO},
		 {"byline", LK_BYLINE}, {"bio", LK_BIO},
		 {"date", LK_DATE}, {"time", LK_DATE}, {"publish", LK_DATE}, {"posted", LK_DATE},
		 {"crumb", LK_CRUMB},
		 {"kicker", LK_KICKER}, {"eyebrow", LK_KICKER}, {"overline", LK_KICKER}, {"rubric", LK_KICKER},
		 {"section-label", LK_KICKER}, {"category-label", LK_KICKER}, {"cat-links", LK_KICKER},
		 {"post-category", LK_KICKER}, {"article-section", LK_KICKER}, {"field-section", LK_KICKER},
		 {"section-name", LK_KICKER},
		 {"dek", LK_DECK}, {"deck", LK_DECK}, {"standfirst", LK_DECK}, {"subtitle", LK_DECK},
		 {"summary", LK_DECK}, {"excerpt", LK_DECK}, {"subhead", LK_DECK}, {"lead", LK_DECK},
		 {"lede", LK_DECK}, {"intro", LK_DECK}, {"description", LK_DECK}, {"sapo", LK_DECK},
		 {"head", LK_HEAD}, {"video", LK_VIDEO}, {"player", LK_VIDEO}};
enum { NLOOK = sizeof look_pats / sizeof *look_pats };

/* The hint lists and the look patterns indexed by each pattern's first letter pair, built once (read-only
 * afterwards, so threads share it): hint_scan() then visits each position of a hint string once instead of
 * searching it for each of the hundred-odd patterns. Strong patterns that do not start with two letters
 * ("-share") are searched for directly; the other lists have none. A string in two lists is one entry. */
enum { HINT_STRONG, HINT_WORD, HINT_POS, HINT_NONE };
typedef struct {
	const char *pat;
	unsigned char len, list;
	unsigned short look; /* LK_* bits */
} hint_pat;
static struct {
	unsigned short start[1025]; /* patterns with first pair k: by_pair[start[k] .. start[k + 1]) */
	hint_pat by_pair[sizeof strong_neg / sizeof *strong_neg + sizeof neg_words / sizeof *neg_words +
			 sizeof pos_hints / sizeof *pos_hints + NLOOK];
	hint_pat other[sizeof strong_neg / sizeof *strong_neg];
	size_t nother;
} hint_index;
static pthread_once_t hint_once = PTHREAD_ONCE_INIT;

static void hint_index_build(void)
{
	const char *const *lists[] = {strong_neg, neg_words, pos_hints};
	hint_pat all[sizeof hint_index.by_pair / sizeof *hint_index.by_pair];
	size_t n = 0;
	for (unsigned char l = 0; l < 3; l++)
		for (size_t i = 0; lists[l][i]; i++) {
			hint_pat hp = {lists[l][i], (unsigned char)strlen(lists[l][i]), l, 0};
			if (pair_index(hp.pat) < 0)
				hint_index.other[hint_index.nother++] = hp; /* (only strong ones) */
			else
				all[n++] = hp;
		}
	for (size_t i = 0; i < NLOOK; i++) {
		size_t j = 0;
		while (j < n && strcmp(all[j].pat, look_pats[i].pat))
			j++;
		if (j == n)
			all[n++] = (hint_pat){look_pats[i].pat, (unsigned char)strlen(look_pats[i].pat), HINT_NONE, 0};
		all[j].look |= (unsigned short)look_pats[i].bit;
	}
	unsigned short count[1024] = {0};
	for (size_t i = 0; i < n; i++)
		count[pair_index(all[i].pat)]++;
	hint_index.start[0] = 0;
	for (int k = 0; k < 1024; k++)
		hint_index.start[k + 1] = (unsigned short)(hint_index.start[k] + count[k]), count[k] = 0;
	for (size_t i = 0; i < n; i++) {
		int k = pair_index(all[i].pat);
		hint_index.by_pair[hint_index.start[k] + count[k]++] = all[i];
	}
}

static int word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* One pass over a hint string: its LK_* bits into *look, its furniture flags (F_NEG_HINT, F_STRONG_NEG,
 * F_POS_HINT) returned. */
static int hint_scan(const char *buf, size_t len, unsigned *look)
{
	*look = 0;
	if (!len)
		return 0;
	pthread_once(&hint_once, hint_index_build);
	int strong = 0, comment = 0, word = 0, pos = 0;
	unsigned lk = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		int k = pair_index(buf + i);
		if (k < 0)
			continue;
		for (unsigned j = hint_index.start[k]; j < hint_index.start[k + 1]; j++) {
			const hint_pat *hp = &hint_index.by_pair[j];
			/* (the pair matches: the third letter first, then the rest) */
			if (hp->len > 2 && (buf[i + 2] != hp->pat[2] || strncmp(buf + i + 3, hp->pat + 3, hp->len - 3)))
				continue;
			lk |= hp->look;
			if (hp->list == HINT_POS)
				pos = 1;
			else if (hp->list == HINT_WORD)
				word |= (i == 0 || !word_char(buf[i - 1])) && !word_char(buf[i + hp->len]);
			else if (hp->list == HINT_NONE)
				;
			else if (!strcmp(hp->pat, "subscri") && !strncmp(buf + i + 7, "ber", 3))
				; /* "subscriber-only", "subscriber-preview": who may read the story, not a call to subscribe */
			else if (!strcmp(hp->pat, "comment"))
				comment = 1;
			else
				strong = 1;
		}
	}
	*look = lk;
	for (size_t j = 0; j < hint_index.nother && !strong; j++)
		strong = strstr(buf, hint_index.other[j].pat) != NULL;
	/* "commentary", "opinion-commentary" is a section, not a comment box */
	if (comment && !strong)
		strong = !strstr(buf, "commentary");
	int f = strong ? F_NEG_HINT | F_STRONG_NEG : word ? F_NEG_HINT : 0;
	return pos ? f | F_POS_HINT : f;
}

/* ------------------------------------------------------------------ furniture by tag, role, state */

/* A style that hides the element. */
static int hiding_style(const char *st)
{
	char buf[256];
	size_t n = 0;
	for (const char *p = st; *p && n + 1 < sizeof buf; p++)
		if (!gal_is_space((unsigned char)*p))
			buf[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
	buf[n] = '\0';
	return strstr(buf, "display:none") || strstr(buf, "visibility:hidden");
}

static int junk_role(const char *role)
{
	static const char *const roles[] = {"navigation", "banner", "contentinfo", "complementary", "dialog",
					    "alertdialog", "search", "menu", "menubar", "toolbar", "alert",
					    "tablist", NULL};
	for (size_t i = 0; roles[i]; i++)
		if (!gal_strcasecmp(role, roles[i]))
			return 1;
	return 0;
}

/* One walk over the element's attributes for everything the extractor reads from them (the first of each name,
 * as gal_dom_attr finds it): the hint string into the pool, hidden state, role, rel, itemprop. */
static int read_attrs(ectx *e, rec *r, const xmlNode *x)
{
	const char *parts[NHINTS] = {0};
	const char *aria_hidden = NULL, *style = NULL, *role = NULL;
	int any = 0, hidden = 0;
	for (const xmlAttr *a = x->properties; a; a = a->next) {
		const char *an = (const char *)a->name;
		if (!an)
			continue;
		int i = hint_part(an);
		if (i >= 0) {
			if (!parts[i])
				parts[i] = attr_value(a), any = 1;
			continue;
		}
		switch (*an | 32) {
		case 'h':
			hidden |= !gal_strcasecmp(an, "hidden");
			break;
		case 'a':
			if (!aria_hidden && !gal_strcasecmp(an, "aria-hidden"))
				aria_hidden = attr_value(a);
			break;
		case 's':
			if (!style && !gal_strcasecmp(an, "style"))
				style = attr_value(a);
			break;
		case 'r':
			if (!role && !gal_strcasecmp(an, "role"))
				role = attr_value(a);
			else if (!r->rel && !gal_strcasecmp(an, "rel"))
				r->rel = attr_value(a);
			break;
		case 'i':
			if (!r->itemprop && !gal_strcasecmp(an, "itemprop"))
				r->itemprop = attr_value(a);
			break;
		}
	}
	/* (a caption hidden from screen readers, which read the picture's description instead, is shown) */
	r->hidden = (hidden || (style && hiding_style(style)) ? HID_DISPLAY : 0) |
		    (aria_hidden && !gal_strcasecmp(aria_hidden, "true") && !is_name(x, "figcaption") ? HID_ARIA : 0);
	/* (an <aside>'s own role is "complementary": saying so adds nothing, and a fact box in the story says it) */
	r->junk_role = role && junk_role(role) && !(is_name(x, "aside") && !gal_strcasecmp(role, "complementary"));
	if (!any)
		return 1;
	/* the string into the pool; room for the longest first */
	size_t need = 512;
	if (e->pool_len + need > e->pool_cap) {
		size_t cap = e->pool_cap ? e->pool_cap * 2 : 16384;
		while (cap < e->pool_len + need)
			cap *= 2;
		char *p = gal_scratch_grow(e->pool, e->pool_len, &e->pool_cap, cap);
		if (!p)
			return 0;
		e->pool = p;
	}
	char *str = e->pool + e->pool_len;
	size_t len = hint_join(parts, str, 512);
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)str[i]) * 16777619u;
	enum { SLOTS = sizeof e->seen_hint / sizeof *e->seen_hint };
	size_t slot = h & (SLOTS - 1);
	for (; e->seen_hint[slot]; slot = (slot + 1) & (SLOTS - 1)) {
		const rec *o = &e->r[e->seen_hint[slot] - 1];
		if (o->hint_len == len && !memcmp(e->pool + o->hint, str, len)) {
			r->hint = o->hint;
			r->hint_len = o->hint_len;
			r->hint_flags = o->hint_flags;
			r->look = o->look;
			return 1;
		}
	}
	r->hint_flags = hint_scan(str, len, &r->look);
	r->hint = (unsigned)e->pool_len;
	r->hint_len = (unsigned)len;
	e->pool_len += len + 1;
	if (e->nseen_hint < SLOTS * 3 / 4) { /* full enough: later strings are scanned, not remembered */
		e->seen_hint[slot] = (unsigned)(r - e->r) + 1;
		e->nseen_hint++;
	}
	return 1;
}

static int hard_junk(const rec *r)
{
	static const char *const tags[] = {"nav",    "footer", "header", "dialog", "button", "select",
					   "input",  "textarea", "iframe", "svg",  "canvas", "menu",  "template",
					   "noscript", "object", "embed", "video", "audio", "map", NULL};
	const xmlNode *x = r->x;
	if (name_in(x, tags)) {
		/* a quotation's <footer> is its attribution, a figure's its caption */
		if ((is_name(x, "footer") || is_name(x, "header")) && x->parent &&
		    (is_name(x->parent, "blockquote") || is_name(x->parent, "figure")))
			return 0;
		/* a picture's <noscript> fallback in a figure: the image a script would draw */
		if (is_name(x, "noscript"))
			for (const xmlNode *a = x->parent; a && !is_name(a, "body"); a = a->parent)
				if (is_name(a, "figure"))
					return 0;
		/* the <header> of an article inside an article is an entry's own title (a live blog's post) */
		if (is_name(x, "header") && is_name(x->parent, "article"))
			for (const xmlNode *a = x->parent->parent; a; a = a->parent)
				if (is_name(a, "article"))
					return 0;
		return 1;
	}
	if (r->junk_role)
		return 1;
	/* amp-sidebar, amp-ad and the like; amp-img is an image */
	if (!strncmp((const char *)x->name, "amp-", 4) && strcmp((const char *)x->name, "amp-img"))
		return 1;
	return r->hidden;
}

/* ------------------------------------------------------------------ text measures */

static int is_comma(const unsigned char *p, size_t *adv)
{
	*adv = 1;
	if (*p == ',')
		return 1;
	/* fullwidth comma, ideographic comma and full stop, Arabic comma */
	if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C)
		return *adv = 3, 1;
	if (p[0] == 0xE3 && p[1] == 0x80 && (p[2] == 0x81 || p[2] == 0x82))
		return *adv = 3, 1;
	if (p[0] == 0xD8 && p[1] == 0x8C)
		return *adv = 2, 1;
	return 0;
}

/* Per byte of an ASCII word: 0x80 where it equals c, else 0. */
static inline uint64_t swar_eq(uint64_t w, unsigned char c)
{
	const uint64_t ones = 0x0101010101010101u, hi = ones * 0x80;
	return ~((w ^ (ones * c)) + ones * 0x7F) & hi;
}

/* How many bytes of the mask are set (0x80 each). */
static inline size_t swar_count(uint64_t m) { return (size_t)(((m >> 7) * 0x0101010101010101u) >> 56); }

static void measure_text(const char *s, size_t *len, size_t *commas)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	/* the bulk, ASCII eight bytes at a time */
	for (uint64_t w; i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080u)); i += 8) {
		uint64_t space = swar_eq(w, ' ') | swar_eq(w, '\n') | swar_eq(w, '\t') | swar_eq(w, '\r') | swar_eq(w, '\f');
		*len += 8 - swar_count(space);
		*commas += swar_count(swar_eq(w, ','));
	}
	for (p += i; *p;) {
		if (*p < 0x80) { /* the usual byte */
			*commas += *p == ',';
			*len += !gal_is_space(*p);
			p++;
			continue;
		}
		size_t adv;
		if (is_comma(p, &adv))
			(*commas)++;
		if (!gal_is_space(*p))
			*len += adv;
		p += adv;
	}
}

/* ------------------------------------------------------------------ collection */

static int grow(ectx *e)
{
	if (e->n < e->cap)
		return 1;
	size_t bytes = e->r_bytes;
	rec *r = gal_scratch_grow(e->r, e->n * sizeof *r, &bytes, (e->cap ? e->cap * 2 : 1024) * sizeof *r);
	if (!r)
		return 0;
	/* the records moved: repoint the elements */
	for (size_t i = 0; i < e->n; i++)
		((xmlNode *)r[i].x)->_private = &r[i];
	e->r = r;
	e->r_bytes = bytes;
	e->cap = bytes / sizeof *r;
	return 1;
}

/* Records every element under root in document order (parents before children). Script-like elements are not
 * descended into. */
static int collect(ectx *e, const xmlNode *root)
{
	const xmlNode *x = root;
	while (x) {
		int down = 0;
		if (x->type == XML_ELEMENT_NODE) {
			if (!grow(e))
				return 0;
			rec *r = &e->r[e->n];
			memset(r, 0, sizeof *r);
			r->x = x;
			r->cls = gal_html_elem_class(x);
			if (x->properties && !read_attrs(e, r, x))
				return 0;
			r->parent = x != root && x->parent && x->parent->_private ? (size_t)(R(x->parent) - e->r) : SIZE_MAX;
			((xmlNode *)x)->_private = r;
			e->n++;
			down = r->cls != GAL_HE_SKIP || is_name(x, "body") || is_name(x, "html");
		}
		x = gal_dom_next(x, root, down);
	}
	return 1;
}

static const char *const textblock_tags[] = {"p", "pre", "td", "blockquote", "figcaption", "li", "dd", NULL};

/* Static facts: hints, hard junk, block children, raw text. Children come after parents in the array, so a
 * reverse sweep sums subtrees. */
static int ends_sentence(const xmlNode *x);
static int ends_sentence_or_colon(const xmlNode *x);

/* Paragraphs of prose under x (80 bytes or more, ending a sentence). */
static size_t hidden_prose(const xmlNode *x)
{
	size_t n = 0;
	for (const xmlNode *k = x; k; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE))
		if (is_name(k, "p") && k->_private && R(k)->raw_text >= 80 && ends_sentence(k))
			n++;
	return n;
}

/* Whether r or an ancestor is the article's container by its markup: <article>, itemprop=articleBody, or a class
 * or id that says story, content, article. */
static int in_story_container(const ectx *e, const rec *r)
{
	for (; r; r = r->parent == SIZE_MAX ? NULL : &e->r[r->parent])
		if (is_name(r->x, "article") || (r->itemprop && has_word(r->itemprop, "articleBody")) ||
		    (r->hint_len && (r->hint_flags & F_POS_HINT)))
			return 1;
	return 0;
}

static void facts(ectx *e)
{
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		const xmlNode *x = r->x;
		/* class hints judge containers; an image's classes ("td-modal-image") name viewers and sizes */
		r->flags = !r->hint_len || is_name(x, "img") || is_name(x, "picture") || is_name(x, "source") ||
				   is_name(x, "th") || is_name(x, "td") || is_name(x, "tr") || is_name(x, "thead") ||
				   is_name(x, "tbody")
				   ? 0
				   : r->hint_flags;
		/* a heading is one whatever a weak word says ("text_editor_header_two", "section-header") */
		if (heading_level(x) && !(r->flags & F_STRONG_NEG))
			r->flags &= ~F_NEG_HINT;
		if (is_name(x, "aside") && !(r->flags & F_NEG_HINT))
			r->flags |= F_NEG_HINT | F_ASIDE;
		/* a table's caption is its title, even when only screen readers get it ("sr-only" under a visible
		 * title: the reader keeps one of the two) */
		if (is_name(x, "caption"))
			r->flags &= ~(F_NEG_HINT | F_STRONG_NEG | F_SOFT_JUNK);
		/* in a caption, a "byline" is the picture's credit ("tnt-byline", "photo-byline"): part of the caption */
		const rec *pr = r->parent != SIZE_MAX ? &e->r[r->parent] : NULL;
		if (pr && (is_name(pr->x, "figcaption") || (pr->flags & F_IN_CAPTION)))
			r->flags |= F_IN_CAPTION;
		if ((r->flags & F_IN_CAPTION) && (r->look & LK_BYLINE))
			r->flags &= ~(F_NEG_HINT | F_STRONG_NEG);
		if (r->flags & F_IN_CAPTION) /* shown, though hidden from screen readers */
			r->hidden &= ~HID_ARIA;
		/* in a figure, a weak hint ("e-image__meta") names the caption's box, not furniture */
		if (pr && (is_name(pr->x, "figure") || (pr->flags & F_IN_FIGURE)))
			r->flags |= F_IN_FIGURE;
		if ((r->flags & F_IN_FIGURE) && !(r->flags & F_STRONG_NEG))
			r->flags &= ~F_NEG_HINT;
		int skip = r->cls == GAL_HE_SKIP;
		/* (a <noscript> is skipped, but for a picture's fallback in a figure: hard_junk) */
		if (!is_name(x, "body") && !is_name(x, "html") && (hard_junk(r) || (skip && !is_name(x, "noscript"))))
			r->flags |= F_HARD_JUNK;
		for (const xmlNode *k = x->children; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE && k->_private && R(k)->cls == GAL_HE_BLOCK) {
				r->flags |= F_BLOCKKIDS;
				break;
			}
		if (name_in(x, textblock_tags) || (!(r->flags & F_BLOCKKIDS) && (is_name(x, "div") || is_name(x, "section"))))
			r->flags |= F_TEXTBLOCK;
		if (!skip)
			for (const xmlNode *k = x->children; k; k = k->next)
				if (k->type == XML_TEXT_NODE && k->content)
					measure_text((const char *)k->content, &r->own_text, &r->own_commas);
		r->raw_text = r->own_text;
	}
	for (size_t i = e->n; i-- > 0;) {
		rec *r = &e->r[i];
		if ((r->flags & F_HARD_JUNK) && r->cls == GAL_HE_SKIP)
			r->raw_text = 0;
		if (r->parent != SIZE_MAX)
			e->r[r->parent].raw_text += r->raw_text;
	}
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		if ((r->flags & (F_NEG_HINT | F_POS_HINT)) != (F_NEG_HINT | F_POS_HINT))
			continue;
		size_t paras = 0;
		for (const xmlNode *k = r->x->children; k && paras < 3; k = k->next)
			paras += is_name(k, "p") && k->_private && R(k)->raw_text >= 80;
		if (paras >= 3)
			r->flags |= F_PROSE_KIDS;
	}
	/* a story the page hides until the reader subscribes or clicks "Read more" (display:none over the rest of the
	 * text, inside the article; a locked part may be hidden from screen readers too): three paragraphs of
	 * prose are story, whatever the style says */
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		if (!(r->hidden & HID_DISPLAY) || !(r->flags & F_HARD_JUNK) || r->raw_text < 500)
			continue;
		int hidden = r->hidden;
		r->hidden = 0;
		int junk = hard_junk(r) || r->cls == GAL_HE_SKIP;
		r->hidden = hidden;
		if (!junk && in_story_container(e, r) && hidden_prose(r->x) >= 3)
			r->flags &= ~F_HARD_JUNK;
	}
	/* a weak hint ("meta") on a box with a paragraph of prose in it (a gallery slide's caption block) is not
	 * furniture; a header's prose is its deck, which stays out */
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		if ((r->flags & (F_NEG_HINT | F_STRONG_NEG | F_ASIDE)) != F_NEG_HINT || !r->hint_len || (r->look & LK_HEAD))
			continue;
		for (const xmlNode *k = r->x->children; k; k = k->next)
			if (is_name(k, "p") && k->_private && R(k)->raw_text > 40 && ends_sentence_or_colon(k)) {
				r->flags &= ~F_NEG_HINT;
				break;
			}
	}
}

static int is_junk(const ectx *e, const rec *r)
{
	if (r->flags & F_HARD_JUNK)
		return 1;
	if (!e->strict || !(r->flags & F_NEG_HINT))
		return 0;
	if (is_name(r->x, "body") || is_name(r->x, "html") || is_name(r->x, "main") || is_name(r->x, "article") ||
	    is_name(r->x, "a"))
		return 0;
	if (!(r->flags & F_POS_HINT))
		return 1;
	/* both hints ("article-comments", "story-body paywalled"): furniture only when it holds little of the
	 * page's text, and not paragraphs of its own (a paywalled story's visible start, shorter than the
	 * subscription offer after it) */
	return (r->flags & F_STRONG_NEG) && r->raw_text * 4 < e->body_text && !(r->flags & F_PROSE_KIDS);
}

/* Text, link text and commas per element, junk excluded. */
/* A mail or phone link is contact information, not a way to another page. */
static int contact_link(const xmlNode *a)
{
	const char *href = gal_dom_attr(a, "href");
	if (!href)
		return 0;
	if (!gal_strncasecmp(href, "tel:", 4))
		return 1;
	/* "mailto:?subject=..." without an address is a share button */
	return !gal_strncasecmp(href, "mailto:", 7) && href[7] && href[7] != '?';
}

static void measure(ectx *e)
{
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		r->text = r->link = r->commas = 0;
		r->score = 0;
		r->flags &= ~(F_CAND | F_IN_JUNK | F_TEASER_KNOWN | F_TEASER);
		/* parents come first in the array */
		if (is_junk(e, r) || (r->parent != SIZE_MAX && (e->r[r->parent].flags & F_IN_JUNK)))
			r->flags |= F_IN_JUNK;
	}
	for (size_t i = e->n; i-- > 0;) {
		rec *r = &e->r[i];
		if (is_junk(e, r))
			continue;
		/* a junk ancestor hides this one too, but summing stops at the junk element itself */
		r->text += r->own_text;
		r->commas += r->own_commas;
		if (is_name(r->x, "a") && !contact_link(r->x))
			r->link = r->text;
		if (r->parent != SIZE_MAX) {
			rec *p = &e->r[r->parent];
			p->text += r->text;
			p->link += r->link;
			p->commas += r->commas;
		}
	}
}

static double link_density(const rec *r) { return r->text ? (double)r->link / (double)r->text : 0; }

/* Whether an element or an ancestor is junk (as the last measure() found). */
static int in_junk(const rec *r) { return (r->flags & F_IN_JUNK) != 0; }

/* ------------------------------------------------------------------ scoring */

static void init_candidate(rec *r)
{
	if (r->flags & F_CAND)
		return;
	r->flags |= F_CAND;
	const xmlNode *x = r->x;
	double s = 0;
	static const char *const plus5[] = {"div", "article", "section", "main", NULL};
	static const char *const plus3[] = {"pre", "td", "blockquote", NULL};
	static const char *const minus3[] = {"address", "ol", "ul", "dl", "dd", "dt", "li", "form", NULL};
	static const char *const minus5[] = {"h1", "h2", "h3", "h4", "h5", "h6", "th", NULL};
	if (name_in(x, plus5))
		s += 5;
	else if (name_in(x, plus3))
		s += 3;
	else if (name_in(x, minus3))
		s -= 3;
	else if (name_in(x, minus5))
		s -= 5;
	if (r->flags & F_NEG_HINT)
		s -= 25;
	if (r->flags & F_POS_HINT)
		s += 25;
	/* semantic evidence */
	const char *ip = gal_dom_attr(x, "itemprop");
	if (ip && strstr(ip, "articleBody"))
		s += 50;
	if (is_name(x, "article"))
		s += 10;
	r->weight = (int)s;
	r->score = s;
}

static void score_all(ectx *e)
{
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		if (!(r->flags & F_TEXTBLOCK) || r->text < 25 || in_junk(r))
			continue;
		/* a list item that is mostly a link is a menu or teaser entry, not a paragraph */
		if (is_name(r->x, "li") && r->link * 2 > r->text)
			continue;
		double s = 1 + (double)r->commas + dmin((double)r->text / 100.0, 3.0);
		size_t a = r->parent;
		for (int level = 0; a != SIZE_MAX && level < 5; level++, a = e->r[a].parent) {
			rec *anc = &e->r[a];
			init_candidate(anc);
			anc->score += level == 0 ? s : level == 1 ? s / 2 : s / (level * 3);
		}
	}
	for (size_t i = 0; i < e->n; i++)
		if (e->r[i].flags & F_CAND)
			e->r[i].score *= 1 - link_density(&e->r[i]);
}

static int is_ancestor(const ectx *e, const rec *a, const rec *d)
{
	for (const rec *r = d; r; r = r->parent == SIZE_MAX ? NULL : &e->r[r->parent])
		if (r == a)
			return 1;
	return 0;
}

/* A link that opens its block with a headline-sized text ("<h3><a>Council approves ...</a></h3>",
 * "<td><a><b>Council approves ...</b></a><br>snippet"): the mark of a teaser. Links to places in the same page
 * (a live blog's permalinks) are not. */
static int headline_link(const xmlNode *a)
{
	const rec *r = R(a);
	if (!r || r->text < 20)
		return 0;
	const char *href = gal_dom_attr(a, "href");
	if (!href || href[0] == '#')
		return 0;
	/* words in the link's text, counted in place */
	size_t words = 0;
	int wide = 0, in_word = 0;
	const xmlNode *w = a->children;
	while (w && words < 4 && !wide) {
		if (w->type == XML_TEXT_NODE && w->content)
			for (const unsigned char *p = w->content; *p; p++) {
				if (gal_is_space(*p))
					in_word = 0;
				else if (!in_word) {
					in_word = 1;
					words++;
				}
				wide |= *p >= 0xE3; /* CJK: no spaces between words */
			}
		w = gal_dom_next(w, a, w->type == XML_ELEMENT_NODE);
	}
	if (words < 4 && !wide)
		return 0;
	/* nothing visible before it in its block */
	for (const xmlNode *x = a; x && x->parent; x = x->parent) {
		for (const xmlNode *k = x->prev; k; k = k->prev) {
			if (k->type == XML_TEXT_NODE && !gal_dom_is_blank(k))
				return 0;
			if (k->type == XML_ELEMENT_NODE && k->_private && R(k)->raw_text)
				return 0;
		}
		const xmlNode *p = x->parent;
		if (p->type != XML_ELEMENT_NODE || gal_html_elem_class(p) == GAL_HE_BLOCK)
			break;
	}
	return 1;
}

/* A paragraph of story prose: 80 bytes or more, under 30 % of it links. */
static int prose_para(const xmlNode *x)
{
	const rec *r = R(x);
	return is_name(x, "p") && r && r->text >= 80 && r->link * 10 < r->text * 3;
}

/* Prose paragraphs an element writes as text runs between line breaks, not as <p>s ("text<br><br>text"), as
 * older CMSs do: runs of 80 bytes or more, mostly not links. Blocks inside the element end a run. */
static size_t br_paras(const xmlNode *x)
{
	const rec *r = R(x);
	if (!r || r->own_text < 80 || is_name(x, "p"))
		return 0;
	size_t n = 0, text = 0, link = 0, commas = 0;
	for (const xmlNode *k = x->children;; k = k->next) {
		int end = !k;
		if (k && k->type == XML_TEXT_NODE && k->content)
			measure_text((const char *)k->content, &text, &commas);
		else if (k && k->type == XML_ELEMENT_NODE && k->_private) {
			const rec *kr = R(k);
			if (is_name(k, "br") || kr->cls == GAL_HE_BLOCK)
				end = 1;
			else {
				text += kr->text;
				link += is_name(k, "a") ? kr->text : kr->link;
			}
		}
		if (end) {
			n += text >= 80 && link * 10 < text * 3;
			text = link = 0;
		}
		if (!k)
			break;
	}
	return n;
}

/* Counts teasers (headline links) and prose paragraphs under root. */
static size_t teasers(const xmlNode *root, size_t *prose)
{
	size_t n = 0;
	const xmlNode *x = root->children;
	while (x) {
		int down = 1;
		if (x->type == XML_ELEMENT_NODE) {
			const rec *r = R(x);
			if (is_name(x, "a")) {
				n += headline_link(x);
				down = 0;
			} else if (prose_para(x)) {
				(*prose)++;
				down = 0;
			} else if (!r || r->raw_text == 0)
				down = 0;
			else
				*prose += br_paras(x);
		}
		x = gal_dom_next(x, root, down && x->type == XML_ELEMENT_NODE);
	}
	return n;
}

/* The longest run of prose paragraphs side by side under root (headings and empty elements between them do not
 * break it): an article has one, a list of teasers with a summary each does not. */
static size_t prose_run(const xmlNode *root)
{
	size_t best = 0;
	const xmlNode *x = root;
	while (x) {
		if (x->type == XML_ELEMENT_NODE && x->_private) {
			size_t run = br_paras(x);
			if (run > best)
				best = run;
			run = 0;
			for (const xmlNode *k = x->children; k; k = k->next) {
				if (k->type == XML_TEXT_NODE) {
					if (!gal_dom_is_blank(k))
						run = 0;
				} else if (k->type == XML_ELEMENT_NODE && k->_private) {
					if (prose_para(k)) {
						if (++run > best)
							best = run;
					} else if (R(k)->text && !(heading_level(k) >= 2 && R(k)->link == 0))
						run = 0; /* (furniture between them, an ad slot, does not count: its text is 0) */
				}
			}
		}
		x = gal_dom_next(x, root, x->type == XML_ELEMENT_NODE && x->_private && R(x)->raw_text && !is_name(x, "p"));
	}
	return best;
}

static int teaser_list(const xmlNode *x)
{
	rec *r = x->_private;
	if (r && (r->flags & F_TEASER_KNOWN))
		return (r->flags & F_TEASER) != 0;
	size_t prose = 0, n = teasers(x, &prose);
	int yes = n >= 3 && n * 2 >= prose && prose_run(x) < 3;
	if (r)
		r->flags |= F_TEASER_KNOWN | (yes ? F_TEASER : 0);
	return yes;
}

static rec *top_candidate(ectx *e)
{
	rec *top[5] = {NULL};
	for (size_t i = 0; i < e->n; i++) {
		rec *r = &e->r[i];
		if (!(r->flags & F_CAND) || in_junk(r))
			continue;
		for (int k = 0; k < 5; k++)
			if (!top[k] || r->score > top[k]->score) {
				memmove(&top[k + 1], &top[k], (4 - k) * sizeof *top);
				top[k] = r;
				break;
			}
	}
	rec *t = top[0];
	if (!t)
		return NULL;
	/* runners-up beside the winner (a story split into parts by ad slots): take their common ancestor */
	int close = 0;
	for (int k = 1; k < 5; k++)
		if (top[k] && top[k]->score >= 0.75 * t->score && !is_ancestor(e, top[k], t) && !is_ancestor(e, t, top[k]))
			close++;
	if (close >= 2) {
		for (rec *a = t->parent == SIZE_MAX ? NULL : &e->r[t->parent]; a; a = a->parent == SIZE_MAX ? NULL : &e->r[a->parent]) {
			int holds = 0;
			for (int k = 1; k < 5; k++)
				if (top[k] && top[k]->score >= 0.75 * t->score && is_ancestor(e, a, top[k]))
					holds++;
			if (holds >= 2) {
				if (!is_name(a->x, "body") && !is_name(a->x, "html") && !in_junk(a)) {
					init_candidate(a);
					t = a;
				}
				break;
			}
		}
	}
	/* climb while the parent scores better: the winner was one part of a larger story */
	double last = t->score;
	for (rec *p = t->parent == SIZE_MAX ? NULL : &e->r[t->parent]; p && !is_name(p->x, "body");
	     p = p->parent == SIZE_MAX ? NULL : &e->r[p->parent]) {
		if (!(p->flags & F_CAND))
			continue;
		/* not up through a layout table's rows */
		if (is_name(p->x, "tr") || is_name(p->x, "tbody") || is_name(p->x, "table"))
			break;
		if (p->score < t->score / 3)
			break;
		/* not into a wrapper that brings link lists or teasers along */
		if (link_density(p) > dmax(0.3, link_density(t) + 0.1) || teaser_list(p->x))
			break;
		if (p->score > last) {
			t = p;
			break;
		}
		last = p->score;
	}
	/* an only child says nothing its parent does not */
	while (t->parent != SIZE_MAX) {
		rec *p = &e->r[t->parent];
		if (is_name(p->x, "body") || in_junk(p))
			break;
		int elems = 0;
		for (const xmlNode *k = p->x->children; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE && gal_html_elem_class(k) != GAL_HE_SKIP)
				elems++;
		if (elems != 1)
			break;
		init_candidate(p);
		t = p;
	}
	/* a wrapper (<main>, a content column) around an <article> that holds nearly all of its text: the article,
	 * so that what the wrapper adds after it ("Top stories") stays out */
	if (!is_name(t->x, "article"))
		for (const xmlNode *k = t->x; k; k = gal_dom_next(k, t->x, k->type == XML_ELEMENT_NODE)) {
			if (!is_name(k, "article") || k == t->x || !k->_private)
				continue;
			rec *a = R(k);
			if (!in_junk(a) && (a->text - a->link) * 10 >= (t->text - t->link) * 9) {
				init_candidate(a);
				t = a;
			}
			break;
		}
	return t;
}

/* Whether a text ends a sentence: a full stop, "!", "?", "…" in any of the scripts news is written in, maybe
 * inside closing quotation marks or brackets ('... he said.”'); with `colon`, also a colon (a lead-in: "The
 * cities are:"). */
static int ends_sentence_text(const char *t, int colon)
{
	size_t n = t ? strlen(t) : 0;
	static const char *const closers[] = {"\xe2\x80\x9d", "\xe2\x80\x99", "\xc2\xbb", "\xe3\x80\x8d", "\xe3\x80\x8f",
					      "\"", "'", ")", NULL};
	for (int again = 1; again && n;) {
		again = 0;
		for (size_t i = 0; closers[i]; i++) {
			size_t cl = strlen(closers[i]);
			if (n > cl && !memcmp(t + n - cl, closers[i], cl)) {
				n -= cl;
				again = 1;
				break;
			}
		}
	}
	if (!n)
		return 0;
	char c = t[n - 1];
	if (c == '.' || c == '!' || c == '?' || (colon && c == ':'))
		return 1;
	/* 。！？… (CJK, ellipsis), । (Devanagari), ۔ ؟ (Urdu, Arabic) */
	static const char *const stops[] = {"\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f", "\xe2\x80\xa6",
					    "\xe0\xa5\xa4", "\xdb\x94", "\xd8\x9f", NULL};
	for (size_t i = 0; stops[i]; i++) {
		size_t sl = strlen(stops[i]);
		if (n >= sl && !memcmp(t + n - sl, stops[i], sl))
			return 1;
	}
	return colon && n >= 3 && !memcmp(t + n - 3, "\xef\xbc\x9a", 3); /* ： */
}

static int ends_sentence(const xmlNode *x)
{
	char *t = gal_html_text(x);
	int r = ends_sentence_text(t, 0);
	free(t);
	return r;
}

static int ends_sentence_or_colon(const xmlNode *x)
{
	char *t = gal_html_text(x);
	int r = ends_sentence_text(t, 1);
	free(t);
	return r;
}

static int boilerplate_box(const ectx *e, const rec *r);

static int same_text(const xmlNode *k, const char *s)
{
	if (!s || !k->_private)
		return 0;
	/* only when the lengths are close (text counts bytes without spaces) */
	size_t n = strlen(s), t_len = R(k)->raw_text;
	if (t_len > n || t_len * 2 < n)
		return 0;
	char *t = gal_html_text(k);
	int r = t && *t && gal_loose_equal(t, s, 0);
	free(t);
	return r;
}

static int push_root(gal_extract *ex, size_t *cap, const xmlNode *k)
{
	if (ex->nroots == *cap) {
		const xmlNode **nr = realloc(ex->roots, (*cap *= 2) * sizeof *nr);
		if (!nr)
			return 0;
		ex->roots = nr;
	}
	ex->roots[ex->nroots++] = k;
	return 1;
}

static size_t prose_count(const xmlNode *x)
{
	size_t prose = 0;
	teasers(x, &prose);
	return prose;
}

/* Whether a sibling of the winner belongs to the story. */
/* Whether an element's first element child is a heading. */
static int titled(const xmlNode *x)
{
	for (const xmlNode *k = x->children; k; k = k->next) {
		if (k->type == XML_TEXT_NODE && gal_dom_is_blank(k))
			continue;
		if (k->type != XML_ELEMENT_NODE)
			return 0;
		if (heading_level(k) >= 2 && heading_level(k) <= 4)
			return 1;
		/* a CMS field's label above its content ("<div class=field__label>Contact</div>") */
		if (k->next && k->_private && R(k)->text && R(k)->text <= 30 && !R(k)->link &&
		    (is_name(k, "div") || is_name(k, "span") || is_name(k, "strong") || is_name(k, "b")) && !ends_sentence(k)) {
			const char *cls = gal_dom_attr(k, "class");
			return cls && gal_dom_contains_ci(cls, "label");
		}
		/* a wrapper of one element (CMS field markup) */
		if (!k->next || (k->next->type == XML_TEXT_NODE && gal_dom_is_blank(k->next) && !k->next->next))
			return titled(k);
		return 0;
	}
	return 0;
}

/* Whether x, or the element it holds alone (and so on, four levels down: wrappers of one element), satisfies
 * pred. */
static int box_of(const xmlNode *x, int (*pred)(const xmlNode *))
{
	for (int depth = 0; x && depth < 4; depth++) {
		if (pred(x))
			return 1;
		const xmlNode *only = NULL;
		for (const xmlNode *k = x->children; k; k = k->next) {
			if (k->type == XML_ELEMENT_NODE && gal_html_elem_class(k) != GAL_HE_SKIP) {
				if (only)
					return 0;
				only = k;
			} else if (k->type == XML_TEXT_NODE && !gal_dom_is_blank(k))
				return 0;
		}
		x = only;
	}
	return 0;
}

static int quotation(const xmlNode *x) { return is_name(x, "blockquote"); }
static int list_elem(const xmlNode *x) { return is_name(x, "ul") || is_name(x, "ol"); }

/* A box that holds a quotation and nothing else (an embedded post: a <blockquote> and its script), or one
 * inside a quotation. */
static int quotation_box(const xmlNode *x)
{
	for (const xmlNode *a = x->parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (is_name(a, "blockquote"))
			return 1;
	return box_of(x, quotation);
}

/* A picture with its caption (lists: a list), or a box that holds one and nothing else. */
static int figure_or_list_box(const xmlNode *x, int list)
{
	return box_of(x, list ? list_elem : gal_html_figure_like);
}

static char *lower_text(char *s);

/* The story's source note right after it: "Source: Agency", "Quelle: dpa", "Fuente: EFE". */
static int source_note(const xmlNode *x)
{
	static const char *const labels[] = {"source:", "sources:", "quelle:", "quellen:", "fuente:", "fuentes:",
					     "fonte:", "fonti:", "source :", "sources :", "kaynak:", "bron:", "k\xc3\xa4lla:",
					     "\xd0\xb8\xd1\x81\xd1\x82\xd0\xbe\xd1\x87\xd0\xbd\xd0\xb8\xd0\xba\x3a", /* источник: */
					     "\xe6\x9d\xa5\xe6\xba\x90\xef\xbc\x9a", /* 来源： */ NULL};
	char *t = lower_text(gal_html_text(x));
	int yes = 0;
	for (size_t i = 0; t && labels[i] && !yes; i++)
		yes = !strncmp(t, labels[i], strlen(labels[i])) && strlen(t) > strlen(labels[i]) + 1;
	free(t);
	return yes;
}

static int belongs(const ectx *e, const rec *t, const rec *r, int prev_belongs)
{
	const xmlNode *k = r->x;
	if (is_junk(e, r))
		return 0;
	if (!r->text)
		return is_name(k, "figure"); /* a picture without a caption */
	if (boilerplate_box(e, r) || same_text(k, e->headline) || same_text(k, e->desc) || same_text(k, e->h1_text))
		return 0;
	double threshold = dmax(10, t->score * 0.2);
	double bonus = (t->weight > 0 && r->weight > 0 && r->weight >= t->weight) ? t->score * 0.2 : 0;
	double ld = link_density(r);
	if ((r->flags & F_CAND) && r->score + bonus >= threshold && !teaser_list(k))
		return 1;
	if (is_name(k, "p") || is_name(k, "blockquote") || ((r->flags & F_TEXTBLOCK) && !is_name(k, "li"))) {
		if (r->text > 80 && ld < 0.25)
			return 1;
		return r->text <= 80 && ld == 0 && (ends_sentence(k) || (prev_belongs && source_note(k)));
	}
	if (is_name(k, "figure") || is_name(k, "table") || is_name(k, "ul") || is_name(k, "ol") ||
	    figure_or_list_box(k, 0) || figure_or_list_box(k, 1))
		return ld < 0.5; /* beside the story and not a link list (a summary's points in a box of their own) */
	/* a wrapper of story paragraphs: the story split into parts by ad slots or modules */
	if (r->text > 80 && ld < 0.25 && prose_count(k) >= 1 && !teaser_list(k))
		return 1;
	/* a titled part right after the story ("Media contact", "Correction") */
	return r->text > 40 && ld < 0.1 && prev_belongs && titled(k);
}

/* The winner and the siblings that belong to the story, in page order; and a lead picture between the
 * headline and the story. */
static int gather(ectx *e, rec *t, gal_extract *ex)
{
	const xmlNode *parent = t->x->parent;
	size_t cap = 16;
	ex->roots = malloc(cap * sizeof *ex->roots);
	if (!ex->roots)
		return 0;
	ex->nroots = 0;
	if (is_name(t->x, "body") || !parent)
		return push_root(ex, &cap, t->x);
	const xmlNode *lead[4];
	size_t nlead = 0;
	int prev_in = 0;
	for (const xmlNode *k = parent->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || !k->_private)
			continue;
		int in = k == t->x || belongs(e, t, R(k), prev_in);
		if (in && !push_root(ex, &cap, k))
			return 0;
		prev_in = in;
	}
	if (e->h1 && ex->nroots) {
		const xmlNode *x = e->h1;
		int steps = 0, reached = 0;
		x = gal_dom_next(x, NULL, 0);
		while (x && steps++ < 400) {
			if (x == ex->roots[0]) {
				reached = 1;
				break;
			}
			int descend = 1;
			if (x->type == XML_ELEMENT_NODE && x->_private) {
				/* junk inside the walk is not entered; junk around the headline (a "header" class on the
				 * article's own header) holds the headline too, so only the figure itself is judged */
				if ((is_name(x, "figure") || gal_html_figure_like(x)) && !is_junk(e, R(x)) && nlead < 4)
					lead[nlead++] = x, descend = 0;
				else if (is_junk(e, R(x)))
					descend = 0;
			}
			x = gal_dom_next(x, NULL, descend);
		}
		if (reached && nlead) {
			for (size_t i = 0; i < nlead; i++)
				if (!push_root(ex, &cap, lead[i]))
					return 0;
			/* into page order: the lead pictures first */
			const xmlNode *tmp[4];
			memcpy(tmp, ex->roots + ex->nroots - nlead, nlead * sizeof *tmp);
			memmove(ex->roots + nlead, ex->roots, (ex->nroots - nlead) * sizeof *ex->roots);
			memcpy(ex->roots, tmp, nlead * sizeof *tmp);
		}
	}
	return 1;
}

/* ------------------------------------------------------------------ boilerplate boxes inside the story */

/* Phrases of calls to action: sign-up, subscription and paywall boxes. Lower-case, matched in lower-cased
 * text. Several languages, as news pages are. */
static const char *const cta[] = {
    "subscribe", "subscriber", "subscription", "sign up", "signup", "log in", "login", "sign in",
    "newsletter", "free trial", "days free", "unlimited access", "unlimited digital access", "free article",
    "article limit", "articles left", "continue reading", "become a member", "support our journalism",
    "already a member", "create an account", "create a free account", "register now", "get the app",
    "download the app", "follow us", "share this", "share on", "abonnieren", "abonnez", "abonnement",
    "suscr", "assine", "assinante", "abbonati", "abbonamento", "inscrivez", "anmelden",
    "registrieren", "zum weiterlesen", "pour continuer", "réservé aux abonnés", "reservado para",
    "exclusivo para", "подпис", "注册", "订阅", "登録", "購読", "اشترك", "support us", "donate", "favour to ask", "favor to ask",
    /* signing up, signing in and reading on, in other languages */
    "apúntate", "apuntarte", "regístrate", "inicia sesión", "iniciar sesión", "seguir leyendo", "continuar leyendo",
    "inscreva-se", "cadastre-se", "continue lendo", "iscriviti", "continua a leggere", "connectez-vous",
    "se connecter", "continuer à lire", "weiterlesen", "einloggen", "zaloguj", "ログイン", "続きを読む",
    /* a live blog's refresh switch */
    "refreshes automatically", "auto-refresh", "auto refresh", "your inbox",
    /* messenger channels and "click here" in several languages */
    "whatsapp", "telegram", "click here", "clique aqui", "clica aqui", "haz clic", "clicca qui",
    /* "scan the code", "official account" (WeChat) */
    "\xe6\x89\xab\xe4\xb8\x80\xe6\x89\xab", "\xe5\x85\xac\xe4\xbc\x97\xe5\x8f\xb7", NULL};

/* The phrases indexed by their first two bytes (hashed), built once: count_cta visits each position of a text once
 * instead of searching the whole text for each of the seventy-odd phrases (it runs on every short paragraph). */
enum { CTA_MAX = 128, CTA_BUCKETS = 1024 };
_Static_assert(sizeof cta / sizeof *cta <= CTA_MAX + 1, "the phrase index holds CTA_MAX phrases");
static struct {
	unsigned short start[CTA_BUCKETS + 1]; /* phrases with bucket b: by_bucket[start[b] .. start[b + 1]) */
	unsigned char by_bucket[CTA_MAX];
	unsigned char len[CTA_MAX];
} cta_index;
static pthread_once_t cta_once = PTHREAD_ONCE_INIT;

static unsigned cta_bucket(const char *p) { return ((unsigned char)p[0] * 33u + (unsigned char)p[1]) % CTA_BUCKETS; }

static void cta_index_build(void)
{
	unsigned short count[CTA_BUCKETS] = {0};
	size_t n = 0;
	for (; cta[n]; n++) {
		cta_index.len[n] = (unsigned char)strlen(cta[n]);
		count[cta_bucket(cta[n])]++;
	}
	for (unsigned b = 0; b < CTA_BUCKETS; b++)
		cta_index.start[b + 1] = (unsigned short)(cta_index.start[b] + count[b]), count[b] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned b = cta_bucket(cta[i]);
		cta_index.by_bucket[cta_index.start[b] + count[b]++] = (unsigned char)i;
	}
}

/* How many of the phrases occur in the lower-cased text (each counted once). */
static size_t count_cta(const char *lower)
{
	_Static_assert(sizeof cta / sizeof *cta - 1 <= CTA_MAX, "cta_index too small");
	pthread_once(&cta_once, cta_index_build);
	uint64_t seen[CTA_MAX / 64] = {0};
	size_t n = 0;
	for (const char *p = lower; p[0] && p[1]; p++) {
		unsigned b = cta_bucket(p);
		for (unsigned j = cta_index.start[b]; j < cta_index.start[b + 1]; j++) {
			unsigned k = cta_index.by_bucket[j];
			if (!(seen[k / 64] >> (k % 64) & 1) && p[0] == cta[k][0] && p[1] == cta[k][1] &&
			    !strncmp(p + 2, cta[k] + 2, cta_index.len[k] - 2u)) {
				seen[k / 64] |= (uint64_t)1 << (k % 64);
				n++;
			}
		}
	}
	return n;
}

/* Lower-cases the character at p in place if it is ASCII, a Latin-1 letter or Cyrillic (each keeps its byte
 * length); returns the bytes to step over. Other characters are left alone, whatever their length. */
static char *lower_text(char *s)
{
	for (unsigned char *p = (unsigned char *)s; p && *p;)
		p += gal_utf8_lower(p);
	return s;
}



/* A slide counter: "3 / 8", "3 of 8". */
static int counter(const xmlNode *x)
{
	char *t = gal_html_text(x);
	const char *p = t;
	int ok = p && *p >= '0' && *p <= '9';
	while (ok && *p >= '0' && *p <= '9')
		p++;
	/* a social counter, "1.2K", "15K", "3.4M" */
	const char *q = p;
	if (ok && *q == '.' && q[1] >= '0' && q[1] <= '9')
		q += 2;
	if (ok && (*q == 'K' || *q == 'k' || *q == 'M') && !q[1]) {
		free(t);
		return 1;
	}
	while (ok && *p == ' ')
		p++;
	if (ok && *p == '/')
		p++;
	else if (ok && (!strncmp(p, "of", 2) || !strncmp(p, "von", 3) || !strncmp(p, "de", 2)))
		p += *p == 'v' ? 3 : 2;
	else
		ok = 0;
	while (ok && *p == ' ')
		p++;
	ok = ok && *p >= '0' && *p <= '9';
	long total = ok ? strtol(p, NULL, 10) : 0;
	while (ok && *p >= '0' && *p <= '9')
		p++;
	/* "3 / 8", not a season ("2021/22") */
	ok = ok && !*p && strtol(t, NULL, 10) <= total && total < 1000;
	free(t);
	return ok;
}

/* Whether an element's own text is only white space (its children are all elements). */
static int no_loose_text(const xmlNode *x)
{
	for (const xmlNode *k = x ? x->children : NULL; k; k = k->next)
		if (k->type == XML_TEXT_NODE && !gal_dom_is_blank(k))
			return 0;
	return x != NULL;
}

/* Whether an element below root (not root itself) satisfies `pred`. */
static int any_below(const xmlNode *root, int (*pred)(const xmlNode *))
{
	for (const xmlNode *x = root->children; x; x = gal_dom_next(x, root, x->type == XML_ELEMENT_NODE))
		if (x->type == XML_ELEMENT_NODE && pred(x))
			return 1;
	return 0;
}

static int input_of_type(const xmlNode *x, const char *type)
{
	const char *t = is_name(x, "input") ? gal_dom_attr(x, "type") : NULL;
	return t && !gal_strcasecmp(t, type);
}

static int form_control(const xmlNode *x)
{
	return is_name(x, "input") || is_name(x, "button") || is_name(x, "select") || is_name(x, "textarea") ||
	       is_name(x, "form");
}

static int links_to_picture(const xmlNode *a)
{
	const char *href = gal_dom_attr(a, "href");
	if (!href)
		return 0;
	size_t n = strcspn(href, "?#");
	static const char *const ext[] = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", NULL};
	for (size_t i = 0; ext[i]; i++) {
		size_t el = strlen(ext[i]);
		if (n > el && !gal_strncasecmp(href + n - el, ext[i], el))
			return 1;
	}
	return 0;
}

/* Three pictures or more under x, every one inside a link: thumbnails that lead elsewhere, not the story's
 * pictures. */
static int picture_elem(const xmlNode *x);

static int thumbnail_strip(const xmlNode *x)
{
	size_t linked = 0;
	for (const xmlNode *k = x->children; k; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE)) {
		if (prose_para(k))
			return 0; /* (a short story with its share icons is no strip) */
		if (!picture_elem(k))
			continue;
		const xmlNode *a = k->parent;
		while (a && a != x && !is_name(a, "a"))
			a = a->parent;
		if (!a || a == x || links_to_picture(a))
			return 0; /* (a link to the picture's own file is a gallery's "enlarge") */
		linked++;
	}
	return linked >= 3;
}

/* A shop's button: a link marked sponsored (rel="sponsored"), or one that names a price and a shop ("$42 at
 * Amazon", "£29 at Argos", "49 € bei Otto"). */
static int buy_button(const xmlNode *x)
{
	if (!is_name(x, "a") || !no_loose_text(x->parent))
		return 0; /* (a sponsored link in running text is the story's) */
	const char *rel = gal_dom_attr(x, "rel");
	if (rel && has_word(rel, "sponsored"))
		return 1;
	const rec *r = R(x);
	if (!r || !r->raw_text || r->raw_text > 40)
		return 0;
	char *t = gal_html_text(x);
	const char *p = t;
	int price = 0;
	if (p && (*p == '$' || !strncmp(p, "\xc2\xa3", 2) || !strncmp(p, "\xe2\x82\xac", 3)))
		p += *p == '$' ? 1 : (unsigned char)*p == 0xC2 ? 2 : 3;
	while (p && ((*p >= '0' && *p <= '9') || *p == '.' || *p == ','))
		p++, price++;
	if (p && price && !strncmp(p, " \xe2\x82\xac", 4))
		p += 4;
	int yes = price && p && (!strncmp(p, " at ", 4) || !strncmp(p, " bei ", 5) || !strncmp(p, " chez ", 6) ||
				 !strncmp(p, " en ", 4) || !strncmp(p, " su ", 4));
	free(t);
	return yes;
}

/* An image that is a picture, not a tracking pixel (width="1" height="1"). */
static int picture_elem(const xmlNode *x) { return is_name(x, "img") && !gal_dom_image_under(x, 50); }

static int noscript_picture(const xmlNode *x) { return is_name(x, "noscript") && any_below(x, picture_elem); }

static int password_field(const xmlNode *x) { return input_of_type(x, "password"); }

/* A field to fill in (a sign-up's e-mail field, "ask us", a poll; buttons alone are not: image viewers and share
 * bars have them) or a video, audio or embedded player: nothing of such a box converts. */
static int field_or_player(const xmlNode *x)
{
	return is_name(x, "textarea") || is_name(x, "select") || (is_name(x, "input") && !input_of_type(x, "hidden")) ||
	       is_name(x, "video") || is_name(x, "audio") || is_name(x, "iframe") || is_name(x, "embed") ||
	       is_name(x, "object") ||
	       (x->type == XML_ELEMENT_NODE && !strncmp((const char *)x->name, "amp-", 4) && !is_name(x, "amp-img"));
}

static int cta_link(const xmlNode *root)
{
	const xmlNode *x = root->children;
	while (x) {
		if (is_name(x, "a")) {
			char *t = lower_text(gal_html_text(x));
			int hit = t && count_cta(t);
			free(t);
			if (hit)
				return 1;
		}
		x = gal_dom_next(x, root, x->type == XML_ELEMENT_NODE && !is_name(x, "a"));
	}
	return 0;
}

/* Whether an element inside the story is a box of furniture. */
static const char *label_core(const char *s, size_t *len);
static int furniture_label(const char *lower);

static int box_verdict(const ectx *e, const rec *r, const char *low);

static int duration_text(const xmlNode *x);

static int boilerplate_box(const ectx *e, const rec *r)
{
	const xmlNode *x = r->x;
	/* an <aside> inside the story with no furniture hint is judged by its content (a fact box stays) */
	if (is_junk(e, r) && !((r->flags & F_ASIDE) && !(r->flags & F_HARD_JUNK)))
		return 1;
	if (r->raw_text && r->raw_text <= 12 && (is_name(x, "span") || is_name(x, "div") || is_name(x, "p")) && counter(x))
		return 1;
	/* a relative time beside the time itself ("2h ago" before "16.35 GMT"): true only when the page was made */
	if (is_name(x, "time") && r->raw_text && r->raw_text <= 16 && gal_dom_attr(x, "datetime")) {
		char *t = lower_text(gal_html_text(x));
		size_t n = t ? strlen(t) : 0;
		int ago = n > 4 && t[0] >= '0' && t[0] <= '9' && !strcmp(t + n - 4, " ago");
		free(t);
		if (ago)
			return 1;
	}
	/* the running time on the story's own video ("1:48") */
	if (r->raw_text && r->raw_text <= 8 && x->children && !x->children->next && duration_text(x->children)) {
		const rec *a = r;
		for (int up = 0; up < 3 && a; up++) { /* the element, its parent, its grandparent */
			if (a->look & LK_VIDEO)
				return 1;
			a = a->parent == SIZE_MAX ? NULL : &e->r[a->parent];
		}
	}
	/* a link on its own between blocks that sells or signs up ("Buy this photo"); one that sells the picture
	 * anywhere (in its caption: "Purchase Licensing Rights") */
	if (is_name(x, "a") && r->raw_text && r->raw_text < 40) {
		static const char *const sell[] = {"buy this photo", "buy photo", "purchase this photo", "order a print",
						   "buy a print", "buy now", "purchase licensing rights",
						   "licensing rights", "buy this image", NULL};
		char *t = lower_text(gal_html_text(x));
		int alone = no_loose_text(x->parent), hit = t && alone && count_cta(t);
		for (size_t i = 0; t && sell[i] && !hit; i++)
			hit = (alone || i >= 6) && strstr(t, sell[i]) != NULL;
		free(t);
		if (hit)
			return 1;
	}
	static const char *const boxes[] = {"div", "section", "ul", "ol", "table", "form", "span", "dl", "aside", NULL};
	if (!name_in(x, boxes) || !r->raw_text)
		return 0;
	/* the box's text, lower-cased, for the phrase tests below: read at most once */
	char *low = r->raw_text < 700 || r->text < 700 ? lower_text(gal_html_text(x)) : NULL;
	int drop = box_verdict(e, r, low);
	free(low);
	return drop;
}

/* A running time of its own: "01:42", "1:02:15" (a video's length). */
static int duration_text(const xmlNode *x)
{
	if (x->type != XML_TEXT_NODE || !x->content)
		return 0;
	const char *p = (const char *)x->content;
	while (gal_is_space((unsigned char)*p))
		p++;
	int groups = 0;
	for (;;) {
		int digits = 0;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		if (!digits || digits > 2)
			return 0;
		groups++;
		if (*p != ':')
			break;
		p++;
	}
	while (gal_is_space((unsigned char)*p))
		p++;
	return !*p && groups >= 2 && groups <= 3;
}

/* boilerplate_box for a box: `low` is its text lower-cased when it is short (under 700 bytes), else NULL. */
static int box_verdict(const ectx *e, const rec *r, const char *low)
{
	const xmlNode *x = r->x;
	/* a teaser of another video in the story: its own title, and its running time or a line about it (the
	 * story's own video has a caption, no title) */
	if ((r->look & LK_VIDEO) && r->raw_text < 500) {
		int duration = 0, title = 0;
		for (const xmlNode *k = x; k; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE)) {
			duration |= duration_text(k);
			if (k == x || k->type != XML_ELEMENT_NODE)
				continue;
			hstr hh;
			title |= heading_level(k) ||
				 (hstr_of(e, k, &hh) && (strstr(hh.s, "title") || strstr(hh.s, "headline")));
		}
		if (title && (duration || r->raw_text < 200))
			return 1;
	}
	/* a box that only says "Advertisement" or "Story continues below"; a comments box known by its title */
	if (r->raw_text < 700 && low) {
		int label = r->raw_text < 60 && furniture_label(low);
		static const char *const comments[] = {"reader comments", "comments (", "comments:", "user comments",
						       "leave a comment", "kommentare (", "commenti (", NULL};
		for (size_t i = 0; comments[i] && !label; i++)
			label = !strncmp(low, comments[i], strlen(comments[i]));
		if (label)
			return 1;
	}
	/* the placeholder of an embed that needs scripts (it has a <noscript> fallback); a lazy picture's
	 * fallback is the picture itself, and its box is a figure */
	if (r->raw_text < 200)
		for (const xmlNode *k = x->children; k; k = k->next)
			if (is_name(k, "noscript") && !any_below(k, picture_elem))
				return 1;
	double ld = link_density(r);
	int list = is_name(x, "ul") || is_name(x, "ol");
	if (ld > (list ? 0.6 : 0.5) && r->text < 3000 && !(r->text < 40 && gal_html_picture_box(x)) &&
	    !quotation_box(x))
		return 1; /* link lists, "more from" grids; not a picture with its "Enlarge" link, nor an embedded post
			   * (a quotation whose text is its link) */
	/* a box of links under a heading that says what it is ("Explore more", "Related", "Most read") */
	if (ld > 0.25 && r->text < 3000) {
		const xmlNode *h = NULL;
		for (const xmlNode *k = x; k && !h; k = gal_dom_next(k, x, k->type == XML_ELEMENT_NODE))
			if (k != x && heading_level(k))
				h = k;
		char *t = h ? lower_text(gal_html_text(h)) : NULL;
		int label = t && furniture_label(t);
		free(t);
		if (label)
			return 1;
	}
	if ((r->flags & F_NEG_HINT) && !(r->flags & F_ASIDE) && (ld > 0.2 || r->text < 200))
		return 1;
	if ((r->flags & F_ASIDE) && ld > 0.3)
		return 1;
	if (!list && teaser_list(x))
		return 1;
	const rec *pr = x->parent && x->parent->_private ? R(x->parent) : NULL;
	if (pr && (pr->flags & F_NO_CTA)) {
		((rec *)r)->flags |= F_NO_CTA;
		return 0;
	}
	/* a strip of thumbnails, each a link to another page (a gallery's or other stories' teasers) */
	if (r->text < 600 && thumbnail_strip(x))
		return 1;
	/* a product card: a short box with a buy button ("$279 at Best Buy", a sponsored link) */
	if (r->text < 500 && any_below(x, buy_button))
		return 1;
	/* a form inside the story (a sign-up, "Ask us a question", a poll) or a player; not a chart drawn by a
	 * script whose picture is in its <noscript> */
	if (r->text < 300 && any_below(x, field_or_player) && !any_below(x, noscript_picture))
		return 1;
	if (r->text < 700) {
		size_t hits = low ? count_cta(low) : 0;
		if (hits >= 2 || (hits >= 1 && any_below(x, form_control)))
			return 1;
		/* a short box whose link is a call to action ("Sign up free") */
		if (hits && r->text < 300 && !is_name(x, "span") && cta_link(x))
			return 1;
		if (!hits)
			((rec *)r)->flags |= F_NO_CTA;
	}
	return 0;
}

static void prune(ectx *e, const xmlNode *root)
{
	xmlNode *x = root->children;
	while (x) {
		int element = x->type == XML_ELEMENT_NODE && x->_private;
		if (element && boilerplate_box(e, R(x))) {
			xmlNode *dead = x;
			if (e->debug)
			{
				hstr hh;
				hstr_of(e, x, &hh);
				char *pt = gal_html_text(x);
				fprintf(stderr, "pruned %s line %d [%s] %.50s\n", (const char *)x->name, x->line, hh.s,
					pt ? pt : "");
				free(pt);
			}
			x = (xmlNode *)gal_dom_next(x, root, 0);
			/* the article's own <header> goes, but for its lead picture, which is pruned in turn (a "Purchase
			 * Licensing Rights" link in its caption) */
			xmlNode *moved = NULL;
			if (is_name(dead, "header"))
				for (xmlNode *k = dead->children, *nk; k; k = nk) {
					nk = (xmlNode *)gal_dom_next(k, dead, k->type == XML_ELEMENT_NODE);
					if (k->type == XML_ELEMENT_NODE && (is_name(k, "figure") || gal_html_figure_like(k))) {
						nk = (xmlNode *)gal_dom_next(k, dead, 0);
						gal_dom_insert_before(k, dead);
						if (!moved)
							moved = k;
					}
				}
			gal_dom_unlink(dead);
			if (moved && moved->children)
				x = moved->children;
		} else
			x = (xmlNode *)gal_dom_next(x, root, element);
	}
}

/* ------------------------------------------------------------------ visible metadata */

/* The elements' pointers to their records are taken back before the records go (only collect() sets them). */
static void clear_private(ectx *e)
{
	for (size_t i = 0; i < e->n; i++)
		((xmlNode *)e->r[i].x)->_private = NULL;
}

static const char *const byline_prefixes[] = {"written by ", "words by ", "story by ", "text by ", "by ", "von ",
					      "par ", "por ", "di ", "door ", "av ", "af ", "text: ", "texto: ",
					      "autor: ", "author: ", "auteur : ", "auteur: ",
					      "\xd0\x90\xd0\xb2\xd1\x82\xd0\xbe\xd1\x80: ", "\xd0\xb0\xd0\xb2\xd1\x82\xd0\xbe\xd1\x80: ",
					      /* "作者：", "记者：" (zh), "記者：" (ja), with a full-width or ASCII colon */
					      "\xe4\xbd\x9c\xe8\x80\x85\xef\xbc\x9a", "\xe4\xbd\x9c\xe8\x80\x85:",
					      "\xe8\xae\xb0\xe8\x80\x85\xef\xbc\x9a", "\xe8\xa8\x98\xe8\x80\x85\xef\xbc\x9a", NULL};

/* Strips "By " and similar from the start; returns the rest (inside s), or NULL when there was none. */
static const char *after_by(const char *s);

/* "By Jane Doe and John Roe": after the prefix, a few capitalised words (names), not a sentence
 * ("Von den Ergebnissen ..." starts with a byline prefix too). */
/* Cuts a byline where what follows the names begins: a bar, a bullet or a dash (then a date or a title), or a
 * word with a digit in it (a date). `strict` (taking names out) also cuts at " - ", a line break and a label
 * ("Jane Doe Published Sept. 3"). */
static void cut_after_names(char *s, int strict)
{
	static const char *const cuts[] = {" | ", "|", " \xc2\xb7 ", " \xe2\x80\xa2 ", " \xe2\x80\x94 ", NULL};
	/* " / " sets off the agency ("Name / PTI"); a date label may follow the name with no space where the page
	 * sets them in elements side by side ("Jane DoeUpdated: May 8") */
	static const char *const more[] = {" - ", "\n", " published", " updated", " posted", " Published", " Updated",
					   " Posted", " / ", "Updated:", "Published:", "Posted:", NULL};
	for (int pass = 0; pass < 1 + strict; pass++)
		for (const char *const *c = pass ? more : cuts; *c; c++) {
			char *q = strstr(s, *c);
			if (q)
				*q = '\0';
		}
	for (char *q = s; *q; q++)
		if (*q >= '0' && *q <= '9') {
			while (q > s && q[-1] != ' ')
				q--;
			*q = '\0';
			break;
		}
}

static int byline_shape_str(const char *full)
{
	char c[256];
	snprintf(c, sizeof c, "%s", full);
	cut_after_names(c, 0);
	const char *rest = after_by(c);
	int ok = rest != NULL;
	size_t words = 0;
	static const char *const small[] = {"and", "und", "et", "y", "e", "&", "de", "van", "von", "da", "del", "der", "la", "le", NULL};
	for (const char *p = rest; ok && p && *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if (p == w)
			break;
		if (++words > 10)
			ok = 0;
		size_t wl = (size_t)(p - w);
		int connector = 0;
		for (size_t i = 0; small[i]; i++)
			connector |= strlen(small[i]) == wl && !strncmp(w, small[i], wl);
		/* a name starts upper-case (or with a letter outside ASCII, where case is not checked) */
		if (!connector && *w >= 'a' && *w <= 'z')
			ok = 0;
	}
	size_t len = strlen(c);
	if (len && c[len - 1] == '.' && !(len > 2 && c[len - 3] == ' '))
		ok = 0; /* a sentence */
	return ok && words > 0;
}

/* Text of a tree node, white space collapsed. */
static char *node_text_collapsed(const gal_node *n)
{
	char *t = gal_node_text(n);
	char *c = t ? gal_collapse_ws(t) : NULL;
	free(t);
	return c;
}

static int byline_shape(const gal_node *n)
{
	char *c = node_text_collapsed(n);
	int ok = c && byline_shape_str(c);
	free(c);
	return ok;
}

static const char *after_by(const char *s)
{
	for (size_t i = 0; byline_prefixes[i]; i++) {
		size_t n = strlen(byline_prefixes[i]);
		if (!gal_strncasecmp(s, byline_prefixes[i], n))
			return s + n;
	}
	return NULL;
}

/* Splits "A, B and C" into names; stops at a separator that starts something else ("|", " - ", a date). */
static void split_names(const char *s, gal_strlist *out)
{
	char *copy = strdup(s);
	if (!copy)
		return;
	cut_after_names(copy, 1);
	static const char *const seps[] = {", and ", " and ", " & ", ", ", " und ", " et ", " y ", " e ", NULL};
	/* without a conjunction, a comma starts a title: "Jane Doe, Staff Writer" */
	int list = 0;
	for (size_t i = 0; seps[i]; i++)
		if (i != 3 && strstr(copy, seps[i]))
			list = 1;
	if (!list) {
		char *c = strstr(copy, ", ");
		if (c)
			*c = '\0';
	}
	char *p = copy;
	while (p && *p) {
		char *best = NULL;
		size_t bl = 0;
		for (size_t i = 0; seps[i]; i++) {
			char *c = strstr(p, seps[i]);
			if (c && (!best || c < best))
				best = c, bl = strlen(seps[i]);
		}
		if (best)
			*best = '\0';
		char *name = gal_collapse_ws(p);
		if (name) {
			size_t words = 1, digits = 0;
			for (char *q = name; *q; q++)
				words += *q == ' ', digits += *q >= '0' && *q <= '9';
			if (*name && words <= 5 && !digits && strlen(name) < 60)
				gal_strlist_push(out, name);
			free(name);
		}
		p = best ? best + bl : NULL;
	}
	free(copy);
}


/* Finds a date in visible text ("Updated 3:42 p.m. ET, Tue March 5, 2024"): the first word from which the
 * date parser succeeds. */
static char *find_date(const char *t)
{
	for (const char *p = t; *p; p++) {
		if (p != t && p[-1] != ' ')
			continue;
		char *d = gal_date_normalize(p);
		if (d) {
			free(d);
			return strdup(p);
		}
	}
	return NULL;
}

/* Inside the page's own header, navigation, footer or side column (not an article's header). */
static int page_chrome(const xmlNode *x)
{
	for (const xmlNode *p = x->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
		if (is_name(p, "article") || is_name(p, "main"))
			return 0;
		if (is_name(p, "header") || is_name(p, "nav") || is_name(p, "footer") || is_name(p, "aside"))
			return 1;
		const char *role = gal_dom_attr(p, "role");
		if (role && (!gal_strcasecmp(role, "banner") || !gal_strcasecmp(role, "navigation") ||
			     !gal_strcasecmp(role, "contentinfo")))
			return 1;
	}
	return 0;
}

/* Whether t is `want`, maybe after a place name set before it with no break between them
 * ("<span class=location>Lâm Sơn</span>Hàng nghìn ..."): t from any of its first 40 bytes. */
static int same_after_label(const char *t, const char *want)
{
	if (gal_loose_equal(t, want, 0))
		return 1;
	size_t tl = strlen(t);
	for (size_t i = 1; i < 40 && i < tl && tl > strlen(want) / 2; i++)
		if (((unsigned char)t[i] & 0xC0) != 0x80 && gal_loose_equal(t + i, want, 0))
			return 1;
	return 0;
}

typedef struct {
	const xmlNode *h1;
	const xmlNode *deck;  /* the page's description shown under the headline */
	const xmlNode *shown_deck; /* a deck under the headline that says something else than the description */
	const xmlNode *crumb; /* a breadcrumb trail */
	gal_strlist rel, itemprop, byline;
	char *ip_date, *time_dt, *visible_date, *category, *kicker;
} seen;

static void seen_free(seen *s)
{
	gal_strlist_clear(&s->rel);
	gal_strlist_clear(&s->itemprop);
	gal_strlist_clear(&s->byline);
	free(s->ip_date);
	free(s->time_dt);
	free(s->visible_date);
	free(s->category);
	free(s->kicker);
}

static void push_name(gal_strlist *l, const char *v)
{
	char *t = gal_collapse_ws(v);
	if (t && *t && strlen(t) < 80) {
		int dup = 0;
		for (size_t i = 0; i < l->count; i++)
			dup |= !gal_strcasecmp(l->items[i], t);
		if (!dup)
			gal_strlist_push(l, t);
	}
	free(t);
}

/* A byline group whose parts are marked too: the innermost part is the byline. */
static int inner_byline(const xmlNode *x)
{
	for (const xmlNode *k = x->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && gal_dom_attr(k, "class") && gal_dom_contains_ci(gal_dom_attr(k, "class"), "byline"))
			return 1;
	return 0;
}

/* The text of the first element with the class word "fn" inside x. */
static char *hcard_name(const xmlNode *x)
{
	const xmlNode *y = x->children;
	while (y) {
		const char *cls = y->type == XML_ELEMENT_NODE ? gal_dom_attr(y, "class") : NULL;
		if (cls && has_word(cls, "fn")) {
			char *t = gal_html_text(y);
			if (t && *t)
				return t;
			free(t);
		}
		y = gal_dom_next(y, x, y->type == XML_ELEMENT_NODE);
	}
	return NULL;
}

/* Whether an element child of `x` starts with "By" and reads as a byline. */
static int by_child(const xmlNode *x)
{
	int found = 0;
	for (const xmlNode *k = x->children; k && !found; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		char *t = gal_html_text(k);
		found = t && after_by(t) && byline_shape_str(t);
		free(t);
	}
	return found;
}

static const char *const date_labels[];

/* The text of an element up to its first line break, white space collapsed. */
static char *first_line(const xmlNode *x)
{
	gal_buf b = GAL_BUF_INIT;
	for (const xmlNode *y = x->children; y; y = gal_dom_next(y, x, y->type == XML_ELEMENT_NODE)) {
		if (is_name(y, "br"))
			break;
		if (y->type == XML_TEXT_NODE && y->content)
			gal_buf_puts(&b, (const char *)y->content);
	}
	char *t = gal_collapse_ws(b.data ? b.data : "");
	gal_buf_free(&b);
	return t;
}

/* The loose text after a <br> up to the next one. */
static char *line_after(const xmlNode *br)
{
	gal_buf b = GAL_BUF_INIT;
	for (const xmlNode *y = br->next; y && !is_name(y, "br"); y = y->next)
		if (y->type == XML_TEXT_NODE && y->content)
			gal_buf_puts(&b, (const char *)y->content);
	char *t = gal_collapse_ws(b.data ? b.data : "");
	gal_buf_free(&b);
	return t;
}

static const xmlNode *next_element(const xmlNode *x)
{
	for (x = x->next; x; x = x->next)
		if (x->type == XML_ELEMENT_NODE || (x->type == XML_TEXT_NODE && !gal_dom_is_blank(x)))
			return x;
	return NULL;
}

static const xmlNode *prev_element(const xmlNode *x)
{
	for (x = x->prev; x; x = x->prev)
		if (x->type == XML_ELEMENT_NODE || (x->type == XML_TEXT_NODE && !gal_dom_is_blank(x)))
			return x;
	return NULL;
}

/* Whether a text starts with a date label ("Published:", "Updated"). */
static int date_label(const char *t)
{
	for (size_t i = 0; date_labels[i]; i++)
		if (!gal_strncasecmp(t, date_labels[i], strlen(date_labels[i])))
			return 1;
	return 0;
}

/* An element before `h1` that reads as a breadcrumb trail: two links or more and separators (">", "›", "»")
 * in a short text. */
static const xmlNode *text_crumb(const xmlNode *body, const xmlNode *h1)
{
	for (const xmlNode *x = body; x && x != h1; x = gal_dom_next(x, body, x->type == XML_ELEMENT_NODE)) {
		if (x->type != XML_ELEMENT_NODE || !x->_private || R(x)->raw_text > 120 ||
		    (R(x)->flags & F_HARD_JUNK && !is_name(x, "nav")))
			continue;
		int links = 0, seps = 0;
		for (const xmlNode *k = x->children; k; k = k->next) {
			if (is_name(k, "a"))
				links++;
			else if (k->type == XML_TEXT_NODE && k->content &&
				 (strstr((const char *)k->content, ">") || strstr((const char *)k->content, "\xe2\x80\xba") ||
				  strstr((const char *)k->content, "\xc2\xbb")))
				seps++;
		}
		if (links >= 2 && seps >= 1)
			return x;
	}
	return NULL;
}

/* The last link of a breadcrumb trail, unless it is the first (home) or the headline itself. */
static char *crumb_section(const xmlNode *crumb, const char *headline)
{
	const xmlNode *last = NULL, *first = NULL;
	for (const xmlNode *y = crumb; y; y = gal_dom_next(y, crumb, y->type == XML_ELEMENT_NODE))
		if (is_name(y, "a")) {
			if (!first)
				first = y;
			last = y;
		}
	if (!last || last == first)
		return NULL;
	char *t = gal_html_text(last);
	if (!t || !*t || strlen(t) > 40 || (headline && gal_loose_equal(t, headline, 1))) {
		free(t);
		return NULL;
	}
	return t;
}

/* One walk over the page for the headline's <h1> and the byline, date and section as shown. Elements inside
 * comments and the page's navigation are not looked at. */
static void look(ectx *e, const xmlNode *body, const char *headline, const char *title, const char *desc,
		 seen *s)
{
	const xmlNode *x = body;
	const xmlNode *first_h1 = NULL;
	while (x) {
		int down = 1;
		if (x->type == XML_ELEMENT_NODE) {
			const rec *r = R(x);
			int flags = r ? r->flags : 0;
			/* the element's hint string, built once for all the tests below */
			hstr hh;
			const hstr *buf = hstr_of(e, x, &hh) ? &hh : NULL;
			if ((r ? r->cls : gal_html_elem_class(x)) == GAL_HE_SKIP || is_name(x, "nav") || is_name(x, "footer") ||
			    (r && (flags & F_STRONG_NEG) && is_junk(e, r) && buf &&
			     (buf->look & LK_SKIPBOX)))
				down = 0;
			else if (is_name(x, "h1")) {
				char *t = gal_html_text(x);
				if (t && *t) {
					if (!first_h1 && !(buf && (buf->look & LK_LOGO)))
						first_h1 = x;
					if (headline && !s->h1 && gal_loose_equal(t, headline, 0))
						s->h1 = x;
				}
				free(t);
				down = 0;
			} else {
				const char *rel = r ? r->rel : gal_dom_attr(x, "rel");
				const char *ip = r ? r->itemprop : gal_dom_attr(x, "itemprop");
				if (rel && is_name(x, "a") && has_word(rel, "author")) {
					char *t = gal_html_text(x);
					if (t) {
						const char *a = after_by(t);
						push_name(&s->rel, a ? a : t);
					}
					free(t);
				} else if (rel && is_name(x, "a") && has_word(rel, "category") && !s->category) {
					char *t = gal_html_text(x);
					if (t && *t)
						s->category = t;
					else
						free(t);
				}
				if (ip && has_word(ip, "author")) {
					const char *content = gal_dom_attr(x, "content");
					char *t = NULL;
					/* the name may be a child itemprop=name, a content attribute or the text */
					for (const xmlNode *k = x->children; k && !t; k = k->next)
						if (k->type == XML_ELEMENT_NODE && gal_dom_attr(k, "itemprop") &&
						    has_word(gal_dom_attr(k, "itemprop"), "name"))
							t = gal_html_text(k);
					if (!t && content && strncmp(content, "http", 4))
						t = strdup(content);
					if (!t && !is_name(x, "link") && !is_name(x, "meta"))
						t = gal_html_text(x);
					if (t) {
						const char *a = after_by(t);
						push_name(&s->itemprop, a ? a : t);
					}
					free(t);
					down = 0;
				} else if (ip && (has_word(ip, "datePublished") || has_word(ip, "datepublished")) && !s->ip_date) {
					const char *v = gal_dom_attr(x, "datetime");
					if (!v)
						v = gal_dom_attr(x, "content");
					if (v && *v)
						s->ip_date = strdup(v);
				}
				if (ip && (has_word(ip, "articleSection") || has_word(ip, "genre")) && !s->category) {
					char *t = gal_html_text(x);
					if (t && *t && strlen(t) < 40)
						s->category = t;
					else
						free(t);
				}
				if (is_name(x, "time") && !s->time_dt && !page_chrome(x)) {
					const char *v = gal_dom_attr(x, "datetime");
					if (v && *v)
						s->time_dt = strdup(v);
				}
				if (buf) {
					if (!s->byline.count && (buf->look & (LK_BYLINE | LK_BIO)) == LK_BYLINE && !inner_byline(x)) {
						char *t = gal_html_text(x);
						if (t && strlen(t) < 200) {
							const char *a = after_by(t);
							split_names(a ? a : t, &s->byline);
						}
						free(t);
					}
					if (!s->visible_date && (buf->look & LK_DATE)) {
						char *t = gal_html_text(x);
						if (t && strlen(t) < 120)
							s->visible_date = find_date(t);
						free(t);
					}
					if (!s->crumb && (buf->look & LK_CRUMB))
						s->crumb = x;
					if (!s->kicker && (buf->look & LK_KICKER)) {
						/* "<a>Environment</a><span>Latvia</span>": the section is the link */
						const xmlNode *a = x;
						while (a && !is_name(a, "a"))
							a = gal_dom_next(a, x, a->type == XML_ELEMENT_NODE);
						char *t = gal_html_text(a && a != x && !is_name(x, "a") ? a : x);
						if (t && *t && strlen(t) < 40)
							s->kicker = t;
						else
							free(t);
					}
				}
			}
		}
		x = gal_dom_next(x, body, down && x->type == XML_ELEMENT_NODE);
	}
	if (!s->h1)
		s->h1 = first_h1;
	/* no <h1>: the innermost element whose text is the headline (old table layouts set it in <font>) */
	const char *want = headline ? headline : title;
	for (const xmlNode *y = !s->h1 && want ? body : NULL; y; y = gal_dom_next(y, body, y->type == XML_ELEMENT_NODE)) {
		if (y->type != XML_ELEMENT_NODE || !y->_private || R(y)->raw_text < 10 || R(y)->raw_text > 300 ||
		    (R(y)->flags & F_HARD_JUNK) || is_name(y, "title"))
			continue;
		char *t = gal_html_text(y);
		char *other = t && !headline ? gal_title_other_part(title, t) : NULL;
		/* the title may add the site's name: "Headline - Site" */
		int inside = 0; /* a match inside the last one is closer to the text */
		for (const xmlNode *a = y->parent; a && s->h1 && !inside; a = a->parent)
			inside = a == s->h1;
		int link = is_name(y, "a");
		for (const xmlNode *a = y->parent; a && !link; a = a->parent)
			link = is_name(a, "a");
		/* a link with the headline is a teaser of this story in a list */
		if (!link && (!s->h1 || inside) && t && *t &&
		    (gal_loose_equal(t, want, 0) || (other && strlen(other) < strlen(t))))
			s->h1 = y;
		free(other);
		free(t);
	}
	/* a blog's name in the <h1> ("Name: Post title" in <title>): the post's own heading is the headline */
	char *h1t = s->h1 && !headline && title ? gal_html_text(s->h1) : NULL;
	char *other = h1t ? gal_title_other_part(title, h1t) : NULL;
	for (const xmlNode *y = other ? body : NULL; y; y = gal_dom_next(y, body, y->type == XML_ELEMENT_NODE)) {
		if (heading_level(y) < 1 || heading_level(y) > 4)
			continue;
		char *t = gal_html_text(y);
		int same = t && gal_loose_equal(t, other, 0);
		free(t);
		if (same) {
			s->h1 = y;
			break;
		}
	}
	free(h1t);
	free(other);
	/* a short label just above the headline is its section ("Politics") */
	for (const xmlNode *h = s->h1; h && !s->kicker && h->parent && !is_name(h, "body"); h = h->parent) {
		const xmlNode *p = h->prev;
		/* line breaks and spacer images between them do not count */
		while (p && (((p->type != XML_ELEMENT_NODE || gal_html_elem_class(p) == GAL_HE_SKIP) &&
			      (p->type != XML_TEXT_NODE || gal_dom_is_blank(p))) ||
			     is_name(p, "br") || (is_name(p, "img") && !(gal_dom_attr(p, "alt") && *gal_dom_attr(p, "alt")))))
			p = p->prev;
		if (p && p->type == XML_ELEMENT_NODE && p->_private && !is_junk(e, R(p))) {
			char *t = gal_html_text(p);
			size_t words = t && *t ? 1 : 0, digits = 0, marks = 0;
			for (const char *q = t; q && *q; q++)
				words += *q == ' ', digits += *q >= '0' && *q <= '9', marks += !gal_is_space((unsigned char)*q);
			/* (mostly figures is a time and a view count, not a section: "10:00 12.06.2025 3 105") */
			if (t && *t && strlen(t) <= 30 && words <= 3 && !strpbrk(t, "/>|\xc2") && !strstr(t, "\xe2\x80\xba") &&
			    digits * 3 <= marks)
				s->kicker = t;
			else
				free(t);
			break;
		}
		if (p)
			break;
	}
	/* the description shown as the deck under the headline ("c-article-head__dek", "standfirst"), after the
	 * headline or after the wrapper it stands alone in */
	const xmlNode *hw = s->h1;
	while (hw && hw->parent && !is_name(hw->parent, "body") && !next_element(hw) && !prev_element(hw))
		hw = hw->parent;
	int sib = 0;
	for (const xmlNode *y = hw ? hw->next : NULL; y && sib < 3; y = y->next) {
		if (y->type != XML_ELEMENT_NODE)
			continue;
		sib++;
		hstr dh;
		const char *ip = gal_dom_attr(y, "itemprop");
		if (!y->_private || !((ip && has_word(ip, "description")) ||
				      (hstr_of(e, y, &dh) &&
				       (dh.look & LK_DECK))))
			continue;
		char *t = gal_html_text(y);
		size_t tl = t ? strlen(t) : 0;
		if (t && desc && same_after_label(t, desc))
			s->deck = y;
		/* (one line of text: a box of points, "abstract" lists, is no deck) */
		if (!s->deck && tl >= 20 && tl <= 400 && !(R(y)->flags & F_BLOCKKIDS) && !is_name(y, "ul") &&
		    !is_name(y, "ol"))
			s->shown_deck = y;
		free(t);
		break;
	}
	/* hCard in hAtom, often in the post's footer: <span class="post-author vcard">Posted by <span class="fn"> */
	for (const xmlNode *y = s->rel.count || s->itemprop.count || s->byline.count ? NULL : body; y;) {
		int descend = y->type == XML_ELEMENT_NODE;
		const char *cls = descend ? gal_dom_attr(y, "class") : NULL;
		if (cls && strstr(cls, "comment"))
			descend = 0;
		else if (cls && has_word(cls, "vcard") && strstr(cls, "author")) {
			char *t = hcard_name(y);
			if (t)
				split_names(t, &s->itemprop);
			free(t);
			break;
		}
		y = gal_dom_next(y, body, descend);
	}
	/* a bare date shown under the headline ("2024-03-14 09:26") */
	int sibs = 0;
	/* from the headline's element, or its wrapper when it stands alone in one (<font><b>Headline</b></font>) */
	const xmlNode *hb = s->h1;
	while (hb && hb->parent && !is_name(hb->parent, "body") && !next_element(hb) && !prev_element(hb))
		hb = hb->parent;
	for (const xmlNode *y = hb && !s->visible_date && !s->time_dt && !s->ip_date ? hb->next : NULL;
	     y && sibs < 6 && !s->visible_date; y = y->next) {
		if (y->type != XML_ELEMENT_NODE || !y->_private || is_name(y, "br") || is_name(y, "img"))
			continue;
		sibs++;
		for (const xmlNode *z = y; z && !s->visible_date; z = gal_dom_next(z, y, z->type == XML_ELEMENT_NODE)) {
			if (z->type != XML_ELEMENT_NODE || !z->_private || R(z)->raw_text > 60)
				continue;
			/* "2024-03-14 09:26", "Published: Wednesday, March 9, 2005", a line of its own */
			char *t = gal_html_text(z);
			if (t && (strlen(t) <= 30 || date_label(t)))
				s->visible_date = find_date(t);
			free(t);
			for (const xmlNode *br = z->children; br && !s->visible_date; br = br->next)
				if (is_name(br, "br") && br->next) {
					char *line = line_after(br);
					if (line && (strlen(line) <= 30 || date_label(line)))
						s->visible_date = find_date(line);
					free(line);
				}
		}
	}
	/* a breadcrumb trail above the headline ("Home > Society > Article"): its last link is the section */
	if (!s->crumb && s->h1)
		s->crumb = text_crumb(body, s->h1);
	if (s->crumb && s->h1 && s->crumb->line <= s->h1->line && !s->category && !s->kicker)
		s->kicker = crumb_section(s->crumb, headline);
	/* a byline with no class near the headline: "By <a>Jane Doe</a>" in a plain span */
	const xmlNode *zone = s->h1;
	for (int up = 0; zone && up < 3 && zone->parent && !is_name(zone->parent, "body"); up++)
		zone = zone->parent;
	if (zone && !s->byline.count && !s->rel.count && !s->itemprop.count) {
		const xmlNode *y = zone->children;
		while (y) {
			int descend = y->type == XML_ELEMENT_NODE;
			if (y->type == XML_ELEMENT_NODE && !is_name(y, "h1") && y->_private && R(y)->raw_text < 150 &&
			    gal_html_elem_class(y) != GAL_HE_SKIP) {
				/* its first line: "By Jane Doe<br>Staff Writer<br>November 6, 2024" */
				char *t = first_line(y);
				/* the innermost element that reads as a byline: its parent may add a title and a date */
				if (t && after_by(t) && byline_shape_str(t) && !by_child(y))
					split_names(after_by(t), &s->byline);
				free(t);
				if (s->byline.count)
					break;
			}
			y = gal_dom_next(y, zone, descend);
		}
	}
}

/* The deck goes to the metadata, not the body: out of the roots, or out of the page inside one. */
static void cut_deck(gal_extract *ex, const xmlNode *deck)
{
	for (size_t i = 0; i < ex->nroots; i++) {
		if (ex->roots[i] == deck) {
			memmove(ex->roots + i, ex->roots + i + 1, (ex->nroots - i - 1) * sizeof *ex->roots);
			ex->nroots--;
			return;
		}
		for (const xmlNode *a = deck->parent; a; a = a->parent)
			if (a == ex->roots[i]) {
				gal_dom_unlink((xmlNode *)deck);
				return;
			}
	}
}

/* The story's roots hold the article's header too (kicker, headline, deck, byline): everything up to the
 * headline goes; the lines after it are judged in the tree pass. */
static void cut_header(gal_extract *ex, const xmlNode *h1)
{
	if (!h1)
		return;
	for (size_t i = 0; i < ex->nroots; i++) {
		const xmlNode *root = ex->roots[i];
		int inside = 0;
		for (const xmlNode *a = h1; a; a = a->parent)
			if (a == root) {
				inside = 1;
				break;
			}
		if (!inside)
			continue;
		if (h1 == root)
			return;
		/* previous siblings of the headline and of each ancestor below the root */
		for (xmlNode *a = (xmlNode *)h1; a && a != root; a = a->parent)
			while (a->prev) {
				xmlNode *dead = a->prev;
				gal_dom_unlink(dead);
			}
		gal_dom_unlink((xmlNode *)h1);
		/* roots before this one come before the headline: a kicker, a breadcrumb */
		memmove(ex->roots, ex->roots + i, (ex->nroots - i) * sizeof *ex->roots);
		ex->nroots -= i;
		return;
	}
}

/* ------------------------------------------------------------------ the whole run */

/* GALLEY_DEBUG_EXTRACT=1: the candidates and the winner on stderr, for working on the rules. */
static void debug_dump(const ectx *e, const rec *t)
{
	for (size_t i = 0; i < e->n; i++) {
		const rec *r = &e->r[i];
		if (!(r->flags & F_CAND) || r->score < 5)
			continue;
		char buf[512];
		hint_string(r->x, buf, sizeof buf);
		size_t prose = 0, n = teasers(r->x, &prose);
		fprintf(stderr, "%s %-8s line %-5ld score %7.1f text %6zu link %5zu flags %3d teasers %zu prose %zu [%s]\n",
			r == t ? "=>" : "  ", (const char *)r->x->name, (long)r->x->line, r->score, r->text, r->link, r->flags,
			n, prose, buf);
	}
}

static rec *run_pass(ectx *e)
{
	measure(e);
	score_all(e);
	return top_candidate(e);
}

/* Text in the winner and its siblings, minus link text: how much story a pass found. */
static size_t found_text(const ectx *e, const rec *t)
{
	if (!t)
		return 0;
	size_t n = 0;
	const xmlNode *parent = t->x->parent;
	double threshold = dmax(10, t->score * 0.2);
	for (const xmlNode *k = parent ? parent->children : t->x; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || !k->_private)
			continue;
		const rec *r = R(k);
		if (r == t || ((r->flags & F_CAND) && r->score >= threshold && !is_junk(e, r)))
			n += r->text - r->link;
	}
	return n;
}

int gal_extract_run(xmlNode *root, const char *headline, const char *title, const char *desc, int evidence,
		    gal_extract *ex)
{
	memset(ex, 0, sizeof *ex);
	if (!root)
		return GAL_OK;
	xmlNode *body = root;
	for (xmlNode *k = root->children; k; k = k->next)
		if (is_name(k, "body"))
			body = k;
	ectx e = {0};
	e.debug = getenv("GALLEY_DEBUG_EXTRACT") != NULL;
	if (!collect(&e, body)) {
		clear_private(&e);
		gal_scratch_put(e.r, e.r_bytes);
		gal_scratch_put(e.pool, e.pool_cap);
		return GAL_ENOMEM;
	}
	facts(&e);
	e.body_text = e.r[0].raw_text;

	seen s;
	memset(&s, 0, sizeof s);
	e.strict = 1;
	look(&e, body, headline, title, desc, &s);
	e.headline = headline;
	e.desc = desc;
	e.h1 = s.h1;
	if (s.h1)
		ex->h1 = gal_html_text(s.h1);
	e.h1_text = ex->h1;

	/* furniture: text the tag-and-role rules alone take away, or a page that is mostly links. A document
	 * without any (a fragment, a clean export) has nothing to extract: it is all story. */
	e.strict = 0;
	measure(&e);
	int furniture = e.body_text > e.r[0].text || e.r[0].link * 10 > e.r[0].text * 3;

	/* strict pass, then without class hints when it found little */
	e.strict = 1;
	rec *t = run_pass(&e);
	if (found_text(&e, t) < 500) {
		e.strict = 0;
		rec *t2 = run_pass(&e);
		if (t2 && found_text(&e, t2) > found_text(&e, t) * 2 && !teaser_list(t2->x))
			t = t2;
		else {
			e.strict = 1; /* the records hold the lax pass now: measure again */
			t = run_pass(&e);
		}
	}
	/* a layout row: the cell with most of its text is the story's column, the others are side columns */
	if (t && is_name(t->x, "tr")) {
		rec *best = NULL;
		for (const xmlNode *k = t->x->children; k; k = k->next)
			if (is_name(k, "td") && k->_private && (!best || R(k)->text > best->text))
				best = R(k);
		if (best && best->text * 4 >= t->text * 3)
			t = best;
	}
	if (e.debug)
		debug_dump(&e, t);
	int ok = 1;
	size_t found = found_text(&e, t);
	int little = found < 500 && (!t || prose_count(t->x) < 2);
	if (t && teaser_list(t->x)) {
		ex->why = "the page lists other articles";
	} else if (!furniture && (!t || little)) {
		ex->roots = malloc(sizeof *ex->roots);
		if ((ok = ex->roots != NULL)) {
			ex->roots[0] = body;
			ex->nroots = 1;
			ex->found = 1;
		}
	} else if (!t) {
		ex->why = "no text";
	} else if (!evidence && any_below(body, password_field)) {
		ex->why = "a sign-in form";
	} else if (little && !evidence) {
		ex->why = any_below(body, form_control) ? "a form and little text" : "too little text";
	} else if ((ok = gather(&e, t, ex))) {
		ex->found = 1;
		cut_header(ex, s.h1); /* first: pruning may free the headline */
		if (s.deck)
			cut_deck(ex, s.deck);
		for (size_t i = 0; i < ex->nroots; i++)
			prune(&e, ex->roots[i]);
		for (size_t i = 0; e.debug && i < ex->nroots; i++) {
			hstr hh;
			hstr_of(&e, ex->roots[i], &hh);
			fprintf(stderr, "root %s line %d [%s]\n", (const char *)ex->roots[i]->name, ex->roots[i]->line, hh.s);
		}
	}

	/* metadata as shown */
	gal_strlist *names = s.rel.count ? &s.rel : s.itemprop.count ? &s.itemprop : &s.byline;
	for (size_t i = 0; i < names->count; i++)
		gal_strlist_push(&ex->authors, names->items[i]);
	ex->date = s.ip_date ? strdup(s.ip_date) : s.time_dt ? strdup(s.time_dt) : s.visible_date ? strdup(s.visible_date) : NULL;
	ex->section = s.category ? strdup(s.category) : s.kicker ? strdup(s.kicker) : NULL;
	if (s.shown_deck && ex->found) {
		char *dt = gal_html_text(s.shown_deck);
		ex->deck = dt ? gal_collapse_ws(dt) : NULL;
		free(dt);
	}
	seen_free(&s);
	clear_private(&e);
	gal_scratch_put(e.r, e.r_bytes);
	gal_scratch_put(e.pool, e.pool_cap);
	return ok ? GAL_OK : GAL_ENOMEM;
}

void gal_extract_free(gal_extract *ex)
{
	free(ex->roots);
	free(ex->h1);
	free(ex->date);
	free(ex->section);
	free(ex->deck);
	gal_strlist_clear(&ex->authors);
	memset(ex, 0, sizeof *ex);
}

/* ------------------------------------------------------------------ the tree pass */

/* A block's text with white space collapsed (as gal_collapse_ws) and lower-cased (as lower_text), made in one
 * walk: the key of every paragraph for the repeat and furniture tests. It stops after the character that reaches
 * `limit` bytes (a prefix for quick tests). */
static char *key_upto(const gal_node *n, size_t limit)
{
	size_t size = 1;
	for (const gal_node *k = n; k && size <= limit + 4; k = gal_node_walk_next(k, n))
		size += k->lit ? k->len : k->type == GAL_NODE_LINEBREAK;
	if (size > limit + 5) /* at most `limit` bytes and the character that crosses it */
		size = limit + 5;
	char *out = malloc(size);
	if (!out)
		return NULL;
	size_t o = 0;
	int pending = 0;
	for (const gal_node *k = n; k && o < limit; k = gal_node_walk_next(k, n)) {
		const unsigned char *p = (const unsigned char *)(k->lit ? k->lit : k->type == GAL_NODE_LINEBREAK ? " " : "");
		const unsigned char *end = p + (k->lit ? k->len : k->type == GAL_NODE_LINEBREAK);
		while (p < end && o < limit) {
			if (gal_is_space(*p) || (p[0] == 0xC2 && p + 1 < end && p[1] == 0xA0)) {
				p += *p == 0xC2 ? 2 : 1; /* U+00A0 counts as white space, as in gal_collapse_ws */
				pending = o > 0;
				continue;
			}
			if (pending)
				out[o++] = ' ';
			pending = 0;
			if (*p < 0x80) { /* a run of ASCII other than white space */
				do {
					out[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
					p++;
				} while (p < end && *p < 0x80 && *p > ' ' && o < limit);
				continue;
			}
			size_t len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
			memcpy(out + o, p, len);
			out[o + len] = '\0';
			gal_utf8_lower((unsigned char *)out + o);
			o += len;
			p += len;
		}
	}
	out[o] = '\0';
	return out;
}

static char *block_key(const gal_node *n) { return key_upto(n, SIZE_MAX - 8); }

/* Whether s holds no visible character: spaces, no-break spaces, zero-width spaces. */
static int visibly_blank(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (gal_is_space(*p))
			p++;
		else if (p[0] == 0xC2 && p[1] == 0xA0)
			p += 2;
		else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x8B || p[2] == 0x8C || p[2] == 0x8D || p[2] == 0xAF))
			p += 3;
		else if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
			p += 3;
		else
			return 0;
	}
	return 1;
}

/* Strips edge punctuation that labels carry ("- Advertisement -", "Related:"). */
static const char *label_core(const char *s, size_t *len)
{
	const char *b = s, *e = s + strlen(s);
	for (;;) {
		if (b < e && (*b == '-' || *b == ' ' || *b == '*' || *b == '[' || *b == '('))
			b++;
		else if (e - b >= 3 && (!memcmp(b, "\xe3\x80\x90", 3) || !memcmp(b, "\xef\xbc\xbb", 3)))
			b += 3; /* CJK brackets around a label: "【関連】" */
		else if (e - b >= 4 && (unsigned char)b[0] == 0xF0 && (unsigned char)b[1] == 0x9F)
			b += 4; /* an emoji before a prompt: "📲 Subscribe to our channel" */
		else if (e - b >= 3 && (unsigned char)b[0] == 0xE2 && (unsigned char)b[1] >= 0x86 && (unsigned char)b[1] <= 0x9F)
			b += 3; /* arrows, symbols and dingbats: "► Read more", "✉ Newsletter" */
		else if (e - b >= 3 && !memcmp(b, "\xef\xb8\x8f", 3))
			b += 3; /* the emoji variation selector */
		else
			break;
	}
	while (e > b && (e[-1] == '-' || e[-1] == ' ' || e[-1] == ':' || e[-1] == '*' || e[-1] == ']' || e[-1] == ')' ||
			 e[-1] == '.'))
		e--;
	*len = (size_t)(e - b);
	return b;
}

/* Whole-line labels of page furniture. */
static const char *const furniture_lines[] = {
    "advertisement", "advertisements", "advertising", "ad", "sponsored", "sponsored content", "paid content",
    "story continues below advertisement", "article continues below advertisement", "continue reading below",
    "story continues below", "article continues below", "loading interactive content", "loading content",
    "scroll to continue", "scroll to continue with content", "skip advertisement", "anzeige", "werbung",
    "publicité", "publicidad", "publicidade", "pubblicità", "annuncio", "реклама", "広告", "广告", "إعلان",
    "reklama", "reklame", "reklam", "mainos", "annonce", "annons", "iklan", "advertentie", "hirdet\xc3\xa9s",
    "\xce\xb4\xce\xb9\xce\xb1\xcf\x86\xce\xae\xce\xbc\xce\xb9\xcf\x83\xce\xb7", /* διαφήμιση */
    "\xd7\xa4\xd7\xa8\xd7\xa1\xd7\x95\xd7\x9e\xd7\xaa", /* פרסומת */
    "qu\xe1\xba\xa3ng c\xc3\xa1o", "\xd8\xaa\xd8\xa8\xd9\x84\xdb\x8c\xd8\xba\xd8\xa7\xd8\xaa", /* quảng cáo, تبلیغات */
    "share", "share this", "share this article", "share this story", "share on facebook", "share on twitter",
    "print", "email", "comments", "leave a comment", "leave a reply", "loading", "read more", "show more",
    "related", "related articles", "related stories", "related content", "recommended", "recommended for you",
    "you may also like", "you might also like", "more stories", "most read", "most popular", "trending",
    "read next", "up next", "tags", "topics", "more on this story", "don't miss", "listen to this article",
    "mehr zum thema", "lesen sie auch", "lire aussi", "à lire aussi", "sur le même sujet", "lee también",
    "te puede interesar", "leia também", "leia mais", "leggi anche", "читайте также", "相关新闻", "相关阅读",
    "関連記事", "اقرأ أيضا", "اقرأ أيضاً", "pinned post", "key events", "show key events only",
    "about the author", "sobre la firma", "sobre el autor", "sobre o autor", "über den autor", "über die autorin",
    "à propos de l'auteur", "sull'autore", "explore more", "more to explore", "skip next section",
    "skip to next section", "skip to main content", "skip to content", "you may also be interested in",
    "you might also be interested in", "you might also like", "also of interest", "view this post on instagram",
    "view on instagram", "view on threads", "loading twitter content", "loading instagram content",
    "loading youtube content", "loading facebook content", "loading tiktok content", NULL};

/* Prefixes of lines that point elsewhere ("Read more: <link>"). */
static const char *const pointer_prefixes[] = {
    "read more:", "read more :", "read also:", "also read:", "related:", "recommended:", "see also:", "more:",
    "watch:", "listen:", "read:", "read next:", "click here", "lesen sie auch", "mehr zum thema", "lire aussi",
    "à lire aussi", "a lire aussi", "lee también", "lea también", "leer más", "leia também", "leia mais",
    "leggi anche", "читайте также", "смотрите также", "相关", "延伸阅读", "関連", "اقرأ أيضا", "te puede interesar",
    "go deeper:", "follow ", "read our ", "read the full ",
    /* "read also" in Indonesian, Finnish, Danish, Norwegian, Swedish, Dutch, Czech, Polish, Greek, Vietnamese,
     * Hebrew ("more on the subject"), Persian */
    "zobacz te\xc5\xbc", "zobacz tak\xc5\xbc" "e", "se ocks\xc3\xa5", "se ogs\xc3\xa5", "zie ook", "viz tak\xc3\xa9",
    "baca juga", "lue my\xc3\xb6s", "l\xc3\xa6s ogs\xc3\xa5", "les ogs\xc3\xa5", "l\xc3\xa4s ocks\xc3\xa5", "lees ook",
    "\xc4\x8dt\xc4\x9bte tak\xc3\xa9", "p\xc5\x99" "e\xc4\x8dt\xc4\x9bte si", "czytaj tak\xc5\xbc" "e", "czytaj te\xc5\xbc",
    "\xce\xb4\xce\xb9\xce\xb1\xce\xb2\xce\xac\xcf\x83\xcf\x84\xce\xb5 \xce\xb5\xcf\x80\xce\xaf\xcf\x83\xce\xb7\xcf\x82", "xem th\xc3\xaam",
    "\xd7\xa2\xd7\x95\xd7\x93 \xd7\x91\xd7\xa0\xd7\x95\xd7\xa9\xd7\x90",
    "\xd8\xa8\xdb\x8c\xd8\xb4\xd8\xaa\xd8\xb1 \xd8\xa8\xd8\xae\xd9\x88\xd8\xa7\xd9\x86\xdb\x8c\xd8\xaf",
    NULL};

/* Imperatives that open a call to action. */
static const char *const cta_verbs[] = {"subscribe", "sign up", "log in", "login", "register", "join", "download",
					"follow us", "click here", "get full", "get unlimited", "try", "support",
					"become a", "already a", "don't miss", "abonnieren", "abonnez", "suscríbete",
					"assine", "abbonati", NULL};

static int has_link(const gal_node *n)
{
	for (const gal_node *k = n->first; k; k = k->next)
		if (k->type == GAL_NODE_LINK || has_link(k))
			return 1;
	return 0;
}

static int starts_with_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(s, w, n))
		return 0;
	char c = s[n];
	return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
}

/* Whether a lower-cased text is one of the furniture labels, edge punctuation aside. */
static int furniture_label(const char *lower)
{
	size_t len;
	const char *core = label_core(lower, &len);
	if (len > 64) /* longer than any label: most paragraphs stop here */
		return 0;
	for (size_t i = 0; len && furniture_lines[i]; i++)
		if (strlen(furniture_lines[i]) == len && !strncmp(core, furniture_lines[i], len))
			return 1;
	return 0;
}

static size_t words_in(const char *s);

static int furniture_line(const gal_node *n, const char *key)
{
	size_t len;
	const char *core = label_core(key, &len);
	if (!len)
		return 0;
	if (furniture_label(key))
		return 1;
	size_t total = strlen(key);
	/* a rule typed out ("___", "* * *" between a story and its notes) */
	size_t marks = 0;
	const char *q = key;
	while (*q == '_' || *q == '-' || *q == '*' || *q == '=' || *q == '~' || *q == ' ')
		marks += *q++ != ' ';
	if (!*q && marks >= 3)
		return 1;
	/* a headline of another story in capitals, a link of its own between paragraphs ("MISSING KAYAKER FOUND
	 * ALIVE ...") */
	const gal_node *only = n->type == GAL_NODE_PARAGRAPH ? n : NULL;
	while (only && only->first && only->first == only->last &&
	       (only == n || only->type == GAL_NODE_STRONG || only->type == GAL_NODE_EMPH))
		only = only->first;
	if (total < 160 && only && only != n && only->type == GAL_NODE_LINK && words_in(key) >= 4) {
		char *t = gal_node_text(n);
		int caps = t != NULL, letters = 0;
		for (const unsigned char *c = (const unsigned char *)t; t && *c && caps; c++) {
			caps = !(*c >= 'a' && *c <= 'z');
			letters += *c >= 'A' && *c <= 'Z';
		}
		free(t);
		if (caps && letters >= 12)
			return 1;
	}
	/* an affiliate disclosure: "If you click on links we provide, we may receive compensation." */
	if (total < 400) {
		static const char *const affiliate[] = {"may receive compensation", "may earn a commission",
							"may earn a small commission", "may receive a commission",
							"may get a commission", "may earn an affiliate commission",
							"may collect a share of sales", "earn from qualifying purchases",
							"we may earn money", NULL};
		/* (only said of links and purchases: "passengers may receive compensation" is news) */
		int links = strstr(key, "link") || strstr(key, "purchase") || strstr(key, "buy ") || strstr(key, "affiliate");
		for (size_t i = 0; affiliate[i] && links; i++)
			if (strstr(key, affiliate[i]))
				return 1;
	}
	/* "Please turn on JavaScript to use this feature", "You need to enable JavaScript to run this app" */
	if (total < 160 && strstr(key, "javascript") &&
	    (strstr(key, "enable") || strstr(key, "turn on") || strstr(key, "switch on") || strstr(key, "requires") ||
	     strstr(key, "disabled")))
		return 1;
	if (total < 250 && has_link(n)) {
		for (size_t i = 0; pointer_prefixes[i]; i++)
			if (!strncmp(core, pointer_prefixes[i], strlen(pointer_prefixes[i])))
				return 1;
		/* "READ MORE ON CRUISES: <link>" */
		const char *colon = strchr(core, ':');
		if (!strncmp(core, "read more ", 10) && colon && colon - core < 40)
			return 1;
		/* a wire's "View original content to download multimedia: <link>", after its logo */
		if (strstr(key, "view original content"))
			return 1;
	}
	if (total < 300) {
		size_t hits = count_cta(key);
		int verb = 0;
		for (size_t i = 0; cta_verbs[i] && !verb; i++)
			verb = starts_with_word(core, cta_verbs[i]);
		if (hits >= 2 || (hits >= 1 && verb))
			return 1;
	}
	return 0;
}

/* The paragraphs seen so far, as a hash set: a page may hold hundreds of thousands of paragraphs. */
typedef struct {
	char **keys; /* cap slots (a power of two), NULL = empty */
	size_t n, cap;
} keyset;

/* A string hash that takes eight bytes a step (paragraph keys are long). */
static size_t key_hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 14695981039346656037u ^ n, k;
	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&k, s, 8);
		h = (h ^ k) * 0x9E3779B97F4A7C15u;
		h ^= h >> 32;
	}
	k = 0;
	memcpy(&k, s, n);
	h = (h ^ k) * 0x9E3779B97F4A7C15u;
	return (size_t)(h ^ (h >> 29));
}

static void keyset_free(keyset *ks)
{
	for (size_t i = 0; i < ks->cap; i++)
		free(ks->keys[i]);
	free(ks->keys);
}

/* Adds key (taking it); returns 0 when it was already there (a repeated paragraph). On ENOMEM the key is
 * dropped and counted as new, so text is never lost. */
static int keyset_add(keyset *ks, char *key)
{
	if ((ks->n + 1) * 2 > ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 64;
		char **k = calloc(cap, sizeof *k);
		if (!k) {
			free(key);
			return 1;
		}
		for (size_t i = 0; i < ks->cap; i++)
			if (ks->keys[i]) {
				size_t j = key_hash(ks->keys[i]) & (cap - 1);
				while (k[j])
					j = (j + 1) & (cap - 1);
				k[j] = ks->keys[i];
			}
		free(ks->keys);
		ks->keys = k;
		ks->cap = cap;
	}
	size_t j = key_hash(key) & (ks->cap - 1);
	for (; ks->keys[j]; j = (j + 1) & (ks->cap - 1))
		if (!strcmp(ks->keys[j], key)) {
			free(key);
			return 0;
		}
	ks->keys[j] = key;
	ks->n++;
	return 1;
}

/* Whether n is a paragraph of prose: no link, a sentence of 40 bytes or more (a heading that reads as a label,
 * "Up next", over it titles a part of the story, not a list of links). */
static int prose_follows(const gal_node *n)
{
	if (!n || n->type != GAL_NODE_PARAGRAPH || has_link(n))
		return 0;
	char *t = node_text_collapsed(n);
	size_t len = t ? strlen(t) : 0;
	int yes = len >= 40 && strchr(".!?", t[len - 1]);
	free(t);
	return yes;
}

static void clean_blocks(gal_node *container, keyset *seen_paras, int depth)
{
	gal_node *n = container->first;
	while (n) {
		gal_node *next = n->next;
		if (n->type == GAL_NODE_BLOCKQUOTE && depth < 8) {
			clean_blocks(n, seen_paras, depth + 1);
			if (!n->first)
				gal_node_free(n);
		} else if (n->type == GAL_NODE_PARAGRAPH || n->type == GAL_NODE_HEADING) {
			char *key = block_key(n);
			if (!key || visibly_blank(key)) {
				gal_node_free(n);
				free(key);
			} else if (furniture_line(n, key) && !(n->type == GAL_NODE_HEADING && prose_follows(next))) {
				/* a furniture heading ("Related") takes the link list under it along */
				if (n->type == GAL_NODE_HEADING && next && next->type == GAL_NODE_LIST) {
					gal_node *after = next->next;
					gal_node_free(next);
					next = after;
				}
				gal_node_free(n);
				free(key);
			} else if (n->type == GAL_NODE_PARAGRAPH && !keyset_add(seen_paras, key))
				gal_node_free(n); /* the page repeats it */
			else if (n->type == GAL_NODE_HEADING)
				free(key);
		}
		n = next;
	}
}

static size_t words_in(const char *s)
{
	size_t w = 0;
	for (const char *p = s; *p; p++)
		if (*p != ' ' && (p == s || p[-1] == ' '))
			w++;
	return w;
}

static int contains_ci(const char *hay, const char *needle)
{
	return *needle && gal_ci_contains(hay, needle);
}

static const char *const date_labels[] = {"updated", "published", "posted", "last updated", "modified",
					  "aktualisiert", "veröffentlicht", "publié", "mis à jour", "publicado",
					  "actualizado", "atualizado", "pubblicato", "aggiornato", "originally published",
					  "first published", "this story was originally published",
					  "this article was originally published", NULL};

/* Whether a short block at the top of the body repeats the article header. */
static int header_line_(gal_node *n, gal_meta *m, int deck);

/* The deck is dropped from the top of the body only when header lines or the lead picture follow it (a deck
 * above the byline, a standfirst above the picture); a description that merely repeats the opening paragraph
 * leaves that paragraph alone. */
static int header_line(gal_node *n, gal_meta *m)
{
	if (header_line_(n, m, 0))
		return 1;
	if (!m->deck || !header_line_(n, m, 1))
		return 0;
	int k = 0;
	for (gal_node *x = n->next; x && k < 3; x = x->next, k++)
		if ((x->type == GAL_NODE_PARAGRAPH || x->type == GAL_NODE_HEADING) ? header_line_(x, m, 0)
										    : x->type == GAL_NODE_FIGURE && !k)
			return 1;
	return 0;
}

/* "5 min read" and its kin, lower-cased */
static const char *const reading_time[] = {
    "min read", "minute read", "reading time", "lesezeit", "temps de lecture", "tiempo de lectura",
    "tempo de leitura", "tempo di lettura", "\xd0\xb2\xd1\x80\xd0\xb5\xd0\xbc\xd1\x8f \xd1\x87\xd1\x82\xd0\xb5\xd0\xbd\xd0\xb8\xd1\x8f",
    "\xd9\x88\xd9\x82\xd8\xaa \xd8\xa7\xd9\x84\xd9\x82\xd8\xb1\xd8\xa7\xd8\xa1\xd8\xa9", "\xe9\x98\x85\xe8\xaf\xbb\xe6\x97\xb6\xe9\x97\xb4",
    "\xe8\xaa\xad\xe4\xba\x86",
    /* Polish, Finnish, Danish, Swedish, Dutch, Czech, Turkish */
    "czas czytania", "lukuaika", "l\xc3\xa6setid", "l\xc3\xa4stid", "leestijd", "\x64\x6f\x62\x61\x20\xc4\x8d\x74\x65\x6e\xc3\xad", "okuma s\xc3\xbc" "resi", NULL};

static int header_line_(gal_node *n, gal_meta *m, int deck)
{
	char *key = block_key(n);
	if (!key)
		return 0;
	int drop = 0;
	size_t len = strlen(key), words = words_in(key);
	size_t core_len;
	const char *core = label_core(key, &core_len);
	if (m->headline && gal_loose_equal(key, m->headline, 0))
		drop = 1;
	else if (deck) {
		drop = m->deck && same_after_label(key, m->deck);
	} else if (m->deck && gal_loose_equal(key, m->deck, 0))
		drop = 0;
	else if (m->section && gal_ci_skip(core, m->section) == core + core_len)
		drop = 1;
	else if (n->type == GAL_NODE_PARAGRAPH && len < 200 && after_by(key) && byline_shape(n)) {
		drop = 1;
		if (!m->nbylines) {
			/* the only byline the page shows: take its names, as written (not lower-cased) */
			char *c = node_text_collapsed(n);
			gal_strlist names = {0};
			if (c && after_by(c))
				split_names(after_by(c), &names);
			for (size_t i = 0; i < names.count; i++)
				gal_meta_add_byline(m, names.items[i], NULL);
			gal_strlist_clear(&names);
			free(c);
		}
	} else if (n->type == GAL_NODE_PARAGRAPH && len < 150 && words <= 12) {
		for (size_t i = 0; i < m->nbylines && !drop; i++)
			if (m->bylines[i].name && contains_ci(key, m->bylines[i].name))
				drop = 1;
		int labelled = 0, digit = 0;
		for (size_t i = 0; date_labels[i]; i++)
			labelled |= !strncmp(core, date_labels[i], strlen(date_labels[i]));
		for (const char *q = key; *q; q++)
			digit |= *q >= '0' && *q <= '9';
		/* "Live · Weather · Updated 4:42 p.m. Feb. 17": a label and a number in a short line */
		for (size_t i = 0; date_labels[i] && !drop && digit && words <= 10; i++)
			if (has_word(key, date_labels[i]))
				drop = 1;
		char *d = drop ? NULL : find_date(key);
		if (d && (labelled || key[len - 1] != '.'))
			drop = 1;
		free(d);
		/* a line mostly of figures: a date and time in a form the date parser does not know ("27.03.25 |
		 * 09:40", with a label in any language) */
		size_t figs = 0, marks = 0;
		for (const char *q = key; len < 60 && *q; q++)
			figs += *q >= '0' && *q <= '9', marks += !gal_is_space((unsigned char)*q);
		if (!drop && len < 60 && figs >= 6 && figs * 5 >= marks * 2)
			drop = 1;
		/* "5 min read", "Lesezeit: 4 Min." */
		for (size_t i = 0; reading_time[i] && !drop; i++)
			drop = strstr(key, reading_time[i]) != NULL;
		/* a bare "3 min" */
		const char *q = key;
		while (!drop && *q >= '0' && *q <= '9')
			q++;
		drop |= q > key && q - key <= 2 && (!strcmp(q, " min") || !strcmp(q, " min.") || !strcmp(q, " mins"));
	}
	free(key);
	return drop;
}

/* The bytes words are made of: ASCII letters and digits, and everything beyond ASCII. */
static int word_byte(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z') || ch >= 0x80;
}

/* Words of a text: runs of letters and digits (bytes outside ASCII count as letters), lower-cased, each
 * NUL-terminated in one buffer. Returns the count. */
/* Punctuation outside ASCII that separates words as a space does: the no-break space, « », and the General
 * Punctuation block (U+2000-U+206F: spaces, dashes, curly quotes, ellipsis). Its length in bytes, or 0. */
static size_t punct_len(const unsigned char *t, size_t rem)
{
	if (rem >= 2 && t[0] == 0xC2 && (t[1] == 0xA0 || t[1] == 0xAB || t[1] == 0xBB))
		return 2;
	if (rem >= 3 && t[0] == 0xE2 && (t[1] == 0x80 || t[1] == 0x81))
		return 3;
	return 0;
}

static size_t words_of(const char *t, char **buf)
{
	size_t n = strlen(t), count = 0, j = 0;
	char *b = malloc(n + 1);
	*buf = b;
	if (!b)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char ch = (unsigned char)t[i];
		size_t pl = ch >= 0x80 ? punct_len((const unsigned char *)t + i, n - i) : 0;
		if (pl) {
			i += pl - 1;
			ch = ' ';
		}
		if (word_byte(ch))
			b[j++] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
		else if (j && b[j - 1]) {
			b[j++] = '\0';
			count++;
		}
	}
	return count;
}

/* A paragraph's words as a hash set, made once for all the quotations of an article. */
/* A paragraph's words for the pull-quote test: first a 512-bit signature of their hashes (one pass over the text,
 * no copy), which rules out almost every paragraph; the exact word set is made only for a paragraph that passes. */
typedef struct {
	const gal_node *p;
	uint64_t sig[8];
	char *words;      /* NUL-separated, lower-cased (as words_of); NULL until needed */
	const char **set; /* cap slots, a power of two; NULL = empty */
	size_t cap;
} word_set;

typedef struct {
	word_set *v; /* one per PARAGRAPH child of the article, in order; made on first use */
	size_t n;
	int built;
} para_words;

/* The hash of one word as words_of() writes it (FNV-1a over the lower-cased bytes). */
static uint32_t word_hash_step(uint32_t h, unsigned char ch)
{
	return (h ^ (ch >= 'A' && ch <= 'Z' ? ch + 32u : ch)) * 16777619u;
}

static uint32_t word_hash(const char *w)
{
	uint32_t h = 2166136261u;
	for (; *w; w++)
		h = word_hash_step(h, (unsigned char)*w);
	return h;
}

static const char **set_slot(const word_set *ws, const char *w)
{
	size_t h = key_hash(w) & (ws->cap - 1);
	while (ws->set[h] && strcmp(ws->set[h], w))
		h = (h + 1) & (ws->cap - 1);
	return &ws->set[h];
}

static void para_words_free(para_words *pw)
{
	for (size_t i = 0; i < pw->n; i++) {
		free(pw->v[i].words);
		free(pw->v[i].set);
	}
	free(pw->v);
}

static void signature(word_set *ws)
{
	uint32_t h = 2166136261u;
	int in = 0;
	for (const gal_node *k = ws->p; k; k = gal_node_walk_next(k, ws->p)) {
		/* a line break separates words as the space gal_node_text() puts there does */
		const unsigned char *t = (const unsigned char *)(k->lit ? k->lit : k->type == GAL_NODE_LINEBREAK ? " " : "");
		size_t len = k->lit ? k->len : k->type == GAL_NODE_LINEBREAK;
		for (size_t i = 0; i <= len; i++) {
			size_t pl = i < len && t[i] >= 0x80 ? punct_len(t + i, len - i) : 0;
			if (pl)
				i += pl - 1; /* a separator, as for words_of */
			if (!pl && i < len && word_byte(t[i])) {
				h = word_hash_step(h, t[i]);
				in = 1;
			} else if (i < len && in) {
				ws->sig[(h >> 6) & 7] |= (uint64_t)1 << (h & 63);
				h = 2166136261u;
				in = 0;
			}
		}
	}
	if (in)
		ws->sig[(h >> 6) & 7] |= (uint64_t)1 << (h & 63);
}

static int para_words_build(para_words *pw, const gal_node *art)
{
	pw->built = 1;
	size_t n = 0;
	/* (quotations too: a pull quote may repeat a quotation set as such) */
	for (const gal_node *p = art->first; p; p = p->next)
		n += p->type == GAL_NODE_PARAGRAPH || p->type == GAL_NODE_BLOCKQUOTE;
	if (!n || !(pw->v = calloc(n, sizeof *pw->v)))
		return 0;
	for (const gal_node *p = art->first; p; p = p->next)
		if (p->type == GAL_NODE_PARAGRAPH || p->type == GAL_NODE_BLOCKQUOTE) {
			pw->v[pw->n].p = p;
			signature(&pw->v[pw->n++]);
		}
	return 1;
}

/* The exact word set of a paragraph, made on first use. 0 on ENOMEM. */
static int exact_words(word_set *ws)
{
	if (ws->set)
		return 1;
	char *pt = gal_node_text(ws->p);
	size_t np = pt ? words_of(pt, &ws->words) : 0;
	free(pt);
	for (ws->cap = 16; ws->cap < np * 2; ws->cap *= 2)
		;
	if (!(ws->set = calloc(ws->cap, sizeof *ws->set)))
		return 0;
	const char *v = ws->words;
	for (size_t j = 0; j < np; j++, v += strlen(v) + 1)
		*set_slot(ws, v) = v;
	return 1;
}

/* Whether most words of a quotation already stand in one paragraph of the story: a pull quote. Linear in the
 * article's words per quotation (long reads hold many quotations and hundreds of paragraphs). */
static int pull_quote(const gal_node *q, const gal_node *art, para_words *pw)
{
	char *qt = gal_node_text(q), *qw = NULL;
	size_t nq = qt ? words_of(qt, &qw) : 0;
	free(qt);
	uint32_t *qh = nq >= 6 ? malloc(nq * sizeof *qh) : NULL;
	const char *w = qw;
	for (size_t i = 0; qh && i < nq; i++, w += strlen(w) + 1)
		qh[i] = word_hash(w);
	int found = 0;
	if (qh && (pw->built || para_words_build(pw, art)))
		for (size_t p = 0; p < pw->n && !found; p++) {
			word_set *ws = &pw->v[p];
			if (!ws->p || ws->p == q)
				continue; /* a quotation dropped already, or this one */
			/* hit * 10 >= nq * 9 allows this many misses; most paragraphs are ruled out in a few words */
			size_t misses = 0, allowed = nq - (nq * 9 + 9) / 10;
			for (size_t i = 0; i < nq && misses <= allowed; i++)
				misses += !(ws->sig[(qh[i] >> 6) & 7] & ((uint64_t)1 << (qh[i] & 63)));
			if (misses > allowed || !exact_words(ws))
				continue;
			misses = 0;
			w = qw;
			for (size_t i = 0; i < nq && misses <= allowed; i++, w += strlen(w) + 1)
				misses += *set_slot(ws, w) == NULL;
			found = misses <= allowed;
		}
	free(qh);
	free(qw);
	return found;
}

/* A list whose items say (almost) nothing: share icons. */
static int icon_list(const gal_node *l)
{
	char *t = gal_node_text(l);
	int r = t && strlen(t) < 4 * gal_node_count(l);
	free(t);
	return r;
}

static const char *const footer_prefixes[] = {"topics:", "tags:", "filed under:", "categories:", "category:",
					      "themen:", "schlagworte:", "sujets:", "temas:", "etichette:",
					      /* "Found a mistake? Select the text and press Ctrl+Enter" */
					      "found a mistake", "found a typo", "spotted a mistake", "spotted an error",
					      "\xd0\xbd\xd0\xb0\xd1\x88\xd0\xbb\xd0\xb8 \xd0\xbe\xd1\x88\xd0\xb8\xd0\xb1\xd0\xba\xd1\x83",
					      /* the editor on duty (zh: 责任编辑, 責任編輯, 编辑：), a tip line (ko: 제보는) */
					      "\xe8\xb4\xa3\xe4\xbb\xbb\xe7\xbc\x96\xe8\xbe\x91", "\xe8\xb2\xac\xe4\xbb\xbb\xe7\xb7\xa8\xe8\xbc\xaf",
					      "(\xe8\xb4\xa3\xe4\xbb\xbb\xe7\xbc\x96\xe8\xbe\x91", "\xef\xbc\x88\xe8\xb4\xa3\xe4\xbb\xbb\xe7\xbc\x96\xe8\xbe\x91",
					      "\xe3\x80\x90\xe8\xb4\xa3\xe4\xbb\xbb\xe7\xbc\x96\xe8\xbe\x91", "\xe7\xbc\x96\xe8\xbe\x91\xef\xbc\x9a",
					      "\xec\xa0\x9c\xeb\xb3\xb4\xeb\x8a\x94 ",
					      /* "see more news from the region at ...", at the foot */
					      "veja mais not\xc3\xad" "cias", "leia mais not\xc3\xad" "cias", "see more news", "more news from",
					      "read more news", "(edited by", "edited by ",
					      /* a reaction prompt: "How was this article?" (ko), "Was this article helpful?" */
					      "\xec\x9d\xb4\x20\xea\xb8\xb0\xec\x82\xac\x20\xec\x96\xb4\xeb\x96\xa0\xec\x85\xa8\xeb\x82\x98\xec\x9a\x94", "was this article helpful", "did you find this article",
					      "war dieser artikel hilfreich", "cet article vous a-t-il",
					      /* "thank you for reading" */
					      "thanks for reading", "thank you for reading", "danke f\xc3\xbcrs lesen", "merci de nous lire",
					      "dzi\xc4\x99kujemy, \xc5\xbc" "e przeczyta",
					      /* "end of message" (fa: news agencies close with it) */ "\xd8\xa7\xd9\x86\xd8\xaa\xd9\x87\xd8\xa7\xdb\x8c\x20\xd9\xbe\xdb\x8c\xd8\xa7\xd9\x85", "m\xc3\xa1s noticias", "mehr nachrichten", "plus d'actualit\xc3\xa9" "s", NULL};

static const char *const author_links[] = {"more stories by ", "more from ", "more by ", "more articles by ",
					   "all stories by ", "read more by ", "read more from ", "mehr von ",
					   "weitere artikel von ", "plus d'articles de ", "más de ",
					   /* a link to the section's page */
					   "vai a tutte le notizie", "all news from ", "more news from ",
					   "todas las noticias de ", "toutes les actualités", "alle nachrichten aus ", NULL};

/* A "By" line naming one of the article's authors ("By Jane Doe | May 21", "Von Katharina Brenner und ..."):
 * the byline again, wherever it stands in the body. */
/* Whether a block's text is longer than `limit` bytes, without copying it. */
static int text_longer(const gal_node *n, size_t limit)
{
	size_t len = 0;
	for (const gal_node *k = n; k && len <= limit; k = gal_node_walk_next(k, n))
		len += k->lit ? k->len : 0;
	return len > limit;
}

/* The start of a block's key (for prefix tests before the whole key is made). Caller frees. */
static char *key_start(const gal_node *n) { return key_upto(n, 160); }

static int byline_again(const gal_node *n, const gal_meta *m)
{
	if (n->type != GAL_NODE_PARAGRAPH || !m->nbylines || text_longer(n, 800))
		return 0; /* (the reader collapses white space: 800 bytes of text never shrink below the 200 tested) */
	/* most paragraphs fail on their first words: test those before the whole text is copied */
	char *start = key_start(n);
	int maybe = !start || strlen(start) < 40 || after_by(start);
	free(start);
	if (!maybe)
		return 0;
	char *key = block_key(n);
	const char *by = key && strlen(key) < 200 ? after_by(key) : NULL;
	int drop = 0;
	for (size_t i = 0; by && i < m->nbylines && !drop; i++) {
		const char *name = m->bylines[i].name;
		drop = name && gal_ci_skip(by, name);
	}
	free(key);
	return drop;
}

/* The author's portrait: a picture without caption whose description is an author's name; at the foot
 * (`bio`) also a picture whose caption starts with the name (an author card read as a figure). */
static int portrait(const gal_node *n, const gal_meta *m, int bio)
{
	if (n->type != GAL_NODE_FIGURE)
		return 0;
	const char *alt = gal_node_attr(n, GAL_ATTR_ALT);
	char *cap = bio && n->first ? node_text_collapsed(n) : NULL;
	int yes = 0;
	for (size_t i = 0; i < m->nbylines && !yes; i++) {
		const char *name = m->bylines[i].name;
		if (name && alt && !n->first && gal_ci_equal(alt, name))
			yes = 1;
		if (name && cap && gal_ci_skip(cap, name))
			yes = 1;
	}
	free(cap);
	return yes;
}

/* Link text of an inline subtree, in bytes. */
static size_t link_bytes(const gal_node *n, size_t *links)
{
	size_t b = 0;
	for (const gal_node *k = n->first; k; k = k->next) {
		if (k->type == GAL_NODE_LINK) {
			char *t = gal_node_text(k);
			b += t ? strlen(t) : 0;
			free(t);
			(*links)++;
		} else
			b += link_bytes(k, links);
	}
	return b;
}

/* A short line of three links or more and little else: "Print | Send | Comment (5)". */
static int link_bar(const gal_node *n)
{
	if (n->type != GAL_NODE_PARAGRAPH)
		return 0;
	char *t = node_text_collapsed(n);
	size_t len = t ? strlen(t) : 0, links = 0;
	free(t);
	if (!len || len > 120)
		return 0;
	size_t lb = link_bytes(n, &links);
	return links >= 3 && lb * 10 >= len * 7;
}

/* A short line ending in a colon at the foot: the title of a list that went ("More coverage:"). */
static int orphan_label(const gal_node *n)
{
	if (n->type != GAL_NODE_PARAGRAPH && n->type != GAL_NODE_HEADING)
		return 0;
	char *t = node_text_collapsed(n);
	size_t len = t ? strlen(t) : 0;
	int yes = len && len < 80 && t[len - 1] == ':';
	free(t);
	return yes;
}

/* A paragraph or heading that is an author's name alone. */
static int name_line(const gal_node *n, const gal_meta *m)
{
	if (n->type != GAL_NODE_PARAGRAPH && n->type != GAL_NODE_HEADING)
		return 0;
	char *t = node_text_collapsed(n);
	int yes = 0;
	for (size_t i = 0; t && i < m->nbylines && !yes; i++)
		yes = m->bylines[i].name && gal_ci_equal(t, m->bylines[i].name);
	free(t);
	return yes;
}

static int footer_line(const gal_node *n, gal_meta *m)
{
	char *key = block_key(n);
	if (!key)
		return 0;
	size_t len = strlen(key), words = words_in(key);
	int drop = 0;
	for (size_t i = 0; footer_prefixes[i] && !drop; i++)
		drop = !strncmp(key, footer_prefixes[i], strlen(footer_prefixes[i])) && len < 300;
	/* "Published 11:02 a.m. ET, Tue March 5, 2024" */
	for (size_t i = 0; date_labels[i] && !drop && words <= 12; i++)
		if (!strncmp(key, date_labels[i], strlen(date_labels[i]))) {
			char *d = find_date(key);
			drop = d != NULL;
			free(d);
		}
	/* a date on a line of its own ("18 aprile 2024 (modifica il 18 aprile 2024 | 08:12)") */
	if (!drop && len < 80 && words <= 12 && key[0] >= '0' && key[0] <= '9') {
		char *d = find_date(key);
		drop = d != NULL;
		free(d);
	}
	/* a bio ("Jane Doe covers the courts ...") or contact line naming the author */
	for (size_t i = 0; i < m->nbylines && !drop && len < 400; i++) {
		const char *name = m->bylines[i].name;
		if (name && gal_ci_skip(key, name))
			drop = 1;
	}
	/* an author card's name alone, its link to the author's page */
	for (size_t i = 0; i < m->nbylines && !drop; i++)
		drop = m->bylines[i].name && gal_ci_equal(key, m->bylines[i].name);
	for (size_t i = 0; author_links[i] && !drop; i++)
		drop = !strncmp(key, author_links[i], strlen(author_links[i])) && len < 80;
	/* a call for readers' contributions: "Have something to say? Submit a letter ...", "Got a tip? Email ..." */
	const char *q = strchr(key, '?');
	if (!drop && q && q - key < 100 && len < 300) {
		static const char *const asks[] = {"send ", "submit", "email", "e-mail", "write to", "tell us",
						   "get in touch", "contact us", "napisz do nas", "schreiben sie uns",
						   "écrivez-nous", "escríbenos", "scrivici", "escreva para", "напишите нам", NULL};
		for (size_t i = 0; asks[i] && !drop; i++)
			drop = strstr(q, asks[i]) != NULL;
	}
	/* "Copyright 2024 Example Wire. All rights reserved." */
	static const char *const reserved[] = {"all rights reserved", "riproduzione riservata", "tous droits réservés",
					       "todos los derechos reservados", "alle rechte vorbehalten",
					       "todos os direitos reservados",
					       /* "no reproduction without permission" (ko, ja), "copyright" (zh) */
					       "\xeb\xac\xb4\xeb\x8b\xa8 \xec\xa0\x84\xec\x9e\xac", "\xeb\xac\xb4\xeb\x8b\xa8\xec\xa0\x84\xec\x9e\xac",
					       "\xe7\x84\xa1\xe6\x96\xad\xe8\xbb\xa2\xe8\xbc\x89", "\xe7\x89\x88\xe6\x9d\x83\xe6\x89\x80\xe6\x9c\x89",
					       "\xe7\x89\x88\xe6\xac\x8a\xe6\x89\x80\xe6\x9c\x89", NULL};
	for (size_t i = 0; reserved[i] && !drop && len < 250; i++)
		drop = strstr(key, reserved[i]) != NULL;
	/* a copyright notice with its terms ("Copyright PAPER. All rights reserved. This material may not be ...") */
	if (!drop && len < 600 && (!strncmp(key, "copyright", 9) || !strncmp(key, "\xc2\xa9", 2)) &&
	    strstr(key, "all rights reserved"))
		drop = 1;
	/* the authors' signature in brackets at the end ("(Jane Doe, John Roe, 12.5.2024)") */
	for (size_t i = 0; i < m->nbylines && !drop && key[0] == '(' && len < 200; i++)
		drop = m->bylines[i].name && contains_ci(key, m->bylines[i].name);
	if (!drop && len < 200 && strchr(key, '@') &&
	    (!strncmp(key, "contact ", 8) || !strncmp(key, "email ", 6) || !strncmp(key, "reach ", 6) ||
	     !strncmp(key, "write to ", 9)))
		drop = 1;
	/* the reporter's address alone on a line ("syp@news.example"), or at the end of a short one ("City=Name
	 * reporter name@paper.example") */
	if (!drop && len < 120 && words_in(key) <= 6) {
		const char *last = strrchr(key, ' ');
		last = last ? last + 1 : key;
		drop = strchr(last, '@') && strchr(strchr(last, '@'), '.');
	}
	free(key);
	return drop;
}

void gal_extract_clean_tree(gal_node *art)
{
	gal_meta *m = art->meta;
	/* pull quotes first: a quotation set before the paragraph it repeats would otherwise count as the first
	 * copy, and the paragraph as the repeat */
	para_words pw = {0};
	for (gal_node *n = art->first, *next; n; n = next) {
		next = n->next;
		if (n->type == GAL_NODE_BLOCKQUOTE && pull_quote(n, art, &pw)) {
			for (size_t i = 0; i < pw.n; i++)
				if (pw.v[i].p == n)
					pw.v[i].p = NULL;
			gal_node_free(n);
		}
	}
	para_words_free(&pw);
	keyset ks = {0};
	clean_blocks(art, &ks, 0);
	keyset_free(&ks);
	if (!m)
		return;
	/* the top of the body: header lines go; a lead picture may sit between them */
	int looked = 0;
	for (gal_node *n = art->first, *next; n && looked < 8; n = next, looked++) {
		next = n->next;
		if (n->type == GAL_NODE_FIGURE) {
			if (portrait(n, m, 0)) /* beside the byline */
				gal_node_free(n);
			continue;
		}
		if (n->type == GAL_NODE_THEMATIC_BREAK || ((n->type == GAL_NODE_PARAGRAPH || n->type == GAL_NODE_HEADING) &&
							    header_line(n, m)) || link_bar(n) ||
		    (n->type == GAL_NODE_LIST && icon_list(n)))
			gal_node_free(n);
		else
			break;
	}
	/* the foot of the body: a date line, topics, the authors' bios, contact lines */
	for (gal_node *n = art->last, *prev; n; n = prev) {
		prev = n->prev;
		if ((n->type == GAL_NODE_PARAGRAPH && footer_line(n, m)) || portrait(n, m, 1) || byline_again(n, m) ||
		    n->type == GAL_NODE_THEMATIC_BREAK || orphan_label(n))
			gal_node_free(n);
		else
			break;
	}
	/* an author card at the foot: the portrait or the name alone, then a short bio in any words */
	gal_node *card = NULL;
	int back = 0;
	for (gal_node *n = art->last; n && back < 4; n = n->prev, back++)
		if (portrait(n, m, 1) || name_line(n, m))
			card = n;
	for (gal_node *n = card ? card->next : NULL; n; n = n->next) {
		if (name_line(n, m))
			continue;
		char *t = n->type == GAL_NODE_PARAGRAPH ? gal_node_text(n) : NULL;
		if (!t || strlen(t) > 400)
			card = NULL;
		free(t);
		if (!card)
			break;
	}
	while (card) {
		gal_node *next = card->next;
		gal_node_free(card);
		card = next;
	}
	for (gal_node *n = art->first, *next; n; n = next) {
		next = n->next;
		if (byline_again(n, m))
			gal_node_free(n);
	}
	/* the headline again further down (a page whose <h1> comes after other blocks) */
	if (m->headline)
		for (gal_node *n = art->first, *next; n; n = next) {
			next = n->next;
			if (n->type != GAL_NODE_HEADING)
				continue;
			char *t = gal_node_text(n);
			if (t && gal_loose_equal(t, m->headline, 0)) {
				gal_node_free(n);
				free(t);
				break;
			}
			free(t);
		}
}
