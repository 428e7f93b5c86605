/*
 * test_vtd.c — VT-d encoders and decoders (components/chipset/vtd.c).
 *
 * Expected values are worked out by hand from the VT-d specification's
 * layouts, or are register contents read from QEMU 7.2's intel-iommu model
 * (the shared reference qemu-vtd.md, sections 1.2, 1.5 and 2.3).
 */
#include "unit.h"

#include <string.h>

#include <pinfold/errors.h>

#include "components/chipset/vtd.h"

#define QEMU_CAP          0x00d2008c22260206ull   /* default options */
#define QEMU_ECAP         0x0000000000f00f4aull
#define QEMU_CAP_AW48     0x00d2008c222f0606ull
#define QEMU_CAP_CM       0x00d2008c22260286ull
#define QEMU_CAP_NO_DMA   0x00d2008c22260006ull   /* dma-translation=off */
#define QEMU_ECAP_NO_IR   0x0000000000000f42ull
#define QEMU_ECAP_EIM     0x0000000000f00f5aull

TEST(vtd_caps_qemu_default)
{
	struct vtd_caps c;
	CHECK_EQ(vtd_caps_decode(QEMU_CAP, QEMU_ECAP, &c), 0);
	CHECK_EQ(c.domain_bits, 16);
	CHECK_EQ(c.sagaw, 0x2);
	CHECK_EQ(c.mgaw, 39);
	CHECK_EQ(c.levels, 3);
	CHECK_EQ(c.context_aw, 1);
	CHECK_EQ(c.iova_bits, 39);
	CHECK_EQ(c.fro, 0x220);
	CHECK_EQ(c.nfr, 1);
	CHECK(c.psi);
	CHECK_EQ(c.mamv, 18);
	CHECK(c.drd);
	CHECK(c.dwd);
	CHECK(!c.rwbf);
	CHECK(!c.cm);
	CHECK_EQ(c.iro, 0xf0);
	CHECK(!c.c);
	CHECK(c.qi);
	CHECK(c.ir);
	CHECK(!c.eim);
	CHECK(c.pt);
	CHECK(!c.sc);
	CHECK_EQ(c.reg_span, 0x230);    /* DMAR_REG_SIZE in QEMU */
}

TEST(vtd_caps_qemu_variants)
{
	struct vtd_caps c;

	/* aw-bits=48 offers 3 and 4 levels: 3 is still chosen, so IOVAs stay below 2^39. */
	CHECK_EQ(vtd_caps_decode(QEMU_CAP_AW48, QEMU_ECAP, &c), 0);
	CHECK_EQ(c.sagaw, 0x6);
	CHECK_EQ(c.mgaw, 48);
	CHECK_EQ(c.levels, 3);
	CHECK_EQ(c.context_aw, 1);
	CHECK_EQ(c.iova_bits, 39);

	CHECK_EQ(vtd_caps_decode(QEMU_CAP_CM, QEMU_ECAP, &c), 0);
	CHECK(c.cm);

	CHECK_EQ(vtd_caps_decode(QEMU_CAP, QEMU_ECAP_NO_IR, &c), 0);
	CHECK(!c.ir);
	CHECK(c.qi);
	CHECK(c.pt);
	CHECK_EQ(c.iro, 0xf0);

	CHECK_EQ(vtd_caps_decode(QEMU_CAP, QEMU_ECAP_EIM, &c), 0);
	CHECK(c.eim);
	CHECK(c.ir);

	/* No SAGAW at all: an interrupt-remapping-only unit cannot remap DMA. */
	CHECK_EQ(vtd_caps_decode(QEMU_CAP_NO_DMA, QEMU_ECAP, &c), E_INVAL);
	CHECK_EQ(c.sagaw, 0);
	CHECK_EQ(c.levels, 0);
	CHECK_EQ(c.fro, 0x220);         /* the rest is still decoded */
}

TEST(vtd_caps_synthetic)
{
	struct vtd_caps c;
	uint64_t fro = 0x22ull << 24, iro = 0x10ull << 8;

	/* 4 levels only (SAGAW bit 2), MGAW 48. */
	CHECK_EQ(vtd_caps_decode(0x4ull << 8 | 47ull << 16 | fro, iro, &c), 0);
	CHECK_EQ(c.levels, 4);
	CHECK_EQ(c.context_aw, 2);
	CHECK_EQ(c.iova_bits, 48);
	CHECK_EQ(c.iro, 0x100);
	CHECK_EQ(c.reg_span, 0x230);

	/* 4-level tables but MGAW 39: the tables reach further than the unit translates. */
	CHECK_EQ(vtd_caps_decode(0x4ull << 8 | 38ull << 16 | fro, iro, &c), 0);
	CHECK_EQ(c.iova_bits, 39);

	/* ND: 4 + 2*ND domain-id bits; RWBF; C; SC; NFR; many records widen the register span. */
	CHECK_EQ(vtd_caps_decode(0x2ull << 8 | 38ull << 16 | fro | 0 | 1 << 4 | 7ull << 40, 0x81 | iro, &c), 0);
	CHECK_EQ(c.domain_bits, 4);
	CHECK(c.rwbf);
	CHECK(c.c);
	CHECK(c.sc);
	CHECK_EQ(c.nfr, 8);
	CHECK_EQ(c.reg_span, 0x220 + 8 * 16);
	CHECK_EQ(vtd_caps_decode(0x2ull << 8 | 2 | fro, iro, &c), 0);
	CHECK_EQ(c.domain_bits, 8);
	CHECK(!c.psi);
	CHECK(!c.drd);
	CHECK(!c.dwd);

	/* Register offsets of 0 would put the IOTLB or the fault records over VER and CAP. */
	CHECK_EQ(vtd_caps_decode(0x2ull << 8 | 38ull << 16, iro, &c), E_INVAL);
	CHECK_EQ(vtd_caps_decode(0x2ull << 8 | 38ull << 16 | fro, 0, &c), E_INVAL);
}

TEST(vtd_gcmd_keeps_states_drops_one_shots)
{
	CHECK_EQ(vtd_gcmd_value(0, VTD_GCMD_SRTP), 0x40000000);
	/* After SRTP, GSTS.RTPS stays set in QEMU; it must not be echoed back. */
	CHECK_EQ(vtd_gcmd_value(0x40000000, VTD_GCMD_TE), 0x80000000);
	CHECK_EQ(vtd_gcmd_value(0xc0000000, VTD_GCMD_SIRTP), 0x81000000);
	CHECK_EQ(vtd_gcmd_value(0xc1000000, VTD_GCMD_IRE), 0x82000000);
	CHECK_EQ(vtd_gcmd_value(0xc3000000, VTD_GCMD_QIE), 0x86000000);
	/* Every one-shot status bit is dropped, every state kept (0x96FFFFFF). */
	CHECK_EQ(vtd_gcmd_value(0xffffffff, 0), 0x96ffffff);
	CHECK_EQ(vtd_gcmd_value_without(0xc3000000, VTD_GCMD_TE), 0x02000000);
	CHECK_EQ(vtd_gcmd_value_without(0x82000000, VTD_GCMD_IRE), 0x80000000);
}

TEST(vtd_root_entry_layout)
{
	struct vtd_entry e;
	CHECK_EQ(vtd_root_entry(0x12345000, &e), 0);
	CHECK_EQ(e.lo, 0x12345001);
	CHECK_EQ(e.hi, 0);
	CHECK_EQ(vtd_root_entry(0x7ffffff000ull, &e), 0);
	CHECK_EQ(e.lo, 0x7ffffff001ull);
	/* Bits 11:1 are reserved (fault 0xA): an unaligned pointer is refused, not truncated. */
	CHECK_EQ(vtd_root_entry(0x12345800, &e), E_INVAL);
	CHECK_EQ(e.lo, 0);
	CHECK_EQ(e.hi, 0);
}

TEST(vtd_context_entry_layout)
{
	struct vtd_entry e;
	struct vtd_caps c;

	CHECK_EQ(vtd_caps_decode(QEMU_CAP, QEMU_ECAP, &c), 0);
	CHECK_EQ(vtd_context_entry(0x7f000, c.context_aw, 5, &e), 0);
	CHECK_EQ(e.lo, 0x7f001);        /* P=1, FPD=0, TT=0 */
	CHECK_EQ(e.hi, 0x501);          /* DID 5 in 23:8, AW 1 */
	CHECK_EQ(vtd_context_entry(0x123456789000ull, 2, 0xffff, &e), 0);
	CHECK_EQ(e.lo, 0x123456789001ull);
	CHECK_EQ(e.hi, 0xffff02);
	/* Reserved: lo 11:4; hi bit 7 and 63:24 (fault 0xB). */
	CHECK_EQ(e.lo & 0xff0, 0);
	CHECK_EQ(e.hi & ~0xffff07ull, 0);
	CHECK_EQ(vtd_context_entry(0x7f080, 1, 1, &e), E_INVAL);
	CHECK_EQ(e.lo, 0);
	CHECK_EQ(vtd_context_entry(0x7f000, 4, 1, &e), E_INVAL);
	CHECK_EQ(e.hi, 0);
}

TEST(vtd_entry_store_and_clear)
{
	struct vtd_entry slot = { 0, 0 }, e = { 0x1001, 0x502 };
	vtd_entry_store(&slot, e);
	CHECK_EQ(slot.lo, 0x1001);
	CHECK_EQ(slot.hi, 0x502);
	vtd_entry_clear(&slot);
	CHECK_EQ(slot.lo, 0);
	CHECK_EQ(slot.hi, 0);
}

TEST(vtd_context_command_words)
{
	CHECK_EQ(vtd_ccmd_global(), 0xa000000000000000ull);
	CHECK_EQ(vtd_ccmd_domain(7), 0xc000000000000007ull);
	CHECK_EQ(vtd_ccmd_device(1, 0x0080, 0), 0xe000000000800001ull);
	CHECK_EQ(vtd_ccmd_device(1, 0x00fa, 3), 0xe000000300fa0001ull);
	/* QEMU reads back a completed global request as 0x2800000000000000: ICC clear, CAIG = CIRG = 1. */
	CHECK_EQ((vtd_ccmd_global() & ~VTD_CCMD_ICC) | 1ull << VTD_CCMD_CAIG_SHIFT, 0x2800000000000000ull);
}

TEST(vtd_iotlb_command_words)
{
	struct vtd_caps c, bare;
	uint64_t iva = 99;

	CHECK_EQ(vtd_caps_decode(QEMU_CAP, QEMU_ECAP, &c), 0);
	CHECK_EQ(vtd_iotlb_global(&c), 0x9003000000000000ull);
	CHECK_EQ(vtd_iotlb_domain(&c, 1), 0xa003000100000000ull);
	CHECK_EQ(vtd_iotlb_page(&c, 1, 0xdead123, 0, &iva), 0xb003000100000000ull);
	CHECK_EQ(iva, 0xdead000);
	/* QEMU's read-backs after completion (IVT clear, IAIG = IIRG): global 0x12.., PSI for DID 1 0x36..01... */
	uint64_t done = ~(VTD_IOTLB_IVT | VTD_IOTLB_DR | VTD_IOTLB_DW);
	CHECK_EQ((vtd_iotlb_global(&c) & done) | 1ull << VTD_IOTLB_IAIG_SHIFT, 0x1200000000000000ull);
	CHECK_EQ((vtd_iotlb_page(&c, 1, 0, 0, &iva) & done) | 3ull << VTD_IOTLB_IAIG_SHIFT,
		 0x3600000100000000ull);

	/* The address is aligned down to the block of 2^am pages; AM sits in 5:0, IH stays 0. */
	CHECK_EQ(vtd_iotlb_page(&c, 2, 0xdead000, 2, &iva), 0xb003000200000000ull);
	CHECK_EQ(iva, 0xdeac002);
	CHECK_EQ(vtd_iotlb_page(&c, 2, 0x7fffe00000ull, 9, &iva), 0xb003000200000000ull);
	CHECK_EQ(iva, 0x7fffe00009ull);
	CHECK_EQ(iva & VTD_IVA_IH, 0);
	CHECK_EQ(vtd_iotlb_page(&c, 2, 0, 18, &iva), 0xb003000200000000ull);
	CHECK_EQ(iva, 18);

	/* Beyond MAMV, or without PSI: domain-selective instead. */
	CHECK_EQ(vtd_iotlb_page(&c, 3, 0x1000, 19, &iva), vtd_iotlb_domain(&c, 3));
	CHECK_EQ(iva, 0);
	memset(&bare, 0, sizeof bare);
	CHECK_EQ(vtd_iotlb_page(&bare, 3, 0x1000, 0, &iva), 0xa000000300000000ull);
	CHECK_EQ(iva, 0);
	/* No draining offered, none asked for. */
	CHECK_EQ(vtd_iotlb_global(&bare), 0x9000000000000000ull);
}

TEST(vtd_iotlb_address_mask)
{
	CHECK_EQ(vtd_iotlb_am(0, 1), 0);
	CHECK_EQ(vtd_iotlb_am(0x5000, 0), 0);
	CHECK_EQ(vtd_iotlb_am(0x2000, 2), 1);
	CHECK_EQ(vtd_iotlb_am(0x1000, 2), 2);      /* pages 1 and 2 share only the block 0-3 */
	CHECK_EQ(vtd_iotlb_am(0x3000, 1), 0);
	CHECK_EQ(vtd_iotlb_am(0, 512), 9);
	CHECK_EQ(vtd_iotlb_am(0, 513), 10);
	CHECK_EQ(vtd_iotlb_am(0x7ffffff000ull, 2), 28);
}

TEST(vtd_fault_records_from_qemu)
{
	struct vtd_fault f;

	/* A write by edu (00:10.0) to the unmapped IOVA 0xdead000; PV holds QEMU's junk 0xffff. */
	CHECK(vtd_fault_decode(0xdead000, 0x80ffff0500000080ull, &f));
	CHECK(f.valid);
	CHECK(!f.is_read);
	CHECK_EQ(f.reason, 5);
	CHECK_EQ(f.sid, 0x0080);
	CHECK_EQ(f.address, 0xdead000);
	CHECK(!f.has_pasid);
	CHECK_EQ(f.pasid, 0);
	CHECK_STR(vtd_fault_reason_text(f.reason), "write to a page not mapped writable");

	CHECK(vtd_fault_decode(0xdead000, 0xc0ffff0600000080ull, &f));
	CHECK(f.is_read);
	CHECK_EQ(f.reason, 6);
	CHECK_EQ(f.sid, 0x0080);
	CHECK_STR(vtd_fault_reason_text(f.reason), "read from a page not mapped readable");

	CHECK(vtd_fault_decode(0, 0xc000000200000080ull, &f));
	CHECK_EQ(f.reason, 2);
	CHECK_STR(vtd_fault_reason_text(f.reason), "context entry not present");
}

TEST(vtd_fault_record_fields)
{
	struct vtd_fault f;

	/* F clear: no fault, though the other fields still decode. */
	CHECK(!vtd_fault_decode(0x1000, 0x00ffff0500000080ull, &f));
	CHECK(!f.valid);
	CHECK_EQ(f.reason, 5);
	/* FI keeps only the page: bits 11:0 are not part of it. */
	vtd_fault_decode(0xfedcba987654321ull, 1ull << 63, &f);
	CHECK_EQ(f.address, 0xfedcba987654000ull);
	/* PV counts only with PP (bit 31). */
	vtd_fault_decode(0, 1ull << 63 | 0x12345ull << 40 | 0x0cull << 32 | 1ull << 31 | 0xfa, &f);
	CHECK(f.has_pasid);
	CHECK_EQ(f.pasid, 0x12345);
	CHECK_EQ(f.reason, 0xc);
	CHECK_EQ(f.sid, 0xfa);
}

TEST(vtd_interrupt_fault_records)
{
	struct vtd_fault f;

	/* VT-d 10.4.14: for reasons 0x20-0x27 FI holds the interrupt index in bits 63:48
	 * (bits 47:12 clear), and no page.  Here entry 0x1234 not present (0x22), from 00:02.0. */
	CHECK(vtd_fault_decode(0x1234ull << 48, 1ull << 63 | 0x22ull << 32 | 0x10, &f));
	CHECK(f.interrupt);
	CHECK_EQ(f.index, 0x1234);
	CHECK_EQ(f.address, 0);
	CHECK_EQ(f.sid, 0x10);
	CHECK_STR(vtd_fault_reason_text(f.reason), "interrupt remapping entry not present");
	/* The range's ends, and one past each: 0x1f and 0x28 are DMA reasons, with a page. */
	CHECK(vtd_fault_decode(7ull << 48, 1ull << 63 | 0x20ull << 32, &f) && f.interrupt && f.index == 7);
	CHECK(vtd_fault_decode(7ull << 48, 1ull << 63 | 0x27ull << 32, &f) && f.interrupt && f.index == 7);
	CHECK(vtd_fault_decode(0x5000, 1ull << 63 | 0x1full << 32, &f) && !f.interrupt && f.address == 0x5000);
	CHECK(vtd_fault_decode(0x5000, 1ull << 63 | 0x28ull << 32, &f) && !f.interrupt && f.address == 0x5000);
	/* A DMA fault never has an index. */
	CHECK(vtd_fault_decode(0xdead000, 0x80ffff0500000080ull, &f) && !f.interrupt && f.index == 0);
}

TEST(vtd_fault_reason_texts)
{
	/* Every reason QEMU 7.2 can raise has its own text. */
	static const unsigned known[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe,
					  0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x58, 0x87 };
	const char *unknown = vtd_fault_reason_text(0xff);
	CHECK_STR(unknown, "unknown fault reason");
	CHECK_STR(vtd_fault_reason_text(0), unknown);
	CHECK_STR(vtd_fault_reason_text(0x1000), unknown);
	for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++) {
		const char *t = vtd_fault_reason_text(known[i]);
		CHECK(t != unknown && strlen(t) > 0);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(t, vtd_fault_reason_text(known[j])) != 0);
	}
	CHECK_STR(vtd_fault_reason_text(1), "root entry not present");
	CHECK_STR(vtd_fault_reason_text(0xe), "translated address in the interrupt range");
}

/* An entry as the chipset makes them: vector to APIC 0, fixed, edge, physical, only from `sid`. */
static struct vtd_irte_spec irte_spec(uint8_t vector, uint16_t sid)
{
	return (struct vtd_irte_spec){ .vector = vector, .svt = VTD_SVT_SID, .sid = sid };
}

TEST(vtd_irte_layout)
{
	struct vtd_entry e;
	struct vtd_irte_spec s = irte_spec(0x42, 0x0080);

	/* Vector 0x42 to APIC 0, only from edu (00:10.0): the entry of QEMU's verified run. */
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, 0x0000000000420001ull);     /* P 0, vector 23:16 */
	CHECK_EQ(e.hi, 0x0000000000040080ull);     /* SVT=1 in 19:18, SQ=0, SID 15:0 */

	/* Each field alone, at its own bits (VT-d 9.10): a field that moves fails here. */
	const uint64_t base_lo = 0x0000000000420001ull;
	s = irte_spec(0x42, 0x0080);
	s.no_faults = true;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, base_lo | 1ull << 1);       /* FPD */
	s = irte_spec(0x42, 0x0080);
	s.logical = true;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, base_lo | 1ull << 2);       /* DM */
	s = irte_spec(0x42, 0x0080);
	s.redirection_hint = true;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, base_lo | 1ull << 3);       /* RH */
	s = irte_spec(0x42, 0x0080);
	s.level = true;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, base_lo | 1ull << 4);       /* TM */
	s = irte_spec(0x42, 0x0080);
	s.delivery = VTD_DELIVERY_LOWEST;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, base_lo | 1ull << 5);       /* DLM 7:5 = 001 */
	s = irte_spec(0x42, 0x0080);
	s.apic_id = 0xa5;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, base_lo | 0xa5ull << 40);   /* xAPIC: DST 15:8, entry bits 47:40 */
	s = irte_spec(0xfe, 0x0080);
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo, 0x0000000000fe0001ull);
	s = irte_spec(0x42, 0xff00);               /* the IOAPIC's source-id under QEMU (DMAR scope ff:00.0) */
	s.sq = 3;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.hi, 0x7ff00ull);                /* SQ 17:16 = 3, SVT 19:18 = 1 */
	s = irte_spec(0x42, 0x0305);               /* buses 3 to 5 */
	s.svt = VTD_SVT_BUS;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.hi, 0x80305ull);
	s.svt = VTD_SVT_NONE;
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.hi, 0x0305ull);

	/* Everything at its largest never reaches a reserved bit, which QEMU checks:
	 * lo 14:12, 31:24, 39:32 and 63:48 (the rest of DST in xAPIC mode), IM (15)
	 * and the software bits 11:8 stay 0; hi 63:20 stays 0. */
	s = (struct vtd_irte_spec){ .vector = 0xff, .apic_id = 0xff, .logical = true, .redirection_hint = true,
				    .level = true, .delivery = VTD_DELIVERY_LOWEST, .no_faults = true,
				    .svt = VTD_SVT_BUS, .sq = 3, .sid = 0xffff };
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	CHECK_EQ(e.lo & 0xffff00ffff00ff00ull, 0);
	CHECK_EQ(e.lo, 0x0000ff0000ff003full);
	CHECK_EQ(e.hi, 0x000000000009ffffull | 3ull << 16);
	CHECK_EQ(e.hi >> 20, 0);
}

/* Field by field: padding between the fields is not part of an entry. */
static bool same_irte(const struct vtd_irte_spec *a, const struct vtd_irte_spec *b)
{
	return a->vector == b->vector && a->apic_id == b->apic_id && a->logical == b->logical &&
	       a->redirection_hint == b->redirection_hint && a->level == b->level &&
	       a->delivery == b->delivery && a->no_faults == b->no_faults && a->svt == b->svt &&
	       a->sq == b->sq && a->sid == b->sid;
}

TEST(vtd_irte_decode_reads_what_encode_wrote)
{
	const struct vtd_irte_spec specs[] = {
		{ .vector = 0x49, .svt = VTD_SVT_SID, .sid = 0x0018 },
		{ .vector = 0x34, .apic_id = 7, .level = true, .svt = VTD_SVT_SID, .sq = 2, .sid = 0xff00 },
		{ .vector = 0xff, .apic_id = 0xff, .logical = true, .redirection_hint = true, .level = true,
		  .delivery = VTD_DELIVERY_LOWEST, .no_faults = true, .svt = VTD_SVT_BUS, .sq = 3, .sid = 0xffff },
	};
	for (unsigned i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		struct vtd_entry e;
		struct vtd_irte_spec back;
		CHECK_EQ(vtd_irte_encode(&specs[i], &e), 0);
		CHECK(vtd_irte_decode(e, &back));
		CHECK(same_irte(&back, &specs[i]));
	}
	struct vtd_irte_spec back;
	CHECK(!vtd_irte_decode((struct vtd_entry){ 0, 0 }, &back));
	/* Decoding reads the hardware's bits, not the encoder's: QEMU's verified entry. */
	CHECK(vtd_irte_decode((struct vtd_entry){ 0x0000000000420001ull, 0x0000000000040080ull }, &back));
	CHECK_EQ(back.vector, 0x42);
	CHECK_EQ(back.sid, 0x0080);
	CHECK_EQ(back.svt, VTD_SVT_SID);
	CHECK(vtd_irte_decode((struct vtd_entry){ 0x0000050000348011ull, 0x80305ull }, &back));
	CHECK_EQ(back.apic_id, 5);
	CHECK(back.level);
	CHECK_EQ(back.svt, VTD_SVT_BUS);
}

TEST(vtd_irte_refuses_what_must_not_reach_the_cpu)
{
	struct vtd_entry e;
	struct vtd_irte_spec s = irte_spec(31, 0x0080);    /* a CPU exception's vector */
	CHECK_EQ(vtd_irte_encode(&s, &e), E_INVAL);
	CHECK_EQ(e.lo, 0);                          /* not present */
	CHECK_EQ(e.hi, 0);
	s = irte_spec(32, 0x0080);
	CHECK_EQ(vtd_irte_encode(&s, &e), 0);
	/* SMI, NMI, INIT and ExtINT reach the CPU whatever the vector says. */
	const unsigned refused[] = { 2, 3, 4, 5, 6, 7 };
	for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		s = irte_spec(0x42, 0x0080);
		s.delivery = (enum vtd_delivery)refused[i];
		CHECK_EQ(vtd_irte_encode(&s, &e), E_INVAL);
		CHECK_EQ(e.lo, 0);
	}
	s = irte_spec(0x42, 0x0080);
	s.svt = 3;                                  /* reserved */
	CHECK_EQ(vtd_irte_encode(&s, &e), E_INVAL);
	s = irte_spec(0x42, 0x0080);
	s.sq = 4;
	CHECK_EQ(vtd_irte_encode(&s, &e), E_INVAL);
}

TEST(vtd_irta_value)
{
	uint64_t v;
	CHECK_EQ(vtd_irta(0x100000, 256, &v), 0);
	CHECK_EQ(v, 0x100007);
	CHECK_EQ(vtd_irta(0x7ffffff000ull, 65536, &v), 0);
	CHECK_EQ(v, 0x7ffffff00full);
	CHECK_EQ(vtd_irta(0x2000, 2, &v), 0);
	CHECK_EQ(v, 0x2000);
	CHECK_EQ(v & VTD_IRTA_EIME, 0);
	CHECK_EQ(vtd_irta(0x2000, 3, &v), E_INVAL);
	CHECK_EQ(v, 0);
	CHECK_EQ(vtd_irta(0x2000, 1, &v), E_INVAL);
	CHECK_EQ(vtd_irta(0x2000, 0, &v), E_INVAL);
	CHECK_EQ(vtd_irta(0x2000, 131072, &v), E_INVAL);
	CHECK_EQ(vtd_irta(0x2800, 256, &v), E_INVAL);
}

TEST(vtd_msi_addresses)
{
	/* Remappable: 0xFEE | index[14:0] 19:5 | 1 in bit 4 | SHV=0 | index[15] in bit 2. */
	CHECK_EQ(vtd_msi_remappable_address(0), 0xfee00010);
	CHECK_EQ(vtd_msi_remappable_address(5), 0xfee000b0);
	CHECK_EQ(vtd_msi_remappable_address(0x7fff), 0xfeeffff0);
	CHECK_EQ(vtd_msi_remappable_address(0x8001), 0xfee00034);
	CHECK_EQ(VTD_MSI_REMAPPABLE_DATA, 0);
	/* Compatibility: destination in 19:12, and bit 4 clear. */
	CHECK_EQ(vtd_msi_compat_address(0), 0xfee00000);
	CHECK_EQ(vtd_msi_compat_address(3), 0xfee03000);
	CHECK_EQ(vtd_msi_compat_address(0xff), 0xfeeff000);
	CHECK_EQ(vtd_msi_compat_data(0x43), 0x43);
}

TEST(vtd_ioapic_rte_remappable_layout)
{
	/* GSI 4 (COM1) through entry 0x84, vector 0x34, edge, active high. */
	CHECK_EQ(vtd_ioapic_rte_remappable(0x84, 0x34, false, false), 0x0109000000000034ull);
	/* Format bit 48 and the index in 63:49 only; mask 16, remote IRR 14, delivery status 12,
	 * delivery mode 10:8 and 47:17 stay 0. */
	CHECK_EQ(vtd_ioapic_rte_remappable(0, 0x30, false, false), 0x0001000000000030ull);
	CHECK_EQ(vtd_ioapic_rte_remappable(0x7fff, 0xff, true, true) & 0x0000ffffffff5f00ull, 0);
	CHECK_EQ(vtd_ioapic_rte_remappable(0, 0x30, true, false), 0x0001000000008030ull);   /* TM 15 */
	CHECK_EQ(vtd_ioapic_rte_remappable(0, 0x30, false, true), 0x0001000000002030ull);   /* polarity 13 */
	CHECK_EQ(vtd_ioapic_rte_remappable(0x8000, 0x30, false, false), 0x0001000000000830ull);  /* index[15] in 11 */
	CHECK_EQ(vtd_ioapic_rte_remappable(0xffff, 0x30, false, false), 0xffff000000000830ull);

	/* The IOAPIC sends RTE bits 63:48 as address bits 19:4 and bit 11 as address bit 2
	 * (QEMU hw/intc/ioapic.c): that must be the remappable MSI address of the same entry. */
	const uint16_t indices[] = { 0, 1, 0x84, 0x97, 0x1234, 0x7fff, 0x8000, 0x8084, 0xffff };
	for (unsigned i = 0; i < sizeof indices / sizeof indices[0]; i++) {
		uint64_t rte = vtd_ioapic_rte_remappable(indices[i], 0x40, false, false);
		uint32_t sent = 0xfee00000u | (uint32_t)(rte >> 48) << 4 | (uint32_t)((rte >> 11) & 1) << 2;
		CHECK_EQ(sent, vtd_msi_remappable_address(indices[i]));
	}
}

TEST(vtd_queued_invalidation_descriptors)
{
	struct vtd_caps caps;
	struct vtd_entry d;
	uint64_t iva, iqa;

	CHECK_EQ(vtd_caps_decode(QEMU_CAP, 0xf00f4aull, &caps), 0);
	/* 6.5.2.1: type 1, G 5:4, DID 31:16, SID 47:32, FM 49:48; hi reserved. */
	d = vtd_qi_context(vtd_ccmd_global());
	CHECK_EQ(d.lo, 0x11);
	CHECK_EQ(d.hi, 0);
	d = vtd_qi_context(vtd_ccmd_device(7, 0x0010, 3));
	CHECK_EQ(d.lo, 1 | 3 << 4 | 7 << 16 | 0x10ull << 32 | 3ull << 48);
	d = vtd_qi_context(vtd_ccmd_domain(0xbeef));
	CHECK_EQ(d.lo, 1 | 2 << 4 | 0xbeefull << 16);
	/* 6.5.2.3: type 2, G 5:4, DW 6, DR 7 (QEMU's CAP has both drains), DID 31:16; hi only for pages. */
	d = vtd_qi_iotlb(vtd_iotlb_global(&caps), 0);
	CHECK_EQ(d.lo, 2 | 1 << 4 | 1 << 6 | 1 << 7);
	CHECK_EQ(d.hi, 0);
	d = vtd_qi_iotlb(vtd_iotlb_domain(&caps, 5), 0);
	CHECK_EQ(d.lo, 2 | 2 << 4 | 1 << 6 | 1 << 7 | 5 << 16);
	uint64_t cmd = vtd_iotlb_page(&caps, 5, 0x40123000, 2, &iva);
	d = vtd_qi_iotlb(cmd, iva);
	CHECK_EQ(d.lo, 2 | 3 << 4 | 1 << 6 | 1 << 7 | 5 << 16);
	CHECK_EQ(d.hi, 0x40120000 | 2);
	/* 6.5.2.7: type 4; G (bit 4) 0 global, 1 one index at 47:32. */
	CHECK_EQ(vtd_qi_iec_global().lo, 4);
	CHECK_EQ(vtd_qi_iec_index(132).lo, 4 | 1 << 4 | 132ull << 32);
	/* 6.5.2.8: type 5 with SW (bit 5) and never IF (bit 4: QEMU 7.2 aborts on both); data 63:32. */
	CHECK_EQ(vtd_qi_wait(0x1234, 0x7000c, &d), 0);
	CHECK_EQ(d.lo, 5 | 1 << 5 | 0x1234ull << 32);
	CHECK_EQ(d.hi, 0x7000c);
	CHECK_EQ(vtd_qi_wait(1, 0x7000e, &d), E_INVAL);
	/* IQA: a 4 KiB-aligned page, QS = 0 (256 descriptors), 128-bit descriptors. */
	CHECK_EQ(vtd_iqa(0x123000, &iqa), 0);
	CHECK_EQ(iqa, 0x123000);
	CHECK_EQ(vtd_iqa(0x123008, &iqa), E_INVAL);
}
