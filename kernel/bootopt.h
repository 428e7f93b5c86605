/*
 * bootopt.h — options on the kernel command line (GRUB's multiboot2 line).
 *
 *   fault=page|gp|ud|assert|double
 *                             provoke that failure once boot is complete
 *                             (for the tests of the exception reports)
 *   tick=HZ                   timer interrupt rate, 10..10000 (default 100)
 *   test=NAME, bench=NAME     read by test and benchmark components
 *                             (SYS_BOOT_OPTION); NAME is [a-z0-9,-]
 *   iommu=noqi                the chipset invalidates through registers even
 *                             where the unit offers queued invalidation
 *
 * Words are separated by spaces.  An unknown word or a bad value is reported
 * and ignored: a typo on the boot line must not stop the machine from booting.
 */
#ifndef PINFOLD_BOOTOPT_H
#define PINFOLD_BOOTOPT_H

#include <stddef.h>

enum boot_fault {
	BOOT_FAULT_NONE,
	BOOT_FAULT_PAGE,
	BOOT_FAULT_GP,
	BOOT_FAULT_UD,
	BOOT_FAULT_ASSERT,
	BOOT_FAULT_DOUBLE,
};

#define IDLE_POLL_US_DEFAULT 200       /* how long the idle thread polls before it halts */

struct boot_options {
	enum boot_fault fault;
	unsigned tick_hz;
	char test[32], bench[32], iommu[32];
	unsigned idle_poll_us;          /* idle=poll:US (default) or idle=halt (0): kernel/sched/sched.c */
};

/*
 * Parses `cmdline` into `out` (defaults first).  Each problem is passed to
 * `complain` as one message; returns the number of problems.
 */
int bootopt_parse(const char *cmdline, struct boot_options *out,
		  void (*complain)(const char *msg, void *ctx), void *ctx);

#endif
