/*
 * console.c — the console log, and the kernel's own path to the 16550 UART
 * on COM1.
 *
 * Everything printed goes into the console log (console.h).  While the
 * serial driver runs, it moves the log to the UART.  Before it runs and while
 * it is down, the kernel does, in one of two ways:
 *   - before the scheduler starts, and for a panic: by polling, byte after
 *     byte, until everything is out (slow, but it cannot lose output and
 *     needs nothing else to work);
 *   - otherwise, never waiting: a drain writes only what the transmitter has
 *     room for now (PC16550D: with FIFOs enabled, LSR bit 5 "THRE" means the
 *     16-byte transmit FIFO is empty) and at most DRAIN_BUDGET bytes, after
 *     every append and at every timer tick.  Polling there cost about 87 us
 *     per character at 115200 baud with interrupts off, on every SYS_LOG of
 *     every component, while the driver was down.
 * The kernel and the driver print the same log, in order, from the same
 * position (log_printed), so neither cuts into a line of the other.
 * Line endings become CR LF so any terminal shows them right.
 * Register offsets: PC16550D datasheet, table 2 ("Register Summary").
 */
#include "kernel/console.h"

#include <stdio.h>

#include "kernel/component/component.h"
#include "kernel/component/lifecycle.h"
#include "kernel/sched/thread.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/clock.h"
#include "kernel/x86/cpu.h"

#define COM1            0x3f8
#define UART_DATA       0       /* THR on write, RBR on read (DLAB=0) */
#define UART_IER        1       /* interrupt enable; DLM when DLAB=1 */
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LCR_DLAB        0x80
#define LCR_8N1         0x03
#define FCR_ENABLE_CLEAR 0x07   /* enable FIFOs, clear both */
#define MCR_DTR_RTS     0x03
#define LSR_THR_EMPTY   0x20
#define BAUD_DIVISOR    1       /* 115200 baud from the 1.8432 MHz clock */
#define UART_TX_FIFO    16      /* PC16550D: "16-byte transmit FIFO" */
#define DRAIN_BUDGET    256     /* bytes per drain: bounds the time with interrupts off */

void console_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, BAUD_DIVISOR & 0xff);
	outb(COM1 + UART_IER, BAUD_DIVISOR >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void uart_put(char c)
{
	/* Bounded: a UART that never drains (none attached) must not hang the kernel. */
	for (int spins = 0; spins < 100000 && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); spins++)
		cpu_relax();
	outb(COM1 + UART_DATA, (uint8_t)c);
}

#define LOG_SIZE 65536          /* a power of two: positions wrap by masking */

/* The console log; all fields protected by running with interrupts off. */
static char log_ring[LOG_SIZE];
static uint64_t log_end;        /* bytes ever appended */
static uint64_t log_printed;    /* bytes ever put on the wire */
static bool driver_running;
static bool polled;             /* a panic or a stop: print everything now, by polling */

static void skip_overwritten(void)
{
	if (log_end - log_printed > LOG_SIZE)
		log_printed = log_end - LOG_SIZE;       /* overwritten before anyone printed it */
}

/* The next unprinted byte as it goes on the wire: 1 or 2 bytes (CR before a bare LF). */
static int next_wire_bytes(char out[2])
{
	char c = log_ring[log_printed & (LOG_SIZE - 1)];
	char before = log_printed ? log_ring[(log_printed - 1) & (LOG_SIZE - 1)] : 0;
	if (c == '\n' && before != '\r') {
		out[0] = '\r';
		out[1] = c;
		return 2;
	}
	out[0] = c;
	return 1;
}

/* For boot and panics: write out everything unprinted, by polling. */
static void kernel_flush(void)
{
	skip_overwritten();
	for (; log_printed < log_end; log_printed++) {
		char wire[2];
		int n = next_wire_bytes(wire);
		for (int i = 0; i < n; i++)
			uart_put(wire[i]);
	}
}

/*
 * The last-resort path once threads run: as much as the UART takes without
 * waiting, at most DRAIN_BUDGET bytes; the rest waits for the next append or
 * tick.  A real UART takes 16 bytes per empty FIFO; QEMU's empties at once.
 */
static void kernel_drain(void)
{
	unsigned budget = DRAIN_BUDGET;
	skip_overwritten();
	while (log_printed < log_end && budget >= 2 && (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)) {
		unsigned room = budget < UART_TX_FIFO ? budget : UART_TX_FIFO;
		for (; room >= 2 && log_printed < log_end; log_printed++) {
			char wire[2];
			int n = next_wire_bytes(wire);
			for (int i = 0; i < n; i++)
				outb(COM1 + UART_DATA, (uint8_t)wire[i]);
			room -= (unsigned)n;
			budget -= (unsigned)n;
		}
	}
}

/* Prints by the kernel's own path: polled before the scheduler runs and once panicking, bounded otherwise. */
static void kernel_print(void)
{
	if (sched_current && !polled)
		kernel_drain();
	else
		kernel_flush();
}

static void console_sink(char c, void *ctx)
{
	(void)ctx;
	log_ring[log_end++ & (LOG_SIZE - 1)] = c;
}

/*
 * Lines of different writers never share a console line: text from the
 * kernel or another component that arrives while a component's line is open
 * (the shell's prompt waiting for input) starts on a new line.  Scripts and
 * people read console lines by their first word.  The kernel's own lines,
 * printed in several calls (PANIC: ...), are not broken up.
 */
#define NO_WRITER (-1)
static int mid_line_writer = NO_WRITER;   /* the component whose line the log ends inside */

/* Before text from `writer` (a component id, or KERNEL_WRITER): end another writer's line. */
static void start_line(int writer)
{
	if (mid_line_writer != NO_WRITER && mid_line_writer != writer)
		console_sink('\n', 0);
	mid_line_writer = NO_WRITER;
}

static void appended(void)
{
	if (!driver_running)
		kernel_print();
	else
		syscall_console_appended();
}

void kputs(const char *s)
{
	uint64_t flags = irq_save();
	start_line(KERNEL_WRITER);
	while (*s)
		console_sink(*s++, 0);
	appended();
	irq_restore(flags);
}

void kvprintf(const char *fmt, va_list ap)
{
	uint64_t flags = irq_save();
	start_line(KERNEL_WRITER);
	vformat(console_sink, 0, fmt, ap);
	appended();
	irq_restore(flags);
}

void console_write(int writer, const char *s, size_t n)
{
	uint64_t flags = irq_save();
	if (n)
		start_line(writer);
	for (size_t i = 0; i < n; i++)
		console_sink(s[i], 0);
	if (n && s[n - 1] != '\n')
		mid_line_writer = writer;
	appended();
	irq_restore(flags);
}

void console_set_driver(bool running)
{
	uint64_t flags = irq_save();
	driver_running = running;
	if (!running)
		kernel_print();         /* what the driver had not written yet */
	irq_restore(flags);
}

/*
 * The console's watchdog.  The driver's printer is a thread, not a method,
 * so pdx_watchdog() never sees it; what it owes is progress.  If the log has
 * had text the driver has not committed, with no byte committed meanwhile,
 * for longer than its manifest's watchdog allows (but at least
 * CONSOLE_STALL_MIN_MS: the printer runs below the interrupt threads and the
 * recovery thread, which may hold the CPU for a while without anything
 * being wrong with it), the driver is crashed like any hung component, and
 * the kernel prints again until it is back.
 */
#define CONSOLE_STALL_MIN_MS 1000
static uint64_t watched_printed, watched_since_tick;

void console_tick(void)
{
	if (!driver_running) {
		if (log_printed != log_end)
			kernel_drain();
		watched_since_tick = clock_ticks();     /* a driver coming back starts with a clean slate */
		return;
	}
	if (log_printed == log_end || log_printed != watched_printed) {
		watched_printed = log_printed;
		watched_since_tick = clock_ticks();
		return;
	}
	struct component *c = console_driver;
	if (!c)
		return;
	unsigned limit_ms = c->manifest->watchdog_ms > CONSOLE_STALL_MIN_MS ? c->manifest->watchdog_ms
									   : CONSOLE_STALL_MIN_MS;
	if (clock_ticks() - watched_since_tick > (uint64_t)limit_ms * clock_tick_hz() / 1000) {
		char why[80];
		snprintf(why, sizeof why, "watchdog: console output stalled for %u ms", limit_ms);
		component_crash(c, why);
	}
}

void console_panic_mode(void)
{
	polled = true;
	driver_running = false;
	kernel_flush();
}

size_t console_peek(char *buf, size_t max)
{
	skip_overwritten();
	size_t n = 0;
	for (uint64_t p = log_printed; p < log_end && n < max; p++)
		buf[n++] = log_ring[p & (LOG_SIZE - 1)];
	return n;
}

void console_commit(size_t n)
{
	if (n > log_end - log_printed)
		n = log_end - log_printed;
	log_printed += n;
}

size_t console_recent(char *buf, size_t max)
{
	uint64_t avail = log_end < LOG_SIZE ? log_end : LOG_SIZE;
	size_t n = max < avail ? max : avail;
	for (size_t i = 0; i < n; i++)
		buf[i] = log_ring[(log_end - n + i) & (LOG_SIZE - 1)];
	return n;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
