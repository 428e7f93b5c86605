/*
 * quiesce.c — device-specific stopping, for devices whose DMA does not end
 * with bus mastering (DESIGN.md "Recovery", step 2).
 *
 * An AHCI HBA is one: QEMU maps a running port's command list and received-
 * FIS area once, when the driver sets PxCMD.ST and FRE, and keeps writing
 * completions through those host pointers whatever the IOMMU or the PCI
 * command register say afterwards (../shared/reference/qemu-vtd.md §5).  A
 * driver that crashed with commands in flight would have its old command
 * list and FIS area written after its pins were dropped and its frames
 * handed out again.  The HBA reset (AHCI 1.3.1 §10.4.3: GHC.HR) stops every
 * port and, in QEMU, cancels the DMA they have in flight, so the chipset
 * does it for every AHCI function (class 01h, subclass 06h, interface 01h)
 * whose driver stopped, before anything else.  The function keeps its
 * configuration; the next driver instance takes it over from there.
 */
#include "components/chipset/quiesce.h"

#include <pinfold/kcall.h>

#define AHCI_ABAR        5
#define AHCI_GHC         0x04
#define AHCI_GHC_HR      (1u << 0)
#define AHCI_GHC_AE      (1u << 31)
#define MAPPED_MAX       4
#define RESET_TIMEOUT_NS (1000 * 1000000ull)

/* ABARs mapped into the chipset so far: a mapping is never taken back, so it is made once. */
static struct {
	uint16_t bdf;
	volatile uint8_t *regs;
} mapped[MAPPED_MAX];
static unsigned nmapped;

static bool is_ahci(const struct pci_function *f)
{
	return f->class_code == 0x01 && f->subclass == 0x06 && f->prog_if == 0x01 &&
	       f->bar[AHCI_ABAR].present && !f->bar[AHCI_ABAR].io;
}

static volatile uint8_t *abar(unsigned self, const struct pci_function *f)
{
	for (unsigned i = 0; i < nmapped; i++)
		if (mapped[i].bdf == f->bdf)
			return mapped[i].regs;
	uint64_t va;
	if (nmapped == MAPPED_MAX || device_map(self, f->bar[AHCI_ABAR].base, 4096, &va) < 0)
		return NULL;
	mapped[nmapped].bdf = f->bdf;
	mapped[nmapped].regs = (volatile uint8_t *)va;
	return mapped[nmapped++].regs;
}

int quiesce_function(unsigned self, const struct pci_function *f)
{
	if (!is_ahci(f))
		return 0;
	volatile uint8_t *regs = abar(self, f);
	if (!regs)
		return E_NOMEM;
	volatile uint32_t *ghc = (volatile uint32_t *)(regs + AHCI_GHC);
	*ghc = AHCI_GHC_AE | AHCI_GHC_HR;
	uint64_t until = clock_ns() + RESET_TIMEOUT_NS;
	while (*ghc & AHCI_GHC_HR)
		if (clock_ns() > until)
			return E_TIMEOUT;
	return 0;
}
