/*
 * console.h — the kernel's own output on COM1.
 *
 * Usable from the first line of kmain(): the UART needs no memory, no
 * interrupts and no allocation, so early boot, traps and panics can always
 * print.  Each kprintf() call is written with interrupts off, so the lines of
 * an interrupted writer and of the interrupt handler never interleave.
 */
#ifndef PINFOLD_CONSOLE_H
#define PINFOLD_CONSOLE_H

#include <stdarg.h>

void console_init(void);
void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif
