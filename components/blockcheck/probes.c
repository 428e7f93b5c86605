/*
 * probes.c — checks of block's boundary from a client's side (design in
 * blockcheck.c): a client cannot hurt block with its buffer (revoke), one
 * client cannot fill the book (flood), and what block costs a waiting
 * client against the driver itself (latency).  Each refuses to run while
 * the loops do, whose completions it would reap.  And one of the kernel's:
 * calling ahci is not the right to restart it (unsupervised).
 */
#include "components/blockcheck/blockcheck.h"

#include <string.h>

#include "ahci_client.h"
#include "block_client.h"

#define REVOKE_COOKIE 0xdead

/* Waits for the completion of cookie; its status, or E_TIMEOUT. */
static int64_t reap_one(uint64_t want)
{
	uint64_t until = clock_ns() + 5000 * MS, cookie, status;
	while (clock_ns() < until) {
		while (block_reap(block, &cookie, &status) >= 0)
			if (cookie == want)
				return (int64_t)status;
		event_wait(event, 50 * MS);
	}
	return E_TIMEOUT;
}

int64_t probe_revoke(uint64_t *status)
{
	if (loops_running())
		return E_BUSY;
	int64_t err = subscribe();
	if (err < 0)
		return err;
	/* A read into memory granted read-only: refused before anything happens. */
	int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block, GRANT_READ);
	if (g < 0)
		return g;
	err = block_submit(block, DISK, OP_READ, 0, PIECE, (uint64_t)write_buffer, REVOKE_COOKIE);
	mem_revoke(g);
	log_printf("%s: revoke: a read into a read-only grant: %s\n", self,
		   err == 0 ? "accepted" : why(err));
	if (err == 0)
		reap_one(REVOKE_COOKIE);
	/* A read whose grant is taken back while the disk works. */
	if ((g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block, GRANT_READ | GRANT_WRITE)) < 0)
		return g;
	memset(write_buffer, 0x5a, CHUNK * SECTOR_BYTES);
	err = block_submit(block, DISK, OP_READ, 0, PIECE, (uint64_t)write_buffer, REVOKE_COOKIE);
	mem_revoke(g);
	int64_t done = err < 0 ? err : reap_one(REVOKE_COOKIE);
	bool untouched = true;
	for (unsigned i = 0; i < CHUNK * SECTOR_BYTES; i++)
		untouched &= write_buffer[i] == 0x5a;
	log_printf("%s: revoke: a read whose grant was revoked: %s, buffer %s\n", self,
		   done == 0 ? "completed" : why(done), untouched ? "untouched" : "written");
	*status = (uint64_t)-done;
	return 0;
}

/*
 * What block costs a waiting client: the mean time of a 1-sector read at
 * queue depth 1 through block.read (a one-call grant, the copy, block's
 * engine) and through ahci.transfer on memory granted to ahci once.
 */
int64_t probe_latency(uint64_t rounds, uint64_t *block_ns, uint64_t *ahci_ns)
{
	int64_t cap = cap_lookup("ahci");
	if (rounds == 0 || rounds > 100000)
		return E_INVAL;
	if (cap < 0)
		return cap;
	if (loops_running())
		return E_BUSY;
	uint64_t start = clock_ns();
	for (uint64_t i = 0; i < rounds; i++) {
		int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, block, GRANT_READ | GRANT_WRITE | GRANT_ONE_CALL);
		int64_t err = g < 0 ? g : block_read(block, DISK, i % 1024, 1, (uint64_t)write_buffer);
		if (err < 0)
			return err;
	}
	*block_ns = (clock_ns() - start) / rounds;
	int64_t g = mem_grant(write_buffer, CHUNK * SECTOR_BYTES, (cap_t)cap, GRANT_READ | GRANT_WRITE);
	if (g < 0)
		return g;
	start = clock_ns();
	for (uint64_t i = 0; i < rounds; i++) {
		int64_t err = ahci_transfer((cap_t)cap, DISK, OP_READ, i % 1024, 1, (uint64_t)write_buffer);
		if (err < 0) {
			mem_revoke(g);
			return err;
		}
	}
	*ahci_ns = (clock_ns() - start) / rounds;
	mem_revoke(g);
	return 0;
}

/*
 * One client may not fill the book: FLOOD reads submitted without reaping
 * must be refused with E_BUSY after block's per-client share; then all
 * that were accepted are reaped.
 */
#define FLOOD 48

int64_t probe_flood(uint64_t *accepted, uint64_t *busy)
{
	if (loops_running())
		return E_BUSY;
	int64_t err = mem_grant(read_buffer, DEPTH * PIECE_BYTES, block, GRANT_READ | GRANT_WRITE);
	if ((err < 0 && err != E_BUSY) || (err = subscribe()) < 0)
		return err;
	*accepted = *busy = 0;
	for (uint64_t i = 0; i < FLOOD; i++) {
		err = block_submit(block, DISK, OP_READ, i, 1, (uint64_t)read_buffer + (i % DEPTH) * PIECE_BYTES,
				   tag | i);
		if (err == 0)
			++*accepted;
		else if (err == E_BUSY)
			++*busy;
		else
			return err;
	}
	for (uint64_t left = *accepted; left;) {
		uint64_t cookie, status;
		int64_t more = block_reap(block, &cookie, &status);
		if (more >= 0 && ((cookie & TAG_MASK) != tag || (int64_t)status < 0))
			return E_IO;
		if (more >= 0)
			left--;
		else if (event_wait(event, 5000 * MS) == E_TIMEOUT)
			return E_TIMEOUT;
	}
	return 0;
}

/* Restarting or killing ahci takes the manifest's `supervise ahci` (restart only) or
 * `control`; blockcheck holds a capability for ahci and neither right.  The errors'
 * numbers, positive; ahci must run on untouched (the test checks the console). */
int64_t probe_unsupervised(uint64_t *restart, uint64_t *kill)
{
	struct component_info info;
	int64_t id = component_find("ahci", &info);
	if (id < 0)
		return id;
	*restart = (uint64_t)-kcall(SYS_COMPONENT_CONTROL, (uint64_t)id, CONTROL_RESTART, 0, 0).status;
	*kill = (uint64_t)-kcall(SYS_COMPONENT_CONTROL, (uint64_t)id, CONTROL_KILL, 0, 0).status;
	return 0;
}
