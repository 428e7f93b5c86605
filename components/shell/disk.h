/*
 * disk.h — the shell's `disk` command (disk.c): the AHCI driver's disks,
 * read and written through its synchronous transfer.
 */
#ifndef PINFOLD_SHELL_DISK_H
#define PINFOLD_SHELL_DISK_H

#include "components/shell/words.h"

/* disk | disk read LBA COUNT [DISK] | disk write LBA COUNT BYTE [DISK] | disk flush [DISK] */
void shell_disk(const struct words *w);

#endif
