/*
 * elf.c — checking, laying out and relocating a component image (elf.h).
 *
 * elf_inspect() reads the file in five steps, each of which may reject it:
 *
 *   1. the ELF header: a little-endian ELF64 ET_DYN for x86-64;
 *   2. the program headers: up to ELF_MAX_SEGMENTS PT_LOADs in ascending
 *      address order, no two sharing a page (each page is mapped with its
 *      segment's rights), none writable and executable, all inside the file
 *      and max_span; an entry point in executable file bytes; no PT_INTERP,
 *      no PT_TLS, no executable stack;
 *   3. the dynamic section, found through PT_DYNAMIC: only the tags that
 *      `ld -pie --no-dynamic-linker` writes for an image that needs nothing
 *      but RELATIVE relocations;
 *   4. every relocation: R_X86_64_RELATIVE, no symbol, its 8 bytes inside a
 *      writable segment;
 *   5. the section headers, only to find .pinfold.iface, the interface text.
 *
 * elf_copy_segments() and elf_relocate() then act on a checked image and
 * need no checks of their own beyond the load base; elf_relocate() still
 * re-checks each target against the segments, which costs little and keeps
 * a struct elf_image from some other file from writing outside `mem`.
 *
 * Every structure is read with memcpy from an offset that has been checked
 * against the file's length with in_file(), which cannot overflow: the image
 * may sit at any alignment, and every number in it is untrusted.
 *
 * References: the System V gABI (4.1, "ELF Header", "Sections", "Program
 * Header", "Dynamic Section") and the x86-64 psABI 1.0 (§4.1.1 machine,
 * §4.4 relocation types).  DT_GNU_HASH, DT_FLAGS_1, DT_RELACOUNT and the
 * PT_GNU_* types are GNU extensions (binutils include/elf/common.h).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/component/elf.h"

/* gABI "ELF Header". */
struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
STATIC_ASSERT(sizeof(struct elf64_ehdr) == 64, "gABI ELF Header, ELFCLASS64");

/* gABI "Program Header". */
struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
STATIC_ASSERT(sizeof(struct elf64_phdr) == 56, "gABI Program Header, ELFCLASS64");

/* gABI "Sections", Section Header. */
struct elf64_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};
STATIC_ASSERT(sizeof(struct elf64_shdr) == 64, "gABI Section Header, ELFCLASS64");

/* gABI "Dynamic Section". */
struct elf64_dyn {
	int64_t tag;
	uint64_t val;
};
STATIC_ASSERT(sizeof(struct elf64_dyn) == 16, "gABI Dynamic Section, ELFCLASS64");

/* gABI "Relocation", Elf64_Rela. */
struct elf64_rela {
	uint64_t offset;
	uint64_t info;			/* symbol << 32 | type */
	int64_t addend;
};
STATIC_ASSERT(sizeof(struct elf64_rela) == 24, "gABI Relocation, ELFCLASS64");

enum {
	EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6,
	ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1,
	ET_EXEC = 2, ET_DYN = 3,
	EM_X86_64 = 62,			/* psABI §4.1.1 */
	PN_XNUM = 0xffff,
	SHN_LORESERVE = 0xff00,
};

enum {
	PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6,
	PT_TLS = 7,
	PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552,
	PT_GNU_PROPERTY = 0x6474e553,
	PF_X = 1, PF_W = 2, PF_R = 4,
};

enum {
	SHT_NULL = 0, SHT_PROGBITS = 1, SHT_STRTAB = 3, SHT_NOBITS = 8,
	SHF_ALLOC = 2,
};

enum {
	DT_NULL = 0, DT_NEEDED = 1, DT_PLTRELSZ = 2, DT_PLTGOT = 3, DT_HASH = 4, DT_STRTAB = 5,
	DT_SYMTAB = 6, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9, DT_STRSZ = 10,
	DT_SYMENT = 11, DT_INIT = 12, DT_FINI = 13, DT_REL = 17, DT_DEBUG = 21,
	DT_TEXTREL = 22, DT_JMPREL = 23, DT_BIND_NOW = 24, DT_INIT_ARRAY = 25,
	DT_FINI_ARRAY = 26, DT_FLAGS = 30, DT_PREINIT_ARRAY = 32, DT_RELR = 36,
	DT_GNU_HASH = 0x6ffffef5, DT_RELACOUNT = 0x6ffffff9, DT_FLAGS_1 = 0x6ffffffb,
};

#define R_X86_64_RELATIVE 8		/* psABI §4.4.1 Relocation Types: B + A */
#define ELF_LOWER_HALF_END (1ull << 47)	/* components live below (DESIGN.md) */

static const char IFACE_NAME[] = ".pinfold.iface";

/* Zeroes everything but `why`, which says what was wrong; returns it. */
__attribute__((format(printf, 2, 3)))
static const char *reject(struct elf_image *out, const char *fmt, ...)
{
	va_list ap;

	memset(out, 0, sizeof(*out));
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return out->why;
}

/* Whether [off, off + size) lies within a file of `len` bytes, without overflow. */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* The segment whose file bytes hold [vaddr, vaddr + size), or NULL. */
static const struct elf_segment *file_backed(const struct elf_image *img, uint64_t vaddr,
					     uint64_t size)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segment[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr <= s->filesz &&
		    size <= s->filesz - (vaddr - s->vaddr))
			return s;
	}
	return NULL;
}

/* Whether a relocation may write the 8 bytes at `vaddr`. */
static bool writable(const struct elf_image *img, uint64_t vaddr)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segment[i];
		if (s->write && vaddr >= s->vaddr && s->memsz >= 8 &&
		    vaddr - s->vaddr <= s->memsz - 8)
			return true;
	}
	return false;
}

static const char *check_header(const uint8_t *file, size_t len, struct elf_image *out,
				struct elf64_ehdr *eh)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (len < sizeof(*eh))
		return reject(out, "file of %zu bytes is shorter than an ELF header", len);
	memcpy(eh, file, sizeof(*eh));
	if (memcmp(eh->ident, magic, sizeof(magic)) != 0)
		return reject(out, "not an ELF file (bad magic)");
	if (eh->ident[EI_CLASS] != ELFCLASS64)
		return reject(out, "not a 64-bit ELF file (EI_CLASS %u)", eh->ident[EI_CLASS]);
	if (eh->ident[EI_DATA] != ELFDATA2LSB)
		return reject(out, "not a little-endian ELF file (EI_DATA %u)", eh->ident[EI_DATA]);
	if (eh->ident[EI_VERSION] != EV_CURRENT)
		return reject(out, "unknown ELF version %u (EI_VERSION)", eh->ident[EI_VERSION]);
	if (eh->version != EV_CURRENT)
		return reject(out, "unknown ELF version %u (e_version)", (unsigned)eh->version);
	if (eh->machine != EM_X86_64)
		return reject(out, "machine %u is not x86-64 (62)", eh->machine);
	if (eh->type == ET_EXEC)
		return reject(out, "ET_EXEC image: components must be position-independent (ET_DYN)");
	if (eh->type != ET_DYN)
		return reject(out, "ELF type %u is not ET_DYN", eh->type);
	if (eh->ehsize != sizeof(struct elf64_ehdr))
		return reject(out, "e_ehsize is %u, not 64", eh->ehsize);
	if (eh->phentsize != sizeof(struct elf64_phdr))
		return reject(out, "e_phentsize is %u, not 56", eh->phentsize);
	if (eh->phnum == 0)
		return reject(out, "no program headers");
	if (eh->phnum == PN_XNUM)
		return reject(out, "extended program header numbering is unsupported");
	if (!in_file(eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf64_phdr), len))
		return reject(out, "program header table runs past the end of the file");
	return NULL;
}

/* Adds PT_LOAD number `i` to out->segment[]; *end becomes the highest segment end. */
static const char *add_segment(const struct elf64_phdr *ph, unsigned i, size_t len,
			       uint64_t max_span, struct elf_image *out, uint64_t *end)
{
	struct elf_segment *s;

	if (ph->memsz == 0)
		return NULL;		/* maps nothing; the gABI allows it */
	if (out->nsegments == ELF_MAX_SEGMENTS)
		return reject(out, "more than %d loadable segments", ELF_MAX_SEGMENTS);
	if (ph->filesz > ph->memsz)
		return reject(out, "program header %u has p_filesz 0x%llx > p_memsz 0x%llx", i,
			      ull(ph->filesz), ull(ph->memsz));
	if (!in_file(ph->offset, ph->filesz, len))
		return reject(out, "program header %u runs past the end of the file", i);
	/* gABI "Program Header": p_vaddr ≡ p_offset modulo the page size. */
	if (ph->vaddr % ELF_PAGE_SIZE != ph->offset % ELF_PAGE_SIZE)
		return reject(out, "program header %u: p_vaddr 0x%llx and p_offset 0x%llx differ "
			      "modulo 4096", i, ull(ph->vaddr), ull(ph->offset));
	if (ph->memsz > UINT64_MAX - ph->vaddr)
		return reject(out, "program header %u wraps around the address space", i);
	if (ph->vaddr + ph->memsz > max_span)
		return reject(out, "program header %u ends beyond the span limit 0x%llx", i,
			      ull(max_span));
	if ((ph->flags & PF_W) && (ph->flags & PF_X))
		return reject(out, "program header %u is both writable and executable", i);
	if (out->nsegments > 0) {
		/* gABI: PT_LOADs "appear in ascending order, sorted on p_vaddr". */
		const struct elf_segment *prev = &out->segment[out->nsegments - 1];
		if (ph->vaddr < prev->vaddr)
			return reject(out, "program header %u is not in ascending p_vaddr order", i);
		/* *end is the previous segment's end; a page boundary below it is
		 * below its last page's end too, so no rounding (and no overflow). */
		if (page_down(ph->vaddr) < *end)
			return reject(out, "program header %u overlaps or shares a page with the "
				      "segment before it", i);
	}
	s = &out->segment[out->nsegments++];
	*s = (struct elf_segment){
		.vaddr = ph->vaddr, .memsz = ph->memsz, .offset = ph->offset, .filesz = ph->filesz,
		.read = ph->flags & PF_R, .write = ph->flags & PF_W, .exec = ph->flags & PF_X,
	};
	*end = ph->vaddr + ph->memsz;
	return NULL;
}

/* Step 2; *dynamic is set to the PT_DYNAMIC header if there is one. */
static const char *check_segments(const uint8_t *file, size_t len, const struct elf64_ehdr *eh,
				  uint64_t max_span, struct elf_image *out,
				  struct elf64_phdr *dynamic, bool *has_dynamic)
{
	uint64_t end = 0;
	const char *err;
	bool any_exec = false, entry_ok = false;

	*has_dynamic = false;
	for (unsigned i = 0; i < eh->phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, file + eh->phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		switch (ph.type) {
		case PT_LOAD:
			if ((err = add_segment(&ph, i, len, max_span, out, &end)))
				return err;
			break;
		case PT_DYNAMIC:
			if (*has_dynamic)
				return reject(out, "more than one PT_DYNAMIC");
			*dynamic = ph;
			*has_dynamic = true;
			break;
		case PT_INTERP:
			return reject(out, "PT_INTERP: the image asks for a dynamic linker");
		case PT_TLS:
			return reject(out, "PT_TLS: thread-local storage is unsupported");
		case PT_GNU_STACK:
			if (ph.flags & PF_X)
				return reject(out, "PT_GNU_STACK asks for an executable stack");
			break;
		case PT_NULL: case PT_NOTE: case PT_PHDR: case PT_GNU_EH_FRAME:
		case PT_GNU_PROPERTY:
			break;
		case PT_GNU_RELRO:
			/* Components link with -z norelro; if one did not, its relro
			 * part merely stays writable: less protection, same behaviour. */
			break;
		default:
			return reject(out, "program header %u has unsupported type 0x%x", i,
				      (unsigned)ph.type);
		}
	}
	if (out->nsegments == 0)
		return reject(out, "no loadable segment");
	/* end <= max_span, but max_span may be as large as the caller likes. */
	if (end > UINT64_MAX - (ELF_PAGE_SIZE - 1) ||
	    page_down(end + ELF_PAGE_SIZE - 1) > max_span)
		return reject(out, "image spans more than the limit 0x%llx", ull(max_span));
	out->span = page_down(end + ELF_PAGE_SIZE - 1);

	/* The entry must be code from the file, not the zero tail of a segment. */
	for (size_t i = 0; i < out->nsegments; i++) {
		const struct elf_segment *s = &out->segment[i];
		any_exec |= s->exec;
		entry_ok |= s->exec && eh->entry >= s->vaddr && eh->entry - s->vaddr < s->filesz;
	}
	if (!any_exec)
		return reject(out, "no executable segment");
	if (!entry_ok)
		return reject(out, "entry point 0x%llx is not in an executable segment",
			      ull(eh->entry));
	out->entry = eh->entry;
	return NULL;
}

static const char *tag_name(int64_t tag)
{
	switch (tag) {
	case DT_NEEDED:		return "DT_NEEDED (a shared library)";
	case DT_PLTRELSZ:	return "DT_PLTRELSZ";
	case DT_INIT:		return "DT_INIT (a constructor)";
	case DT_FINI:		return "DT_FINI (a destructor)";
	case DT_REL:		return "DT_REL";
	case DT_TEXTREL:	return "DT_TEXTREL";
	case DT_JMPREL:		return "DT_JMPREL (PLT relocations)";
	case DT_INIT_ARRAY:	return "DT_INIT_ARRAY (constructors)";
	case DT_FINI_ARRAY:	return "DT_FINI_ARRAY (destructors)";
	case DT_PREINIT_ARRAY:	return "DT_PREINIT_ARRAY (constructors)";
	case DT_RELR:		return "DT_RELR (packed relocations)";
	default:		return NULL;
	}
}

/* What ld writes into any PIE's dynamic section; harmless when no relocation names a symbol. */
static bool harmless_tag(int64_t tag)
{
	switch (tag) {
	case DT_HASH: case DT_GNU_HASH: case DT_STRTAB: case DT_SYMTAB: case DT_STRSZ:
	case DT_SYMENT: case DT_DEBUG: case DT_FLAGS: case DT_FLAGS_1: case DT_BIND_NOW:
	case DT_PLTGOT:
		return true;
	default:
		return false;
	}
}

/* Step 3: DT_RELA, DT_RELASZ, DT_RELAENT, DT_RELACOUNT; anything not understood is refused. */
static const char *check_dynamic(const uint8_t *file, const struct elf64_phdr *dyn,
				 struct elf_image *out)
{
	enum { RELA, RELASZ, RELAENT, RELACOUNT, NKEPT };
	static const int64_t kept_tag[NKEPT] = { DT_RELA, DT_RELASZ, DT_RELAENT, DT_RELACOUNT };
	static const char *const kept_name[NKEPT] = {
		"DT_RELA", "DT_RELASZ", "DT_RELAENT", "DT_RELACOUNT",
	};
	uint64_t val[NKEPT] = { 0 };
	bool seen[NKEPT] = { false };
	const struct elf_segment *s = file_backed(out, dyn->vaddr, dyn->filesz);
	uint64_t n = dyn->filesz / sizeof(struct elf64_dyn), i, count;

	/* Read from the file, so it must be the file bytes the segment will hold. */
	if (!s || dyn->offset != s->offset + (dyn->vaddr - s->vaddr))
		return reject(out, "PT_DYNAMIC is not inside a loadable segment");
	for (i = 0; i < n; i++) {
		struct elf64_dyn d;
		int k;

		memcpy(&d, file + dyn->offset + i * sizeof(d), sizeof(d));
		if (d.tag == DT_NULL)
			break;
		for (k = 0; k < NKEPT && kept_tag[k] != d.tag; k++)
			continue;
		if (k < NKEPT) {
			if (seen[k])
				return reject(out, "%s appears twice in the dynamic section",
					      kept_name[k]);
			seen[k] = true;
			val[k] = d.val;
		} else if (!harmless_tag(d.tag)) {
			if (tag_name(d.tag))
				return reject(out, "unsupported dynamic tag %s", tag_name(d.tag));
			return reject(out, "unsupported dynamic tag 0x%llx", ull(d.tag));
		}
	}
	if (i == n)
		return reject(out, "dynamic section has no DT_NULL");
	if (seen[RELA] != seen[RELASZ])
		return reject(out, "%s without %s", seen[RELA] ? "DT_RELA" : "DT_RELASZ",
			      seen[RELA] ? "DT_RELASZ" : "DT_RELA");
	if (!seen[RELA]) {
		if (seen[RELACOUNT] && val[RELACOUNT] != 0)
			return reject(out, "DT_RELACOUNT without DT_RELA");
		return NULL;
	}
	if (!seen[RELAENT] || val[RELAENT] != sizeof(struct elf64_rela))
		return reject(out, "DT_RELAENT is missing or not 24");
	if (val[RELASZ] % sizeof(struct elf64_rela) != 0)
		return reject(out, "DT_RELASZ 0x%llx is not a multiple of 24", ull(val[RELASZ]));
	count = val[RELASZ] / sizeof(struct elf64_rela);
	if (count > ELF_MAX_RELOCS)
		return reject(out, "%llu relocations, more than %u", ull(count), ELF_MAX_RELOCS);
	if (seen[RELACOUNT] && val[RELACOUNT] > count)
		return reject(out, "DT_RELACOUNT %llu exceeds the %llu relocations",
			      ull(val[RELACOUNT]), ull(count));
	s = file_backed(out, val[RELA], val[RELASZ]);
	if (!s)
		return reject(out, "relocation table is not inside a loadable segment");
	out->rela_offset = s->offset + (val[RELA] - s->vaddr);
	out->rela_count = count;
	return NULL;
}

/* Step 4. */
static const char *check_relocations(const uint8_t *file, struct elf_image *out)
{
	for (size_t i = 0; i < out->rela_count; i++) {
		struct elf64_rela r;
		memcpy(&r, file + out->rela_offset + i * sizeof(r), sizeof(r));
		if ((uint32_t)r.info != R_X86_64_RELATIVE)
			return reject(out, "relocation %zu has unsupported type %u", i,
				      (unsigned)(uint32_t)r.info);
		if (r.info >> 32)
			return reject(out, "relocation %zu refers to symbol %u", i,
				      (unsigned)(r.info >> 32));
		if (!writable(out, r.offset))
			return reject(out, "relocation %zu at 0x%llx is not inside a writable "
				      "segment", i, ull(r.offset));
	}
	return NULL;
}

/* The interface text: at most ELF_MAX_IFACE bytes of ASCII, NUL only at the very end. */
static const char *check_iface(const uint8_t *file, const struct elf64_shdr *sh,
			       struct elf_image *out)
{
	uint64_t size = sh->size;

	if (sh->type != SHT_PROGBITS || (sh->flags & SHF_ALLOC))
		return reject(out, "%s must be a non-allocated SHT_PROGBITS section", IFACE_NAME);
	if (size > ELF_MAX_IFACE)
		return reject(out, "%s is %llu bytes, more than %u", IFACE_NAME, ull(size),
			      ELF_MAX_IFACE);
	if (size > 0 && file[sh->offset + size - 1] == '\0')
		size--;
	if (size == 0)
		return reject(out, "%s is empty", IFACE_NAME);
	for (uint64_t i = 0; i < size; i++) {
		uint8_t c = file[sh->offset + i];
		if (c == '\0')
			return reject(out, "%s has a NUL byte at offset %llu", IFACE_NAME, ull(i));
		if ((c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' && c != '\r')
			return reject(out, "%s has byte 0x%02x at offset %llu, not ASCII text",
				      IFACE_NAME, c, ull(i));
	}
	out->iface_offset = sh->offset;
	out->iface_size = size;
	return NULL;
}

/* Step 5: the section header table and its names (gABI "Sections", "String Table"). */
static const char *check_sections(const uint8_t *file, size_t len, const struct elf64_ehdr *eh,
				  struct elf_image *out)
{
	struct elf64_shdr names, sh;
	unsigned iface = 0;		/* section 0 is never it */

	if (eh->shoff == 0 && eh->shnum == 0)
		return NULL;		/* stripped of sections: no interface */
	if (eh->shentsize != sizeof(struct elf64_shdr))
		return reject(out, "e_shentsize is %u, not 64", eh->shentsize);
	if (eh->shnum == 0 || eh->shnum >= SHN_LORESERVE)
		return reject(out, "extended section numbering is unsupported");
	if (!in_file(eh->shoff, (uint64_t)eh->shnum * sizeof(sh), len))
		return reject(out, "section header table runs past the end of the file");
	if (eh->shstrndx == 0 || eh->shstrndx >= eh->shnum)
		return reject(out, "e_shstrndx %u does not name a section", eh->shstrndx);
	memcpy(&names, file + eh->shoff + (uint64_t)eh->shstrndx * sizeof(sh), sizeof(sh));
	if (names.type != SHT_STRTAB || !in_file(names.offset, names.size, len) ||
	    names.size == 0 || file[names.offset + names.size - 1] != '\0')
		return reject(out, "section name table is not a NUL-terminated SHT_STRTAB in "
			      "the file");

	for (unsigned i = 0; i < eh->shnum; i++) {
		memcpy(&sh, file + eh->shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (i == 0) {
			if (sh.type != SHT_NULL)
				return reject(out, "section 0 is not SHT_NULL");
			continue;
		}
		if (sh.type != SHT_NOBITS && !in_file(sh.offset, sh.size, len))
			return reject(out, "section %u runs past the end of the file", i);
		if (sh.name >= names.size)
			return reject(out, "section %u has its name outside the name table", i);
		/* The table ends in a NUL, so the name cannot run past it. */
		if (names.size - sh.name < sizeof(IFACE_NAME) ||
		    memcmp(file + names.offset + sh.name, IFACE_NAME, sizeof(IFACE_NAME)) != 0)
			continue;
		if (iface)
			return reject(out, "more than one %s section", IFACE_NAME);
		iface = i;
	}
	if (!iface)
		return NULL;
	memcpy(&sh, file + eh->shoff + (uint64_t)iface * sizeof(sh), sizeof(sh));
	return check_iface(file, &sh, out);
}

const char *elf_inspect(const void *file, size_t len, uint64_t max_span, struct elf_image *out)
{
	const uint8_t *f = file;
	struct elf64_ehdr eh;
	struct elf64_phdr dynamic;
	bool has_dynamic;
	const char *err;

	memset(out, 0, sizeof(*out));
	if ((err = check_header(f, len, out, &eh)) ||
	    (err = check_segments(f, len, &eh, max_span, out, &dynamic, &has_dynamic)) ||
	    (has_dynamic && (err = check_dynamic(f, &dynamic, out))) ||
	    (err = check_relocations(f, out)) ||
	    (err = check_sections(f, len, &eh, out)))
		return err;
	return NULL;
}

void elf_copy_segments(const struct elf_image *img, const void *file, uint8_t *mem)
{
	const uint8_t *f = file;

	memset(mem, 0, img->span);
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segment[i];
		ASSERT(s->vaddr <= img->span && s->filesz <= img->span - s->vaddr);
		memcpy(mem + s->vaddr, f + s->offset, s->filesz);
	}
}

const char *elf_relocate(const struct elf_image *img, const void *file, uint8_t *mem,
			 uint64_t base)
{
	const uint8_t *f = file;

	if (base % ELF_PAGE_SIZE != 0)
		return "load base is not page-aligned";
	if (base >= ELF_LOWER_HALF_END || img->span > ELF_LOWER_HALF_END - base)
		return "image does not fit below the top of the lower half";
	for (size_t i = 0; i < img->rela_count; i++) {
		struct elf64_rela r;
		uint64_t value;

		memcpy(&r, f + img->rela_offset + i * sizeof(r), sizeof(r));
		if (r.info != R_X86_64_RELATIVE)
			return "relocation is not R_X86_64_RELATIVE (image not inspected?)";
		if (!writable(img, r.offset) || img->span < 8 || r.offset > img->span - 8)
			return "relocation target outside a writable segment (image not inspected?)";
		/* psABI §4.4.1: RELATIVE is B + A.  The addend is not checked: a
		 * pointer past the image only hurts the component, and unsigned
		 * addition makes even an absurd one well defined. */
		value = base + (uint64_t)r.addend;
		memcpy(mem + r.offset, &value, sizeof(value));
	}
	return NULL;
}
