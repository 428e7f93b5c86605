/*
 * host.h — the few host C library functions unit tests use beside
 * Pinfold's libc.  Test files see Pinfold's headers for <string.h>,
 * <stdio.h> and <stdlib.h>, so the host's are declared here by hand.
 */
#ifndef PINFOLD_TEST_HOST_H
#define PINFOLD_TEST_HOST_H

#include <stddef.h>

void *aligned_alloc(size_t alignment, size_t size);
void *calloc(size_t n, size_t size);
void *malloc(size_t size);
void free(void *p);
int rand(void);
void srand(unsigned seed);

#endif
