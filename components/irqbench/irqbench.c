/*
 * irqbench.c — interrupt-delivery latency: from a device raising its
 * interrupt to the first instruction of its driver's interrupt method
 * (boot option bench=irq).
 *
 * The device is the 16550 UART at COM2, which QEMU provides when given a
 * second -serial option; the manifest gives this component its ports and
 * IRQ 3.  The UART raises its interrupt at the moment it is allowed to: with
 * the transmitter empty, setting IER's "transmitter holding register empty"
 * bit makes the THRE interrupt pending at once (PC16550D datasheet, table 2
 * and the IIR description: THRE is priority 3, reset by reading IIR when it
 * is the source, or by writing THR).  One round:
 *
 *   benchmark thread                      interrupt thread (kernel-run)
 *   t0 = TSC; IER = THRE enable  --IRQ 3-->  serve_interrupt: t1 = TSC first,
 *   spin until done, then                    read IIR (THRE must be the cause),
 *   event_wait                               IER = 0, record t1 - t0, done,
 *                                            event_signal
 *
 * The benchmark thread spins in user mode after arming so that the interrupt
 * finds the CPU running user code, as it would in a busy system; TCG takes an
 * interrupt only at the end of a translation block, and without the spin that
 * could be inside the event_wait kernel call.  The event is the fallback for
 * an interrupt that does not come at once, and the timeout catches one that
 * never comes.
 *
 * Under QEMU's -icount shift=0 the TSC counts guest instructions exactly, so
 * the "tsc" figures are instruction counts (tools/benchirq.py).  The "-ns"
 * figures convert with the TSC rate the kernel's clock shows over the run.
 * Each figure includes the few instructions from the first RDTSC to the OUT
 * that arms the UART; `irq-delivery-timing-overhead` is that sequence timed
 * with an OUT that raises nothing.
 *
 * Without bench=irq, or without a UART at COM2, init does nothing more, and
 * the interrupt method (which the kernel runs once when it binds the line)
 * returns at once.
 */
#include <pinfold/kcall.h>
#include <stdbool.h>
#include <string.h>

#include "irqbench_server.h"
#include "libdriver/io.h"

#define COM2      0x2f8
#define UART_IER  1        /* interrupt enable (DLAB=0) */
#define UART_IIR  2        /* interrupt identification (read) */
#define UART_FCR  2        /* FIFO control (write) */
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_SCR  7        /* scratch: any value reads back; used to find the UART */
#define IER_THRE  0x02
#define IIR_ID    0x0f     /* bit 0: no interrupt pending; bits 3-1: the source */
#define IIR_THRE  0x02
#define LCR_8N1   0x03     /* 8 data bits, no parity, 1 stop bit, DLAB=0 */
#define MCR_OUT2  0x08     /* on a PC, OUT2 gates the UART's interrupt onto the ISA line */
#define LSR_THRE  0x20

/* All rounds may fall in one IRQ_STORM_WINDOW_MS window (under -icount they take about 4 ms of
 * guest time), so ROUNDS + WARMUP must stay below its manifest storm limit (5,000 by default),
 * or the kernel takes the benchmark for an interrupt storm. */
#define ROUNDS    1000
#define WARMUP    10       /* rounds first, not recorded: first-touch costs are not delivery's */
#define SPIN      100000
#define TIMEOUT_NS 1000000000ull

/* Shared by the two threads.  Both run on one CPU in a kernel that switches threads only at
 * kernel calls and interrupts; the benchmark thread writes t0 and armed before it arms the
 * UART, the interrupt thread writes the rest while the benchmark thread waits. */
static bool active;                     /* set by init: bench=irq and a UART at COM2 */
static volatile bool armed;             /* a round is waiting for its interrupt */
static volatile bool done;              /* the interrupt method has recorded the round */
static uint64_t t0;                     /* TSC just before the arming OUT (written in asm) */
static volatile uint64_t latency;       /* t1 - t0 of the last round */
static volatile uint64_t interrupts;    /* method runs that found THRE pending while armed */
static volatile uint64_t calls;         /* every run of the interrupt method while active */
static int64_t event = -1;
static uint64_t samples[ROUNDS];

/*
 * t0 = TSC, then IER = ier.  One asm statement, so that nothing the compiler
 * schedules falls between the RDTSC and the OUT: t0 is stored before the OUT,
 * because the interrupt method reads it before this thread runs again.
 */
static inline void stamp_and_write_ier(uint8_t ier)
{
	__asm__ volatile("rdtsc\n\t"
			 "shl $32, %%rdx\n\t"
			 "or %%rdx, %%rax\n\t"
			 "mov %%rax, %0\n\t"
			 "mov %1, %%edx\n\t"
			 "movzbl %2, %%eax\n\t"
			 "outb %%al, %%dx"
			 : "=m"(t0)
			 : "i"(COM2 + UART_IER), "r"(ier)
			 : "rax", "rdx", "memory");
}

/* A UART answers at COM2: its scratch register keeps what is written to it. */
static bool uart_present(void)
{
	outb(COM2 + UART_SCR, 0x5a);
	if (inb(COM2 + UART_SCR) != 0x5a)
		return false;
	outb(COM2 + UART_SCR, 0xa5);
	return inb(COM2 + UART_SCR) == 0xa5;
}

/* Called by serve_interrupt (interrupt.S) with the TSC it read as its first instruction. */
int64_t interrupt_at(uint64_t line, uint64_t t1)
{
	(void)line;
	if (!active)
		return 0;
	calls++;
	uint8_t iir = inb(COM2 + UART_IIR);     /* reading it resets a THRE interrupt */
	outb(COM2 + UART_IER, 0);
	if (!armed || (iir & IIR_ID) != IIR_THRE)
		return 0;       /* the run when the line is bound, or not our interrupt */
	armed = false;
	latency = t1 - t0;
	interrupts++;
	done = true;
	event_signal(event);
	return 0;
}

/*
 * One round: arm the UART and wait until the interrupt method has run; false
 * on timeout.  The method signals the event once per round and this waits
 * once per round, so a signal that came during the spin is consumed here.
 */
static bool round_trip(void)
{
	done = false;
	armed = true;
	stamp_and_write_ier(IER_THRE);
	for (int i = 0; i < SPIN && !done; i++)
		cpu_relax();
	return event_wait(event, TIMEOUT_NS) == 0 && done;
}

static void sort(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		uint64_t x = v[i];
		int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void report(const char *name, uint64_t tsc, uint64_t tsc_per_ms)
{
	log_printf("bench: irq-delivery-%s %lu tsc\n", name, tsc);
	log_printf("bench: irq-delivery-%s-ns %lu ns\n", name, tsc_per_ms ? tsc * 1000000 / tsc_per_ms : 0);
}

static void measure(uint64_t arg)
{
	(void)arg;
	while (!kernel_info(INFO_READY))        /* let boot finish: its work is not delivery's */
		sleep_ns(1000000);
	for (int i = 0; i < WARMUP; i++)
		if (!round_trip())
			goto lost;

	/* The timing alone: the same sequence with an OUT that changes nothing (IER stays 0). */
	for (int i = 0; i < ROUNDS; i++) {
		stamp_and_write_ier(0);
		samples[i] = rdtsc() - t0;
	}
	sort(samples, ROUNDS);
	uint64_t overhead = samples[ROUNDS / 2];

	uint64_t first = interrupts, ns0 = clock_ns(), tsc0 = rdtsc();
	for (int i = 0; i < ROUNDS; i++) {
		if (!round_trip())
			goto lost;
		samples[i] = latency;
	}
	uint64_t ns = clock_ns() - ns0, tsc = rdtsc() - tsc0;
	uint64_t tsc_per_ms = ns ? tsc * 1000000 / ns : 0;
	sort(samples, ROUNDS);
	log_printf("bench: irq-delivery-rounds %d rounds\n", ROUNDS);
	log_printf("bench: irq-delivery-interrupts %lu interrupts\n", interrupts - first);
	report("median", samples[ROUNDS / 2], tsc_per_ms);
	report("p99", samples[ROUNDS * 99 / 100], tsc_per_ms);
	report("min", samples[0], tsc_per_ms);
	report("max", samples[ROUNDS - 1], tsc_per_ms);
	report("timing-overhead", overhead, tsc_per_ms);
	log_printf("irqbench: the interrupt method ran %lu times, %lu of them with no THRE interrupt "
		   "pending (the kernel runs it once when it binds the line)\n",
		   calls, calls - interrupts);
	log_printf("bench: done\n");
	return;
lost:
	outb(COM2 + UART_IER, 0);
	log_printf("bench: error: irq-delivery: no interrupt from COM2 within %lu ms "
		   "(%lu delivered, IIR 0x%02x, LSR 0x%02x)\n", (uint64_t)(TIMEOUT_NS / 1000000),
		   interrupts, inb(COM2 + UART_IIR), inb(COM2 + UART_LSR));
}

int64_t component_init(void)
{
	char which[32];
	if (boot_option("bench", which, sizeof which) < 0 || strcmp(which, "irq") != 0)
		return 0;
	if (!uart_present()) {
		log_printf("bench: error: irq-delivery: no UART at COM2 (0x%x); "
			   "give QEMU a second -serial option\n", COM2);
		return 0;
	}
	event = event_create();
	if (event < 0)
		return event;
	outb(COM2 + UART_IER, 0);
	outb(COM2 + UART_LCR, LCR_8N1);
	outb(COM2 + UART_FCR, 0);               /* no FIFOs: IIR's high bits stay 0 */
	outb(COM2 + UART_MCR, MCR_OUT2);
	(void)inb(COM2 + UART_IIR);
	if (!(inb(COM2 + UART_LSR) & LSR_THRE)) {
		log_printf("bench: error: irq-delivery: COM2's transmitter is not empty\n");
		return 0;
	}
	active = true;
	int64_t t = thread_create(measure, 0, 20);
	return t < 0 ? t : 0;
}
