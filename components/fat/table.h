/*
 * table.h — the file allocation table: entries, chains, allocation
 * (table.c).
 *
 * Cluster numbers that come from the disk are checked here, once, as they
 * are read: table_next never returns a cluster outside 2..cluster_count+1,
 * and chain_next reports a cycle instead of following it.  So code above
 * this layer can walk any chain without its own range checks.
 */
#ifndef PINFOLD_FAT_TABLE_H
#define PINFOLD_FAT_TABLE_H

#include "components/fat/fat.h"

static inline bool cluster_valid(const struct fat_volume *vol, uint32_t cluster)
{
	return cluster >= 2 && cluster - 2 < vol->cluster_count;
}

/* The first sector of a (valid) cluster. */
static inline uint32_t cluster_sector(const struct fat_volume *vol, uint32_t cluster)
{
	return vol->data_start + (cluster - 2) * vol->sectors_per_cluster;
}

/* The cluster after `cluster`: 1 and *next set, 0 at the end of the chain, < 0 on corruption. */
int table_next(struct fat_volume *vol, uint32_t cluster, uint32_t *next);
/* Allocates a free cluster (preferring `near`) as the end of a chain. */
int table_alloc(struct fat_volume *vol, uint32_t near, uint32_t *cluster);
/* Allocates exactly `cluster` if it is free: 1 if it was, 0 if not, < 0 on error. */
int table_alloc_exact(struct fat_volume *vol, uint32_t cluster);
/* Makes `cluster`, which must end its chain, point to `next`. */
int table_link(struct fat_volume *vol, uint32_t cluster, uint32_t next);
/* Frees a whole chain; the number of clusters freed, or < 0. */
long table_free_chain(struct fat_volume *vol, uint32_t first);

/* Chain cursors.  chain_start accepts 0 (an empty chain). */
int chain_start(struct fat_volume *vol, struct fat_chain *chain, uint32_t first);
/* 1: moved to the next cluster; 0: at the last cluster; < 0: corruption or a cycle. */
int chain_next(struct fat_volume *vol, struct fat_chain *chain);
/* Moves to the cluster at `index`: 1 if there, 0 if the chain is shorter, < 0 on error. */
int chain_seek(struct fat_volume *vol, struct fat_chain *chain, uint32_t index);

#endif
