/*
 * fuzz_html.c: libFuzzer target for the HTML reader and every writer.
 *
 * The input bytes are parsed into the reader's arena DOM and into libxml2's own tree, which must be the same
 * (tests/dom_compare.h); then they go through gal_read("html"); a tree that comes back is checked for link consistency, written
 * by every writer in the registry (several option sets) into a buffer sink, normalised a second time, written
 * again, and freed.
 *
 * Build: make fuzz   (clang -fsanitize=fuzzer,address,undefined, see the Makefile)
 * Run:   build-fuzz/fuzz_html -max_total_time=60 tests/fuzz/corpus-html
 *
 * Environment:
 *   GALLEY_FUZZ_STRICT=N  a bit mask of extra checks that abort (off by default: they are quality properties
 *                         rather than memory-safety invariants):
 *                           1  every parent/child pair is one gal_node_can_contain allows
 *                           2  a second gal_tree_normalize changes nothing (idempotence)
 *                         GALLEY_FUZZ_STRICT=3 turns on both.
 */
#include "galley.h"

#include "../dom_compare.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strict = -1;

static void fuzz_warn(void *userdata, const gal_error *w)
{
	/* touch the record: the message must be a NUL-terminated string */
	size_t *n = userdata;
	*n += strlen(w->message) + strlen(w->file);
	if (w->format)
		*n += strlen(w->format);
}

static void die(const char *what, const gal_node *n)
{
	fprintf(stderr, "fuzz_html: invariant violated: %s (node type %s)\n", what,
		n ? gal_node_type_name(gal_node_type_of(n)) : "-");
	abort();
}

/* Checks parent/child/sibling links of the whole subtree, iteratively (trees can be deep). Returns node count. */
static size_t check_links(gal_node *root)
{
	size_t count = 0;
	gal_node *n = root;
	while (n) {
		count++;
		gal_node_type t = gal_node_type_of(n);
		if (t <= GAL_NODE_NONE || t >= GAL_NODE__COUNT)
			die("node type out of range", NULL);
		gal_node *first = gal_node_first_child(n), *last = gal_node_last_child(n);
		if (!first != !last)
			die("first/last child: one is NULL, the other not", n);
		if (first && gal_node_prev(first))
			die("first child has a previous sibling", n);
		if (last && gal_node_next(last))
			die("last child has a next sibling", n);
		for (gal_node *k = first, *prev = NULL; k; prev = k, k = gal_node_next(k)) {
			if (gal_node_parent(k) != n)
				die("child's parent pointer is wrong", k);
			if (gal_node_prev(k) != prev)
				die("child's prev pointer is wrong", k);
			if (!gal_node_next(k) && k != last)
				die("sibling chain does not end at last child", n);
			if ((strict & 1) && !gal_node_can_contain(t, gal_node_type_of(k)))
				die("parent holds a child it may not contain", k);
		}
		const char *lit = gal_node_literal(n);
		if (lit)
			(void)strlen(lit);
		/* depth-first successor */
		if (first) {
			n = first;
			continue;
		}
		while (n && n != root && !gal_node_next(n))
			n = gal_node_parent(n);
		n = (n && n != root) ? gal_node_next(n) : NULL;
	}
	return count;
}

/* Runs one writer into a fresh buffer sink; returns a malloc'd copy of the output (NULL if the writer failed). */
static char *write_with(const gal_format *f, gal_node *doc, const gal_options *opts, size_t *len)
{
	gal_sink *s = gal_sink_new_buffer();
	if (!s)
		return NULL;
	gal_error err;
	memset(&err, 0, sizeof err);
	char *copy = NULL;
	*len = 0;
	if (gal_write(f, doc, s, opts, &err) == GAL_OK) {
		size_t n = 0;
		const char *d = gal_sink_data(s, &n);
		copy = malloc(n + 1);
		if (copy) {
			if (n)
				memcpy(copy, d, n);
			copy[n] = '\0';
			*len = n;
		}
	} else {
		(void)strlen(err.message);
	}
	gal_sink_close(s, NULL);
	gal_sink_free(s);
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (strict < 0) {
		const char *e = getenv("GALLEY_FUZZ_STRICT");
		strict = e ? atoi(e) : 0;
	}
	const gal_format *html = gal_format_find("html");
	if (!html)
		abort();
	char why[512];
	if (size && size < (1 << 20) && dom_first_diff((const char *)data, size, why, sizeof why) > 0) {
		fprintf(stderr, "fuzz_html: arena DOM differs from libxml2's: %s\n", why);
		abort();
	}
	/* the sniffers see the same bytes (cheap, and they scan raw input) */
	(void)gal_format_sniff((const char *)data, size);

	size_t warned = 0;
	gal_options opts = GAL_OPTIONS_INIT;
	opts.source_name = "fuzz.html";
	opts.limits.max_input_bytes = 1 << 20;
	opts.limits.max_nodes = 200000;
	opts.warn = fuzz_warn;
	opts.warn_data = &warned;
	opts.verbose = 1;

	gal_error err;
	memset(&err, 0, sizeof err);
	gal_node *doc = NULL;
	int rc = gal_read(html, (const char *)data, size, &opts, &doc, &err);
	if (rc != GAL_OK) {
		if (doc)
			die("reader failed but returned a tree", doc);
		char buf[1024];
		gal_error_format(&err, buf, sizeof buf);
		return 0;
	}
	if (!doc || gal_node_type_of(doc) != GAL_NODE_DOCUMENT)
		die("reader succeeded without a DOCUMENT tree", doc);
	if (gal_node_parent(doc))
		die("document has a parent", doc);

	size_t count = check_links(doc);
	if (count != gal_node_count(doc))
		die("gal_node_count disagrees with a walk", doc);

	/* every writer, with a few option sets: default wrap, no wrap + standalone, very narrow wrap */
	static const struct {
		int columns, standalone;
	} variants[] = {{72, 0}, {0, 1}, {7, 1}};
	const gal_format *native = gal_format_find("native");
	const gal_format *const *formats = gal_formats();
	for (size_t i = 0; formats[i]; i++) {
		if (!formats[i]->write)
			continue;
		for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
			gal_options wo = opts;
			wo.columns = variants[v].columns;
			wo.standalone = variants[v].standalone;
			size_t n;
			free(write_with(formats[i], doc, &wo, &n));
		}
	}

	/* the text of the whole tree */
	free(gal_node_text(doc));

	/* normalising an already normalised tree: must be safe; with GALLEY_FUZZ_STRICT, must change nothing */
	size_t before_len = 0, after_len = 0;
	char *before = native && (strict & 2) ? write_with(native, doc, &opts, &before_len) : NULL;
	gal_tree_normalize(doc);
	check_links(doc);
	if (before) {
		char *after = write_with(native, doc, &opts, &after_len);
		if (after && (after_len != before_len || memcmp(before, after, before_len))) {
			fprintf(stderr, "---- native before second normalize ----\n%s\n---- after ----\n%s\n", before,
				after);
			die("gal_tree_normalize is not idempotent", doc);
		}
		free(after);
	}
	free(before);

	/* the writers once more on the re-normalised tree (default options) */
	for (size_t i = 0; formats[i]; i++) {
		if (!formats[i]->write)
			continue;
		size_t n;
		free(write_with(formats[i], doc, &opts, &n));
	}

	gal_node_free(doc);
	return 0;
}
