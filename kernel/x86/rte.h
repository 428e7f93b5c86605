/*
 * rte.h — an IOAPIC redirection table entry (RTE) as data: its fields, and
 * the check the kernel makes before it writes an RTE the chipset built.
 *
 * Pure, so the host tests check it against the chipset's encoder.  Layouts:
 * 82093AA datasheet 3.2.4 (the old format); VT-d 5.1.5.1 (remappable format:
 * index[14:0] in 63:49, format bit 48, index[15] in bit 11, delivery mode
 * 10:8 must be 000, 47:17 reserved).  Both keep vector, trigger mode, polarity
 * and mask where the old format has them.
 */
#ifndef PINFOLD_X86_RTE_H
#define PINFOLD_X86_RTE_H

#include <stdbool.h>
#include <stdint.h>

#define RTE_VECTOR        0xffu
#define RTE_ACTIVE_LOW    (1u << 13)
#define RTE_LEVEL         (1u << 15)
#define RTE_MASKED        (1u << 16)
#define RTE_INDEX_BIT15   (1u << 11)            /* remappable format: index[15] */
#define RTE_REMAPPABLE    (1ull << 48)          /* remappable format: the format bit */
#define RTE_INDEX_LOW     (0x7fffull << 49)     /* remappable format: index[14:0] */
#define RTE_ROUTE_FIELDS  (RTE_VECTOR | RTE_LEVEL | RTE_ACTIVE_LOW)

/* Vector, trigger mode and polarity of a route: the low-word fields both formats share. */
static inline uint32_t rte_route_bits(uint8_t vector, bool level, bool active_low)
{
	return vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);
}

/*
 * Whether `rte` (its mask bit ignored) is a remappable-format RTE with this
 * route: the format bit; nothing but the entry index beside the route's
 * fields (so fixed delivery, no read-only or reserved bits); and this
 * vector, trigger mode and polarity, which VT-d 5.1.5.1 wants equal to the
 * entry's vector and trigger mode.
 */
static inline bool rte_remappable_ok(uint64_t rte, uint8_t vector, bool level, bool active_low)
{
	rte &= ~(uint64_t)RTE_MASKED;
	return (rte & RTE_REMAPPABLE) &&
	       !(rte & ~(RTE_INDEX_LOW | RTE_REMAPPABLE | RTE_INDEX_BIT15 | RTE_ROUTE_FIELDS)) &&
	       (rte & RTE_ROUTE_FIELDS) == rte_route_bits(vector, level, active_low);
}

#endif
