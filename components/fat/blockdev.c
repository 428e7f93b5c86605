/*
 * blockdev.c — disk 0 of the block service as the FAT library's disk.
 *
 * The library reads and writes sectors into any memory it likes: its
 * sector cache, or the buffer of fat's caller.  block accepts only memory
 * granted to it, and fat may grant only memory it allocated itself, so all
 * data passes through one 64 KiB bounce buffer of fat's heap, granted to
 * block read-write (block's device writes it on a read).  The library is
 * told so (max_transfer), and never asks for more at once.
 *
 * The grant is made again before each request if it is gone: the kernel
 * revokes every grant to block when block restarts.  A crash of the disk
 * driver is block's business, invisible here; a crash of block itself makes
 * the call in progress fail (E_CALLEE_FAILED) and the next ones answer
 * E_CALLEE_RESTARTING until it is back, so those two are retried for a few
 * seconds before the library sees an I/O error.
 */
#include "components/fat/blockdev.h"

#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "block_client.h"

#define BOUNCE_BYTES (64 * 1024)
#define DISK 0
#define RETRY_NS (10 * 1000000ull)
#define RETRIES 300                     /* 3 s of block restarting */

static cap_t block;
static uint8_t *bounce;

/* The bounce buffer is granted to block; E_BUSY means it already was. */
static int64_t grant_bounce(void)
{
	int64_t g = mem_grant(bounce, BOUNCE_BYTES, block, GRANT_READ | GRANT_WRITE);
	return g < 0 && g != E_BUSY ? g : 0;
}

/* One request of block's on the bounce buffer, retried while block restarts. */
static int64_t request(uint64_t op, uint64_t lba, uint32_t count)
{
	int64_t err = E_CALLEE_RESTARTING;
	for (int tries = 0; tries < RETRIES; tries++) {
		err = grant_bounce();
		if (err == 0) {
			if (op == 0)
				err = block_read(block, DISK, lba, count, (uint64_t)bounce);
			else if (op == 1)
				err = block_write(block, DISK, lba, count, (uint64_t)bounce);
			else
				err = block_flush(block, DISK);
		}
		if (err != E_CALLEE_RESTARTING && err != E_CALLEE_FAILED)
			return err;
		sleep_ns(RETRY_NS);
	}
	return err;
}

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	const struct fat_blockdev *dev = ctx;
	if ((uint64_t)count * dev->sector_size > BOUNCE_BYTES)
		return -1;
	if (request(0, lba, count) < 0)
		return -1;
	memcpy(buf, bounce, (size_t)count * dev->sector_size);
	return 0;
}

static int disk_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	const struct fat_blockdev *dev = ctx;
	if ((uint64_t)count * dev->sector_size > BOUNCE_BYTES)
		return -1;
	memcpy(bounce, buf, (size_t)count * dev->sector_size);
	return request(1, lba, count) < 0 ? -1 : 0;
}

static int disk_flush(void *ctx)
{
	(void)ctx;
	return request(2, 0, 0) < 0 ? -1 : 0;
}

int64_t blockdev_open(struct fat_blockdev *dev, char *why, size_t why_size)
{
	if (!bounce) {
		int64_t c = cap_lookup("block");
		if (c < 0) {
			snprintf(why, why_size, "no capability for the block service");
			return c;
		}
		block = (cap_t)c;
		bounce = mem_alloc(BOUNCE_BYTES);
		if (!bounce) {
			snprintf(why, why_size, "no memory for a %u KiB buffer", BOUNCE_BYTES / 1024);
			return E_NOMEM;
		}
	}
	uint64_t sectors = 0, sector_size = 0;
	int64_t err = E_CALLEE_RESTARTING;
	for (int tries = 0; tries < RETRIES && (err == E_CALLEE_RESTARTING || err == E_CALLEE_FAILED); tries++)
		if ((err = block_info(block, DISK, &sectors, &sector_size)) == E_CALLEE_RESTARTING)
			sleep_ns(RETRY_NS);
	if (err < 0) {
		snprintf(why, why_size, err == E_NOT_FOUND ? "no disk %d" : "disk %d: %s", DISK,
			 pinfold_strerror(err) ? pinfold_strerror(err) : "failed");
		return err;
	}
	if (sector_size != 512 && sector_size != 1024 && sector_size != 2048 && sector_size != 4096) {
		snprintf(why, why_size, "disk %d has sectors of %lu bytes", DISK, sector_size);
		return E_IO;
	}
	*dev = (struct fat_blockdev){
		.ctx = dev, .sector_size = (uint32_t)sector_size, .sector_count = sectors,
		.max_transfer = BOUNCE_BYTES / (uint32_t)sector_size,
		.read = disk_read, .write = disk_write, .flush = disk_flush,
	};
	return 0;
}
