/* sink.c: where writers put their bytes: memory, a stream, a file written atomically, or a filter in front of
 * another sink (the charset encoder). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { SINK_BUFFER, SINK_STREAM, SINK_ATOMIC, SINK_FILTER } sink_kind;

struct gal_sink {
	sink_kind kind;
	int status; /* first failure, sticky */
	gal_buf buf;
	FILE *fp;
	char *path, *tmp; /* atomic: target and temporary file */
	int committed;
	gal_sink_fn fn; /* filter */
	void *ctx;
};

static gal_sink *sink_new(sink_kind kind)
{
	gal_sink *s = calloc(1, sizeof *s);
	if (s)
		s->kind = kind;
	return s;
}

gal_sink *gal_sink_new_buffer(void) { return sink_new(SINK_BUFFER); }

gal_sink *gal_sink_new_stream(FILE *fp)
{
	gal_sink *s = sink_new(SINK_STREAM);
	if (s)
		s->fp = fp;
	return s;
}

gal_sink *gal_sink_new_filter(gal_sink_fn fn, void *ctx)
{
	gal_sink *s = sink_new(SINK_FILTER);
	if (s)
		s->fn = fn, s->ctx = ctx;
	return s;
}

/* The temporary file lives in the target's folder so that rename() is atomic (same file system). */
gal_sink *gal_sink_new_atomic(const char *path, gal_error *err)
{
	gal_sink *s = sink_new(SINK_ATOMIC);
	size_t n = strlen(path);
	if (!s || !(s->path = strdup(path)) || !(s->tmp = malloc(n + 32))) {
		gal_sink_free(s);
		gal_error_set(err, GAL_ENOMEM, NULL, NULL, 0, 0, "out of memory");
		return NULL;
	}
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	snprintf(s->tmp, n + 32, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
	int fd = mkstemp(s->tmp);
	if (fd < 0) {
		gal_error_set(err, GAL_EIO, NULL, NULL, 0, 0, "%s: cannot write: %s", path, strerror(errno));
		free(s->tmp);
		s->tmp = NULL;
		gal_sink_free(s);
		return NULL;
	}
	/* mkstemp makes 0600; an output file should get the usual permissions */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	if (!(s->fp = fdopen(fd, "wb"))) {
		close(fd);
		gal_error_set(err, GAL_EIO, NULL, NULL, 0, 0, "%s: cannot write: %s", path, strerror(errno));
		gal_sink_free(s);
		return NULL;
	}
	return s;
}

int gal_sink_write(gal_sink *s, const char *data, size_t len)
{
	if (!s)
		return GAL_EINVAL;
	if (s->status)
		return s->status;
	if (!len)
		return GAL_OK;
	if (s->kind == SINK_BUFFER) {
		gal_buf_put(&s->buf, data, len);
		if (s->buf.failed)
			s->status = GAL_ENOMEM;
	} else if (s->kind == SINK_FILTER) {
		s->status = s->fn(s->ctx, data, len);
	} else if (fwrite(data, 1, len, s->fp) != len) {
		s->status = GAL_EIO;
	}
	return s->status;
}

int gal_sink_puts(gal_sink *s, const char *str) { return gal_sink_write(s, str, strlen(str)); }

int gal_sink_printf(gal_sink *s, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return GAL_EINVAL;
	if ((size_t)n < sizeof small)
		return gal_sink_write(s, small, (size_t)n);
	char *big = malloc((size_t)n + 1);
	if (!big)
		return s->status = GAL_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = gal_sink_write(s, big, (size_t)n);
	free(big);
	return rc;
}

int gal_sink_error(const gal_sink *s) { return s ? s->status : GAL_EINVAL; }

const char *gal_sink_data(const gal_sink *s, size_t *len)
{
	if (!s || s->kind != SINK_BUFFER) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = s->buf.len;
	return s->buf.data ? s->buf.data : "";
}

int gal_sink_close(gal_sink *s, gal_error *err)
{
	if (!s)
		return GAL_EINVAL;
	const char *what = s->path ? s->path : "output";
	if (s->kind == SINK_STREAM) {
		if (!s->status && fflush(s->fp) != 0)
			s->status = GAL_EIO;
	} else if (s->kind == SINK_ATOMIC && s->fp) {
		int rc = s->status;
		if (fflush(s->fp) != 0 || fsync(fileno(s->fp)) != 0)
			rc = rc ? rc : GAL_EIO;
		if (fclose(s->fp) != 0)
			rc = rc ? rc : GAL_EIO;
		s->fp = NULL;
		if (!rc && rename(s->tmp, s->path) != 0)
			rc = GAL_EIO;
		if (rc) {
			unlink(s->tmp);
			s->status = rc;
		} else
			s->committed = 1;
	}
	if (s->status)
		gal_error_set(err, s->status, NULL, NULL, 0, 0, "%s: cannot write: %s", what,
			      s->status == GAL_EIO ? strerror(errno) : gal_strerror(s->status));
	return s->status;
}

void gal_sink_free(gal_sink *s)
{
	if (!s)
		return;
	if (s->kind == SINK_ATOMIC) {
		if (s->fp)
			fclose(s->fp);
		if (s->tmp && !s->committed)
			unlink(s->tmp);
	}
	gal_buf_free(&s->buf);
	free(s->path);
	free(s->tmp);
	free(s);
}
