/*
 * gtime.c: in-process timing for the extraction benchmark (bench/extract/run builds and runs it).
 *
 *   gtime [-r ROUNDS] NAME=FILE...
 *
 * Loads every page into memory, then for ROUNDS rounds times, page by page:
 *   galley      gal_read("html", default options: extraction on) + gal_write("text") into a memory sink,
 *               everything freed (columns = 0, as the scored `galley -t text --columns 0` output);
 *   parse-only  libxml2's htmlReadMemory + xmlFreeDoc: libxml2's parse into its own tree;
 *   tokenize    libxml2's HTML parser with galley's options and SAX callbacks that do nothing: no tree at all, the
 *               floor for any reader built on libxml2's parser (galley builds its own tree through SAX).
 * Without -r, the round count is picked so that the measurement takes about one second.
 * Output (TSV on stdout): "page bytes galley_ms parse_ms tokenize_ms galley_best_ms parse_best_ms
 * tokenize_best_ms" per page (the mean per round, then the best round: the least disturbed by whatever else the
 * machine runs), then "TOTAL" with the sums.
 * Lines starting with '#' are comments.
 */
#include "galley.h"
#include "readers/html_dom.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	const char *name;
	char *data;
	size_t len;
	/* per timing (galley, parse-only, tokenize), in seconds: summed over rounds, and the best (shortest) round */
	double sum[3], best[3];
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

static void sax_element(void *ctx, const xmlChar *name, const xmlChar **atts) { (void)ctx, (void)name, (void)atts; }
static void sax_end(void *ctx, const xmlChar *name) { (void)ctx, (void)name; }
static void sax_text(void *ctx, const xmlChar *s, int len) { (void)ctx, (void)s, (void)len; }
static void sax_comment(void *ctx, const xmlChar *s) { (void)ctx, (void)s; }

static void run_tokenize(const page *p)
{
	htmlParserCtxtPtr pc = htmlCreateMemoryParserCtxt(p->data, (int)p->len);
	if (!pc)
		return;
	htmlCtxtUseOptions(pc, GAL_HTML_PARSE_OPTIONS);
	xmlSwitchEncoding(pc, XML_CHAR_ENCODING_UTF8);
	xmlSAXHandler *sax = (xmlSAXHandler *)pc->sax;
	sax->startElement = sax_element;
	sax->endElement = sax_end;
	sax->characters = sax->cdataBlock = sax->ignorableWhitespace = sax_text;
	sax->comment = sax_comment;
	sax->processingInstruction = NULL;
	htmlParseDocument(pc);
	xmlFreeDoc(pc->myDoc);
	pc->myDoc = NULL;
	htmlFreeParserCtxt(pc);
}

/* One round over all pages; the timings are interleaved page by page so that drift hits both alike. */
static void round_all(page *pages, int n)
{
	for (int i = 0; i < n; i++) {
		double t0 = now();
		run_galley(&pages[i]);
		double t1 = now();
		run_parse(&pages[i]);
		double t2 = now();
		run_tokenize(&pages[i]);
		double t3 = now();
		const double dt[3] = {t1 - t0, t2 - t1, t3 - t2};
		for (int k = 0; k < 3; k++) {
			pages[i].sum[k] += dt[k];
			if (!pages[i].best[k] || dt[k] < pages[i].best[k])
				pages[i].best[k] = dt[k];
		}
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
	for (int i = 0; i < n; i++) {
		memset(pages[i].sum, 0, sizeof pages[i].sum);
		memset(pages[i].best, 0, sizeof pages[i].best);
	}
	for (int r = 0; r < rounds; r++)
		round_all(pages, n);

	printf("# rounds\t%d\n", rounds);
	printf("page\tbytes\tgalley_ms\tparse_ms\ttokenize_ms\tgalley_best_ms\tparse_best_ms\ttokenize_best_ms\n");
	double total[6] = {0}; /* the three means, then the three bests, in ms */
	size_t bytes = 0;
	for (int i = 0; i < n; i++) {
		double ms[6];
		for (int k = 0; k < 3; k++) {
			ms[k] = pages[i].sum[k] * 1e3 / rounds;
			ms[3 + k] = pages[i].best[k] * 1e3;
		}
		printf("%s\t%zu", pages[i].name, pages[i].len);
		for (int k = 0; k < 6; k++) {
			printf("\t%.4f", ms[k]);
			total[k] += ms[k];
		}
		printf("\n");
		bytes += pages[i].len;
		free(pages[i].data);
	}
	printf("TOTAL\t%zu", bytes);
	for (int k = 0; k < 6; k++)
		printf("\t%.4f", total[k]);
	printf("\n");
	free(pages);
	xmlCleanupParser();
	return 0;
}
