/*
 * fuzz_nitf.c: libFuzzer target for the NITF reader, every writer, and the NITF round trip.
 *
 * The input bytes go through gal_read("nitf"). A tree that comes back is checked for link consistency and
 * written by every writer in the registry; its NITF output must read back without error (galley must always be
 * able to read what it writes), and the tree read back must be written again without error.
 *
 * Build: make fuzz   (clang -fsanitize=fuzzer,address,undefined, see the Makefile)
 * Run:   build-fuzz/fuzz_nitf -max_total_time=60 -dict=tests/fuzz/nitf.dict tests/fuzz/corpus-nitf
 *
 * Environment:
 *   GALLEY_FUZZ_STRICT=N  a bit mask of extra checks that abort (off by default):
 *                           1  every parent/child pair is one gal_node_can_contain allows
 *                           4  NITF -> tree -> NITF -> tree gives the same tree (compared as native outlines)
 */
#include "galley.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strict = -1;

static void fuzz_warn(void *userdata, const gal_error *w)
{
	size_t *n = userdata; /* touch the record: the message must be a NUL-terminated string */
	*n += strlen(w->message) + strlen(w->file) + (w->format ? strlen(w->format) : 0);
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_nitf: invariant violated: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* Parent/child/sibling links of the whole tree, iteratively. */
static void check_links(gal_node *root)
{
	gal_node *n = root;
	while (n) {
		gal_node *first = gal_node_first_child(n), *last = gal_node_last_child(n);
		if (!first != !last)
			die("first/last child: one is NULL, the other not", gal_node_type_name(gal_node_type_of(n)));
		for (gal_node *k = first, *prev = NULL; k; prev = k, k = gal_node_next(k)) {
			if (gal_node_parent(k) != n || gal_node_prev(k) != prev)
				die("child links are wrong", gal_node_type_name(gal_node_type_of(k)));
			if (!gal_node_next(k) && k != last)
				die("sibling chain does not end at the last child", NULL);
			if ((strict & 1) && !gal_node_can_contain(gal_node_type_of(n), gal_node_type_of(k)))
				die("parent holds a child it may not contain", gal_node_type_name(gal_node_type_of(k)));
		}
		if (first) {
			n = first;
			continue;
		}
		while (n && n != root && !gal_node_next(n))
			n = gal_node_parent(n);
		n = n && n != root ? gal_node_next(n) : NULL;
	}
}

/* One writer into a fresh buffer; a malloc'd copy of the output, or NULL when the writer failed. */
static char *write_with(const gal_format *f, gal_node *doc, const gal_options *opts, size_t *len, gal_error *err)
{
	gal_sink *s = gal_sink_new_buffer();
	char *copy = NULL;
	*len = 0;
	memset(err, 0, sizeof *err);
	if (s && gal_write(f, doc, s, opts, err) == GAL_OK) {
		size_t n = 0;
		const char *d = gal_sink_data(s, &n);
		if ((copy = malloc(n + 1))) {
			memcpy(copy, d, n);
			copy[n] = '\0';
			*len = n;
		}
	}
	gal_sink_free(s);
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (strict < 0) {
		const char *e = getenv("GALLEY_FUZZ_STRICT");
		strict = e ? atoi(e) : 0;
	}
	const gal_format *nitf = gal_format_find("nitf"), *native = gal_format_find("native");
	if (!nitf || !native)
		abort();
	(void)gal_format_sniff((const char *)data, size);

	size_t warned = 0;
	gal_options opts = GAL_OPTIONS_INIT;
	opts.source_name = "fuzz.xml";
	opts.limits.max_input_bytes = 1 << 20;
	opts.limits.max_nodes = 200000;
	opts.warn = fuzz_warn;
	opts.warn_data = &warned;
	opts.verbose = 1;

	gal_error err;
	memset(&err, 0, sizeof err);
	gal_node *doc = NULL;
	if (gal_read(nitf, (const char *)data, size, &opts, &doc, &err) != GAL_OK) {
		if (doc)
			die("reader failed but returned a tree", NULL);
		char buf[1024];
		gal_error_format(&err, buf, sizeof buf);
		return 0;
	}
	if (!doc || gal_node_type_of(doc) != GAL_NODE_DOCUMENT || gal_node_parent(doc))
		die("reader succeeded without a DOCUMENT tree", NULL);
	check_links(doc);

	/* every writer, wrapped and not, standalone and not */
	const gal_format *const *formats = gal_formats();
	for (size_t i = 0; formats[i]; i++) {
		if (!formats[i]->write)
			continue;
		for (int v = 0; v < 2; v++) {
			gal_options wo = opts;
			wo.columns = v ? 7 : 72;
			wo.standalone = v;
			size_t n;
			free(write_with(formats[i], doc, &wo, &n, &err));
		}
	}

	/* the round trip: what galley writes, galley reads. Metadata names that are not XML name tokens are not
	 * written (docs/nitf.md): take them out first, so that strict mode compares what the writer promises. */
	gal_meta *m = gal_node_meta(gal_node_first_child(doc));
	for (size_t i = 0; m && i < m->nprops;) {
		int ok = m->props[i].name[0] != '\0';
		for (const char *p = m->props[i].name; *p && ok; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			     *p == '.' || *p == '_' || *p == ':' || *p == '-';
		if (ok) {
			i++;
			continue;
		}
		free(m->props[i].name);
		free(m->props[i].value);
		memmove(&m->props[i], &m->props[i + 1], (m->nprops - i - 1) * sizeof *m->props);
		m->nprops--;
	}
	opts.warn = NULL; /* the writer warns about such names; not needed here */
	size_t n1 = 0;
	char *x1 = write_with(nitf, doc, &opts, &n1, &err);
	if (!x1)
		die("the NITF writer failed on a tree the reader made", err.message);
	gal_node *back = NULL;
	if (gal_read(nitf, x1, n1, &opts, &back, &err) != GAL_OK) {
		fprintf(stderr, "---- NITF written ----\n%s\n", x1);
		die("galley cannot read its own NITF", err.message);
	}
	check_links(back);
	if (strict & 4) {
		size_t a_len, b_len;
		char *a = write_with(native, doc, &opts, &a_len, &err),
		     *b = write_with(native, back, &opts, &b_len, &err);
		if (a && b && (a_len != b_len || memcmp(a, b, a_len))) {
			fprintf(stderr, "---- tree read ----\n%s\n---- after NITF and back ----\n%s\n", a, b);
			die("NITF -> NITF changed the tree", NULL);
		}
		free(a);
		free(b);
	}
	size_t n2;
	free(write_with(nitf, back, &opts, &n2, &err));
	free(x1);
	gal_node_free(back);
	gal_node_free(doc);
	return 0;
}
