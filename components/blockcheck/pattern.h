/*
 * pattern.h — what blockcheck expects on the disk: every 8-byte word names
 * its sector, its place in the sector and the round that wrote it, so that a
 * sector read from the wrong place, a stale round or a torn write shows as
 * wrong bytes.  tests/system/test_block.py writes and checks the same words
 * on the host (little-endian):
 *
 *     word j of sector n, round r  =  n << 32 | j << 16 | r
 *
 * Round 0 is the read loop's region, filled by the test before boot.
 */
#ifndef COMPONENTS_BLOCKCHECK_PATTERN_H
#define COMPONENTS_BLOCKCHECK_PATTERN_H

#include <stdint.h>

#define SECTOR_BYTES 512u

static inline void pattern_fill(uint8_t *p, uint64_t sector, uint64_t count, uint64_t round)
{
	uint64_t *w = (uint64_t *)p;
	for (uint64_t n = 0; n < count; n++)
		for (uint64_t j = 0; j < SECTOR_BYTES / 8; j++)
			*w++ = (sector + n) << 32 | j << 16 | (round & 0xffff);
}

/* The bytes of p that differ from the pattern. */
static inline uint64_t pattern_wrong(const uint8_t *p, uint64_t sector, uint64_t count, uint64_t round)
{
	uint64_t wrong = 0;
	for (uint64_t n = 0; n < count; n++)
		for (uint64_t j = 0; j < SECTOR_BYTES / 8; j++) {
			uint64_t want = (sector + n) << 32 | j << 16 | (round & 0xffff);
			const uint8_t *got = p + (n * SECTOR_BYTES + j * 8);
			for (unsigned b = 0; b < 8; b++)
				wrong += got[b] != (uint8_t)(want >> (8 * b));
		}
	return wrong;
}

#endif
