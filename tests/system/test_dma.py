"""The chipset component, VT-d and the edu driver: DMA works through pinned buffers only.

QEMU is the judge of containment: its own VT-d trace (`vtd_dmar_fault`) must show each
wild access blocked at the emulated IOMMU, with the edu device's source-id, the address
and the direction.  Then the console must show the crash charged to the edu driver and
its restart, `iommu` the fault, and the restarted driver must pass a DMA round trip.

QEMU's monitor is the judge of the memory itself: canaries (victim pages read from guest
physical memory with pmemsave) must be unchanged after each wild access, and must not
hold the bytes the device tried to write.  Each such test first lets the device write
those bytes into a page the driver did pin, and finds them there, so a check that could
not see a DMA that lands would fail.
"""
import re
import struct
import time

import pytest

import qemu
from test_shell import ps, wait_count

EDU = r"1234:11e8"
RESTART = re.compile(r"^restart: edu: up in \d+ us$", re.M)
# What edu.dma_to makes the device write (drivers/edu/edu.c, dma_mark): 63 characters and a NUL.
DMA_MARK = b"edu.dma_to: these 64 bytes may only land in memory edu pinned..\0"
PAGE = 4096
WILD_DMA_TARGET = 0x10a000     # drivers/edu/edu.c: inside the kernel image
PEER_VALUE = 0x5ec2e7      # components/peer/peer.c: private_value, which peer.value returns


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


def results(out):
    """The two results of a `call` that succeeded (the last line: a restart line may come first)."""
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x[0-9a-f]+$", out.splitlines()[-1])
    assert m, out
    return int(m.group(1)), int(m.group(2))


def phys(vm, name, va):
    """The physical address of component name's page at va (the shell's `mem NAME ADDR`)."""
    out = vm.command("mem %s 0x%x" % (name, va))
    m = re.match(r"^%s 0x%x is at physical 0x([0-9a-f]+)$" % (name, va), out)
    assert m, out
    return int(m.group(1), 16)


def kernel_text():
    """(physical address, bytes) of the kernel's code, from the ELF program headers of
    build/kernel.elf: the executable PT_LOAD segment, as GRUB loaded it."""
    with open(qemu.ISODIR + "/boot/kernel.elf", "rb") as f:
        elf = f.read()
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        kind, flags, offset, _vaddr, paddr, filesz, _memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", elf, phoff + i * phentsize)
        if kind == 1 and flags & 1:        # PT_LOAD, PF_X
            return paddr, elf[offset:offset + filesz]
    raise AssertionError("kernel.elf has no executable segment")


def victims(vm):
    """{name: (physical address, length)}: memory that no wild DMA of edu may change.
    Physical 0x10a000, where wild-dma aims, is inside the kernel's code (loaded from
    0x109000), which must stay byte for byte its ELF file's.  Peer's page is found
    through `mem` and proven by its content: peer.value's variable."""
    va, _ = results(vm.command("call peer address"))
    pa = phys(vm, "peer", va)
    assert vm.monitor().read_phys(pa, 8) == struct.pack("<Q", PEER_VALUE), \
        "mem peer 0x%x said 0x%x, where the monitor does not find peer's value" % (va, pa)
    text, code = kernel_text()
    assert vm.monitor().read_phys(text, len(code)) == code, "the kernel's code is not its ELF file's"
    return {
        "0x10a000, where wild-dma aims": (WILD_DMA_TARGET, PAGE),
        "the kernel's code": (text, len(code)),
        "peer's data page": (pa & ~(PAGE - 1), PAGE),
    }


def read_victims(vm, watched):
    return dict((name, vm.monitor().read_phys(pa, n)) for name, (pa, n) in watched.items())


def assert_intact(before, after):
    for name in before:
        assert after[name] == before[name], "%s changed" % name
        assert DMA_MARK not in after[name], "the device's bytes are in %s" % name


def dma_lands_in_a_pinned_page(vm):
    """The control: edu pins a spare page and has the device write DMA_MARK into it, which
    the monitor must find there.  Returns the page's address (the device's buffer now holds
    the mark too, so a later wild write from it would write the mark)."""
    spare, _ = results(vm.command("call edu pin_spare"))
    assert results(vm.command("call edu dma_to 0x%x" % spare, timeout=30)) == (64, 0)
    assert vm.monitor().read_phys(phys(vm, "edu", spare), 64) == DMA_MARK
    return spare


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
    "wild-dma": ("write", 5, r"0x10a000"),
    "dma-read": ("read", 6, r"0x[0-9a-f]+"),
    "dma-after-unpin": ("write", 5, r"0x[0-9a-f]+"),
}


@pytest.mark.parametrize("kind", sorted(CONTAINED))
def test_device_faults_are_blocked_charged_and_recovered(make_qemu, kind):
    direction, reason, address = CONTAINED[kind]
    vm = boot(make_qemu, trace=["vtd_dmar_fault"], monitor=True)
    sid = edu_address(vm)
    dma_ok(vm, 64)
    dma_lands_in_a_pinned_page(vm)
    watched = victims(vm)
    before = read_victims(vm, watched)
    out = vm.command("inject edu " + kind, timeout=30)
    assert "inject edu %s: it failed, as asked" % kind in out
    crash = vm.find(r"^crash: edu: IOMMU blocked a DMA %s at (%s) \(reason %d: ([^)]+)\)$"
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
    # in the chipset's words for the reason (components/chipset/fault_reason.h serves both)
    assert re.search(r"^fault \S+ %s 0x%x reason %d: %s$" % (direction, where, reason, re.escape(crash.group(2))),
                     iommu, re.M), iommu
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 1 faults$", iommu, re.M), iommu
    assert re.search(r"^2 +edu +running +1$", vm.command("ps"), re.M)
    dma_ok(vm, 100)
    assert not vm.find(r"pages still pinned|could not quiesce")
    assert re.findall(r"^crash: (\S+):", vm.output, re.M) == ["edu"]
    # The memory it aimed at, the kernel and another component: as they were.
    assert_intact(before, read_victims(vm, watched))


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


def blocked_writes(vm, sid):
    """(page, reason) of every write QEMU's VT-d trace shows blocked for source-id sid."""
    trace = open(vm.trace_path).read()
    return [(int(a, 16) & ~(PAGE - 1), int(r)) for s, r, a, w in
            re.findall(r"vtd_dmar_fault sid 0x([0-9a-f]+) fault (\d+) addr 0x([0-9a-f]+) write (\d)", trace)
            if int(s, 16) == sid and w == "1"]


def test_old_buffers_are_unreachable_after_a_restart(make_qemu):
    """A page the old instance pinned, and its device wrote into, is out of the device's
    reach once the driver restarts: the new instance aims the device at it without pinning
    it, and QEMU blocks the write at the IOMMU, which charges edu again."""
    vm = boot(make_qemu, trace=["vtd_dmar_fault"], monitor=True)
    sid = edu_address(vm)
    old = dma_lands_in_a_pinned_page(vm)
    assert re.search(r"^domain \S+ owner edu pinned 3 pages, 0 faults$", vm.command("iommu"), re.M)
    assert blocked_writes(vm, sid) == []
    assert "killed edu" in vm.command("kill edu")
    wait_count(vm, RESTART, 1)
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", vm.command("iommu"), re.M)
    assert vm.command("mem edu 0x%x" % old).startswith("error: "), "the new instance has no such page"
    out = vm.command("call edu dma_to 0x%x" % old, timeout=30)
    assert out.splitlines()[-1] == "error: edu.dma_to: callee failed", out
    assert vm.find(r"^crash: edu: IOMMU blocked a DMA write at 0x%x \(reason 5: [^)]+\)$" % old)
    wait_count(vm, RESTART, 2)
    assert (old, 5) in blocked_writes(vm, sid)
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 1 faults$", vm.command("iommu"), re.M)
    dma_ok(vm, 200)


def test_dma_into_another_components_data_is_blocked(make_qemu):
    """IOVA = VA: aimed at the address of peer's variable, the device would reach it if
    edu's domain mapped anything of peer's.  It is blocked, and the variable is intact."""
    vm = boot(make_qemu, trace=["vtd_dmar_fault"], monitor=True)
    sid = edu_address(vm)
    dma_lands_in_a_pinned_page(vm)
    watched = victims(vm)
    before = read_victims(vm, watched)
    va, _ = results(vm.command("call peer address"))
    out = vm.command("call edu dma_to 0x%x" % va, timeout=30)
    assert out.splitlines()[-1] == "error: edu.dma_to: callee failed", out
    page = va & ~(PAGE - 1)
    assert vm.find(r"^crash: edu: IOMMU blocked a DMA write at 0x%x \(reason 5: [^)]+\)$" % page)
    wait_count(vm, RESTART, 1)
    assert (page, 5) in blocked_writes(vm, sid)
    assert results(vm.command("call peer value")) == (PEER_VALUE, 0)
    assert_intact(before, read_victims(vm, watched))
    dma_ok(vm, 64)


def frames(vm):
    """(free, pinned, deferred) frames, from the shell's `mem`."""
    out = vm.command("mem")
    m = re.match(r"^frames: (\d+) free, (\d+) pinned for DMA, (\d+) freed but still pinned$", out)
    assert m, out
    return tuple(int(g) for g in m.groups())


def test_mem_counts_frames_and_finds_pages_of_components_the_shell_controls(make_qemu):
    vm = boot(make_qemu)
    free, pinned, deferred = frames(vm)
    assert free > 100000 and deferred == 0
    assert pinned >= 2, "edu's two buffers at least"
    va, _ = results(vm.command("call peer address"))
    assert phys(vm, "peer", va) & (PAGE - 1) == va & (PAGE - 1)
    assert vm.command("mem peer 0x0") == "error: mem peer 0x0: not mapped"
    assert vm.command("mem peer 0x%x" % (2 ** 64 - 1)) == "error: mem peer 0xffffffffffffffff: not mapped"
    # The shell holds no capability for irqbench: the kernel refuses to say.
    assert vm.command("mem irqbench 0x%x" % va) == "error: mem irqbench 0x%x: not allowed" % va
    assert vm.command("mem peer zz") == "error: 'zz' is not an address"
    assert vm.command("mem peer") == "error: usage: mem [NAME ADDR]"
    assert vm.command("mem nobody 1") == "error: no component named 'nobody' (see ps)"


RESTARTS = 1000


def test_no_pinned_page_leaks_across_1000_restarts(make_qemu):
    """Kill edu 1,000 times, every tenth time with a third page pinned, and every hundredth
    time crash it instead (a CPU exception): the kernel's count of free, pinned and
    deferred frames is the same afterwards, every restart was logged, and DMA works."""
    vm = boot(make_qemu)
    dma_ok(vm, 64)
    # One restart first: what the shell and edu allocate at first use is not a leak.
    assert "killed edu" in vm.command("kill edu")
    wait_count(vm, RESTART, 1)
    dma_ok(vm, 64)
    before = frames(vm)
    assert before[1] > 0, "edu's and the chipset's pins are counted"
    started = time.monotonic()
    for n in range(2, RESTARTS + 2):
        if n % 10 == 0:
            results(vm.command("call edu pin_spare"))
        mark = len(vm.output)
        if n % 100 == 50:
            assert "it failed, as asked" in vm.command("inject edu ud")
        else:
            assert "killed edu" in vm.command("kill edu")
        deadline = time.monotonic() + 30
        while not vm.find(RESTART, mark):
            assert time.monotonic() < deadline, "restart %d did not come" % n
            time.sleep(0.001)
    elapsed = time.monotonic() - started
    vm.sync()
    assert len(vm.findall(RESTART)) == RESTARTS + 1
    assert len(vm.findall(r"^crash: edu: killed$")) == RESTARTS + 1 - RESTARTS // 100
    assert ps(vm)["edu"] == ("running", RESTARTS + 1)
    assert frames(vm) == before
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", vm.command("iommu"), re.M)
    dma_ok(vm, 4095)
    assert not vm.find(r"pages still pinned|could not quiesce|^failed: ")
    print("%d restarts in %.1f s" % (RESTARTS, elapsed))


def test_without_an_iommu_drivers_get_no_dma(make_qemu):
    vm = boot(make_qemu, iommu=False)
    assert vm.find(r"^chipset: no IOMMU \(no ACPI DMAR\): drivers will not be given DMA$")
    assert vm.find(r"^edu: the chipset refuses DMA \(not allowed\): no IOMMU to contain it$")
    assert vm.command("call edu dma 10") == "error: edu.dma: not found"
    assert vm.command("iommu").splitlines()[0] == "dma remapping: no IOMMU"
