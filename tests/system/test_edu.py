"""Two edu devices driven by two instances of one driver image, and the shell's `edu` command.

boot/manifest gives the edu driver the device at 00:02.0 (`pci 1234:11e8@00:02.0`) and a second
component of the same image, edu2, the one at 00:03.0; the harness puts QEMU's edu devices at
exactly those addresses (edu=2 adds the second).  QEMU's own trace is the judge of which device
did what: `vtd_dmar_translate` names the device behind each translated DMA page, and
`vtd_dmar_fault` the source-id of each blocked one.
"""
import os
import re

import pytest

import qemu
from test_dma import assert_intact, read_victims, results, victims
from test_shell import ps, wait_count

EDU = "1234:11e8"
LOCATIONS = {"edu": "00:02.0", "edu2": "00:03.0"}


def boot(make_qemu, **options):
    vm = make_qemu(**options)
    vm.boot()
    return vm


def sid(location):
    """The PCI requester id (source-id) of BB:DD.F."""
    bus, dev, fn = re.match(r"^(\w\w):(\w\w)\.(\d)$", location).groups()
    return int(bus, 16) << 8 | int(dev, 16) << 3 | int(fn)


def owners(vm):
    """{location: owner} of every edu device, from lspci."""
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^(\S+) %s 00ff (\S+)$" % EDU, vm.command("lspci"), re.M)}


def dma_ok(vm, name, length):
    # The last line: a restart line may arrive while the command is typed.
    out = vm.command("edu %s dma %d" % (name, length), timeout=30)
    assert out.splitlines()[-1] == "%s: dma %d bytes: %d matched" % (name, length, length), out


def test_two_drivers_each_drive_their_own_device(make_qemu):
    vm = boot(make_qemu, edu=2, trace=["vtd_dmar_translate"])
    assert owners(vm) == {"00:02.0": "edu", "00:03.0": "edu2"}
    assert not vm.find(r"no device to drive")
    for name in ("edu", "edu2"):
        dma_ok(vm, name, 4095)
        dma_ok(vm, name, 1)
    iommu = vm.command("iommu")
    for name, location in LOCATIONS.items():
        assert re.search(r"^domain %s owner %s pinned 2 pages, 0 faults$" % (location, name),
                         iommu, re.M), iommu
    # QEMU translated DMA pages for each device: both of its driver's buffers, and nothing
    # of the other driver's.  IOVA = VA, and each component has its own 1 GiB slot.
    pages = {}
    for dev, iova, gpa in re.findall(r"vtd_dmar_translate dev (\S+) iova 0x([0-9a-f]+) -> "
                                     r"gpa 0x([0-9a-f]+)", open(vm.trace_path).read()):
        pages.setdefault(dev, set()).add((int(iova, 16), int(gpa, 16)))
    assert {"00:02.00", "00:03.00"} <= set(pages), sorted(pages)   # (ahci at 00:1f.2 DMAs too)
    slots = {}
    pages = {dev: pages[dev] for dev in ("00:02.00", "00:03.00")}
    for dev, seen in pages.items():
        assert len({iova for iova, _ in seen}) == 2, (dev, seen)   # the read and the write buffer
        assert len({iova >> 30 for iova, _ in seen}) == 1, (dev, seen)
        slots[dev] = next(iter(seen))[0] >> 30
    assert slots["00:02.00"] != slots["00:03.00"]
    assert not {g for _, g in pages["00:02.00"]} & {g for _, g in pages["00:03.00"]}


def test_wild_dma_in_both_drivers_is_blocked_charged_and_recovered(make_qemu):
    vm = boot(make_qemu, edu=2, trace=["vtd_dmar_fault"])
    for name in LOCATIONS:
        dma_ok(vm, name, 64)
    # Both lines go at once; the shell runs them one after the other.
    vm.send("inject edu wild-dma\rinject edu2 wild-dma\r")
    for name in LOCATIONS:
        vm.wait_for(r"^inject %s wild-dma: it failed, as asked$" % name, timeout=30)
    for name in LOCATIONS:
        wait_count(vm, r"^restart: %s: up in \d+ us$" % name, 1)
    vm.sync()
    for name in LOCATIONS:
        crashes = vm.findall(r"^crash: %s: IOMMU blocked a DMA write at 0x10a000 \(reason 5: [^)]+\)$"
                             % name)
        assert len(crashes) == 1, name
    assert sorted(re.findall(r"^crash: (\S+):", vm.output, re.M)) == ["edu", "edu2"]
    # QEMU's record: a blocked write at 0x10a000 from each device, and from nothing else.
    blocked = re.findall(r"vtd_dmar_fault sid 0x([0-9a-f]+) fault (\d+) addr 0x([0-9a-f]+) write (\d)",
                         open(vm.trace_path).read())
    assert {int(s, 16) for s, _, _, _ in blocked} == {sid(l) for l in LOCATIONS.values()}, blocked[:4]
    for location in LOCATIONS.values():
        assert any(int(s, 16) == sid(location) and r == "5" and int(a, 16) & ~0xfff == 0x10a000
                   and w == "1" for s, r, a, w in blocked), location
    iommu = vm.command("iommu")
    for name, location in LOCATIONS.items():
        assert re.search(r"^domain %s owner %s pinned 2 pages, 1 faults$" % (location, name),
                         iommu, re.M), iommu
        assert re.search(r"^fault %s write 0x10a000 reason 5: " % location, iommu, re.M), iommu
    table = ps(vm)
    assert table["edu"] == ("running", 1) and table["edu2"] == ("running", 1), table
    for name in LOCATIONS:
        dma_ok(vm, name, 100)
    assert owners(vm) == {"00:02.0": "edu", "00:03.0": "edu2"}
    assert not vm.find(r"pages still pinned|could not quiesce|fault records overflowed")


def test_edu_command_lists_instances_and_runs_each_operation(make_qemu):
    vm = boot(make_qemu, edu=2)
    lines = vm.command("edu").splitlines()
    assert [l.split() for l in lines] == [["edu", "00:02.0", "alive"], ["edu2", "00:03.0", "alive"]]
    assert vm.command("edu edu2").split() == ["edu2", "00:03.0", "alive"]
    assert vm.command("edu fact 10", timeout=30) == "edu: 10! = 3628800"
    assert vm.command("edu edu2 fact 12", timeout=30) == "edu2: 12! = 479001600"
    assert vm.command("edu edu2 fact 0", timeout=30) == "edu2: 0! = 1"
    assert vm.command("edu live 5") == "edu: live 0x5 -> 0xfffffffa (the inverse: alive)"
    assert vm.command("edu edu2 live 0xffffffff") == "edu2: live 0xffffffff -> 0x0 (the inverse: alive)"
    dma_ok(vm, "edu", 4095)
    dma_ok(vm, "edu2", 300)
    # A driver that is down is shown as such, and comes back.
    assert "killed edu2" in vm.command("kill edu2")
    wait_count(vm, r"^restart: edu2: up in \d+ us$", 1)
    vm.sync()
    assert vm.command("edu edu2").split() == ["edu2", "00:03.0", "alive"]


BAD_LINES = [
    ("edu fact 13", "edu fact: 13 is out of range (0..12)"),
    ("edu fact -1", "edu fact: -1 is out of range (0..12)"),
    ("edu fact x", "edu fact: 'x' is not a number"),
    ("edu dma 0", "edu dma: 0 is out of range (1..4095)"),
    ("edu dma 4096", "edu dma: 4096 is out of range (1..4095)"),
    ("edu edu2 dma 0x1000", "edu dma: 0x1000 is out of range (1..4095)"),
    ("edu live 0x100000000", "edu live: 0x100000000 is out of range (0..4294967295)"),
    ("edu live", "usage: edu [NAME] [fact N | dma LEN | live VALUE]"),
    ("edu edu2 fact", "usage: edu [NAME] [fact N | dma LEN | live VALUE]"),
    ("edu fact 1 2", "usage: edu [NAME] [fact N | dma LEN | live VALUE]"),
    ("edu edu2 frob 3", "edu: unknown operation 'frob' (usage: edu [NAME] [fact N | dma LEN | live VALUE])"),
    ("edu ghost", "'ghost' is not an edu instance (edu alone lists them)"),
    ("edu ghost fact 3", "'ghost' is not an edu instance (edu alone lists them)"),
    ("edu shell dma 10", "'shell' is not an edu instance (edu alone lists them)"),
]


def test_edu_command_errors(make_qemu):
    """Every bad line gets its one error line (one machine for all: each boot costs seconds)."""
    vm = boot(make_qemu, edu=2)
    wrong = [(line, out) for line, message in BAD_LINES
             for out in [vm.command(line)] if out != "error: " + message]
    assert not wrong, wrong
    assert vm.command("edu edu2 fact 3", timeout=30) == "edu2: 3! = 6"   # and the shell goes on


def test_without_edu_devices_both_drivers_idle_and_the_shell_works(make_qemu):
    vm = boot(make_qemu, edu=False)
    for name, location in LOCATIONS.items():
        lines = vm.findall(r"^%s: no device to drive.*$" % name)
        assert [m.group(0) for m in lines] == \
            ["%s: no device to drive (no %s at %s: not found)" % (name, EDU, location)]
    table = ps(vm)
    assert all(state == ("running", 0) for state in table.values()), table
    assert [l.split(None, 2) for l in vm.command("edu").splitlines()] == \
        [["edu", "00:02.0", "no device"], ["edu2", "00:03.0", "no device"]]
    assert vm.command("edu fact 3") == "error: edu fact: edu has no device"
    assert vm.command("edu edu2 dma 10") == "error: edu2 dma: edu2 has no device"
    assert vm.command("call edu2 liveness 1") == "error: edu2.liveness: not found"
    assert vm.command("call peer mix 1 2 3 4 5 6") == "status 0, results 91 0x5b, 7 0x7"
    assert not vm.find(r"^(crash|restart|failed): ")


def test_a_device_at_a_location_no_entry_names_stays_unclaimed(make_qemu):
    """The default machine's one edu device, plus one at 00:04.0: edu drives 00:02.0, edu2
    (whose entry says 00:03.0) has no device, and nobody may take the one at 00:04.0."""
    vm = boot(make_qemu, edu=True, devices=["edu,addr=04.0,dma_mask=0xffffffffffffffff"])
    assert owners(vm) == {"00:02.0": "edu", "00:04.0": "-"}
    assert vm.find(r"^edu2: no device to drive \(no %s at 00:03\.0: not found\)$" % EDU)
    assert [l.split(None, 2) for l in vm.command("edu").splitlines()] == \
        [["edu", "00:02.0", "alive"], ["edu2", "00:03.0", "no device"]]
    dma_ok(vm, "edu", 10)
    assert re.search(r"^\d+ +edu2 +running +0$", vm.command("ps"), re.M)


def manifest_with_edu2_entry(entry):
    with open(os.path.join(qemu.ROOT, "boot", "manifest")) as f:
        text = f.read()
    assert text.count("pci 1234:11e8@00:03.0") == 1
    lineno = text[:text.index("pci 1234:11e8@00:03.0")].count("\n") + 1
    return text.replace("pci 1234:11e8@00:03.0", "pci " + entry).encode(), lineno


@pytest.mark.parametrize("entry, message", [
    ("1234:11e8@00:02.0", "pci device 1234:11e8@00:02.0 is already owned by 'edu'"),
    ("1234:11e8", "pci device 1234:11e8 overlaps pci device 1234:11e8@00:02.0 of 'edu'"),
    ("1234:11e8@00:20.0", "pci device number 0x20 is out of range"),
])
def test_overlapping_or_bad_pci_entries_stop_the_boot_on_their_line(make_qemu, entry, message):
    text, lineno = manifest_with_edu2_entry(entry)
    vm = make_qemu(files={"boot/manifest": text}, expect_panic=True)
    m = vm.wait_for(r"^boot: error: (.*)$")
    assert m.group(1).startswith("manifest:%d: %s" % (lineno, message)), m.group(1)
    vm.wait_for(r"^pinfold: boot failed$")
    assert vm.wait_exit() == qemu.PANIC_EXIT_STATUS


def fault_trace(vm):
    """QEMU's own account, in order: (seconds, "blocked", sid) for every access its IOMMU
    blocked (vtd_dmar_fault) and (seconds, "recorded", sid) for every fault it put in a fault
    recording register (vtd_frr_new; the high qword's low 16 bits are the source-id).  The
    time is QEMU's host clock (-msg timestamp=on: "pid@seconds:event")."""
    events = []
    for line in open(vm.trace_path):
        m = re.match(r"^\d+@(\d+\.\d+):vtd_dmar_fault sid 0x([0-9a-f]+) fault \d+ addr 0x[0-9a-f]+ write \d$",
                     line)
        if m:
            events.append((float(m.group(1)), "blocked", int(m.group(2), 16)))
        m = re.match(r"^\d+@(\d+\.\d+):vtd_frr_new index \d+ high 0x([0-9a-f]+) low 0x[0-9a-f]+$", line)
        if m:
            events.append((float(m.group(1)), "recorded", int(m.group(2), 16) & 0xffff))
    return events


def test_two_devices_faulting_at_the_same_moment(make_qemu):
    """Both drivers arm wild-dma for the same clock time (edu.wild_dma_at): their devices'
    transfers run back to back in QEMU, and QEMU blocks both before the chipset can read the
    one fault recording register QEMU 7.2 has.  The second fault overflows (FSTS.PFO): QEMU
    records one fault, the chipset charges that device's driver, and reports that a fault
    was lost, whose source nobody can know.  Neither device wrote memory, and both drivers
    pass a DMA test afterwards.

    Under -icount QEMU's virtual clock counts guest instructions, so the two transfers run
    as many instructions apart as the two drivers' threads wrote their commands (a thread
    switch), fewer than the chipset needs to reach the record: the overflow happens every
    time.  On the host's clock a loaded machine can delay the second command long enough for
    the chipset to free the record in between, and then both faults are simply recorded."""
    vm = boot(make_qemu, edu=2, trace=["vtd_dmar_fault", "vtd_frr_new"], monitor=True,
              extra_args=["-msg", "timestamp=on", "-icount", "shift=0"])
    watched = victims(vm)
    before = read_victims(vm, watched)
    for name in LOCATIONS:
        dma_ok(vm, name, 64)
    at, _ = results(vm.command("call edu wild_dma_at 0"))
    assert results(vm.command("call edu2 wild_dma_at %d" % at)) == (at, 0)
    vm.wait_for(r"^crash: edu2?: IOMMU blocked a DMA write at 0x10a000 \(reason 5: [^)]+\)$", timeout=30)
    vm.wait_for(r"^chipset: fault records overflowed: a fault was lost$", timeout=30)
    wait_count(vm, r"^restart: edu2?: up in \d+ us$", 1)
    vm.sync()

    events = fault_trace(vm)
    sids = {sid(l) for l in LOCATIONS.values()}
    assert {s for _, kind, s in events if kind == "blocked"} == sids, "both devices' DMA was blocked"
    recorded = [(t, s) for t, kind, s in events if kind == "recorded"]
    assert len(recorded) == 1, "one record; the other fault overflowed: %s" % recorded
    charged = [name for name, l in LOCATIONS.items() if sid(l) == recorded[0][1]]
    # At the same moment: the two devices' first blocked writes are within a millisecond of
    # QEMU's time, much less than the chipset takes to read and free the record.
    first = dict((s, min(t for t, kind, x in events if kind == "blocked" and x == s)) for s in sids)
    assert abs(first[sid(LOCATIONS["edu"])] - first[sid(LOCATIONS["edu2"])]) < 0.001, first
    assert_intact(before, read_victims(vm, watched))
    # The recorded fault is charged; the lost one cannot be (its source is unknown).
    assert re.findall(r"^crash: (\S+):", vm.output, re.M) == charged
    iommu = vm.command("iommu")
    assert re.search(r"^fault lost: the fault records overflowed; its source is unknown$", iommu, re.M), iommu
    assert re.search(r"^fault %s write 0x10a000 reason 5: " % LOCATIONS[charged[0]], iommu, re.M), iommu
    table = ps(vm)
    for name in LOCATIONS:
        assert table[name] == ("running", 1 if name in charged else 0), table
        dma_ok(vm, name, 100)
    # PFO was cleared: the next fault is recorded and charged again.
    out = vm.command("inject edu wild-dma", timeout=30)
    assert "it failed, as asked" in out, out
    assert len([1 for _, kind, _ in fault_trace(vm) if kind == "recorded"]) == 2
