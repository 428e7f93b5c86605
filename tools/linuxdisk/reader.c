/*
 * reader.c — Linux's side of the disk benchmark: sequential reads of a block
 * device with O_DIRECT, the same table as Pinfold's `bench disk`
 * (components/diskbench), printed in the same `bench:` lines with the path
 * "linux", so tools/linuxdisk/compare.py reads both systems alike.
 *
 *   reader DEVICE MS
 *
 * For request sizes 512 B to 1 MiB, at queue depth 1 and 32, it reads for MS
 * milliseconds from offset 0 (wrapping at the device's end), then waits for
 * what is still in flight and counts it too, as diskbench does.
 *   QD1:  pread(2), one request after another.
 *   QD32: Linux AIO by raw system calls (io_setup, io_submit, io_getevents;
 *         <linux/aio_abi.h>, so no libaio): 32 requests in flight, each
 *         completion answered at once with the next request.
 * O_DIRECT makes every read go to the device (no page cache), from a
 * page-aligned buffer; each request of a QD32 run has a buffer of its own.
 * Time is CLOCK_MONOTONIC.  CPU utilisation is 1 - idle / wall, with idle the
 * idle and iowait ticks of /proc/stat's cpu line (USER_HZ, so 10 ms grain:
 * rows of a second or more are meant).  Any failed or short read ends the
 * program with a message: no figure is printed for a row that went wrong.
 *
 * Each row also prints how many commands the kernel's SCSI layer timed out
 * during it (`-lost N`, /sys/block/NAME/device/iotmo_cnt): QEMU 7.2's AHCI
 * loses some NCQ commands under Linux (see compare.py), and a row with a
 * loss has a stall of the command timeout in it.
 *
 * Built static on the host (tools/linuxdisk/mkinitramfs.py) and run as the
 * only program of a busybox initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_BYTES (1024 * 1024)
#define MAX_DEPTH 32

static const uint64_t sizes[] = { 512, 1024, 4096, 16384, 65536, 262144, 1048576 };
static const unsigned depths[] = { 1, 32 };

struct row {
	uint64_t requests, ns, idle_ns;
};

static void die(const char *what)
{
	fprintf(stderr, "reader: %s: %s\n", what, strerror(errno));
	printf("bench: error: %s\n", what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The time all CPUs spent idle or waiting for I/O, from /proc/stat's first line. */
static uint64_t idle_ns(void)
{
	unsigned long long user, nice, sys, idle, iowait;
	FILE *f = fopen("/proc/stat", "r");
	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait) != 5)
		die("/proc/stat");
	fclose(f);
	return (uint64_t)(idle + iowait) * 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
}

/* Commands of the disk that timed out so far (hex in sysfs); 0 if the file is not there. */
static uint64_t timeouts(const char *device)
{
	char path[128];
	const char *name = strrchr(device, '/');
	snprintf(path, sizeof path, "/sys/block/%s/device/iotmo_cnt", name ? name + 1 : device);
	unsigned long long n = 0;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llx", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

static long io_setup(unsigned n, aio_context_t *ctx) { return syscall(SYS_io_setup, n, ctx); }
static long io_submit(aio_context_t ctx, long n, struct iocb **v) { return syscall(SYS_io_submit, ctx, n, v); }
static long io_getevents(aio_context_t ctx, long min, long max, struct io_event *ev)
{
	return syscall(SYS_io_getevents, ctx, min, max, ev, NULL);
}
static long io_destroy(aio_context_t ctx) { return syscall(SYS_io_destroy, ctx); }

static uint64_t next_offset(uint64_t *offset, uint64_t size, uint64_t device_bytes)
{
	if (*offset + size > device_bytes)
		*offset = 0;
	uint64_t at = *offset;
	*offset += size;
	return at;
}

static void qd1(int fd, uint8_t *buffer, uint64_t size, uint64_t device_bytes, uint64_t end, struct row *row)
{
	uint64_t offset = 0;
	do {
		ssize_t got = pread(fd, buffer, size, (off_t)next_offset(&offset, size, device_bytes));
		if (got != (ssize_t)size)
			die("pread");
		row->requests++;
	} while (now_ns() < end);
}

static void qd32(int fd, uint8_t *buffer, uint64_t size, unsigned depth, uint64_t device_bytes, uint64_t end,
		 struct row *row)
{
	aio_context_t ctx = 0;
	struct iocb cbs[MAX_DEPTH], *ptrs[MAX_DEPTH];
	struct io_event events[MAX_DEPTH];
	uint64_t offset = 0, stride = (size + 4095) & ~4095ull;
	unsigned in_flight = 0;
	if (io_setup(depth, &ctx) < 0)
		die("io_setup");
	for (unsigned i = 0; i < depth; i++) {
		memset(&cbs[i], 0, sizeof cbs[i]);
		cbs[i].aio_fildes = (uint32_t)fd;
		cbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
		cbs[i].aio_buf = (uint64_t)(uintptr_t)(buffer + i * stride);
		cbs[i].aio_nbytes = size;
		cbs[i].aio_offset = (int64_t)next_offset(&offset, size, device_bytes);
		cbs[i].aio_data = i;
		ptrs[i] = &cbs[i];
	}
	if (io_submit(ctx, depth, ptrs) != (long)depth)
		die("io_submit");
	in_flight = depth;
	bool stopping = false;
	while (in_flight) {
		long n = io_getevents(ctx, 1, MAX_DEPTH, events);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 1)
			die("io_getevents");
		if (now_ns() >= end)
			stopping = true;
		unsigned again = 0;
		for (long e = 0; e < n; e++) {
			if (events[e].res != (int64_t)size) {
				errno = events[e].res < 0 ? (int)-events[e].res : EIO;
				die("a read");
			}
			row->requests++;
			in_flight--;
			if (!stopping) {
				struct iocb *cb = &cbs[events[e].data];
				cb->aio_offset = (int64_t)next_offset(&offset, size, device_bytes);
				ptrs[again++] = cb;
			}
		}
		if (again) {
			if (io_submit(ctx, again, ptrs) != (long)again)
				die("io_submit");
			in_flight += again;
		}
	}
	io_destroy(ctx);
}

static void report(unsigned depth, uint64_t size, const struct row *r, uint64_t lost)
{
	char name[16];
	if (size >= MAX_BYTES)
		snprintf(name, sizeof name, "%llum", (unsigned long long)(size / MAX_BYTES));
	else if (size >= 1024)
		snprintf(name, sizeof name, "%lluk", (unsigned long long)(size / 1024));
	else
		snprintf(name, sizeof name, "%llu", (unsigned long long)size);
	uint64_t ns = r->ns ? r->ns : 1, idle = r->idle_ns < ns ? r->idle_ns : ns;
	uint64_t mb_tenths = r->requests * size * 10000 / ns, cpu_tenths = (ns - idle) * 1000 / ns;
	printf("bench: disk-linux-qd%u-%s-mbps %llu.%llu MB/s\n", depth, name,
	       (unsigned long long)(mb_tenths / 10), (unsigned long long)(mb_tenths % 10));
	printf("bench: disk-linux-qd%u-%s-iops %llu iops\n", depth, name,
	       (unsigned long long)(r->requests * 1000000000ull / ns));
	printf("bench: disk-linux-qd%u-%s-cpu %llu.%llu %%\n", depth, name,
	       (unsigned long long)(cpu_tenths / 10), (unsigned long long)(cpu_tenths % 10));
	printf("bench: disk-linux-qd%u-%s-raw %llu %llu %llu requests ns idle-ns\n", depth, name,
	       (unsigned long long)r->requests, (unsigned long long)r->ns, (unsigned long long)r->idle_ns);
	printf("bench: disk-linux-qd%u-%s-lost %llu commands\n", depth, name, (unsigned long long)lost);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: reader DEVICE MS\n");
		return 2;
	}
	uint64_t ms = strtoull(argv[2], NULL, 10), device_bytes;
	int fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0)
		die(argv[1]);
	struct stat st;
	if (ioctl(fd, BLKGETSIZE64, &device_bytes) < 0) {
		/* A regular file (trying the reader on the host): its size. */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			die("BLKGETSIZE64");
		device_bytes = (uint64_t)st.st_size;
	}
	uint8_t *buffer = aligned_alloc(4096, (size_t)MAX_DEPTH * MAX_BYTES);
	if (!buffer)
		die("the buffer");
	memset(buffer, 0, (size_t)MAX_DEPTH * MAX_BYTES);       /* no first-touch faults in a row */
	for (unsigned d = 0; d < sizeof depths / sizeof depths[0]; d++)
		for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			struct row row = { 0, 0, 0 };
			uint64_t lost0 = timeouts(argv[1]), idle0 = idle_ns(), t0 = now_ns();
			if (depths[d] == 1)
				qd1(fd, buffer, sizes[s], device_bytes, t0 + ms * 1000000ull, &row);
			else
				qd32(fd, buffer, sizes[s], depths[d], device_bytes, t0 + ms * 1000000ull, &row);
			row.ns = now_ns() - t0;
			row.idle_ns = idle_ns() - idle0;
			report(depths[d], sizes[s], &row, timeouts(argv[1]) - lost0);
		}
	printf("bench: done\n");
	return 0;
}
