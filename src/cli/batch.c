/* batch.c: -o DIR/: many inputs, one output per article, on worker threads.
 *
 * Every input goes through four steps: read (parse into a tree), name (decide its output paths), write (each output
 * through an atomic sink), report (its --report line). Reading and writing run on any worker, in parallel; naming
 * and reporting happen strictly in input order, under the batch lock, whichever worker gets there. So the names
 * (which depend on the article's id, and on the names taken before) and the report are the same for -j 1 and -j 8,
 * and a second run over the same inputs maps every input to the same paths, which is what --skip-existing needs.
 * A worker takes a new input only while it is within `window` inputs of the oldest unreported one: a slow input
 * holds back at most that many parsed trees and report lines.
 *
 * SIGINT and SIGTERM stop the taking of new inputs; the inputs in flight are finished (their outputs are renamed
 * into place whole, or not at all), the report is complete for every input taken, and the process then dies of the
 * same signal. */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "galley"
#define MAX_WARNINGS 100 /* kept per input for the report; the rest are counted */

/* ------------------------------------------------------------------ stderr: whole lines, under the progress line */

/* Workers print errors and warnings while the main thread redraws the progress line: one lock, and every message
 * is one whole line written over the progress line, which is then drawn again below it. */
static struct {
	pthread_mutex_t lock;
	int active; /* a progress line is shown (stderr is a terminal, no --quiet) */
	char line[256];
} term = {PTHREAD_MUTEX_INITIALIZER, 0, ""};

static void emit(const char *msg)
{
	pthread_mutex_lock(&term.lock);
	if (term.active && term.line[0])
		fputs("\r\033[K", stderr);
	fputs(msg, stderr);
	if (term.active && term.line[0])
		fputs(term.line, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&term.lock);
}

static void progress_set(const char *text)
{
	pthread_mutex_lock(&term.lock);
	snprintf(term.line, sizeof term.line, "%s", text);
	fprintf(stderr, "\r\033[K%s", term.line);
	fflush(stderr);
	pthread_mutex_unlock(&term.lock);
}

static void progress_clear(void)
{
	pthread_mutex_lock(&term.lock);
	if (term.active && term.line[0])
		fputs("\r\033[K", stderr);
	term.line[0] = '\0';
	term.active = 0;
	pthread_mutex_unlock(&term.lock);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ signals */

/* Set by the handler, read by the workers: a lock-free atomic, which a handler may store to. */
static atomic_int stop_signal;

static void on_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

/* A signal that was ignored when galley started (a background job of a non-interactive shell, nohup) stays
 * ignored, as the shell meant. */
static void catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	for (size_t i = 0; i < 2; i++) {
		struct sigaction old, sa;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* ------------------------------------------------------------------ output names */

/* A file name from the article's id, else from the input's name without its extension (and "-K" for the Kth
 * article of an input that holds several): letters, digits, '.', '-' and '_' kept, runs of anything else as one
 * '_', at most 100 bytes, no leading dot. */
static void base_name(const gal_meta *m, const char *input, size_t k, char *out, size_t size)
{
	const char *src = m && m->id && *m->id ? m->id : NULL;
	char base[4096];
	if (!src) {
		const char *slash = strrchr(input, '/');
		snprintf(base, sizeof base, "%s", strcmp(input, "-") ? (slash ? slash + 1 : input) : "stdin");
		char *dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		if (k) {
			size_t n = strlen(base);
			snprintf(base + (n > 100 ? 100 : n), sizeof base - 100, "-%zu", k);
		}
		src = base;
	}
	size_t n = 0;
	for (const char *p = src; *p && n + 1 < size && n < 100 + 24 * (src == base); p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		         ch == '-' || ch == '_' || (ch == '.' && n > 0);
		if (ok)
			out[n++] = ch;
		else if (n && out[n - 1] != '_')
			out[n++] = '_';
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, size, "article");
}

/* The names taken so far ("subfolder/name", without the extension), each with the next suffix to try. */
typedef struct {
	char *key;
	unsigned next;
} name_slot;

typedef struct {
	name_slot *v;
	size_t cap, n;
} name_set;

static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static name_slot *names_find(name_set *ns, const char *key)
{
	size_t i = hash_str(key) & (ns->cap - 1);
	while (ns->v[i].key && strcmp(ns->v[i].key, key))
		i = (i + 1) & (ns->cap - 1);
	return &ns->v[i];
}

/* Adds key (which must be absent); -1 on ENOMEM. */
static int names_add(name_set *ns, const char *key)
{
	if (2 * (ns->n + 1) > ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 1024;
		name_slot *nv = calloc(cap, sizeof *nv), *old = ns->v;
		if (!nv)
			return -1;
		size_t oldcap = ns->cap;
		ns->v = nv;
		ns->cap = cap;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key)
				*names_find(ns, old[i].key) = old[i];
		free(old);
	}
	name_slot *s = names_find(ns, key);
	if (!(s->key = strdup(key)))
		return -1;
	s->next = 2;
	ns->n++;
	return 0;
}

static void names_free(name_set *ns)
{
	for (size_t i = 0; i < ns->cap; i++)
		free(ns->v[i].key);
	free(ns->v);
}

/* Takes `base` in folder `reldir`, or base-2, base-3... if taken; the name taken goes to out. -1 on ENOMEM. */
static int names_claim(name_set *ns, const char *reldir, const char *base, char *out, size_t size)
{
	char key[4400];
	snprintf(out, size, "%s", base);
	snprintf(key, sizeof key, "%s/%s", reldir, out);
	name_slot *s = ns->cap ? names_find(ns, key) : NULL;
	if (s && s->key) {
		/* the next free suffix for this base, remembered, so that a thousand articles with one id stay linear
		 */
		unsigned n = s->next;
		for (;; n++) {
			snprintf(out, size, "%.100s-%u", base, n);
			snprintf(key, sizeof key, "%s/%s", reldir, out);
			if (!names_find(ns, key)->key)
				break;
		}
		s->next = n + 1;
	}
	return names_add(ns, key);
}

/* ------------------------------------------------------------------ the batch */

typedef enum { J_WAITING, J_READING, J_READ, J_READY, J_WRITING, J_DONE } job_state;

typedef struct {
	const cli_input *in;
	job_state state;
	rec_status status;
	const gal_format *fmt;
	char *charset;
	gal_node **docs; /* one per output */
	char **names;    /* their base names, until named */
	char **outputs;  /* their paths, once named */
	size_t ndocs, nwritten;
	char **warnings;
	size_t nwarnings, more_warnings;
	char *error;
	unsigned long long bytes_in, bytes_out;
	double ms;
	origins orig; /* EPUB output: where each article came from, for its images */
} job;

typedef struct {
	dev_t dev;
	ino_t ino;
} file_id;

typedef struct {
	const cli_batch *cfg;
	const gal_format *reader, *writer;
	const gal_options *base;
	const char *outdir; /* without trailing slashes ("/" stays) */
	const char *ext;    /* the writer's first extension */
	size_t extlen;
	const cli_input *in; /* the inputs, in order */
	size_t njobs;
	job *ring; /* the jobs between next_report and next_take, at index % window: memory for the window only */
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* a job changed state: waiting workers look again */
	pthread_cond_t finished; /* a worker left: the main thread looks again (else it wakes to redraw) */
	size_t next_take, next_name, next_write, next_report, window;
	int running; /* workers in their loop */
	name_set names;
	file_id *inputs; /* sorted: the inputs' identities, so that no output replaces one */
	size_t ninputs;
	cli_report *report;
	int report_failed, oom;
	size_t done, failed, skipped;
	double t0;
} batch;

#define JOB(b, i) (&(b)->ring[(i) % (b)->window])

typedef struct {
	batch *b;
	job *j;
} job_ctx;

static const char *display_name(const job *j)
{
	return strcmp(j->in->path, "-") ? j->in->path : "<stdin>";
}

static void job_warn(void *ud, const gal_error *w)
{
	job_ctx *c = ud;
	char buf[1024], line[1100];
	gal_error_format(w, buf, sizeof buf);
	if (!c->b->cfg->quiet) {
		snprintf(line, sizeof line, "%s: warning: %s\n", PROG, buf);
		emit(line);
	}
	job *j = c->j;
	if (j->nwarnings < MAX_WARNINGS) {
		char **nv = realloc(j->warnings, (j->nwarnings + 1) * sizeof *nv);
		if (nv && (nv[j->nwarnings] = strdup(buf))) {
			j->warnings = nv;
			j->nwarnings++;
			return;
		}
		if (nv)
			j->warnings = nv;
	}
	j->more_warnings++;
}

/* The input failed: one line on stderr, the message kept for the report. The first error wins. */
static void job_fail(job *j, gal_error *err)
{
	char buf[1024], line[1100];
	if (!err->file[0])
		snprintf(err->file, sizeof err->file, "%s", display_name(j));
	gal_error_format(err, buf, sizeof buf);
	snprintf(line, sizeof line, "%s: %s\n", PROG, buf);
	emit(line);
	if (j->status != REC_FAILED) {
		j->status = REC_FAILED;
		j->error = strdup(buf);
	}
}

static void fail_msg(job *j, const char *file, const char *msg)
{
	gal_error err;
	memset(&err, 0, sizeof err);
	err.code = GAL_EIO;
	snprintf(err.file, sizeof err.file, "%s", file);
	snprintf(err.message, sizeof err.message, "%s", msg);
	job_fail(j, &err);
}

static void free_docs(job *j)
{
	for (size_t k = 0; j->docs && k < j->ndocs; k++)
		gal_node_free(j->docs[k]);
	free(j->docs);
	j->docs = NULL;
	free(j->orig.v);
	free(j->orig.book);
	memset(&j->orig, 0, sizeof j->orig);
}

static void free_job(job *j)
{
	free_docs(j);
	for (size_t k = 0; k < j->ndocs; k++) {
		if (j->names)
			free(j->names[k]);
		if (j->outputs)
			free(j->outputs[k]);
	}
	free(j->names);
	free(j->outputs);
	for (size_t k = 0; k < j->nwarnings; k++)
		free(j->warnings[k]);
	free(j->warnings);
	free(j->error);
	free(j->charset);
	j->names = j->outputs = j->warnings = NULL;
	j->error = j->charset = NULL;
	j->ndocs = j->nwarnings = 0;
}

static int copy_docmeta(gal_docmeta *dst, const gal_docmeta *src)
{
	return gal_set_string(&dst->title, src->title) | gal_set_string(&dst->creator, src->creator) |
	       gal_set_string(&dst->date, src->date) | gal_set_string(&dst->language, src->language);
}

/* The tree becomes the job's outputs: one per article, or the whole document for EPUB (one book per input). */
static int split(batch *b, job *j, gal_node *doc)
{
	size_t narts = 0;
	for (gal_node *a = gal_node_first_child(doc); a; a = gal_node_next(a))
		narts++;
	int whole = b->writer == gal_format_find("epub") || narts <= 1;
	size_t n = whole ? 1 : narts;
	j->docs = calloc(n, sizeof *j->docs);
	j->names = calloc(n, sizeof *j->names);
	if (!j->docs || !j->names) {
		gal_node_free(doc);
		return -1;
	}
	j->ndocs = n;
	char name[160];
	if (whole) {
		j->docs[0] = doc;
		base_name(gal_node_meta_const(gal_node_first_child(doc)), j->in->path, 0, name, sizeof name);
		return (j->names[0] = strdup(name)) ? 0 : -1;
	}
	const gal_docmeta *dm = gal_node_docmeta_const(doc);
	for (size_t k = 0; k < n; k++) {
		gal_node *a = gal_node_first_child(doc), *d = gal_node_new(GAL_NODE_DOCUMENT);
		if (!d || copy_docmeta(gal_node_docmeta(d), dm)) {
			gal_node_free(d);
			gal_node_free(doc);
			return -1;
		}
		gal_node_unlink(a);
		gal_node_append(d, a);
		j->docs[k] = d;
		base_name(gal_node_meta_const(a), j->in->path, k + 1, name, sizeof name);
		if (!(j->names[k] = strdup(name))) {
			gal_node_free(doc);
			return -1;
		}
	}
	gal_node_free(doc);
	return 0;
}

static gal_options job_options(batch *b, job_ctx *c)
{
	gal_options o = *b->base;
	o.source_name = display_name(c->j);
	o.warn = job_warn;
	o.warn_data = c;
	o.epub.resource = fetch_resource;
	o.epub.resource_data = &c->j->orig;
	return o;
}

/* Step 1 (any worker, no lock): read and parse the input. */
static void read_job(batch *b, job *j)
{
	double t0 = now_ms();
	job_ctx c = {b, j};
	gal_options opts = job_options(b, &c);
	gal_error err;
	char *data = NULL;
	size_t len = 0;
	gal_node *doc = NULL;
	if (j->in->error) {
		fail_msg(j, j->in->path, j->in->error);
		goto done;
	}
	if (slurp(j->in->path, opts.limits.max_input_bytes, &data, &len, &err)) {
		job_fail(j, &err);
		goto done;
	}
	j->bytes_in = len;
	const gal_format *fmt = b->reader;
	if (!fmt && strcmp(j->in->path, "-"))
		fmt = gal_format_for_path(j->in->path);
	if (!fmt)
		fmt = gal_format_sniff(data, len);
	if (!fmt)
		fmt = gal_format_find("html");
	j->fmt = fmt;
	memset(&err, 0, sizeof err);
	int rc = gal_read(fmt, data, len, &opts, &doc, &err);
	free(data);
	if (rc) {
		job_fail(j, &err);
		goto done;
	}
	const gal_docmeta *dm = gal_node_docmeta_const(doc);
	if (dm->charset && !(j->charset = strdup(dm->charset)))
		goto oom;
	if (split(b, j, doc))
		goto oom;
	if (b->writer == gal_format_find("epub")) {
		gal_docmeta *m = gal_node_docmeta(j->docs[0]);
		if ((b->cfg->title && gal_set_string(&m->title, b->cfg->title)) ||
		    (b->cfg->author && gal_set_string(&m->creator, b->cfg->author)) ||
		    (b->cfg->date && gal_set_string(&m->date, b->cfg->date)))
			goto oom;
		j->orig.limit = opts.limits.max_input_bytes;
		for (gal_node *a = gal_node_first_child(j->docs[0]); a; a = gal_node_next(a))
			if (origins_add(&j->orig, a, j->in->path, fmt == gal_format_find("epub")))
				goto oom;
	}
	goto done;
oom:
	free_docs(j);
	fail_msg(j, display_name(j), "out of memory");
done:
	j->ms += now_ms() - t0;
}

static int is_input(const batch *b, const struct stat *st)
{
	size_t lo = 0, hi = b->ninputs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const file_id *f = &b->inputs[mid];
		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return 1;
		if (f->dev < st->st_dev || (f->dev == st->st_dev && f->ino < st->st_ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Step 2 (in input order, under the lock): the output paths; an input whose outputs exist is skipped with
 * --skip-existing. */
static void name_job(batch *b, job *j)
{
	if (j->status == REC_FAILED) {
		j->state = J_DONE;
		return;
	}
	const char *rel = j->in->reldir;
	if (!(j->outputs = calloc(j->ndocs, sizeof *j->outputs)))
		b->oom = 1;
	int exist = 1;
	for (size_t k = 0; k < j->ndocs && j->outputs; k++) {
		char name[160];
		if (names_claim(&b->names, rel, j->names[k], name, sizeof name)) {
			b->oom = 1;
			break;
		}
		size_t size = strlen(b->outdir) + strlen(rel) + strlen(name) + b->extlen + 4;
		char *path = malloc(size);
		if (!path) {
			b->oom = 1;
			break;
		}
		snprintf(path, size, "%s%s%s%s%s.%.*s", b->outdir, strcmp(b->outdir, "/") ? "/" : "", rel,
		         *rel ? "/" : "", name, (int)b->extlen, b->ext);
		j->outputs[k] = path;
		struct stat st;
		if (stat(path, &st) != 0)
			exist = 0;
		else if (is_input(b, &st))
			fail_msg(j, path, "refusing to overwrite an input file");
	}
	if (b->oom)
		fail_msg(j, display_name(j), "out of memory");
	if (j->status == REC_FAILED) {
		free_docs(j);
		j->state = J_DONE;
	} else if (b->cfg->skip_existing && exist) {
		j->status = REC_SKIPPED;
		j->nwritten = j->ndocs; /* listed in the report: they are there */
		free_docs(j);
		j->state = J_DONE;
	} else
		j->state = J_READY;
}

/* mkdir -p for the folders below the output folder; other workers may be creating the same ones. */
static int make_dirs(batch *b, const char *path)
{
	char *buf = strdup(path);
	if (!buf)
		return -1;
	int rc = 0;
	for (char *p = buf + strlen(b->outdir) + 1; !rc && (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(buf);
	return rc;
}

/* Step 3 (any worker, no lock): each output through an atomic sink. */
static void write_job(batch *b, job *j)
{
	double t0 = now_ms();
	job_ctx c = {b, j};
	gal_options opts = job_options(b, &c);
	for (size_t k = 0; k < j->ndocs; k++) {
		const char *path = j->outputs[k];
		gal_error err;
		memset(&err, 0, sizeof err);
		if (make_dirs(b, path)) {
			char msg[200], eb[128];
			snprintf(msg, sizeof msg, "cannot create the folder: %s",
			         strerror_r(errno, eb, sizeof eb) ? "error" : eb);
			fail_msg(j, path, msg);
			break;
		}
		gal_sink *sink = gal_sink_new_atomic(path, &err);
		gal_sink_set_sync(sink, !b->cfg->no_sync);
		if (!sink) {
			job_fail(j, &err);
			break;
		}
		int rc = gal_write(b->writer, j->docs[k], sink, &opts, &err);
		if (!rc)
			rc = gal_sink_close(sink, &err);
		gal_sink_free(sink);
		if (rc) {
			job_fail(j, &err);
			break;
		}
		j->nwritten++;
		struct stat st;
		if (stat(path, &st) == 0)
			j->bytes_out += (unsigned long long)st.st_size;
	}
	free_docs(j);
	j->ms += now_ms() - t0;
}

/* Step 4 (in input order, under the lock): the report line, the counts; the job's memory is released. */
static void report_done(batch *b)
{
	while (b->next_report < b->next_take && JOB(b, b->next_report)->state == J_DONE) {
		job *j = JOB(b, b->next_report++);
		if (b->report && !b->report_failed) {
			char more[64];
			char **w = j->warnings;
			size_t nw = j->nwarnings;
			if (j->more_warnings) {
				/* the warnings past MAX_WARNINGS are counted in one last entry */
				char **nv = realloc(j->warnings, (nw + 1) * sizeof *nv);
				if (nv) {
					snprintf(more, sizeof more, "(%zu more warnings)", j->more_warnings);
					w = j->warnings = nv;
					w[nw++] = more;
				}
			}
			cli_record rec = {j->in->path,
			                  j->fmt ? j->fmt->name : NULL,
			                  j->charset,
			                  j->outputs,
			                  j->outputs ? j->nwritten : 0,
			                  j->status,
			                  w,
			                  nw,
			                  j->error,
			                  j->bytes_in,
			                  j->bytes_out,
			                  j->ms};
			if (report_write(b->report, &rec)) {
				char msg[400], eb[128];
				snprintf(msg, sizeof msg, "%s: %s: cannot write the report: %s\n", PROG, b->cfg->report,
				         strerror_r(errno, eb, sizeof eb) ? "error" : eb);
				emit(msg);
				b->report_failed = 1;
			}
		}
		b->done++;
		b->failed += j->status == REC_FAILED;
		b->skipped += j->status == REC_SKIPPED;
		free_job(j);
		memset(j, 0, sizeof *j); /* the slot is free for input next_report - 1 + window */
	}
}

static void name_ready(batch *b)
{
	while (b->next_name < b->next_take && JOB(b, b->next_name)->state == J_READ)
		name_job(b, JOB(b, b->next_name++));
}

static void *worker(void *arg)
{
	batch *b = arg;
	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (b->next_write < b->next_name && JOB(b, b->next_write)->state != J_READY)
			b->next_write++;
		if (b->next_write < b->next_name) {
			/* writing first: it frees a tree and lets the report move on */
			job *j = JOB(b, b->next_write++);
			j->state = J_WRITING;
			pthread_mutex_unlock(&b->lock);
			write_job(b, j);
			pthread_mutex_lock(&b->lock);
			j->state = J_DONE;
			report_done(b);
			pthread_cond_broadcast(&b->cond);
		} else if (!stop_signal && b->next_take < b->njobs && b->next_take < b->next_report + b->window) {
			job *j = JOB(b, b->next_take);
			j->in = &b->in[b->next_take++];
			j->state = J_READING;
			pthread_mutex_unlock(&b->lock);
			read_job(b, j);
			pthread_mutex_lock(&b->lock);
			j->state = J_READ;
			name_ready(b);
			report_done(b);
			pthread_cond_broadcast(&b->cond);
		} else if (stop_signal || b->next_take >= b->njobs) {
			/* nothing left to take; whoever reads the last inputs names and writes them */
			break;
		} else {
			pthread_cond_wait(&b->cond, &b->lock);
		}
	}
	b->running--;
	pthread_cond_broadcast(&b->cond);
	pthread_cond_signal(&b->finished);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* "galley: 340/1000 files, 85.2 files/s, ETA 0:08, 2 failed", under the batch lock. */
static void progress_text(batch *b, char *text, size_t size)
{
	double secs = (now_ms() - b->t0) / 1e3;
	double rate = secs > 0 ? (double)b->done / secs : 0;
	char eta[32] = "-";
	if (rate > 0) {
		unsigned long s = (unsigned long)((double)(b->njobs - b->done) / rate + 0.5);
		snprintf(eta, sizeof eta, "%lu:%02lu", s / 60, s % 60);
	}
	snprintf(text, size, "%s: %zu/%zu files, %.1f files/s, ETA %s, %zu failed%s", PROG, b->done, b->njobs, rate,
	         eta, b->failed, stop_signal ? ", stopping" : "");
}

static void walk_warning(const char *msg)
{
	char line[4400];
	snprintf(line, sizeof line, "%s: warning: %s\n", PROG, msg);
	emit(line);
}

static int cmp_id(const void *x, const void *y)
{
	const file_id *a = x, *c = y;
	return a->dev != c->dev ? (a->dev < c->dev ? -1 : 1) : a->ino != c->ino ? (a->ino < c->ino ? -1 : 1) : 0;
}

int batch_run(const cli_batch *cfg, const gal_format *reader, const gal_format *writer, char *const *args, size_t nargs,
              const char *outdir, const gal_options *opts)
{
	batch b;
	memset(&b, 0, sizeof b);
	if (cfg->report) {
		/* first: nothing is done if the report cannot be written */
		gal_error err;
		if (!(b.report = report_open(cfg->report, &err))) {
			char buf[1024];
			fprintf(stderr, "%s: %s\n", PROG, gal_error_format(&err, buf, sizeof buf));
			return 1;
		}
	}
	/* the output folder and any missing folder above it */
	char *mk = strdup(outdir);
	int mkfail = !mk;
	for (char *p = mk ? mk + 1 : NULL; p && !mkfail; p = strchr(p + 1, '/')) {
		char c = *p;
		*p = '\0';
		mkfail = mkdir(mk, 0777) != 0 && errno != EEXIST;
		*p = c;
		if (!c)
			break;
	}
	free(mk);
	struct stat st;
	if (mkfail || stat(outdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s: cannot create the folder: %s\n", PROG, outdir,
		        mkfail || stat(outdir, &st) != 0 ? strerror(errno) : "not a folder");
		report_close(b.report);
		return 1;
	}
	catch_signals();
	b.cfg = cfg;
	b.reader = reader;
	b.writer = writer;
	b.base = opts;
	size_t olen = strlen(outdir);
	while (olen > 1 && outdir[olen - 1] == '/')
		olen--;
	char *od = strndup(outdir, olen);
	b.outdir = od;
	b.ext = writer->extensions ? writer->extensions : writer->name;
	b.extlen = strcspn(b.ext, " ");
	cli_inputs in = {NULL, 0, 0};
	cli_walk_config wc = {cfg->include, cfg->ninclude, reader, outdir, walk_warning};
	int status = 0, nthreads = cfg->jobs < 1 ? 1 : cfg->jobs;
	if (!od || walk_inputs(args, nargs, &wc, &in))
		goto oom;
	if (in.n && (size_t)nthreads > in.n)
		nthreads = (int)in.n;
	b.window = 64 + 16 * (size_t)nthreads;
	if (!(b.ring = calloc(b.window, sizeof *b.ring)) || !(b.inputs = calloc(in.n ? in.n : 1, sizeof *b.inputs)))
		goto oom;
	b.njobs = in.n;
	b.in = in.v;
	for (size_t i = 0; i < in.n; i++) {
		if (in.v[i].dev || in.v[i].ino)
			b.inputs[b.ninputs++] = (file_id){in.v[i].dev, in.v[i].ino};
	}
	qsort(b.inputs, b.ninputs, sizeof *b.inputs, cmp_id);

	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	pthread_cond_init(&b.finished, NULL);
	b.t0 = now_ms();
	term.active = isatty(2) && !cfg->quiet;
	if (term.active) {
		char text[256];
		progress_text(&b, text, sizeof text);
		progress_set(text);
	}

	/* the workers leave SIGINT and SIGTERM to the main thread, which only sets a flag */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
	int started = 0;
	b.running = nthreads; /* before any starts: a worker that finds nothing to do leaves at once */
	for (int i = 0; tid && i < nthreads; i++, started++)
		if (pthread_create(&tid[i], NULL, worker, &b) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&b.lock);
	b.running -= nthreads - started;
	if (!started) {
		/* no thread could be made: this one does the work */
		b.running = 1;
		pthread_mutex_unlock(&b.lock);
		worker(&b);
		pthread_mutex_lock(&b.lock);
	}
	int announced = 0;
	while (b.running > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_sec++, ts.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&b.finished, &b.lock, &ts);
		if (stop_signal && !announced) {
			/* said at once, not only at the end: the user knows the key was heard while the inputs in flight
			 * finish (and a test knows from this line that no other input will be taken) */
			char msg[200];
			snprintf(msg, sizeof msg, "%s: %s: finishing the inputs in flight, taking no new ones\n", PROG,
			         stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
			announced = 1;
			pthread_mutex_unlock(&b.lock);
			emit(msg);
			pthread_mutex_lock(&b.lock);
		}
		if (stop_signal)
			pthread_cond_broadcast(&b.cond); /* waiting workers look at the flag again */
		if (term.active) {
			char text[256];
			progress_text(&b, text, sizeof text);
			pthread_mutex_unlock(&b.lock); /* the terminal may be slow: not with the workers' lock */
			progress_set(text);
			pthread_mutex_lock(&b.lock);
		}
	}
	pthread_mutex_unlock(&b.lock);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	pthread_cond_destroy(&b.cond);
	pthread_cond_destroy(&b.finished);
	pthread_mutex_destroy(&b.lock);

	int shown = term.active;
	progress_clear();
	if (shown)
		fprintf(stderr, "%s: %zu of %zu inputs in %.1f s: %zu converted, %zu skipped, %zu failed\n", PROG,
		        b.done, b.njobs, (now_ms() - b.t0) / 1e3, b.done - b.failed - b.skipped, b.skipped, b.failed);
	if (report_close(b.report) && !b.report_failed) {
		fprintf(stderr, "%s: %s: cannot write the report: %s\n", PROG, cfg->report, strerror(errno));
		b.report_failed = 1;
	}
	b.report = NULL;
	status = b.failed || b.report_failed ? 1 : 0;
	if (stop_signal) {
		fprintf(stderr,
		        "%s: interrupted: %zu of %zu inputs done; the same command with --skip-existing resumes\n",
		        PROG, b.done, b.njobs);
		status = 128 + stop_signal;
	}
	goto out;
oom:
	fprintf(stderr, "%s: out of memory\n", PROG);
	status = 1;
out:
	report_close(b.report);
	for (size_t i = 0; b.ring && i < b.window; i++)
		free_job(&b.ring[i]);
	free(b.ring);
	free(b.inputs);
	names_free(&b.names);
	inputs_free(&in);
	free(od);
	if (stop_signal) {
		/* die of the signal, so that a calling shell or make stops too (and sees 128 + the signal) */
		fflush(NULL);
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return status;
}
