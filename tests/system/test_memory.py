"""
test_memory.py — the kernel finds the RAM QEMU gives it, from 128 MiB to 6 GiB (above 4 GiB q35
puts the rest of the RAM past the PCI hole), and its free-frame count fits that RAM.
"""
import pytest

MEM_RE = (r"^mem: (\d+) MiB usable RAM in (\d+) map entries, top (0x[0-9a-f]+); "
          r"(\d+) free frames \((\d+) MiB\)$")
FOUR_GIB = 1 << 32
# What the kernel holds before it counts free frames: the first MiB, its image, the boot
# information and its page tables.
BOOT_OVERHEAD_MIB = 16


@pytest.mark.parametrize("size_mib", [128, 512, 2048, 6144], ids=["128M", "512M", "2G", "6G"])
def test_memory_size(make_qemu, size_mib):
    vm = make_qemu(memory="%dM" % size_mib)
    vm.boot()
    m = vm.find(MEM_RE)
    assert m, "no mem: summary line"
    usable, entries, top = int(m.group(1)), int(m.group(2)), int(m.group(3), 16)
    frames, free_mib = int(m.group(4)), int(m.group(5))

    # QEMU's firmware keeps a few pages at the top of low RAM (ACPI tables, the EBDA).
    assert size_mib - 3 <= usable <= size_mib
    assert entries >= 3
    assert frames * 4096 >> 20 == free_mib
    assert 0 < free_mib < usable
    assert usable - free_mib <= BOOT_OVERHEAD_MIB
    if size_mib > 2048:
        # q35 keeps low RAM below 2 GiB when there is more than 2.75 GiB; the rest is above 4 GiB.
        assert top > FOUR_GIB
        assert top == FOUR_GIB + (size_mib - 2048) * (1 << 20)
    else:
        assert top <= size_mib * (1 << 20)
