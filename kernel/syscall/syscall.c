/*
 * syscall.c — decoding kernel calls and carrying them out.
 *
 * The dispatch table is built from PINFOLD_SYSCALLS: call N is handled by
 * sys_NAME.  Every handler takes the caller's saved user state and leaves
 * its answer there (status in RAX, results in RDI and RSI).  Arguments are
 * untrusted numbers: addresses go through usercopy.c, lengths and ids are
 * bounded before use, and anything wrong is an error value for the caller.
 */
#include "kernel/syscall/syscall.h"

#include <pinfold/errors.h>
#include <pinfold/hot.h>
#include <pinfold/syscalls.h>
#include <string.h>

#include "kernel/component/component.h"
#include "kernel/component/device.h"
#include "kernel/component/event.h"
#include "kernel/component/irq.h"
#include "kernel/component/lifecycle.h"
#include <stdio.h>
#include "kernel/component/memobj.h"
#include "kernel/component/pdx.h"
#include "kernel/component/usercopy.h"
#include "kernel/console.h"
#include "kernel/logtext.h"
#include "kernel/mm/frame.h"
#include "kernel/platform.h"
#include "kernel/acpi/acpi.h"
#include "kernel/x86/lapic.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/gdt.h"
#include "kernel/x86/trap.h"

#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_FMASK  0xc0000084
#define EFER_SCE   1
/* Flags cleared on entry: IF (kernel runs with interrupts off), TF, DF, AC, NT. */
#define FMASK_BITS (0x200 | 0x100 | 0x400 | 0x40000 | 0x4000)

#define LOG_MAX    1024
#define COM1_PORT  0x3f8
#define CONSOLE_CHUNK 512
#define CONSOLE_RECENT_MAX 4096
#define MAX_SLEEP_NS 3600000000000ull

extern void syscall_entry(void);

static const char *kernel_cmdline = "";

static void ok(struct trap_frame *f, uint64_t r0)
{
	f->rax = 0;
	f->rdi = r0;
}

static void status(struct trap_frame *f, int64_t s)
{
	f->rax = (uint64_t)s;
}

static struct component *caller(void)
{
	return thread_current()->current;
}

static void sys_invoke(struct trap_frame *f) { pdx_invoke(f); }
static void sys_return(struct trap_frame *f) { pdx_return(f); }

static void sys_cap_lookup(struct trap_frame *f)
{
	char name[COMPONENT_NAME_MAX + 1] = { 0 };
	if (f->rsi == 0 || f->rsi > COMPONENT_NAME_MAX)
		return status(f, E_INVAL);
	if (copy_from_component(caller(), name, f->rdi, f->rsi))
		return status(f, E_FAULT);
	const struct component *c = caller();
	for (int i = 0; i < c->ncaps; i++)
		if (strcmp(c->cap[i].target->name, name) == 0)
			return ok(f, (uint64_t)i);
	status(f, E_NOT_FOUND);
}

static void sys_log(struct trap_frame *f)
{
	static char text[LOG_MAX + 1];
	if (f->rsi > LOG_MAX)
		return status(f, E_INVAL);
	if (copy_from_component(caller(), text, f->rdi, f->rsi))
		return status(f, E_FAULT);
	logtext_clean(text, f->rsi);    /* no terminal commands: only text, as UTF-8 */
	console_write(caller()->id, text, f->rsi);
	ok(f, f->rsi);
}

static void sys_thread_create(struct trap_frame *f)
{
	struct component *c = caller();
	int stack = component_stack_try_take(c);
	if (stack < 0)
		return status(f, stack);
	int prio = f->rdx > (uint64_t)c->priority ? c->priority : (int)f->rdx;
	struct thread *t = thread_create_user(c, c->name, prio, c->base + c->image.entry,
					      component_stack_top(c, stack), METHOD_THREAD,
					      f->rdi, f->rsi, stack);
	if (!t) {
		component_stack_give(c, stack);
		return status(f, E_NOMEM);
	}
	ok(f, (uint64_t)t->id);
}

static void sys_thread_exit(struct trap_frame *f)
{
	struct thread *t = thread_current();
	/* A migrated thread belongs to its caller: a callee may not end it. */
	if (t->depth != 0 || t->home != t->current)
		return status(f, E_DENIED);
	/* As if its function had returned, except that an init or an upcall that ends this way
	 * returned nothing: it failed.  (Ending here without telling lifecycle.c left the
	 * component's init_thread pointing at a dead thread, and its waiter waiting 5 s.) */
	lifecycle_thread_finished(t, E_CALLEE_FAILED);
}

static void sys_yield(struct trap_frame *f)
{
	sched_ready(thread_current());
	sched_switch();
	ok(f, 0);
}

static void sys_sleep(struct trap_frame *f)
{
	thread_sleep(f->rdi > MAX_SLEEP_NS ? MAX_SLEEP_NS : f->rdi);
	ok(f, 0);
}

HOT static void sys_clock(struct trap_frame *f) { ok(f, clock_ns()); }

static void sys_mem_alloc(struct trap_frame *f)
{
	uint64_t va = 0;
	int64_t err = memobj_alloc(caller(), f->rdi, &va);
	if (err)
		return status(f, err);
	ok(f, va);
}

static void sys_mem_free(struct trap_frame *f) { status(f, memobj_free(caller(), f->rdi)); }

static void sys_mem_grant(struct trap_frame *f)
{
	int64_t id = memobj_grant(thread_current(), f->rdi, f->rsi, f->rdx, f->r10);
	if (id < 0)
		return status(f, id);
	ok(f, (uint64_t)id);
}

HOT static void sys_mem_copy(struct trap_frame *f)
{
	if (f->rdx > MEM_COPY_MAX)
		return status(f, E_INVAL);
	status(f, copy_within_component(caller(), f->rdi, f->rsi, f->rdx));
}

static void sys_mem_revoke(struct trap_frame *f) { status(f, memobj_revoke(caller(), f->rdi)); }

static void sys_event_create(struct trap_frame *f)
{
	int64_t id = event_create(caller());
	if (id < 0)
		return status(f, id);
	ok(f, (uint64_t)id);
}

static void sys_event_grant(struct trap_frame *f) { status(f, event_grant(caller(), f->rdi, f->rsi)); }
HOT static void sys_event_signal(struct trap_frame *f) { status(f, event_signal(caller(), f->rdi)); }
HOT static void sys_event_wait(struct trap_frame *f) { status(f, event_wait(caller(), f->rdi, f->rsi)); }

/* The manifest's "control" right over `target`: the right, and a capability for it. */
static bool controls(const struct component *c, const struct component *target)
{
	bool held = false;
	for (int i = 0; i < c->ncaps; i++)
		held |= c->cap[i].target == target;
	return c->manifest->control && held;
}

/* INFO_PHYS: where component rsi's page at rdx lives in physical memory. */
static void info_phys(struct trap_frame *f)
{
	if (f->rsi >= (uint64_t)component_count)
		return status(f, E_NOT_FOUND);
	const struct component *target = &components[f->rsi];
	if (!controls(caller(), target))
		return status(f, E_DENIED);
	uint64_t pa;
	if (target->state != COMPONENT_RUNNING || !domain_lookup(&target->domain, f->rdx, false, &pa))
		return status(f, E_FAULT);
	ok(f, pa);
}

HOT static void sys_info(struct trap_frame *f)
{
	switch (f->rdi) {
	case INFO_FREE_FRAMES: return ok(f, frame_free_count());
	case INFO_IDLE_NS:     return ok(f, sched_idle_ns());
	case INFO_COMPONENT_ID: return ok(f, (uint64_t)caller()->id);
	case INFO_DEPTH:       return ok(f, (uint64_t)thread_current()->depth);
	case INFO_THREADS:     return ok(f, (uint64_t)thread_count());
	case INFO_READY:       return ok(f, components_ready);
	case INFO_CALLER: {
		const struct thread *t = thread_current();
		if (t->depth == 0)
			return status(f, E_NOT_FOUND);
		return ok(f, (uint64_t)t->frame[t->depth - 1].caller->id);
	}
	case INFO_PINNED_FRAMES: return ok(f, frame_pinned_count());
	case INFO_DEFERRED_FRAMES: return ok(f, frame_deferred_count());
	case INFO_PINNED_PAGES:
		if (f->rsi >= (uint64_t)component_count)
			return status(f, E_NOT_FOUND);
		return ok(f, components[f->rsi].pinned_pages);
	case INFO_MANIFEST_PCI: {
		uint64_t id = f->rsi >> 8, k = f->rsi & 0xff;
		if (id >= (uint64_t)component_count || k >= components[id].manifest->npci)
			return status(f, E_NOT_FOUND);
		const struct manifest_pci *p = &components[id].manifest->pci[k];
		return ok(f, (uint64_t)p->vendor << 16 | p->device |
			     (p->located ? MANIFEST_PCI_LOCATED | (uint64_t)p->bdf << 32 : 0));
	}
	case INFO_PHYS:
		return info_phys(f);
	case INFO_GSI_ROUTE: {
		struct irq_gsi_route r;
		if (irq_gsi_route(f->rsi, &r) < 0)
			return status(f, E_NOT_FOUND);
		ok(f, r.vector | (uint64_t)r.level << 8 | (uint64_t)r.active_low << 9);
		f->rsi = r.has_source_id ? (uint64_t)r.source_id | 1ull << 16 : 0;
		return;
	}
	case INFO_MSI_LINE: {
		uint64_t owner, vector;
		if (irq_msi_line(f->rsi, &owner, &vector) < 0)
			return status(f, E_NOT_FOUND);
		ok(f, owner);
		f->rsi = vector;
		return;
	}
	case INFO_UNEXPECTED_IRQS: {
		unsigned last;
		ok(f, trap_unexpected_count(&last));
		f->rsi = last;
		return;
	}
	}
	const struct acpi_info *acpi = platform_acpi();
	switch (f->rdi) {
	case INFO_ECAM_BASE:
	case INFO_ECAM_LAST_BUS:
		if (acpi->mcfg.status.state != ACPI_PRESENT || acpi->mcfg.nsegments == 0 ||
		    acpi->mcfg.segment[0].segment != 0)
			return status(f, E_NOT_FOUND);
		return ok(f, f->rdi == INFO_ECAM_BASE ? acpi->mcfg.segment[0].ecam_base
						      : acpi->mcfg.segment[0].end_bus);
	case INFO_IOMMU_BASE:
	case INFO_IOMMU_HAW:
		if (acpi->dmar.status.state != ACPI_PRESENT || acpi->dmar.nunits == 0)
			return status(f, E_NOT_FOUND);
		return ok(f, f->rdi == INFO_IOMMU_BASE ? acpi->dmar.unit[0].base : acpi->dmar.haw);
	case INFO_APIC_ID:
		return ok(f, lapic_id());
	}
	status(f, E_INVAL);
}

/* The chipset's calls (kernel/component/device.c checks its right). */
static void answer(struct trap_frame *f, int64_t err, uint64_t value)
{
	if (err)
		return status(f, err);
	ok(f, value);
}

static void sys_device_map(struct trap_frame *f)
{
	uint64_t va = 0;
	int64_t err = device_map(caller(), f->rdi, f->rsi, f->rdx, &va);
	answer(f, err, va);
}

static void sys_dma_pin(struct trap_frame *f)
{
	uint64_t pa = 0;
	int64_t err = device_pin(caller(), f->rdi, f->rsi, f->rdx, &pa);
	answer(f, err, pa);
}

static void sys_dma_unpin(struct trap_frame *f) { status(f, device_unpin(caller(), f->rdi, f->rsi, f->rdx)); }

static void sys_device_claim(struct trap_frame *f) { status(f, device_claim(caller(), f->rdi, f->rsi)); }

static void sys_device_record(struct trap_frame *f)
{
	uint64_t value = 0, value2 = 0;
	int64_t err = device_record(caller(), f->rdi, f->rsi, &value, &value2);
	if (err)
		return status(f, err);
	ok(f, value);
	f->rsi = value2;
}

static void sys_irq_bind_msi(struct trap_frame *f)
{
	uint64_t line = 0, vector = 0;
	int64_t err = device_bind_msi(caller(), f->rdi, &line, &vector);
	answer(f, err, line);
	if (!err)
		f->rsi = vector;
}

static void sys_ioapic_remap(struct trap_frame *f)
{
	status(f, device_ioapic_remap(caller(), f->rdi, f->rsi));
}

/* SYS_COMPONENT_FAULT(n, text, len): crash component n, the reason being text. */
static void sys_component_fault(struct trap_frame *f)
{
	char reason[120];
	if (f->rdx == 0 || f->rdx >= sizeof reason)
		return status(f, E_INVAL);
	if (copy_from_component(caller(), reason, f->rsi, f->rdx))
		return status(f, E_FAULT);
	reason[f->rdx] = 0;
	for (uint64_t i = 0; i < f->rdx; i++)
		if ((unsigned char)reason[i] < 0x20 || (unsigned char)reason[i] >= 0x7f)
			reason[i] = '?';
	status(f, device_charge_fault(caller(), f->rdi, reason));
}

/* SYS_BOOT_OPTION(key, keylen, buf, buflen): the value of "key=value" on the kernel command line. */
static void sys_boot_option(struct trap_frame *f)
{
	char key[32];
	if (f->rsi == 0 || f->rsi >= sizeof key || f->r10 == 0)
		return status(f, E_INVAL);
	if (copy_from_component(caller(), key, f->rdi, f->rsi))
		return status(f, E_FAULT);
	key[f->rsi] = 0;
	size_t klen = f->rsi;
	for (const char *p = kernel_cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t vlen = (size_t)(end - v);
			if (vlen > f->r10)
				return status(f, E_LIMIT);
			if (copy_to_component(caller(), f->rdx, v, vlen))
				return status(f, E_FAULT);
			return ok(f, vlen);
		}
		p = end;
	}
	status(f, E_NOT_FOUND);
}

HOT static void sys_irq_wait(struct trap_frame *f) { status(f, irq_wait(thread_current(), f->rdi)); }

/* Only the component that owns COM1's ports drives the console. */
static bool console_owner(const struct component *c)
{
	for (unsigned i = 0; i < c->manifest->nports; i++)
		if (c->manifest->ports[i].first <= COM1_PORT && COM1_PORT <= c->manifest->ports[i].last)
			return true;
	return false;
}

static struct wait_queue console_waiters;
struct component *console_driver;

void syscall_console_appended(void)
{
	thread_wake_all(&console_waiters, 0);
}

/* SYS_CONSOLE_READ(buf, max): waits for unprinted console text and copies it (not consumed). */
static void sys_console_read(struct trap_frame *f)
{
	static char text[CONSOLE_CHUNK];
	struct component *c = caller();
	if (!console_owner(c))
		return status(f, E_DENIED);
	if (f->rsi == 0)
		return status(f, E_INVAL);
	console_driver = c;
	console_set_driver(true);
	size_t n;
	while ((n = console_peek(text, f->rsi < sizeof text ? f->rsi : sizeof text)) == 0) {
		int64_t r = thread_block(&console_waiters, 0);
		if (r < 0)
			return status(f, r);
	}
	if (copy_to_component(c, f->rdi, text, n))
		return status(f, E_FAULT);
	ok(f, n);
}

static void sys_console_commit(struct trap_frame *f)
{
	if (!console_owner(caller()))
		return status(f, E_DENIED);
	console_commit(f->rdi);
	ok(f, 0);
}

static void sys_console_recent(struct trap_frame *f)
{
	static char text[CONSOLE_RECENT_MAX];
	if (!caller()->manifest->control)
		return status(f, E_DENIED);     /* others' output is not every component's business */
	size_t n = console_recent(text, f->rsi < sizeof text ? f->rsi : sizeof text);
	if (copy_to_component(caller(), f->rdi, text, n))
		return status(f, E_FAULT);
	ok(f, n);
}

static void sys_component_info(struct trap_frame *f)
{
	if (f->rdi >= (uint64_t)component_count)
		return status(f, E_NOT_FOUND);
	const struct component *c = &components[f->rdi];
	struct component_info info = {
		.state = (uint32_t)c->state, .restarts = c->restarts,
		.nmethods = c->iface ? c->iface->nmethods : 0, .id = (uint32_t)c->id,
	};
	strlcpy(info.name, c->name, sizeof info.name);
	if (copy_to_component(caller(), f->rsi, &info, sizeof info))
		return status(f, E_FAULT);
	ok(f, 0);
}

/* SYS_COMPONENT_METHOD(n, m, buf, len): "name(a, b) -> (r)", NUL-terminated. */
static void sys_component_method(struct trap_frame *f)
{
	char text[160];
	if (f->rdi >= (uint64_t)component_count)
		return status(f, E_NOT_FOUND);
	const struct idl *iface = components[f->rdi].iface;
	if (!iface || f->rsi >= iface->nmethods)
		return status(f, E_NO_METHOD);
	const struct idl_method *m = &iface->methods[f->rsi];
	size_t n = (size_t)snprintf(text, sizeof text, "%s(", m->name);
	for (unsigned i = 0; i < m->nargs && n < sizeof text; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", i ? ", " : "", m->args[i]);
	if (n < sizeof text)
		n += (size_t)snprintf(text + n, sizeof text - n, ")");
	for (unsigned i = 0; i < m->nresults && n < sizeof text; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", i ? ", " : " -> (", m->results[i]);
	if (m->nresults && n < sizeof text)
		n += (size_t)snprintf(text + n, sizeof text - n, ")");
	size_t len = strlen(text) + 1;
	if (len > f->r10)
		return status(f, E_LIMIT);
	if (copy_to_component(caller(), f->rdx, text, len))
		return status(f, E_FAULT);
	ok(f, len - 1);
}

/* The manifest's "supervise" right over `target`, one of c's callees. */
static bool supervises(const struct component *c, const struct component *target)
{
	const struct manifest_component *m = c->manifest;
	for (unsigned i = 0; i < m->ncaps; i++)
		if (m->caps[i].supervise && &components[m->caps[i].target] == target)
			return true;
	return false;
}

/*
 * SYS_COMPONENT_CONTROL(n, op): for a component with the manifest's "control"
 * right, on components it holds a capability for; or CONTROL_RESTART of a
 * running component by its supervisor (the manifest's "supervise"), which the
 * console names: "crash: ahci: restart requested by block".
 */
static void sys_component_control(struct trap_frame *f)
{
	if (f->rdi >= (uint64_t)component_count)
		return status(f, E_NOT_FOUND);
	struct component *target = &components[f->rdi];
	if (controls(caller(), target))
		return status(f, component_control(target, (int)f->rsi, NULL));
	if (f->rsi != CONTROL_RESTART || !supervises(caller(), target))
		return status(f, E_DENIED);     /* the manifest's "control" and "supervise" rights */
	if (target->state != COMPONENT_RUNNING)
		return status(f, E_BUSY);       /* a supervisor does not revive what has failed */
	status(f, component_control(target, CONTROL_RESTART, caller()->name));
}

static void (*const handlers[SYS_COUNT])(struct trap_frame *f) = {
#define PINFOLD_SYSCALL_HANDLER(sym, num, name, text) [sym] = sys_##name,
	PINFOLD_SYSCALLS(PINFOLD_SYSCALL_HANDLER)
#undef PINFOLD_SYSCALL_HANDLER
};

HOT void syscall_dispatch(struct trap_frame *f)
{
	struct thread *t = thread_current();
	/* An unwind that happened while this thread was in user mode is no news to this call. */
	t->unwound = false;
	if (f->rax >= SYS_COUNT)
		status(f, E_NOSYS);
	else
		handlers[f->rax](f);
	if (t->unwound) {
		/* The call this thread was in failed while it waited: f already resumes its caller. */
		f->rax = (uint64_t)E_CALLEE_FAILED;
		f->rdi = f->rsi = 0;
		t->unwound = false;
	}
	sched_preempt_if_needed();
}

void syscall_init(void)
{
	wrmsr(MSR_STAR, ((uint64_t)(SEL_USER_CODE32 | 3) << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, FMASK_BITS);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void syscall_set_cmdline(const char *cmdline)
{
	kernel_cmdline = cmdline;
}
