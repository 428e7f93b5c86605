/*
 * serial.c — the COM1 UART driver, a user-level component, and the console.
 *
 * It owns the UART's ports (0x3f8-0x3ff) and IRQ 4 through the manifest.
 *
 * Output: a thread of the driver takes everything printed on Pinfold — kernel
 * messages and components' text, kept by the kernel in the console log —
 * with SYS_CONSOLE_READ, writes it to the UART by polling the transmitter,
 * and commits it with SYS_CONSOLE_COMMIT.  While the driver is down the
 * kernel prints the log itself, so nothing is lost and no line is cut.
 *
 * Input is interrupt-driven: init enables the "received data available"
 * interrupt (PC16550D: IER bit 0); the kernel runs serial.interrupt on the
 * driver's interrupt thread, which drains the receive FIFO into a ring and
 * signals the subscriber's event; the subscriber (the shell) fetches the
 * bytes with serial.read.  Register offsets: PC16550D datasheet, table 2.
 */
#include <pinfold/kcall.h>
#include <stdbool.h>
#include <string.h>

#include "components/crashme/faults.h"
#include "serial_server.h"

#define COM1       0x3f8
#define UART_RBR   0       /* receive buffer (read, DLAB=0) */
#define UART_THR   0       /* transmit holding (write) */
#define UART_IER   1
#define UART_IIR   2
#define UART_LSR   5
#define IER_RX_AVAILABLE 0x01
#define LSR_DATA_READY   0x01
#define LSR_THR_EMPTY    0x20
#define RX_RING    256     /* a power of two */

/* rx_* are written by the interrupt thread and read by callers of read(): both run on one CPU,
 * in a kernel that switches threads only at kernel calls and interrupts, and each update
 * below is one store, so a reader sees either the old or the new value. */
static uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;
static uint64_t received;
static int64_t subscriber = -1;        /* the event to signal, or -1 */
static bool report, hang_on_h, hang_next_interrupt;

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

static void put(uint8_t c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		__asm__ volatile("pause");
	outb(COM1 + UART_THR, c);
}

/* The console: print the kernel's console log for as long as we live. */
static void printer(uint64_t arg)
{
	static char text[512];
	char last = 0;
	(void)arg;
	for (;;) {
		struct kcall_result r = kcall(SYS_CONSOLE_READ, (uint64_t)text, sizeof text, 0, 0);
		if (r.status < 0) {
			sleep_ns(10000000);
			continue;
		}
		/* Commit line by line: if we crash mid-chunk, the kernel reprints at most the
		 * current line's start, never whole lines twice. */
		uint64_t done = 0;
		for (uint64_t i = 0; i < r.value; i++) {
			if (text[i] == '\n' && last != '\r')  /* terminals want CR LF; the editor sends it already */
				put('\r');
			put((uint8_t)text[i]);
			last = text[i];
			if (text[i] == '\n') {
				kcall(SYS_CONSOLE_COMMIT, i + 1 - done, 0, 0, 0);
				done = i + 1;
			}
		}
		kcall(SYS_CONSOLE_COMMIT, r.value - done, 0, 0, 0);
	}
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
	int64_t t = thread_create(printer, 0, 20);
	return t < 0 ? t : 0;
}

int64_t serve_interrupt(uint64_t line)
{
	(void)line;
	(void)inb(COM1 + UART_IIR);
	bool any = false;
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		uint8_t byte = inb(COM1 + UART_RBR);
		received++;
		any = true;
		if (rx_head - rx_tail < RX_RING) {      /* a full ring drops the newest byte */
			rx_ring[rx_head % RX_RING] = byte;
			rx_head++;
		}
		if (report)
			log_printf("serial: received 0x%02x\n", byte);
		if ((hang_on_h && byte == 'H') || hang_next_interrupt)
			for (;;)                /* an interrupt method that never returns */
				__asm__ volatile("pause");
	}
	if (any && subscriber >= 0)
		event_signal(subscriber);
	return 0;
}

int64_t serve_read(uint64_t *bytes, uint64_t *count)
{
	uint64_t packed = 0, n = 0;
	while (n < 8 && rx_tail != rx_head) {
		packed |= (uint64_t)rx_ring[rx_tail % RX_RING] << (8 * n);
		rx_tail++;
		n++;
	}
	*bytes = packed;
	*count = n;
	return 0;
}

int64_t serve_subscribe(uint64_t event)
{
	subscriber = (int64_t)event;
	if (rx_head != rx_tail)
		event_signal(subscriber);
	return 0;
}

int64_t serve_received(uint64_t *count)
{
	*count = received;
	return 0;
}

int64_t serve_inject(uint64_t kind)
{
	if (kind == CRASH_IRQ_HANG) {
		hang_next_interrupt = true;     /* the next byte typed hangs the interrupt method */
		return 1;
	}
	return inject_fault(kind);
}
