/* sink.c: where writers put their bytes: memory, a stream, a file written atomically, or a filter in front of
 * another sink (the charset encoder). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
	int err_no; /* errno of the first I/O failure, for the message */
	int no_sync; /* atomic: rename without fsync first */
};

/* strerror is not thread-safe (it may share one buffer); the XSI strerror_r fills ours. */
static const char *errtext(int e, char *buf, size_t size)
{
	if (strerror_r(e, buf, size) != 0)
		snprintf(buf, size, "error %d", e);
	return buf;
}

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

/* A fresh temporary name: 6 characters from a per-process counter, the time, the process id and the
 * caller's stack address (threads differ), mixed. open(O_EXCL) refuses a name that exists, so a clash only costs a
 * retry. */
static void temp_suffix(char *out)
{
	static atomic_ulong counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)atomic_fetch_add(&counter, 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_nsec ^
		     (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)&ts;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int i = 0; i < 6; i++, x /= 62)
		out[i] = chars[x % 62];
}

/* The temporary file lives in the target's folder so that rename() is atomic (same file system). It is created
 * with mode 0666 and the kernel applies the umask: reading the umask would mean setting it, which races with
 * other threads creating files. */
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
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(s->tmp, n + 32, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
		temp_suffix(s->tmp + strlen(s->tmp) - 6);
		fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		char eb[128];
		gal_error_set(err, GAL_EIO, NULL, NULL, 0, 0, "%s: cannot write: %s", path, errtext(errno, eb, sizeof eb));
		free(s->tmp);
		s->tmp = NULL;
		gal_sink_free(s);
		return NULL;
	}
	if (!(s->fp = fdopen(fd, "wb"))) {
		char eb[128];
		int e = errno;
		close(fd);
		gal_error_set(err, GAL_EIO, NULL, NULL, 0, 0, "%s: cannot write: %s", path, errtext(e, eb, sizeof eb));
		gal_sink_free(s);
		return NULL;
	}
	return s;
}

void gal_sink_set_sync(gal_sink *s, int sync)
{
	if (s)
		s->no_sync = !sync;
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
		s->err_no = errno;
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
			s->status = GAL_EIO, s->err_no = errno;
	} else if (s->kind == SINK_ATOMIC && s->fp) {
		int rc = s->status;
		if (fflush(s->fp) != 0 || (!s->no_sync && fsync(fileno(s->fp)) != 0))
			rc = rc ? rc : (s->err_no = errno, GAL_EIO);
		if (fclose(s->fp) != 0)
			rc = rc ? rc : (s->err_no = errno, GAL_EIO);
		s->fp = NULL;
		if (!rc && rename(s->tmp, s->path) != 0)
			rc = (s->err_no = errno, GAL_EIO);
		if (rc) {
			unlink(s->tmp);
			s->status = rc;
		} else
			s->committed = 1;
	}
	if (s->status) {
		char eb[128];
		gal_error_set(err, s->status, NULL, NULL, 0, 0, "%s: cannot write: %s", what,
			      s->status == GAL_EIO ? errtext(s->err_no, eb, sizeof eb) : gal_strerror(s->status));
	}
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
