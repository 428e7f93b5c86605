/*
 * acpi_blob.h — ACPI tables captured from QEMU (tools/acpi-capture.py), as
 * test data.  Each blob is one table and the physical address QEMU placed it
 * at; the first blob of a capture is the RSDP.  A capture ends with a blob of
 * length 0.
 */
#ifndef PINFOLD_TEST_ACPI_BLOB_H
#define PINFOLD_TEST_ACPI_BLOB_H

#include <stdint.h>

struct acpi_blob {
	uint64_t phys;
	uint32_t len;
	const uint8_t *bytes;
	const char *sig;
};

extern const struct acpi_blob acpi_q35_iommu[];
extern const struct acpi_blob acpi_q35_plain[];

#endif
