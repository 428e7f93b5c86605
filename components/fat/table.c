/*
 * table.c — FAT entries, chain walking, allocation and freeing
 * (fatgen103 "FAT Data Structure").
 *
 * Entries are read and written through the sector cache in the active FAT;
 * cache.c writes each dirty FAT sector to every mirrored copy.  FAT32
 * entries are 28 bits: the top 4 bits of the 32-bit slot are reserved and
 * kept as found when an entry is written.
 *
 * Cycles.  A damaged FAT can link a chain back into itself.  Every chain
 * walk goes through chain_next, which runs Brent's cycle detection: it
 * remembers one cluster and compares each new cluster with it, moving the
 * remembered point forward after windows of doubling length.  Once the
 * remembered cluster is on the cycle and the window is at least the cycle's
 * length, the walk meets it again: a cycle is reported within about three
 * times (tail + cycle length) steps, with no memory beyond three words per
 * cursor.  table_free_chain needs no detector: it frees as it goes, so a
 * cycle leads it to an already-free entry, which it reports.
 *
 * Allocation scans from a hint (the FSInfo next-free cluster, or the cluster
 * after the one being extended, so files tend to be contiguous) and wraps
 * around once.  The FSInfo free count is adjusted by every allocation and
 * free when it was known at mount.
 */
#include "components/fat/cache.h"
#include "components/fat/error.h"
#include "components/fat/layout.h"
#include "components/fat/table.h"

static uint32_t entry_bytes(const struct fat_volume *vol)
{
	return vol->type == FAT_TYPE_32 ? 4 : 2;
}

static uint32_t end_of_chain(const struct fat_volume *vol)
{
	return vol->type == FAT_TYPE_32 ? FAT32_EOC : FAT16_EOC;
}

static bool is_end(const struct fat_volume *vol, uint32_t value)
{
	return value >= (vol->type == FAT_TYPE_32 ? FAT32_EOC_MIN : FAT16_EOC_MIN);
}

static bool is_bad(const struct fat_volume *vol, uint32_t value)
{
	return value == (vol->type == FAT_TYPE_32 ? FAT32_BAD : FAT16_BAD);
}

/* Where entry `cluster` lives: a sector of the active FAT and an offset in it. */
static void entry_place(const struct fat_volume *vol, uint32_t cluster, uint32_t *sector, uint32_t *offset)
{
	uint64_t byte = (uint64_t)cluster * entry_bytes(vol);

	*sector = vol->fat_start + vol->active_fat * vol->fat_sectors + (uint32_t)(byte / vol->bytes_per_sector);
	*offset = (uint32_t)(byte % vol->bytes_per_sector);
}

static uint32_t entry_value(const struct fat_volume *vol, const uint8_t *p)
{
	return vol->type == FAT_TYPE_32 ? get_le32(p) & FAT32_MASK : get_le16(p);
}

static int table_get(struct fat_volume *vol, uint32_t cluster, uint32_t *value)
{
	uint32_t sector, offset;
	uint8_t *s;
	int rc;

	entry_place(vol, cluster, &sector, &offset);
	rc = cache_get(vol, sector, CACHE_READ, &s);
	if (rc)
		return rc;
	*value = entry_value(vol, s + offset);
	return 0;
}

static int table_set(struct fat_volume *vol, uint32_t cluster, uint32_t value)
{
	uint32_t sector, offset;
	uint8_t *s;
	int rc;

	if (vol->read_only)
		return fat_fail(vol, FAT_E_READ_ONLY, "the disk is read-only");
	entry_place(vol, cluster, &sector, &offset);
	rc = cache_get(vol, sector, CACHE_MODIFY, &s);
	if (rc)
		return rc;
	if (vol->type == FAT_TYPE_32)
		put_le32(s + offset, (get_le32(s + offset) & ~FAT32_MASK) | (value & FAT32_MASK));
	else
		put_le16(s + offset, (uint16_t)value);
	return 0;
}

int table_next(struct fat_volume *vol, uint32_t cluster, uint32_t *next)
{
	uint32_t value;
	int rc;

	if (!cluster_valid(vol, cluster))
		return fat_fail(vol, FAT_E_CORRUPT, "cluster %u is outside 2..%u",
				cluster, vol->cluster_count + 1);
	rc = table_get(vol, cluster, &value);
	if (rc)
		return rc;
	if (is_end(vol, value))
		return 0;
	if (value == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "cluster %u in a chain is marked free", cluster);
	if (is_bad(vol, value))
		return fat_fail(vol, FAT_E_CORRUPT, "cluster %u in a chain is marked bad", cluster);
	if (!cluster_valid(vol, value))
		return fat_fail(vol, FAT_E_CORRUPT, "cluster %u links to %u, outside 2..%u",
				cluster, value, vol->cluster_count + 1);
	*next = value;
	return 1;
}

static void count_allocated(struct fat_volume *vol)
{
	if (vol->free_count != FSI_UNKNOWN)
		vol->free_count = vol->free_count ? vol->free_count - 1 : FSI_UNKNOWN;
	vol->fsinfo_dirty = true;
}

static void count_freed(struct fat_volume *vol)
{
	if (vol->free_count != FSI_UNKNOWN)
		vol->free_count = vol->free_count < vol->cluster_count ? vol->free_count + 1 : FSI_UNKNOWN;
	vol->fsinfo_dirty = true;
}

int table_alloc(struct fat_volume *vol, uint32_t near, uint32_t *cluster)
{
	uint32_t eb = entry_bytes(vol);
	uint32_t last = vol->cluster_count + 1;
	uint32_t c = cluster_valid(vol, near) ? near : vol->next_free;
	uint32_t left = vol->cluster_count;
	int rc;

	if (vol->read_only)
		return fat_fail(vol, FAT_E_READ_ONLY, "the disk is read-only");
	if (!cluster_valid(vol, c))
		c = 2;
	/* Sector by sector: one cache lookup serves every entry in the sector. */
	while (left) {
		uint32_t sector, offset;
		uint8_t *s;

		entry_place(vol, c, &sector, &offset);
		rc = cache_get(vol, sector, CACHE_READ, &s);
		if (rc)
			return rc;
		for (; offset < vol->bytes_per_sector && left; offset += eb) {
			if (entry_value(vol, s + offset) == 0) {
				rc = table_set(vol, c, end_of_chain(vol));
				if (rc)
					return rc;
				count_allocated(vol);
				vol->next_free = c < last ? c + 1 : 2;
				*cluster = c;
				return 0;
			}
			left--;
			if (++c > last) {
				c = 2;
				break;
			}
		}
	}
	return fat_fail(vol, FAT_E_NO_SPACE, "all %u clusters are in use", vol->cluster_count);
}

int table_alloc_exact(struct fat_volume *vol, uint32_t cluster)
{
	uint32_t value;
	int rc;

	if (!cluster_valid(vol, cluster))
		return 0;
	rc = table_get(vol, cluster, &value);
	if (rc || value != 0)
		return rc;
	rc = table_set(vol, cluster, end_of_chain(vol));
	if (rc)
		return rc;
	count_allocated(vol);
	vol->next_free = cluster <= vol->cluster_count ? cluster + 1 : 2;
	return 1;
}

/* Linking a cluster that is not the end of its chain would orphan the rest. */
int table_link(struct fat_volume *vol, uint32_t cluster, uint32_t next)
{
	uint32_t value;
	int rc;

	if (!cluster_valid(vol, cluster) || !cluster_valid(vol, next))
		return fat_fail(vol, FAT_E_CORRUPT, "linking cluster %u to %u", cluster, next);
	rc = table_get(vol, cluster, &value);
	if (rc)
		return rc;
	if (!is_end(vol, value))
		return fat_fail(vol, FAT_E_CORRUPT, "cluster %u should end its chain but links to %u",
				cluster, value);
	return table_set(vol, cluster, next);
}

long table_free_chain(struct fat_volume *vol, uint32_t first)
{
	uint32_t c = first;
	long freed = 0;
	int rc;

	for (;;) {
		uint32_t value;

		if (!cluster_valid(vol, c))
			return fat_fail(vol, FAT_E_CORRUPT, "freeing cluster %u, outside 2..%u",
					c, vol->cluster_count + 1);
		rc = table_get(vol, c, &value);
		if (rc)
			return rc;
		if (value == 0)
			return fat_fail(vol, FAT_E_CORRUPT,
					"cluster %u in a chain is free (a cycle, or a shared chain)", c);
		rc = table_set(vol, c, 0);
		if (rc)
			return rc;
		count_freed(vol);
		freed++;
		if (is_end(vol, value))
			return freed;
		if (is_bad(vol, value))
			return fat_fail(vol, FAT_E_CORRUPT, "cluster %u in a chain is marked bad", c);
		c = value;
	}
}

long fat_count_free(struct fat_volume *vol)
{
	uint32_t eb, last, c = 2;
	long count = 0;

	if (!vol || !vol->mounted)
		return -FAT_E_INVALID;
	eb = entry_bytes(vol);
	last = vol->cluster_count + 1;
	while (c <= last) {
		uint32_t sector, offset;
		uint8_t *s;
		int rc;

		entry_place(vol, c, &sector, &offset);
		rc = cache_get(vol, sector, CACHE_READ, &s);
		if (rc)
			return rc;
		for (; offset < vol->bytes_per_sector && c <= last; offset += eb, c++)
			count += entry_value(vol, s + offset) == 0;
	}
	return count;
}

int chain_start(struct fat_volume *vol, struct fat_chain *chain, uint32_t first)
{
	if (first != 0 && !cluster_valid(vol, first))
		return fat_fail(vol, FAT_E_CORRUPT, "first cluster %u is outside 2..%u",
				first, vol->cluster_count + 1);
	*chain = (struct fat_chain){
		.first = first, .cluster = first, .index = 0,
		.cycle_mark = first, .cycle_window = 1, .cycle_steps = 0,
	};
	return 0;
}

int chain_next(struct fat_volume *vol, struct fat_chain *chain)
{
	uint32_t next;
	int rc;

	if (chain->cluster == 0)
		return 0;
	rc = table_next(vol, chain->cluster, &next);
	if (rc <= 0)
		return rc;
	if (next == chain->cycle_mark || chain->index >= vol->cluster_count)
		return fat_fail(vol, FAT_E_CORRUPT, "the cluster chain starting at %u runs in a cycle",
				chain->first);
	if (++chain->cycle_steps == chain->cycle_window) {
		chain->cycle_mark = next;
		chain->cycle_steps = 0;
		if (chain->cycle_window < 0x80000000u)
			chain->cycle_window *= 2;
	}
	chain->cluster = next;
	chain->index++;
	return 1;
}

int chain_seek(struct fat_volume *vol, struct fat_chain *chain, uint32_t index)
{
	int rc;

	if (index < chain->index) {
		rc = chain_start(vol, chain, chain->first);
		if (rc)
			return rc;
	}
	if (chain->first == 0)
		return 0;
	while (chain->index < index) {
		rc = chain_next(vol, chain);
		if (rc <= 0)
			return rc;
	}
	return 1;
}
