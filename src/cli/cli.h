/* cli.h: what the files of the galley command share: main.c (options, single conversions), batch.c (-o DIR/),
 * walk.c (folder inputs), report.c (--report). Only the command prints or exits; these are not library API. */
#ifndef GAL_CLI_H
#define GAL_CLI_H

#include "../galley.h"

#include <stddef.h>
#include <sys/types.h>

/* ------------------------------------------------------------------ main.c */

/* Reads a whole file (or stdin for "-"), refusing more than `limit` bytes. *out is NUL-terminated. Thread-safe. */
int slurp(const char *path, size_t limit, char **out, size_t *len, gal_error *err);

/* Which input each article came from, so that the EPUB writer can embed images that sit next to it. */
typedef struct {
	const gal_node *art;
	const char *input; /* as given; "-" for stdin */
	int epub;          /* read as EPUB: figure sources are paths inside the book */
} origin;

typedef struct {
	origin *v;
	size_t n, cap;
	size_t limit;
	const char *book_path; /* the last EPUB input read for its images, kept for the next image */
	char *book;
	size_t book_len;
} origins;

/* gal_resource_fn over an `origins`: an image beside the article's input, or inside the book it came from. */
int fetch_resource(void *ud, const gal_node *article, const char *src, char **data, size_t *len);
int origins_add(origins *o, const gal_node *art, const char *input, int epub);

/* Whether two paths name the same existing file. */
int same_file(const char *a, const char *b);

/* ------------------------------------------------------------------ walk.c */

/* One input of a batch: a file named on the command line, or found in a folder named there. */
typedef struct {
	char *path;   /* as given, or the folder argument joined with the path below it */
	char *reldir; /* output subfolder: the file's folder relative to the folder argument ("" for FILE arguments) */
	char *error;  /* the folder could not be read: this input stands for it and fails with this message */
	dev_t dev;    /* the file's identity (0/0 when it could not be stat'ed), so that no output replaces an input */
	ino_t ino;
} cli_input;

typedef struct {
	cli_input *v;
	size_t n, cap;
} cli_inputs;

typedef struct {
	char *const *include; /* --include globs; none: files whose extension a reader knows */
	size_t ninclude;
	const gal_format *reader; /* -f: with no --include, only its extensions are taken */
	const char *outdir;       /* never walked into (an existing folder; may be NULL) */
	void (*warn)(const char *msg);
} cli_walk_config;

/* Expands the arguments: a folder becomes the files below it, sorted by name, depth first; anything else is taken
 * as a file. Returns 0, or -1 when memory ran out. */
int walk_inputs(char *const *args, size_t nargs, const cli_walk_config *cfg, cli_inputs *out);
void inputs_free(cli_inputs *in);

/* ------------------------------------------------------------------ report.c */

typedef enum { REC_OK, REC_FAILED, REC_SKIPPED } rec_status;

/* One line of the --report file. */
typedef struct {
	const char *path;
	const char *format;  /* reader name; NULL if not read */
	const char *charset; /* NULL if unknown */
	char *const *outputs;
	size_t noutputs;
	rec_status status;
	char *const *warnings;
	size_t nwarnings;
	const char *error; /* NULL unless failed */
	unsigned long long bytes_in, bytes_out;
	double ms;
} cli_record;

typedef struct cli_report cli_report;

/* Opens (truncates) the report file; NULL with a message in err. */
cli_report *report_open(const char *path, gal_error *err);
/* Appends one JSON line with a single write(2): a reader of the file never sees half a record, whatever
 * interrupts the run. Returns 0 or -1 (errno set). */
int report_write(cli_report *r, const cli_record *rec);
/* Syncs and closes; returns 0 or -1. NULL is allowed. */
int report_close(cli_report *r);

/* ------------------------------------------------------------------ batch.c */

typedef struct {
	int jobs;             /* worker threads (>= 1) */
	char *const *include; /* --include */
	size_t ninclude;
	const char *report;                /* --report FILE, or NULL */
	int quiet;                         /* no progress line and no warnings on stderr */
	int skip_existing;                 /* an input whose outputs all exist is skipped */
	int no_sync;                       /* --no-sync: outputs renamed into place without fsync */
	const char *title, *author, *date; /* EPUB output: each book's metadata */
} cli_batch;

/* -o DIR/: converts every input (folders walked) into DIR, one output per article (one book per input for EPUB),
 * on cfg->jobs threads. Returns the exit status: 0, 1 if any input failed, 128+signal if interrupted. */
int batch_run(const cli_batch *cfg, const gal_format *reader, const gal_format *writer, char *const *args, size_t nargs,
              const char *outdir, const gal_options *opts);

#endif
