/*
 * hostile.c — a component that attacks the kernel-call boundary.
 *
 * With the boot option test=hostile it makes 100,000 kernel calls with random
 * call numbers (valid and not), random words, and pointers aimed everywhere:
 * its own memory, other components, the kernel, unmapped and non-canonical
 * addresses.  The kernel must answer each with a status and never fault;
 * afterwards hostile gives back what it was granted and compares the
 * kernel's free-frame count with the count before the campaign.
 *
 * Calls that would legitimately end or park the caller are left out or
 * tamed: SYS_RETURN at depth 0 and SYS_THREAD_EXIT end the thread,
 * SYS_THREAD_CREATE with a random entry would crash hostile itself,
 * sleeps and waits get short timeouts, and calls that write to memory write
 * to our scratch buffer rather than over our own code, data or stacks.
 */
#include <pinfold/kcall.h>
#include <string.h>

#define CALLS      100000
#define MAX_LIVE   64

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t live[MAX_LIVE];
static int nlive;
static uint8_t scratch[8192];

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A word of one of the kinds a buggy or malicious component would pass. */
static uint64_t random_word(void)
{
	static const uint64_t interesting[] = {
		0, 1, 4095, 4096, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
		0x0000800000000000ull,          /* first non-canonical address */
		0xffffffff80100000ull,          /* kernel image */
		0xffff800000000000ull,          /* kernel direct map */
		0x0000001000000000ull,          /* the first component's slot */
		0x0000007fffffffffull,          /* just below 2^39 */
	};
	switch (rnd() % 6) {
	case 0: return interesting[rnd() % (sizeof interesting / sizeof interesting[0])];
	case 1: return rnd() % 64;
	case 2: return (uint64_t)scratch + rnd() % sizeof scratch;      /* our own memory */
	case 3: return 0x0000001000000000ull + rnd() % (32ull << 30);   /* somebody's slot */
	case 4: return nlive ? live[rnd() % nlive] + (rnd() % 3) * 4096 : rnd();
	default: return rnd();
	}
}

static void remember(uint64_t va)
{
	if (nlive == MAX_LIVE) {
		mem_free((void *)live[0]);
		live[0] = live[--nlive];
	}
	live[nlive++] = va;
}

static int64_t random_invoke(void)
{
	register uint64_t r12 __asm__("r12") = rnd() % 4;
	register uint64_t r13 __asm__("r13") = rnd() % 40;
	register uint64_t r10 __asm__("r10") = random_word();
	register uint64_t r8 __asm__("r8") = random_word();
	register uint64_t r9 __asm__("r9") = random_word();
	uint64_t rax = SYS_INVOKE, rdi = random_word(), rsi = random_word(), rdx = random_word();
	__asm__ volatile("push %%rbx; push %%rbp; push %%r14; push %%r15; syscall; pop %%r15; pop %%r14; pop %%rbp; pop %%rbx"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9),
			   "+r"(r12), "+r"(r13)
			 :
			 : "rcx", "r11", "memory");
	return (int64_t)rax;
}

/*
 * The kernel really writes where a call tells it to: aimed at our own code,
 * data or stack, a random pointer would wreck hostile itself, which is
 * allowed but ends the campaign.  Inside our slot, write to scratch instead.
 */
static uint64_t own_memory_or(uint64_t p)
{
	uint64_t slot = (uint64_t)scratch & ~((1ull << 30) - 1);
	return p - slot < (1ull << 30) ? (uint64_t)scratch : p;
}

static int64_t one_call(void)
{
	uint64_t nr = rnd() % (SYS_COUNT + 4);          /* a few numbers past the last call */
	uint64_t a0 = random_word(), a1 = random_word(), a2 = random_word(), a3 = random_word();
	switch (nr) {
	case SYS_RETURN:
	case SYS_THREAD_EXIT:
	case SYS_THREAD_CREATE:
		nr = SYS_YIELD;
		break;
	case SYS_INVOKE:
		return random_invoke();
	case SYS_SLEEP:
		a0 %= 20000;
		break;
	case SYS_EVENT_WAIT:
		a1 = 1 + a1 % 20000;
		break;
	case SYS_COMPONENT_CONTROL:
		nr = SYS_YIELD;         /* with a capability, killing is allowed: not the point here */
		break;
	case SYS_BOOT_OPTION:
		a2 = own_memory_or(a2);
		break;
	case SYS_COMPONENT_INFO:
		a1 = own_memory_or(a1);
		break;
	case SYS_CONSOLE_RECENT:
		a0 = own_memory_or(a0);         /* at most 4 KiB: scratch has room */
		break;
	case SYS_COMPONENT_METHOD:
		a2 = own_memory_or(a2);
		break;
	case SYS_MEM_COPY:
		/* A copy into our own slot lands in scratch and fits it: one over our list of
		 * allocations would lose them, and the campaign would count them as leaked. */
		if (own_memory_or(a0) != a0) {
			a0 = (uint64_t)scratch;
			a2 %= sizeof scratch + 1;
		}
		break;
	case SYS_LOG:
		/* Text from our own memory would really print: keep the console readable. */
		if (a0 - ((uint64_t)scratch & ~((1ull << 30) - 1)) < (1ull << 30))
			a1 = 0;
		break;
	case SYS_MEM_ALLOC:
		a0 %= 65536;
		break;
	}
	struct kcall_result r = kcall(nr, a0, a1, a2, a3);
	if (nr == SYS_MEM_ALLOC && r.status == 0)
		remember(r.value);
	return r.status;
}

static void campaign(uint64_t arg)
{
	(void)arg;
	sleep_ns(20000000);     /* let the kernel reclaim the stacks of finished init threads first */
	uint64_t before = kernel_info(INFO_FREE_FRAMES);
	uint64_t errors = 0, successes = 0;
	for (int i = 0; i < CALLS; i++) {
		if (one_call() < 0)
			errors++;
		else
			successes++;
	}
	while (nlive)
		mem_free((void *)live[--nlive]);
	uint64_t after = kernel_info(INFO_FREE_FRAMES);
	log_printf("hostile: %d calls, %lu refused, %lu accepted; free frames %lu before, %lu after\n",
		   CALLS, errors, successes, before, after);
	log_printf("test: hostile-no-leak: %s\n", before == after ? "ok" : "FAIL");
	log_printf("test: done: %d passed, %d failed\n", before == after, before != after);
}

int64_t component_init(void)
{
	char which[32];
	if (boot_option("test", which, sizeof which) >= 0 && strcmp(which, "hostile") == 0)
		thread_create(campaign, 0, 5);
	return 0;
}
