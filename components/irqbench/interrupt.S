/*
 * interrupt.S — the entry of irqbench's interrupt method.
 *
 * The benchmark times delivery up to the first instruction of the interrupt
 * method, so that instruction must be RDTSC.  A C function would open with
 * its prologue (PUSH RBP; MOV RBP, RSP under -fno-omit-frame-pointer), and
 * the compiler may schedule more ahead of an inline RDTSC; written here it
 * cannot move.  The TSC goes on as the second argument of interrupt_at().
 */
	.text
	.global serve_interrupt
	.type serve_interrupt, @function
serve_interrupt:                        /* int64_t serve_interrupt(uint64_t line) */
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %rsi                  /* interrupt_at(line, tsc): a tail call */
	jmp interrupt_at
	.size serve_interrupt, . - serve_interrupt
