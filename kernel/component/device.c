/*
 * device.c — the kernel's side of the chipset component (DESIGN.md "The
 * chipset component").
 *
 * Policy about devices (who owns which PCI function, what a driver may pin,
 * how the IOMMU is programmed) lives in the chipset, a user-level component
 * the manifest marks `chipset`.  The kernel only provides the mechanisms the
 * chipset cannot have in user mode, and gives them to the chipset alone:
 *
 *   - mapping device memory (a BAR, ECAM, the VT-d registers) uncached into a
 *     component's device area, never RAM and never the interrupt controllers
 *     the kernel itself drives;
 *   - pinning a page for DMA (a driver's, or the chipset's own for its IOMMU
 *     tables, which also tells it their frames): the kernel checks the owner may
 *     access it (and write it, for a device that writes), and pins its frame,
 *     so that the frame is never handed out again while a device may reach it
 *     (kernel/mm/frame.c), even if the driver frees it or crashes first;
 *   - a message-signalled interrupt line for a driver (kernel/component/irq.c);
 *   - switching an IOAPIC line to remappable format, once the chipset's
 *     interrupt remapping table has its entry (the kernel still drives the
 *     IOAPIC: it checks the RTE and keeps the mask);
 *   - charging a device's fault (a blocked DMA) to its driver, which then
 *     fails like any crashed component;
 *   - keeping, for each component, which PCI function the chipset gave it and
 *     every pin made for it (pins.h), so that a restarted chipset can rebuild
 *     the DMA domains its previous instance built, from facts the kernel
 *     checked rather than from anything the crashed instance left behind.
 *
 * When a driver that owns PCI devices stops, the recovery thread calls the
 * chipset's `driver_stopped` method before the driver's memory is reset, so
 * its devices are quiet and their pins released first (lifecycle.c).
 */
#include "kernel/component/device.h"

#include <pinfold/errors.h>

#include "kernel/component/irq.h"
#include "kernel/component/lifecycle.h"
#include "kernel/layout.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/platform.h"

/* Device memory a component may be given at most (its device area). */
#define DEVICE_AREA_SIZE (COMPONENT_SLOT_SIZE - COMPONENT_DEVICE_OFF)
#define LAPIC_PAGE_DEFAULT 0xfee00000ull
#define IOAPIC_WINDOW 0xfec00000ull      /* 0xfec00000-0xfecfffff: IOAPICs */

static bool is_chipset(const struct component *c)
{
	return c && c->manifest && c->manifest->chipset;
}

static struct component *component_arg(uint64_t id)
{
	return id < (uint64_t)component_count ? &components[id] : NULL;
}

static bool alive(const struct component *c)
{
	return c->state == COMPONENT_RUNNING || c->state == COMPONENT_LOADING;
}

/* The checks every call on behalf of a running target makes: 0 and *t, or the error. */
static int64_t live_target(const struct component *caller, uint64_t target_id, struct component **t)
{
	*t = component_arg(target_id);
	if (!is_chipset(caller))
		return E_DENIED;
	if (!*t)
		return E_NOT_FOUND;
	return alive(*t) ? 0 : E_CALLEE_FAILED;
}

/* Pages the kernel drives itself: the LAPIC and IOAPIC registers. */
static bool kernel_device_page(uint64_t pa)
{
	const struct acpi_info *acpi = platform_acpi();
	uint64_t lapic = acpi->madt.lapic_address ? acpi->madt.lapic_address : LAPIC_PAGE_DEFAULT;
	if (pa == (lapic & ~(uint64_t)(PAGE_SIZE - 1)))
		return true;
	return pa >= IOAPIC_WINDOW && pa < IOAPIC_WINDOW + 0x100000;
}

int64_t device_map(struct component *caller, uint64_t target_id, uint64_t pa, uint64_t len,
		   uint64_t *va_out)
{
	struct component *t;
	int64_t err = live_target(caller, target_id, &t);
	if (err)
		return err;
	if ((pa & (PAGE_SIZE - 1)) || len == 0 || len > DEVICE_AREA_SIZE || pa + len < pa)
		return E_INVAL;
	len = (len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t area_end = t->base + COMPONENT_SLOT_SIZE;
	if (len > area_end - t->device_next)
		return E_NOMEM;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE)
		if (frame_is_ram(pa + off) || kernel_device_page(pa + off))
			return E_DENIED;        /* memory is pinned, not mapped; the APICs are the kernel's */
	uint64_t va = t->device_next;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		if (domain_map(&t->domain, va + off, pa + off, PTE_WRITE | PTE_NX | PTE_PCD | PTE_PWT)) {
			uint64_t ignored;
			for (uint64_t undo = 0; undo < off; undo += PAGE_SIZE)
				domain_unmap(&t->domain, va + undo, &ignored);
			return E_NOMEM;
		}
	}
	t->device_next += len;
	*va_out = va;
	return 0;
}

int64_t device_pin(struct component *caller, uint64_t target_id, uint64_t va, uint64_t flags,
		   uint64_t *pa_out)
{
	struct component *t;
	int64_t err = live_target(caller, target_id, &t);
	if (err)
		return err;
	if ((va & (PAGE_SIZE - 1)) || (flags & ~PIN_FLAGS))
		return E_INVAL;
	bool write = flags & DMA_PIN_WRITE;
	uint64_t pa;
	if (!component_may_access(t, va, PAGE_SIZE, write) || !domain_lookup(&t->domain, va, write, &pa))
		return E_FAULT;         /* not the driver's to give to its device */
	err = frame_pin(pa);
	if (err == -1)
		return E_DENIED;        /* device memory, or anything but allocated RAM */
	if (err)
		return E_LIMIT;
	err = pins_add(&t->pins, va | flags, pa);
	if (err) {
		frame_unpin(pa);
		return err;
	}
	t->pinned_pages++;
	*pa_out = pa;
	return 0;
}

int64_t device_unpin(struct component *caller, uint64_t target_id, uint64_t va, uint64_t pa)
{
	struct component *t = component_arg(target_id);
	if (!is_chipset(caller))
		return E_DENIED;
	if (!t)
		return E_NOT_FOUND;
	/* Only a pin made for this component, of this page on this frame: the record says so. */
	if ((va & (PAGE_SIZE - 1)) || (pa & (PAGE_SIZE - 1)) || !pins_remove(&t->pins, va, pa))
		return E_NOT_FOUND;
	frame_unpin(pa);
	t->pinned_pages--;
	return 0;
}

int64_t device_claim(struct component *caller, uint64_t target_id, uint64_t bdf_plus_one)
{
	struct component *t = component_arg(target_id);
	if (!is_chipset(caller))
		return E_DENIED;
	if (!t)
		return E_NOT_FOUND;
	if (bdf_plus_one > 0x10000)
		return E_INVAL;
	t->claimed_device = (uint32_t)bdf_plus_one;
	return 0;
}

int64_t device_record(struct component *caller, uint64_t target_id, uint64_t n, uint64_t *value,
		      uint64_t *value2)
{
	struct component *t = component_arg(target_id);
	if (!is_chipset(caller))
		return E_DENIED;
	if (!t)
		return E_NOT_FOUND;
	if (n == 0) {
		*value = t->claimed_device;
		*value2 = t->pins.count;
		return 0;
	}
	struct pin_record r;
	if (n > UINT32_MAX || !pins_get(&t->pins, (uint32_t)(n - 1), &r))
		return E_NOT_FOUND;
	*value = r.va_flags;
	*value2 = r.pa;
	return 0;
}

int64_t device_bind_msi(struct component *caller, uint64_t target_id, uint64_t *line, uint64_t *vector)
{
	struct component *t = component_arg(target_id);
	if (!is_chipset(caller))
		return E_DENIED;
	if (!t)
		return E_NOT_FOUND;
	return irq_bind_msi(t, line, vector);
}

int64_t device_ioapic_remap(struct component *caller, uint64_t gsi, uint64_t rte)
{
	if (!is_chipset(caller))
		return E_DENIED;
	return irq_gsi_remap(gsi, rte);
}

int64_t device_charge_fault(struct component *caller, uint64_t target_id, const char *reason)
{
	struct component *t = component_arg(target_id);
	if (!is_chipset(caller))
		return E_DENIED;
	if (!t || t == caller)
		return E_NOT_FOUND;
	if (!alive(t))
		return E_BUSY;          /* already down: its restart will quiesce the device anyway */
	component_crash(t, reason);
	return 0;
}

struct component *device_chipset(void)
{
	for (int i = 0; i < component_count; i++)
		if (is_chipset(&components[i]))
			return &components[i];
	return NULL;
}
