/*
 * memobj.h — memory objects and grants.
 *
 * A component allocates memory objects in its heap (whole pages, never at an
 * address used before).  It may grant a page-aligned part of one to a
 * component it holds a capability for, read-only or read-write: the same
 * frames then appear in the grantee's domain at the same address, so one
 * pointer means the same bytes to both.  A grant lasts until revoked, or with
 * GRANT_ONE_CALL only for the granter's next invocation of the grantee.
 */
#ifndef PINFOLD_COMPONENT_MEMOBJ_H
#define PINFOLD_COMPONENT_MEMOBJ_H

#include <stdint.h>

#include "kernel/component/component.h"

#define MEMOBJ_MAX 512
#define GRANT_MAX  256

/* Kernel calls; each returns a status or a positive result. */
int64_t memobj_alloc(struct component *c, uint64_t len, uint64_t *va_out);
int64_t memobj_free(struct component *c, uint64_t va);
int64_t memobj_grant(struct thread *t, uint64_t va, uint64_t len, uint64_t capidx, uint64_t rights);
int64_t memobj_revoke(struct component *c, uint64_t grant_id);

/* For PDX: maps the thread's pending one-call grant if it is for `callee`; returns its id or -1. */
int64_t memobj_attach_call_grant(struct thread *t, struct component *callee);
void memobj_revoke_call_grant(int64_t grant_id);

/* Frees everything `c` owns and revokes every grant to or from it. */
void memobj_component_stopped(struct component *c);

#endif
