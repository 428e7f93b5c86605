/*
 * pit.c — a busy wait of known length on the 8254's channel 2.
 *
 * Channel 2 is the one whose gate and output software can see (port 0x61,
 * bits 0 and 5), so it can time an interval without any interrupt: program
 * mode 0 ("interrupt on terminal count"), open the gate, and poll the output,
 * which goes high when the count reaches zero (8254 datasheet, mode 0).
 */
#include "kernel/time/pit.h"

#include "kernel/x86/cpu.h"

#define PIT_CH2      0x42
#define PIT_CMD      0x43
#define PORT_B       0x61
#define PORTB_GATE2  0x01
#define PORTB_SPKR   0x02
#define PORTB_OUT2   0x20
#define CMD_CH2_LOHI_MODE0 0xb0

void pit_wait_us(uint32_t us)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * us / 1000000);
	if (count > 0xffff)
		count = 0xffff;

	uint8_t b = inb(PORT_B);
	outb(PORT_B, (b & ~(PORTB_GATE2 | PORTB_SPKR)));   /* gate closed, speaker off */
	outb(PIT_CMD, CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	outb(PORT_B, (b & ~PORTB_SPKR) | PORTB_GATE2);       /* open the gate: counting starts */
	while (!(inb(PORT_B) & PORTB_OUT2))
		cpu_relax();
	outb(PORT_B, b & ~(PORTB_GATE2 | PORTB_SPKR));
}
