/*
 * panic.c — the kernel's last words.
 *
 * Interrupts go off first so nothing runs behind the report.  A panic while
 * panicking (a fault in the backtrace, say) skips straight to stopping, so a
 * second failure can never loop.
 */
#include "kernel/panic.h"

#include <assert.h>
#include <stdarg.h>

#include "kernel/backtrace.h"
#include "kernel/console.h"
#include "kernel/x86/cpu.h"

static int panicking;

void machine_stop(void)
{
	irq_disable();
	console_panic_mode();   /* what the bounded path had not written yet (a boot error, say) */
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_PANIC);
	for (;;)
		halt();
}

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	irq_disable();
	if (panicking++)
		machine_stop();
	console_panic_mode();

	va_list ap;
	kputs("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n  in %s at %s:%d\n", func, file, line);
	backtrace_here();
	machine_stop();
}

void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	panic_at(file, line, func, "assertion failed: %s", expr);
}
