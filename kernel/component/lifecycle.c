/*
 * lifecycle.c — components from boot modules to running, and down again.
 *
 * Boot checks everything before anything runs: the manifest, every image
 * (kernel/component/elf.c), every interface declaration (idl.c) and every
 * capability in the manifest against those declarations (manifest.c).  A
 * problem stops the boot with one line naming the culprit; nothing half-built
 * ever runs.  Then each component gets its slot, domain, image, stacks and
 * capabilities, and a boot thread runs the inits one at a time in manifest
 * order, so a component's init may call any component listed before it.
 */
#include "kernel/component/lifecycle.h"

#include <assert.h>
#include <pinfold/errors.h>
#include <pinfold/syscalls.h>
#include <stdio.h>
#include <string.h>

#include "kernel/component/event.h"
#include "kernel/component/device.h"
#include "kernel/component/irq.h"
#include "kernel/component/memobj.h"
#include "kernel/component/pdx.h"
#include "kernel/console.h"
#include "kernel/syscall/syscall.h"
#include "kernel/ksyms.h"
#include "kernel/layout.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/vm.h"
#include "kernel/panic.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/x86/cpu.h"

#define INIT_TIMEOUT_NS 5000000000ull
#define UPCALL_TIMEOUT_NS 1000000000ull     /* the chipset quiescing a driver's devices */

static struct manifest manifest;                /* written once, at boot */
bool components_ready;
static struct idl idls[COMPONENT_MAX];

static void recovery_thread(void *arg);

static __attribute__((noreturn)) void boot_error(const char *fmt, ...)
{
	va_list ap;
	kputs("boot: error: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\npinfold: boot failed\n");
	machine_stop();
}

/* GRUB names a module by its path and arguments; we match the path's last part. */
static const struct boot_module *find_module(const struct boot_info *boot, const char *name)
{
	for (size_t i = 0; i < boot->module_count; i++) {
		const char *s = boot->modules[i].name;
		size_t len = strlen(s);
		const char *space = strchr(s, ' ');
		if (space)
			len = (size_t)(space - s);
		const char *base = s;
		for (size_t j = 0; j < len; j++)
			if (s[j] == '/')
				base = s + j + 1;
		size_t blen = len - (size_t)(base - s);
		if (blen == strlen(name) && strncmp(base, name, blen) == 0)
			return &boot->modules[i];
	}
	return NULL;
}

static void inspect_component(struct component *c, const struct boot_info *boot)
{
	const struct boot_module *m = find_module(boot, c->manifest->image);
	if (!m)
		boot_error("component %s: no boot module named %s", c->name, c->manifest->image);
	c->elf = phys_to_virt(m->start);
	c->elf_len = m->end - m->start;
	const char *err = elf_inspect(c->elf, c->elf_len, COMPONENT_IMAGE_MAX, &c->image);
	if (err)
		boot_error("component %s: image %s: %s", c->name, c->manifest->image, err);
	if (!c->image.iface_size)
		return;
	char why[160];
	const char *text = (const char *)c->elf + c->image.iface_offset;
	if (idl_parse(text, c->image.iface_size, c->name, &idls[c->id], why, sizeof why))
		boot_error("component %s: interface: %s", c->name, why);
	c->iface = &idls[c->id];
	c->nmethods = c->iface->nmethods;
}

static bool map_fresh_pages(struct component *c, uint64_t va, uint64_t len, uint64_t perms)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		phys_addr f = frame_alloc();
		if (!f)
			return false;
		if (domain_map(&c->domain, va + off, f, perms)) {
			frame_free(f);
			return false;
		}
	}
	return true;
}

/* The rights of the page at `off` in the image: those of the segment holding it. */
static bool page_perms(const struct elf_image *img, uint64_t off, uint64_t *perms)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segment[i];
		uint64_t start = s->vaddr & ~(uint64_t)(PAGE_SIZE - 1);
		if (off >= start && off < s->vaddr + s->memsz) {
			*perms = (s->write ? PTE_WRITE : 0) | (s->exec ? 0 : PTE_NX);
			return true;
		}
	}
	return false;
}

/*
 * Lays the image out in place: map writable pages at the slot, copy and
 * relocate through the component's own addresses, then give each page its
 * segment's rights (W^X) and drop pages no segment covers.
 */
static const char *load_image(struct component *c)
{
	if (!map_fresh_pages(c, c->base, c->image.span, PTE_WRITE | PTE_NX))
		return "out of memory for its image";
	struct domain *prev = domain_current();
	domain_activate(&c->domain);
	domain_user_access_begin();
	elf_copy_segments(&c->image, c->elf, (uint8_t *)c->base);
	const char *err = elf_relocate(&c->image, c->elf, (uint8_t *)c->base, c->base);
	domain_user_access_end();
	for (uint64_t off = 0; off < c->image.span && !err; off += PAGE_SIZE) {
		uint64_t perms, pa;
		if (page_perms(&c->image, off, &perms)) {
			domain_protect(&c->domain, c->base + off, perms);
		} else if (!domain_unmap(&c->domain, c->base + off, &pa)) {
			frame_free(pa);
		}
	}
	domain_activate(prev);
	return err;
}

/* Gives `c` a fresh domain holding its image, as relocated for its slot, and its entry stacks. */
static const char *build_component(struct component *c)
{
	const struct manifest_component *m = c->manifest;
	c->base = COMPONENT_AREA_BASE + (uint64_t)c->id * COMPONENT_SLOT_SIZE;
	c->nstacks = (int)m->stacks;
	c->stack_all = c->nstacks >= 32 ? ~0u : (1u << c->nstacks) - 1;
	c->stack_busy = 0;
	c->priority = (int)m->priority;
	c->watchdog_ticks = ((uint64_t)m->watchdog_ms * clock_tick_hz() + 999) / 1000 + 1;
	c->heap_base = c->heap_next = c->base + COMPONENT_HEAP_OFF;
	c->device_next = c->base + COMPONENT_DEVICE_OFF;
	c->heap_size = (uint64_t)m->heap_kib * 1024;
	c->ncaps = (int)m->ncaps;
	for (int i = 0; i < c->ncaps; i++) {
		c->cap[i].target = &components[m->caps[i].target];
		c->cap[i].methods = m->caps[i].methods;
	}
	if (!domain_create(&c->domain, (uint16_t)(c->id + 1)))
		return "out of memory for its page tables";
	/* The manifest's port ranges have the layout of struct domain_ports. */
	c->domain.nports = m->nports;
	c->domain.ports = (const struct domain_ports *)m->ports;
	const char *err = load_image(c);
	for (int n = 0; n < c->nstacks && !err; n++)
		if (!map_fresh_pages(c, component_stack_top(c, n) - COMPONENT_STACK_SIZE,
				     COMPONENT_STACK_SIZE, PTE_WRITE | PTE_NX))
			err = "out of memory for its stacks";
	return err;
}

/* Frees everything of `c` that build_component made (its heap is freed by memobj). */
STATIC_ASSERT(sizeof(struct domain_ports) == sizeof(struct manifest_ports),
	      "manifest port ranges are used as domain port ranges");

static void teardown_component(struct component *c)
{
	if (c->domain.root)
		domain_destroy(&c->domain, c->base, c->base + COMPONENT_DEVICE_OFF);   /* device memory is nobody's frames */
}

/* Runs init of `c` on a new thread and waits; true if it returned success and `c` is running. */
static bool run_init(struct component *c)
{
	c->state = COMPONENT_LOADING;
	int stack = component_stack_try_take(c);
	struct thread *t = thread_create_user(c, c->name, c->priority, c->base + c->image.entry,
					      component_stack_top(c, stack), METHOD_INIT, 0, 0, stack);
	if (!t) {
		component_crash(c, "no memory for its init thread");
		return false;
	}
	c->init_thread = t;
	int64_t status = thread_block(&c->init_done, clock_ns() + INIT_TIMEOUT_NS);
	if (c->state != COMPONENT_LOADING)
		return false;           /* init crashed: already reported */
	if (status == E_TIMEOUT) {
		component_crash(c, "init did not return within 5 s");
		return false;
	}
	if (status < 0) {
		char why[64];
		snprintf(why, sizeof why, "init returned %ld (%s)", (long)status,
			 pinfold_strerror(status) ? pinfold_strerror(status) : "component's own error");
		component_crash(c, why);
		return false;
	}
	c->state = COMPONENT_RUNNING;
	irq_component_started(c);
	return true;
}

static void boot_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < component_count; i++) {
		uint64_t t0 = clock_ns();
		if (run_init(&components[i]))
			kprintf("component: %s up in %lu us\n", components[i].name, (clock_ns() - t0) / 1000);
	}
	kprintf("pinfold: ready\n");
	components_ready = true;
}

void components_boot(const struct boot_info *boot)
{
	const struct boot_module *mm = find_module(boot, "manifest");
	if (!mm) {
		kprintf("components: no boot manifest, so no components\n");
		if (!thread_create_kernel("boot", boot_thread, NULL, THREAD_PRIORITIES - 1))
			PANIC("no memory for the boot thread");
		return;
	}
	char why[200];
	if (manifest_parse(phys_to_virt(mm->start), mm->end - mm->start, &manifest, why, sizeof why))
		boot_error("%s", why);

	component_count = (int)manifest.ncomponents;
	const struct idl *iface_of[COMPONENT_MAX] = { 0 };
	for (int i = 0; i < component_count; i++) {
		struct component *c = &components[i];
		c->id = i;
		c->manifest = &manifest.components[i];
		strlcpy(c->name, c->manifest->name, sizeof c->name);
		c->state = COMPONENT_LOADING;   /* until its init has returned */
		inspect_component(c, boot);
		iface_of[i] = c->iface;
	}
	if (manifest_resolve(&manifest, iface_of, why, sizeof why))
		boot_error("%s", why);

	for (int i = 0; i < component_count; i++) {
		const char *err = build_component(&components[i]);
		if (err)
			boot_error("component %s: %s", components[i].name, err);
	}
	kprintf("components: %d loaded, %zu frames free\n", component_count, frame_free_count());
	if (!thread_create_kernel("boot", boot_thread, NULL, THREAD_PRIORITIES - 1) ||
	    !thread_create_kernel("recovery", recovery_thread, NULL, THREAD_PRIORITIES - 1))
		PANIC("no memory for the boot threads");
}

/* The one call the recovery thread makes into a component (upcall()), while it waits. */
static struct thread *upcall_thread;
static struct wait_queue upcall_done;

void lifecycle_thread_finished(struct thread *t, int64_t status)
{
	irq_thread_finished(t);
	if (t == upcall_thread) {
		upcall_thread = NULL;
		thread_wake_all(&upcall_done, status);
	}
	struct component *c = t->home;
	if (c && c->init_thread == t) {
		c->init_thread = NULL;
		thread_wake_all(&c->init_done, status);
	}
	if (c && t->home_stack >= 0)
		component_stack_give(c, t->home_stack);
	thread_exit();
}

/* Components waiting for the recovery thread, oldest first. */
static struct component *recovery_head, *recovery_tail;
static struct wait_queue recovery_wait;

static void recovery_enqueue(struct component *c)
{
	c->recovery_next = NULL;
	if (recovery_tail)
		recovery_tail->recovery_next = c;
	else
		recovery_head = c;
	recovery_tail = c;
	thread_wake_one(&recovery_wait, 0);
}

void component_crash(struct component *c, const char *reason)
{
	if (c->state != COMPONENT_RUNNING && c->state != COMPONENT_LOADING)
		return;                 /* already down: one crash at a time */
	c->crashed_ns = clock_ns();
	/* If it drove the console, the kernel prints again, starting with this line. */
	if (console_driver == c)
		console_set_driver(false);
	kprintf("crash: %s: %s\n", c->name, reason);
	c->state = COMPONENT_RESTARTING;

	/* 1. Its threads stop and every call into it returns E_CALLEE_FAILED. */
	if (c->init_thread) {
		c->init_thread = NULL;
		thread_wake_all(&c->init_done, E_CALLEE_FAILED);
	}
	thread_wake_all(&c->stack_wait, E_CALLEE_RESTARTING);
	if (upcall_thread && upcall_thread->home == c) {
		upcall_thread = NULL;
		thread_wake_all(&upcall_done, E_CALLEE_FAILED);
	}
	bool caller_ends = pdx_unwind_component(c);
	/* 2. Its interrupt lines are masked (they stay pending until it is back).  Its
	 * devices are quiesced by the chipset on the recovery thread, before its memory is
	 * reset; until then the frames they may reach stay pinned (kernel/mm/frame.c). */
	irq_component_stopped(c);
	/* 3. What others granted it, and what it granted others, is revoked. */
	event_component_stopped(c);
	memobj_component_stopped(c);

	/* The rest (memory, init) happens on the recovery thread: the caller may be
	 * running in c's own domain, on c's own stack. */
	recovery_enqueue(c);

	/* The caller itself belonged to c (it faulted in c, or was caught by the watchdog),
	 * unless it is an orphan now, finishing a call in another component; or it was an
	 * orphan whose call c was: it has nowhere left to return to.  (Asking only "is its
	 * home c" let such an orphan run on, back in its home's next instance, on a stack
	 * that instance had given to another thread.) */
	if (caller_ends)
		thread_exit();
}

int64_t component_control(struct component *c, int op, const char *by)
{
	if (op == CONTROL_KILL) {
		if (c->state != COMPONENT_RUNNING && c->state != COMPONENT_LOADING)
			return E_BUSY;
		component_crash(c, "killed");
		return 0;
	}
	if (op == CONTROL_RESTART) {
		if (c->state == COMPONENT_RUNNING || c->state == COMPONENT_LOADING) {
			char reason[48];
			snprintf(reason, sizeof reason, "restart requested%s%s", by ? " by " : "", by ? by : "");
			component_crash(c, reason);
			return 0;
		}
		if (c->state != COMPONENT_FAILED && c->state != COMPONENT_STOPPED)
			return E_BUSY;  /* already on its way back */
		/* A failed component gets a fresh start: its restart history is forgotten. */
		c->restarts = 0;
		c->restart_next = 0;
		c->crashed_ns = clock_ns();
		c->state = COMPONENT_RESTARTING;
		recovery_enqueue(c);
		return 0;
	}
	return E_INVAL;
}

/* The restart policy (manifest "restart max=N window=MS"): may `c` restart once more now? */
static bool policy_allows(struct component *c, uint64_t now)
{
	const struct manifest_component *m = c->manifest;
	unsigned limit = m->restart_max < COMPONENT_RESTART_HISTORY ? m->restart_max : COMPONENT_RESTART_HISTORY;
	uint64_t window = (uint64_t)m->restart_window * 1000000;
	unsigned recent = 0;
	for (unsigned i = 0; i < COMPONENT_RESTART_HISTORY && i < c->restarts; i++)
		if (now - c->restart_ns[i] < window)
			recent++;
	return recent < limit;
}

/*
 * Runs method `name` of `c` with one argument on a new thread of c's, as the
 * kernel's own call, and waits for it (at most UPCALL_TIMEOUT_NS, after which
 * c counts as hung).  Returns the method's status.
 */
static int64_t upcall(struct component *c, const char *name, uint64_t arg)
{
	int method = c->iface ? idl_method_index(c->iface, name) : -1;
	if (method < 0)
		return E_NO_METHOD;
	int stack = component_stack_take(c);
	if (stack < 0)
		return stack;
	struct thread *t = thread_create_user(c, c->name, c->priority, c->base + c->image.entry,
					      component_stack_top(c, stack), (uint64_t)method, arg, 0, stack);
	if (!t) {
		component_stack_give(c, stack);
		return E_NOMEM;
	}
	upcall_thread = t;
	int64_t status = thread_block(&upcall_done, clock_ns() + UPCALL_TIMEOUT_NS);
	if (status == E_TIMEOUT && upcall_thread == t) {
		char why[80];
		snprintf(why, sizeof why, "%s did not return within %u ms", name,
			 (unsigned)(UPCALL_TIMEOUT_NS / 1000000));
		component_crash(c, why);
	}
	upcall_thread = NULL;
	return status;
}

/* DESIGN.md "Recovery" step 2: the chipset stops c's devices, empties their IOMMU domains and drops c's pins. */
static void quiesce_devices(struct component *c)
{
	struct component *chipset = device_chipset();
	if (!chipset || chipset == c || c->manifest->npci == 0)
		return;
	int64_t r = chipset->state == COMPONENT_RUNNING ? upcall(chipset, "driver_stopped", (uint64_t)c->id)
							: E_CALLEE_RESTARTING;
	if (r < 0)
		kprintf("recovery: %s: the chipset could not quiesce its devices: %s\n", c->name,
			pinfold_strerror(r) ? pinfold_strerror(r) : "its own error");
	if (c->pinned_pages)
		kprintf("recovery: %s: %lu pages still pinned for its devices\n", c->name, c->pinned_pages);
}

/*
 * A driver that stopped while the chipset itself was down waits behind the
 * chipset's restart, which is queued ahead of it: the new chipset rebuilds
 * the driver's domain from the kernel's record (device.c) and can then
 * quiesce the device and drop its pins, which nobody else knows how to do.
 */
static bool waits_for_chipset(const struct component *c)
{
	const struct component *chipset = device_chipset();
	return chipset && chipset != c && c->manifest->npci && chipset->state == COMPONENT_RESTARTING;
}

static void recover(struct component *c)
{
	if (waits_for_chipset(c)) {
		recovery_enqueue(c);
		return;
	}
	uint64_t now = clock_ns();
	quiesce_devices(c);
	if (!policy_allows(c, now)) {
		teardown_component(c);
		c->state = COMPONENT_FAILED;
		kprintf("failed: %s\n", c->name);
		return;
	}
	if (c->manifest->restart_backoff)
		thread_sleep((uint64_t)c->manifest->restart_backoff * 1000000);
	teardown_component(c);
	c->restart_ns[c->restart_next] = clock_ns();
	c->restart_next = (c->restart_next + 1) % COMPONENT_RESTART_HISTORY;
	c->restarts++;

	const char *err = build_component(c);
	if (err) {
		teardown_component(c);
		c->state = COMPONENT_FAILED;
		kprintf("recovery: %s: %s\n", c->name, err);
		kprintf("failed: %s\n", c->name);
		return;
	}
	if (run_init(c))
		kprintf("restart: %s: up in %lu us\n", c->name, (clock_ns() - c->crashed_ns) / 1000);
	/* else init crashed, and the crash queued c again */
}

static void recovery_thread(void *arg)
{
	(void)arg;
	for (;;) {
		while (!recovery_head)
			thread_block(&recovery_wait, 0);
		struct component *c = recovery_head;
		recovery_head = c->recovery_next;
		if (!recovery_head)
			recovery_tail = NULL;
		recover(c);
	}
}

static const char *const exception_names[32] = {
	[0] = "divide error", [1] = "debug trap", [3] = "breakpoint", [4] = "overflow",
	[5] = "bound range exceeded", [6] = "invalid opcode", [7] = "device not available",
	[12] = "stack-segment fault", [13] = "general protection fault", [14] = "page fault",
	[16] = "x87 floating-point error", [17] = "alignment check", [19] = "SIMD floating-point error",
};

void lifecycle_user_fault(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct component *c = t->current;
	const char *what = f->vector < 32 && exception_names[f->vector]
		? exception_names[f->vector] : "exception";
	char reason[128];
	if (f->vector == VECTOR_PAGE_FAULT) {
		uint64_t addr = read_cr2();
		snprintf(reason, sizeof reason, "page fault at 0x%lx (%s, %s, error 0x%lx) at rip 0x%lx",
			 addr, (f->error_code & 0x10) ? "fetch" : (f->error_code & 2) ? "write" : "read",
			 (f->error_code & 1) ? "protection" : "not mapped", f->error_code, f->rip);
	} else {
		snprintf(reason, sizeof reason, "%s (vector %lu, error 0x%lx) at rip 0x%lx",
			 what, f->vector, f->error_code, f->rip);
	}
	kprintf("fault: %s: thread %s, rsp 0x%lx, call depth %d\n", c->name, t->name, f->rsp, t->depth);
	component_crash(c, reason);     /* ends t if t belonged to c */
	/* Unwound: f now resumes the thread's caller with E_CALLEE_FAILED. */
	t->unwound = false;
}
