/*
 * syscall.h — the kernel-call entry and dispatch (numbers and meaning in
 * libc/include/pinfold/syscalls.h).
 */
#ifndef PINFOLD_SYSCALL_SYSCALL_H
#define PINFOLD_SYSCALL_SYSCALL_H

#include "kernel/x86/trap.h"

/* Programs the SYSCALL MSRs; call once at boot. */
void syscall_init(void);

/* Called by kernel/syscall/entry.S with the caller's saved user state. */
void syscall_dispatch(struct trap_frame *f);

/* The component driving the console (it called SYS_CONSOLE_READ), or NULL. */
struct component;
extern struct component *console_driver;

/* The console log grew: wake the console driver. */
void syscall_console_appended(void);

/* Kernel command line, for SYS_BOOT_OPTION. */
void syscall_set_cmdline(const char *cmdline);

#endif
