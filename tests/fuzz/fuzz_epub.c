/*
 * fuzz_epub.c: libFuzzer target for the EPUB reader, and through it every writer (the EPUB writer included, whose
 * book is read back).
 *
 * Two modes, chosen by the first byte, so that mutations reach both layers:
 *   odd  the rest is a zip file as it comes (the container: central directory, sizes, names, deflate streams);
 *   even the rest is a small archive of "name\0content" records separated by 0xFF bytes, which the harness packs
 *        into a valid zip (mimetype first, stored, correct CRCs), so that the bytes mutated are the XML of
 *        container.xml, the OPF, the NCX, the nav and the content documents.
 *
 * Build: make fuzz
 * Run:   build-fuzz/fuzz_epub -max_total_time=60 -dict=tests/fuzz/epub.dict tests/fuzz/corpus-epub
 */
#include "galley.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

static void fuzz_warn(void *userdata, const gal_error *w)
{
	size_t *n = userdata;
	*n += strlen(w->message) + strlen(w->file);
}

/* Packs the records into a zip in memory; NULL if libzip refuses (a name it will not take). */
static char *pack(const uint8_t *data, size_t size, size_t *out_len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		zip_source_free(mem);
		zip_error_fini(&ze);
		return NULL;
	}
	zip_source_keep(mem);
	static const char mt[] = "application/epub+zip";
	zip_source_t *s = zip_source_buffer(za, mt, sizeof mt - 1, 0);
	zip_int64_t i = s ? zip_file_add(za, "mimetype", s, 0) : -1;
	if (i < 0)
		zip_source_free(s);
	else
		zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0);
	int n = 0;
	for (size_t p = 0; p < size && n < 64;) {
		const uint8_t *end = memchr(data + p, 0xFF, size - p);
		size_t rec = end ? (size_t)(end - (data + p)) : size - p;
		const uint8_t *nul = memchr(data + p, 0, rec);
		if (nul && nul > data + p) {
			char name[256];
			size_t nl = (size_t)(nul - (data + p));
			if (nl < sizeof name) {
				memcpy(name, data + p, nl);
				name[nl] = '\0';
				s = zip_source_buffer(za, nul + 1, rec - nl - 1, 0);
				i = s ? zip_file_add(za, name, s, ZIP_FL_OVERWRITE) : -1;
				if (i < 0)
					zip_source_free(s);
				else
					zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0);
				n++;
			}
		}
		p += rec + 1;
	}
	char *bytes = NULL;
	zip_stat_t st;
	if (zip_close(za) == 0 && zip_source_stat(mem, &st) == 0 && zip_source_open(mem) == 0) {
		bytes = malloc(st.size + 1);
		if (bytes && zip_source_read(mem, bytes, st.size) != (zip_int64_t)st.size) {
			free(bytes);
			bytes = NULL;
		}
		*out_len = st.size;
		zip_source_close(mem);
	} else
		zip_discard(za);
	zip_source_free(mem);
	zip_error_fini(&ze);
	return bytes;
}

static char *write_with(const gal_format *f, gal_node *doc, const gal_options *opts, size_t *len)
{
	gal_sink *s = gal_sink_new_buffer();
	gal_error err;
	char *copy = NULL;
	*len = 0;
	if (s && gal_write(f, doc, s, opts, &err) == GAL_OK) {
		const char *d = gal_sink_data(s, len);
		if ((copy = malloc(*len + 1))) {
			memcpy(copy, d, *len);
			copy[*len] = '\0';
		}
	}
	gal_sink_free(s);
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t len = 0;
	char *owned = NULL;
	const char *book;
	if (data[0] & 1) {
		book = (const char *)data + 1;
		len = size - 1;
	} else {
		if (!(owned = pack(data + 1, size - 1, &len)))
			return 0;
		book = owned;
	}
	(void)gal_format_sniff(book, len);
	size_t warned = 0;
	gal_options opts = GAL_OPTIONS_INIT;
	opts.source_name = "fuzz.epub";
	opts.limits.max_input_bytes = 1 << 20;
	opts.limits.max_inflated_bytes = 8u << 20;
	opts.limits.max_nodes = 200000;
	opts.limits.max_zip_entries = 200;
	opts.warn = fuzz_warn;
	opts.warn_data = &warned;
	opts.verbose = 1;
	const gal_format *epub = gal_format_find("epub");
	for (int split = 0; split < 2; split++) {
		opts.epub.split_toc = split;
		gal_node *doc = NULL;
		gal_error err;
		memset(&err, 0, sizeof err);
		int rc = gal_read(epub, book, len, &opts, &doc, &err);
		if (rc != GAL_OK) {
			if (doc)
				abort(); /* a failed read returns no tree */
			char msg[1024];
			gal_error_format(&err, msg, sizeof msg);
			continue;
		}
		if (!doc || gal_node_type_of(doc) != GAL_NODE_DOCUMENT || !gal_node_first_child(doc))
			abort(); /* success means a document with at least one article */
		const gal_format *const *formats = gal_formats();
		for (size_t i = 0; formats[i]; i++) {
			if (!formats[i]->write)
				continue;
			size_t n;
			char *out = write_with(formats[i], doc, &opts, &n);
			if (out && formats[i] == epub) {
				/* galley's own book reads back */
				gal_node *back = NULL;
				if (gal_read(epub, out, n, &opts, &back, &err) != GAL_OK) {
					fprintf(stderr, "fuzz_epub: galley's book does not read back: %s\n", err.message);
					abort();
				}
				gal_node_free(back);
			}
			free(out);
		}
		gal_node_free(doc);
	}
	free(owned);
	return 0;
}
