/*
 * fattool_fuzz.c — `fattool IMAGE fuzz SEED RUNS`: the FAT library on
 * thousands of damaged copies of an image, in memory.
 *
 * The image is loaded into memory, and each run damages a copy of it
 * (1-4 changes to the BPB, FSInfo, FAT entries of used clusters, directory
 * entries, the MBR, or the image's length), then mounts it, lists and reads
 * every file, writes, appends, makes a directory and removes files, and
 * checks that every failure came back as an error code with a message.
 * Every tenth run leaves the image intact and must see no error at all.
 * Sectors written are restored from the pristine copy after each run.  The
 * sanitizers of the host build catch any out-of-bounds access; a library
 * call that makes more than FUZZ_IO_LIMIT block requests is taken for a
 * runaway loop (the costliest legitimate call, a path of 4 names each in a
 * directory of 65536 entries, needs about 16,000).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/fat/fat.h"
#include "tools/fattool.h"

#define FUZZ_IO_LIMIT 100000          /* block requests per library call */
#define FUZZ_MAX_TARGETS 4096         /* clusters and directory sectors to damage */

/* From the sanitizer runtime: where a runaway loop was (FATTOOL_FUZZ_VERBOSE only). */
void __sanitizer_print_stack_trace(void);

/* FATTOOL_FUZZ_VERBOSE=1 in the environment: each run's damage and outcome on stderr. */
static bool fuzz_verbose;

struct memdisk {
	uint8_t *data;                  /* the working copy */
	const uint8_t *pristine;
	uint8_t *dirty;                 /* one byte per sector written */
	uint64_t sectors;               /* of the whole image */
	unsigned long io;               /* requests this run */
	bool runaway;
};

static int mem_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct memdisk *d = ctx;

	if (++d->io > FUZZ_IO_LIMIT) {
		if (!d->runaway && fuzz_verbose)
			__sanitizer_print_stack_trace();
		d->runaway = true;
		return -1;
	}
	if (lba > d->sectors || count > d->sectors - lba) {
		fprintf(stderr, "fuzz: the library read beyond the disk it was given\n");
		exit(3);
	}
	memcpy(buf, d->data + lba * SECTOR, (size_t)count * SECTOR);
	return 0;
}

static int mem_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	struct memdisk *d = ctx;

	if (++d->io > FUZZ_IO_LIMIT) {
		d->runaway = true;
		return -1;
	}
	if (lba > d->sectors || count > d->sectors - lba) {
		fprintf(stderr, "fuzz: the library wrote beyond the disk it was given\n");
		exit(3);
	}
	memcpy(d->data + lba * SECTOR, buf, (size_t)count * SECTOR);
	memset(d->dirty + lba, 1, count);
	return 0;
}

/* xorshift64*: a fixed sequence per seed, the same on every host. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}
static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }



/* Where damage is interesting: found once, on the intact image. */
struct targets {
	uint64_t volume;                /* byte offset of the volume */
	uint32_t bps, fat_bytes_offset, entry_bytes, cluster_count, root_cluster;
	uint32_t fsinfo;                /* byte offset in the volume, 0: none */
	uint32_t used[FUZZ_MAX_TARGETS];   /* clusters in use */
	uint32_t used_count;
	uint64_t dir_sector[FUZZ_MAX_TARGETS];   /* byte offsets of directory sectors */
	uint32_t dir_sectors;
	uint32_t meta_bytes;            /* everything before the data area */
};

static void add_dir_sectors(struct targets *t, const struct fat_volume *vol, uint32_t cluster)
{
	for (uint32_t i = 0; i < vol->sectors_per_cluster && t->dir_sectors < FUZZ_MAX_TARGETS; i++)
		t->dir_sector[t->dir_sectors++] = t->volume +
			(uint64_t)(vol->data_start + (cluster - 2) * vol->sectors_per_cluster + i) * t->bps;
}

static void find_dirs(struct fat_volume *vol, struct targets *t, const char *path, int depth)
{
	struct fat_dirent *e = malloc(sizeof *e);
	struct fat_dir dir;
	char child[PATH_MAX_LEN];

	if (!e || depth > 8 || fat_opendir(vol, path, &dir))
		goto out;
	while (fat_readdir(&dir, e) == 1) {
		if (!(e->attr & FAT_ATTR_DIRECTORY))
			continue;
		add_dir_sectors(t, vol, e->first_cluster);
		snprintf(child, sizeof child, "%s/%s", path, e->name);
		find_dirs(vol, t, child, depth + 1);
	}
out:
	free(e);
}

static void find_targets(struct fat_volume *vol, const uint8_t *image, struct targets *t)
{
	memset(t, 0, sizeof *t);
	t->volume = vol->part_lba * SECTOR;
	t->bps = vol->bytes_per_sector;
	t->fat_bytes_offset = vol->fat_start * vol->bytes_per_sector;
	t->entry_bytes = vol->type == FAT_TYPE_32 ? 4 : 2;
	t->cluster_count = vol->cluster_count;
	t->root_cluster = vol->root_cluster;
	t->fsinfo = vol->fsinfo_sector * vol->bytes_per_sector;
	t->meta_bytes = vol->data_start * vol->bytes_per_sector;
	for (uint32_t c = 2; c <= vol->cluster_count + 1 && t->used_count < FUZZ_MAX_TARGETS; c++) {
		const uint8_t *p = image + t->volume + t->fat_bytes_offset + (uint64_t)c * t->entry_bytes;
		uint32_t v = t->entry_bytes == 4 ? (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24
						 : (uint32_t)(p[0] | p[1] << 8);
		if (v)
			t->used[t->used_count++] = c;
	}
	if (vol->type == FAT_TYPE_16) {
		for (uint32_t s = 0; s * t->bps < vol->root_entries * 32 && t->dir_sectors < FUZZ_MAX_TARGETS; s++)
			t->dir_sector[t->dir_sectors++] = t->volume + (uint64_t)(vol->root_start + s) * t->bps;
	} else {
		add_dir_sectors(t, vol, vol->root_cluster);
	}
	find_dirs(vol, t, "", 0);
}

static uint32_t interesting_cluster(const struct targets *t)
{
	switch (below(9)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return t->cluster_count + 2;                 /* one past the last */
	case 3: return t->entry_bytes == 4 ? 0x0ffffff7 : 0xfff7;   /* bad */
	case 4: return t->entry_bytes == 4 ? 0x0fffffff : 0xffff;   /* end of chain */
	case 5: return t->used_count ? t->used[below(t->used_count)] : 2;   /* cycles, cross links */
	case 6: return t->root_cluster;
	case 7: return rnd();
	default: return 2 + below(t->cluster_count);
	}
}

struct mutation {
	uint64_t offset;
	uint32_t len;
};

/* Damages the working copy once; records the bytes touched so they can be restored. */
static void mutate(struct memdisk *d, const struct targets *t, struct mutation *m, uint64_t *sectors)
{
	uint8_t *img = d->data;
	uint32_t v;

	m->offset = 0;
	m->len = 1;
	switch (below(8)) {
	case 0:         /* a BPB byte */
		m->offset = t->volume + below(90);
		img[m->offset] = below(3) ? (uint8_t)rnd() : (uint8_t[]){ 0, 1, 0xff, 0x80 }[below(4)];
		break;
	case 1:         /* a FAT entry of a used cluster, in the first FAT */
		if (!t->used_count)
			goto random_meta;
		v = interesting_cluster(t);
		m->offset = t->volume + t->fat_bytes_offset + (uint64_t)t->used[below(t->used_count)] * t->entry_bytes;
		m->len = t->entry_bytes;
		for (uint32_t i = 0; i < m->len; i++)
			img[m->offset + i] = (uint8_t)(v >> (8 * i));
		break;
	case 2:         /* a field of a directory entry */
	case 3: {
		if (!t->dir_sectors)
			goto random_meta;
		uint64_t entry = t->dir_sector[below(t->dir_sectors)] + 32 * below(t->bps / 32 < 8 ? t->bps / 32 : 8);
		switch (below(7)) {
		case 0:
			m->offset = entry;
			img[m->offset] = (uint8_t[]){ 0, 0xe5, '.', 0x05, 0x41, 0x42, ' ' }[below(7)];
			break;
		case 1:
			m->offset = entry + 11;
			img[m->offset] = (uint8_t[]){ 0x0f, 0x10, 0x08, 0x20, 0x3f, 0xff }[below(6)];
			break;
		case 2:         /* first cluster, low and high halves */
			v = interesting_cluster(t);
			m->offset = entry + 20;
			m->len = 8;
			img[entry + 20] = (uint8_t)(v >> 16);
			img[entry + 21] = (uint8_t)(v >> 24);
			img[entry + 26] = (uint8_t)v;
			img[entry + 27] = (uint8_t)(v >> 8);
			break;
		case 3:         /* size */
			v = below(2) ? rnd() : below(1 << 20);
			m->offset = entry + 28;
			m->len = 4;
			for (int i = 0; i < 4; i++)
				img[m->offset + i] = (uint8_t)(v >> (8 * i));
			break;
		case 4:         /* a long-name entry made of garbage */
			m->offset = entry;
			m->len = 32;
			for (int i = 0; i < 32; i++)
				img[entry + i] = (uint8_t)rnd();
			img[entry + 11] = 0x0f;
			if (below(2))
				img[entry] = (uint8_t)(0x40 | (1 + below(20)));
			break;
		default:
			m->offset = entry + below(32);
			img[m->offset] = (uint8_t)rnd();
			break;
		}
		break;
	}
	case 4:         /* FSInfo: the free count and next-free hint, or a signature */
		if (!t->fsinfo)
			goto random_meta;
		m->offset = t->volume + t->fsinfo + (uint32_t[]){ 488, 489, 491, 492, 495, 0, 484, 510 }[below(8)];
		img[m->offset] = (uint8_t)rnd();
		break;
	case 5:         /* the image ends early */
		if (below(3) == 0) {
			*sectors = below((uint32_t)(d->sectors < 0xffffffffu ? d->sectors : 0xffffffffu));
			m->len = 0;
			break;
		}
		/* fall through */
	case 6:         /* the MBR's partition entry, when there is one */
		if (t->volume && below(2)) {
			m->offset = 446 + below(16);
			img[m->offset] = (uint8_t)rnd();
			break;
		}
		/* fall through */
	default:
	random_meta:
		m->offset = t->volume + below(t->meta_bytes);
		img[m->offset] = (uint8_t)rnd();
		break;
	}
}

static struct memdisk *fuzz_disk;      /* its request count restarts with each call */
static char first_error[FAT_MESSAGE_MAX + 40];   /* of the current run */

/* Every failure must be a known code, and (but for bad arguments) explained. */
static int check_rc(struct fat_volume *vol, long rc, const char *what, int run)
{
	if (fuzz_disk->runaway) {
		fprintf(stderr, "fuzz: run %d: %s made more than %d block requests: a runaway loop\n",
			run, what, FUZZ_IO_LIMIT);
		exit(3);
	}
	fuzz_disk->io = 0;
	if (rc >= 0)
		return 0;
	if (!first_error[0])
		snprintf(first_error, sizeof first_error, "%s: %s", what, fat_message(vol));
	if (rc <= -FAT_ERROR_COUNT || (rc != -FAT_E_INVALID && !fat_message(vol)[0])) {
		fprintf(stderr, "fuzz: run %d: %s returned %ld with message '%s'\n", run, what, rc,
			fat_message(vol));
		exit(3);
	}
	return 1;
}

struct exercise {
	struct fat_volume *vol;
	int run;
	int errors;
	char first_file[PATH_MAX_LEN], second_file[PATH_MAX_LEN];
	unsigned entries;
};

static void exercise_walk(struct exercise *x, const char *path, int depth)
{
	static uint8_t buf[64 * 1024];
	struct fat_dirent *e = malloc(sizeof *e);
	struct fat_dir dir;
	char child[PATH_MAX_LEN];
	int rc;

	if (!e)
		exit(2);
	rc = fat_opendir(x->vol, path[0] ? path : "/", &dir);
	x->errors += check_rc(x->vol, rc, "opendir", x->run);
	while (rc == 0 && x->entries < 200) {
		rc = fat_readdir(&dir, e);
		x->errors += check_rc(x->vol, rc, "readdir", x->run);
		if (rc != 1)
			break;
		rc = 0;
		x->entries++;
		if ((size_t)snprintf(child, sizeof child, "%s/%s", path, e->name) >= sizeof child)
			continue;
		struct fat_dirent st;
		x->errors += check_rc(x->vol, fat_stat(x->vol, child, &st), "stat", x->run);
		if (e->attr & FAT_ATTR_DIRECTORY) {
			if (depth < 3)
				exercise_walk(x, child, depth + 1);
			continue;
		}
		if (!x->first_file[0])
			strcpy(x->first_file, child);
		else if (!x->second_file[0])
			strcpy(x->second_file, child);
		struct fat_file file;
		long n = fat_open(x->vol, child, FAT_READ, &file);
		x->errors += check_rc(x->vol, n, "open", x->run);
		if (n)
			continue;
		while ((n = fat_read(&file, buf, sizeof buf)) > 0)
			check_rc(x->vol, n, "read", x->run);
		x->errors += check_rc(x->vol, n, "read", x->run);
		x->errors += check_rc(x->vol, fat_close(&file), "close", x->run);
	}
	free(e);
}

static void exercise_write(struct exercise *x, const char *path, unsigned flags, size_t len)
{
	static uint8_t data[20000];
	struct fat_file file;
	int rc = fat_open(x->vol, path, flags, &file);

	x->errors += check_rc(x->vol, rc, "open for writing", x->run);
	if (rc)
		return;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + x->run);
	x->errors += check_rc(x->vol, fat_write(&file, data, len), "write", x->run);
	x->errors += check_rc(x->vol, fat_close(&file), "close", x->run);
}

/* One run: 1 if some operation failed, 0 if all succeeded, -1 if the mount failed. */
static int exercise(struct fat_volume *vol, const struct fat_blockdev *dev, int run)
{
	struct exercise *x = calloc(1, sizeof *x);
	int rc = fat_mount(vol, dev), result;

	if (!x)
		exit(2);
	if (check_rc(vol, rc, "mount", run)) {
		free(x);
		return -1;
	}
	x->vol = vol;
	x->run = run;
	exercise_walk(x, "", 0);
	exercise_write(x, "/fuzz new file.txt", FAT_WRITE | FAT_CREATE | FAT_TRUNCATE, 5000);
	if (x->first_file[0])
		exercise_write(x, x->first_file, FAT_WRITE | FAT_APPEND, 700);
	x->errors += check_rc(vol, fat_mkdir(vol, "/fuzzdir"), "mkdir", run);
	exercise_write(x, "/fuzzdir/A long name for a file.txt", FAT_WRITE | FAT_CREATE, 3000);
	if (x->second_file[0])
		x->errors += check_rc(vol, fat_remove(vol, x->second_file), "remove", run);
	x->errors += check_rc(vol, fat_remove(vol, "/fuzzdir/A long name for a file.txt"), "remove", run);
	x->errors += check_rc(vol, fat_remove(vol, "/fuzzdir"), "remove", run);
	x->errors += check_rc(vol, fat_unmount(vol), "unmount", run);
	result = x->errors ? 1 : 0;
	free(x);
	return result;
}

int fuzz_main(const char *image, const char *seed_text, const char *count_text)
{
	int fd = open(image, O_RDONLY);
	struct stat st;
	struct memdisk d = { 0 };
	static struct fat_volume vol;
	static struct targets t;
	char *end;
	unsigned long seed = strtoul(seed_text, &end, 0);
	long runs = *end ? -1 : strtol(count_text, &end, 0);
	int refused = 0, failed = 0, clean = 0;

	if (runs < 0 || *end || fd < 0 || fstat(fd, &st) || st.st_size < SECTOR) {
		fprintf(stderr, "%s: fuzz: bad arguments or unreadable image\n", program);
		return 2;
	}
	d.sectors = (uint64_t)st.st_size / SECTOR;
	uint8_t *pristine = malloc(d.sectors * SECTOR);
	d.data = malloc(d.sectors * SECTOR);
	d.dirty = calloc(d.sectors, 1);
	if (!pristine || !d.data || !d.dirty || pread(fd, pristine, d.sectors * SECTOR, 0) != (ssize_t)(d.sectors * SECTOR)) {
		fprintf(stderr, "%s: fuzz: cannot load the image\n", program);
		return 2;
	}
	close(fd);
	memcpy(d.data, pristine, d.sectors * SECTOR);
	d.pristine = pristine;
	fuzz_disk = &d;

	struct fat_blockdev dev = {
		.ctx = &d, .sector_size = SECTOR, .sector_count = d.sectors, .max_transfer = 128,
		.read = mem_read, .write = mem_write,
	};
	if (fat_mount(&vol, &dev))
		return report_error(&vol, -FAT_E_NOT_FAT);
	find_targets(&vol, pristine, &t);
	fat_unmount(&vol);

	fuzz_verbose = getenv("FATTOOL_FUZZ_VERBOSE") != NULL;
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	for (int run = 0; run < runs; run++) {
		struct mutation m[4];
		int changes = run % 10 == 0 ? 0 : 1 + (int)below(4);
		uint64_t sectors = d.sectors;

		for (int i = 0; i < changes; i++) {
			mutate(&d, &t, &m[i], &sectors);
			if (fuzz_verbose)
				fprintf(stderr, "fuzz: run %d: changed %u bytes at %llu, disk %llu sectors\n",
					run, m[i].len, (unsigned long long)m[i].offset,
					(unsigned long long)sectors);
		}
		dev.sector_count = sectors ? sectors : 1;
		d.io = 0;
		d.runaway = false;
		first_error[0] = '\0';
		int result = exercise(&vol, &dev, run);
		if (changes == 0 && result != 0) {
			fprintf(stderr, "fuzz: run %d: the intact image failed: %s\n", run, fat_message(&vol));
			return 3;
		}
		if (fuzz_verbose)
			fprintf(stderr, "fuzz: run %d: %s\n", run, result ? first_error : "no error");
		refused += result < 0;
		failed += result > 0;
		clean += result == 0;

		/* Back to the pristine image. */
		for (int i = 0; i < changes; i++)
			memcpy(d.data + m[i].offset, pristine + m[i].offset, m[i].len);
		for (uint64_t s = 0; s < d.sectors; s++) {
			if (d.dirty[s]) {
				memcpy(d.data + s * SECTOR, pristine + s * SECTOR, SECTOR);
				d.dirty[s] = 0;
			}
		}
	}
	printf("fuzz: %ld runs: %d refused at mount, %d with errors after mounting, %d without errors\n",
	       runs, refused, failed, clean);
	free(pristine);
	free(d.data);
	free(d.dirty);
	return 0;
}
