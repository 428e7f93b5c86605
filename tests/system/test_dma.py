"""The chipset component, VT-d and the edu driver: DMA works through pinned buffers only.

QEMU is the judge of containment: its own VT-d trace (`vtd_dmar_fault`) must show each
wild access blocked at the emulated IOMMU, with the edu device's source-id, the address
and the direction.  Then the console must show the crash charged to the edu driver and
its restart, `iommu` the fault, and the restarted driver must pass a DMA round trip.
"""
import re

import pytest

from test_shell import wait_count

EDU = r"1234:11e8"


def boot(make_qemu, **options):
    vm = make_qemu(**options)
    vm.boot()
    return vm


def edu_address(vm):
    m = re.search(r"^(\w\w):(\w\w)\.(\d) " + EDU + r" 00ff edu$", vm.command("lspci"), re.M)
    assert m, "lspci shows the edu device claimed by the edu driver"
    return int(m.group(1), 16) << 8 | int(m.group(2), 16) << 3 | int(m.group(3))


def dma_ok(vm, length):
    # The last line: a restart line may arrive while the command is typed.
    assert vm.command("call edu dma %d" % length, timeout=30).splitlines()[-1] == \
        "status 0, results %d 0x%x, 0 0x0" % (length, length)


def test_lspci_lists_every_function_once(make_qemu):
    vm = boot(make_qemu)
    lines = vm.command("lspci").splitlines()
    assert all(re.match(r"^\w\w:\w\w\.\d [0-9a-f]{4}:[0-9a-f]{4} [0-9a-f]{4} \S+$", l) for l in lines), lines
    assert "00:00.0 8086:29c0 0600 -" in lines     # the q35 host bridge, unclaimed
    assert "00:1f.2 8086:2922 0106 ahci" in lines  # the ICH9 AHCI controller, claimed by its driver
    assert len([l for l in lines if EDU in l]) == 1
    assert len(lines) == len(set(lines))


def test_iommu_is_on_and_the_edu_domain_holds_its_two_buffers(make_qemu):
    vm = boot(make_qemu)
    assert vm.find(r"^chipset: VT-d at 0xfed90000: 3-level tables, 39-bit addresses, DMA remapping on$")
    out = vm.command("iommu")
    assert out.splitlines()[0] == "dma remapping: on"
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", out, re.M), out


@pytest.mark.parametrize("length", [1, 100, 4095])
def test_dma_through_pinned_buffers_round_trips(make_qemu, length):
    """The device reads the driver's read-only buffer and writes its writable one: every byte right."""
    vm = boot(make_qemu)
    assert vm.command("call edu liveness 5") == "status 0, results 4294967290 0xfffffffa, 0 0x0"
    assert vm.command("call edu factorial 10", timeout=30) == "status 0, results 3628800 0x375f00, 0 0x0"
    dma_ok(vm, length)


CONTAINED = {
    # kind: (direction, fault reason, how the address is given)
    "wild-dma": ("write", 5, r"0x200000"),
    "dma-read": ("read", 6, r"0x[0-9a-f]+"),
    "dma-after-unpin": ("write", 5, r"0x[0-9a-f]+"),
}


@pytest.mark.parametrize("kind", sorted(CONTAINED))
def test_device_faults_are_blocked_charged_and_recovered(make_qemu, kind):
    direction, reason, address = CONTAINED[kind]
    vm = boot(make_qemu, trace=["vtd_dmar_fault"])
    sid = edu_address(vm)
    dma_ok(vm, 64)
    out = vm.command("inject edu " + kind, timeout=30)
    assert "inject edu %s: it failed, as asked" % kind in out
    crash = vm.find(r"^crash: edu: IOMMU blocked a DMA %s at (%s) \(reason %d: [^)]+\)$"
                    % (direction, address, reason))
    assert crash, "the crash line, charged to edu"
    where = int(crash.group(1), 16)
    wait_count(vm, r"^restart: edu: up in \d+ us$", 1)
    # QEMU's own record: blocked at the emulated IOMMU, from the edu device, at that page.
    trace = open(vm.trace_path).read()
    blocked = re.findall(r"vtd_dmar_fault sid 0x([0-9a-f]+) fault (\d+) addr 0x([0-9a-f]+) write (\d)", trace)
    assert blocked, "QEMU traced no blocked DMA"
    assert all(int(s, 16) == sid for s, _, _, _ in blocked), blocked[:3]
    assert any(int(r) == reason and int(a, 16) & ~0xfff == where and int(w) == (direction == "write")
               for _, r, a, w in blocked), blocked[:3]
    # The shell shows the fault; the driver serves again, with fresh pins only.
    iommu = vm.command("iommu")
    assert re.search(r"^fault \S+ %s 0x%x reason %d: " % (direction, where, reason), iommu, re.M), iommu
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 1 faults$", iommu, re.M), iommu
    assert re.search(r"^2 +edu +running +1$", vm.command("ps"), re.M)
    dma_ok(vm, 100)
    assert not vm.find(r"pages still pinned|could not quiesce")
    assert re.findall(r"^crash: (\S+):", vm.output, re.M) == ["edu"]


def test_interrupt_storm_is_cut_off_and_charged(make_qemu):
    vm = boot(make_qemu)
    assert "inject edu irq-storm: it failed, as asked" in vm.command("inject edu irq-storm", timeout=30)
    assert vm.find(r"^crash: edu: interrupt storm$")
    wait_count(vm, r"^restart: edu: up in \d+ us$", 1)
    dma_ok(vm, 10)
    assert vm.command("call crashme ping") == "status 0, results 1 0x1, 0 0x0"


def test_old_pins_are_unreachable_after_a_restart(make_qemu):
    """After `kill edu`, nothing of the old instance stays mapped: its pins are dropped
    before its memory is reset, and the new instance pins afresh (2 pages, not 4)."""
    vm = boot(make_qemu)
    for n in range(1, 6):
        assert "killed edu" in vm.command("kill edu")
        wait_count(vm, r"^restart: edu: up in \d+ us$", n)
    out = vm.command("iommu")
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", out, re.M), out
    dma_ok(vm, 50)
    assert not vm.find(r"pages still pinned|could not quiesce")


def test_without_an_iommu_drivers_get_no_dma(make_qemu):
    vm = boot(make_qemu, iommu=False)
    assert vm.find(r"^chipset: no IOMMU \(no ACPI DMAR\): drivers will not be given DMA$")
    assert vm.find(r"^edu: the chipset refuses DMA \(not allowed\): no IOMMU to contain it$")
    assert vm.command("call edu dma 10") == "error: edu.dma: not found"
    assert vm.command("iommu").splitlines()[0] == "dma remapping: no IOMMU"
