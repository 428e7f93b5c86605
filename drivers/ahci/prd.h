/*
 * prd.h — building a command's physical region descriptor table (AHCI 1.3.1
 * §4.2.3.3) for one data buffer.
 *
 * Each entry describes up to 4 MiB (PRD_MAX_BYTES) of contiguous device
 * addresses, starting at an even address and covering an even number of
 * bytes.  In Pinfold a device address is an IOVA equal to the virtual
 * address, and the IOMMU maps the buffer's pages page by page (the chipset
 * pins each one), so a virtually contiguous buffer is contiguous for the
 * device too: entries need no split at page boundaries, only every 4 MiB.
 * (A system without an IOMMU would have to split at every physical
 * discontinuity instead; that is not this driver's case.)
 *
 * Pure: tested on the host.
 */
#ifndef PINFOLD_AHCI_PRD_H
#define PINFOLD_AHCI_PRD_H

#include <stdint.h>

#include "drivers/ahci/structs.h"

/*
 * Fills prd[0..n) to cover [address, address + len) and returns n; entries
 * beyond n are left alone.  E_INVAL if len is 0 or odd, the address is odd,
 * or the range wraps; E_LIMIT if it needs more than `max` entries.  No
 * entry has its interrupt bit set: the command's completion FIS interrupts.
 */
int prd_build(struct ahci_prd *prd, unsigned max, uint64_t address, uint64_t len);

/* The number of entries prd_build needs for len bytes (len > 0). */
unsigned prd_entries(uint64_t len);

#endif
