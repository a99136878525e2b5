/* scratch.c: a small per-thread cache of large blocks (see scratch.h). */
#include "scratch.h"

#include "galley.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Limits: a page's blocks fit in a few slots; a block of a huge input is not worth keeping mapped. */
enum { SLOTS = 6 };
#define BLOCK_MAX ((size_t)4 << 20)
#define KEEP_MAX ((size_t)12 << 20)
#define ROUND ((size_t)64 << 10)

typedef struct {
	void *p[SLOTS];
	size_t cap[SLOTS];
	size_t n, bytes;
} cache;

static __thread cache *tc;
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_ok;

static void drop(void *arg)
{
	cache *c = arg;
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i]);
	free(c);
	tc = NULL;
}

static void make_key(void) { key_ok = pthread_key_create(&key, drop) == 0; }

/* The calling thread's cache, made on first use and registered so that it is freed when the thread ends. */
static cache *mine(void)
{
	if (tc)
		return tc;
	pthread_once(&once, make_key);
	if (!key_ok)
		return NULL;
	cache *c = calloc(1, sizeof *c);
	if (c && pthread_setspecific(key, c) != 0) {
		free(c);
		c = NULL;
	}
	return tc = c;
}

void gal_thread_release(void)
{
	if (!tc)
		return;
	cache *c = tc;
	pthread_setspecific(key, NULL);
	drop(c);
}

static void take(cache *c, size_t i)
{
	c->bytes -= c->cap[i];
	c->n--;
	c->p[i] = c->p[c->n];
	c->cap[i] = c->cap[c->n];
}

void *gal_scratch_get(size_t want, size_t *cap)
{
	cache *c = tc;
	if (c) { /* the smallest block that is big enough */
		size_t best = SLOTS;
		for (size_t i = 0; i < c->n; i++)
			if (c->cap[i] >= want && (best == SLOTS || c->cap[i] < c->cap[best]))
				best = i;
		if (best != SLOTS) {
			void *p = c->p[best];
			*cap = c->cap[best];
			take(c, best);
			return p;
		}
	}
	/* sizes rounded up so that a block fits the next page's slightly larger want too */
	if (want <= BLOCK_MAX)
		want = (want + ROUND - 1) / ROUND * ROUND;
	void *p = malloc(want ? want : 1);
	*cap = p ? want : 0;
	return p;
}

void gal_scratch_put(void *p, size_t cap)
{
	if (!p)
		return;
	cache *c = cap <= BLOCK_MAX ? mine() : NULL;
	if (c) {
		if (c->n < SLOTS && c->bytes + cap <= KEEP_MAX) {
			c->p[c->n] = p;
			c->cap[c->n++] = cap;
			c->bytes += cap;
			return;
		}
		/* full: a bigger block replaces the smallest kept one (the next page is more likely to fit it) */
		size_t small = 0;
		for (size_t i = 1; i < c->n; i++)
			if (c->cap[i] < c->cap[small])
				small = i;
		if (c->n && c->cap[small] < cap && c->bytes - c->cap[small] + cap <= KEEP_MAX) {
			free(c->p[small]);
			c->bytes += cap - c->cap[small];
			c->p[small] = p;
			c->cap[small] = cap;
			return;
		}
	}
	free(p);
}

void *gal_scratch_grow(void *p, size_t used, size_t *cap, size_t want)
{
	if (want <= *cap)
		return p;
	size_t ncap, target = *cap > SIZE_MAX / 2 ? want : *cap * 2;
	if (target < want)
		target = want;
	void *q = gal_scratch_get(target, &ncap);
	if (!q)
		return NULL;
	if (used)
		memcpy(q, p, used);
	gal_scratch_put(p, *cap);
	*cap = ncap;
	return q;
}
