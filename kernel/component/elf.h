/*
 * elf.h — checking, loading and relocating a component's ELF image.
 *
 * A component image is a static position-independent executable (ET_DYN
 * linked at 0; see the Makefile's component flags) that the kernel places at
 * an address of its own in the single address space.  The work is split as
 * seL4 splits a kernel call:
 *
 *   elf_inspect()        checks everything about the file — headers, segments,
 *                        W^X, the dynamic section, every relocation, the
 *                        section headers and the interface text — and fills a
 *                        struct elf_image, or says in one line what is wrong;
 *   elf_copy_segments()  lays the segments out in a buffer of `span` bytes;
 *   elf_relocate()       adds the load base to every R_X86_64_RELATIVE slot.
 *
 * Only RELATIVE relocations are supported: a component links against nothing,
 * so nothing needs a symbol.  None of these functions touches hardware or
 * keeps a pointer; they never read outside the `len` bytes given to
 * elf_inspect() and build into the host unit tests (tests/unit/test_elf.c).
 */
#ifndef PINFOLD_KERNEL_COMPONENT_ELF_H
#define PINFOLD_KERNEL_COMPONENT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS	8		/* PT_LOAD entries */
#define ELF_MAX_RELOCS		(1u << 20)
#define ELF_MAX_IFACE		(16u * 1024)	/* bytes of .pinfold.iface */
#define ELF_PAGE_SIZE		4096u
#define ELF_WHY_LEN		96

/* A loadable segment; addresses are relative to the load base. */
struct elf_segment {
	uint64_t vaddr, memsz;		/* in memory: [vaddr, vaddr + memsz) */
	uint64_t offset, filesz;	/* from the file; the rest of memsz is zero */
	bool read, write, exec;		/* never both write and exec */
};

struct elf_image {
	uint64_t span;			/* from 0 to the end of the highest segment, page-rounded */
	uint64_t entry;			/* entry point, inside an executable segment's file bytes */
	size_t nsegments;
	struct elf_segment segment[ELF_MAX_SEGMENTS];	/* sorted by vaddr, no two share a page */
	uint64_t rela_offset;		/* file offset of rela_count Elf64_Rela, all RELATIVE */
	size_t rela_count;
	uint64_t iface_offset;		/* the interface text in the file: 0/0 if absent; */
	uint64_t iface_size;		/* ASCII, no NUL (a trailing NUL is not counted) */
	char why[ELF_WHY_LEN];		/* after a failed elf_inspect(): what was wrong */
};

/*
 * Validates the `len` bytes at `file` as a component image whose span may
 * be at most `max_span`.  Returns NULL and fills *out, or returns out->why,
 * e.g. "program header 2 runs past the end of the file".
 */
const char *elf_inspect(const void *file, size_t len, uint64_t max_span, struct elf_image *out);

/*
 * Fills the img->span bytes at `mem` with the image as it is laid out in
 * memory: zeros, then each segment's file bytes at its vaddr.  Here and in
 * elf_relocate(), `img` must come from elf_inspect() of this very `file`:
 * they read the file by img's offsets, without its length.
 */
void elf_copy_segments(const struct elf_image *img, const void *file, uint8_t *mem);

/*
 * Applies the RELATIVE relocations to `mem`, the laid-out image that will
 * run at `base` (page-aligned, base + span in the lower half).  Returns NULL,
 * or a message if base is unusable or img does not describe a checked image.
 */
const char *elf_relocate(const struct elf_image *img, const void *file, uint8_t *mem,
			 uint64_t base);

#endif
