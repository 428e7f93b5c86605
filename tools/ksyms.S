/* ksyms.S — links the symbol table made by tools/mksyms into the kernel (pass 2). */
	.section .ksyms, "a"
	.balign 8
	.global ksyms_table
ksyms_table:
	.incbin KSYMS_BIN
