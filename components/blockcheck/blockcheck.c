/*
 * blockcheck.c — a client of the block service that checks what it gets,
 * for the tests of crash survival (tests/system/test_block.py).
 *
 * Two loops on threads of their own, one per way of using block:
 *   the read loop is an asynchronous client (subscribe, submit, reap), with
 *     DEPTH requests of PIECE sectors in flight, over a region the test
 *     filled with pattern round 0; it checks every byte it reads;
 *   the write loop uses the waiting methods with one-call grants: each
 *     round writes its own pattern over its region, flushes, reads it all
 *     back and checks it.
 * While they run the test crashes the AHCI driver under block in every way
 * it can; the loops must see no error and no wrong byte.  Each loop stops
 * only between rounds, so after `stop` the write region holds exactly the
 * pattern of the last round it reports, which the test checks in the disk
 * image after QEMU has gone.
 *
 * The manifest runs this image twice, as blockcheck and blockcheck2, so
 * that two asynchronous clients use block at once; each names itself in its
 * log lines and puts its component id in every cookie, so a completion
 * handed to the wrong client is an error.
 *
 * Files: loops.c (the two loops), probes.c (revoke, flood, latency: block's
 * boundary), memcopy.c (the mem_copy kernel call); this one holds what they
 * share and the methods of blockcheck.idl.
 */
#include "components/blockcheck/blockcheck.h"

#include <string.h>

#include "block_client.h"
#include "blockcheck_server.h"
#include "components/blockcheck/memcopy.h"

cap_t block;
uint8_t *read_buffer, *write_buffer;
int64_t event = -1;
char self[16] = "blockcheck";
uint64_t tag;

int64_t component_init(void)
{
	int64_t cap = cap_lookup("block");
	if (cap < 0)
		return cap;
	block = (cap_t)cap;
	read_buffer = mem_alloc(DEPTH * PIECE_BYTES);
	write_buffer = mem_alloc(CHUNK * SECTOR_BYTES);
	if (!read_buffer || !write_buffer || (event = event_create()) < 0)
		return E_NOMEM;
	uint64_t id = kernel_info(INFO_COMPONENT_ID);
	struct component_info info;
	if (kcall(SYS_COMPONENT_INFO, id, (uint64_t)&info, 0, 0).status == 0) {
		memcpy(self, info.name, sizeof self);
		self[sizeof self - 1] = 0;
	}
	tag = id << 40;
	return 0;
}

const char *why(int64_t err)
{
	const char *text = pinfold_strerror(err);
	return text ? text : "unknown error";
}

/* Subscribes to block with my event (a new generation: what an earlier subscription left is dropped). */
int64_t subscribe(void)
{
	int64_t err = event_grant(event, block);
	uint64_t client;
	if (err == 0)
		err = block_subscribe(block, (uint64_t)event, &client);
	return err;
}

int64_t serve_start(uint64_t read_at, uint64_t write_at, uint64_t count)
{
	return loops_start(read_at, write_at, count);
}

int64_t serve_stop(void)
{
	loops_stop();
	return 0;
}

int64_t serve_status(uint64_t loop, uint64_t *rounds, uint64_t *bad)
{
	return loops_status(loop, rounds, bad);
}

int64_t serve_memcopy(uint64_t *passed, uint64_t *failed)
{
	memcopy_cases(self, passed, failed);
	return 0;
}

int64_t serve_revoke(uint64_t *status)
{
	return probe_revoke(status);
}

int64_t serve_unsupervised(uint64_t *restart, uint64_t *kill)
{
	return probe_unsupervised(restart, kill);
}

int64_t serve_flood(uint64_t *accepted, uint64_t *busy)
{
	return probe_flood(accepted, busy);
}

int64_t serve_latency(uint64_t rounds, uint64_t *block_ns, uint64_t *ahci_ns)
{
	return probe_latency(rounds, block_ns, ahci_ns);
}
