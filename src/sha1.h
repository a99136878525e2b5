/* sha1.h: SHA-1 (FIPS 180-4), for name-based UUIDs (RFC 4122 version 5) and for recognising identical
 * resources. Not for security. */
#ifndef GAL_SHA1_H
#define GAL_SHA1_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t h[5];
	uint64_t len; /* bytes hashed so far */
	unsigned char block[64];
	size_t fill;
} gal_sha1;

void gal_sha1_init(gal_sha1 *s);
void gal_sha1_update(gal_sha1 *s, const void *data, size_t len);
void gal_sha1_final(gal_sha1 *s, unsigned char out[20]);

#endif
