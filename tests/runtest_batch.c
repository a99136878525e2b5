/* runtest_batch.c: batch mode (-o DIR/), #included by runtest.c (it uses the runner's helpers: run, sh, SH, CHECK,
 * fail, read_file, write_file, exists, have). Run alone with `runtest --galley PATH --only batch`.
 *
 * A corpus of a few hundred files is generated (deterministically) in a temporary folder: HTML pages and NITF
 * stories in nested folders, names that collide, files the walk must leave alone, and broken inputs (empty,
 * binary, truncated NITF, NITF nested too deep). Then: every good input converted once and equal to the single-file
 * conversion, every bad one reported on stderr and in the report, nothing partial left, exit status 1; -j 1 and
 * -j 4 byte-identical; the report's fields, checked by our JSON reader and by Python's when it is there;
 * --include, --skip-existing, the output folder inside an input folder, EPUB in and out; SIGINT and SIGTERM
 * delivered while an input is in flight (a FIFO holds it there, so no timing is involved), then resumed; the
 * progress line on a pseudo-terminal; GNU parallel over the same files. */

#include "../src/json.h"

#include <signal.h>

static uint64_t batch_rng = 42;
static unsigned brand(unsigned n)
{
	batch_rng = batch_rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(batch_rng >> 33) % n;
}

static const char *const batch_words[] = {"harbour", "council", "vote",     "night",    "ferry",  "tide",
                                          "budget",  "mayor",   "café",     "“quoted”", "street", "weather",
                                          "report",  "market",  "élection", "bridge",   "school", "police"};

static void batch_sentence(gal_buf *b)
{
	unsigned n = 6 + brand(14);
	for (unsigned i = 0; i < n; i++)
		gal_buf_printf(b, "%s%s", i ? " " : "", batch_words[brand(sizeof batch_words / sizeof *batch_words)]);
	gal_buf_puts(b, ". ");
}

static void batch_write(const char *root, const char *rel, const char *data, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0777);
		*p = '/';
	}
	if (write_file(path, data, len))
		fail("cannot write %s", path);
}

/* A page with navigation around an article of 1 to 30 paragraphs. */
static void batch_html(const char *root, const char *rel, int i)
{
	gal_buf b = GAL_BUF_INIT;
	gal_buf_printf(
	    &b,
	    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Story %d | Herald</title></head><body>"
	    "<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>Story %d</h1>",
	    i, i);
	unsigned paras = 1 + brand(30);
	for (unsigned p = 0; p < paras; p++) {
		gal_buf_puts(&b, "<p>");
		for (unsigned s = 1 + brand(4); s; s--)
			batch_sentence(&b);
		gal_buf_puts(&b, "</p>");
	}
	gal_buf_puts(&b, "</article><footer>© Herald</footer></body></html>\n");
	batch_write(root, rel, b.data, b.len);
	gal_buf_free(&b);
}

static void batch_nitf(const char *root, const char *rel, const char *id, int i)
{
	gal_buf b = GAL_BUF_INIT;
	gal_buf_printf(&b,
	               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nitf><head><title>Wire %d</title><docdata>"
	               "<doc-id id-string=\"%s\"/></docdata></head><body><body.head><hedline><hl1>Wire %d</hl1>"
	               "</hedline></body.head><body.content>",
	               i, id, i);
	for (unsigned p = 1 + brand(12); p; p--) {
		gal_buf_puts(&b, "<p>");
		batch_sentence(&b);
		gal_buf_puts(&b, "</p>");
	}
	gal_buf_puts(&b, "</body.content></body></nitf>\n");
	batch_write(root, rel, b.data, b.len);
	gal_buf_free(&b);
}

enum { B_HTML = 200, B_NITF = 100, B_GOOD = B_HTML + B_NITF + 3, B_BAD = 4 };

/* in/: 200 pages in html/sec0..3, 100 stories in nitf/ and nitf/late/ (four share the doc-id "dup"),
 * clash/a.htm + clash/a.html (one name), clash/latin1.html (windows-1252), bad/ (four broken files), and
 * notes.txt and .hidden.html, which the walk leaves alone. 303 good inputs, 4 bad. */
static void batch_corpus(const char *root)
{
	char rel[256];
	for (int i = 0; i < B_HTML; i++) {
		snprintf(rel, sizeof rel, "in/html/sec%d/story%03d.html", i % 4, i);
		batch_html(root, rel, i);
	}
	for (int i = 0; i < B_NITF; i++) {
		char id[32];
		snprintf(id, sizeof id, i % 25 == 7 ? "dup" : "wire-%d", i);
		snprintf(rel, sizeof rel, "in/nitf/%swire%03d.xml", i >= 80 ? "late/" : "", i);
		batch_nitf(root, rel, id, i);
	}
	batch_html(root, "in/clash/a.htm", 1000);
	batch_html(root, "in/clash/a.html", 1001);
	static const char latin1[] =
	    "<title>Caf\xe9</title><article><h1>Caf\xe9 society</h1><p>Na\xefve r\xe9sum\xe9.</p></article>";
	batch_write(root, "in/clash/latin1.html", latin1, sizeof latin1 - 1);
	batch_write(root, "in/bad/empty.html", "", 0);
	static const char binary[] = "\x7f"
	                             "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0";
	batch_write(root, "in/bad/binary.html", binary, sizeof binary - 1);
	static const char cut[] = "<?xml version=\"1.0\"?>\n<nitf><head><title>Cut short</title><docdata>";
	batch_write(root, "in/bad/truncated.xml", cut, sizeof cut - 1);
	gal_buf b = GAL_BUF_INIT;
	gal_buf_puts(&b, "<nitf><body><body.content>");
	for (int i = 0; i < 300; i++)
		gal_buf_puts(&b, "<block>");
	gal_buf_puts(&b, "x");
	for (int i = 0; i < 300; i++)
		gal_buf_puts(&b, "</block>");
	gal_buf_puts(&b, "</body.content></body></nitf>\n");
	batch_write(root, "in/bad/deep.xml", b.data, b.len);
	gal_buf_free(&b);
	batch_write(root, "in/notes.txt", "not an article\n", 15);
	batch_html(root, "in/.hidden.html", 2000);
}

/* ------------------------------------------------------------------ the report */

typedef struct {
	gal_json **v;
	size_t n;
	int bad; /* lines that did not parse or lacked a field */
} batch_report;

static const char *const report_keys[] = {"path",     "format", "charset",  "outputs",   "status",
                                          "warnings", "error",  "bytes_in", "bytes_out", "ms"};

static int rec_ok(const gal_json *o)
{
	size_t nk = 0;
	for (const gal_json *c = o && o->type == GAL_JSON_OBJECT ? o->child : NULL; c; c = c->next)
		nk++;
	if (!o || o->type != GAL_JSON_OBJECT || nk != sizeof report_keys / sizeof *report_keys)
		return 0;
	const gal_json *f[10];
	for (size_t i = 0; i < 10; i++)
		if (!(f[i] = gal_json_get(o, report_keys[i])))
			return 0;
	const char *st = gal_json_str(f[4]);
	return f[0]->type == GAL_JSON_STRING && (f[1]->type == GAL_JSON_STRING || f[1]->type == GAL_JSON_NULL) &&
	       (f[2]->type == GAL_JSON_STRING || f[2]->type == GAL_JSON_NULL) && f[3]->type == GAL_JSON_ARRAY && st &&
	       (!strcmp(st, "ok") || !strcmp(st, "failed") || !strcmp(st, "skipped")) && f[5]->type == GAL_JSON_ARRAY &&
	       (!strcmp(st, "failed") ? f[6]->type == GAL_JSON_STRING : f[6]->type == GAL_JSON_NULL) &&
	       f[7]->type == GAL_JSON_NUMBER && f[8]->type == GAL_JSON_NUMBER && f[9]->type == GAL_JSON_NUMBER;
}

static void report_load(const char *path, batch_report *r)
{
	memset(r, 0, sizeof *r);
	size_t len;
	char *data = read_file(path, &len);
	if (!data) {
		r->bad = 1;
		return;
	}
	if (len && data[len - 1] != '\n')
		r->bad++; /* a half-written last line */
	for (char *line = data; line < data + len;) {
		char *nl = memchr(line, '\n', (size_t)(data + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(data + len - line);
		gal_json *o = gal_json_parse(line, n);
		if (!rec_ok(o)) {
			r->bad++;
			gal_json_free(o);
		} else {
			gal_json **nv = realloc(r->v, (r->n + 1) * sizeof *nv);
			if (nv)
				(r->v = nv)[r->n++] = o;
		}
		line += n + 1;
	}
	free(data);
}

static void report_free(batch_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		gal_json_free(r->v[i]);
	free(r->v);
}

static const gal_json *report_find(const batch_report *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(gal_json_str(gal_json_get(r->v[i], "path")), path))
			return r->v[i];
	return NULL;
}

static size_t report_count(const batch_report *r, const char *status)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += !strcmp(gal_json_str(gal_json_get(r->v[i], "status")), status);
	return n;
}

static const char *rec_str(const gal_json *o, const char *key)
{
	return gal_json_str(gal_json_get(o, key));
}

static double rec_num(const gal_json *o, const char *key)
{
	const gal_json *v = gal_json_get(o, key);
	return v && v->type == GAL_JSON_NUMBER ? strtod(v->str, NULL) : -1;
}

/* The first element of an array field, and the number of elements. */
static const char *rec_first(const gal_json *o, const char *key, size_t *n)
{
	const gal_json *a = gal_json_get(o, key);
	*n = 0;
	for (const gal_json *c = a ? a->child : NULL; c; c = c->next)
		++*n;
	return a && a->child ? gal_json_str(a->child) : NULL;
}

/* Python's json module, strict about control characters and everything else, as a second judge; -1 when absent. */
static int have_python;
static int python_judge(const char *dir, const char *report)
{
	if (!have_python)
		return -1;
	char cmd[16384];
	result r;
	SH("python3 -c 'import json,sys\n"
	   "keys={\"path\",\"format\",\"charset\",\"outputs\",\"status\",\"warnings\",\"error\",\"bytes_in\",\"bytes_"
	   "out\",\"ms\"}\n"
	   "n=0\n"
	   "for line in open(sys.argv[1],encoding=\"utf-8\"):\n"
	   "  r=json.loads(line); n+=1\n"
	   "  assert set(r)==keys and r[\"status\"] in (\"ok\",\"failed\",\"skipped\"), r\n"
	   "  assert all(isinstance(x,str) for x in r[\"outputs\"]+r[\"warnings\"]), r\n"
	   "  assert (r[\"error\"] is None)==(r[\"status\"]!=\"failed\"), r\n"
	   "  assert isinstance(r[\"bytes_in\"],int) and isinstance(r[\"bytes_out\"],int) and r[\"ms\"]>=0, r\n"
	   "print(n)' '%s'",
	   report);
	int n = r.status == 0 ? atoi(r.out) : -2;
	if (n < 0)
		printf("python3 on %s: %s\n", report, r.err);
	result_free(&r);
	return n;
}

/* ------------------------------------------------------------------ interrupting a run */

/* Starts galley in `dir` on `first.html fifo.html in/html`; once galley has opened the FIFO (an input is in
 * flight, held there), sends `sig`, then lets the FIFO's content through. Returns the exit status (128+signal when
 * killed by it), or -1. */
static int batch_interrupt(const char *dir, const char *jobs, int sig)
{
	char fifo[4200], errp[4200];
	snprintf(fifo, sizeof fifo, "%s/fifo.html", dir);
	snprintf(errp, sizeof errp, "%s/int.err", dir);
	unlink(fifo);
	if (mkfifo(fifo, 0666) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0666), nul = open("/dev/null", O_RDWR);
		if (chdir(dir) != 0 || fd < 0)
			_exit(126);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(fd, 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execl(galley_abs, galley_abs, "-t", "md", "-j", jobs, "-o", "int/", "--report", "int.jsonl",
		      "first.html", "fifo.html", "in/html", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	int wfd = -1, st = 0, gone = 0;
	/* a writer's non-blocking open succeeds only once a reader has the FIFO open: galley is in that input */
	for (int i = 0; i < 3000 && wfd < 0 && !gone; i++) {
		wfd = open(fifo, O_WRONLY | O_NONBLOCK);
		if (wfd < 0) {
			gone = waitpid(pid, &st, WNOHANG) == pid;
			usleep(10000);
		}
	}
	if (wfd >= 0) {
		kill(pid, sig);
		/* galley says when it has seen the signal; from then on it takes no new input */
		int seen = 0;
		for (int i = 0; i < 1000 && !seen; i++) {
			char *e = read_file(errp, NULL);
			seen = e && strstr(e, "finishing the inputs in flight");
			free(e);
			if (!seen)
				usleep(10000);
		}
		if (!seen)
			fail("galley did not acknowledge signal %d", sig);
		/* then the page: first.html's, small enough for the pipe's buffer */
		char first[4200];
		snprintf(first, sizeof first, "%s/first.html", dir);
		size_t len = 0;
		char *page = read_file(first, &len);
		int flags = fcntl(wfd, F_GETFL);
		fcntl(wfd, F_SETFL, flags & ~O_NONBLOCK);
		if (!page || write(wfd, page, len) != (ssize_t)len)
			fail("write to the FIFO");
		free(page);
		close(wfd);
	} else if (!gone) {
		fail("galley never opened the FIFO");
		kill(pid, SIGKILL);
	}
	if (!gone) {
		int i = 0;
		while (waitpid(pid, &st, WNOHANG) == 0 && i++ < 3000)
			usleep(10000);
		if (i > 3000) {
			fail("galley did not stop after signal %d", sig);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------------ the tests */

static void batch_tests(void)
{
	char dir[] = "/tmp/galley-batchXXXXXX";
	if (!mkdtemp(dir)) {
		fail("mkdtemp");
		return;
	}
	char cmd[16384];
	result r;
	const char *g = galley_abs;
	have_python = have("python3");
	batch_corpus(dir);
	char path[4200];

	/* the whole corpus, four threads */
	SH("'%s' -t md -j 4 -o out4/ --report r4.jsonl in/", g);
	CHECK(r.status == 1, "a batch with broken inputs exits 1 (%d)", r.status);
	CHECK(strstr(r.err, "galley: in/bad/empty.html: HTML: empty input\n") &&
	          strstr(r.err, "galley: in/bad/binary.html: HTML: not HTML: the input is binary data\n") &&
	          strstr(r.err, "galley: in/bad/truncated.xml:") &&
	          strstr(r.err, "galley: in/bad/deep.xml:1: NITF: elements nested more than 256 deep"),
	      "every broken input on stderr: %s", r.err);
	{
		/* whole lines only, even with four threads writing */
		int torn = 0;
		for (const char *l = r.err; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
			torn += strncmp(l, "galley: ", 8) != 0;
		CHECK(!torn && r.err_len && r.err[r.err_len - 1] == '\n', "stderr lines whole: %s", r.err);
	}
	result_free(&r);
	SH("find out4 -type f | wc -l; find out4 -name '.*' | wc -l; find out4 -type d | LC_ALL=C sort | tr '\\n' ' '");
	CHECK(!strcmp(r.out,
	              "303\n0\nout4 out4/clash out4/html out4/html/sec0 out4/html/sec1 out4/html/sec2 out4/html/sec3 "
	              "out4/nitf out4/nitf/late "),
	      "one output per good input, no temporary file, folders mirrored (no bad/ folder): %s", r.out);
	result_free(&r);
	batch_report rep;
	snprintf(path, sizeof path, "%s/r4.jsonl", dir);
	report_load(path, &rep);
	CHECK(rep.bad == 0 && rep.n == B_GOOD + B_BAD && report_count(&rep, "ok") == B_GOOD &&
	          report_count(&rep, "failed") == B_BAD,
	      "report: one valid line per input (%zu lines, %d bad, %zu ok, %zu failed)", rep.n, rep.bad,
	      report_count(&rep, "ok"), report_count(&rep, "failed"));
	CHECK(python_judge(dir, "r4.jsonl") == B_GOOD + B_BAD || !have_python, "report valid for python3's json");
	if (!have_python) {
		printf("skip: python3 not found: the report is judged by galley's JSON reader only\n");
		skipped++;
	}
	CHECK(!report_find(&rep, "in/notes.txt") && !report_find(&rep, "in/.hidden.html"),
	      "the walk leaves unknown extensions and hidden files alone");
	/* input order: sorted, depth first */
	CHECK(rep.n > 4 && !strcmp(rec_str(rep.v[0], "path"), "in/bad/binary.html") &&
	          !strcmp(rec_str(rep.v[4], "path"), "in/clash/a.htm"),
	      "report in input order: %s", rep.n ? rec_str(rep.v[0], "path") : "");
	{
		const gal_json *o = report_find(&rep, "in/html/sec1/story005.html");
		size_t n, in_len = 0, out_len = 0;
		const char *out = o ? rec_first(o, "outputs", &n) : NULL;
		snprintf(path, sizeof path, "%s/in/html/sec1/story005.html", dir);
		free(read_file(path, &in_len));
		snprintf(path, sizeof path, "%s/out4/html/sec1/story005.md", dir);
		free(read_file(path, &out_len));
		CHECK(o && !strcmp(rec_str(o, "format"), "html") && !strcmp(rec_str(o, "charset"), "UTF-8") && n == 1 &&
		          !strcmp(out, "out4/html/sec1/story005.md") && !strcmp(rec_str(o, "status"), "ok") &&
		          rec_first(o, "warnings", &n) == NULL && n == 0 &&
		          gal_json_get(o, "error")->type == GAL_JSON_NULL && rec_num(o, "bytes_in") == (double)in_len &&
		          rec_num(o, "bytes_out") == (double)out_len && out_len > 0 && rec_num(o, "ms") >= 0,
		      "report fields of a page (%zu in, %zu out)", in_len, out_len);
		o = report_find(&rep, "in/clash/latin1.html");
		CHECK(o && rec_str(o, "charset") && !strcmp(rec_str(o, "charset"), "windows-1252"),
		      "report: the charset the reader decoded");
		o = report_find(&rep, "in/nitf/wire003.xml");
		CHECK(o && !strcmp(rec_str(o, "format"), "nitf") &&
		          !strcmp(rec_first(o, "outputs", &n), "out4/nitf/wire-3.md"),
		      "report: NITF named from its doc-id");
		o = report_find(&rep, "in/bad/empty.html");
		CHECK(o && !strcmp(rec_str(o, "status"), "failed") &&
		          !strcmp(rec_str(o, "error"), "in/bad/empty.html: HTML: empty input") &&
		          rec_first(o, "outputs", &n) == NULL && n == 0 && rec_num(o, "bytes_in") == 0,
		      "report: a failed input, its error as on stderr");
		o = report_find(&rep, "in/bad/deep.xml");
		CHECK(o && rec_str(o, "error") && strstr(rec_str(o, "error"), "nested more than 256 deep"),
		      "report: the deep NITF's error");
	}
	report_free(&rep);

	/* each output is the single-file conversion */
	SH("G='%s'; for f in html/sec0/story000 html/sec3/story199 html/sec2/story086; do \"$G\" -t md in/$f.html | "
	   "cmp - out4/$f.md || exit 1; done; "
	   "\"$G\" -t md in/nitf/late/wire099.xml | cmp - out4/nitf/late/wire-99.md",
	   g);
	CHECK(r.status == 0, "outputs equal single conversions: %s %s", r.out, r.err);
	result_free(&r);
	/* names: doc-id clashes numbered in input order, a.htm before a.html */
	SH("export LC_ALL=C; ls out4/nitf | grep dup | tr '\\n' ' '; ls out4/nitf/late | grep dup | tr '\\n' ' '; grep "
	   "-l 'Wire 7$' out4/nitf/dup.md; "
	   "grep -l 'Wire 82' out4/nitf/late/dup.md; grep -c 'Story 1000' out4/clash/a.md; grep -c 'Story 1001' "
	   "out4/clash/a-2.md");
	CHECK(!strcmp(r.out, "dup-2.md dup-3.md dup.md dup.md out4/nitf/dup.md\nout4/nitf/late/dup.md\n1\n1\n"),
	      "name clashes: suffixes per folder, in input order: %s", r.out);
	result_free(&r);

	/* one thread: the same bytes, the same names, the same report (but for the times) */
	SH("'%s' -t md -j 1 -o out1/ --report r1.jsonl in/ 2>/dev/null; echo $?; diff -r out1 out4 && "
	   "sed 's/\"ms\":[0-9.]*//; s/out1/outN/g' r1.jsonl > r1.x && sed 's/\"ms\":[0-9.]*//; s/out4/outN/g' "
	   "r4.jsonl > r4.x && "
	   "cmp r1.x r4.x && echo same",
	   g);
	CHECK(!strcmp(r.out, "1\nsame\n"), "-j 1 and -j 4 byte-identical: %s %s", r.out, r.err);
	result_free(&r);

	/* --skip-existing: a second run converts nothing, the bad ones fail again; a removed output comes back */
	SH("rm out4/html/sec2/story010.md; '%s' -t md -o out4/ --skip-existing --report rs.jsonl in/ 2>/dev/null; echo "
	   "$?; "
	   "cmp out1/html/sec2/story010.md out4/html/sec2/story010.md && echo back",
	   g);
	snprintf(path, sizeof path, "%s/rs.jsonl", dir);
	report_load(path, &rep);
	{
		const gal_json *o = report_find(&rep, "in/html/sec2/story010.html"),
		               *s = report_find(&rep, "in/nitf/wire001.xml");
		size_t n;
		CHECK(!strcmp(r.out, "1\nback\n") && rep.bad == 0 && report_count(&rep, "skipped") == B_GOOD - 1 &&
		          report_count(&rep, "ok") == 1 && report_count(&rep, "failed") == B_BAD && o &&
		          !strcmp(rec_str(o, "status"), "ok") && s &&
		          !strcmp(rec_first(s, "outputs", &n), "out4/nitf/wire-1.md") && rec_num(s, "bytes_out") == 0,
		      "--skip-existing: %s; %zu skipped, %zu ok", r.out, report_count(&rep, "skipped"),
		      report_count(&rep, "ok"));
	}
	report_free(&rep);
	result_free(&r);

	/* --include: globs on the name, or on the path below the folder argument with a '/' */
	SH("'%s' -o inc/ --include 'story01?.html' --include 'nitf/late/*' --report inc.jsonl in/ && find inc -type f "
	   "| wc -l && "
	   "wc -l < inc.jsonl && LC_ALL=C ls inc/html/sec0 | tr '\\n' ' '",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "30\n30\nstory012.txt story016.txt "), "--include (%d): %s %s", r.status,
	      r.out, r.err);
	result_free(&r);
	SH("'%s' -o inc2/ --include '*.txt' in/ && find inc2 -type f", g);
	CHECK(r.status == 0 && !strcmp(r.out, "inc2/notes.txt\n"), "--include takes any file, as HTML: %s %s", r.out,
	      r.err);
	result_free(&r);
	SH("'%s' -f nitf -o fn/ in/clash in/nitf/late && find fn -type f | wc -l", g);
	CHECK(r.status == 0 && !strcmp(r.out, "20\n"), "-f nitf walks only NITF extensions: %s %s", r.out, r.err);
	result_free(&r);

	/* the output folder inside the input folder is not walked: a second run sees the same inputs */
	SH("mkdir -p self && cp in/nitf/wire00* self/ && G='%s' && \"$G\" -t nitf -o self/out/ self/ && \"$G\" -t nitf "
	   "-o self/out/ --report self.jsonl self/ && wc -l < self.jsonl && ls self/out | wc -l",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "10\n10\n"), "output folder inside the input folder (%d): %s %s",
	      r.status, r.out, r.err);
	result_free(&r);
	/* an output that would replace an input is refused; the rest is converted */
	SH("mkdir -p over && printf '<nitf><body><body.content><p>x</p></body.content></body></nitf>' > over/x.xml && "
	   "cp in/nitf/wire001.xml over/ && '%s' -t nitf -o over/ over/x.xml over/wire001.xml; echo \" $?\"; LC_ALL=C "
	   "ls over | tr '\\n' ' '",
	   g);
	CHECK(strstr(r.err, "galley: over/x.xml: refusing to overwrite an input file") &&
	          !strcmp(r.out, " 1\nwire-1.xml wire001.xml x.xml "),
	      "inputs never overwritten: %s %s", r.out, r.err);
	result_free(&r);
	/* a link back up is not followed into a loop; a link to a file is followed */
	SH("mkdir -p loop/sub && cp in/html/sec0/story000.html loop/sub/ && ln -s .. loop/sub/up && "
	   "ln -s \"$PWD/in/html/sec1/story001.html\" loop/l.html && timeout 20 '%s' -o loopout/ loop/; echo \" $?\"; "
	   "find loopout -type f | LC_ALL=C sort | tr '\\n' ' '",
	   g);
	CHECK(!strcmp(r.out, " 0\nloopout/l.txt loopout/sub/story000.txt ") &&
	          strstr(r.err, "loop/sub/up: a link back to a folder above it"),
	      "symbolic link loop: %s %s", r.out, r.err);
	result_free(&r);

	/* warnings: on stderr and in the report; --quiet keeps them out of stderr only */
	SH("mkdir -p warn && printf '<html><body><nav><a href=/>Home</a></nav></body></html>' > warn/home.html && "
	   "'%s' -q -o wout/ --report w.jsonl warn/; echo \" $?\"; cat w.jsonl",
	   g);
	CHECK(!strcmp(r.err, "") && strstr(r.out, " 0\n{\"path\":\"warn/home.html\"") &&
	          strstr(r.out, "\"warnings\":[\"warn/home.html: "),
	      "--quiet: warning in the report, not on stderr: %s %s", r.out, r.err);
	result_free(&r);
	SH("'%s' -o wout/ warn/", g);
	CHECK(r.status == 0 && !strncmp(r.err, "galley: warning: warn/home.html: HTML: no article found", 55),
	      "warnings on stderr: %s", r.err);
	result_free(&r);

	/* EPUB: a book with two chapters in, one file per chapter; EPUB out, one book per input */
	SH("G='%s'; SOURCE_DATE_EPOCH=0 \"$G\" -o two.epub in/html/sec0/story000.html in/html/sec1/story001.html && "
	   "\"$G\" -t md -o eout/ two.epub && ls eout | tr '\\n' ' ' && \"$G\" -t md in/html/sec1/story001.html | cmp "
	   "- eout/two-2.md && "
	   "SOURCE_DATE_EPOCH=0 \"$G\" -t epub --author Desk -o books/ in/clash/a.htm in/html/sec3 && ls books | wc -l "
	   "&& "
	   "\"$G\" -t native books/story003.epub | grep -c 'creator.*Desk'",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "two-1.md two-2.md 51\n1\n"),
	      "EPUB in (one file per chapter) and out (one book "
	      "per input) (%d): %s %s",
	      r.status, r.out, r.err);
	result_free(&r);
	/* epubcheck judges one of them with the other books, at the end */
	snprintf(path, sizeof path, "%s/batch-a.epub", epub_dir());
	SH("cp books/a.epub '%s'", path);
	if (r.status == 0)
		book_written(path);
	result_free(&r);

	/* the report on standard output; an empty folder; a missing output folder is made with its parents */
	SH("mkdir -p emptyd && '%s' -o new/a/b/ --report - in/clash emptyd | wc -l; ls new/a/b | wc -l", g);
	CHECK(r.status == 0 && !strcmp(r.out, "3\n3\n") &&
	          strstr(r.err, "galley: warning: emptyd: no file to convert (none has an extension a reader knows)"),
	      "--report -, empty folder, new/a/b/ (%d): %s %s", r.status, r.out, r.err);
	result_free(&r);

	/* options */
	SH("'%s' -j 0 -o x/ in/html", g);
	CHECK(r.status == 2 && strstr(r.err, "--jobs: expected a number"), "-j 0: %s", r.err);
	result_free(&r);
	SH("'%s' --report r.jsonl in/html/sec0/story000.html", g);
	CHECK(r.status == 2 && strstr(r.err, "need -o DIR/"), "--report without -o DIR/: %s", r.err);
	result_free(&r);
	SH("'%s' -o x/ --report /nonexistent/r.jsonl in/html; echo \" $?\"; test -e x || echo none", g);
	CHECK(!strcmp(r.out, " 1\nnone\n") && strstr(r.err, "cannot write the report"),
	      "unwritable report, nothing done: %s %s", r.out, r.err);
	result_free(&r);

	/* progress: on a terminal (script(1) gives one), not otherwise, not with --quiet */
	if (have("script")) {
		SH("script -qec \"'%s' -o prog/ in/html\" /dev/null > tty.out; grep -c 'files/s' tty.out; grep -c '200 "
		   "of 200 inputs' tty.out; "
		   "script -qec \"'%s' -q -o prog2/ in/html\" /dev/null | grep -c 'files/s'; '%s' -o prog3/ in/html "
		   "2>&1 | grep -c files/s",
		   g, g, g);
		CHECK(atoi(r.out) >= 1 && strstr(r.out, "\n1\n0\n0\n"), "progress line on a terminal only: %s %s",
		      r.out, r.err);
		result_free(&r);
	} else {
		printf("skip: script(1) not found: progress line not tested\n");
		skipped++;
	}

	/* SIGINT with one thread: the input in flight (held in a FIFO) is finished, no other is taken */
	SH("cp in/html/sec0/story000.html first.html");
	result_free(&r);
	int st = batch_interrupt(dir, "1", SIGINT);
	snprintf(path, sizeof path, "%s/int.jsonl", dir);
	report_load(path, &rep);
	SH("cat int.err; find int -type f | LC_ALL=C sort | tr '\\n' ' '; find int -name '.*' | wc -l");
	CHECK(st == 130 && rep.bad == 0 && rep.n == 2 && report_count(&rep, "ok") == 2 &&
	          strstr(r.out, "interrupted: 2 of 202 inputs done") && strstr(r.out, "int/fifo.md int/first.md 0\n") &&
	          !strstr(r.out, "warning"),
	      "SIGINT: in-flight input finished, report so far, exit 130 (%d, %zu lines): %s", st, rep.n, r.out);
	report_free(&rep);
	result_free(&r);
	/* resumed: the FIFO is now a file with the same page */
	SH("rm fifo.html && cp first.html fifo.html && "
	   "'%s' -t md -o int/ --skip-existing --report int2.jsonl first.html fifo.html in/html && "
	   "grep -c '\"skipped\"' int2.jsonl && grep -c '\"ok\"' int2.jsonl && diff -r int/sec0 out4/html/sec0 && "
	   "find int -type f | wc -l",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "2\n200\n202\n"),
	      "resumed with --skip-existing, mirrored below the folder "
	      "argument: %s %s",
	      r.out, r.err);
	result_free(&r);
	/* SIGTERM with four threads: others may be mid-input; all of them finish, and the report says what was done */
	SH("rm -rf int int.jsonl");
	result_free(&r);
	st = batch_interrupt(dir, "4", SIGTERM);
	snprintf(path, sizeof path, "%s/int.jsonl", dir);
	report_load(path, &rep);
	SH("find int -name '.*' | wc -l; find int -type f | wc -l");
	{
		size_t files = r.out ? (size_t)atol(strchr(r.out, '\n') ? strchr(r.out, '\n') + 1 : "0") : 0;
		CHECK(st == 143 && rep.bad == 0 && rep.n >= 2 && rep.n < 202 && report_count(&rep, "ok") == rep.n &&
		          !strncmp(r.out, "0\n", 2) && files == rep.n,
		      "SIGTERM with -j 4: exit 143, %zu of 202 reported, %zu files, no temporary: %s", rep.n, files,
		      r.out);
	}
	report_free(&rep);
	result_free(&r);
	SH("rm fifo.html && cp first.html fifo.html && '%s' -t md -j 4 -o int/ --skip-existing first.html fifo.html "
	   "in/html && "
	   "find int -type f | wc -l",
	   g);
	CHECK(r.status == 0 && !strcmp(r.out, "202\n"), "resumed after SIGTERM: %s %s", r.out, r.err);
	result_free(&r);

	/* GNU parallel: the same conversions, one process per file, output to stdout */
	if (have("parallel")) {
		SH("G='%s'; find in/html -name '*.html' | sort | parallel --will-cite -j 2 \"mkdir -p par/{//} && "
		   "\\\"$G\\\" -t md {} > par/{.}.md\" "
		   "&& diff -r par/in/html out4/html && echo same; printf "
		   "'in/html/sec0/story000.html\\nin/bad/empty.html\\n' | "
		   "parallel --will-cite \"\\\"$G\\\" -t md {} > /dev/null\"; echo \"failed: $?\"",
		   g);
		CHECK(!strcmp(r.out, "same\nfailed: 1\n") &&
		          strstr(r.err, "galley: in/bad/empty.html: HTML: empty input"),
		      "GNU parallel: same outputs as the batch, failures counted: %s %s", r.out, r.err);
		result_free(&r);
	} else {
		printf("skip: GNU parallel not found: docs/scale.md's recipe not tested\n");
		skipped++;
	}

	SH("rm -rf '%s'", dir);
	result_free(&r);
}
