/*
 * pci.h — PCI configuration-space logic: enumeration, BAR sizing, the
 * capability list, MSI, the command register and Function Level Reset.
 *
 * Pure: every configuration access goes through `struct pci_config_ops`, one
 * aligned dword of one function at a time, so the same code runs in the
 * chipset component (over ECAM) and in the host unit tests (over a fake
 * configuration space).  16- and 8-bit registers are read out of their dword
 * and written by read-modify-write of it, taking care of the write-1-to-clear
 * halves (Status, Device Status) that share a dword with a control register.
 *
 * Specifications cited: PCI Local Bus Specification 3.0 ("PCI 3.0"), the
 * PCI-to-PCI Bridge Architecture Specification 1.2 ("PCI bridge 1.2") and
 * the PCI Express Base Specification 3.0 ("PCIe 3.0").
 *
 * Nothing here locks: the caller serialises access to a function.
 */
#ifndef PINFOLD_CHIPSET_PCI_H
#define PINFOLD_CHIPSET_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Bus/device/function in the Requester-ID layout (PCIe 3.0 2.2.6.2), which is also the VT-d source-id. */
#define PCI_BDF(bus, dev, fn) ((uint16_t)(((bus) & 0xff) << 8 | ((dev) & 0x1f) << 3 | ((fn) & 7)))
#define PCI_BUS(bdf) ((unsigned)(bdf) >> 8)
#define PCI_DEV(bdf) (((unsigned)(bdf) >> 3) & 0x1f)
#define PCI_FN(bdf)  ((unsigned)(bdf) & 7)

/* Configuration header, common part (PCI 3.0 6.1, figure 6-1). */
#define PCI_VENDOR_ID     0x00
#define PCI_DEVICE_ID     0x02
#define PCI_COMMAND       0x04
#define PCI_STATUS        0x06
#define PCI_REVISION      0x08   /* then prog-if 0x09, subclass 0x0a, class 0x0b */
#define PCI_HEADER_TYPE   0x0e
#define PCI_BAR0          0x10
#define PCI_BUS_NUMBERS   0x18   /* type 1: primary, secondary, subordinate (PCI bridge 1.2 3.2.5) */
#define PCI_CAP_PTR       0x34   /* both header types (PCI 3.0 6.7; PCI bridge 1.2 3.2.5) */
#define PCI_INTERRUPT     0x3c   /* line 0x3c, pin 0x3d (PCI 3.0 6.2.4) */
#define PCI_HEADER_END    0x40   /* capabilities live above the header */

#define PCI_HEADER_MULTIFUNCTION 0x80   /* PCI 3.0 6.2.1: bit 7 of Header Type on function 0 */
#define PCI_HEADER_LAYOUT_MASK   0x7f
#define PCI_HEADER_NORMAL        0x00
#define PCI_HEADER_BRIDGE        0x01

/* Command register (PCI 3.0 6.2.2). */
#define PCI_COMMAND_IO           0x0001
#define PCI_COMMAND_MEMORY       0x0002
#define PCI_COMMAND_MASTER       0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400

/* Status register (PCI 3.0 6.2.3). */
#define PCI_STATUS_CAP_LIST      0x0010

/* BAR low bits (PCI 3.0 6.2.5.1). */
#define PCI_BAR_IO               0x1
#define PCI_BAR_MEM_TYPE_MASK    0x6
#define PCI_BAR_MEM_TYPE_64      0x4
#define PCI_BAR_MEM_PREFETCH     0x8

/* Capability IDs (PCI Code and ID Assignment; PCI 3.0 appendix H). */
#define PCI_CAP_ID_MSI  0x05
#define PCI_CAP_ID_PCIE 0x10
#define PCI_CAP_ID_MSIX 0x11

/* MSI capability (PCI 3.0 6.8.1): Message Control is the upper half of the capability's first dword. */
#define PCI_MSI_CONTROL          0x02
#define PCI_MSI_CTL_ENABLE       0x0001
#define PCI_MSI_CTL_MME_MASK     0x0070   /* Multiple Message Enable, bits 6:4 */
#define PCI_MSI_CTL_64BIT        0x0080
#define PCI_MSI_CTL_MASKABLE     0x0100   /* per-vector masking capable */

/* PCI Express capability (PCIe 3.0 7.8). */
#define PCI_EXP_DEVCAP           0x04
#define PCI_EXP_DEVCAP_FLR       (1u << 28)   /* PCIe 3.0 7.8.3 */
#define PCI_EXP_DEVCTL           0x08
#define PCI_EXP_DEVCTL_FLR       0x8000       /* Initiate FLR, PCIe 3.0 7.8.4 */
#define PCI_EXP_DEVSTA           0x0a
#define PCI_EXP_DEVSTA_TPENDING  0x0020       /* Transactions Pending, PCIe 3.0 7.8.5 */

/* One aligned dword of the function `bdf` (bus<<8 | dev<<3 | fn); offset < 256, a multiple of 4. */
struct pci_config_ops {
	uint32_t (*read32)(void *ctx, uint16_t bdf, uint16_t offset);
	void (*write32)(void *ctx, uint16_t bdf, uint16_t offset, uint32_t value);
	void *ctx;
};

struct pci_bar {
	uint64_t base, size;
	bool present, io, is64, prefetchable;
};

struct pci_function {
	uint16_t bdf, vendor, device;
	uint8_t class_code, subclass, prog_if, revision, header_type;  /* header_type without bit 7 */
	uint8_t irq_pin, irq_line;
	struct pci_bar bar[6];          /* a 64-bit BAR fills its slot; the next slot is !present */
	uint8_t msi_cap, msix_cap, pcie_cap;   /* config offsets, 0 when absent */
	bool flr;                       /* PCIe Device Capabilities: Function Level Reset */
	uint8_t secondary_bus, subordinate_bus;   /* bridges (header type 1) only */
};

/*
 * Walks bus 0 and, breadth first, the secondary bus of every PCI-PCI bridge
 * as firmware numbered it, and fills out[] with every function found, in
 * that order.  Returns the number of functions, E_LIMIT if there are more
 * than `max` (out[0..max-1] are then filled), or E_INVAL.  Leaves every
 * register as it found it.
 */
int pci_enumerate(const struct pci_config_ops *ops, struct pci_function *out, int max);

/*
 * Reads one function into *f; E_NOT_FOUND if nothing answers at `bdf`.
 * Sizing its BARs turns its decoding off for a moment: only while no
 * driver is using it.
 */
int pci_read_function(const struct pci_config_ops *ops, uint16_t bdf, struct pci_function *f);

/* True if a BAR's value says it is a 64-bit memory BAR, which takes two registers. */
bool pci_bar_is_64(uint32_t value);

/*
 * Decodes one BAR from its original value and what it read back after
 * all-ones was written to it; for a 64-bit memory BAR value_hi and sized_hi
 * are the same for the next register (ignored otherwise).  Returns whether
 * the BAR is implemented, and fills *bar.
 */
bool pci_bar_decode(uint32_t value, uint32_t sized, uint32_t value_hi, uint32_t sized_hi,
		    struct pci_bar *bar);

/* The offset of the first capability `id` of `bdf`, or 0; safe on looping or malformed lists. */
uint8_t pci_find_capability(const struct pci_config_ops *ops, uint16_t bdf, uint8_t id);

/* Where the fields of an MSI capability are, from its Message Control (PCI 3.0 6.8.1). */
struct pci_msi_layout {
	uint8_t address_hi;    /* 0 when the function has only a 32-bit address */
	uint8_t data;
	uint8_t mask;          /* 0 without per-vector masking */
	uint8_t pending;       /* 0 without per-vector masking */
};
void pci_msi_layout(uint16_t control, struct pci_msi_layout *layout);

/*
 * Programs the function's single MSI message (Multiple Message Enable 0:
 * one vector) and sets MSI Enable.  `address` must be dword aligned, and
 * below 4 GiB unless the function has 64-bit addresses.  With per-vector
 * masking, vector 0 is unmasked and all others masked.  The function also
 * needs Bus Master Enable to send it (PCI 3.0 6.8).  E_NOT_FOUND without an
 * MSI capability, E_INVAL for an address it cannot take.
 */
int pci_msi_enable(const struct pci_config_ops *ops, const struct pci_function *f,
		   uint64_t address, uint16_t data);
int pci_msi_disable(const struct pci_config_ops *ops, const struct pci_function *f);

/* Clears `clear`, then sets `set` in the Command register (PCI_COMMAND_*); returns its previous value. */
uint16_t pci_set_command_bits(const struct pci_config_ops *ops, uint16_t bdf, uint16_t set, uint16_t clear);

/* A short name for a class code: "host bridge", "sata", "ethernet", "vga", ..., "other". */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);

/*
 * Function Level Reset (PCIe 3.0 6.6.2): stops bus mastering, waits up to
 * 100 ms for outstanding transactions, initiates the FLR and waits the
 * 100 ms the function may take; `delay_ms` is called with ops->ctx.  FLR
 * clears the function's configuration, so the header's BARs, cache-line and
 * latency settings and interrupt line are saved and restored, as are memory
 * and I/O decoding; bus mastering and MSI stay off, for the restarted driver
 * to ask for again.  E_NOT_FOUND if the function has no FLR, E_TIMEOUT if it
 * does not answer within a second of the reset.
 */
int pci_function_level_reset(const struct pci_config_ops *ops, const struct pci_function *f,
			     void (*delay_ms)(void *ctx, unsigned ms));

#endif
