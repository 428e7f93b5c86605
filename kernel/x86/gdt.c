/*
 * gdt.c — builds the GDT and TSS and loads them.
 *
 * Descriptor layouts: Intel SDM vol. 3, 3.4.5 (segment descriptors) and
 * 8.2.3 (the 16-byte TSS descriptor of IA-32e mode); the 64-bit TSS itself:
 * 8.7, figure 8-11.
 */
#include "kernel/x86/gdt.h"

#include <assert.h>
#include <pinfold/hot.h>
#include <string.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes (SDM figure 8-11)");

#define IST_STACK_SIZE 8192

/*
 * The TSS is followed by its I/O permission bitmap (SDM vol. 1, 19.5.2): one
 * bit per port, 1 = a user-mode IN/OUT faults.  All ports start denied; the
 * bits of a component's ports are cleared while its domain is in force
 * (tss_allow_ports).  The byte after the bitmap must be all ones.
 */
#define IO_BITMAP_BYTES 8192
static struct {
	struct tss tss;
	uint8_t io_bitmap[IO_BITMAP_BYTES];
	uint8_t io_bitmap_end;
} __attribute__((packed, aligned(16))) task_state;
static uint8_t ist_stacks[2][IST_STACK_SIZE] __attribute__((aligned(16)));

/* Access byte: P=1, DPL, S=1, type; flags: L=1 for 64-bit code, G=1. */
#define CODE64(dpl) (0x00209a0000000000ull | ((uint64_t)(dpl) << 45))
#define DATA64(dpl) (0x0000920000000000ull | ((uint64_t)(dpl) << 45))

static uint64_t gdt[8] = {
	[SEL_KERNEL_CODE / 8] = CODE64(0),
	[SEL_KERNEL_DATA / 8] = DATA64(0),
	[SEL_USER_CODE32 / 8] = 0,
	[SEL_USER_DATA / 8]   = DATA64(3),
	[SEL_USER_CODE / 8]   = CODE64(3),
	/* SEL_TSS and the slot after it are filled in by gdt_init(). */
};

static void tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (0x89ull << 40) |                 /* P=1, type 9: available 64-bit TSS */
		  ((uint64_t)((limit >> 16) & 0xf) << 48) |
		  (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	memset(&task_state.tss, 0, sizeof task_state.tss);
	task_state.tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)&ist_stacks[0][IST_STACK_SIZE];
	task_state.tss.ist[IST_NMI - 1] = (uint64_t)&ist_stacks[1][IST_STACK_SIZE];
	task_state.tss.iomap_base = sizeof(struct tss);
	memset(task_state.io_bitmap, 0xff, sizeof task_state.io_bitmap);
	task_state.io_bitmap_end = 0xff;
	tss_descriptor(&gdt[SEL_TSS / 8], (uint64_t)&task_state, sizeof task_state - 1);

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof gdt - 1, (uint64_t)gdt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %1, %%ds\n\t"
		"mov %1, %%es\n\t"
		"mov %1, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		/* Reload CS with a far return: push the selector and the target. */
		"pushq %2\n\t"
		"lea 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"ltr %w3\n\t"
		:
		: "m"(ptr), "r"((uint64_t)SEL_KERNEL_DATA), "i"(SEL_KERNEL_CODE), "r"(SEL_TSS)
		: "rax", "memory");
}

void tss_allow_ports(uint16_t first, uint16_t last, bool allow)
{
	for (uint32_t port = first; port <= last; port++) {
		uint8_t bit = (uint8_t)(1u << (port % 8));
		if (allow)
			task_state.io_bitmap[port / 8] &= (uint8_t)~bit;
		else
			task_state.io_bitmap[port / 8] |= bit;
	}
}

HOT void tss_set_kernel_stack(uint64_t rsp0)
{
	task_state.tss.rsp[0] = rsp0;
}
