/*
 * ioapic.c — programs the I/O APICs' redirection tables.
 *
 * Registers are reached indirectly: write the register number to IOREGSEL,
 * then read or write IOWIN (82093AA datasheet, 3.0).  Each redirection entry
 * is two 32-bit registers, 0x10 + 2n (low) and 0x11 + 2n (high, destination
 * APIC id in bits 31:24); the low word holds the vector (7:0), polarity (13),
 * trigger mode (15) and mask (16).  Every line starts masked; a line is
 * unmasked only once something has bound it.
 */
#include "kernel/x86/ioapic.h"

#include <stddef.h>

#include "kernel/console.h"
#include "kernel/mm/vm.h"
#include "kernel/x86/lapic.h"

#define IOREGSEL     0x00
#define IOWIN        0x10
#define REG_VERSION  0x01
#define REG_REDIR(n) (0x10 + 2 * (n))
#define REDIR_MASKED      (1u << 16)
#define REDIR_LEVEL       (1u << 15)
#define REDIR_ACTIVE_LOW  (1u << 13)
#define MAX_IOAPICS  8

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base, lines;
};

static struct ioapic ioapics[MAX_IOAPICS];   /* written at boot only */
static size_t ioapic_count;

static uint32_t rd(const struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void wr(const struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = v;
}

bool ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base)
{
	if (ioapic_count == MAX_IOAPICS)
		return false;
	struct ioapic *io = &ioapics[ioapic_count];
	io->regs = (volatile uint32_t *)vm_map_mmio(phys, 0x20);
	if (!io->regs)
		return false;
	io->gsi_base = gsi_base;
	io->lines = ((rd(io, REG_VERSION) >> 16) & 0xff) + 1;
	for (uint32_t n = 0; n < io->lines; n++) {
		wr(io, REG_REDIR(n), REDIR_MASKED);
		wr(io, REG_REDIR(n) + 1, 0);
	}
	ioapic_count++;
	kprintf("ioapic: id %u at 0x%lx, gsi %u-%u, all masked\n",
		id, phys, gsi_base, gsi_base + io->lines - 1);
	return true;
}

static struct ioapic *find(uint32_t gsi, uint32_t *line)
{
	for (size_t i = 0; i < ioapic_count; i++)
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].lines) {
			*line = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	return NULL;
}

bool ioapic_route(uint32_t gsi, uint8_t vector, bool level_triggered, bool active_low)
{
	uint32_t line;
	struct ioapic *io = find(gsi, &line);
	if (!io)
		return false;
	uint32_t low = vector | REDIR_MASKED | (level_triggered ? REDIR_LEVEL : 0) |
		       (active_low ? REDIR_ACTIVE_LOW : 0);
	wr(io, REG_REDIR(line), REDIR_MASKED);
	wr(io, REG_REDIR(line) + 1, lapic_id() << 24);
	wr(io, REG_REDIR(line), low);
	return true;
}

bool ioapic_mask(uint32_t gsi, bool masked)
{
	uint32_t line;
	struct ioapic *io = find(gsi, &line);
	if (!io)
		return false;
	uint32_t low = rd(io, REG_REDIR(line));
	wr(io, REG_REDIR(line), masked ? (low | REDIR_MASKED) : (low & ~REDIR_MASKED));
	return true;
}

uint32_t ioapic_line_count(void)
{
	uint32_t n = 0;
	for (size_t i = 0; i < ioapic_count; i++)
		n += ioapics[i].lines;
	return n;
}
