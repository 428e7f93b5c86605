/*
 * quiesce.c — device-specific stopping, for devices whose DMA does not end
 * with bus mastering (DESIGN.md "Recovery", step 2).
 *
 * An AHCI HBA is one: QEMU maps a running port's command list and received-
 * FIS area once, when the driver sets PxCMD.ST and FRE, and writes through
 * those host pointers whatever the IOMMU or the PCI command register say
 * afterwards (../shared/reference/qemu-vtd.md §5).  A driver that crashed
 * with commands in flight would have its old command list and FIS area
 * written after its pins were dropped and its frames handed out again.  So
 * for every AHCI function (class 01h, subclass 06h, interface 01h) whose
 * driver stopped, before anything else:
 *
 *   1. every port is stopped (AHCI 1.3.1 §10.1.2 step 3: ST, then FRE):
 *      QEMU then writes no FIS and fetches no command, and the data of the
 *      queued (NCQ) commands still in flight goes nowhere once bus
 *      mastering is off;
 *   2. if a port still has a command in PxCI (a non-queued command being
 *      executed, whose completion QEMU writes into the command header
 *      through its old pointer), the HBA is reset (§10.4.3), which cancels it.
 *
 * The reset is not done always because QEMU performs it synchronously and
 * waits for every request in flight to finish first: with slow I/O it can
 * outlast the kernel's budget for driver_stopped (seen: 2.5 s with eleven
 * requests throttled to four a second).  One non-queued command is quick;
 * the restarted driver resets the HBA itself, before it turns bus mastering
 * back on, which cancels whatever queued commands are left.
 */
#include "components/chipset/quiesce.h"

#include <pinfold/kcall.h>

#define AHCI_ABAR        5
#define AHCI_GHC         0x04
#define AHCI_GHC_HR      (1u << 0)
#define AHCI_GHC_AE      (1u << 31)
#define AHCI_PI          0x0c
#define AHCI_PORT(p)     (0x100u + 0x80u * (p))
#define AHCI_PX_CMD      0x18
#define AHCI_PX_CI       0x38
#define AHCI_CMD_ST      (1u << 0)
#define AHCI_CMD_FRE     (1u << 4)
#define AHCI_CMD_FR      (1u << 14)
#define AHCI_CMD_CR      (1u << 15)
#define ABAR_MAPPED      4096u          /* ports 0-29 */
#define MAPPED_MAX       4
#define MS               1000000ull

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
	if (nmapped == MAPPED_MAX || device_map(self, f->bar[AHCI_ABAR].base, ABAR_MAPPED, &va) < 0)
		return NULL;
	mapped[nmapped].bdf = f->bdf;
	mapped[nmapped].regs = (volatile uint8_t *)va;
	return mapped[nmapped++].regs;
}

/* Clears `bit` of *reg and waits until `busy` reads 0, or the deadline passes. */
static bool clear_and_wait(volatile uint32_t *reg, uint32_t bit, uint32_t busy, uint64_t deadline)
{
	if (*reg & bit)
		*reg &= ~bit;
	while (*reg & busy)
		if (clock_ns() > deadline)
			return false;
	return true;
}

int quiesce_function(unsigned self, const struct pci_function *f)
{
	if (!is_ahci(f))
		return 0;
	volatile uint8_t *regs = abar(self, f);
	if (!regs)
		return E_NOMEM;
	uint64_t deadline = clock_ns() + 500 * MS;
	uint32_t pi = *(volatile uint32_t *)(regs + AHCI_PI);
	bool executing = false, stopped = true;
	for (unsigned p = 0; p < 32 && AHCI_PORT(p) + 0x80 <= ABAR_MAPPED; p++) {
		if (!(pi & (1u << p)))
			continue;
		volatile uint32_t *cmd = (volatile uint32_t *)(regs + AHCI_PORT(p) + AHCI_PX_CMD);
		stopped = clear_and_wait(cmd, AHCI_CMD_ST, AHCI_CMD_CR, deadline) && stopped;
		stopped = clear_and_wait(cmd, AHCI_CMD_FRE, AHCI_CMD_FR, deadline) && stopped;
		executing |= *(volatile uint32_t *)(regs + AHCI_PORT(p) + AHCI_PX_CI) != 0;
	}
	if (!executing && stopped)
		return 0;
	volatile uint32_t *ghc = (volatile uint32_t *)(regs + AHCI_GHC);
	*ghc = AHCI_GHC_AE | AHCI_GHC_HR;
	deadline = clock_ns() + 300 * MS;
	while (*ghc & AHCI_GHC_HR)
		if (clock_ns() > deadline)
			return E_TIMEOUT;
	return 0;
}
