/*
 * multiboot.h — what GRUB tells the kernel: the command line, the physical
 * memory map, the modules it loaded and a copy of the ACPI RSDP.
 *
 * multiboot_parse() checks the boot information once (sizes, tag bounds) and
 * copies out what the kernel needs, so nothing later walks GRUB's tags again.
 */
#ifndef PINFOLD_MULTIBOOT_H
#define PINFOLD_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/memmap.h"

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289
#define MAX_BOOT_MODULES 32

struct boot_module {
	uint64_t start, end;            /* physical, end exclusive */
	char name[64];                  /* GRUB's string for the module: its path and arguments */
};

struct boot_info {
	uint64_t info_start, info_end;  /* the boot information itself, physical */
	char cmdline[256];
	struct memmap_entry memmap[MEMMAP_MAX_ENTRIES];
	size_t memmap_count;
	struct boot_module modules[MAX_BOOT_MODULES];
	size_t module_count;
	const void *rsdp;               /* GRUB's copy of the RSDP, or NULL */
	size_t rsdp_len;
};

/*
 * Parses the boot information at `info` (read through the direct map).
 * Returns NULL on success, otherwise what is wrong with it.
 */
const char *multiboot_parse(uint32_t magic, const void *info, uint64_t info_phys,
			    struct boot_info *out);

#endif
