/*
 * identify.c — reading IDENTIFY DEVICE data (see identify.h for the words).
 */
#include "drivers/ahci/identify.h"

#include <pinfold/errors.h>
#include <string.h>

#define MIN_SECTOR 512u
#define MAX_SECTOR 65536u

static uint16_t word(const uint8_t *data, unsigned w)
{
	return (uint16_t)(data[2 * w] | data[2 * w + 1] << 8);
}

/* An ATA string of `words` words starting at word `first`, in reading order, trimmed. */
static void ata_string(const uint8_t *data, unsigned first, unsigned words, char *out)
{
	unsigned n = 0;
	for (unsigned w = first; w < first + words; w++) {
		uint16_t v = word(data, w);
		out[n++] = (char)(v >> 8);      /* the first character is in the high byte */
		out[n++] = (char)(v & 0xff);
	}
	for (unsigned i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			out[i] = '?';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

static bool checksum_ok(const uint8_t *data)
{
	if ((word(data, 255) & 0xff) != 0xa5)
		return true;            /* no integrity word: nothing to check */
	uint8_t sum = 0;
	for (unsigned i = 0; i < 512; i++)
		sum = (uint8_t)(sum + data[i]);
	return sum == 0;
}

/* A word of feature bits is valid when bit 14 is set and bit 15 clear. */
static bool valid_word(uint16_t v)
{
	return (v & 0xc000) == 0x4000;
}

int ata_identify_parse(const uint8_t data[512], struct ata_identity *id)
{
	memset(id, 0, sizeof *id);
	if (!checksum_ok(data))
		return E_INVAL;
	if (word(data, 0) & 0x8000)
		return E_NOSYS;         /* a packet (ATAPI) device */
	uint16_t caps = word(data, 49);
	if (!(caps & (1u << 9)) || !(caps & (1u << 8)))
		return E_NOSYS;         /* no LBA or no DMA */
	ata_string(data, 10, 10, id->serial);
	ata_string(data, 23, 4, id->firmware);
	ata_string(data, 27, 20, id->model);

	uint16_t sets = word(data, 83);
	id->lba48 = valid_word(sets) && (sets & (1u << 10));
	id->flush_ext = valid_word(sets) && (sets & (1u << 13));
	if (!id->lba48)
		return E_NOSYS;         /* this driver speaks only the 48-bit commands */
	id->sectors = (uint64_t)word(data, 100) | (uint64_t)word(data, 101) << 16 |
		      (uint64_t)word(data, 102) << 32 | (uint64_t)word(data, 103) << 48;
	if (id->sectors == 0)   /* some devices report small capacities in words 60-61 only */
		id->sectors = (uint64_t)word(data, 60) | (uint64_t)word(data, 61) << 16;
	if (id->sectors == 0)
		return E_INVAL;

	id->sector_size = MIN_SECTOR;
	uint16_t sizes = word(data, 106);
	if (valid_word(sizes) && (sizes & (1u << 12))) {
		uint32_t words = (uint32_t)word(data, 117) | (uint32_t)word(data, 118) << 16;
		uint64_t bytes = 2ull * words;
		if (bytes < MIN_SECTOR || bytes > MAX_SECTOR || (bytes & (bytes - 1)))
			return E_NOSYS;
		id->sector_size = (uint32_t)bytes;
	}

	uint16_t sata = word(data, 76);
	id->ncq = sata != 0x0000 && sata != 0xffff && (sata & (1u << 8));
	id->queue_depth = id->ncq ? (word(data, 75) & 0x1f) + 1u : 1u;
	return 0;
}
