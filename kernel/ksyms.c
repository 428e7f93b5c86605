/*
 * ksyms.c — address-to-name lookup in the embedded symbol table.
 *
 * The table is sorted by address, so a binary search finds the last symbol at
 * or below the address.  An address past the end of the kernel's code has no
 * name: the last function does not extend to infinity.
 */
#include "kernel/ksyms.h"

#include <stddef.h>
#include <string.h>

struct ksym_entry {
	uint64_t addr;
	uint32_t name;
	uint32_t zero;
};

struct ksym_header {
	char magic[4];
	uint32_t count;
	struct ksym_entry entries[];
};

extern const struct ksym_header ksyms_table;
extern const char kernel_text_start[], kernel_text_end[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	const struct ksym_header *t = &ksyms_table;
	if (memcmp(t->magic, "KSYM", 4) != 0 || t->count == 0)
		return NULL;
	if (addr < (uint64_t)kernel_text_start || addr >= (uint64_t)kernel_text_end)
		return NULL;

	size_t lo = 0, hi = t->count;      /* find the last entry with entries[i].addr <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->entries[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (t->entries[lo].addr > addr)
		return NULL;
	const char *names = (const char *)&t->entries[t->count];
	*offset = addr - t->entries[lo].addr;
	return names + t->entries[lo].name;
}
