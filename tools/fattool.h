/*
 * fattool.h — what the parts of build/host/fattool share (fattool.c: the
 * commands; fattool_fuzz.c: the fuzzer).
 */
#ifndef PINFOLD_TOOLS_FATTOOL_H
#define PINFOLD_TOOLS_FATTOOL_H

#include "components/fat/fat.h"

#define SECTOR 512                      /* of the image file */
#define PATH_MAX_LEN 4096

extern const char *program;

/* Prints "fattool: error: KIND: DETAIL" for the volume's last failure; returns 1. */
int report_error(struct fat_volume *vol, int rc);
/* fattool IMAGE fuzz SEED RUNS */
int fuzz_main(const char *image, const char *seed_text, const char *count_text);

#endif
