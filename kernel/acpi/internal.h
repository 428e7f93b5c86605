/*
 * internal.h — what the ACPI parsers share: the common table header, the
 * checked way to open a table, and a walker over variable-length entries.
 *
 * Every parser works in two passes over a table it has opened (so the whole
 * table is mapped, its length is sane and its checksum is right): a check
 * pass that walks every entry and may reject the table, and an extract pass
 * that walks the same entries again and cannot fail.  A rejected table thus
 * never leaves half its contents behind in struct acpi_info.
 *
 * ACPI structures are little-endian and packed with no regard for
 * alignment; x86 is little-endian and loads unaligned fields of packed
 * structs correctly, so the layouts below are read in place.
 */
#ifndef PINFOLD_KERNEL_ACPI_INTERNAL_H
#define PINFOLD_KERNEL_ACPI_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/acpi/acpi.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* System description table header (ACPI 6.5 §5.2.6, Table 5.4). */
struct acpi_header {
	char sig[4];
	uint32_t length;		/* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;		/* makes all `length` bytes sum to 0 mod 256 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct acpi_header) == 36, "ACPI 6.5 Table 5.4");

/* A table found through the root table, mapped whole and checked. */
struct acpi_table {
	uint64_t phys;
	char sig[5];			/* NUL-terminated; "????" if unreadable */
	uint32_t len;
	const uint8_t *bytes;		/* NULL unless acpi_table_open() succeeded */
};

/* Sum of `len` bytes mod 256; a valid table or RSDP sums to 0. */
uint8_t acpi_checksum(const void *p, size_t len);

/* mem->map() with the range checked for wrap-around first. */
const void *acpi_mem_map(const struct acpi_mem *mem, uint64_t phys, size_t len);

/*
 * Maps the table at `phys`: header readable, length between the header size
 * and ACPI_MAX_TABLE_LEN, all of it readable, checksum right.  On failure
 * returns false with *st rejected and t->sig set if the header was read.
 */
bool acpi_table_open(const struct acpi_mem *mem, uint64_t phys,
		     struct acpi_table *t, struct acpi_status *st);

/* Marks *st rejected with a formatted reason; returns false for `return acpi_reject(...)`. */
bool acpi_reject(struct acpi_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Walks entries that each start with a type and a length (one byte each in
 * the MADT and in DMAR device scopes, two bytes each for DMAR remapping
 * structures) through table bytes [off, end).  Offsets are from the start
 * of the table, so messages name the place a hex dump would show.
 */
struct acpi_walk {
	const uint8_t *table;
	uint32_t off, end;
	bool wide;			/* 16-bit type and length */
	const uint8_t *min_len;		/* [type]: shortest valid entry of that type */
	unsigned ntypes;		/* entries in min_len; other types need only a header */
};

struct acpi_entry {
	unsigned type;
	uint32_t off, len;
	const uint8_t *p;		/* table + off */
};

enum acpi_walk_step { ACPI_WALK_ENTRY, ACPI_WALK_END, ACPI_WALK_BAD };

/*
 * Yields the next entry.  An entry whose header or body runs past `end`, or
 * that is shorter than its type's minimum (never shorter than its own type
 * and length fields, so a length of 0 cannot stall the walk), gives
 * ACPI_WALK_BAD with *st rejected; the walk then stays stopped.  Unknown
 * types are yielded like the others, for the caller to skip.
 */
enum acpi_walk_step acpi_walk_next(struct acpi_walk *w, struct acpi_entry *e,
				   struct acpi_status *st);

/* The parsers, called by root.c for a table that acpi_table_open() accepted. */
void acpi_parse_madt(const struct acpi_table *t, struct acpi_madt *out);
void acpi_parse_mcfg(const struct acpi_table *t, struct acpi_mcfg *out);
void acpi_parse_dmar(const struct acpi_table *t, struct acpi_dmar *out);

#endif
