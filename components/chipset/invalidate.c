/*
 * invalidate.c — register-based (VT-d 6.5.1) and queued (6.5.2)
 * invalidation; see invalidate.h.
 *
 * The queue is one page of 256 descriptors.  Each request is written at the
 * tail with a wait descriptor behind it, then IQT moves past both, and the
 * chipset polls the status dword for the wait's sequence number: a request
 * is complete before the next one starts, so the queue never holds more than
 * two descriptors and can never fill.  QEMU runs descriptors synchronously
 * when IQT is written; real hardware takes a little while, hence the poll.
 */
#include "invalidate.h"

#include <pinfold/errors.h>
#include <pinfold/kcall.h>

#define POLL_LIMIT (1u << 26)   /* spins before the unit counts as stuck (seconds under TCG) */

static struct mmio *unit;
static const struct vtd_caps *caps;

/* The queue, when in use (queue != NULL). */
static volatile struct vtd_entry *queue;
static volatile uint32_t *status;
static uint64_t status_phys;
static unsigned tail;                   /* next free descriptor */
static uint32_t sequence;               /* the last wait descriptor's status data */

static __attribute__((noreturn)) void stuck(const char *what)
{
	log_printf("chipset: the IOMMU did not complete %s (FSTS 0x%x): stopping before any frame "
		   "it may still reach is released\n", what, mmio_read32(unit, VTD_REG_FSTS));
	__builtin_trap();
}

/* GCMD: QIE on or off, then wait for GSTS.QIES to agree (10.4.4, 10.4.5). */
static bool set_queue_enable(bool on)
{
	uint32_t gsts = mmio_read32(unit, VTD_REG_GSTS);
	mmio_write32(unit, VTD_REG_GCMD, on ? vtd_gcmd_value(gsts, VTD_GCMD_QIE)
					    : vtd_gcmd_value_without(gsts, VTD_GCMD_QIE));
	for (unsigned spin = 0; spin < POLL_LIMIT; spin++) {
		if (!(mmio_read32(unit, VTD_REG_GSTS) & VTD_GCMD_QIE) == !on)
			return true;
		cpu_relax();
	}
	return false;
}

int invalidate_init(struct mmio *regs, const struct vtd_caps *unit_caps)
{
	unit = regs;
	caps = unit_caps;
	queue = NULL;
	if (!(mmio_read32(unit, VTD_REG_GSTS) & VTD_GCMD_QIE))
		return 0;
	/* A previous instance's queue: disabling needs it empty (IQH = IQT, VT-d 10.4.4 QIE). */
	if (!set_queue_enable(false)) {
		log_printf("chipset: the invalidation queue of my previous instance cannot be stopped "
			   "(IQH 0x%lx, IQT 0x%lx)\n", mmio_read64(unit, VTD_REG_IQH), mmio_read64(unit, VTD_REG_IQT));
		return E_BUSY;
	}
	return 0;
}

bool invalidate_use_queue(void *page, uint64_t page_phys, volatile uint32_t *status_dword, uint64_t status_dword_phys)
{
	uint64_t iqa;
	if (!caps->qi || vtd_iqa(page_phys, &iqa) < 0 || (status_dword_phys & 3))
		return false;
	/* VT-d 6.5.2: IQT = 0 (and so IQH, once enabled), IQA, then QIE. */
	mmio_write64(unit, VTD_REG_IQT, 0);
	mmio_write64(unit, VTD_REG_IQA, iqa);
	if (!set_queue_enable(true))
		return false;
	queue = page;
	status = status_dword;
	status_phys = status_dword_phys;
	tail = 0;
	return true;
}

bool invalidate_queued(void) { return queue != NULL; }

/* Writes `d` and a wait descriptor, moves the tail past them, and waits for the wait. */
static void submit(struct vtd_entry d, const char *what)
{
	struct vtd_entry wait;
	if (++sequence == 0)
		sequence = 1;           /* 0 is what the status dword holds before the unit writes it */
	uint32_t data = sequence;
	vtd_qi_wait(data, status_phys, &wait);
	*status = 0;
	vtd_entry_store(&queue[tail], d);
	vtd_entry_store(&queue[(tail + 1) % VTD_IQ_ENTRIES], wait);
	tail = (tail + 2) % VTD_IQ_ENTRIES;
	mmio_write64(unit, VTD_REG_IQT, (uint64_t)tail << VTD_IQ_SHIFT);
	for (unsigned spin = 0; spin < POLL_LIMIT; spin++) {
		if (*status == data)
			return;
		/* A descriptor the unit refused stops the queue (FSTS.IQE) for good. */
		if (mmio_read32(unit, VTD_REG_FSTS) & VTD_FSTS_IQE)
			break;
		cpu_relax();
	}
	stuck(what);
}

/* A register command: fires on the 8-byte write, done when its busy bit reads 0. */
static void run_register(unsigned offset, uint64_t command, uint64_t busy, const char *what)
{
	mmio_write64(unit, offset, command);
	for (unsigned spin = 0; spin < POLL_LIMIT; spin++) {
		if (!(mmio_read64(unit, offset) & busy))
			return;
		cpu_relax();
	}
	stuck(what);
}

void invalidate_context(uint64_t ccmd)
{
	if (queue)
		submit(vtd_qi_context(ccmd), "a context-cache invalidation");
	else
		run_register(VTD_REG_CCMD, ccmd, VTD_CCMD_ICC, "a context-cache invalidation");
}

void invalidate_iotlb(uint64_t command, uint64_t iva)
{
	if (queue) {
		submit(vtd_qi_iotlb(command, iva), "an IOTLB invalidation");
		return;
	}
	if (iva)
		mmio_write64(unit, caps->iro + VTD_REG_IVA_FROM_IRO, iva);
	run_register(caps->iro + VTD_REG_IOTLB_FROM_IRO, command, VTD_IOTLB_IVT, "an IOTLB invalidation");
}

void invalidate_iec_all(void)
{
	if (queue)
		submit(vtd_qi_iec_global(), "an interrupt entry cache invalidation");
}

void invalidate_iec(uint16_t index)
{
	if (queue)
		submit(vtd_qi_iec_index(index), "an interrupt entry cache invalidation");
}
