/* report.c: --report FILE, JSON Lines: one object per input, in input order, each appended with one write(2) as
 * soon as the input is done, so that an interrupted or killed run leaves whole records for what it did. */
#include "../util.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_report {
	int fd;
	gal_buf line;
};

cli_report *report_open(const char *path, gal_error *err)
{
	cli_report *r = calloc(1, sizeof *r);
	/* "-": standard output, which batch mode leaves free (the outputs go to files) */
	int fd = !r ? -1 : strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : dup(1);
	if (fd < 0) {
		memset(err, 0, sizeof *err);
		err->code = GAL_EIO;
		snprintf(err->file, sizeof err->file, "%s", path);
		char eb[128];
		if (!r || strerror_r(errno, eb, sizeof eb))
			snprintf(eb, sizeof eb, "%s", r ? "error" : "out of memory");
		snprintf(err->message, sizeof err->message, "cannot write the report: %s", eb);
		free(r);
		return NULL;
	}
	r->fd = fd;
	return r;
}

/* A JSON string. Paths and messages are bytes: what is not valid UTF-8 becomes U+FFFD, so the line always
 * parses (the exact name of such a file is lost in the report). */
static void put_string(gal_buf *b, const char *s)
{
	if (!s) {
		gal_buf_puts(b, "null");
		return;
	}
	gal_buf_putc(b, '"');
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			gal_buf_putc(b, '\\');
			gal_buf_putc(b, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			gal_buf_printf(b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			gal_buf_putc(b, (char)c);
			i++;
		} else {
			uint32_t cp;
			int k = gal_utf8_decode((const unsigned char *)s + i, n - i, &cp);
			char enc[4];
			gal_buf_put(b, enc, (size_t)gal_utf8_encode(cp, enc));
			i += (size_t)k;
		}
	}
	gal_buf_putc(b, '"');
}

static void put_array(gal_buf *b, char *const *v, size_t n)
{
	gal_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			gal_buf_putc(b, ',');
		put_string(b, v[i]);
	}
	gal_buf_putc(b, ']');
}

int report_write(cli_report *r, const cli_record *rec)
{
	static const char *const status[] = {"ok", "failed", "skipped"};
	gal_buf *b = &r->line;
	gal_buf_clear(b);
	gal_buf_puts(b, "{\"path\":");
	put_string(b, rec->path);
	gal_buf_puts(b, ",\"format\":");
	put_string(b, rec->format);
	gal_buf_puts(b, ",\"charset\":");
	put_string(b, rec->charset);
	gal_buf_puts(b, ",\"outputs\":");
	put_array(b, rec->outputs, rec->noutputs);
	gal_buf_printf(b, ",\"status\":\"%s\",\"warnings\":", status[rec->status]);
	put_array(b, rec->warnings, rec->nwarnings);
	gal_buf_puts(b, ",\"error\":");
	put_string(b, rec->error);
	/* milliseconds with three decimals, written from integers: printf's %f follows LC_NUMERIC (a decimal comma) */
	unsigned long long us = rec->ms > 0 ? (unsigned long long)(rec->ms * 1000.0 + 0.5) : 0;
	gal_buf_printf(b, ",\"bytes_in\":%llu,\"bytes_out\":%llu,\"ms\":%llu.%03llu}\n", rec->bytes_in, rec->bytes_out,
	               us / 1000, us % 1000);
	if (b->failed) {
		errno = ENOMEM;
		return -1;
	}
	/* one write for the whole line; a regular file takes it whole, a short write is finished below */
	for (size_t off = 0; off < b->len;) {
		ssize_t k = write(r->fd, b->data + off, b->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	return 0;
}

int report_close(cli_report *r)
{
	if (!r)
		return 0;
	/* EINVAL, ENOTSUP: a pipe or a terminal, nothing to sync */
	int rc = fsync(r->fd) != 0 && errno != EINVAL && errno != ENOTSUP ? -1 : 0;
	if (close(r->fd) != 0)
		rc = -1;
	gal_buf_free(&r->line);
	free(r);
	return rc;
}
