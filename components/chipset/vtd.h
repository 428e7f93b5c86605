/*
 * vtd.h — the Intel VT-d remapping unit as data: register offsets and bits,
 * the capability decoder, encoders for root, context and interrupt-remapping
 * entries, invalidation command words, MSI addresses, and the fault-record
 * decoder.
 *
 * Pure: nothing here touches a register.  The chipset reads and writes the
 * registers itself and uses these to build and interpret the values, so
 * every bit position is in one place and tested on the host.  Pinfold uses
 * legacy (not scalable) mode, and queued invalidation where the unit has it
 * (register-based invalidation otherwise).
 *
 * Section numbers are those of the Intel Virtualization Technology for
 * Directed I/O Architecture Specification ("VT-d") revision 3, whose
 * register chapter is 10 (newer revisions number it 11).  Where QEMU 7.2's
 * model differs or is strict, the notes say so (see the shared reference
 * qemu-vtd.md).
 *
 * Access sizes matter: QEMU aborts on an 8-byte access to a 32-bit register.
 * Below, each register is marked (32) or (64).  A 64-bit register may be
 * written as two dwords, low first; for CCMD and IOTLB the command fires on
 * the write of the high dword, which holds ICC/IVT.
 */
#ifndef PINFOLD_CHIPSET_VTD_H
#define PINFOLD_CHIPSET_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "components/chipset/fault_reason.h"

/* Register offsets (VT-d 10.4). */
#define VTD_REG_VER      0x00   /* (32) version, 10.4.1 */
#define VTD_REG_CAP      0x08   /* (64) capability, 10.4.2 */
#define VTD_REG_ECAP     0x10   /* (64) extended capability, 10.4.3 */
#define VTD_REG_GCMD     0x18   /* (32) global command, 10.4.4; write-only */
#define VTD_REG_GSTS     0x1c   /* (32) global status, 10.4.5 */
#define VTD_REG_RTADDR   0x20   /* (64) root table address, 10.4.6 */
#define VTD_REG_CCMD     0x28   /* (64) context command, 10.4.7 */
#define VTD_REG_FSTS     0x34   /* (32) fault status, 10.4.9 */
#define VTD_REG_FECTL    0x38   /* (32) fault event control, 10.4.10 */
#define VTD_REG_FEDATA   0x3c   /* (32) fault event data, 10.4.11 */
#define VTD_REG_FEADDR   0x40   /* (32) fault event address, 10.4.12 */
#define VTD_REG_FEUADDR  0x44   /* (32) fault event upper address, 10.4.13 */
#define VTD_REG_IQH      0x80   /* (64) invalidation queue head */
#define VTD_REG_IQT      0x88   /* (64) invalidation queue tail */
#define VTD_REG_IQA      0x90   /* (64) invalidation queue address */
#define VTD_REG_ICS      0x9c   /* (32) invalidation completion status */
#define VTD_REG_IRTA     0xb8   /* (64) interrupt remapping table address */
/* The IOTLB registers move: IVA (64) at ECAP.IRO*16, IOTLB (64) 8 bytes above (10.4.8). */
#define VTD_REG_IVA_FROM_IRO   0x0
#define VTD_REG_IOTLB_FROM_IRO 0x8
/* Fault recording register n (128 bits, 10.4.14) at CAP.FRO*16 + 16*n. */
#define VTD_FRCD_LO      0x0    /* (64) fault information: the faulting page */
#define VTD_FRCD_HI      0x8    /* (64) source, reason, type, F */
#define VTD_FRCD_F_DWORD 0xc    /* (32) the dword holding F: write VTD_FRCD_F_CLEAR here to free the record */
#define VTD_FRCD_F_CLEAR 0x80000000u

/* Global command / status bits (10.4.4, 10.4.5): GSTS reports in the same position what GCMD asks for. */
#define VTD_GCMD_TE      (1u << 31)   /* translation enable; GSTS.TES */
#define VTD_GCMD_SRTP    (1u << 30)   /* set root table pointer; GSTS.RTPS */
#define VTD_GCMD_SFL     (1u << 29)   /* set fault log; GSTS.FLS */
#define VTD_GCMD_EAFL    (1u << 28)   /* advanced fault logging; GSTS.AFLS */
#define VTD_GCMD_WBF     (1u << 27)   /* write buffer flush; GSTS.WBFS */
#define VTD_GCMD_QIE     (1u << 26)   /* queued invalidation enable; GSTS.QIES */
#define VTD_GCMD_IRE     (1u << 25)   /* interrupt remapping enable; GSTS.IRES */
#define VTD_GCMD_SIRTP   (1u << 24)   /* set interrupt remapping table pointer; GSTS.IRTPS */
#define VTD_GCMD_CFI     (1u << 23)   /* compatibility format interrupts; GSTS.CFIS (ignored by QEMU 7.2) */
/* Status bits that report a one-shot command rather than a state: never echoed back into GCMD. */
#define VTD_GSTS_ONE_SHOT (VTD_GCMD_SRTP | VTD_GCMD_SFL | VTD_GCMD_WBF | VTD_GCMD_SIRTP)

/* Context command (10.4.7). */
#define VTD_CCMD_ICC          (1ull << 63)   /* set to invalidate; reads 0 when done */
#define VTD_CCMD_CIRG_SHIFT   61             /* requested granularity: 1 global, 2 domain, 3 device */
#define VTD_CCMD_CAIG_SHIFT   59             /* granularity actually performed (read-only) */
#define VTD_CCMD_FM_SHIFT     32
#define VTD_CCMD_SID_SHIFT    16

/* IOTLB invalidate (10.4.8.1) and invalidate address (10.4.8.2). */
#define VTD_IOTLB_IVT         (1ull << 63)   /* set to invalidate; reads 0 when done */
#define VTD_IOTLB_IIRG_SHIFT  60             /* requested granularity: 1 global, 2 domain, 3 page */
#define VTD_IOTLB_IAIG_SHIFT  57             /* granularity actually performed (read-only) */
#define VTD_IOTLB_DR          (1ull << 49)   /* drain reads (if CAP.DRD) */
#define VTD_IOTLB_DW          (1ull << 48)   /* drain writes (if CAP.DWD) */
#define VTD_IOTLB_DID_SHIFT   32
#define VTD_IVA_IH            (1ull << 6)    /* invalidation hint: only leaf entries changed */
#define VTD_IVA_AM_MASK       0x3full        /* address mask: 2^AM pages */

/* Fault status (10.4.9) and fault event control (10.4.10). */
#define VTD_FSTS_PFO     (1u << 0)    /* primary fault overflow (write 1 to clear) */
#define VTD_FSTS_PPF     (1u << 1)    /* primary pending fault: some FRCD has F set (read-only) */
#define VTD_FSTS_IQE     (1u << 4)    /* invalidation queue error (write 1 to clear) */
#define VTD_FSTS_FRI(fsts) (((fsts) >> 8) & 0xff)   /* index of the first pending record */
#define VTD_FECTL_IM     (1u << 31)   /* interrupt mask: set at reset */
#define VTD_FECTL_IP     (1u << 30)   /* interrupt pending (read-only) */

/* Interrupt remapping table address (10.4): base 63:12, EIME bit 11, size 3:0 = log2(entries) - 1. */
#define VTD_IRTA_EIME    (1ull << 11)

#define VTD_ROOT_ENTRIES    256   /* one per bus */
#define VTD_CONTEXT_ENTRIES 256   /* one per device/function (bdf & 0xff) */

/* One 128-bit root, context or interrupt-remapping entry, as the hardware reads it from memory. */
struct vtd_entry {
	uint64_t lo, hi;
};
_Static_assert(sizeof(struct vtd_entry) == 16, "VT-d table entries are 128 bits (VT-d 9.1, 9.3, 9.10)");

/*
 * Stores an entry in a live table: the half holding Present (lo) last, so
 * the hardware never sees a present entry with a stale other half; and
 * clears one with Present first.
 */
void vtd_entry_store(volatile struct vtd_entry *slot, struct vtd_entry entry);
void vtd_entry_clear(volatile struct vtd_entry *slot);

/* What the capability registers say, in the form the chipset uses (10.4.2, 10.4.3). */
struct vtd_caps {
	unsigned domain_bits;   /* CAP.ND: domain-ids have 4 + 2*ND bits */
	unsigned sagaw;         /* CAP.SAGAW: bit 1 = 39-bit/3-level, bit 2 = 48-bit/4-level tables */
	unsigned mgaw;          /* CAP.MGAW + 1: widest guest (IO virtual) address, in bits */
	int levels;             /* the second-level table depth chosen: 3 if supported, else 4 */
	unsigned context_aw;    /* the context entry's AW for `levels`: 1 or 2 */
	unsigned iova_bits;     /* IOVAs must be below 2^iova_bits: min(table reach, MGAW) */
	unsigned fro;           /* byte offset of fault recording register 0 (CAP.FRO * 16) */
	unsigned nfr;           /* number of fault recording registers (CAP.NFR + 1) */
	bool psi;               /* page-selective IOTLB invalidation */
	unsigned mamv;          /* largest address mask for page-selective invalidation */
	bool drd, dwd;          /* read and write draining on IOTLB invalidation */
	bool rwbf;              /* write-buffer flush required after table updates */
	bool cm;                /* caching mode: not-present entries may be cached too */
	unsigned iro;           /* byte offset of the IVA register (ECAP.IRO * 16); IOTLB is at iro + 8 */
	bool c;                 /* page walks snoop processor caches (else flush table updates) */
	bool qi;                /* queued invalidation */
	bool ir;                /* interrupt remapping */
	bool eim;               /* extended (x2APIC) interrupt mode */
	bool pt;                /* pass-through translation type */
	bool sc;                /* snoop control */
	unsigned reg_span;      /* bytes of register space up to the last IOTLB or fault register */
};

/*
 * Decodes CAP and ECAP.  Returns 0, or E_INVAL if the unit supports neither
 * 3- nor 4-level tables (it cannot remap DMA) or says its IOTLB or fault
 * registers are at offset 0, over VER and CAP; *caps is filled either way.
 */
int vtd_caps_decode(uint64_t cap, uint64_t ecap, struct vtd_caps *caps);

/*
 * The Global Command value that asks for `bit` (VTD_GCMD_*) while keeping
 * every state that is on: GCMD is write-only, so the current states come
 * from GSTS, less the one-shot status bits (the update sequence of VT-d
 * 10.4.4: GSTS & 0x96FFFFFF, then set or clear one bit).  QEMU acts on TE,
 * QIE and IRE whenever the written bit differs from GSTS, so a GCMD write
 * that forgot TE would turn translation off.
 */
uint32_t vtd_gcmd_value(uint32_t gsts, uint32_t set_bit);
/* The same, turning `clear_bit` off. */
uint32_t vtd_gcmd_value_without(uint32_t gsts, uint32_t clear_bit);

/* Root entry (VT-d 9.1): present, pointing at a 4 KiB-aligned context table.  E_INVAL if unaligned. */
int vtd_root_entry(uint64_t context_table_phys, struct vtd_entry *out);

/*
 * Context entry (VT-d 9.3), legacy mode: present, translation type 0 (walk
 * second-level tables for untranslated requests), faults reported (FPD=0),
 * second-level root `slpt_phys`, address width `aw` (caps.context_aw) and
 * domain `did`.  E_INVAL if slpt_phys is unaligned or aw is not 0-3.
 */
int vtd_context_entry(uint64_t slpt_phys, unsigned aw, uint16_t did, struct vtd_entry *out);

/* Context-cache invalidations for CCMD (10.4.7).  fm masks low function bits of `sid` (0: none, 3: all three). */
uint64_t vtd_ccmd_global(void);
uint64_t vtd_ccmd_domain(uint16_t did);
uint64_t vtd_ccmd_device(uint16_t did, uint16_t sid, unsigned fm);

/*
 * IOTLB invalidations for the IOTLB register (10.4.8.1), with read and
 * write draining when the unit offers them, so that when IVT reads 0 no
 * request translated by the old entries is still in flight.  A
 * context-cache invalidation does not drop IOTLB entries: after changing a
 * context entry, invalidate the IOTLB too.
 */
uint64_t vtd_iotlb_global(const struct vtd_caps *caps);
uint64_t vtd_iotlb_domain(const struct vtd_caps *caps, uint16_t did);
/*
 * Page-selective invalidation of the 2^am pages containing `iova` in domain
 * `did`: returns the IOTLB command and stores in *iva the value to write to
 * the IVA register first (IH=0, so paging-structure caches are dropped too:
 * unmap may have freed tables).  Without PSI, or for am above MAMV, it
 * returns a domain-selective command and *iva = 0.
 */
uint64_t vtd_iotlb_page(const struct vtd_caps *caps, uint16_t did, uint64_t iova, unsigned am,
			uint64_t *iva);
/* The smallest address mask whose aligned block of 2^am pages holds all `pages` pages from `iova`. */
unsigned vtd_iotlb_am(uint64_t iova, uint64_t pages);

/*
 * Queued invalidation (VT-d 6.5.2).  Software writes 128-bit descriptors
 * into a ring in memory and moves the tail register (IQT) past them; the
 * unit works through them from the head (IQH).  An invalidation wait
 * descriptor with Status Write (6.5.2.8) makes the unit store a value in
 * memory once everything before it is done, which software polls for.
 * While QI is on, the CCMD and IOTLB registers must not be used (QEMU
 * ignores them and never clears ICC/IVT: a poll would hang).
 */
#define VTD_IQ_ENTRIES   256    /* IQA.QS = 0: 2^(QS+8) descriptors, one 4 KiB page */
#define VTD_IQ_SHIFT     4      /* IQH/IQT hold the descriptor index in bits 18:4 */
#define VTD_ICS_IWC      1u     /* invalidation wait descriptor complete (for IF; unused) */

/* IQA for a one-page queue at queue_phys (QS = 0, 128-bit descriptors).  E_INVAL if unaligned. */
int vtd_iqa(uint64_t queue_phys, uint64_t *iqa);

/*
 * The descriptor doing what a CCMD (10.4.7) or IOTLB (10.4.8.1, with its
 * IVA value, 10.4.8.2) register command would: the same granularity,
 * domain, source-id, function mask, draining, address and mask, in the
 * layouts of 6.5.2.1 (context-cache) and 6.5.2.3 (IOTLB).  So callers build
 * one command and the chipset sends it whichever way the unit offers.
 */
struct vtd_entry vtd_qi_context(uint64_t ccmd);
struct vtd_entry vtd_qi_iotlb(uint64_t iotlb_cmd, uint64_t iva);

/* Interrupt entry cache invalidation (6.5.2.7): every entry, or entry `index` alone. */
struct vtd_entry vtd_qi_iec_global(void);
struct vtd_entry vtd_qi_iec_index(uint16_t index);

/*
 * Invalidation wait (6.5.2.8) with Status Write: once every descriptor
 * before it is done, the unit writes `data` to the dword at status_phys
 * (4-byte aligned).  Never with Interrupt Flag as well: QEMU 7.2 aborts on
 * SW and IF together (qemu-vtd.md 1.5).  E_INVAL if status_phys is unaligned.
 */
int vtd_qi_wait(uint32_t data, uint64_t status_phys, struct vtd_entry *out);

/* A fault recording register (VT-d 10.4.14; record format 9.9). */
struct vtd_fault {
	uint16_t sid;           /* source-id: bus << 8 | dev << 3 | fn */
	uint8_t reason;         /* FR, see vtd_fault_reason_text */
	bool is_read;           /* T=1: a read (or atomic); T=0: a write */
	uint64_t address;       /* the faulting page (bits 11:0 are not recorded); 0 for an interrupt */
	bool interrupt;         /* an interrupt-remapping fault (reasons 0x20-0x27, VT-d 7.1.3) ... */
	uint16_t index;         /* ... for the interrupt index in FI bits 63:48 (10.4.14) */
	bool valid;             /* F: the record holds a fault */
	bool has_pasid;         /* PP: the request carried a PASID ... */
	uint32_t pasid;         /* ... this one (only then: QEMU leaves junk in PV) */
};

/* Decodes a record from its low and high qwords; returns f->valid. */
#define VTD_FR_IR_FIRST 0x20    /* interrupt-remapping fault reasons: 0x20 to 0x27 (VT-d 7.1.3) */
#define VTD_FR_IR_LAST  0x27
bool vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *f);

/*
 * Interrupt remapping (VT-d 5.1).  With IRE set, the unit takes every
 * interrupt message a device (or the IOAPIC) writes to 0xFEEx_xxxx: one in
 * remappable format names an entry of the interrupt remapping table, whose
 * fields, not the message's, decide what the CPU gets (5.1.4); one in
 * compatibility format is blocked unless GCMD.CFI is set (5.1.2.1) -- but
 * QEMU 7.2 never blocks it (qemu-vtd.md section 4, "Deviations").
 */

/* Delivery modes an entry may name (VT-d 9.10 DLM; Intel SDM vol. 3A 11.11.2): those that deliver a vector. */
enum vtd_delivery {
	VTD_DELIVERY_FIXED = 0,
	VTD_DELIVERY_LOWEST = 1,        /* lowest priority */
	/* 2 SMI, 4 NMI, 5 INIT, 7 ExtINT: refused, they would bypass the vector (and a driver's method) */
};

/* Source validation (VT-d 9.10 SVT): which requester may use an entry. */
#define VTD_SVT_NONE 0                  /* anyone */
#define VTD_SVT_SID  1                  /* requester id == SID, less the function bits SQ says to ignore */
#define VTD_SVT_BUS  2                  /* requester bus in [SID 15:8, SID 7:0] */

/* What one interrupt remapping table entry says. */
struct vtd_irte_spec {
	uint8_t vector;                 /* 32-255: the vectors below are CPU exceptions */
	uint8_t apic_id;                /* the destination, an 8-bit xAPIC id (IRTA.EIME = 0) */
	bool logical;                   /* DM: apic_id is a logical destination */
	bool redirection_hint;          /* RH */
	bool level;                     /* TM: level-triggered; must match the IOAPIC pin's RTE (5.1.5.1) */
	enum vtd_delivery delivery;
	bool no_faults;                 /* FPD: do not record faults for this entry */
	unsigned svt;                   /* VTD_SVT_* */
	unsigned sq;                    /* for SVT=1: 0 compare all of SID, 1-3 ignore SID bit 2, 2:1, 2:0 */
	uint16_t sid;                   /* bus << 8 | dev << 3 | fn, or the bus range for SVT=2 */
};

/*
 * Interrupt Remapping Table Entry for remapped interrupts (VT-d 9.10; how
 * hardware uses it, 5.1.4), present.  E_INVAL for a vector below 32, a
 * delivery mode other than fixed or lowest priority, SVT 3 or SQ above 3;
 * *out is then all zero (not present).
 */
int vtd_irte_encode(const struct vtd_irte_spec *spec, struct vtd_entry *out);

/* Reads an entry back into *spec; returns whether it is present (P). */
bool vtd_irte_decode(struct vtd_entry entry, struct vtd_irte_spec *spec);

/* IRTA for a table of `entries` (a power of two, 2 to 65536) at table_phys, xAPIC mode.  E_INVAL otherwise. */
int vtd_irta(uint64_t table_phys, unsigned entries, uint64_t *irta);

/*
 * MSI in remappable format (VT-d 5.1.2.2, programmed as 5.1.5.2): the
 * address names the remapping table entry `index`, and the data is 0 (no
 * sub-handle: SHV=0).  Address: 0xFEE 31:20 | index[14:0] 19:5 | format=1 4 |
 * SHV 3 | index[15] 2.  (Inline, as the MSI encoders below: the edu driver
 * forges such messages for its msi-spoof fault.)
 */
static inline uint32_t vtd_msi_remappable_address(uint16_t index)
{
	return 0xfee00000u | (uint32_t)(index & 0x7fff) << 5 | 1u << 4 | (uint32_t)(index >> 15) << 2;
}
#define VTD_MSI_REMAPPABLE_DATA 0

/*
 * An IOAPIC redirection table entry in remappable format (VT-d 5.1.5.1),
 * naming entry `index`.  Vector and trigger mode must be the entry's, and
 * the polarity is the pin's.  Mask (bit 16) is left clear: whoever drives
 * the IOAPIC keeps its own mask state.
 */
uint64_t vtd_ioapic_rte_remappable(uint16_t index, uint8_t vector, bool level, bool active_low);

/*
 * MSI in compatibility format (VT-d 5.1.2.1; Intel SDM vol. 3A, "Message
 * Signalled Interrupts"): physical destination `apic_id`, fixed delivery,
 * edge.  Also the format of FEADDR/FEDATA, whose fault interrupts are never
 * remapped.  Address: 0xFEE 31:20 | destination 19:12 | format=0 4 | RH 3 |
 * DM 2; data: trigger 15 | level 14 | delivery mode 10:8 | vector 7:0.
 */
static inline uint32_t vtd_msi_compat_address(uint8_t apic_id)
{
	return 0xfee00000u | (uint32_t)apic_id << 12;
}

static inline uint16_t vtd_msi_compat_data(uint8_t vector)
{
	return vector;
}

#endif
