/*
 * edu.c — a driver for QEMU's "edu" PCI device, untrusted like every driver.
 *
 * Everything it may touch it gets from the chipset component, through the
 * driver library (libdriver/pci_driver.h): its device (claimed by
 * vendor:device; the manifest may pin it to one PCI location, so that one
 * image serves several devices as several components, edu and edu2), BAR 0
 * mapped uncached, bus mastering, an MSI bound to its interrupt method, and
 * pins.  Its two
 * DMA buffers are pages of its own heap, pinned at IOVA = VA: `out` the
 * device may only read, `in` it may write.  Nothing else in memory is
 * reachable by the device, which the inject kinds wild-dma, dma-read and
 * dma-after-unpin demonstrate: the IOMMU blocks the access, the chipset
 * charges the fault to this driver, and the kernel restarts it.  msi-spoof
 * shows what interrupt remapping cannot stop on QEMU 7.2 (README,
 * "Interrupt remapping"): it is counted, and does no harm.
 *
 * Register layout: QEMU docs/specs/edu.txt (see also ../shared/reference/
 * qemu-vtd.md §5).  The device-side buffer is 4 KiB at 0x40000, and a
 * transfer must lie strictly inside it: QEMU 7.2 aborts on a count of 0 or
 * of 4096.  A transfer starts 100 ms of virtual time after its command.
 *
 * Every instance names itself in its log lines by its component name.  An
 * instance whose device is absent still comes up: it says so once and
 * answers every device method with E_NOT_FOUND.
 */
#include <pinfold/kcall.h>
#include <stdio.h>
#include <string.h>

#include "chipset_client.h"
#include "libdriver/pci_driver.h"
#include "components/chipset/irt.h"
#include "components/chipset/vtd.h"
#include "components/crashme/faults.h"
#include "drivers/edu/pinbench.h"
#include "edu_server.h"

#define EDU_IDS          0x123411e8ull
#define EDU_ID           0x00
#define EDU_LIVENESS     0x04
#define EDU_FACTORIAL    0x08
#define EDU_STATUS       0x20
#define EDU_STATUS_BUSY  0x01
#define EDU_STATUS_IRQ   0x80    /* raise an interrupt when the factorial is done */
#define EDU_IRQ_STATUS   0x24
#define EDU_IRQ_RAISE    0x60
#define EDU_IRQ_ACK      0x64
#define EDU_DMA_SRC      0x80
#define EDU_DMA_DST      0x88
#define EDU_DMA_COUNT    0x90
#define EDU_DMA_CMD      0x98
#define DMA_START        0x1
#define DMA_TO_RAM       0x2     /* else RAM to the device */
#define DMA_IRQ          0x4
#define IRQ_DMA_DONE     0x100
#define EDU_BUFFER       0x40000ull
#define EDU_BUFFER_SIZE  4096
#define WILD_DMA_TARGET  0x10a000ull  /* physical: inside the kernel image */
#define WAIT_NS          (2000ull * 1000000)
#define FAULT_CHARGE_NS  (50 * 1000000ull)     /* a blocked DMA is charged asynchronously */
#define SPOOF_VECTOR     DEVICE_VECTOR_LAST      /* the last MSI line's vector: nobody holds it here */
#define COM1_GSI         4                       /* the serial driver's IOAPIC line (ISA IRQ 4) */

static struct pci_driver dev;          /* my device, through the chipset */
static char self[16] = "edu";           /* my component name, for log lines */
static struct mmio regs;                /* BAR 0 */
static uint8_t *out, *in;               /* pinned: out read-only for the device, in writable */
static int64_t done_event = -1;
static volatile uint64_t interrupts;

static uint32_t rd32(unsigned off) { return mmio_read32(&regs, off); }
static void wr32(unsigned off, uint32_t v) { mmio_write32(&regs, off, v); }
static void wr64(unsigned off, uint64_t v) { mmio_write64(&regs, off, v); }
static uint64_t rd64(unsigned off) { return mmio_read64(&regs, off); }

/* My name, as the manifest gives it: edu and edu2 run this one image. */
static void learn_name(unsigned id)
{
	struct component_info info;
	if (kcall(SYS_COMPONENT_INFO, id, (uint64_t)&info, 0, 0).status == 0) {
		memcpy(self, info.name, sizeof self);
		self[sizeof self - 1] = 0;
	}
}

/* Where my manifest says my device is: "at 00:03.0", or "" if it names no location. */
static void manifest_place(unsigned id, char *buf, size_t size)
{
	buf[0] = 0;
	for (unsigned k = 0; k < 256; k++) {
		struct kcall_result r = kernel_info_of(INFO_MANIFEST_PCI, (uint64_t)id << 8 | k);
		if (r.status < 0)
			return;
		if (MANIFEST_PCI_IDS(r.value) == EDU_IDS && (r.value & MANIFEST_PCI_LOCATED)) {
			uint64_t bdf = MANIFEST_PCI_BDF(r.value);
			snprintf(buf, size, " at %02lx:%02lx.%lx", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
			return;
		}
	}
}

int64_t component_init(void)
{
	unsigned id = (unsigned)kernel_info(INFO_COMPONENT_ID);
	learn_name(id);
	int64_t err = pci_driver_claim(&dev, EDU_IDS);
	if (err < 0) {
		char place[24];
		manifest_place(id, place, sizeof place);
		log_printf("%s: no device to drive (no %04llx:%04llx%s: %s)\n", self, EDU_IDS >> 16,
			   EDU_IDS & 0xffff, place, pinfold_strerror(err));
		return 0;       /* nothing to do is not a failure: my methods say E_NOT_FOUND */
	}
	if ((err = pci_driver_map_bar(&dev, 0, &regs)) < 0)
		return err;
	if ((rd32(EDU_ID) & 0xff) != 0xed) {
		log_printf("%s: BAR 0 does not look like an edu device (id 0x%x)\n", self, rd32(EDU_ID));
		return E_NOT_FOUND;
	}
	done_event = event_create();
	if (done_event < 0)
		return done_event;
	if ((err = pci_driver_bind_msi(&dev)) < 0)
		return err;
	if ((err = pci_driver_bus_master(&dev, true)) < 0) {
		log_printf("%s: the chipset refuses DMA (%s): no IOMMU to contain it\n", self,
			   pinfold_strerror(err));
		return 0;
	}
	struct dma_buffer to_device, from_device;
	if ((err = dma_buffer_alloc(&dev, EDU_BUFFER_SIZE, DMA_TO_DEVICE, &to_device)) < 0 ||
	    (err = dma_buffer_alloc(&dev, EDU_BUFFER_SIZE, DMA_FROM_DEVICE, &from_device)) < 0)
		return err;
	out = to_device.va;
	in = from_device.va;
	return 0;
}

int64_t serve_interrupt(uint64_t line)
{
	(void)line;
	if (!regs.base)
		return 0;
	uint32_t status = rd32(EDU_IRQ_STATUS);
	if (!status)
		return 0;       /* the run at bind time, with nothing behind it */
	wr32(EDU_IRQ_ACK, status);
	interrupts++;
	if (done_event >= 0)
		event_signal(done_event);
	return 0;
}

int64_t serve_liveness(uint64_t value, uint64_t *inverse)
{
	if (!regs.base)
		return E_NOT_FOUND;
	wr32(EDU_LIVENESS, (uint32_t)value);
	*inverse = rd32(EDU_LIVENESS);
	return 0;
}

int64_t serve_factorial(uint64_t n, uint64_t *result)
{
	if (!regs.base)
		return E_NOT_FOUND;
	if (n > 12)
		return E_INVAL;         /* 13! does not fit the 32-bit register */
	wr32(EDU_STATUS, 0);
	wr32(EDU_FACTORIAL, (uint32_t)n);
	uint64_t until = clock_ns() + WAIT_NS;
	while (rd32(EDU_STATUS) & EDU_STATUS_BUSY)
		if (clock_ns() > until)
			return E_TIMEOUT;
	*result = rd32(EDU_FACTORIAL);
	return 0;
}

/* Starts one transfer and waits for its completion interrupt (and the busy bit to clear). */
static int64_t transfer(uint64_t src, uint64_t dst, uint64_t len, uint32_t direction)
{
	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_COUNT, len);
	wr64(EDU_DMA_CMD, DMA_START | DMA_IRQ | direction);
	uint64_t until = clock_ns() + WAIT_NS;
	while (rd64(EDU_DMA_CMD) & DMA_START) {
		if (clock_ns() > until)
			return E_TIMEOUT;
		event_wait(done_event, 10 * 1000000ull);
	}
	return 0;
}

int64_t serve_dma(uint64_t len, uint64_t *matched)
{
	if (!regs.base || !out)
		return E_NOT_FOUND;
	if (len == 0 || len >= EDU_BUFFER_SIZE)
		return E_INVAL;
	for (uint64_t i = 0; i < len; i++)
		out[i] = (uint8_t)(i * 7 + 3);
	memset(in, 0, EDU_BUFFER_SIZE);
	int64_t err = transfer((uint64_t)out, EDU_BUFFER, len, 0);
	if (!err)
		err = transfer(EDU_BUFFER, (uint64_t)in, len, DMA_TO_RAM);
	if (err)
		return err;
	uint64_t same = 0;
	for (uint64_t i = 0; i < len; i++)
		same += in[i] == out[i];
	*matched = same;
	return 0;
}

int64_t serve_buffers(uint64_t *out_va, uint64_t *in_va)
{
	if (!out)
		return E_NOT_FOUND;
	*out_va = (uint64_t)out;
	*in_va = (uint64_t)in;
	return 0;
}

/* Whatever a buggy or hostile driver might ask the chipset to pin: the chipset's
 * answer is the result.  A pin granted is undone at once, so probing leaves the
 * driver as it was. */
int64_t serve_try_pin(uint64_t va, uint64_t len, uint64_t write, uint64_t *pages)
{
	if (!regs.base)
		return E_NOT_FOUND;
	int64_t err = chipset_pin(dev.chipset, va, len, write, pages);
	if (err == 0) {
		uint64_t unpinned;
		int64_t undo = chipset_unpin(dev.chipset, va, len, &unpinned);
		if (undo < 0)
			return undo;
	}
	return err;
}

/*
 * msi-spoof: the device writes interrupt messages nobody gave it, by DMA
 * into the interrupt window (0xFEEx_xxxx), which a device reaches whatever
 * its IOMMU domain maps (qemu-vtd.md section 4).
 *   1. Compatibility format (VT-d 5.1.2.1), fixed delivery, SPOOF_VECTOR.
 *      Real hardware blocks it (GCMD.CFI is clear) and records a fault
 *      with edu's source-id; QEMU 7.2 delivers it, and the kernel counts
 *      an interrupt nobody owns.
 *   2. Remappable format naming COM1's entry (IOAPIC line 4).  Real
 *      hardware refuses edu's requester id (the entry accepts only the
 *      IOAPIC's); QEMU 7.2 checks no source for DMA writes, so the serial
 *      driver's interrupt method runs once for nothing, and must not mind.
 * Only device vectors, with fixed delivery: a vector below 32 is a CPU
 * exception, and an NMI, INIT or SMI message reaches the CPU on QEMU 7.2
 * whatever the IOMMU's table says.  The messages are data in the page the
 * device may read, copied into its buffer, then written out 4 bytes each.
 */
static int64_t spoof_interrupts(void)
{
	uint32_t *message = (uint32_t *)out;
	uint8_t apic = (uint8_t)kernel_info(INFO_APIC_ID);
	message[0] = vtd_msi_compat_data(SPOOF_VECTOR);
	message[1] = VTD_MSI_REMAPPABLE_DATA;
	int64_t err = transfer((uint64_t)out, EDU_BUFFER, 8, 0);
	if (!err)
		err = transfer(EDU_BUFFER, vtd_msi_compat_address(apic), 4, DMA_TO_RAM);
	if (!err)
		err = transfer(EDU_BUFFER + 4, vtd_msi_remappable_address(IRT_IOAPIC_BASE + COM1_GSI), 4, DMA_TO_RAM);
	if (!err)
		log_printf("edu: sent a message for vector 0x%x, and one naming interrupt entry %u (COM1's)\n",
			   SPOOF_VECTOR, IRT_IOAPIC_BASE + COM1_GSI);
	/* Nor may the driver itself move COM1's line onto another entry (here 127), as the chipset may. */
	uint64_t rte = (uint64_t)(IRT_MSI_LIMIT - 1) << 49 | 1ull << 48 | (DEVICE_VECTOR_FIRST + COM1_GSI);
	log_printf("edu: asking the kernel to reroute COM1's interrupt: %s\n",
		   pinfold_strerror(ioapic_remap(COM1_GSI, rte)));
	return err < 0 ? err : 1;
}

/*
 * msi_to: the device writes, by DMA into the interrupt window, a message in
 * remappable format naming entry `index` (VT-d 5.1.2.2), with its own
 * requester id on real hardware.  For an entry that is not present (0x22)
 * or beyond the table (0x21) real hardware records an interrupt-remapping
 * fault, which the chipset charges to this driver; QEMU 7.2 only drops the
 * message (qemu-vtd.md section 4).  tests/system/test_intremap.py.
 */
int64_t serve_msi_to(uint64_t index)
{
	if (!regs.base || !out)
		return E_NOT_FOUND;
	if (index > 0xffff)
		return E_INVAL;
	uint32_t *message = (uint32_t *)out;
	message[0] = VTD_MSI_REMAPPABLE_DATA;
	int64_t err = transfer((uint64_t)out, EDU_BUFFER, 4, 0);
	if (!err)
		err = transfer(EDU_BUFFER, vtd_msi_remappable_address((uint16_t)index), 4, DMA_TO_RAM);
	if (err)
		return err;
	sleep_ns(FAULT_CHARGE_NS);      /* if the IOMMU recorded a fault, the crash comes meanwhile */
	return 0;
}

/* Device misbehaviour: each makes the device reach memory, or send interrupts, it was not given. */
static int64_t misbehave(uint64_t kind)
{
	switch (kind) {
	case CRASH_WILD_DMA:
		/* Into the kernel's code, had the addresses been physical: its .text is
		 * loaded from 0x109000 (linker.ld), and tests compare it with kernel.elf. */
		return transfer(EDU_BUFFER, WILD_DMA_TARGET, 64, DMA_TO_RAM);
	case CRASH_DMA_READ: {
		uint8_t *secret = mem_alloc(EDU_BUFFER_SIZE);     /* mine, but never pinned */
		if (!secret)
			return E_NOMEM;
		return transfer((uint64_t)secret, EDU_BUFFER, 64, 0);
	}
	case CRASH_DMA_AFTER_UNPIN: {
		int64_t err = pci_driver_unpin(&dev, in, EDU_BUFFER_SIZE);
		if (err < 0)
			return err;
		return transfer(EDU_BUFFER, (uint64_t)in, 64, DMA_TO_RAM);
	}
	case CRASH_IRQ_STORM:
		for (int i = 0; i < 20000; i++)
			wr32(EDU_IRQ_RAISE, 1);
		return 1;
	case CRASH_MSI_SPOOF:
		return spoof_interrupts();
	}
	return E_INVAL;
}

/*
 * wild_dma_at: the wild-dma of inject, armed for a clock time instead of
 * now, so that two devices (edu and edu2, each armed by its own driver for
 * the same time) fault within microseconds of each other and meet in the
 * IOMMU's fault recording registers (tests/system/test_edu.py).  Both
 * drivers' threads wake at the same tick, each writes its DMA command, and
 * QEMU runs both transfers 100 ms of virtual time later, back to back.
 */
#define ARM_AHEAD_NS (1000ull * 1000000)

static void wild_dma_thread(uint64_t when)
{
	uint64_t now = clock_ns();
	if (when > now)
		sleep_ns(when - now);
	wr64(EDU_DMA_SRC, EDU_BUFFER);
	wr64(EDU_DMA_DST, WILD_DMA_TARGET);
	wr64(EDU_DMA_COUNT, 64);
	wr64(EDU_DMA_CMD, DMA_START | DMA_TO_RAM);
}

int64_t serve_wild_dma_at(uint64_t when, uint64_t *at)
{
	if (!regs.base || !out)
		return E_NOT_FOUND;
	uint64_t now = clock_ns();
	if (when == 0)
		when = now + ARM_AHEAD_NS;
	if (when < now || when - now > 10 * ARM_AHEAD_NS)
		return E_INVAL;         /* past, or too far ahead to be a test */
	int64_t t = thread_create(wild_dma_thread, when, 20);
	if (t < 0)
		return t;
	*at = when;
	return 0;
}

int64_t serve_inject(uint64_t kind)
{
	if (kind >= CRASH_WILD_DMA && kind < CRASH_KINDS) {
		if (!regs.base || !out)
			return E_NOT_FOUND;
		int64_t r = misbehave(kind);
		/* The fault is charged asynchronously; give the chipset's interrupt its moment. */
		sleep_ns(50 * 1000000ull);
		return r < 0 ? r : 1;
	}
	if (kind == CRASH_IRQ_HANG)
		return E_INVAL;
	return inject_fault(kind);
}

/* What pinning costs this driver (pinbench.c): only with a device behind the pins. */
int64_t serve_bench_pin(uint64_t pages, uint64_t rounds, uint64_t *median, uint64_t *p99)
{
	if (!regs.base || !out)
		return E_NOT_FOUND;
	return pin_bench(dev.chipset, pages, rounds, median, p99);
}

/*
 * The old-buffer test's two halves (tests/system/test_dma.py): pin_spare pins
 * one more page and says where it is; after a restart, dma_to aims the device
 * at that page without pinning anything.  dma_to takes any address on
 * purpose: the driver is untrusted, and whether the write lands is for the
 * IOMMU to decide.  Its 64 bytes are a mark a test can look for in memory.
 */
#define DMA_MARK_LEN     64

static const char dma_mark[DMA_MARK_LEN] = "edu.dma_to: these 64 bytes may only land in memory edu pinned..";

int64_t serve_pin_spare(uint64_t *va)
{
	if (!regs.base || !out)
		return E_NOT_FOUND;
	uint8_t *page = mem_alloc(EDU_BUFFER_SIZE);
	if (!page)
		return E_NOMEM;
	uint64_t pages;
	int64_t err = chipset_pin(dev.chipset, (uint64_t)page, EDU_BUFFER_SIZE, 1, &pages);
	if (err < 0) {
		mem_free(page);
		return err;
	}
	*va = (uint64_t)page;
	return 0;
}

int64_t serve_dma_to(uint64_t addr, uint64_t *written)
{
	if (!regs.base || !out)
		return E_NOT_FOUND;
	if (addr > UINT64_MAX - DMA_MARK_LEN)
		return E_INVAL;         /* the device would wrap around the address space */
	memcpy(out, dma_mark, DMA_MARK_LEN);
	int64_t err = transfer((uint64_t)out, EDU_BUFFER, DMA_MARK_LEN, 0);
	if (!err)
		err = transfer(EDU_BUFFER, addr, DMA_MARK_LEN, DMA_TO_RAM);
	if (err)
		return err;
	sleep_ns(FAULT_CHARGE_NS);      /* if the IOMMU blocked it, the crash comes meanwhile */
	*written = DMA_MARK_LEN;
	return 0;
}
