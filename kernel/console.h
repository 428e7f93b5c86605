/*
 * console.h — the kernel's output, and the console log it goes through.
 *
 * Everything printed — kernel messages, and components' text (SYS_LOG) —
 * is appended to one ring buffer, the console log.  Who moves it to COM1
 * depends on who owns the UART:
 *   - before the serial driver runs, while it is down, and always for a
 *     panic: the kernel itself (the last-resort path, usable from the first
 *     line of kmain(): no memory, interrupts or allocation needed), by
 *     polling before the scheduler starts and for a panic, and otherwise
 *     never waiting for the UART (console.c);
 *   - while the serial driver runs: the driver, which reads the log
 *     (SYS_CONSOLE_READ) and commits what it wrote (SYS_CONSOLE_COMMIT), so
 *     the kernel never writes in the middle of a line the driver is writing,
 *     and nothing is lost if the driver crashes mid-way.
 * Each kprintf() call is appended with interrupts off, so lines never
 * interleave.
 */
#ifndef PINFOLD_CONSOLE_H
#define PINFOLD_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void console_init(void);
void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Appends raw text of component `writer` (its id) to the console log. */
#define KERNEL_WRITER (-2)
void console_write(int writer, const char *s, size_t n);

/*
 * On every timer tick: while the driver is down, the kernel's bounded drain;
 * while it runs, its watchdog (a driver that stops printing is crashed).
 */
void console_tick(void);

/* For panics and stops: the kernel takes the UART back and writes out everything, now and from then on, by polling. */
void console_panic_mode(void);

/* The serial driver took the UART (true) or lost it (false: the kernel prints again). */
void console_set_driver(bool running);

/* For the driver: copies up to `max` unprinted bytes; returns how many (0: none yet). */
size_t console_peek(char *buf, size_t max);
/* For the driver: `n` bytes from the last peek are on the wire. */
void console_commit(size_t n);

/* Recent console text, for the shell's `log`: copies up to `max` bytes ending at the newest. */
size_t console_recent(char *buf, size_t max);

#endif
