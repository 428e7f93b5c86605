/*
 * syscalls.h — Pinfold's kernel calls, declared once.
 *
 * PINFOLD_SYSCALLS lists every kernel call with its number and a one-line
 * description; the kernel builds its dispatch table from it and the component
 * runtime its numbers.  Calling convention (SYSCALL instruction): the number
 * in RAX, up to six argument words in RDI, RSI, RDX, R10, R8, R9; the kernel
 * returns a status in RAX (>= 0 success, or a negative enum pinfold_error)
 * and up to two result words in RDI and RSI.  For SYS_INVOKE the capability
 * goes in R12 and the method number in R13, so that all six argument words
 * of a method travel in the argument registers.  Every other register may be
 * changed by a kernel call; the runtime's stubs tell the compiler so.
 */
#ifndef PINFOLD_SYSCALLS_H
#define PINFOLD_SYSCALLS_H

#define PINFOLD_SYSCALLS(X)                                                         \
	X(SYS_INVOKE,        0, invoke,        "call a method through a capability") \
	X(SYS_RETURN,        1, return,        "return from the current method")   \
	X(SYS_CAP_LOOKUP,    2, cap_lookup,    "find my capability for a component by name") \
	X(SYS_LOG,           3, log,           "write text to the kernel console")  \
	X(SYS_THREAD_CREATE, 4, thread_create, "start a thread in my component")   \
	X(SYS_THREAD_EXIT,   5, thread_exit,   "end the calling thread")            \
	X(SYS_YIELD,         6, yield,         "let other threads run")             \
	X(SYS_SLEEP,         7, sleep,         "sleep for a number of nanoseconds") \
	X(SYS_CLOCK,         8, clock,         "nanoseconds since boot")            \
	X(SYS_MEM_ALLOC,     9, mem_alloc,     "allocate pages in my heap")         \
	X(SYS_MEM_FREE,     10, mem_free,      "free an allocation")                \
	X(SYS_MEM_GRANT,    11, mem_grant,     "let another component map part of an allocation") \
	X(SYS_MEM_REVOKE,   12, mem_revoke,    "take a grant back")                 \
	X(SYS_EVENT_CREATE, 13, event_create,  "create an event I can wait on")     \
	X(SYS_EVENT_GRANT,  14, event_grant,   "let another component signal my event") \
	X(SYS_EVENT_SIGNAL, 15, event_signal,  "signal an event")                   \
	X(SYS_EVENT_WAIT,   16, event_wait,    "wait for my event, with a timeout") \
	X(SYS_INFO,         17, info,          "kernel statistics (free frames, idle time, ...)") \
	X(SYS_BOOT_OPTION,  18, boot_option,   "read a word of the kernel command line") \
	X(SYS_IRQ_WAIT,     19, irq_wait,      "interrupt method done: unmask, wait for the next") \
	X(SYS_CONSOLE_READ, 20, console_read,  "console driver: wait for text to print, copy it") \
	X(SYS_CONSOLE_COMMIT, 21, console_commit, "console driver: that much text is printed") \
	X(SYS_COMPONENT_INFO, 22, component_info, "name, state and restarts of component N") \
	X(SYS_COMPONENT_METHOD, 23, component_method, "the declaration of method M of component N, as text") \
	X(SYS_COMPONENT_CONTROL, 24, component_control, "kill or restart a component I hold a capability for") \
	X(SYS_CONSOLE_RECENT, 25, console_recent, "copy the most recent console text") \
	X(SYS_DEVICE_MAP,   26, device_map,    "chipset: map device memory into a component") \
	X(SYS_DMA_PIN,      27, dma_pin,       "chipset: pin a component's page for DMA") \
	X(SYS_DMA_UNPIN,    28, dma_unpin,     "chipset: drop a pin") \
	X(SYS_IRQ_BIND_MSI, 29, irq_bind_msi,  "chipset: give a component an MSI line") \
	X(SYS_COMPONENT_FAULT, 30, component_fault, "chipset: charge a device fault to a component") \
	X(SYS_IOAPIC_REMAP, 31, ioapic_remap,  "chipset: send an IOAPIC line through an interrupt-remapping entry") \
	X(SYS_MEM_COPY,     32, mem_copy,      "copy between two ranges of my address space; E_FAULT, never a fault")

/* Method numbers the kernel uses to enter a component at component_start. */
#define METHOD_INIT      0xffffffff  /* run init() */
#define METHOD_THREAD    0xfffffffe  /* a new thread: RDI = function, RSI = argument */
#define METHOD_IRQ_THREAD 0xfffffffd /* the interrupt thread: RDI = line, RSI = interrupt method */

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#ifdef __ASSEMBLY__
/* The two calls the component runtime's assembly makes (checked against the list below in C). */
#define SYS_INVOKE 0
#define SYS_RETURN 1
#else

enum pinfold_syscall {
#define PINFOLD_SYSCALL_ENUM(sym, num, name, text) sym = (num),
	PINFOLD_SYSCALLS(PINFOLD_SYSCALL_ENUM)
#undef PINFOLD_SYSCALL_ENUM
	SYS_COUNT
};

/* SYS_INFO selectors. */
enum pinfold_info {
	INFO_FREE_FRAMES = 0,   /* free physical frames */
	INFO_IDLE_NS = 1,       /* time the idle thread has run */
	INFO_COMPONENT_ID = 2,  /* the caller's component number */
	INFO_DEPTH = 3,         /* the calling thread's call depth */
	INFO_THREADS = 4,       /* live threads */
	INFO_READY = 5,         /* 1 once every component's init has run ("pinfold: ready") */
	INFO_CALLER = 6,        /* the component that invoked the running method (E_NOT_FOUND at depth 0) */
	INFO_PINNED_FRAMES = 7, /* frames pinned for DMA */
	INFO_DEFERRED_FRAMES = 8, /* frames freed while pinned, waiting for their last unpin */
	INFO_ECAM_BASE = 9,     /* PCI ECAM (ACPI MCFG segment 0): where bus 0 would be; E_NOT_FOUND without one */
	INFO_ECAM_LAST_BUS = 10,
	INFO_IOMMU_BASE = 11,   /* the first VT-d unit's registers (ACPI DMAR); E_NOT_FOUND without one */
	INFO_IOMMU_HAW = 12,    /* the DMAR's host address width in bits */
	INFO_APIC_ID = 13,      /* the local APIC id that interrupts are sent to */
	INFO_PINNED_PAGES = 14, /* pins the chipset holds for component ARG1 */
	INFO_MANIFEST_PCI = 15, /* ARG1 = id << 8 | k: the k-th `pci` entry of component id (below) */
	INFO_PHYS = 16,         /* ARG1 = component id, ARG2 = an address of its: the physical address behind it
				 * (for the manifest's control right, on a component it holds a capability for;
				 * the shell's `mem NAME ADDR`, which tests use to find memory to watch) */
	INFO_GSI_ROUTE = 17,    /* ARG1 = gsi: vector | level << 8 | active_low << 9, and as the second value
				 * the source-id of its IOAPIC (ACPI DMAR) | 1 << 16, or 0 if none is named;
				 * E_NOT_FOUND if no IOAPIC has that line or it has no vector */
	INFO_MSI_LINE = 18,     /* ARG1 = line: the component it is bound to, and its vector;
				 * E_NOT_FOUND if unbound */
	INFO_UNEXPECTED_IRQS = 19, /* interrupts on vectors nobody owns, and the vector of the last one */
};

/*
 * INFO_MANIFEST_PCI's answer: VENDOR << 16 | DEVICE in bits 0-31; for an
 * entry with a location (`pci 1234:11e8@00:03.0`) also MANIFEST_PCI_LOCATED
 * and the location BUS << 8 | DEVICE << 3 | FUNCTION in bits 32-47.
 */
#define MANIFEST_PCI_LOCATED     (1ull << 48)
#define MANIFEST_PCI_IDS(value)  ((value) & 0xffffffffull)
#define MANIFEST_PCI_BDF(value)  (((value) >> 32) & 0xffff)

/*
 * Device interrupt vectors (kernel/component/irq.h): IOAPIC line (GSI) g,
 * for g < 24, arrives on DEVICE_VECTOR_FIRST + g; message-signalled line n
 * (24 to 39) on DEVICE_VECTOR_FIRST + n.  Any other interrupt is unexpected
 * and counted (INFO_UNEXPECTED_IRQS).
 */
#define DEVICE_VECTOR_FIRST 0x30
#define DEVICE_VECTOR_LAST  0x57

/* What SYS_COMPONENT_INFO writes. */
struct component_info {
	char name[16];
	uint32_t state;         /* enum component_state: 0 loading, 1 running, 2 restarting, 3 failed, 4 stopped */
	uint32_t restarts;
	uint32_t nmethods;
	uint32_t id;
};

/* SYS_COMPONENT_CONTROL operations. */
#define CONTROL_KILL     1      /* crash it now ("killed"), then the restart policy applies */
#define CONTROL_RESTART  2      /* start it afresh, even if it had failed */

/* Rights for SYS_MEM_GRANT. */
#define GRANT_READ       1u
#define GRANT_WRITE      2u
#define GRANT_ONE_CALL   4u   /* revoked when the caller's next invoke returns */

/* The most SYS_MEM_COPY moves at once: the kernel copies without preemption. */
#define MEM_COPY_MAX     (1u << 20)

#endif /* __ASSEMBLY__ */
#endif
