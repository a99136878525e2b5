/* walk.c: a batch's inputs: the files named on the command line, and the files below the folders named there.
 *
 * What a folder walk takes, so that two runs over the same tree see the same inputs in the same order:
 * - entries sorted by name (bytes), depth first: the order does not depend on the file system;
 * - regular files only (a FIFO or a device below a feed folder would block or never end), symbolic links to files
 *   and folders followed, but never into a folder that is already on the way down (a loop: warned and skipped),
 *   nor into the output folder;
 * - names starting with '.' skipped (editors' and sync tools' files, and galley's own temporary files);
 * - with --include GLOB (any number): files whose name matches one of them (fnmatch; a glob with a '/' is matched
 *   against the path below the folder argument); without: files whose extension a reader knows (-f's reader's,
 *   when -f is given). */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DEPTH 256 /* folders below a folder argument; a deeper tree is reported, not walked */

typedef struct {
	dev_t dev;
	ino_t ino;
} file_id;

typedef struct {
	const cli_walk_config *cfg;
	cli_inputs *out;
	file_id outdir;
	int have_outdir;
	file_id stack[MAX_DEPTH + 1]; /* the folders on the way down, for loops */
	int depth;
	int oom;
} walker;

static char *join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	int slash = na && a[na - 1] != '/' && nb;
	char *s = malloc(na + nb + 2);
	if (s)
		snprintf(s, na + nb + 2, "%s%s%s", a, slash ? "/" : "", b);
	return s;
}

static int add(walker *w, char *path, char *reldir, char *error, const struct stat *st)
{
	cli_inputs *in = w->out;
	if (path && reldir && in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 256;
		cli_input *nv = realloc(in->v, cap * sizeof *nv);
		if (nv)
			in->v = nv, in->cap = cap;
	}
	if (!path || !reldir || in->n == in->cap) {
		free(path);
		free(reldir);
		free(error);
		return w->oom = -1;
	}
	in->v[in->n++] = (cli_input){path, reldir, error, st ? st->st_dev : 0, st ? st->st_ino : 0};
	return 0;
}

static int known_extension(const cli_walk_config *cfg, const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name)
		return 0;
	if (!cfg->reader)
		return gal_format_for_path(name) != NULL;
	const char *list = cfg->reader->extensions ? cfg->reader->extensions : "";
	size_t n = strlen(dot + 1);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && !strncasecmp(p, dot + 1, n))
			return 1;
		p += k;
		p += *p == ' ';
	}
	return 0;
}

static int included(const cli_walk_config *cfg, const char *name, const char *relpath)
{
	if (!cfg->ninclude)
		return known_extension(cfg, name);
	for (size_t i = 0; i < cfg->ninclude; i++) {
		const char *g = cfg->include[i];
		if (strchr(g, '/') ? !fnmatch(g, relpath, FNM_PATHNAME) : !fnmatch(g, name, 0))
			return 1;
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(walker *w, const char *root, const char *rel);

/* An entry of a folder: a file to take, or a folder to walk. */
static void visit(walker *w, const char *root, const char *rel, const char *name)
{
	char *relpath = join(rel, name);
	char *path = relpath ? join(root, relpath) : NULL;
	struct stat st;
	if (!path) {
		w->oom = -1;
	} else if (stat(path, &st) != 0) {
		/* a dangling link, or a file gone since the listing: nothing to convert */
	} else if (S_ISDIR(st.st_mode)) {
		int loop = w->have_outdir && st.st_dev == w->outdir.dev && st.st_ino == w->outdir.ino;
		for (int i = 0; i <= w->depth && !loop; i++)
			if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
				char msg[4200];
				snprintf(msg, sizeof msg, "%s: a link back to a folder above it, not followed", path);
				w->cfg->warn(msg);
				loop = 1;
			}
		if (!loop) {
			w->stack[++w->depth] = (file_id){st.st_dev, st.st_ino};
			walk(w, root, relpath);
			w->depth--;
		}
	} else if (S_ISREG(st.st_mode) && included(w->cfg, name, relpath)) {
		add(w, path, strdup(rel), NULL, &st);
		path = NULL;
	}
	free(path);
	free(relpath);
}

static void walk(walker *w, const char *root, const char *rel)
{
	char *dir = join(root, rel);
	DIR *d = dir ? opendir(dir) : NULL;
	if (!d || w->depth >= MAX_DEPTH) {
		char msg[600];
		if (d)
			snprintf(msg, sizeof msg, "folders nested more than %d deep, not walked", MAX_DEPTH);
		else
			snprintf(msg, sizeof msg, "cannot read the folder: %s", strerror(errno));
		if (d)
			closedir(d);
		if (dir)
			add(w, dir, strdup(rel), strdup(msg), NULL);
		else
			w->oom = -1;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *nn);
			if (!nn) {
				w->oom = -1;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			w->oom = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_name);
	for (size_t i = 0; i < n; i++) {
		if (!w->oom)
			visit(w, root, rel, names[i]);
		free(names[i]);
	}
	free(names);
	free(dir);
}

int walk_inputs(char *const *args, size_t nargs, const cli_walk_config *cfg, cli_inputs *out)
{
	walker w;
	memset(&w, 0, sizeof w);
	w.cfg = cfg;
	w.out = out;
	struct stat st;
	if (cfg->outdir && stat(cfg->outdir, &st) == 0) {
		w.outdir = (file_id){st.st_dev, st.st_ino};
		w.have_outdir = 1;
	}
	for (size_t i = 0; i < nargs && !w.oom; i++) {
		const char *a = args[i];
		if (strcmp(a, "-") && stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
			w.depth = 0;
			w.stack[0] = (file_id){st.st_dev, st.st_ino};
			size_t before = out->n;
			walk(&w, a, "");
			if (out->n == before && !w.oom) {
				char msg[4200];
				snprintf(msg, sizeof msg, "%s: no file to convert (none %s)", a,
				         cfg->ninclude ? "matches --include" : "has an extension a reader knows");
				cfg->warn(msg);
			}
		} else {
			/* a file named on the command line is converted whatever its name; a missing one fails later */
			int known = strcmp(a, "-") && stat(a, &st) == 0;
			add(&w, strdup(a), strdup(""), NULL, known ? &st : NULL);
		}
	}
	return w.oom;
}

void inputs_free(cli_inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].path);
		free(in->v[i].reldir);
		free(in->v[i].error);
	}
	free(in->v);
	memset(in, 0, sizeof *in);
}
