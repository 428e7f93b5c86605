/*
 * sample.c — a tiny component image for the ELF loader's host tests
 * (tests/unit/test_elf.c).  It is never run: the tests inspect, load and
 * relocate it.  What matters is what the compiler and ld make of it:
 *
 *   - code and read-only strings, so there is an executable segment and a
 *     read-only one;
 *   - initialised data holding pointers to functions, to strings and to
 *     writable data, which a position-independent executable can only get by
 *     R_X86_64_RELATIVE relocations that the loader applies (8 of them);
 *   - a bss array, so one segment has p_memsz > p_filesz;
 *   - the interface text in the non-allocated section .pinfold.iface.
 *
 * The test finds sample_table and the functions through the image's own
 * symbol table, so their names are part of the contract with test_elf.c.
 */
typedef unsigned long uintptr;	/* no <stdint.h> needed for one type */

unsigned long sample_bss[512];
unsigned long sample_counter = 7;

static const char greeting[] = "hello from sample";

int sample_add(int a, int b)
{
	sample_counter++;
	return a + b;
}

int sample_mul(int a, int b)
{
	return a * b;
}

/* One pointer of each kind; the test knows this layout. */
struct sample_table {
	int (*add)(int, int);
	int (*mul)(int, int);
	const char *greeting;
	const char *word;
	unsigned long *bss;
	unsigned long *counter;
	unsigned long plain;		/* not a pointer: must not be relocated */
};

struct sample_table sample_table = {
	sample_add, sample_mul, greeting, "pinfold", &sample_bss[3], &sample_counter,
	0x1234,
};

/* A table of constant pointers: with -z norelro it lands in a writable segment. */
const char *const sample_names[] = { "add", "mul" };

void component_start(void)
{
	sample_bss[0] = (uintptr)sample_table.add(2, 3) + (uintptr)sample_names[1];
	for (;;)
		__asm__ volatile("pause");
}

__asm__(".section .pinfold.iface,\"\",@progbits\n"
	".ascii \"interface sample\\n\"\n"
	".ascii \"  add(a, b)\\n\"\n"
	".ascii \"  mul(a, b)\\n\"\n"
	".previous\n");
