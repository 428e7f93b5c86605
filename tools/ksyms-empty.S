/* ksyms-empty.S — an empty symbol table for the first link pass (see Makefile). */
	.section .ksyms, "a"
	.balign 8
	.global ksyms_table
ksyms_table:
	.ascii "KSYM"
	.long 0
