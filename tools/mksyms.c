/*
 * mksyms.c — turns `nm -n --defined-only kernel.elf` into the kernel's
 * symbol table (build time, host program).
 *
 * Only code symbols (nm types t, T, w, W) are kept: the table exists to name
 * the functions in a backtrace.  Output layout, read by kernel/ksyms.c:
 *   "KSYM" magic, u32 count,
 *   count × { u64 address; u32 name offset; u32 zero }, sorted by address,
 *   the NUL-terminated names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sym {
	uint64_t addr;
	char *name;
};

int main(void)
{
	size_t count = 0, cap = 1024, names_len = 0;
	struct sym *syms = malloc(cap * sizeof *syms);
	char line[1024];

	while (fgets(line, sizeof line, stdin)) {
		unsigned long long addr;
		char type, name[900];
		if (sscanf(line, "%llx %c %899s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (count == cap)
			syms = realloc(syms, (cap *= 2) * sizeof *syms);
		syms[count].addr = addr;
		syms[count].name = strdup(name);
		names_len += strlen(name) + 1;
		count++;
	}

	uint32_t n = (uint32_t)count, zero = 0, offset = 0;
	fwrite("KSYM", 1, 4, stdout);
	fwrite(&n, 4, 1, stdout);
	for (size_t i = 0; i < count; i++) {
		fwrite(&syms[i].addr, 8, 1, stdout);
		fwrite(&offset, 4, 1, stdout);
		fwrite(&zero, 4, 1, stdout);
		offset += (uint32_t)strlen(syms[i].name) + 1;
	}
	for (size_t i = 0; i < count; i++)
		fwrite(syms[i].name, 1, strlen(syms[i].name) + 1, stdout);
	return 0;
}
