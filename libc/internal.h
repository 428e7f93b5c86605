/*
 * internal.h — helpers shared by the libc sources only (not part of the API).
 */
#ifndef PINFOLD_LIBC_INTERNAL_H
#define PINFOLD_LIBC_INTERNAL_H

/*
 * At -O2 gcc recognises a byte-copy or byte-fill loop and replaces it with a
 * call to memcpy or memset, even under -fno-builtin; inside memcpy and memset
 * themselves that call is infinite recursion.  Functions whose loops look
 * like a library routine carry this attribute (glibc does the same).
 */
#define NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))

#endif
