"""The block service (components/block): the disks through block.idl, in front of ahci.

Requests go through block's bounce buffers to the AHCI driver; the shell's `call block ...`
passes numbers only, so it can name a buffer but never grant one: a read or write from the
shell must be refused (the buffer is not granted) without reaching the driver.
"""
import os
import re

import pytest
import struct
import time

from test_ahci import RESTART, SECTOR, boot, make_image
from test_shell import wait_count

READ_LBA, WRITE_LBA, LOOP_SECTORS = 2048, 8192, 256


def pattern(lba, count, round_):
    """components/blockcheck/pattern.h: word j of sector n in round r is n << 32 | j << 16 | r."""
    return b"".join(struct.pack("<64Q", *((n << 32 | j << 16 | round_) for j in range(64)))
                    for n in range(lba, lba + count))


def boot_with_patterns(make_qemu, tmp_path, **options):
    """A random disk whose read-loop region holds pattern round 0; (vm, image path)."""
    path, data = make_image(tmp_path)
    with open(path, "r+b") as f:
        f.seek(READ_LBA * SECTOR)
        f.write(pattern(READ_LBA, LOOP_SECTORS, 0))
    vm = make_qemu(drives=[path], **options)
    vm.boot()
    return vm, path


def loop_status(vm, loop):
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x", vm.command("call blockcheck status %d" % loop).splitlines()[-1])
    assert m, "blockcheck status answers"
    return int(m.group(1)), int(m.group(2))


def wait_rounds(vm, more=2, timeout=60):
    """Waits until both loops have done `more` rounds beyond where they are now."""
    start = [loop_status(vm, i)[0] for i in (0, 1)]
    until = time.time() + timeout
    while time.time() < until:
        now = [loop_status(vm, i) for i in (0, 1)]
        assert now[0][1] == 0 and now[1][1] == 0, "errors or wrong bytes: %r" % (now,)
        if all(now[i][0] >= start[i] + more for i in (0, 1)):
            return
        time.sleep(0.5)
    raise AssertionError("the loops made no progress: %r -> %r" % (start, now))


def stop_loops(vm):
    """Stops both loops; their totals (rounds, errors, wrong) as logged."""
    assert vm.command("call blockcheck stop").startswith("status 0")
    totals = {}
    for name in ("read", "write"):
        m = vm.wait_for(r"^blockcheck: %s loop: (\d+) rounds, (\d+) errors, (\d+) wrong bytes$" % name,
                        timeout=120)
        totals[name] = tuple(int(g) for g in m.groups())
    vm.sync()
    return totals


def check_write_region(vm, rounds):
    """After QEMU is gone: the write loop's region of its disk image (the harness's copy)
    holds exactly its last round's pattern."""
    vm.kill()
    with open(vm.drives[0], "rb") as f:
        f.seek(WRITE_LBA * SECTOR)
        got = f.read(LOOP_SECTORS * SECTOR)
    assert got == pattern(WRITE_LBA, LOOP_SECTORS, rounds)


def ahci_requests(vm):
    """(completed, failed) of disk 0, from ahci's own counters."""
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x[0-9a-f]+$", vm.command("call ahci stats 0"))
    assert m, "ahci stats answers"
    return int(m.group(1)), int(m.group(2))


def test_block_lists_the_disks(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    assert vm.command("call block disks").startswith("status 0, results 1 0x1,")
    assert vm.command("call block info 0") == "status 0, results 32768 0x8000, 512 0x200"
    assert vm.command("call block info 1").startswith("error: ")


def test_bad_requests_get_errors_and_never_reach_the_driver(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
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
        "call block read 0 0 1 0x1000",            # a buffer never granted to block
        "call block write 0 0 1 0x1000",
        "call block read 0 0 1 0xffffff8000000000",  # the kernel's half
        "call block submit 0 3 0 1 0x1000 7",      # not subscribed
        "call block reap",
        "call block flush 5",
    ]
    for line in bad:
        out = vm.command(line)
        assert out.startswith("error: "), (line, out)
    assert vm.command("call block stats").startswith("status 0, results 0 0x0, 0 0x0")
    assert ahci_requests(vm) == before
    assert vm.command("call block disks").startswith("status 0, results 1 0x1,")


def test_mem_copy_refuses_what_it_must(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    out = vm.command("call blockcheck memcopy").splitlines()[-1]
    assert re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, 0 0x0$", out), out
    assert int(out.split()[3]) >= 14
    assert not vm.findall(r"^blockcheck: mem_copy: .*FAIL")


def test_a_client_cannot_hurt_block_with_its_buffer(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    assert vm.command("call blockcheck revoke").splitlines()[-1].startswith("status 0, results 8 0x8")   # E_FAULT
    assert vm.find(r"^blockcheck: revoke: a read into a read-only grant: bad address$")
    assert vm.find(r"^blockcheck: revoke: a read whose grant was revoked: bad address, buffer untouched$")
    assert not vm.findall(r"^crash: block")
    assert vm.command("call block disks").startswith("status 0, results 1 0x1,")


def test_loops_without_faults(make_qemu, tmp_path):
    vm, path = boot_with_patterns(make_qemu, tmp_path)
    assert vm.command("call blockcheck start %d %d %d" % (READ_LBA, WRITE_LBA, LOOP_SECTORS)) == "status 0, results 0 0x0, 0 0x0"
    wait_rounds(vm, 3)
    totals = stop_loops(vm)
    assert totals["read"][1:] == (0, 0) and totals["write"][1:] == (0, 0)
    check_write_region(vm, totals["write"][0])


# Every way ahci can be made to fail, a few per boot (each boot's loops run through all of its).
# `hang` is not a crash: the driver stops servicing the disk, and `restart ahci` cures it.
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
        time.sleep(1)                   # the loops' requests wait in the driver that ignores them
        assert "restarting ahci" in vm.command("restart ahci")
    else:
        # The answer may come before the crash or after it (loop and irq-hang: after 3 s).
        # The DMA kinds need a free command slot, which the loops may all hold: try again.
        for _ in range(50):
            if not vm.command("inject ahci " + kind, timeout=30).endswith(": busy"):
                break
            time.sleep(0.1)
    if kind != "hang":
        wait_count(vm, r"^crash: ahci: ", crashes, timeout=30)
    wait_count(vm, RESTART, crashes, timeout=30)
    vm.sync()


@pytest.mark.parametrize("kinds", FAULT_GROUPS, ids=["-".join(k) for k in FAULT_GROUPS])
def test_loops_survive_ahci_crashes(make_qemu, tmp_path, kinds):
    """The read loop (asynchronous) and the write loop (waiting methods) run while ahci fails
    in every way it can: no error, no wrong byte, every acknowledged write on the disk."""
    vm, _ = boot_with_patterns(make_qemu, tmp_path, trace=["vtd_dmar_fault"])
    assert vm.command("call blockcheck start %d %d %d" % (READ_LBA, WRITE_LBA, LOOP_SECTORS)) == \
        "status 0, results 0 0x0, 0 0x0"
    wait_rounds(vm, 1)
    for n, kind in enumerate(kinds, 1):
        crash_ahci(vm, kind, n)
        wait_rounds(vm, 1)              # both loops go on through the restarted driver
    totals = stop_loops(vm)
    assert totals["read"][1:] == (0, 0), "read loop: errors, wrong bytes"
    assert totals["write"][1:] == (0, 0), "write loop: errors, wrong bytes"
    assert len(vm.findall(RESTART)) == len(kinds)
    assert not vm.findall(r"^crash: (?!ahci)")       # nobody but ahci failed
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x", vm.command("call block stats").splitlines()[-1])
    reissued, failed = int(m.group(1)), int(m.group(2))
    assert failed == 0
    if "kill" in kinds:
        assert reissued > 0
    check_write_region(vm, totals["write"][0])
