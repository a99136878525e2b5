/* nfc.c: the tree's text is NFC, without control characters but tab and newline, whatever the reader (gal_read
 * calls gal_tree_clean). Most text is NFC already, and proving that is cheap: a string of characters below U+0300
 * is, and so is one whose every character passes gal_nfc_unsafe (Unicode's quick check, UAX #15, made from
 * utf8proc's public properties). Only the rest goes through utf8proc's normaliser, which allocates. */
#include "charset.h"
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int gal_nfc_unsafe(uint32_t cp)
{
	if (cp < 0x300)
		return 0;
	/* Hangul vowel and trailing jamo compose with the syllable before them (utf8proc does this by rule) */
	if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2))
		return 1;
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
	if (p->combining_class || p->comp_exclusion)
		return 1;
	/* every character that composes with the one before it (NFC_QC=Maybe) is a mark, or a jamo (above) */
	if (p->category == UTF8PROC_CATEGORY_MN || p->category == UTF8PROC_CATEGORY_MC ||
	    p->category == UTF8PROC_CATEGORY_ME)
		return 1;
	if (p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0) {
		/* a canonical decomposition: a precomposed letter composes back to itself; a singleton (U+212B ANGSTROM
		 * SIGN, U+1F71 to U+03AC) or an excluded composite does not. Done in place, without allocating. */
		utf8proc_int32_t d[8];
		int bound = 0;
		utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 8, UTF8PROC_DECOMPOSE, &bound);
		if (k < 1 || k > 8)
			return 1;
		k = utf8proc_normalize_utf32(d, k, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		return k != 1 || d[0] != (utf8proc_int32_t)cp;
	}
	return 0;
}

/* A control character that leaves the tree: C0 but tab and LF, DEL, C1. CR is handled apart. */
static int is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0);
}

/* What a string needs: 1 bit controls, 2 bit NFC. */
static int needs(const unsigned char *s, size_t n)
{
	int what = 0;
	for (size_t i = 0; i < n;) {
		i += gal_printable_ascii_prefix(s + i, n - i); /* most text */
		if (i >= n)
			break;
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c < 0x20 ? c != '\t' && c != '\n' : c == 0x7F)
				what |= 1;
			i++;
			continue;
		}
		if (c < 0xCC) { /* two bytes, below U+0300: NFC; U+0080-U+009F are C1 controls */
			if (c == 0xC2 && i + 1 < n && s[i + 1] < 0xA0)
				what |= 1;
			i += 2;
			continue;
		}
		uint32_t cp;
		int k = gal_utf8_decode(s + i, n - i, &cp);
		if (!(what & 2) && gal_nfc_unsafe(cp))
			what |= 2;
		i += (size_t)k;
		if (what == 3)
			break;
	}
	return what;
}

int gal_text_clean(const char *s, size_t n, int flags, char **out, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	int what = needs(u, n);
	if (flags & GAL_CLEAN_KEEP_FORM)
		what &= 1;
	if (!what)
		return 0;
	char *t = NULL;
	size_t tn = n;
	if (what & 1) {
		if (!(t = malloc(n + 1)))
			return GAL_ENOMEM;
		tn = 0;
		int skip_space = 0;
		for (size_t i = 0; i < n;) {
			uint32_t cp = u[i];
			int k = cp < 0x80 ? 1 : gal_utf8_decode(u + i, n - i, &cp);
			if (cp == '\r') {
				if (i + 1 >= n || u[i + 1] != '\n')
					t[tn++] = '\n';
			} else if (is_control(cp)) {
				/* a control between two spaces leaves one space, as if it had never been there */
				skip_space = (flags & GAL_CLEAN_COLLAPSE) && tn && t[tn - 1] == ' ';
			} else if (!(skip_space && cp == ' ')) {
				memcpy(t + tn, u + i, (size_t)k), tn += (size_t)k;
				skip_space = 0;
			}
			i += (size_t)k;
		}
		t[tn] = '\0';
	}
	int changed = what & 1;
	if (what & 2) {
		utf8proc_uint8_t *nfc = NULL;
		utf8proc_ssize_t r = utf8proc_map(t ? (const utf8proc_uint8_t *)t : u, (utf8proc_ssize_t)tn, &nfc,
		                                  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (r >= 0 && (r != (utf8proc_ssize_t)tn || memcmp(nfc, t ? t : s, tn))) {
			free(t);
			t = (char *)nfc, tn = (size_t)r;
			changed |= 2;
		} else if (r >= 0) {
			free(nfc); /* a mark in canonical order already */
		} else if (r == UTF8PROC_ERROR_NOMEM) {
			free(t);
			return GAL_ENOMEM;
		} /* else invalid UTF-8 (from the API, never from a reader): left as it is */
	}
	if (!changed) {
		free(t);
		return 0;
	}
	*out = t;
	*outlen = tn;
	return changed;
}

/* Cleans one owned string in place: flowing text (GAL_CLEAN_COLLAPSE) or an address (GAL_CLEAN_KEEP_FORM). */
static int clean_slot(char **slot, int flags)
{
	char *t;
	size_t n;
	int r = *slot ? gal_text_clean(*slot, strlen(*slot), flags, &t, &n) : 0;
	if (r > 0) {
		free(*slot);
		*slot = t;
		r = 0;
	}
	return r;
}

enum { TEXT = GAL_CLEAN_COLLAPSE, ADDRESS = GAL_CLEAN_KEEP_FORM };

static int clean_meta(gal_meta *m)
{
	int rc = 0;
	/* addresses and identifiers keep their form: only controls go */
	rc |= clean_slot(&m->id, ADDRESS);
	rc |= clean_slot(&m->url, ADDRESS);
	char **text[] = {&m->headline, &m->deck,        &m->dateline_place, &m->dateline_date, &m->issued,
	                 &m->modified, &m->section,     &m->language,       &m->source,        &m->copyright,
	                 &m->abstract, &m->tagline,     &m->released,       &m->expires,       &m->rights,
	                 &m->series,   &m->bibliography};
	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		rc |= clean_slot(text[i], TEXT);
	for (size_t i = 0; i < m->nbylines; i++)
		rc |= clean_slot(&m->bylines[i].name, TEXT) | clean_slot(&m->bylines[i].title, TEXT);
	for (size_t i = 0; i < m->keywords.count; i++)
		rc |= clean_slot(&m->keywords.items[i], TEXT);
	for (size_t i = 0; i < m->notes.count; i++)
		rc |= clean_slot(&m->notes.items[i], TEXT);
	for (size_t i = 0; i < m->nsubjects; i++)
		rc |= clean_slot(&m->subjects[i].name, TEXT);
	for (size_t i = 0; i < m->nprops; i++)
		rc |= clean_slot(&m->props[i].name, ADDRESS) | clean_slot(&m->props[i].value, TEXT);
	return rc;
}

static int clean_docmeta(gal_docmeta *d)
{
	return clean_slot(&d->title, TEXT) | clean_slot(&d->creator, TEXT) | clean_slot(&d->date, TEXT) |
	       clean_slot(&d->language, TEXT);
}

/* The inline block (paragraph, heading, cell, figure) a text node belongs to, if any. */
static gal_node *inline_block(gal_node *n)
{
	for (gal_node *p = n->parent; p; p = p->parent)
		if (p->type == GAL_NODE_PARAGRAPH || p->type == GAL_NODE_HEADING || p->type == GAL_NODE_CELL ||
		    p->type == GAL_NODE_FIGURE)
			return p;
	return NULL;
}

int gal_tree_clean(gal_node *root)
{
	int rc = 0;
	/* blocks whose text lost a control: a space it leaves at their edge goes, as readers trim them */
	gal_node **trim = NULL;
	size_t ntrim = 0, cap = 0;
	for (gal_node *n = root, *next; n; n = next) {
		/* the next node in document order within root, found before n may go */
		next = n->first;
		for (gal_node *up = n; !next && up && up != root; up = up->parent)
			next = up->next;
		if (n->lit) {
			char *t;
			size_t len;
			int text = n->type == GAL_NODE_TEXT;
			int r = gal_text_clean(n->lit, n->len, text ? GAL_CLEAN_COLLAPSE : 0, &t, &len);
			if (r > 0) {
				free(n->lit);
				n->lit = t, n->len = len, n->cap = len + 1;
				gal_node *b = text && (r & 1) ? inline_block(n) : NULL;
				if (b && (!ntrim || trim[ntrim - 1] != b)) {
					if (ntrim == cap) {
						size_t c = cap ? cap * 2 : 16;
						gal_node **nt = realloc(trim, c * sizeof *nt);
						if (!nt) {
							rc = -1;
							break;
						}
						trim = nt, cap = c;
					}
					trim[ntrim++] = b;
				}
				if (!len && text && n != root) {
					gal_node_free(n);
					continue;
				}
			} else
				rc |= r;
		}
		/* s1-s3 by type (gal_attr): link href and figure src are addresses */
		int address1 = n->type == GAL_NODE_LINK || n->type == GAL_NODE_FIGURE;
		rc |=
		    clean_slot(&n->s1, address1 ? ADDRESS : TEXT) | clean_slot(&n->s2, TEXT) | clean_slot(&n->s3, TEXT);
		if (n->meta)
			rc |= clean_meta(n->meta);
		if (n->docmeta)
			rc |= clean_docmeta(n->docmeta);
	}
	for (size_t i = 0; i < ntrim; i++)
		gal_inline_block_trim(trim[i]);
	free(trim);
	return rc ? GAL_ENOMEM : GAL_OK;
}
