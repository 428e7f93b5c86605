/*
 * component.h — components: the kernel's record of each one.
 *
 * A component is an ELF image (a GRUB module) plus its entry in the boot
 * manifest.  The kernel gives it a slot of the single address space
 * (kernel/layout.h), a protection domain mapping its image, entry stacks and
 * heap there, and the capabilities the manifest lists.  It is entered only at
 * component_start, by a kernel call that says which method to run
 * (kernel/component/pdx.c), by init at start-up, and by its own new threads.
 *
 * The fields are written at load time and by kernel calls, which run with
 * interrupts off on Pinfold's single CPU; nothing else touches them.
 */
#ifndef PINFOLD_COMPONENT_COMPONENT_H
#define PINFOLD_COMPONENT_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/component/domain.h"
#include "kernel/component/elf.h"
#include "kernel/component/idl.h"
#include "kernel/component/manifest.h"
#include "kernel/component/pins.h"
#include "kernel/layout.h"
#include "kernel/sched/thread.h"

#define COMPONENT_MAX        32
#define COMPONENT_CAPS_MAX   32
#define COMPONENT_STACKS_MAX 16
#define COMPONENT_STACK_SIZE 16384
#define COMPONENT_NAME_MAX   15
#define COMPONENT_RESTART_HISTORY 64    /* restart times remembered for the policy */

enum component_state {
	COMPONENT_LOADING,      /* image being loaded, or init running */
	COMPONENT_RUNNING,
	COMPONENT_RESTARTING,   /* crashed; being torn down and started again */
	COMPONENT_FAILED,       /* the restart policy gave up */
	COMPONENT_STOPPED,      /* stopped on purpose */
};

struct capability {
	struct component *target;
	uint32_t methods;       /* bit n: method n may be invoked */
};

struct component {
	int id;                                 /* index in the component table, shown by ps */
	char name[COMPONENT_NAME_MAX + 1];
	enum component_state state;
	struct domain domain;
	uint64_t base;                          /* its slot: image at base, stacks and heap above */

	const void *elf;                        /* the GRUB module, read through the direct map */
	size_t elf_len;
	struct elf_image image;
	const struct idl *iface;                /* its methods; NULL if it declares none */
	unsigned nmethods;                      /* iface's, 0 without: here for the PDX path (pinfold/hot.h) */

	const struct manifest_component *manifest;  /* its entry: resources and restart policy */
	struct capability cap[COMPONENT_CAPS_MAX];
	int ncaps;

	int nstacks;
	uint32_t stack_all;                     /* bit n: entry stack n exists */
	uint32_t stack_busy;                    /* bit n: entry stack n is in use */
	struct wait_queue stack_wait;           /* threads waiting for a free entry stack */

	uint64_t heap_base, heap_size, heap_next;   /* heap VAs; heap_next: bump pointer */
	uint64_t device_next;                   /* next free VA for device memory (bump) */
	uint64_t pinned_pages;                  /* pins the chipset holds for it (device.c) */
	struct pin_list pins;                   /* ... each of them, kept across chipset restarts */
	uint32_t claimed_device;                /* the PCI function it drives, bdf + 1; 0: none (device.c) */
	int priority;
	uint64_t watchdog_ticks;                /* a method running longer is hung */
	unsigned restarts;                      /* restarts since boot, shown by ps */
	uint64_t crashed_ns;                    /* when the last crash was detected */
	uint64_t restart_ns[COMPONENT_RESTART_HISTORY];  /* ring of recent restart times */
	unsigned restart_next;
	struct component *recovery_next;        /* queue of the recovery thread */
	struct thread *init_thread;
	struct wait_queue init_done;
};

/* The component table (index = id); entries [0, component_count) are in use. */
extern struct component components[COMPONENT_MAX];
extern int component_count;

struct component *component_by_name(const char *name);

/*
 * Takes a free entry stack of `c` for the calling thread, waiting for one if
 * all are busy; returns its index or a negative error if `c` stopped meanwhile.
 */
int component_stack_take_slow(struct component *c);
static inline int component_stack_take(struct component *c)
{
	uint32_t free = c->stack_all & ~c->stack_busy;
	if (free && c->state == COMPONENT_RUNNING) {     /* the common case, inline: every PDX */
		int n = __builtin_ctz(free);
		c->stack_busy |= 1u << n;
		return n;
	}
	return component_stack_take_slow(c);
}

/* The same without waiting: E_LIMIT if every stack is busy. */
int component_stack_try_take(struct component *c);

static inline void component_stack_give(struct component *c, int n)
{
	c->stack_busy &= ~(1u << n);
	if (c->stack_wait.head)
		thread_wake_one(&c->stack_wait, 0);
}

/* Address of the top of entry stack `n` of `c`. */
static inline uint64_t component_stack_top(const struct component *c, int n)
{
	return c->base + COMPONENT_STACKS_OFF + (uint64_t)(n + 1) * 2 * COMPONENT_STACK_SIZE;
}

/* Whether [va, va+len) is mapped in c's domain for user access (and writable if asked). */
bool component_may_access(const struct component *c, uint64_t va, uint64_t len, bool write);

#endif
