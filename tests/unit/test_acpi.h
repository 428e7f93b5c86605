/*
 * test_acpi.h — a fake physical memory for the ACPI parser tests.
 *
 * A fake memory is a set of regions, each one table (or any bytes) at a
 * physical address, each in its own heap block of exactly its length, so
 * that AddressSanitizer reports any read the parser makes past what map()
 * granted.  map() succeeds only for a range inside one region, like the
 * kernel's direct map would for RAM.  fake_load() copies a whole QEMU
 * capture (tests/unit/acpi_blob.h); tests then corrupt or add regions.
 */
#ifndef PINFOLD_TEST_ACPI_H
#define PINFOLD_TEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/acpi/acpi.h"
#include "tests/unit/acpi_blob.h"

#define FAKE_MAX_REGIONS 64

struct fake_region {
	uint64_t phys;
	uint32_t len;
	uint8_t *bytes;
	char sig[5];			/* the capture's name for it, or the caller's */
};

struct fake_mem {
	struct acpi_mem mem;		/* what the parser is given */
	unsigned n;
	struct fake_region r[FAKE_MAX_REGIONS];
};

/* Region 0 is the capture's RSDP. */
void fake_load(struct fake_mem *m, const struct acpi_blob *capture);
void fake_free(struct fake_mem *m);
struct fake_region *fake_add(struct fake_mem *m, uint64_t phys, const void *bytes,
			     uint32_t len, const char *sig);
/* The region the capture (or fake_add) named `sig`; fails the test if none. */
struct fake_region *fake_find(struct fake_mem *m, const char *sig);
/* Reallocates the region to exactly `len` bytes (new bytes are zero). */
void fake_resize(struct fake_region *r, uint32_t len);

/* Little-endian stores into a region, bounds-checked. */
void put8(struct fake_region *r, uint32_t off, uint8_t v);
void put16(struct fake_region *r, uint32_t off, uint16_t v);
void put32(struct fake_region *r, uint32_t off, uint32_t v);
void put64(struct fake_region *r, uint32_t off, uint64_t v);
uint32_t get32(const struct fake_region *r, uint32_t off);

/* Sequential little-endian stores, for building tables entry by entry. */
struct cursor {
	struct fake_region *r;
	uint32_t off;
};
void c8(struct cursor *c, uint8_t v);
void c16(struct cursor *c, uint16_t v);
void c32(struct cursor *c, uint32_t v);
void c64(struct cursor *c, uint64_t v);

/* Recomputes a table's checksum (byte 9) over its own length field, clamped to the region. */
void fix_checksum(struct fake_region *r);
/* Recomputes an RSDP's checksum, and the extended one if the region is 36 bytes or more. */
void fix_rsdp(struct fake_region *r);
/* Sets a table's length field and fixes its checksum. */
void set_length(struct fake_region *r, uint32_t len);
/*
 * A new table `sig` at `phys` of `len` bytes: a copy of the MADT's header
 * with the new signature and length, zero body, checksum fixed once the
 * caller calls fix_checksum().
 */
struct fake_region *new_table(struct fake_mem *m, uint64_t phys, const char *sig, uint32_t len);
/* Points entry `i` of the RSDT at `phys` and fixes the RSDT's checksum. */
void set_rsdt_entry(struct fake_mem *m, unsigned i, uint32_t phys);

/* acpi_parse() from region 0. */
bool fake_parse(struct fake_mem *m, struct acpi_info *info);

/* Collects acpi_summary()'s lines. */
struct summary {
	int n;
	char line[24][300];
};
void summarize(const struct acpi_info *info, struct summary *s);
/* The line whose second word is `sig`, or NULL. */
const char *summary_line(const struct summary *s, const char *sig);

#endif
