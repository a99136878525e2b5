/* runtest.c: galley's one test runner (in the manner of libxml2's runtest.c).
 *
 *   runtest --galley PATH [--update] [--fixtures DIR] [--only SUBSTRING]
 *
 * 1. unit tests of the tree API and the shared modules, in process;
 * 2. fixture folders: fixtures/<case>/input.* with optional `args`, and expected.txt / expected.md /
 *    expected.native / expected.nitf (output of -t text / markdown / native / nitf) or expected.err (a failing
 *    run's stderr);
 *    expected.stderr, when present, is compared with the text run's stderr;
 * 3. command-line behaviour (errors, atomic output);
 * 4. Markdown checked by cmark: every Markdown output, and a property test over awkward strings, must parse back to
 *    the structure of the tree.
 * 5. NITF: every NITF output validated by xmllint against schemas/galley-nitf.xsd and IPTC's XSD (when the reference
 *    folder is there); round trips NITF -> NITF (tree, and xmllint --c14n for fixtures marked `roundtrip`),
 *    HTML -> NITF -> text/Markdown/tree for every HTML fixture; the reference wire samples; hostile XML.
 *    The reference folder is ../shared/reference/nitf (or GALLEY_NITF_REFERENCE); without it those checks are
 *    skipped.
 * 6. EPUB: writer fixtures (expected.epub.txt: a dump of the book), reader fixtures (a `book/` folder zipped into
 *    input.epub), the fixture corpus round trip through one book, the reference books (../shared/reference/epub,
 *    skipped when absent), hand-made hostile zips, and epubcheck over every book the tests wrote.
 * 7. Charsets (runtest_charset.c): labels, sniffing, decoding and encoding in process; every fixture's variants/
 *    (its article in other encodings) against its expected output; every fixture's tree NFC without controls;
 *    the charset options on the command line, round trips through ISO-8859-1 and through NITF in other encodings.
 * 8. Batch mode (-o DIR/, tests/runtest_batch.c): a generated corpus of a few hundred files with broken ones, the
 *    report, names, -j 1 against -j 4, --include, --skip-existing, SIGINT/SIGTERM, progress, GNU parallel.
 *    `--only batch` runs this part alone.
 * 9. The HTML reader's arena DOM against libxml2's own tree of every HTML fixture (runtest_dom.c; `runtest --dom
 *    FILE...` compares any files).
 * Ends with "N passed, N failed". --update rewrites expected files after a deliberate change. */
#include "../src/node.h"
#include "../src/nitf.h"
#include "../src/date.h"
#include "../src/render.h"
#include "../src/scratch.h"
#include "../src/util.h"
#include "../src/writers/writers.h"
#include "../src/readers/readers.h"
#include "../src/readers/html_dom.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int passed, failed, skipped, xfailed;
/* inside a fixture marked `xfail` (a known failure, with its reason in that file): failures are counted
 * apart, and a pass is reported so that the mark gets removed */
static int in_xfail, xfail_hits;
static int update;
static const char *galley = "build/galley";
static const char *only;
static char galley_abs[4096];
static int have_cmark, have_cmark_gfm;

#define CHECK(cond, ...)                                                                                           \
	do {                                                                                                       \
		if (cond)                                                                                          \
			passed++;                                                                                  \
		else {                                                                                             \
			failed++;                                                                                  \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                \
			printf(__VA_ARGS__);                                                                       \
			printf("\n");                                                                              \
		}                                                                                                  \
	} while (0)

static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf(in_xfail ? "xfail " : "FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (in_xfail)
		xfail_hits++;
	else
		failed++;
}

/* ------------------------------------------------------------------ files and processes */

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	gal_buf b = GAL_BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		gal_buf_put(&b, tmp, n);
	fclose(fp);
	if (len)
		*len = b.len;
	if (!b.data)
		gal_buf_put(&b, "", 0);
	return gal_buf_detach(&b);
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	size_t n = fwrite(data, 1, len, fp);
	return fclose(fp) == 0 && n == len ? 0 : -1;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

typedef struct {
	char *out, *err;
	size_t out_len, err_len;
	int status; /* exit code, or 128+signal */
} result;

static void result_free(result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

/* Runs argv in `cwd` (NULL: here) with stdin from `in` (NULL: /dev/null); bounded by `timeout` seconds. */
static int run(char *const argv[], const char *cwd, const char *in, int timeout, result *r)
{
	memset(r, 0, sizeof *r);
	char outp[] = "/tmp/galley-test-outXXXXXX", errp[] = "/tmp/galley-test-errXXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	if (ofd < 0 || efd < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		int ifd = open(in ? in : "/dev/null", O_RDONLY);
		dup2(ifd, 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		alarm((unsigned)timeout);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	close(ofd);
	close(efd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = read_file(outp, &r->out_len);
	r->err = read_file(errp, &r->err_len);
	unlink(outp);
	unlink(errp);
	return 0;
}

/* Runs a shell command line (for pipelines in tests); the command is ours, never input-derived. */
static int sh(const char *cmd, const char *cwd, result *r)
{
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	return run(argv, cwd, NULL, 60, r);
}

/* ------------------------------------------------------------------ unit tests */

static gal_node *text_node(const char *s)
{
	gal_node *t = gal_node_new(GAL_NODE_TEXT);
	gal_node_set_literal(t, s, strlen(s));
	return t;
}

static gal_node *para(const char *s)
{
	gal_node *p = gal_node_new(GAL_NODE_PARAGRAPH);
	gal_node_append(p, text_node(s));
	return p;
}

static void unit_tree(void)
{
	gal_node *doc = gal_node_new(GAL_NODE_DOCUMENT);
	gal_node *art = gal_node_new(GAL_NODE_ARTICLE);
	CHECK(doc && art, "nodes created");
	CHECK(gal_node_new(GAL_NODE_NONE) == NULL, "no node of type NONE");
	CHECK(gal_node_append(doc, art) == GAL_OK, "document holds an article");
	gal_node *p = para("hello");
	CHECK(gal_node_append(doc, p) == GAL_EINVAL, "document refuses a paragraph");
	CHECK(gal_node_parent(p) == NULL, "refused child stays detached");
	CHECK(gal_node_append(art, p) == GAL_OK, "article holds a paragraph");
	CHECK(gal_node_append(art, p) == GAL_EINVAL, "a node with a parent cannot be appended again");
	gal_node *li = gal_node_new(GAL_NODE_LIST);
	gal_node *px = para("x");
	CHECK(gal_node_append(li, px) == GAL_EINVAL, "list refuses a paragraph");
	gal_node_free(px);
	gal_node *stray = gal_node_new(GAL_NODE_PARAGRAPH);
	gal_node *item = gal_node_new(GAL_NODE_ITEM);
	CHECK(gal_node_append(item, stray) == GAL_OK && gal_node_append(li, item) == GAL_OK, "list > item > paragraph");
	CHECK(gal_node_append(art, li) == GAL_OK, "article holds a list");
	gal_node *link = gal_node_new(GAL_NODE_LINK), *link2 = gal_node_new(GAL_NODE_LINK);
	CHECK(gal_node_append(link, link2) == GAL_EINVAL, "links do not nest");
	gal_node_free(link2);
	CHECK(gal_node_set_attr(link, GAL_ATTR_HREF, "http://x/") == GAL_OK && !strcmp(gal_node_attr(link, GAL_ATTR_HREF), "http://x/"),
	      "link href");
	CHECK(gal_node_set_attr(link, GAL_ATTR_SRC, "a.jpg") == GAL_EINVAL, "link has no src");
	CHECK(gal_node_attr(p, GAL_ATTR_HREF) == NULL, "paragraph has no href");
	gal_node_append(link, text_node("site"));
	gal_node_append(p, link);
	CHECK(gal_node_prepend(p, text_node(">> ")) == GAL_OK, "prepend");
	char *t = gal_node_text(art);
	CHECK(t && !strcmp(t, ">> hellosite"), "gal_node_text: %s", t);
	free(t);
	CHECK(gal_node_set_heading_level(p, 2) == GAL_EINVAL, "paragraph has no level");
	gal_node *h = gal_node_new(GAL_NODE_HEADING);
	CHECK(gal_node_heading_level(h) == 1 && gal_node_set_heading_level(h, 7) == GAL_EINVAL &&
		  gal_node_set_heading_level(h, 6) == GAL_OK && gal_node_heading_level(h) == 6,
	      "heading levels 1-6");
	CHECK(gal_node_insert_before(p, h) == GAL_OK && gal_node_first_child(art) == h && gal_node_next(h) == p &&
		  gal_node_prev(p) == h,
	      "insert_before links siblings");
	CHECK(gal_node_set_literal(p, "x", 1) == GAL_EINVAL, "paragraph has no literal");

	/* iterator: enter/exit order */
	gal_iter *it = gal_iter_new(doc);
	gal_buf b = GAL_BUF_INIT;
	gal_event ev;
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE)
		gal_buf_printf(&b, "%c%s ", ev == GAL_EVENT_ENTER ? '+' : '-', gal_node_type_name(gal_node_type_of(gal_iter_node(it))));
	gal_iter_free(it);
	const char *want = "+document +article +heading -heading +paragraph +text +text +link +text -link -paragraph +list "
			   "+item +paragraph -paragraph -item -list -article -document ";
	CHECK(b.data && !strcmp(b.data, want), "iterator order: %s", b.data);
	gal_buf_free(&b);
	/* skip */
	it = gal_iter_new(doc);
	size_t entered = 0;
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE)
		if (ev == GAL_EVENT_ENTER) {
			entered++;
			if (gal_node_type_of(gal_iter_node(it)) == GAL_NODE_ARTICLE)
				gal_iter_skip(it);
		}
	gal_iter_free(it);
	CHECK(entered == 2, "iter_skip skips children (%zu)", entered);
	CHECK(gal_node_count(doc) == 11, "count %zu", gal_node_count(doc));

	/* metadata */
	gal_meta *m = gal_node_meta(art);
	CHECK(m && gal_node_meta(p) == NULL, "articles have metadata");
	gal_set_string(&m->headline, "Head");
	gal_set_string(&m->headline, "Headline");
	gal_meta_add_byline(m, "A. Writer", "Staff");
	gal_meta_add_byline(m, "B. Writer", NULL);
	gal_strlist_push(&m->keywords, "k1");
	gal_strlist_push(&m->notes, "n1");
	char *by = gal_byline_text(m);
	CHECK(by && !strcmp(by, "By A. Writer, Staff and B. Writer"), "byline text: %s", by);
	free(by);

	/* unlink + free a subtree */
	gal_node_unlink(li);
	CHECK(gal_node_parent(li) == NULL && gal_node_last_child(art) == p, "unlink");
	gal_node_free(li);
	gal_node_free(doc);

	/* deep trees are freed and normalised without recursion */
	gal_node *root = gal_node_new(GAL_NODE_ARTICLE), *cur = gal_node_new(GAL_NODE_BLOCKQUOTE);
	gal_node_append(root, cur);
	for (int i = 0; i < 200000; i++) {
		gal_node *q = gal_node_new(GAL_NODE_BLOCKQUOTE);
		gal_node_append(cur, q);
		cur = q;
	}
	gal_node_append(cur, para("deep"));
	gal_tree_normalize(root);
	CHECK(gal_node_count(root) == 200004, "deep tree count");
	gal_node_free(root);
	gal_node_free(NULL);
}

static void unit_normalize(void)
{
	/* "a" <em>" b "</em> "c" -> "a " <em>"b"</em> " c" */
	gal_node *p = gal_node_new(GAL_NODE_PARAGRAPH), *em = gal_node_new(GAL_NODE_EMPH);
	gal_node_append(p, text_node("a"));
	gal_node_append(em, text_node(" b "));
	gal_node_append(p, em);
	gal_node_append(p, text_node("c"));
	/* nested emphasis of the same kind, an empty strong, adjacent texts */
	gal_node *em2 = gal_node_new(GAL_NODE_EMPH), *em3 = gal_node_new(GAL_NODE_EMPH);
	gal_node_append(em3, text_node("d"));
	gal_node_append(em2, em3);
	gal_node_append(p, em2);
	gal_node_append(p, gal_node_new(GAL_NODE_STRONG));
	gal_node_append(p, text_node("e"));
	gal_node_append(p, text_node("f"));
	gal_tree_normalize(p);
	gal_buf b = GAL_BUF_INIT;
	gal_iter *it = gal_iter_new(p);
	gal_event ev;
	while ((ev = gal_iter_next(it)) != GAL_EVENT_DONE) {
		gal_node *n = gal_iter_node(it);
		if (ev == GAL_EVENT_ENTER && gal_node_literal(n))
			gal_buf_printf(&b, "[%s]", gal_node_literal(n));
		else if (n != p)
			gal_buf_printf(&b, "%c%s", ev == GAL_EVENT_ENTER ? '<' : '>', gal_node_type_name(gal_node_type_of(n)));
	}
	gal_iter_free(it);
	CHECK(b.data && !strcmp(b.data, "[a ]<emph[b]>emph[ c]<emph[d]>emph[ef]"), "normalize: %s", b.data);
	gal_buf_free(&b);
	gal_node_free(p);
}

static void unit_utf8(void)
{
	CHECK(gal_str_width("abc", 3) == 3, "ascii width");
	CHECK(gal_str_width("\xe4\xb8\xad\xe6\x96\x87", 6) == 4, "CJK is two columns each");
	CHECK(gal_str_width("e\xcc\x81", 3) == 1, "combining accent has no width");
	CHECK(gal_utf8_valid("\xc3\xa9", 2) && !gal_utf8_valid("\xc3", 1) && !gal_utf8_valid("\xed\xa0\x80", 3) &&
		  !gal_utf8_valid("\xc0\xaf", 2),
	      "UTF-8 validation (truncated, surrogate, overlong)");
	char out[4];
	uint32_t cp;
	CHECK(gal_utf8_encode(0x1F600, out) == 4 && gal_utf8_decode((unsigned char *)out, 4, &cp) == 4 && cp == 0x1F600,
	      "encode/decode round trip");
	char *c = gal_collapse_ws("  a \t\n b\xc2\xa0 ");
	CHECK(c && !strcmp(c, "a b"), "collapse_ws: '%s'", c);
	free(c);
	/* case folding beyond ASCII: a Cyrillic, an accented capital (the extractor compares lower-cased keys with
	 * the page's headline, deck and bylines) */
	CHECK(gal_loose_equal("\xd0\xa1\xd1\x83\xd0\xb4\xd0\xbd\xd0\xbe", "\xd1\x81\xd1\x83\xd0\xb4\xd0\xbd\xd0\xbe", 0),
	      "loose_equal: capital and small Cyrillic");
	CHECK(!gal_loose_equal("\xd0\xa1\xd1\x83\xd0\xb4", "\xd1\x81\xd1\x83\xd1\x82", 0), "loose_equal: other letters");
	CHECK(gal_ci_equal("\xc3\x89LAN", "\xc3\xa9lan") && !gal_ci_equal("\xc3\x89LAN", "elan"), "ci_equal: E acute");
	CHECK(gal_ci_skip("\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0 wrote", "\xd0\xb0\xd0\xbd\xd0\xbd\xd0\xb0") != NULL &&
		  !strcmp(gal_ci_skip("\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0 wrote", "\xd0\xb0\xd0\xbd\xd0\xbd\xd0\xb0"), " wrote"),
	      "ci_skip: a Cyrillic name as prefix");
	CHECK(gal_ci_contains("by \xd0\x81LKA", "\xd1\x91lka") && !gal_ci_contains("by elka", "\xd1\x91lka"),
	      "ci_contains: capital IO folds to small io");
	CHECK(gal_ci_skip("\xd0", "\xd0\x90") == NULL && gal_ci_equal("", ""), "ci: a truncated sequence, empty strings");
	/* Greek with and without tonos, Latin Extended-A (Czech, Polish) */
	CHECK(gal_ci_equal("\xce\x94\xce\x99\xce\x91\xce\xa6\xce\x97\xce\x9c\xce\x99\xce\xa3\xce\x97",
			   "\xce\xb4\xce\xb9\xce\xb1\xcf\x86\xce\xb7\xce\xbc\xce\xb9\xcf\x83\xce\xb7") &&
		  gal_ci_equal("\xce\x8c\xce\x8f", "\xcf\x8c\xcf\x8e"),
	      "ci_equal: Greek capitals and tonos");
	CHECK(gal_ci_equal("\xc4\x8c\xc5\x81\xc5\x90\xc5\x9a\xc5\xbd\xc4\xb9", "\xc4\x8d\xc5\x82\xc5\x91\xc5\x9b\xc5\xbe\xc4\xba") &&
		  !gal_ci_equal("\xc4\xb0", "i"),
	      "ci_equal: Latin Extended-A capitals (C caron, L stroke, O double acute, S acute, Z caron, L acute)");
	CHECK(gal_dom_contains_ci("x/placeholder-16x9.PNG", "16X9.png") && !gal_dom_contains_ci("abc", "abd") &&
		  gal_dom_contains_ci("abc", ""),
	      "contains_ci");
}

static void unit_dates(void)
{
	static const char *cases[][2] = {
	    {"2024-03-05", "2024-03-05"},
	    {"2024-03-05T14:30:00Z", "2024-03-05T14:30:00Z"},
	    {"2024-03-05T14:30:00.123+01:00", "2024-03-05T14:30:00+01:00"},
	    {"2024-03-05 14:30", "2024-03-05T14:30:00"},
	    {"20240305T143000Z", "2024-03-05T14:30:00Z"},
	    {"20240305T143000+0100", "2024-03-05T14:30:00+01:00"},
	    {"Tue, 05 Mar 2024 14:30:00 GMT", "2024-03-05T14:30:00Z"},
	    {"March 5, 2024", "2024-03-05"},
	    {"5 March 2024", "2024-03-05"},
	    {"Mar. 5, 2024 2:30 PM", "2024-03-05T14:30:00"},
	    {"yesterday", NULL},
	    {"2024-13-05", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *d = gal_date_normalize(cases[i][0]);
		CHECK(cases[i][1] ? d && !strcmp(d, cases[i][1]) : d == NULL, "date '%s' -> '%s'", cases[i][0], d ? d : "(null)");
		free(d);
	}
}

static char *render_with(int width, const char *text)
{
	gal_sink *s = gal_sink_new_buffer();
	gal_render r;
	gal_render_init(&r, s, width);
	gal_render_text(&r, text, strlen(text), 1);
	gal_render_finish(&r);
	size_t n;
	const char *d = gal_sink_data(s, &n);
	char *copy = strndup(d, n);
	gal_sink_free(s);
	return copy;
}

static void unit_render(void)
{
	char *s = render_with(10, "aaa bbb ccc ddd");
	CHECK(!strcmp(s, "aaa bbb\nccc ddd\n"), "wrap at spaces: %s", s);
	free(s);
	/* 8 CJK characters = 16 columns, width 10: five per line */
	s = render_with(10, "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94\xe5\x85\xad\xe4\xb8\x83\xe5\x85\xab");
	CHECK(!strcmp(s, "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94\n\xe5\x85\xad\xe4\xb8\x83\xe5\x85\xab\n"),
	      "wrap CJK by width: %s", s);
	free(s);
	s = render_with(5, "abcdefghij kl");
	CHECK(!strcmp(s, "abcdefghij\nkl\n"), "a long word overflows: %s", s);
	free(s);
	s = render_with(0, "aaa bbb ccc ddd");
	CHECK(!strcmp(s, "aaa bbb ccc ddd\n"), "no wrapping at 0: %s", s);
	free(s);
}

static void unit_sink(void)
{
	char dir[] = "/tmp/galley-sinkXXXXXX";
	CHECK(mkdtemp(dir) != NULL, "temp dir");
	char path[256];
	snprintf(path, sizeof path, "%s/out.txt", dir);
	write_file(path, "old", 3);
	gal_error err;
	gal_sink *s = gal_sink_new_atomic(path, &err);
	gal_sink_puts(s, "new content");
	char *mid = read_file(path, NULL);
	CHECK(mid && !strcmp(mid, "old"), "target untouched while writing");
	free(mid);
	CHECK(gal_sink_close(s, &err) == GAL_OK, "atomic close");
	gal_sink_free(s);
	char *now = read_file(path, NULL);
	CHECK(now && !strcmp(now, "new content"), "atomic rename");
	free(now);
	/* abandoned: no temporary left, target unchanged */
	s = gal_sink_new_atomic(path, &err);
	gal_sink_puts(s, "partial");
	gal_sink_free(s);
	DIR *d = opendir(dir);
	int files = 0;
	for (struct dirent *e; (e = readdir(d));)
		files += e->d_name[0] != '.' || strlen(e->d_name) > 2;
	closedir(d);
	now = read_file(path, NULL);
	CHECK(files == 1 && now && !strcmp(now, "new content"), "abandoned sink leaves no temp file (%d files)", files);
	free(now);
	unlink(path);
	rmdir(dir);
	CHECK(gal_sink_new_atomic("/nonexistent-dir/x.txt", &err) == NULL && err.code == GAL_EIO, "unwritable path");
}

/* The per-thread scratch cache: blocks come back for reuse, grow keeps their bytes, limits hold, threads free
 * theirs at exit (the sanitizer build's leak check sees a miss). */
static void *scratch_thread(void *arg)
{
	size_t cap;
	void *p = gal_scratch_get(100000, &cap);
	if (p)
		memset(p, 1, cap);
	gal_scratch_put(p, cap); /* kept: freed by the thread's destructor */
	*(int *)arg = p != NULL && cap >= 100000;
	return NULL;
}

static void unit_scratch(void)
{
	gal_thread_release();
	size_t cap, cap2;
	char *p = gal_scratch_get(1000, &cap);
	CHECK(p && cap >= 1000, "scratch block of 1000 bytes (%zu)", cap);
	memset(p, 'x', cap);
	gal_scratch_put(p, cap);
	char *q = gal_scratch_get(500, &cap2);
	CHECK(q == p && cap2 == cap, "a smaller request reuses the kept block");
	char *big = gal_scratch_get(cap + 1, &cap2);
	CHECK(big && big != q && cap2 > cap, "a larger request gets a new block");
	gal_scratch_put(big, cap2);
	memcpy(q, "keep", 4);
	size_t qcap = cap;
	char *g = gal_scratch_grow(q, 4, &qcap, qcap + 1);
	CHECK(g && qcap > cap && !memcmp(g, "keep", 4), "grow keeps the used bytes");
	gal_scratch_put(g, qcap);
	/* a block over the size limit is never kept */
	size_t hcap;
	char *huge = gal_scratch_get((size_t)5 << 20, &hcap);
	CHECK(huge != NULL, "5 MiB block");
	gal_scratch_put(huge, hcap);
	char *again = gal_scratch_get((size_t)5 << 20, &cap2);
	gal_scratch_put(again, cap2);
	/* (the same address may come back from malloc, so only the absence of a crash or leak is checked there) */
	gal_thread_release();
	gal_thread_release(); /* twice is harmless */
	int ok = 0;
	pthread_t t;
	CHECK(pthread_create(&t, NULL, scratch_thread, &ok) == 0 && pthread_join(t, NULL) == 0 && ok,
	      "a thread's blocks are its own and freed when it ends");
	/* the cache never grows past its limits however many blocks are given back */
	char *v[40];
	size_t vc[40];
	for (int i = 0; i < 40; i++)
		v[i] = gal_scratch_get((size_t)(i + 1) << 16, &vc[i]);
	for (int i = 0; i < 40; i++)
		gal_scratch_put(v[i], vc[i]);
	size_t kept = 0;
	for (int i = 0; i < 40; i++) { /* take everything that comes back without a fresh malloc */
		v[i] = gal_scratch_get(1, &vc[i]);
		kept += vc[i] > ((size_t)64 << 10) ? vc[i] : 0;
	}
	for (int i = 0; i < 40; i++)
		free(v[i]);
	CHECK(kept <= ((size_t)12 << 20), "at most 12 MiB kept per thread (%zu)", kept);
	gal_thread_release();
}

static void unit_registry(void)
{
	CHECK(gal_format_find("md") == gal_format_find("markdown") && gal_format_find("plain") == gal_format_find("TEXT"),
	      "aliases");
	CHECK(gal_format_find("nope") == NULL, "unknown format");
	CHECK(gal_format_for_path("a/b/story.HTM") == gal_format_find("html"), "extension");
	CHECK(gal_format_sniff("<!DOCTYPE html><p>x", 18) == gal_format_find("html"), "sniff html");
	gal_node *doc = NULL;
	gal_error err;
	gal_options o = GAL_OPTIONS_INIT;
	o.limits.max_input_bytes = 10;
	CHECK(gal_read(gal_format_find("html"), "<p>0123456789</p>", 17, &o, &doc, &err) == GAL_ELIMIT && !doc,
	      "input size limit");
	CHECK(gal_read(gal_format_find("text"), "x", 1, NULL, &doc, &err) == GAL_EFORMAT, "text is not a reader");
	/* the binary-data check: a NUL byte anywhere in the first 4 KiB, or more than 10 % control characters */
	char b[100];
	memset(b, 'a', sizeof b);
	CHECK(!gal_looks_binary(b, sizeof b), "letters are text");
	b[99] = '\0';
	CHECK(gal_looks_binary(b, sizeof b), "a NUL byte at the end is binary");
	memset(b, 'a', sizeof b);
	for (int i = 0; i < 10; i++)
		b[i * 10] = 1;
	CHECK(!gal_looks_binary(b, sizeof b), "10 %% control characters are still text");
	b[5] = 0x1F;
	CHECK(gal_looks_binary(b, sizeof b), "11 %% control characters are binary");
	for (int i = 0; i < 40; i++)
		b[i] = "\t\n\r\f"[i % 4];
	CHECK(!gal_looks_binary(b, sizeof b), "tab, newline, return and form feed are text");
	CHECK(!gal_looks_binary("\xff\xfe<\0p\0", 6) && !gal_looks_binary("<\0?\0x\0", 6),
	      "UTF-16 with a byte order mark or an XML declaration is text");
	char *big = calloc(1, 8192);
	memset(big, 'a', 8192);
	big[5000] = '\0';
	CHECK(big && !gal_looks_binary(big, 8192), "only the first 4 KiB are looked at");
	free(big);
}

/* ------------------------------------------------------------------ structure comparison with cmark */

typedef struct {
	gal_buf out;
	gal_buf text; /* pending text, merged */
} canon;

static void c_flush(canon *c)
{
	if (c->text.len) {
		gal_buf_putc(&c->out, '"');
		gal_buf_put(&c->out, c->text.data, c->text.len);
		gal_buf_puts(&c->out, "\" ");
		gal_buf_clear(&c->text);
	}
}

static void c_open(canon *c, const char *tag)
{
	c_flush(c);
	gal_buf_printf(&c->out, "(%s ", tag);
}

static void c_close(canon *c)
{
	c_flush(c);
	gal_buf_puts(&c->out, ") ");
}

static void c_text(canon *c, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gal_buf_putc(&c->text, s[i] == '\n' ? ' ' : s[i]);
}

/* --- our tree, as the Markdown writer promises to render it */

static void t_inlines(canon *c, const gal_node *parent, int flat);

/* The writer's contract: line breaks at the edges of a block are dropped. */
static int t_edge_break(const gal_node *k)
{
	const gal_node *p = k;
	while (p && p->type == GAL_NODE_LINEBREAK)
		p = p->prev;
	if (!p)
		return 1;
	for (p = k; p && p->type == GAL_NODE_LINEBREAK; p = p->next)
		;
	return p == NULL;
}

static void t_inline(canon *c, const gal_node *n, int flat)
{
	switch (n->type) {
	case GAL_NODE_TEXT: c_text(c, n->lit ? n->lit : "", n->len); break;
	case GAL_NODE_CODE:
		if (n->len && !(n->prev && n->prev->type == GAL_NODE_CODE && n->prev->len)) {
			/* the writer joins adjacent code spans into one */
			c_open(c, "code");
			for (const gal_node *k = n; k && k->type == GAL_NODE_CODE; k = k->next)
				c_text(c, k->lit ? k->lit : "", k->len);
			c_close(c);
		}
		break;
	case GAL_NODE_LINEBREAK:
		if (flat)
			c_text(c, " ", 1);
		else if (gal_node_is_inline(n->parent->type) || !t_edge_break(n)) {
			c_flush(c);
			gal_buf_puts(&c->out, "(br) ");
		}
		break;
	case GAL_NODE_LINK: {
		char tag[4096];
		snprintf(tag, sizeof tag, "a <%s> <%s>", n->s1 ? n->s1 : "", n->s2 ? n->s2 : "");
		c_open(c, tag);
		t_inlines(c, n, flat);
		c_close(c);
		break;
	}
	default:
		c_open(c, n->type == GAL_NODE_EMPH ? "em" : n->type == GAL_NODE_STRONG ? "strong" : n->type == GAL_NODE_SUPERSCRIPT ? "sup" : "sub");
		t_inlines(c, n, flat);
		c_close(c);
		break;
	}
}

static void t_inlines(canon *c, const gal_node *parent, int flat)
{
	for (const gal_node *k = parent->first; k; k = k->next)
		t_inline(c, k, flat);
}

static void t_text_para(canon *c, const char *s)
{
	c_open(c, "p");
	c_text(c, s, strlen(s));
	c_close(c);
}

static void t_blocks(canon *c, const gal_node *parent);

static void t_block(canon *c, const gal_node *n)
{
	char tag[4200];
	switch (n->type) {
	case GAL_NODE_PARAGRAPH:
		c_open(c, "p");
		t_inlines(c, n, 0);
		c_close(c);
		break;
	case GAL_NODE_HEADING:
		snprintf(tag, sizeof tag, "h%d", n->as.heading.level);
		c_open(c, tag);
		t_inlines(c, n, 1);
		c_close(c);
		break;
	case GAL_NODE_BLOCKQUOTE:
		c_open(c, "bq");
		t_blocks(c, n);
		char *a = n->s1 ? gal_collapse_ws(n->s1) : NULL;
		if (a && *a) {
			char *s = malloc(strlen(a) + 8);
			sprintf(s, "\xe2\x80\x94 %s", a);
			t_text_para(c, s);
			free(s);
		}
		free(a);
		c_close(c);
		break;
	case GAL_NODE_LIST:
		if (n->as.list.ordered)
			snprintf(tag, sizeof tag, "ol %d", n->as.list.start > 999999999 ? 999999999 : n->as.list.start);
		else
			snprintf(tag, sizeof tag, "ul");
		c_open(c, tag);
		for (const gal_node *it = n->first; it; it = it->next) {
			c_open(c, "li");
			t_blocks(c, it);
			c_close(c);
		}
		c_close(c);
		break;
	case GAL_NODE_TABLE: {
		size_t ncols = 0;
		for (const gal_node *r = n->first; r; r = r->next) {
			size_t k = 0;
			for (const gal_node *cell = r->first; cell; cell = cell->next)
				k++;
			if (k > ncols)
				ncols = k;
		}
		c_open(c, "table");
		if (n->first && !n->first->as.row.header) {
			c_open(c, "tr");
			for (size_t i = 0; i < ncols; i++) {
				c_open(c, "td");
				c_close(c);
			}
			c_close(c);
		}
		for (const gal_node *r = n->first; r; r = r->next) {
			c_open(c, "tr");
			size_t k = 0;
			for (const gal_node *cell = r->first; cell; cell = cell->next, k++) {
				c_open(c, "td");
				t_inlines(c, cell, 1);
				c_close(c);
			}
			for (; k < ncols; k++) {
				c_open(c, "td");
				c_close(c);
			}
			c_close(c);
		}
		c_close(c);
		if (n->s1 && *n->s1) {
			char *s = malloc(strlen(n->s1) + 8);
			sprintf(s, "Table: %s", n->s1);
			t_text_para(c, s);
			free(s);
		}
		break;
	}
	case GAL_NODE_FIGURE: {
		if (n->s1) {
			snprintf(tag, sizeof tag, "p (img <%s>", n->s1);
			c_open(c, tag);
			if (n->s2)
				c_text(c, n->s2, strlen(n->s2));
			c_close(c);
			c_close(c);
		}
		int cap = n->first != NULL, cr = n->s3 && *n->s3;
		if (cap || cr) {
			c_open(c, "p");
			t_inlines(c, n, 0);
			if (cr) {
				if (cap)
					c_text(c, " ", 1);
				c_text(c, "(", 1);
				c_text(c, n->s3, strlen(n->s3));
				c_text(c, ")", 1);
			}
			c_close(c);
		}
		break;
	}
	case GAL_NODE_PRE:
		snprintf(tag, sizeof tag, "pre <%s>", n->s1 ? n->s1 : "");
		c_open(c, tag);
		gal_buf_putc(&c->text, '|'); /* literal, newlines kept */
		gal_buf_put(&c->text, n->lit ? n->lit : "", n->len);
		c_close(c);
		break;
	case GAL_NODE_THEMATIC_BREAK:
		c_flush(c);
		gal_buf_puts(&c->out, "(hr) ");
		break;
	default: break;
	}
}

static void t_blocks(canon *c, const gal_node *parent)
{
	for (const gal_node *n = parent->first; n; n = n->next)
		t_block(c, n);
}

static char *tree_canon(const gal_node *doc)
{
	canon c = {GAL_BUF_INIT, GAL_BUF_INIT};
	for (const gal_node *a = doc->first; a; a = a->next) {
		if (a != doc->first) {
			c_flush(&c);
			gal_buf_puts(&c.out, "(hr) ");
		}
		gal_node *h = gal_header_blocks(a);
		t_blocks(&c, h);
		gal_node_free(h);
		t_blocks(&c, a);
		if (a->meta->tagline)
			t_text_para(&c, a->meta->tagline);
		for (size_t i = 0; i < a->meta->notes.count; i++)
			t_text_para(&c, a->meta->notes.items[i]);
		if (a->meta->bibliography)
			t_text_para(&c, a->meta->bibliography);
	}
	c_flush(&c);
	gal_buf_free(&c.text);
	return gal_buf_detach(&c.out);
}

/* --- cmark's XML */

static const char *xattr(xmlNode *x, const char *name, char *buf, size_t size)
{
	xmlChar *v = xmlGetProp(x, (const xmlChar *)name);
	snprintf(buf, size, "%s", v ? (const char *)v : "");
	xmlFree(v);
	return buf;
}

static void x_nodes(canon *c, xmlNode *first, int flat);

static void x_node(canon *c, xmlNode *x, int flat)
{
	if (x->type != XML_ELEMENT_NODE)
		return;
	const char *name = (const char *)x->name;
	char a1[4096], a2[4096], tag[8400];
	xmlChar *content = NULL;
	if (!strcmp(name, "paragraph")) {
		c_open(c, "p");
		x_nodes(c, x->children, 0);
		c_close(c);
	} else if (!strcmp(name, "heading")) {
		snprintf(tag, sizeof tag, "h%s", xattr(x, "level", a1, sizeof a1));
		c_open(c, tag);
		x_nodes(c, x->children, 1);
		c_close(c);
	} else if (!strcmp(name, "block_quote")) {
		c_open(c, "bq");
		x_nodes(c, x->children, 0);
		c_close(c);
	} else if (!strcmp(name, "list")) {
		if (!strcmp(xattr(x, "type", a1, sizeof a1), "ordered"))
			snprintf(tag, sizeof tag, "ol %s", xattr(x, "start", a2, sizeof a2));
		else
			snprintf(tag, sizeof tag, "ul");
		c_open(c, tag);
		x_nodes(c, x->children, 0);
		c_close(c);
	} else if (!strcmp(name, "item")) {
		c_open(c, "li");
		x_nodes(c, x->children, 0);
		c_close(c);
	} else if (!strcmp(name, "table")) {
		c_open(c, "table");
		x_nodes(c, x->children, 1);
		c_close(c);
	} else if (!strcmp(name, "table_header") || !strcmp(name, "table_row")) {
		c_open(c, "tr");
		x_nodes(c, x->children, 1);
		c_close(c);
	} else if (!strcmp(name, "table_cell")) {
		c_open(c, "td");
		x_nodes(c, x->children, 1);
		c_close(c);
	} else if (!strcmp(name, "code_block")) {
		snprintf(tag, sizeof tag, "pre <%s>", xattr(x, "info", a1, sizeof a1));
		c_open(c, tag);
		content = xmlNodeGetContent(x);
		size_t n = content ? strlen((char *)content) : 0;
		if (n && content[n - 1] == '\n')
			n--;
		gal_buf_putc(&c->text, '|');
		gal_buf_put(&c->text, (char *)content, n);
		c_close(c);
	} else if (!strcmp(name, "thematic_break")) {
		c_flush(c);
		gal_buf_puts(&c->out, "(hr) ");
	} else if (!strcmp(name, "text") || !strcmp(name, "code")) {
		content = xmlNodeGetContent(x);
		if (!strcmp(name, "code"))
			c_open(c, "code");
		c_text(c, (char *)content, strlen((char *)content));
		if (!strcmp(name, "code"))
			c_close(c);
	} else if (!strcmp(name, "softbreak")) {
		c_text(c, " ", 1);
	} else if (!strcmp(name, "linebreak")) {
		if (flat)
			c_text(c, " ", 1);
		else {
			c_flush(c);
			gal_buf_puts(&c->out, "(br) ");
		}
	} else if (!strcmp(name, "emph") || !strcmp(name, "strong")) {
		c_open(c, !strcmp(name, "emph") ? "em" : "strong");
		x_nodes(c, x->children, flat);
		c_close(c);
	} else if (!strcmp(name, "link")) {
		snprintf(tag, sizeof tag, "a <%s> <%s>", xattr(x, "destination", a1, sizeof a1), xattr(x, "title", a2, sizeof a2));
		c_open(c, tag);
		x_nodes(c, x->children, flat);
		c_close(c);
	} else if (!strcmp(name, "image")) {
		snprintf(tag, sizeof tag, "img <%s>", xattr(x, "destination", a1, sizeof a1));
		c_open(c, tag);
		x_nodes(c, x->children, 1);
		c_close(c);
	} else if (!strcmp(name, "html_inline")) {
		content = xmlNodeGetContent(x);
		const char *s = (const char *)content;
		static const char *const tags[] = {"em", "strong", "sup", "sub"};
		int done = 0;
		for (size_t i = 0; i < 4 && !done; i++) {
			char open[16], close[16];
			snprintf(open, sizeof open, "<%s>", tags[i]);
			snprintf(close, sizeof close, "</%s>", tags[i]);
			if (!strcmp(s, open))
				c_open(c, tags[i]), done = 1;
			else if (!strcmp(s, close))
				c_close(c), done = 1;
		}
		if (!done) {
			c_open(c, "html");
			c_text(c, s, strlen(s));
			c_close(c);
		}
	} else {
		snprintf(tag, sizeof tag, "?%s", name);
		c_open(c, tag);
		x_nodes(c, x->children, flat);
		c_close(c);
	}
	xmlFree(content);
}

static void x_nodes(canon *c, xmlNode *first, int flat)
{
	for (xmlNode *x = first; x; x = x->next)
		x_node(c, x, flat);
}

static char *cmark_canon(const char *md, size_t len, int gfm)
{
	char path[] = "/tmp/galley-mdXXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, md, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	close(fd);
	char *argv_gfm[] = {"cmark-gfm", "-e", "table", "-t", "xml", path, NULL};
	char *argv_cm[] = {"cmark", "-t", "xml", path, NULL};
	result r;
	run(gfm ? argv_gfm : argv_cm, NULL, NULL, 30, &r);
	unlink(path);
	if (r.status != 0) {
		result_free(&r);
		return NULL;
	}
	xmlDoc *doc = xmlReadMemory(r.out, (int)r.out_len, NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOENT);
	result_free(&r);
	if (!doc)
		return NULL;
	canon c = {GAL_BUF_INIT, GAL_BUF_INIT};
	xmlNode *root = xmlDocGetRootElement(doc);
	if (root)
		x_nodes(&c, root->children, 0);
	c_flush(&c);
	xmlFreeDoc(doc);
	gal_buf_free(&c.text);
	return gal_buf_detach(&c.out);
}

static int has_type(gal_node *root, gal_node_type t)
{
	gal_iter *it = gal_iter_new(root);
	gal_event ev;
	int found = 0;
	while (!found && (ev = gal_iter_next(it)) != GAL_EVENT_DONE)
		found = ev == GAL_EVENT_ENTER && gal_node_type_of(gal_iter_node(it)) == t;
	gal_iter_free(it);
	return found;
}

/* Renders doc as Markdown, parses it with cmark, and compares structures. Returns 1 when they match. */
static int cmark_roundtrip(gal_node *doc, const char *name, int verbose)
{
	int gfm = has_type(doc, GAL_NODE_TABLE);
	if ((gfm && !have_cmark_gfm) || (!gfm && !have_cmark)) {
		skipped++;
		return 1;
	}
	gal_sink *s = gal_sink_new_buffer();
	gal_options o = GAL_OPTIONS_INIT;
	gal_error err;
	gal_write(gal_format_find("markdown"), doc, s, &o, &err);
	size_t n;
	const char *md = gal_sink_data(s, &n);
	char *want = tree_canon(doc), *got = cmark_canon(md, n, gfm);
	int ok = want && got && !strcmp(want, got);
	if (!ok && verbose) {
		printf("FAIL cmark round trip: %s\n--- markdown:\n%.*s\n--- tree:  %s\n--- cmark: %s\n", name, (int)n, md, want,
		       got ? got : "(cmark failed)");
	}
	free(want);
	free(got);
	gal_sink_free(s);
	return ok;
}

/* ------------------------------------------------------------------ property test: awkward strings */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static const char *const pieces[] = {
    "*",    "**",   "_",    "__",  "#",    "# ",     "1.",   "1. ",  "2)",   "<",     ">",    "&",     "&amp;", "&#42;",
    "\\",   "`",    "``",   "[",   "]",    "](x)",   "|",    "-",    "- ",   "+ ",    "=",    "===",   "---",   "~",
    "!",    "![",   "(",    ")",   "\"",   "'",      " ",    "  ",   "a",    "word",  "é",    "中文",  "😀",    "<div>",
    "<!--", "http://example.com/", "a*b", "_x_", "* * *", ":", ";", "$", "%", "{", "}", "^", "1", "99.", "\t"};

static void rand_text(gal_buf *b)
{
	int n = 1 + (int)rnd(6);
	for (int i = 0; i < n; i++)
		gal_buf_puts(b, pieces[rnd(sizeof pieces / sizeof *pieces)]);
}

static gal_node *rand_text_node(void)
{
	gal_buf b = GAL_BUF_INIT;
	rand_text(&b);
	gal_node *t = gal_node_new(GAL_NODE_TEXT);
	gal_node_set_literal(t, b.data, b.len);
	gal_buf_free(&b);
	return t;
}

static void rand_inlines(gal_node *parent, int depth)
{
	int n = 1 + (int)rnd(4);
	for (int i = 0; i < n; i++) {
		int kind = (int)rnd(depth > 2 ? 2 : 10);
		gal_node *x = NULL;
		switch (kind) {
		case 0:
		case 1:
		case 2:
			x = rand_text_node();
			break;
		case 3: x = gal_node_new(GAL_NODE_EMPH); break;
		case 4: x = gal_node_new(GAL_NODE_STRONG); break;
		case 5: x = gal_node_new(GAL_NODE_LINK); gal_node_set_attr(x, GAL_ATTR_HREF, rnd(2) ? "http://ex.com/a b(c)" : "/p?q=1&r=<2>"); break;
		case 6: {
			x = gal_node_new(GAL_NODE_CODE);
			gal_buf b = GAL_BUF_INIT;
			rand_text(&b);
			/* code spans cannot hold tabs or edge spaces faithfully in every parser: keep to one line */
			for (size_t k = 0; k < b.len; k++)
				if (b.data[k] == '\t')
					b.data[k] = 'T';
			gal_node_set_literal(x, b.data, b.len);
			gal_buf_free(&b);
			break;
		}
		case 7: x = gal_node_new(GAL_NODE_LINEBREAK); break;
		case 8: x = gal_node_new(GAL_NODE_SUPERSCRIPT); break;
		default: x = rand_text_node(); break;
		}
		if (gal_node_append(parent, x) != GAL_OK) {
			gal_node_free(x);
			continue;
		}
		if (kind == 3 || kind == 4 || kind == 5 || kind == 8)
			rand_inlines(x, depth + 1);
	}
}

static gal_node *rand_block(int depth)
{
	int kind = (int)rnd(depth > 1 ? 3 : 7);
	gal_node *b = NULL;
	switch (kind) {
	case 0:
	case 1:
		b = gal_node_new(GAL_NODE_PARAGRAPH);
		rand_inlines(b, 0);
		break;
	case 2:
		b = gal_node_new(GAL_NODE_HEADING);
		gal_node_set_heading_level(b, 1 + (int)rnd(6));
		rand_inlines(b, 0);
		break;
	case 3:
		b = gal_node_new(GAL_NODE_BLOCKQUOTE);
		gal_node_append(b, rand_block(depth + 1));
		if (rnd(2)) {
			gal_buf t = GAL_BUF_INIT;
			rand_text(&t);
			gal_node_set_attr(b, GAL_ATTR_ATTRIBUTION, t.data);
			gal_buf_free(&t);
		}
		break;
	case 4: {
		b = gal_node_new(GAL_NODE_LIST);
		gal_node_set_list(b, (int)rnd(2), (int)rnd(12));
		int n = 1 + (int)rnd(3);
		for (int i = 0; i < n; i++) {
			gal_node *it = gal_node_new(GAL_NODE_ITEM);
			gal_node_append(it, rand_block(depth + 1));
			gal_node_append(b, it);
		}
		break;
	}
	case 5: {
		b = gal_node_new(GAL_NODE_TABLE);
		int rows = 1 + (int)rnd(3), cols = 1 + (int)rnd(3);
		for (int r = 0; r < rows; r++) {
			gal_node *row = gal_node_new(GAL_NODE_ROW);
			gal_node_set_row_header(row, r == 0 && rnd(2));
			for (int k = 0; k < cols; k++) {
				gal_node *cell = gal_node_new(GAL_NODE_CELL);
				rand_inlines(cell, 0);
				gal_node_append(row, cell);
			}
			gal_node_append(b, row);
		}
		break;
	}
	default: {
		b = gal_node_new(GAL_NODE_PRE);
		gal_buf t = GAL_BUF_INIT;
		rand_text(&t);
		gal_buf_puts(&t, "\n```\n    indented");
		gal_node_set_literal(b, t.data, t.len);
		gal_buf_free(&t);
		break;
	}
	}
	return b;
}

static void property_markdown(void)
{
	if (!have_cmark) {
		printf("skip: cmark not installed, Markdown property test not run\n");
		skipped++;
		return;
	}
	int cases = 400, bad = 0;
	for (int i = 0; i < cases; i++) {
		gal_node *doc = gal_node_new(GAL_NODE_DOCUMENT), *art = gal_node_new(GAL_NODE_ARTICLE);
		gal_node_append(doc, art);
		int n = 1 + (int)rnd(4);
		for (int k = 0; k < n; k++)
			gal_node_append(art, rand_block(0));
		gal_tree_normalize(doc);
		char name[64];
		snprintf(name, sizeof name, "property case %d", i);
		if (!cmark_roundtrip(doc, name, bad < 5))
			bad++;
		gal_node_free(doc);
	}
	CHECK(bad == 0, "Markdown property test: %d of %d random trees did not survive cmark", bad, cases);
}

/* A shell command, formatted into `cmd` and run in `dir`, its result in `r` (the caller's locals). */
#define SH(...)                                                                                                    \
	do {                                                                                                       \
		snprintf(cmd, sizeof cmd, __VA_ARGS__);                                                            \
		sh(cmd, dir, &r);                                                                                  \
	} while (0)

/* the EPUB tests (book builder, writer and reader cases, round trips, hostile zips, epubcheck) */
#include "runtest_epub.c"
/* the charset tests (labels, decoding, encoding, NFC, the fixture variants, the options) */
#include "runtest_charset.c"
/* batch mode: a generated corpus, reports, resume, signals, GNU parallel */
#include "runtest_batch.c"

/* ------------------------------------------------------------------ fixtures */

static const struct {
	const char *file, *format;
} outputs[] = {{"expected.txt", "text"},
	       {"expected.md", "markdown"},
	       {"expected.native", "native"},
	       {"expected.nitf", "nitf"}};

static void nitf_validate_data(const char *what, const char *data, size_t len);

/* Splits the args file into argv words: whitespace separated; "double quotes" make one word of several. */
static int split_args(char *s, char **argv, int max)
{
	int n = 0;
	char *p = s;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*p == '"') {
			argv[n++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			argv[n++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
		}
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static const char *find_input(const char *dir, char *buf, size_t size)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	const char *found = NULL;
	for (struct dirent *e; (e = readdir(d));)
		if (!strncmp(e->d_name, "input.", 6)) {
			snprintf(buf, size, "%s", e->d_name);
			found = buf;
			break;
		}
	closedir(d);
	return found;
}

static void compare_or_update(const char *casename, const char *path, const char *got, size_t got_len)
{
	size_t want_len;
	char *want = read_file(path, &want_len);
	if (update) {
		if (!want || want_len != got_len || memcmp(want, got, got_len)) {
			write_file(path, got, got_len);
			printf("updated %s\n", path);
		}
		passed++;
	} else if (!want) {
		fail("%s: cannot read %s", casename, path);
	} else if (want_len != got_len || memcmp(want, got, got_len)) {
		char gotpath[4200];
		snprintf(gotpath, sizeof gotpath, "%s.got", path);
		write_file(gotpath, got, got_len);
		fail("%s: output differs from %s (see diff -u %s %s)", casename, path, path, gotpath);
	} else {
		passed++;
		char gotpath[4200];
		snprintf(gotpath, sizeof gotpath, "%s.got", path);
		unlink(gotpath);
	}
	free(want);
}

static void run_case(const char *dir)
{
	char inbuf[256];
	const char *input = find_input(dir, inbuf, sizeof inbuf);
	if (!input)
		return;
	if (only && !strstr(dir, only))
		return;
	char path[4200];
	snprintf(path, sizeof path, "%s/args", dir);
	char *args = read_file(path, NULL);
	char *extra[32];
	int nextra = args ? split_args(args, extra, 32) : 0;
	snprintf(path, sizeof path, "%s/expected.err", dir);
	int expect_error = exists(path);
	int ran = 0;
	snprintf(path, sizeof path, "%s/expected.epub.txt", dir);
	if (exists(path)) {
		epub_write_case(dir, input, extra, nextra);
		ran = 1;
	}
	if (!expect_error)
		corpus_add(dir, input, extra, nextra);
	for (size_t o = 0; o < sizeof outputs / sizeof *outputs; o++) {
		snprintf(path, sizeof path, "%s/%s", dir, outputs[o].file);
		int is_text = !strcmp(outputs[o].format, "text");
		if (!exists(path) && !(is_text && expect_error))
			continue;
		char *argv[48];
		int a = 0;
		argv[a++] = galley_abs;
		argv[a++] = "-t";
		argv[a++] = (char *)outputs[o].format;
		for (int i = 0; i < nextra; i++)
			argv[a++] = extra[i];
		argv[a++] = (char *)input;
		argv[a] = NULL;
		result r;
		run(argv, dir, NULL, 30, &r);
		ran = 1;
		if (expect_error) {
			CHECK(r.status == 1 && r.out_len == 0, "%s: expected a failure with no output (status %d)", dir, r.status);
			snprintf(path, sizeof path, "%s/expected.err", dir);
			compare_or_update(dir, path, r.err, r.err_len);
			result_free(&r);
			break;
		}
		if (r.status != 0)
			fail("%s: -t %s exited with %d: %s", dir, outputs[o].format, r.status, r.err);
		else {
			compare_or_update(dir, path, r.out, r.out_len);
			if (!strcmp(outputs[o].format, "nitf"))
				nitf_validate_data(dir, r.out, r.out_len);
		}
		if (is_text) {
			snprintf(path, sizeof path, "%s/expected.stderr", dir);
			if (exists(path) || (update && r.err_len))
				compare_or_update(dir, path, r.err, r.err_len);
			else if (r.err_len)
				fail("%s: unexpected stderr: %s", dir, r.err);
		}
		result_free(&r);
	}
	/* the Markdown of every case must parse back to the same structure */
	if (!expect_error) {
		snprintf(path, sizeof path, "%s/%s", dir, input);
		size_t len;
		char *data = read_file(path, &len);
		gal_options opts = GAL_OPTIONS_INIT;
		const gal_format *fmt = gal_format_for_path(input);
		for (int i = 0; i + 1 < nextra; i++)
			if (!strcmp(extra[i], "-f"))
				fmt = gal_format_find(extra[i + 1]);
		gal_node *doc = NULL;
		gal_error err;
		if (data && fmt && gal_read(fmt, data, len, &opts, &doc, &err) == GAL_OK) {
			CHECK(cmark_roundtrip(doc, dir, 1), "%s: Markdown parses back to the tree's structure", dir);
			gal_node_free(doc);
		}
		free(data);
	}
	if (!ran)
		printf("note: %s has no expected output\n", dir);
	free(args);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The names in a folder but hidden ones, sorted (at most max; each strdup'd, the caller frees them). 0 when the
 * folder cannot be read. */
static size_t sorted_entries(const char *root, char **names, size_t max)
{
	DIR *d = opendir(root);
	if (!d)
		return 0;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < max;)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	return n;
}

static void run_fixtures(const char *root, int depth)
{
	char *names[4096];
	size_t n = sorted_entries(root, names, 4096);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			char buf[256], xf[4200];
			snprintf(xf, sizeof xf, "%s/xfail", path);
			if (!only || strstr(path, only))
				build_book(path); /* a reader fixture's book/ folder becomes its input.epub */
			if (find_input(path, buf, sizeof buf)) {
				in_xfail = exists(xf) && !update;
				xfail_hits = 0;
				int before = passed;
				run_case(path);
				if (in_xfail) {
					in_xfail = 0;
					if (xfail_hits) {
						xfailed++;
						passed = before; /* the case's partial passes do not count */
					} else if (!only || strstr(path, only))
						fail("%s: passes but is marked xfail: remove %s", path, xf);
				}
			}
			else if (depth < 3)
				run_fixtures(path, depth + 1);
		}
		free(names[i]);
	}
}

/* ------------------------------------------------------------------ command line */

static void cli_tests(void)
{
	char dir[] = "/tmp/galley-cliXXXXXX";
	if (!mkdtemp(dir)) {
		fail("mkdtemp");
		return;
	}
	char cmd[8192];
	result r;

	SH("'%s' --list-formats", galley_abs);
	CHECK(r.status == 0 && strstr(r.out, "Readers:\n  html ") && strstr(r.out, "  text ") && strstr(r.out, "  markdown ") &&
		  !strstr(r.out, "native"),
	      "--list-formats: %s", r.out);
	result_free(&r);
	SH("'%s' --version", galley_abs);
	CHECK(r.status == 0 && !strncmp(r.out, "galley ", 7), "--version");
	result_free(&r);

	SH("'%s' missing.html", galley_abs);
	CHECK(r.status == 1 && !strcmp(r.err, "galley: missing.html: cannot open: No such file or directory\n"), "missing file: %s", r.err);
	result_free(&r);

	SH("printf '<p>x</p>' > a.html; '%s' -f nosuch a.html", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "unknown input format 'nosuch'"), "unknown -f: %s", r.err);
	result_free(&r);
	SH("'%s' -t nosuch a.html", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "unknown output format 'nosuch'"), "unknown -t: %s", r.err);
	result_free(&r);
	SH("'%s' --columns x a.html", galley_abs);
	CHECK(r.status == 2 && r.out_len == 0, "bad --columns");
	result_free(&r);

	/* --no-sync: the same bytes, renamed into place (no temporary file left), in single and batch mode */
	SH("G='%s'; mkdir ns && cp a.html ns/ && cd ns && \"$G\" a.html -o synced.txt && \"$G\" --no-sync a.html -o unsynced.txt && cmp synced.txt unsynced.txt && "
	   "\"$G\" --no-sync -o nosync/ a.html && cmp synced.txt nosync/a.txt && test -z \"$(ls -A nosync | grep -v '^a.txt$')\" && "
	   "test -z \"$(ls -a | grep '^\\.synced\\|^\\.unsynced')\"",
	   galley_abs);
	CHECK(r.status == 0, "--no-sync writes the same output: %s", r.err);
	result_free(&r);
	SH("rm -r ns");
	result_free(&r);

	SH("'%s' a.html -o /nonexistent-dir/out.txt", galley_abs);
	CHECK(r.status == 1 && strstr(r.err, "galley: /nonexistent-dir/out.txt: cannot write"), "unwritable output: %s", r.err);
	result_free(&r);

	/* a failing conversion leaves no output file, and an existing one untouched */
	SH("printf '' > empty.html; '%s' empty.html -o out.txt; test ! -e out.txt", galley_abs);
	CHECK(r.status == 0 && strstr(r.err, "galley: empty.html: HTML: empty input"), "empty input: no output file: %s", r.err);
	result_free(&r);
	SH("echo keep > out.txt; '%s' empty.html -o out.txt; test \"$(cat out.txt)\" = keep && test $(ls -a | wc -l) = 5",
	   galley_abs);
	CHECK(r.status == 0, "existing output untouched, no temporary files left");
	result_free(&r);
	SH("'%s' a.html -o out.txt && cat out.txt", galley_abs);
	CHECK(r.status == 0 && !strcmp(r.out, "x\n"), "output written: %s", r.out);
	result_free(&r);
	SH("'%s' a.html -o a.html", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "refusing to overwrite an input"), "input not overwritten: %s", r.err);
	result_free(&r);
	SH("'%s' . 2>&1", galley_abs);
	CHECK(r.status == 1 && strstr(r.out, "galley: .: is a directory"), "directory input: %s", r.out);
	result_free(&r);

	/* stdin, and the output format guessed from -o */
	SH("printf '<h1>T</h1><p>*x*</p>' | '%s' -o o.md && cat o.md", galley_abs);
	CHECK(r.status == 0 && !strcmp(r.out, "# T\n\n\\*x\\*\n"), "stdin + -o .md: %s", r.out);
	result_free(&r);
	/* several inputs make one document */
	SH("printf '<title>One</title><p>a</p>' > 1.html; printf '<title>Two</title><p>b</p>' > 2.html; '%s' -t md 1.html 2.html",
	   galley_abs);
	CHECK(r.status == 0 && !strcmp(r.out, "# One\n\na\n\n* * *\n\n# Two\n\nb\n"), "two inputs: %s", r.out);
	result_free(&r);
	/* binary input */
	SH("head -c 3000 /bin/sh > bin.html; '%s' bin.html", galley_abs);
	CHECK(r.status == 1 && strstr(r.err, "galley: bin.html: HTML: not HTML: the input is binary data"), "binary: %s", r.err);
	result_free(&r);

	/* hostile nesting: 100,000 unclosed <div>s and <b>s convert, bounded, without a crash */
	SH("awk 'BEGIN{for(i=0;i<100000;i++) printf \"<div><b>\"; print \"deep text\"}' > deep.html; "
	   "timeout 20 '%s' deep.html | tail -n 1",
	   galley_abs);
	CHECK(r.status == 0 && strstr(r.out, "deep text"), "deep nesting kept its text (%d): %s", r.status, r.err);
	result_free(&r);
	/* the node limit is enforced */
	SH("awk 'BEGIN{for(i=0;i<300000;i++) printf \"<p>x</p><p>y<b>z</b></p>\"}' > many.html; timeout 20 '%s' many.html >/dev/null",
	   galley_abs);
	CHECK(r.status == 0, "300k paragraphs convert (%d): %s", r.status, r.err);
	result_free(&r);

	/* 40,000 line breaks in one paragraph: linear time (this was quadratic, found by fuzzing) */
	SH("awk 'BEGIN{printf \"<p>x\"; for(i=0;i<40000;i++) printf \"<br>\"; print \"y\"}' > brs.html; "
	   "timeout 5 '%s' -t md brs.html | tail -n 1",
	   galley_abs);
	CHECK(r.status == 0 && !strcmp(r.out, "y\n"), "many line breaks in bounded time (%d)", r.status);
	result_free(&r);

	SH("rm -rf '%s'", dir);
	result_free(&r);
}

/* ------------------------------------------------------------------ main */

static int have(const char *prog)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
	result r;
	sh(cmd, NULL, &r);
	int ok = r.status == 0;
	result_free(&r);
	return ok;
}

/* ------------------------------------------------------------------ NITF */

static int have_xmllint;
static char nitf_schema[4096]; /* schemas/galley-nitf.xsd */
static char nitf_ref[4096];    /* the reference folder (IPTC's XSD, wire samples); "" when absent */
static char nitf_ignored[128][64]; /* "element@attribute" or "*@attribute": what galley does not model */
static int nitf_nignored;

static void nitf_setup(void)
{
	have_xmllint = have("xmllint");
	if (!realpath("schemas/galley-nitf.xsd", nitf_schema))
		nitf_schema[0] = '\0';
	/* GALLEY_NITF_REFERENCE, when set, is the only place looked at (set it to "" to run without) */
	const char *env = getenv("GALLEY_NITF_REFERENCE");
	const char *cands[] = {env, env ? NULL : "../shared/reference/nitf", env ? NULL : "/work/shared/reference/nitf"};
	for (size_t i = 0; i < sizeof cands / sizeof *cands && !nitf_ref[0]; i++) {
		char xsd[4200];
		if (!cands[i])
			continue;
		snprintf(xsd, sizeof xsd, "%s/nitf-3-6.xsd", cands[i]);
		if (exists(xsd) && !realpath(cands[i], nitf_ref))
			nitf_ref[0] = '\0';
	}
	/* the attributes galley does not model, as docs/nitf.md lists them between its markers */
	char *doc = read_file("docs/nitf.md", NULL);
	const char *from = doc ? strstr(doc, "<!-- not-modelled-attributes -->") : NULL;
	const char *to = from ? strstr(from, "<!-- /not-modelled-attributes -->") : NULL;
	for (const char *p = from; p && p < to && nitf_nignored < 128; p++) {
		if (*p != '`')
			continue;
		const char *e = memchr(p + 1, '`', (size_t)(to - p - 1));
		if (!e)
			break;
		if (memchr(p + 1, '@', (size_t)(e - p - 1)) && e - p - 1 < 64)
			snprintf(nitf_ignored[nitf_nignored++], 64, "%.*s", (int)(e - p - 1), p + 1);
		p = e;
	}
	free(doc);
}

/* xmllint --schema on one file, against galley's schema and IPTC's (each a check; skipped when unavailable). */
static void nitf_validate(const char *what, const char *file)
{
	static int noted;
	if (!have_xmllint || !nitf_schema[0]) {
		if (!noted++)
			printf("skip: xmllint or schemas/galley-nitf.xsd missing: NITF output not validated\n");
		skipped++;
		return;
	}
	char official[4200];
	snprintf(official, sizeof official, "%s/nitf-3-6.xsd", nitf_ref);
	const char *schemas[] = {nitf_schema, nitf_ref[0] ? official : NULL};
	for (size_t i = 0; i < 2; i++) {
		if (!schemas[i]) {
			skipped++;
			continue;
		}
		char *argv[] = {"xmllint", "--noout", "--nonet", "--schema", (char *)schemas[i], (char *)file, NULL};
		result r;
		run(argv, NULL, NULL, 60, &r);
		if (r.status == 0)
			passed++;
		else
			fail("%s: NITF output does not validate against %s:\n%.2000s", what, schemas[i], r.err);
		result_free(&r);
	}
}

static void nitf_validate_data(const char *what, const char *data, size_t len)
{
	char path[] = "/tmp/galley-nitfXXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		fail("%s: cannot write a temporary file", what);
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	nitf_validate(what, path);
	unlink(path);
}

/* Runs galley with `pre` arguments, the fixture's own, then `post` (NULL-terminated lists), in `cwd`. */
static void galley_run(const char *cwd, const char *const *pre, char **extra, int nextra, const char *const *post,
		       result *r)
{
	char *argv[64];
	int a = 0;
	argv[a++] = galley_abs;
	for (int i = 0; pre && pre[i] && a < 40; i++)
		argv[a++] = (char *)pre[i];
	for (int i = 0; i < nextra && a < 56; i++)
		argv[a++] = extra[i];
	for (int i = 0; post && post[i] && a < 63; i++)
		argv[a++] = (char *)post[i];
	argv[a] = NULL;
	run(argv, cwd, NULL, 60, r);
}

static int nitf_attr_ignored(const char *elem, const char *attr)
{
	for (int i = 0; i < nitf_nignored; i++) {
		const char *at = strchr(nitf_ignored[i], '@');
		size_t el = (size_t)(at - nitf_ignored[i]);
		if (strcmp(at + 1, attr))
			continue;
		if ((el == 1 && nitf_ignored[i][0] == '*') || (strlen(elem) == el && !strncmp(nitf_ignored[i], elem, el)))
			return 1;
	}
	return 0;
}

/* Elements whose content is elements only: white space between their children is layout. */
static int nitf_element_only(const char *name)
{
	static const char *const names[] = {"nitf", "head", "docdata", "key-list", "identified-content", "body",
					    "body.head", "hedline", "note", "body.content", "abstract", "block", "bq",
					    "ol", "ul", "table", "thead", "tbody", "tfoot", "tr", "media", "body.end",
					    "tobject", "del-list", "dl", NULL};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* xmllint --c14n of a file, then without the attributes galley does not model and without layout white space.
 * Caller frees; NULL (with a failure reported) when xmllint fails. */
static char *nitf_c14n(const char *what, const char *file)
{
	char *argv[] = {"xmllint", "--nonet", "--c14n", (char *)file, NULL};
	result r;
	run(argv, NULL, NULL, 60, &r);
	if (r.status != 0) {
		fail("%s: xmllint --c14n %s failed: %s", what, file, r.err);
		result_free(&r);
		return NULL;
	}
	xmlDoc *doc = xmlReadMemory(r.out, (int)r.out_len, NULL, "UTF-8", XML_PARSE_NONET);
	result_free(&r);
	if (!doc) {
		fail("%s: canonical XML does not parse", what);
		return NULL;
	}
	xmlNode *x = xmlDocGetRootElement(doc);
	while (x) {
		if (x->type == XML_ELEMENT_NODE) {
			for (xmlAttr *a = x->properties, *next; a; a = next) {
				next = a->next;
				char qname[128];
				snprintf(qname, sizeof qname, "%s%s%s", a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "",
					 a->ns && a->ns->prefix ? ":" : "", (const char *)a->name);
				if (nitf_attr_ignored((const char *)x->name, qname))
					xmlRemoveProp(a);
			}
			for (xmlNode *k = x->children, *next; k && nitf_element_only((const char *)x->name); k = next) {
				next = k->next;
				if (k->type == XML_TEXT_NODE && xmlIsBlankNode(k)) {
					xmlUnlinkNode(k);
					xmlFreeNode(k);
				}
			}
		}
		if (x->type == XML_ELEMENT_NODE && x->children) {
			x = x->children;
			continue;
		}
		while (x && !x->next)
			x = x->parent && x->parent->type == XML_ELEMENT_NODE ? x->parent : NULL;
		x = x ? x->next : NULL;
	}
	xmlChar *mem = NULL;
	int size = 0;
	xmlDocDumpMemory(doc, &mem, &size);
	char *out = mem ? strndup((const char *)mem, (size_t)size) : NULL;
	xmlFree(mem);
	xmlFreeDoc(doc);
	return out;
}

/* NITF -> NITF of one input: the NITF output validates; reading it gives the same tree (native); with `c14n`, the
 * output is the input after canonicalisation, bar the attributes galley does not model. */
static void nitf_roundtrip(const char *what, const char *dir, const char *input, char **extra, int nextra, int c14n)
{
	char tmp[] = "/tmp/galley-rtXXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fail("mkstemp");
		return;
	}
	close(fd);
	const char *to_nitf[] = {"-t", "nitf", NULL}, *to_native[] = {"-t", "native", NULL};
	const char *in_post[] = {input, NULL}, *back_post[] = {"-f", "nitf", tmp, NULL};
	result a, b, c;
	galley_run(dir, to_nitf, extra, nextra, in_post, &a);
	if (a.status != 0) {
		fail("%s: -t nitf exited with %d: %s", what, a.status, a.err);
		result_free(&a);
		unlink(tmp);
		return;
	}
	write_file(tmp, a.out, a.out_len);
	nitf_validate(what, tmp);
	galley_run(dir, to_native, extra, nextra, in_post, &b);
	galley_run(dir, to_native, extra, nextra, back_post, &c);
	CHECK(b.status == 0 && c.status == 0 && b.out_len == c.out_len && !memcmp(b.out, c.out, b.out_len),
	      "%s: NITF -> NITF changed the tree:\n--- before\n%.3000s\n--- after\n%.3000s", what, b.out, c.out);
	if (c14n) {
		char inpath[4200];
		snprintf(inpath, sizeof inpath, "%s/%s", dir, input);
		char *want = nitf_c14n(what, inpath), *got = nitf_c14n(what, tmp);
		if (want && got) {
			CHECK(!strcmp(want, got), "%s: NITF -> NITF differs after canonicalisation:\n--- input\n%.4000s\n--- output\n%.4000s",
			      what, want, got);
		}
		free(want);
		free(got);
	}
	result_free(&a);
	result_free(&b);
	result_free(&c);
	unlink(tmp);
}

/* HTML -> NITF -> X equals HTML -> X for text, Markdown and the tree, with the fixture's own arguments. */
static void nitf_from_html(const char *dir, const char *input, char **extra, int nextra)
{
	char tmp[] = "/tmp/galley-htXXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fail("mkstemp");
		return;
	}
	close(fd);
	const char *to_nitf[] = {"-t", "nitf", NULL}, *in_post[] = {input, NULL}, *back_post[] = {"-f", "nitf", tmp, NULL};
	result a;
	galley_run(dir, to_nitf, extra, nextra, in_post, &a);
	if (a.status != 0)
		fail("%s: HTML -> NITF exited with %d: %s", dir, a.status, a.err);
	else {
		write_file(tmp, a.out, a.out_len);
		nitf_validate(dir, tmp);
		static const char *const formats[] = {"markdown", "text", "native"};
		for (size_t i = 0; i < 3; i++) {
			const char *pre[] = {"-t", formats[i], NULL};
			result direct, via;
			galley_run(dir, pre, extra, nextra, in_post, &direct);
			galley_run(dir, pre, extra, nextra, back_post, &via);
			CHECK(direct.status == via.status && direct.out_len == via.out_len &&
				  !memcmp(direct.out, via.out, direct.out_len),
			      "%s: HTML -> NITF -> %s differs from HTML -> %s:\n--- direct\n%.3000s\n--- via NITF\n%.3000s", dir,
			      formats[i], formats[i], direct.out, via.out);
			result_free(&direct);
			result_free(&via);
		}
	}
	result_free(&a);
	unlink(tmp);
}

/* Every fixture: NITF inputs round-trip, HTML inputs go through NITF unchanged. */
static void nitf_fixture_case(const char *dir)
{
	char inbuf[256], path[4200];
	const char *input = find_input(dir, inbuf, sizeof inbuf);
	if (!input || (only && !strstr(dir, only)))
		return;
	snprintf(path, sizeof path, "%s/expected.err", dir);
	if (exists(path))
		return;
	snprintf(path, sizeof path, "%s/args", dir);
	char *args = read_file(path, NULL);
	char *extra[32];
	int nextra = args ? split_args(args, extra, 32) : 0;
	const gal_format *fmt = gal_format_for_path(input);
	for (int i = 0; i + 1 < nextra; i++)
		if (!strcmp(extra[i], "-f"))
			fmt = gal_format_find(extra[i + 1]);
	/* an EPUB writer fixture makes one book of several inputs: not an HTML -> NITF case */
	char book[4200];
	snprintf(book, sizeof book, "%s/expected.epub.txt", dir);
	snprintf(path, sizeof path, "%s/roundtrip", dir);
	if (fmt == gal_format_find("nitf"))
		nitf_roundtrip(dir, dir, input, extra, nextra, exists(path));
	else if (fmt == gal_format_find("html") && !exists(book))
		nitf_from_html(dir, input, extra, nextra);
	free(args);
}

static void nitf_fixtures(const char *root, int depth)
{
	char *names[4096];
	size_t n = sorted_entries(root, names, 4096);
	for (size_t i = 0; i < n; i++) {
		char path[4096], buf[256];
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (find_input(path, buf, sizeof buf))
				nitf_fixture_case(path);
			else if (depth < 3)
				nitf_fixtures(path, depth + 1);
		}
		free(names[i]);
	}
}

/* The wire samples under the reference folder: read without error, to text and Markdown, valid NITF out, the same
 * tree after NITF -> NITF. */
static void nitf_reference_samples(void)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/samples", nitf_ref);
	DIR *d = nitf_ref[0] ? opendir(dir) : NULL;
	if (!d) {
		printf("skip: NITF reference samples not found (../shared/reference/nitf/samples)\n");
		skipped++;
		return;
	}
	char *names[256];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 256;)
		if (strstr(e->d_name, ".xml"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	int converted = 0, before_fail = failed;
	for (size_t i = 0; i < n; i++) {
		char what[4400];
		snprintf(what, sizeof what, "reference %s", names[i]);
		int ok = 1;
		static const char *const formats[] = {"text", "markdown"};
		for (size_t f = 0; f < 2; f++) {
			const char *pre[] = {"-t", formats[f], NULL}, *post[] = {names[i], NULL};
			result r;
			galley_run(dir, pre, NULL, 0, post, &r);
			CHECK(r.status == 0 && r.out_len > 0, "%s: -t %s exited with %d: %s", what, formats[f], r.status, r.err);
			ok &= r.status == 0 && r.out_len > 0;
			/* the two samples with UTF-8 bytes under a Latin-1 label come out right, with a warning */
			if (f == 0 && (strstr(names[i], "mapping_test") || strstr(names[i], "pa4"))) {
				const char *want = strstr(names[i], "pa4") ? "\xc2\xa3" "25 million" : "41-\xc3\xa5rig";
				CHECK(r.out && strstr(r.out, want) && !strstr(r.out, "\xc3\x83") &&
					  strstr(r.err, "declared iso-8859-1, but the bytes are UTF-8"),
				      "%s: mislabelled UTF-8 not read right (want '%s' and a warning): %s", what, want, r.err);
			}
			if (f == 0 && strstr(names[i], "pa5")) /* real Latin-1: no warning, the pound sign right */
				CHECK(r.out && strstr(r.out, "\xc2\xa3" "66BN") && !r.err_len, "%s: Latin-1 pound sign: %s", what, r.err);
			result_free(&r);
		}
		char path[4400];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		size_t len;
		char *data = read_file(path, &len);
		CHECK(data && gal_format_sniff(data, len) == gal_format_find("nitf"), "%s: sniffed as NITF", what);
		free(data);
		int before = failed;
		nitf_roundtrip(what, dir, names[i], NULL, 0, 0);
		converted += ok && failed == before;
		free(names[i]);
	}
	printf("NITF reference samples: %d of %zu read, converted to text and Markdown, written as valid NITF and read "
	       "back to the same tree\n",
	       converted, n);
	CHECK(n > 0 && failed == before_fail, "reference samples: %zu found", n);
}

/* In-process checks of the copyright mapping (one string both ways). */
static void nitf_unit(void)
{
	static const char *const texts[] = {"\xc2\xa9 2024 Galley Wire", "\xc2\xa9 2024", "Galley Wire",
					    "Copyright 2024 Example News. All rights reserved.", "\xc2\xa9 AP",
					    "2024 AP", "(c) 1999 X"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		char *y, *h;
		CHECK(gal_nitf_copyright_split(texts[i], &y, &h) == GAL_OK, "split '%s'", texts[i]);
		char *back = gal_nitf_copyright_text(y, h);
		CHECK(back && !strcmp(back, texts[i]), "copyright '%s' -> year '%s', holder '%s' -> '%s'", texts[i],
		      y ? y : "", h ? h : "", back ? back : "(null)");
		free(y);
		free(h);
		free(back);
	}
	char *y, *h;
	gal_nitf_copyright_split("\xc2\xa9 2024 Galley Wire", &y, &h);
	CHECK(y && h && !strcmp(y, "2024") && !strcmp(h, "Galley Wire"), "copyright split into year and holder");
	free(y);
	free(h);
	const char *prolog = "<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE nitf [<!ENTITY a \"b>\">]>\n<nitf:nitf>";
	CHECK(gal_format_sniff(prolog, strlen(prolog)) == gal_format_find("nitf"), "sniff NITF behind a prolog");
	CHECK(gal_format_sniff("<nitfx>", 7) != gal_format_find("nitf"), "sniff: <nitfx> is not NITF");
	CHECK(gal_format_sniff("<!DOCTYPE html><p>x", 18) == gal_format_find("html"), "HTML is not NITF");
	CHECK(gal_format_for_path("wire/story.xml") == gal_format_find("nitf"), ".xml is NITF");
}

/* Hostile and broken XML, and the command line around NITF. */
static void nitf_cli(void)
{
	char dir[] = "/tmp/galley-nitfXXXXXX";
	if (!mkdtemp(dir)) {
		fail("mkdtemp");
		return;
	}
	char cmd[8192];
	result r;
	const char *g = galley_abs;

	SH("'%s' --list-formats", g);
	CHECK(r.status == 0 && strstr(r.out, "Readers:\n") && strstr(r.out, "  nitf ") &&
		  strstr(strstr(r.out, "Writers:"), "  nitf "),
	      "--list-formats shows nitf as reader and writer: %s", r.out);
	result_free(&r);

	/* a small story; several inputs need -o DIR/ */
	SH("printf '<nitf><head><docdata><doc-id id-string=\"wire/1 a\"/></docdata></head><body><body.content><p>one</p>"
	   "</body.content></body></nitf>' > a.xml; printf '<nitf><body><body.content><p>two</p></body.content></body>"
	   "</nitf>' > b.xml; '%s' -t nitf a.xml b.xml",
	   g);
	CHECK(r.status == 1 && r.out_len == 0 && strstr(r.err, "galley: NITF: one article per document") &&
		  strstr(r.err, "-o DIR/"),
	      "several inputs to NITF without -o DIR/: a clear error (%d): %s", r.status, r.err);
	result_free(&r);
	SH("'%s' -t nitf -o out/ a.xml b.xml b.xml && ls out | tr '\\n' ' '", g);
	CHECK(r.status == 0 && !strcmp(r.out, "b-2.xml b.xml wire_1_a.xml "), "-o DIR/: one file per article (%d): %s %s",
	      r.status, r.out, r.err);
	result_free(&r);
	SH("ls -a out | wc -l; grep -c '<p>two</p>' out/b.xml out/b-2.xml; grep -c 'wire/1 a' out/wire_1_a.xml");
	CHECK(r.status == 0 && !strcmp(r.out, "5\nout/b.xml:1\nout/b-2.xml:1\n1\n"), "-o DIR/ files hold their article, no temporary left: %s",
	      r.out);
	result_free(&r);
	static const char *const written[] = {"out/b.xml", "out/b-2.xml", "out/wire_1_a.xml"};
	for (size_t i = 0; i < 3; i++) {
		char file[4200];
		snprintf(file, sizeof file, "%s/%s", dir, written[i]);
		nitf_validate("-o DIR/", file);
	}
	SH("'%s' -t nitf -o ./ b.xml", g);
	CHECK(r.status == 1 && strstr(r.err, "refusing to overwrite an input file"), "-o DIR/ never overwrites an input: %s",
	      r.err);
	result_free(&r);
	SH("'%s' -t nitf -o out/ a.xml missing.xml b.xml; echo \" $?\"; ls out | wc -l", g);
	CHECK(strstr(r.out, " 1\n3\n") && strstr(r.err, "missing.xml: cannot open"),
	      "-o DIR/: a failing input is reported, the others converted: %s %s", r.out, r.err);
	result_free(&r);
	/* stdin is sniffed */
	SH("cat a.xml | '%s'", g);
	CHECK(r.status == 0 && !strcmp(r.out, "one\n"), "NITF on stdin is recognised: %s %s", r.out, r.err);
	result_free(&r);

	/* not well-formed: one error with line and column */
	SH("printf '<?xml version=\"1.0\"?>\\n<nitf>\\n<body><body.content>\\n  <p>x</b>\\n</body.content></body></nitf>\\n' "
	   "> bad.xml; '%s' bad.xml",
	   g);
	CHECK(r.status == 1 && r.out_len == 0 &&
		  !strcmp(r.err, "galley: bad.xml:4: NITF: not well-formed XML (line 4, column 11): Opening and ending tag "
				 "mismatch: p line 4 and b\n"),
	      "malformed XML: %s", r.err);
	result_free(&r);
	SH("printf '<rss><channel/></rss>' > rss.xml; '%s' rss.xml", g);
	CHECK(r.status == 1 && strstr(r.err, "rss.xml:1: NITF: not NITF: the root element is <rss>"), "not NITF: %s", r.err);
	result_free(&r);

	/* external entities are never read */
	SH("echo TOPSECRET > secret.txt; printf '<!ENTITY leak \"PESECRET\">' > secret.dtd; "
	   "printf '<?xml version=\"1.0\"?>\\n<!DOCTYPE nitf [\\n<!ENTITY xxe SYSTEM \"file://%s/secret.txt\">\\n]>\\n"
	   "<nitf><body><body.content><p>a &xxe; b</p></body.content></body></nitf>\\n' > xxe.xml; '%s' xxe.xml",
	   dir, g);
	CHECK(r.status == 0 && !strcmp(r.out, "a b\n") && !strstr(r.err, "TOPSECRET") &&
		  strstr(r.err, "external entity &xxe; not read"),
	      "XXE: the local file is not read (%d): %s %s", r.status, r.out, r.err);
	result_free(&r);
	SH("printf '<?xml version=\"1.0\"?>\\n<!DOCTYPE nitf [\\n<!ENTITY %% pe SYSTEM \"file://%s/secret.dtd\">\\n%%pe;\\n]>\\n"
	   "<nitf><body><body.content><p>a &leak; b</p></body.content></body></nitf>\\n' > xxe2.xml; '%s' xxe2.xml",
	   dir, g);
	CHECK(!strstr(r.out, "PESECRET") && !strstr(r.err, "PESECRET"), "XXE through a parameter entity: not read: %s %s",
	      r.out, r.err);
	result_free(&r);
	/* the billion laughs: refused at once */
	SH("{ echo '<?xml version=\"1.0\"?>'; echo '<!DOCTYPE nitf ['; echo '<!ENTITY l0 \"lol\">'; "
	   "for i in 1 2 3 4 5 6 7 8 9; do printf '<!ENTITY l%%d \"' $i; for k in 1 2 3 4 5 6 7 8 9 10; do printf '&l%%d;' $((i-1)); done; echo '\">'; done; "
	   "echo ']>'; echo '<nitf><body><body.content><p>&l9;</p></body.content></body></nitf>'; } > bomb.xml; "
	   "timeout 5 '%s' bomb.xml",
	   g);
	CHECK(r.status == 1 && r.out_len == 0 && strstr(r.err, "bomb.xml:14: NITF: entity expansion refused"),
	      "entity bomb refused quickly with a clear error (%d): %s", r.status, r.err);
	result_free(&r);
	/* an expansion libxml2 lets through (large input, moderate ratio) stops at galley's own budget */
	SH("{ echo '<?xml version=\"1.0\"?>'; echo '<!DOCTYPE nitf ['; printf '<!ENTITY a0 \"'; head -c 1000 /dev/zero | tr '\\0' x; "
	   "echo '\">'; printf '<!ENTITY a1 \"'; for k in $(seq 100); do printf '&a0;'; done; echo '\">'; echo ']>'; "
	   "printf '<!--'; head -c 2000000 /dev/zero | tr '\\0' p; printf -- '-->'; printf '<nitf><body><body.content>'; "
	   "for k in $(seq 150); do printf '<p>&a1;</p>'; done; echo '</body.content></body></nitf>'; } > big.xml; "
	   "timeout 10 '%s' big.xml",
	   g);
	CHECK(r.status == 1 && r.out_len == 0 && strstr(r.err, "NITF: entity expansion beyond") && strstr(r.err, "refused"),
	      "entity expansion budget (%d): %s", r.status, r.err);
	result_free(&r);
	/* depth */
	SH("{ printf '<nitf><body><body.content>'; for i in $(seq 300); do printf '<block>'; done; printf x; "
	   "for i in $(seq 300); do printf '</block>'; done; echo '</body.content></body></nitf>'; } > deep.xml; "
	   "timeout 5 '%s' deep.xml",
	   g);
	CHECK(r.status == 1 && strstr(r.err, "deep.xml:1: NITF: elements nested more than 256 deep"), "deep nesting: %s",
	      r.err);
	result_free(&r);
	/* a tree deeper than XML readers accept (from HTML): written as text below the limit, valid and readable */
	SH("G='%s'; { for i in $(seq 200); do printf '<blockquote>'; done; printf '<p>deep <em>text</em></p>'; "
	   "for i in $(seq 200); do printf '</blockquote>'; done; } > deep.html; \"$G\" -t nitf -o deep-out.xml deep.html && "
	   "\"$G\" deep-out.xml | tr -d ' \n'",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "deeptext") &&
		  strstr(r.err, "warning: NITF: structure nested deeper than 250 elements: written as text"),
	      "deep tree to NITF (%d): %s %s", r.status, r.out, r.err);
	result_free(&r);
	snprintf(cmd, sizeof cmd, "%s/deep-out.xml", dir);
	nitf_validate("deep tree to NITF", cmd);

	/* HTML entities without a DTD: read, with a warning; inside a DOCTYPE'd document (the DTD may declare them)
	 * silently */
	SH("printf '<nitf><body><body.content><p>a&nbsp;b &eacute; &mdash;</p></body.content></body></nitf>' > ent.xml; "
	   "'%s' ent.xml",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "a\xc2\xa0" "b \xc3\xa9 \xe2\x80\x94\n") &&
		  strstr(r.err, "warning: ent.xml:1: NITF: entities used without a declaration (&nbsp; and others)"),
	      "undeclared HTML entities: %s %s", r.out, r.err);
	result_free(&r);
	SH("printf '<!DOCTYPE nitf SYSTEM \"nitf.dtd\">\\n<nitf><body><body.content><p>a&nbsp;b &bogus;</p></body.content>"
	   "</body></nitf>' > ent2.xml; '%s' ent2.xml",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "a\xc2\xa0" "b &bogus;\n") &&
		  !strcmp(r.err, "galley: warning: ent2.xml:2: NITF: undeclared entity &bogus; kept as written\n"),
	      "entities a DTD would declare: %s %s", r.out, r.err);
	result_free(&r);
	SH("printf '<nitf><body><body.content><p>&bogus;</p></body.content></body></nitf>' > ent3.xml; '%s' ent3.xml", g);
	CHECK(r.status == 1 && strstr(r.err, "ent3.xml:1: NITF: not well-formed XML (line 1, column 37): Entity 'bogus' not defined"),
	      "an unknown entity without a DTD is an error: %s", r.err);
	result_free(&r);
	/* an encoding only iconv knows */
	SH("printf '<?xml version=\"1.0\" encoding=\"ISO-8859-4\"?><nitf><body><body.content><p>\\347</p></body.content>"
	   "</body></nitf>' > l4.xml; '%s' l4.xml",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "\xc4\xaf\n") && !r.err_len, "ISO-8859-4 through iconv: %s %s", r.out, r.err);
	result_free(&r);

	SH("rm -rf '%s'", dir);
	result_free(&r);
}

static void nitf_tests(const char *fixtures)
{
	if (!nitf_ref[0])
		printf("skip: NITF reference folder not found: IPTC's XSD not used, samples not read\n");
	if (!only) {
		nitf_unit();
		nitf_cli();
		nitf_reference_samples();
	}
	nitf_fixtures(fixtures, 0);
}

#include "runtest_dom.c"

int main(int argc, char **argv)
{
	const char *fixtures = "fixtures";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--galley") && i + 1 < argc)
			galley = argv[++i];
		else if (!strcmp(argv[i], "--update"))
			update = 1;
		else if (!strcmp(argv[i], "--fixtures") && i + 1 < argc)
			fixtures = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--dom"))
			return dom_files(argc - i - 1, argv + i + 1);
		else {
			fprintf(stderr, "usage: runtest --galley PATH [--update] [--fixtures DIR] [--only SUBSTRING]\n"
					"       runtest --dom FILE...\n");
			return 2;
		}
	}
	if (!realpath(galley, galley_abs)) {
		fprintf(stderr, "runtest: %s: %s\n", galley, strerror(errno));
		return 2;
	}
	have_cmark = have("cmark");
	have_cmark_gfm = have("cmark-gfm");
	nitf_setup();
	if (!only) {
		unit_tree();
		unit_normalize();
		unit_utf8();
		unit_dates();
		unit_render();
		unit_sink();
		unit_scratch();
		unit_registry();
		unit_epub();
		cli_tests();
		epub_cli_tests();
		epub_hostile_tests();
		property_markdown();
		unit_charset();
		charset_cli_tests();
	}
	if (!only || !strcmp(only, "batch"))
		batch_tests();
	run_fixtures(fixtures, 0);
	dom_tests(fixtures);
	charset_variants(fixtures);
	charset_clean_tree(fixtures, 0);
	epub_corpus_roundtrip();
	if (!only)
		epub_reference_tests();
	epubcheck_all();
	epub_cleanup();
	nitf_tests(fixtures);
	xmlCleanupParser();
	printf("%d passed, %d failed", passed, failed);
	if (skipped)
		printf(", %d skipped", skipped);
	if (xfailed)
		printf(", %d known failures (xfail)", xfailed);
	printf("\n");
	return failed ? 1 : 0;
}
