/*
 * mount.c — finding the volume (LBA 0 or the first MBR partition), checking
 * its BPB, the FAT32 FSInfo sector, and flushing and unmounting.
 *
 * Every BPB field is checked before any is used, with a message naming the
 * field and its value: an image whose boot sector was damaged must be
 * refused at mount with a clear reason, not mounted with a geometry that
 * sends later reads outside the disk.  The geometry is computed as
 * fatgen103 "FAT Type Determination" does, in 64-bit arithmetic so hostile
 * values cannot overflow.
 *
 * One deliberate departure from fatgen103: the FAT type follows the BPB's
 * layout (BPB_FATSz16 == 0 means FAT32), as Linux and dosfstools decide it,
 * and the cluster count only separates FAT12 from FAT16.  mkfs.vfat -F 32
 * makes FAT32 volumes below the spec's 65525 clusters, and they must mount
 * as what they are.
 */
#include <string.h>

#include "components/fat/cache.h"
#include "components/fat/error.h"
#include "components/fat/layout.h"
#include "components/fat/table.h"

static bool is_power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

static uint32_t log2_of(uint32_t v)
{
	uint32_t n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static bool valid_sector_size(uint32_t bytes)
{
	return bytes >= 512 && bytes <= FAT_SECTOR_MAX && is_power_of_two(bytes);
}

/* A boot sector starts with a jump (EB xx 90 or E9 xx xx) and gives a sector size. */
static bool looks_like_boot_sector(const uint8_t *b)
{
	bool jump = (b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9;
	return jump && get_le16(b + BPB_BYTSPERSEC) != 0;
}

/*
 * Reads the BPB in `b`, the first sector of a volume at disk sector `lba`
 * that may span `avail` disk sectors, into vol's geometry.
 */
static int parse_bpb(struct fat_volume *vol, const uint8_t *b, uint64_t lba, uint64_t avail)
{
	uint32_t bps = get_le16(b + BPB_BYTSPERSEC);
	uint32_t spc = b[BPB_SECPERCLUS];
	uint32_t reserved = get_le16(b + BPB_RSVDSECCNT);
	uint32_t fats = b[BPB_NUMFATS];
	uint32_t root_entries = get_le16(b + BPB_ROOTENTCNT);
	uint32_t total = get_le16(b + BPB_TOTSEC16);
	uint32_t fat_size = get_le16(b + BPB_FATSZ16);
	bool fat32 = fat_size == 0;

	if (!looks_like_boot_sector(b))
		return fat_fail(vol, FAT_E_NOT_FAT, "no FAT boot sector at LBA %llu (it begins %02x %02x %02x)",
				(unsigned long long)lba, b[0], b[1], b[2]);
	if (!valid_sector_size(bps))
		return fat_fail(vol, FAT_E_NOT_FAT,
				"BPB: %u bytes per sector (must be 512, 1024, 2048 or 4096)", bps);
	if (bps < vol->dev.sector_size)
		return fat_fail(vol, FAT_E_UNSUPPORTED, "BPB: %u-byte sectors on a disk of %u-byte sectors",
				bps, vol->dev.sector_size);
	if (!is_power_of_two(spc))
		return fat_fail(vol, FAT_E_NOT_FAT, "BPB: %u sectors per cluster (not a power of two)", spc);
	if (bps * spc > 65536)
		return fat_fail(vol, FAT_E_UNSUPPORTED, "BPB: clusters of %u bytes (more than 64 KiB)",
				bps * spc);
	if (reserved == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: no reserved sectors (the boot sector is one)");
	if (fats == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: the number of FATs is 0");
	if (total == 0)
		total = get_le32(b + BPB_TOTSEC32);
	if (total == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: the volume has 0 sectors");
	if (fat32)
		fat_size = get_le32(b + BPB_FATSZ32);
	if (fat_size == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: the FAT has 0 sectors");
	if (fat32 && root_entries != 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: a FAT32 volume with %u root entries (must be 0)",
				root_entries);
	if (!fat32 && root_entries == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: a FAT16 volume with no root directory entries");

	uint64_t root_sectors = ((uint64_t)root_entries * DIR_ENTRY_SIZE + bps - 1) / bps;
	uint64_t meta = reserved + (uint64_t)fats * fat_size + root_sectors;
	if (meta >= total)
		return fat_fail(vol, FAT_E_CORRUPT,
				"BPB: reserved sectors, FATs and root directory (%llu sectors) fill the volume (%u)",
				(unsigned long long)meta, total);
	uint32_t clusters = (uint32_t)((total - meta) / spc);
	uint32_t entry_bytes = fat32 ? 4 : 2;

	if (clusters == 0)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: the volume has no room for a cluster");
	if (!fat32 && clusters <= FAT12_MAX_CLUSTERS)
		return fat_fail(vol, FAT_E_UNSUPPORTED, "FAT12 (%u clusters) is not supported", clusters);
	if (!fat32 && clusters > FAT16_MAX_CLUSTERS)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: a FAT16 layout with %u clusters (FAT16 allows %u)",
				clusters, FAT16_MAX_CLUSTERS);
	if (fat32 && clusters > FAT32_BAD - 2)
		clusters = FAT32_BAD - 2;       /* entries beyond these are reserved values */
	if ((uint64_t)fat_size * bps / entry_bytes < (uint64_t)clusters + 2)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: a FAT of %u sectors cannot map %u clusters",
				fat_size, clusters);

	uint32_t ratio = bps / vol->dev.sector_size;
	if ((uint64_t)total * ratio > avail)
		return fat_fail(vol, FAT_E_CORRUPT,
				"the volume has %llu disk sectors but only %llu are there (truncated image?)",
				(unsigned long long)total * ratio, (unsigned long long)avail);

	vol->part_lba = lba;
	vol->disk_per_sector = ratio;
	vol->type = fat32 ? FAT_TYPE_32 : FAT_TYPE_16;
	vol->bytes_per_sector = bps;
	vol->sectors_per_cluster = spc;
	vol->cluster_bytes = bps * spc;
	vol->cluster_shift = log2_of(bps * spc);
	vol->total_sectors = total;
	vol->fat_start = reserved;
	vol->fat_sectors = fat_size;
	vol->fat_count = fats;
	vol->active_fat = 0;
	vol->fat_mirrored = true;
	vol->cluster_count = clusters;
	vol->free_count = FSI_UNKNOWN;
	vol->next_free = 2;

	if (!fat32) {
		vol->root_start = (uint32_t)(reserved + (uint64_t)fats * fat_size);
		vol->root_entries = root_entries;
		vol->data_start = (uint32_t)meta;
		return 0;
	}

	uint32_t version = get_le16(b + BPB_FSVER);
	uint32_t ext_flags = get_le16(b + BPB_EXTFLAGS);
	uint32_t root = get_le32(b + BPB_ROOTCLUS);
	if (version != 0)
		return fat_fail(vol, FAT_E_UNSUPPORTED, "FAT32 version %u.%u (only 0.0 exists)",
				version >> 8, version & 0xff);
	if (root < 2 || root > clusters + 1)
		return fat_fail(vol, FAT_E_CORRUPT, "BPB: root directory cluster %u is outside 2..%u",
				root, clusters + 1);
	if (ext_flags & EXTFLAGS_NO_MIRROR) {
		vol->active_fat = ext_flags & EXTFLAGS_ACTIVE_MASK;
		vol->fat_mirrored = false;
		if (vol->active_fat >= fats)
			return fat_fail(vol, FAT_E_CORRUPT, "BPB: active FAT %u of %u",
					vol->active_fat, fats);
	}
	vol->root_cluster = root;
	vol->data_start = (uint32_t)meta;
	/* FSInfo is read once the cache is up; a bad sector number means none. */
	uint32_t fsinfo = get_le16(b + BPB_FSINFO);
	vol->fsinfo_sector = fsinfo >= 1 && fsinfo < reserved ? fsinfo : 0;
	return 0;
}

/*
 * fatgen103 "FAT32 FSInfo Sector Structure": the free count and next-free
 * hint are only hints.  They are used if the signatures are right and the
 * values in range; otherwise the sector is left alone and the count unknown.
 */
static int read_fsinfo(struct fat_volume *vol)
{
	uint8_t *s;
	int rc;

	if (!vol->fsinfo_sector)
		return 0;
	rc = cache_get(vol, vol->fsinfo_sector, CACHE_READ, &s);
	if (rc)
		return rc;
	if (get_le32(s + FSI_LEADSIG) != FSI_LEADSIG_VALUE ||
	    get_le32(s + FSI_STRUCSIG) != FSI_STRUCSIG_VALUE ||
	    get_le32(s + FSI_TRAILSIG) != FSI_TRAILSIG_VALUE) {
		vol->fsinfo_sector = 0;
		return 0;
	}
	uint32_t free_count = get_le32(s + FSI_FREE_COUNT);
	uint32_t next = get_le32(s + FSI_NXT_FREE);
	vol->free_count = free_count <= vol->cluster_count ? free_count : FSI_UNKNOWN;
	vol->next_free = next >= 2 && next <= vol->cluster_count + 1 ? next : 2;
	return 0;
}

static bool is_fat_partition_type(uint8_t type)
{
	switch (type) {
	case 0x01: case 0x04: case 0x06: case 0x0b: case 0x0c: case 0x0e:
	case 0x11: case 0x14: case 0x16: case 0x1b: case 0x1c: case 0x1e:   /* hidden ones */
		return true;
	default:
		return false;
	}
}

/* The first used entry of an MBR partition table, which must be a FAT partition. */
static int find_partition(struct fat_volume *vol, const uint8_t *mbr, uint64_t *start, uint64_t *size)
{
	if (get_le16(mbr + BS_SIGNATURE) != 0xaa55)
		return fat_fail(vol, FAT_E_NOT_FAT,
				"no FAT boot sector and no partition table at LBA 0 (it begins %02x %02x %02x)",
				mbr[0], mbr[1], mbr[2]);
	for (int i = 0; i < MBR_ENTRIES; i++) {
		const uint8_t *e = mbr + MBR_TABLE + i * MBR_ENTRY_SIZE;
		uint8_t type = e[MBR_TYPE];
		uint32_t first = get_le32(e + MBR_START_LBA);
		uint32_t count = get_le32(e + MBR_SECTORS);

		if (type == 0 && first == 0 && count == 0)
			continue;
		if ((e[0] != 0x00 && e[0] != 0x80) || type == 0)
			return fat_fail(vol, FAT_E_NOT_FAT,
					"no FAT boot sector at LBA 0, and partition %d is not valid "
					"(status 0x%02x, type 0x%02x)", i + 1, e[0], type);
		if (type == 0xee)
			return fat_fail(vol, FAT_E_UNSUPPORTED, "a GPT disk (only MBR partitions are supported)");
		if (!is_fat_partition_type(type))
			return fat_fail(vol, FAT_E_NOT_FAT, "partition %d has type 0x%02x, not FAT", i + 1, type);
		if (first == 0 || count == 0 || first >= vol->dev.sector_count ||
		    count > vol->dev.sector_count - first)
			return fat_fail(vol, FAT_E_CORRUPT,
					"partition %d (sectors %u+%u) does not fit the disk's %llu sectors",
					i + 1, first, count, (unsigned long long)vol->dev.sector_count);
		*start = first;
		*size = count;
		return 0;
	}
	return fat_fail(vol, FAT_E_NOT_FAT, "no FAT boot sector at LBA 0 and an empty partition table");
}

int fat_mount(struct fat_volume *vol, const struct fat_blockdev *dev)
{
	uint64_t start = 0, size;
	int rc;

	if (!vol)
		return -FAT_E_INVALID;
	memset(vol, 0, sizeof *vol);
	if (!dev || !dev->read || !valid_sector_size(dev->sector_size) || dev->sector_count == 0)
		return fat_fail(vol, FAT_E_INVALID, "the block device is incomplete or has bad sector size");
	vol->dev = *dev;
	vol->read_only = !dev->write;
	size = dev->sector_count;

	/* The cache is not set up yet; its memory serves as the buffer for sector 0. */
	uint8_t *sector = vol->cache_data;
	rc = disk_read(vol, 0, 1, sector);
	if (rc)
		return rc;
	if (!looks_like_boot_sector(sector)) {
		rc = find_partition(vol, sector, &start, &size);
		if (rc)
			return rc;
		rc = disk_read(vol, start, 1, sector);
		if (rc)
			return rc;
	}
	rc = parse_bpb(vol, sector, start, size);
	if (rc)
		return rc;

	cache_init(vol);
	rc = read_fsinfo(vol);
	if (rc)
		return rc;
	vol->mounted = true;
	fat_set_time(vol, 2025, 1, 1, 0, 0, 0);
	vol->message[0] = '\0';
	return 0;
}

static int write_fsinfo(struct fat_volume *vol)
{
	uint8_t *s;
	int rc;

	if (!vol->fsinfo_sector || !vol->fsinfo_dirty)
		return 0;
	rc = cache_get(vol, vol->fsinfo_sector, CACHE_MODIFY, &s);
	if (rc)
		return rc;
	put_le32(s + FSI_FREE_COUNT, vol->free_count);
	put_le32(s + FSI_NXT_FREE, vol->next_free);
	vol->fsinfo_dirty = false;
	return 0;
}

int fat_flush(struct fat_volume *vol)
{
	int rc;

	if (!vol || !vol->mounted)
		return -FAT_E_INVALID;
	rc = write_fsinfo(vol);
	if (!rc)
		rc = cache_flush(vol);
	if (!rc && vol->unflushed && vol->dev.flush) {
		if (vol->dev.flush(vol->dev.ctx))
			return fat_fail(vol, FAT_E_IO, "the disk's flush failed");
		vol->unflushed = false;
	}
	return rc;
}

int fat_unmount(struct fat_volume *vol)
{
	int rc = fat_flush(vol);

	if (vol && vol->mounted)
		vol->mounted = false;
	return rc;
}

int fat_set_time(struct fat_volume *vol, unsigned year, unsigned month, unsigned day,
		 unsigned hour, unsigned minute, unsigned second)
{
	if (!vol || !vol->mounted)
		return -FAT_E_INVALID;
	/* fatgen103 "Date and Time Formats": years 1980..2107, seconds in 2 s steps. */
	if (year < 1980 || year > 2107 || month < 1 || month > 12 || day < 1 || day > 31 ||
	    hour > 23 || minute > 59 || second > 59)
		return fat_fail(vol, FAT_E_INVALID, "time %u-%u-%u %u:%u:%u cannot be stored in FAT",
				year, month, day, hour, minute, second);
	vol->date = (uint16_t)((year - 1980) << 9 | month << 5 | day);
	vol->time = (uint16_t)(hour << 11 | minute << 5 | second / 2);
	return 0;
}

int fat_info(struct fat_volume *vol, struct fat_info *out)
{
	if (!vol || !vol->mounted || !out)
		return -FAT_E_INVALID;
	out->type = vol->type;
	out->bytes_per_sector = vol->bytes_per_sector;
	out->cluster_bytes = vol->cluster_bytes;
	out->cluster_count = vol->cluster_count;
	out->free_clusters = vol->free_count;
	out->first_lba = vol->part_lba;
	return 0;
}
