/*
 * vtd.c — encoders and decoders for VT-d registers and tables (see vtd.h).
 *
 * Every function builds or reads a value and nothing else, so the bit
 * positions are checked on the host against the specification and against
 * values read from QEMU 7.2's model.  Encoders that take an address refuse
 * one that would spill into reserved bits rather than masking it: a
 * reserved bit set in a root or context entry is itself a fault (reasons
 * 0xA and 0xB), and a silently truncated address would point the IOMMU at
 * the wrong table.
 */
#include "components/chipset/vtd.h"

#include <stddef.h>
#include <string.h>

#include <pinfold/errors.h>

#define PAGE_MASK 0xfffull

_Static_assert((~VTD_GSTS_ONE_SHOT) == 0x96ffffffu, "the one-shot GSTS bits are RTPS, FLS, WBFS and IRTPS");

void vtd_entry_store(volatile struct vtd_entry *slot, struct vtd_entry entry)
{
	slot->hi = entry.hi;
	slot->lo = entry.lo;
}

void vtd_entry_clear(volatile struct vtd_entry *slot)
{
	slot->lo = 0;
	slot->hi = 0;
}

static unsigned field(uint64_t value, unsigned shift, unsigned bits)
{
	return (unsigned)((value >> shift) & ((1ull << bits) - 1));
}

static unsigned max3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a > b ? a : b;
	return m > c ? m : c;
}

int vtd_caps_decode(uint64_t cap, uint64_t ecap, struct vtd_caps *caps)
{
	memset(caps, 0, sizeof *caps);

	/* Capability register (10.4.2). */
	unsigned nd = field(cap, 0, 3);
	caps->domain_bits = nd >= 6 ? 16 : 4 + 2 * nd;      /* ND=7 is reserved */
	caps->rwbf = field(cap, 4, 1);
	caps->cm = field(cap, 7, 1);
	caps->sagaw = field(cap, 8, 5);
	caps->mgaw = field(cap, 16, 6) + 1;
	caps->fro = field(cap, 24, 10) * 16;
	caps->psi = field(cap, 39, 1);
	caps->nfr = field(cap, 40, 8) + 1;
	caps->mamv = field(cap, 48, 6);
	caps->dwd = field(cap, 54, 1);
	caps->drd = field(cap, 55, 1);

	/* Extended capability register (10.4.3). */
	caps->c = field(ecap, 0, 1);
	caps->qi = field(ecap, 1, 1);
	caps->ir = field(ecap, 3, 1);
	caps->eim = field(ecap, 4, 1);
	caps->pt = field(ecap, 6, 1);
	caps->sc = field(ecap, 7, 1);
	caps->iro = field(ecap, 8, 10) * 16;

	caps->reg_span = max3(VTD_REG_IRTA + 8, caps->iro + 16, caps->fro + 16 * caps->nfr);

	/*
	 * Three levels when possible: that is QEMU's default (aw-bits=39), and
	 * a context entry whose AW the unit does not list in SAGAW faults with
	 * reason 3.  AW n means 30 + 9n bits, n + 2 levels (VT-d 9.3).
	 */
	if (caps->sagaw & (1u << 1)) {
		caps->levels = 3;
		caps->context_aw = 1;
	} else if (caps->sagaw & (1u << 2)) {
		caps->levels = 4;
		caps->context_aw = 2;
	} else {
		return E_INVAL;
	}
	unsigned reach = 12 + 9 * (unsigned)caps->levels;
	caps->iova_bits = reach < caps->mgaw ? reach : caps->mgaw;
	if (!caps->iro || !caps->fro)
		return E_INVAL;
	return 0;
}

uint32_t vtd_gcmd_value(uint32_t gsts, uint32_t set_bit)
{
	return (gsts & ~VTD_GSTS_ONE_SHOT) | set_bit;
}

uint32_t vtd_gcmd_value_without(uint32_t gsts, uint32_t clear_bit)
{
	return gsts & ~VTD_GSTS_ONE_SHOT & ~clear_bit;
}

/* VT-d 9.1: lo = context-table pointer 63:12 | P; bits 11:1 and all of hi reserved. */
int vtd_root_entry(uint64_t context_table_phys, struct vtd_entry *out)
{
	out->lo = out->hi = 0;
	if (context_table_phys & PAGE_MASK)
		return E_INVAL;
	out->lo = context_table_phys | 1;
	return 0;
}

/*
 * VT-d 9.3: lo = SLPTPTR 63:12 | TT 3:2 | FPD 1 | P 0, bits 11:4 reserved;
 * hi = DID 23:8 | AW 2:0, bit 7 and 63:24 reserved, 6:3 ignored.
 */
int vtd_context_entry(uint64_t slpt_phys, unsigned aw, uint16_t did, struct vtd_entry *out)
{
	out->lo = out->hi = 0;
	if ((slpt_phys & PAGE_MASK) || aw > 3)
		return E_INVAL;
	out->lo = slpt_phys | 1;
	out->hi = (uint64_t)did << 8 | aw;
	return 0;
}

uint64_t vtd_ccmd_global(void)
{
	return VTD_CCMD_ICC | 1ull << VTD_CCMD_CIRG_SHIFT;
}

/* QEMU performs a domain-selective request as a global one (CAIG reads back 1). */
uint64_t vtd_ccmd_domain(uint16_t did)
{
	return VTD_CCMD_ICC | 2ull << VTD_CCMD_CIRG_SHIFT | did;
}

uint64_t vtd_ccmd_device(uint16_t did, uint16_t sid, unsigned fm)
{
	return VTD_CCMD_ICC | 3ull << VTD_CCMD_CIRG_SHIFT | (uint64_t)(fm & 3) << VTD_CCMD_FM_SHIFT |
	       (uint64_t)sid << VTD_CCMD_SID_SHIFT | did;
}

static uint64_t drain(const struct vtd_caps *caps)
{
	return (caps->drd ? VTD_IOTLB_DR : 0) | (caps->dwd ? VTD_IOTLB_DW : 0);
}

uint64_t vtd_iotlb_global(const struct vtd_caps *caps)
{
	return VTD_IOTLB_IVT | 1ull << VTD_IOTLB_IIRG_SHIFT | drain(caps);
}

uint64_t vtd_iotlb_domain(const struct vtd_caps *caps, uint16_t did)
{
	return VTD_IOTLB_IVT | 2ull << VTD_IOTLB_IIRG_SHIFT | drain(caps) |
	       (uint64_t)did << VTD_IOTLB_DID_SHIFT;
}

uint64_t vtd_iotlb_page(const struct vtd_caps *caps, uint16_t did, uint64_t iova, unsigned am,
			uint64_t *iva)
{
	if (!caps->psi || am > caps->mamv) {
		*iva = 0;
		return vtd_iotlb_domain(caps, did);
	}
	/* The address must be aligned to the 2^am pages it names (10.4.8.2). */
	*iva = (iova & ~((4096ull << am) - 1)) | am;
	return VTD_IOTLB_IVT | 3ull << VTD_IOTLB_IIRG_SHIFT | drain(caps) |
	       (uint64_t)did << VTD_IOTLB_DID_SHIFT;
}

unsigned vtd_iotlb_am(uint64_t iova, uint64_t pages)
{
	uint64_t first = iova >> 12, last = first + (pages ? pages - 1 : 0);
	unsigned am = 0;

	while (am < 52 && (first >> am) != (last >> am))
		am++;
	return am;
}

int vtd_iqa(uint64_t queue_phys, uint64_t *iqa)
{
	*iqa = 0;
	if (queue_phys & PAGE_MASK)
		return E_INVAL;
	*iqa = queue_phys;      /* DW (bit 11) = 0: 128-bit descriptors; QS (2:0) = 0: one page */
	return 0;
}

/* Descriptor types (6.5.2, bits 3:0 of the low qword). */
#define QI_CONTEXT      1
#define QI_IOTLB        2
#define QI_IEC          4
#define QI_WAIT         5

/* 6.5.2.1: G 5:4 (1 global, 2 domain, 3 device) | DID 31:16 | SID 47:32 | FM 49:48; hi reserved. */
struct vtd_entry vtd_qi_context(uint64_t ccmd)
{
	uint64_t g = (ccmd >> VTD_CCMD_CIRG_SHIFT) & 3, did = ccmd & 0xffff;
	uint64_t sid = (ccmd >> VTD_CCMD_SID_SHIFT) & 0xffff, fm = (ccmd >> VTD_CCMD_FM_SHIFT) & 3;
	return (struct vtd_entry){ QI_CONTEXT | g << 4 | did << 16 | sid << 32 | fm << 48, 0 };
}

/* 6.5.2.3: G 5:4 (1 global, 2 domain, 3 page) | DW 6 | DR 7 | DID 31:16; hi = ADDR 63:12 | IH 6 | AM 5:0. */
struct vtd_entry vtd_qi_iotlb(uint64_t cmd, uint64_t iva)
{
	uint64_t g = (cmd >> VTD_IOTLB_IIRG_SHIFT) & 3, did = (cmd >> VTD_IOTLB_DID_SHIFT) & 0xffff;
	uint64_t dw = (cmd & VTD_IOTLB_DW) ? 1u << 6 : 0, dr = (cmd & VTD_IOTLB_DR) ? 1u << 7 : 0;
	return (struct vtd_entry){ QI_IOTLB | g << 4 | dw | dr | did << 16, g == 3 ? iva : 0 };
}

/* 6.5.2.7: G 4 (0 global, 1 index-selective) | IM 31:27 (index mask, 2^IM entries) | IIDX 47:32. */
struct vtd_entry vtd_qi_iec_global(void)
{
	return (struct vtd_entry){ QI_IEC, 0 };
}

struct vtd_entry vtd_qi_iec_index(uint16_t index)
{
	return (struct vtd_entry){ QI_IEC | 1u << 4 | (uint64_t)index << 32, 0 };
}

/* 6.5.2.8: IF 4 | SW 5 | FN 6 | status data 63:32; hi = status address 63:2. */
int vtd_qi_wait(uint32_t data, uint64_t status_phys, struct vtd_entry *out)
{
	*out = (struct vtd_entry){ 0, 0 };
	if (status_phys & 3)
		return E_INVAL;
	*out = (struct vtd_entry){ QI_WAIT | 1u << 5 | (uint64_t)data << 32, status_phys };
	return 0;
}

/* VT-d 9.9 / 10.4.14: lo = FI 63:12 (an interrupt fault: index 63:48); hi = F 63 | T 62 | PV 59:40 | FR 39:32 | PP 31 | SID 15:0. */
bool vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *f)
{
	memset(f, 0, sizeof *f);
	f->valid = field(hi, 63, 1);
	f->is_read = field(hi, 62, 1);
	f->reason = (uint8_t)field(hi, 32, 8);
	f->sid = (uint16_t)field(hi, 0, 16);
	f->has_pasid = field(hi, 31, 1);
	if (f->has_pasid)
		f->pasid = field(hi, 40, 20);
	/* For an interrupt-remapping fault FI holds the interrupt index in bits 63:48 and
	 * zeros below (10.4.14): there is no page. */
	f->interrupt = f->reason >= VTD_FR_IR_FIRST && f->reason <= VTD_FR_IR_LAST;
	if (f->interrupt)
		f->index = (uint16_t)(lo >> 48);
	else
		f->address = lo & ~PAGE_MASK;
	return f->valid;
}

/*
 * VT-d 9.10, Interrupt Remapping Table Entry for remapped interrupts:
 *   lo: DST 63:32 | reserved 31:24 | vector 23:16 | IM 15 | reserved 14:12 |
 *       available 11:8 | DLM 7:5 | TM 4 | RH 3 | DM 2 | FPD 1 | P 0
 *   hi: reserved 63:20 | SVT 19:18 | SQ 17:16 | SID 15:0
 * In xAPIC mode (EIME=0) the 8-bit APIC id is DST bits 15:8, that is lo
 * bits 47:40, and the rest of DST is reserved.  QEMU checks the reserved
 * bits and drops (does not fault) an interrupt whose entry sets one.
 */
#define IRTE_P          (1ull << 0)
#define IRTE_FPD        (1ull << 1)
#define IRTE_DM         (1ull << 2)
#define IRTE_RH         (1ull << 3)
#define IRTE_TM         (1ull << 4)
#define IRTE_DLM_SHIFT  5
#define IRTE_VECTOR_SHIFT 16
#define IRTE_XAPIC_DEST_SHIFT 40
#define IRTE_SQ_SHIFT   16
#define IRTE_SVT_SHIFT  18

int vtd_irte_encode(const struct vtd_irte_spec *spec, struct vtd_entry *out)
{
	out->lo = out->hi = 0;
	if (spec->vector < 32 || (spec->delivery != VTD_DELIVERY_FIXED && spec->delivery != VTD_DELIVERY_LOWEST) ||
	    spec->svt > VTD_SVT_BUS || spec->sq > 3)
		return E_INVAL;
	out->lo = IRTE_P | (spec->no_faults ? IRTE_FPD : 0) | (spec->logical ? IRTE_DM : 0) |
		  (spec->redirection_hint ? IRTE_RH : 0) | (spec->level ? IRTE_TM : 0) |
		  (uint64_t)spec->delivery << IRTE_DLM_SHIFT | (uint64_t)spec->vector << IRTE_VECTOR_SHIFT |
		  (uint64_t)spec->apic_id << IRTE_XAPIC_DEST_SHIFT;
	out->hi = (uint64_t)spec->svt << IRTE_SVT_SHIFT | (uint64_t)spec->sq << IRTE_SQ_SHIFT | spec->sid;
	return 0;
}

bool vtd_irte_decode(struct vtd_entry e, struct vtd_irte_spec *spec)
{
	*spec = (struct vtd_irte_spec){
		.vector = (uint8_t)field(e.lo, IRTE_VECTOR_SHIFT, 8),
		.apic_id = (uint8_t)field(e.lo, IRTE_XAPIC_DEST_SHIFT, 8),
		.logical = e.lo & IRTE_DM, .redirection_hint = e.lo & IRTE_RH, .level = e.lo & IRTE_TM,
		.delivery = (enum vtd_delivery)field(e.lo, IRTE_DLM_SHIFT, 3),
		.no_faults = e.lo & IRTE_FPD,
		.svt = field(e.hi, IRTE_SVT_SHIFT, 2), .sq = field(e.hi, IRTE_SQ_SHIFT, 2),
		.sid = (uint16_t)field(e.hi, 0, 16),
	};
	return e.lo & IRTE_P;
}

int vtd_irta(uint64_t table_phys, unsigned entries, uint64_t *irta)
{
	unsigned log2 = 0;

	*irta = 0;
	while (log2 < 17 && (1u << log2) < entries)
		log2++;
	if ((table_phys & PAGE_MASK) || entries < 2 || entries > 65536 || (1u << log2) != entries)
		return E_INVAL;
	*irta = table_phys | (log2 - 1);
	return 0;
}

/*
 * VT-d 5.1.5.1: index[14:0] 63:49 | format=1 48 | reserved 47:17 | mask 16 |
 * TM 15 | remote IRR 14 (read-only) | polarity 13 | delivery status 12
 * (read-only) | index[15] 11 | 000 10:8 | vector 7:0.  QEMU's IOAPIC sends
 * bits 63:48 and 11 as the message address's 19:4 and 2 (hw/intc/ioapic.c,
 * ioapic_entry_parse), which is vtd_msi_remappable_address(index).
 */
uint64_t vtd_ioapic_rte_remappable(uint16_t index, uint8_t vector, bool level, bool active_low)
{
	return (uint64_t)(index & 0x7fff) << 49 | 1ull << 48 | (level ? 1u << 15 : 0) |
	       (active_low ? 1u << 13 : 0) | (uint64_t)(index >> 15) << 11 | vector;
}
