/*
 * usercopy.h — the only way the kernel reads or writes a component's memory.
 *
 * An address from a component is a number, not a pointer: these functions
 * first ask the component's own page table whether it may touch every page
 * of the range (with write permission, for a copy out), then copy through
 * the kernel's direct map of the frames found.  So a bad pointer in a kernel
 * call is an E_FAULT for the caller, never a fault in the kernel, and SMAP can
 * stay on: the kernel never dereferences a user address.
 */
#ifndef PINFOLD_COMPONENT_USERCOPY_H
#define PINFOLD_COMPONENT_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/component/component.h"

/* 0, or E_FAULT if c may not read all of [va, va+len). */
int64_t copy_from_component(const struct component *c, void *dst, uint64_t va, size_t len);

/* 0, or E_FAULT if c may not write all of [va, va+len). */
int64_t copy_to_component(const struct component *c, uint64_t va, const void *src, size_t len);

/*
 * Copies [src, src+len) to [dst, dst+len) inside c's address space (SYS_MEM_COPY):
 * 0, E_FAULT if c may not read all of src or write all of dst (nothing moves),
 * E_INVAL for overlapping ranges.  dst == src checks both rights and moves nothing.
 */
int64_t copy_within_component(const struct component *c, uint64_t dst, uint64_t src, size_t len);

#endif
