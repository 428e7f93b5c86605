/*
 * fat.h — a FAT16/FAT32 file system library: mount, list, read, create,
 * overwrite, append, delete, make directories.
 *
 * Design.  The library is pure logic.  It touches the disk only through a
 * struct fat_blockdev of three callbacks (read, write, flush N sectors at an
 * LBA into a caller's buffer), so the same code runs in the host tool
 * (tools/fattool.c, on an image file) and in a Pinfold component (on the
 * block service).  It never allocates: the caller provides every piece of
 * state — a struct fat_volume per mounted volume (20 KiB, its 16 KiB sector
 * cache included), a struct fat_file (72 bytes) per open file, a struct
 * fat_dir (48 bytes) and a struct fat_dirent (828 bytes) to list a
 * directory — so a component can hold them in static storage.  No call
 * needs more than 3 KiB of stack (measured with gcc -fstack-usage).
 *
 * Layers, bottom up, one file each:
 *   cache.c   the volume's sector I/O: bounds checks, a small write-back
 *             cache for FAT, directory and partial data sectors
 *   mount.c   MBR and BPB parsing and validation, FSInfo, flush, unmount
 *   table.c   FAT entries, cluster chains (with cycle detection), allocation
 *   name.c    8.3 names, long names, UTF-8 <-> UTF-16, numeric tails
 *   dir.c     directory entries: iterate, find, add, update, remove
 *   path.c    paths, and the operations on names: stat, list, mkdir, remove
 *   file.c    open, read, write, seek, close
 *   error.c   error codes and the message of the last failure
 *   layout.h  the on-disk structures, with the specification's names
 *
 * Errors.  Every function that can fail returns a negative enum fat_error
 * (counts and successes are >= 0), and leaves a one-line explanation in
 * fat_message(vol), e.g. "cluster 1234 links to 70000, outside 2..65526".  A damaged or hostile image is an error, never a crash,
 * an endless loop or an access outside a buffer: every value read from the
 * disk is range-checked before it is used, chains are walked with cycle
 * detection, and directory walks are bounded by the FAT limit of 65536
 * entries.
 *
 * Semantics and limits.
 *  - Names are UTF-8; lookups ignore ASCII case (FAT preserves case but
 *    matches without it) and match the long name or the 8.3 alias.  Other
 *    letters compare exactly.  Short names with bytes >= 0x80 (an OEM code
 *    page) are shown as Latin-1.
 *  - New names that fit 8.3 in one case ("readme.txt", "README.TXT") get a
 *    short entry only (with the NT case flags, as Linux and mtools do);
 *    others get long-name entries and an 8.3 alias with a ~N tail.
 *  - Timestamps are those set by fat_set_time, by default a fixed epoch
 *    (2025-01-01 00:00:00): Pinfold has no wall clock.
 *  - Both FAT copies are written (only the active one if a FAT32 volume has
 *    mirroring off).  The FAT32 FSInfo free count is kept exact if it was
 *    valid at mount (else it is left unknown, 0xFFFFFFFF), and the next-free
 *    hint points after the last cluster allocated.
 *  - Not detected: two files sharing clusters (that needs a bitmap of the
 *    whole FAT); a directory that contains itself is bounded by path depth.
 *  - One open file per name at a time: two fat_file structs writing one file
 *    corrupt it (memory stays safe).  Not thread-safe: one caller at a time
 *    per volume.
 */
#ifndef PINFOLD_FAT_H
#define PINFOLD_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fat_error {
	FAT_OK = 0,
	FAT_E_IO,               /* the block device reported an error */
	FAT_E_NOT_FAT,          /* no FAT file system: bad boot sector or partition table */
	FAT_E_UNSUPPORTED,      /* FAT12, or a sector size the disk cannot serve */
	FAT_E_CORRUPT,          /* the on-disk structures contradict themselves */
	FAT_E_NOT_FOUND,
	FAT_E_EXISTS,
	FAT_E_NOT_DIR,
	FAT_E_IS_DIR,
	FAT_E_NOT_EMPTY,
	FAT_E_NO_SPACE,         /* no free cluster left */
	FAT_E_DIR_FULL,         /* FAT16 root directory, or 65536 entries, or no ~N tail left */
	FAT_E_BAD_NAME,         /* empty, too long, or with a character FAT forbids */
	FAT_E_TOO_BIG,          /* a file cannot reach 4 GiB */
	FAT_E_READ_ONLY,        /* opened without FAT_WRITE, read-only file or device */
	FAT_E_INVALID,          /* a bad argument: not mounted, NULL, out-of-range offset */
	FAT_ERROR_COUNT
};

/*
 * The disk.  Sector numbers and counts are in the disk's own sectors
 * (sector_size bytes each).  Each callback returns 0 on success, anything
 * else on failure.  buf is any caller memory (the volume's cache or the
 * buffer given to fat_read/fat_write), so an adapter that needs DMA-able
 * memory may copy.  write may be NULL for a read-only disk, flush may be NULL.
 */
struct fat_blockdev {
	void *ctx;
	uint32_t sector_size;           /* 512, 1024, 2048 or 4096 */
	uint64_t sector_count;
	uint32_t max_transfer;          /* sectors per call; 0 means no limit */
	int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf);
	int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf);
	int (*flush)(void *ctx);
};

#define FAT_SECTOR_MAX   4096
#define FAT_CACHE_BYTES  16384          /* 32 sectors of 512 bytes, or 4 of 4096 */
#define FAT_CACHE_SLOTS  (FAT_CACHE_BYTES / 512)
#define FAT_NAME_MAX     765            /* UTF-8 bytes of a 255-unit long name */
#define FAT_SHORT_NAME_MAX 23           /* "NAME.EXT", each byte >= 0x80 as 2 UTF-8 bytes */
#define FAT_MESSAGE_MAX  160

enum fat_type { FAT_TYPE_16 = 16, FAT_TYPE_32 = 32 };

/*
 * A position in a cluster chain.  Fields are private to table.c; they are
 * here only so that callers can hold the structs that embed a chain.
 */
struct fat_chain {
	uint32_t first;                 /* 0: the chain is empty */
	uint32_t cluster;               /* the cluster at position `index` */
	uint32_t index;
	uint32_t cycle_mark;            /* Brent's cycle detection: a remembered cluster, */
	uint32_t cycle_window;          /* how long it is kept, */
	uint32_t cycle_steps;           /* and the steps taken since it was set */
};

/* One sector of the cache; the data is cache_data[slot * bytes_per_sector]. */
struct fat_cache_slot {
	uint32_t sector;                /* volume sector */
	uint32_t last_use;              /* for least-recently-used eviction */
	bool valid;
	bool dirty;
};

/* A mounted volume.  Every field is private: use the functions below. */
struct fat_volume {
	/* First, page-aligned, so an adapter can pin or grant it for DMA. */
	uint8_t cache_data[FAT_CACHE_BYTES] __attribute__((aligned(4096)));
	struct fat_cache_slot cache[FAT_CACHE_SLOTS];
	uint32_t cache_slots;           /* FAT_CACHE_BYTES / bytes_per_sector */
	uint32_t cache_clock;

	struct fat_blockdev dev;
	bool mounted;
	bool read_only;                 /* no write callback */
	uint64_t part_lba;              /* the volume's first disk sector */
	uint32_t disk_per_sector;       /* disk sectors per volume sector */

	enum fat_type type;
	uint32_t bytes_per_sector;
	uint32_t sectors_per_cluster;
	uint32_t cluster_bytes;
	uint32_t cluster_shift;         /* log2(cluster_bytes) */
	uint32_t total_sectors;
	uint32_t fat_start;             /* first sector of FAT 0 */
	uint32_t fat_sectors;           /* of each copy */
	uint32_t fat_count;
	uint32_t active_fat;            /* the one read; all are written when mirrored */
	bool fat_mirrored;
	uint32_t root_start;            /* FAT16: the fixed root directory region */
	uint32_t root_entries;
	uint32_t root_cluster;          /* FAT32: the root directory's first cluster */
	uint32_t data_start;            /* sector of cluster 2 */
	uint32_t cluster_count;         /* valid clusters are 2 .. cluster_count + 1 */

	uint32_t fsinfo_sector;         /* 0: none, or not trusted */
	uint32_t free_count;            /* FSI_UNKNOWN when not known */
	uint32_t next_free;             /* where the allocator starts looking */
	bool fsinfo_dirty;
	bool unflushed;                 /* written to the disk since its last flush */

	uint16_t date, time;            /* stamped on what is created or written */
	char message[FAT_MESSAGE_MAX];  /* explanation of the last error */
};

/* A directory entry, as fat_readdir and fat_stat return it. */
struct fat_dirent {
	char name[FAT_NAME_MAX + 1];    /* UTF-8: the long name, or the 8.3 name */
	char short_name[FAT_SHORT_NAME_MAX + 1];   /* the 8.3 alias as "NAME.EXT" */
	uint8_t attr;                   /* FAT_ATTR_* */
	uint32_t size;
	uint32_t first_cluster;
	uint16_t write_date, write_time;  /* FAT encodings (see fat_set_time) */

	/* Private: where the entry is, so it can be updated or removed. */
	uint32_t dir_cluster;           /* first cluster of the directory; 0: the root */
	uint32_t entry_index;           /* the short entry */
	uint32_t first_index;           /* the first long-name entry, or entry_index */
	uint8_t raw_name[11];
	bool is_root;
};

#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN    0x02
#define FAT_ATTR_SYSTEM    0x04
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE   0x20

/* An open directory for fat_readdir.  Private fields. */
struct fat_dir {
	struct fat_volume *vol;
	uint32_t first_cluster;         /* 0: the FAT16 root region */
	uint32_t next_index;            /* the entry fat_readdir looks at next */
	struct fat_chain chain;
	bool ended;
};

/* fat_open flags. */
#define FAT_READ     0x01
#define FAT_WRITE    0x02
#define FAT_CREATE   0x04           /* create the file if it does not exist */
#define FAT_TRUNCATE 0x08           /* empty it first (overwrite) */
#define FAT_APPEND   0x10           /* start at the end */
#define FAT_EXCL     0x20           /* with FAT_CREATE: fail if it exists */

/* An open file.  Private fields. */
struct fat_file {
	struct fat_volume *vol;
	uint32_t dir_cluster, entry_index;  /* its directory entry */
	uint8_t raw_name[11];           /* to check the entry is still ours */
	uint32_t first_cluster;
	uint32_t size;
	uint32_t pos;
	struct fat_chain chain;         /* at the cluster holding pos (or the one before) */
	unsigned flags;
	bool entry_dirty;               /* size or first cluster changed */
	bool open;
};

/* Mounting.  fat_mount finds the volume at LBA 0 or in the first MBR partition. */
int fat_mount(struct fat_volume *vol, const struct fat_blockdev *dev);
int fat_flush(struct fat_volume *vol);
int fat_unmount(struct fat_volume *vol);
/* The time stamped on files created or written from now on. */
int fat_set_time(struct fat_volume *vol, unsigned year, unsigned month, unsigned day,
		 unsigned hour, unsigned minute, unsigned second);

struct fat_info {
	enum fat_type type;
	uint32_t bytes_per_sector;
	uint32_t cluster_bytes;
	uint32_t cluster_count;
	uint32_t free_clusters;         /* FSI_UNKNOWN (0xffffffff) if not known */
	uint64_t first_lba;             /* of the volume on the disk */
};
int fat_info(struct fat_volume *vol, struct fat_info *out);
/* Counts free clusters by reading the whole FAT (slow on big volumes). */
long fat_count_free(struct fat_volume *vol);

/* Names. */
int fat_stat(struct fat_volume *vol, const char *path, struct fat_dirent *out);
int fat_opendir(struct fat_volume *vol, const char *path, struct fat_dir *dir);
/* 1: *out is the next entry; 0: no more; < 0: error.  "." and ".." are left out. */
int fat_readdir(struct fat_dir *dir, struct fat_dirent *out);
int fat_mkdir(struct fat_volume *vol, const char *path);
/* Removes a file or an empty directory. */
int fat_remove(struct fat_volume *vol, const char *path);

/* Files. */
int fat_open(struct fat_volume *vol, const char *path, unsigned flags, struct fat_file *file);
/* Bytes read (0 at the end of the file), or < 0. */
long fat_read(struct fat_file *file, void *buf, size_t len);
/* Bytes written (less than len only when the disk filled up), or < 0. */
long fat_write(struct fat_file *file, const void *buf, size_t len);
/* Moves to pos, which must not be beyond the end. */
int fat_seek(struct fat_file *file, uint32_t pos);
static inline uint32_t fat_size(const struct fat_file *file) { return file->size; }
/* Writes the directory entry back and flushes the volume. */
int fat_close(struct fat_file *file);

/* Errors. */
const char *fat_strerror(int error);
/* The last failure's explanation (empty if there was none). */
const char *fat_message(const struct fat_volume *vol);

#endif
