/*
 * ioapic.c — programs the I/O APICs' redirection tables.
 *
 * Registers are reached indirectly: write the register number to IOREGSEL,
 * then read or write IOWIN (82093AA datasheet, 3.0).  Each redirection entry
 * (RTE) is two 32-bit registers, 0x10 + 2n (low) and 0x11 + 2n (high); the
 * low word holds the vector (7:0), polarity (13), trigger mode (15) and mask
 * (16).  Every line starts masked; a line is unmasked only once something
 * has bound it.
 *
 * An RTE has two formats.  In the old (compatibility) format the high word
 * holds the destination APIC id (31:24) and the IOAPIC's message goes to
 * that CPU as it is.  In remappable format (VT-d 5.1.5.1), which the chipset
 * asks for once it has filled the interrupt remapping table, the high word
 * names a table entry instead (index[14:0] in 31:17, format bit 16; index[15]
 * in low bit 11), and the entry decides vector and destination.  The chipset
 * builds each line's remappable RTE; this file checks it (rte.h) and keeps
 * it, and from then on writes that line only in that form, the mask bit its
 * own.
 */
#include "kernel/x86/ioapic.h"

#include <stddef.h>

#include "kernel/console.h"
#include "kernel/mm/vm.h"
#include "kernel/x86/lapic.h"
#include "kernel/x86/rte.h"

#define IOREGSEL     0x00
#define IOWIN        0x10
#define REG_VERSION  0x01
#define REG_REDIR(n) (0x10 + 2 * (n))
#define MAX_IOAPICS  8
#define MAX_LINES    256                /* the version register's count is 8 bits, plus one */

struct ioapic {
	volatile uint32_t *regs;
	uint8_t id;
	uint32_t gsi_base, lines;
	uint64_t remap[MAX_LINES];      /* the line's RTE in remappable format, mask clear; 0: old format */
};

/* Registers and ids are written at boot only; remap[] by ioapic_remap, with interrupts off. */
static struct ioapic ioapics[MAX_IOAPICS];
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
	io->id = id;
	io->gsi_base = gsi_base;
	io->lines = ((rd(io, REG_VERSION) >> 16) & 0xff) + 1;
	for (uint32_t n = 0; n < io->lines; n++) {
		wr(io, REG_REDIR(n), RTE_MASKED);
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
	uint32_t low = rte_route_bits(vector, level_triggered, active_low);
	uint32_t high = lapic_id() << 24;
	uint64_t remap = io->remap[line];
	if (remap && rte_remappable_ok(remap, vector, level_triggered, active_low)) {
		low = (uint32_t)remap;
		high = (uint32_t)(remap >> 32);
	} else if (remap) {
		/* ioapic_remap checked it against the same kernel policy: cannot happen. */
		kprintf("ioapic: gsi %u routed unlike its remapping entry; old format\n", gsi);
	}
	wr(io, REG_REDIR(line), RTE_MASKED);
	wr(io, REG_REDIR(line) + 1, high);
	wr(io, REG_REDIR(line), low | RTE_MASKED);
	return true;
}

bool ioapic_remap(uint32_t gsi, uint64_t rte, uint8_t vector, bool level_triggered, bool active_low)
{
	uint32_t line;
	struct ioapic *io = find(gsi, &line);
	if (!io || !rte_remappable_ok(rte, vector, level_triggered, active_low))
		return false;
	rte &= ~(uint64_t)RTE_MASKED;
	io->remap[line] = rte;
	/* The mask stays as it is.  The high word switches the format in one write, and the
	 * low word's fields are already these unless never routed (then it is masked) or
	 * index bit 15 differs: only then is the line masked while it changes, as an edge
	 * that came in the moment between could be lost. */
	uint32_t old = rd(io, REG_REDIR(line));
	uint32_t mask = old & RTE_MASKED;
	uint32_t keep = RTE_ROUTE_FIELDS | RTE_INDEX_BIT15;
	if (!mask && (old & keep) != ((uint32_t)rte & keep))
		wr(io, REG_REDIR(line), old | RTE_MASKED);
	wr(io, REG_REDIR(line) + 1, (uint32_t)(rte >> 32));
	wr(io, REG_REDIR(line), (uint32_t)rte | mask);
	return true;
}

bool ioapic_mask(uint32_t gsi, bool masked)
{
	uint32_t line;
	struct ioapic *io = find(gsi, &line);
	if (!io)
		return false;
	uint32_t low = rd(io, REG_REDIR(line));
	wr(io, REG_REDIR(line), masked ? (low | RTE_MASKED) : (low & ~RTE_MASKED));
	return true;
}

bool ioapic_of(uint32_t gsi, uint8_t *id)
{
	uint32_t line;
	struct ioapic *io = find(gsi, &line);
	if (io)
		*id = io->id;
	return io != NULL;
}

uint32_t ioapic_line_count(void)
{
	uint32_t n = 0;
	for (size_t i = 0; i < ioapic_count; i++)
		n += ioapics[i].lines;
	return n;
}
