/*
 * test_fat.c — the FAT library (components/fat) on an in-memory disk.
 *
 * The host tests (tests/host) check the library against mkfs.vfat, mtools and
 * fsck.vfat one command at a time; these tests cover what only shows inside
 * one mount: reading data that is still in the cache, direct writes that
 * supersede cached sectors, long random sequences of seeks, writes and reads
 * checked against a plain buffer, transfer splitting, read-only disks and
 * I/O errors.  The images are made here by a minimal formatter (format()),
 * laid out as fatgen103 "FAT Volume Initialization" describes; name
 * functions are checked against values taken from images mtools wrote.
 */
#include <stdint.h>
#include <string.h>

#include "components/fat/fat.h"
#include "components/fat/name.h"
#include "tests/unit/host.h"
#include "unit.h"

/* ---- an in-memory disk ------------------------------------------------------------- */

struct memdisk {
	uint8_t *data;
	uint64_t sectors;
	uint32_t largest_request;
	uint64_t fail_lba;              /* a read touching this sector fails (0: none) */
	unsigned writes;
};

static int mem_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct memdisk *d = ctx;

	if (lba + count > d->sectors)
		return -1;
	if (d->fail_lba && lba <= d->fail_lba && d->fail_lba < lba + count)
		return -5;
	if (count > d->largest_request)
		d->largest_request = count;
	memcpy(buf, d->data + lba * 512, (size_t)count * 512);
	return 0;
}

static int mem_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	struct memdisk *d = ctx;

	if (lba + count > d->sectors)
		return -1;
	if (count > d->largest_request)
		d->largest_request = count;
	memcpy(d->data + lba * 512, buf, (size_t)count * 512);
	d->writes++;
	return 0;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* A fresh volume of `sectors` 512-byte sectors, one sector per cluster. */
static struct memdisk *format(int type, uint32_t sectors)
{
	struct memdisk *d = calloc(1, sizeof *d);
	uint32_t reserved = type == 32 ? 32 : 1, root_sectors = type == 32 ? 0 : 32;
	uint32_t fat_sectors = (sectors * (type / 8) + 511) / 512;   /* generous: every sector a cluster */
	uint8_t *b;

	d->sectors = sectors;
	d->data = calloc(sectors, 512);
	b = d->data;
	b[0] = 0xeb, b[1] = 0x3c, b[2] = 0x90;
	memcpy(b + 3, "PINFOLD ", 8);
	put16(b + 11, 512);
	b[13] = 1;
	put16(b + 14, (uint16_t)reserved);
	b[16] = 2;
	put16(b + 17, (uint16_t)(root_sectors * 16));
	put32(b + 32, sectors);
	b[21] = 0xf8;
	if (type == 16) {
		put16(b + 22, (uint16_t)fat_sectors);
	} else {
		put32(b + 36, fat_sectors);
		put32(b + 44, 2);           /* root directory cluster */
		put16(b + 48, 1);           /* FSInfo */
	}
	b[510] = 0x55, b[511] = 0xaa;
	uint32_t clusters = sectors - reserved - 2 * fat_sectors - root_sectors;
	for (int copy = 0; copy < 2; copy++) {
		uint8_t *fat = d->data + (reserved + copy * fat_sectors) * 512;
		if (type == 16) {
			put16(fat, 0xfff8);
			put16(fat + 2, 0xffff);
		} else {
			put32(fat, 0x0ffffff8);
			put32(fat + 4, 0x0fffffff);
			put32(fat + 8, 0x0fffffff);   /* the root directory's cluster */
		}
	}
	if (type == 32) {
		uint8_t *fsi = d->data + 512;
		put32(fsi, 0x41615252);
		put32(fsi + 484, 0x61417272);
		put32(fsi + 488, clusters - 1);
		put32(fsi + 492, 3);
		put32(fsi + 508, 0xaa550000);
	}
	return d;
}

static void drop(struct memdisk *d)
{
	free(d->data);
	free(d);
}

static struct fat_blockdev device(struct memdisk *d)
{
	return (struct fat_blockdev){
		.ctx = d, .sector_size = 512, .sector_count = d->sectors,
		.read = mem_read, .write = mem_write,
	};
}

static uint32_t seed = 12345;
static uint32_t next_random(void)
{
	seed = seed * 1103515245 + 12345;
	return seed >> 8;
}

/* ---- names ------------------------------------------------------------------------- */

TEST(fat_name_checksum_matches_mtools)
{
	/* From LFN entries mtools 4.0.32 wrote for "long name with spaces.text" and "MixedCase.Txt". */
	CHECK_EQ(name_checksum((const uint8_t *)"LONGNA~1TEX"), 0x6f);
	CHECK_EQ(name_checksum((const uint8_t *)"MIXEDC~1TXT"), 0xa8);
}

static const char *basis_of(const char *name, struct short_basis *b)
{
	static char text[32];
	uint16_t units[LFN_MAX_UNITS];
	const char *why;
	int n = name_to_utf16(name, strlen(name), units, &why);

	if (n < 0)
		return why;
	name_make_basis(units, (size_t)n, b);
	memcpy(text, b->name, 11);
	text[11] = '\0';
	return text;
}

TEST(fat_name_basis)
{
	struct short_basis b;

	/* Fits 8.3 in one case per part: no long name, case in the NT flags. */
	CHECK_STR(basis_of("abc.txt", &b), "ABC     TXT");
	CHECK(!b.needs_long_name && !b.needs_tail && b.nt_res == 0x18);
	CHECK_STR(basis_of("README.TXT", &b), "README  TXT");
	CHECK(!b.needs_long_name && b.nt_res == 0);
	CHECK_STR(basis_of("Makefile", &b), "MAKEFILE   ");
	CHECK(b.needs_long_name && !b.needs_tail);
	CHECK_STR(basis_of("notes.TXT", &b), "NOTES   TXT");
	CHECK(!b.needs_long_name && b.nt_res == 0x08);
	/* Mixed case: a long name, the alias without a tail. */
	CHECK_STR(basis_of("ReadMe.txt", &b), "README  TXT");
	CHECK(b.needs_long_name && !b.needs_tail);
	/* Lossy: a tail (the same bases mtools chose, see test_fat_name_checksum). */
	CHECK_STR(basis_of("long name with spaces.text", &b), "LONGNAMETEX");
	CHECK(b.needs_long_name && b.needs_tail);
	CHECK_STR(basis_of("MixedCase.Txt", &b), "MIXEDCASTXT");
	CHECK_STR(basis_of("archive.tar.gz", &b), "ARCHIVETGZ ");
	CHECK_STR(basis_of(".bashrc", &b), "BASHRC     ");
	CHECK(b.needs_tail);
	CHECK_STR(basis_of("a+b=c.txt", &b), "A_B_C   TXT");
	CHECK_STR(basis_of("Grüße.txt", &b), "GR__E   TXT");
	CHECK_STR(basis_of("...x", &b), "X          ");
}

TEST(fat_name_tails)
{
	struct short_basis b;
	uint8_t raw[11];

	basis_of("long name with spaces.text", &b);
	name_with_tail(&b, 1, raw);
	CHECK(!memcmp(raw, "LONGNA~1TEX", 11));
	name_with_tail(&b, 10, raw);
	CHECK(!memcmp(raw, "LONGN~10TEX", 11));
	name_with_tail(&b, 999999, raw);
	CHECK(!memcmp(raw, "L~999999TEX", 11));
	CHECK_EQ(name_tail_of(&b, (const uint8_t *)"LONGN~10TEX"), 10);
	CHECK_EQ(name_tail_of(&b, (const uint8_t *)"LONGNA~1TEX"), 1);
	CHECK_EQ(name_tail_of(&b, (const uint8_t *)"LONGNA~1TXT"), 0);    /* other extension */
	CHECK_EQ(name_tail_of(&b, (const uint8_t *)"LONGN~01TEX"), 0);    /* not a tail we make */
	CHECK_EQ(name_tail_of(&b, (const uint8_t *)"OTHERN~1TEX"), 0);
	basis_of("ab.c", &b);
	name_with_tail(&b, 7, raw);
	CHECK(!memcmp(raw, "AB~7    C  ", 11));
}

TEST(fat_name_utf8_checks)
{
	uint16_t units[LFN_MAX_UNITS];
	const char *why;
	char long_name[300];

	CHECK_EQ(name_to_utf16("a\xc3\xa9", 3, units, &why), 2);
	CHECK_EQ(units[1], 0xe9);
	CHECK_EQ(name_to_utf16("\xf0\x9f\x98\x80", 4, units, &why), 2);  /* U+1F600: a surrogate pair */
	CHECK_EQ(units[0], 0xd83d);
	CHECK_EQ(units[1], 0xde00);
	CHECK_EQ(name_to_utf16("\xc0\xaf", 2, units, &why), -FAT_E_BAD_NAME);      /* overlong '/' */
	CHECK_EQ(name_to_utf16("\xed\xa0\x80", 3, units, &why), -FAT_E_BAD_NAME);  /* a surrogate */
	CHECK_EQ(name_to_utf16("\xe2\x82", 2, units, &why), -FAT_E_BAD_NAME);      /* cut short */
	CHECK_EQ(name_to_utf16("a\tb", 3, units, &why), -FAT_E_BAD_NAME);
	CHECK_EQ(name_to_utf16("a?b", 3, units, &why), -FAT_E_BAD_NAME);
	CHECK_EQ(name_to_utf16("ab.", 3, units, &why), -FAT_E_BAD_NAME);
	CHECK_EQ(name_to_utf16("..", 2, units, &why), -FAT_E_BAD_NAME);
	CHECK_EQ(name_to_utf16("", 0, units, &why), -FAT_E_BAD_NAME);
	memset(long_name, 'n', sizeof long_name);
	CHECK_EQ(name_to_utf16(long_name, 255, units, &why), 255);
	CHECK_EQ(name_to_utf16(long_name, 256, units, &why), -FAT_E_BAD_NAME);

	char out[FAT_NAME_MAX + 1];
	uint16_t lone[] = { 'a', 0xdc00 };
	CHECK(!name_from_utf16(lone, 2, out, sizeof out));
	uint16_t slash[] = { 'a', '/' };
	CHECK(!name_from_utf16(slash, 2, out, sizeof out));
	/* The longest name: 255 units of 3 UTF-8 bytes each fill FAT_NAME_MAX exactly. */
	uint16_t wide[255];
	for (int i = 0; i < 255; i++)
		wide[i] = 0x4e2d;
	CHECK(name_from_utf16(wide, 255, out, sizeof out));
	CHECK_EQ(strlen(out), FAT_NAME_MAX);
	uint16_t pair[] = { 0xd83d, 0xde00, 'x' };
	CHECK(name_from_utf16(pair, 3, out, sizeof out));
	CHECK_STR(out, "\xf0\x9f\x98\x80x");
}

TEST(fat_name_short_text)
{
	char text[FAT_SHORT_NAME_MAX + 1];

	name_short_text((const uint8_t *)"ABC     TXT", 0x18, text);
	CHECK_STR(text, "abc.txt");
	name_short_text((const uint8_t *)"ABC     TXT", 0x08, text);
	CHECK_STR(text, "abc.TXT");
	name_short_text((const uint8_t *)"MAKEFILE   ", 0, text);
	CHECK_STR(text, "MAKEFILE");
	name_short_text((const uint8_t *)"\x05" "BC     TXT", 0, text);   /* 0x05 stands for 0xE5 */
	CHECK_STR(text, "\xc3\xa5" "BC.TXT");
	name_short_text((const uint8_t *)"..         ", 0, text);
	CHECK_STR(text, "..");
	name_short_text((const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 0, text);
	CHECK(strlen(text) == 2 * 11 + 1);  /* the longest text fits */
}

/* ---- files in one mount ------------------------------------------------------------ */

static void fill(uint8_t *p, size_t n, uint32_t salt)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + salt + (i >> 9));
}

/*
 * Data still in the cache must be read back, and sectors written straight
 * to the disk must not be overwritten later by stale cached copies.
 */
static void cache_and_direct_io(int type)
{
	static struct fat_volume vol;
	static uint8_t want[4000], got[4000];
	struct memdisk *d = format(type, type == 32 ? 16384 : 8192);
	struct fat_blockdev dev = device(d);
	struct fat_file f;

	CHECK_EQ(fat_mount(&vol, &dev), 0);
	CHECK_EQ(fat_open(&vol, "/cache.bin", FAT_READ | FAT_WRITE | FAT_CREATE, &f), 0);
	fill(want, sizeof want, 1);
	/* 100 bytes: sector 0 is partial, so it stays in the cache. */
	CHECK_EQ(fat_write(&f, want, 100), 100);
	/* The rest: sector 0 is completed in the cache, later sectors go to the disk. */
	CHECK_EQ(fat_write(&f, want + 100, 1900), 1900);
	CHECK_EQ(fat_seek(&f, 0), 0);
	memset(got, 0, sizeof got);
	/* A whole-sector read of sectors 0-2 comes from the disk, where sector 0 is stale. */
	CHECK_EQ(fat_read(&f, got, 2000), 2000);
	CHECK(!memcmp(got, want, 2000));

	/* Partial sector into the cache, then a direct write over it. */
	CHECK_EQ(fat_seek(&f, 0), 0);
	fill(want, 2000, 2);
	CHECK_EQ(fat_write(&f, want, 50), 50);
	CHECK_EQ(fat_seek(&f, 0), 0);
	fill(want, 2000, 3);
	CHECK_EQ(fat_write(&f, want, 1024), 1024);
	CHECK_EQ(fat_close(&f), 0);
	CHECK_EQ(fat_unmount(&vol), 0);

	CHECK_EQ(fat_mount(&vol, &dev), 0);
	CHECK_EQ(fat_open(&vol, "/CACHE.BIN", FAT_READ, &f), 0);
	CHECK_EQ(fat_size(&f), 2000);
	CHECK_EQ(fat_read(&f, got, sizeof got), 2000);
	CHECK(!memcmp(got, want, 1024));
	fill(want, 2000, 1);
	CHECK(!memcmp(got + 1024, want + 1024, 976));
	CHECK_EQ(fat_close(&f), 0);
	CHECK_EQ(fat_unmount(&vol), 0);
	drop(d);
}

TEST(fat_cache_and_direct_io_fat16) { cache_and_direct_io(16); }
TEST(fat_cache_and_direct_io_fat32) { cache_and_direct_io(32); }

/*
 * Random seeks, writes and reads on three files at once, checked against
 * plain buffers, with remounts in between.
 */
static void random_operations(int type)
{
	enum { FILES = 3, MAX = 150000 };
	static struct fat_volume vol;
	static uint8_t model[FILES][MAX], buf[MAX];
	static const char *const names[FILES] = { "/one.bin", "/a directory/Two with a long name.bin", "/a directory/3" };
	uint32_t size[FILES] = { 0 };
	struct fat_file f[FILES];
	struct memdisk *d = format(type, type == 32 ? 16384 : 8192);
	struct fat_blockdev dev = device(d);

	dev.max_transfer = 7;
	CHECK_EQ(fat_mount(&vol, &dev), 0);
	CHECK_EQ(fat_mkdir(&vol, "/a directory"), 0);
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < FILES; i++)
			CHECK_EQ(fat_open(&vol, names[i], FAT_READ | FAT_WRITE | FAT_CREATE, &f[i]), 0);
		for (int step = 0; step < 300; step++) {
			int i = next_random() % FILES;
			uint32_t at = size[i] ? next_random() % (size[i] + 1) : 0;
			uint32_t len = next_random() % (next_random() % 4 == 0 ? 20000 : 1500);
			if (at + len > MAX)
				len = MAX - at;
			CHECK_EQ(fat_seek(&f[i], at), 0);
			if (next_random() % 2) {
				fill(model[i] + at, len, next_random());
				CHECK_EQ(fat_write(&f[i], model[i] + at, len), len);
				if (at + len > size[i])
					size[i] = at + len;
			} else {
				uint32_t expect = at + len > size[i] ? size[i] - at : len;
				CHECK_EQ(fat_read(&f[i], buf, len), expect);
				CHECK(!memcmp(buf, model[i] + at, expect));
			}
			CHECK_EQ(fat_size(&f[i]), size[i]);
		}
		for (int i = 0; i < FILES; i++)
			CHECK_EQ(fat_close(&f[i]), 0);
		CHECK_EQ(fat_unmount(&vol), 0);
		CHECK_EQ(fat_mount(&vol, &dev), 0);
		for (int i = 0; i < FILES; i++) {
			CHECK_EQ(fat_open(&vol, names[i], FAT_READ, &f[i]), 0);
			CHECK_EQ(fat_read(&f[i], buf, MAX), size[i]);
			CHECK(!memcmp(buf, model[i], size[i]));
			CHECK_EQ(fat_close(&f[i]), 0);
		}
	}
	/* Every transfer was split to the device's limit, and some used all of it. */
	CHECK_EQ(d->largest_request, 7);
	/* Removing everything gives every cluster back. */
	long free_before_files = fat_count_free(&vol);
	for (int i = 0; i < FILES; i++)
		CHECK_EQ(fat_remove(&vol, names[i]), 0);
	CHECK_EQ(fat_remove(&vol, "/a directory"), 0);
	struct fat_info info;
	CHECK_EQ(fat_info(&vol, &info), 0);
	CHECK_EQ(fat_count_free(&vol), info.cluster_count - (type == 32 ? 1 : 0));
	CHECK(fat_count_free(&vol) > free_before_files);
	if (type == 32)
		CHECK_EQ(info.free_clusters, info.cluster_count - 1);
	CHECK_EQ(fat_unmount(&vol), 0);
	drop(d);
}

TEST(fat_random_operations_fat16) { random_operations(16); }
TEST(fat_random_operations_fat32) { random_operations(32); }

TEST(fat_read_only_disk)
{
	static struct fat_volume vol;
	struct memdisk *d = format(16, 8192);
	struct fat_blockdev dev = device(d);
	struct fat_file f;

	CHECK_EQ(fat_mount(&vol, &dev), 0);
	CHECK_EQ(fat_open(&vol, "/x", FAT_WRITE | FAT_CREATE, &f), 0);
	CHECK_EQ(fat_write(&f, "hello", 5), 5);
	CHECK_EQ(fat_close(&f), 0);
	CHECK_EQ(fat_unmount(&vol), 0);

	dev.write = NULL;
	unsigned writes = d->writes;
	CHECK_EQ(fat_mount(&vol, &dev), 0);
	CHECK_EQ(fat_open(&vol, "/x", FAT_READ | FAT_WRITE, &f), -FAT_E_READ_ONLY);
	CHECK_EQ(fat_mkdir(&vol, "/d"), -FAT_E_READ_ONLY);
	CHECK_EQ(fat_remove(&vol, "/x"), -FAT_E_READ_ONLY);
	CHECK_EQ(fat_open(&vol, "/x", FAT_READ, &f), 0);
	CHECK_EQ(fat_write(&f, "no", 2), -FAT_E_READ_ONLY);
	CHECK_EQ(fat_close(&f), 0);
	CHECK_EQ(fat_unmount(&vol), 0);
	CHECK_EQ(d->writes, writes);
	drop(d);
}

TEST(fat_io_errors_are_reported)
{
	static struct fat_volume vol;
	static uint8_t data[8192];
	struct memdisk *d = format(32, 16384);
	struct fat_blockdev dev = device(d);
	struct fat_file f;

	CHECK_EQ(fat_mount(&vol, &dev), 0);
	CHECK_EQ(fat_open(&vol, "/x", FAT_WRITE | FAT_CREATE, &f), 0);
	CHECK_EQ(fat_write(&f, data, sizeof data), (long)sizeof data);
	CHECK_EQ(fat_close(&f), 0);
	CHECK_EQ(fat_unmount(&vol), 0);

	d->fail_lba = 0;
	CHECK_EQ(fat_mount(&vol, &dev), 0);
	/* The data of /x starts at cluster 3, right after the root directory's cluster 2. */
	d->fail_lba = 32 + 2 * ((16384 * 4 + 511) / 512) + 1 + 4;
	CHECK_EQ(fat_open(&vol, "/x", FAT_READ, &f), 0);
	CHECK_EQ(fat_read(&f, data, sizeof data), -FAT_E_IO);
	CHECK(strstr(fat_message(&vol), "disk read") != NULL);
	CHECK_EQ(fat_close(&f), 0);
	d->fail_lba = 0;
	CHECK_EQ(fat_unmount(&vol), 0);

	d->fail_lba = 0;
	dev.sector_size = 300;
	CHECK_EQ(fat_mount(&vol, &dev), -FAT_E_INVALID);
	CHECK_EQ(fat_mount(NULL, &dev), -FAT_E_INVALID);
	CHECK_EQ(fat_open(&vol, "/x", FAT_READ, &f), -FAT_E_INVALID);     /* not mounted */
	drop(d);
}

TEST(fat_errors_have_names)
{
	for (int e = 1; e < FAT_ERROR_COUNT; e++)
		CHECK(strcmp(fat_strerror(-e), "unknown error") != 0);
	CHECK_STR(fat_strerror(-FAT_ERROR_COUNT), "unknown error");
	CHECK_STR(fat_strerror(-FAT_E_NO_SPACE), "no space left on the volume");
}

TEST(fat_disk_sectors_larger_than_the_volumes_are_refused)
{
	static struct fat_volume vol;
	struct memdisk *d = format(16, 8192);
	struct fat_blockdev dev = device(d);

	/* A disk of 4 KiB sectors cannot serve a volume of 512-byte sectors. */
	dev.sector_size = 4096;
	dev.sector_count = d->sectors / 8;
	CHECK_EQ(fat_mount(&vol, &dev), -FAT_E_UNSUPPORTED);
	CHECK(strstr(fat_message(&vol), "512-byte sectors on a disk of 4096-byte sectors") != NULL);
	drop(d);
}
