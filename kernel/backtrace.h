/*
 * backtrace.h — symbolised stack traces for panics and exception reports.
 */
#ifndef PINFOLD_BACKTRACE_H
#define PINFOLD_BACKTRACE_H

#include <stdint.h>

/* Prints one line "  #N 0xADDR name+0xOFF" for `rip`, then for each frame reachable from `rbp`. */
void backtrace_print(uint64_t rip, uint64_t rbp);

/* Prints the caller's own backtrace. */
void backtrace_here(void);

#endif
