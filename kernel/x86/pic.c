/*
 * pic.c — switches off the legacy 8259A interrupt controllers.
 *
 * Pinfold takes interrupts through the LAPIC and IOAPIC only.  The PICs are
 * first remapped to vectors 0x20-0x2f (ICW1-ICW4, 8259A datasheet) so that
 * a spurious PIC interrupt can never look like a CPU exception, then every
 * line is masked.
 */
#include "kernel/x86/pic.h"

#include "kernel/x86/cpu.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, 0x20);          /* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04);          /* ICW3: the slave hangs off IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);          /* OCW1: mask everything */
	outb(PIC2_DATA, 0xff);
}
