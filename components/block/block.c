/*
 * block.c — the block service: the disks as clients see them (block.idl),
 * in front of the untrusted AHCI driver.
 *
 * Clients never hand their own memory to the driver.  Only the owner of
 * memory may grant it (kernel/component/memobj.c), so block could not pass a
 * client's buffer on even if it wanted to; and it does not want to: a
 * client's buffer may be revoked at any moment, and block must neither
 * fault on it nor let the driver's device write there.  Data moves through
 * bounce buffers of block's own heap, granted read-write to ahci (again
 * after each restart of ahci: the kernel takes grants back from a component
 * that stops), and between a bounce buffer and the client's buffer by the
 * kernel call mem_copy, which answers E_FAULT instead of faulting when the
 * client's grant is missing, read-only for a read, or gone.
 *
 * This first version is synchronous: one request at a time through the
 * driver's waiting `transfer`, on one 1 MiB bounce buffer.
 */
#include <pinfold/kcall.h>
#include <string.h>

#include "ahci_client.h"
#include "block_server.h"

#define MAX_COUNT    2048u              /* sectors per request (block.idl) */
#define BOUNCE_BYTES (1u << 20)         /* the largest request: 2048 sectors of 512 bytes */
#define OP_READ      0
#define OP_WRITE     1
#define OP_FLUSH     2

static cap_t ahci;
static uint8_t *bounce;
static uint32_t bounce_held;            /* atomic: 1 while a request uses the bounce buffer */
static uint64_t failed;

/* Grants the bounce buffer to ahci unless it has it (E_BUSY: it has). */
static int64_t grant_bounce(void)
{
	int64_t g = mem_grant(bounce, BOUNCE_BYTES, ahci, GRANT_READ | GRANT_WRITE);
	return g == E_BUSY ? 0 : g < 0 ? g : 0;
}

static void bounce_take(void)
{
	uint32_t free = 0;
	while (!__atomic_compare_exchange_n(&bounce_held, &free, 1, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST)) {
		free = 0;
		thread_yield();
	}
}

static void bounce_give(void)
{
	__atomic_store_n(&bounce_held, 0, __ATOMIC_SEQ_CST);
}

int64_t component_init(void)
{
	int64_t cap = cap_lookup("ahci");
	if (cap < 0)
		return cap;
	ahci = (cap_t)cap;
	if (!(bounce = mem_alloc(BOUNCE_BYTES)))
		return E_NOMEM;
	return 0;
}

int64_t serve_disks(uint64_t *count)
{
	uint64_t n = 0, sectors, details;
	int64_t err;
	while ((err = ahci_info(ahci, n, &sectors, &details)) == 0)
		n++;
	if (err != E_NOT_FOUND)
		return err;
	*count = n;
	return 0;
}

int64_t serve_info(uint64_t disk, uint64_t *sectors, uint64_t *sector_size)
{
	uint64_t details;
	int64_t err = ahci_info(ahci, disk, sectors, &details);
	if (err < 0)
		return err;
	*sector_size = (uint32_t)details;
	return 0;
}

/* Checks a read or write against the disk; its length in bytes, or an error. */
static int64_t check(uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	uint64_t sectors, sector_size;
	int64_t err = serve_info(disk, &sectors, &sector_size);
	if (err < 0)
		return err;
	if (count == 0 || lba >= sectors || count > sectors - lba || buffer == 0 || (buffer & 1))
		return E_INVAL;
	if (count > MAX_COUNT || count * sector_size > BOUNCE_BYTES)
		return E_LIMIT;
	return (int64_t)(count * sector_size);
}

static int64_t move(uint64_t op, uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	int64_t bytes = check(disk, lba, count, buffer);
	if (bytes < 0)
		return bytes;
	void *client = (void *)buffer;
	/* The client's buffer must allow what the request will do to it, before the disk is touched. */
	int64_t err = op == OP_READ ? mem_copy(client, client, (uint64_t)bytes) : 0;
	if (err < 0)
		return err;
	bounce_take();
	if (op == OP_WRITE)
		err = mem_copy(bounce, client, (uint64_t)bytes);
	if (err == 0)
		err = grant_bounce();
	if (err == 0)
		err = ahci_transfer(ahci, disk, op, lba, count, (uint64_t)bounce);
	if (err == 0 && op == OP_READ)
		err = mem_copy(client, bounce, (uint64_t)bytes);
	bounce_give();
	if (err < 0)
		__atomic_fetch_add(&failed, 1, __ATOMIC_SEQ_CST);
	return err;
}

int64_t serve_read(uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	return move(OP_READ, disk, lba, count, buffer);
}

int64_t serve_write(uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer)
{
	return move(OP_WRITE, disk, lba, count, buffer);
}

int64_t serve_flush(uint64_t disk)
{
	uint64_t sectors, sector_size;
	int64_t err = serve_info(disk, &sectors, &sector_size);
	if (err < 0)
		return err;
	bounce_take();
	err = ahci_transfer(ahci, disk, OP_FLUSH, 0, 0, 0);
	bounce_give();
	return err;
}

int64_t serve_subscribe(uint64_t event, uint64_t *client)
{
	(void)event, (void)client;
	return E_NOSYS;
}

int64_t serve_submit(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer, uint64_t cookie)
{
	(void)disk, (void)op, (void)lba, (void)count, (void)buffer, (void)cookie;
	return E_NOSYS;
}

int64_t serve_reap(uint64_t *cookie, uint64_t *status)
{
	(void)cookie, (void)status;
	return E_NOSYS;
}

int64_t serve_stats(uint64_t *reissued, uint64_t *failed_out)
{
	*reissued = 0;
	*failed_out = failed;
	return 0;
}
