/*
 * runtime.c — what every component gets without asking: defaults for
 * component_init and component_dispatch, console output, and ASSERT.
 */
#include <assert.h>
#include <pinfold/hot.h>
#include <pinfold/kcall.h>
#include <stdarg.h>
#include <stdio.h>

STATIC_ASSERT(SYS_INVOKE == 0 && SYS_RETURN == 1,
	      "crt.S, kernel/syscall/entry.S and pdx_invoke() rely on these two numbers");

__attribute__((weak)) int64_t component_init(void)
{
	return 0;
}

__attribute__((weak)) int64_t component_dispatch(uint32_t method, const uint64_t args[6], uint64_t results[2])
{
	(void)method, (void)args, (void)results;
	return E_NO_METHOD;
}

/*
 * The interrupt thread's life: tell the kernel the interrupt method is done
 * (which unmasks the line) and wait for the next interrupt, then run the
 * method.  The first wait has no method before it.
 */
HOT __attribute__((noreturn)) void component_interrupt_loop(uint64_t line, uint64_t method)
{
	for (;;) {
		if (kcall(SYS_IRQ_WAIT, line, 0, 0, 0).status < 0)
			__builtin_trap();       /* the kernel no longer knows us as this line's thread */
		uint64_t args[6] = { line }, results[2];
		component_dispatch((uint32_t)method, args, results);
	}
}

int log_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf)
		n = sizeof buf - 1;
	log_write(buf, (size_t)n);
	return n;
}

/* A failed ASSERT in a component is that component's fault: say why, then fault. */
void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	log_printf("assertion failed: %s in %s at %s:%d\n", expr, func, file, line);
	__builtin_trap();
}
