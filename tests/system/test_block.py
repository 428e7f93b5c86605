"""The block service (components/block): the disks through block.idl, in front of ahci.

Requests go through block's bounce buffers to the AHCI driver; the shell's `call block ...`
passes numbers only, so it can name a buffer but never grant one: a read or write from the
shell must be refused (the buffer is not granted) without reaching the driver.
"""
import re

from test_ahci import boot


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
