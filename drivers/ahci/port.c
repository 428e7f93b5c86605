/*
 * port.c — the register sequences that take the HBA over and move a port
 * between stopped, receiving FISes, and running (AHCI 1.3.1 §10).
 *
 * Taking over: the firmware may leave ports running with command lists in
 * its own memory (SeaBIOS leaves port 0, and the CD's port, running:
 * ../shared/reference/qemu-vtd.md §5).  QEMU holds a host pointer to a
 * running port's command list and received-FIS area and writes through it
 * whatever the IOMMU says later, so before anything else every port is
 * stopped (§10.1.2 step 3) and the HBA reset (§10.4.3), which also cancels
 * whatever DMA a port still had going.
 *
 * A restarted driver never meets an old command: the chipset stopped the
 * ports when the old instance stopped (components/chipset/quiesce.c), and
 * PxCI and PxSACT are clear after the HBA reset here (§3.3.14; QEMU 7.2 was
 * seen to clear eleven throttled commands from PxCI, and as many from
 * PxSACT).  In QEMU the reset waits for the requests still in flight.
 *
 * Every wait is bounded; a port that does not answer is given up, not
 * waited for.
 */
#include "drivers/ahci/driver.h"

static bool wait_reg(const struct mmio *regs, unsigned reg, uint32_t mask, uint32_t value, uint64_t timeout_ms)
{
	return mmio_wait32(regs, reg, mask, value, timeout_ms * MS);
}

static void busy_wait_ms(uint64_t ms)
{
	uint64_t until = clock_ns() + ms * MS;
	while (clock_ns() < until)
		__asm__ volatile("pause");
}

/* Clears ST and waits for CR, then clears FRE and waits for FR (§10.1.2 step 3). */
static bool stop_engines(const struct mmio *regs)
{
	bool ok = true;
	uint32_t cmd = mmio_read32(regs, PX_CMD);
	if (cmd & (PXCMD_ST | PXCMD_CR)) {
		mmio_write32(regs, PX_CMD, cmd & ~PXCMD_ST);
		ok = wait_reg(regs, PX_CMD, PXCMD_CR, 0, 500);
	}
	cmd = mmio_read32(regs, PX_CMD);
	if (cmd & (PXCMD_FRE | PXCMD_FR)) {
		mmio_write32(regs, PX_CMD, cmd & ~PXCMD_FRE);
		ok = wait_reg(regs, PX_CMD, PXCMD_FR, 0, 500) && ok;
	}
	return ok;
}

int hba_take_over(void)
{
	hba_w32(HBA_GHC, GHC_AE);       /* §10.1.2 step 1; interrupts stay off */
	uint32_t pi = hba_r32(HBA_PI);
	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
		if (!(pi & (1u << p)))
			continue;
		struct mmio regs;
		if (!mmio_window(&hba, PORT_BASE(p), PORT_SIZE, &regs))
			continue;       /* PI names a port beyond the BAR: not one we can reach */
		uint32_t cmd = mmio_read32(&regs, PX_CMD);
		if (cmd & (PXCMD_ST | PXCMD_CR | PXCMD_FRE | PXCMD_FR))
			log_printf("ahci: port %u was left running (PxCMD 0x%x): stopped\n", p, cmd);
		if (!stop_engines(&regs))
			log_printf("ahci: port %u does not stop; the HBA reset will\n", p);
	}
	hba_w32(HBA_GHC, GHC_AE | GHC_HR);      /* §10.4.3 */
	if (!wait_reg(&hba, HBA_GHC, GHC_HR, 0, 1000)) {
		log_printf("ahci: the HBA did not finish its reset within 1 s\n");
		return E_TIMEOUT;
	}
	hba_w32(HBA_GHC, GHC_AE);       /* the reset may clear AE (§3.1.2) */
	return 0;
}

int port_attach(struct disk *d)
{
	uint64_t list = (uint64_t)d->list, fis = (uint64_t)d->fis;
	port_w32(d, PX_CLB, (uint32_t)list);
	port_w32(d, PX_CLBU, (uint32_t)(list >> 32));
	port_w32(d, PX_FB, (uint32_t)fis);
	port_w32(d, PX_FBU, (uint32_t)(fis >> 32));
	port_w32(d, PX_SERR, ~0u);
	port_w32(d, PX_IS, ~0u);
	port_w32(d, PX_CMD, port_r32(d, PX_CMD) | PXCMD_SUD | PXCMD_POD | PXCMD_FRE);
	if (!wait_reg(&d->regs, PX_CMD, PXCMD_FR, PXCMD_FR, 500))
		return E_TIMEOUT;
	/* The device's first D2H FIS (its signature) ends BSY (§10.3.1). */
	if (!wait_reg(&d->regs, PX_TFD, TFD_STS_BSY | TFD_STS_DRQ, 0, 1000))
		return E_TIMEOUT;
	return 0;
}

void port_detach(struct disk *d)
{
	stop_engines(&d->regs);
}

int port_start(struct disk *d)
{
	port_w32(d, PX_CMD, port_r32(d, PX_CMD) | PXCMD_ST);
	port_w32(d, PX_IS, ~0u);
	return 0;
}

int port_reset(struct disk *d)
{
	/* §10.4.2: COMRESET while DET = 1 for at least 1 ms, with the port stopped. */
	stop_engines(&d->regs);
	uint32_t sctl = port_r32(d, PX_SCTL) & ~SCTL_DET_MASK;
	port_w32(d, PX_SCTL, sctl | SCTL_DET_COMRESET);
	busy_wait_ms(2);
	port_w32(d, PX_SCTL, sctl);
	if (!wait_reg(&d->regs, PX_SSTS, 0xf, SSTS_DET_PRESENT, 1000))
		return E_TIMEOUT;
	port_w32(d, PX_SERR, ~0u);
	return port_attach(d);
}
