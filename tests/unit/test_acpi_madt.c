/*
 * test_acpi_madt.c — the MADT parser on damaged and synthesized tables.
 *
 * The captured q35 MADT (120 bytes) has entries at 0x2c (local APIC),
 * 0x34 (IOAPIC), 0x40, 0x4a, 0x54, 0x5e, 0x68 (five overrides) and 0x72
 * (local APIC NMI, type 4, 6 bytes, the last).  A damaged MADT must be
 * rejected whole, leave nothing half-parsed, and not affect MCFG or DMAR.
 */
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "unit.h"

static struct acpi_info info;

/* Parses the capture after `damage` has run on its MADT; returns the MADT's reason. */
static const char *madt_after(void (*damage)(struct fake_region *madt))
{
	parse_damaged(&info, "APIC", damage);
	if (info.madt.status.state == ACPI_REJECTED) {
		CHECK_EQ(info.madt.ncpus, 0);
		CHECK_EQ(info.madt.nioapics, 0);
		CHECK_EQ(info.madt.noverrides, 0);
		CHECK_EQ(info.madt.lapic_address, 0);
	}
	return info.madt.status.state == ACPI_REJECTED ? info.madt.status.why : "not rejected";
}

static void flip_byte(struct fake_region *r) { r->bytes[0x50] ^= 0x08; }
static void cpu_len_zero(struct fake_region *r) { put8(r, 0x2d, 0); fix_checksum(r); }
static void nmi_unknown_len_zero(struct fake_region *r)
{
	put8(r, 0x72, 0x7f);
	put8(r, 0x73, 0);
	fix_checksum(r);
}
static void nmi_unknown_len_one(struct fake_region *r)
{
	put8(r, 0x72, 0x7f);
	put8(r, 0x73, 1);
	fix_checksum(r);
}
static void last_past_end(struct fake_region *r) { put8(r, 0x73, 7); fix_checksum(r); }
static void nmi_as_short_ioapic(struct fake_region *r) { put8(r, 0x72, 1); fix_checksum(r); }
static void shorter_than_fixed(struct fake_region *r) { set_length(r, 42); fake_resize(r, 42); }
static void cut_mid_entry(struct fake_region *r) { set_length(r, 0x30); fake_resize(r, 0x30); }
static void cut_mid_header(struct fake_region *r) { set_length(r, 0x2d); fake_resize(r, 0x2d); }
static void huge(struct fake_region *r) { put32(r, 4, 0x80000000); }

TEST(acpi_madt_damaged)
{
	CHECK_STR(madt_after(flip_byte), "checksum mismatch");
	CHECK_STR(madt_after(cpu_len_zero), "entry type 0 at offset 0x2c has length 0, needs 8");
	CHECK_STR(madt_after(nmi_unknown_len_zero),
		  "entry type 127 at offset 0x72 has length 0, needs 2");
	CHECK_STR(madt_after(nmi_unknown_len_one),
		  "entry type 127 at offset 0x72 has length 1, needs 2");
	CHECK_STR(madt_after(last_past_end), "entry at offset 0x72 runs past the end");
	CHECK_STR(madt_after(nmi_as_short_ioapic),
		  "entry type 1 at offset 0x72 has length 6, needs 12");
	CHECK_STR(madt_after(shorter_than_fixed), "length 42 shorter than fixed part");
	CHECK_STR(madt_after(cut_mid_entry), "entry at offset 0x2c runs past the end");
	CHECK_STR(madt_after(cut_mid_header), "entry at offset 0x2c runs past the end");
	CHECK_STR(madt_after(huge), "length 2147483648 too large");
}

TEST(acpi_madt_rejected_summary)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	flip_byte(fake_find(&m, "APIC"));
	fake_parse(&m, &info);
	summarize(&info, &s);
	CHECK_EQ(s.n, 4);
	CHECK_STR(s.line[1], "acpi: MADT rejected: checksum mismatch");
	CHECK_STR(s.line[2], "acpi: MCFG ecam 0xb0000000 segment 0 buses 0-255");
	fake_free(&m);
}

static void nmi_unknown(struct fake_region *r) { put8(r, 0x72, 0x7f); fix_checksum(r); }
static void fixed_only(struct fake_region *r) { set_length(r, 44); fake_resize(r, 44); }

TEST(acpi_madt_unknown_entries_skipped)
{
	CHECK_STR(madt_after(nmi_unknown), "not rejected");
	CHECK_EQ(info.madt.ncpus, 1);
	CHECK_EQ(info.madt.nioapics, 1);
	CHECK_EQ(info.madt.noverrides, 5);

	CHECK_STR(madt_after(fixed_only), "not rejected");
	CHECK_EQ(info.madt.lapic_address, 0xfee00000);
	CHECK_EQ(info.madt.ncpus, 0);
}

/* Builds a MADT at 0x1ffe4000 and lists it in the RSDT instead of the captured one. */
static struct fake_region *new_madt(struct fake_mem *m, uint32_t len, struct cursor *c)
{
	struct fake_region *t;

	fake_load(m, acpi_q35_iommu);
	t = new_table(m, 0x1ffe4000, "APIC", len);
	set_rsdt_entry(m, 1, 0x1ffe4000);
	*c = (struct cursor){ t, 36 };
	c32(c, 0xfee00000);
	c32(c, 0);				/* no 8259s */
	return t;
}

static void lapic(struct cursor *c, uint8_t id, uint32_t flags)
{
	c8(c, 0); c8(c, 8); c8(c, id); c8(c, id); c32(c, flags);
}

static void x2apic(struct cursor *c, uint32_t id, uint32_t flags)
{
	c8(c, 9); c8(c, 16); c16(c, 0); c32(c, id); c32(c, flags); c32(c, id);
}

TEST(acpi_madt_x2apic_disabled_and_address_override)
{
	struct fake_mem m;
	struct cursor c;
	struct fake_region *t = new_madt(&m, 44 + 3 * 8 + 2 * 16 + 12, &c);

	lapic(&c, 0, 1);
	lapic(&c, 1, 0);			/* disabled */
	lapic(&c, 2, 2);			/* online-capable, not enabled yet */
	x2apic(&c, 0, 1);			/* CPU 0 again */
	x2apic(&c, 300, 1);
	c8(&c, 5); c8(&c, 12); c16(&c, 0); c64(&c, 0x1fee00000ull);
	CHECK_EQ(c.off, t->len);
	fix_checksum(t);

	fake_parse(&m, &info);
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	CHECK(!info.madt.pcat_compat);
	CHECK_EQ(info.madt.lapic_address, 0x1fee00000ull);
	CHECK_EQ(info.madt.ncpus, 2);
	CHECK_EQ(info.madt.cpu_apic_id[0], 0);
	CHECK_EQ(info.madt.cpu_apic_id[1], 300);
	fake_free(&m);
}

/* More entries than the arrays hold: the first ones kept, the rest counted. */
TEST(acpi_madt_too_many_entries)
{
	struct fake_mem m;
	struct cursor c;
	struct summary s;
	struct fake_region *t = new_madt(&m, 44 + 100 * 8 + 10 * 12 + 20 * 10, &c);

	for (unsigned i = 0; i < 100; i++)
		lapic(&c, i, 1);
	for (unsigned i = 0; i < 10; i++) {
		c8(&c, 1); c8(&c, 12); c8(&c, i); c8(&c, 0);
		c32(&c, 0xfec00000 + i * 0x1000); c32(&c, i * 24);
	}
	for (unsigned i = 0; i < 20; i++) {
		c8(&c, 2); c8(&c, 10); c8(&c, 0); c8(&c, i); c32(&c, i + 100); c16(&c, 0xf);
	}
	CHECK_EQ(c.off, t->len);
	fix_checksum(t);

	fake_parse(&m, &info);
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	CHECK_EQ(info.madt.ncpus, ACPI_MAX_CPUS);
	CHECK_EQ(info.madt.cpu_apic_id[ACPI_MAX_CPUS - 1], ACPI_MAX_CPUS - 1);
	CHECK_EQ(info.madt.nioapics, ACPI_MAX_IOAPICS);
	CHECK_EQ(info.madt.ioapic[7].address, 0xfec07000);
	CHECK_EQ(info.madt.ioapic[7].gsi_base, 168);
	CHECK_EQ(info.madt.noverrides, ACPI_MAX_OVERRIDES);
	CHECK_EQ(info.madt.override[15].gsi, 115);
	CHECK_EQ(info.madt.status.dropped, (100 - 64) + (10 - 8) + (20 - 16));

	/* Past four, IOAPICs are only counted, so the line stays short. */
	summarize(&info, &s);
	CHECK_STR(summary_line(&s, "MADT"),
		  "acpi: MADT lapic 0xfee00000, 64 cpus, ioapic 0 at 0xfec00000 gsi 0, "
		  "ioapic 1 at 0xfec01000 gsi 24, ioapic 2 at 0xfec02000 gsi 48, "
		  "ioapic 3 at 0xfec03000 gsi 72, 4 more ioapics, 16 overrides, 42 dropped");
	fake_free(&m);
}

/* A line that would not fit ACPI_LINE_MAX (only absurd values get there) is cut and marked. */
TEST(acpi_madt_summary_cut)
{
	struct fake_mem m;
	struct cursor c;
	struct summary s;
	struct fake_region *t = new_madt(&m, 44 + 5 * 12 + 12 + 17 * 10, &c);
	const char *line;

	for (unsigned i = 0; i < 5; i++) {
		c8(&c, 1); c8(&c, 12); c8(&c, 255 - i); c8(&c, 0);
		c32(&c, 0xfffff000 - i * 0x1000); c32(&c, 0xffffffff - i);
	}
	c8(&c, 5); c8(&c, 12); c16(&c, 0); c64(&c, 0xfffffffffee00000ull);
	for (unsigned i = 0; i < 17; i++) {
		c8(&c, 2); c8(&c, 10); c8(&c, 0); c8(&c, i); c32(&c, i); c16(&c, 0);
	}
	put32(t, 40, 1);			/* PCAT_COMPAT */
	fix_checksum(t);

	fake_parse(&m, &info);
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	summarize(&info, &s);
	line = summary_line(&s, "MADT");
	CHECK(line != NULL);
	if (line) {
		CHECK_EQ(strlen(line), 255);
		CHECK(strncmp(line, "acpi: MADT lapic 0xfffffffffee00000, 0 cpus, "
			      "ioapic 255 at 0xfffff000 gsi 4294967295, ", 86) == 0);
		CHECK_STR(line + 252, "...");
	}
	fake_free(&m);
}
