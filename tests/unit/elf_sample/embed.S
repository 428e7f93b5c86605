/*
 * embed.S — the sample component image (sample.c, built by tests/unit/unit.mk
 * with the component flags) as bytes in the unit-test binary, between the
 * symbols elf_sample and elf_sample_end.  SAMPLE_ELF is the image's path.
 */
	.section .rodata
	.balign 16
	.globl elf_sample, elf_sample_end
elf_sample:
	.incbin SAMPLE_ELF
elf_sample_end:

	.section .note.GNU-stack,"",@progbits
