"""chipset.pin refuses what a driver may not give its device, and says why.

The edu driver's try_pin method passes any (va, len, write) to the chipset, as a buggy
or hostile driver might, and undoes a pin that was granted.  Each refusal must come
with its own error, and none may change what the device can reach: afterwards the
domain still holds exactly edu's two buffers and a DMA round trip still works.

Addresses follow kernel/layout.h: component slots of 1 GiB from 0x1000000000 in
manifest order, its heap 512 MiB into its slot, device memory
(BARs the chipset mapped) 768 MiB in.
"""
import re

from test_dma import dma_ok

SLOT = 1 << 30
HEAP_OFF = 0x20000000
DEVICE_OFF = 0x30000000
MAX_PIN_PAGES = 4096            # components/chipset/chipset.c


def boot_edu(make_qemu):
    vm = make_qemu()
    vm.boot()
    m = re.fullmatch(r"status 0, results \d+ 0x([0-9a-f]+), \d+ 0x([0-9a-f]+)",
                     vm.command("call edu buffers"))
    assert m, "edu reports its two pinned buffers"
    out, inb = int(m.group(1), 16), int(m.group(2), 16)
    vm.slot = out - HEAP_OFF
    assert vm.slot % SLOT == 0 and inb // SLOT == out // SLOT
    vm.out = out
    return vm


def try_pin(vm, va, length, write):
    return vm.command("call edu try_pin %d %d %d" % (va, length, write))


def granted(pages):
    return "status 0, results %d 0x%x, 0 0x0" % (pages, pages)


CASES = [
    # (what, va as a function of the edu vm, len, write, answer)
    ("its own code, read-only", lambda vm: vm.slot + 0x1000, 4096, 0, granted(1)),
    ("its own code, for the device to write", lambda vm: vm.slot + 0x1000, 4096, 1, "bad address"),
    ("a buffer it pinned already", lambda vm: vm.out, 4096, 0, "busy"),
    ("an unaligned address", lambda vm: vm.out + 1, 4096, 0, "invalid argument"),
    ("zero bytes", lambda vm: vm.out + 8192, 0, 0, "invalid argument"),
    ("a direction that is neither", lambda vm: vm.out + 8192, 4096, 2, "invalid argument"),
    ("a range that wraps around", lambda vm: (1 << 64) - 4096, 8192, 0, "invalid argument"),
    ("more than a driver may pin", lambda vm: vm.out, (MAX_PIN_PAGES + 1) * 4096, 0, "limit reached"),
    ("heap it never allocated", lambda vm: vm.out + (16 << 20), 4096, 0, "bad address"),
    ("the next component's memory", lambda vm: vm.slot + SLOT + HEAP_OFF, 4096, 0, "bad address"),
    ("its device's own registers", lambda vm: vm.slot + DEVICE_OFF, 4096, 0, "not allowed"),
    ("the kernel", lambda vm: 0xffffffff80200000, 4096, 0, "invalid argument"),
]


def test_pin_refuses_what_the_driver_may_not_give_and_changes_nothing(make_qemu):
    """One boot for every case (each a line of the report); then the domain is as it was."""
    vm = boot_edu(make_qemu)
    wrong = []
    for what, va, length, write, answer in CASES:
        expected = answer if answer.startswith("status ") else "error: edu.try_pin: " + answer
        got = try_pin(vm, va(vm), length, write)
        if got != expected:
            wrong.append("%s: %r, expected %r" % (what, got, expected))
    assert not wrong, "\n".join(wrong)
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", vm.command("iommu"), re.M)
    dma_ok(vm, 1000)
    assert not vm.find(r"^crash: ")
