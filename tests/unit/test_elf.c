/*
 * test_elf.c — the component ELF loader (kernel/component/elf.c).
 *
 * Three parts:
 *
 *   1. A real image.  tests/unit/elf_sample/sample.c is built with the exact
 *      component flags (tests/unit/unit.mk) and embedded between elf_sample
 *      and elf_sample_end.  The tests inspect it, lay it out, relocate it at
 *      a pretend base and check every pointer in its data against the
 *      image's own symbol table, which this file reads with a few lines of
 *      its own (no code shared with the loader).
 *   2. Named damage: one copy of the real image per rule of elf_inspect(),
 *      each broken in exactly one way, and the message it must produce;
 *      plus the harmless variations that must still be accepted.
 *   3. A seeded fuzz loop that flips bytes and writes nasty values in the
 *      headers, checking only what must always hold: no sanitizer report,
 *      and an accepted image that really obeys every promise of elf.h.
 *
 * Every image handed to elf_inspect() sits in a heap block of exactly its
 * length, so AddressSanitizer catches a read one byte past the end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/component/elf.h"
#include "tests/unit/host.h"
#include "tests/unit/random.h"
#include "unit.h"

extern const uint8_t elf_sample[], elf_sample_end[];

#define BASE		0x0000001000000000ull	/* pretend load address */
#define MAX_SPAN	(1ull << 30)
#define PAGE		4096ull
#define SPARE		(20 * 1024)		/* room a damage may append */

/* Offsets of the fields the tests touch (gABI ELF-64 layouts). */
enum {
	EH_CLASS = 4, EH_DATA = 5, EH_IVERSION = 6, EH_TYPE = 16, EH_MACHINE = 18,
	EH_VERSION = 20, EH_ENTRY = 24, EH_PHOFF = 32, EH_SHOFF = 40, EH_EHSIZE = 52,
	EH_PHENTSIZE = 54, EH_PHNUM = 56, EH_SHENTSIZE = 58, EH_SHNUM = 60, EH_SHSTRNDX = 62,
	PH_SIZE = 56, P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32,
	P_MEMSZ = 40,
	SH_SIZE = 64, S_NAME = 0, S_TYPE = 4, S_FLAGS = 8, S_OFFSET = 24, S_SIZEF = 32,
	S_LINK = 40,
	SYM_SIZE = 24, ST_NAME = 0, ST_VALUE = 8,
	RELA_SIZE = 24, R_OFFSET = 0, R_INFO = 8, R_ADDEND = 16,
};
enum { PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_TLS = 7,
       PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_PROPERTY = 0x6474e553,
       PF_X = 1, PF_W = 2, PF_R = 4 };
enum { SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHF_ALLOC = 2 };
enum { DT_NULL = 0, DT_NEEDED = 1, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9,
       DT_INIT_ARRAY = 25, DT_REL = 17, DT_TEXTREL = 22, DT_JMPREL = 23, DT_DEBUG = 21,
       DT_RELACOUNT = 0x6ffffff9 };

static const char IFACE_TEXT[] = "interface sample\n  add(a, b)\n  mul(a, b)\n";

/* ---- reading and writing little-endian fields ------------------------------------------- */

static uint64_t get(const uint8_t *b, uint64_t off, int size)
{
	uint64_t v = 0;
	memcpy(&v, b + off, size);
	return v;
}

static void put(uint8_t *b, uint64_t off, int size, uint64_t v)
{
	memcpy(b + off, &v, size);
}

static size_t sample_len(void)
{
	return (size_t)(elf_sample_end - elf_sample);
}

static uint64_t ph(const uint8_t *b, unsigned i)
{
	return get(b, EH_PHOFF, 8) + (uint64_t)i * PH_SIZE;
}

static uint64_t sh(const uint8_t *b, unsigned i)
{
	return get(b, EH_SHOFF, 8) + (uint64_t)i * SH_SIZE;
}

/* Index of the first program header of `type` with all of `flags`; -1 if none. */
static int find_ph(const uint8_t *b, uint32_t type, uint32_t flags)
{
	for (unsigned i = 0; i < get(b, EH_PHNUM, 2); i++)
		if (get(b, ph(b, i) + P_TYPE, 4) == type &&
		    (get(b, ph(b, i) + P_FLAGS, 4) & flags) == flags)
			return (int)i;
	return -1;
}

static int find_section(const uint8_t *b, const char *name)
{
	uint64_t names = get(b, sh(b, get(b, EH_SHSTRNDX, 2)) + S_OFFSET, 8);
	for (unsigned i = 1; i < get(b, EH_SHNUM, 2); i++)
		if (strcmp((const char *)b + names + get(b, sh(b, i) + S_NAME, 4), name) == 0)
			return (int)i;
	return -1;
}

/* The link-time value of a symbol of the real image, from its .symtab. */
static uint64_t symbol(const char *name)
{
	const uint8_t *b = elf_sample;
	for (unsigned i = 1; i < get(b, EH_SHNUM, 2); i++) {
		if (get(b, sh(b, i) + S_TYPE, 4) != SHT_SYMTAB)
			continue;
		uint64_t syms = get(b, sh(b, i) + S_OFFSET, 8);
		uint64_t n = get(b, sh(b, i) + S_SIZEF, 8) / SYM_SIZE;
		uint64_t strs = get(b, sh(b, get(b, sh(b, i) + S_LINK, 4)) + S_OFFSET, 8);
		for (uint64_t k = 0; k < n; k++) {
			const char *s = (const char *)b + strs + get(b, syms + k * SYM_SIZE + ST_NAME, 4);
			if (strcmp(s, name) == 0)
				return get(b, syms + k * SYM_SIZE + ST_VALUE, 8);
		}
	}
	unit_fail(__FILE__, __LINE__, "sample has no symbol %s", name);
	return 0;
}

/* File offset of the dynamic entry with `tag`; 0 if none. */
static uint64_t dyn(const uint8_t *b, int64_t tag)
{
	int d = find_ph(b, PT_DYNAMIC, 0);
	uint64_t off = get(b, ph(b, d) + P_OFFSET, 8);
	for (uint64_t e = off; e < off + get(b, ph(b, d) + P_FILESZ, 8); e += 16) {
		if ((int64_t)get(b, e, 8) == tag)
			return e;
		if (get(b, e, 8) == DT_NULL)
			break;
	}
	return 0;
}

/* File offset of relocation i: DT_RELA is a vaddr in the first (vaddr = offset) segment. */
static uint64_t rela(const uint8_t *b, unsigned i)
{
	return get(b, dyn(b, DT_RELA) + 8, 8) + (uint64_t)i * RELA_SIZE;
}

/* A heap copy of exactly `len` bytes, so ASan sees any read past the end. */
static uint8_t *exact_copy(const uint8_t *b, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	memcpy(c, b, len);
	return c;
}

/* ---- what an accepted image promises (elf.h) ----------------------------------------- */

static bool image_ok(const struct elf_image *img, const uint8_t *file, size_t len,
		     uint64_t max_span)
{
	bool entry_ok = false;

	if (img->nsegments == 0 || img->nsegments > ELF_MAX_SEGMENTS || img->span > max_span ||
	    img->span % PAGE != 0 || img->rela_count > ELF_MAX_RELOCS || img->why[0])
		return false;
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segment[i];
		if ((s->write && s->exec) || s->filesz > s->memsz || s->offset > len ||
		    s->filesz > len - s->offset || s->vaddr > img->span ||
		    s->memsz > img->span - s->vaddr)
			return false;
		if (i > 0 && s->vaddr / PAGE * PAGE <
		    (img->segment[i - 1].vaddr + img->segment[i - 1].memsz + PAGE - 1) / PAGE * PAGE)
			return false;
		if (s->exec && img->entry >= s->vaddr && img->entry < s->vaddr + s->filesz)
			entry_ok = true;
	}
	if (!entry_ok)
		return false;
	if (img->rela_count && (img->rela_offset > len ||
				img->rela_count * RELA_SIZE > len - img->rela_offset))
		return false;
	if (img->iface_size > ELF_MAX_IFACE || img->iface_offset > len ||
	    img->iface_size > len - img->iface_offset || memchr(file + img->iface_offset, 0,
								   img->iface_size))
		return false;
	return true;
}

/* ---- 1. the real image --------------------------------------------------------------- */

TEST(elf_sample_inspect)
{
	const uint8_t *b = elf_sample;
	struct elf_image img;
	unsigned loads = 0, execs = 0, writes = 0;
	int iface = find_section(b, ".pinfold.iface"), relas = find_section(b, ".rela.dyn");

	CHECK(elf_inspect(b, sample_len(), MAX_SPAN, &img) == NULL);
	CHECK(image_ok(&img, b, sample_len(), MAX_SPAN));
	for (unsigned i = 0; i < get(b, EH_PHNUM, 2); i++)
		loads += get(b, ph(b, i) + P_TYPE, 4) == PT_LOAD;
	CHECK_EQ(img.nsegments, loads);
	for (size_t i = 0, p = 0; i < img.nsegments; i++, p++) {
		const struct elf_segment *s = &img.segment[i];
		while (get(b, ph(b, p) + P_TYPE, 4) != PT_LOAD)
			p++;
		CHECK_EQ(s->vaddr, get(b, ph(b, p) + P_VADDR, 8));
		CHECK_EQ(s->offset, get(b, ph(b, p) + P_OFFSET, 8));
		CHECK_EQ(s->filesz, get(b, ph(b, p) + P_FILESZ, 8));
		CHECK_EQ(s->memsz, get(b, ph(b, p) + P_MEMSZ, 8));
		CHECK(s->read);
		execs += s->exec;
		writes += s->write;
	}
	CHECK_EQ(execs, 1);
	CHECK_EQ(writes, 1);
	CHECK_EQ(img.entry, symbol("component_start"));
	CHECK_EQ(img.span, (img.segment[img.nsegments - 1].vaddr +
			    img.segment[img.nsegments - 1].memsz + PAGE - 1) / PAGE * PAGE);
	/* Six pointers in sample_table, two in sample_names (sample.c). */
	CHECK_EQ(img.rela_count, 8);
	CHECK(relas > 0);
	if (relas > 0)
		CHECK_EQ(img.rela_offset, get(b, sh(b, relas) + S_OFFSET, 8));
	CHECK(iface > 0);
	if (iface > 0)
		CHECK_EQ(img.iface_offset, get(b, sh(b, iface) + S_OFFSET, 8));
	CHECK_EQ(img.iface_size, sizeof(IFACE_TEXT) - 1);
	CHECK(memcmp(b + img.iface_offset, IFACE_TEXT, sizeof(IFACE_TEXT) - 1) == 0);
}

TEST(elf_sample_inspect_at_odd_address)
{
	struct elf_image a, c;
	uint8_t *block = malloc(sample_len() + 1);

	memcpy(block + 1, elf_sample, sample_len());
	CHECK(elf_inspect(elf_sample, sample_len(), MAX_SPAN, &a) == NULL);
	CHECK(elf_inspect(block + 1, sample_len(), MAX_SPAN, &c) == NULL);
	CHECK_EQ(a.span, c.span);
	CHECK_EQ(a.entry, c.entry);
	CHECK_EQ(a.nsegments, c.nsegments);
	CHECK_EQ(a.rela_offset, c.rela_offset);
	CHECK_EQ(a.rela_count, c.rela_count);
	CHECK_EQ(a.iface_size, c.iface_size);
	free(block);
}

/* The image laid out and relocated at `base` in a fresh page-aligned block. */
static uint8_t *load(const struct elf_image *img, uint64_t base, bool relocate)
{
	uint8_t *mem = aligned_alloc(PAGE, img->span);

	memset(mem, 0xa5, img->span);		/* elf_copy_segments must zero it */
	elf_copy_segments(img, elf_sample, mem);
	if (relocate)
		CHECK(elf_relocate(img, elf_sample, mem, base) == NULL);
	return mem;
}

static const char *string_at(const uint8_t *mem, const struct elf_image *img, uint64_t ptr,
			     uint64_t base)
{
	if (ptr < base || ptr - base >= img->span)
		return "(outside the image)";
	return (const char *)mem + (ptr - base);
}

TEST(elf_sample_copy_segments)
{
	struct elf_image img;
	uint8_t *mem;
	uint64_t at = 0;

	CHECK(elf_inspect(elf_sample, sample_len(), MAX_SPAN, &img) == NULL);
	mem = load(&img, BASE, false);
	for (size_t i = 0; i < img.nsegments; i++) {
		const struct elf_segment *s = &img.segment[i];
		for (; at < s->vaddr; at++)		/* the gap before the segment */
			if (mem[at] != 0)
				break;
		CHECK_EQ(at, s->vaddr);
		CHECK(memcmp(mem + s->vaddr, elf_sample + s->offset, s->filesz) == 0);
		for (at = s->vaddr + s->filesz; at < img.span && at < s->vaddr + s->memsz; at++)
			if (mem[at] != 0)
				break;
		CHECK_EQ(at, s->vaddr + s->memsz);
	}
	for (; at < img.span; at++)
		if (mem[at] != 0)
			break;
	CHECK_EQ(at, img.span);
	CHECK_EQ(get(mem, symbol("sample_counter"), 8), 7);
	free(mem);
}

TEST(elf_sample_relocate)
{
	struct elf_image img;
	uint8_t *mem, *raw;
	uint64_t t = symbol("sample_table"), names = symbol("sample_names");
	unsigned changed = 0;

	CHECK(elf_inspect(elf_sample, sample_len(), MAX_SPAN, &img) == NULL);
	mem = load(&img, BASE, true);
	raw = load(&img, BASE, false);

	/* struct sample_table in sample.c: add, mul, greeting, word, bss, counter, plain. */
	CHECK_EQ(get(mem, t + 0, 8), BASE + symbol("sample_add"));
	CHECK_EQ(get(mem, t + 8, 8), BASE + symbol("sample_mul"));
	CHECK_STR(string_at(mem, &img, get(mem, t + 16, 8), BASE), "hello from sample");
	CHECK_STR(string_at(mem, &img, get(mem, t + 24, 8), BASE), "pinfold");
	CHECK_EQ(get(mem, t + 32, 8), BASE + symbol("sample_bss") + 3 * 8);
	CHECK_EQ(get(mem, t + 40, 8), BASE + symbol("sample_counter"));
	CHECK_EQ(get(mem, t + 48, 8), 0x1234);
	CHECK_STR(string_at(mem, &img, get(mem, names + 0, 8), BASE), "add");
	CHECK_STR(string_at(mem, &img, get(mem, names + 8, 8), BASE), "mul");

	/* Relocation wrote those eight slots and nothing else. */
	for (uint64_t at = 0; at < img.span; at += 8)
		changed += get(mem, at, 8) != get(raw, at, 8);
	CHECK_EQ(changed, 8);
	free(mem);
	free(raw);
}

TEST(elf_sample_relocate_elsewhere)
{
	struct elf_image img;
	uint64_t other = 0x00007fff00000000ull, t = symbol("sample_table");
	uint8_t *a, *c;

	CHECK(elf_inspect(elf_sample, sample_len(), MAX_SPAN, &img) == NULL);
	a = load(&img, BASE, true);
	c = load(&img, other, true);
	for (uint64_t off = 0; off < 48; off += 8)
		CHECK_EQ(get(c, t + off, 8) - get(a, t + off, 8), other - BASE);
	free(a);
	free(c);
}

TEST(elf_relocate_refuses_bad_bases)
{
	struct elf_image img;
	uint8_t *mem;

	CHECK(elf_inspect(elf_sample, sample_len(), MAX_SPAN, &img) == NULL);
	mem = load(&img, BASE, false);
	CHECK(elf_relocate(&img, elf_sample, mem, BASE + 0x800) != NULL);
	CHECK(elf_relocate(&img, elf_sample, mem, 1ull << 47) != NULL);
	CHECK(elf_relocate(&img, elf_sample, mem, ~0ull << 12) != NULL);
	CHECK(elf_relocate(&img, elf_sample, mem, (1ull << 47) - img.span + PAGE) != NULL);
	CHECK(elf_relocate(&img, elf_sample, mem, (1ull << 47) - img.span) == NULL);
	CHECK_EQ(get(mem, symbol("sample_table") + 48, 8), 0x1234);
	free(mem);
}

/* An image description that does not match the file is caught, not obeyed. */
TEST(elf_relocate_refuses_foreign_image)
{
	struct elf_image img;
	uint8_t *mem;

	CHECK(elf_inspect(elf_sample, sample_len(), MAX_SPAN, &img) == NULL);
	mem = load(&img, BASE, false);
	for (size_t i = 0; i < img.nsegments; i++)
		img.segment[i].write = false;
	CHECK(elf_relocate(&img, elf_sample, mem, BASE) != NULL);
	free(mem);
}

/* ---- 2. named damage ------------------------------------------------------------------- */

static int load_ph(const uint8_t *b, uint32_t flags) { return find_ph(b, PT_LOAD, flags); }
static uint64_t rw_ph(const uint8_t *b) { return ph(b, load_ph(b, PF_W)); }
static uint64_t text_ph(const uint8_t *b) { return ph(b, load_ph(b, PF_X)); }
static uint64_t stack_ph(const uint8_t *b) { return ph(b, find_ph(b, PT_GNU_STACK, 0)); }
static uint64_t dyn_ph(const uint8_t *b) { return ph(b, find_ph(b, PT_DYNAMIC, 0)); }
static uint64_t iface_sh(const uint8_t *b) { return sh(b, find_section(b, ".pinfold.iface")); }
static uint64_t rw_end(const uint8_t *b)
{
	return get(b, rw_ph(b) + P_VADDR, 8) + get(b, rw_ph(b) + P_MEMSZ, 8);
}

/* Each damage gets a copy with SPARE bytes after it and may grow *len into them. */
typedef void damage_fn(uint8_t *b, size_t *len);

static void none(uint8_t *b, size_t *len) { (void)b, (void)len; }
static void short_file(uint8_t *b, size_t *len) { (void)b, *len = 63; }
static void cut_in_phdrs(uint8_t *b, size_t *len) { (void)b, *len = 100; }
static void cut_in_data(uint8_t *b, size_t *len) { *len = get(b, rw_ph(b) + P_OFFSET, 8) + 8; }
static void bad_magic(uint8_t *b, size_t *len) { (void)len, b[1] = 'X'; }
static void class32(uint8_t *b, size_t *len) { (void)len, b[EH_CLASS] = 1; }
static void big_endian(uint8_t *b, size_t *len) { (void)len, b[EH_DATA] = 2; }
static void ident_version(uint8_t *b, size_t *len) { (void)len, b[EH_IVERSION] = 0; }
static void version(uint8_t *b, size_t *len) { (void)len, put(b, EH_VERSION, 4, 2); }
static void machine_i386(uint8_t *b, size_t *len) { (void)len, put(b, EH_MACHINE, 2, 3); }
static void type_exec(uint8_t *b, size_t *len) { (void)len, put(b, EH_TYPE, 2, 2); }
static void type_rel(uint8_t *b, size_t *len) { (void)len, put(b, EH_TYPE, 2, 1); }
static void ehsize(uint8_t *b, size_t *len) { (void)len, put(b, EH_EHSIZE, 2, 52); }
static void phentsize(uint8_t *b, size_t *len) { (void)len, put(b, EH_PHENTSIZE, 2, 32); }
static void phnum0(uint8_t *b, size_t *len) { (void)len, put(b, EH_PHNUM, 2, 0); }
static void phnum_xnum(uint8_t *b, size_t *len) { (void)len, put(b, EH_PHNUM, 2, 0xffff); }
static void phoff_end(uint8_t *b, size_t *len) { put(b, EH_PHOFF, 8, *len - PH_SIZE); }
static void phoff_wrap(uint8_t *b, size_t *len) { (void)len, put(b, EH_PHOFF, 8, ~0ull - 8); }

static void seg_past_end(uint8_t *b, size_t *len)
{
	uint64_t next_page = (*len + PAGE - 1) & ~(PAGE - 1);
	put(b, rw_ph(b) + P_OFFSET, 8, next_page + get(b, rw_ph(b) + P_VADDR, 8) % PAGE);
}
static void seg_offset_wrap(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_OFFSET, 8, ~0ull - PAGE + 1 + get(b, rw_ph(b) + P_VADDR, 8) % PAGE);
}
static void filesz_huge(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_FILESZ, 8, ~0ull - 0x100);
	put(b, rw_ph(b) + P_MEMSZ, 8, ~0ull - 0x100);
}
static void filesz_gt_memsz(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_FILESZ, 8, get(b, rw_ph(b) + P_MEMSZ, 8) + 1);
}
static void incongruent(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_VADDR, 8, get(b, rw_ph(b) + P_VADDR, 8) + 8);
}
static void memsz_wrap(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_MEMSZ, 8, ~0ull - get(b, rw_ph(b) + P_VADDR, 8) + 1);
}
static void too_big(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_MEMSZ, 8, MAX_SPAN);
}
static void unsorted(uint8_t *b, size_t *len)
{
	uint8_t tmp[PH_SIZE];
	uint64_t text = text_ph(b), data = rw_ph(b);
	(void)len;
	memcpy(tmp, b + text, PH_SIZE);
	memcpy(b + text, b + data, PH_SIZE);
	memcpy(b + data, tmp, PH_SIZE);
}
/* The data segment moved down onto the page where the read-only one ends. */
static void shares_page(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_VADDR, 8, get(b, rw_ph(b) + P_VADDR, 8) - PAGE);
}
static void w_and_x(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rw_ph(b) + P_FLAGS, 4, PF_R | PF_W | PF_X);
}
static void no_exec(uint8_t *b, size_t *len) { (void)len, put(b, text_ph(b) + P_FLAGS, 4, PF_R); }
static void entry_in_rodata(uint8_t *b, size_t *len) { (void)len, put(b, EH_ENTRY, 8, 0x10); }
static void entry_at_text_end(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, EH_ENTRY, 8, get(b, text_ph(b) + P_VADDR, 8) + get(b, text_ph(b) + P_FILESZ, 8));
}
static void interp(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, PT_INTERP); }
static void tls(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, PT_TLS); }
static void unknown_ph(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, 0x60000000); }
static void exec_stack(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_FLAGS, 4, 7); }
static void note(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, PT_NOTE); }
static void property(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, PT_GNU_PROPERTY); }
static void eh_frame(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, PT_GNU_EH_FRAME); }
static void empty_load(uint8_t *b, size_t *len) { (void)len, put(b, stack_ph(b) + P_TYPE, 4, PT_LOAD); }
static void two_dynamic(uint8_t *b, size_t *len)
{
	(void)len;
	memcpy(b + stack_ph(b), b + dyn_ph(b), PH_SIZE);
}
static void no_dynamic(uint8_t *b, size_t *len) { (void)len, put(b, dyn_ph(b) + P_TYPE, 4, 0); }
static void dynamic_outside(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, dyn_ph(b) + P_VADDR, 8, get(b, dyn_ph(b) + P_VADDR, 8) + 0x10000);
}
static void dynamic_offset(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, dyn_ph(b) + P_OFFSET, 8, get(b, dyn_ph(b) + P_OFFSET, 8) + 16);
}

/* Appends a copy of the program headers plus `extra` one-page PT_LOADs far above the image. */
static void append_loads(uint8_t *b, size_t *len, unsigned extra)
{
	uint64_t n = get(b, EH_PHNUM, 2), at = (*len + 7) & ~7ull;

	memcpy(b + at, b + get(b, EH_PHOFF, 8), n * PH_SIZE);
	for (unsigned k = 0; k < extra; k++) {
		uint64_t p = at + (n + k) * PH_SIZE;
		memset(b + p, 0, PH_SIZE);
		put(b, p + P_TYPE, 4, PT_LOAD);
		put(b, p + P_FLAGS, 4, PF_R);
		put(b, p + P_VADDR, 8, 0x100000 + k * PAGE);
		put(b, p + P_MEMSZ, 8, 16);
	}
	put(b, EH_PHOFF, 8, at);
	put(b, EH_PHNUM, 2, n + extra);
	*len = at + (n + extra) * PH_SIZE;
}
static void eight_loads(uint8_t *b, size_t *len) { append_loads(b, len, 4); }
static void nine_loads(uint8_t *b, size_t *len) { append_loads(b, len, 5); }

static void set_tag(uint8_t *b, int64_t from, int64_t to) { put(b, dyn(b, from), 8, (uint64_t)to); }
static void needed(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, DT_NEEDED); }
static void rel(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, DT_REL); }
static void jmprel(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, DT_JMPREL); }
static void init_array(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, DT_INIT_ARRAY); }
static void textrel(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, DT_TEXTREL); }
static void unknown_tag(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, 0x70000001); }
static void two_rela(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_DEBUG, DT_RELA); }
static void no_relasz(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_RELASZ, DT_DEBUG); }
static void no_rela(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_RELA, DT_DEBUG); }
static void no_relaent(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_RELAENT, DT_DEBUG); }
static void no_relacount(uint8_t *b, size_t *len) { (void)len, set_tag(b, DT_RELACOUNT, DT_DEBUG); }
static void no_relocs(uint8_t *b, size_t *len)
{
	(void)len;
	set_tag(b, DT_RELA, DT_DEBUG);
	set_tag(b, DT_RELASZ, DT_DEBUG);
	set_tag(b, DT_RELACOUNT, DT_DEBUG);
}
static void no_dt_null(uint8_t *b, size_t *len)
{
	uint64_t off = get(b, dyn_ph(b) + P_OFFSET, 8), size = get(b, dyn_ph(b) + P_FILESZ, 8);
	(void)len;
	for (uint64_t e = off; e < off + size; e += 16)
		if (get(b, e, 8) == DT_NULL)
			put(b, e, 8, DT_DEBUG);
}
static void relaent16(uint8_t *b, size_t *len) { (void)len, put(b, dyn(b, DT_RELAENT) + 8, 8, 16); }
static void relasz_odd(uint8_t *b, size_t *len) { (void)len, put(b, dyn(b, DT_RELASZ) + 8, 8, 25); }
static void relasz_zero(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, dyn(b, DT_RELASZ) + 8, 8, 0);
	put(b, dyn(b, DT_RELACOUNT) + 8, 8, 0);
}
static void relasz_many(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, dyn(b, DT_RELASZ) + 8, 8, (ELF_MAX_RELOCS + 1ull) * RELA_SIZE);
}
static void relasz_past(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, dyn(b, DT_RELASZ) + 8, 8, get(b, dyn(b, DT_RELASZ) + 8, 8) + 0x1000 * RELA_SIZE);
}
static void rela_in_bss(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, dyn(b, DT_RELA) + 8, 8, rw_end(b) - get(b, dyn(b, DT_RELASZ) + 8, 8));
}
static void relacount_big(uint8_t *b, size_t *len) { (void)len, put(b, dyn(b, DT_RELACOUNT) + 8, 8, 9); }
static void rel_type_64(uint8_t *b, size_t *len) { (void)len, put(b, rela(b, 3) + R_INFO, 8, 1ull << 32 | 1); }
static void rel_symbol(uint8_t *b, size_t *len) { (void)len, put(b, rela(b, 3) + R_INFO, 8, 1ull << 32 | 8); }
static void rel_irelative(uint8_t *b, size_t *len) { (void)len, put(b, rela(b, 7) + R_INFO, 8, 37); }
static void rel_in_text(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rela(b, 0) + R_OFFSET, 8, get(b, text_ph(b) + P_VADDR, 8) + 8);
}
static void rel_straddles_end(uint8_t *b, size_t *len) { (void)len, put(b, rela(b, 0) + R_OFFSET, 8, rw_end(b) - 4); }
static void rel_last_word(uint8_t *b, size_t *len) { (void)len, put(b, rela(b, 0) + R_OFFSET, 8, rw_end(b) - 8); }
static void rel_wraps(uint8_t *b, size_t *len) { (void)len, put(b, rela(b, 0) + R_OFFSET, 8, ~0ull - 3); }
static void rel_unaligned(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, rela(b, 0) + R_OFFSET, 8, get(b, rela(b, 0) + R_OFFSET, 8) + 3);
}

static void no_sections(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, EH_SHOFF, 8, 0);
	put(b, EH_SHNUM, 2, 0);
	put(b, EH_SHSTRNDX, 2, 0);
}
static void shentsize(uint8_t *b, size_t *len) { (void)len, put(b, EH_SHENTSIZE, 2, 40); }
static void shnum0(uint8_t *b, size_t *len) { (void)len, put(b, EH_SHNUM, 2, 0); }
static void shoff_past(uint8_t *b, size_t *len) { put(b, EH_SHOFF, 8, *len - SH_SIZE); }
static void shoff_wrap(uint8_t *b, size_t *len) { (void)len, put(b, EH_SHOFF, 8, ~0ull - 16); }
static void shstrndx_big(uint8_t *b, size_t *len) { (void)len, put(b, EH_SHSTRNDX, 2, get(b, EH_SHNUM, 2)); }
static void shstrndx0(uint8_t *b, size_t *len) { (void)len, put(b, EH_SHSTRNDX, 2, 0); }
static void shstrtab_type(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, sh(b, get(b, EH_SHSTRNDX, 2)) + S_TYPE, 4, SHT_PROGBITS);
}
static void shstrtab_unterminated(uint8_t *b, size_t *len)
{
	uint64_t s = sh(b, get(b, EH_SHSTRNDX, 2));
	(void)len;
	put(b, s + S_SIZEF, 8, get(b, s + S_SIZEF, 8) - 1);
}
static void shstrtab_past(uint8_t *b, size_t *len)
{
	put(b, sh(b, get(b, EH_SHSTRNDX, 2)) + S_OFFSET, 8, *len - 4);
}
static void section0(uint8_t *b, size_t *len) { (void)len, put(b, sh(b, 0) + S_TYPE, 4, SHT_PROGBITS); }
static void section_past(uint8_t *b, size_t *len)
{
	put(b, sh(b, find_section(b, ".comment")) + S_OFFSET, 8, *len);
}
static void section_name(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, sh(b, find_section(b, ".comment")) + S_NAME, 4, 0x10000);
}
static void iface_renamed(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, iface_sh(b) + S_NAME, 4, get(b, iface_sh(b) + S_NAME, 4) + 1);
}
static void two_ifaces(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, sh(b, find_section(b, ".comment")) + S_NAME, 4, get(b, iface_sh(b) + S_NAME, 4));
}
static void iface_past(uint8_t *b, size_t *len) { put(b, iface_sh(b) + S_OFFSET, 8, *len - 4); }
static void iface_alloc(uint8_t *b, size_t *len) { (void)len, put(b, iface_sh(b) + S_FLAGS, 8, SHF_ALLOC); }
static void iface_strtab(uint8_t *b, size_t *len) { (void)len, put(b, iface_sh(b) + S_TYPE, 4, SHT_STRTAB); }
static void iface_empty(uint8_t *b, size_t *len) { (void)len, put(b, iface_sh(b) + S_SIZEF, 8, 0); }
static void iface_nul(uint8_t *b, size_t *len) { (void)len, b[get(b, iface_sh(b) + S_OFFSET, 8) + 5] = 0; }
static void iface_high(uint8_t *b, size_t *len) { (void)len, b[get(b, iface_sh(b) + S_OFFSET, 8) + 5] = 0xe9; }
static void iface_ctrl(uint8_t *b, size_t *len) { (void)len, b[get(b, iface_sh(b) + S_OFFSET, 8) + 5] = 0x1b; }
static void iface_only_nul(uint8_t *b, size_t *len)
{
	(void)len;
	put(b, iface_sh(b) + S_SIZEF, 8, 1);
	b[get(b, iface_sh(b) + S_OFFSET, 8)] = 0;
}
/* The interface text moved to the end of the file and grown to `size` bytes of `fill`, `last`. */
static void big_iface(uint8_t *b, size_t *len, uint64_t size, uint8_t last)
{
	memset(b + *len, 'a', size);
	b[*len + size - 1] = last;
	put(b, iface_sh(b) + S_OFFSET, 8, *len);
	put(b, iface_sh(b) + S_SIZEF, 8, size);
	*len += size;
}
static void iface_16k(uint8_t *b, size_t *len) { big_iface(b, len, ELF_MAX_IFACE, '\n'); }
static void iface_16k_nul(uint8_t *b, size_t *len) { big_iface(b, len, ELF_MAX_IFACE, '\0'); }
static void iface_too_big(uint8_t *b, size_t *len) { big_iface(b, len, ELF_MAX_IFACE + 1, '\n'); }
static void iface_trailing_nul(uint8_t *b, size_t *len)
{
	/* Takes in the next byte (.symtab's null symbol) and makes sure it is a NUL. */
	uint64_t end = get(b, iface_sh(b) + S_OFFSET, 8) + get(b, iface_sh(b) + S_SIZEF, 8);
	(void)len;
	b[end] = 0;
	put(b, iface_sh(b) + S_SIZEF, 8, get(b, iface_sh(b) + S_SIZEF, 8) + 1);
}

static const struct damage {
	const char *name;
	damage_fn *apply;
	const char *why;		/* part of the message; NULL: still accepted */
} damages[] = {
	{ "intact", none, NULL },
	{ "file shorter than a header", short_file, "shorter than an ELF header" },
	{ "file cut in the program headers", cut_in_phdrs, "program header table runs past" },
	{ "file cut in the data segment", cut_in_data, "runs past the end of the file" },
	{ "bad magic", bad_magic, "bad magic" },
	{ "ELFCLASS32", class32, "not a 64-bit ELF file" },
	{ "big-endian", big_endian, "not a little-endian" },
	{ "EI_VERSION 0", ident_version, "unknown ELF version 0 (EI_VERSION)" },
	{ "e_version 2", version, "unknown ELF version 2 (e_version)" },
	{ "EM_386", machine_i386, "machine 3 is not x86-64" },
	{ "ET_EXEC", type_exec, "must be position-independent" },
	{ "ET_REL", type_rel, "ELF type 1 is not ET_DYN" },
	{ "e_ehsize 52", ehsize, "e_ehsize is 52" },
	{ "e_phentsize 32", phentsize, "e_phentsize is 32, not 56" },
	{ "no program headers", phnum0, "no program headers" },
	{ "PN_XNUM", phnum_xnum, "extended program header numbering" },
	{ "phdrs past the end", phoff_end, "program header table runs past" },
	{ "phoff wraps", phoff_wrap, "program header table runs past" },
	{ "segment past the end", seg_past_end, "program header 3 runs past the end of the file" },
	{ "segment offset wraps", seg_offset_wrap, "program header 3 runs past the end" },
	{ "segment size wraps", filesz_huge, "program header 3 runs past the end" },
	{ "p_filesz > p_memsz", filesz_gt_memsz, "program header 3 has p_filesz" },
	{ "p_vaddr, p_offset incongruent", incongruent, "differ modulo 4096" },
	{ "vaddr + memsz wraps", memsz_wrap, "program header 3 wraps around" },
	{ "span over the limit", too_big, "beyond the span limit" },
	{ "PT_LOADs unsorted", unsorted, "not in ascending p_vaddr order" },
	{ "segments share a page", shares_page, "shares a page" },
	{ "W and X", w_and_x, "program header 3 is both writable and executable" },
	{ "no executable segment", no_exec, "no executable segment" },
	{ "entry in a read-only segment", entry_in_rodata, "entry point 0x10 is not in" },
	{ "entry just past the code", entry_at_text_end, "is not in an executable segment" },
	{ "PT_INTERP", interp, "PT_INTERP" },
	{ "PT_TLS", tls, "PT_TLS" },
	{ "unknown program header", unknown_ph, "unsupported type 0x60000000" },
	{ "executable stack", exec_stack, "executable stack" },
	{ "PT_NOTE", note, NULL },
	{ "PT_GNU_PROPERTY", property, NULL },
	{ "PT_GNU_EH_FRAME", eh_frame, NULL },
	{ "empty PT_LOAD", empty_load, NULL },
	{ "8 PT_LOADs", eight_loads, NULL },
	{ "9 PT_LOADs", nine_loads, "more than 8 loadable segments" },
	{ "two PT_DYNAMIC", two_dynamic, "more than one PT_DYNAMIC" },
	{ "no PT_DYNAMIC", no_dynamic, NULL },
	{ "PT_DYNAMIC outside", dynamic_outside, "PT_DYNAMIC is not inside" },
	{ "PT_DYNAMIC offset", dynamic_offset, "PT_DYNAMIC is not inside" },
	{ "no DT_NULL", no_dt_null, "no DT_NULL" },
	{ "DT_NEEDED", needed, "unsupported dynamic tag DT_NEEDED" },
	{ "DT_REL", rel, "unsupported dynamic tag DT_REL" },
	{ "DT_JMPREL", jmprel, "unsupported dynamic tag DT_JMPREL" },
	{ "DT_INIT_ARRAY", init_array, "unsupported dynamic tag DT_INIT_ARRAY" },
	{ "DT_TEXTREL", textrel, "unsupported dynamic tag DT_TEXTREL" },
	{ "unknown tag", unknown_tag, "unsupported dynamic tag 0x70000001" },
	{ "DT_RELA twice", two_rela, "DT_RELA appears twice" },
	{ "DT_RELA alone", no_relasz, "DT_RELA without DT_RELASZ" },
	{ "DT_RELASZ alone", no_rela, "DT_RELASZ without DT_RELA" },
	{ "no DT_RELAENT", no_relaent, "DT_RELAENT" },
	{ "no DT_RELACOUNT", no_relacount, NULL },
	{ "no relocations", no_relocs, NULL },
	{ "DT_RELAENT 16", relaent16, "DT_RELAENT" },
	{ "DT_RELASZ 25", relasz_odd, "not a multiple of 24" },
	{ "DT_RELASZ 0", relasz_zero, NULL },
	{ "too many relocations", relasz_many, "more than 1048576" },
	{ "relocations past the segment", relasz_past, "relocation table is not inside" },
	{ "relocations in bss", rela_in_bss, "relocation table is not inside" },
	{ "DT_RELACOUNT 9", relacount_big, "DT_RELACOUNT 9 exceeds" },
	{ "R_X86_64_64", rel_type_64, "relocation 3 has unsupported type 1" },
	{ "RELATIVE with a symbol", rel_symbol, "relocation 3 refers to symbol 1" },
	{ "R_X86_64_IRELATIVE", rel_irelative, "relocation 7 has unsupported type 37" },
	{ "relocation in code", rel_in_text, "relocation 0 at 0x1008 is not inside a writable" },
	{ "relocation straddles bss end", rel_straddles_end, "not inside a writable segment" },
	{ "relocation of the last bss word", rel_last_word, NULL },
	{ "relocation offset wraps", rel_wraps, "not inside a writable segment" },
	{ "unaligned relocation", rel_unaligned, NULL },
	{ "no section headers", no_sections, NULL },
	{ "e_shentsize 40", shentsize, "e_shentsize is 40" },
	{ "e_shnum 0", shnum0, "extended section numbering" },
	{ "section headers past the end", shoff_past, "section header table runs past" },
	{ "e_shoff wraps", shoff_wrap, "section header table runs past" },
	{ "e_shstrndx too big", shstrndx_big, "does not name a section" },
	{ "e_shstrndx 0", shstrndx0, "does not name a section" },
	{ "names not a STRTAB", shstrtab_type, "section name table" },
	{ "names unterminated", shstrtab_unterminated, "section name table" },
	{ "names past the end", shstrtab_past, "section name table" },
	{ "section 0 not NULL", section0, "section 0 is not SHT_NULL" },
	{ "section past the end", section_past, "section 13 runs past the end" },
	{ "section name outside", section_name, "section 13 has its name outside" },
	{ "no .pinfold.iface", iface_renamed, NULL },
	{ "two .pinfold.iface", two_ifaces, "more than one .pinfold.iface" },
	{ ".pinfold.iface past the end", iface_past, "section 14 runs past the end" },
	{ ".pinfold.iface allocated", iface_alloc, "non-allocated SHT_PROGBITS" },
	{ ".pinfold.iface a STRTAB", iface_strtab, "non-allocated SHT_PROGBITS" },
	{ ".pinfold.iface empty", iface_empty, ".pinfold.iface is empty" },
	{ ".pinfold.iface only a NUL", iface_only_nul, ".pinfold.iface is empty" },
	{ ".pinfold.iface with a NUL", iface_nul, "NUL byte at offset 5" },
	{ ".pinfold.iface not ASCII", iface_high, "byte 0xe9 at offset 5" },
	{ ".pinfold.iface with ESC", iface_ctrl, "byte 0x1b at offset 5" },
	{ ".pinfold.iface trailing NUL", iface_trailing_nul, NULL },
	{ ".pinfold.iface of 16 KiB", iface_16k, NULL },
	{ ".pinfold.iface of 16 KiB ending in NUL", iface_16k_nul, NULL },
	{ ".pinfold.iface over 16 KiB", iface_too_big, "is 16385 bytes, more than 16384" },
};

/* Damages a copy of the sample and inspects it from a block of exactly its length. */
static const char *inspect_damaged(damage_fn *apply, uint64_t max_span, struct elf_image *img,
				   size_t *len_out)
{
	uint8_t *work = calloc(1, sample_len() + SPARE), *exact;
	size_t len = sample_len();
	const char *why;
	static char saved[ELF_WHY_LEN];

	memcpy(work, elf_sample, len);
	apply(work, &len);
	exact = exact_copy(work, len);
	why = elf_inspect(exact, len, max_span, img);
	if (why) {
		CHECK(why == img->why);
		CHECK(img->span == 0 && img->nsegments == 0 && img->rela_count == 0);
		CHECK(strlen(why) > 0 && strlen(why) < ELF_WHY_LEN);
		strlcpy(saved, why, sizeof(saved));
		why = saved;
	} else {
		CHECK(image_ok(img, exact, len, max_span));
	}
	free(exact);
	free(work);
	*len_out = len;
	return why;
}

TEST(elf_damage)
{
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage *d = &damages[i];
		struct elf_image img;
		size_t len;
		const char *why = inspect_damaged(d->apply, MAX_SPAN, &img, &len);

		if (!d->why && why)
			unit_fail(__FILE__, __LINE__, "%s: rejected: \"%s\"", d->name, why);
		else if (d->why && !why)
			unit_fail(__FILE__, __LINE__, "%s: accepted, wanted \"%s\"", d->name, d->why);
		else if (d->why && !strstr(why, d->why))
			unit_fail(__FILE__, __LINE__, "%s: \"%s\", wanted \"%s\"", d->name, why,
				  d->why);
	}
}

/* The accepted variations mean what they should. */
TEST(elf_damage_accepted_details)
{
	struct elf_image img;
	size_t len;

	CHECK(inspect_damaged(no_dynamic, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.rela_count, 0);
	CHECK(inspect_damaged(no_relocs, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.rela_count, 0);
	CHECK(inspect_damaged(relasz_zero, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.rela_count, 0);
	CHECK(inspect_damaged(empty_load, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.nsegments, 4);
	CHECK(inspect_damaged(eight_loads, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.nsegments, 8);
	CHECK_EQ(img.span, 0x100000 + 4 * PAGE);
	CHECK(inspect_damaged(no_sections, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.iface_offset, 0);
	CHECK_EQ(img.iface_size, 0);
	CHECK(inspect_damaged(iface_renamed, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.iface_offset, 0);
	CHECK_EQ(img.iface_size, 0);
	CHECK(inspect_damaged(iface_trailing_nul, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.iface_size, sizeof(IFACE_TEXT) - 1);
	CHECK(inspect_damaged(iface_16k, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.iface_size, ELF_MAX_IFACE);
	CHECK_EQ(img.iface_offset + img.iface_size, len);
	CHECK(inspect_damaged(iface_16k_nul, MAX_SPAN, &img, &len) == NULL);
	CHECK_EQ(img.iface_size, ELF_MAX_IFACE - 1);
}

TEST(elf_span_limit)
{
	struct elf_image img;
	size_t len;
	uint64_t span;

	CHECK(inspect_damaged(none, MAX_SPAN, &img, &len) == NULL);
	span = img.span;
	CHECK(inspect_damaged(none, span, &img, &len) == NULL);
	CHECK(inspect_damaged(none, ~0ull, &img, &len) == NULL);
	/* The last segment ends inside the last page, so span - 1 fails on the rounding. */
	CHECK(inspect_damaged(none, span - 1, &img, &len) != NULL);
	CHECK(inspect_damaged(none, span - PAGE, &img, &len) != NULL);
	CHECK(inspect_damaged(none, 0, &img, &len) != NULL);
}

/* ---- 3. fuzz ----------------------------------------------------------------------------- */

static uint32_t seed = 0x2545f491;

static uint32_t rnd(void)
{
	return xorshift32(&seed);
}

/* Values that sit on the boundaries the checks care about. */
static uint64_t nasty(size_t len)
{
	static const uint64_t v[] = {
		0, 1, 7, 8, 16, 24, 56, 64, 0xfff, 0x1000, 0x1008, 0x3000, 0x4000,
		ELF_MAX_RELOCS, ELF_MAX_IFACE, 1ull << 32, 1ull << 47, 1ull << 63,
		~0ull, ~0ull - 7, ~0ull - 0xfff, 0x7fffffffffffffff,
	};
	switch (rnd() % 4) {
	case 0: return len - rnd() % 16;
	case 1: return len + rnd() % 16;
	default: return v[rnd() % (sizeof(v) / sizeof(v[0]))];
	}
}

/* The ranges worth damaging: headers, program headers, dynamic, relocations, sections. */
struct hot { uint64_t off, size; };

static size_t hot_ranges(struct hot *h)
{
	const uint8_t *b = elf_sample;
	struct elf_image img;
	size_t n = 0;

	elf_inspect(b, sample_len(), MAX_SPAN, &img);
	h[n++] = (struct hot){ 0, 64 };
	h[n++] = (struct hot){ get(b, EH_PHOFF, 8), get(b, EH_PHNUM, 2) * PH_SIZE };
	h[n++] = (struct hot){ get(b, dyn_ph(b) + P_OFFSET, 8), get(b, dyn_ph(b) + P_FILESZ, 8) };
	h[n++] = (struct hot){ img.rela_offset, img.rela_count * RELA_SIZE };
	h[n++] = (struct hot){ get(b, EH_SHOFF, 8), get(b, EH_SHNUM, 2) * SH_SIZE };
	h[n++] = (struct hot){ img.iface_offset, img.iface_size };
	return n;
}

TEST(elf_fuzz)
{
	struct hot hot[8];
	size_t nhot = hot_ranges(hot);
	unsigned accepted = 0, rejected = 0;
	const uint64_t max_span = 1u << 20;	/* keeps the load buffers small */

	for (unsigned iter = 0; iter < 5000; iter++) {
		size_t len = sample_len();
		uint8_t *b = exact_copy(elf_sample, len), *mem;
		struct elf_image img;
		unsigned n = 1 + rnd() % 6;

		for (unsigned k = 0; k < n; k++) {
			const struct hot *h = &hot[rnd() % nhot];
			uint64_t at = h->off + (h->size ? rnd() % h->size : 0);
			switch (rnd() % 3) {
			case 0:		/* a random byte anywhere */
				b[rnd() % len] = (uint8_t)rnd();
				break;
			case 1:		/* a random byte in a hot range */
				b[at] = (uint8_t)rnd();
				break;
			default: {	/* a nasty 2-, 4- or 8-byte field in a hot range */
				int size = 2 << (rnd() % 3);
				at = (at & ~7ull) + (rnd() % (8 / size)) * size;
				if (at + size <= len)
					put(b, at, size, nasty(len));
				break;
			}
			}
		}
		if (rnd() % 16 == 0)
			len = rnd() % (len + 1);	/* cut the file short */
		uint8_t *exact = exact_copy(b, len);
		free(b);

		if (elf_inspect(exact, len, max_span, &img)) {
			rejected++;
			if (strlen(img.why) == 0 || img.nsegments != 0)
				unit_fail(__FILE__, __LINE__, "iteration %u: bad rejection", iter);
			free(exact);
			continue;
		}
		accepted++;
		if (!image_ok(&img, exact, len, max_span)) {
			unit_fail(__FILE__, __LINE__, "iteration %u: accepted a broken image", iter);
			free(exact);
			continue;
		}
		mem = aligned_alloc(PAGE, img.span);
		elf_copy_segments(&img, exact, mem);
		if (elf_relocate(&img, exact, mem, BASE))
			unit_fail(__FILE__, __LINE__, "iteration %u: relocation failed", iter);
		free(mem);
		free(exact);
	}
	/* Both outcomes must be common, or the loop tests little. */
	CHECK(accepted > 100);
	CHECK(rejected > 1000);
}
