/*
 * sha256.h — SHA-256 (FIPS 180-4, section 6.2), for the kernel, components
 * and host tools alike.
 *
 * Streaming use: sha256_init, any number of sha256_update calls of any
 * length, then sha256_final.  The context is small (104 bytes) and holds no
 * pointers, so a component can keep one in static storage per open file.
 * sha256_hex gives the lowercase form `sha256sum` prints, so a shell's
 * `sum` line can be compared with the host's output as a string.
 */
#ifndef PINFOLD_SHA256_H
#define PINFOLD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64
#define SHA256_HEX_SIZE    (2 * SHA256_DIGEST_SIZE + 1)   /* with the NUL */

struct sha256 {
	uint32_t state[8];              /* H0..H7 of FIPS 180-4 section 6.2 */
	uint64_t length;                /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_SIZE];   /* a partial block, `length % 64` bytes long */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
/* Pads, writes the digest and leaves ctx re-initialised for a new message. */
void sha256_final(struct sha256 *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);

/* One-shot digest of a buffer. */
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);
/* Lowercase hex, NUL-terminated: out must hold SHA256_HEX_SIZE bytes. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE]);

#endif
