/*
 * sha256.c — SHA-256 as FIPS 180-4 defines it.
 *
 * A straight rendering of the standard: the message schedule (6.2.2 step 1)
 * is kept as a 16-word ring, so the block function needs 64 bytes of stack
 * instead of 256, which matters on a component's 16 KiB entry stack.  Whole
 * blocks of the caller's buffer are hashed in place; only the ragged head
 * and tail go through ctx->block.  Everything is integer arithmetic, so the
 * file builds with the kernel's -mgeneral-regs-only as well as on the host.
 */
#include <sha256.h>
#include <string.h>

/* FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t round_constant[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* The functions of FIPS 180-4 section 4.1.2. */
static inline uint32_t ch(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (~x & z); }
static inline uint32_t maj(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (x & z) ^ (y & z); }
static inline uint32_t big_sigma0(uint32_t x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static inline uint32_t big_sigma1(uint32_t x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static inline uint32_t small_sigma0(uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static inline uint32_t small_sigma1(uint32_t x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

/* Section 6.2.2: one 512-bit block, read big-endian (section 3.1). */
static void hash_block(uint32_t state[8], const uint8_t *p)
{
	uint32_t w[16];
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

	for (int t = 0; t < 64; t++) {
		uint32_t wt;
		if (t < 16) {
			wt = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
			     (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
		} else {
			/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], in a ring of 16. */
			wt = small_sigma1(w[(t - 2) & 15]) + w[(t - 7) & 15] +
			     small_sigma0(w[(t - 15) & 15]) + w[t & 15];
		}
		w[t & 15] = wt;
		uint32_t t1 = h + big_sigma1(e) + ch(e, f, g) + round_constant[t] + wt;
		uint32_t t2 = big_sigma0(a) + maj(a, b, c);
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a; state[1] += b; state[2] += c; state[3] += d;
	state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

void sha256_init(struct sha256 *ctx)
{
	/* Section 5.3.3: the initial hash value H(0). */
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(ctx->state, initial, sizeof initial);
	ctx->length = 0;
}

void sha256_update(struct sha256 *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = ctx->length % SHA256_BLOCK_SIZE;

	ctx->length += len;
	if (have) {
		size_t take = SHA256_BLOCK_SIZE - have;
		if (take > len)
			take = len;
		memcpy(ctx->block + have, p, take);
		p += take;
		len -= take;
		if (have + take < SHA256_BLOCK_SIZE)
			return;
		hash_block(ctx->state, ctx->block);
	}
	for (; len >= SHA256_BLOCK_SIZE; len -= SHA256_BLOCK_SIZE, p += SHA256_BLOCK_SIZE)
		hash_block(ctx->state, p);
	memcpy(ctx->block, p, len);
}

void sha256_final(struct sha256 *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	/* Section 5.1.1: a 1 bit, zeros to 448 mod 512 bits, the bit length. */
	uint64_t bits = ctx->length * 8;
	size_t have = ctx->length % SHA256_BLOCK_SIZE;

	ctx->block[have++] = 0x80;
	if (have > SHA256_BLOCK_SIZE - 8) {
		memset(ctx->block + have, 0, SHA256_BLOCK_SIZE - have);
		hash_block(ctx->state, ctx->block);
		have = 0;
	}
	memset(ctx->block + have, 0, SHA256_BLOCK_SIZE - 8 - have);
	for (int i = 0; i < 8; i++)
		ctx->block[SHA256_BLOCK_SIZE - 1 - i] = (uint8_t)(bits >> (8 * i));
	hash_block(ctx->state, ctx->block);

	for (int i = 0; i < 8; i++) {
		digest[4 * i] = (uint8_t)(ctx->state[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
		digest[4 * i + 3] = (uint8_t)ctx->state[i];
	}
	sha256_init(ctx);
}

void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256 ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
}

void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}
