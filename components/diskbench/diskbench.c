/*
 * diskbench.c — how fast a client can read a disk (the shell's `bench disk`,
 * tools/benchdisk.py).
 *
 * One run is one row of the table: sequential reads of `bytes` per request
 * with `depth` requests kept in flight, for `ms` milliseconds, then the
 * requests still in flight are waited for and counted too.  It prints
 *
 *   bench: disk-PATH-qdDEPTH-SIZE-mbps  N.N MB/s     (MB = 10^6 bytes)
 *   bench: disk-PATH-qdDEPTH-SIZE-iops  N iops
 *   bench: disk-PATH-qdDEPTH-SIZE-cpu   N.N %
 *   bench: disk-PATH-qdDEPTH-SIZE-raw   REQUESTS NS IDLE_NS
 *
 * CPU utilisation is the part of the run's wall time that the kernel's idle
 * thread did not run (kernel_info(INFO_IDLE_NS) before and after): Pinfold
 * has one CPU, and everything a request costs — this client, the PDXs, the
 * driver, the chipset's pins, interrupt delivery — is time not idle.
 *
 * The path is what a client of the disks would use.  By the asynchronous
 * interface: PATH "ahci" is the driver's own subscribe/submit/reap, "block"
 * the block service's (block.idl), which adds what the service costs.  Both
 * have the same shape, so one loop serves both (struct path).  QD1 uses the
 * same loop with one request in flight: submit, wait for the event, reap.
 * (Waiting before reaping, not after a reap that found nothing, saves a
 * call per completion at QD1; a client of the disks would do the same.)
 * By the waiting method: PATH "block-wait" is block.idl's `read`, one call
 * per request that returns when the data is in the buffer — what a client
 * with one request at a time uses (a file system; Linux's pread), and one
 * crossing into block per request instead of a submit, a wait and a reap.
 * It has one request in flight by nature, so it is measured at depth 1 only.
 *
 * The buffer is one allocation of 32 pieces of up to 1 MiB, granted to the
 * path's component (again before each run: a restarted driver has lost the
 * grant; block's `read` would take a grant for the one call, but the same
 * standing grant as the block path keeps the two rows alike).  Requests in
 * flight at once never share a page (the driver pins each request's pages
 * while it is in flight), so a piece is the request size rounded up to
 * whole pages.  Reads wrap to sector 0 at the disk's end.
 * The data is not looked at: `disk queue` and the block tests check content.
 *
 * Nothing here is tuned to the result: the loop is the one a client would
 * write, and every completion's status is checked (an error ends the row
 * with that error, never a figure).
 */
#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "ahci_client.h"
#include "block_client.h"
#include "diskbench_server.h"

#define PAGE          4096ull
#define MAX_BYTES     ((uint64_t)1024 * 1024)
#define MAX_DEPTH     32
#define MS            1000000ull
#define DRAIN_LIMIT   (5000 * MS)       /* a request in flight this long after the end is lost */
#define OP_READ       0                 /* the same in ahci.idl and block.idl */

enum { PATH_AHCI, PATH_BLOCK, PATH_BLOCK_WAIT, PATHS };

/* A client interface of the disks: the driver's own, or the block service's; asynchronous
 * (subscribe, submit, reap) or by a waiting method (read). */
struct path {
	const char *name;       /* the name in the bench: lines */
	const char *service;    /* the component it calls */
	int64_t (*info)(cap_t cap, uint64_t disk, uint64_t *sectors, uint64_t *sector_size);
	int64_t (*subscribe)(cap_t cap, uint64_t event);
	int64_t (*submit)(cap_t cap, uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer,
			  uint64_t cookie);
	int64_t (*reap)(cap_t cap, uint64_t *cookie, uint64_t *status);
	int64_t (*read)(cap_t cap, uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer);
	                        /* the waiting method, instead of the three above */
};

static int64_t ahci_path_info(cap_t cap, uint64_t disk, uint64_t *sectors, uint64_t *sector_size)
{
	uint64_t details;
	int64_t err = ahci_info(cap, disk, sectors, &details);
	*sector_size = (uint32_t)details;       /* details: sector_size | depth << 32 | ... */
	return err;
}

static int64_t ahci_path_subscribe(cap_t cap, uint64_t event)
{
	uint64_t epoch;
	return ahci_subscribe(cap, event, &epoch);
}

static int64_t ahci_path_submit(cap_t cap, uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer,
				uint64_t cookie)
{
	return ahci_submit(cap, disk, OP_READ, lba, count, buffer, cookie);
}

static int64_t block_path_subscribe(cap_t cap, uint64_t event)
{
	uint64_t client;
	return block_subscribe(cap, event, &client);
}

static int64_t block_path_submit(cap_t cap, uint64_t disk, uint64_t lba, uint64_t count, uint64_t buffer,
				 uint64_t cookie)
{
	return block_submit(cap, disk, OP_READ, lba, count, buffer, cookie);
}

static const struct path paths[PATHS] = {
	[PATH_AHCI] = { "ahci", "ahci", ahci_path_info, ahci_path_subscribe, ahci_path_submit, ahci_reap,
			NULL },
	[PATH_BLOCK] = { "block", "block", block_info, block_path_subscribe, block_path_submit, block_reap,
			 NULL },
	[PATH_BLOCK_WAIT] = { "block-wait", "block", block_info, NULL, NULL, NULL, block_read },
};

static uint8_t *buffer;                 /* MAX_DEPTH pieces of MAX_BYTES */
static int64_t event = -1;              /* our completions; granted to the path's component */
static uint64_t run_number;             /* in each cookie: a late completion of an earlier run is dropped */

/* "512", "4k", "1m": the size's name in the bench: lines. */
static const char *size_name(uint64_t bytes, char *text, size_t size)
{
	if (bytes >= MAX_BYTES && bytes % MAX_BYTES == 0)
		snprintf(text, size, "%lum", bytes / MAX_BYTES);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(text, size, "%luk", bytes / 1024);
	else
		snprintf(text, size, "%lu", bytes);
	return text;
}

/* Grants the buffer to the path's component and, for an asynchronous path, our event too,
 * and subscribes. */
static int64_t attach(const struct path *p, cap_t cap)
{
	if (!buffer && !(buffer = mem_alloc(MAX_DEPTH * MAX_BYTES)))
		return E_NOMEM;
	int64_t err = mem_grant(buffer, MAX_DEPTH * MAX_BYTES, cap, GRANT_READ | GRANT_WRITE);
	if (err < 0 && err != E_BUSY)   /* E_BUSY: granted already */
		return err;
	if (!p->subscribe)
		return 0;               /* a waiting method: no completions to be told of */
	if (event < 0 && (event = event_create()) < 0)
		return event;
	if ((err = event_grant(event, cap)) < 0 && err != E_BUSY)
		return err;
	return p->subscribe(cap, (uint64_t)event);
}

struct row {
	uint64_t requests, ns, idle_ns;
};

/* The asynchronous loop: keeps `depth` requests in flight until `ms` have passed, then drains. */
static int64_t measure_async(const struct path *p, cap_t cap, uint64_t disk, uint64_t sectors,
			     uint64_t count, uint64_t stride, unsigned depth, uint64_t ms, struct row *row)
{
	unsigned spare[MAX_DEPTH], nspare = 0, in_flight = 0;
	for (unsigned i = depth; i-- > 0;)
		spare[nspare++] = i;
	uint64_t run = ++run_number, lba = 0, done = 0;
	int64_t error = 0;
	bool stopping = false;
	uint64_t idle0 = kernel_info(INFO_IDLE_NS), t0 = clock_ns(), end = t0 + ms * MS;
	for (;;) {
		while (!stopping && nspare) {
			unsigned piece = spare[nspare - 1];
			if (lba + count > sectors)
				lba = 0;
			int64_t r = p->submit(cap, disk, lba, count, (uint64_t)(buffer + piece * stride),
					      run << 8 | piece);
			if (r == E_BUSY)
				break;          /* the path is full: reap first */
			if (r < 0) {
				error = r;
				stopping = true;
				break;
			}
			nspare--;
			in_flight++;
			lba += count;
		}
		if (!in_flight)
			break;
		/* Our event is sticky: a completion since the last reap has signalled it.  So wait
		 * first and reap after, and stop reaping when reap says no more are waiting: no
		 * call that is sure to find nothing. */
		event_wait(event, 100 * MS);
		int64_t r;
		bool got = false;
		do {
			uint64_t cookie, status;
			if ((r = p->reap(cap, &cookie, &status)) < 0)
				break;
			if (cookie >> 8 != run)
				continue;       /* an earlier, abandoned run's */
			unsigned piece = cookie & 0xff;
			if (piece >= depth)
				return E_INVAL; /* not a request of ours: the path is confused */
			if ((int64_t)status < 0 && !error) {
				error = (int64_t)status;
				stopping = true;
			}
			spare[nspare++] = piece;
			in_flight--;
			done++;
			got = true;
		} while (r > 0);
		if (r < 0 && r != E_NOT_FOUND)
			return r;       /* the driver restarted (E_DENIED) or failed: no figure */
		uint64_t now = clock_ns();
		if (now >= end)
			stopping = true;
		if (!got && now > end + DRAIN_LIMIT)
			return E_TIMEOUT;
	}
	row->ns = clock_ns() - t0;
	row->idle_ns = kernel_info(INFO_IDLE_NS) - idle0;
	row->requests = done;
	return error;
}

/* The waiting loop: one read after another until `ms` have passed; each call returns with
 * its request finished, so there is nothing to drain.  Piece 0 of the buffer is enough. */
static int64_t measure_waiting(const struct path *p, cap_t cap, uint64_t disk, uint64_t sectors,
			       uint64_t count, uint64_t ms, struct row *row)
{
	uint64_t lba = 0, done = 0, now;
	uint64_t idle0 = kernel_info(INFO_IDLE_NS), t0 = clock_ns(), end = t0 + ms * MS;
	do {
		if (lba + count > sectors)
			lba = 0;
		int64_t err = p->read(cap, disk, lba, count, (uint64_t)buffer);
		if (err < 0)
			return err;     /* a failed read, or block gone: no figure */
		done++;
		lba += count;
	} while ((now = clock_ns()) < end);
	row->ns = now - t0;
	row->idle_ns = kernel_info(INFO_IDLE_NS) - idle0;
	row->requests = done;
	return 0;
}

/* The row's bench: lines; MB/s and CPU with one decimal. */
static void report(const struct path *p, unsigned depth, uint64_t bytes, const struct row *row)
{
	char size[16];
	size_name(bytes, size, sizeof size);
	uint64_t ns = row->ns ? row->ns : 1;
	uint64_t mb_tenths = row->requests * bytes * 10000 / ns;        /* bytes/ns = 1000 MB/s */
	uint64_t iops = row->requests * 1000000000ull / ns;
	uint64_t idle = row->idle_ns < ns ? row->idle_ns : ns;
	uint64_t cpu_tenths = (ns - idle) * 1000 / ns;
	log_printf("bench: disk-%s-qd%u-%s-mbps %lu.%lu MB/s\n", p->name, depth, size, mb_tenths / 10,
		   mb_tenths % 10);
	log_printf("bench: disk-%s-qd%u-%s-iops %lu iops\n", p->name, depth, size, iops);
	log_printf("bench: disk-%s-qd%u-%s-cpu %lu.%lu %%\n", p->name, depth, size, cpu_tenths / 10,
		   cpu_tenths % 10);
	log_printf("bench: disk-%s-qd%u-%s-raw %lu %lu %lu requests ns idle-ns\n", p->name, depth, size,
		   row->requests, row->ns, row->idle_ns);
}

int64_t serve_run(uint64_t path, uint64_t disk, uint64_t bytes, uint64_t depth, uint64_t ms,
		  uint64_t *requests, uint64_t *ns)
{
	if (path >= PATHS || depth < 1 || depth > MAX_DEPTH || ms < 10 || ms > 10000 || bytes == 0 ||
	    bytes > MAX_BYTES)
		return E_INVAL;
	const struct path *p = &paths[path];
	if (p->read && depth != 1)
		return E_INVAL;         /* a waiting method has one request in flight */
	int64_t c = cap_lookup(p->service);
	if (c < 0)
		return E_NO_CAP;        /* no such service in this system (or not ours to call) */
	cap_t cap = (cap_t)c;
	uint64_t sectors, sector_size;
	int64_t err = p->info(cap, disk, &sectors, &sector_size);
	if (err < 0)
		return err;
	if (sector_size == 0 || bytes % sector_size || bytes / sector_size > sectors)
		return E_INVAL;
	if ((err = attach(p, cap)) < 0)
		return err;
	struct row row = { 0, 0, 0 };
	uint64_t stride = (bytes + PAGE - 1) & ~(PAGE - 1);
	if (p->read)
		err = measure_waiting(p, cap, disk, sectors, bytes / sector_size, ms, &row);
	else
		err = measure_async(p, cap, disk, sectors, bytes / sector_size, stride, (unsigned)depth, ms,
				    &row);
	if (err < 0)
		return err;
	report(p, (unsigned)depth, bytes, &row);
	*requests = row.requests;
	*ns = row.ns;
	return 0;
}

int64_t component_init(void)
{
	return 0;
}
