/*
 * misbehave.c — `inject ahci KIND`: the driver fails on request.
 *
 * The kinds that fault the driver itself (components/crashme/faults.h) are
 * done in its own domain.  The DMA kinds make the controller reach memory
 * the driver never pinned for it, which the IOMMU must block and the chipset
 * must charge to this driver:
 *   wild-dma         a READ DMA EXT of two sectors whose second PRD entry
 *                    points at a page of the driver's heap that is not the
 *                    request's buffer and was never pinned;
 *   dma-after-unpin  a read into a page that was pinned and then unpinned.
 * And two ways of going quiet:
 *   irq-hang         the next interrupt method never returns (the
 *                    watchdog's case; a command is issued to provoke it);
 *   hang             the driver stops servicing the device: interrupts are
 *                    ignored and no completion is ever collected, while it
 *                    still answers calls.  Its clients see timeouts.
 * The AHCI controller cannot be made to interrupt without pause, and a
 * device read of unpinned memory would write garbage to the disk, so
 * irq-storm and dma-read are refused (E_INVAL).
 */
#include "components/crashme/faults.h"
#include "drivers/ahci/ata.h"
#include "drivers/ahci/driver.h"

/* Reads sectors 0-1 (non-queued, fire and forget): 512 bytes into the scratch buffer, 512 into `other`. */
static int64_t read_into(struct disk *d, uint64_t other)
{
	int s = slot_claim(d, false);
	if (s < 0)
		return s;
	struct ahci_cmd_table *t = &d->tables[s];
	ata_dma_ext((struct fis_reg_h2d *)t->cfis, false, 0, 2);
	uint64_t scratch = (uint64_t)d->scratch;
	t->prdt[0] = (struct ahci_prd){ (uint32_t)scratch, (uint32_t)(scratch >> 32), 0, 511 };
	t->prdt[1] = (struct ahci_prd){ (uint32_t)other, (uint32_t)(other >> 32), 0, 511 };
	slot_issue(d, s, 2, false);
	return 0;
}

static int64_t device_misbehaves(uint64_t kind)
{
	if (!ndisks)
		return E_NOT_FOUND;
	struct disk *d = &disks[0];
	uint8_t *page = mem_alloc(4096);
	if (!page)
		return E_NOMEM;
	if (kind == CRASH_DMA_AFTER_UNPIN) {
		int64_t err = pci_driver_pin(&pci, page, 4096, DMA_FROM_DEVICE);
		if (err >= 0)
			err = pci_driver_unpin(&pci, page, 4096);
		if (err < 0)
			return err;
	}
	log_printf("ahci: %s: PRD 1 points at 0x%lx, which is not pinned\n", crash_kinds[kind], (uint64_t)page);
	int64_t err = read_into(d, (uint64_t)page);
	if (err < 0)
		return err;
	/* The fault is charged asynchronously, by the chipset's interrupt: give it a moment. */
	sleep_ns(200 * MS);
	return 1;
}

int64_t misbehave(uint64_t kind)
{
	switch (kind) {
	case CRASH_WILD_DMA:
	case CRASH_DMA_AFTER_UNPIN:
		return device_misbehaves(kind);
	case CRASH_HANG:
		hung = true;
		log_printf("ahci: no longer servicing the device (inject hang)\n");
		return 1;
	case CRASH_IRQ_HANG:
		irq_hang = true;
		/* Something must interrupt: a read of the first sectors into the scratch buffer. */
		if (ndisks)
			read_into(&disks[0], (uint64_t)disks[0].scratch + 512);
		return 1;
	case CRASH_DMA_READ:
	case CRASH_IRQ_STORM:
		return E_INVAL;
	default:
		return inject_fault(kind);
	}
}
