/* epub.c: the EPUB reader (EPUB 2 and 3). container.xml names the package document (OPF); its spine gives the
 * reading order; each content document is parsed as XML, or with the HTML parser when it is not well-formed, and
 * mapped by the HTML reader's tree building without article extraction. One article per spine item, or with
 * split_toc one per entry of the navigation document (EPUB 3 nav, else the EPUB 2 NCX).
 *
 * The input is hostile until proven otherwise: the zip's entry count, names, encryption and declared sizes are
 * checked before anything is inflated, and every entry is inflated into memory against its declared size, the
 * total and the compression ratio. Nothing is written to the file system. XML is parsed without network access,
 * entity substitution or DTD loading. docs/epub.md has the mapping. */
#include "../charset.h"
#include "../date.h"
#include "../node.h"
#include "html_dom.h"
#include "readers.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define FMT "EPUB"
/* entries smaller than this are not held to the compression ratio (small text compresses well) */
#define RATIO_FLOOR (1u << 20)

static const char NS_OPS[] = "http://www.idpf.org/2007/ops";

/* ------------------------------------------------------------------ reader state */

typedef struct {
	char *id, *path, *media, *props; /* path: inside the container, decoded */
} item;

typedef struct {
	char *label, *path, *frag; /* frag: NULL when the entry points at the whole document */
	int depth;
} toc_entry;

typedef struct {
	const gal_options *opts;
	gal_error *err;
	int status;
	const char *data;
	size_t len;
	zip_t *za;
	size_t inflated; /* bytes inflated so far, all entries together */
	size_t nodes;    /* tree nodes made so far */
	char *opf_dir;   /* "OEBPS/" or "" */
	item *items;
	size_t nitems;
	size_t *spine; /* indexes into items */
	size_t nspine;
	const item *nav; /* the EPUB 3 navigation document */
	const item *ncx; /* the EPUB 2 NCX */
	toc_entry *toc;
	size_t ntoc, captoc;
	char *book_lang;
	gal_node *doc;
} R;

static int rfail(R *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int rfail(R *r, int code, const char *fmt, ...)
{
	if (r->status)
		return r->status;
	char msg[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gal_error_set(r->err, code, r->opts, FMT, 0, 0, "%s", msg);
	return r->status = code;
}

static int oom(R *r) { return rfail(r, GAL_ENOMEM, "out of memory"); }

static void *grow(R *r, void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * size);
	if (!q) {
		oom(r);
		return NULL;
	}
	*cap = n;
	return q;
}

/* ------------------------------------------------------------------ paths */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A reference found in the book, resolved against the folder `base` ("OEBPS/") to a path inside the container:
 * percent-decoded, "." and ".." segments applied (never above the root), query and fragment cut off (the fragment,
 * decoded, into *frag when asked). NULL for absolute URLs and for references that leave the container. */
static char *resolve(const char *base, const char *href, char **frag)
{
	if (frag)
		*frag = NULL;
	if (!href)
		return NULL;
	while (gal_is_space((unsigned char)*href))
		href++;
	for (const char *p = href; *p && *p != '/' && *p != '?' && *p != '#'; p++)
		if (*p == ':')
			return NULL; /* has a scheme */
	if (href[0] == '/' && href[1] == '/')
		return NULL;
	size_t n = strcspn(href, "?#");
	const char *hash = strchr(href, '#');
	gal_buf b = GAL_BUF_INIT;
	if (href[0] != '/')
		gal_buf_puts(&b, base);
	for (size_t i = href[0] == '/'; i < n; i++) {
		int h1, h2;
		if (href[i] == '%' && (h1 = hexval((unsigned char)href[i + 1])) >= 0 &&
		    (h2 = hexval((unsigned char)href[i + 2])) >= 0) {
			gal_buf_putc(&b, (char)(h1 * 16 + h2));
			i += 2;
		} else
			gal_buf_putc(&b, href[i] == '\\' ? '/' : href[i]);
	}
	char *in = gal_buf_detach(&b);
	if (!in)
		return NULL;
	/* the segments, with "." dropped and ".." taking back the one before */
	size_t len = strlen(in), o = 0;
	char *out = malloc(len + 1);
	int bad = !out || strlen(in) != len;
	for (size_t i = 0; !bad && i <= len;) {
		size_t e = i;
		while (e < len && in[e] != '/')
			e++;
		size_t k = e - i;
		if (k == 2 && !strncmp(in + i, "..", 2)) {
			if (o == 0)
				bad = 1;
			else {
				o--; /* the slash after the previous segment */
				while (o > 0 && out[o - 1] != '/')
					o--;
			}
		} else if (k && !(k == 1 && in[i] == '.')) {
			memcpy(out + o, in + i, k);
			o += k;
			if (e < len)
				out[o++] = '/';
		}
		i = e + 1;
	}
	free(in);
	if (bad || o == 0) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	if (frag && hash && hash[1]) {
		gal_buf f = GAL_BUF_INIT;
		for (const char *p = hash + 1; *p; p++) {
			int h1, h2;
			if (*p == '%' && (h1 = hexval((unsigned char)p[1])) >= 0 && (h2 = hexval((unsigned char)p[2])) >= 0) {
				gal_buf_putc(&f, (char)(h1 * 16 + h2));
				p += 2;
			} else
				gal_buf_putc(&f, *p);
		}
		*frag = gal_buf_detach(&f);
	}
	return out;
}

/* The folder part of a container path, with its slash ("OEBPS/text/" for "OEBPS/text/ch1.xhtml"). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return strndup(path, slash ? (size_t)(slash - path) + 1 : 0);
}

/* ------------------------------------------------------------------ the zip container */

static unsigned get16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static unsigned long get32(const unsigned char *p) { return get16(p) | (unsigned long)get16(p + 2) << 16; }

/* An entry name that could reach outside a folder it was unpacked into: absolute, a drive letter, a ".."
 * segment (with either slash). */
static int unsafe_name(const char *name, size_t len)
{
	if (len == 0 || name[0] == '/' || name[0] == '\\' || (len >= 2 && name[1] == ':'))
		return 1;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && name[e] != '/' && name[e] != '\\')
			e++;
		if (e - i == 2 && name[i] == '.' && name[i + 1] == '.')
			return 1;
		i = e + 1;
	}
	return 0;
}

/* libzip turns NUL bytes in names into spaces, so the central directory is read here for them. Archives with
 * ZIP64 records are left to libzip. */
static int raw_names_check(R *r)
{
	const unsigned char *z = (const unsigned char *)r->data;
	size_t n = r->len;
	if (n < 22)
		return GAL_OK;
	size_t e = n - 22, stop = n - 22 > 65557 ? n - 22 - 65557 : 0;
	while (e > stop && memcmp(z + e, "PK\5\6", 4))
		e--;
	if (memcmp(z + e, "PK\5\6", 4))
		return GAL_OK;
	size_t count = get16(z + e + 10), cd = get32(z + e + 16);
	if (count == 0xFFFF || cd == 0xFFFFFFFFul)
		return GAL_OK;
	for (size_t i = 0; i < count && cd + 46 <= n && !memcmp(z + cd, "PK\1\2", 4); i++) {
		size_t nl = get16(z + cd + 28);
		if (cd + 46 + nl > n)
			break;
		if (memchr(z + cd + 46, 0, nl))
			return rfail(r, GAL_EPARSE, "unsafe entry name in the zip (a NUL byte): refused");
		cd += 46 + nl + get16(z + cd + 30) + get16(z + cd + 32);
	}
	return GAL_OK;
}

static int open_zip(R *r)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(r->data, r->len, 0, &ze);
	if (src && !(r->za = zip_open_from_source(src, ZIP_RDONLY, &ze)))
		zip_source_free(src);
	if (!r->za) {
		int code = zip_error_code_zip(&ze);
		rfail(r, code == ZIP_ER_MEMORY ? GAL_ENOMEM : GAL_EPARSE, "not a zip file, or a damaged one (%s)",
		      zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return r->status;
	}
	zip_error_fini(&ze);
	const gal_limits *lim = &r->opts->limits;
	zip_int64_t n = zip_get_num_entries(r->za, 0);
	if (n < 0 || (zip_uint64_t)n > lim->max_zip_entries)
		return rfail(r, GAL_ELIMIT, "%lld entries in the zip: more than the limit of %zu", (long long)n,
			     lim->max_zip_entries);
	if (raw_names_check(r))
		return r->status;
	zip_uint64_t total = 0;
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		if (zip_stat_index(r->za, (zip_uint64_t)i, 0, &st) != 0)
			return rfail(r, GAL_EPARSE, "damaged zip: entry %lld cannot be read", (long long)i);
		const char *name = (st.valid & ZIP_STAT_NAME) && st.name ? st.name : "";
		if (unsafe_name(name, strlen(name)))
			return rfail(r, GAL_EPARSE, "unsafe entry name in the zip ('%.100s'): refused", name);
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
			return rfail(r, GAL_EUNSUPPORTED, "encrypted EPUB: not supported (zip entry '%.100s' is encrypted)",
				     name);
		if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
			continue;
		/* what the headers claim, before anything is inflated */
		if (st.size > lim->max_input_bytes)
			return rfail(r, GAL_ELIMIT, "zip entry '%.100s' claims %llu bytes: more than the limit of %zu", name,
				     (unsigned long long)st.size, lim->max_input_bytes);
		total += st.size;
		if (total > lim->max_inflated_bytes)
			return rfail(r, GAL_ELIMIT, "the zip claims more than %zu bytes uncompressed: refused",
				     lim->max_inflated_bytes);
		if (st.size > RATIO_FLOOR && st.size / (st.comp_size ? st.comp_size : 1) > lim->max_ratio)
			return rfail(r, GAL_ELIMIT, "zip entry '%.100s': compression ratio above %u:1 (a zip bomb?): refused",
				     name, lim->max_ratio);
	}
	return GAL_OK;
}

/* Inflates one entry into memory (NUL-terminated). NULL with *missing set when there is no such entry; NULL
 * with r->status set on an error. The declared size, the running total and the ratio are checked as the bytes
 * come, so an entry that lies about its size is stopped one byte after the lie. */
static char *entry_read(R *r, const char *name, size_t *out_len, int *missing)
{
	*missing = 0;
	zip_int64_t i = zip_name_locate(r->za, name, 0);
	if (i < 0)
		i = zip_name_locate(r->za, name, ZIP_FL_NOCASE);
	if (i < 0) {
		*missing = 1;
		return NULL;
	}
	const gal_limits *lim = &r->opts->limits;
	zip_stat_t st;
	if (zip_stat_index(r->za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
		rfail(r, GAL_EPARSE, "damaged zip: entry '%.100s' cannot be read", name);
		return NULL;
	}
	size_t comp = (st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size ? (size_t)st.comp_size : 1;
	if (st.size > lim->max_input_bytes || st.size > lim->max_inflated_bytes - r->inflated) {
		rfail(r, GAL_ELIMIT, "zip entry '%.100s': more than the limit of uncompressed bytes", name);
		return NULL;
	}
	size_t size = (size_t)st.size;
	char *buf = malloc(size + 2);
	zip_file_t *f = buf ? zip_fopen_index(r->za, (zip_uint64_t)i, 0) : NULL;
	if (!f) {
		free(buf);
		if (!buf)
			oom(r);
		else
			rfail(r, GAL_EPARSE, "zip entry '%.100s' cannot be read: %s", name, zip_strerror(r->za));
		return NULL;
	}
	size_t got = 0;
	for (;;) {
		size_t want = size + 1 - got; /* one byte more than declared: a lie shows */
		if (want > 65536)
			want = 65536;
		if (!want)
			break;
		zip_int64_t k = zip_fread(f, buf + got, want);
		if (k < 0) {
			rfail(r, GAL_EPARSE, "zip entry '%.100s' is damaged: %s", name, zip_file_strerror(f));
			break;
		}
		if (k == 0)
			break;
		got += (size_t)k;
		if (got > size) {
			rfail(r, GAL_ELIMIT, "zip entry '%.100s' inflates beyond its declared size (a zip bomb?): refused",
			      name);
			break;
		}
		if (got > RATIO_FLOOR && got / comp > lim->max_ratio) {
			rfail(r, GAL_ELIMIT, "zip entry '%.100s': compression ratio above %u:1 (a zip bomb?): refused", name,
			      lim->max_ratio);
			break;
		}
	}
	zip_fclose(f);
	if (!r->status && got != size)
		rfail(r, GAL_EPARSE, "zip entry '%.100s' is truncated (%zu of %zu bytes)", name, got, size);
	if (r->status) {
		free(buf);
		return NULL;
	}
	r->inflated += got;
	buf[got] = '\0';
	*out_len = got;
	return buf;
}

/* ------------------------------------------------------------------ XML */

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* Well-formed XML only: no recovery, no network, no entity substitution, no DTD loading. The input is UTF-8
 * (gal_decode) and the parser is told so and to ignore the declaration, so that no libxml2 version decodes it
 * again by its own rules. */
static xmlDoc *xml_parse(const char *utf8, size_t len)
{
	if (len > INT_MAX)
		return NULL;
	xmlParserCtxtPtr pc = xmlCreateMemoryParserCtxt(utf8, (int)len);
	if (!pc)
		return NULL;
	xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	xmlSwitchEncoding(pc, XML_CHAR_ENCODING_UTF8);
	/* libxml2's generic error messages off for this parse (per thread), the caller's setting back after */
	xmlGenericErrorFunc saved_fn = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, silent);
	xmlParseDocument(pc);
	xmlSetGenericErrorFunc(saved_ctx, saved_fn);
	xmlDoc *d = pc->myDoc;
	pc->myDoc = NULL;
	if (!pc->wellFormed) {
		xmlFreeDoc(d);
		d = NULL;
	}
	xmlFreeParserCtxt(pc);
	return d;
}

static int is_elem(const xmlNode *x, const char *name)
{
	return x && x->type == XML_ELEMENT_NODE && !strcmp((const char *)x->name, name);
}

/* The first element named `name` under root (root included), in document order; NULL if none. */
static xmlNode *find_elem(xmlNode *root, const char *name)
{
	for (const xmlNode *x = root; x; x = gal_dom_next(x, root, 1))
		if (is_elem(x, name))
			return (xmlNode *)x;
	return NULL;
}

/* The collapsed text of an element; NULL when it has none. */
static char *elem_text(const xmlNode *x)
{
	xmlChar *t = xmlNodeGetContent(x);
	char *c = t ? gal_collapse_ws((const char *)t) : NULL;
	xmlFree(t);
	if (c && !*c) {
		free(c);
		c = NULL;
	}
	return c;
}

/* An XML document from the container; NULL (with r->status set) when it is missing and required, or broken. */
static xmlDoc *read_xml(R *r, const char *name, int required)
{
	size_t len;
	int missing;
	char *data = entry_read(r, name, &len, &missing);
	if (!data) {
		if (missing && required)
			rfail(r, GAL_EPARSE, "not an EPUB: no %.200s in the zip", name);
		return NULL;
	}
	/* package files follow the XML rules alone: --from-charset is for content documents */
	char *utf8;
	size_t n;
	int rc = gal_decode(data, len, GAL_SNIFF_XML, NULL, r->opts, FMT, name, &utf8, &n, NULL, r->err);
	free(data);
	if (rc) {
		r->status = rc;
		return NULL;
	}
	xmlDoc *d = xml_parse(utf8, n);
	free(utf8);
	if (!d)
		rfail(r, GAL_EPARSE, "%.200s is not well-formed XML", name);
	return d;
}

/* ------------------------------------------------------------------ container, encryption, package */

static int check_mimetype(R *r)
{
	size_t len;
	int missing;
	char *m = entry_read(r, "mimetype", &len, &missing);
	if (!m) {
		if (missing && r->opts->verbose)
			gal_warn(r->opts, FMT, 0, "no mimetype entry: read as an EPUB all the same");
		return r->status;
	}
	char *t = gal_collapse_ws(m);
	int ok = t && !strcmp(t, "application/epub+zip");
	if (!ok && t)
		rfail(r, GAL_EPARSE, "not an EPUB: its mimetype is '%.60s'", t);
	free(t);
	free(m);
	if (!ok)
		return r->status ? r->status : oom(r);
	zip_stat_t st;
	if (r->opts->verbose && zip_stat_index(r->za, 0, 0, &st) == 0 &&
	    (strcmp(st.name, "mimetype") || st.comp_method != ZIP_CM_STORE))
		gal_warn(r->opts, FMT, 0, "the mimetype entry is not first and stored: read all the same");
	return GAL_OK;
}

/* DRM encrypts content documents; font obfuscation (IDPF, Adobe) only mangles fonts, which galley never reads. */
static int check_encryption(R *r)
{
	if (zip_name_locate(r->za, "META-INF/encryption.xml", ZIP_FL_NOCASE) < 0)
		return GAL_OK;
	xmlDoc *d = read_xml(r, "META-INF/encryption.xml", 0);
	if (!d) {
		if (!r->status || r->status == GAL_EPARSE) {
			r->status = GAL_OK;
			rfail(r, GAL_EUNSUPPORTED, "encrypted EPUB: not supported (META-INF/encryption.xml cannot be read)");
		}
		return r->status;
	}
	xmlNode *root = xmlDocGetRootElement(d);
	for (const xmlNode *x = root; x && !r->status; x = gal_dom_next(x, root, 1)) {
		if (!is_elem(x, "EncryptionMethod"))
			continue;
		const char *alg = gal_dom_attr(x, "Algorithm");
		if (alg && (!strcmp(alg, "http://www.idpf.org/2008/embedding") || !strcmp(alg, "http://ns.adobe.com/pdf/enc#RC")))
			continue;
		const xmlNode *ref = find_elem((xmlNode *)x->parent, "CipherReference");
		const char *uri = ref ? gal_dom_attr(ref, "URI") : NULL;
		rfail(r, GAL_EUNSUPPORTED, "encrypted EPUB: not supported (%.200s is encrypted)", uri ? uri : "content");
	}
	xmlFreeDoc(d);
	return r->status;
}

static char *rootfile_path(R *r)
{
	xmlDoc *d = read_xml(r, "META-INF/container.xml", 1);
	if (!d)
		return NULL;
	xmlNode *root = xmlDocGetRootElement(d);
	char *path = NULL;
	for (const xmlNode *x = root; x && !path; x = gal_dom_next(x, root, 1))
		if (is_elem(x, "rootfile")) {
			const char *mt = gal_dom_attr(x, "media-type");
			const char *fp = gal_dom_attr(x, "full-path");
			if (fp && (!mt || !strcmp(mt, "application/oebps-package+xml")))
				path = resolve("", fp, NULL);
		}
	xmlFreeDoc(d);
	if (!path)
		rfail(r, GAL_EPARSE, "not an EPUB: META-INF/container.xml names no package document");
	return path;
}

static void set_first(char **slot, const xmlNode *x)
{
	if (*slot)
		return;
	*slot = elem_text(x);
}

/* The book's metadata: the main title (EPUB 3 "title-type" main, else the first), the creators, date and language. */
static void package_metadata(R *r, xmlNode *md)
{
	gal_docmeta *dm = r->doc->docmeta;
	const char *main_id = NULL;
	for (const xmlNode *x = md->children; x; x = x->next)
		if (is_elem(x, "meta")) {
			const char *prop = gal_dom_attr(x, "property"), *ref = gal_dom_attr(x, "refines");
			xmlChar *v = prop && ref && !strcmp(prop, "title-type") ? xmlNodeGetContent(x) : NULL;
			if (v && !strcmp((const char *)v, "main") && ref[0] == '#')
				main_id = ref + 1;
			xmlFree(v);
		}
	gal_buf creators = GAL_BUF_INIT;
	for (const xmlNode *x = md->children; x; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(x, "title")) {
			const char *id = gal_dom_attr(x, "id");
			if (main_id && id && !strcmp(id, main_id)) {
				free(dm->title);
				dm->title = NULL;
			}
			set_first(&dm->title, x);
		} else if (is_elem(x, "creator")) {
			char *c = elem_text(x);
			if (c)
				gal_buf_printf(&creators, "%s%s", creators.len ? ", " : "", c);
			free(c);
		} else if (is_elem(x, "date"))
			set_first(&dm->date, x);
		else if (is_elem(x, "language"))
			set_first(&dm->language, x);
	}
	if (creators.len)
		dm->creator = gal_buf_detach(&creators);
	gal_buf_free(&creators);
	if (dm->date) {
		char *iso = gal_date_normalize(dm->date);
		if (iso) {
			free(dm->date);
			dm->date = iso;
		}
	}
	if (dm->language && !(r->book_lang = strdup(dm->language)))
		oom(r);
}

static int read_package(R *r, const char *opf_path)
{
	xmlDoc *d = read_xml(r, opf_path, 1);
	if (!d)
		return r->status;
	r->opf_dir = dir_of(opf_path);
	xmlNode *root = xmlDocGetRootElement(d);
	xmlNode *md = NULL, *manifest = NULL, *spine = NULL;
	for (xmlNode *x = root ? root->children : NULL; x; x = x->next) {
		if (is_elem(x, "metadata") && !md)
			md = x;
		else if (is_elem(x, "manifest") && !manifest)
			manifest = x;
		else if (is_elem(x, "spine") && !spine)
			spine = x;
	}
	if (!r->opf_dir)
		oom(r);
	else if (!root || !is_elem(root, "package") || !manifest || !spine)
		rfail(r, GAL_EPARSE, "%.200s is not a package document (no manifest or spine)", opf_path);
	if (!r->status && md)
		package_metadata(r, md);
	size_t cap = 0;
	for (const xmlNode *x = manifest ? manifest->children : NULL; x && !r->status; x = x->next) {
		if (!is_elem(x, "item"))
			continue;
		const char *id = gal_dom_attr(x, "id"), *href = gal_dom_attr(x, "href");
		char *path = resolve(r->opf_dir, href, NULL);
		if (!id || !path) {
			free(path);
			continue;
		}
		item *ni = grow(r, r->items, &cap, r->nitems + 1, sizeof *ni);
		if (!ni) {
			free(path);
			break;
		}
		r->items = ni;
		const char *mt = gal_dom_attr(x, "media-type"), *props = gal_dom_attr(x, "properties");
		item *it = &r->items[r->nitems++];
		it->path = path;
		it->id = strdup(id);
		it->media = strdup(mt ? mt : "");
		it->props = strdup(props ? props : "");
		if (!it->id || !it->media || !it->props)
			oom(r);
	}
	const char *ncx_id = spine ? gal_dom_attr(spine, "toc") : NULL;
	const item *ncx = NULL;
	cap = 0;
	for (const xmlNode *x = spine ? spine->children : NULL; x && !r->status; x = x->next) {
		if (!is_elem(x, "itemref"))
			continue;
		const char *idref = gal_dom_attr(x, "idref"), *linear = gal_dom_attr(x, "linear");
		size_t k = 0;
		while (idref && k < r->nitems && strcmp(r->items[k].id, idref))
			k++;
		if (!idref || k == r->nitems) {
			gal_warn(r->opts, FMT, 0, "spine item '%.100s' is not in the manifest: skipped", idref ? idref : "");
			continue;
		}
		if (linear && !strcmp(linear, "no"))
			continue; /* supplementary content, outside the reading order */
		size_t *ns = grow(r, r->spine, &cap, r->nspine + 1, sizeof *ns);
		if (!ns)
			break;
		r->spine = ns;
		r->spine[r->nspine++] = k;
	}
	for (size_t k = 0; k < r->nitems && !r->status; k++) {
		const item *it = &r->items[k];
		for (const char *p = it->props; *p && !r->nav;) {
			size_t n = strcspn(p, " \t\n");
			if (n == 3 && !strncmp(p, "nav", 3))
				r->nav = it;
			p += n;
			while (*p && gal_is_space((unsigned char)*p))
				p++;
		}
		if ((ncx_id && !strcmp(it->id, ncx_id)) || (!ncx && !strcmp(it->media, "application/x-dtbncx+xml")))
			ncx = it;
	}
	r->ncx = ncx;
	xmlFreeDoc(d);
	return r->status;
}

/* ------------------------------------------------------------------ navigation (TOC) */

static void toc_add(R *r, const char *base, const char *label, const char *href, int depth)
{
	char *frag;
	char *path = resolve(base, href, &frag);
	char *l = gal_collapse_ws(label ? label : "");
	toc_entry *nt = path && l ? grow(r, r->toc, &r->captoc, r->ntoc + 1, sizeof *nt) : NULL;
	if (!nt) {
		free(path);
		free(frag);
		free(l);
		return;
	}
	r->toc = nt;
	r->toc[r->ntoc++] = (toc_entry){l, path, frag, depth};
}

/* An EPUB 3 nav list: <li> holds <a href> (or a <span> heading) and maybe a nested <ol>. */
static void nav_list(R *r, const char *base, const xmlNode *ol, int depth)
{
	if (depth > r->opts->limits.max_depth)
		return;
	for (const xmlNode *li = ol->children; li && !r->status; li = li->next) {
		if (!is_elem(li, "li"))
			continue;
		/* a heading without a link (<span>) groups entries without making a level of its own */
		int linked = 1;
		for (const xmlNode *k = li->children; k && !r->status; k = k->next) {
			if (is_elem(k, "a") && !gal_dom_attr(k, "href"))
				linked = 0;
			else if (is_elem(k, "a")) {
				char *t = elem_text(k);
				toc_add(r, base, t, gal_dom_attr(k, "href"), depth);
				free(t);
			} else if (is_elem(k, "span"))
				linked = 0;
			else if (is_elem(k, "ol"))
				nav_list(r, base, k, linked ? depth + 1 : depth);
		}
	}
}

static void ncx_points(R *r, const char *base, const xmlNode *parent, int depth)
{
	if (depth > r->opts->limits.max_depth)
		return;
	for (const xmlNode *p = parent->children; p && !r->status; p = p->next) {
		if (!is_elem(p, "navPoint"))
			continue;
		char *label = NULL;
		const char *src = NULL;
		for (const xmlNode *k = p->children; k; k = k->next) {
			if (is_elem(k, "navLabel") && !label)
				label = elem_text(k);
			else if (is_elem(k, "content") && !src)
				src = gal_dom_attr(k, "src");
		}
		if (src)
			toc_add(r, base, label, src, depth);
		free(label);
		ncx_points(r, base, p, depth + 1);
	}
}

static xmlDoc *parse_content(R *r, const char *name, const char *data, size_t len);

/* The table of contents: the nav document's toc nav, else the NCX. A book with neither reads all the same. */
static void read_toc(R *r)
{
	if (r->nav) {
		size_t len;
		int missing;
		char *data = entry_read(r, r->nav->path, &len, &missing);
		xmlDoc *d = data ? parse_content(r, r->nav->path, data, len) : NULL;
		if (!d && data && (r->status == GAL_EPARSE || r->status == GAL_OK)) { /* broken or empty */
			r->status = GAL_OK; /* a broken navigation document costs the TOC, not the book */
			gal_warn(r->opts, FMT, 0, "%.200s cannot be read: no table of contents from it", r->nav->path);
		}
		free(data);
		xmlNode *root = d ? xmlDocGetRootElement(d) : NULL, *toc = NULL;
		for (const xmlNode *x = root; x && !toc; x = gal_dom_next(x, root, 1))
			if (is_elem(x, "nav")) {
				const char *t = gal_dom_attr(x, "type");
				if (t && strstr(t, "toc"))
					toc = (xmlNode *)x;
			}
		char *base = dir_of(r->nav->path);
		const xmlNode *ol = toc ? find_elem(toc, "ol") : NULL;
		if (ol && base)
			nav_list(r, base, ol, 1);
		free(base);
		xmlFreeDoc(d);
	}
	if (!r->ntoc && r->ncx && !r->status) {
		xmlDoc *d = read_xml(r, r->ncx->path, 0);
		if (!d && r->status == GAL_EPARSE) {
			r->status = GAL_OK; /* a broken NCX costs the TOC, not the book */
			gal_warn(r->opts, FMT, 0, "%.200s is not well-formed XML: no table of contents", r->ncx->path);
		}
		xmlNode *root = d ? xmlDocGetRootElement(d) : NULL;
		const xmlNode *map = root ? find_elem(root, "navMap") : NULL;
		char *base = dir_of(r->ncx->path);
		if (map && base)
			ncx_points(r, base, map, 1);
		free(base);
		xmlFreeDoc(d);
	}
}

/* ------------------------------------------------------------------ content documents */

static int has_entity_refs(xmlNode *root)
{
	for (const xmlNode *x = root; x; x = gal_dom_next(x, root, x->type == XML_ELEMENT_NODE))
		if (x->type == XML_ENTITY_REF_NODE)
			return 1;
	return 0;
}

/* Blanks out a document type declaration with an internal subset ("<!DOCTYPE html [ <!ENTITY ...> ]>"), which the
 * HTML parser would show as text. Its entities are not used: a reference to one stays as written. */
static void blank_doctype(char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (gal_is_space((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80 || s[i] == '<')) {
		if (s[i] == '<' && i + 1 < n && s[i + 1] == '?') { /* the XML declaration */
			char *e = memchr(s + i, '>', n - i);
			if (!e)
				return;
			i = (size_t)(e - s) + 1;
			continue;
		}
		if (s[i] == '<')
			break;
		i++;
	}
	if (i + 9 > n || gal_strncasecmp(s + i, "<!doctype", 9))
		return;
	size_t j = i + 9;
	while (j < n && s[j] != '[' && s[j] != '>')
		j++;
	if (j >= n || s[j] != '[')
		return;
	char *end = NULL;
	for (size_t k = j; k + 1 < n && !end; k++)
		if (s[k] == ']') {
			size_t m = k + 1;
			while (m < n && gal_is_space((unsigned char)s[m]))
				m++;
			if (m < n && s[m] == '>')
				end = s + m;
		}
	if (end)
		memset(s + i, ' ', (size_t)(end - (s + i)) + 1);
}

/* A content document's DOM: the XML parser's when the document is well-formed and uses no entity it does not
 * know (XHTML's &nbsp; without its DTD), else the HTML parser's recovery. NULL with r->status on failure; NULL
 * with r->status 0 for an empty document (no element at all). */
static xmlDoc *parse_content(R *r, const char *name, const char *data, size_t len)
{
	size_t i = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
	gal_sniff_mode mode = len - i >= 5 && !memcmp(data + i, "<?xml", 5) ? GAL_SNIFF_XML : GAL_SNIFF_HTML;
	char *utf8;
	size_t n;
	int rc = gal_decode(data, len, mode, r->opts->charset.from, r->opts, FMT, name, &utf8, &n, NULL, r->err);
	if (rc) {
		r->status = rc;
		return NULL;
	}
	/* line ends normalised, as XML and HTML both define them: libxml2 2.9 keeps CR from a memory buffer */
	size_t o = 0;
	for (size_t k = 0; k < n; k++)
		if (utf8[k] != '\r')
			utf8[o++] = utf8[k];
		else if (k + 1 >= n || utf8[k + 1] != '\n')
			utf8[o++] = '\n';
	n = o;
	utf8[n] = '\0';
	xmlDoc *d = xml_parse(utf8, n);
	if (d && xmlDocGetRootElement(d) && !has_entity_refs(xmlDocGetRootElement(d))) {
		free(utf8);
		return d;
	}
	xmlFreeDoc(d);
	/* nothing (or a byte order mark alone): empty, and libxml2 makes no HTML parser for 0 bytes */
	if (n == 0) {
		free(utf8);
		return NULL;
	}
	if (r->opts->verbose)
		gal_warn(r->opts, FMT, 0, "%.200s is not well-formed XHTML: read with the HTML parser", name);
	blank_doctype(utf8, n);
	htmlParserCtxtPtr pc = n <= INT_MAX ? htmlCreateMemoryParserCtxt(utf8, (int)n) : NULL;
	if (!pc) {
		free(utf8);
		oom(r);
		return NULL;
	}
	htmlCtxtUseOptions(pc, GAL_HTML_PARSE_OPTIONS);
	xmlSwitchEncoding(pc, XML_CHAR_ENCODING_UTF8);
	xmlGenericErrorFunc saved_fn = xmlGenericError;
	void *saved_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, silent);
	htmlParseDocument(pc);
	xmlSetGenericErrorFunc(saved_ctx, saved_fn);
	d = pc->myDoc;
	pc->myDoc = NULL;
	htmlFreeParserCtxt(pc);
	free(utf8);
	if (!d || !xmlDocGetRootElement(d)) {
		xmlFreeDoc(d); /* white space, comments: empty */
		return NULL;
	}
	return d;
}

/* The value of the epub:type attribute (the OPS namespace), NULL if none. */
static const char *epub_type(const xmlNode *x)
{
	for (const xmlAttr *a = x->properties; a; a = a->next)
		if (a->ns && a->ns->href && !strcmp((const char *)a->ns->href, NS_OPS) && !strcmp((const char *)a->name, "type"))
			return a->children && a->children->content ? (const char *)a->children->content : "";
	return NULL;
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		while (gal_is_space((unsigned char)*p))
			p++;
		size_t k = 0;
		while (p[k] && !gal_is_space((unsigned char)p[k]))
			k++;
		if (k == n && !strncmp(p, word, n))
			return 1;
		p += k;
	}
	return 0;
}

/* Whether galley wrote this document: then its <meta name="galley:..."> hold the article's metadata. */
static int galley_doc(xmlNode *root)
{
	xmlNode *head = find_elem(root, "head");
	for (const xmlNode *x = head ? head->children : NULL; x; x = x->next)
		if (is_elem(x, "meta")) {
			const char *n = gal_dom_attr(x, "name"), *c = gal_dom_attr(x, "content");
			if (n && c && !strcmp(n, "generator") && !strncmp(c, "galley", 6))
				return 1;
		}
	return 0;
}

/* Prepares a content document for the tree building: image references become paths inside the container;
 * EPUB furniture goes (page-break markers, the alternatives of an epub:switch other than its default); in a
 * document galley wrote, its visible header and footer go (the metadata holds them) and what the book could not
 * hold comes back from the data-gal-* attributes. */
static void prepare_dom(R *r, xmlDoc *d, const char *base, int galley)
{
	xmlNode *root = xmlDocGetRootElement(d);
	xmlNode *x = root;
	while (x && !r->status) {
		if (x->type != XML_ELEMENT_NODE) {
			/* a carriage return written as &#x0D; is a line end in text: a Markdown code block cannot hold it */
			if (x->type == XML_TEXT_NODE && x->content && strchr((const char *)x->content, '\r')) {
				/* a copy: the parser may share short strings between nodes */
				char *t = strdup((const char *)x->content), *o = t;
				for (const char *p = t; p && *p; p++)
					if (*p != '\r')
						*o++ = *p;
					else if (p[1] != '\n')
						*o++ = '\n';
				if (t) {
					*o = '\0';
					xmlNodeSetContent(x, (const xmlChar *)t);
				}
				free(t);
			}
			x = (xmlNode *)gal_dom_next(x, root, 0);
			continue;
		}
		const char *name = (const char *)x->name, *et = epub_type(x), *cls = gal_dom_attr(x, "class");
		int in_switch = x->parent && is_elem(x->parent, "switch") && x->ns && x->ns->href &&
				!strcmp((const char *)x->ns->href, NS_OPS);
		int drop = (in_switch && !strcmp(name, "case")) || (et && has_word(et, "pagebreak")) ||
			   (galley && cls && ((!strcmp(name, "header") && !strcmp(cls, "gal-head")) ||
					      (!strcmp(name, "footer") && !strcmp(cls, "gal-foot"))));
		if (drop && x != root) {
			xmlNode *next = (xmlNode *)gal_dom_next(x, root, 0);
			xmlUnlinkNode(x);
			xmlFreeNode(x);
			x = next;
			continue;
		}
		/* (an image galley left out comes back below with its reference as it was) */
		if (!strcmp(name, "img") && !(galley && x->parent && x->parent->type == XML_ELEMENT_NODE &&
					      gal_dom_attr(x->parent, "data-gal-src"))) {
			char *p = resolve(base, gal_dom_attr(x, "src"), NULL);
			if (p && !xmlSetProp(x, (const xmlChar *)"src", (const xmlChar *)p))
				oom(r);
			free(p);
		}
		const char *v;
		if (galley && !strcmp(name, "figure") &&
		    ((v = gal_dom_attr(x, "data-gal-src")) || gal_dom_attr(x, "data-gal-alt")) && !find_elem(x, "img")) {
			xmlNode *img = xmlNewDocNode(d, x->ns, (const xmlChar *)"img", NULL);
			const char *alt = gal_dom_attr(x, "data-gal-alt");
			if (!img || (v && !xmlSetProp(img, (const xmlChar *)"src", (const xmlChar *)v)) ||
			    (alt && !xmlSetProp(img, (const xmlChar *)"alt", (const xmlChar *)alt))) {
				xmlFreeNode(img);
				oom(r);
				break;
			}
			if (x->children)
				xmlAddPrevSibling(x->children, img);
			else
				xmlAddChild(x, img);
		}
		if (galley && (!strcmp(name, "span") || !strcmp(name, "a")) && (v = gal_dom_attr(x, "data-gal-href"))) {
			if (!strcmp(name, "span"))
				xmlNodeSetName(x, (const xmlChar *)"a"), x->extra = 0; /* the HTML mapper caches kinds there */
			if (!xmlSetProp(x, (const xmlChar *)"href", (const xmlChar *)v))
				oom(r);
		}
		x = (xmlNode *)gal_dom_next(x, root, 1);
	}
}

static const struct {
	const char *key;
	size_t off;
} galley_fields[] = {
    {"id", offsetof(gal_meta, id)},
    {"headline", offsetof(gal_meta, headline)},
    {"deck", offsetof(gal_meta, deck)},
    {"dateline-place", offsetof(gal_meta, dateline_place)},
    {"dateline-date", offsetof(gal_meta, dateline_date)},
    {"issued", offsetof(gal_meta, issued)},
    {"modified", offsetof(gal_meta, modified)},
    {"section", offsetof(gal_meta, section)},
    {"language", offsetof(gal_meta, language)},
    {"source", offsetof(gal_meta, source)},
    {"copyright", offsetof(gal_meta, copyright)},
    {"url", offsetof(gal_meta, url)},
    {"abstract", offsetof(gal_meta, abstract)},
    {"tagline", offsetof(gal_meta, tagline)},
};

/* The article's metadata from the <meta name="galley:..."> galley writes (docs/epub.md). */
static void galley_meta(R *r, xmlNode *root, gal_meta *m)
{
	xmlNode *head = find_elem(root, "head");
	for (const xmlNode *x = head ? head->children : NULL; x && !r->status; x = x->next) {
		const char *n = is_elem(x, "meta") ? gal_dom_attr(x, "name") : NULL, *c = gal_dom_attr(x, "content");
		if (!n || !c || strncmp(n, "galley:", 7))
			continue;
		const char *key = n + 7;
		int rc = GAL_OK;
		if (!strcmp(key, "byline"))
			rc = gal_meta_add_byline(m, c, NULL);
		else if (!strcmp(key, "byline-title") && m->nbylines)
			rc = gal_set_string(&m->bylines[m->nbylines - 1].title, c);
		else if (!strcmp(key, "keyword"))
			rc = gal_strlist_push(&m->keywords, c);
		else if (!strcmp(key, "note"))
			rc = gal_strlist_push(&m->notes, c);
		else
			for (size_t i = 0; i < sizeof galley_fields / sizeof *galley_fields; i++)
				if (!strcmp(key, galley_fields[i].key))
					rc = gal_set_string((char **)((char *)m + galley_fields[i].off), c);
		if (rc)
			oom(r);
	}
}

/* One content document, parsed and prepared. */
typedef struct {
	const item *it;
	xmlDoc *doc;
	xmlNode *root, *body;
	int galley;
	char *title; /* its <title>, NULL if none */
	const char *lang;
} cdoc;

static void cdoc_free(cdoc *c)
{
	xmlFreeDoc(c->doc);
	free(c->title);
	memset(c, 0, sizeof *c);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !gal_strcasecmp(s + n - k, suffix);
}

/* Loads a spine item. 1 when it is skipped (not a content document, missing: with a warning), 0 when loaded,
 * negative on an error. */
static int load_doc(R *r, const item *it, cdoc *c)
{
	memset(c, 0, sizeof *c);
	if (it == r->nav)
		return 1; /* the table of contents is furniture */
	const char *mt = it->media;
	int markup = !strcmp(mt, "application/xhtml+xml") || !strcmp(mt, "text/html") || ends_with(it->path, ".xhtml") ||
		     ends_with(it->path, ".html") || ends_with(it->path, ".htm");
	if (!markup && (!strcmp(mt, "image/svg+xml") || !strncmp(mt, "image/", 6))) {
		gal_warn(r->opts, FMT, 0, "spine item %.200s (%.60s) is not text: skipped", it->path, mt);
		return 1;
	}
	size_t len;
	int missing;
	char *data = entry_read(r, it->path, &len, &missing);
	if (!data) {
		if (missing)
			gal_warn(r->opts, FMT, 0, "spine item %.200s is missing from the zip: skipped", it->path);
		return missing ? 1 : r->status;
	}
	if (!markup && !(memchr(data, '<', len < 512 ? len : 512) && !gal_looks_binary(data, len))) {
		gal_warn(r->opts, FMT, 0, "spine item %.200s (%.60s) is not a content document: skipped", it->path, mt);
		free(data);
		return 1;
	}
	c->doc = parse_content(r, it->path, data, len);
	free(data);
	if (!c->doc && !r->status) {
		gal_warn(r->opts, FMT, 0, "spine item %.200s is empty: skipped", it->path);
		return 1;
	}
	if (!c->doc)
		return r->status;
	c->it = it;
	c->root = xmlDocGetRootElement(c->doc);
	c->galley = galley_doc(c->root);
	char *base = dir_of(it->path);
	if (!base)
		return oom(r);
	prepare_dom(r, c->doc, base, c->galley);
	free(base);
	c->body = find_elem(c->root, "body");
	if (!c->body)
		c->body = c->root;
	xmlNode *t = find_elem(c->root, "title");
	if (t && t != c->root)
		c->title = elem_text(t);
	const char *l = gal_dom_attr(c->root, "lang");
	if (!l || !*l) /* the HTML parser keeps xml:lang as one name */
		l = gal_dom_attr(c->root, "xml:lang");
	c->lang = l && *l ? l : r->book_lang;
	return r->status;
}

/* ------------------------------------------------------------------ articles */

static gal_node *new_article(R *r)
{
	gal_node *a = gal_node_new(GAL_NODE_ARTICLE);
	if (!a) {
		oom(r);
		return NULL;
	}
	gal_node_append(r->doc, a);
	r->nodes++;
	return a;
}

static void map_range(R *r, const xmlNode *first, const xmlNode *last, gal_node *art)
{
	if (!r->status && first)
		r->status = gal_html_dom_blocks(first, last, art, &r->nodes, r->opts, r->err);
}

/* A headline for an article of a book galley did not write: the TOC's label, else a heading that opens it, else
 * the document's title when it is not just the book's. A heading that opens the body and says the same goes. */
static void headline(R *r, gal_node *art, const char *label, const cdoc *c)
{
	gal_tree_normalize(art);
	gal_meta *m = art->meta;
	gal_node *first = art->first;
	char *ht = first && first->type == GAL_NODE_HEADING ? gal_node_text(first) : NULL;
	char *h = ht ? gal_collapse_ws(ht) : NULL;
	free(ht);
	const char *book = r->doc->docmeta->title;
	const char *best = label && *label ? label : h && *h ? h : c->title && !(book && !strcmp(book, c->title)) ? c->title : NULL;
	if (best && gal_set_string(&m->headline, best))
		oom(r);
	if (h && m->headline && gal_loose_equal(h, m->headline, 0))
		gal_node_free(first);
	free(h);
	if (c->lang && gal_set_string(&m->language, c->lang))
		oom(r);
}

/* The TOC label of a whole document: an entry without a fragment, else the first entry into it. */
static const char *doc_label(const R *r, const char *path)
{
	const char *any = NULL;
	for (size_t i = 0; i < r->ntoc; i++)
		if (!strcmp(r->toc[i].path, path)) {
			if (!r->toc[i].frag)
				return r->toc[i].label;
			if (!any)
				any = r->toc[i].label;
		}
	return any;
}

/* One article per spine item. */
static void read_spine(R *r)
{
	for (size_t s = 0; s < r->nspine && !r->status; s++) {
		cdoc c;
		int rc = load_doc(r, &r->items[r->spine[s]], &c);
		if (rc) {
			cdoc_free(&c);
			continue;
		}
		gal_node *art = new_article(r);
		if (art) {
			if (c.galley)
				galley_meta(r, c.root, art->meta);
			map_range(r, c.root, c.root, art);
			const char *label = doc_label(r, c.it->path);
			if (!c.galley && !r->status)
				headline(r, art, label, &c);
			if (!art->first && !art->meta->headline && !label && !c.galley)
				gal_node_free(art); /* a page with nothing to read (a cover image) */
		}
		cdoc_free(&c);
	}
}

/* ------------------------------------------------------------------ articles by the table of contents */

/* The TOC level that makes the chapters: the top one, or the one below a lone top entry ("Contents" > chapters). */
static int cut_depth(const R *r)
{
	int d = INT_MAX;
	for (size_t i = 0; i < r->ntoc; i++)
		if (r->toc[i].depth < d)
			d = r->toc[i].depth;
	for (;;) {
		size_t at = 0;
		int deeper = INT_MAX;
		for (size_t i = 0; i < r->ntoc; i++) {
			if (r->toc[i].depth == d)
				at++;
			else if (r->toc[i].depth > d && r->toc[i].depth < deeper)
				deeper = r->toc[i].depth;
		}
		if (at != 1 || deeper == INT_MAX)
			return d;
		d = deeper;
	}
}

/* Splits the ancestors of e below body so that e starts a child of body; returns that child (NULL if e is not
 * inside body). The content before e stays in the original elements, e and what follows it move to shallow
 * copies placed after them. */
static xmlNode *split_before(R *r, xmlNode *e, xmlNode *body)
{
	xmlNode *node = e;
	int depth = 0;
	while (node->parent && node->parent != body) {
		if (++depth > 10000)
			return NULL;
		xmlNode *parent = node->parent;
		if (parent->type != XML_ELEMENT_NODE)
			return NULL;
		if (!node->prev) {
			node = parent;
			continue;
		}
		xmlNode *copy = xmlDocCopyNode(parent, parent->doc, 2);
		if (!copy) {
			oom(r);
			return NULL;
		}
		xmlAddNextSibling(parent, copy);
		for (xmlNode *k = node; k;) {
			xmlNode *next = k->next;
			xmlUnlinkNode(k);
			xmlAddChild(copy, k);
			k = next;
		}
		node = copy;
	}
	return node->parent == body ? node : NULL;
}

typedef struct {
	size_t toc;    /* entry */
	xmlNode *at;   /* the element it points at; NULL: the document's start */
	size_t pos;    /* document order of `at` (0: start) */
	xmlNode *top;  /* the child of body the article starts with (after splitting) */
} cut;

static int cmp_cut(const void *a, const void *b)
{
	const cut *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos ? 1 : x->toc < y->toc ? -1 : x->toc > y->toc;
}

static void read_by_toc(R *r)
{
	if (!r->ntoc) {
		gal_warn(r->opts, FMT, 0, "the book has no table of contents: one article per file");
		read_spine(r);
		return;
	}
	int depth = cut_depth(r);
	gal_node *cur = NULL; /* the article the text goes to: chapters run on across files */
	cut *cuts = NULL;
	size_t cap = 0;
	for (size_t s = 0; s < r->nspine && !r->status; s++) {
		cdoc c;
		if (load_doc(r, &r->items[r->spine[s]], &c)) {
			cdoc_free(&c);
			continue;
		}
		/* the cuts in this document, in document order */
		size_t n = 0;
		for (size_t i = 0; i < r->ntoc && !r->status; i++) {
			if (r->toc[i].depth != depth || strcmp(r->toc[i].path, c.it->path))
				continue;
			cut *nc = grow(r, cuts, &cap, n + 1, sizeof *nc);
			if (!nc)
				break;
			cuts = nc;
			cuts[n++] = (cut){i, NULL, 0, NULL};
		}
		size_t pos = 0;
		for (const xmlNode *x = c.body; x && n; x = gal_dom_next(x, c.body, 1)) {
			pos++;
			const char *id = x->type == XML_ELEMENT_NODE ? gal_dom_attr(x, "id") : NULL;
			if (!id && is_elem(x, "a"))
				id = gal_dom_attr(x, "name");
			for (size_t k = 0; id && k < n; k++)
				if (!cuts[k].at && r->toc[cuts[k].toc].frag && !strcmp(r->toc[cuts[k].toc].frag, id) && x != c.body)
					cuts[k].at = (xmlNode *)x, cuts[k].pos = pos;
		}
		if (n) /* no cuts: cuts may be NULL, which qsort must not get */
			qsort(cuts, n, sizeof *cuts, cmp_cut);
		/* split from the last cut backwards: the children of body never move, so the tops stay valid */
		for (size_t k = n; k-- > 0 && !r->status;)
			cuts[k].top = cuts[k].at ? split_before(r, cuts[k].at, c.body) : NULL;
		for (size_t k = 0; k < n; k++)
			if (!cuts[k].top)
				cuts[k].top = c.body->children, cuts[k].at = NULL;
		/* what comes before the first cut continues the article before, or opens the book */
		xmlNode *first = c.body->children;
		xmlNode *stop = n ? cuts[0].top : NULL;
		if (first && first != stop) {
			gal_node *art = cur;
			if (!art && (art = new_article(r)))
				headline(r, art, NULL, &c);
			map_range(r, first, stop ? stop->prev : NULL, art);
			if (art && art != cur && !art->first) {
				gal_node_free(art);
				art = NULL;
			}
			cur = art;
		}
		for (size_t k = 0; k < n && !r->status; k++) {
			gal_node *art = new_article(r);
			if (!art)
				break;
			const toc_entry *t = &r->toc[cuts[k].toc];
			xmlNode *end = k + 1 < n ? cuts[k + 1].top : NULL;
			if (cuts[k].top != end)
				map_range(r, cuts[k].top, end ? end->prev : NULL, art);
			if (c.galley && !cuts[k].at)
				galley_meta(r, c.root, art->meta);
			else
				headline(r, art, t->label, &c);
			cur = art;
		}
		cdoc_free(&c);
	}
	free(cuts);
}

/* ------------------------------------------------------------------ entry points */

static void r_free(R *r)
{
	for (size_t i = 0; i < r->nitems; i++) {
		free(r->items[i].id);
		free(r->items[i].path);
		free(r->items[i].media);
		free(r->items[i].props);
	}
	free(r->items);
	free(r->spine);
	for (size_t i = 0; i < r->ntoc; i++) {
		free(r->toc[i].label);
		free(r->toc[i].path);
		free(r->toc[i].frag);
	}
	free(r->toc);
	free(r->opf_dir);
	free(r->book_lang);
	if (r->za)
		zip_discard(r->za);
}

static int epub_read(const char *data, size_t len, const gal_options *opts, gal_node **out, gal_error *err)
{
	R r;
	memset(&r, 0, sizeof r);
	r.opts = opts;
	r.err = err;
	r.data = data;
	r.len = len;
	if (!(r.doc = gal_node_new(GAL_NODE_DOCUMENT)))
		return oom(&r);
	char *opf = NULL;
	if (!open_zip(&r) && !check_mimetype(&r) && !check_encryption(&r) && (opf = rootfile_path(&r)) &&
	    !read_package(&r, opf)) {
		read_toc(&r);
		if (!r.status)
			opts->epub.split_toc ? read_by_toc(&r) : read_spine(&r);
	}
	if (!r.status && !r.doc->first)
		rfail(&r, GAL_EPARSE, "no readable content documents in the spine");
	free(opf);
	r_free(&r);
	if (r.status) {
		gal_node_free(r.doc);
		return r.status;
	}
	gal_tree_normalize(r.doc);
	*out = r.doc;
	return GAL_OK;
}

int gal_epub_entry(const char *epub, size_t len, const char *path, const gal_options *opts, char **data,
		   size_t *out_len, gal_error *err)
{
	gal_options defaults = GAL_OPTIONS_INIT;
	R r;
	memset(&r, 0, sizeof r);
	r.opts = opts ? opts : &defaults;
	r.err = err;
	r.data = epub;
	r.len = len;
	*data = NULL;
	gal_lib_init();
	int missing = 0;
	if (!open_zip(&r) && !(*data = entry_read(&r, path, out_len, &missing)) && missing)
		rfail(&r, GAL_EIO, "%.200s: not in the book", path);
	r_free(&r);
	return r.status;
}

/* An EPUB is a zip whose first entry is `mimetype` holding "application/epub+zip" (stored, so readable here). */
static int epub_sniff(const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	if (len < 30 || memcmp(u, "PK\3\4", 4))
		return 0;
	size_t nl = get16(u + 26), xl = get16(u + 28);
	if (nl == 8 && len >= 38 && !memcmp(u + 30, "mimetype", 8))
		return len >= 30 + nl + xl + 20 && !memcmp(u + 30 + nl + xl, "application/epub+zip", 20) ? 100 : 90;
	for (size_t i = 0; i + 22 <= len; i++)
		if (data[i] == 'M' && !memcmp(data + i, "META-INF/container.xml", 22))
			return 60;
	return 5;
}

const gal_format gal_format_epub = {
    "epub", NULL, "epub", "EPUB e-books: reads EPUB 2 and 3, writes EPUB 3 (several inputs: a digest)", epub_sniff,
    epub_read, gal_epub_write, 0, GAL_OUTPUT_UTF8_ONLY,
};
