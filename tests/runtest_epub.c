/* runtest_epub.c: the EPUB part of the test runner, #included by runtest.c (it uses the runner's helpers: run, sh,
 * CHECK, fail, read_file, cmark_roundtrip). See docs/epub.md, "Tests".
 *
 * - build_book: a reader fixture's book/ folder becomes its input.epub (mimetype first and stored);
 * - epub_write_case: a writer fixture's book is dumped (expected.epub.txt) and written twice, byte-identical;
 * - corpus_add / epub_corpus_roundtrip: the HTML fixture corpus through one book and back;
 * - epub_reference_tests: ../shared/reference/epub (skipped when absent);
 * - epub_hostile_tests: zips written byte by byte (bombs, names, encryption, damage);
 * - epub_cli_tests, unit_epub;
 * - epubcheck_all: every book the tests wrote, judged by epubcheck. */

#include "../src/sha1.h"

#include <zip.h>

/* defined further down in runtest.c */
static int cmp_str(const void *a, const void *b);
static size_t sorted_entries(const char *root, char **names, size_t max);
static void compare_or_update(const char *casename, const char *path, const char *got, size_t got_len);
static int have(const char *prog);

/* ------------------------------------------------------------------ EPUB: books from folders, dumps, raw zips */

static char epub_tmp[] = "/tmp/galley-epubXXXXXX"; /* books the tests write */
static int have_epub_tmp;
static char *books[64]; /* every EPUB the tests wrote: all of them go to epubcheck at the end */
static size_t nbooks;
static gal_node *corpus;   /* the fixture corpus as one document, for the EPUB round trip */
static size_t corpus_cases;

static const char *epub_dir(void)
{
	if (!have_epub_tmp)
		have_epub_tmp = mkdtemp(epub_tmp) != NULL;
	return have_epub_tmp ? epub_tmp : "/tmp";
}

static void book_written(const char *path)
{
	if (nbooks < sizeof books / sizeof *books)
		books[nbooks++] = strdup(path);
	else
		fail("more books than the epubcheck list holds: %s", path);
}

/* The files under root/rel, as paths relative to root, appended to *v. */
static void list_files(const char *root, const char *rel, char ***v, size_t *n, size_t *cap)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	DIR *d = opendir(path);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char sub[4096], full[8200];
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof full, "%s/%s", root, sub);
		struct stat st;
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			list_files(root, sub, v, n, cap);
		else {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				*v = realloc(*v, *cap * sizeof **v);
			}
			(*v)[(*n)++] = strdup(sub);
		}
	}
	closedir(d);
}

/* Zips fixtures/<case>/book/ into fixtures/<case>/input.epub (a generated file, ignored by git): `mimetype`
 * first and stored, then the other files in name order, deflated. `zipflags` may say deflate-mimetype. */
static int build_book(const char *dir)
{
	char root[4200], out[4200], flags_path[4200];
	snprintf(root, sizeof root, "%s/book", dir);
	struct stat st;
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(flags_path, sizeof flags_path, "%s/zipflags", dir);
	char *flags = read_file(flags_path, NULL);
	int deflate_mimetype = flags && strstr(flags, "deflate-mimetype");
	free(flags);
	char **files = NULL;
	size_t n = 0, cap = 0;
	list_files(root, "", &files, &n, &cap);
	if (n)
		qsort(files, n, sizeof *files, cmp_str);
	snprintf(out, sizeof out, "%s/input.epub", dir);
	int err = 0;
	zip_t *za = zip_open(out, ZIP_CREATE | ZIP_TRUNCATE, &err);
	for (int pass = 0; za && pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			int mt = !strcmp(files[i], "mimetype");
			if (mt != (pass == 0))
				continue;
			char full[8200];
			snprintf(full, sizeof full, "%s/%s", root, files[i]);
			zip_source_t *s = zip_source_file(za, full, 0, -1);
			zip_int64_t idx = s ? zip_file_add(za, files[i], s, ZIP_FL_ENC_UTF_8) : -1;
			if (idx < 0)
				zip_source_free(s);
			else
				zip_set_file_compression(za, (zip_uint64_t)idx, mt && !deflate_mimetype ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
		}
	int ok = za && zip_close(za) == 0;
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	if (!ok)
		fail("%s: cannot build input.epub from book/", dir);
	return ok;
}

static void sha1_hex(const char *data, size_t len, char out[41])
{
	gal_sha1 h;
	unsigned char d[20];
	gal_sha1_init(&h);
	gal_sha1_update(&h, data, len);
	gal_sha1_final(&h, d);
	for (int i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* A book as text: every entry in zip order with its compression, and the text of the text files (binary ones by
 * their SHA-1). What a writer fixture's expected.epub.txt holds. */
static char *dump_book(const char *path)
{
	int err = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &err);
	if (!za)
		return NULL;
	gal_buf b = GAL_BUF_INIT;
	zip_int64_t n = zip_get_num_entries(za, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		zip_stat_index(za, (zip_uint64_t)i, 0, &st);
		gal_buf_printf(&b, "== %s (%s, %llu bytes)\n", st.name, st.comp_method == ZIP_CM_STORE ? "stored" : "deflated",
			       (unsigned long long)st.size);
		char *data = malloc(st.size + 1);
		zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)i, 0);
		zip_int64_t got = f && data ? zip_fread(f, data, st.size) : -1;
		if (f)
			zip_fclose(f);
		const char *nm = st.name;
		size_t nl = strlen(nm);
		int text = !strcmp(nm, "mimetype");
		static const char *const exts[] = {".xhtml", ".opf", ".ncx", ".css", ".xml"};
		for (size_t k = 0; k < 5; k++)
			text |= nl > strlen(exts[k]) && !strcmp(nm + nl - strlen(exts[k]), exts[k]);
		if (got >= 0 && text) {
			gal_buf_put(&b, data, (size_t)got);
			if (!got || data[got - 1] != '\n')
				gal_buf_putc(&b, '\n');
		} else if (got >= 0) {
			char hex[41];
			sha1_hex(data, (size_t)got, hex);
			gal_buf_printf(&b, "sha1 %s\n", hex);
		}
		free(data);
	}
	zip_discard(za);
	return gal_buf_detach(&b);
}

/* --- zips written byte by byte, for what libzip will not write: lying sizes, hostile names, encryption flags */

typedef struct {
	const char *name;
	size_t name_len;  /* 0: strlen(name) */
	const char *data; /* as stored in the zip (already deflated for method 8) */
	size_t len;
	unsigned method;       /* 0 stored, 8 deflated */
	unsigned flags;        /* general purpose bits (1: encrypted) */
	unsigned long size;    /* uncompressed size to declare; 0 with method 0: len */
	int bad_crc;
} rz_entry;

static unsigned long crc32_of(const char *data, size_t len)
{
	unsigned long c = 0xFFFFFFFFul;
	for (size_t i = 0; i < len; i++) {
		c ^= (unsigned char)data[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xEDB88320ul : c >> 1;
	}
	return c ^ 0xFFFFFFFFul;
}

static void le16(gal_buf *b, unsigned v)
{
	gal_buf_putc(b, (char)(v & 0xFF));
	gal_buf_putc(b, (char)((v >> 8) & 0xFF));
}

static void le32(gal_buf *b, unsigned long v)
{
	le16(b, (unsigned)(v & 0xFFFF));
	le16(b, (unsigned)((v >> 16) & 0xFFFF));
}

static int raw_zip(const char *path, const rz_entry *e, size_t n)
{
	gal_buf b = GAL_BUF_INIT, cd = GAL_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		size_t nl = e[i].name_len ? e[i].name_len : strlen(e[i].name);
		unsigned long size = e[i].size ? e[i].size : e[i].len;
		unsigned long crc = e[i].method == 0 ? crc32_of(e[i].data, e[i].len) ^ (e[i].bad_crc ? 1ul : 0ul) : 0;
		unsigned long off = (unsigned long)b.len;
		le32(&b, 0x04034b50);
		le16(&b, 20);
		le16(&b, e[i].flags);
		le16(&b, e[i].method);
		le16(&b, 0);
		le16(&b, 0x21);
		le32(&b, crc);
		le32(&b, e[i].len);
		le32(&b, size);
		le16(&b, (unsigned)nl);
		le16(&b, 0);
		gal_buf_put(&b, e[i].name, nl);
		gal_buf_put(&b, e[i].data, e[i].len);
		le32(&cd, 0x02014b50);
		le16(&cd, 20);
		le16(&cd, 20);
		le16(&cd, e[i].flags);
		le16(&cd, e[i].method);
		le16(&cd, 0);
		le16(&cd, 0x21);
		le32(&cd, crc);
		le32(&cd, e[i].len);
		le32(&cd, size);
		le16(&cd, (unsigned)nl);
		le16(&cd, 0);
		le16(&cd, 0);
		le16(&cd, 0);
		le16(&cd, 0);
		le32(&cd, 0);
		le32(&cd, off);
		gal_buf_put(&cd, e[i].name, nl);
	}
	unsigned long cd_off = (unsigned long)b.len;
	gal_buf_put(&b, cd.data, cd.len);
	le32(&b, 0x06054b50);
	le16(&b, 0);
	le16(&b, 0);
	le16(&b, (unsigned)n);
	le16(&b, (unsigned)n);
	le32(&b, (unsigned long)cd.len);
	le32(&b, cd_off);
	le16(&b, 0);
	int rc = write_file(path, b.data, b.len);
	gal_buf_free(&b);
	gal_buf_free(&cd);
	return rc;
}

/* A raw deflate stream that inflates to 1 + 258 * reps zero bytes in about reps / 4 bytes: one dynamic Huffman
 * block whose codes are a literal 0, "length 258" (1 bit) and "distance 1" (1 bit), so each 258 bytes cost two bits.
 * Built here so that no bomb is kept in the repository. */
typedef struct {
	gal_buf b;
	unsigned acc;
	int nacc;
} bitw;

static void bits(bitw *w, unsigned v, int n) /* LSB first, as deflate packs numbers */
{
	for (int i = 0; i < n; i++) {
		w->acc |= ((v >> i) & 1u) << w->nacc;
		if (++w->nacc == 8) {
			gal_buf_putc(&w->b, (char)w->acc);
			w->acc = 0;
			w->nacc = 0;
		}
	}
}

static void code(bitw *w, unsigned c, int len) /* Huffman codes go most significant bit first */
{
	for (int i = len - 1; i >= 0; i--)
		bits(w, (c >> i) & 1u, 1);
}

static char *deflate_zeros(unsigned long reps, size_t *len)
{
	bitw w = {GAL_BUF_INIT, 0, 0};
	bits(&w, 1, 1); /* final block */
	bits(&w, 2, 2); /* dynamic Huffman */
	bits(&w, 29, 5); /* 286 literal/length codes */
	bits(&w, 0, 5);  /* 1 distance code */
	bits(&w, 14, 4); /* 18 code length codes */
	/* code length code lengths in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1: 18 -> 1, 2 -> 2, 1 -> 2 */
	static const unsigned cl[18] = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2};
	for (int i = 0; i < 18; i++)
		bits(&w, cl[i], 3);
	/* canonical codes of that alphabet: 18 = 0, 1 = 10, 2 = 11 */
	code(&w, 3, 2);                        /* literal 0: length 2 */
	code(&w, 0, 1), bits(&w, 127, 7);      /* 138 zeros */
	code(&w, 0, 1), bits(&w, 106, 7);      /* 117 zeros: literals 1-255 unused */
	code(&w, 3, 2);                        /* 256 (end of block): length 2 */
	code(&w, 0, 1), bits(&w, 17, 7);       /* 28 zeros: lengths 257-284 unused */
	code(&w, 2, 2);                        /* 285 (length 258): length 1 */
	code(&w, 2, 2);                        /* distance code 0 (distance 1): length 1 */
	/* literal/length codes: 285 = 0, 0 = 10, 256 = 11; distance: 0 = 0 */
	code(&w, 2, 2);
	for (unsigned long i = 0; i < reps; i++)
		code(&w, 0, 1), code(&w, 0, 1);
	code(&w, 3, 2);
	if (w.nacc)
		gal_buf_putc(&w.b, (char)w.acc);
	*len = w.b.len;
	return gal_buf_detach(&w.b);
}


/* ------------------------------------------------------------------ EPUB */

static void quiet(void *ud, const gal_error *w)
{
	(void)ud;
	(void)w;
}

/* A writer fixture (expected.epub.txt): the book's dump, its stderr, and the same bytes on a second run in another
 * time zone. */
static void epub_write_case(const char *dir, const char *input, char **extra, int nextra)
{
	char path[4200], out1[4200], out2[4200];
	const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	snprintf(out1, sizeof out1, "%s/%s.epub", epub_dir(), base);
	snprintf(out2, sizeof out2, "%s/%s-again.epub", epub_dir(), base);
	result r[2];
	for (int k = 0; k < 2; k++) {
		char *argv[48];
		int a = 0;
		argv[a++] = galley_abs;
		argv[a++] = "-t";
		argv[a++] = "epub";
		for (int i = 0; i < nextra; i++)
			argv[a++] = extra[i];
		argv[a++] = "-o";
		argv[a++] = k ? out2 : out1;
		argv[a++] = (char *)input;
		argv[a] = NULL;
		if (k)
			setenv("TZ", "Pacific/Chatham", 1); /* UTC+12:45: zip times must not follow it */
		run(argv, dir, NULL, 60, &r[k]);
		if (k)
			unsetenv("TZ");
	}
	if (r[0].status != 0) {
		fail("%s: -t epub exited with %d: %s", dir, r[0].status, r[0].err);
	} else {
		char *dump = dump_book(out1);
		snprintf(path, sizeof path, "%s/expected.epub.txt", dir);
		if (!dump)
			fail("%s: the book cannot be opened as a zip", dir);
		else
			compare_or_update(dir, path, dump, strlen(dump));
		free(dump);
		snprintf(path, sizeof path, "%s/expected.stderr", dir);
		if (exists(path) || (update && r[0].err_len))
			compare_or_update(dir, path, r[0].err, r[0].err_len);
		else if (r[0].err_len)
			fail("%s: unexpected stderr: %s", dir, r[0].err);
		size_t l1, l2;
		char *b1 = read_file(out1, &l1), *b2 = read_file(out2, &l2);
		CHECK(b1 && b2 && l1 == l2 && !memcmp(b1, b2, l1), "%s: the same input twice gives the same bytes", dir);
		free(b1);
		free(b2);
		book_written(out1);
	}
	unlink(out2);
	result_free(&r[0]);
	result_free(&r[1]);
}

/* The corpus for the round trip: every HTML fixture read as its args say (--no-extract, -f). */
static void corpus_add(const char *dir, const char *input, char **extra, int nextra)
{
	gal_options opts = GAL_OPTIONS_INIT;
	const gal_format *fmt = gal_format_for_path(input);
	for (int i = 0; i < nextra; i++) {
		if (!strcmp(extra[i], "--no-extract"))
			opts.no_extract = 1;
		if (!strcmp(extra[i], "-f") && i + 1 < nextra)
			fmt = gal_format_find(extra[i + 1]);
	}
	if (fmt != gal_format_find("html"))
		return;
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, input);
	size_t len;
	char *data = read_file(path, &len);
	gal_node *doc = NULL;
	gal_error err;
	if (data && gal_read(fmt, data, len, &opts, &doc, &err) == GAL_OK) {
		if (!corpus)
			corpus = gal_node_new(GAL_NODE_DOCUMENT);
		for (gal_node *a; (a = gal_node_first_child(doc));) {
			gal_node_unlink(a);
			gal_node_append(corpus, a);
		}
		corpus_cases++;
	}
	gal_node_free(doc);
	free(data);
}

static char *write_buf(const char *format, gal_node *doc, const gal_options *opts, size_t *len)
{
	gal_sink *s = gal_sink_new_buffer();
	gal_error err;
	char *copy = NULL;
	if (gal_write(gal_format_find(format), doc, s, opts, &err) == GAL_OK) {
		const char *d = gal_sink_data(s, len);
		copy = malloc(*len + 1);
		memcpy(copy, d, *len);
		copy[*len] = '\0';
	} else
		printf("write %s: %s\n", format, err.message);
	gal_sink_free(s);
	return copy;
}

static void clear_docmeta(gal_node *doc)
{
	gal_docmeta *d = gal_node_docmeta(doc);
	gal_set_string(&d->title, NULL);
	gal_set_string(&d->creator, NULL);
	gal_set_string(&d->date, NULL);
	gal_set_string(&d->language, NULL);
}

/* Prints where two outputs first differ. */
static void first_diff(const char *what, const char *a, const char *b)
{
	size_t i = 0, line = 1, bol = 0;
	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n')
			line++, bol = i + 1;
		i++;
	}
	printf("  %s differ at line %zu:\n  want: %.160s\n  got:  %.160s\n", what, line, a + bol, b + bol);
}

/* The corpus as one book: EPUB written by galley and read by galley gives the same tree, and HTML -> EPUB ->
 * Markdown equals HTML -> Markdown. The book, and the same book grouped by section, go to epubcheck. */
static void epub_corpus_roundtrip(void)
{
	if (!corpus || only)
		return;
	gal_options opts = GAL_OPTIONS_INIT;
	opts.warn = quiet; /* the corpus's images are not next to anything: left out, as the warnings say */
	size_t len = 0, len2 = 0;
	char *book = write_buf("epub", corpus, &opts, &len);
	CHECK(book != NULL, "the corpus (%zu fixtures) written as one EPUB", corpus_cases);
	if (!book)
		return;
	char path[4200];
	snprintf(path, sizeof path, "%s/corpus.epub", epub_dir());
	write_file(path, book, len);
	book_written(path);
	/* reproducible in-process too, whatever the time zone */
	setenv("TZ", "America/St_Johns", 1);
	tzset();
	char *again = write_buf("epub", corpus, &opts, &len2);
	unsetenv("TZ");
	tzset();
	CHECK(again && len == len2 && !memcmp(book, again, len), "the corpus book is byte-identical when written again");
	free(again);

	gal_node *back = NULL;
	gal_error err;
	int rc = gal_read(gal_format_find("epub"), book, len, &opts, &back, &err);
	CHECK(rc == GAL_OK, "the corpus book reads back: %s", rc ? err.message : "");
	if (back) {
		size_t n1 = 0, n2 = 0;
		for (gal_node *a = gal_node_first_child(corpus); a; a = gal_node_next(a))
			n1++;
		for (gal_node *a = gal_node_first_child(back); a; a = gal_node_next(a))
			n2++;
		CHECK(n1 == n2, "round trip keeps the articles: %zu -> %zu", n1, n2);
		gal_node *copy = gal_node_new(GAL_NODE_DOCUMENT);
		/* the writer fills in the book's title and date; the articles must come back as they were */
		gal_docmeta *dm = gal_node_docmeta(corpus);
		char *keep[4] = {dm->title, dm->creator, dm->date, dm->language};
		dm->title = dm->creator = dm->date = dm->language = NULL;
		clear_docmeta(back);
		size_t la, lb;
		char *na = write_buf("native", corpus, &opts, &la), *nb = write_buf("native", back, &opts, &lb);
		int same = na && nb && la == lb && !memcmp(na, nb, la);
		CHECK(same, "EPUB written by galley, read by galley: the same tree (%zu articles)", n1);
		if (!same && na && nb)
			first_diff("trees", na, nb);
		free(na);
		free(nb);
		char *ma = write_buf("markdown", corpus, &opts, &la), *mb = write_buf("markdown", back, &opts, &lb);
		same = ma && mb && la == lb && !memcmp(ma, mb, la);
		CHECK(same, "HTML -> EPUB -> Markdown equals HTML -> Markdown (%zu fixtures)", corpus_cases);
		if (!same && ma && mb)
			first_diff("Markdown", ma, mb);
		free(ma);
		free(mb);
		dm->title = keep[0], dm->creator = keep[1], dm->date = keep[2], dm->language = keep[3];
		gal_node_free(copy);
		gal_node_free(back);
	}
	free(book);

	/* grouped by section: each section's articles together, in the book and in its navigation */
	opts.epub.group_by_section = 1;
	book = write_buf("epub", corpus, &opts, &len);
	back = NULL;
	if (book && gal_read(gal_format_find("epub"), book, len, &opts, &back, &err) == GAL_OK) {
		int contiguous = 1;
		for (gal_node *a = gal_node_first_child(back); a; a = gal_node_next(a)) {
			const char *s = gal_node_meta(a)->section;
			gal_node *prev = gal_node_prev(a);
			if (!s || (prev && gal_node_meta(prev)->section && !strcmp(gal_node_meta(prev)->section, s)))
				continue;
			for (gal_node *b = gal_node_first_child(back); b != a; b = gal_node_next(b))
				if (gal_node_meta(b)->section && !strcmp(gal_node_meta(b)->section, s))
					contiguous = 0;
		}
		CHECK(contiguous, "--group-by section: each section's articles are together");
		snprintf(path, sizeof path, "%s/corpus-grouped.epub", epub_dir());
		write_file(path, book, len);
		book_written(path);
	} else
		fail("the corpus grouped by section does not round-trip: %s", err.message);
	gal_node_free(back);
	free(book);
}

static void drop_lines(char *s, const char *const *prefixes)
{
	char *o = s;
	for (char *p = s; *p;) {
		char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
		const char *t = p;
		while (*t == ' ')
			t++;
		int drop = 0;
		for (size_t i = 0; prefixes[i]; i++)
			drop |= !strncmp(t, prefixes[i], strlen(prefixes[i]));
		if (!drop) {
			memmove(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
}

/* The reference books (not in the repository; skipped when the folder is absent): each reads without error or
 * warning and converts to text and Markdown (the Markdown checked by cmark), also cut by its TOC; all of them as
 * one digest go to epubcheck and read back as they were read (images now inside the new book). */
static void epub_reference_tests(void)
{
	const char *dir = getenv("GALLEY_EPUB_REFERENCE");
	if (!dir)
		dir = "../shared/reference/epub";
	DIR *d = opendir(dir);
	if (!d) {
		printf("skip: %s not found: reference EPUB books not tested\n", dir);
		skipped++;
		return;
	}
	char *names[64];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 64;) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".epub"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	char abs[4096];
	if (!n || !realpath(dir, abs)) {
		printf("skip: no books in %s\n", dir);
		skipped++;
		return;
	}
	gal_buf all = GAL_BUF_INIT, sep = GAL_BUF_INIT;
	char cmd[16384];
	result r;
	size_t ok = 0;
	for (size_t i = 0; i < n; i++) {
		char path[8200];
		snprintf(path, sizeof path, "%s/%s", abs, names[i]);
		gal_buf_printf(&all, " '%s'", path);
		static const char *const runs[] = {"-t text", "-t markdown", "--split toc -t text", "--split toc -t markdown"};
		int good = 1;
		for (size_t k = 0; k < 4; k++) {
			snprintf(cmd, sizeof cmd, "'%s' %s '%s'", galley_abs, runs[k], path);
			sh(cmd, NULL, &r);
			int pass = r.status == 0 && r.out_len > 0 && r.err_len == 0;
			CHECK(pass, "reference %s (%s): status %d, %zu bytes, stderr: %.300s", names[i], runs[k], r.status, r.out_len,
			      r.err);
			good &= pass;
			result_free(&r);
		}
		size_t len;
		char *data = read_file(path, &len);
		gal_options opts = GAL_OPTIONS_INIT;
		gal_node *doc = NULL;
		gal_error err;
		if (data && gal_read(gal_format_find("epub"), data, len, &opts, &doc, &err) == GAL_OK) {
			CHECK(cmark_roundtrip(doc, names[i], 1), "reference %s: Markdown parses back to the tree's structure",
			      names[i]);
			gal_node_free(doc);
		}
		free(data);
		ok += good;
	}
	printf("reference books: %zu of %zu read and converted without error\n", ok, n);
	/* all of them as one digest, then read back */
	char out[4200];
	snprintf(out, sizeof out, "%s/references.epub", epub_dir());
	snprintf(cmd, sizeof cmd, "'%s' -t epub -o '%s'%s", galley_abs, out, all.data);
	sh(cmd, NULL, &r);
	CHECK(r.status == 0 && r.err_len == 0, "the reference books as one digest (with their images): %s", r.err);
	result_free(&r);
	if (exists(out)) {
		book_written(out);
		snprintf(cmd, sizeof cmd, "'%s' -t native%s", galley_abs, all.data);
		result r1, r2;
		sh(cmd, NULL, &r1);
		snprintf(cmd, sizeof cmd, "'%s' -t native '%s'", galley_abs, out);
		sh(cmd, NULL, &r2);
		static const char *const skip[] = {"src: ", "title: ", "creator: ", "date: ", "language: \"", NULL};
		if (r1.out && r2.out) {
			/* article languages stay; the document's four fields are the digest's own */
			drop_lines(r1.out, skip);
			drop_lines(r2.out, skip);
		}
		int same = r1.out && r2.out && !strcmp(r1.out, r2.out);
		CHECK(same, "reference books -> EPUB digest -> galley: the same articles");
		if (!same && r1.out && r2.out)
			first_diff("trees", r1.out, r2.out);
		result_free(&r1);
		result_free(&r2);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	gal_buf_free(&all);
	gal_buf_free(&sep);
}

/* A minimal valid book's entries with one more entry (or a replaced content document) for the hostile cases. */
static const char hz_container[] =
    "<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
    "<rootfiles><rootfile full-path=\"p.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>";
static const char hz_opf[] =
    "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"u\">"
    "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:identifier id=\"u\">x</dc:identifier>"
    "<dc:title>T</dc:title><dc:language>en</dc:language></metadata><manifest>"
    "<item id=\"c\" href=\"c.xhtml\" media-type=\"application/xhtml+xml\"/></manifest><spine><itemref idref=\"c\"/></spine>"
    "</package>";
static const char hz_doc[] = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>T</title></head>"
			     "<body><p>fine</p></body></html>";

static int hostile_book(const char *path, const rz_entry *content, const rz_entry *extra, size_t nextra)
{
	rz_entry e[16];
	size_t n = 0;
	e[n++] = (rz_entry){"mimetype", 0, "application/epub+zip", 20, 0, 0, 0, 0};
	e[n++] = (rz_entry){"META-INF/container.xml", 0, hz_container, sizeof hz_container - 1, 0, 0, 0, 0};
	e[n++] = (rz_entry){"p.opf", 0, hz_opf, sizeof hz_opf - 1, 0, 0, 0, 0};
	e[n++] = content ? *content : (rz_entry){"c.xhtml", 0, hz_doc, sizeof hz_doc - 1, 0, 0, 0, 0};
	for (size_t i = 0; i < nextra && n < 16; i++)
		e[n++] = extra[i];
	return raw_zip(path, e, n);
}

/* Runs galley on a hostile book: one error line naming the input, status 1, no output file, within `secs`. */
static void expect_refused(const char *dir, const char *file, const char *want, int secs)
{
	char cmd[8192];
	result r;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(cmd, sizeof cmd,
		 "rm -f out.txt; '%s' '%s' -o out.txt; s=$?; test ! -e out.txt || echo 'output written' >&2; rm -f out.txt; exit $s",
		 galley_abs, file);
	sh(cmd, dir, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	char prefix[512];
	snprintf(prefix, sizeof prefix, "galley: %s: EPUB: ", file);
	size_t lines = 0;
	for (const char *p = r.err; p && *p; p++)
		lines += *p == '\n';
	CHECK(r.status == 1 && lines == 1 && !strncmp(r.err, prefix, strlen(prefix)) && strstr(r.err, want) && took < secs,
	      "hostile %s: want one error line with '%s' in under %d s; got status %d after %.1f s: %s", file, want, secs,
	      r.status, took, r.err);
	result_free(&r);
}

static void epub_hostile_tests(void)
{
	char dir[] = "/tmp/galley-hostileXXXXXX";
	if (!mkdtemp(dir)) {
		fail("mkdtemp");
		return;
	}
	char p[4200];
#define HPATH(name) (snprintf(p, sizeof p, "%s/%s", dir, name), p)
	/* zip bombs: a 2 MB entry that inflates to 2 GiB, honest about it; the same entry claiming 1000 bytes; a
	 * 100 MiB entry at a ratio of 1000:1 */
	size_t blen;
	char *bomb = deflate_zeros(8323072, &blen);
	rz_entry e = {"c.xhtml", 0, bomb, blen, 8, 0, 2147352577ul, 0};
	hostile_book(HPATH("bomb-claims.epub"), &e, NULL, 0);
	expect_refused(dir, "bomb-claims.epub", "claims 2147352577 bytes", 5);
	e.size = 1000;
	hostile_book(HPATH("bomb-lies.epub"), &e, NULL, 0);
	expect_refused(dir, "bomb-lies.epub", "inflates beyond its declared size", 5);
	free(bomb);
	bomb = deflate_zeros(406420, &blen);
	e = (rz_entry){"c.xhtml", 0, bomb, blen, 8, 0, 1 + 258ul * 406420, 0};
	hostile_book(HPATH("bomb-ratio.epub"), &e, NULL, 0);
	expect_refused(dir, "bomb-ratio.epub", "compression ratio above 200:1", 5);
	free(bomb);
	/* names that could reach outside a folder */
	rz_entry x = {"../../evil.xhtml", 0, "x", 1, 0, 0, 0, 0};
	hostile_book(HPATH("name-dotdot.epub"), NULL, &x, 1);
	expect_refused(dir, "name-dotdot.epub", "unsafe entry name in the zip ('../../evil.xhtml')", 5);
	x.name = "/etc/evil";
	hostile_book(HPATH("name-absolute.epub"), NULL, &x, 1);
	expect_refused(dir, "name-absolute.epub", "unsafe entry name in the zip ('/etc/evil')", 5);
	x.name = "EPUB\\..\\..\\evil";
	hostile_book(HPATH("name-backslash.epub"), NULL, &x, 1);
	expect_refused(dir, "name-backslash.epub", "unsafe entry name", 5);
	x = (rz_entry){"a\0b.xhtml", 9, "x", 1, 0, 0, 0, 0};
	hostile_book(HPATH("name-nul.epub"), NULL, &x, 1);
	expect_refused(dir, "name-nul.epub", "unsafe entry name in the zip (a NUL byte)", 5);
	/* encryption: a zip-encrypted entry; DRM in encryption.xml */
	x = (rz_entry){"c.xhtml", 0, hz_doc, sizeof hz_doc - 1, 0, 1, 0, 0};
	hostile_book(HPATH("zip-encrypted.epub"), &x, NULL, 0);
	expect_refused(dir, "zip-encrypted.epub", "encrypted EPUB: not supported", 5);
	/* too many entries */
	{
		size_t n = 10001;
		rz_entry *many = calloc(n, sizeof *many);
		char (*names)[16] = calloc(n, 16);
		many[0] = (rz_entry){"mimetype", 0, "application/epub+zip", 20, 0, 0, 0, 0};
		for (size_t i = 1; i < n; i++) {
			snprintf(names[i], 16, "f%05zu", i);
			many[i] = (rz_entry){names[i], 0, "", 0, 0, 0, 0, 0};
		}
		raw_zip(HPATH("many.epub"), many, n);
		expect_refused(dir, "many.epub", "10001 entries in the zip: more than the limit of 10000", 5);
		free(many);
		free(names);
	}
	/* damaged: a wrong CRC, a truncated file, no zip at all */
	x = (rz_entry){"c.xhtml", 0, hz_doc, sizeof hz_doc - 1, 0, 0, 0, 1};
	hostile_book(HPATH("crc.epub"), &x, NULL, 0);
	expect_refused(dir, "crc.epub", "zip entry 'c.xhtml' is damaged", 5);
	hostile_book(HPATH("good.epub"), NULL, NULL, 0);
	size_t glen;
	char *good = read_file(p, &glen);
	write_file(HPATH("truncated.epub"), good, glen / 2);
	expect_refused(dir, "truncated.epub", "not a zip file, or a damaged one", 5);
	write_file(HPATH("notzip.epub"), "PK\3\4 this is not a zip", 23);
	expect_refused(dir, "notzip.epub", "not a zip file, or a damaged one", 5);
	free(good);
	/* the good one reads */
	char cmd[8192];
	result r;
	snprintf(cmd, sizeof cmd, "'%s' good.epub", galley_abs);
	sh(cmd, dir, &r);
	CHECK(r.status == 0 && !strcmp(r.out, "fine\n"), "the hand-made book reads: %d %s%s", r.status, r.out, r.err);
	result_free(&r);
	/* a document whose root element is an image, in a book that says galley wrote it */
	static const char img_root[] = "<img xmlns=\"http://www.w3.org/1999/xhtml\" src=\"a.png\" alt=\"root\"><head>"
				       "<meta name=\"generator\" content=\"galley\"/></head></img>";
	x = (rz_entry){"c.xhtml", 0, img_root, sizeof img_root - 1, 0, 0, 0, 0};
	hostile_book(HPATH("img-root.epub"), &x, NULL, 0);
	snprintf(cmd, sizeof cmd, "'%s' -t native img-root.epub", galley_abs);
	sh(cmd, dir, &r);
	CHECK(r.status == 0 && strstr(r.out, "src: \"a.png\""), "a root <img> in a galley document: %d %s%s", r.status,
	      r.out, r.err);
	result_free(&r);
	/* the library never touched the file system with the names: nothing new beside the books */
	snprintf(cmd, sizeof cmd, "ls -A | grep -v '[.]epub$'; ls -A .. | grep -c '^evil' ; true");
	sh(cmd, dir, &r);
	CHECK(r.status == 0 && !strcmp(r.out, "0\n"), "no files written from entry names: %s", r.out);
	result_free(&r);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	sh(cmd, NULL, &r);
	result_free(&r);
#undef HPATH
}

static void epub_cli_tests(void)
{
	char dir[] = "/tmp/galley-epubcliXXXXXX";
	if (!mkdtemp(dir)) {
		fail("mkdtemp");
		return;
	}
	char cmd[8192];
	result r;
	SH("'%s' --list-formats", galley_abs);
	const char *w = r.out ? strstr(r.out, "Writers:") : NULL;
	const char *rd = r.out ? strstr(r.out, "  epub ") : NULL;
	CHECK(rd && w && rd < w && strstr(w, "  epub "), "--list-formats shows epub as reader and writer: %s", r.out);
	result_free(&r);
	SH("printf '<title>A</title><p>x</p>' > a.html; '%s' -t epub a.html", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "EPUB output needs -o FILE.epub") && !r.out_len, "EPUB to stdout refused: %s",
	      r.err);
	result_free(&r);
	SH("'%s' --split pages a.html", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "--split: expected 'toc' or 'spine'"), "--split checked: %s", r.err);
	result_free(&r);
	SH("'%s' --group-by author -o x.epub a.html", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "--group-by: expected 'section' or 'none'"), "--group-by checked: %s", r.err);
	result_free(&r);
	SH("SOURCE_DATE_EPOCH=yesterday '%s' -o x.epub a.html; s=$?; test ! -e x.epub && exit $s", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "SOURCE_DATE_EPOCH: expected a number"), "bad SOURCE_DATE_EPOCH: %s", r.err);
	result_free(&r);
	SH("'%s' --css missing.css -o x.epub a.html; s=$?; test ! -e x.epub && exit $s", galley_abs);
	CHECK(r.status == 2 && strstr(r.err, "missing.css: cannot open"), "missing --css file: %s", r.err);
	result_free(&r);
	/* the writer is guessed from -o; SOURCE_DATE_EPOCH fixes dcterms:modified and the zip times */
	SH("SOURCE_DATE_EPOCH=1700000000 '%s' a.html -o sde.epub && cp sde.epub '%s/cli-sde.epub'", galley_abs, epub_dir());
	CHECK(r.status == 0 && !r.err_len, "-o x.epub writes EPUB: %s", r.err);
	result_free(&r);
	snprintf(cmd, sizeof cmd, "%s/cli-sde.epub", epub_dir());
	size_t len;
	char *b = read_file(cmd, &len);
	const unsigned char *u = (const unsigned char *)b;
	/* 2023-11-14 22:13:20 UTC: DOS time 22<<11 | 13<<5 | 10, date 43<<9 | 11<<5 | 14 */
	CHECK(b && len > 30 && !memcmp(b, "PK\3\4", 4) && (u[10] | u[11] << 8) == 45482 && (u[12] | u[13] << 8) == 22382 &&
		  !memcmp(b + 30, "mimetypeapplication/epub+zip", 28),
	      "mimetype first and stored; zip time from SOURCE_DATE_EPOCH");
	free(b);
	char *dump = dump_book(cmd);
	CHECK(dump && strstr(dump, "<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"),
	      "dcterms:modified from SOURCE_DATE_EPOCH");
	free(dump);
	book_written(cmd);
	/* the same book read back: one article, its text */
	SH("'%s' sde.epub", galley_abs);
	CHECK(r.status == 0 && !strcmp(r.out, "A\n=\n\nx\n"), "EPUB -> text: %s%s", r.out, r.err);
	result_free(&r);
	/* a failed conversion leaves no book, and an old one untouched */
	SH("printf '' > empty.html; echo keep > old.epub; '%s' empty.html -o old.epub; test \"$(cat old.epub)\" = keep", galley_abs);
	CHECK(r.status == 0 && strstr(r.err, "empty input"), "failed EPUB conversion leaves the old file: %s", r.err);
	result_free(&r);
	/* an EPUB input is sniffed without its extension */
	SH("cp sde.epub book.bin && '%s' book.bin", galley_abs);
	CHECK(r.status == 0 && !strcmp(r.out, "A\n=\n\nx\n"), "EPUB sniffed by its mimetype entry: %s%s", r.out, r.err);
	result_free(&r);
	SH("rm -rf '%s'", dir);
	result_free(&r);
}

static void unit_epub(void)
{
	static const struct {
		const char *in, *hex;
	} v[] = {{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		 {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		 {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"}};
	for (size_t i = 0; i < 3; i++) {
		char hex[41];
		sha1_hex(v[i].in, strlen(v[i].in), hex);
		CHECK(!strcmp(hex, v[i].hex), "sha1('%s') = %s", v[i].in, hex);
	}
	const gal_format *f = gal_format_find("epub");
	CHECK(f && f->read && f->write && gal_format_for_path("x/Book.EPUB") == f, "epub reads and writes, by extension");
	/* a book in memory: sniffed, read, one entry fetched */
	gal_node *doc = gal_node_new(GAL_NODE_DOCUMENT), *art = gal_node_new(GAL_NODE_ARTICLE);
	gal_node_append(doc, art);
	gal_node_append(art, para("hello"));
	gal_set_string(&gal_node_meta(art)->headline, "Head & <line>");
	gal_options o = GAL_OPTIONS_INIT;
	size_t len;
	char *book = write_buf("epub", doc, &o, &len);
	CHECK(book && gal_format_sniff(book, len) == f, "a galley book is sniffed as EPUB");
	char *css = NULL;
	size_t clen = 0;
	gal_error err;
	CHECK(book && gal_epub_entry(book, len, "EPUB/style.css", &o, &css, &clen, &err) == GAL_OK && clen > 10,
	      "gal_epub_entry reads one file");
	free(css);
	CHECK(book && gal_epub_entry(book, len, "EPUB/none.png", &o, &css, &clen, &err) == GAL_EIO && !css,
	      "gal_epub_entry: a missing file");
	o.limits.max_inflated_bytes = 100;
	gal_node *back = NULL;
	CHECK(book && gal_read(f, book, len, &o, &back, &err) == GAL_ELIMIT && !back, "inflated-bytes limit: %s",
	      err.message);
	free(book);
	gal_node *empty = gal_node_new(GAL_NODE_DOCUMENT);
	o = (gal_options)GAL_OPTIONS_INIT;
	gal_sink *s = gal_sink_new_buffer();
	CHECK(gal_write(f, empty, s, &o, &err) == GAL_EINVAL, "a book needs an article");
	gal_sink_free(s);
	gal_node_free(empty);
	o.epub.css = "\xff\xfe";
	o.epub.css_len = 2;
	s = gal_sink_new_buffer();
	CHECK(gal_write(f, doc, s, &o, &err) == GAL_EINVAL && strstr(err.message, "not UTF-8"), "a style sheet must be UTF-8");
	gal_sink_free(s);
	gal_node_free(doc);
}

/* epubcheck, the judge of every book the tests wrote: two at a time (a run costs seconds of JVM start). */
static void epubcheck_all(void)
{
	const char *jar = getenv("EPUBCHECK_JAR");
	if (!jar)
		jar = "/usr/share/java/epubcheck.jar";
	if (!nbooks)
		return;
	if (!exists(jar) || !have("java")) {
		printf("skip: epubcheck (%s) or java not installed: %zu books not validated\n", jar, nbooks);
		skipped += (int)nbooks;
		return;
	}
	gal_buf list = GAL_BUF_INIT;
	for (size_t i = 0; i < nbooks; i++)
		gal_buf_printf(&list, "%s\n", books[i]);
	char lp[4200];
	snprintf(lp, sizeof lp, "%s/books.txt", epub_dir());
	write_file(lp, list.data, list.len);
	gal_buf_free(&list);
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
		 "xargs -P 2 -I{} sh -c 'java -jar \"%s\" \"{}\" > \"{}.check\" 2>&1; echo \"exit $?\" >> \"{}.check\"' < '%s'",
		 jar, lp);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	result r;
	run(argv, NULL, NULL, 900, &r);
	result_free(&r);
	int clean = 0;
	for (size_t i = 0; i < nbooks; i++) {
		char cp[4200];
		snprintf(cp, sizeof cp, "%s.check", books[i]);
		char *out = read_file(cp, NULL);
		int ok = out && strstr(out, "Messages: 0 fatals / 0 errors / 0 warnings") && strstr(out, "exit 0");
		CHECK(ok, "epubcheck %s:\n%s", books[i], out ? out : "(no report)");
		clean += ok;
		free(out);
	}
	printf("epubcheck: %d of %zu books with 0 errors and 0 warnings\n", clean, nbooks);
}

static void epub_cleanup(void)
{
	for (size_t i = 0; i < nbooks; i++)
		free(books[i]);
	gal_node_free(corpus);
	if (have_epub_tmp) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", epub_tmp);
		result r;
		sh(cmd, NULL, &r);
		result_free(&r);
	}
}
