/*
 * cache.c — the volume's sector I/O and its write-back sector cache.
 *
 * All disk access of the library passes through here, which makes this the
 * one place that checks a transfer lies inside the volume and inside the
 * disk: a cluster number that slipped past every other check still cannot
 * make the library read or write outside its partition.
 *
 * The cache holds FAT_CACHE_BYTES of sectors (32 sectors of 512 bytes),
 * least-recently-used first out.  It serves the FAT, directories and the
 * ragged ends of file transfers; whole sectors of file data go straight
 * between the disk and the caller's buffer (fat_read/fat_write), with
 * cache_overlay and cache_drop keeping the two views consistent.  A FAT
 * sector is cached once, as the active FAT's copy, and written back to
 * every copy when FATs are mirrored (fatgen103 "FAT Data Structure", and
 * BPB_ExtFlags for FAT32), so the copies never disagree on disk.
 */
#include <string.h>

#include "components/fat/cache.h"
#include "components/fat/error.h"

static uint8_t *slot_data(struct fat_volume *vol, uint32_t slot)
{
	return vol->cache_data + (size_t)slot * vol->bytes_per_sector;
}

void cache_init(struct fat_volume *vol)
{
	vol->cache_slots = FAT_CACHE_BYTES / vol->bytes_per_sector;
	vol->cache_clock = 0;
	for (uint32_t i = 0; i < FAT_CACHE_SLOTS; i++)
		vol->cache[i] = (struct fat_cache_slot){ 0 };
}

/*
 * Moves `count` disk sectors at `lba` from the disk into `into`, or, when
 * `from` is given instead, from `from` to the disk; in pieces of at most
 * the device's max_transfer sectors.
 */
static int disk_transfer(struct fat_volume *vol, uint64_t lba, uint32_t count, uint8_t *into,
			 const uint8_t *from)
{
	const struct fat_blockdev *dev = &vol->dev;
	const char *what = from ? "write" : "read";
	size_t done = 0;

	if (from && !dev->write)
		return fat_fail(vol, FAT_E_READ_ONLY, "the disk is read-only");
	if (count == 0 || lba > dev->sector_count || count > dev->sector_count - lba)
		return fat_fail(vol, FAT_E_CORRUPT,
				"%s of disk sectors %llu+%u is beyond the disk's %llu sectors",
				what, (unsigned long long)lba, count, (unsigned long long)dev->sector_count);
	while (count) {
		uint32_t n = dev->max_transfer && count > dev->max_transfer ? dev->max_transfer : count;
		int rc;
		if (from) {
			rc = dev->write(dev->ctx, lba, n, from + done);
			vol->unflushed = true;  /* a failed write may still have written some of its sectors */
		} else {
			rc = dev->read(dev->ctx, lba, n, into + done);
		}
		if (rc)
			return fat_fail(vol, FAT_E_IO, "disk %s of %u sectors at LBA %llu failed (%d)",
					what, n, (unsigned long long)lba, rc);
		lba += n;
		count -= n;
		done += (size_t)n * dev->sector_size;
	}
	return 0;
}

int disk_read(struct fat_volume *vol, uint64_t lba, uint32_t count, void *buf)
{
	return disk_transfer(vol, lba, count, buf, NULL);
}

static int disk_write(struct fat_volume *vol, uint64_t lba, uint32_t count, const void *buf)
{
	return disk_transfer(vol, lba, count, NULL, buf);
}

static int check_range(struct fat_volume *vol, uint32_t sector, uint32_t count)
{
	if (count == 0 || sector >= vol->total_sectors || count > vol->total_sectors - sector)
		return fat_fail(vol, FAT_E_CORRUPT, "sectors %u+%u are beyond the volume's %u sectors",
				sector, count, vol->total_sectors);
	return 0;
}

static uint64_t disk_lba(const struct fat_volume *vol, uint32_t sector)
{
	return vol->part_lba + (uint64_t)sector * vol->disk_per_sector;
}

int vol_read(struct fat_volume *vol, uint32_t sector, uint32_t count, void *buf)
{
	int rc = check_range(vol, sector, count);
	if (rc)
		return rc;
	return disk_read(vol, disk_lba(vol, sector), count * vol->disk_per_sector, buf);
}

int vol_write(struct fat_volume *vol, uint32_t sector, uint32_t count, const void *buf)
{
	int rc = check_range(vol, sector, count);
	if (rc)
		return rc;
	return disk_write(vol, disk_lba(vol, sector), count * vol->disk_per_sector, buf);
}

static uint32_t active_fat_start(const struct fat_volume *vol)
{
	return vol->fat_start + vol->active_fat * vol->fat_sectors;
}

static int write_back(struct fat_volume *vol, uint32_t slot)
{
	struct fat_cache_slot *s = &vol->cache[slot];
	uint32_t fat0 = active_fat_start(vol);
	int rc;

	if (vol->fat_mirrored && s->sector >= fat0 && s->sector - fat0 < vol->fat_sectors) {
		uint32_t rel = s->sector - fat0;
		for (uint32_t i = 0; i < vol->fat_count; i++) {
			rc = vol_write(vol, vol->fat_start + i * vol->fat_sectors + rel, 1,
				       slot_data(vol, slot));
			if (rc)
				return rc;
		}
	} else {
		rc = vol_write(vol, s->sector, 1, slot_data(vol, slot));
		if (rc)
			return rc;
	}
	s->dirty = false;
	return 0;
}

int cache_get(struct fat_volume *vol, uint32_t sector, enum cache_mode mode, uint8_t **data)
{
	uint32_t victim = 0;
	int rc;

	for (uint32_t i = 0; i < vol->cache_slots; i++) {
		struct fat_cache_slot *s = &vol->cache[i];
		if (s->valid && s->sector == sector) {
			s->last_use = ++vol->cache_clock;
			if (mode == CACHE_OVERWRITE)
				memset(slot_data(vol, i), 0, vol->bytes_per_sector);
			if (mode != CACHE_READ)
				s->dirty = true;
			*data = slot_data(vol, i);
			return 0;
		}
		if (!s->valid || (vol->cache[victim].valid && s->last_use < vol->cache[victim].last_use))
			victim = i;
	}

	struct fat_cache_slot *s = &vol->cache[victim];
	if (s->valid && s->dirty) {
		rc = write_back(vol, victim);
		if (rc)
			return rc;
	}
	s->valid = false;
	if (mode == CACHE_OVERWRITE) {
		rc = check_range(vol, sector, 1);
		if (rc)
			return rc;
		memset(slot_data(vol, victim), 0, vol->bytes_per_sector);
	} else {
		rc = vol_read(vol, sector, 1, slot_data(vol, victim));
		if (rc)
			return rc;
	}
	s->valid = true;
	s->sector = sector;
	s->dirty = mode != CACHE_READ;
	s->last_use = ++vol->cache_clock;
	*data = slot_data(vol, victim);
	return 0;
}

int cache_flush(struct fat_volume *vol)
{
	int first_error = 0;

	for (uint32_t i = 0; i < vol->cache_slots; i++) {
		if (vol->cache[i].valid && vol->cache[i].dirty) {
			int rc = write_back(vol, i);
			if (rc && !first_error)
				first_error = rc;
		}
	}
	return first_error;
}

void cache_overlay(struct fat_volume *vol, uint32_t first, uint32_t count, uint8_t *buf)
{
	for (uint32_t i = 0; i < vol->cache_slots; i++) {
		struct fat_cache_slot *s = &vol->cache[i];
		if (s->valid && s->sector >= first && s->sector - first < count)
			memcpy(buf + (size_t)(s->sector - first) * vol->bytes_per_sector,
			       slot_data(vol, i), vol->bytes_per_sector);
	}
}

void cache_drop(struct fat_volume *vol, uint32_t first, uint32_t count)
{
	for (uint32_t i = 0; i < vol->cache_slots; i++) {
		struct fat_cache_slot *s = &vol->cache[i];
		if (s->valid && s->sector >= first && s->sector - first < count)
			s->valid = s->dirty = false;
	}
}
