/*
 * ahci.c — a driver for the ICH9 AHCI SATA controller (QEMU q35, 00:1f.2),
 * an untrusted user-level component like every driver (DESIGN.md).
 *
 * What it may touch it gets from the chipset component: the controller its
 * manifest names (`pci 8086:2922`), BAR 5 mapped uncached, bus mastering,
 * an MSI bound to its interrupt method, and pins, all asked for through the
 * driver library (libdriver/pci_driver.h); registers are read and written
 * through libdriver/io.h's bounded windows, one for the HBA and one per port,
 * so a wrong offset stops the driver instead of touching another port.  Its device can DMA only
 * into what is pinned: the per-disk command lists, received-FIS areas and
 * command tables (one allocation per disk, pinned at init), and the buffer
 * of each request while the request is in flight.  IOVA = VA, so the
 * addresses the driver writes into the structures are its own pointers.
 *
 * Init (AHCI 1.3.1 §10.1.2): claim, map, take the HBA over from the
 * firmware (port.c: stop every port, reset the HBA), turn bus mastering
 * on, and for every port with a device present (PxSSTS.DET = 3) attach its
 * structures, read its signature, and for an ATA disk start it and send
 * IDENTIFY DEVICE.  Other devices (the boot CD on port 2) are left alone.
 * Then the MSI is bound and interrupts enabled.
 *
 * Requests (slots.c) use every command slot of a port at once: READ/WRITE
 * FPDMA QUEUED when the disk offers NCQ, which QEMU's does, else READ/WRITE
 * DMA EXT (also with the boot option test=ahci-no-ncq, so that the tests
 * cover both); FLUSH CACHE EXT in either case.  Completions arrive as the MSI;
 * errors (PxIS.TFES and the other fatal bits, PxTFD.ERR, PxSERR) fail the
 * affected requests with E_IO and recover the port (slots.c).  A watch
 * thread recovers a port whose command has not finished in 10 s.  How a
 * client hears of completions is clients.c's header comment.
 *
 * Interface (ahci.idl): info, model, stats, subscribe, submit, reap,
 * transfer, inject, pool.  For the block service: subscribe once (and again
 * after every restart of this driver, with a fresh event grant), lend its
 * bounce pool (pools.c: pinned once, not per request), submit up
 * to 32 requests per disk with distinct cookies, reap on each signal.
 * Submit answers at once: E_NOT_FOUND (no such disk), E_INVAL / E_LIMIT
 * (request.h), E_FAULT (the buffer is not granted to ahci, or read-only for
 * a read), E_BUSY (every slot in use, a page of the buffer is in flight in
 * another request, a flush waiting for queued commands, a port being
 * recovered, or the chipset's limit of pinned pages per device reached while
 * other requests hold pins: try again after a completion), E_IO (the disk is given up),
 * E_DENIED (not subscribed to this instance).
 */
#include <pinfold/hot.h>
#include <string.h>

#include "ahci_server.h"
#include "drivers/ahci/ata.h"
#include "drivers/ahci/driver.h"
#include "drivers/ahci/prd.h"

#define ICH9_AHCI        0x80862922ull  /* VENDOR << 16 | DEVICE, as lspci shows it */
#define DISK_MEM         (3 * 4096ull)  /* 32 tables (8 KiB), list, received FIS, scratch */
#define TABLES_OFF       0
#define LIST_OFF         8192
#define FIS_OFF          (LIST_OFF + AHCI_CMD_LIST_SIZE)
#define SCRATCH_OFF      (FIS_OFF + sizeof(struct ahci_received_fis))
#define TRANSFER_TIMEOUT (2000 * MS)    /* within the manifest's watchdog (3 s) */
#define WATCH_PERIOD     (500 * MS)
#define STUCK_ROUNDS     20             /* the watch thread's limit for one command, 10 s (Linux's SCSI layer: 30 s) */

STATIC_ASSERT(AHCI_SLOTS * sizeof(struct ahci_cmd_table) <= LIST_OFF, "tables fit before the list");
STATIC_ASSERT(SCRATCH_OFF + ATA_IDENTIFY_BYTES <= DISK_MEM, "a disk's structures fit");
STATIC_ASSERT(LIST_OFF % AHCI_CMD_LIST_ALIGN == 0 && FIS_OFF % AHCI_RECEIVED_FIS_ALIGN == 0,
	      "AHCI 3.3.1, 3.3.3: alignment of PxCLB and PxFB");

struct disk disks[MAX_DISKS];
unsigned ndisks;
struct pci_driver pci;
struct mmio hba;
bool hung, irq_hang;
/* Counted at the start and the end of each interrupt method: an issuer that finds it odd or
 * changed collects itself (slots.c, slot_issue).  One for all disks: one method serves them all. */
uint32_t interrupt_runs;
static bool started;                    /* interrupts may be served */
static bool no_ncq;                     /* boot option test=ahci-no-ncq: DMA EXT only, for the tests */

HOT static int caller(void)
{
	struct kcall_result r = kernel_info_of(INFO_CALLER, 0);
	return r.status < 0 ? -1 : (int)r.value;
}

/* IDENTIFY DEVICE into the scratch buffer, waiting for it (the port is started). */
static int64_t identify(struct disk *d)
{
	int w = waiter_claim();
	int s = w < 0 ? w : slot_claim(d, false);
	if (s < 0) {
		if (w >= 0)
			waiter_release(w);
		return s;
	}
	struct ahci_cmd_table *t = &d->tables[s];
	ata_identify((struct fis_reg_h2d *)t->cfis);
	prd_build(t->prdt, AHCI_TABLE_PRDS, (uint64_t)d->scratch, ATA_IDENTIFY_BYTES);
	d->slot[s].waiter = w;
	slot_issue(d, s, 1, false);
	int64_t err = waiter_wait(w, d, s, TRANSFER_TIMEOUT);
	waiter_release(w);
	return err < 0 ? err : ata_identify_parse(d->scratch, &d->id);
}

/* Brings up the device on `port`; a disk becomes disks[ndisks].  Only hard errors fail init. */
static int64_t setup_port(unsigned port, const struct mmio *regs, uint32_t cap)
{
	static uint8_t *spare;          /* memory a port that had no disk gave back */
	struct disk *d = &disks[ndisks];
	memset(d, 0, sizeof *d);
	d->index = ndisks;
	d->port = port;
	d->regs = *regs;
	d->nslots = 1;          /* until IDENTIFY says more */
	d->mem = spare ? spare : mem_alloc(DISK_MEM);
	spare = NULL;
	if (!d->mem)
		return E_NOMEM;
	memset(d->mem, 0, DISK_MEM);
	int64_t err = pci_driver_pin(&pci, d->mem, DISK_MEM, DMA_FROM_DEVICE);
	if (err < 0)
		return err;
	d->tables = (struct ahci_cmd_table *)(d->mem + TABLES_OFF);
	d->list = (struct ahci_cmd_header *)(d->mem + LIST_OFF);
	d->fis = (struct ahci_received_fis *)(d->mem + FIS_OFF);
	d->scratch = d->mem + SCRATCH_OFF;

	const char *skip = NULL;
	uint32_t sig = 0;
	if (port_attach(d) < 0)
		skip = "does not answer";
	else if ((sig = port_r32(d, PX_SIG)) != SIG_ATA)
		skip = sig == SIG_ATAPI ? "is a packet device (CD/DVD)" : "is not an ATA disk";
	else if (port_start(d) < 0)
		skip = "does not start";
	else if ((err = identify(d)) < 0)
		skip = err == E_NOSYS ? "is a disk this driver cannot use" : "does not answer IDENTIFY";
	if (skip) {
		log_printf("ahci: port %u %s (signature 0x%x): left alone\n", port, skip, sig);
		port_detach(d);
		pci_driver_unpin(&pci, d->mem, DISK_MEM);
		spare = d->mem;
		return 0;
	}
	d->ncq = d->id.ncq && (cap & CAP_SNCQ) && !no_ncq;
	d->nslots = CAP_NCS(cap);
	if (d->ncq && d->id.queue_depth < d->nslots)
		d->nslots = d->id.queue_depth;
	log_printf("ahci: disk %u: port %u: %s, %lu sectors of %u bytes (%lu MiB), %s %u\n", d->index, port,
		   d->id.model, d->id.sectors, d->id.sector_size,
		   d->id.sectors * d->id.sector_size >> 20, d->ncq ? "NCQ, depth" : "no NCQ, slots", d->nslots);
	ndisks++;
	return 0;
}

/* Whether slot s has held the same command for STUCK_ROUNDS of the watch thread's rounds.
 * Counting rounds, not reading the clock at each issue, keeps a kernel call off every request. */
static bool stuck(struct disk *d, unsigned s)
{
	struct slot *sl = &d->slot[s];
	if (__atomic_load_n(&sl->state, __ATOMIC_SEQ_CST) != SLOT_ISSUED ||
	    !(__atomic_load_n(&d->issued, __ATOMIC_SEQ_CST) & (1u << s))) {
		sl->watched_rounds = 0;
		return false;
	}
	uint32_t issue = __atomic_load_n(&sl->issues, __ATOMIC_SEQ_CST);
	if (sl->watched_rounds == 0 || issue != sl->watched_issue) {
		sl->watched_issue = issue;
		sl->watched_rounds = 1;
		return false;
	}
	return ++sl->watched_rounds > STUCK_ROUNDS;
}

/* Recovers a port whose command has been with the HBA too long; the device's own timeout. */
static void watch(uint64_t arg)
{
	(void)arg;
	for (;;) {
		sleep_ns(WATCH_PERIOD);
		pools_sweep();
		if (hung)
			continue;
		for (unsigned i = 0; i < ndisks; i++) {
			struct disk *d = &disks[i];
			for (unsigned s = 0; s < d->nslots; s++)
				if (stuck(d, s)) {
					recover(d, "a command did not finish within 10 s", 0);
					break;
				}
		}
	}
}

static int64_t pool_pin(uint64_t va, uint64_t len)
{
	return pci_driver_pin(&pci, (void *)va, len, DMA_FROM_DEVICE);  /* reads and writes alike */
}

static int64_t pool_unpin(uint64_t va, uint64_t len)
{
	int64_t err = pci_driver_unpin(&pci, (void *)va, len);
	if (err < 0)
		log_printf("ahci: unpin of the pool at 0x%lx: %s\n", va, pinfold_strerror(err));
	return err;
}

static const struct pool_hooks pool_hooks = { pool_pin, pool_unpin };

int64_t component_init(void)
{
	pools_init(&pool_hooks);
	int64_t err = clients_init();
	if (err < 0)
		return err;
	char test[32];
	no_ncq = boot_option("test", test, sizeof test) >= 0 && strcmp(test, "ahci-no-ncq") == 0;
	if ((err = pci_driver_claim(&pci, ICH9_AHCI)) < 0) {
		log_printf("ahci: no controller to drive (%s)\n", pinfold_strerror(err));
		return 0;
	}
	if ((err = pci_driver_map_bar(&pci, AHCI_ABAR, &hba)) < 0)
		return err;
	if ((err = hba_take_over()) < 0)
		return err;
	if ((err = pci_driver_bus_master(&pci, true)) < 0) {
		log_printf("ahci: the chipset refuses DMA (%s): no IOMMU to contain it\n", pinfold_strerror(err));
		return 0;
	}
	uint32_t hcap = hba_r32(HBA_CAP), pi = hba_r32(HBA_PI);
	for (unsigned p = 0; p < AHCI_MAX_PORTS && ndisks < MAX_DISKS; p++) {
		struct mmio regs;
		if (!(pi & (1u << p)) || !mmio_window(&hba, PORT_BASE(p), PORT_SIZE, &regs))
			continue;
		if (SSTS_DET(mmio_read32(&regs, PX_SSTS)) != SSTS_DET_PRESENT)
			continue;
		if ((err = setup_port(p, &regs, hcap)) < 0)
			return err;
	}
	if (!ndisks)
		log_printf("ahci: no disks\n");
	if ((err = pci_driver_bind_msi(&pci)) < 0)
		return err;
	for (unsigned i = 0; i < ndisks; i++)
		port_w32(&disks[i], PX_IE, PXIE_DRIVER);
	started = true;
	hba_w32(HBA_GHC, GHC_AE | GHC_IE);
	err = thread_create(watch, 0, 15);
	return err < 0 ? err : 0;
}

static const char *error_name(uint32_t pis)
{
	return pis & PXIS_TFES ? "task file error" : pis & PXIS_HBFS ? "host bus fatal error" :
	       pis & PXIS_HBDS ? "host bus data error" : pis & PXIS_IFS ? "interface fatal error" :
	       pis & PXIS_OFS ? "overflow" : "device error";
}

HOT static void service(void)
{
	/* §5.5.3: clear PxIS, then IS, then look at the commands: a completion after
	 * the clearing raises a new MSI, which the kernel keeps pending for us.  An
	 * error's bits stay set until recover() has the port: until then, collect()
	 * on other threads sees them and claims nothing (slots.c).  The errors that
	 * show elsewhere (PxTFD.ERR, PxSERR) collect() finds itself, after it has
	 * read which commands are done, as it must; so they are not read twice. */
	uint32_t is = hba_r32(HBA_IS);
	for (unsigned i = 0; i < ndisks; i++) {
		struct disk *d = &disks[i];
		uint32_t pis = port_r32(d, PX_IS);
		bool dead = __atomic_load_n(&d->dead, __ATOMIC_SEQ_CST);
		if (!dead && (pis & PXIS_FATAL)) {
			recover(d, error_name(pis), pis);
			continue;
		}
		if (pis)
			port_w32(d, PX_IS, pis);
		if (!collect(d) && !dead) {
			pis |= port_r32(d, PX_IS);
			recover(d, error_name(pis), pis);
		}
	}
	if (is)
		hba_w32(HBA_IS, is);
}

HOT int64_t serve_interrupt(uint64_t line)
{
	(void)line;
	if (!started)
		return 0;
	__atomic_fetch_add(&interrupt_runs, 1, __ATOMIC_SEQ_CST);
	while (irq_hang)
		__asm__ volatile("pause");
	if (!hung)
		service();
	__atomic_fetch_add(&interrupt_runs, 1, __ATOMIC_SEQ_CST);
	return 0;
}

HOT static struct disk *disk_arg(uint64_t disk)
{
	return disk < ndisks ? &disks[disk] : NULL;
}

int64_t serve_info(uint64_t disk, uint64_t *sectors, uint64_t *details)
{
	struct disk *d = disk_arg(disk);
	if (!d)
		return E_NOT_FOUND;
	uint64_t flags = (d->ncq ? 1 : 0) | (d->dead ? 2 : 0) | (d->recovering ? 4 : 0) | (hung ? 8 : 0);
	*sectors = d->id.sectors;
	*details = d->id.sector_size | (uint64_t)d->nslots << 32 | (uint64_t)d->port << 40 | flags << 48;
	return 0;
}

int64_t serve_model(uint64_t disk, uint64_t part, uint64_t *text, uint64_t *more)
{
	struct disk *d = disk_arg(disk);
	if (!d)
		return E_NOT_FOUND;
	if (part > 2)
		return E_INVAL;
	uint64_t words[2] = { 0, 0 };
	for (unsigned i = 0; i < 16; i++) {
		size_t at = part * 16 + i;
		if (at < strnlen(d->id.model, sizeof d->id.model))
			words[i / 8] |= (uint64_t)(uint8_t)d->id.model[at] << (8 * (i % 8));
	}
	*text = words[0];
	*more = words[1];
	return 0;
}

int64_t serve_stats(uint64_t disk, uint64_t *completed, uint64_t *failed)
{
	struct disk *d = disk_arg(disk);
	if (!d)
		return E_NOT_FOUND;
	*completed = d->completed;
	*failed = d->failed;
	return 0;
}

int64_t serve_subscribe(uint64_t event, uint64_t *epoch_out)
{
	int id = caller();
	if (id < 0)
		return E_DENIED;
	return client_subscribe(id, (int64_t)event, epoch_out);
}

int64_t serve_submit(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer, uint64_t cookie)
{
	uint32_t generation;
	int64_t c = client_lookup(caller(), &generation);
	if (c < 0)
		return c;
	struct disk *d = disk_arg(disk);
	if (!d)
		return E_NOT_FOUND;
	return request_start(d, op, lba, count, buffer, -1, (int)c, generation, cookie, (int)c, NULL);
}

int64_t serve_pool(uint64_t va, uint64_t len)
{
	uint32_t generation;
	int64_t c = client_lookup(caller(), &generation);
	if (c < 0)
		return c;
	/* The device may reach a pool at any time: the same rule as a request's buffer. */
	struct request_bounds g = driver_bounds(NULL);
	if (request_check_range(&g, va, len) != REQUEST_OK)
		return E_FAULT;
	return pool_lend((int)c, va, len);
}

int64_t serve_reap(uint64_t *cookie, uint64_t *status)
{
	return client_reap(caller(), cookie, status);
}

HOT int64_t serve_transfer(uint64_t disk, uint64_t op, uint64_t lba, uint64_t count, uint64_t buffer)
{
	struct disk *d = disk_arg(disk);
	if (!d)
		return E_NOT_FOUND;
	int w = waiter_claim();
	if (w < 0)
		return w;
	int s = -1;
	int64_t err;
	/* A subscriber's buffer may lie in a pool it lent (the block service's waiting reads). */
	uint32_t generation;
	int lender = (int)client_lookup(caller(), &generation);
	/* Busy means "after a completion": slots, a page in flight, or the disk's mode.  The
	 * clock is read only then: a request that starts at once has no use for it. */
	uint64_t until = 0;
	while ((err = request_start(d, op, lba, count, buffer, w, -1, 0, 0, lender < 0 ? -1 : lender, &s)) == E_BUSY) {
		uint64_t now = clock_ns();
		if (!until)
			until = now + TRANSFER_TIMEOUT;
		if (now >= until)
			break;
		sleep_ns(1 * MS);
	}
	if (err == 0)
		err = waiter_wait(w, d, s, TRANSFER_TIMEOUT);
	waiter_release(w);
	return err;
}

int64_t serve_inject(uint64_t kind)
{
	return misbehave(kind);
}
