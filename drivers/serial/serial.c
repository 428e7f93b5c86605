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
 * Input is interrupt-driven, and the UART is the only buffer: init enables
 * the "received data available" interrupt (PC16550D: IER bit 0); the kernel
 * runs serial.interrupt on the driver's interrupt thread, which turns that
 * interrupt off again and signals the subscriber's event; the subscriber (the
 * shell) then takes the bytes out of the receive FIFO with serial.read, which
 * turns the interrupt back on once the FIFO is empty.  A byte therefore stays
 * in the UART until the moment the shell takes it, and a restart of this
 * driver, at any time, loses nothing typed: the FIFO outlives the driver.  (A
 * ring in the driver's memory did not: everything in it when the driver
 * crashed was gone, so a line typed ahead across a restart lost its middle
 * and the shell ran the rest, "ps" as "p".)  QEMU's 16550 takes a byte from
 * the terminal only when the FIFO has room, so a slow reader loses nothing;
 * FIXME: a real 16550 overruns after 16 bytes not read in time, so on real
 * hardware keep the interrupt on and drain into a ring that the kernel keeps
 * across restarts.  Register offsets: PC16550D datasheet, table 2.
 *
 * Under test=irq and test=irq-hang the interrupt method still drains the FIFO
 * itself, into a small ring, to report each byte as it arrives.
 */
#include <pinfold/kcall.h>
#include <stdbool.h>
#include <string.h>

#include "components/crashme/faults.h"
#include "libdriver/io.h"
#include "serial_server.h"

#define COM1       0x3f8
#define UART_RBR   0       /* receive buffer (read, DLAB=0) */
#define UART_THR   0       /* transmit holding (write) */
#define UART_IER   1
#define UART_IIR   2       /* interrupt identification (read) */
#define UART_FCR   2       /* FIFO control (write) */
#define UART_LSR   5
#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE       0x01    /* already set by the kernel: setting it again clears nothing */
#define FCR_TRIGGER_14   0xc0    /* "received data available" at 14 bytes, else after a timeout */
#define LSR_DATA_READY   0x01
#define LSR_THR_EMPTY    0x20
#define RX_RING    256     /* a power of two */

/* rx_* (test=irq only) are written by the interrupt thread and read by callers of read(): both
 * run on one CPU, in a kernel that switches threads only at kernel calls and interrupts, and
 * each update below is one store, so a reader sees either the old or the new value. */
static uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;
static volatile uint64_t received;
static int64_t subscriber = -1;        /* the event to signal, or -1 */
static bool report, hang_on_h, hang_next_interrupt;
static volatile bool printer_hangs;    /* inject serial hang: the printer stops, the rest answers */

static void put(uint8_t c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		cpu_relax();
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
		while (printer_hangs)           /* for the kernel's console watchdog to find */
			cpu_relax();
		/* Commit each byte as soon as it is on the wire.  When we crash, the kernel
		 * prints from the first byte not committed: committing a whole chunk (or line)
		 * at its end let a crash in the middle print the chunk's start twice ("kil"
		 * then "ill serial": the shell ran, and killed us, while we were preempted
		 * mid-chunk; the kernel caps this thread's priority 20 at the manifest's,
		 * the shell's 10, so the tick takes turns between them).  Now at most the one
		 * byte between put and commit is repeated; committing before the put would
		 * lose it instead. */
		for (uint64_t i = 0; i < r.value; i++) {
			if (text[i] == '\n' && last != '\r')  /* terminals want CR LF; the editor sends it already */
				put('\r');
			put((uint8_t)text[i]);
			last = text[i];
			kcall(SYS_CONSOLE_COMMIT, 1, 0, 0, 0);
		}
	}
}

int64_t component_init(void)
{
	char which[32];
	if (boot_option("test", which, sizeof which) >= 0) {
		report = strcmp(which, "irq") == 0 || strcmp(which, "irq-hang") == 0;
		hang_on_h = strcmp(which, "irq-hang") == 0;
	}
	/* Bytes typed while we were down wait in the UART's FIFO: keep them, for the shell.
	 * (Throwing them away here lost the start of a line typed during a restart, and the
	 * shell ran the rest: "ps" as "s".)  The kernel runs our interrupt method once as
	 * soon as the line is bound again (kernel/component/irq.c), which tells the shell.
	 * A trigger level of 14 instead of the kernel's 1: QEMU moves at most that many
	 * waiting bytes into the FIFO at a time, so a pasted burst takes a few reads, not
	 * one per byte; a lone key interrupts after four character times (PC16550D,
	 * "FIFO interrupt mode operation"), 0.35 ms at 115200 baud. */
	outb(COM1 + UART_FCR, FCR_ENABLE | FCR_TRIGGER_14);
	outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	int64_t t = thread_create(printer, 0, 20);
	return t < 0 ? t : 0;
}

/* Under test=irq: take every byte out of the FIFO now, into the ring, and report it. */
static void drain_and_report(void)
{
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		uint8_t byte = inb(COM1 + UART_RBR);
		received++;
		if (rx_head - rx_tail < RX_RING) {      /* a full ring drops the newest byte */
			rx_ring[rx_head % RX_RING] = byte;
			rx_head++;
		}
		log_printf("serial: received 0x%02x\n", byte);
		if ((hang_on_h && byte == 'H') || hang_next_interrupt)
			for (;;)                /* an interrupt method that never returns */
				cpu_relax();
	}
}

int64_t serve_interrupt(uint64_t line)
{
	(void)line;
	(void)inb(COM1 + UART_IIR);
	/* Nothing in the FIFO: the run at start, or a message another device forged for our
	 * vector (README, "Interrupt remapping"); then there is nothing to tell the shell. */
	bool waiting = inb(COM1 + UART_LSR) & LSR_DATA_READY;
	if (report) {
		drain_and_report();
	} else {
		if (hang_next_interrupt)
			for (;;)                /* an interrupt method that never returns */
				cpu_relax();
		/* The bytes stay in the FIFO until read() takes them.  Until then the UART must
		 * not interrupt again: a level-triggered line would fire at once, forever.  (The
		 * run at start may find the FIFO empty: then leave the interrupt on.) */
		if (waiting)
			outb(COM1 + UART_IER, 0);
	}
	if (subscriber >= 0 && (waiting || rx_head != rx_tail))
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
	while (n < 8 && !report && (inb(COM1 + UART_LSR) & LSR_DATA_READY)) {
		packed |= (uint64_t)inb(COM1 + UART_RBR) << (8 * n);
		received++;
		n++;
	}
	/* The FIFO is empty (the caller reads until we return nothing): the next byte may
	 * interrupt again.  If one came after the check above, enabling raises the line now. */
	if (n < 8 && !report)
		outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	*bytes = packed;
	*count = n;
	return 0;
}

int64_t serve_subscribe(uint64_t event)
{
	subscriber = (int64_t)event;
	if (rx_head != rx_tail || (inb(COM1 + UART_LSR) & LSR_DATA_READY))
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
	if (kind == CRASH_HANG) {
		printer_hangs = true;           /* alive and answering, but nothing more is printed */
		return 1;
	}
	return inject_fault(kind);
}
