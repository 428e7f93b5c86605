/*
 * kinds.h — the illegal accesses intruder can make, by number (the argument
 * of intruder.attack) and by name (the boot option test=NAME of pdxtest).
 */
#ifndef PINFOLD_INTRUDER_KINDS_H
#define PINFOLD_INTRUDER_KINDS_H

enum intruder_kind {
	ATTACK_READ_PEER,       /* read another component's variable */
	ATTACK_WRITE_PEER,      /* write it */
	ATTACK_READ_KERNEL,     /* read the kernel image */
	ATTACK_WRITE_KERNEL,    /* write it */
	ATTACK_READ_UNMAPPED,   /* read an address nobody mapped */
	ATTACK_JUMP_PEER,       /* execute another component's code */
	INTRUDER_KINDS
};

static const char *const intruder_kinds[INTRUDER_KINDS] = {
	"isolation-read-peer", "isolation-write-peer", "isolation-read-kernel",
	"isolation-write-kernel", "isolation-read-unmapped", "isolation-jump-peer",
};

#endif
