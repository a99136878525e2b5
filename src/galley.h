/*
 * galley.h: the public API of libgalley, a newsroom document-format converter.
 *
 * Readers parse bytes (HTML, NITF, EPUB) into one article tree; writers serialise that tree (text, Markdown,
 * NITF, EPUB) into a sink. Ownership is explicit: whatever a `_new` (or a reader) returns, the caller owns and
 * releases with the matching `_free`; freeing a node frees its whole subtree. The library never prints and never
 * exits: errors come back as negative status codes with a gal_error record, warnings through a callback.
 * There is no global mutable state, so separate trees may be used on separate threads.
 */
#ifndef GALLEY_H
#define GALLEY_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GAL_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------ status codes and errors */

typedef enum {
	GAL_OK = 0,
	GAL_ENOMEM = -1,   /* allocation failed */
	GAL_EIO = -2,      /* reading or writing a file or stream failed */
	GAL_EPARSE = -3,   /* input is not what the reader expects */
	GAL_ELIMIT = -4,   /* input exceeds a limit in gal_limits */
	GAL_EINVAL = -5,   /* bad argument or option */
	GAL_ECHARSET = -6, /* text cannot be decoded or encoded */
	GAL_EFORMAT = -7,  /* unknown format name, or a format that cannot do what was asked */
	GAL_EUNSUPPORTED = -8
} gal_status;

/* An error or warning with its position. Position fields are 0 when unknown. */
typedef struct {
	int code;           /* a gal_status (warnings: GAL_OK) */
	char file[256];     /* input name as the caller gave it (gal_options.source_name), may be empty */
	const char *format; /* reader/writer name ("html"), static storage, may be NULL */
	long line;
	long column;
	char message[512];
} gal_error;

/* Human-readable name of a status code; static storage. */
const char *gal_strerror(int code);

/* Formats "FILE:LINE: FORMAT: message" (the parts that are known) into buf; returns buf. */
char *gal_error_format(const gal_error *err, char *buf, size_t size);

/* ------------------------------------------------------------------ the article tree */

typedef enum {
	GAL_NODE_NONE = 0,
	/* containers */
	GAL_NODE_DOCUMENT, /* children: ARTICLE */
	GAL_NODE_ARTICLE,  /* children: blocks; carries gal_meta */
	/* blocks */
	GAL_NODE_PARAGRAPH,  /* children: inlines */
	GAL_NODE_HEADING,    /* children: inlines; level 1-6 */
	GAL_NODE_BLOCKQUOTE, /* children: blocks; optional attribution */
	GAL_NODE_LIST,       /* children: ITEM; ordered, start */
	GAL_NODE_ITEM,       /* children: blocks */
	GAL_NODE_TABLE,      /* children: ROW; optional caption */
	GAL_NODE_ROW,        /* children: CELL; header flag */
	GAL_NODE_CELL,       /* children: inlines */
	GAL_NODE_FIGURE,     /* children: inlines (the caption); src, alt, credit */
	GAL_NODE_PRE,        /* literal text, no children */
	GAL_NODE_THEMATIC_BREAK,
	/* inlines */
	GAL_NODE_TEXT, /* literal text */
	GAL_NODE_EMPH,
	GAL_NODE_STRONG,
	GAL_NODE_LINK, /* href, title */
	GAL_NODE_CODE, /* literal text */
	GAL_NODE_LINEBREAK,
	GAL_NODE_SUPERSCRIPT,
	GAL_NODE_SUBSCRIPT,
	GAL_NODE__COUNT
} gal_node_type;

typedef struct gal_node gal_node;

/* A growable list of owned strings. */
typedef struct {
	char **items;
	size_t count;
	size_t cap;
} gal_strlist;

typedef struct {
	char *name;
	char *title; /* job title ("Staff Writer"), may be NULL */
} gal_byline;

/* What an article is about (NITF identified-content): a named person, organisation, place, event or topic. */
typedef enum {
	GAL_SUBJECT_PERSON,
	GAL_SUBJECT_ORG,
	GAL_SUBJECT_PLACE,
	GAL_SUBJECT_EVENT,
	GAL_SUBJECT_TOPIC, /* classifiers and anything else */
	GAL_SUBJECT__COUNT
} gal_subject_kind;

typedef struct {
	gal_subject_kind kind;
	char *name;
} gal_subject;

/* A name/value pair a reader kept without a field of its own (NITF <meta name= content=>); written back by the
 * writer of the same format, ignored by the others. */
typedef struct {
	char *name;
	char *value; /* may be "" */
} gal_prop;

/* Article metadata. Every string is UTF-8, owned by the article, NULL when absent. Dates are ISO 8601 when the
 * reader could normalise them, otherwise as found. */
typedef struct {
	char *id;
	char *headline;
	char *deck; /* subheadline */
	gal_byline *bylines;
	size_t nbylines;
	char *dateline_place;
	char *dateline_date; /* the dateline's date as printed ("Jan. 23") */
	char *issued;        /* ISO 8601 */
	char *modified;      /* ISO 8601 */
	char *section;
	gal_strlist keywords;
	char *language; /* BCP 47 */
	char *source;   /* provider, agency or site name */
	char *copyright;
	char *url; /* canonical URL */
	char *abstract;
	/* end matter */
	char *tagline;
	gal_strlist notes;
	/* wire metadata (NITF docdata and body.head) */
	int urgency;        /* 1 (most urgent) to 8 (least); 0 = not given */
	char *released;     /* ISO 8601: not to be published before (embargo) */
	char *expires;      /* ISO 8601: not to be published after */
	char *rights;       /* usage rights and restrictions, free text */
	char *series;       /* name of the series the article belongs to */
	gal_subject *subjects;
	size_t nsubjects;
	char *bibliography; /* end matter: sources */
	gal_prop *props;
	size_t nprops;
} gal_meta;

/* Document metadata, used by digests (many articles, one book). */
typedef struct {
	char *title;
	char *creator;
	char *date;
	char *language;
	char *charset; /* readers: the encoding the input was decoded from ("UTF-8", "windows-1252"; "iconv" for an XML
			* label only iconv knows); NULL for containers (EPUB: one per chapter) and trees built by hand.
			* Writers ignore it. */
} gal_docmeta;

/* Creates a node of the given type, with no parent and no children. Caller owns it. NULL on ENOMEM. */
gal_node *gal_node_new(gal_node_type type);

/* Frees a node and its whole subtree. The node is unlinked from its parent first. NULL is allowed. */
void gal_node_free(gal_node *node);

gal_node_type gal_node_type_of(const gal_node *node);
const char *gal_node_type_name(gal_node_type type);
int gal_node_is_block(gal_node_type type);
int gal_node_is_inline(gal_node_type type);

gal_node *gal_node_parent(const gal_node *node);
gal_node *gal_node_first_child(const gal_node *node);
gal_node *gal_node_last_child(const gal_node *node);
gal_node *gal_node_next(const gal_node *node);
gal_node *gal_node_prev(const gal_node *node);

/* Whether a parent of type `parent` may contain a child of type `child`. */
int gal_node_can_contain(gal_node_type parent, gal_node_type child);

/* Appends (or prepends, or inserts before `sibling`) `child`, which must have no parent. The tree takes ownership.
 * Returns GAL_EINVAL, leaving ownership with the caller, if the parent may not contain the child. */
int gal_node_append(gal_node *parent, gal_node *child);
int gal_node_prepend(gal_node *parent, gal_node *child);
int gal_node_insert_before(gal_node *sibling, gal_node *child);

/* Detaches a node from its parent; the caller owns it again. */
void gal_node_unlink(gal_node *node);

/* Literal text of TEXT, CODE and PRE nodes (NULL for other types). */
const char *gal_node_literal(const gal_node *node);
/* Replaces the literal with a copy of `len` bytes of `text`. GAL_EINVAL for types without a literal. */
int gal_node_set_literal(gal_node *node, const char *text, size_t len);
/* Appends to the literal (readers build text runs in pieces). */
int gal_node_append_literal(gal_node *node, const char *text, size_t len);

/* Per-type attributes. Getters return 0 or NULL when the attribute does not apply. Setters copy strings and
 * return GAL_EINVAL when the attribute does not apply to the node's type. */
int gal_node_heading_level(const gal_node *node);
int gal_node_set_heading_level(gal_node *node, int level); /* 1-6 */
int gal_node_list_ordered(const gal_node *node);
int gal_node_list_start(const gal_node *node);
int gal_node_set_list(gal_node *node, int ordered, int start);
int gal_node_row_header(const gal_node *node);
int gal_node_set_row_header(gal_node *node, int header);

/* String attributes: which ones a type has. */
typedef enum {
	GAL_ATTR_HREF,        /* LINK */
	GAL_ATTR_TITLE,       /* LINK */
	GAL_ATTR_SRC,         /* FIGURE */
	GAL_ATTR_ALT,         /* FIGURE */
	GAL_ATTR_CREDIT,      /* FIGURE */
	GAL_ATTR_ATTRIBUTION, /* BLOCKQUOTE */
	GAL_ATTR_CAPTION,     /* TABLE */
	GAL_ATTR_LANG         /* PRE: the code's language, if known */
} gal_attr;
const char *gal_node_attr(const gal_node *node, gal_attr attr);
int gal_node_set_attr(gal_node *node, gal_attr attr, const char *value);

/* Metadata of an ARTICLE node (NULL for other types); the pointer stays owned by the node. */
gal_meta *gal_node_meta(gal_node *node);
const gal_meta *gal_node_meta_const(const gal_node *node);
/* Metadata of a DOCUMENT node. */
gal_docmeta *gal_node_docmeta(gal_node *node);
const gal_docmeta *gal_node_docmeta_const(const gal_node *node);

/* Replaces *slot (a metadata string) with a copy of value (NULL clears). */
int gal_set_string(char **slot, const char *value);
int gal_strlist_push(gal_strlist *list, const char *value);
void gal_strlist_clear(gal_strlist *list);
int gal_meta_add_byline(gal_meta *meta, const char *name, const char *title);
int gal_meta_add_subject(gal_meta *meta, gal_subject_kind kind, const char *name);
int gal_meta_add_prop(gal_meta *meta, const char *name, const char *value);
/* "person", "org", "place", "event", "topic"; "invalid" out of range. Static storage. */
const char *gal_subject_kind_name(gal_subject_kind kind);

/* Concatenated text of a subtree (text, code, pre; line breaks as spaces). Caller frees. NULL on ENOMEM. */
char *gal_node_text(const gal_node *node);

/* Number of nodes in the subtree, the node included. */
size_t gal_node_count(const gal_node *node);

/* Tidies a tree after reading: merges adjacent text nodes, drops empty inline containers and empty paragraphs,
 * moves leading/trailing spaces out of emphasis and links, flattens emphasis nested in the same emphasis and
 * links nested in links, merges adjacent code spans. */
void gal_tree_normalize(gal_node *root);

/* ------------------------------------------------------------------ iterator (cmark-style) */

typedef enum { GAL_EVENT_NONE = 0, GAL_EVENT_DONE, GAL_EVENT_ENTER, GAL_EVENT_EXIT } gal_event;

typedef struct gal_iter gal_iter;

/* Walks the subtree of `root` depth-first: ENTER for every node, EXIT for nodes that may have children.
 * The tree must not be modified during the walk, except that the current node's children may be skipped
 * with gal_iter_skip. */
gal_iter *gal_iter_new(gal_node *root);
void gal_iter_free(gal_iter *iter);
gal_event gal_iter_next(gal_iter *iter);
gal_node *gal_iter_node(const gal_iter *iter);
/* After an ENTER: do not descend into this node; the next event is its EXIT. */
void gal_iter_skip(gal_iter *iter);

/* ------------------------------------------------------------------ output sinks */

/* Writers write into a sink. A sink may fail; after a failure further writes are ignored and
 * gal_sink_error returns the first failure. */
typedef struct gal_sink gal_sink;

gal_sink *gal_sink_new_buffer(void);                       /* in memory */
gal_sink *gal_sink_new_stream(FILE *fp);                   /* not closed by gal_sink_free */
gal_sink *gal_sink_new_atomic(const char *path, gal_error *err); /* temp file in the target folder + rename */
/* Atomic sinks fsync the temporary file before renaming it into place, so that the output is on disk when
 * gal_sink_close returns. gal_sink_set_sync(s, 0) skips that: the output is still complete or absent whenever
 * the program stops, but a power failure may leave it empty (batches of re-creatable outputs trade that for speed). */
void gal_sink_set_sync(gal_sink *s, int sync);
/* Writes whole buffers: the sink keeps no pending state of its own. */
int gal_sink_write(gal_sink *sink, const char *data, size_t len);
int gal_sink_puts(gal_sink *sink, const char *s);
int gal_sink_printf(gal_sink *sink, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gal_sink_error(const gal_sink *sink);
/* Buffer sinks: the bytes written so far (not NUL-terminated; *len receives the size). */
const char *gal_sink_data(const gal_sink *sink, size_t *len);
/* Finishes the sink: flushes; for atomic sinks renames the temporary file into place. On failure the
 * temporary file is removed and the target is untouched. */
int gal_sink_close(gal_sink *sink, gal_error *err);
/* Frees the sink. An atomic sink that was not closed successfully removes its temporary file. */
void gal_sink_free(gal_sink *sink);

/* ------------------------------------------------------------------ options and limits */

/* Hostile-input bounds, enforced by every reader. */
typedef struct {
	size_t max_input_bytes; /* a single input file */
	int max_depth;          /* element nesting */
	size_t max_nodes;       /* nodes in one tree */
	size_t max_zip_entries;
	size_t max_inflated_bytes;
	unsigned max_ratio; /* inflated : compressed */
} gal_limits;

#define GAL_LIMITS_INIT {256u << 20, 256, 4000000, 10000, 1024u << 20, 200}

typedef void (*gal_warn_fn)(void *userdata, const gal_error *warning);

/* Fetches the bytes of a resource an article refers to (a figure's image), for writers that embed resources
 * (EPUB). `src` is the reference as the tree holds it. On success: GAL_OK, *data (malloc'd; the writer frees it)
 * and *len. Otherwise a negative gal_status, and the writer goes on without the resource (with a warning). */
typedef int (*gal_resource_fn)(void *userdata, const gal_node *article, const char *src, char **data, size_t *len);

/* EPUB reader and writer options (docs/epub.md). All zero: the defaults. */
typedef struct {
	int split_toc;        /* reader: one article per navigation (TOC) entry instead of one per spine item */
	int group_by_section; /* writer: chapters ordered and listed in the TOC by their article's section */
	const char *css;      /* writer: style sheet (css_len bytes of UTF-8) replacing the default; NULL: default */
	size_t css_len;
	int epoch_set;        /* writer: `epoch` (seconds since 1970, UTC) is the book's dcterms:modified and the */
	long long epoch;      /* zip entries' time; otherwise both come from the articles' dates (SOURCE_DATE_EPOCH) */
	gal_resource_fn resource; /* writer: fetches figure images to embed; NULL: images are left out */
	void *resource_data;
} gal_epub_options;

/* Character sets (docs/charsets.md). All zero: detect the input's encoding, write UTF-8. */
typedef struct {
	const char *from; /* input encoding label, overriding detection (HTML, NITF, EPUB content documents); NULL:
			   * detect. Labels map as browsers map them ("latin1" reads as windows-1252). */
	const char *to;   /* output encoding for text, Markdown and NITF; NULL or a UTF-8 label: UTF-8. EPUB refuses
			   * any other. */
	int translit;     /* text and Markdown: approximate what `to` cannot hold (iconv //TRANSLIT: "é" -> "e")
			   * instead of failing */
	int strict;       /* bytes that are invalid in the input's encoding are an error, not U+FFFD and a warning */
} gal_charset_options;

#define GAL_OPTIONS_VERSION 1

typedef struct {
	int version;             /* GAL_OPTIONS_VERSION */
	const char *source_name; /* input name for messages (NULL: none) */
	gal_limits limits;
	gal_warn_fn warn; /* may be NULL */
	void *warn_data;
	int verbose;    /* readers report recoverable problems (malformed markup) through warn */
	int columns;    /* text writer wrap width; 0 = no wrapping */
	int standalone; /* writers emit document metadata (Markdown YAML front matter) */
	int no_extract; /* HTML reader: convert the whole page, no article extraction */
	gal_epub_options epub;
	gal_charset_options charset;
} gal_options;

#define GAL_OPTIONS_INIT {GAL_OPTIONS_VERSION, NULL, GAL_LIMITS_INIT, NULL, NULL, 0, 72, 0, 0, {0}, {0}}

/* Reads the file at `path` (a path inside the container, as the EPUB reader gives figure sources) out of an EPUB
 * held in memory, with the reader's checks and opts->limits. On success *data (malloc'd, NUL-terminated, caller
 * frees) and *out_len. For embedding a book's images in another book. */
int gal_epub_entry(const char *epub, size_t len, const char *path, const gal_options *opts, char **data,
		   size_t *out_len, gal_error *err);

/* ------------------------------------------------------------------ character sets */

/* Whether `label` names an encoding galley can read: a WHATWG label (as browsers know them) or a name iconv(3)
 * knows. GAL_OK, or GAL_ECHARSET with a message in err (err may be NULL). */
int gal_charset_check_input(const char *label, gal_error *err);
/* Whether text can be written in `label` (iconv(3) knows it). GAL_OK or GAL_ECHARSET. */
int gal_charset_check_output(const char *label, gal_error *err);
/* 1 if `label` names UTF-8 ("utf-8", "UTF8", "unicode-1-1-utf-8"), so that output needs no conversion. */
int gal_charset_is_utf8(const char *label);

/* ------------------------------------------------------------------ formats */

/* How a writer meets gal_charset_options.to. */
typedef enum {
	GAL_OUTPUT_CONVERTED = 0, /* gal_write converts the writer's UTF-8 (text, Markdown) */
	GAL_OUTPUT_OWN,           /* the writer encodes itself (NITF: declaration and character references) */
	GAL_OUTPUT_UTF8_ONLY      /* the format is UTF-8 by definition (EPUB): any other encoding is refused */
} gal_output_charset;

typedef int (*gal_read_fn)(const char *data, size_t len, const gal_options *opts, gal_node **out, gal_error *err);
typedef int (*gal_write_fn)(gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err);
/* Returns a confidence 0-100 that data is in this format. */
typedef int (*gal_sniff_fn)(const char *data, size_t len);

typedef struct {
	const char *name;
	const char *aliases;    /* space-separated, may be NULL */
	const char *extensions; /* space-separated, without dots, may be NULL */
	const char *description;
	gal_sniff_fn sniff; /* readers only */
	gal_read_fn read;   /* NULL for write-only formats */
	gal_write_fn write; /* NULL for read-only formats */
	int hidden;         /* not listed by --list-formats (debugging formats) */
	gal_output_charset charset; /* writers: how --to-charset is met */
} gal_format;

/* The registry: a NULL-terminated table. */
const gal_format *const *gal_formats(void);
/* By name or alias, case-insensitive; NULL if unknown. */
const gal_format *gal_format_find(const char *name);
/* By file name extension, for reading; NULL if unknown. */
const gal_format *gal_format_for_path(const char *path);
/* By content: the reader whose sniffer is most confident, or NULL. */
const gal_format *gal_format_sniff(const char *data, size_t len);

/* Convenience: read with `fmt`, returning a DOCUMENT tree. Every string in the tree (text, attributes other than
 * link and image addresses, metadata) is NFC-normalised and holds no control characters but tab and newline. */
int gal_read(const gal_format *fmt, const char *data, size_t len, const gal_options *opts, gal_node **out,
	     gal_error *err);
/* Writes `doc` with `fmt`. With opts->charset.to naming another encoding than UTF-8, text and Markdown output is
 * converted and held back until all of it converted: a character the encoding cannot hold (without translit) is
 * GAL_ECHARSET and nothing reaches the sink. */
int gal_write(const gal_format *fmt, gal_node *doc, gal_sink *sink, const gal_options *opts, gal_error *err);

/* galley keeps a few large scratch blocks per thread between conversions (a page's DOM, the extractor's records)
 * so that the next page does not fault in fresh memory. They are freed when the thread ends; this frees the
 * calling thread's now (a program's main thread before it exits, or a thread done converting). */
void gal_thread_release(void);

#ifdef __cplusplus
}
#endif
#endif
