/*
 * pci_driver.h — what a PCI driver asks of the chipset, in one place.
 *
 * A driver is untrusted: everything it may do to its device it gets from the
 * trusted chipset component by protected procedure calls (components/chipset/
 * chipset.idl).  This library makes the usual sequence short — claim the
 * device the manifest names, map a BAR, bind the MSI to the interrupt method,
 * allocate DMA buffers pinned at IOVA = VA, enable bus mastering — so that a
 * driver's source is mostly about its device.  It adds no authority: every
 * call is checked by the chipset as if the driver had made it itself.
 *
 * Each function returns 0 or a negative error (pinfold/errors.h), and logs
 * nothing: the driver knows what a failure means for it.
 */
#ifndef LIBDRIVER_PCI_DRIVER_H
#define LIBDRIVER_PCI_DRIVER_H

#include <pinfold/kcall.h>
#include <stdbool.h>
#include <stdint.h>

#include "libdriver/io.h"

struct pci_driver {
	cap_t chipset;
	uint16_t bdf;           /* bus<<8 | device<<3 | function */
	uint64_t msi_line;      /* the kernel's line for the MSI, once bound */
};

/* DMA direction, from the device's side. */
enum dma_direction {
	DMA_TO_DEVICE = 0,      /* the device only reads the buffer */
	DMA_FROM_DEVICE = 1,    /* the device may write it */
};

/* A buffer of whole pages, pinned for the device at IOVA = VA. */
struct dma_buffer {
	void *va;
	uint64_t len;
};

/* Claims the first free device VENDOR<<16|DEVICE that the manifest lets us drive. */
int64_t pci_driver_claim(struct pci_driver *d, uint64_t vendor_device);

/* Maps BAR n of our device, uncached, as a register window. */
int64_t pci_driver_map_bar(struct pci_driver *d, unsigned bar, struct mmio *regs);

/* Our device's MSI runs our interrupt method from now on. */
int64_t pci_driver_bind_msi(struct pci_driver *d);

/* Lets our device master the bus (DMA and MSI writes); refused without an IOMMU. */
int64_t pci_driver_bus_master(struct pci_driver *d, bool on);

/* Pins [va, va+len) (page-aligned) for our device, or unpins exactly that range. */
int64_t pci_driver_pin(struct pci_driver *d, void *va, uint64_t len, enum dma_direction dir);
int64_t pci_driver_unpin(struct pci_driver *d, void *va, uint64_t len);

/* Allocates len bytes (rounded up to pages) from our heap and pins them. */
int64_t dma_buffer_alloc(struct pci_driver *d, uint64_t len, enum dma_direction dir,
			 struct dma_buffer *b);

/* Unpins (the device can no longer reach it when this returns), then frees. */
int64_t dma_buffer_free(struct pci_driver *d, struct dma_buffer *b);

#endif
