/*
 * fault_reason.h — what each VT-d fault reason means, in words, for every
 * component that shows faults.
 *
 * The chipset decodes fault records (vtd.c) and logs each one; the shell
 * prints the chipset's list of recent faults in `iommu`.  The shell cannot
 * link the chipset's code, and the two must not drift apart, so the table
 * has its home here: a static inline function with its table inside, which
 * each component that includes this header compiles for itself (some
 * hundreds of bytes of text each), with nothing to add to a library.
 */
#ifndef PINFOLD_CHIPSET_FAULT_REASON_H
#define PINFOLD_CHIPSET_FAULT_REASON_H

#include <stdint.h>

/* A short description of a fault reason ("write to a page not mapped writable"). */
static inline const char *vtd_fault_reason_text(unsigned reason)
{
	/*
	 * The non-recoverable fault reasons of VT-d revision 3, Appendix A
	 * ("Non-Recoverable Fault Reason Encodings"): 0x1-0xE for DMA remapping
	 * in legacy mode, 0x20-0x27 for interrupt remapping (the conditions
	 * are in 7.1.3), and the two scalable-mode reasons that QEMU 7.2 can
	 * also raise (qemu-vtd.md 2.3).
	 */
	static const struct {
		uint8_t reason;
		const char *text;
	} reasons[] = {
		{ 0x01, "root entry not present" },
		{ 0x02, "context entry not present" },
		{ 0x03, "context entry invalid" },
		{ 0x04, "address beyond the address width" },
		{ 0x05, "write to a page not mapped writable" },
		{ 0x06, "read from a page not mapped readable" },
		{ 0x07, "paging entry could not be read" },
		{ 0x08, "root table could not be read" },
		{ 0x09, "context table could not be read" },
		{ 0x0a, "reserved bits set in a root entry" },
		{ 0x0b, "reserved bits set in a context entry" },
		{ 0x0c, "reserved bits set in a paging entry" },
		{ 0x0d, "translation type not supported" },
		{ 0x0e, "translated address in the interrupt range" },
		{ 0x20, "interrupt request with reserved bits set" },
		{ 0x21, "interrupt index beyond the remapping table" },
		{ 0x22, "interrupt remapping entry not present" },
		{ 0x23, "interrupt remapping table could not be read" },
		{ 0x24, "reserved bits set in an interrupt remapping entry" },
		{ 0x25, "compatibility-format interrupt blocked" },
		{ 0x26, "interrupt from a source its entry does not allow" },
		{ 0x27, "posted interrupt descriptor could not be read" },
		{ 0x58, "pasid table entry invalid" },
		{ 0x87, "scalable-mode address in the interrupt range" },
	};

	for (unsigned i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].reason == reason)
			return reasons[i].text;
	return "unknown fault reason";
}

#endif
