/*
 * dir.c — directory entries (fatgen103 "FAT Directory Structure" and "FAT
 * Long Directory Entries").
 *
 * A directory is an array of 32-byte entries, addressed here by index: in
 * the FAT16 root region, or across a cluster chain (dir_locate).  Reading
 * is one pass (dir_next) that gathers long-name entries and accepts them
 * only if they form a whole sequence — a first entry flagged LFN_LAST, then
 * ordinals counting down to 1, one checksum throughout — immediately before
 * a short entry whose checksum matches.  Anything else (orphans left by a
 * DOS that deleted the short entry, garbage, a broken sequence) is ignored
 * and the entry goes by its 8.3 name, as fatgen103 tells readers to do.
 *
 * Walks are bounded: at most DIR_MAX_ENTRIES entries, over a chain whose
 * cycles chain_next reports.
 *
 * Adding an entry takes two passes.  The first reads every entry: the name
 * must not exist (by long or 8.3 name), and the ~N tails already taken for
 * the new name's basis are marked in a bitmap, so the smallest free tail is
 * found in one pass however many similar names there are (fatgen103
 * "Numeric-Tail Generation").  The second finds a run of free entries long
 * enough for the long-name entries and the short entry, extending the
 * directory by zeroed clusters when there is none.  Entries written past the
 * old end marker get a new end marker after them.
 */
#include <string.h>

#include "components/fat/cache.h"
#include "components/fat/dir.h"
#include "components/fat/error.h"
#include "components/fat/layout.h"
#include "components/fat/name.h"
#include "components/fat/table.h"

/* Tails ~1 .. ~(TAIL_LIMIT-1) are tried; more similar names than that is an error. */
#define TAIL_LIMIT 1024

static const uint8_t dot_name[11] = ".          ";
static const uint8_t dotdot_name[11] = "..         ";

bool dirent_is_dot(const struct fat_dirent *entry)
{
	return !memcmp(entry->raw_name, dot_name, 11) || !memcmp(entry->raw_name, dotdot_name, 11);
}

static bool is_root(const struct fat_volume *vol, uint32_t cluster)
{
	return cluster == 0 || (vol->type == FAT_TYPE_32 && cluster == vol->root_cluster);
}

/* The name callers use for a directory: 0 for the root. */
static uint32_t dir_id(const struct fat_dir *dir)
{
	return is_root(dir->vol, dir->first_cluster) ? 0 : dir->first_cluster;
}

int dir_open(struct fat_volume *vol, uint32_t cluster, struct fat_dir *dir)
{
	memset(dir, 0, sizeof *dir);
	dir->vol = vol;
	if (is_root(vol, cluster)) {
		if (vol->type == FAT_TYPE_16)
			return 0;   /* the fixed region: first_cluster 0, no chain */
		cluster = vol->root_cluster;
	}
	if (!cluster_valid(vol, cluster))
		return fat_fail(vol, FAT_E_CORRUPT, "a directory starts at cluster %u, outside 2..%u",
				cluster, vol->cluster_count + 1);
	dir->first_cluster = cluster;
	return chain_start(vol, &dir->chain, cluster);
}

/* Where entry `index` lies: 1 and *sector, *offset; 0 if beyond the directory's space; < 0. */
static int dir_locate(struct fat_dir *dir, uint32_t index, uint32_t *sector, uint32_t *offset)
{
	struct fat_volume *vol = dir->vol;
	uint32_t byte = index * DIR_ENTRY_SIZE;
	int rc;

	if (index >= DIR_MAX_ENTRIES)
		return 0;
	if (dir->first_cluster == 0) {
		if (index >= vol->root_entries)
			return 0;
		*sector = vol->root_start + byte / vol->bytes_per_sector;
		*offset = byte % vol->bytes_per_sector;
		return 1;
	}
	rc = chain_seek(vol, &dir->chain, byte >> vol->cluster_shift);
	if (rc <= 0)
		return rc;
	byte &= vol->cluster_bytes - 1;
	*sector = cluster_sector(vol, dir->chain.cluster) + byte / vol->bytes_per_sector;
	*offset = byte % vol->bytes_per_sector;
	return 1;
}

/* Copies entry `index` out of the cache: 1, 0 beyond the directory's space, < 0. */
static int read_entry(struct fat_dir *dir, uint32_t index, struct fat_raw_entry *out)
{
	uint32_t sector, offset;
	uint8_t *s;
	int rc = dir_locate(dir, index, &sector, &offset);

	if (rc <= 0)
		return rc;
	rc = cache_get(dir->vol, sector, CACHE_READ, &s);
	if (rc)
		return rc;
	memcpy(out, s + offset, sizeof *out);
	return 1;
}

/* Writes entry `index` (which must exist). */
static int write_entry(struct fat_dir *dir, uint32_t index, const void *entry)
{
	uint32_t sector, offset;
	uint8_t *s;
	int rc = dir_locate(dir, index, &sector, &offset);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return fat_fail(dir->vol, FAT_E_CORRUPT, "directory entry %u vanished", index);
	rc = cache_get(dir->vol, sector, CACHE_MODIFY, &s);
	if (rc)
		return rc;
	memcpy(s + offset, entry, DIR_ENTRY_SIZE);
	return 0;
}

static uint32_t entry_cluster(const struct fat_volume *vol, const struct fat_raw_entry *e)
{
	uint32_t lo = get_le16(e->fst_clus_lo);

	/* On FAT16 the high half is not a cluster number (OS/2 kept other data there). */
	return vol->type == FAT_TYPE_32 ? (uint32_t)get_le16(e->fst_clus_hi) << 16 | lo : lo;
}

/* Long-name entries seen so far, waiting for their short entry. */
struct lfn_state {
	uint16_t units[LFN_MAX_ENTRIES * LFN_UNITS_PER_ENTRY];
	unsigned count;                 /* entries in the sequence */
	unsigned expect;                /* ordinal of the last one seen; 0: no sequence */
	uint8_t checksum;
	uint32_t first_index;
};

static void lfn_take(struct lfn_state *lfn, const struct fat_raw_entry *raw, uint32_t index)
{
	const struct fat_lfn_entry *e = (const struct fat_lfn_entry *)raw;
	unsigned ord = e->ord & LFN_ORD_MASK;

	if (e->ord & LFN_LAST) {
		if (ord == 0 || ord > LFN_MAX_ENTRIES || (e->ord & 0x80)) {
			lfn->expect = 0;
			return;
		}
		lfn->count = ord;
		lfn->checksum = e->checksum;
		lfn->first_index = index;
	} else if (!lfn->expect || ord != lfn->expect - 1 || e->checksum != lfn->checksum) {
		lfn->expect = 0;
		return;
	}
	lfn->expect = ord;
	name_lfn_units(e, lfn->units + (ord - 1) * LFN_UNITS_PER_ENTRY);
}

/* The long name, if lfn holds a whole sequence belonging to `raw_name`. */
static bool lfn_name(const struct lfn_state *lfn, const uint8_t raw_name[11], char *out, size_t size)
{
	size_t len = 0, max = lfn->count * LFN_UNITS_PER_ENTRY;

	if (lfn->expect != 1 || name_checksum(raw_name) != lfn->checksum)
		return false;
	while (len < max && lfn->units[len] != 0)
		len++;
	return len <= LFN_MAX_UNITS && name_from_utf16(lfn->units, len, out, size);
}

int dir_next(struct fat_dir *dir, struct fat_dirent *out)
{
	struct fat_volume *vol = dir->vol;
	struct lfn_state lfn;
	struct fat_raw_entry e;

	lfn.expect = 0;
	while (!dir->ended) {
		uint32_t index = dir->next_index;
		int rc = read_entry(dir, index, &e);
		if (rc < 0)
			return rc;
		if (rc == 0 || e.name[0] == NAME_END) {
			dir->ended = true;
			break;
		}
		dir->next_index++;
		if (e.name[0] == NAME_FREE) {
			lfn.expect = 0;
			continue;
		}
		if ((e.attr & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME) {
			lfn_take(&lfn, &e, index);
			continue;
		}
		if (e.attr & ATTR_VOLUME_ID) {      /* the volume label */
			lfn.expect = 0;
			continue;
		}

		memset(out, 0, sizeof *out);
		memcpy(out->raw_name, e.name, 11);
		out->attr = e.attr;
		out->size = get_le32(e.file_size);
		out->first_cluster = entry_cluster(vol, &e);
		out->write_date = get_le16(e.wrt_date);
		out->write_time = get_le16(e.wrt_time);
		out->dir_cluster = dir_id(dir);
		out->entry_index = index;
		out->first_index = index;
		name_short_text(e.name, 0, out->short_name);
		if (lfn_name(&lfn, e.name, out->name, sizeof out->name))
			out->first_index = lfn.first_index;
		else
			name_short_text(e.name, e.nt_res, out->name);
		if (out->name[0] == '\0')           /* a blank 8.3 name: garbage */
			strlcpy(out->name, "?", sizeof out->name);
		return 1;
	}
	return 0;
}

int dir_find(struct fat_volume *vol, uint32_t cluster, const char *name, size_t len,
	     struct fat_dirent *out)
{
	struct fat_dir dir;
	int rc = dir_open(vol, cluster, &dir);

	while (rc == 0 && (rc = dir_next(&dir, out)) == 1) {
		if (name_equal(name, len, out->name) || name_equal(name, len, out->short_name))
			return 0;
		rc = 0;
	}
	if (rc == 0)
		return fat_fail(vol, FAT_E_NOT_FOUND, "'%.*s' not found", (int)(len > 60 ? 60 : len), name);
	return rc;
}

static void stamp(const struct fat_volume *vol, struct fat_raw_entry *e, bool created)
{
	if (created) {
		put_le16(e->crt_time, vol->time);
		put_le16(e->crt_date, vol->date);
		e->crt_time_tenth = 0;
	}
	put_le16(e->wrt_time, vol->time);
	put_le16(e->wrt_date, vol->date);
	put_le16(e->lst_acc_date, vol->date);
}

static void set_cluster(const struct fat_volume *vol, struct fat_raw_entry *e, uint32_t cluster)
{
	put_le16(e->fst_clus_lo, (uint16_t)cluster);
	put_le16(e->fst_clus_hi, vol->type == FAT_TYPE_32 ? (uint16_t)(cluster >> 16) : 0);
}

static int zero_cluster(struct fat_volume *vol, uint32_t cluster)
{
	uint32_t first = cluster_sector(vol, cluster);
	uint8_t *s;

	for (uint32_t i = 0; i < vol->sectors_per_cluster; i++) {
		int rc = cache_get(vol, first + i, CACHE_OVERWRITE, &s);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Finds `need` consecutive free entries, growing the directory if needed.
 * *start is the first; *end_marker the index of the end marker before the
 * run was taken (UINT32_MAX if the run lies before it).
 */
static int find_room(struct fat_volume *vol, uint32_t cluster, uint32_t need,
		     uint32_t *start, uint32_t *end_marker)
{
	struct fat_dir dir;
	struct fat_raw_entry e;
	uint32_t run_start = 0, run = 0, index;
	int rc = dir_open(vol, cluster, &dir);

	*end_marker = UINT32_MAX;
	for (index = 0; rc == 0; index++) {
		rc = read_entry(&dir, index, &e);
		if (rc <= 0)
			break;
		rc = 0;
		if (e.name[0] == NAME_END && *end_marker == UINT32_MAX)
			*end_marker = index;
		if (e.name[0] == NAME_FREE || *end_marker != UINT32_MAX) {
			if (run++ == 0)
				run_start = index;
			if (run == need) {
				*start = run_start;
				return 0;
			}
		} else {
			run = 0;
		}
	}
	if (rc < 0)
		return rc;

	/* No room: the directory grows by zeroed clusters, the run continuing into them. */
	if (dir.first_cluster == 0)
		return fat_fail(vol, FAT_E_DIR_FULL, "the root directory's %u entries are all in use",
				vol->root_entries);
	if (run == 0)
		run_start = index;
	if (run_start + need > DIR_MAX_ENTRIES)
		return fat_fail(vol, FAT_E_DIR_FULL, "a directory holds at most %u entries",
				DIR_MAX_ENTRIES);
	uint32_t last = dir.chain.cluster;
	uint32_t per_cluster = vol->cluster_bytes / DIR_ENTRY_SIZE;
	while (run < need) {
		uint32_t fresh;
		rc = table_alloc(vol, last + 1, &fresh);
		if (rc)
			return rc;
		rc = zero_cluster(vol, fresh);
		if (!rc)
			rc = table_link(vol, last, fresh);
		if (rc) {
			table_free_chain(vol, fresh);
			return rc;
		}
		last = fresh;
		run += per_cluster;
	}
	*start = run_start;
	if (*end_marker == UINT32_MAX)
		*end_marker = index;
	return 0;
}

/* The smallest ~N tail no entry uses for this basis. */
static int choose_tail(struct fat_volume *vol, const uint8_t *taken, struct short_basis *basis,
		       uint8_t raw[11])
{
	for (uint32_t n = 1; n < TAIL_LIMIT; n++) {
		if (!(taken[n / 8] & (1 << (n % 8)))) {
			name_with_tail(basis, n, raw);
			return 0;
		}
	}
	return fat_fail(vol, FAT_E_DIR_FULL, "no free ~N short name left for this name");
}

int dir_add(struct fat_volume *vol, uint32_t cluster, const char *name, size_t len,
	    uint8_t attr, uint32_t first_cluster, struct fat_dirent *out)
{
	uint16_t units[LFN_MAX_UNITS];
	uint8_t taken[TAIL_LIMIT / 8];
	struct short_basis basis;
	struct fat_raw_entry e;
	struct fat_dir dir;
	const char *why;
	uint8_t raw[11];
	bool basis_taken = false;
	int count, rc;

	if (vol->read_only)
		return fat_fail(vol, FAT_E_READ_ONLY, "the disk is read-only");
	count = name_to_utf16(name, len, units, &why);
	if (count < 0)
		return fat_fail(vol, FAT_E_BAD_NAME, "'%.*s': %s", (int)(len > 60 ? 60 : len), name, why);
	name_make_basis(units, (size_t)count, &basis);

	/* Pass 1: the name is new, and which tails are taken.  `out` is scratch. */
	memset(taken, 0, sizeof taken);
	rc = dir_open(vol, cluster, &dir);
	while (rc == 0 && (rc = dir_next(&dir, out)) == 1) {
		if (name_equal(name, len, out->name) || name_equal(name, len, out->short_name))
			return fat_fail(vol, FAT_E_EXISTS, "'%s' exists", out->name);
		if (!memcmp(out->raw_name, basis.name, 11))
			basis_taken = true;
		uint32_t n = name_tail_of(&basis, out->raw_name);
		if (n && n < TAIL_LIMIT)
			taken[n / 8] |= (uint8_t)(1 << (n % 8));
		rc = 0;
	}
	if (rc < 0)
		return rc;
	/* A safety net: a name whose basis is taken matched that entry's 8.3 name above,
	 * unless the entry's bytes are odd (0x05, bytes >= 0x80); 8.3 names stay unique. */
	if (basis_taken)
		basis.needs_tail = basis.needs_long_name = true;
	if (basis.needs_tail) {
		rc = choose_tail(vol, taken, &basis, raw);
		if (rc)
			return rc;
	} else {
		memcpy(raw, basis.name, 11);
	}

	/* Pass 2: room for the long-name entries and the short entry. */
	uint32_t lfn_entries = basis.needs_long_name ? ((uint32_t)count + LFN_UNITS_PER_ENTRY - 1) / LFN_UNITS_PER_ENTRY : 0;
	uint32_t start = 0, end_marker;
	rc = find_room(vol, cluster, lfn_entries + 1, &start, &end_marker);
	if (rc)
		return rc;
	rc = dir_open(vol, cluster, &dir);
	if (rc)
		return rc;
	uint8_t checksum = name_checksum(raw);
	for (uint32_t i = 0; i < lfn_entries; i++) {
		struct fat_lfn_entry lfn;
		name_lfn_fill(&lfn, units, (size_t)count, lfn_entries - i, i == 0, checksum);
		rc = write_entry(&dir, start + i, &lfn);
		if (rc)
			return rc;
	}
	memset(&e, 0, sizeof e);
	memcpy(e.name, raw, 11);
	e.attr = attr;
	e.nt_res = basis.needs_long_name ? 0 : basis.nt_res;
	stamp(vol, &e, true);
	set_cluster(vol, &e, first_cluster);
	rc = write_entry(&dir, start + lfn_entries, &e);
	if (rc)
		return rc;

	/* Entries taken from beyond the end marker need one after them. */
	uint32_t after = start + lfn_entries + 1;
	if (end_marker != UINT32_MAX && after > end_marker) {
		rc = read_entry(&dir, after, &e);
		if (rc < 0)
			return rc;
		if (rc == 1 && e.name[0] != NAME_END) {
			memset(&e, 0, sizeof e);
			rc = write_entry(&dir, after, &e);
			if (rc)
				return rc;
		}
	}

	memset(out, 0, sizeof *out);
	memcpy(out->raw_name, raw, 11);
	out->attr = attr;
	out->first_cluster = first_cluster;
	out->dir_cluster = dir_id(&dir);
	out->entry_index = start + lfn_entries;
	out->first_index = start;
	out->write_date = vol->date;
	out->write_time = vol->time;
	name_short_text(raw, 0, out->short_name);
	if (basis.needs_long_name)
		name_from_utf16(units, (size_t)count, out->name, sizeof out->name);
	else
		name_short_text(raw, e.nt_res, out->name);
	return 0;
}

/* Reads the short entry at `index` and checks it is still the one named raw_name. */
static int entry_check(struct fat_dir *dir, uint32_t index, const uint8_t raw_name[11],
		       struct fat_raw_entry *e)
{
	int rc = read_entry(dir, index, e);

	if (rc < 0)
		return rc;
	if (rc == 0 || memcmp(e->name, raw_name, 11) != 0)
		return fat_fail(dir->vol, FAT_E_CORRUPT,
				"directory entry %u changed while it was in use", index);
	return 0;
}

int dir_update(struct fat_volume *vol, uint32_t cluster, uint32_t index, const uint8_t raw_name[11],
	       uint32_t first_cluster, uint32_t size)
{
	struct fat_raw_entry e;
	struct fat_dir dir;
	int rc = dir_open(vol, cluster, &dir);

	if (!rc)
		rc = entry_check(&dir, index, raw_name, &e);
	if (rc)
		return rc;
	set_cluster(vol, &e, first_cluster);
	put_le32(e.file_size, size);
	e.attr |= ATTR_ARCHIVE;
	stamp(vol, &e, false);
	return write_entry(&dir, index, &e);
}

int dir_remove(struct fat_volume *vol, const struct fat_dirent *entry)
{
	struct fat_raw_entry e;
	struct fat_dir dir;
	int rc = dir_open(vol, entry->dir_cluster, &dir);

	if (!rc)
		rc = entry_check(&dir, entry->entry_index, entry->raw_name, &e);
	for (uint32_t i = entry->first_index; !rc && i <= entry->entry_index; i++) {
		rc = read_entry(&dir, i, &e);
		if (rc == 1) {
			e.name[0] = NAME_FREE;
			rc = write_entry(&dir, i, &e);
		} else if (rc == 0) {
			rc = fat_fail(vol, FAT_E_CORRUPT, "directory entry %u vanished", i);
		}
	}
	return rc;
}

int dir_is_empty(struct fat_volume *vol, uint32_t cluster)
{
	struct fat_dirent entry;
	struct fat_dir dir;
	int rc = dir_open(vol, cluster, &dir);

	while (rc == 0 && (rc = dir_next(&dir, &entry)) == 1) {
		if (!dirent_is_dot(&entry))
			return 0;
		rc = 0;
	}
	return rc < 0 ? rc : 1;
}

int dir_init(struct fat_volume *vol, uint32_t cluster, uint32_t parent)
{
	struct fat_raw_entry e;
	struct fat_dir dir;
	int rc = zero_cluster(vol, cluster);

	if (!rc)
		rc = dir_open(vol, cluster, &dir);
	if (rc)
		return rc;
	memset(&e, 0, sizeof e);
	memcpy(e.name, dot_name, 11);
	e.attr = ATTR_DIRECTORY;
	stamp(vol, &e, true);
	set_cluster(vol, &e, cluster);
	rc = write_entry(&dir, 0, &e);
	if (rc)
		return rc;
	memcpy(e.name, dotdot_name, 11);
	set_cluster(vol, &e, is_root(vol, parent) ? 0 : parent);
	return write_entry(&dir, 1, &e);
}
