/*
 * fattool.c — the FAT library (components/fat) on a disk image, on the host.
 *
 *   fattool IMAGE info            type, geometry, free clusters
 *   fattool IMAGE ls [PATH]       one line per entry: "d|-  SIZE  NAME"
 *   fattool IMAGE find [PATH]     every entry below PATH: "d|-  SIZE  /PATH"
 *   fattool IMAGE cat PATH        the file's bytes on stdout
 *   fattool IMAGE sum PATH...     SHA-256 in sha256sum's format ("HEX  PATH")
 *   fattool IMAGE sum -r [PATH]   ... of every file below PATH
 *   fattool IMAGE write PATH      stdin becomes the file (created or overwritten)
 *   fattool IMAGE append PATH     stdin is appended (the file is created if missing)
 *   fattool IMAGE patch PATH OFFSET  stdin overwrites the file from OFFSET on (which may
 *                                 be at most its size; the file grows if stdin goes past it)
 *   fattool IMAGE rm PATH         a file or an empty directory
 *   fattool IMAGE mkdir PATH
 *   fattool IMAGE fuzz SEED N     N runs on damaged copies of the image, in memory
 *
 * Exit status: 0 success, 1 the library reported an error (one line
 * "fattool: error: KIND: DETAIL" on stderr), 2 bad usage, 3 a fuzz run found
 * a library bug (a runaway loop, an error without its code).
 *
 * The library is built from the same sources as the Pinfold component and
 * linked with Pinfold's libc (as the unit tests are), this file alone with
 * the host's C library.  The image is a file of 512-byte sectors; the block
 * callbacks are pread and pwrite.  With FATTOOL_STATS=1 in the environment
 * the tool counts them and prints the totals, which is what the same command
 * would ask of Pinfold's block service.
 *
 * fuzz is in fattool_fuzz.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/fat/fat.h"
#include "libc/include/sha256.h"
#include "tools/fattool.h"

#define FIND_DEPTH_MAX 32

const char *program = "fattool";

/* ---- the image as a block device ---------------------------------------------------- */

/* FATTOOL_STATS=1: the block requests the command made, on stderr at the end. */
static struct { unsigned long reads, read_sectors, writes, written_sectors, flushes; } stats;

static int file_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	int fd = *(int *)ctx;
	stats.reads++;
	stats.read_sectors += count;
	size_t want = (size_t)count * SECTOR;
	ssize_t got = pread(fd, buf, want, (off_t)(lba * SECTOR));
	return got == (ssize_t)want ? 0 : -1;
}

static int file_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	int fd = *(int *)ctx;
	stats.writes++;
	stats.written_sectors += count;
	size_t want = (size_t)count * SECTOR;
	ssize_t put = pwrite(fd, buf, want, (off_t)(lba * SECTOR));
	return put == (ssize_t)want ? 0 : -1;
}

static int file_flush(void *ctx)
{
	(void)ctx;
	stats.flushes++;
	return 0;       /* the image is closed before anyone reads it */
}

int report_error(struct fat_volume *vol, int rc)
{
	fprintf(stderr, "%s: error: %s: %s\n", program, fat_strerror(rc), fat_message(vol));
	return 1;
}

/* ---- commands ---------------------------------------------------------------------- */

static int cmd_info(struct fat_volume *vol)
{
	struct fat_info info;
	long free_now = fat_count_free(vol);
	int rc = fat_info(vol, &info);

	if (rc)
		return report_error(vol, rc);
	if (free_now < 0)
		return report_error(vol, (int)free_now);
	printf("type FAT%d\nfirst-lba %llu\nsector %u\ncluster %u\nclusters %u\n",
	       info.type, (unsigned long long)info.first_lba, info.bytes_per_sector,
	       info.cluster_bytes, info.cluster_count);
	if (info.free_clusters == 0xffffffffu)
		printf("fsinfo-free unknown\n");
	else
		printf("fsinfo-free %u\n", info.free_clusters);
	printf("free %ld\n", free_now);
	return 0;
}

static void print_entry(const struct fat_dirent *e, const char *name)
{
	printf("%c  %10u  %s\n", e->attr & FAT_ATTR_DIRECTORY ? 'd' : '-', e->size, name);
}

static int cmd_ls(struct fat_volume *vol, const char *path)
{
	static struct fat_dirent e;
	struct fat_dir dir;
	int rc = fat_stat(vol, path, &e);

	if (rc)
		return report_error(vol, rc);
	if (!(e.attr & FAT_ATTR_DIRECTORY)) {
		print_entry(&e, e.name);
		return 0;
	}
	rc = fat_opendir(vol, path, &dir);
	while (rc == 0 && (rc = fat_readdir(&dir, &e)) == 1) {
		print_entry(&e, e.name);
		rc = 0;
	}
	return rc < 0 ? report_error(vol, rc) : 0;
}

/* Hashes (and with `out`, copies out) one file. */
static int hash_file(struct fat_volume *vol, const char *path, FILE *out, char hex[SHA256_HEX_SIZE])
{
	static uint8_t buf[256 * 1024];
	struct fat_file file;
	struct sha256 ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	long n;
	int rc = fat_open(vol, path, FAT_READ, &file);

	if (rc)
		return rc;
	sha256_init(&ctx);
	while ((n = fat_read(&file, buf, sizeof buf)) > 0) {
		sha256_update(&ctx, buf, (size_t)n);
		if (out && fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			break;
	}
	rc = fat_close(&file);
	if (n < 0)
		return (int)n;
	sha256_final(&ctx, digest);
	sha256_hex(digest, hex);
	return rc;
}

static int cmd_cat(struct fat_volume *vol, const char *path)
{
	char hex[SHA256_HEX_SIZE];
	int rc = hash_file(vol, path, stdout, hex);

	return rc ? report_error(vol, rc) : 0;
}

struct walk {
	struct fat_volume *vol;
	bool sums;              /* sum -r: hash files instead of listing entries */
	int errors;
};

/* Lists (or hashes) everything below `path`, which holds a directory's path. */
static void walk(struct walk *w, char *path, size_t len, int depth)
{
	struct fat_dirent *e = malloc(sizeof *e);
	struct fat_dir dir;
	int rc;

	if (!e)
		exit(2);
	rc = fat_opendir(w->vol, len ? path : "/", &dir);
	while (rc == 0 && (rc = fat_readdir(&dir, e)) == 1) {
		size_t n = strlen(e->name);
		rc = 0;
		if (len + 1 + n >= PATH_MAX_LEN) {
			fprintf(stderr, "%s: error: path too long below %s\n", program, path);
			w->errors++;
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, e->name, n + 1);
		bool is_dir = e->attr & FAT_ATTR_DIRECTORY;
		if (!w->sums) {
			print_entry(e, path);
		} else if (!is_dir) {
			char hex[SHA256_HEX_SIZE];
			int frc = hash_file(w->vol, path, NULL, hex);
			if (frc) {
				report_error(w->vol, frc);
				w->errors++;
			} else {
				printf("%s  %s\n", hex, path);
			}
		}
		if (is_dir && depth + 1 < FIND_DEPTH_MAX)
			walk(w, path, len + 1 + n, depth + 1);
		else if (is_dir) {
			fprintf(stderr, "%s: error: deeper than %d directories at %s\n", program,
				FIND_DEPTH_MAX, path);
			w->errors++;
		}
		path[len] = '\0';
	}
	if (rc < 0) {
		report_error(w->vol, rc);
		w->errors++;
	}
	free(e);
}

static int cmd_find(struct fat_volume *vol, const char *start, bool sums)
{
	static char path[PATH_MAX_LEN];
	struct walk w = { .vol = vol, .sums = sums };
	size_t len = strlen(start);

	while (len && start[len - 1] == '/')
		len--;
	if (len >= PATH_MAX_LEN)
		return 2;
	memcpy(path, start, len);
	path[len] = '\0';
	walk(&w, path, len, 0);
	return w.errors ? 1 : 0;
}

static int cmd_sum(struct fat_volume *vol, int argc, char **argv)
{
	int status = 0;

	if (argc >= 1 && !strcmp(argv[0], "-r"))
		return cmd_find(vol, argc >= 2 ? argv[1] : "/", true);
	for (int i = 0; i < argc; i++) {
		char hex[SHA256_HEX_SIZE];
		int rc = hash_file(vol, argv[i], NULL, hex);
		if (rc)
			status = report_error(vol, rc);
		else
			printf("%s  %s\n", hex, argv[i]);
	}
	return status;
}

/* write, append, or (offset >= 0) patch */
static int cmd_write(struct fat_volume *vol, const char *path, bool append, long offset)
{
	static uint8_t buf[256 * 1024];
	unsigned flags = FAT_WRITE | (offset >= 0 ? 0 : FAT_CREATE | (append ? FAT_APPEND : FAT_TRUNCATE));
	struct fat_file file;
	int rc = fat_open(vol, path, flags, &file);
	size_t n;

	if (rc)
		return report_error(vol, rc);
	if (offset >= 0 && (rc = fat_seek(&file, offset > 0xffffffffL ? 0xffffffffu : (uint32_t)offset))) {
		fat_close(&file);
		return report_error(vol, rc);
	}
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		long put = fat_write(&file, buf, n);
		if (put < 0 || (size_t)put != n) {
			rc = put < 0 ? (int)put : -FAT_E_NO_SPACE;
			break;
		}
	}
	int closed = fat_close(&file);
	if (rc)
		return report_error(vol, rc);
	return closed ? report_error(vol, closed) : 0;
}

/* ---- main -------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: %s IMAGE info | ls [PATH] | find [PATH] | cat PATH | sum PATH... | sum -r [PATH]\n"
		"       %s IMAGE write PATH < DATA | append PATH < DATA | patch PATH OFFSET < DATA\n"
		"       %s IMAGE rm PATH | mkdir PATH\n"
		"       %s IMAGE fuzz SEED RUNS\n", program, program, program, program);
	return 2;
}

int main(int argc, char **argv)
{
	static struct fat_volume vol;
	const char *cmd, *arg;
	bool writes;
	int fd, rc, status;

	if (argc < 3)
		return usage();
	cmd = argv[2];
	arg = argc > 3 ? argv[3] : NULL;
	if (!strcmp(cmd, "fuzz"))
		return argc == 5 ? fuzz_main(argv[1], argv[3], argv[4]) : usage();
	writes = !strcmp(cmd, "write") || !strcmp(cmd, "append") || !strcmp(cmd, "rm") ||
		 !strcmp(cmd, "mkdir") || !strcmp(cmd, "patch");
	if ((writes || !strcmp(cmd, "cat")) && argc != (!strcmp(cmd, "patch") ? 5 : 4))
		return usage();
	long offset = -1;
	if (!strcmp(cmd, "patch")) {
		char *end;
		offset = strtol(argv[4], &end, 0);
		if (*end || offset < 0)
			return usage();
	}

	fd = open(argv[1], writes ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", program, argv[1], strerror(errno));
		return 2;
	}
	struct stat st;
	if (fstat(fd, &st)) {
		fprintf(stderr, "%s: %s: %s\n", program, argv[1], strerror(errno));
		return 2;
	}
	struct fat_blockdev dev = {
		.ctx = &fd, .sector_size = SECTOR, .sector_count = (uint64_t)st.st_size / SECTOR,
		.read = file_read, .write = writes ? file_write : NULL, .flush = file_flush,
	};
	if (dev.sector_count == 0) {
		fprintf(stderr, "%s: error: %s is smaller than one sector\n", program, argv[1]);
		return 1;
	}
	rc = fat_mount(&vol, &dev);
	if (rc)
		return report_error(&vol, rc);

	if (!strcmp(cmd, "info"))
		status = cmd_info(&vol);
	else if (!strcmp(cmd, "ls"))
		status = cmd_ls(&vol, arg ? arg : "/");
	else if (!strcmp(cmd, "find"))
		status = cmd_find(&vol, arg ? arg : "/", false);
	else if (!strcmp(cmd, "cat"))
		status = cmd_cat(&vol, arg);
	else if (!strcmp(cmd, "sum"))
		status = cmd_sum(&vol, argc - 3, argv + 3);
	else if (!strcmp(cmd, "write") || !strcmp(cmd, "append"))
		status = cmd_write(&vol, arg, !strcmp(cmd, "append"), -1);
	else if (!strcmp(cmd, "patch"))
		status = cmd_write(&vol, arg, false, offset);
	else if (!strcmp(cmd, "rm"))
		status = (rc = fat_remove(&vol, arg)) ? report_error(&vol, rc) : 0;
	else if (!strcmp(cmd, "mkdir"))
		status = (rc = fat_mkdir(&vol, arg)) ? report_error(&vol, rc) : 0;
	else
		status = usage();

	rc = fat_unmount(&vol);
	if (rc && !status)
		status = report_error(&vol, rc);
	close(fd);
	if (getenv("FATTOOL_STATS"))
		fprintf(stderr, "stats: %lu reads (%lu sectors), %lu writes (%lu sectors), %lu flushes\n",
			stats.reads, stats.read_sectors, stats.writes, stats.written_sectors, stats.flushes);
	return status;
}
