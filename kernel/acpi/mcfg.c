/*
 * mcfg.c — the PCI Express memory-mapped configuration table, signature
 * "MCFG" (PCI Firmware Specification 3.0 §4.1.2).
 *
 * After the header and 8 reserved bytes comes an array of 16-byte
 * allocations, one per PCI segment group (or per range of its buses): the
 * ECAM base, where function f of device d on bus b has its 4 KiB of
 * configuration space at base + (b << 20 | d << 15 | f << 12).
 */
#include <string.h>

#include "kernel/acpi/internal.h"

struct mcfg_fixed {
	struct acpi_header h;
	uint8_t reserved[8];
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct mcfg_fixed) == 44, "PCI Firmware 3.0 §4.1.2");

/* Configuration space base address allocation structure. */
struct mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct mcfg_alloc) == 16, "PCI Firmware 3.0 §4.1.2");

void acpi_parse_mcfg(const struct acpi_table *t, struct acpi_mcfg *out)
{
	const struct mcfg_alloc *a = (const void *)(t->bytes + sizeof(struct mcfg_fixed));
	uint32_t n;

	memset(out, 0, sizeof(*out));
	out->status.phys = t->phys;
	if (t->len < sizeof(struct mcfg_fixed)) {
		acpi_reject(&out->status, "length %u shorter than fixed part", (unsigned)t->len);
		return;
	}
	n = (t->len - sizeof(struct mcfg_fixed)) / sizeof(*a);
	if ((t->len - sizeof(struct mcfg_fixed)) % sizeof(*a) != 0) {
		acpi_reject(&out->status, "entry at offset 0x%x runs past the end",
			    (unsigned)(sizeof(struct mcfg_fixed) + n * sizeof(*a)));
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		if (a[i].start_bus > a[i].end_bus) {
			acpi_reject(&out->status, "entry %u has buses %u-%u", (unsigned)i,
				    a[i].start_bus, a[i].end_bus);
			return;
		}

	for (uint32_t i = 0; i < n; i++) {
		if (out->nsegments == ACPI_MAX_SEGMENTS) {
			out->status.dropped++;
			continue;
		}
		out->segment[out->nsegments++] = (struct acpi_mcfg_segment){
			.ecam_base = a[i].base, .segment = a[i].segment,
			.start_bus = a[i].start_bus, .end_bus = a[i].end_bus,
		};
	}
	out->status.state = ACPI_PRESENT;
}
