/* scratch.h: large scratch blocks kept per thread between conversions.
 *
 * A page's DOM arena and the extractor's records are a few hundred KiB each, taken and given back once per page.
 * Handed to malloc and back, such blocks go back to the kernel (mmap, or the heap's top trimmed) and every page
 * then pays page faults to touch fresh memory: about 8 % of an HTML conversion. Kept here, the memory stays
 * mapped for the next page on the same thread. */
#ifndef GAL_SCRATCH_H
#define GAL_SCRATCH_H

#include <stddef.h>

/* A block of at least `want` bytes (aligned as malloc's); its real size in *cap. NULL when out of memory. */
void *gal_scratch_get(size_t want, size_t *cap);
/* Gives a block from gal_scratch_get back (NULL is ignored): kept for reuse within the cache's limits, else
 * freed. */
void gal_scratch_put(void *p, size_t cap);
/* Grows a block to at least `want` bytes keeping its first `used` bytes; on failure the old block is untouched
 * and NULL returned. */
void *gal_scratch_grow(void *p, size_t used, size_t *cap, size_t want);

#endif
