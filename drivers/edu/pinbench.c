/*
 * pinbench.c — what pinning a buffer for DMA costs a driver (edu.bench_pin;
 * the shell's `bench pin`; tools/benchpin.py).
 *
 * One round pins `pages` pages of a 1 MiB buffer of this driver's heap for
 * its device to write (chipset.pin), then unpins them (chipset.unpin), with
 * the TSC read before, between and after.  That is what a driver pays: a PDX
 * into the chipset each way; per page, a kernel call that checks the page is
 * the driver's and pins its frame, and the IO page-table entry; IO tables
 * built on the way and pruned on the way back (components/chipset/iopt.c);
 * and on unpin the IOTLB invalidation, which completes before unpin returns,
 * then a kernel call per page that releases the frame.
 *
 * Under QEMU's -icount shift=0 the TSC advances once per guest instruction,
 * so the "tsc" figures are instruction counts.  A round that a timer tick
 * interrupts is longer, which p99 and max show; "alike" counts the rounds
 * that took exactly the median.  The "-ns" figures convert with the TSC rate
 * the kernel's clock shows over the whole run.  One round before the measured
 * ones is not recorded: it pays first-touch costs (the buffer's pages, the
 * TLB) that a driver pinning the same buffer again would not.
 */
#include "drivers/edu/pinbench.h"

#include <pinfold/kcall.h>
#include <string.h>

#include "chipset_client.h"

#define PAGE            4096

static uint8_t *buffer;                         /* the most pages, allocated at the first run */
static uint64_t pin_unpin[PIN_BENCH_MAX_ROUNDS], pin_only[PIN_BENCH_MAX_ROUNDS], unpin_only[PIN_BENCH_MAX_ROUNDS];

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Shell sort (gaps n/2, n/4, ..., 1): a thousand samples, no libc qsort to call. */
static void sort_u64(uint64_t *v, uint64_t n)
{
	for (uint64_t gap = n / 2; gap > 0; gap /= 2)
		for (uint64_t i = gap; i < n; i++) {
			uint64_t x = v[i], j = i;
			while (j >= gap && v[j - gap] > x) {
				v[j] = v[j - gap];
				j -= gap;
			}
			v[j] = x;
		}
}

static void report(uint64_t pages, const char *what, const char *figure, uint64_t tsc,
		   uint64_t tsc_per_ms)
{
	log_printf("bench: %s-%lu-%s %lu tsc\n", what, pages, figure, tsc);
	log_printf("bench: %s-%lu-%s-ns %lu ns\n", what, pages, figure,
		   tsc_per_ms ? tsc * 1000000 / tsc_per_ms : 0);
}

/* One pin and one unpin of [buffer, buffer + pages); the TSC deltas of each. */
static int64_t round_trip(cap_t chipset, uint64_t pages, uint64_t *pin_tsc, uint64_t *unpin_tsc)
{
	uint64_t got, t0 = rdtsc();
	int64_t err = chipset_pin(chipset, (uint64_t)buffer, pages * PAGE, 1, &got);
	uint64_t t1 = rdtsc();
	if (err < 0)
		return err;
	err = chipset_unpin(chipset, (uint64_t)buffer, pages * PAGE, &got);
	*unpin_tsc = rdtsc() - t1;
	*pin_tsc = t1 - t0;
	return err;
}

int64_t pin_bench(cap_t chipset, uint64_t pages, uint64_t rounds, uint64_t *median, uint64_t *p99)
{
	if (pages < 1 || pages > PIN_BENCH_MAX_PAGES || rounds < 1 || rounds > PIN_BENCH_MAX_ROUNDS)
		return E_INVAL;
	if (!buffer) {
		buffer = mem_alloc(PIN_BENCH_MAX_PAGES * PAGE);
		if (!buffer)
			return E_NOMEM;
		memset(buffer, 0, PIN_BENCH_MAX_PAGES * PAGE);
	}
	uint64_t pin_tsc, unpin_tsc;
	int64_t err = round_trip(chipset, pages, &pin_tsc, &unpin_tsc);     /* first touch */
	uint64_t ns0 = clock_ns(), tsc0 = rdtsc();
	for (uint64_t i = 0; i < rounds && err >= 0; i++) {
		err = round_trip(chipset, pages, &pin_only[i], &unpin_only[i]);
		pin_unpin[i] = pin_only[i] + unpin_only[i];
	}
	if (err < 0)
		return err;     /* no IOMMU (E_DENIED), or no device to pin for */
	uint64_t ns = clock_ns() - ns0, tsc = rdtsc() - tsc0;
	uint64_t tsc_per_ms = ns ? tsc * 1000000 / ns : 0;

	sort_u64(pin_unpin, rounds);
	sort_u64(pin_only, rounds);
	sort_u64(unpin_only, rounds);
	*median = pin_unpin[rounds / 2];
	*p99 = pin_unpin[rounds * 99 / 100];
	uint64_t alike = 0;
	for (uint64_t i = 0; i < rounds; i++)
		alike += pin_unpin[i] == *median;
	log_printf("bench: pin-unpin-%lu-rounds %lu rounds\n", pages, rounds);
	log_printf("bench: pin-unpin-%lu-alike %lu rounds\n", pages, alike);
	report(pages, "pin-unpin", "median", *median, tsc_per_ms);
	report(pages, "pin-unpin", "p99", *p99, tsc_per_ms);
	report(pages, "pin-unpin", "min", pin_unpin[0], tsc_per_ms);
	report(pages, "pin-unpin", "max", pin_unpin[rounds - 1], tsc_per_ms);
	report(pages, "pin", "median", pin_only[rounds / 2], tsc_per_ms);
	report(pages, "unpin", "median", unpin_only[rounds / 2], tsc_per_ms);
	return 0;
}
