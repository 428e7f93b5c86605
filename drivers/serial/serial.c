/*
 * serial.c — the COM1 UART driver, a user-level component.
 *
 * It owns the UART's ports (0x3f8-0x3ff) and IRQ 4 through the manifest; the
 * kernel delivers each interrupt by running serial.interrupt on the driver's
 * interrupt thread.  Receiving is interrupt-driven: init enables the
 * "received data available" interrupt (PC16550D: IER bit 0), and the
 * interrupt method drains the receive FIFO while LSR bit 0 (data ready) is
 * set.  Register offsets: PC16550D datasheet, table 2.
 *
 * FIXME: transmitting still goes through the kernel's polled console, and the
 * received bytes are only counted and, under test=irq, reported; the shell
 * (the interrupts-and-shell issue) will read them from here.
 */
#include <pinfold/kcall.h>
#include <stdbool.h>
#include <string.h>

#include "serial_server.h"

#define COM1       0x3f8
#define UART_RBR   0       /* receive buffer (read, DLAB=0) */
#define UART_IER   1
#define UART_IIR   2
#define UART_LSR   5
#define IER_RX_AVAILABLE 0x01
#define LSR_DATA_READY   0x01

static uint64_t received;
static bool report, hang_on_h;

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

int64_t component_init(void)
{
	char which[32];
	if (boot_option("test", which, sizeof which) >= 0) {
		report = strcmp(which, "irq") == 0 || strcmp(which, "irq-hang") == 0;
		hang_on_h = strcmp(which, "irq-hang") == 0;
	}
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY)   /* whatever arrived while we were down */
		inb(COM1 + UART_RBR);
	outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	return 0;
}

int64_t serve_interrupt(uint64_t line)
{
	(void)line;
	(void)inb(COM1 + UART_IIR);
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		uint8_t byte = inb(COM1 + UART_RBR);
		received++;
		if (report)
			log_printf("serial: received 0x%02x\n", byte);
		if (hang_on_h && byte == 'H')
			for (;;)                /* test=irq-hang: an interrupt method that never returns */
				__asm__ volatile("pause");
	}
	return 0;
}

int64_t serve_received(uint64_t *count)
{
	*count = received;
	return 0;
}
