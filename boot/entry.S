/*
 * entry.S — from GRUB's multiboot2 hand-off to the kernel's C entry point.
 *
 * GRUB enters boot_entry32 in 32-bit protected mode with paging off, EAX the
 * multiboot2 magic and EBX the physical address of the boot information
 * (Multiboot2 spec 3.3).  To reach kmain() in the top half of a 64-bit
 * address space we:
 *   1. check that the CPU has long mode (CPUID 0x80000001 EDX.LM);
 *   2. build throwaway page tables with 2 MiB pages mapping the low 4 GiB
 *      three times: identity (so the next instruction after enabling paging
 *      still exists), at DIRECT_MAP_BASE (so C code can read the boot
 *      information and ACPI tables) and the first 1 GiB at KERNEL_VMA;
 *   3. enable PAE, long mode (EFER.LME) and no-execute (EFER.NXE), then
 *      paging, load a GDT with a 64-bit code segment and far-jump into it
 *      (Intel SDM vol. 3, 10.8.5 "Initializing IA-32e Mode");
 *   4. jump to the top half, switch to the kernel's boot stack and call
 *      kmain(magic, boot_info_phys).
 * kernel/mm/vm.c later replaces these tables with the real kernel map.
 */
#include "kernel/layout.h"

#define MB2_MAGIC        0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_TAG_END      0
#define MB2_TAG_ENTRY    3

#define PTE_PRESENT      0x1
#define PTE_WRITE        0x2
#define PTE_LARGE        0x80

#define CR0_PG           (1 << 31)
#define CR0_WP           (1 << 16)
#define CR4_PAE          (1 << 5)
#define MSR_EFER         0xc0000080
#define EFER_LME         (1 << 8)
#define EFER_NXE         (1 << 11)

#define COM1             0x3f8

/* Multiboot2 header (spec 3.1): must be 8-byte aligned within the first 32 KiB. */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Entry address tag: the ELF entry is a top-half address GRUB cannot jump to. */
	.balign 8
	.word MB2_TAG_ENTRY, 0
	.long 12
	.long boot_entry32
	.balign 8
	.word MB2_TAG_END, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.global boot_entry32
boot_entry32:
	cli
	cld
	mov $boot_stack32_top, %esp
	mov %eax, %edi                  /* magic: kmain's first argument */
	mov %ebx, %esi                  /* boot information: its second */

	/* Long mode present?  Without it there is nothing to do but say so. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $(1 << 29), %edx
	jz no_long_mode

	/* Zero the early tables: GRUB need not clear a NOLOAD section. */
	push %edi
	mov $boot_tables_start, %edi
	mov $((boot_tables_end - boot_tables_start) / 4), %ecx
	xor %eax, %eax
	rep stosl
	pop %edi

	/* Four page directories of 2 MiB pages: physical 0 to 4 GiB. */
	mov $boot_pd, %ebx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax                   /* low 32 bits of entry i: i * 2 MiB */
	or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
	mov %eax, (%ebx, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax                   /* high bits: (i * 2 MiB) >> 32 */
	mov %eax, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 1b

	/* PDPT for the low 4 GiB: used for both the identity and the direct map. */
	mov $boot_pdpt_low, %ebx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd, %eax
	or $(PTE_PRESENT | PTE_WRITE), %eax
	mov %eax, (%ebx, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jb 2b

	/* PDPT for the top 2 GiB: entry 510 maps KERNEL_VMA to physical 0. */
	movl $(boot_pd + (PTE_PRESENT | PTE_WRITE)), boot_pdpt_high + 510 * 8

	movl $(boot_pdpt_low + (PTE_PRESENT | PTE_WRITE)), boot_pml4
	movl $(boot_pdpt_low + (PTE_PRESENT | PTE_WRITE)), boot_pml4 + 256 * 8
	movl $(boot_pdpt_high + (PTE_PRESENT | PTE_WRITE)), boot_pml4 + 511 * 8

	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0

	lgdt boot_gdt_pointer
	ljmp $0x08, $boot_entry64

/* Print a message on COM1 (no UART set-up: QEMU's works at any divisor) and halt. */
no_long_mode:
	mov $msg_no_long_mode, %esi
	mov $COM1, %dx
3:	lodsb
	test %al, %al
	jz 4f
	out %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
boot_entry64:
	xor %eax, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	movabs $boot_entry_high, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL 0 */
boot_gdt_pointer:
	.word boot_gdt_pointer - boot_gdt - 1
	.long boot_gdt
msg_no_long_mode:
	.asciz "pinfold: this CPU has no 64-bit long mode; cannot boot\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_tables_start:
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096
boot_tables_end:
	.skip 1024
boot_stack32_top:

/* From here on the code runs in the top half. */
	.text
boot_entry_high:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp                  /* ends the backtrace chain */
	mov %edi, %edi                  /* zero-extend: the upper halves are undefined after the mode switch */
	mov %esi, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.bss
	.balign 16
	.global boot_stack_bottom
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
	.global boot_stack_top
boot_stack_top:
