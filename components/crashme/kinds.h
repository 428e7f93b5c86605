/*
 * kinds.h — the ways a component fails on request (crashme.inject(kind), the
 * shell's "inject NAME KIND"); the serial driver knows some of them too.
 */
#ifndef PINFOLD_CRASHME_KINDS_H
#define PINFOLD_CRASHME_KINDS_H

enum crash_kind {
	CRASH_NULL,             /* load through a null pointer */
	CRASH_WILD_WRITE,       /* store into another component's slot */
	CRASH_KERNEL_WRITE,     /* store into kernel memory */
	CRASH_WILD_JUMP,        /* jump to an address that maps nothing */
	CRASH_UD,               /* an invalid opcode */
	CRASH_DIV0,             /* divide by zero */
	CRASH_STACK,            /* recurse until the stack's guard page */
	CRASH_LOOP,             /* never return from the method (the watchdog's case) */
	CRASH_PORT,             /* touch an I/O port the manifest did not grant */
	CRASH_BAD_CALL,         /* kernel calls with garbage arguments (refused; no crash) */
	/* The kinds above fault the component at once; those below do not. */
	CRASH_IRQ_HANG,         /* never return from the next interrupt method (drivers only) */
	/* DMA drivers only (drivers/edu, drivers/ahci): the device misbehaves, the IOMMU catches it. */
	CRASH_WILD_DMA,         /* the device writes memory the driver never pinned */
	CRASH_DMA_AFTER_UNPIN,  /* the device writes a buffer after it was unpinned */
	CRASH_DMA_READ,         /* the device reads memory the driver never pinned */
	CRASH_IRQ_STORM,        /* the device interrupts without pause */
	CRASH_MSI_SPOOF,        /* the device writes interrupt messages for vectors not its own */
	/* Drivers only (drivers/ahci): alive and answering, but no longer servicing the device. */
	CRASH_HANG,
	CRASH_KINDS
};
#define CRASH_FAULTING_KINDS CRASH_BAD_CALL

static const char *const crash_kinds[CRASH_KINDS] = {
	"null", "wild-write", "kernel-write", "wild-jump", "ud", "div0", "stack", "loop", "port",
	"bad-call", "irq-hang", "wild-dma", "dma-after-unpin", "dma-read", "irq-storm",
	"msi-spoof", "hang",
};

#endif
