/*
 * main.c — kmain(), the order in which the kernel comes up.
 *
 * Each step needs only the ones before it:
 *   console        so every later step can report (and fail) loudly
 *   GDT, IDT       so a fault in any later step gets a full report
 *   boot info      the memory map, modules, command line, RSDP
 *   frames, vm     free RAM, then the kernel's own page tables
 *   ACPI           where the interrupt controllers, ECAM and the IOMMU are
 *   interrupts     legacy PIC off, LAPIC and IOAPIC on, timer calibrated
 *   components     manifest and images checked, loaded, inits run in order
 * and the boot thread ends with "pinfold: ready" (the console contract in
 * DESIGN.md) once every component's init has returned.
 */
#include <stddef.h>
#include <string.h>

#include "kernel/bootopt.h"
#include "kernel/component/domain.h"
#include "kernel/component/killstress.h"
#include "kernel/component/lifecycle.h"
#include "kernel/console.h"
#include "kernel/layout.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/vm.h"
#include "kernel/multiboot.h"
#include "kernel/panic.h"
#include "kernel/platform.h"
#include "kernel/sched/sched.h"
#include "kernel/selftest.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/clock.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/gdt.h"
#include "kernel/x86/trap.h"

#define PINFOLD_VERSION "0.1"

extern const char kernel_image_start_phys[], kernel_image_end[];

static struct boot_info boot_info;   /* written once, here */
static struct boot_options options;

static void complain(const char *msg, void *ctx)
{
	(void)ctx;
	kprintf("boot: %s (ignored)\n", msg);
}

/* Everything in use at boot that the frame allocator must never hand out. */
static size_t boot_reserved(struct phys_range *r, size_t cap)
{
	size_t n = 0;
	r[n++] = (struct phys_range){ 0, 0x100000 };       /* BIOS data, and SeaBIOS's live AHCI buffers */
	r[n++] = (struct phys_range){ (uint64_t)kernel_image_start_phys,
				      (uint64_t)kernel_image_end - KERNEL_VMA };
	r[n++] = (struct phys_range){ boot_info.info_start, boot_info.info_end };
	for (size_t i = 0; i < boot_info.module_count && n < cap; i++)
		r[n++] = (struct phys_range){ boot_info.modules[i].start, boot_info.modules[i].end };
	return n;
}

static void memory_init(void)
{
	struct phys_range reserved[MAX_BOOT_MODULES + 3];
	static struct phys_range free[MEMMAP_MAX_RANGES];
	size_t nres = boot_reserved(reserved, sizeof reserved / sizeof reserved[0]);
	size_t nfree = memmap_free_ranges(boot_info.memmap, boot_info.memmap_count,
					  reserved, nres, free, MEMMAP_MAX_RANGES);
	if (!nfree)
		PANIC("the memory map has no free RAM");
	frame_init(free, nfree);
	vm_init(boot_info.memmap, boot_info.memmap_count);

	for (size_t i = 0; i < boot_info.memmap_count; i++)
		kprintf("mem: map 0x%lx-0x%lx type %u\n", boot_info.memmap[i].base,
			boot_info.memmap[i].base + boot_info.memmap[i].length, boot_info.memmap[i].type);
	uint64_t usable = memmap_usable_bytes(boot_info.memmap, boot_info.memmap_count);
	kprintf("mem: %lu MiB usable RAM in %zu map entries, top 0x%lx; %zu free frames (%lu MiB)\n",
		usable >> 20, boot_info.memmap_count,
		memmap_ram_top(boot_info.memmap, boot_info.memmap_count),
		frame_free_count(), (uint64_t)frame_free_count() * PAGE_SIZE >> 20);
}

void kmain(uint32_t magic, uint64_t info_phys)
{
	console_init();
	kprintf("\npinfold: booting Pinfold " PINFOLD_VERSION " (x86-64)\n");
	gdt_init();
	idt_init();

	const char *err = multiboot_parse(magic, phys_to_virt(info_phys), info_phys, &boot_info);
	if (err)
		PANIC("boot information: %s", err);
	bootopt_parse(boot_info.cmdline, &options, complain, NULL);
	if (boot_info.cmdline[0])
		kprintf("boot: command line '%s'\n", boot_info.cmdline);

	memory_init();
	platform_init(&boot_info, options.tick_hz);
	irq_enable();
	clock_check_tick(5);

	domain_cpu_init();
	syscall_init();
	syscall_set_cmdline(boot_info.cmdline);
	selftest_provoke(options.fault);
	components_boot(&boot_info);        /* its boot thread prints "pinfold: ready" */
	if (strcmp(options.test, "kill-stress") == 0)
		killstress_start();
	sched_set_idle_poll(options.idle_poll_us * 1000ull);
	sched_start();
}
