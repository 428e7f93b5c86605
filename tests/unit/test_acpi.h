/*
 * test_acpi.h — a fake physical memory for the ACPI parser tests, and small
 * tools to damage or build tables in it.
 *
 * A fake memory is a set of regions, each one table (or any bytes) at a
 * physical address, each in its own heap block of exactly its length, so
 * that AddressSanitizer reports any read the parser makes past what map()
 * granted.  map() succeeds only for a range inside one region, like the
 * kernel's direct map would for RAM.  fake_load() copies a whole QEMU
 * capture (tests/unit/acpi_blob.h); tests then corrupt or add regions.
 *
 * Everything here is static inline, so that these short names cannot
 * collide with other test files' helpers when all tests link together.
 */
#ifndef PINFOLD_TEST_ACPI_H
#define PINFOLD_TEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/acpi/acpi.h"
#include "tests/unit/acpi_blob.h"
#include "tests/unit/host.h"
#include "unit.h"

#define FAKE_MAX_REGIONS 64

struct fake_region {
	uint64_t phys;
	uint32_t len;
	uint8_t *bytes;
	char sig[8];			/* the capture's name for it, or the test's */
};

struct fake_mem {
	struct acpi_mem mem;		/* what the parser is given */
	unsigned n;
	struct fake_region r[FAKE_MAX_REGIONS];
};

static inline const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	struct fake_mem *m = ctx;

	for (unsigned i = 0; i < m->n; i++) {
		const struct fake_region *r = &m->r[i];
		if (phys >= r->phys && len <= r->len && phys - r->phys <= r->len - len)
			return r->bytes + (phys - r->phys);
	}
	return NULL;
}

/* A new region of `len` bytes, copied from `bytes` or zero if NULL. */
static inline struct fake_region *fake_add(struct fake_mem *m, uint64_t phys,
					   const void *bytes, uint32_t len, const char *sig)
{
	struct fake_region *r;

	m->mem = (struct acpi_mem){ fake_map, m };
	if (m->n == FAKE_MAX_REGIONS) {
		unit_fail(__FILE__, __LINE__, "fake memory full");
		return &m->r[0];
	}
	r = &m->r[m->n++];
	r->phys = phys;
	r->len = len;
	r->bytes = calloc(1, len ? len : 1);
	if (bytes)
		memcpy(r->bytes, bytes, len);
	strlcpy(r->sig, sig, sizeof(r->sig));
	return r;
}

/* The capture's blobs, one region each; region 0 is the RSDP. */
static inline void fake_load(struct fake_mem *m, const struct acpi_blob *capture)
{
	m->n = 0;
	for (const struct acpi_blob *b = capture; b->len; b++)
		fake_add(m, b->phys, b->bytes, b->len, b->sig);
}

static inline void fake_free(struct fake_mem *m)
{
	for (unsigned i = 0; i < m->n; i++)
		free(m->r[i].bytes);
	m->n = 0;
}

/* The first region named `sig`; fails the test if there is none. */
static inline struct fake_region *fake_find(struct fake_mem *m, const char *sig)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->r[i].sig, sig) == 0)
			return &m->r[i];
	unit_fail(__FILE__, __LINE__, "no region %s", sig);
	return &m->r[0];
}

/* Reallocates the region to exactly `len` bytes (any new bytes are zero). */
static inline void fake_resize(struct fake_region *r, uint32_t len)
{
	uint8_t *b = calloc(1, len ? len : 1);

	memcpy(b, r->bytes, len < r->len ? len : r->len);
	free(r->bytes);
	r->bytes = b;
	r->len = len;
}

/* acpi_parse() from region 0. */
static inline bool fake_parse(struct fake_mem *m, struct acpi_info *info)
{
	return acpi_parse(m->r[0].bytes, m->r[0].len, &m->mem, info);
}

/*
 * Parses the capture into *info after `damage` has run on its table `sig`
 * ("APIC", "MCFG" or "DMAR").  A damaged table may be rejected, but never
 * takes the other two with it.
 */
static inline void parse_damaged(struct acpi_info *info, const char *sig,
				 void (*damage)(struct fake_region *table))
{
	static struct fake_mem m;

	fake_load(&m, acpi_q35_iommu);
	damage(fake_find(&m, sig));
	CHECK(fake_parse(&m, info));
	if (strcmp(sig, "APIC") != 0)
		CHECK_EQ(info->madt.status.state, ACPI_PRESENT);
	if (strcmp(sig, "MCFG") != 0)
		CHECK_EQ(info->mcfg.status.state, ACPI_PRESENT);
	if (strcmp(sig, "DMAR") != 0)
		CHECK_EQ(info->dmar.status.state, ACPI_PRESENT);
	fake_free(&m);
}

/* Little-endian stores into a region, checked against its end. */
static inline uint8_t *fake_at(struct fake_region *r, uint32_t off, uint32_t size)
{
	static uint8_t sink[8];

	if (off > r->len || size > r->len - off) {
		unit_fail(__FILE__, __LINE__, "store at %s+0x%x out of range", r->sig, (unsigned)off);
		return sink;
	}
	return r->bytes + off;
}

static inline void put8(struct fake_region *r, uint32_t off, uint8_t v)
{
	memcpy(fake_at(r, off, 1), &v, 1);
}

static inline void put16(struct fake_region *r, uint32_t off, uint16_t v)
{
	memcpy(fake_at(r, off, 2), &v, 2);
}

static inline void put32(struct fake_region *r, uint32_t off, uint32_t v)
{
	memcpy(fake_at(r, off, 4), &v, 4);
}

static inline void put64(struct fake_region *r, uint32_t off, uint64_t v)
{
	memcpy(fake_at(r, off, 8), &v, 8);
}

static inline uint32_t get32(struct fake_region *r, uint32_t off)
{
	uint32_t v;

	memcpy(&v, fake_at(r, off, 4), 4);
	return v;
}

/* Sequential stores, for building a table entry by entry. */
struct cursor {
	struct fake_region *r;
	uint32_t off;
};

static inline void c8(struct cursor *c, uint8_t v) { put8(c->r, c->off, v); c->off += 1; }
static inline void c16(struct cursor *c, uint16_t v) { put16(c->r, c->off, v); c->off += 2; }
static inline void c32(struct cursor *c, uint32_t v) { put32(c->r, c->off, v); c->off += 4; }
static inline void c64(struct cursor *c, uint64_t v) { put64(c->r, c->off, v); c->off += 8; }

static inline uint8_t fake_sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Recomputes a table's checksum (byte 9) over its length field, clamped to the region. */
static inline void fix_checksum(struct fake_region *r)
{
	uint32_t len = get32(r, 4);

	if (len > r->len)
		len = r->len;
	r->bytes[9] = 0;
	r->bytes[9] = (uint8_t)-fake_sum(r->bytes, len);
}

/* Recomputes an RSDP's checksum, and the extended one if the region has 36 bytes. */
static inline void fix_rsdp(struct fake_region *r)
{
	r->bytes[8] = 0;
	r->bytes[8] = (uint8_t)-fake_sum(r->bytes, 20);
	if (r->len >= 36) {
		r->bytes[32] = 0;
		r->bytes[32] = (uint8_t)-fake_sum(r->bytes, 36);
	}
}

/* Sets a table's length field and fixes its checksum. */
static inline void set_length(struct fake_region *r, uint32_t len)
{
	put32(r, 4, len);
	fix_checksum(r);
}

/*
 * A new table `sig` of `len` bytes at `phys`: the captured MADT's header
 * with the new signature and length, and a zero body.  The caller fills it
 * and then calls fix_checksum().
 */
static inline struct fake_region *new_table(struct fake_mem *m, uint64_t phys,
					    const char *sig, uint32_t len)
{
	struct fake_region *r = fake_add(m, phys, NULL, len, sig);

	memcpy(r->bytes, fake_find(m, "APIC")->bytes, 36);
	memcpy(r->bytes, sig, 4);
	put32(r, 4, len);
	return r;
}

/* Points entry `i` of the captured RSDT at `phys` and fixes its checksum. */
static inline void set_rsdt_entry(struct fake_mem *m, unsigned i, uint32_t phys)
{
	struct fake_region *rsdt = fake_find(m, "RSDT");

	put32(rsdt, 36 + 4 * i, phys);
	fix_checksum(rsdt);
}

/* acpi_summary()'s lines. */
struct summary {
	int n;
	char line[24][300];
};

static inline void summary_collect(void *ctx, const char *text)
{
	struct summary *s = ctx;

	if (s->n == (int)(sizeof(s->line) / sizeof(s->line[0]))) {
		unit_fail(__FILE__, __LINE__, "too many summary lines");
		return;
	}
	strlcpy(s->line[s->n++], text, sizeof(s->line[0]));
}

static inline void summarize(const struct acpi_info *info, struct summary *s)
{
	s->n = 0;
	acpi_summary(info, summary_collect, s);
}

/* The line whose second word is `sig`, or NULL. */
static inline const char *summary_line(const struct summary *s, const char *sig)
{
	size_t n = strlen(sig);

	for (int i = 0; i < s->n; i++)
		if (strncmp(s->line[i], "acpi: ", 6) == 0 &&
		    strncmp(s->line[i] + 6, sig, n) == 0 && s->line[i][6 + n] == ' ')
			return s->line[i];
	return NULL;
}

#endif
