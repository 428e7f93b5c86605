/*
 * chipset.c — the trusted chipset component (DESIGN.md "The chipset component").
 *
 * It owns PCI configuration space (ECAM, from ACPI MCFG) and the VT-d
 * registers (from ACPI DMAR).  At init it enumerates every PCI function, and
 * turns DMA remapping on with an empty root table: from then on a device can
 * reach memory only through the context entry and second-level tables this
 * component gives it, and an unclaimed device has none, so its DMA is blocked.
 *
 * A driver claims a device its manifest entry lists; the claim makes the
 * device's IOMMU domain (domain id = its index + 1), still empty.  Its pins
 * map pages of the driver's own memory at IOVA = VA, after the kernel has
 * checked the driver may access them and pinned their frames (SYS_DMA_PIN);
 * unpin removes the mappings and invalidates the IOTLB before the frames are
 * unpinned.  Faults arrive as the IOMMU's fault-event interrupt: the record
 * is read and cleared, logged, and charged to the owner of the source, which
 * the kernel then restarts.  When a driver stops for any reason, the kernel
 * calls driver_stopped before resetting it: bus mastering and MSI go off, the
 * context entry is cleared and invalidated, and only then are the pins
 * dropped (DESIGN.md "Recovery", step 2).
 *
 * Invalidation is queued where the unit offers it (VT-d 6.5.2, ECAP.QI),
 * and register based otherwise (6.5.1): invalidate.c.  Interrupt entries
 * can be invalidated only through the queue.  Every register access is 32
 * or 64 bits as the register is wide: QEMU aborts on an 8-byte access to a
 * 32-bit register.
 *
 * Of the driver library (issue 5: "every driver and the chipset itself use
 * one small driver library"), the chipset uses libdriver/io.h: its VT-d
 * registers are a bounded `struct mmio` window, and its polls relax the CPU
 * as drivers' do.  It does not use libdriver/pci_driver.h: that is the
 * client side of this component's own interface (claim, map_bar, pin, ...),
 * which the chipset implements with kernel calls rather than invokes;
 * calling itself would only add a hop.
 *
 * When the unit offers interrupt remapping (ECAP.IR), this component owns
 * the interrupt remapping table (intremap.c; layout in irt.h) and turns
 * remapping on: every driver's MSI is programmed in remappable format,
 * naming an entry that gives the vector the kernel chose and accepts the
 * message only from that device's requester id; and the kernel is asked to
 * write each IOAPIC line in remappable format too.  An entry goes when its
 * driver stops.  A restarted chipset makes the same table again before it
 * points the unit at it.  What this does and does not protect on QEMU 7.2 is
 * in the README ("Interrupt remapping").
 *
 * A restart of this component keeps every driver's DMA.  The kernel keeps,
 * for each driver, which function this component gave it and every pin made
 * for it (SYS_DEVICE_CLAIM, SYS_DMA_PIN; read back with SYS_DEVICE_RECORD),
 * and a new instance builds each domain again from that record before it
 * points the unit at its new root table (adopt.c), then unpins the
 * table pages of its previous instance, which the unit no longer walks.  The
 * alternative, restarting every DMA driver after a chipset restart, would
 * still need the kernel's record to release their pins (the frames are
 * known only to the crashed instance), and would turn one fault into many.
 * Rebuilding is sound because each record was checked by the kernel when it
 * was made; nothing the crashed instance left in memory is read.  A driver
 * that stops while no instance runs waits for the next one to quiesce it
 * (kernel/component/lifecycle.c).
 */
#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "adopt.h"
#include "chipset_server.h"
#include "domain.h"
#include "intremap.h"
#include "invalidate.h"
#include "iopt.h"
#include "irt.h"
#include "pci.h"
#include "quiesce.h"
#include "vtd.h"
#include "libdriver/io.h"

#define FAULT_LOG       16
#define TABLE_POOL      128             /* 4 KiB pages for root, context and IO page tables */
#define ECAM_BUS_SIZE   (1u << 20)      /* PCIe 3.0 7.2.2: 32 devices x 8 functions x 4 KiB */
#define UNPIN_BATCH     64
#define FAULT_LOST_SHIFT      25        /* fault(): source bits, as chipset.idl says */
#define FAULT_INTERRUPT_SHIFT 26

struct fault_entry {
	struct vtd_fault f;
	bool lost;              /* not a record: the records overflowed, and a fault of unknown source was lost */
};

struct device devices[MAX_DEVICES];
int ndevices;
static unsigned self_id;
static uint8_t apic_id;

/* ---- PCI configuration space through ECAM, mapped a bus at a time ---- */

static uint64_t ecam_phys;
static unsigned ecam_last_bus;
static volatile uint8_t *ecam_bus[256];

static volatile uint32_t *config_at(uint16_t bdf, uint16_t offset)
{
	unsigned bus = PCI_BUS(bdf);
	if (!ecam_phys || bus > ecam_last_bus || offset >= 4096)
		return NULL;
	if (!ecam_bus[bus]) {
		uint64_t va;
		if (device_map(self_id, ecam_phys + ((uint64_t)bus << 20), ECAM_BUS_SIZE, &va) < 0)
			return NULL;
		ecam_bus[bus] = (volatile uint8_t *)va;
	}
	return (volatile uint32_t *)(ecam_bus[bus] + ((unsigned)(bdf & 0xff) << 12) + (offset & ~3u));
}

static uint32_t config_read32(void *ctx, uint16_t bdf, uint16_t offset)
{
	(void)ctx;
	volatile uint32_t *p = config_at(bdf, offset);
	return p ? *p : 0xffffffffu;    /* what an absent function answers */
}

static void config_write32(void *ctx, uint16_t bdf, uint16_t offset, uint32_t value)
{
	(void)ctx;
	volatile uint32_t *p = config_at(bdf, offset);
	if (p)
		*p = value;
}

static const struct pci_config_ops config = { config_read32, config_write32, NULL };

static void delay_ms(void *ctx, unsigned ms)
{
	(void)ctx;
	sleep_ns((uint64_t)ms * 1000000);
}

/* ---- VT-d registers ---- */

static struct mmio vtd;                 /* the remapping unit's registers; base NULL: no IOMMU */
static struct vtd_caps caps;
static unsigned haw;
static bool remapping;

static uint32_t r32(unsigned off) { return mmio_read32(&vtd, off); }
static void w32(unsigned off, uint32_t v) { mmio_write32(&vtd, off, v); }
static uint64_t r64(unsigned off) { return mmio_read64(&vtd, off); }
static void w64(unsigned off, uint64_t v) { mmio_write64(&vtd, off, v); }

/* Sets a GCMD bit and waits for its GSTS status (VT-d 10.4.4). */
static void gcmd_set(uint32_t bit)
{
	w32(VTD_REG_GCMD, vtd_gcmd_value(r32(VTD_REG_GSTS), bit));
	while (!(r32(VTD_REG_GSTS) & bit))
		cpu_relax();
}


/* ---- 4 KiB pages for the IOMMU's tables, from one allocation of my heap ---- */

static uint8_t *pool;
static uint64_t pool_phys[TABLE_POOL];
static bool pool_used[TABLE_POOL];

static void *table_alloc(void *ctx, uint64_t *phys)
{
	(void)ctx;
	for (int i = 0; i < TABLE_POOL; i++)
		if (!pool_used[i]) {
			pool_used[i] = true;
			memset(pool + (size_t)i * 4096, 0, 4096);
			*phys = pool_phys[i];
			return pool + (size_t)i * 4096;
		}
	return NULL;
}

static void table_free(void *ctx, void *table, uint64_t phys)
{
	(void)ctx;
	(void)phys;
	pool_used[((uint8_t *)table - pool) / 4096] = false;
}

/*
 * Where each pool page is, by its frame: an open-addressed table filled once
 * the pool is pinned, because every IO page-table walk asks it once a level
 * and a search of the pool cost more than the rest of a pin.
 */
#define POOL_INDEX_SLOTS (2 * TABLE_POOL)       /* a power of two, half full at most */
static int16_t pool_index[POOL_INDEX_SLOTS];    /* pool page + 1; 0: empty */

static unsigned pool_index_home(uint64_t phys)
{
	return (unsigned)(phys >> 12) & (POOL_INDEX_SLOTS - 1);
}

static void pool_index_build(void)
{
	memset(pool_index, 0, sizeof pool_index);
	for (int i = 0; i < TABLE_POOL; i++) {
		unsigned h = pool_index_home(pool_phys[i]);
		while (pool_index[h])
			h = (h + 1) & (POOL_INDEX_SLOTS - 1);
		pool_index[h] = (int16_t)(i + 1);
	}
}

static void *table_at(void *ctx, uint64_t phys)
{
	(void)ctx;
	for (unsigned h = pool_index_home(phys); pool_index[h]; h = (h + 1) & (POOL_INDEX_SLOTS - 1))
		if (pool_phys[pool_index[h] - 1] == phys)
			return pool + (size_t)(pool_index[h] - 1) * 4096;
	return NULL;
}

static const struct iopt_ops table_ops = { table_alloc, table_free, table_at, NULL, NULL };

static volatile struct vtd_entry *root_table;
static volatile struct vtd_entry *context_table[256];

/* ---- interrupt remapping (VT-d 5.1; the table is intremap.c's) ---- */

static bool manifest_lists(int component, uint64_t ids, int bdf);

static void msi_off(int device)
{
	pci_msi_disable(&config, &devices[device].fn);
}

/* Whether d's MSI is on and sends to `address` (PCI 3.0 6.8.1). */
static bool msi_sends_to(const struct device *d, uint32_t address)
{
	if (!d->fn.msi_cap)
		return false;
	uint32_t control = config_read32(NULL, d->fn.bdf, d->fn.msi_cap) >> 16;
	return (control & PCI_MSI_CTL_ENABLE) && config_read32(NULL, d->fn.bdf, d->fn.msi_cap + 4) == address;
}

/*
 * After a restart of mine: drivers whose devices already send remappable
 * MSIs (an earlier instance bound them) get the same entries again, from
 * the kernel's record of the line (its owner and vector) and the entry the
 * device's MSI address names, if the owner's manifest lists the device.
 */
static void msi_entries_adopt(void)
{
	for (uint64_t line = 0; line < IRT_MSI_LIMIT; line++) {
		struct kcall_result r = kernel_info_of(INFO_MSI_LINE, line);
		if (r.status < 0)
			continue;
		for (int i = 0; i < ndevices; i++) {
			struct device *d = &devices[i];
			if (msi_sends_to(d, vtd_msi_remappable_address((uint16_t)line)) &&
			    manifest_lists((int)r.value, (uint64_t)d->fn.vendor << 16 | d->fn.device,
					   d->fn.bdf))
				intremap_msi_set(line, r.value2, d->fn.bdf, i, (int)r.value);
		}
	}
}

/*
 * The table, then IRTA, SIRTP and IRE (VT-d 10.4.4; qemu-vtd.md section 4).
 * CFI stays clear, so real hardware blocks compatibility-format interrupts
 * from here on (QEMU 7.2 passes them: it has no CFI).  At boot no IOAPIC
 * line is unmasked and no MSI on yet, so nothing is in flight in the old
 * format; after a restart of mine, remapping is on already, and the new
 * table remaps exactly as the old one did, which SIRTP on a running unit
 * requires (10.4.4).  Returns whether the unit now uses my table.
 */
static bool setup_intremap(void)
{
	uint64_t phys, irta;
	if (!caps.ir) {
		log_printf("chipset: no interrupt remapping (ECAP.IR = 0): MSIs in compatibility format\n");
		return false;
	}
	volatile struct vtd_entry *table = table_alloc(NULL, &phys);
	if (!table || vtd_irta(phys, IRT_ENTRIES, &irta) < 0) {
		log_printf("chipset: no page for an interrupt remapping table: MSIs in compatibility format\n");
		return false;
	}
	intremap_init(table, apic_id);
	intremap_ioapic_fill();
	msi_entries_adopt();
	w64(VTD_REG_IRTA, irta);
	gcmd_set(VTD_GCMD_SIRTP);
	invalidate_iec_all();           /* VT-d 6.5.2.7: entries cached from the table before (a restart) */
	gcmd_set(VTD_GCMD_IRE);
	unsigned lines = intremap_ioapic_switch();
	log_printf("chipset: interrupt remapping on: %u entries, %u IOAPIC lines remapped\n", IRT_ENTRIES, lines);
	return true;
}

/* ---- faults ---- */

static struct fault_entry fault_log[FAULT_LOG];
static unsigned fault_count;
static uint64_t faults_lost;

struct device *device_by_bdf(uint16_t bdf)
{
	for (int i = 0; i < ndevices; i++)
		if (devices[i].fn.bdf == bdf)
			return &devices[i];
	return NULL;
}

static struct device *device_of(unsigned component)
{
	for (int i = 0; i < ndevices; i++)
		if (devices[i].owner == (int)component)
			return &devices[i];
	return NULL;
}

/* The component that invoked the running method; -1 if the kernel did. */
static int caller_id(void)
{
	struct kcall_result r = kernel_info_of(INFO_CALLER, 0);
	return r.status < 0 ? -1 : (int)r.value;
}

static uint16_t domain_id(const struct device *d) { return (uint16_t)(d - devices + 1); }

/*
 * Queued invalidation where the unit has it (VT-d 6.5.2): the queue and the
 * wait descriptors' status dword are table pages, pinned and mine alone.
 * Before the first invalidation, as 6.5.2 asks.
 */
static void setup_queue(void)
{
	uint64_t queue_phys, status_phys;
	char option[8];
	if (!caps.qi)
		return;
	if (boot_option("iommu", option, sizeof option) >= 0 && strcmp(option, "noqi") == 0) {
		log_printf("chipset: iommu=noqi: register-based invalidation, no interrupt entry cache "
			   "invalidation\n");
		return;
	}
	void *queue = table_alloc(NULL, &queue_phys);
	volatile uint32_t *status = table_alloc(NULL, &status_phys);
	if (queue && status && invalidate_use_queue(queue, queue_phys, status, status_phys))
		log_printf("chipset: queued invalidation on\n");
	else
		log_printf("chipset: queued invalidation could not be started: register-based invalidation\n");
}

static int setup_iommu(void)
{
	struct kcall_result base = kernel_info_of(INFO_IOMMU_BASE, 0);
	if (base.status < 0) {
		log_printf("chipset: no IOMMU (no ACPI DMAR): drivers will not be given DMA\n");
		return 0;
	}
	haw = (unsigned)kernel_info(INFO_IOMMU_HAW);
	uint64_t va;
	int64_t err = device_map(self_id, base.value, 4096, &va);
	if (err < 0)
		return (int)err;
	vtd = (struct mmio){ (volatile uint8_t *)va, 4096 };
	if (vtd_caps_decode(r64(VTD_REG_CAP), r64(VTD_REG_ECAP), &caps) < 0) {
		log_printf("chipset: the IOMMU cannot remap DMA (CAP 0x%lx)\n", r64(VTD_REG_CAP));
		vtd.base = NULL;
		return 0;
	}
	uint64_t root_phys;
	root_table = table_alloc(NULL, &root_phys);
	if (!root_table)
		return E_NOMEM;
	if ((err = invalidate_init(&vtd, &caps)) < 0)
		return (int)err;
	setup_queue();

	remapping = true;
	/* After a restart of mine: the domains my previous instance built, made again. */
	domains_adopt();

	/* VT-d 10.4.6 / 10.4.4: the root table, then global invalidations (6.5.1).  If
	 * translation is on already (a restart), the unit switches to the new tables here,
	 * and after the invalidations it no longer reads the old ones. */
	w64(VTD_REG_RTADDR, root_phys);
	gcmd_set(VTD_GCMD_SRTP);
	invalidate_context(vtd_ccmd_global());
	invalidate_iotlb(vtd_iotlb_global(&caps), 0);

	/* Fault events go to my interrupt method (10.4.10-10.4.13); never remapped. */
	uint64_t line, vector;
	err = irq_bind_msi(self_id, &line, &vector);
	if (err < 0)
		return (int)err;
	w32(VTD_REG_FEDATA, vtd_msi_compat_data((uint8_t)vector));
	w32(VTD_REG_FEADDR, vtd_msi_compat_address(apic_id));
	w32(VTD_REG_FEUADDR, 0);
	w32(VTD_REG_FECTL, 0);

	gcmd_set(VTD_GCMD_TE);
	log_printf("chipset: VT-d at 0x%lx: %d-level tables, %u-bit addresses, DMA remapping on\n",
		   base.value, caps.levels, caps.iova_bits);
	/* The unit reads none of my previous instance's pages once it has my root table
	 * (above) and my interrupt remapping table; if that could not be set up while
	 * remapping is on, the old table stays in use, and so pinned. */
	if (setup_intremap() || !(r32(VTD_REG_GSTS) & VTD_GCMD_IRE))
		old_tables_release(self_id);
	/* A fault recorded while no instance of mine was running sent its interrupt to no one. */
	serve_interrupt(0);
	return 0;
}

int64_t component_init(void)
{
	self_id = (unsigned)kernel_info(INFO_COMPONENT_ID);
	apic_id = (uint8_t)kernel_info(INFO_APIC_ID);
	for (int i = 0; i < MAX_DEVICES; i++)
		devices[i].owner = -1;

	pool = mem_alloc((uint64_t)TABLE_POOL * 4096);
	if (!pool)
		return E_NOMEM;
	/* The IOMMU reads these pages behind the kernel's back: pinned, they can never be
	 * handed to anyone else, not even if this component crashes while they are in use. */
	old_tables_find(self_id);
	for (int i = 0; i < TABLE_POOL; i++)
		if (dma_pin(self_id, (uint64_t)(pool + (size_t)i * 4096), DMA_PIN_WRITE, &pool_phys[i]) < 0)
			return E_FAULT;
	pool_index_build();

	struct kcall_result ecam = kernel_info_of(INFO_ECAM_BASE, 0);
	if (ecam.status >= 0) {
		ecam_phys = ecam.value;
		ecam_last_bus = (unsigned)kernel_info(INFO_ECAM_LAST_BUS);
		static struct pci_function found[MAX_DEVICES];
		int n = pci_enumerate(&config, found, MAX_DEVICES);
		if (n == E_LIMIT) {
			log_printf("chipset: more than %d PCI functions; the rest are ignored\n", MAX_DEVICES);
			n = MAX_DEVICES;
		}
		for (int i = 0; i < n; i++)
			devices[i].fn = found[i];
		ndevices = n < 0 ? 0 : n;
		log_printf("chipset: %d PCI functions\n", ndevices);
	} else {
		log_printf("chipset: no PCI configuration space (no ACPI MCFG)\n");
	}
	int err = setup_iommu();
	if (!err && !remapping)
		old_tables_release(self_id);   /* no unit walks them */
	return err;
}

/* ---- the fault event ---- */

static void charge(const struct vtd_fault *f)
{
	struct device *d = device_by_bdf(f->sid);
	if (d)
		d->faults++;
	char why[112];
	if (f->interrupt)
		snprintf(why, sizeof why, "IOMMU blocked an interrupt for entry %u (reason 0x%x: %s)", f->index,
			 f->reason, vtd_fault_reason_text(f->reason));
	else
		snprintf(why, sizeof why, "IOMMU blocked a DMA %s at 0x%lx (reason %u: %s)",
			 f->is_read ? "read" : "write", f->address, f->reason, vtd_fault_reason_text(f->reason));
	if (d && d->owner >= 0)
		component_fault((unsigned)d->owner, why);
	else
		log_printf("chipset: %02x:%02x.%x (no driver): %s\n", PCI_BUS(f->sid), PCI_DEV(f->sid),
			   PCI_FN(f->sid), why);
}

int64_t serve_interrupt(uint64_t line)
{
	(void)line;
	if (!vtd.base)
		return 0;
	/* QEMU has one fault record (qemu-vtd.md 2.2): read it, free it, then look at overflow. */
	for (unsigned rec = 0; rec < caps.nfr; rec++) {
		unsigned at = caps.fro + 16 * rec;
		struct vtd_fault f;
		if (!vtd_fault_decode(r64(at + VTD_FRCD_LO), r64(at + VTD_FRCD_HI), &f))
			continue;
		w32(at + VTD_FRCD_F_DWORD, VTD_FRCD_F_CLEAR);
		fault_log[fault_count++ % FAULT_LOG] = (struct fault_entry){ .f = f };
		charge(&f);
	}
	uint32_t fsts = r32(VTD_REG_FSTS);
	if (fsts & VTD_FSTS_PFO) {
		/*
		 * Faults were dropped while the records were full (VT-d 7.2.1; QEMU 7.2
		 * has one record, and drops every fault while PFO is set, even after F
		 * is cleared: qemu-vtd.md 2.2).  Their sources are unknown, so nobody
		 * can be charged: the blocked DMA did no harm, but a driver whose
		 * device misbehaved at that moment stays up.  Clearing PFO (after F,
		 * above) lets the unit record again.
		 */
		w32(VTD_REG_FSTS, VTD_FSTS_PFO);
		faults_lost++;
		fault_log[fault_count++ % FAULT_LOG] = (struct fault_entry){ .lost = true };
		log_printf("chipset: fault records overflowed: a fault was lost\n");
	}
	return 0;
}

/* ---- what drivers ask for ---- */

/*
 * Whether component's manifest lets it drive a device with `ids` at `bdf`: an
 * entry with those ids and either no location or that one.  bdf < 0 asks
 * whether it lists the ids at all.  The selector's entry number is 8 bits;
 * the kernel answers E_NOT_FOUND past the component's last entry.
 */
static bool manifest_lists(int component, uint64_t ids, int bdf)
{
	for (unsigned k = 0; k < 256; k++) {
		struct kcall_result r = kernel_info_of(INFO_MANIFEST_PCI, (uint64_t)component << 8 | k);
		if (r.status < 0)
			return false;
		if (MANIFEST_PCI_IDS(r.value) != ids)
			continue;
		if (bdf < 0 || !(r.value & MANIFEST_PCI_LOCATED) || MANIFEST_PCI_BDF(r.value) == (uint64_t)bdf)
			return true;
	}
	return false;
}

static volatile struct vtd_entry *context_slot(uint16_t bdf)
{
	unsigned bus = PCI_BUS(bdf);
	if (!context_table[bus]) {
		uint64_t phys;
		struct vtd_entry root;
		void *table = table_alloc(NULL, &phys);
		if (!table || vtd_root_entry(phys, &root) < 0)
			return NULL;
		context_table[bus] = table;
		vtd_entry_store(&root_table[bus], root);
	}
	return &context_table[bus][bdf & 0xff];
}

int64_t domain_create(struct device *d)
{
	if (!remapping)
		return 0;
	int err = iopt_init(&d->pt, caps.levels, haw, &table_ops);
	if (err < 0)
		return err;
	struct vtd_entry ctx;
	volatile struct vtd_entry *slot = context_slot(d->fn.bdf);
	if (!slot || vtd_context_entry(d->pt.root_phys, caps.context_aw, domain_id(d), &ctx) < 0) {
		iopt_destroy(&d->pt);
		return E_NOMEM;
	}
	vtd_entry_store(slot, ctx);
	/* Not-present to present needs no invalidation unless the unit caches misses (CAP.CM). */
	if (caps.cm)
		invalidate_context(vtd_ccmd_device(domain_id(d), d->fn.bdf, 0));
	d->has_domain = true;
	return 0;
}

int64_t serve_claim(uint64_t ids, uint64_t *bdf)
{
	int who = caller_id();
	if (who < 0 || ids > 0xffffffffu || !manifest_lists(who, ids, -1))
		return E_DENIED;
	if (device_of((unsigned)who))
		return E_BUSY;          /* one device per driver */
	/* The first free device with these ids at a location the entry allows: the manifest
	 * gives two drivers of one device type different locations (manifest.h). */
	for (int i = 0; i < ndevices; i++) {
		struct device *d = &devices[i];
		if (d->owner >= 0 || ((uint64_t)d->fn.vendor << 16 | d->fn.device) != ids ||
		    !manifest_lists(who, ids, d->fn.bdf))
			continue;
		int64_t err = domain_create(d);
		if (err < 0)
			return err;
		d->owner = who;         /* its fault count stays: iommu shows the device's history */
		device_claim((unsigned)who, d->fn.bdf);
		*bdf = d->fn.bdf;
		return 0;
	}
	return E_NOT_FOUND;
}

static struct device *my_device(void)
{
	int who = caller_id();
	return who < 0 ? NULL : device_of((unsigned)who);
}

int64_t serve_map_bar(uint64_t bar, uint64_t *va, uint64_t *size)
{
	struct device *d = my_device();
	if (!d)
		return E_NOT_FOUND;
	if (bar >= 6 || !d->fn.bar[bar].present || d->fn.bar[bar].io)
		return E_INVAL;
	int64_t err = device_map((unsigned)d->owner, d->fn.bar[bar].base, d->fn.bar[bar].size, va);
	if (err < 0)
		return err;
	pci_set_command_bits(&config, d->fn.bdf, PCI_COMMAND_MEMORY, 0);
	*size = d->fn.bar[bar].size;
	return 0;
}

int64_t serve_bus_master(uint64_t on)
{
	struct device *d = my_device();
	if (!d)
		return E_NOT_FOUND;
	if (on && !remapping)
		return E_DENIED;        /* without remapping its DMA could reach anything */
	pci_set_command_bits(&config, d->fn.bdf, on ? PCI_COMMAND_MASTER : 0, on ? 0 : PCI_COMMAND_MASTER);
	return 0;
}

int64_t serve_bind_msi(uint64_t *line)
{
	struct device *d = my_device();
	if (!d)
		return E_NOT_FOUND;
	if (!d->fn.msi_cap)
		return E_NOSYS;
	uint64_t vector;
	int64_t err = irq_bind_msi((unsigned)d->owner, line, &vector);
	if (err < 0)
		return err;
	pci_set_command_bits(&config, d->fn.bdf, PCI_COMMAND_INTX_DISABLE, 0);
	if (!intremap_ready())
		return pci_msi_enable(&config, &d->fn, vtd_msi_compat_address(apic_id),
				      vtd_msi_compat_data((uint8_t)vector));
	/* Remappable (VT-d 5.1.5.2): the message names the line's entry, which holds the vector. */
	err = intremap_msi_set(*line, vector, d->fn.bdf, (int)(d - devices), d->owner);
	if (err < 0)
		return err;
	return pci_msi_enable(&config, &d->fn, vtd_msi_remappable_address((uint16_t)*line),
			      VTD_MSI_REMAPPABLE_DATA);
}

/* Removes pages [va, va + pages) from d's domain, invalidates, and drops their pins. */
static void unmap_pages(struct device *d, uint64_t va, uint64_t pages)
{
	uint64_t frames[UNPIN_BATCH], pages_of[UNPIN_BATCH];
	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < UNPIN_BATCH ? pages - done : UNPIN_BATCH;
		unsigned got = 0;
		for (uint64_t i = 0; i < n; i++) {
			pages_of[got] = va + (done + i) * 4096;
			if (iopt_unmap(&d->pt, pages_of[got], &frames[got]) == 0)
				got++;
		}
		/* The device may still hold these translations: they go before the frames do. */
		uint64_t iva;
		uint64_t cmd = vtd_iotlb_page(&caps, domain_id(d), va + done * 4096,
					      vtd_iotlb_am(va + done * 4096, n), &iva);
		invalidate_iotlb(cmd, iva);
		for (unsigned i = 0; i < got; i++)
			dma_unpin((unsigned)d->owner, pages_of[i], frames[i]);
		d->pages -= got;
		done += n;
	}
}

/*
 * Unmapping keeps IO page tables for the next pin (iopt.c); when the pool
 * runs out, the empty ones of every domain go, and before any of them is
 * used again a global invalidation drops the IOMMU's cached copies of
 * them.  Returns whether anything was freed.
 */
static bool prune_domains(void)
{
	unsigned freed = 0;
	for (int i = 0; i < ndevices; i++)
		if (devices[i].has_domain)
			freed += iopt_prune(&devices[i].pt);
	if (freed)
		invalidate_iotlb(vtd_iotlb_global(&caps), 0);
	return freed;
}

int64_t serve_pin(uint64_t va, uint64_t len, uint64_t write, uint64_t *pages_out)
{
	struct device *d = my_device();
	if (!d)
		return E_NOT_FOUND;
	if (!remapping || !d->has_domain)
		return E_DENIED;
	uint64_t pages = (len + 4095) / 4096;
	if ((va & 4095) || len == 0 || write > 1 || va + len < va || va + len > (1ull << caps.iova_bits))
		return E_INVAL;
	if (d->pages + pages > MAX_PIN_PAGES)
		return E_LIMIT;
	int slot = -1;
	for (int i = 0; i < MAX_RANGES && slot < 0; i++)
		if (!d->range[i].pages)
			slot = i;
	if (slot < 0)
		return E_LIMIT;
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t page = va + i * 4096, pa;
		int64_t err = iopt_lookup(&d->pt, page, NULL, NULL, NULL) ? E_BUSY
			    : dma_pin((unsigned)d->owner, page,
				      (write ? DMA_PIN_WRITE : 0) | (i == 0 ? DMA_PIN_RANGE_START : 0), &pa);
		if (err >= 0) {
			err = iopt_map(&d->pt, page, pa, true, write);
			if (err == E_NOMEM && prune_domains())
				err = iopt_map(&d->pt, page, pa, true, write);
			if (err < 0)
				dma_unpin((unsigned)d->owner, page, pa);
		}
		if (err < 0) {
			d->pages += i;
			unmap_pages(d, va, i);
			return err;
		}
	}
	d->pages += pages;
	d->range[slot] = (struct range){ va, pages, write };
	*pages_out = pages;
	return 0;
}

int64_t serve_unpin(uint64_t va, uint64_t len, uint64_t *pages_out)
{
	struct device *d = my_device();
	if (!d)
		return E_NOT_FOUND;
	uint64_t pages = (len + 4095) / 4096;
	for (int i = 0; i < MAX_RANGES; i++) {
		struct range *r = &d->range[i];
		if (r->pages && r->va == va && r->pages == pages) {
			unmap_pages(d, va, pages);
			r->pages = 0;
			*pages_out = pages;
			return 0;
		}
	}
	return E_NOT_FOUND;     /* unpin names exactly a range that was pinned */
}

/* ---- the kernel's call when a driver stopped ---- */

int64_t serve_driver_stopped(uint64_t component)
{
	if (caller_id() >= 0)
		return E_DENIED;        /* only the kernel's recovery thread calls this */
	struct device *d;
	while ((d = device_of((unsigned)component)) != NULL) {
		/* 1. The device stops: no more DMA, no more interrupts. */
		int err = quiesce_function(self_id, &d->fn);
		if (err < 0)
			log_printf("chipset: %02x:%02x.%x could not be stopped: %s\n", PCI_BUS(d->fn.bdf),
				   PCI_DEV(d->fn.bdf), PCI_FN(d->fn.bdf), pinfold_strerror(err));
		pci_set_command_bits(&config, d->fn.bdf, 0, PCI_COMMAND_MASTER);
		pci_msi_disable(&config, &d->fn);
		if (d->fn.flr)
			pci_function_level_reset(&config, &d->fn, delay_ms);
		/* 2. Its domain goes, and with it every translation the IOMMU may have cached. */
		if (d->has_domain) {
			vtd_entry_clear(context_slot(d->fn.bdf));
			invalidate_context(vtd_ccmd_device(domain_id(d), d->fn.bdf, 0));
			invalidate_iotlb(vtd_iotlb_domain(&caps, domain_id(d)), 0);
			/* 3. Only now may the frames go back to the kernel. */
			for (int i = 0; i < MAX_RANGES; i++)
				if (d->range[i].pages) {
					unmap_pages(d, d->range[i].va, d->range[i].pages);
					d->range[i].pages = 0;
				}
			iopt_destroy(&d->pt);
			d->has_domain = false;
		}
		d->owner = -1;
		device_claim((unsigned)component, DEVICE_CLAIM_NONE);
	}
	/* 4. Its MSIs are off (step 1): their remapping entries go. */
	intremap_msi_release((int)component, msi_off);
	return 0;
}

/* ---- what the shell reads ---- */

int64_t serve_device(uint64_t index, uint64_t *bdf, uint64_t *info)
{
	if (index >= (uint64_t)ndevices)
		return E_NOT_FOUND;
	const struct device *d = &devices[index];
	*bdf = d->fn.bdf;
	*info = ((uint64_t)d->fn.vendor << 48) | ((uint64_t)d->fn.device << 32) |
		((uint64_t)d->fn.class_code << 24) | ((uint64_t)d->fn.subclass << 16) |
		(uint64_t)(d->owner + 1);
	return 0;
}

int64_t serve_domain(uint64_t bdf, uint64_t *pages, uint64_t *faults)
{
	const struct device *d = device_by_bdf((uint16_t)bdf);
	if (!d || bdf > 0xffff)
		return E_NOT_FOUND;
	*pages = d->pages;
	*faults = d->faults;
	return d->has_domain ? 1 : 0;
}

int64_t serve_fault(uint64_t index, uint64_t *source, uint64_t *address)
{
	if (index >= FAULT_LOG || index >= fault_count)
		return E_NOT_FOUND;
	const struct fault_entry *e = &fault_log[(fault_count - 1 - index) % FAULT_LOG];
	const struct vtd_fault *f = &e->f;
	*source = f->sid | (uint64_t)f->reason << 16 | (uint64_t)f->is_read << 24 |
		  (uint64_t)e->lost << FAULT_LOST_SHIFT | (uint64_t)f->interrupt << FAULT_INTERRUPT_SHIFT;
	*address = f->interrupt ? f->index : f->address;
	return 0;
}

int64_t serve_status(uint64_t *flags)
{
	bool intremap = intremap_ready() && (r32(VTD_REG_GSTS) & VTD_GCMD_IRE);   /* as the unit reports it */
	*flags = (remapping ? 1 : 0) | (intremap ? 2 : 0) | (vtd.base ? 0 : 4);
	return 0;
}

int64_t serve_interrupt_entry(uint64_t n, uint64_t *index, uint64_t *info)
{
	return intremap_entry(n, index, info);
}
