/*
 * panic.h — stopping the kernel when an invariant is broken.
 *
 * PANIC() prints "PANIC: <reason>", where it was called from and a
 * backtrace, then stops the machine.  Under the test harness QEMU has an
 * isa-debug-exit device, and the kernel makes QEMU exit at once with status
 * PANIC_EXIT_STATUS so a failing test ends in milliseconds rather than at its
 * timeout.  ASSERT (libc/include/assert.h) ends up here too.
 */
#ifndef PINFOLD_PANIC_H
#define PINFOLD_PANIC_H

#include <stdint.h>

#define PANIC(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

__attribute__((noreturn, format(printf, 4, 5)))
void panic_at(const char *file, int line, const char *func, const char *fmt, ...);

/* Stops the machine after a report has been printed: QEMU exit if possible, else halt forever. */
__attribute__((noreturn)) void machine_stop(void);

/* QEMU's isa-debug-exit port (tests add -device isa-debug-exit,iobase=0xf4). */
#define DEBUG_EXIT_PORT   0xf4
#define DEBUG_EXIT_PANIC  0x10    /* QEMU exits with (0x10 << 1) | 1 = 33 */
#define PANIC_EXIT_STATUS 33

#endif
