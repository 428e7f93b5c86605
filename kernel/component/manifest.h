/*
 * manifest.h — the boot manifest: which components the kernel starts, in
 * which order, and the authority each one gets (STYLE.md "Least authority in
 * a manifest"; DESIGN.md "Components").
 *
 * boot/manifest is a text GRUB module:
 *
 *     # comments run from '#' to the end of the line
 *     component hello                 # starts a component (start order = file order)
 *         image hello.elf             # its GRUB module name (default NAME.elf)
 *         call world.ping world.add   # may invoke these; TARGET.* = every method
 *         ports 0x3f8-0x3ff 0x60      # I/O port ranges, or single ports
 *         irq 4                       # interrupt lines, 0..255
 *         pci 1234:11e8               # PCI devices it may claim, VENDOR:DEVICE in hex,
 *         pci 1234:11e8@00:03.0       #   or VENDOR:DEVICE@BUS:DEVICE.FUNCTION: only the one there
 *         restart max=5 window=10000 backoff=10
 *         stacks 4                    # entry stacks, 1..16
 *         priority 5                  # 0..31
 *         heap 1024                   # KiB, 0..65536
 *         watchdog 2000               # ms a method may run before the component counts as hung
 *         storm 5000                  # interrupts on one line in 100 ms that make a storm
 *         control                     # may kill and restart the components it may call (the shell)
 *         supervise ahci              # may restart these callees when they stop finishing work (block)
 *         chipset                     # the trusted chipset: maps devices, pins, binds MSIs (one only)
 *
 * call, ports, irq, pci and supervise take one or more values and may repeat
 * (values accumulate); component, image, stacks, priority and heap take exactly one
 * value, restart one to three KEY=VALUE settings, and each of those may be
 * given once per component.  Numbers are decimal or 0x-prefixed hex.  Names
 * are [a-z][a-z0-9_-]*, at most MANIFEST_NAME_MAX characters.  A line is at
 * most MANIFEST_LINE_MAX characters, comment included.
 *
 * Authority is exclusive: no two components may hold overlapping port
 * ranges, the same irq or the same PCI device; one component may list the
 * same resource twice.  A PCI entry without a location stands for every
 * device with those ids, so two components may list the same VENDOR:DEVICE
 * only if both give locations and the locations differ (two edu devices,
 * two driver instances).  A location is written as lspci shows it: BUS
 * 00..ff, DEVICE 00..1f, FUNCTION 0..7, all hex (PCI 3.0 3.2.2.3.1).  A
 * component may not call itself.
 *
 * Parsing checks the text alone.  manifest_resolve() then checks each call
 * against the callee's interface (kernel/component/idl.h) and turns the call
 * entries into capabilities; a supervised component must be one of the
 * supervisor's callees, and its capability is marked.  Errors are "manifest:LINE: message" from the
 * parser and "manifest: message" from resolution; the first one wins.
 */
#ifndef PINFOLD_COMPONENT_MANIFEST_H
#define PINFOLD_COMPONENT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/component/idl.h"

#define MANIFEST_MAX_COMPONENTS 32
#define MANIFEST_MAX_CALLS      32      /* call entries, hence capabilities, per component */
#define MANIFEST_MAX_PORTS      8       /* port ranges per component */
#define MANIFEST_MAX_IRQS       4
#define MANIFEST_MAX_PCI        4
#define MANIFEST_NAME_MAX       15
#define MANIFEST_MAX_SUPERVISE  4       /* components one component may supervise */
#define MANIFEST_IMAGE_MAX      63
#define MANIFEST_LINE_MAX       200

/* Defaults and bounds of the per-component settings. */
#define MANIFEST_DEFAULT_RESTART_MAX     3
#define MANIFEST_DEFAULT_RESTART_WINDOW  10000  /* ms */
#define MANIFEST_DEFAULT_RESTART_BACKOFF 0      /* ms */
#define MANIFEST_MAX_RESTART_MAX         1000
#define MANIFEST_MAX_RESTART_WINDOW      86400000 /* ms: a day; at least 1 */
#define MANIFEST_MAX_RESTART_BACKOFF     60000  /* ms */
#define MANIFEST_DEFAULT_STACKS          4
#define MANIFEST_MAX_STACKS              16     /* at least 1 */
#define MANIFEST_DEFAULT_PRIORITY        10
#define MANIFEST_MAX_PRIORITY            31
#define MANIFEST_DEFAULT_HEAP_KIB        256
#define MANIFEST_MAX_HEAP_KIB            65536
#define MANIFEST_DEFAULT_WATCHDOG        2000   /* ms */
#define MANIFEST_MAX_WATCHDOG            600000 /* ms; at least 1 */
#define MANIFEST_DEFAULT_STORM           5000   /* interrupts in IRQ_STORM_WINDOW_MS */
#define MANIFEST_MAX_STORM               1000000

/* One `call TARGET.METHOD` entry, as written. */
struct manifest_call {
	char target[MANIFEST_NAME_MAX + 1];
	char method[IDL_NAME_MAX + 1];  /* "*" for every method */
};

struct manifest_ports {
	uint16_t first, last;           /* inclusive */
};

struct manifest_pci {
	uint16_t vendor, device;
	bool located;                   /* only the device at `bdf`; else any with these ids */
	uint16_t bdf;                   /* BUS << 8 | DEVICE << 3 | FUNCTION */
};

/* What one capability allows: the methods of one callee. */
struct manifest_cap {
	uint8_t target;                 /* the callee's index in manifest.components */
	uint32_t methods;               /* bit N: may invoke method number N */
	bool supervise;                 /* may restart the callee ("supervise") */
};

struct manifest_component {
	char name[MANIFEST_NAME_MAX + 1];
	char image[MANIFEST_IMAGE_MAX + 1];

	unsigned ncalls;
	struct manifest_call calls[MANIFEST_MAX_CALLS];
	unsigned nports;
	struct manifest_ports ports[MANIFEST_MAX_PORTS];
	unsigned nirqs;
	uint8_t irqs[MANIFEST_MAX_IRQS];
	unsigned npci;
	struct manifest_pci pci[MANIFEST_MAX_PCI];

	uint32_t restart_max;           /* restarts allowed within restart_window ms */
	uint32_t restart_window;        /* ms */
	uint32_t restart_backoff;       /* ms to wait before each restart */
	unsigned stacks;
	unsigned priority;
	unsigned heap_kib;
	unsigned watchdog_ms;
	unsigned storm_limit;           /* more interrupts than this on a line in 100 ms: a storm */
	bool control;                   /* may kill/restart what it holds capabilities for, read the console log */
	unsigned nsupervise;            /* "supervise": callees it may restart, as written */
	char supervise[MANIFEST_MAX_SUPERVISE][MANIFEST_NAME_MAX + 1];
	bool chipset;                   /* the chipset component: device, pin and vector authority */

	/*
	 * Filled by manifest_resolve: one capability per distinct callee, in
	 * the order the callees first appear in the call entries; capability
	 * number i (the cap_t a component passes to pdx_invoke) is caps[i].
	 */
	unsigned ncaps;
	struct manifest_cap caps[MANIFEST_MAX_CALLS];
};

/* About 54 KiB: keep it in static storage, not on a kernel stack. */
struct manifest {
	unsigned ncomponents;
	struct manifest_component components[MANIFEST_MAX_COMPONENTS]; /* in start order */
};

/*
 * Parses `len` bytes of `text` (need not be NUL-terminated; trailing NUL
 * bytes are ignored) into `out`.  Returns NULL on success; otherwise writes
 * "manifest:LINE: message" into err[errlen] (truncated if need be) and
 * returns err (or a fixed message if err is NULL or errlen is 0).  `out` is
 * unspecified after an error.  An empty manifest is valid.
 */
const char *manifest_parse(const char *text, size_t len, struct manifest *out,
			   char *err, size_t errlen);

/*
 * Checks every call entry of `m` and fills each component's capabilities.
 * idls[i] is component i's interface, or NULL if it declares none; a callee
 * must be a component of `m` with the method named (or, for TARGET.*, at
 * least one method).  Checks everything before it changes anything: on an
 * error (returned as by manifest_parse, with no line number) `m` is
 * unchanged.
 */
const char *manifest_resolve(struct manifest *m, const struct idl *const idls[],
			     char *err, size_t errlen);

/* The index of the component called `name`, or -1. */
int manifest_find(const struct manifest *m, const char *name);

/* Component `client`'s capability number for calling component `target`, or -1. */
int manifest_cap_find(const struct manifest *m, unsigned client, const char *target);

/* Whether s[0..len) is a valid component name: [a-z][a-z0-9_-]*, 1..MANIFEST_NAME_MAX long. */
bool manifest_is_name(const char *s, size_t len);

#endif
