/*
 * random.h — the pseudo-random numbers of the unit tests' fuzz loops.
 *
 * Marsaglia's xorshift generators ("Xorshift RNGs", 2003), with the shift
 * triples (13, 17, 5) for 32 bits and (13, 7, 17) for 64.  Unlike rand(),
 * they give the same sequence on every host, so a fuzz loop that starts
 * from a fixed seed fails the same way each time it fails.  The state is
 * the caller's: each test file keeps its own seed, and a sequence does not
 * depend on which other tests ran first.  The state must not be 0.
 */
#ifndef PINFOLD_TEST_RANDOM_H
#define PINFOLD_TEST_RANDOM_H

#include <stdint.h>

static inline uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

#endif
