/*
 * cache.h — sector I/O for one volume, and its small write-back cache
 * (cache.c).
 *
 * Sector numbers here are volume sectors (bytes_per_sector each, counted
 * from the volume's boot sector); cache.c turns them into disk LBAs.
 * A pointer from cache_get stays valid until the next cache call: callers
 * copy what they need before touching another sector.
 */
#ifndef PINFOLD_FAT_CACHE_H
#define PINFOLD_FAT_CACHE_H

#include "components/fat/fat.h"

enum cache_mode {
	CACHE_READ,             /* load it; the caller only reads */
	CACHE_MODIFY,           /* load it; the caller changes it (marked dirty) */
	CACHE_OVERWRITE,        /* the caller fills it: no read, zeroed, dirty */
};

void cache_init(struct fat_volume *vol);
int cache_get(struct fat_volume *vol, uint32_t sector, enum cache_mode mode, uint8_t **data);
/* Writes every dirty sector back (FAT sectors to every FAT copy). */
int cache_flush(struct fat_volume *vol);
/* After a direct read of [first, first+count) into buf: newer cached copies win. */
void cache_overlay(struct fat_volume *vol, uint32_t first, uint32_t count, uint8_t *buf);
/* Before a direct write of [first, first+count): cached copies are stale. */
void cache_drop(struct fat_volume *vol, uint32_t first, uint32_t count);

/* Direct I/O of whole volume sectors, bounds-checked against the volume. */
int vol_read(struct fat_volume *vol, uint32_t sector, uint32_t count, void *buf);
int vol_write(struct fat_volume *vol, uint32_t sector, uint32_t count, const void *buf);
/* Disk sectors, before the volume's geometry is known (mount). */
int disk_read(struct fat_volume *vol, uint64_t lba, uint32_t count, void *buf);

#endif
