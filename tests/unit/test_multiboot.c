/*
 * test_multiboot.c — reading GRUB's boot information (kernel/multiboot.c)
 * from structures built here the way GRUB lays them out, and damaged ones.
 */
#include "unit.h"

#include <string.h>

#include "kernel/multiboot.h"

struct builder {
	uint8_t buf[1024] __attribute__((aligned(8)));
	uint32_t len;
};

static void *tag(struct builder *b, uint32_t type, uint32_t size)
{
	uint8_t *t = b->buf + b->len;
	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	b->len += (size + 7) & ~7u;
	return t;
}

static void finish(struct builder *b)
{
	tag(b, 0, 8);
	memcpy(b->buf, &b->len, 4);
}

static void standard(struct builder *b)
{
	memset(b, 0, sizeof *b);
	b->len = 8;
	char *cmd = tag(b, 1, 8 + 11);
	memcpy(cmd + 8, "fault=page", 11);

	uint32_t *mm = tag(b, 6, 16 + 2 * 24);
	mm[2] = 24;                             /* entry size */
	uint64_t e[6] = { 0, 0x9fc00, 1, 0x100000, 0x1fedf000, 1 };
	memcpy(mm + 4, &e[0], 16), memcpy((char *)(mm + 4) + 16, &(uint32_t){ 1 }, 4);
	memcpy((char *)(mm + 4) + 24, &e[3], 16), memcpy((char *)(mm + 4) + 40, &(uint32_t){ 2 }, 4);

	uint32_t *mod = tag(b, 3, 16 + 9);
	mod[2] = 0x200000, mod[3] = 0x201234;
	memcpy(mod + 4, "manifest", 9);

	uint8_t *rsdp = tag(b, 14, 8 + 20);
	memcpy(rsdp + 8, "RSD PTR ", 8);
	finish(b);
}

TEST(multiboot_reads_every_tag)
{
	struct builder b;
	struct boot_info info;
	standard(&b);
	const char *err = multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info);
	CHECK(err == NULL);
	CHECK_STR(info.cmdline, "fault=page");
	CHECK_EQ(info.memmap_count, 2);
	CHECK_EQ(info.memmap[1].base, 0x100000);
	CHECK_EQ(info.memmap[1].length, 0x1fedf000);
	CHECK_EQ(info.memmap[1].type, 2);
	CHECK_EQ(info.module_count, 1);
	CHECK_EQ(info.modules[0].start, 0x200000);
	CHECK_EQ(info.modules[0].end, 0x201234);
	CHECK_STR(info.modules[0].name, "manifest");
	CHECK(info.rsdp != NULL);
	CHECK_EQ(info.rsdp_len, 20);
	CHECK(memcmp(info.rsdp, "RSD PTR ", 8) == 0);
	CHECK_EQ(info.info_start, 0x10000);
	CHECK_EQ(info.info_end, 0x10000 + b.len);
}

TEST(multiboot_rejects_damage)
{
	struct builder b;
	struct boot_info info;
	standard(&b);
	CHECK(multiboot_parse(0x2badb002, b.buf, 0x10000, &info) != NULL);   /* multiboot1 magic */
	CHECK(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10004, &info) != NULL);

	standard(&b);
	uint32_t huge = 1u << 30;
	memcpy(b.buf, &huge, 4);
	CHECK(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info) != NULL);

	standard(&b);
	uint32_t short_total = 40;              /* cuts the memory-map tag in half */
	memcpy(b.buf, &short_total, 4);
	const char *err = multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info);
	CHECK_STR(err, "boot information tag runs past the end");

	standard(&b);
	uint32_t zero = 0;
	memcpy(b.buf + 8 + 4, &zero, 4);        /* a tag of size 0 would loop forever */
	CHECK(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info) != NULL);

	standard(&b);
	b.len -= 8;                             /* drop the end tag */
	memcpy(b.buf, &b.len, 4);
	CHECK_STR(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info),
		  "boot information has no end tag");
}

TEST(multiboot_bad_mmap_and_module)
{
	struct builder b;
	struct boot_info info;
	memset(&b, 0, sizeof b);
	b.len = 8;
	uint32_t *mm = tag(&b, 6, 16 + 24);
	mm[2] = 8;                              /* entries smaller than the spec's 24 bytes */
	finish(&b);
	CHECK_STR(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info),
		  "memory map tag is malformed");

	memset(&b, 0, sizeof b);
	b.len = 8;
	uint32_t *mod = tag(&b, 3, 16 + 2);
	mod[2] = 0x300000, mod[3] = 0x200000;   /* ends before it starts */
	finish(&b);
	CHECK_STR(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info),
		  "module tag is malformed");

	/* An unterminated command line is cut at the tag's end, not read past it. */
	memset(&b, 0, sizeof b);
	b.len = 8;
	char *cmd = tag(&b, 1, 8 + 4);
	memcpy(cmd + 8, "abcd", 4);
	memset(b.buf + b.len - 4, 'Z', 4);      /* the padding after it is not a NUL */
	finish(&b);
	CHECK(multiboot_parse(MULTIBOOT2_BOOTLOADER_MAGIC, b.buf, 0x10000, &info) == NULL);
	CHECK_STR(info.cmdline, "abcd");
}
