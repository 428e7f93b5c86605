/*
 * adopt.h — what a restarted chipset takes over from its previous instance,
 * using only the kernel's record of claims and pins (SYS_DEVICE_RECORD),
 * never the crashed instance's memory: every driver's DMA domain, and the
 * previous instance's table pages, to be released once the unit no longer
 * walks them.  Why rebuild rather than restart the drivers: chipset.c.
 */
#ifndef PINFOLD_CHIPSET_ADOPT_H
#define PINFOLD_CHIPSET_ADOPT_H

/* Before I pin anything: my pins the kernel kept are my previous instance's table pages. */
void old_tables_find(unsigned self_id);

/* Once my root table is in place and the caches invalidated: unpins them. */
void old_tables_release(unsigned self_id);

/* Before my root table is in place: each claimed device's domain, made again (domain.h). */
void domains_adopt(void);

#endif
