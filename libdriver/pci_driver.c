/*
 * pci_driver.c — the chipset calls a PCI driver makes (see pci_driver.h).
 */
#include "libdriver/pci_driver.h"

#include "chipset_client.h"

#define PAGE_SIZE 4096ull

int64_t pci_driver_claim(struct pci_driver *d, uint64_t vendor_device)
{
	int64_t cap = cap_lookup("chipset");
	if (cap < 0)
		return cap;
	uint64_t bdf;
	int64_t err = chipset_claim((cap_t)cap, vendor_device, &bdf);
	if (err < 0)
		return err;
	d->chipset = (cap_t)cap;
	d->bdf = (uint16_t)bdf;
	d->msi_line = 0;
	return 0;
}

int64_t pci_driver_map_bar(struct pci_driver *d, unsigned bar, struct mmio *regs)
{
	uint64_t va, size;
	int64_t err = chipset_map_bar(d->chipset, bar, &va, &size);
	if (err < 0)
		return err;
	regs->base = (volatile uint8_t *)va;
	regs->size = size;
	return 0;
}

int64_t pci_driver_bind_msi(struct pci_driver *d)
{
	return chipset_bind_msi(d->chipset, &d->msi_line);
}

int64_t pci_driver_bus_master(struct pci_driver *d, bool on)
{
	return chipset_bus_master(d->chipset, on);
}

int64_t pci_driver_pin(struct pci_driver *d, void *va, uint64_t len, enum dma_direction dir)
{
	uint64_t pages;
	return chipset_pin(d->chipset, (uint64_t)va, len, dir == DMA_FROM_DEVICE, &pages);
}

int64_t pci_driver_unpin(struct pci_driver *d, void *va, uint64_t len)
{
	uint64_t pages;
	return chipset_unpin(d->chipset, (uint64_t)va, len, &pages);
}

int64_t dma_buffer_alloc(struct pci_driver *d, uint64_t len, enum dma_direction dir,
			 struct dma_buffer *b)
{
	if (len == 0 || len > (1ull << 40))
		return E_INVAL;
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	void *va = mem_alloc(len);          /* whole pages, page-aligned */
	if (!va)
		return E_NOMEM;
	int64_t err = pci_driver_pin(d, va, len, dir);
	if (err < 0) {
		mem_free(va);
		return err;
	}
	b->va = va;
	b->len = len;
	return 0;
}

int64_t dma_buffer_free(struct pci_driver *d, struct dma_buffer *b)
{
	int64_t err = pci_driver_unpin(d, b->va, b->len);
	if (err < 0)
		return err;         /* still pinned: freeing it would not make it unreachable */
	mem_free(b->va);
	b->va = NULL;
	b->len = 0;
	return 0;
}
