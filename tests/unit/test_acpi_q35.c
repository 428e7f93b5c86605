/*
 * test_acpi_q35.c — the ACPI parsers on tables captured from QEMU 7.2 q35,
 * with and without an intel-iommu (tests/unit/data/acpi_q35_*.c).
 *
 * Every expected value below was read off the captured bytes by hand (the
 * offsets are in the comments), not from the parser's output.
 */
#include <string.h>

#include "tests/unit/test_acpi.h"
#include "unit.h"

static struct acpi_info info;

TEST(acpi_q35_iommu_root)
{
	struct fake_mem m;

	fake_load(&m, acpi_q35_iommu);
	CHECK(fake_parse(&m, &info));
	CHECK_EQ(info.root.state, ACPI_PRESENT);
	CHECK_EQ(info.rsdp_revision, 0);		/* RSDP byte 15 */
	CHECK_EQ(info.root_kind, ACPI_ROOT_RSDT);
	CHECK_EQ(info.root.phys, 0x1ffe230c);		/* RSDP bytes 16-19 */
	CHECK_EQ(info.ntables, 6);			/* (60 - 36) / 4: FACP APIC HPET MCFG DMAR WAET */
	CHECK_EQ(info.nbad, 0);
	fake_free(&m);
}

TEST(acpi_q35_iommu_madt)
{
	struct fake_mem m;
	const struct acpi_madt *madt = &info.madt;

	fake_load(&m, acpi_q35_iommu);
	fake_parse(&m, &info);
	CHECK_EQ(madt->status.state, ACPI_PRESENT);
	CHECK_EQ(madt->status.phys, 0x1ffe2188);
	CHECK_EQ(madt->status.dropped, 0);
	CHECK_EQ(madt->lapic_address, 0xfee00000);	/* bytes 36-39 */
	CHECK(madt->pcat_compat);			/* bytes 40-43 = 1 */
	/* 0x2c: type 0 len 8, uid 0, apic id 0, enabled */
	CHECK_EQ(madt->ncpus, 1);
	CHECK_EQ(madt->cpu_apic_id[0], 0);
	/* 0x34: type 1 len 12, id 0, 0xfec00000, gsi 0 */
	CHECK_EQ(madt->nioapics, 1);
	CHECK_EQ(madt->ioapic[0].id, 0);
	CHECK_EQ(madt->ioapic[0].address, 0xfec00000);
	CHECK_EQ(madt->ioapic[0].gsi_base, 0);
	/* 0x40..0x71: five type 2 entries; 0x72: type 4 (LAPIC NMI), skipped */
	CHECK_EQ(madt->noverrides, 5);
	CHECK_EQ(madt->override[0].bus_irq, 0);
	CHECK_EQ(madt->override[0].gsi, 2);
	CHECK_EQ(madt->override[0].flags, 0);
	CHECK_EQ(madt->override[1].bus_irq, 5);
	CHECK_EQ(madt->override[1].gsi, 5);
	CHECK_EQ(madt->override[1].flags, 0xd);
	CHECK_EQ(ACPI_INTI_POLARITY(madt->override[1].flags), 1);	/* active high */
	CHECK_EQ(ACPI_INTI_TRIGGER(madt->override[1].flags), 3);	/* level */
	CHECK_EQ(madt->override[2].bus_irq, 9);
	CHECK_EQ(madt->override[3].bus_irq, 10);
	CHECK_EQ(madt->override[4].bus_irq, 11);
	CHECK_EQ(madt->override[4].gsi, 11);
	fake_free(&m);
}

TEST(acpi_q35_iommu_mcfg)
{
	struct fake_mem m;
	const struct acpi_mcfg *mcfg = &info.mcfg;

	fake_load(&m, acpi_q35_iommu);
	fake_parse(&m, &info);
	CHECK_EQ(mcfg->status.state, ACPI_PRESENT);
	CHECK_EQ(mcfg->nsegments, 1);			/* (60 - 44) / 16 */
	CHECK_EQ(mcfg->segment[0].ecam_base, 0xb0000000);	/* bytes 44-51 */
	CHECK_EQ(mcfg->segment[0].segment, 0);
	CHECK_EQ(mcfg->segment[0].start_bus, 0);
	CHECK_EQ(mcfg->segment[0].end_bus, 255);
	fake_free(&m);
}

TEST(acpi_q35_iommu_dmar)
{
	struct fake_mem m;
	const struct acpi_dmar *dmar = &info.dmar;
	const struct acpi_dmar_unit *u = &dmar->unit[0];
	/* The scopes at 0x40..0x6f: IOAPIC ff:00.0, then endpoints on bus 0. */
	static const struct { uint8_t type, bus, dev, fn; } want[] = {
		{ ACPI_SCOPE_IOAPIC, 0xff, 0x00, 0 },
		{ ACPI_SCOPE_ENDPOINT, 0, 0x00, 0 },
		{ ACPI_SCOPE_ENDPOINT, 0, 0x01, 0 },
		{ ACPI_SCOPE_ENDPOINT, 0, 0x1f, 0 },
		{ ACPI_SCOPE_ENDPOINT, 0, 0x1f, 2 },
		{ ACPI_SCOPE_ENDPOINT, 0, 0x1f, 3 },
	};

	fake_load(&m, acpi_q35_iommu);
	fake_parse(&m, &info);
	CHECK_EQ(dmar->status.state, ACPI_PRESENT);
	CHECK_EQ(dmar->status.phys, 0x1ffe2274);
	CHECK_EQ(dmar->haw, 39);			/* byte 36 = 38 */
	CHECK_EQ(dmar->flags, ACPI_DMAR_INTR_REMAP);	/* byte 37 = 1 */
	CHECK_EQ(dmar->nunits, 1);
	CHECK_EQ(dmar->nrmrrs, 0);
	/* 0x30: DRHD len 64, flags 0 (not INCLUDE_PCI_ALL), segment 0 */
	CHECK_EQ(u->base, 0xfed90000);
	CHECK_EQ(u->segment, 0);
	CHECK(!u->include_all);
	CHECK_EQ(u->nscopes, 6);
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EQ(u->scope[i].type, want[i].type);
		CHECK_EQ(u->scope[i].enum_id, 0);
		CHECK_EQ(u->scope[i].start_bus, want[i].bus);
		CHECK_EQ(u->scope[i].path_len, 1);
		CHECK_EQ(u->scope[i].path[0].dev, want[i].dev);
		CHECK_EQ(u->scope[i].path[0].fn, want[i].fn);
	}
	fake_free(&m);
}

TEST(acpi_q35_plain_has_no_dmar)
{
	struct fake_mem m;

	fake_load(&m, acpi_q35_plain);
	CHECK(fake_parse(&m, &info));
	CHECK_EQ(info.root.phys, 0x1ffe229c);
	CHECK_EQ(info.ntables, 5);			/* (56 - 36) / 4 */
	CHECK_EQ(info.nbad, 0);
	CHECK_EQ(info.dmar.status.state, ACPI_ABSENT);
	CHECK_EQ(info.madt.status.state, ACPI_PRESENT);
	CHECK_EQ(info.madt.noverrides, 5);
	CHECK_EQ(info.madt.ioapic[0].address, 0xfec00000);
	CHECK_EQ(info.mcfg.status.state, ACPI_PRESENT);
	CHECK_EQ(info.mcfg.segment[0].ecam_base, 0xb0000000);
	fake_free(&m);
}

TEST(acpi_q35_summary)
{
	struct fake_mem m;
	struct summary s;

	fake_load(&m, acpi_q35_iommu);
	fake_parse(&m, &info);
	summarize(&info, &s);
	CHECK_EQ(s.n, 4);
	CHECK_STR(s.line[0], "acpi: RSDP revision 0, RSDT at 0x1ffe230c, 6 tables");
	CHECK_STR(s.line[1], "acpi: MADT lapic 0xfee00000, 1 cpu, ioapic 0 at 0xfec00000 gsi 0, "
			     "5 overrides, pcat-compat");
	CHECK_STR(s.line[2], "acpi: MCFG ecam 0xb0000000 segment 0 buses 0-255");
	CHECK_STR(s.line[3], "acpi: DMAR haw 39, intr-remap, 1 unit: 0xfed90000 segment 0 6 scopes");
	fake_free(&m);

	fake_load(&m, acpi_q35_plain);
	fake_parse(&m, &info);
	summarize(&info, &s);
	CHECK_EQ(s.n, 4);
	CHECK_STR(s.line[0], "acpi: RSDP revision 0, RSDT at 0x1ffe229c, 5 tables");
	CHECK_STR(s.line[3], "acpi: DMAR absent (no IOMMU)");
	fake_free(&m);
}
