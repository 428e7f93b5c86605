/*
 * test_shell_crc32.c — CRC-32 (components/shell/crc32.c), against the
 * standard check value and values computed by Python's zlib.crc32.
 */
#include "unit.h"

#include <string.h>

#include "components/shell/crc32.h"

TEST(crc32_check_values)
{
	CHECK_EQ(crc32_update(0, "", 0), 0);
	CHECK_EQ(crc32_update(0, "123456789", 9), 0xcbf43926u);        /* the catalogue's check value */
	CHECK_EQ(crc32_update(0, "The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
	uint8_t zeros[512] = { 0 };
	CHECK_EQ(crc32_update(0, zeros, sizeof zeros), 0xb2aa7578u);   /* zlib.crc32(bytes(512)) */
}

TEST(crc32_in_pieces_equals_at_once)
{
	uint8_t data[1000];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 37 + 11);
	uint32_t whole = crc32_update(0, data, sizeof data);
	uint32_t part = crc32_update(0, data, 1);
	part = crc32_update(part, data + 1, 499);
	part = crc32_update(part, data + 500, 500);
	CHECK_EQ(part, whole);
}
