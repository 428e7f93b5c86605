/*
 * ksyms.h — names for kernel code addresses, from the symbol table that the
 * build links into the image (tools/mksyms.c describes its layout).
 */
#ifndef PINFOLD_KSYMS_H
#define PINFOLD_KSYMS_H

#include <stdint.h>

/*
 * Finds the function containing `addr`: returns its name and stores the
 * offset into *offset, or returns NULL if no kernel function contains it.
 */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

#endif
