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
