/*
 * test_acpi_dmar.c — the DMAR parser on damaged and synthesized tables.
 *
 * The captured q35 DMAR (112 bytes) is the 48-byte fixed part, then one
 * DRHD at 0x30 of length 0x40 whose six 8-byte device scopes start at
 * 0x40, 0x48, ..., 0x68.  The synthesized tables add what QEMU never
 * emits: RMRRs, ATSRs, unknown structures, multi-hop paths, HPET scopes.
 */
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "unit.h"

static struct acpi_info info;

static const char *dmar_after(void (*damage)(struct fake_region *dmar))
{
	parse_damaged(&info, "DMAR", damage);
	if (info.dmar.status.state == ACPI_REJECTED) {
		CHECK_EQ(info.dmar.nunits, 0);
		CHECK_EQ(info.dmar.haw, 0);
	}
	return info.dmar.status.state == ACPI_REJECTED ? info.dmar.status.why : "not rejected";
}

static void flip_byte(struct fake_region *r) { r->bytes[0x3a] ^= 1; }
static void unit_len_zero(struct fake_region *r) { put16(r, 0x32, 0); fix_checksum(r); }
static void unit_len_short(struct fake_region *r) { put16(r, 0x32, 15); fix_checksum(r); }
static void unit_past_end(struct fake_region *r) { put16(r, 0x32, 0x42); fix_checksum(r); }
static void scope_len_zero(struct fake_region *r) { put8(r, 0x41, 0); fix_checksum(r); }
static void scope_no_path(struct fake_region *r) { put8(r, 0x69, 6); fix_checksum(r); }
static void scope_odd(struct fake_region *r) { put8(r, 0x41, 9); fix_checksum(r); }
/* The DRHD ends 3 bytes early: its last scope crosses its end (not the table's). */
static void scope_past_unit(struct fake_region *r) { put16(r, 0x32, 0x3d); fix_checksum(r); }
static void shorter_than_fixed(struct fake_region *r) { set_length(r, 40); fake_resize(r, 40); }
static void cut_in_scope(struct fake_region *r) { set_length(r, 0x6c); fake_resize(r, 0x6c); }
static void huge(struct fake_region *r) { put32(r, 4, 0xfffffff0); }
static void beyond_blob(struct fake_region *r) { put32(r, 4, 0x1000); }

TEST(acpi_dmar_damaged)
{
	CHECK_STR(dmar_after(flip_byte), "checksum mismatch");
	CHECK_STR(dmar_after(unit_len_zero), "entry type 0 at offset 0x30 has length 0, needs 16");
	CHECK_STR(dmar_after(unit_len_short), "entry type 0 at offset 0x30 has length 15, needs 16");
	CHECK_STR(dmar_after(unit_past_end), "entry at offset 0x30 runs past the end");
	CHECK_STR(dmar_after(scope_len_zero), "entry type 3 at offset 0x40 has length 0, needs 8");
	CHECK_STR(dmar_after(scope_no_path), "entry type 1 at offset 0x68 has length 6, needs 8");
	CHECK_STR(dmar_after(scope_odd), "device scope at offset 0x40 has odd length 9");
	CHECK_STR(dmar_after(scope_past_unit), "entry at offset 0x68 runs past the end");
	CHECK_STR(dmar_after(shorter_than_fixed), "length 40 shorter than fixed part");
	CHECK_STR(dmar_after(cut_in_scope), "entry at offset 0x30 runs past the end");
	CHECK_STR(dmar_after(huge), "length 4294967280 too large");
	CHECK_STR(dmar_after(beyond_blob), "length 4096 reaches unmapped memory");
}

TEST(acpi_dmar_rejected_summary)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	huge(fake_find(&m, "DMAR"));
	fake_parse(&m, &info);
	summarize(&info, &s);
	CHECK_STR(s.line[3], "acpi: DMAR rejected: length 4294967280 too large");
	fake_free(&m);
}

/* Builds a DMAR at 0x1ffe6000 and lists it in the RSDT instead of the captured one. */
static struct fake_region *new_dmar(struct fake_mem *m, uint32_t len, uint8_t haw,
				    uint8_t flags, struct cursor *c)
{
	struct fake_region *t;

	fake_load(m, acpi_q35_iommu);
	t = new_table(m, 0x1ffe6000, "DMAR", len);
	set_rsdt_entry(m, 4, 0x1ffe6000);
	*c = (struct cursor){ t, 36 };
	c8(c, haw);
	c8(c, flags);
	c->off += 10;
	return t;
}

static void drhd(struct cursor *c, uint16_t len, uint8_t flags, uint16_t seg, uint64_t base)
{
	c16(c, 0); c16(c, len); c8(c, flags); c8(c, 0); c16(c, seg); c64(c, base);
}

static void rmrr(struct cursor *c, uint16_t len, uint16_t seg, uint64_t base, uint64_t limit)
{
	c16(c, 1); c16(c, len); c16(c, 0); c16(c, seg); c64(c, base); c64(c, limit);
}

/* A device scope of `hops` path entries, hop i being device dev+i, function i. */
static void scope(struct cursor *c, uint8_t type, uint8_t enum_id, uint8_t bus,
		  unsigned hops, uint8_t dev)
{
	c8(c, type); c8(c, 6 + 2 * hops); c16(c, 0); c8(c, enum_id); c8(c, bus);
	for (unsigned i = 0; i < hops; i++) {
		c8(c, dev + i);
		c8(c, i);
	}
}

TEST(acpi_dmar_rmrr_and_unknown_structures)
{
	struct fake_mem m;
	struct cursor c;
	struct summary s;
	struct fake_region *t = new_dmar(&m, 48 + 50 + 34 + 8 + 12, 47,
					 ACPI_DMAR_INTR_REMAP | ACPI_DMAR_X2APIC_OPT_OUT, &c);
	const struct acpi_dmar *d = &info.dmar;

	drhd(&c, 50, 1, 0, 0xfed91000);
	scope(&c, ACPI_SCOPE_IOAPIC, 2, 0xf0, 1, 0x1f);
	scope(&c, 0, 0, 0, 1, 0);		/* reserved type: skipped */
	scope(&c, ACPI_SCOPE_HPET, 0, 0, 1, 0x1f);
	scope(&c, ACPI_SCOPE_BRIDGE, 0, 0, 2, 0x1c);
	rmrr(&c, 34, 0, 0xe8000, 0xe8fff);
	scope(&c, ACPI_SCOPE_ENDPOINT, 0, 0, 2, 0x14);
	c16(&c, 2); c16(&c, 8); c8(&c, 1); c8(&c, 0); c16(&c, 0);	/* ATSR, all ports */
	c16(&c, 0x99); c16(&c, 12); c64(&c, 0);			/* unknown */
	CHECK_EQ(c.off, t->len);
	fix_checksum(t);

	fake_parse(&m, &info);
	CHECK_EQ(d->status.state, ACPI_PRESENT);
	CHECK_EQ(d->status.dropped, 0);
	CHECK_EQ(d->haw, 48);
	CHECK_EQ(d->flags, ACPI_DMAR_INTR_REMAP | ACPI_DMAR_X2APIC_OPT_OUT);
	CHECK_EQ(d->nunits, 1);
	CHECK_EQ(d->unit[0].base, 0xfed91000);
	CHECK(d->unit[0].include_all);
	CHECK_EQ(d->unit[0].nscopes, 3);
	CHECK_EQ(d->unit[0].scope[0].type, ACPI_SCOPE_IOAPIC);
	CHECK_EQ(d->unit[0].scope[0].enum_id, 2);
	CHECK_EQ(d->unit[0].scope[0].start_bus, 0xf0);
	CHECK_EQ(d->unit[0].scope[1].type, ACPI_SCOPE_HPET);
	CHECK_EQ(d->unit[0].scope[2].type, ACPI_SCOPE_BRIDGE);
	CHECK_EQ(d->unit[0].scope[2].path_len, 2);
	CHECK_EQ(d->unit[0].scope[2].path[1].dev, 0x1d);
	CHECK_EQ(d->unit[0].scope[2].path[1].fn, 1);
	CHECK_EQ(d->nrmrrs, 1);
	CHECK_EQ(d->rmrr[0].segment, 0);
	CHECK_EQ(d->rmrr[0].base, 0xe8000);
	CHECK_EQ(d->rmrr[0].limit, 0xe8fff);
	CHECK_EQ(d->rmrr[0].nscopes, 1);
	CHECK_EQ(d->rmrr[0].scope[0].type, ACPI_SCOPE_ENDPOINT);
	CHECK_EQ(d->rmrr[0].scope[0].path_len, 2);
	CHECK_EQ(d->rmrr[0].scope[0].path[0].dev, 0x14);

	summarize(&info, &s);
	CHECK_STR(summary_line(&s, "DMAR"), "acpi: DMAR haw 48, intr-remap, x2apic-opt-out, "
		  "1 unit: 0xfed91000 segment 0 include-all 3 scopes, 1 rmrr");

	/* An RMRR whose limit is below its base is refused. */
	put64(t, 48 + 50 + 16, 0xe7fff);
	fix_checksum(t);
	fake_parse(&m, &info);
	CHECK_EQ(d->status.state, ACPI_REJECTED);
	CHECK_STR(d->status.why, "RMRR at offset 0x62 ends before it starts");
	fake_free(&m);
}

/* Too many units, RMRRs, scopes, or path hops: kept up to the limits, the rest counted. */
TEST(acpi_dmar_too_many)
{
	struct fake_mem m;
	struct cursor c;
	struct summary s;
	struct fake_region *t = new_dmar(&m, 48 + (16 + 40 * 8) + (16 + 16) + 4 * 16 + 6 * 24,
					 47, 7, &c);
	const struct acpi_dmar *d = &info.dmar;

	drhd(&c, 16 + 40 * 8, 0, 0, 0xfed90000);
	for (unsigned i = 0; i < 40; i++)
		scope(&c, ACPI_SCOPE_ENDPOINT, 0, 0, 1, i);
	drhd(&c, 16 + 16, 0, 0, 0xfed91000);
	scope(&c, ACPI_SCOPE_BRIDGE, 0, 0, 5, 1);	/* deeper than ACPI_MAX_PATH */
	for (unsigned i = 0; i < 4; i++)
		drhd(&c, 16, 1, 0xffff, 0xfffffffffed92000ull + i * 0x1000);
	for (unsigned i = 0; i < 6; i++)
		rmrr(&c, 24, 0, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0xfff);
	CHECK_EQ(c.off, t->len);
	fix_checksum(t);

	fake_parse(&m, &info);
	CHECK_EQ(d->status.state, ACPI_PRESENT);
	CHECK_EQ(d->nunits, ACPI_MAX_DMAR_UNITS);
	CHECK_EQ(d->unit[0].nscopes, ACPI_MAX_SCOPES);
	CHECK_EQ(d->unit[0].scope[31].path[0].dev, 31);
	CHECK_EQ(d->unit[1].nscopes, 0);
	CHECK_EQ(d->unit[3].base, 0xfffffffffed93000ull);
	CHECK_EQ(d->nrmrrs, ACPI_MAX_RMRRS);
	CHECK_EQ(d->rmrr[3].base, 0x400000);
	/* 8 scopes, 1 deep scope, 2 units, 2 RMRRs */
	CHECK_EQ(d->status.dropped, 8 + 1 + 2 + 2);

	/* About the longest DMAR line there can be; it still fits. */
	summarize(&info, &s);
	CHECK_STR(summary_line(&s, "DMAR"),
		  "acpi: DMAR haw 48, intr-remap, x2apic-opt-out, dma-ctrl-opt-in, 4 units: "
		  "0xfed90000 segment 0 32 scopes, 0xfed91000 segment 0, "
		  "0xfffffffffed92000 segment 65535 include-all, "
		  "0xfffffffffed93000 segment 65535 include-all, 4 rmrrs, 13 dropped");
	fake_free(&m);
}
