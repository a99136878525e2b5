/* epub.c: the EPUB writer. One article is one XHTML content document; several articles make a digest. The package
 * is EPUB 3 (package document version 3.0, as EPUB 3.3 keeps it) and also carries an EPUB 2 NCX for older
 * reading systems. The same tree and options give the same bytes: file names, the identifier and the zip
 * timestamps come from the content, never from the clock. The mapping is documented in docs/epub.md.
 *
 * What XHTML cannot hold in a book (a link to a page that is not in it, an image left out) is written as inert
 * data-gal-* attributes, and the article's metadata as <meta name="galley:..."> elements, so that galley's own
 * reader gives back the tree it was given. */
#include "../date.h"
#include "../readers/readers.h"
#include "../sha1.h"
#include "writers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#define FMT "EPUB"

/* The names of the package's parts; docs/epub.md lists them. */
#define DIR "EPUB/"
#define OPF_NAME "package.opf"

static const char default_css[] =
    "/* galley default style sheet */\n"
    "body { margin: 0 5%; line-height: 1.45; }\n"
    "h1, h2, h3, h4, h5, h6 { line-height: 1.2; page-break-after: avoid; }\n"
    "header.gal-head { margin-bottom: 1.5em; }\n"
    "header.gal-head p { margin: 0.3em 0; }\n"
    "header.gal-head p:first-of-type { font-size: 1.1em; }\n"
    "footer.gal-foot { margin-top: 1.5em; font-size: 0.9em; }\n"
    "blockquote { margin: 1em 2em; }\n"
    "blockquote footer { font-style: italic; }\n"
    "figure { margin: 1em 0; text-align: center; }\n"
    "figure img { max-width: 100%; }\n"
    "figcaption { font-size: 0.9em; }\n"
    "figcaption .credit { font-style: italic; }\n"
    "pre { white-space: pre-wrap; font-size: 0.9em; }\n"
    "table { border-collapse: collapse; }\n"
    "th, td { border: 1px solid #888; padding: 0.2em 0.4em; }\n"
    "nav ol { list-style: none; }\n";

/* ------------------------------------------------------------------ state */

typedef struct {
	char *name; /* inside DIR: "images/i001.png" */
	const char *media;
	char *data;
	size_t len;
	unsigned char sha[20];
} image;

typedef struct {
	gal_node *art;
	char file[32]; /* inside DIR: "a001.xhtml" */
	char *label;   /* the TOC entry */
	gal_buf xhtml;
} chapter;

typedef struct {
	const gal_options *opts;
	gal_error *err;
	int status;
	chapter *ch; /* in book order */
	size_t nch;
	image *img;
	size_t nimg, capimg;
} W;

static void fail(W *w, int code, const char *msg)
{
	if (!w->status) {
		gal_error_set(w->err, code, w->opts, FMT, 0, 0, "%s", msg);
		w->status = code;
	}
}

/* ------------------------------------------------------------------ XML text */

/* Appends n bytes of UTF-8 as XML character data; in attribute values line ends and tabs also become references
 * (a parser would turn them into spaces). Invalid UTF-8 and the characters XML 1.0 forbids become U+FFFD. */
static void esc(gal_buf *b, const char *s, size_t n, int attr)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = u[i];
		const char *rep = NULL;
		size_t k = 1;
		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"' && attr)
			rep = "&quot;";
		else if (c == '\r')
			rep = "&#13;";
		else if ((c == '\n' || c == '\t') && attr)
			rep = c == '\n' ? "&#10;" : "&#9;";
		else if (c < 0x20 && c != '\n' && c != '\t')
			rep = "\xef\xbf\xbd";
		else if (c >= 0x80) {
			uint32_t cp;
			k = (size_t)gal_utf8_decode(u + i, n - i, &cp);
			if ((cp == 0xFFFD && !(k == 3 && u[i] == 0xEF)) || cp == 0xFFFE || cp == 0xFFFF)
				rep = "\xef\xbf\xbd";
		}
		if (rep) {
			gal_buf_put(b, s + run, i - run);
			gal_buf_puts(b, rep);
			i += k;
			run = i;
		} else
			i += k;
	}
	gal_buf_put(b, s + run, n - run);
}

static void esc_str(gal_buf *b, const char *s, int attr) { esc(b, s, strlen(s), attr); }

/* name="value" with a leading space. */
static void attr(gal_buf *b, const char *name, const char *value)
{
	gal_buf_printf(b, " %s=\"", name);
	esc_str(b, value, 1);
	gal_buf_putc(b, '"');
}

/* A language tag a validator accepts (BCP 47 shape: letters, then subtags of letters and digits; "de_DE" is taken
 * as "de-DE" when written, see lang_out). */
static int lang_ok(const char *l)
{
	if (!l || !*l)
		return 0;
	size_t k = 0;
	int first = 1;
	for (const char *p = l;; p++) {
		if (*p == '-' || !*p) {
			if (k == 0 || k > 8)
				return 0;
			if (!*p)
				return 1;
			k = 0;
			first = 0;
			continue;
		}
		if (*p == '_') { /* as '-' */
			if (k == 0 || k > 8)
				return 0;
			k = 0;
			first = 0;
			continue;
		}
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		if (!alpha && !(!first && *p >= '0' && *p <= '9'))
			return 0;
		k++;
	}
}

/* A language tag as written: '_' as '-'. */
static void lang_out(gal_buf *b, const char *name, const char *l)
{
	gal_buf_printf(b, " %s=\"", name);
	for (const char *p = l; *p; p++)
		gal_buf_putc(b, *p == '_' ? '-' : *p);
	gal_buf_putc(b, '"');
}

/* ------------------------------------------------------------------ links and images */

/* The scheme of an absolute URL ("https" in "https://x"), length 0 if none. */
static size_t scheme_len(const char *u)
{
	size_t i = 0;
	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return 0;
	while (u[i] && u[i] != ':') {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.'))
			return 0;
		i++;
	}
	return u[i] == ':' ? i : 0;
}

/* A link a reading system can follow: an absolute URL with a common registered scheme (validators warn about
 * others, such as whatsapp:; javascript: and file: must not be followed). Relative and fragment links point at
 * pages that are not in the book. */
static int followable(const char *href)
{
	size_t n = scheme_len(href);
	static const char *const ok[] = {"http", "https", "mailto", "ftp", "tel", "sms", "news", "geo", "urn", NULL};
	for (size_t i = 0; n && ok[i]; i++)
		if (n == strlen(ok[i]) && !gal_strncasecmp(href, ok[i], n))
			return 1;
	return 0;
}

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* The URL with the bytes a URI may not hold percent-encoded (spaces, quotes, non-ASCII, a second '#'). */
static char *uri_encode(const char *u)
{
	gal_buf b = GAL_BUF_INIT;
	int hash = 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
		int enc = *p <= 0x20 || *p >= 0x7F || strchr("\"<>\\^`{|}", *p) != NULL;
		if (*p == '%' && !(is_hex((char)p[1]) && is_hex((char)p[2])))
			enc = 1;
		if (*p == '#' && hash++)
			enc = 1;
		if (enc)
			gal_buf_printf(&b, "%%%02X", *p);
		else
			gal_buf_putc(&b, (char)*p);
	}
	if (!b.data)
		gal_buf_put(&b, "", 0);
	return gal_buf_detach(&b);
}

/* The EPUB 3.2 core image types that galley embeds, told by their first bytes. */
static const char *image_type(const char *d, size_t n, const char **ext)
{
	const unsigned char *u = (const unsigned char *)d;
	if (n >= 8 && !memcmp(u, "\x89PNG\r\n\x1a\n", 8))
		return *ext = "png", "image/png";
	if (n >= 3 && u[0] == 0xFF && u[1] == 0xD8 && u[2] == 0xFF)
		return *ext = "jpg", "image/jpeg";
	if (n >= 6 && (!memcmp(u, "GIF87a", 6) || !memcmp(u, "GIF89a", 6)))
		return *ext = "gif", "image/gif";
	return NULL;
}

/* The image a figure shows, fetched and added to the book once; NULL when it is left out (with a warning). */
static const image *figure_image(W *w, const gal_node *art, const gal_node *fig)
{
	const char *src = fig->s1;
	if (!src || !*src)
		return NULL;
	if (scheme_len(src) || !strncmp(src, "//", 2)) {
		gal_warn(w->opts, FMT, 0, "image %.200s: remote images are not fetched: left out, caption kept", src);
		return NULL;
	}
	const gal_epub_options *eo = &w->opts->epub;
	char *data = NULL;
	size_t len = 0;
	int rc = eo->resource ? eo->resource(eo->resource_data, art, src, &data, &len) : GAL_EIO;
	if (rc != GAL_OK) {
		gal_warn(w->opts, FMT, 0, "image %.200s: %s: left out, caption kept", src,
			 rc == GAL_EINVAL ? "not a file beside or below the input" : "not found next to the input");
		return NULL;
	}
	const char *ext = NULL, *media = image_type(data, len, &ext);
	if (!media) {
		gal_warn(w->opts, FMT, 0, "image %.200s: not a PNG, JPEG or GIF image: left out, caption kept", src);
		free(data);
		return NULL;
	}
	unsigned char sha[20];
	gal_sha1 h;
	gal_sha1_init(&h);
	gal_sha1_update(&h, data, len);
	gal_sha1_final(&h, sha);
	for (size_t i = 0; i < w->nimg; i++)
		if (w->img[i].len == len && !memcmp(w->img[i].sha, sha, 20)) {
			free(data);
			return &w->img[i];
		}
	if (w->nimg == w->capimg) {
		size_t cap = w->capimg ? w->capimg * 2 : 8;
		image *ni = realloc(w->img, cap * sizeof *ni);
		if (!ni) {
			free(data);
			fail(w, GAL_ENOMEM, "out of memory");
			return NULL;
		}
		w->img = ni;
		w->capimg = cap;
	}
	image *im = &w->img[w->nimg];
	gal_buf name = GAL_BUF_INIT;
	gal_buf_printf(&name, "images/i%03zu.%s", w->nimg + 1, ext);
	if (name.failed) {
		free(data);
		fail(w, GAL_ENOMEM, "out of memory");
		return NULL;
	}
	im->name = gal_buf_detach(&name);
	im->media = media;
	im->data = data;
	im->len = len;
	memcpy(im->sha, sha, 20);
	w->nimg++;
	return im;
}

/* ------------------------------------------------------------------ content documents */

/* A row in the table's leading run of header rows (written in <thead>). */
static int head_row(const gal_node *row)
{
	for (const gal_node *r = row; r; r = r->prev)
		if (!r->as.row.header)
			return 0;
	return 1;
}

static void link_open(gal_buf *b, const gal_node *n)
{
	const char *href = n->s1 ? n->s1 : "";
	if (followable(href)) {
		char *u = uri_encode(href);
		gal_buf_puts(b, "<a");
		attr(b, "href", u ? u : "");
		if (u && strcmp(u, href))
			attr(b, "data-gal-href", href);
		free(u);
	} else {
		gal_buf_puts(b, "<span");
		attr(b, "data-gal-href", href);
	}
	if (n->s2)
		attr(b, "title", n->s2);
	gal_buf_putc(b, '>');
}

static void figure_open(W *w, gal_buf *b, const gal_node *art, const gal_node *n)
{
	const image *im = figure_image(w, art, n);
	gal_buf_puts(b, "<figure");
	if (!im && (n->s1 || n->s2)) {
		/* a picture not in the book (or without a source at all) comes back from these */
		if (n->s1)
			attr(b, "data-gal-src", n->s1);
		if (n->s2)
			attr(b, "data-gal-alt", n->s2);
	}
	gal_buf_puts(b, ">\n");
	if (im) {
		gal_buf_puts(b, "<img");
		attr(b, "src", im->name);
		attr(b, "alt", n->s2 ? n->s2 : "");
		gal_buf_puts(b, "/>\n");
	}
	if (n->first || (n->s3 && *n->s3))
		gal_buf_puts(b, "<figcaption>");
}

static void figure_close(gal_buf *b, const gal_node *n)
{
	int cap = n->first || (n->s3 && *n->s3);
	if (n->s3 && *n->s3) {
		gal_buf_puts(b, n->first ? " <span class=\"credit\">" : "<span class=\"credit\">");
		esc_str(b, n->s3, 0);
		gal_buf_puts(b, "</span>");
	}
	if (cap)
		gal_buf_puts(b, "</figcaption>\n");
	gal_buf_puts(b, "</figure>\n");
}

/* The blocks under root (an article, or the header blocks built for it) as XHTML: one line per node type. */
static void blocks(W *w, gal_buf *b, const gal_node *art, gal_node *root)
{
	gal_iter *it = gal_iter_new(root);
	if (!it) {
		fail(w, GAL_ENOMEM, "out of memory");
		return;
	}
	gal_event ev;
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE && !w->status) {
		gal_node *n = gal_iter_node(it);
		int in = ev == GAL_EVENT_ENTER;
		const gal_node *row = n->parent;
		switch (n->type) {
		case GAL_NODE_DOCUMENT:
		case GAL_NODE_ARTICLE:
		case GAL_NODE_NONE:
		case GAL_NODE__COUNT: break;
		case GAL_NODE_PARAGRAPH: gal_buf_puts(b, in ? "<p>" : "</p>\n"); break;
		case GAL_NODE_HEADING: gal_buf_printf(b, in ? "<h%d>" : "</h%d>\n", n->as.heading.level); break;
		case GAL_NODE_BLOCKQUOTE:
			if (in)
				gal_buf_puts(b, "<blockquote>\n");
			else {
				if (n->s1 && *n->s1) {
					gal_buf_puts(b, "<footer>\xe2\x80\x94 ");
					esc_str(b, n->s1, 0);
					gal_buf_puts(b, "</footer>\n");
				}
				gal_buf_puts(b, "</blockquote>\n");
			}
			break;
		case GAL_NODE_LIST:
			if (!in)
				gal_buf_puts(b, n->as.list.ordered ? "</ol>\n" : "</ul>\n");
			else if (!n->as.list.ordered)
				gal_buf_puts(b, "<ul>\n");
			else
				gal_buf_printf(b, n->as.list.start != 1 ? "<ol start=\"%d\">\n" : "<ol>\n", n->as.list.start);
			break;
		case GAL_NODE_ITEM: gal_buf_puts(b, in ? "<li>" : "</li>\n"); break;
		case GAL_NODE_TABLE:
			if (!in) {
				gal_buf_puts(b, "</table>\n");
				break;
			}
			gal_buf_puts(b, "<table>\n");
			if (n->s1 && *n->s1) {
				gal_buf_puts(b, "<caption>");
				esc_str(b, n->s1, 0);
				gal_buf_puts(b, "</caption>\n");
			}
			break;
		case GAL_NODE_ROW:
			if (in) {
				if (head_row(n) && !n->prev)
					gal_buf_puts(b, "<thead>\n");
				else if (!head_row(n) && (!n->prev || head_row(n->prev)))
					gal_buf_puts(b, "<tbody>\n");
				gal_buf_puts(b, "<tr>");
			} else {
				gal_buf_puts(b, "</tr>\n");
				if (head_row(n) && (!n->next || !head_row(n->next)))
					gal_buf_puts(b, "</thead>\n");
				else if (!head_row(n) && !n->next)
					gal_buf_puts(b, "</tbody>\n");
			}
			break;
		case GAL_NODE_CELL:
			gal_buf_puts(b, row->as.row.header ? (in ? "<th>" : "</th>") : (in ? "<td>" : "</td>"));
			break;
		case GAL_NODE_FIGURE: in ? figure_open(w, b, art, n) : figure_close(b, n); break;
		case GAL_NODE_PRE:
			gal_buf_puts(b, "<pre>");
			if (n->s1 && *n->s1) {
				gal_buf_puts(b, "<code");
				gal_buf_printf(b, " class=\"language-");
				esc_str(b, n->s1, 1);
				gal_buf_puts(b, "\">");
			}
			gal_buf_putc(b, '\n'); /* a reader drops the newline that opens a <pre> */
			esc(b, n->lit ? n->lit : "", n->len, 0);
			gal_buf_puts(b, n->s1 && *n->s1 ? "</code></pre>\n" : "</pre>\n");
			break;
		case GAL_NODE_THEMATIC_BREAK: gal_buf_puts(b, "<hr/>\n"); break;
		case GAL_NODE_TEXT: esc(b, n->lit ? n->lit : "", n->len, 0); break;
		case GAL_NODE_EMPH: gal_buf_puts(b, in ? "<em>" : "</em>"); break;
		case GAL_NODE_STRONG: gal_buf_puts(b, in ? "<strong>" : "</strong>"); break;
		case GAL_NODE_SUPERSCRIPT: gal_buf_puts(b, in ? "<sup>" : "</sup>"); break;
		case GAL_NODE_SUBSCRIPT: gal_buf_puts(b, in ? "<sub>" : "</sub>"); break;
		case GAL_NODE_LINK:
			if (in)
				link_open(b, n);
			else
				gal_buf_puts(b, followable(n->s1 ? n->s1 : "") ? "</a>" : "</span>");
			break;
		case GAL_NODE_CODE:
			gal_buf_puts(b, "<code>");
			esc(b, n->lit ? n->lit : "", n->len, 0);
			gal_buf_puts(b, "</code>");
			break;
		case GAL_NODE_LINEBREAK: gal_buf_puts(b, "<br/>"); break;
		}
	}
	gal_iter_free(it);
}

static void meta_tag(gal_buf *b, const char *name, const char *value)
{
	if (!value)
		return;
	gal_buf_puts(b, "<meta");
	attr(b, "name", name);
	attr(b, "content", value);
	gal_buf_puts(b, "/>\n");
}

/* Every metadata field, for galley's reader (docs/epub.md lists the names). */
static void meta_tags(gal_buf *b, const gal_meta *m)
{
	meta_tag(b, "generator", "galley");
	meta_tag(b, "galley:id", m->id);
	meta_tag(b, "galley:headline", m->headline);
	meta_tag(b, "galley:deck", m->deck);
	for (size_t i = 0; i < m->nbylines; i++) {
		meta_tag(b, "galley:byline", m->bylines[i].name ? m->bylines[i].name : "");
		meta_tag(b, "galley:byline-title", m->bylines[i].title);
	}
	meta_tag(b, "galley:dateline-place", m->dateline_place);
	meta_tag(b, "galley:dateline-date", m->dateline_date);
	meta_tag(b, "galley:issued", m->issued);
	meta_tag(b, "galley:modified", m->modified);
	meta_tag(b, "galley:section", m->section);
	for (size_t i = 0; i < m->keywords.count; i++)
		meta_tag(b, "galley:keyword", m->keywords.items[i]);
	meta_tag(b, "galley:language", m->language);
	meta_tag(b, "galley:source", m->source);
	meta_tag(b, "galley:copyright", m->copyright);
	meta_tag(b, "galley:url", m->url);
	meta_tag(b, "galley:abstract", m->abstract);
	meta_tag(b, "galley:tagline", m->tagline);
	for (size_t i = 0; i < m->notes.count; i++)
		meta_tag(b, "galley:note", m->notes.items[i]);
}

static void end_para(gal_buf *b, const char *cls, const char *text)
{
	gal_buf_printf(b, "<p class=\"%s\">", cls);
	esc_str(b, text, 0);
	gal_buf_puts(b, "</p>\n");
}

static void content_doc(W *w, chapter *c)
{
	gal_node *art = c->art;
	const gal_meta *m = art->meta;
	gal_buf *b = &c->xhtml;
	gal_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
			"<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"");
	if (lang_ok(m->language)) {
		lang_out(b, "xml:lang", m->language);
		lang_out(b, "lang", m->language);
	}
	gal_buf_puts(b, ">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>");
	esc_str(b, c->label, 0);
	gal_buf_puts(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n");
	meta_tags(b, m);
	gal_buf_puts(b, "</head>\n<body>\n");
	gal_node *head = gal_header_blocks(art);
	if (!head) {
		fail(w, GAL_ENOMEM, "out of memory");
		return;
	}
	if (head->first) {
		gal_buf_puts(b, "<header class=\"gal-head\">\n");
		blocks(w, b, art, head);
		gal_buf_puts(b, "</header>\n");
	}
	gal_node_free(head);
	blocks(w, b, art, art);
	if (m->tagline || m->notes.count || m->copyright) {
		gal_buf_puts(b, "<footer class=\"gal-foot\">\n");
		if (m->tagline)
			end_para(b, "tagline", m->tagline);
		for (size_t i = 0; i < m->notes.count; i++)
			end_para(b, "note", m->notes.items[i]);
		if (m->copyright)
			end_para(b, "copyright", m->copyright);
		gal_buf_puts(b, "</footer>\n");
	}
	gal_buf_puts(b, "</body>\n</html>\n");
	if (b->failed)
		fail(w, GAL_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ dates */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Seconds since 1970 of a date galley can normalise (no zone: taken as UTC); 0 if none. */
static int date_epoch(const char *text, long long *out)
{
	char *iso = text ? gal_date_normalize(text) : NULL;
	if (!iso)
		return 0;
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
	int ok = sscanf(iso, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3;
	const char *p = iso + n;
	long long off = 0;
	if (ok && *p == 'T' && sscanf(p, "T%2d:%2d:%2d%n", &h, &mi, &s, &n) == 3) {
		p += n;
		int oh = 0, om = 0;
		if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
			off = (*p == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
	}
	free(iso);
	if (!ok)
		return 0;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600LL + mi * 60LL + s - off;
	return 1;
}

/* A dc:date value (W3C date and time: a time needs its zone, so a time without one is left off); NULL if the text
 * is not a date galley can read. Caller frees. */
static char *w3c_date(const char *text)
{
	char *iso = text ? gal_date_normalize(text) : NULL;
	if (iso && strlen(iso) > 10) {
		const char *z = strlen(iso) >= 19 ? iso + 19 : "";
		if (!(*z == 'Z' || *z == '+' || *z == '-'))
			iso[10] = '\0';
	}
	return iso;
}

static void utc_string(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The book's time: the option, else the latest date among the articles, else 1980-01-01 (the zip epoch). */
static long long book_epoch(W *w, const gal_docmeta *dm)
{
	if (w->opts->epub.epoch_set)
		return w->opts->epub.epoch;
	long long best = 0, t;
	int found = 0;
	for (size_t i = 0; i < w->nch; i++) {
		const gal_meta *m = w->ch[i].art->meta;
		const char *cand[] = {m->modified, m->issued};
		for (size_t k = 0; k < 2; k++)
			if (date_epoch(cand[k], &t) && (!found || t > best))
				best = t, found = 1;
	}
	if (!found && date_epoch(dm->date, &t))
		best = t, found = 1;
	return found ? best : 315532800; /* 1980-01-01T00:00:00Z */
}

/* ------------------------------------------------------------------ package, navigation, NCX */

typedef struct {
	char uuid[64];
	char *title, *date, *language;
	gal_strlist creators;
	char modified[96];
	long long epoch;
} book_meta;

static void book_meta_free(book_meta *bm)
{
	free(bm->title);
	free(bm->date);
	free(bm->language);
	gal_strlist_clear(&bm->creators);
}

/* RFC 4122 version 5 (SHA-1, name-based) UUID in galley's own namespace. */
static void uuid_v5(const unsigned char *name_sha, char out[64])
{
	static const unsigned char ns[16] = {0x3b, 0x8e, 0x4f, 0x5a, 0x91, 0x27, 0x4c, 0x6e,
					     0xa0, 0x1d, 0x62, 0x7c, 0x58, 0xe9, 0x03, 0xb4};
	unsigned char d[20];
	gal_sha1 h;
	gal_sha1_init(&h);
	gal_sha1_update(&h, ns, 16);
	gal_sha1_update(&h, name_sha, 20);
	gal_sha1_final(&h, d);
	d[6] = (unsigned char)((d[6] & 0x0F) | 0x50);
	d[8] = (unsigned char)((d[8] & 0x3F) | 0x80);
	snprintf(out, 64, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1],
		 d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
}

static void hash_str(gal_sha1 *h, const char *s)
{
	if (s)
		gal_sha1_update(h, s, strlen(s) + 1); /* with the NUL: fields cannot run into each other */
	else
		gal_sha1_update(h, "\x01", 1);
}

static int strlist_has(const gal_strlist *l, const char *v)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->items[i], v))
			return 1;
	return 0;
}

static void book_metadata(W *w, const gal_docmeta *dm, book_meta *bm)
{
	const gal_meta *first = w->ch[0].art->meta;
	const char *title = dm->title && *dm->title ? dm->title : first->headline && *first->headline ? first->headline : NULL;
	bm->title = strdup(title ? title : "Untitled");
	if (dm->creator && *dm->creator)
		gal_strlist_push(&bm->creators, dm->creator);
	else
		for (size_t i = 0; i < w->nch; i++) {
			const gal_meta *m = w->ch[i].art->meta;
			for (size_t k = 0; k < m->nbylines; k++)
				if (m->bylines[k].name && *m->bylines[k].name && !strlist_has(&bm->creators, m->bylines[k].name))
					gal_strlist_push(&bm->creators, m->bylines[k].name);
		}
	if (dm->date) {
		bm->date = w3c_date(dm->date);
		if (!bm->date)
			gal_warn(w->opts, FMT, 0, "date '%.100s' is not a date galley can read: the book has no dc:date",
				 dm->date);
	} else {
		/* the latest publication date among the articles */
		long long best = 0, t;
		for (size_t i = 0; i < w->nch; i++) {
			const char *d = w->ch[i].art->meta->issued;
			if (date_epoch(d, &t) && (!bm->date || t > best)) {
				free(bm->date);
				bm->date = w3c_date(d);
				best = t;
			}
		}
	}
	const char *lang = lang_ok(dm->language) ? dm->language : NULL;
	for (size_t i = 0; !lang && i < w->nch; i++)
		if (lang_ok(w->ch[i].art->meta->language))
			lang = w->ch[i].art->meta->language;
	bm->language = strdup(lang ? lang : "und");
	for (char *p = bm->language; p && *p; p++)
		if (*p == '_')
			*p = '-';
	bm->epoch = book_epoch(w, dm);
	utc_string(bm->epoch, bm->modified, sizeof bm->modified);

	/* the identifier: from the article ids when every article has one, else from the whole content */
	gal_sha1 h;
	gal_sha1_init(&h);
	int ids = 1;
	for (size_t i = 0; i < w->nch; i++)
		ids &= w->ch[i].art->meta->id && *w->ch[i].art->meta->id;
	if (ids) {
		gal_sha1_update(&h, "ids", 4);
		for (size_t i = 0; i < w->nch; i++)
			hash_str(&h, w->ch[i].art->meta->id);
	} else {
		gal_sha1_update(&h, "content", 8);
		hash_str(&h, bm->title);
		hash_str(&h, bm->language);
		hash_str(&h, bm->date);
		for (size_t i = 0; i < bm->creators.count; i++)
			hash_str(&h, bm->creators.items[i]);
		for (size_t i = 0; i < w->nch; i++)
			gal_sha1_update(&h, w->ch[i].xhtml.data, w->ch[i].xhtml.len);
		for (size_t i = 0; i < w->nimg; i++)
			gal_sha1_update(&h, w->img[i].sha, 20);
	}
	unsigned char d[20];
	gal_sha1_final(&h, d);
	uuid_v5(d, bm->uuid);
	if (!bm->title || !bm->language)
		fail(w, GAL_ENOMEM, "out of memory");
}

/* The section a chapter is listed under with --group-by section (NULL: none). */
static const char *group_of(const W *w, size_t i)
{
	const char *s = w->ch[i].art->meta->section;
	return w->opts->epub.group_by_section && s && *s ? s : NULL;
}

static int same_group(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static void package_doc(W *w, const book_meta *bm, const char *css_name, gal_buf *b)
{
	gal_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"bookid\">\n"
			"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<dc:identifier id=\"bookid\">");
	esc_str(b, bm->uuid, 0);
	gal_buf_puts(b, "</dc:identifier>\n<dc:title>");
	esc_str(b, bm->title, 0);
	gal_buf_puts(b, "</dc:title>\n<dc:language>");
	esc_str(b, bm->language, 0);
	gal_buf_puts(b, "</dc:language>\n");
	for (size_t i = 0; i < bm->creators.count; i++) {
		gal_buf_puts(b, "<dc:creator>");
		esc_str(b, bm->creators.items[i], 0);
		gal_buf_puts(b, "</dc:creator>\n");
	}
	if (bm->date) {
		gal_buf_puts(b, "<dc:date>");
		esc_str(b, bm->date, 0);
		gal_buf_puts(b, "</dc:date>\n");
	}
	gal_buf_printf(b, "<meta property=\"dcterms:modified\">%s</meta>\n</metadata>\n<manifest>\n", bm->modified);
	gal_buf_puts(b, "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n"
			"<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n");
	gal_buf_printf(b, "<item id=\"css\" href=\"%s\" media-type=\"text/css\"/>\n", css_name);
	for (size_t i = 0; i < w->nch; i++)
		gal_buf_printf(b, "<item id=\"c%zu\" href=\"%s\" media-type=\"application/xhtml+xml\"/>\n", i + 1,
			       w->ch[i].file);
	for (size_t i = 0; i < w->nimg; i++)
		gal_buf_printf(b, "<item id=\"i%zu\" href=\"%s\" media-type=\"%s\"/>\n", i + 1, w->img[i].name,
			       w->img[i].media);
	gal_buf_puts(b, "</manifest>\n<spine toc=\"ncx\">\n");
	for (size_t i = 0; i < w->nch; i++)
		gal_buf_printf(b, "<itemref idref=\"c%zu\"/>\n", i + 1);
	gal_buf_puts(b, "</spine>\n</package>\n");
}

static void nav_doc(W *w, const book_meta *bm, gal_buf *b)
{
	gal_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
			"<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"");
	if (strcmp(bm->language, "und")) {
		lang_out(b, "xml:lang", bm->language);
		lang_out(b, "lang", bm->language);
	}
	gal_buf_puts(b, ">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>");
	esc_str(b, bm->title, 0);
	gal_buf_puts(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body>\n"
			"<nav epub:type=\"toc\" id=\"toc\">\n<h1>");
	esc_str(b, bm->title, 0);
	gal_buf_puts(b, "</h1>\n<ol>\n");
	for (size_t i = 0; i < w->nch; i++) {
		const char *g = group_of(w, i);
		if (g && (i == 0 || !same_group(group_of(w, i - 1), g))) {
			gal_buf_puts(b, "<li><span>");
			esc_str(b, g, 0);
			gal_buf_puts(b, "</span>\n<ol>\n");
		}
		gal_buf_printf(b, "<li><a href=\"%s\">", w->ch[i].file);
		esc_str(b, w->ch[i].label, 0);
		gal_buf_puts(b, "</a></li>\n");
		if (g && (i + 1 == w->nch || !same_group(group_of(w, i + 1), g)))
			gal_buf_puts(b, "</ol></li>\n");
	}
	gal_buf_puts(b, "</ol>\n</nav>\n</body>\n</html>\n");
}

/* playOrder is the chapter's place in the book: a section's entry shares it with its first chapter. */
static void ncx_point(gal_buf *b, size_t *id, size_t order, const char *label, const char *src)
{
	++*id;
	gal_buf_printf(b, "<navPoint id=\"p%zu\" playOrder=\"%zu\"><navLabel><text>", *id, order);
	esc_str(b, label, 0);
	gal_buf_printf(b, "</text></navLabel><content src=\"%s\"/>", src);
}

static void ncx_doc(W *w, const book_meta *bm, gal_buf *b)
{
	int depth = 1;
	for (size_t i = 0; i < w->nch; i++)
		if (group_of(w, i))
			depth = 2;
	gal_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\">\n<head>\n"
			"<meta name=\"dtb:uid\"");
	attr(b, "content", bm->uuid);
	gal_buf_printf(b, "/>\n<meta name=\"dtb:depth\" content=\"%d\"/>\n"
			  "<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n"
			  "<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>",
		       depth);
	esc_str(b, bm->title, 0);
	gal_buf_puts(b, "</text></docTitle>\n<navMap>\n");
	size_t id = 0;
	for (size_t i = 0; i < w->nch; i++) {
		const char *g = group_of(w, i);
		if (g && (i == 0 || !same_group(group_of(w, i - 1), g))) {
			ncx_point(b, &id, i + 1, g, w->ch[i].file);
			gal_buf_puts(b, "\n");
		}
		ncx_point(b, &id, i + 1, w->ch[i].label, w->ch[i].file);
		gal_buf_puts(b, "</navPoint>\n");
		if (g && (i + 1 == w->nch || !same_group(group_of(w, i + 1), g)))
			gal_buf_puts(b, "</navPoint>\n");
	}
	gal_buf_puts(b, "</navMap>\n</ncx>\n");
}

/* ------------------------------------------------------------------ the zip container */

typedef struct {
	const char *name;
	const char *data;
	size_t len;
	int store;
} entry;

static unsigned get16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static unsigned long get32(const unsigned char *p) { return get16(p) | (unsigned long)get16(p + 2) << 16; }
static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* Sets every entry's modification time to `t` (UTC) in the local and central headers. libzip writes local time,
 * which would make the bytes depend on the time zone. */
static void set_zip_times(unsigned char *z, size_t n, long long t)
{
	if (t < 315532800)
		t = 315532800;
	if (t > 4354819198LL) /* 2107-12-31: the last DOS date */
		t = 4354819198LL;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	unsigned dtime = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	unsigned ddate = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
	if (n < 22)
		return;
	size_t e = n - 22;
	while (e > 0 && memcmp(z + e, "PK\5\6", 4))
		e--;
	if (memcmp(z + e, "PK\5\6", 4))
		return;
	size_t count = get16(z + e + 10), cd = get32(z + e + 16);
	for (size_t i = 0; i < count && cd + 46 <= n && !memcmp(z + cd, "PK\1\2", 4); i++) {
		put16(z + cd + 12, dtime);
		put16(z + cd + 14, ddate);
		size_t local = get32(z + cd + 42);
		if (local + 30 <= n && !memcmp(z + local, "PK\3\4", 4)) {
			put16(z + local + 10, dtime);
			put16(z + local + 12, ddate);
		}
		cd += 46 + get16(z + cd + 28) + get16(z + cd + 30) + get16(z + cd + 32);
	}
}

static int zip_book(W *w, const entry *ents, size_t n, long long t, gal_sink *sink)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		zip_source_free(mem);
		zip_error_fini(&ze);
		fail(w, GAL_ENOMEM, "cannot create the zip container");
		return w->status;
	}
	zip_source_keep(mem);
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++) {
		zip_source_t *s = zip_source_buffer(za, ents[i].data, ents[i].len, 0);
		zip_int64_t idx = s ? zip_file_add(za, ents[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			zip_source_free(s);
			ok = 0;
			break;
		}
		ok = zip_set_file_compression(za, (zip_uint64_t)idx, ents[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
					      ents[i].store ? 0 : 9) == 0;
	}
	if (!ok || zip_close(za) != 0) {
		zip_discard(za);
		zip_source_free(mem);
		zip_error_fini(&ze);
		fail(w, GAL_ENOMEM, "cannot build the zip container");
		return w->status;
	}
	zip_stat_t st;
	unsigned char *bytes = NULL;
	zip_int64_t got = -1;
	if (zip_source_stat(mem, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && zip_source_open(mem) == 0) {
		bytes = malloc(st.size ? st.size : 1);
		got = bytes ? zip_source_read(mem, bytes, st.size) : -1;
		zip_source_close(mem);
	}
	zip_source_free(mem);
	zip_error_fini(&ze);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		free(bytes);
		fail(w, GAL_ENOMEM, "cannot read back the zip container");
		return w->status;
	}
	set_zip_times(bytes, (size_t)got, t);
	gal_sink_write(sink, (const char *)bytes, (size_t)got);
	free(bytes);
	return GAL_OK;
}

/* ------------------------------------------------------------------ the book */

/* Book order: input order, or with --group-by section each section's articles together, sections in the order
 * they first appear and articles without a section where they stand. */
static int order_chapters(W *w, gal_node *doc)
{
	size_t n = 0;
	for (gal_node *a = doc->first; a; a = a->next)
		n++;
	if (!n)
		return 0;
	gal_node **arts = malloc(n * sizeof *arts);
	unsigned char *done = calloc(n, 1);
	w->ch = calloc(n, sizeof *w->ch);
	if (!arts || !done || !w->ch) {
		free(arts);
		free(done);
		return -1;
	}
	size_t i = 0;
	for (gal_node *a = doc->first; a; a = a->next)
		arts[i++] = a;
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		const char *s = arts[i]->meta->section;
		int group = w->opts->epub.group_by_section && s && *s;
		for (size_t k = i; k < n; k++) {
			const char *sk = arts[k]->meta->section;
			if (k == i || (group && !done[k] && sk && !strcmp(sk, s))) {
				done[k] = 1;
				w->ch[w->nch++].art = arts[k];
			}
		}
	}
	free(arts);
	free(done);
	return 0;
}

static char *chapter_label(const gal_node *art, size_t i)
{
	const char *h = art->meta->headline;
	char *l = h ? gal_collapse_ws(h) : NULL;
	if (l && *l)
		return l;
	free(l);
	gal_buf b = GAL_BUF_INIT;
	gal_buf_printf(&b, "Article %zu", i + 1);
	return gal_buf_detach(&b);
}

static void w_free(W *w)
{
	for (size_t i = 0; i < w->nch; i++) {
		free(w->ch[i].label);
		gal_buf_free(&w->ch[i].xhtml);
	}
	free(w->ch);
	for (size_t i = 0; i < w->nimg; i++) {
		free(w->img[i].name);
		free(w->img[i].data);
	}
	free(w->img);
}

int gal_epub_write(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err)
{
	W w = {opts, err, GAL_OK, NULL, 0, NULL, 0, 0};
	const gal_epub_options *eo = &opts->epub;
	if (eo->css && !gal_utf8_valid(eo->css, eo->css_len)) {
		gal_error_set(err, GAL_EINVAL, opts, FMT, 0, 0, "the style sheet is not UTF-8");
		return GAL_EINVAL;
	}
	if (order_chapters(&w, doc) < 0) {
		w_free(&w);
		gal_error_set(err, GAL_ENOMEM, opts, FMT, 0, 0, "out of memory");
		return GAL_ENOMEM;
	}
	if (!w.nch) {
		w_free(&w);
		gal_error_set(err, GAL_EINVAL, opts, FMT, 0, 0, "no articles: a book needs at least one");
		return GAL_EINVAL;
	}
	for (size_t i = 0; i < w.nch && !w.status; i++) {
		snprintf(w.ch[i].file, sizeof w.ch[i].file, "a%03zu.xhtml", i + 1);
		if (!(w.ch[i].label = chapter_label(w.ch[i].art, i)))
			fail(&w, GAL_ENOMEM, "out of memory");
		else
			content_doc(&w, &w.ch[i]);
	}
	book_meta bm;
	memset(&bm, 0, sizeof bm);
	gal_buf opf = GAL_BUF_INIT, nav = GAL_BUF_INIT, ncx = GAL_BUF_INIT;
	entry *ents = NULL;
	if (!w.status)
		book_metadata(&w, doc->docmeta, &bm);
	if (!w.status) {
		package_doc(&w, &bm, "style.css", &opf);
		nav_doc(&w, &bm, &nav);
		ncx_doc(&w, &bm, &ncx);
		if (opf.failed || nav.failed || ncx.failed)
			fail(&w, GAL_ENOMEM, "out of memory");
	}
	size_t n = 0, cap = 7 + w.nch + w.nimg;
	char **names = NULL;
	if (!w.status && (!(ents = calloc(cap, sizeof *ents)) || !(names = calloc(cap, sizeof *names))))
		fail(&w, GAL_ENOMEM, "out of memory");
	if (!w.status) {
		static const char mimetype[] = "application/epub+zip";
		static const char container[] =
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
		    "<rootfiles>\n<rootfile full-path=\"" DIR OPF_NAME "\" media-type=\"application/oebps-package+xml\"/>\n"
		    "</rootfiles>\n</container>\n";
		ents[n++] = (entry){"mimetype", mimetype, sizeof mimetype - 1, 1};
		ents[n++] = (entry){"META-INF/container.xml", container, sizeof container - 1, 0};
		ents[n++] = (entry){DIR OPF_NAME, opf.data, opf.len, 0};
		ents[n++] = (entry){DIR "nav.xhtml", nav.data, nav.len, 0};
		ents[n++] = (entry){DIR "toc.ncx", ncx.data, ncx.len, 0};
		ents[n++] = (entry){DIR "style.css", eo->css ? eo->css : default_css,
				    eo->css ? eo->css_len : sizeof default_css - 1, 0};
		for (size_t i = 0; i < w.nch + w.nimg && !w.status; i++) {
			gal_buf nm = GAL_BUF_INIT;
			gal_buf_printf(&nm, DIR "%s", i < w.nch ? w.ch[i].file : w.img[i - w.nch].name);
			if (!(names[i] = gal_buf_detach(&nm))) {
				fail(&w, GAL_ENOMEM, "out of memory");
				break;
			}
			if (i < w.nch)
				ents[n++] = (entry){names[i], w.ch[i].xhtml.data, w.ch[i].xhtml.len, 0};
			else /* compressed images do not shrink */
				ents[n++] = (entry){names[i], w.img[i - w.nch].data, w.img[i - w.nch].len, 1};
		}
	}
	if (!w.status)
		zip_book(&w, ents, n, bm.epoch, sink);
	for (size_t i = 0; names && i < w.nch + w.nimg; i++)
		free(names[i]);
	free(names);
	free(ents);
	gal_buf_free(&opf);
	gal_buf_free(&nav);
	gal_buf_free(&ncx);
	book_meta_free(&bm);
	w_free(&w);
	return w.status;
}
