/*
 * pci.c — enumerating and configuring PCI functions through a dword accessor.
 *
 * Enumeration is breadth first over bus numbers: bus 0, then the secondary
 * bus of each PCI-PCI bridge in the order the bridges are found.  Pinfold
 * does not renumber buses; it trusts the numbers firmware assigned, but not
 * blindly: a bitmap of buses already queued means a bridge whose secondary
 * bus is 0, or a bus seen before, cannot make the walk loop or list a
 * function twice.
 *
 * Reading a function sizes its BARs the standard way (PCI 3.0 6.2.5.1):
 * write all-ones, read back which bits stuck, restore.  While a BAR holds
 * all-ones it claims an arbitrary range, so memory and I/O decoding are off
 * in the Command register for the whole sizing and restored after.
 *
 * The capability list is data the device supplies and may be wrong; its
 * walk stops at a pointer into the header and at any dword it has already
 * visited, so a looping list costs at most 48 reads.
 */
#include "components/chipset/pci.h"

#include <stddef.h>
#include <string.h>

#include <pinfold/errors.h>

#define BUSES 256
#define DEVICES 32

static uint32_t rd32(const struct pci_config_ops *ops, uint16_t bdf, unsigned off)
{
	return ops->read32(ops->ctx, bdf, (uint16_t)(off & 0xfc));
}

static uint16_t rd16(const struct pci_config_ops *ops, uint16_t bdf, unsigned off)
{
	return (uint16_t)(rd32(ops, bdf, off) >> ((off & 2) * 8));
}

static uint8_t rd8(const struct pci_config_ops *ops, uint16_t bdf, unsigned off)
{
	return (uint8_t)(rd32(ops, bdf, off) >> ((off & 3) * 8));
}

static void wr32(const struct pci_config_ops *ops, uint16_t bdf, unsigned off, uint32_t value)
{
	ops->write32(ops->ctx, bdf, (uint16_t)(off & 0xfc), value);
}

/*
 * Command shares its dword with Status, whose error bits are
 * write-1-to-clear (PCI 3.0 6.2.3): writing zeros there keeps them, so a
 * later look at Status still sees what the device reported.
 */
static void write_command(const struct pci_config_ops *ops, uint16_t bdf, uint16_t command)
{
	wr32(ops, bdf, PCI_COMMAND, command);
}

/* Message Control is the upper half of the MSI capability's first dword; the lower half (ID, next) is read-only. */
static void write_msi_control(const struct pci_config_ops *ops, uint16_t bdf, uint8_t cap, uint16_t control)
{
	uint32_t head = rd32(ops, bdf, cap);
	wr32(ops, bdf, cap, (head & 0xffff) | (uint32_t)control << 16);
}

/*
 * Nothing decodes: all-ones is what a read of an empty slot returns (PCI 3.0
 * 6.1), and 0 is no valid vendor either.  0x0001 is what a function that is
 * still initialising answers when Configuration Request Retry Status is
 * visible to software (PCIe 3.0 2.3.2).
 */
static bool vendor_present(uint32_t id)
{
	uint16_t vendor = (uint16_t)id;
	return vendor != 0xffff && vendor != 0x0000;
}

static bool vendor_ready(uint32_t id)
{
	return vendor_present(id) && (uint16_t)id != 0x0001;
}

bool pci_bar_is_64(uint32_t value)
{
	return !(value & PCI_BAR_IO) && (value & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
}

bool pci_bar_decode(uint32_t value, uint32_t sized, uint32_t value_hi, uint32_t sized_hi,
		    struct pci_bar *bar)
{
	uint64_t mask;

	memset(bar, 0, sizeof *bar);
	if (value & PCI_BAR_IO) {
		/*
		 * A function that decodes only 16 address bits may read back 0 in
		 * the upper half (PCI 3.0 6.2.5.1); the size, taken from the
		 * lowest writable bit below, does not depend on it.
		 */
		mask = sized & ~3u;
		if (!mask)
			return false;
		bar->io = true;
		bar->base = value & ~3u;
	} else {
		bar->is64 = pci_bar_is_64(value);
		bar->prefetchable = value & PCI_BAR_MEM_PREFETCH;
		mask = sized & ~0xfu;
		if (bar->is64)
			mask |= (uint64_t)sized_hi << 32;
		if (!mask) {
			bar->is64 = bar->prefetchable = false;
			return false;
		}
		/* A 32-bit BAR cannot decode above 4 GiB: its upper half is fixed. */
		if (!bar->is64)
			mask |= 0xffffffff00000000ull;
		bar->base = (value & ~0xfu) | (bar->is64 ? (uint64_t)value_hi << 32 : 0);
	}
	/* The writable bits are the address bits; the lowest of them is the size. */
	bar->size = mask & (~mask + 1);
	bar->present = true;
	return true;
}

/* Writes all-ones to one BAR register, returns what reads back, and restores `value`. */
static uint32_t probe_bar(const struct pci_config_ops *ops, uint16_t bdf, unsigned off, uint32_t value)
{
	wr32(ops, bdf, off, 0xffffffffu);
	uint32_t sized = rd32(ops, bdf, off);
	wr32(ops, bdf, off, value);
	return sized;
}

static void size_bars(const struct pci_config_ops *ops, struct pci_function *f, int nbars)
{
	uint16_t command = rd16(ops, f->bdf, PCI_COMMAND);
	uint16_t quiet = command & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY);

	if (quiet != command)
		write_command(ops, f->bdf, quiet);
	for (int i = 0; i < nbars; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		uint32_t value = rd32(ops, f->bdf, off), value_hi = 0, sized_hi = 0;

		/* A 64-bit BAR in the last slot would take a register that is no BAR: leave both alone. */
		if (pci_bar_is_64(value) && i + 1 >= nbars)
			break;
		uint32_t sized = probe_bar(ops, f->bdf, off, value);
		if (pci_bar_is_64(value)) {
			value_hi = rd32(ops, f->bdf, off + 4);
			sized_hi = probe_bar(ops, f->bdf, off + 4, value_hi);
		}
		pci_bar_decode(value, sized, value_hi, sized_hi, &f->bar[i]);
		if (pci_bar_is_64(value))
			i++;
	}
	if (quiet != command)
		write_command(ops, f->bdf, command);
}

/*
 * Walks the capability list (PCI 3.0 6.7).  Returns the offset of the first
 * capability `want` (when want is not 0); records MSI, MSI-X and PCI Express
 * in *f when f is not NULL.  The two low bits of every pointer are reserved
 * and masked off.
 */
static uint8_t walk_capabilities(const struct pci_config_ops *ops, uint16_t bdf, uint8_t want,
				 struct pci_function *f)
{
	uint64_t seen = 0;      /* one bit per dword of the 256-byte space */

	if (!(rd16(ops, bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	uint8_t at = rd8(ops, bdf, PCI_CAP_PTR) & 0xfc;
	while (at >= PCI_HEADER_END) {
		uint64_t bit = 1ull << (at >> 2);
		if (seen & bit)
			break;
		seen |= bit;
		uint32_t head = rd32(ops, bdf, at);
		uint8_t id = (uint8_t)head;
		if (want && id == want)
			return at;
		if (f && id == PCI_CAP_ID_MSI && !f->msi_cap)
			f->msi_cap = at;
		if (f && id == PCI_CAP_ID_MSIX && !f->msix_cap)
			f->msix_cap = at;
		if (f && id == PCI_CAP_ID_PCIE && !f->pcie_cap)
			f->pcie_cap = at;
		at = (uint8_t)(head >> 8) & 0xfc;
	}
	return 0;
}

uint8_t pci_find_capability(const struct pci_config_ops *ops, uint16_t bdf, uint8_t id)
{
	return id ? walk_capabilities(ops, bdf, id, NULL) : 0;
}

int pci_read_function(const struct pci_config_ops *ops, uint16_t bdf, struct pci_function *f)
{
	uint32_t id = rd32(ops, bdf, PCI_VENDOR_ID);
	if (!vendor_present(id))
		return E_NOT_FOUND;

	memset(f, 0, sizeof *f);
	f->bdf = bdf;
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	uint32_t class_rev = rd32(ops, bdf, PCI_REVISION);
	f->revision = (uint8_t)class_rev;
	f->prog_if = (uint8_t)(class_rev >> 8);
	f->subclass = (uint8_t)(class_rev >> 16);
	f->class_code = (uint8_t)(class_rev >> 24);
	f->header_type = rd8(ops, bdf, PCI_HEADER_TYPE) & PCI_HEADER_LAYOUT_MASK;
	uint32_t irq = rd32(ops, bdf, PCI_INTERRUPT);
	f->irq_line = (uint8_t)irq;
	f->irq_pin = (uint8_t)(irq >> 8);

	/* Type 0 has six BARs, a bridge two (PCI bridge 1.2 3.2); other layouts (CardBus) are only listed. */
	if (f->header_type == PCI_HEADER_NORMAL) {
		size_bars(ops, f, 6);
	} else if (f->header_type == PCI_HEADER_BRIDGE) {
		uint32_t buses = rd32(ops, bdf, PCI_BUS_NUMBERS);
		f->secondary_bus = (uint8_t)(buses >> 8);
		f->subordinate_bus = (uint8_t)(buses >> 16);
		size_bars(ops, f, 2);
	} else {
		return 0;
	}
	walk_capabilities(ops, bdf, 0, f);
	if (f->pcie_cap)
		f->flr = rd32(ops, bdf, f->pcie_cap + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR;
	return 0;
}

static bool bus_test_and_set(uint32_t *seen, unsigned bus)
{
	uint32_t bit = 1u << (bus % 32);
	bool was = seen[bus / 32] & bit;
	seen[bus / 32] |= bit;
	return was;
}

int pci_enumerate(const struct pci_config_ops *ops, struct pci_function *out, int max)
{
	uint8_t queue[BUSES];           /* each bus enters at most once, so this cannot overflow */
	uint32_t queued[BUSES / 32] = { 0 };
	int head = 0, tail = 0, count = 0;

	if (!ops || !ops->read32 || !ops->write32 || max < 0 || (max > 0 && !out))
		return E_INVAL;
	queue[tail++] = 0;
	bus_test_and_set(queued, 0);
	while (head < tail) {
		unsigned bus = queue[head++];
		for (unsigned dev = 0; dev < DEVICES; dev++) {
			uint16_t bdf0 = PCI_BDF(bus, dev, 0);
			if (!vendor_present(rd32(ops, bdf0, PCI_VENDOR_ID)))
				continue;
			/* Functions 1-7 exist only if function 0 says so (PCI 3.0 6.2.1); some single-function devices answer on every function number. */
			unsigned nfn = (rd8(ops, bdf0, PCI_HEADER_TYPE) & PCI_HEADER_MULTIFUNCTION) ? 8 : 1;
			for (unsigned fn = 0; fn < nfn; fn++) {
				uint16_t bdf = PCI_BDF(bus, dev, fn);
				if (!vendor_present(rd32(ops, bdf, PCI_VENDOR_ID)))
					continue;
				if (count == max)
					return E_LIMIT;
				struct pci_function *f = &out[count];
				if (pci_read_function(ops, bdf, f))
					continue;
				count++;
				if (f->header_type == PCI_HEADER_BRIDGE &&
				    !bus_test_and_set(queued, f->secondary_bus))
					queue[tail++] = f->secondary_bus;
			}
		}
	}
	return count;
}

uint16_t pci_set_command_bits(const struct pci_config_ops *ops, uint16_t bdf, uint16_t set, uint16_t clear)
{
	uint16_t old = rd16(ops, bdf, PCI_COMMAND);
	uint16_t new = (old & ~clear) | set;
	if (new != old)
		write_command(ops, bdf, new);
	return old;
}

void pci_msi_layout(uint16_t control, struct pci_msi_layout *layout)
{
	bool is64 = control & PCI_MSI_CTL_64BIT;

	layout->address_hi = is64 ? 0x08 : 0;
	layout->data = is64 ? 0x0c : 0x08;
	if (control & PCI_MSI_CTL_MASKABLE) {
		layout->mask = layout->data + 4;
		layout->pending = layout->data + 8;
	} else {
		layout->mask = layout->pending = 0;
	}
}

/*
 * The function's MSI capability: its Message Control with MSI Enable and
 * Multiple Message Enable cleared (the state both enabling and disabling
 * pass through), and where its fields are.  E_NOT_FOUND without one.
 */
static int read_msi(const struct pci_config_ops *ops, const struct pci_function *f,
		    uint16_t *quiet_control, struct pci_msi_layout *l)
{
	if (!f->msi_cap)
		return E_NOT_FOUND;
	uint16_t control = rd16(ops, f->bdf, f->msi_cap + PCI_MSI_CONTROL);
	pci_msi_layout(control, l);
	*quiet_control = control & ~(PCI_MSI_CTL_ENABLE | PCI_MSI_CTL_MME_MASK);
	return 0;
}

int pci_msi_enable(const struct pci_config_ops *ops, const struct pci_function *f,
		   uint64_t address, uint16_t data)
{
	struct pci_msi_layout l;
	uint8_t cap = f->msi_cap;
	uint16_t control;

	if (read_msi(ops, f, &control, &l))
		return E_NOT_FOUND;
	/* Message Address bits 1:0 are reserved (PCI 3.0 6.8.1.4). */
	if ((address & 3) || ((address >> 32) && !l.address_hi))
		return E_INVAL;

	/* Off while the message changes, so the function never sends half of the old and half of the new. */
	write_msi_control(ops, f->bdf, cap, control);
	wr32(ops, f->bdf, cap + 4, (uint32_t)address);
	if (l.address_hi)
		wr32(ops, f->bdf, cap + l.address_hi, (uint32_t)(address >> 32));
	/* Message Data is the low half of its dword; the upper half is reserved or Extended Message Data: keep it. */
	uint32_t word = rd32(ops, f->bdf, cap + l.data);
	wr32(ops, f->bdf, cap + l.data, (word & 0xffff0000u) | data);
	/* With one vector enabled only bit 0 matters; the rest are masked for good measure (PCI 3.0 6.8.1.7). */
	if (l.mask)
		wr32(ops, f->bdf, cap + l.mask, ~1u);
	write_msi_control(ops, f->bdf, cap, control | PCI_MSI_CTL_ENABLE);
	return 0;
}

int pci_msi_disable(const struct pci_config_ops *ops, const struct pci_function *f)
{
	struct pci_msi_layout l;
	uint16_t control;

	if (read_msi(ops, f, &control, &l))
		return E_NOT_FOUND;
	write_msi_control(ops, f->bdf, f->msi_cap, control);
	if (l.mask)
		wr32(ops, f->bdf, f->msi_cap + l.mask, ~0u);
	return 0;
}

/* Names from the PCI Code and ID Assignment Specification; the first match wins, ANY matches every subclass. */
#define ANY 0x100
static const struct {
	uint8_t class_code;
	uint16_t subclass;
	const char *name;
} class_names[] = {
	{ 0x00, 0x01, "vga" },          /* built before class codes were defined */
	{ 0x01, 0x00, "scsi" },
	{ 0x01, 0x01, "ide" },
	{ 0x01, 0x05, "ata" },
	{ 0x01, 0x06, "sata" },
	{ 0x01, 0x08, "nvme" },
	{ 0x01, ANY,  "storage" },
	{ 0x02, 0x00, "ethernet" },
	{ 0x02, ANY,  "network" },
	{ 0x03, 0x00, "vga" },
	{ 0x03, ANY,  "display" },
	{ 0x04, 0x03, "audio" },
	{ 0x04, ANY,  "multimedia" },
	{ 0x05, ANY,  "memory" },
	{ 0x06, 0x00, "host bridge" },
	{ 0x06, 0x01, "isa bridge" },
	{ 0x06, 0x04, "pci bridge" },
	{ 0x06, ANY,  "bridge" },
	{ 0x07, 0x00, "serial" },
	{ 0x07, ANY,  "communication" },
	{ 0x08, 0x00, "pic" },
	{ 0x08, 0x03, "rtc" },
	{ 0x08, 0x06, "iommu" },
	{ 0x08, ANY,  "system" },
	{ 0x0c, 0x03, "usb" },
	{ 0x0c, 0x05, "smbus" },
	{ 0x0c, ANY,  "serial bus" },
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
	for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
		if (class_names[i].class_code == class_code &&
		    (class_names[i].subclass == ANY || class_names[i].subclass == subclass))
			return class_names[i].name;
	return "other";
}

/* The registers of a type 0 header that FLR resets and software set: cache line and latency, BARs, expansion ROM, interrupt line. */
static const uint8_t flr_saved[] = { 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30, 0x3c };

int pci_function_level_reset(const struct pci_config_ops *ops, const struct pci_function *f,
			     void (*delay_ms)(void *ctx, unsigned ms))
{
	uint32_t saved[sizeof flr_saved];
	uint16_t bdf = f->bdf;
	uint8_t cap = f->pcie_cap;

	/* FLR is defined for endpoints only (PCIe 3.0 7.8.3). */
	if (!cap || !f->flr || f->header_type != PCI_HEADER_NORMAL)
		return E_NOT_FOUND;
	if (!delay_ms)
		return E_INVAL;
	for (size_t i = 0; i < sizeof flr_saved; i++)
		saved[i] = rd32(ops, bdf, flr_saved[i]);
	/* BIST (bits 31:24 of 0x0c) is restored as 0: writing back a 1 in bit 6 would start a self-test. */
	saved[0] &= 0x00ffffffu;

	/*
	 * PCIe 3.0 6.6.2 (implementation note "Avoiding data corruption"):
	 * stop new requests, give outstanding ones time to complete, then reset
	 * whether or not they did.
	 */
	uint16_t command = pci_set_command_bits(ops, bdf, 0, PCI_COMMAND_MASTER);
	for (int i = 0; i < 10 && (rd16(ops, bdf, cap + PCI_EXP_DEVSTA) & PCI_EXP_DEVSTA_TPENDING); i++)
		delay_ms(ops->ctx, 10);

	/* Device Status shares the dword and is write-1-to-clear (PCIe 3.0 7.8.5): write zeros there. */
	uint16_t devctl = rd16(ops, bdf, cap + PCI_EXP_DEVCTL);
	wr32(ops, bdf, cap + PCI_EXP_DEVCTL, devctl | PCI_EXP_DEVCTL_FLR);

	/* The function must finish within 100 ms and may not be touched before (PCIe 3.0 6.6.2). */
	delay_ms(ops->ctx, 100);
	for (int i = 0; !vendor_ready(rd32(ops, bdf, PCI_VENDOR_ID)); i++) {
		if (i == 9)
			return E_TIMEOUT;
		delay_ms(ops->ctx, 100);
	}

	for (size_t i = 0; i < sizeof flr_saved; i++)
		wr32(ops, bdf, flr_saved[i], saved[i]);
	/* Decoding last, once the BARs hold their addresses again. */
	write_command(ops, bdf, command & ~PCI_COMMAND_MASTER);
	return 0;
}
