/*
 * memcopy.h — checks of the mem_copy kernel call (SYS_MEM_COPY), which the
 * block service uses on its clients' buffers: each refusal it must give, and
 * that a refused copy moves nothing.
 */
#ifndef COMPONENTS_BLOCKCHECK_MEMCOPY_H
#define COMPONENTS_BLOCKCHECK_MEMCOPY_H

#include <stdint.h>

/* Runs every case, logging `WHO: mem_copy: CASE: ok` (or FAIL and why). */
void memcopy_cases(const char *who, uint64_t *passed, uint64_t *failed);

#endif
