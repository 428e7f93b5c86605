/*
 * multiboot.c — reads GRUB's multiboot2 boot information.
 *
 * Layout (Multiboot2 specification, 3.6): a u32 total size, a reserved u32,
 * then tags, each {u32 type, u32 size, payload} and padded to 8 bytes, ending
 * with a type-0 tag.  Every tag is checked against the total size before its
 * payload is read, so a damaged structure is reported, not followed.
 */
#include "kernel/multiboot.h"

#include <string.h>

#define TAG_END          0
#define TAG_CMDLINE      1
#define TAG_MODULE       3
#define TAG_MMAP         6
#define TAG_ACPI_OLD     14
#define TAG_ACPI_NEW     15

struct tag {
	uint32_t type, size;
};

struct mmap_tag {
	uint32_t type, size, entry_size, entry_version;
};

/* Multiboot2 3.6.8: the memory map entry (the same types as ACPI's E820). */
struct mmap_entry {
	uint64_t base, length;
	uint32_t type, reserved;
};

struct module_tag {
	uint32_t type, size, mod_start, mod_end;
	char string[];
};

static void copy_string(char *dst, size_t cap, const char *src, size_t avail)
{
	size_t n = strnlen(src, avail);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static const char *parse_mmap(const struct tag *tag, struct boot_info *out)
{
	const struct mmap_tag *m = (const void *)tag;
	if (tag->size < sizeof *m || m->entry_size < sizeof(struct mmap_entry))
		return "memory map tag is malformed";
	size_t n = (tag->size - sizeof *m) / m->entry_size;
	for (size_t i = 0; i < n && out->memmap_count < MEMMAP_MAX_ENTRIES; i++) {
		const struct mmap_entry *e = (const void *)((const char *)(m + 1) + i * m->entry_size);
		out->memmap[out->memmap_count++] = (struct memmap_entry){
			.base = e->base, .length = e->length, .type = e->type,
		};
	}
	return NULL;
}

const char *multiboot_parse(uint32_t magic, const void *info, uint64_t info_phys,
			    struct boot_info *out)
{
	memset(out, 0, sizeof *out);
	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC)
		return "not started by a multiboot2 boot loader (bad magic)";
	if (info_phys & 7)
		return "boot information is not 8-byte aligned";

	uint32_t total = *(const uint32_t *)info;
	if (total < 16 || total > (1u << 20))
		return "boot information has an implausible size";
	out->info_start = info_phys;
	out->info_end = info_phys + total;

	const char *p = (const char *)info + 8, *end = (const char *)info + total;
	while (p + sizeof(struct tag) <= end) {
		const struct tag *tag = (const void *)p;
		if (tag->size < sizeof *tag || tag->size > (size_t)(end - p))
			return "boot information tag runs past the end";
		const char *payload = p + sizeof *tag;
		size_t payload_len = tag->size - sizeof *tag;
		const char *err = NULL;

		switch (tag->type) {
		case TAG_END:
			return NULL;
		case TAG_CMDLINE:
			copy_string(out->cmdline, sizeof out->cmdline, payload, payload_len);
			break;
		case TAG_MMAP:
			err = parse_mmap(tag, out);
			break;
		case TAG_MODULE: {
			const struct module_tag *m = (const void *)tag;
			if (tag->size < sizeof *m || m->mod_end < m->mod_start)
				return "module tag is malformed";
			if (out->module_count == MAX_BOOT_MODULES)
				return "too many boot modules";
			struct boot_module *bm = &out->modules[out->module_count++];
			bm->start = m->mod_start;
			bm->end = m->mod_end;
			copy_string(bm->name, sizeof bm->name, m->string, tag->size - sizeof *m);
			break;
		}
		case TAG_ACPI_OLD:
		case TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0 copy: it carries the XSDT address. */
			if (!out->rsdp || tag->type == TAG_ACPI_NEW) {
				out->rsdp = payload;
				out->rsdp_len = payload_len;
			}
			break;
		}
		if (err)
			return err;
		p += (tag->size + 7) & ~7u;
	}
	return "boot information has no end tag";
}
