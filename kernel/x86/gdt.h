/*
 * gdt.h — segments and the task-state segment.
 *
 * Long mode ignores segment bases and limits, but the GDT still gives the
 * privilege level of code (CS) and stack (SS), and it holds the TSS, which
 * supplies the stack the CPU switches to on a trap from user mode (RSP0) and
 * the Interrupt Stack Table: known-good stacks for double faults and NMIs,
 * which may arrive when the current stack is the problem.
 *
 * The selector order is fixed by SYSCALL/SYSRET (Intel SDM vol. 2, SYSRET):
 * user SS = STAR[63:48] + 8 and user CS = STAR[63:48] + 16, so user data must
 * sit directly below 64-bit user code.
 */
#ifndef PINFOLD_X86_GDT_H
#define PINFOLD_X86_GDT_H

#define SEL_KERNEL_CODE  0x08
#define SEL_KERNEL_DATA  0x10
#define SEL_USER_CODE32  0x18   /* unused, but SYSRET's layout needs the slot */
#define SEL_USER_DATA    0x20
#define SEL_USER_CODE    0x28
#define SEL_TSS          0x30

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2

#ifndef __ASSEMBLY__
#include <stdint.h>

void gdt_init(void);

#include <stdbool.h>

/* Opens (or closes) ports first..last to user mode in the TSS's I/O bitmap. */
void tss_allow_ports(uint16_t first, uint16_t last, bool allow);

/* The stack the CPU loads on a trap from user mode. */
void tss_set_kernel_stack(uint64_t rsp0);
#endif

#endif
