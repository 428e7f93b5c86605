/*
 * hot.h — HOT marks a function on the path that every kernel call, domain
 * crossing, interrupt or disk request takes, so that all of them lie
 * together on a few pages.
 *
 * Why it matters here.  Under QEMU's TCG every write of CR3 (each domain
 * crossing makes one: a disk read through the block service makes four)
 * empties the emulated TLB and QEMU's cache of jump targets.  Each page the
 * CPU touches afterwards costs a page walk in QEMU, and each jump to code on
 * another page a lookup.  A read through block touched about 167 pages per
 * request this way, some 30 of them pages of kernel code.  GCC puts
 * functions marked hot into .text.hot; linker.ld puts those first, side by
 * side, and so does ld's default script for components (the entry stubs in
 * kernel/syscall/entry.S, kernel/x86/isr.S, kernel/sched/switch.S and
 * libc/pinfold/crt.S are placed there by hand, and idlgen marks each
 * component's dispatcher).  HOT_DATA does the same for the kernel variables
 * those functions use (.data.hot).  The kernel's part took a read through
 * block from 167 to 139 page walks, and 4-5 % more reads a second; the
 * block service's and the AHCI driver's part to 135, and 1-2 % more.
 *
 * Mark only what every request runs: the section helps while it is small.
 */
#ifndef PINFOLD_HOT_H
#define PINFOLD_HOT_H

#define HOT      __attribute__((hot))
#define HOT_DATA __attribute__((section(".data.hot")))

#endif
