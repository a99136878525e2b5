/* main.c: the galley command-line tool. The only place that prints or exits (with batch.c, for -o DIR/). */
#include "../galley.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog = "galley";

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: galley [-f FORMAT] [-t FORMAT] [-o PATH] [options] [FILE...]\n"
		"Convert news articles between formats.\n\n"
		"  -f, --from FORMAT    input format (default: guessed from the extension, then the content)\n"
		"  -t, --to FORMAT      output format (default: text, or guessed from -o's extension)\n"
		"  -o, --output PATH    output file; '-' or absent = stdout; no FILE or '-' = stdin;\n"
		"                       a folder (ending in '/') gets one file per input, named from\n"
		"                       the article's id or the input's name\n"
		"  -s, --standalone     write document metadata (Markdown: YAML front matter)\n"
		"      --columns N      wrap width for text (default 72; 0 = no wrapping)\n"
		"      --no-extract     HTML: convert the whole page, not just the article found in it\n"
		"      --split toc      EPUB input: one article per table-of-contents entry (default: per file)\n"
		"      --title TEXT     document title (EPUB: the book's title; default: from the articles)\n"
		"      --author TEXT    document author (EPUB: dc:creator; default: the articles' bylines)\n"
		"      --date DATE      document date, ISO 8601 (EPUB: dc:date; default: the latest article's)\n"
		"      --group-by section  EPUB output: chapters grouped by section in the book and its TOC\n"
		"      --css FILE       EPUB output: style sheet replacing the default one\n"
		"      --from-charset NAME  input encoding, overriding detection (e.g. windows-1252)\n"
		"      --to-charset NAME    text, Markdown, NITF output encoding (default UTF-8)\n"
		"      --translit       with --to-charset: approximate what it cannot hold (e.g. straight quotes)\n"
		"      --strict         invalid bytes in the input are an error, not U+FFFD\n"
		"  -v, --verbose        report recoverable problems in the input\n"
		"  -q, --quiet          no warnings and no progress line on stderr (errors are still printed)\n"
		"      --list-formats   print readers and writers\n"
		"      --version        print the version\n"
		"  -h, --help           print this help\n"
		"\nBatch (-o DIR/; FILE may be a folder, walked):\n"
		"  -j, --jobs N         worker threads (default: the number of online processors)\n"
		"      --include GLOB   in folders, take the files whose name matches (repeatable; default:\n"
		"                       the extensions a reader knows)\n"
		"      --report FILE    one JSON line per input ('-': stdout): path, format, charset,\n"
		"                       outputs, status, warnings, error, bytes_in, bytes_out, ms\n"
		"      --skip-existing  skip an input whose outputs exist (resumes an interrupted run)\n"
		"      --no-sync        rename outputs into place without fsync (faster; a power failure may\n"
		"                       leave empty files, never partial ones)\n"
		"\n"
		"Several FILEs make one document with one article each (NITF: one file each, with -o DIR/;\n"
		"EPUB: a digest, one chapter each). EPUB output needs -o FILE.epub; SOURCE_DATE_EPOCH, when set,\n"
		"fixes its timestamps.\n"
		"With -o DIR/, every input is converted on its own: one output per article (EPUB: one book per\n"
		"input), folders mirrored below DIR, names made unique, each file written whole or not at all; a\n"
		"failed input is reported and the others go on (exit status 1). Ctrl-C stops after the inputs in\n"
		"flight.\n");
}

static void print_error(const gal_error *err)
{
	char buf[1024];
	fprintf(stderr, "%s: %s\n", prog, gal_error_format(err, buf, sizeof buf));
}

static void on_warning(void *ud, const gal_error *w)
{
	(void)ud;
	char buf[1024];
	fprintf(stderr, "%s: warning: %s\n", prog, gal_error_format(w, buf, sizeof buf));
}

static void list_formats(void)
{
	const gal_format *const *f = gal_formats();
	for (int pass = 0; pass < 2; pass++) {
		printf("%s\n", pass ? "Writers:" : "Readers:");
		for (size_t i = 0; f[i]; i++) {
			if (f[i]->hidden || !(pass ? f[i]->write != NULL : f[i]->read != NULL))
				continue;
			printf("  %-10s %s", f[i]->name, f[i]->description);
			if (f[i]->aliases)
				printf(" (aliases: %s)", f[i]->aliases);
			printf("\n");
		}
	}
}

/* Reads a whole file (or stdin for "-"), refusing more than `limit` bytes. */
int slurp(const char *path, size_t limit, char **out, size_t *len, gal_error *err)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	memset(err, 0, sizeof *err);
	if (!fp) {
		snprintf(err->file, sizeof err->file, "%s", name);
		char eb[128]; /* strerror_r: batch workers read files at the same time */
		snprintf(err->message, sizeof err->message, "cannot open: %s", strerror_r(errno, eb, sizeof eb) ? "error" : eb);
		return err->code = GAL_EIO;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (fp != stdin)
			fclose(fp);
		snprintf(err->file, sizeof err->file, "%s", name);
		snprintf(err->message, sizeof err->message, "is a directory");
		return err->code = GAL_EIO;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	int rc = GAL_OK;
	while (buf) {
		if (n == cap) {
			if (cap > limit) {
				rc = GAL_ELIMIT;
				break;
			}
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				rc = GAL_ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t k = fread(buf + n, 1, cap - n, fp);
		n += k;
		if (k == 0) {
			if (ferror(fp))
				rc = GAL_EIO;
			break;
		}
	}
	if (!buf)
		rc = GAL_ENOMEM;
	if (!rc && n > limit)
		rc = GAL_ELIMIT;
	if (fp != stdin)
		fclose(fp);
	if (rc) {
		free(buf);
		snprintf(err->file, sizeof err->file, "%s", name);
		snprintf(err->message, sizeof err->message, "%s",
			 rc == GAL_ELIMIT  ? "input exceeds the size limit"
			 : rc == GAL_EIO ? "read error"
					 : "out of memory");
		return err->code = rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return GAL_OK;
}

/* ------------------------------------------------------------------ EPUB: images next to the inputs */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A figure's src as a file path relative to its input's folder: percent-decoded, without query or fragment.
 * Absolute paths, ".." segments and NUL bytes are refused (NULL): an input names only files beside or below it. */
static char *local_path(const char *src)
{
	size_t n = strcspn(src, "?#");
	char *p = malloc(n + 1), *o = p;
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int h1, h2;
		if (src[i] == '%' && i + 2 < n + 1 && (h1 = hexval((unsigned char)src[i + 1])) >= 0 &&
		    (h2 = hexval((unsigned char)src[i + 2])) >= 0) {
			*o++ = (char)(h1 * 16 + h2);
			i += 2;
		} else
			*o++ = src[i];
	}
	size_t len = (size_t)(o - p);
	*o = '\0';
	int bad = len == 0 || p[0] == '/' || strlen(p) != len;
	for (const char *seg = p; !bad && seg;) {
		const char *e = strchr(seg, '/');
		size_t k = e ? (size_t)(e - seg) : strlen(seg);
		bad = k == 2 && !strncmp(seg, "..", 2);
		seg = e ? e + 1 : NULL;
	}
	if (bad) {
		free(p);
		return NULL;
	}
	return p;
}

int fetch_resource(void *ud, const gal_node *article, const char *src, char **data, size_t *len)
{
	origins *o = ud;
	const char *input = NULL;
	int epub = 0;
	for (size_t i = 0; i < o->n && !input; i++)
		if (o->v[i].art == article)
			input = o->v[i].input, epub = o->v[i].epub;
	if (input && epub && strcmp(input, "-")) {
		/* an image inside the book the article came from */
		gal_error err;
		gal_options opts = GAL_OPTIONS_INIT;
		if (o->book_path != input) {
			free(o->book);
			o->book = NULL;
			o->book_path = NULL;
			if (slurp(input, o->limit, &o->book, &o->book_len, &err))
				return err.code;
			o->book_path = input;
		}
		return gal_epub_entry(o->book, o->book_len, src, &opts, data, len, &err);
	}
	char *rel = input ? local_path(src) : NULL;
	if (!rel)
		return GAL_EINVAL;
	const char *slash = strcmp(input, "-") ? strrchr(input, '/') : NULL;
	size_t dir = slash ? (size_t)(slash - input) + 1 : 0;
	size_t size = dir + strlen(rel) + 1;
	char *path = malloc(size);
	if (!path) {
		free(rel);
		return GAL_ENOMEM;
	}
	snprintf(path, size, "%.*s%s", (int)dir, input, rel);
	free(rel);
	struct stat st;
	int rc = GAL_EIO;
	FILE *fp = stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= o->limit ? fopen(path, "rb") : NULL;
	free(path);
	if (fp) {
		*data = malloc((size_t)st.st_size + 1);
		if (*data && fread(*data, 1, (size_t)st.st_size, fp) == (size_t)st.st_size) {
			*len = (size_t)st.st_size;
			rc = GAL_OK;
		} else {
			free(*data);
			*data = NULL;
		}
		fclose(fp);
	}
	return rc;
}

int origins_add(origins *o, const gal_node *art, const char *input, int epub)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		origin *nv = realloc(o->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		o->v = nv;
		o->cap = cap;
	}
	o->v[o->n++] = (origin){art, input, epub};
	return 0;
}

/* Whether two paths name the same existing file. */
int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Reads one input with the given reader (NULL: by extension, then content, then HTML). Prints any error.
 * Returns 0 and the tree in *out, or 1. */
static int read_one(const char *path, const gal_format *reader, gal_options *opts, gal_node **out,
		    const gal_format **used)
{
	char *data;
	size_t len;
	gal_error err;
	*out = NULL;
	if (slurp(path, opts->limits.max_input_bytes, &data, &len, &err)) {
		print_error(&err);
		return 1;
	}
	opts->source_name = strcmp(path, "-") ? path : "<stdin>";
	const gal_format *fmt = reader;
	if (!fmt && strcmp(path, "-"))
		fmt = gal_format_for_path(path);
	if (!fmt)
		fmt = gal_format_sniff(data, len);
	if (!fmt)
		fmt = gal_format_find("html");
	memset(&err, 0, sizeof err);
	if (used)
		*used = fmt;
	int rc = gal_read(fmt, data, len, opts, out, &err);
	if (rc) {
		if (!err.file[0])
			snprintf(err.file, sizeof err.file, "%s", opts->source_name);
		print_error(&err);
	}
	free(data);
	return rc ? 1 : 0;
}

static int write_to(const gal_format *writer, gal_node *doc, const char *path, gal_options *opts, int sync)
{
	gal_error err;
	opts->source_name = NULL;
	gal_sink *sink = path ? gal_sink_new_atomic(path, &err) : gal_sink_new_stream(stdout);
	gal_sink_set_sync(sink, sync);
	if (!sink) {
		print_error(&err);
		return 1;
	}
	memset(&err, 0, sizeof err);
	int rc = gal_write(writer, doc, sink, opts, &err);
	if (!rc)
		rc = gal_sink_close(sink, &err);
	if (rc)
		print_error(&err);
	gal_sink_free(sink);
	return rc ? 1 : 0;
}

/* ------------------------------------------------------------------ -o DIR/: one file per input */

/* -o names a folder when it ends in '/' or is one. */
static int is_dir_output(const char *output)
{
	struct stat st;
	size_t n = output ? strlen(output) : 0;
	return n && (output[n - 1] == '/' || (stat(output, &st) == 0 && S_ISDIR(st.st_mode)));
}

enum { OPT_COLUMNS = 256, OPT_LIST, OPT_VERSION, OPT_NO_EXTRACT, OPT_SPLIT, OPT_TITLE, OPT_AUTHOR, OPT_DATE, OPT_GROUP_BY,
       OPT_CSS };
enum { OPT_FROM_CHARSET = 320, OPT_TO_CHARSET, OPT_TRANSLIT, OPT_STRICT };
enum { OPT_INCLUDE = 512, OPT_REPORT, OPT_SKIP_EXISTING, OPT_NO_SYNC }; /* batch (batch.c) */

static int run(int argc, char **argv)
{
	/* the C library's character functions are not used for text; UTF-8 handling is our own */
	setlocale(LC_ALL, "");
	static const struct option longopts[] = {
	    {"from", required_argument, NULL, 'f'},  {"to", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'}, {"standalone", no_argument, NULL, 's'},
	    {"columns", required_argument, NULL, OPT_COLUMNS}, {"verbose", no_argument, NULL, 'v'},
	    {"list-formats", no_argument, NULL, OPT_LIST}, {"version", no_argument, NULL, OPT_VERSION},
	    {"no-extract", no_argument, NULL, OPT_NO_EXTRACT}, {"help", no_argument, NULL, 'h'},
	    {"split", required_argument, NULL, OPT_SPLIT}, {"title", required_argument, NULL, OPT_TITLE},
	    {"author", required_argument, NULL, OPT_AUTHOR}, {"date", required_argument, NULL, OPT_DATE},
	    {"group-by", required_argument, NULL, OPT_GROUP_BY}, {"css", required_argument, NULL, OPT_CSS},
	    {"from-charset", required_argument, NULL, OPT_FROM_CHARSET}, {"to-charset", required_argument, NULL, OPT_TO_CHARSET},
	    {"translit", no_argument, NULL, OPT_TRANSLIT}, {"strict", no_argument, NULL, OPT_STRICT},
	    {"jobs", required_argument, NULL, 'j'}, {"include", required_argument, NULL, OPT_INCLUDE},
	    {"report", required_argument, NULL, OPT_REPORT}, {"quiet", no_argument, NULL, 'q'},
	    {"skip-existing", no_argument, NULL, OPT_SKIP_EXISTING}, {"no-sync", no_argument, NULL, OPT_NO_SYNC},
	    {NULL, 0, NULL, 0}};
	gal_options opts = GAL_OPTIONS_INIT;
	opts.warn = on_warning;
	char *batch_include[argc]; /* --include patterns: at most one per argument */
	const char *from = NULL, *to = NULL, *output = NULL;
	const char *title = NULL, *author = NULL, *date = NULL, *css = NULL;
	cli_batch batch = {0};
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	batch.jobs = online > 0 ? (int)(online < 256 ? online : 256) : 1;
	int batch_only = 0; /* a batch option was given */
	int c;
	while ((c = getopt_long(argc, argv, "f:t:o:svhj:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'o': output = optarg; break;
		case 's': opts.standalone = 1; break;
		case 'v': opts.verbose = 1; break;
		case OPT_NO_EXTRACT: opts.no_extract = 1; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_AUTHOR: author = optarg; break;
		case OPT_DATE: date = optarg; break;
		case OPT_CSS: css = optarg; break;
		case OPT_SPLIT:
			if (strcmp(optarg, "toc") && strcmp(optarg, "spine")) {
				fprintf(stderr, "%s: --split: expected 'toc' or 'spine', got '%s'\n", prog, optarg);
				return 2;
			}
			opts.epub.split_toc = !strcmp(optarg, "toc");
			break;
		case OPT_GROUP_BY:
			if (strcmp(optarg, "section") && strcmp(optarg, "none")) {
				fprintf(stderr, "%s: --group-by: expected 'section' or 'none', got '%s'\n", prog, optarg);
				return 2;
			}
			opts.epub.group_by_section = !strcmp(optarg, "section");
			break;
		case OPT_COLUMNS: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 10000) {
				fprintf(stderr, "%s: --columns: expected a number from 0 to 10000, got '%s'\n", prog, optarg);
				return 2;
			}
			opts.columns = (int)v;
			break;
		}
		case OPT_FROM_CHARSET: opts.charset.from = optarg; break;
		case OPT_TO_CHARSET: opts.charset.to = optarg; break;
		case OPT_TRANSLIT: opts.charset.translit = 1; break;
		case OPT_STRICT: opts.charset.strict = 1; break;
		case 'q': batch.quiet = 1; break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1024) {
				fprintf(stderr, "%s: --jobs: expected a number from 1 to 1024, got '%s'\n", prog, optarg);
				return 2;
			}
			batch.jobs = (int)v;
			batch_only = 1;
			break;
		}
		case OPT_INCLUDE:
			batch_include[batch.ninclude++] = optarg;
			batch.include = batch_include;
			batch_only = 1;
			break;
		case OPT_REPORT: batch.report = optarg, batch_only = 1; break;
		case OPT_SKIP_EXISTING: batch.skip_existing = 1, batch_only = 1; break;
		case OPT_NO_SYNC: batch.no_sync = 1; break;
		case OPT_LIST: list_formats(); return 0;
		case OPT_VERSION: printf("galley %s\n", GAL_VERSION_STRING); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	const gal_format *reader = NULL, *writer = NULL;
	if (from && (!(reader = gal_format_find(from)) || !reader->read)) {
		fprintf(stderr, "%s: unknown input format '%s' (see --list-formats)\n", prog, from);
		return 2;
	}
	if (to) {
		if (!(writer = gal_format_find(to)) || !writer->write) {
			fprintf(stderr, "%s: unknown output format '%s' (see --list-formats)\n", prog, to);
			return 2;
		}
	} else {
		const gal_format *guess = output && strcmp(output, "-") ? gal_format_find(strrchr(output, '.') ? strrchr(output, '.') + 1 : "") : NULL;
		writer = guess && guess->write && !guess->hidden ? guess : gal_format_find("text");
	}

	gal_error cserr;
	if (opts.charset.from && gal_charset_check_input(opts.charset.from, &cserr)) {
		fprintf(stderr, "%s: --from-charset: %s\n", prog, cserr.message);
		return 2;
	}
	if (opts.charset.to && gal_charset_check_output(opts.charset.to, &cserr)) {
		fprintf(stderr, "%s: --to-charset: %s\n", prog, cserr.message);
		return 2;
	}
	if (opts.charset.to && !gal_charset_is_utf8(opts.charset.to) && writer->charset == GAL_OUTPUT_UTF8_ONLY) {
		fprintf(stderr, "%s: --to-charset: %s output is always UTF-8\n", prog, writer->name);
		return 2;
	}
	int is_epub = writer == gal_format_find("epub");
	if (is_epub && (!output || !strcmp(output, "-"))) {
		fprintf(stderr, "%s: EPUB output needs -o FILE.epub\n", prog);
		return 2;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (*end || errno || v < 0) {
			fprintf(stderr, "%s: SOURCE_DATE_EPOCH: expected a number of seconds, got '%s'\n", prog, sde);
			return 2;
		}
		opts.epub.epoch_set = 1;
		opts.epub.epoch = v;
	}
	char *css_data = NULL;
	if (css) {
		size_t css_len;
		gal_error cerr;
		if (slurp(css, 1u << 20, &css_data, &css_len, &cerr)) {
			print_error(&cerr);
			return 2;
		}
		opts.epub.css = css_data;
		opts.epub.css_len = css_len;
	}
	origins orig = {NULL, 0, 0, opts.limits.max_input_bytes, NULL, NULL, 0};
	opts.epub.resource = fetch_resource;
	opts.epub.resource_data = &orig;

	char *stdin_only[] = {"-"};
	char **inputs = optind < argc ? argv + optind : stdin_only;
	int ninputs = optind < argc ? argc - optind : 1;
	int to_file = output && strcmp(output, "-");
	for (int i = 0; to_file && i < ninputs; i++)
		if (same_file(inputs[i], output)) {
			fprintf(stderr, "%s: %s: refusing to overwrite an input file\n", prog, output);
			return 2;
		}

	if (to_file && is_dir_output(output)) {
		batch.title = title;
		batch.author = author;
		batch.date = date;
		int st = batch_run(&batch, reader, writer, inputs, (size_t)ninputs, output, &opts);
		free(orig.v);
		free(css_data);
		return st;
	}
	if (batch_only) {
		fprintf(stderr, "%s: --jobs, --include, --report and --skip-existing need -o DIR/\n", prog);
		free(css_data);
		return 2;
	}
	if (batch.quiet)
		opts.warn = NULL;

	gal_node *doc = gal_node_new(GAL_NODE_DOCUMENT);
	if (!doc) {
		fprintf(stderr, "%s: out of memory\n", prog);
		free(css_data);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < ninputs && !status; i++) {
		gal_node *one = NULL;
		const gal_format *fmt = NULL;
		if (read_one(inputs[i], reader, &opts, &one, &fmt)) {
			status = 1;
			break;
		}
		/* move the articles into the combined document */
		gal_node *a;
		while ((a = gal_node_first_child(one))) {
			gal_node_unlink(a);
			gal_node_append(doc, a);
			if (origins_add(&orig, a, inputs[i], fmt == gal_format_find("epub"))) {
				fprintf(stderr, "%s: out of memory\n", prog);
				status = 1;
			}
		}
		if (i == 0) {
			gal_docmeta *dst = gal_node_docmeta(doc), *src = gal_node_docmeta(one);
			gal_set_string(&dst->title, src->title);
			gal_set_string(&dst->creator, src->creator);
			gal_set_string(&dst->date, src->date);
			gal_set_string(&dst->language, src->language);
		}
		gal_node_free(one);
	}
	if (!status) {
		/* the document's metadata from the options win over the first input's */
		gal_docmeta *dm = gal_node_docmeta(doc);
		if (title)
			gal_set_string(&dm->title, title);
		if (author)
			gal_set_string(&dm->creator, author);
		if (date)
			gal_set_string(&dm->date, date);
	}
	if (!status)
		status = write_to(writer, doc, to_file ? output : NULL, &opts, !batch.no_sync);
	gal_node_free(doc);
	free(orig.v);
	free(orig.book);
	free(css_data);
	return status;
}

int main(int argc, char **argv)
{
	int status = run(argc, argv);
	gal_thread_release(); /* the main thread's scratch blocks, so that leak checkers see nothing left */
	return status;
}
