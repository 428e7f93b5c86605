/*
 * test_acpi_root.c — the way from the RSDP to the tables, corrupted.
 *
 * Each test damages one thing in a copy of the q35 capture (the RSDP, the
 * RSDT, an XSDT built from it, an entry of the root table) and checks that
 * acpi_parse() refuses exactly that, says why, and still uses the rest.
 */
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "unit.h"

static struct acpi_info info;

TEST(acpi_rsdp_missing)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	CHECK(!acpi_parse(NULL, 0, &m.mem, &info));
	CHECK_EQ(info.root.state, ACPI_ABSENT);
	CHECK_EQ(info.root_kind, ACPI_ROOT_NONE);
	summarize(&info, &s);
	CHECK_EQ(s.n, 4);
	CHECK_STR(s.line[0], "acpi: RSDP absent (no ACPI tag from the boot loader)");
	CHECK_STR(s.line[1], "acpi: MADT absent");
	CHECK_STR(s.line[2], "acpi: MCFG absent");
	CHECK_STR(s.line[3], "acpi: DMAR absent (no IOMMU)");
	fake_free(&m);
}

TEST(acpi_rsdp_too_short)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	CHECK(!acpi_parse(m.r[0].bytes, 19, &m.mem, &info));
	CHECK_EQ(info.root.state, ACPI_REJECTED);
	CHECK_STR(info.root.why, "19 bytes, shorter than 20");
	summarize(&info, &s);
	CHECK_STR(s.line[0], "acpi: RSDP rejected: 19 bytes, shorter than 20");
	CHECK(!acpi_parse(m.r[0].bytes, 0, &m.mem, &info));
	CHECK_EQ(info.root.state, ACPI_REJECTED);
	fake_free(&m);
}

TEST(acpi_rsdp_bad_signature)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	put8(&m.r[0], 4, 'Q');
	fix_rsdp(&m.r[0]);
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "bad signature");
	summarize(&info, &s);
	CHECK_STR(s.line[0], "acpi: RSDP rejected: bad signature");
	fake_free(&m);
}

TEST(acpi_rsdp_bad_checksum)
{
	struct fake_mem m;

	fake_load(&m, acpi_q35_iommu);
	m.r[0].bytes[10] ^= 0x40;
	CHECK(!fake_parse(&m, &info));
	CHECK_EQ(info.root.state, ACPI_REJECTED);
	CHECK_STR(info.root.why, "checksum mismatch");
	fake_free(&m);
}

TEST(acpi_rsdt_unmapped)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	put32(&m.r[0], 16, 0x7ff00000);
	fix_rsdp(&m.r[0]);
	CHECK(!fake_parse(&m, &info));
	CHECK_EQ(info.root_kind, ACPI_ROOT_RSDT);
	CHECK_EQ(info.root.state, ACPI_REJECTED);
	CHECK_STR(info.root.why, "header at 0x7ff00000 is not in memory");
	CHECK_EQ(info.madt.status.state, ACPI_ABSENT);
	summarize(&info, &s);
	CHECK_STR(s.line[0], "acpi: RSDT rejected: header at 0x7ff00000 is not in memory");
	CHECK_STR(s.line[1], "acpi: MADT absent");
	fake_free(&m);
}

TEST(acpi_rsdt_null)
{
	struct fake_mem m;

	fake_load(&m, acpi_q35_iommu);
	put32(&m.r[0], 16, 0);
	fix_rsdp(&m.r[0]);
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "null table address");
	fake_free(&m);
}

TEST(acpi_rsdt_bad_checksum)
{
	struct fake_mem m;

	fake_load(&m, acpi_q35_iommu);
	fake_find(&m, "RSDT")->bytes[40] ^= 1;
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "checksum mismatch");
	CHECK_EQ(info.ntables, 0);
	fake_free(&m);
}

TEST(acpi_rsdt_bad_lengths)
{
	struct fake_mem m;
	struct fake_region *rsdt;

	fake_load(&m, acpi_q35_iommu);
	rsdt = fake_find(&m, "RSDT");
	set_length(rsdt, 12);
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "length 12 shorter than header");

	put32(rsdt, 4, 0xffffffff);
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "length 4294967295 too large");

	put32(rsdt, 4, 0x10000);		/* plausible, but runs past the blob */
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "length 65536 reaches unmapped memory");

	set_length(rsdt, 58);			/* half an entry at the end */
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "length 58 leaves a partial entry");

	set_length(rsdt, 36);			/* no tables is not an error */
	CHECK(fake_parse(&m, &info));
	CHECK_EQ(info.ntables, 0);
	CHECK_EQ(info.madt.status.state, ACPI_ABSENT);
	fake_free(&m);
}

TEST(acpi_rsdt_wrong_signature)
{
	struct fake_mem m;

	fake_load(&m, acpi_q35_iommu);
	put32(&m.r[0], 16, (uint32_t)fake_find(&m, "MCFG")->phys);
	fix_rsdp(&m.r[0]);
	CHECK(!fake_parse(&m, &info));
	CHECK_STR(info.root.why, "signature MCFG, not RSDT");
	fake_free(&m);
}

/* A bad entry in the root table costs that table only. */
TEST(acpi_root_entry_unmapped_or_null)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	set_rsdt_entry(&m, 2, 0xdead0000);	/* was HPET */
	set_rsdt_entry(&m, 5, 0);		/* was WAET */
	CHECK(fake_parse(&m, &info));
	CHECK_EQ(info.ntables, 6);
	CHECK_EQ(info.nbad, 2);
	CHECK_STR(info.bad[0].sig, "????");
	CHECK_STR(info.bad[0].why, "header at 0xdead0000 is not in memory");
	CHECK_STR(info.bad[1].why, "null table address");
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	CHECK_EQ(info.mcfg.status.state, ACPI_PRESENT);
	CHECK_EQ(info.dmar.status.state, ACPI_PRESENT);
	summarize(&info, &s);
	CHECK_EQ(s.n, 6);
	CHECK_STR(s.line[0], "acpi: RSDP revision 0, RSDT at 0x1ffe230c, 6 tables, 2 rejected");
	CHECK_STR(s.line[4], "acpi: ???? rejected: header at 0xdead0000 is not in memory");
	CHECK_STR(s.line[5], "acpi: ???? rejected: null table address");
	fake_free(&m);
}

TEST(acpi_other_table_bad_checksum)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	fake_find(&m, "FACP")->bytes[100] ^= 0x10;
	CHECK(fake_parse(&m, &info));
	CHECK_EQ(info.nbad, 1);
	CHECK_STR(info.bad[0].sig, "FACP");
	CHECK_EQ(info.bad[0].phys, 0x1ffe2094);
	summarize(&info, &s);
	CHECK_STR(summary_line(&s, "FACP"), "acpi: FACP rejected: checksum mismatch");
	fake_free(&m);
}

/* More bad tables than bad[] holds: counted, the first ACPI_MAX_BAD kept. */
TEST(acpi_many_bad_tables_clamped)
{
	struct fake_mem m;
	struct fake_region *rsdt;
	struct cursor c;
	struct summary s;
	const unsigned nbad = 20;

	fake_load(&m, acpi_q35_iommu);
	rsdt = new_table(&m, 0x1ffe3000, "RSDT", 36 + 4 * (nbad + 1));
	c = (struct cursor){ rsdt, 36 };
	for (unsigned i = 0; i < nbad; i++)
		c32(&c, 0xdead0000 + i * 0x1000);
	c32(&c, (uint32_t)fake_find(&m, "APIC")->phys);
	fix_checksum(rsdt);
	put32(&m.r[0], 16, 0x1ffe3000);
	fix_rsdp(&m.r[0]);

	CHECK(fake_parse(&m, &info));
	CHECK_EQ(info.ntables, nbad + 1);
	CHECK_EQ(info.nbad, nbad);
	CHECK_STR(info.bad[ACPI_MAX_BAD - 1].why, "header at 0xdead7000 is not in memory");
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	summarize(&info, &s);
	CHECK_EQ(s.n, 4 + ACPI_MAX_BAD);
	CHECK_STR(s.line[0], "acpi: RSDP revision 0, RSDT at 0x1ffe3000, 21 tables, 20 rejected");
	fake_free(&m);
}

/* A second copy of a table is ignored once one copy has been accepted. */
TEST(acpi_duplicate_table_first_good_wins)
{
	struct fake_mem m;
	struct fake_region *madt, *copy;

	fake_load(&m, acpi_q35_iommu);
	madt = fake_find(&m, "APIC");
	copy = fake_add(&m, 0x1ffe5000, madt->bytes, madt->len, "APIC2");
	put32(copy, 0x38, 0xfec10000);		/* its IOAPIC address */
	fix_checksum(copy);
	set_rsdt_entry(&m, 5, 0x1ffe5000);	/* was WAET, after the MADT */
	fake_parse(&m, &info);
	CHECK_EQ(info.madt.status.phys, madt->phys);
	CHECK_EQ(info.madt.ioapic[0].address, 0xfec00000);

	madt->bytes[50] ^= 1;			/* now the first copy is bad */
	fake_parse(&m, &info);
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	CHECK_EQ(info.madt.status.phys, 0x1ffe5000);
	CHECK_EQ(info.madt.ioapic[0].address, 0xfec10000);
	CHECK_EQ(info.nbad, 0);
	fake_free(&m);
}

/*
 * An ACPI 2.0 RSDP and an XSDT built from the captured RSDT: the XSDT lists
 * every table but the DMAR, and a copy of the MCFG above 4 GiB, so the
 * results show which root table was followed and that entries are 64-bit.
 */
#define XSDT_PHYS 0x1ffe3000
#define HIGH_MCFG 0x123456000ull

static struct fake_region *make_xsdt(struct fake_mem *m)
{
	struct fake_region *rsdt = fake_find(m, "RSDT"), *mcfg = fake_find(m, "MCFG");
	struct fake_region *xsdt, *rsdp;
	struct cursor c;

	fake_add(m, HIGH_MCFG, mcfg->bytes, mcfg->len, "MCFG-high");
	xsdt = new_table(m, XSDT_PHYS, "XSDT", 36 + 8 * 5);
	c = (struct cursor){ xsdt, 36 };
	for (unsigned i = 0; i < 6; i++) {
		uint32_t phys = get32(rsdt, 36 + 4 * i);
		if (phys == fake_find(m, "DMAR")->phys)
			continue;
		c64(&c, phys == mcfg->phys ? HIGH_MCFG : phys);
	}
	fix_checksum(xsdt);

	rsdp = fake_add(m, 0xf5a00, NULL, 36, "RSDP2");
	memcpy(rsdp->bytes, m->r[0].bytes, 20);
	put8(rsdp, 15, 2);			/* revision */
	put32(rsdp, 20, 36);			/* length */
	put64(rsdp, 24, XSDT_PHYS);
	fix_rsdp(rsdp);
	return rsdp;
}

static bool parse_from(struct fake_mem *m, const struct fake_region *rsdp)
{
	return acpi_parse(rsdp->bytes, rsdp->len, &m->mem, &info);
}

TEST(acpi_xsdt_preferred)
{
	struct fake_mem m;
	struct fake_region *rsdp;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	rsdp = make_xsdt(&m);
	CHECK(parse_from(&m, rsdp));
	CHECK_EQ(info.rsdp_revision, 2);
	CHECK_EQ(info.root_kind, ACPI_ROOT_XSDT);
	CHECK_EQ(info.root.phys, XSDT_PHYS);
	CHECK_EQ(info.ntables, 5);
	CHECK_EQ(info.nbad, 0);
	CHECK_EQ(info.dmar.status.state, ACPI_ABSENT);
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	CHECK_EQ(info.mcfg.status.phys, HIGH_MCFG);
	CHECK_EQ(info.mcfg.segment[0].ecam_base, 0xb0000000);
	summarize(&info, &s);
	CHECK_STR(s.line[0], "acpi: RSDP revision 2, XSDT at 0x1ffe3000, 5 tables");

	/* The same RSDP through a 20-byte copy (multiboot2 tag 14): RSDT only. */
	CHECK(acpi_parse(rsdp->bytes, 20, &m.mem, &info));
	CHECK_EQ(info.rsdp_revision, 2);
	CHECK_EQ(info.root_kind, ACPI_ROOT_RSDT);
	CHECK_EQ(info.dmar.status.state, ACPI_PRESENT);
	fake_free(&m);
}

TEST(acpi_xsdt_bad_falls_back_to_rsdt)
{
	struct fake_mem m;
	struct fake_region *rsdp;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	rsdp = make_xsdt(&m);
	fake_find(&m, "XSDT")->bytes[44] ^= 1;
	CHECK(parse_from(&m, rsdp));
	CHECK_EQ(info.root_kind, ACPI_ROOT_RSDT);
	CHECK_EQ(info.root.state, ACPI_PRESENT);
	CHECK_EQ(info.root.phys, 0x1ffe230c);
	CHECK_EQ(info.ntables, 6);
	CHECK_EQ(info.dmar.status.state, ACPI_PRESENT);
	CHECK_EQ(info.nbad, 1);
	CHECK_STR(info.bad[0].sig, "XSDT");
	CHECK_EQ(info.bad[0].phys, XSDT_PHYS);
	summarize(&info, &s);
	CHECK_STR(s.line[0], "acpi: RSDP revision 2, RSDT at 0x1ffe230c, 6 tables, 1 rejected");
	CHECK_STR(summary_line(&s, "XSDT"), "acpi: XSDT rejected: checksum mismatch");

	/* Unmapped, or not an XSDT at all: the same fallback. */
	put64(rsdp, 24, 0x7fff0000);
	fix_rsdp(rsdp);
	CHECK(parse_from(&m, rsdp));
	CHECK_EQ(info.root_kind, ACPI_ROOT_RSDT);
	CHECK_STR(info.bad[0].why, "header at 0x7fff0000 is not in memory");
	put64(rsdp, 24, 0x1ffe230c);
	fix_rsdp(rsdp);
	CHECK(parse_from(&m, rsdp));
	CHECK_EQ(info.root_kind, ACPI_ROOT_RSDT);
	CHECK_STR(info.bad[0].why, "signature RSDT, not XSDT");

	/* With no RSDT to fall back on, the XSDT's failure is the root's. */
	put64(rsdp, 24, XSDT_PHYS);
	put32(rsdp, 16, 0);
	fix_rsdp(rsdp);
	CHECK(!parse_from(&m, rsdp));
	CHECK_EQ(info.root_kind, ACPI_ROOT_XSDT);
	CHECK_EQ(info.root.state, ACPI_REJECTED);
	CHECK_EQ(info.nbad, 0);
	summarize(&info, &s);
	CHECK_STR(s.line[0], "acpi: XSDT rejected: checksum mismatch");
	fake_free(&m);
}

TEST(acpi_rsdp2_checks)
{
	struct fake_mem m;
	struct fake_region *rsdp;

	fake_load(&m, acpi_q35_iommu);
	rsdp = make_xsdt(&m);
	rsdp->bytes[33] ^= 1;			/* reserved: only the extended checksum covers it */
	CHECK(!parse_from(&m, rsdp));
	CHECK_STR(info.root.why, "extended checksum mismatch");

	put32(rsdp, 20, 40);			/* longer than the copy */
	fix_rsdp(rsdp);
	CHECK(!parse_from(&m, rsdp));
	CHECK_STR(info.root.why, "length 40, copy has 36 bytes");

	put32(rsdp, 20, 20);			/* shorter than an ACPI 2.0 RSDP */
	fix_rsdp(rsdp);
	CHECK(!parse_from(&m, rsdp));
	CHECK_STR(info.root.why, "length 20, copy has 36 bytes");
	fake_free(&m);
}
