/*
 * quiesce.h — stopping a device by what it is, when its driver stops
 * (quiesce.c).
 */
#ifndef PINFOLD_CHIPSET_QUIESCE_H
#define PINFOLD_CHIPSET_QUIESCE_H

#include "components/chipset/pci.h"

/*
 * Stops every DMA of function f that turning bus mastering off would not
 * stop (for now: an AHCI HBA's ports); `self` is the chipset's component id
 * (its BAR mappings are its own).  0 when done or not needed, else an error
 * (the caller goes on).
 */
int quiesce_function(unsigned self, const struct pci_function *f);

#endif
