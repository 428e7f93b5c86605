/*
 * io.h — how a driver touches its device: I/O ports, memory-mapped
 * registers, and the time-stamp counter.
 *
 * Header-only, so that every access is one instruction in the caller.  Port
 * accesses fault unless the manifest granted the port (the kernel's TSS I/O
 * permission bitmap); register accesses go through a window that the chipset
 * mapped uncached.  A window knows its size, and an access outside it stops
 * the driver at once (a CPU exception in its own domain, charged to it)
 * rather than touching whatever lies beyond: a driver bug that reaches for
 * register 0x1000 of a 4 KiB BAR is a crash with a clear address, not a read
 * of the next device.
 */
#ifndef LIBDRIVER_IO_H
#define LIBDRIVER_IO_H

#include <stdbool.h>
#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

/* A window of device registers, mapped uncached by the chipset. */
struct mmio {
	volatile uint8_t *base;
	uint64_t size;
};

/* An access outside the window: ud2 stops the driver where the bug is. */
static inline void mmio_check(const struct mmio *m, uint64_t off, unsigned width)
{
	if (off > m->size || m->size - off < width)
		__builtin_trap();
}

static inline uint32_t mmio_read32(const struct mmio *m, uint64_t off)
{
	mmio_check(m, off, 4);
	return *(volatile uint32_t *)(m->base + off);
}

static inline void mmio_write32(const struct mmio *m, uint64_t off, uint32_t v)
{
	mmio_check(m, off, 4);
	*(volatile uint32_t *)(m->base + off) = v;
}

static inline uint64_t mmio_read64(const struct mmio *m, uint64_t off)
{
	mmio_check(m, off, 8);
	return *(volatile uint64_t *)(m->base + off);
}

static inline void mmio_write64(const struct mmio *m, uint64_t off, uint64_t v)
{
	mmio_check(m, off, 8);
	*(volatile uint64_t *)(m->base + off) = v;
}

/*
 * A window inside a window: [off, off + size) of `m`, for a device whose BAR
 * holds repeated register blocks (an AHCI port's 0x80 bytes).  Accesses
 * through the smaller window are checked against its own bounds, so a port's
 * code cannot reach a neighbour's registers.  False (and *sub untouched) if
 * the block does not lie inside `m`.
 */
static inline bool mmio_window(const struct mmio *m, uint64_t off, uint64_t size, struct mmio *sub)
{
	if (off > m->size || m->size - off < size)
		return false;
	sub->base = m->base + off;
	sub->size = size;
	return true;
}

/*
 * Polls the 32-bit register at `off` until (value & mask) == want, for at
 * most timeout_ns of the kernel's clock (mmio_wait.c).  Every wait on a
 * device is bounded: a device that never answers is given up, not waited for.
 */
bool mmio_wait32(const struct mmio *m, uint64_t off, uint32_t mask, uint32_t want, uint64_t timeout_ns);

#endif
