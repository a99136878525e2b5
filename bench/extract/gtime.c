/*
 * gtime.c: in-process timing for the extraction benchmark (bench/extract/run builds and runs it).
 *
 *   gtime [-r ROUNDS] NAME=FILE...
 *
 * Loads every page into memory, then for ROUNDS rounds times, page by page:
 *   galley      gal_read("html", default options: extraction on) + gal_write("text") into a memory sink,
 *               everything freed (columns = 0, as the scored `galley -t text --columns 0` output);
 *   parse-only  libxml2's htmlReadMemory + xmlFreeDoc: the practical ceiling for any libxml2-based extractor.
 * Without -r, the round count is picked so that the measurement takes about one second.
 * Output (TSV on stdout): "page bytes galley_ms parse_ms" per page (mean per round), then "TOTAL" with the sums.
 * Lines starting with '#' are comments.
 */
#include "galley.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	const char *name;
	char *data;
	size_t len;
	double galley_s, parse_s; /* summed over rounds */
} page;

static const gal_format *html, *text;
static gal_options opts = GAL_OPTIONS_INIT;
static int failures;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0)
		if ((n += got) == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	fclose(fp);
	*len = n;
	return buf;
}

/* One galley conversion, as `galley -t text` does it, but into memory. */
static void run_galley(const page *p)
{
	gal_node *doc = NULL;
	gal_error err;
	memset(&err, 0, sizeof err);
	gal_sink *sink = gal_sink_new_buffer();
	if (!sink || gal_read(html, p->data, p->len, &opts, &doc, &err) || gal_write(text, doc, sink, &opts, &err) ||
	    gal_sink_close(sink, &err))
		failures++;
	gal_sink_free(sink);
	gal_node_free(doc);
}

static void run_parse(const page *p)
{
	xmlDocPtr doc = htmlReadMemory(p->data, (int)p->len, NULL, NULL,
				       HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
					       HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
	xmlFreeDoc(doc);
}

/* One round over all pages; both timings are interleaved page by page so that drift hits both alike. */
static void round_all(page *pages, int n)
{
	for (int i = 0; i < n; i++) {
		double t0 = now();
		run_galley(&pages[i]);
		double t1 = now();
		run_parse(&pages[i]);
		double t2 = now();
		pages[i].galley_s += t1 - t0;
		pages[i].parse_s += t2 - t1;
	}
}

int main(int argc, char **argv)
{
	int rounds = 0, c;
	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r' || (rounds = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: gtime [-r ROUNDS] NAME=FILE...\n");
			return 2;
		}
	}
	int n = argc - optind;
	if (n < 1) {
		fprintf(stderr, "usage: gtime [-r ROUNDS] NAME=FILE...\n");
		return 2;
	}
	page *pages = calloc(n, sizeof *pages);
	html = gal_format_find("html");
	text = gal_format_find("text");
	if (!pages || !html || !text) {
		fprintf(stderr, "gtime: setup failed\n");
		return 1;
	}
	opts.columns = 0;
	xmlInitParser();
	for (int i = 0; i < n; i++) {
		char *arg = argv[optind + i], *eq = strchr(arg, '=');
		pages[i].name = arg;
		if (eq)
			*eq = '\0';
		if (!(pages[i].data = slurp(eq ? eq + 1 : arg, &pages[i].len))) {
			fprintf(stderr, "gtime: cannot read %s\n", eq ? eq + 1 : arg);
			return 1;
		}
	}

	/* Warm-up round (caches, allocator), also the calibration: rounds for ~1 s in total. */
	double t0 = now();
	round_all(pages, n);
	double one = now() - t0;
	if (failures)
		fprintf(stderr, "gtime: warning: galley failed on %d page(s) (their failed runs are still timed)\n",
			failures);
	if (!rounds)
		rounds = one > 1e-5 ? (int)(1.0 / one) : 100000;
	if (rounds < 3)
		rounds = 3;
	for (int i = 0; i < n; i++)
		pages[i].galley_s = pages[i].parse_s = 0;
	for (int r = 0; r < rounds; r++)
		round_all(pages, n);

	printf("# rounds\t%d\n", rounds);
	printf("page\tbytes\tgalley_ms\tparse_ms\n");
	double g = 0, p = 0;
	size_t bytes = 0;
	for (int i = 0; i < n; i++) {
		double gm = pages[i].galley_s * 1e3 / rounds, pm = pages[i].parse_s * 1e3 / rounds;
		printf("%s\t%zu\t%.4f\t%.4f\n", pages[i].name, pages[i].len, gm, pm);
		g += gm;
		p += pm;
		bytes += pages[i].len;
		free(pages[i].data);
	}
	printf("TOTAL\t%zu\t%.4f\t%.4f\n", bytes, g, p);
	free(pages);
	xmlCleanupParser();
	return 0;
}
