/*
 * idt.c — the interrupt descriptor table.
 *
 * Every vector gets an interrupt gate (interrupts off on entry) to its stub
 * in isr.S.  Double fault and NMI run on their own IST stacks, because they
 * can arrive when the current stack is unusable.  Gate layout: Intel SDM
 * vol. 3, 6.14.1, figure 6-8.
 */
#include "kernel/x86/trap.h"

#include "kernel/x86/gdt.h"

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

#define GATE_INTERRUPT 0x8e     /* P=1, DPL=0, type 0xE: 64-bit interrupt gate */

extern const uint64_t isr_stub_table[NUM_VECTORS];
static struct idt_gate idt[NUM_VECTORS] __attribute__((aligned(16)));

static void set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = SEL_KERNEL_CODE,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < NUM_VECTORS; v++)
		set_gate(v, isr_stub_table[v], 0);
	set_gate(8, isr_stub_table[8], IST_DOUBLE_FAULT);
	set_gate(2, isr_stub_table[2], IST_NMI);

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" ::"m"(ptr) : "memory");
}
