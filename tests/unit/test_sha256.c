/*
 * test_sha256.c — libc/sha256.c against published digests.
 *
 * The vectors are the examples NIST publishes for FIPS 180-4 ("Cryptographic
 * Standards and Guidelines: Examples with Intermediate Values", SHA256.pdf:
 * "abc", the 448-bit and 896-bit messages) and FIPS 180-2 appendix B.3 (one
 * million 'a').  The lengths around the padding boundary (55, 56, 63, 64,
 * 119, 120 bytes: where the length field does or does not fit in the last
 * block) are checked against digests from Python's hashlib (OpenSSL), an
 * independent implementation.  Streaming is checked by splitting messages
 * at every position: the digest must not depend on how the input arrives.
 */
#include <stdint.h>
#include <string.h>

#include <sha256.h>

#include "unit.h"

static const char *hex_of(const void *data, size_t len)
{
	static char hex[SHA256_HEX_SIZE];
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256(data, len, digest);
	sha256_hex(digest, hex);
	return hex;
}

static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			     "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

TEST(sha256_nist_vectors)
{
	CHECK_STR(hex_of("", 0),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hex_of("abc", 3),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hex_of(msg448, strlen(msg448)),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	CHECK_STR(hex_of(msg896, strlen(msg896)),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(sha256_million_a)
{
	static char block[1000];
	struct sha256 ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE];

	memset(block, 'a', sizeof block);
	sha256_init(&ctx);
	for (int i = 0; i < 1000; i++)
		sha256_update(&ctx, block, sizeof block);
	sha256_final(&ctx, digest);
	sha256_hex(digest, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_padding_boundaries)
{
	static const struct { size_t len; const char *hex; } cases[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	};
	char a[120];

	memset(a, 'a', sizeof a);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STR(hex_of(a, cases[i].len), cases[i].hex);
}

TEST(sha256_streaming_any_split)
{
	size_t len = strlen(msg896);
	char expect[SHA256_HEX_SIZE], hex[SHA256_HEX_SIZE];
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256 ctx;

	strlcpy(expect, hex_of(msg896, len), sizeof expect);
	for (size_t split = 0; split <= len; split++) {
		for (size_t second = split; second <= len; second += 7) {
			sha256_init(&ctx);
			sha256_update(&ctx, msg896, split);
			sha256_update(&ctx, msg896 + split, second - split);
			sha256_update(&ctx, msg896 + second, len - second);
			sha256_final(&ctx, digest);
			sha256_hex(digest, hex);
			CHECK_STR(hex, expect);
		}
	}
	/* One byte at a time, then the context is reusable after final. */
	sha256_init(&ctx);
	for (size_t i = 0; i < len; i++)
		sha256_update(&ctx, msg896 + i, 1);
	sha256_final(&ctx, digest);
	sha256_hex(digest, hex);
	CHECK_STR(hex, expect);
	sha256_update(&ctx, "abc", 3);
	sha256_final(&ctx, digest);
	sha256_hex(digest, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
