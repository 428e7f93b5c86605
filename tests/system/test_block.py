"""The block service (components/block): the disks through block.idl, in front of ahci.

Requests go through block's bounce buffers to the AHCI driver.  Its clients here are
blockcheck and blockcheck2 (one image, two components): each runs a read loop through
block's asynchronous interface and a write loop through its waiting methods, checking
every byte (components/blockcheck/pattern.h).  The tests crash ahci under the loops in
every way it can fail; the loops must see no error and no wrong byte, and after QEMU
has gone each write loop's region of the disk image must hold exactly its last round.

The shell's `call block ...` passes numbers only, so it can name a buffer but never
grant one: its reads and writes must be refused, as every other bad request, without
reaching the driver (ahci's own request counters say so).
"""
import re
import struct
import time

import pytest

from test_ahci import PINNED_IDLE, RESTART, SECTOR, assert_idle_pins, boot, make_image
from test_dma import frames
from test_shell import wait_count

OVERDUE = r"^block: ahci has held a request for more than 12 s: restarting it$"

READ_LBA, LOOP_SECTORS = 2048, 256
# Both clients read the same region (overlapping reads go together); each writes its own.
WRITE_LBA = {"blockcheck": 8192, "blockcheck2": 12288}
CLIENTS = sorted(WRITE_LBA)
LOOPS = {0: "read", 1: "write"}


def pattern(lba, count, round_):
    """components/blockcheck/pattern.h: word j of sector n in round r is n << 32 | j << 16 | r."""
    return b"".join(struct.pack("<64Q", *((n << 32 | j << 16 | round_) for j in range(64)))
                    for n in range(lba, lba + count))


def boot_with_patterns(make_qemu, tmp_path, **options):
    """A random disk whose read-loop region holds pattern round 0."""
    path, _ = make_image(tmp_path)
    with open(path, "r+b") as f:
        f.seek(READ_LBA * SECTOR)
        f.write(pattern(READ_LBA, LOOP_SECTORS, 0))
    vm = make_qemu(drives=[path], **options)
    vm.boot()
    return vm


def results(out):
    """The two result words of a `call` (log lines of other components may come around it)."""
    m = re.search(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x[0-9a-f]+$", out, re.M)
    assert m, "the call succeeds: %r" % out
    return int(m.group(1)), int(m.group(2))


def start_loops(vm):
    for who in CLIENTS:
        assert results(vm.command("call %s start %d %d %d" % (who, READ_LBA, WRITE_LBA[who], LOOP_SECTORS))) == (0, 0)


def progress(vm):
    """{(client, loop): (rounds, errors + wrong bytes)}."""
    return {(who, loop): results(vm.command("call %s status %d" % (who, loop))) for who in CLIENTS for loop in LOOPS}


def wait_rounds(vm, more=1, timeout=60):
    """Waits until every loop has done `more` rounds beyond where it is now."""
    start = progress(vm)
    until = time.time() + timeout
    while True:
        now = progress(vm)
        assert all(bad == 0 for _, bad in now.values()), "errors or wrong bytes: %r" % now
        if all(now[k][0] >= start[k][0] + more for k in now):
            return
        assert time.time() < until, "the loops made no progress: %r -> %r" % (start, now)
        time.sleep(0.5)


def stop_loops(vm):
    """Stops every loop; {(client, loop name): (rounds, errors, wrong bytes)} as logged."""
    for who in CLIENTS:
        assert results(vm.command("call %s stop" % who)) == (0, 0)
    totals = {}
    for who in CLIENTS:
        for name in LOOPS.values():
            line = r"^%s: %s loop: (\d+) rounds, (\d+) errors, (\d+) wrong bytes$" % (who, name)
            wait_count(vm, line, 1, timeout=120)
            totals[who, name] = tuple(int(g) for g in re.search(line, vm.output, re.M).groups())
    vm.sync()
    return totals


def check_write_regions(vm, totals):
    """After QEMU is gone: each write loop's region of the disk image (the harness's copy)
    holds exactly its last round's pattern: no acknowledged write lost or undone."""
    vm.kill()
    with open(vm.drives[0], "rb") as f:
        for who in CLIENTS:
            f.seek(WRITE_LBA[who] * SECTOR)
            got = f.read(LOOP_SECTORS * SECTOR)
            assert got == pattern(WRITE_LBA[who], LOOP_SECTORS, totals[who, "write"][0]), who


def ahci_requests(vm):
    """(completed, failed) of disk 0, from ahci's own counters."""
    return results(vm.command("call ahci stats 0"))


def test_block_lists_the_disks(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    assert results(vm.command("call block disks"))[0] == 1
    assert results(vm.command("call block info 0")) == (32768, 512)
    assert vm.command("call block info 1") == "error: block.info: not found"


def test_bad_requests_get_errors_and_never_reach_the_driver(make_qemu, tmp_path):
    """All but one: a waiting read's buffer is checked when the data is copied to it
    (block.c, check), so the read into a buffer never granted reads the disk once, and
    still answers "bad address"."""
    vm, _ = boot(make_qemu, tmp_path)
    before = ahci_requests(vm)
    assert vm.command("call block read 0 0 1 0x1000") == "error: block.read: bad address"
    assert ahci_requests(vm) == (before[0] + 1, before[1])
    assert results(vm.command("call block stats")) == (0, 1)
    before = ahci_requests(vm)
    bad = [
        "call block read 1 0 1 0x1000",            # no such disk
        "call block read 0 32768 1 0x1000",        # beyond the end
        "call block read 0 32767 2 0x1000",        # lba + count beyond the end
        "call block read 0 0xffffffffffffffff 2 0x1000",   # lba + count wraps
        "call block read 0 0 0 0x1000",            # no sectors
        "call block read 0 0 2049 0x1000",         # too many
        "call block read 0 0 1 0",                 # no buffer
        "call block read 0 0 1 0x1001",            # odd buffer
        "call block write 0 0 1 0x1000",           # a buffer never granted to block
        "call block write 0 0 1 0x7ffffffffffff000",   # beyond component memory
        "call block read 0 0 1 0xffffff8000000000",    # the kernel's half
        "call block submit 0 0 0 1 0x1000 7",      # not subscribed
        "call block submit 0 3 0 1 0x1000 7",
        "call block reap",
        "call block flush 5",
    ]
    for line in bad:
        out = vm.command(line)
        assert out.startswith("error: "), (line, out)
    assert results(vm.command("call block stats")) == (0, 1)
    assert ahci_requests(vm) == before
    assert not vm.findall(r"^crash: ")
    assert results(vm.command("call block disks"))[0] == 1


def test_mem_copy_refuses_what_it_must(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    passed, failed = results(vm.command("call blockcheck memcopy"))
    assert (passed, failed) == (15, 0)
    assert len(vm.findall(r"^blockcheck: mem_copy: .*: ok$")) == 15


def test_a_client_cannot_hurt_block_with_its_buffer(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    assert results(vm.command("call blockcheck revoke")) == (8, 0)    # E_FAULT
    assert vm.find(r"^blockcheck: revoke: a read into a read-only grant: bad address$")
    assert vm.find(r"^blockcheck: revoke: a read whose grant was revoked: bad address, buffer untouched$")
    assert not vm.findall(r"^crash: ")
    assert results(vm.command("call block disks"))[0] == 1


def test_calling_a_driver_is_not_the_right_to_restart_it(make_qemu, tmp_path):
    """blockcheck calls ahci but has no `supervise ahci`: the kernel refuses to restart or
    kill it for blockcheck (E_DENIED, 15, both), and ahci runs on."""
    vm, _ = boot(make_qemu, tmp_path)
    assert results(vm.command("call blockcheck unsupervised")) == (15, 15)
    assert not vm.findall(r"^crash: ")
    assert re.search(r"^disk 0: .*, ready$", vm.command("disk"), re.M)
    assert results(vm.command("call blockcheck latency 5"))[1] > 0      # ahci still serves


def test_one_client_cannot_fill_the_book(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    assert results(vm.command("call blockcheck flood")) == (32, 16)   # block's per-client share
    assert results(vm.command("call blockcheck2 flood")) == (32, 16)  # the next client gets its own
    block_us, ahci_us = (ns // 1000 for ns in results(vm.command("call blockcheck latency 50", timeout=60)))
    assert block_us > 0 and ahci_us > 0


def test_block_lends_its_pool_once_and_a_restart_gives_the_old_one_back(make_qemu, tmp_path):
    """block lends ahci its bounce pool, pinned once (drivers/ahci/pools.c): block's reads do
    not pin per request, and a restarted block lends its new pool while the old one, memory
    of a dead instance, is unpinned and its frames freed — none leaked, none pinned twice."""
    vm, _ = boot(make_qemu, tmp_path)
    assert_idle_pins(vm)
    block_us, ahci_us = (ns // 1000 for ns in results(vm.command("call blockcheck latency 20", timeout=60)))
    assert block_us > 0 and ahci_us > 0
    assert_idle_pins(vm)                    # reads came and went: no pin of theirs is left
    before = frames(vm)
    assert before[1] >= PINNED_IDLE         # the pool's frames are pinned for DMA
    for n in range(1, 4):
        assert "killed block" in vm.command("kill block")
        wait_count(vm, r"^restart: block: up in \d+ us$", n)
        vm.sync()
        results(vm.command("call blockcheck latency 5", timeout=60))
        assert_idle_pins(vm)                # the new pool in, the old one out
    assert frames(vm) == before, "free, pinned and freed-but-pinned frames after 3 restarts of block"
    assert not vm.find(r"^ahci: unpin|^crash: ahci")


def test_loops_without_faults(make_qemu, tmp_path):
    vm = boot_with_patterns(make_qemu, tmp_path)
    start_loops(vm)
    wait_rounds(vm, 3)
    totals = stop_loops(vm)
    assert all(t[1:] == (0, 0) for t in totals.values()), totals
    assert results(vm.command("call block stats")) == (0, 0)
    assert not vm.findall(OVERDUE)
    check_write_regions(vm, totals)


# Every way ahci can be made to fail, a few per boot (each boot's loops run through all of its).
# `hang` is not a crash: the driver stops servicing the disk but answers every call, and block,
# its supervisor (the manifest's `supervise ahci`), restarts it when a request is overdue.
FAULT_GROUPS = [
    ["kill", "null", "wild-write", "kernel-write", "wild-jump"],
    ["ud", "div0", "stack", "port", "loop"],
    ["irq-hang", "wild-dma", "dma-after-unpin", "hang"],
]


def crash_ahci(vm, kind, crashes):
    """Makes ahci fail in the way `kind` names; waits for its crash and its restart."""
    if kind == "kill":
        assert "killed ahci" in vm.command("kill ahci")
    elif kind == "hang":
        assert "it survived" in vm.command("inject ahci hang")
        # Nobody types restart: the loops' requests wait in the driver that ignores them
        # until block finds one overdue (12 s) and has the kernel restart ahci.
        wait_count(vm, OVERDUE, 1, timeout=60)
        wait_count(vm, r"^crash: ahci: restart requested by block$", 1, timeout=10)
    else:
        # The answer may come before the crash or after it (loop and irq-hang: after 3 s).
        # The DMA kinds need a free command slot, which the loops may all hold: try again.
        for _ in range(50):
            if not vm.command("inject ahci " + kind, timeout=60).endswith(": busy"):
                break
            time.sleep(0.1)
    wait_count(vm, r"^crash: ahci: ", crashes, timeout=60)     # restart stops it first, too
    wait_count(vm, RESTART, crashes, timeout=60)
    vm.sync()


@pytest.mark.parametrize("kinds", FAULT_GROUPS, ids=["-".join(k) for k in FAULT_GROUPS])
def test_loops_survive_ahci_crashes(make_qemu, tmp_path, kinds):
    """Both clients' loops run while ahci fails in every way it can: no error, no wrong
    byte, every acknowledged write on the disk; the console shows each crash and restart."""
    vm = boot_with_patterns(make_qemu, tmp_path)
    start_loops(vm)
    wait_rounds(vm, 1)
    for n, kind in enumerate(kinds, 1):
        crash_ahci(vm, kind, n)
        wait_rounds(vm, 1)              # every loop goes on through the restarted driver
    totals = stop_loops(vm)
    assert all(t[1:] == (0, 0) for t in totals.values()), totals
    assert len(vm.findall(RESTART)) == len(kinds)
    assert len(vm.findall(r"^crash: ahci: ")) == len(kinds)
    # Block restarted ahci for the hang, and only for it: no working driver is overdue.
    assert len(vm.findall(OVERDUE)) == kinds.count("hang")
    # Nobody but ahci failed.  Except: ahci's hung interrupt method spins at interrupt-thread
    # priority, so a thread of the loops that was inside the chipset (pinning for ahci) at that
    # moment is starved there, and the kernel's watchdog may blame the chipset (2 s) before
    # ahci (3 s).  The chipset restarts, and the loops must not notice that either.
    others = vm.findall(r"^crash: (?!ahci).*$")
    if "irq-hang" in kinds:
        others = [m for m in others if not m.group(0).startswith("crash: chipset: watchdog: ")]
    assert not others, [m.group(0) for m in others]
    reissued, failed = results(vm.command("call block stats"))
    assert failed == 0
    if "kill" in kinds:
        assert reissued > 0
    check_write_regions(vm, totals)
