/*
 * mmio_wait.c — a bounded poll of a device register (io.h).
 *
 * Not in io.h with the accessors because it needs the kernel's clock
 * (pinfold/kcall.h), which a header-only file meant for every driver and the
 * chipset should not drag in.  It spins with `pause` rather than sleeping:
 * the waits it serves (a port engine stopping, a reset bit clearing) last
 * microseconds in QEMU and are bounded in milliseconds by the specifications.
 */
#include "libdriver/io.h"

#include <pinfold/kcall.h>

bool mmio_wait32(const struct mmio *m, uint64_t off, uint32_t mask, uint32_t want, uint64_t timeout_ns)
{
	uint64_t until = clock_ns() + timeout_ns;
	for (;;) {
		if ((mmio_read32(m, off) & mask) == want)
			return true;
		if (clock_ns() > until)
			return false;
		cpu_relax();
	}
}
