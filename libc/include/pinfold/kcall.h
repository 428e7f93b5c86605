/*
 * kcall.h — the kernel calls, as C functions for component code.
 *
 * Each wrapper is one SYSCALL (numbers and register convention in
 * pinfold/syscalls.h).  The kernel returns a status in RAX and results in
 * RDI and RSI and restores every other register, except RCX and R11, which
 * SYSCALL itself overwrites.
 */
#ifndef PINFOLD_KCALL_H
#define PINFOLD_KCALL_H

#include <pinfold/errors.h>
#include <pinfold/pdx.h>
#include <pinfold/syscalls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <utf8.h>

struct kcall_result {
	int64_t status;
	uint64_t value, value2;
};

static inline struct kcall_result kcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t r10 __asm__("r10") = a3;
	uint64_t rax = nr, rdi = a0, rsi = a1, rdx = a2;
	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10)
			 :
			 : "rcx", "r11", "memory");
	return (struct kcall_result){ (int64_t)rax, rdi, rsi };
}

/* My capability for the component called `name`, or a negative error. */
static inline int64_t cap_lookup(const char *name)
{
	size_t n = 0;
	while (name[n])
		n++;
	struct kcall_result r = kcall(SYS_CAP_LOOKUP, (uint64_t)name, n, 0, 0);
	return r.status < 0 ? r.status : (int64_t)r.value;
}

#define LOG_WRITE_MAX 1024   /* the most one SYS_LOG takes */

/* Writes text to the console, in pieces the kernel accepts, each cut between two UTF-8
 * characters (the kernel turns a cut character into '?'s: kernel/logtext.h). */
static inline int64_t log_write(const char *text, size_t len)
{
	while (len) {
		size_t n = len < LOG_WRITE_MAX ? len : LOG_WRITE_MAX;
		for (size_t back = 0; n < len && back < UTF8_MAX - 1 && utf8_continuation((uint8_t)text[n]); back++)
			n--;            /* text[n] continues a character: cut before it (if it is one) */
		int64_t r = kcall(SYS_LOG, (uint64_t)text, n, 0, 0).status;
		if (r < 0)
			return r;
		text += n, len -= n;
	}
	return 0;
}

/* Starts fn(arg) on a new thread of this component; returns its id or an error. */
static inline int64_t thread_create(void (*fn)(uint64_t), uint64_t arg, unsigned priority)
{
	struct kcall_result r = kcall(SYS_THREAD_CREATE, (uint64_t)fn, arg, priority, 0);
	return r.status < 0 ? r.status : (int64_t)r.value;
}

static inline void thread_yield(void) { kcall(SYS_YIELD, 0, 0, 0, 0); }
static inline void sleep_ns(uint64_t ns) { kcall(SYS_SLEEP, ns, 0, 0, 0); }
static inline uint64_t clock_ns(void) { return kcall(SYS_CLOCK, 0, 0, 0, 0).value; }

/* Allocates len bytes (whole pages) in my heap; 0 if it cannot. */
static inline void *mem_alloc(uint64_t len)
{
	struct kcall_result r = kcall(SYS_MEM_ALLOC, len, 0, 0, 0);
	return r.status < 0 ? NULL : (void *)r.value;
}

static inline int64_t mem_free(void *p) { return kcall(SYS_MEM_FREE, (uint64_t)p, 0, 0, 0).status; }

/* Grants [p, p+len) to the component behind `cap`; returns the grant id or an error. */
static inline int64_t mem_grant(void *p, uint64_t len, cap_t cap, unsigned rights)
{
	struct kcall_result r = kcall(SYS_MEM_GRANT, (uint64_t)p, len, cap, rights);
	return r.status < 0 ? r.status : (int64_t)r.value;
}

/*
 * Copies len bytes from src to dst, both in my address space as my page
 * table has it now (my memory, or memory granted to me): 0, or E_FAULT if
 * I may not read all of src or write all of dst, in which case nothing is
 * copied.  A server uses it on a client's buffer, which the client may
 * revoke at any moment: a plain memcpy would fault the server instead.
 * dst == src only checks that the range is readable and writable.
 * Overlapping ranges (other than that) and len > MEM_COPY_MAX are E_INVAL.
 */
static inline int64_t mem_copy(void *dst, const void *src, uint64_t len)
{
	return kcall(SYS_MEM_COPY, (uint64_t)dst, (uint64_t)src, len, 0).status;
}

static inline int64_t mem_revoke(int64_t grant) { return kcall(SYS_MEM_REVOKE, (uint64_t)grant, 0, 0, 0).status; }

static inline int64_t event_create(void)
{
	struct kcall_result r = kcall(SYS_EVENT_CREATE, 0, 0, 0, 0);
	return r.status < 0 ? r.status : (int64_t)r.value;
}

static inline int64_t event_grant(int64_t ev, cap_t cap) { return kcall(SYS_EVENT_GRANT, (uint64_t)ev, cap, 0, 0).status; }
static inline int64_t event_signal(int64_t ev) { return kcall(SYS_EVENT_SIGNAL, (uint64_t)ev, 0, 0, 0).status; }
static inline int64_t event_wait(int64_t ev, uint64_t timeout_ns) { return kcall(SYS_EVENT_WAIT, (uint64_t)ev, timeout_ns, 0, 0).status; }

static inline uint64_t kernel_info(enum pinfold_info what) { return kcall(SYS_INFO, what, 0, 0, 0).value; }

/* The same, with the status: for selectors that can fail or take an argument. */
static inline struct kcall_result kernel_info_of(enum pinfold_info what, uint64_t arg)
{
	return kcall(SYS_INFO, what, arg, 0, 0);
}

/* Copies the value of KEY=VALUE on the kernel command line into buf (NUL-terminated); length or error. */
/* The component called `name`, by SYS_COMPONENT_INFO on one number after another: its
 * number, with its info in *info; E_NOT_FOUND if no component has that name. */
static inline int64_t component_find(const char *name, struct component_info *info)
{
	for (uint64_t id = 0; kcall(SYS_COMPONENT_INFO, id, (uint64_t)info, 0, 0).status == 0; id++)
		if (strcmp(info->name, name) == 0)
			return (int64_t)id;
	return E_NOT_FOUND;
}

static inline int64_t boot_option(const char *key, char *buf, size_t size)
{
	size_t n = 0;
	while (key[n])
		n++;
	if (size < 2)
		return E_INVAL;
	struct kcall_result r = kcall(SYS_BOOT_OPTION, (uint64_t)key, n, (uint64_t)buf, size - 1);
	if (r.status < 0)
		return r.status;
	buf[r.value] = 0;
	return (int64_t)r.value;
}

/*
 * The chipset's calls (manifest right `chipset`; kernel/component/device.h).
 * Components are named by id.  Each returns a negative error or 0, with its
 * result in *out.
 */
static inline int64_t kcall_out(struct kcall_result r, uint64_t *out)
{
	if (r.status >= 0 && out)
		*out = r.value;
	return r.status;
}

/* Maps device memory [pa, pa+len) uncached into component `id`; *va: where. */
static inline int64_t device_map(unsigned id, uint64_t pa, uint64_t len, uint64_t *va)
{
	return kcall_out(kcall(SYS_DEVICE_MAP, id, pa, len, 0), va);
}

/*
 * Pins the frame behind component id's page at va (flags DMA_PIN_WRITE: the
 * device may write it; DMA_PIN_RANGE_START: it begins a range); *pa: the
 * frame.  The kernel records the pin for a restarted chipset (device_record).
 */
static inline int64_t dma_pin(unsigned id, uint64_t va, unsigned flags, uint64_t *pa)
{
	return kcall_out(kcall(SYS_DMA_PIN, id, va, flags, 0), pa);
}

/* Drops the pin of component id's page va on frame pa. */
static inline int64_t dma_unpin(unsigned id, uint64_t va, uint64_t pa)
{
	return kcall(SYS_DMA_UNPIN, id, va, pa, 0).status;
}

/* Records that component id drives PCI function bdf (or, with DEVICE_CLAIM_NONE, none). */
#define DEVICE_CLAIM_NONE 0xffffffffu
static inline int64_t device_claim(unsigned id, uint32_t bdf)
{
	return kcall(SYS_DEVICE_CLAIM, id, bdf == DEVICE_CLAIM_NONE ? 0 : (uint64_t)bdf + 1, 0, 0).status;
}

/*
 * What the kernel keeps for the chipset about component id: n = 0 gives its
 * claimed function + 1 (0: none) and its pin count; n >= 1 pin n - 1: the
 * page address | DMA_PIN_* flags, and the frame.
 */
static inline struct kcall_result device_record(unsigned id, uint64_t n)
{
	return kcall(SYS_DEVICE_RECORD, id, n, 0, 0);
}

/* A message-signalled interrupt line for component id's interrupt method: its line and vector. */
static inline int64_t irq_bind_msi(unsigned id, uint64_t *line, uint64_t *vector)
{
	struct kcall_result r = kcall(SYS_IRQ_BIND_MSI, id, 0, 0, 0);
	if (r.status >= 0) {
		*line = r.value;
		*vector = r.value2;
	}
	return r.status;
}

/*
 * IOAPIC line `gsi` goes, from now on, through the interrupt-remapping entry
 * that `rte` names: an RTE in remappable format (VT-d 5.1.5.1) with the
 * vector, trigger mode and polarity of INFO_GSI_ROUTE; the kernel keeps the
 * line's mask.
 */
static inline int64_t ioapic_remap(uint64_t gsi, uint64_t rte)
{
	return kcall(SYS_IOAPIC_REMAP, gsi, rte, 0, 0).status;
}

/* Crashes component id for what its device did (`why` is the reason the console shows). */
static inline int64_t component_fault(unsigned id, const char *why)
{
	size_t n = 0;
	while (why[n])
		n++;
	return kcall(SYS_COMPONENT_FAULT, id, (uint64_t)why, n, 0).status;
}

/* Formats like snprintf and writes the text to the console. */
int log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
