/*
 * slots.c — a request's life in a command slot, and port recovery.
 *
 * Three kinds of thread work on a disk at once: client threads (which
 * migrate into the driver by PDX and issue their own commands), the
 * interrupt thread (which claims completions and recovers from errors) and
 * the watch thread (which recovers a port whose command never finishes).
 * A client thread can be killed anywhere inside the driver, when its own
 * component crashes, so nothing here holds a lock: each step is one atomic
 * operation on a slot's state or on a disk's bit masks (driver.h).
 *
 * Issuing (AHCI 1.3.1 §5.3.2, §5.6.4.1 for NCQ): claim a FREE slot, enter
 * the disk's mode (NCQ and non-queued commands never run together, as ATA
 * requires), pin the buffer through the chipset unless it lies in a pool
 * its client lent (pools.c), build the FIS and PRDs,
 * set PxSACT (NCQ) and PxCI, then set the slot's bit in `issued`.
 *
 * Completing: collect() takes a snapshot of `issued` FIRST, then reads
 * PxSACT and PxCI: a slot that is in the snapshot was in PxCI before the
 * snapshot, so if the HBA no longer holds it, it is done.  Whoever clears
 * the bit in `issued` (an atomic and) owns the completion: it unpins the
 * buffer (or leaves its pool), and only then sets the status and tells the waiter.  A command
 * that finished between its PxCI write and its bit in `issued` could have
 * been missed by the interrupt it raised; so an issuer collects once
 * itself after setting the bit if an interrupt method ran at any time in
 * between (each counts itself in `interrupt_runs` as it begins and as it ends).
 * Otherwise not: collecting reads five registers, and every request would
 * pay for them.
 *
 * Errors: the interrupt method sees a fatal PxIS bit, ERR in PxTFD, or
 * PxSERR (QEMU reports a failed NCQ command only there: its tag's bit, and
 * the tag stays in PxSACT) and calls recover(), which follows §6.2.2.1:
 * stop the port, COMRESET, clear the errors, start again.  Which of the
 * commands done at that moment failed cannot always be told (QEMU does not
 * keep PxCMD.CCS), so every command the HBA no longer holds is failed with
 * E_IO, a conservative answer that the block service retries.  A command
 * the HBA still held after the reset would stay issued and complete normally
 * (the specification clears PxCI and PxSACT when the port stops, and QEMU 7.2
 * was seen to, so none is expected).
 */
#include "drivers/ahci/ata.h"
#include "drivers/ahci/driver.h"
#include "drivers/ahci/prd.h"
#include "drivers/ahci/request.h"
#include <pinfold/hot.h>

#define PAGE 4096ull

static uint64_t request_pages;          /* pinned for requests in flight, on every disk: atomic */

static bool cas32(uint32_t *p, uint32_t expect, uint32_t desired)
{
	return __atomic_compare_exchange_n(p, &expect, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Queued and non-queued commands exclude each other (ATA8-ACS: a non-queued command while
 * queued ones are outstanding aborts them all). */
HOT static bool mode_enter(struct disk *d, bool queued)
{
	uint32_t old = __atomic_load_n(&d->mode, __ATOMIC_SEQ_CST), next;
	do {
		if (queued ? (old >> 16) != 0 : (old & 0xffff) != 0)
			return false;
		next = old + (queued ? 1u : 0x10000u);
	} while (!__atomic_compare_exchange_n(&d->mode, &old, next, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return true;
}

HOT static void mode_leave(struct disk *d, bool queued)
{
	__atomic_fetch_sub(&d->mode, queued ? 1u : 0x10000u, __ATOMIC_SEQ_CST);
}

HOT int slot_claim(struct disk *d, bool queued)
{
	if (__atomic_load_n(&d->dead, __ATOMIC_SEQ_CST))
		return E_IO;
	if (__atomic_load_n(&d->recovering, __ATOMIC_SEQ_CST))
		return E_BUSY;
	for (unsigned s = 0; s < d->nslots; s++) {
		if (!cas32(&d->slot[s].state, SLOT_FREE, SLOT_FILLING))
			continue;
		if (!mode_enter(d, queued)) {
			__atomic_store_n(&d->slot[s].state, SLOT_FREE, __ATOMIC_SEQ_CST);
			return E_BUSY;
		}
		struct slot *sl = &d->slot[s];
		sl->queued = queued;
		sl->waiter = -1;
		sl->client = -1;
		sl->pin_len = 0;
		sl->pool = -1;
		sl->status = 0;
		return (int)s;
	}
	return E_BUSY;
}

void slot_unclaim(struct disk *d, int s)
{
	mode_leave(d, d->slot[s].queued);
	__atomic_store_n(&d->slot[s].state, SLOT_FREE, __ATOMIC_SEQ_CST);
}

HOT void slot_release(struct slot *s)
{
	__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_SEQ_CST);
}

/* Takes the completion of slot s (its bit is ours now): unpin, then tell. */
HOT static void finish(struct disk *d, int s, int64_t status)
{
	struct slot *sl = &d->slot[s];
	if (sl->pin_len) {
		int64_t err = pci_driver_unpin(&pci, (void *)sl->pin_va, sl->pin_len);
		if (err < 0)
			log_printf("ahci: disk %u: unpin 0x%lx: %s\n", d->index, sl->pin_va, pinfold_strerror(err));
		__atomic_fetch_sub(&request_pages, sl->pin_len / PAGE, __ATOMIC_SEQ_CST);
		sl->pin_len = 0;
	}
	if (sl->pool >= 0) {
		pool_leave(sl->pool);
		sl->pool = -1;
	}
	mode_leave(d, sl->queued);
	sl->status = status;
	__atomic_fetch_add(status < 0 ? &d->failed : &d->completed, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sl->state, SLOT_DONE, __ATOMIC_SEQ_CST);
	notify(sl);
}

HOT bool collect(struct disk *d)
{
	if (hung || __atomic_load_n(&d->recovering, __ATOMIC_SEQ_CST))
		return true;
	uint32_t snapshot = __atomic_load_n(&d->issued, __ATOMIC_SEQ_CST);
	if (!snapshot)
		return true;
	uint32_t held = port_r32(d, PX_SACT) | port_r32(d, PX_CI);
	/* An error is visible no later than (in QEMU: atomically with) the failed command
	 * leaving PxCI, and its PxIS bit stays until recover() takes the port (a later
	 * command's good status may have cleared PxTFD.ERR already): then which of the
	 * finished slots succeeded is recover()'s question, not ours. */
	if ((port_r32(d, PX_IS) & PXIS_FATAL) || (port_r32(d, PX_TFD) & TFD_STS_ERR) ||
	    port_r32(d, PX_SERR))
		return false;
	uint32_t done = snapshot & ~held;
	if (!done)
		return true;
	uint32_t mine = __atomic_fetch_and(&d->issued, ~done, __ATOMIC_SEQ_CST) & done;
	for (int s = 0; mine; s++, mine >>= 1)
		if (mine & 1)
			finish(d, s, 0);
	return true;
}

HOT void slot_issue(struct disk *d, int s, unsigned nprd, bool write)
{
	struct slot *sl = &d->slot[s];
	uint64_t table = (uint64_t)&d->tables[s];
	d->list[s] = (struct ahci_cmd_header){
		.flags = (uint16_t)(CMDH_CFL(FIS_H2D_DWORDS) | (write ? CMDH_WRITE : 0)),
		.prdtl = (uint16_t)nprd,
		.ctba = (uint32_t)table, .ctbau = (uint32_t)(table >> 32),
	};
	uint32_t bit = 1u << s;
	__atomic_fetch_add(&sl->issues, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&d->in_issue, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sl->state, SLOT_ISSUED, __ATOMIC_SEQ_CST);   /* also orders the table writes */
	uint32_t interrupts = __atomic_load_n(&interrupt_runs, __ATOMIC_SEQ_CST);
	if (sl->queued)
		port_w32(d, PX_SACT, bit);
	port_w32(d, PX_CI, bit);
	__atomic_fetch_or(&d->issued, bit, __ATOMIC_SEQ_CST);
	__atomic_fetch_sub(&d->in_issue, 1, __ATOMIC_SEQ_CST);
	/* An interrupt method that begins after `issued` has our bit sees it.  One that ran
	 * at any moment since before PxCI may have missed it: it counted itself (ahci.c). */
	if ((interrupts & 1) || __atomic_load_n(&interrupt_runs, __ATOMIC_SEQ_CST) != interrupts)
		collect(d);
}

HOT int64_t request_start(struct disk *d, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer,
		      int waiter, int client, uint32_t generation, uint64_t cookie, int lender, int *slot_out)
{
	struct request_bounds g = driver_bounds(d);
	uint64_t bytes;
	enum request_error bad = request_check(&g, op, lba, count, buffer, &bytes);
	if (bad != REQUEST_OK)
		return request_error_code(bad);
	bool write = op == AHCI_OP_WRITE;
	int s = slot_claim(d, d->ncq && op != AHCI_OP_FLUSH);
	if (s < 0)
		return s;
	struct slot *sl = &d->slot[s];
	uint64_t first = buffer & ~(PAGE - 1), end = (buffer + bytes + PAGE - 1) & ~(PAGE - 1);
	if (bytes && lender >= 0)
		sl->pool = pool_enter(lender, first, end - first);     /* lent and pinned already? */
	if (bytes && sl->pool < 0) {
		/* The chipset's limit of pinned pages per device is a full queue, not a bad request,
		 * if other requests held pins when we asked: they give them back as they finish.
		 * (Read before the pin: they may all finish while the chipset answers, and the
		 * completions that will wake the client for its next try are then on their way.) */
		bool others_hold_pins = __atomic_load_n(&request_pages, __ATOMIC_SEQ_CST) > 0;
		/* The device writes the buffer for a read: pin it writable only then. */
		int64_t err = pci_driver_pin(&pci, (void *)first, end - first, write ? DMA_TO_DEVICE : DMA_FROM_DEVICE);
		if (err == E_LIMIT && others_hold_pins)
			err = E_BUSY;
		if (err < 0) {
			slot_unclaim(d, s);
			return err;     /* E_FAULT: not granted to me; E_BUSY: a page already in flight */
		}
		__atomic_fetch_add(&request_pages, (end - first) / PAGE, __ATOMIC_SEQ_CST);
		sl->pin_va = first;
		sl->pin_len = end - first;
	}
	struct ahci_cmd_table *t = &d->tables[s];
	struct fis_reg_h2d *fis = (struct fis_reg_h2d *)t->cfis;
	if (op == AHCI_OP_FLUSH)
		ata_flush_cache_ext(fis);
	else if (sl->queued)
		ata_fpdma_queued(fis, write, lba, (uint32_t)count, (unsigned)s);
	else
		ata_dma_ext(fis, write, lba, (uint32_t)count);
	int nprd = bytes ? prd_build(t->prdt, AHCI_TABLE_PRDS, buffer, bytes) : 0;
	if (nprd < 0) {         /* cannot happen for a checked request; refused all the same */
		finish(d, s, nprd);
		return nprd;
	}
	sl->waiter = waiter;
	sl->client = client;
	sl->generation = generation;
	sl->cookie = cookie;
	if (slot_out)
		*slot_out = s;
	slot_issue(d, s, (unsigned)nprd, write);
	return 0;
}

void recover(struct disk *d, const char *why, uint32_t is)
{
	if (!cas32(&d->recovering, 0, 1))
		return;         /* someone else is at it */
	/* A submitter between PxCI and `issued` finishes its few instructions first. */
	for (int i = 0; i < 1000 && __atomic_load_n(&d->in_issue, __ATOMIC_SEQ_CST); i++)
		sleep_ns(1 * MS);
	uint32_t tfd = port_r32(d, PX_TFD), serr = port_r32(d, PX_SERR);
	is |= port_r32(d, PX_IS);
	int err = port_reset(d);
	uint32_t held = port_r32(d, PX_SACT) | port_r32(d, PX_CI);
	if (!err)
		err = port_start(d);
	if (err) {
		/* The port is gone: every request on it fails, and so will every new one. */
		held = 0;
		__atomic_store_n(&d->dead, 1, __ATOMIC_SEQ_CST);
		port_w32(d, PX_IE, 0);
	}
	uint32_t lost = __atomic_fetch_and(&d->issued, held, __ATOMIC_SEQ_CST) & ~held;
	__atomic_fetch_add(&d->recoveries, 1, __ATOMIC_SEQ_CST);
	unsigned failed = 0;
	for (int s = 0; lost >> s; s++)
		if (lost & (1u << s)) {
			finish(d, s, E_IO);
			failed++;
		}
	log_printf("ahci: disk %u: %s (PxIS 0x%x, PxTFD 0x%x, PxSERR 0x%x): %u request%s failed, port %s\n",
		   d->index, why, is, tfd, serr, failed, failed == 1 ? "" : "s",
		   err ? "did not come back: disk given up" : "reset");
	__atomic_store_n(&d->recovering, 0, __ATOMIC_SEQ_CST);
}
