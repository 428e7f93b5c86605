/*
 * test_pci.c — PCI configuration-space logic (components/chipset/pci.c)
 * over a fake configuration space.
 *
 * The fake keeps 64 dwords per function with, for every dword, which bits
 * software may write and which are write-1-to-clear; that alone gives BARs
 * their sizing behaviour (all-ones reads back the address mask with the
 * read-only type bits) and makes Status behave.  It also watches for what a
 * correct user must never do, and counts it:
 *   - all-ones written to a BAR, or decoding enabled while a BAR holds it,
 *     with memory or I/O decoding on;
 *   - a 1 written to a write-1-to-clear bit (it would erase an error report);
 *   - MSI address or data changed while MSI is enabled;
 *   - an access within 100 ms of a Function Level Reset, or an unaligned one.
 * It emulates FLR as a return of every writable bit to 0.
 *
 * The main model is a q35 machine as QEMU builds it, plus an edu device, a
 * PCI Express root port and an NVMe controller behind it.
 */
#include "unit.h"

#include <string.h>

#include <pinfold/errors.h>

#include "components/chipset/pci.h"

#define FAKE_FNS 64

struct fake_fn {
	uint16_t bdf;
	uint32_t cfg[64], wmask[64], w1c[64];
	uint32_t reset[64];     /* after FLR */
	uint8_t nbars;          /* BAR dwords start at 0x10 */
	uint8_t msi, pcie;      /* capability offsets the fake watches */
	bool sizing[6];         /* this BAR register holds all-ones */
	int tp_reads;           /* Transactions Pending reads as 1 this many more times */
	int crs_reads;          /* after FLR, Vendor ID reads 0x0001 this many times */
	bool dead_after_flr;
	bool had_flr, in_flr;
	unsigned flr_at;
	int writes_at[64];      /* by dword */
};

struct fake {
	struct fake_fn fn[FAKE_FNS];
	int n;
	int decode_violations, w1c_violations, msi_violations, early_accesses, bad_accesses;
	int reads, writes;
	unsigned now_ms;
	int flrs;
	bool master_at_flr;
	int bist_starts;        /* writes of 1 to BIST's Start bit */
};

static struct fake fk;

static struct fake_fn *find(uint16_t bdf)
{
	for (int i = 0; i < fk.n; i++)
		if (fk.fn[i].bdf == bdf)
			return &fk.fn[i];
	return NULL;
}

static bool decoding(const struct fake_fn *f)
{
	return f->cfg[1] & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
}

static void touch(struct fake_fn *f, uint16_t off)
{
	if (off % 4 || off >= 256)
		fk.bad_accesses++;
	if (f && f->in_flr) {
		if (fk.now_ms < f->flr_at + 100)
			fk.early_accesses++;
		else
			f->in_flr = false;
	}
}

static uint32_t fake_read(void *ctx, uint16_t bdf, uint16_t off)
{
	struct fake_fn *f = find(bdf);
	CHECK(ctx == &fk);
	fk.reads++;
	touch(f, off);
	if (!f || off >= 256)
		return 0xffffffffu;
	if (f->dead_after_flr && f->had_flr)
		return 0xffffffffu;
	if (off == 0 && f->crs_reads > 0 && f->had_flr) {
		f->crs_reads--;
		return (f->cfg[0] & 0xffff0000u) | 0x0001;
	}
	uint32_t v = f->cfg[off / 4];
	if (f->pcie && off == f->pcie + PCI_EXP_DEVCTL && f->tp_reads > 0) {
		f->tp_reads--;
		v |= (uint32_t)PCI_EXP_DEVSTA_TPENDING << 16;
	}
	return v;
}

static void fake_write(void *ctx, uint16_t bdf, uint16_t off, uint32_t v)
{
	struct fake_fn *f = find(bdf);
	CHECK(ctx == &fk);
	fk.writes++;
	touch(f, off);
	if (!f || off >= 256)
		return;
	unsigned i = off / 4;
	f->writes_at[i]++;
	if (v & f->w1c[i])
		fk.w1c_violations++;
	if (i == 3 && (v & f->wmask[3] & 0x40000000u))
		fk.bist_starts++;
	if (f->msi && (f->cfg[f->msi / 4] >> 16 & PCI_MSI_CTL_ENABLE) && off > f->msi && off <= f->msi + 0x0c)
		fk.msi_violations++;
	f->cfg[i] = (f->cfg[i] & ~f->wmask[i]) | (v & f->wmask[i]);
	f->cfg[i] &= ~(v & f->w1c[i]);

	if (i >= 4 && i < 4u + f->nbars) {
		f->sizing[i - 4] = v == 0xffffffffu;
		if (f->sizing[i - 4] && decoding(f))
			fk.decode_violations++;
	}
	if (i == 1 && decoding(f))
		for (int b = 0; b < f->nbars; b++)
			if (f->sizing[b])
				fk.decode_violations++;
	if (f->pcie && off == f->pcie + PCI_EXP_DEVCTL && (v & PCI_EXP_DEVCTL_FLR)) {
		fk.flrs++;
		fk.master_at_flr = f->cfg[1] & PCI_COMMAND_MASTER;
		memcpy(f->cfg, f->reset, sizeof f->cfg);
		f->had_flr = f->in_flr = true;
		f->flr_at = fk.now_ms;
	}
}

static void fake_delay(void *ctx, unsigned ms)
{
	CHECK(ctx == &fk);
	fk.now_ms += ms;
}

static const struct pci_config_ops ops = { fake_read, fake_write, &fk };

static void fake_reset(void)
{
	memset(&fk, 0, sizeof fk);
}

/* A function with its identity; Command (IO, memory, master, SERR, INTx disable), cache line and latency writable. */
static struct fake_fn *add(uint16_t bdf, uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header)
{
	struct fake_fn *f = &fk.fn[fk.n++];
	CHECK(fk.n <= FAKE_FNS);
	f->bdf = bdf;
	f->cfg[0] = (uint32_t)device << 16 | vendor;
	f->wmask[1] = 0x00000507;
	f->w1c[1] = 0xf9000000;         /* Status error bits */
	f->cfg[2] = class_rev;
	f->cfg[3] = (uint32_t)header << 16;
	f->wmask[3] = 0x0000ffff;
	f->wmask[15] = 0x000000ff;      /* interrupt line */
	f->nbars = (header & 0x7f) == 0 ? 6 : (header & 0x7f) == 1 ? 2 : 0;
	return f;
}

static void bar32(struct fake_fn *f, int i, uint32_t base, uint32_t size, bool prefetch)
{
	f->cfg[4 + i] = base | (prefetch ? PCI_BAR_MEM_PREFETCH : 0);
	f->wmask[4 + i] = ~(size - 1);
}

static void bar64(struct fake_fn *f, int i, uint64_t base, uint64_t size, bool prefetch)
{
	f->cfg[4 + i] = (uint32_t)base | PCI_BAR_MEM_TYPE_64 | (prefetch ? PCI_BAR_MEM_PREFETCH : 0);
	f->wmask[4 + i] = (uint32_t)~(size - 1) & ~0xfu;
	f->cfg[5 + i] = (uint32_t)(base >> 32);
	f->wmask[5 + i] = (uint32_t)(~(size - 1) >> 32);
}

/* An I/O BAR; a 16-bit decoder hardwires the upper half to 0. */
static void bar_io(struct fake_fn *f, int i, uint32_t base, uint32_t size, bool decode16)
{
	f->cfg[4 + i] = base | PCI_BAR_IO;
	f->wmask[4 + i] = ~(size - 1) & (decode16 ? 0xffffu : 0xffffffffu) & ~3u;
}

static void cap_list(struct fake_fn *f, uint8_t first)
{
	f->cfg[1] |= (uint32_t)PCI_STATUS_CAP_LIST << 16;
	f->cfg[PCI_CAP_PTR / 4] = first;
}

static void cap(struct fake_fn *f, uint8_t at, uint8_t id, uint8_t next, uint16_t reg)
{
	f->cfg[at / 4] = id | (uint32_t)next << 8 | (uint32_t)reg << 16;
}

static void cap_msi(struct fake_fn *f, uint8_t at, uint8_t next, bool is64, bool maskable)
{
	uint16_t control = (is64 ? PCI_MSI_CTL_64BIT : 0) | (maskable ? PCI_MSI_CTL_MASKABLE | 5 << 1 : 0);
	unsigned d = at / 4;
	cap(f, at, PCI_CAP_ID_MSI, next, control);
	f->wmask[d] = (uint32_t)(PCI_MSI_CTL_ENABLE | PCI_MSI_CTL_MME_MASK) << 16;
	f->wmask[d + 1] = 0xfffffffc;
	if (is64)
		f->wmask[d + 2] = 0xffffffff;
	unsigned data = d + (is64 ? 3 : 2);
	f->wmask[data] = 0x0000ffff;
	if (maskable)
		f->wmask[data + 1] = 0xffffffff;   /* 32 vectors capable */
	f->msi = at;
}

static void cap_pcie(struct fake_fn *f, uint8_t at, uint8_t next, bool flr)
{
	cap(f, at, PCI_CAP_ID_PCIE, next, 0x0002);
	f->cfg[at / 4 + 1] = flr ? PCI_EXP_DEVCAP_FLR : 0;
	f->wmask[at / 4 + 2] = 0x00007fff;   /* Device Control; Initiate FLR reads 0 */
	f->w1c[at / 4 + 2] = 0x000f0000;     /* Device Status error bits */
	f->pcie = at;
}

static void bridge_buses(struct fake_fn *f, uint8_t primary, uint8_t secondary, uint8_t subordinate)
{
	f->cfg[PCI_BUS_NUMBERS / 4] = primary | (uint32_t)secondary << 8 | (uint32_t)subordinate << 16;
	f->wmask[PCI_BUS_NUMBERS / 4] = 0x00ffffff;
}

/* FLR returns every writable bit to 0; called once a function is built. */
static void fake_done(void)
{
	for (int n = 0; n < fk.n; n++)
		for (int i = 0; i < 64; i++)
			fk.fn[n].reset[i] = fk.fn[n].cfg[i] & ~fk.fn[n].wmask[i];
}

/* q35 as QEMU builds it with -device edu,addr=0x10 and a root port at 00:1c.0 with an NVMe behind it. */
static void build_q35(void)
{
	struct fake_fn *f;

	fake_reset();
	add(PCI_BDF(0, 0, 0), 0x8086, 0x29c0, 0x06000002, 0x00);

	f = add(PCI_BDF(0, 1, 0), 0x1234, 0x1111, 0x03000002, 0x00);
	bar32(f, 0, 0xfd000000, 16 << 20, true);
	bar32(f, 2, 0xfebf0000, 4096, false);
	f->cfg[1] |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY | 0x20000000u;  /* and a master abort on record */
	/* A single-function device answering on function 1 too: must not be listed. */
	add(PCI_BDF(0, 1, 1), 0x1234, 0x1111, 0x03000002, 0x00);

	f = add(PCI_BDF(0, 0x10, 0), 0x1234, 0x11e8, 0x00ff0010, 0x00);
	bar32(f, 0, 0xfea00000, 1 << 20, false);
	cap_list(f, 0x40);
	cap_msi(f, 0x40, 0, true, false);
	f->cfg[15] = 0x010a;            /* pin A, line 10 */
	f->cfg[1] |= PCI_COMMAND_MEMORY;

	f = add(PCI_BDF(0, 0x1c, 0), 0x1b36, 0x000c, 0x06040000, 0x01);
	bridge_buses(f, 0, 1, 1);
	cap_list(f, 0x40);
	cap_pcie(f, 0x40, 0, false);

	add(PCI_BDF(0, 0x1f, 0), 0x8086, 0x2918, 0x06010002, 0x80);

	f = add(PCI_BDF(0, 0x1f, 2), 0x8086, 0x2922, 0x01060102, 0x00);
	bar_io(f, 4, 0xc040, 32, false);
	bar32(f, 5, 0xfebf1000, 4096, false);
	cap_list(f, 0x80);
	cap_msi(f, 0x80, 0xa8, true, false);
	cap(f, 0xa8, 0x12, 0, 0x0010);  /* SATA capability */
	f->cfg[15] = 0x010a;
	f->cfg[1] |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY;

	f = add(PCI_BDF(0, 0x1f, 3), 0x8086, 0x2930, 0x0c050002, 0x00);
	bar_io(f, 4, 0x0700, 64, true);
	f->cfg[1] |= PCI_COMMAND_IO;

	f = add(PCI_BDF(1, 0, 0), 0x1b36, 0x0010, 0x01080202, 0x00);
	bar64(f, 0, 0x800000000ull, 16384, false);
	cap_list(f, 0x40);
	cap(f, 0x40, PCI_CAP_ID_MSIX, 0x80, 0x0040);
	cap_pcie(f, 0x80, 0, true);
	f->cfg[1] |= PCI_COMMAND_MEMORY;
	fake_done();
}

static uint32_t snapshot[FAKE_FNS][64];

static void take_snapshot(void)
{
	for (int n = 0; n < fk.n; n++)
		memcpy(snapshot[n], fk.fn[n].cfg, sizeof snapshot[n]);
}

static bool unchanged(void)
{
	for (int n = 0; n < fk.n; n++)
		if (memcmp(snapshot[n], fk.fn[n].cfg, sizeof snapshot[n]))
			return false;
	return true;
}

static void check_clean(void)
{
	CHECK_EQ(fk.decode_violations, 0);
	CHECK_EQ(fk.w1c_violations, 0);
	CHECK_EQ(fk.msi_violations, 0);
	CHECK_EQ(fk.early_accesses, 0);
	CHECK_EQ(fk.bad_accesses, 0);
}

TEST(pci_fake_sees_misuse)
{
	/* The fake's own checks: sizing a BAR with decoding on is caught, as is a 1 written to Status. */
	build_q35();
	ops.write32(ops.ctx, PCI_BDF(0, 1, 0), 0x10, 0xffffffff);
	CHECK_EQ(fk.decode_violations, 1);
	CHECK_EQ(ops.read32(ops.ctx, PCI_BDF(0, 1, 0), 0x10), 0xff000008);
	ops.write32(ops.ctx, PCI_BDF(0, 1, 0), 0x04, 0xffff0003);
	CHECK_EQ(fk.w1c_violations, 1);
	CHECK_EQ(ops.read32(ops.ctx, PCI_BDF(9, 9, 1), 0), 0xffffffff);
}

TEST(pci_enumerate_q35)
{
	struct pci_function f[16];

	build_q35();
	take_snapshot();
	int n = pci_enumerate(&ops, f, 16);
	CHECK_EQ(n, 8);
	check_clean();
	CHECK(unchanged());             /* every BAR and Command as it was; Status' error bit kept */
	if (n != 8)
		return;

	static const uint16_t order[8] = {
		PCI_BDF(0, 0, 0), PCI_BDF(0, 1, 0), PCI_BDF(0, 0x10, 0), PCI_BDF(0, 0x1c, 0),
		PCI_BDF(0, 0x1f, 0), PCI_BDF(0, 0x1f, 2), PCI_BDF(0, 0x1f, 3), PCI_BDF(1, 0, 0),
	};
	static const char *const names[8] = {
		"host bridge", "vga", "other", "pci bridge", "isa bridge", "sata", "smbus", "nvme",
	};
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(f[i].bdf, order[i]);
		CHECK_STR(pci_class_name(f[i].class_code, f[i].subclass), names[i]);
	}

	/* Host bridge: identity only. */
	CHECK_EQ(f[0].vendor, 0x8086);
	CHECK_EQ(f[0].device, 0x29c0);
	CHECK_EQ(f[0].revision, 2);
	for (int b = 0; b < 6; b++)
		CHECK(!f[0].bar[b].present);
	CHECK_EQ(f[0].msi_cap | f[0].msix_cap | f[0].pcie_cap, 0);

	/* VGA: 16 MiB prefetchable framebuffer, a gap, 4 KiB of registers. */
	CHECK_EQ(f[1].vendor, 0x1234);
	CHECK_EQ(f[1].device, 0x1111);
	CHECK_EQ(f[1].class_code, 0x03);
	CHECK(f[1].bar[0].present);
	CHECK(!f[1].bar[0].io);
	CHECK(!f[1].bar[0].is64);
	CHECK(f[1].bar[0].prefetchable);
	CHECK_EQ(f[1].bar[0].base, 0xfd000000);
	CHECK_EQ(f[1].bar[0].size, 16 << 20);
	CHECK(!f[1].bar[1].present);
	CHECK(f[1].bar[2].present);
	CHECK(!f[1].bar[2].prefetchable);
	CHECK_EQ(f[1].bar[2].base, 0xfebf0000);
	CHECK_EQ(f[1].bar[2].size, 4096);
	CHECK_EQ(f[1].irq_pin, 0);

	/* edu: 1 MiB, MSI with 64-bit addresses, INTx pin A. */
	CHECK_EQ(f[2].device, 0x11e8);
	CHECK_EQ(f[2].class_code, 0x00);
	CHECK_EQ(f[2].subclass, 0xff);
	CHECK_EQ(f[2].revision, 0x10);
	CHECK_EQ(f[2].bar[0].base, 0xfea00000);
	CHECK_EQ(f[2].bar[0].size, 1 << 20);
	CHECK_EQ(f[2].msi_cap, 0x40);
	CHECK_EQ(f[2].msix_cap, 0);
	CHECK_EQ(f[2].pcie_cap, 0);
	CHECK(!f[2].flr);
	CHECK_EQ(f[2].irq_pin, 1);
	CHECK_EQ(f[2].irq_line, 10);

	/* Root port: a bridge to bus 1. */
	CHECK_EQ(f[3].header_type, PCI_HEADER_BRIDGE);
	CHECK_EQ(f[3].secondary_bus, 1);
	CHECK_EQ(f[3].subordinate_bus, 1);
	CHECK_EQ(f[3].pcie_cap, 0x40);
	CHECK(!f[3].bar[0].present);

	/* ISA bridge: function 0 of a multi-function device; the flag is not part of the type. */
	CHECK_EQ(f[4].header_type, PCI_HEADER_NORMAL);
	CHECK_EQ(f[4].device, 0x2918);

	/* AHCI: I/O BAR 4, memory BAR 5, MSI, then a SATA capability. */
	CHECK_EQ(f[5].device, 0x2922);
	CHECK_EQ(f[5].prog_if, 0x01);
	CHECK(f[5].bar[4].present);
	CHECK(f[5].bar[4].io);
	CHECK_EQ(f[5].bar[4].base, 0xc040);
	CHECK_EQ(f[5].bar[4].size, 32);
	CHECK(!f[5].bar[5].io);
	CHECK_EQ(f[5].bar[5].base, 0xfebf1000);
	CHECK_EQ(f[5].bar[5].size, 4096);
	CHECK_EQ(f[5].msi_cap, 0x80);

	/* SMBus: an I/O BAR of a 16-bit decoder. */
	CHECK(f[6].bar[4].io);
	CHECK_EQ(f[6].bar[4].base, 0x700);
	CHECK_EQ(f[6].bar[4].size, 64);

	/* NVMe behind the bridge: a 64-bit BAR above 4 GiB filling slots 0 and 1, MSI-X, PCIe with FLR. */
	CHECK(f[7].bar[0].present);
	CHECK(f[7].bar[0].is64);
	CHECK(!f[7].bar[0].prefetchable);
	CHECK_EQ(f[7].bar[0].base, 0x800000000ull);
	CHECK_EQ(f[7].bar[0].size, 16384);
	CHECK(!f[7].bar[1].present);
	CHECK_EQ(f[7].msix_cap, 0x40);
	CHECK_EQ(f[7].pcie_cap, 0x80);
	CHECK(f[7].flr);
}

TEST(pci_enumerate_max_too_small)
{
	struct pci_function f[8];

	build_q35();
	memset(f, 0xa5, sizeof f);
	CHECK_EQ(pci_enumerate(&ops, f, 3), E_LIMIT);
	CHECK_EQ(f[0].bdf, PCI_BDF(0, 0, 0));
	CHECK_EQ(f[1].bdf, PCI_BDF(0, 1, 0));
	CHECK_EQ(f[2].bdf, PCI_BDF(0, 0x10, 0));
	CHECK_EQ(f[3].bdf, 0xa5a5);     /* nothing written past max */
	CHECK_EQ(pci_enumerate(&ops, f, 0), E_LIMIT);
	CHECK_EQ(pci_enumerate(&ops, f, 7), E_LIMIT);
	CHECK_EQ(pci_enumerate(&ops, f, 8), 8);
	CHECK_EQ(pci_enumerate(&ops, f, -1), E_INVAL);
	CHECK_EQ(pci_enumerate(&ops, NULL, 4), E_INVAL);
	CHECK_EQ(pci_enumerate(NULL, f, 4), E_INVAL);
	check_clean();

	fake_reset();                   /* an empty machine */
	CHECK_EQ(pci_enumerate(&ops, NULL, 0), 0);
}

TEST(pci_enumerate_bridges_loops_and_depth)
{
	struct pci_function f[16];
	struct fake_fn *b;

	fake_reset();
	b = add(PCI_BDF(0, 0x1c, 0), 0x8086, 0x244e, 0x06040000, 0x01);
	bridge_buses(b, 0, 1, 2);
	b = add(PCI_BDF(0, 0x1d, 0), 0x8086, 0x244e, 0x06040000, 0x01);
	bridge_buses(b, 0, 3, 3);
	b = add(PCI_BDF(0, 0x1e, 0), 0x8086, 0x244e, 0x06040000, 0x01);
	bridge_buses(b, 0, 1, 1);       /* bus 1 again: walked once */
	b = add(PCI_BDF(1, 0, 0), 0x8086, 0x244e, 0x06040000, 0x01);
	bridge_buses(b, 1, 2, 2);
	b = add(PCI_BDF(1, 1, 0), 0x8086, 0x244e, 0x06040000, 0x01);
	bridge_buses(b, 1, 0, 0);       /* back to bus 0 */
	b = add(PCI_BDF(1, 2, 0), 0x8086, 0x244e, 0x06040000, 0x01);
	bridge_buses(b, 1, 1, 1);       /* to itself */
	bar32(b, 0, 0xfe000000, 4096, false);
	add(PCI_BDF(2, 0, 0), 0x1af4, 0x1000, 0x02000000, 0x00);
	add(PCI_BDF(3, 0, 0), 0x1af4, 0x1001, 0x01000000, 0x00);
	add(PCI_BDF(5, 0, 0), 0x1af4, 0x1001, 0x01000000, 0x00);   /* no bridge leads here */
	fake_done();
	take_snapshot();

	int n = pci_enumerate(&ops, f, 16);
	CHECK_EQ(n, 8);
	static const uint16_t order[8] = {
		PCI_BDF(0, 0x1c, 0), PCI_BDF(0, 0x1d, 0), PCI_BDF(0, 0x1e, 0),   /* bus 0 */
		PCI_BDF(1, 0, 0), PCI_BDF(1, 1, 0), PCI_BDF(1, 2, 0),            /* bus 1 */
		PCI_BDF(3, 0, 0),                                                /* bus 3, queued before 2 */
		PCI_BDF(2, 0, 0),
	};
	for (int i = 0; i < n && i < 8; i++)
		CHECK_EQ(f[i].bdf, order[i]);
	CHECK_STR(pci_class_name(f[7].class_code, f[7].subclass), "ethernet");
	/* A bridge has two BARs; 0x18 holds bus numbers, not a BAR, and is never probed. */
	CHECK(f[5].bar[0].present);
	CHECK_EQ(f[5].bar[0].size, 4096);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(fk.fn[i].writes_at[PCI_BUS_NUMBERS / 4], 0);
	CHECK(unchanged());
	check_clean();
}

TEST(pci_capability_list_malformed)
{
	struct pci_function f;
	struct fake_fn *d;
	int reads;

	fake_reset();
	/* 00:01.0: MSI -> PCIe -> back to MSI. */
	d = add(PCI_BDF(0, 1, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x40);
	cap_msi(d, 0x40, 0x50, false, false);
	cap_pcie(d, 0x50, 0x40, true);
	/* 00:02.0: a capability pointing at itself. */
	d = add(PCI_BDF(0, 2, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x60);
	cap(d, 0x60, PCI_CAP_ID_MSIX, 0x60, 0);
	/* 00:03.0: the list starts inside the header. */
	d = add(PCI_BDF(0, 3, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x20);
	d->cfg[0x20 / 4] = PCI_CAP_ID_MSI | 0x40 << 8;
	cap(d, 0x40, PCI_CAP_ID_MSI, 0, 0);
	/* 00:04.0: MSI, then a pointer into the header. */
	d = add(PCI_BDF(0, 4, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x40);
	cap_msi(d, 0x40, 0x10, false, false);
	/* 00:05.0: a pointer with its reserved low bits set; Status says there is no list for 00:06.0. */
	d = add(PCI_BDF(0, 5, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x43);
	cap(d, 0x40, PCI_CAP_ID_MSIX, 0x53, 0);
	cap(d, 0x50, PCI_CAP_ID_PCIE, 0, 0);
	d = add(PCI_BDF(0, 6, 0), 0x1af4, 1, 0, 0);
	d->cfg[PCI_CAP_PTR / 4] = 0x40;
	cap(d, 0x40, PCI_CAP_ID_MSI, 0, 0);
	/* 00:07.0: the longest possible list, 48 capabilities, MSI last. */
	d = add(PCI_BDF(0, 7, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x40);
	for (int at = 0x40; at < 0xfc; at += 4)
		cap(d, at, 0x09, at + 4, 0);
	cap(d, 0xfc, PCI_CAP_ID_MSI, 0, 0);
	fake_done();

	reads = fk.reads;
	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 1, 0), &f), 0);
	CHECK_EQ(f.msi_cap, 0x40);
	CHECK_EQ(f.pcie_cap, 0x50);
	CHECK(f.flr);
	CHECK(fk.reads - reads < 64);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 1, 0), PCI_CAP_ID_MSIX), 0);

	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 2, 0), &f), 0);
	CHECK_EQ(f.msix_cap, 0x60);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 2, 0), PCI_CAP_ID_MSI), 0);

	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 3, 0), &f), 0);
	CHECK_EQ(f.msi_cap, 0);

	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 4, 0), &f), 0);
	CHECK_EQ(f.msi_cap, 0x40);
	CHECK_EQ(f.msix_cap | f.pcie_cap, 0);

	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 5, 0), &f), 0);
	CHECK_EQ(f.msix_cap, 0x40);
	CHECK_EQ(f.pcie_cap, 0x50);

	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 6, 0), &f), 0);
	CHECK_EQ(f.msi_cap, 0);

	reads = fk.reads;
	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 7, 0), &f), 0);
	CHECK_EQ(f.msi_cap, 0xfc);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 7, 0), PCI_CAP_ID_MSI), 0xfc);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 7, 0), 0x09), 0x40);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 7, 0), 0), 0);

	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 9, 0), &f), E_NOT_FOUND);
	check_clean();
}

TEST(pci_find_capability_q35)
{
	build_q35();
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 0x1f, 2), 0x12), 0xa8);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 0x1f, 2), PCI_CAP_ID_MSI), 0x80);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 0x1f, 2), PCI_CAP_ID_PCIE), 0);
	CHECK_EQ(pci_find_capability(&ops, PCI_BDF(0, 0, 0), PCI_CAP_ID_MSI), 0);
}

TEST(pci_bar_decode_cases)
{
	struct pci_bar b;

	/* 32-bit prefetchable memory, 16 MiB. */
	CHECK(pci_bar_decode(0xfd000008, 0xff000008, 0, 0, &b));
	CHECK(b.present && !b.io && !b.is64 && b.prefetchable);
	CHECK_EQ(b.base, 0xfd000000);
	CHECK_EQ(b.size, 0x1000000);
	/* The largest 32-bit BAR: 2 GiB. */
	CHECK(pci_bar_decode(0x80000000, 0x80000000, 0, 0, &b));
	CHECK_EQ(b.size, 0x80000000);
	/* 64-bit, 16 KiB above 4 GiB. */
	CHECK(pci_bar_decode(0x0000000c, 0xffffc00c, 0x8, 0xffffffff, &b));
	CHECK(b.is64 && b.prefetchable);
	CHECK_EQ(b.base, 0x800000000ull);
	CHECK_EQ(b.size, 0x4000);
	/* 64-bit, 8 GiB: no address bit in the low register. */
	CHECK(pci_bar_decode(0x4, 0x4, 0x4, 0xfffffffe, &b));
	CHECK_EQ(b.base, 0x400000000ull);
	CHECK_EQ(b.size, 0x200000000ull);
	/* Unimplemented. */
	CHECK(!pci_bar_decode(0, 0, 0, 0, &b));
	CHECK(!b.present);
	CHECK(!pci_bar_decode(0x4, 0x4, 0, 0, &b));
	CHECK(!b.present && !b.is64);
	CHECK(!pci_bar_decode(0x8, 0x8, 0, 0, &b));
	CHECK(!b.prefetchable);
	/* I/O, 32 address bits decoded. */
	CHECK(pci_bar_decode(0xc041, 0xffffffe1, 0, 0, &b));
	CHECK(b.io && !b.is64 && !b.prefetchable);
	CHECK_EQ(b.base, 0xc040);
	CHECK_EQ(b.size, 32);
	/* I/O, 16 bits decoded: the upper half reads back 0. */
	CHECK(pci_bar_decode(0x0701, 0x0000ffc1, 0, 0, &b));
	CHECK_EQ(b.size, 64);
	CHECK(pci_bar_decode(0x0701, 0x0000fffd, 0, 0, &b));
	CHECK_EQ(b.size, 4);
	CHECK(!pci_bar_decode(0x1, 0x1, 0, 0, &b));

	CHECK(pci_bar_is_64(0x4));
	CHECK(pci_bar_is_64(0xc));
	CHECK(pci_bar_is_64(0xfe00000c));
	CHECK(!pci_bar_is_64(0x0));
	CHECK(!pci_bar_is_64(0x8));
	CHECK(!pci_bar_is_64(0x2));     /* the reserved "below 1 MiB" type */
	CHECK(!pci_bar_is_64(0x6));     /* reserved */
	CHECK(!pci_bar_is_64(0x5));     /* I/O, address bit 2 set */
}

TEST(pci_bar_64_in_last_slot)
{
	struct pci_function f;
	struct fake_fn *d;

	fake_reset();
	d = add(PCI_BDF(0, 3, 0), 0x1af4, 1, 0, 0);
	bar32(d, 0, 0xfe000000, 4096, false);
	d->cfg[4 + 5] = PCI_BAR_MEM_TYPE_64;   /* BAR 5 claims 64 bits: its upper half would be 0x28 */
	d->wmask[4 + 5] = 0xfffff000;
	d->cfg[1] |= PCI_COMMAND_MEMORY;
	fake_done();
	take_snapshot();
	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 3, 0), &f), 0);
	CHECK(f.bar[0].present);
	CHECK(!f.bar[5].present);
	CHECK_EQ(fk.fn[0].writes_at[0x24 / 4], 0);
	CHECK_EQ(fk.fn[0].writes_at[0x28 / 4], 0);
	CHECK(unchanged());
	check_clean();
}

TEST(pci_command_bits)
{
	uint16_t bdf = PCI_BDF(0, 1, 0);

	build_q35();
	CHECK_EQ(pci_set_command_bits(&ops, bdf, PCI_COMMAND_MASTER, 0), 0x0003);
	CHECK_EQ(fk.fn[1].cfg[1] & 0xffff, 0x0007);
	CHECK_EQ(pci_set_command_bits(&ops, bdf, PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_IO), 0x0007);
	CHECK_EQ(fk.fn[1].cfg[1] & 0xffff, 0x0406);
	/* Clear then set: a bit in both ends up set. */
	CHECK_EQ(pci_set_command_bits(&ops, bdf, PCI_COMMAND_IO, PCI_COMMAND_IO | PCI_COMMAND_MASTER), 0x0406);
	CHECK_EQ(fk.fn[1].cfg[1] & 0xffff, 0x0403);
	/* No change, no write. */
	int writes = fk.writes;
	CHECK_EQ(pci_set_command_bits(&ops, bdf, PCI_COMMAND_IO, 0), 0x0403);
	CHECK_EQ(fk.writes, writes);
	/* Status' error bit survives every Command write. */
	CHECK(fk.fn[1].cfg[1] & 0x20000000u);
	check_clean();
}

TEST(pci_msi_layouts)
{
	struct pci_msi_layout l;

	pci_msi_layout(0x0000, &l);
	CHECK_EQ(l.address_hi, 0);
	CHECK_EQ(l.data, 0x08);
	CHECK_EQ(l.mask, 0);
	CHECK_EQ(l.pending, 0);
	pci_msi_layout(PCI_MSI_CTL_64BIT, &l);
	CHECK_EQ(l.address_hi, 0x08);
	CHECK_EQ(l.data, 0x0c);
	CHECK_EQ(l.mask, 0);
	pci_msi_layout(PCI_MSI_CTL_MASKABLE, &l);
	CHECK_EQ(l.address_hi, 0);
	CHECK_EQ(l.data, 0x08);
	CHECK_EQ(l.mask, 0x0c);
	CHECK_EQ(l.pending, 0x10);
	pci_msi_layout(PCI_MSI_CTL_64BIT | PCI_MSI_CTL_MASKABLE | PCI_MSI_CTL_ENABLE | 0x7e, &l);
	CHECK_EQ(l.address_hi, 0x08);
	CHECK_EQ(l.data, 0x0c);
	CHECK_EQ(l.mask, 0x10);
	CHECK_EQ(l.pending, 0x14);
}

/* One function with an MSI capability at 0x50 of the given layout; returns it read. */
static struct pci_function msi_device(bool is64, bool maskable)
{
	struct pci_function f;
	fake_reset();
	struct fake_fn *d = add(PCI_BDF(0, 4, 0), 0x1af4, 1, 0, 0);
	cap_list(d, 0x50);
	cap_msi(d, 0x50, 0, is64, maskable);
	/* A stale state: enabled with 4 messages, and the upper half of the data dword (writable here) set. */
	d->cfg[0x50 / 4] |= (uint32_t)(PCI_MSI_CTL_ENABLE | 0x20) << 16;
	d->cfg[0x50 / 4 + (is64 ? 3 : 2)] = 0xabcd0000;
	d->wmask[0x50 / 4 + (is64 ? 3 : 2)] = 0xffffffff;
	fake_done();
	CHECK_EQ(pci_read_function(&ops, PCI_BDF(0, 4, 0), &f), 0);
	CHECK_EQ(f.msi_cap, 0x50);
	return f;
}

static uint32_t dword(unsigned off)
{
	return fk.fn[0].cfg[off / 4];
}

TEST(pci_msi_enable_32bit)
{
	struct pci_function f = msi_device(false, false);
	int writes = fk.writes;

	CHECK_EQ(pci_msi_enable(&ops, &f, 0x1fee00000ull, 0x41), E_INVAL);  /* no upper address */
	CHECK_EQ(pci_msi_enable(&ops, &f, 0xfee00002, 0x41), E_INVAL);
	CHECK_EQ(fk.writes, writes);    /* refused before touching anything */

	CHECK_EQ(pci_msi_enable(&ops, &f, 0xfee03000, 0x4041), 0);
	CHECK_EQ(dword(0x54), 0xfee03000);
	CHECK_EQ(dword(0x58), 0xabcd4041);
	CHECK_EQ(dword(0x50) >> 16, PCI_MSI_CTL_ENABLE);   /* MME 0: one vector */
	CHECK_EQ(dword(0x50) & 0xffff, PCI_CAP_ID_MSI);
	check_clean();

	CHECK_EQ(pci_msi_disable(&ops, &f), 0);
	CHECK_EQ(dword(0x50) >> 16, 0);
	CHECK_EQ(dword(0x54), 0xfee03000);
	check_clean();
}

TEST(pci_msi_enable_64bit)
{
	struct pci_function f = msi_device(true, false);

	CHECK_EQ(pci_msi_enable(&ops, &f, 0x1fee00010ull, 0x30), 0);
	CHECK_EQ(dword(0x54), 0xfee00010);
	CHECK_EQ(dword(0x58), 1);
	CHECK_EQ(dword(0x5c), 0xabcd0030);
	CHECK_EQ(dword(0x50) >> 16, PCI_MSI_CTL_64BIT | PCI_MSI_CTL_ENABLE);
	/* Reprogramming an enabled function turns it off first: the fake counts changes while enabled. */
	CHECK_EQ(pci_msi_enable(&ops, &f, 0xfee00000, 0x31), 0);
	CHECK_EQ(dword(0x58), 0);
	CHECK_EQ(dword(0x5c), 0xabcd0031);
	check_clean();
}

TEST(pci_msi_enable_maskable)
{
	struct pci_function f = msi_device(false, true);

	CHECK_EQ(pci_msi_enable(&ops, &f, 0xfee00000, 0x22), 0);
	CHECK_EQ(dword(0x58), 0xabcd0022);
	CHECK_EQ(dword(0x5c), 0xfffffffe);      /* vector 0 unmasked, the rest masked */
	CHECK_EQ(dword(0x50) >> 16, PCI_MSI_CTL_MASKABLE | 5 << 1 | PCI_MSI_CTL_ENABLE);
	CHECK_EQ(pci_msi_disable(&ops, &f), 0);
	CHECK_EQ(dword(0x5c), 0xffffffff);
	CHECK_EQ(dword(0x50) >> 16 & PCI_MSI_CTL_ENABLE, 0);

	f = msi_device(true, true);
	CHECK_EQ(pci_msi_enable(&ops, &f, 0x123456780ull, 0x23), 0);
	CHECK_EQ(dword(0x54), 0x23456780);
	CHECK_EQ(dword(0x58), 0x1);
	CHECK_EQ(dword(0x5c), 0xabcd0023);
	CHECK_EQ(dword(0x60), 0xfffffffe);
	check_clean();

	/* No MSI capability at all. */
	struct pci_function none = f;
	none.msi_cap = 0;
	CHECK_EQ(pci_msi_enable(&ops, &none, 0xfee00000, 0x20), E_NOT_FOUND);
	CHECK_EQ(pci_msi_disable(&ops, &none), E_NOT_FOUND);
}

/* An endpoint with FLR, set up and in use: decoding, mastering, MSI on, BARs and interrupt line set. */
static struct pci_function flr_device(bool flr)
{
	struct pci_function f;

	fake_reset();
	struct fake_fn *d = add(PCI_BDF(1, 0, 0), 0x1b36, 0x0010, 0x01080202, 0x00);
	bar64(d, 0, 0x800000000ull, 16384, false);
	bar32(d, 2, 0xfe800000, 4096, false);
	bar_io(d, 4, 0xd000, 256, false);
	cap_list(d, 0x40);
	cap_msi(d, 0x40, 0x80, true, false);
	cap_pcie(d, 0x80, 0, flr);
	fake_done();                    /* power-on state: everything writable is 0 */
	d->cfg[1] |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	d->cfg[3] |= 0x4010;            /* latency 0x40, cache line 0x10 */
	d->cfg[3] |= 0xc0000000u;       /* BIST capable, and a self-test running */
	d->wmask[3] |= 0x40000000u;
	d->cfg[15] |= 11;
	d->cfg[0x80 / 4 + 2] |= 0x00010000;      /* a correctable error on record in Device Status */
	CHECK_EQ(pci_read_function(&ops, PCI_BDF(1, 0, 0), &f), 0);
	CHECK_EQ(pci_msi_enable(&ops, &f, 0xfee00000, 0x40), 0);
	return f;
}

TEST(pci_flr_restores_the_header)
{
	struct pci_function f = flr_device(true);
	struct fake_fn *d = &fk.fn[0];
	uint32_t bars[6];

	CHECK(f.flr);
	memcpy(bars, &d->cfg[4], sizeof bars);
	d->tp_reads = 3;                /* outstanding transactions for three polls */
	CHECK_EQ(pci_function_level_reset(&ops, &f, fake_delay), 0);
	CHECK_EQ(fk.flrs, 1);
	CHECK(!fk.master_at_flr);       /* mastering was off before the reset */
	CHECK_EQ(d->tp_reads, 0);
	CHECK(fk.now_ms >= 100 + 30);
	CHECK(memcmp(bars, &d->cfg[4], sizeof bars) == 0);
	CHECK_EQ(d->cfg[1] & 0xffff, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	CHECK_EQ(d->cfg[3] & 0xffff, 0x4010);
	CHECK_EQ(d->cfg[15] & 0xff, 11);
	CHECK_EQ(fk.bist_starts, 0);    /* the restore did not start a self-test */
	CHECK_EQ(d->cfg[0x40 / 4] >> 16 & PCI_MSI_CTL_ENABLE, 0);   /* MSI stays off */
	check_clean();                  /* nothing touched within 100 ms, no status bit cleared */

	/* The function reads back the same, less its interrupt and mastering. */
	struct pci_function again;
	CHECK_EQ(pci_read_function(&ops, f.bdf, &again), 0);
	CHECK_EQ(again.bar[0].base, 0x800000000ull);
	CHECK_EQ(again.bar[2].base, 0xfe800000);
	CHECK_EQ(again.bar[4].base, 0xd000);
	CHECK_EQ(again.bar[4].size, 256);
}

TEST(pci_flr_waits_for_a_slow_function)
{
	struct pci_function f = flr_device(true);

	/* Retry status for three reads after the reset: 300 ms more. */
	fk.fn[0].crs_reads = 3;
	CHECK_EQ(pci_function_level_reset(&ops, &f, fake_delay), 0);
	CHECK_EQ(fk.now_ms, 400);
	CHECK_EQ(fk.fn[0].cfg[4] & ~0xfu, 0);   /* BAR 0 low half of 0x800000000 */
	CHECK_EQ(fk.fn[0].cfg[5], 0x8);
	check_clean();

	/* Never comes back: gives up after a second. */
	f = flr_device(true);
	fk.fn[0].dead_after_flr = true;
	CHECK_EQ(pci_function_level_reset(&ops, &f, fake_delay), E_TIMEOUT);
	CHECK_EQ(fk.now_ms, 1000);
}

TEST(pci_flr_refused)
{
	struct pci_function f = flr_device(false);

	CHECK(!f.flr);
	CHECK_EQ(pci_function_level_reset(&ops, &f, fake_delay), E_NOT_FOUND);
	f = flr_device(true);
	CHECK_EQ(pci_function_level_reset(&ops, &f, NULL), E_INVAL);
	f.header_type = PCI_HEADER_BRIDGE;      /* FLR is for endpoints */
	CHECK_EQ(pci_function_level_reset(&ops, &f, fake_delay), E_NOT_FOUND);
	CHECK_EQ(fk.flrs, 0);
}

TEST(pci_class_names)
{
	CHECK_STR(pci_class_name(0x06, 0x00), "host bridge");
	CHECK_STR(pci_class_name(0x06, 0x01), "isa bridge");
	CHECK_STR(pci_class_name(0x06, 0x04), "pci bridge");
	CHECK_STR(pci_class_name(0x06, 0x80), "bridge");
	CHECK_STR(pci_class_name(0x01, 0x06), "sata");
	CHECK_STR(pci_class_name(0x01, 0x01), "ide");
	CHECK_STR(pci_class_name(0x01, 0x42), "storage");
	CHECK_STR(pci_class_name(0x02, 0x00), "ethernet");
	CHECK_STR(pci_class_name(0x03, 0x00), "vga");
	CHECK_STR(pci_class_name(0x00, 0x01), "vga");
	CHECK_STR(pci_class_name(0x0c, 0x05), "smbus");
	CHECK_STR(pci_class_name(0x0c, 0x03), "usb");
	CHECK_STR(pci_class_name(0x00, 0xff), "other");
	CHECK_STR(pci_class_name(0xff, 0x00), "other");
	CHECK_STR(pci_class_name(0x12, 0x00), "other");
}
