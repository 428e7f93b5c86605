/*
 * identify.h — what a disk says about itself in its IDENTIFY DEVICE data.
 *
 * The data is 256 little-endian words (ATA8-ACS, IDENTIFY DEVICE, table
 * "IDENTIFY DEVICE data").  The words this driver reads:
 *   0        general configuration: bit 15 clear for an ATA device
 *   10-19    serial number, 23-26 firmware revision, 27-46 model number:
 *            ATA strings, two characters a word with the FIRST character in
 *            the HIGH byte, padded with spaces
 *   49       capabilities: bit 9 LBA supported, bit 8 DMA supported
 *   60-61    user-addressable sectors for 28-bit commands
 *   75       queue depth minus one, in bits 4:0
 *   76       Serial ATA capabilities: bit 8 native command queuing (NCQ);
 *            0000h and FFFFh mean the word is not reported
 *   83       command sets supported: bit 10 48-bit addresses, bit 13
 *            FLUSH CACHE EXT; bit 14 set and 15 clear when the word is valid
 *   100-103  user-addressable sectors for 48-bit commands
 *   106      sector sizes: valid when bit 14 is set and 15 clear; bit 12
 *            says the logical sector is longer than 256 words, and then
 *   117-118  hold its length in words
 *   255      integrity word: A5h in bits 7:0 means bits 15:8 hold a
 *            checksum that makes all 512 bytes sum to 0 (mod 256)
 *
 * Pure: tested on the host, including against QEMU's answer.
 */
#ifndef PINFOLD_AHCI_IDENTIFY_H
#define PINFOLD_AHCI_IDENTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct ata_identity {
	char model[41];         /* trailing spaces removed; unprintable bytes become '?' */
	char serial[21];
	char firmware[9];
	uint64_t sectors;       /* user-addressable logical sectors */
	uint32_t sector_size;   /* bytes in a logical sector */
	bool lba48;             /* the 48-bit commands (READ DMA EXT ...) are supported */
	bool ncq;               /* READ/WRITE FPDMA QUEUED are supported */
	unsigned queue_depth;   /* commands the device queues at once (1 without NCQ) */
	bool flush_ext;         /* FLUSH CACHE EXT is supported */
};

/*
 * Reads the 512 bytes of IDENTIFY DEVICE data into *id.  Returns 0, or
 * E_NOSYS for a device this driver cannot use (not ATA, no LBA, no DMA, no
 * 48-bit commands, a sector size that is not a power of two from 512 bytes
 * to 64 KiB), or E_INVAL if the integrity checksum is wrong or the capacity
 * is zero.
 */
int ata_identify_parse(const uint8_t data[512], struct ata_identity *id);

#endif
