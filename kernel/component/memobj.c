/*
 * memobj.c — allocation, grant and revocation of memory objects.
 *
 * The owner's page table is the record of an object's frames; a grant copies
 * the frame addresses into the grantee's page table.  Revoking unmaps them
 * there (the TLB entries go with it: at once if the grantee's domain is
 * current, otherwise at its next switch), and freeing an object first revokes
 * all its grants, so no grantee can keep a frame that is handed out again.
 *
 * A grant id is its table slot and the slot's generation, which changes each
 * time the slot is freed: an id kept after its grant ended (in a thread's
 * pending one-call grant, in a call frame, or by a careless component) can
 * never name the grant that reuses the slot.
 */
#include "kernel/component/memobj.h"

#include <pinfold/errors.h>
#include <assert.h>
#include <pinfold/syscalls.h>

#include "kernel/layout.h"
#include "kernel/mm/frame.h"
#include "kernel/mm/pagetable.h"

struct memobj {
	struct component *owner;        /* NULL: the slot is free */
	uint64_t va, len;
};

#define GRANT_SLOT_BITS 8
STATIC_ASSERT(GRANT_MAX <= (1 << GRANT_SLOT_BITS), "grant slots fit in an id's low bits");

struct grant {
	int obj;                        /* -1: the slot is free */
	uint32_t gen;                   /* bumped whenever the slot is freed */
	struct component *grantee;
	uint64_t va, len;
	uint64_t perms;                 /* PTE_WRITE or 0 */
	bool mapped;                    /* a one-call grant is mapped only during its call */
	bool one_call;
};

static struct memobj objs[MEMOBJ_MAX];
static struct grant grants[GRANT_MAX];
static bool grants_ready;

static void grants_init(void)
{
	if (grants_ready)
		return;
	for (int i = 0; i < GRANT_MAX; i++)
		grants[i].obj = -1;
	grants_ready = true;
}

static uint64_t heap_in_use(const struct component *c)
{
	uint64_t used = 0;
	for (int i = 0; i < MEMOBJ_MAX; i++)
		if (objs[i].owner == c)
			used += objs[i].len;
	return used;
}

static void unmap_range(struct component *c, uint64_t va, uint64_t len, bool free_frames)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t pa;
		if (domain_unmap(&c->domain, va + off, &pa) == 0 && free_frames)
			frame_free(pa);
	}
}

int64_t memobj_alloc(struct component *c, uint64_t len, uint64_t *va_out)
{
	grants_init();
	if (len == 0 || len > c->heap_size)
		return E_INVAL;
	len = (len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (heap_in_use(c) + len > c->heap_size)
		return E_NOMEM;
	/* Addresses are never reused: the heap pointer only moves up. */
	if (c->heap_next + len > c->base + COMPONENT_DEVICE_OFF)
		return E_NOMEM;
	int slot = -1;
	for (int i = 0; i < MEMOBJ_MAX && slot < 0; i++)
		if (!objs[i].owner)
			slot = i;
	if (slot < 0)
		return E_LIMIT;

	uint64_t va = c->heap_next;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		phys_addr f = frame_alloc();
		if (!f || domain_map(&c->domain, va + off, f, PTE_WRITE | PTE_NX)) {
			if (f)
				frame_free(f);
			unmap_range(c, va, off, true);
			return E_NOMEM;
		}
	}
	c->heap_next += len;
	objs[slot] = (struct memobj){ c, va, len };
	*va_out = va;
	return 0;
}

static void grant_unmap(struct grant *g)
{
	if (g->mapped)
		unmap_range(g->grantee, g->va, g->len, false);
	g->mapped = false;
}

static void grant_drop(int slot)
{
	grant_unmap(&grants[slot]);
	grants[slot].obj = -1;
	grants[slot].gen++;
}

static int64_t grant_id(int slot)
{
	return ((int64_t)grants[slot].gen << GRANT_SLOT_BITS) | slot;
}

/* The slot of a live grant named by `id`, or -1. */
static int grant_slot(int64_t id)
{
	if (id < 0)
		return -1;
	int slot = (int)(id & ((1 << GRANT_SLOT_BITS) - 1));
	if (slot >= GRANT_MAX || grants[slot].obj < 0 || grants[slot].gen != (uint32_t)(id >> GRANT_SLOT_BITS))
		return -1;
	return slot;
}

int64_t memobj_free(struct component *c, uint64_t va)
{
	grants_init();
	for (int i = 0; i < MEMOBJ_MAX; i++) {
		if (objs[i].owner != c || objs[i].va != va)
			continue;
		for (int g = 0; g < GRANT_MAX; g++)
			if (grants[g].obj == i)
				grant_drop(g);
		unmap_range(c, objs[i].va, objs[i].len, true);
		objs[i].owner = NULL;
		return 0;
	}
	return E_NOT_FOUND;
}

static int grant_map(struct grant *g)
{
	const struct memobj *o = &objs[g->obj];
	for (uint64_t off = 0; off < g->len; off += PAGE_SIZE) {
		uint64_t pa;
		if (!domain_lookup(&o->owner->domain, g->va + off, false, &pa) ||
		    domain_map(&g->grantee->domain, g->va + off, pa, g->perms | PTE_NX)) {
			unmap_range(g->grantee, g->va, off, false);
			return E_NOMEM;
		}
	}
	g->mapped = true;
	return 0;
}

/* The grant that already covers any page of [va, va+len) in `grantee`, or -1. */
static int overlapping_grant(const struct component *grantee, uint64_t va, uint64_t len)
{
	for (int i = 0; i < GRANT_MAX; i++)
		if (grants[i].obj >= 0 && grants[i].grantee == grantee &&
		    grants[i].va < va + len && va < grants[i].va + grants[i].len)
			return i;
	return -1;
}

int64_t memobj_grant(struct thread *t, uint64_t va, uint64_t len, uint64_t capidx, uint64_t rights)
{
	grants_init();
	struct component *c = t->current;
	if ((va | len) & (PAGE_SIZE - 1) || len == 0 || !(rights & GRANT_READ) ||
	    (rights & ~(uint64_t)(GRANT_READ | GRANT_WRITE | GRANT_ONE_CALL)))
		return E_INVAL;
	if (capidx >= (uint64_t)c->ncaps)
		return E_NO_CAP;
	struct component *grantee = c->cap[capidx].target;
	if (grantee->state != COMPONENT_RUNNING && grantee->state != COMPONENT_LOADING)
		return grantee->state == COMPONENT_RESTARTING ? E_CALLEE_RESTARTING : E_CALLEE_FAILED;
	int obj = -1;
	for (int i = 0; i < MEMOBJ_MAX && obj < 0; i++)
		if (objs[i].owner == c && va >= objs[i].va && len <= objs[i].len &&
		    va - objs[i].va <= objs[i].len - len)
			obj = i;
	if (obj < 0)
		return E_DENIED;        /* only what you allocated yourself can be granted */
	if (overlapping_grant(grantee, va, len) >= 0)
		return E_BUSY;
	if ((rights & GRANT_ONE_CALL) && t->pending_grant >= 0)
		return E_BUSY;
	int id = -1;
	for (int i = 0; i < GRANT_MAX && id < 0; i++)
		if (grants[i].obj < 0)
			id = i;
	if (id < 0)
		return E_LIMIT;

	grants[id] = (struct grant){
		.obj = obj, .grantee = grantee, .va = va, .len = len,
		.perms = (rights & GRANT_WRITE) ? PTE_WRITE : 0,
		.one_call = rights & GRANT_ONE_CALL,
	};
	if (grants[id].one_call) {
		t->pending_grant = grant_id(id);        /* mapped when the call starts */
		return t->pending_grant;
	}
	int64_t err = grant_map(&grants[id]);
	if (err) {
		grants[id].obj = -1;
		return err;
	}
	return grant_id(id);
}

int64_t memobj_revoke(struct component *c, uint64_t id)
{
	grants_init();
	int slot = grant_slot((int64_t)id);
	if (slot < 0 || objs[grants[slot].obj].owner != c)
		return E_NOT_FOUND;
	grant_drop(slot);
	return 0;
}

int64_t memobj_attach_call_grant(struct thread *t, struct component *callee)
{
	int slot = grant_slot(t->pending_grant);
	if (slot < 0)
		t->pending_grant = -1;  /* revoked, or its object freed, meanwhile */
	if (slot < 0 || grants[slot].grantee != callee || grants[slot].mapped)
		return -1;
	t->pending_grant = -1;
	if (grant_map(&grants[slot])) { /* grant_map undoes its partial work */
		grant_drop(slot);
		return -1;
	}
	return grant_id(slot);
}

void memobj_revoke_call_grant(int64_t id)
{
	int slot = grant_slot(id);
	if (slot >= 0)
		grant_drop(slot);
}

void memobj_component_stopped(struct component *c)
{
	grants_init();
	for (int g = 0; g < GRANT_MAX; g++)
		if (grants[g].obj >= 0 && (grants[g].grantee == c || objs[grants[g].obj].owner == c))
			grant_drop(g);
	for (int i = 0; i < MEMOBJ_MAX; i++)
		if (objs[i].owner == c) {
			unmap_range(c, objs[i].va, objs[i].len, true);
			objs[i].owner = NULL;
		}
}
