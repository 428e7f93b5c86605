/*
 * listing.h — how fat.list packs directory entries into its caller's
 * buffer; shared by fat (service.c) and its clients (the shell's files.c).
 *
 * Each entry is a header and the entry's name (UTF-8, the long name if it
 * has one, no NUL), and the next entry starts at the next multiple of 4
 * bytes.  The header is read with memcpy, so the buffer needs no alignment.
 */
#ifndef PINFOLD_FAT_LISTING_H
#define PINFOLD_FAT_LISTING_H

#include <stdint.h>

struct fat_listing_entry {
	uint32_t size;          /* bytes; 0 for a directory */
	uint8_t attributes;     /* FAT's: 0x10 a directory, 0x01 read-only, ... */
	uint8_t reserved;
	uint16_t name_len;      /* bytes of the name that follows */
};

#define FAT_LISTING_DIRECTORY 0x10

/* The bytes an entry with a name of name_len bytes takes, with its padding. */
static inline uint32_t fat_listing_size(uint32_t name_len)
{
	return (uint32_t)((sizeof(struct fat_listing_entry) + name_len + 3) & ~3u);
}

#endif
