/* main.c: the galley command-line tool. The only place that prints or exits. */
#include "../galley.h"

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
		"  -v, --verbose        report recoverable problems in the input\n"
		"      --list-formats   print readers and writers\n"
		"      --version        print the version\n"
		"  -h, --help           print this help\n\n"
		"Several FILEs make one document with one article each (NITF: one file each, with -o DIR/).\n");
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
static int slurp(const char *path, size_t limit, char **out, size_t *len, gal_error *err)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	memset(err, 0, sizeof *err);
	if (!fp) {
		snprintf(err->file, sizeof err->file, "%s", name);
		snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
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

/* Whether two paths name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Reads one input with the given reader (NULL: by extension, then content, then HTML). Prints any error.
 * Returns 0 and the tree in *out, or 1. */
static int read_one(const char *path, const gal_format *reader, gal_options *opts, gal_node **out)
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
	int rc = gal_read(fmt, data, len, opts, out, &err);
	if (rc) {
		if (!err.file[0])
			snprintf(err.file, sizeof err.file, "%s", opts->source_name);
		print_error(&err);
	}
	free(data);
	return rc ? 1 : 0;
}

static int write_to(const gal_format *writer, gal_node *doc, const char *path, gal_options *opts)
{
	gal_error err;
	opts->source_name = NULL;
	gal_sink *sink = path ? gal_sink_new_atomic(path, &err) : gal_sink_new_stream(stdout);
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

/* A file name from the article's id, else from the input's name without its extension: letters, digits, '.', '-'
 * and '_' kept, runs of anything else as one '_', at most 100 bytes, no leading dot. */
static void output_name(const gal_node *doc, const char *input, char *out, size_t size)
{
	const gal_meta *m = gal_node_meta_const(gal_node_first_child(doc));
	const char *src = m && m->id && *m->id ? m->id : NULL;
	char base[4096];
	if (!src) {
		const char *slash = strrchr(input, '/');
		snprintf(base, sizeof base, "%s", strcmp(input, "-") ? (slash ? slash + 1 : input) : "stdin");
		char *dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		src = base;
	}
	size_t k = 0;
	for (const char *p = src; *p && k + 1 < size && k < 100; p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
			 ch == '_' || (ch == '.' && k > 0);
		if (ok)
			out[k++] = ch;
		else if (k && out[k - 1] != '_')
			out[k++] = '_';
	}
	out[k] = '\0';
	if (!k)
		snprintf(out, size, "article");
}

static int write_dir(const gal_format *reader, const gal_format *writer, char **inputs, int ninputs,
		     const char *dir, gal_options *opts)
{
	struct stat st;
	if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
		fprintf(stderr, "%s: %s: cannot create the folder: %s\n", prog, dir, strerror(errno));
		return 1;
	}
	const char *ext = writer->extensions ? writer->extensions : writer->name;
	size_t extlen = strcspn(ext, " ");
	size_t dirlen = strlen(dir);
	while (dirlen > 1 && dir[dirlen - 1] == '/')
		dirlen--;
	char (*used)[128] = calloc((size_t)ninputs, sizeof *used);
	if (!used) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < ninputs; i++) {
		gal_node *doc = NULL;
		if (read_one(inputs[i], reader, opts, &doc)) {
			status = 1; /* the other inputs are still converted */
			continue;
		}
		char name[128], path[4400];
		output_name(doc, inputs[i], name, sizeof name - 8);
		/* two articles with one name: the later ones are numbered */
		char unique[128];
		snprintf(unique, sizeof unique, "%s", name);
		for (int n = 2, clash = 1; clash; n++) {
			clash = 0;
			for (int k = 0; k < i && !clash; k++)
				clash = !strcmp(used[k], unique);
			if (clash)
				snprintf(unique, sizeof unique, "%.100s-%d", name, n);
		}
		snprintf(used[i], sizeof used[i], "%s", unique);
		snprintf(path, sizeof path, "%.*s/%s.%.*s", (int)dirlen, dir, unique, (int)extlen, ext);
		if (same_file(inputs[i], path)) {
			fprintf(stderr, "%s: %s: refusing to overwrite an input file\n", prog, path);
			status = 1;
		} else if (write_to(writer, doc, path, opts))
			status = 1;
		gal_node_free(doc);
	}
	free(used);
	return status;
}

enum { OPT_COLUMNS = 256, OPT_LIST, OPT_VERSION, OPT_NO_EXTRACT };

int main(int argc, char **argv)
{
	/* the C library's character functions are not used for text; UTF-8 handling is our own */
	setlocale(LC_ALL, "");
	static const struct option longopts[] = {
	    {"from", required_argument, NULL, 'f'},  {"to", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'}, {"standalone", no_argument, NULL, 's'},
	    {"columns", required_argument, NULL, OPT_COLUMNS}, {"verbose", no_argument, NULL, 'v'},
	    {"list-formats", no_argument, NULL, OPT_LIST}, {"version", no_argument, NULL, OPT_VERSION},
	    {"no-extract", no_argument, NULL, OPT_NO_EXTRACT}, {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	gal_options opts = GAL_OPTIONS_INIT;
	opts.warn = on_warning;
	const char *from = NULL, *to = NULL, *output = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "f:t:o:svh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'o': output = optarg; break;
		case 's': opts.standalone = 1; break;
		case 'v': opts.verbose = 1; break;
		case OPT_NO_EXTRACT: opts.no_extract = 1; break;
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

	char *stdin_only[] = {"-"};
	char **inputs = optind < argc ? argv + optind : stdin_only;
	int ninputs = optind < argc ? argc - optind : 1;
	int to_file = output && strcmp(output, "-");
	for (int i = 0; to_file && i < ninputs; i++)
		if (same_file(inputs[i], output)) {
			fprintf(stderr, "%s: %s: refusing to overwrite an input file\n", prog, output);
			return 2;
		}

	if (to_file && is_dir_output(output))
		return write_dir(reader, writer, inputs, ninputs, output, &opts);

	gal_node *doc = gal_node_new(GAL_NODE_DOCUMENT);
	if (!doc) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < ninputs && !status; i++) {
		gal_node *one = NULL;
		if (read_one(inputs[i], reader, &opts, &one)) {
			status = 1;
			break;
		}
		/* move the articles into the combined document */
		gal_node *a;
		while ((a = gal_node_first_child(one))) {
			gal_node_unlink(a);
			gal_node_append(doc, a);
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
	if (!status)
		status = write_to(writer, doc, to_file ? output : NULL, &opts);
	gal_node_free(doc);
	return status;
}
