/*
 * acpi.h — what the kernel learns from the firmware's ACPI tables.
 *
 * acpi_parse() starts from the copy of the RSDP that the boot loader put in
 * a multiboot2 tag, follows the XSDT (or the RSDT), checks every table it
 * references, and decodes the three the kernel needs: the MADT (CPUs, local
 * APIC, IOAPICs, ISA interrupt overrides), the MCFG (PCI Express ECAM
 * windows) and the DMAR (VT-d remapping units).  Everything it finds lands
 * in one struct acpi_info of fixed-size arrays; acpi_summary() turns that
 * into one console line per table.
 *
 * The parsers are pure: they touch physical memory only through the
 * caller's struct acpi_mem, never read a byte outside a range that map()
 * accepted, and trust no length or count in the tables.  A table that is
 * malformed is rejected as a whole (its status says why) while the others
 * are still used; entries that do not fit the fixed arrays are counted as
 * dropped.  The same sources build into the kernel and into the host unit
 * tests (tests/unit/test_acpi*.c), which feed them captured QEMU tables.
 */
#ifndef PINFOLD_KERNEL_ACPI_H
#define PINFOLD_KERNEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capacities of struct acpi_info; what does not fit is counted in `dropped`. */
#define ACPI_MAX_CPUS		64
#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_OVERRIDES	16
#define ACPI_MAX_SEGMENTS	4	/* MCFG ECAM windows */
#define ACPI_MAX_DMAR_UNITS	4
#define ACPI_MAX_RMRRS		4
#define ACPI_MAX_SCOPES		32	/* device scopes per DMAR unit or RMRR */
#define ACPI_MAX_PATH		4	/* bridge hops in a device scope's path */
#define ACPI_MAX_BAD		8	/* other rejected tables remembered */
#define ACPI_WHY_LEN		64

/* No single table is trusted to be larger than this (DSDT, the largest, is not in the root table). */
#define ACPI_MAX_TABLE_LEN	(1u << 20)

/*
 * The caller's window on physical memory.  map() returns a pointer to the
 * `len` bytes at `phys`, or NULL unless all of them are readable RAM.  The
 * parser keeps no pointer after acpi_parse() returns, and never unmaps.
 */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void *ctx;
};

enum acpi_state { ACPI_ABSENT, ACPI_PRESENT, ACPI_REJECTED };

struct acpi_status {
	enum acpi_state state;
	uint64_t phys;			/* where the table is (0 if absent) */
	uint32_t dropped;		/* entries that did not fit the arrays below */
	char why[ACPI_WHY_LEN];		/* if REJECTED: e.g. "checksum mismatch" */
};

/* MPS INTI flags of an interrupt source override (ACPI 6.5 §5.2.12.5). */
#define ACPI_INTI_POLARITY(flags)	((flags) & 3)		/* 0 bus default, 1 high, 3 low */
#define ACPI_INTI_TRIGGER(flags)	(((flags) >> 2) & 3)	/* 0 bus default, 1 edge, 3 level */

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;		/* first global system interrupt it serves */
};

struct acpi_override {
	uint8_t bus_irq;		/* ISA IRQ */
	uint32_t gsi;			/* what it is wired to */
	uint16_t flags;			/* ACPI_INTI_POLARITY / ACPI_INTI_TRIGGER */
};

struct acpi_madt {
	struct acpi_status status;
	uint64_t lapic_address;		/* the type 5 override applied */
	bool pcat_compat;		/* dual 8259s present: mask them */
	uint32_t ncpus;
	uint32_t cpu_apic_id[ACPI_MAX_CPUS];	/* enabled CPUs, in table order */
	uint32_t nioapics;
	struct acpi_ioapic ioapic[ACPI_MAX_IOAPICS];
	uint32_t noverrides;
	struct acpi_override override[ACPI_MAX_OVERRIDES];
};

struct acpi_mcfg_segment {
	uint64_t ecam_base;		/* where bus 0 would be, even if start_bus > 0 */
	uint16_t segment;
	uint8_t start_bus, end_bus;
};

struct acpi_mcfg {
	struct acpi_status status;
	uint32_t nsegments;
	struct acpi_mcfg_segment segment[ACPI_MAX_SEGMENTS];
};

/* Device scope types (VT-d §8.3.1). */
enum {
	ACPI_SCOPE_ENDPOINT = 1,
	ACPI_SCOPE_BRIDGE = 2,		/* the bridge and everything behind it */
	ACPI_SCOPE_IOAPIC = 3,
	ACPI_SCOPE_HPET = 4,
	ACPI_SCOPE_NAMESPACE = 5,
};

struct acpi_dmar_scope {
	uint8_t type;
	uint8_t enum_id;		/* IOAPIC id / HPET number for those types */
	uint8_t start_bus;
	uint8_t path_len;		/* hops in path[], at least 1 */
	struct { uint8_t dev, fn; } path[ACPI_MAX_PATH];
};

struct acpi_dmar_unit {
	uint64_t base;			/* register block */
	uint16_t segment;
	bool include_all;		/* INCLUDE_PCI_ALL: every device not in another unit */
	uint32_t nscopes;
	struct acpi_dmar_scope scope[ACPI_MAX_SCOPES];
};

struct acpi_dmar_rmrr {
	uint16_t segment;
	uint64_t base, limit;		/* limit is the last byte, inclusive */
	uint32_t nscopes;		/* devices that DMA to it behind the OS's back */
	struct acpi_dmar_scope scope[ACPI_MAX_SCOPES];
};

/* DMAR flags (VT-d §8.1). */
#define ACPI_DMAR_INTR_REMAP		(1u << 0)
#define ACPI_DMAR_X2APIC_OPT_OUT	(1u << 1)
#define ACPI_DMAR_DMA_CTRL_OPT_IN	(1u << 2)

struct acpi_dmar {
	struct acpi_status status;
	unsigned haw;			/* host address width in bits (the field + 1) */
	uint8_t flags;			/* ACPI_DMAR_* */
	uint32_t nunits;
	struct acpi_dmar_unit unit[ACPI_MAX_DMAR_UNITS];
	uint32_t nrmrrs;
	struct acpi_dmar_rmrr rmrr[ACPI_MAX_RMRRS];
};

enum acpi_root_kind { ACPI_ROOT_NONE, ACPI_ROOT_RSDT, ACPI_ROOT_XSDT };

/* A table other than MADT/MCFG/DMAR that failed its checks. */
struct acpi_bad_table {
	char sig[5];			/* "????" if its header was unreadable */
	uint64_t phys;
	char why[ACPI_WHY_LEN];
};

struct acpi_info {
	/*
	 * root: ABSENT if no RSDP was given; REJECTED if the RSDP or the root
	 * table failed (root_kind says which root table, NONE for the RSDP).
	 */
	struct acpi_status root;
	uint8_t rsdp_revision;		/* 0: ACPI 1.0, 2: ACPI 2.0 and later */
	enum acpi_root_kind root_kind;
	uint32_t ntables;		/* entries in the root table */
	struct acpi_madt madt;
	struct acpi_mcfg mcfg;
	struct acpi_dmar dmar;
	uint32_t nbad;			/* may exceed ACPI_MAX_BAD; bad[] keeps the first */
	struct acpi_bad_table bad[ACPI_MAX_BAD];
};

/*
 * Fills *out from the RSDP copy `rsdp` of `rsdp_len` bytes (the body of
 * multiboot2 tag 15, else tag 14; NULL if neither).  Returns true if a root
 * table was found; each table's status says what became of it.  *out is
 * large (about 5 KiB): do not put it on a small stack.
 */
bool acpi_parse(const void *rsdp, size_t rsdp_len, const struct acpi_mem *mem,
		struct acpi_info *out);

/* Calls line() once per table, with text that starts "acpi: SIG ". */
void acpi_summary(const struct acpi_info *info,
		  void (*line)(void *ctx, const char *text), void *ctx);

#endif
