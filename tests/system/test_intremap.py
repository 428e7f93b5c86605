"""VT-d interrupt remapping owned by the chipset, and the msi-spoof fault kind.

QEMU's own trace of its remapping unit is the judge (`-trace vtd_ir_*`): for every interrupt
message a device or the IOAPIC writes, `vtd_ir_remap_msi_req` shows the address and data as
sent; for a remappable one, `vtd_ir_irte_get` the table entry as QEMU read it from memory and
`vtd_ir_remap` the vector it delivered.  So the tests can see that edu's MSI and COM1's IOAPIC
line name their own entries, that those entries say what `iommu` says (vector, and the only
requester id they accept), and what a forged message did.

QEMU 7.2 cannot stop a forged message (qemu-vtd.md section 4, "Deviations"): a compatibility-
format message passes even with remapping on, and a device's DMA into 0xFEExxxxx carries no
requester id.  The tests check the defence that is left: the kernel counts the interrupt nobody
owns, the driver whose vector was used survives a call of its interrupt method for nothing, and
everything keeps working.
"""
import re
import time

from test_shell import ps, wait_count

EDU = r"1234:11e8"
COM1_ENTRY = 128 + 4            # components/chipset/irt.h: IOAPIC line g at 128 + g
COM1_VECTOR = 0x30 + 4          # pinfold/syscalls.h: DEVICE_VECTOR_FIRST + gsi
IOAPIC_SOURCE_ID = 0xff00       # the DMAR's IOAPIC scope under QEMU: ff:00.0
SPOOF_VECTOR = 0x57             # DEVICE_VECTOR_LAST, which edu's msi-spoof uses
TRACE = ["vtd_ir_*", "vtd_reg_ir_root"]

REQUEST = re.compile(r"^vtd_ir_remap_msi_req addr 0x([0-9a-f]+) data 0x([0-9a-f]+)$")
ENTRY = re.compile(r"^vtd_ir_irte_get index (\d+) low 0x([0-9a-f]+) high 0x([0-9a-f]+)$")
REMAP = re.compile(r"^vtd_ir_remap index (\d+) trigger (\d) vector (\d+) deliver (\d) dest 0x([0-9a-f]+) mode (\d)$")
PASSED = re.compile(r"^vtd_ir_remap_msi \(addr 0x([0-9a-f]+), data 0x([0-9a-f]+)\) -> "
                    r"\(addr 0x([0-9a-f]+), data 0x([0-9a-f]+)\)$")
TABLE = re.compile(r"^vtd_reg_ir_root addr 0x([0-9a-f]+) size 0x([0-9a-f]+)$")


def remappable_address(index):
    """VT-d 5.1.2.2, as vtd_msi_remappable_address (components/chipset/vtd.h) makes it."""
    return 0xfee00000 | (index & 0x7fff) << 5 | 1 << 4 | (index >> 15) << 2


def messages(vm):
    """Every interrupt message in QEMU's trace so far, in order: a dict with the address and
    data as sent, `table` (how many tables had been set before it), `enabled` (remapping was
    on), and for a remapped one the entry index, the entry's hi and lo qwords as QEMU read
    them, and the vector delivered; for one passed through unchanged, `passed`."""
    found, tables, enabled = [], 0, False
    with open(vm.trace_path) as f:
        for line in f:
            line = line.strip()
            if TABLE.match(line):
                tables += 1
            elif line == "vtd_ir_enable enable 1":
                enabled = True
            elif REQUEST.match(line):
                m = REQUEST.match(line)
                found.append({"addr": int(m.group(1), 16), "data": int(m.group(2), 16), "table": tables,
                              "enabled": enabled})
            elif found and ENTRY.match(line):
                m = ENTRY.match(line)
                # QEMU 7.2 prints the two halves under swapped labels (qemu-vtd.md section 6).
                found[-1].update(index=int(m.group(1)), entry_hi=int(m.group(2), 16),
                                 entry_lo=int(m.group(3), 16))
            elif found and REMAP.match(line):
                m = REMAP.match(line)
                found[-1].update(remap_index=int(m.group(1)), trigger=int(m.group(2)),
                                 vector=int(m.group(3)), delivery=int(m.group(4)))
            elif found and PASSED.match(line):
                m = PASSED.match(line)
                found[-1]["passed"] = (int(m.group(3), 16), int(m.group(4), 16))
    return found


def wait_messages(vm, predicate, timeout=10):
    """Rereads the trace until predicate(messages) holds (QEMU writes it as things happen)."""
    deadline = time.time() + timeout
    while True:
        found = messages(vm)
        if predicate(found) or time.time() > deadline:
            return found
        time.sleep(0.1)


def edu_address(vm):
    m = re.search(r"^(\w\w):(\w\w)\.(\d) " + EDU + r" \w{4} edu$", vm.command("lspci"), re.M)
    assert m, "lspci shows the edu device claimed by the edu driver"
    return int(m.group(1), 16) << 8 | int(m.group(2), 16) << 3 | int(m.group(3))


def edu_entry(iommu, bdf):
    """The edu driver's entry in `iommu`: (index, vector)."""
    m = re.search(r"^interrupt entry (\d+): vector 0x([0-9a-f]+) from %02x:%02x\.%x edu$"
                  % (bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7), iommu, re.M)
    assert m, iommu
    return int(m.group(1)), int(m.group(2), 16)


def unexpected(iommu):
    m = re.search(r"^unexpected interrupts: (\d+)", iommu, re.M)
    assert m, iommu
    return int(m.group(1))


def dma_ok(vm, length):
    assert vm.command("call edu dma %d" % length, timeout=30).splitlines()[-1] == \
        "status 0, results %d 0x%x, 0 0x0" % (length, length)


def through(found, index, vector, source_id):
    """The messages that named entry `index` and were delivered on `vector`, from an entry
    that accepts only `source_id` (SVT=1, SQ=0)."""
    return [m for m in found
            if m["addr"] == remappable_address(index) and m.get("index") == index
            and m.get("remap_index") == index and m.get("vector") == vector and m.get("delivery") == 0
            and m["entry_hi"] & 0xffff == source_id and (m["entry_hi"] >> 16) & 0xf == 0b0100
            and (m["entry_lo"] >> 16) & 0xff == vector and m["entry_lo"] & 1]


def test_edu_and_com1_interrupts_go_through_their_entries(make_qemu):
    vm = make_qemu(trace=TRACE)
    vm.boot()
    assert vm.find(r"^chipset: interrupt remapping on: 256 entries, 24 IOAPIC lines remapped$")
    bdf = edu_address(vm)
    iommu = vm.command("iommu")
    lines = iommu.splitlines()
    assert lines[:2] == ["dma remapping: on", "interrupt remapping: on"], iommu
    assert "interrupt entries 128-151: ioapic lines 0-23, vectors 0x30-0x47" in lines
    index, vector = edu_entry(iommu, bdf)
    assert 24 <= index < 40 and vector == 0x30 + index, "an MSI line's entry and vector (irt.h)"

    before = len(through(messages(vm), index, vector, bdf))
    dma_ok(vm, 100)                                     # two transfers, each ends with an MSI
    found = wait_messages(vm, lambda f: len(through(f, index, vector, bdf)) >= before + 2)
    assert len(through(found, index, vector, bdf)) >= before + 2, found[-6:]

    # Keys typed are IOAPIC messages naming COM1's entry, whose vector is the RTE's (52), edge.
    before = len(through(messages(vm), COM1_ENTRY, COM1_VECTOR, IOAPIC_SOURCE_ID))
    assert vm.command("call serial received").startswith("status 0")
    found = wait_messages(vm, lambda f: len(through(f, COM1_ENTRY, COM1_VECTOR, IOAPIC_SOURCE_ID)) > before)
    com1 = through(found, COM1_ENTRY, COM1_VECTOR, IOAPIC_SOURCE_ID)
    assert len(com1) > before, found[-6:]
    assert all(m["data"] & 0xff == COM1_VECTOR and m["trigger"] == 0 for m in com1), com1[-3:]

    # Since remapping went on, no message was in compatibility format (address bit 4 clear).
    after = [m for m in messages(vm) if m["enabled"]]
    assert after and all(m["addr"] & 0x10 for m in after), [hex(m["addr"]) for m in after]
    assert unexpected(vm.command("iommu")) == 0


def test_msi_spoof_is_counted_and_harms_nobody(make_qemu):
    vm = make_qemu(trace=TRACE)
    vm.boot()
    bdf = edu_address(vm)
    iommu = vm.command("iommu")
    index, vector = edu_entry(iommu, bdf)
    assert unexpected(iommu) == 0
    dma_ok(vm, 64)

    for n in (1, 2):
        out = vm.command("inject edu msi-spoof", timeout=30)
        assert "inject edu msi-spoof: it survived" in out, out
        assert re.search(r"^edu: sent a message for vector 0x57, and one naming interrupt entry 132 "
                         r"\(COM1's\)$", out, re.M), out
        # The driver cannot reroute COM1 through the kernel: that call is the chipset's alone.
        assert "edu: asking the kernel to reroute COM1's interrupt: not allowed" in out, out
        iommu = vm.command("iommu")
        assert unexpected(iommu) == n, iommu
        assert "unexpected interrupts: %d (the last on vector 0x57)" % n in iommu.splitlines()
    assert vm.find(r"^irq: unexpected interrupt on vector 87$")

    # What QEMU did with the forged messages, written by edu's DMA into the interrupt window:
    # the compatibility-format one passed unchanged (QEMU 7.2 has no CFI blocking) ...
    found = wait_messages(vm, lambda f: len([m for m in f if m["data"] == SPOOF_VECTOR]) >= 2)
    compat = [m for m in found if m["addr"] == 0xfee00000 and m["data"] == SPOOF_VECTOR]
    assert len(compat) == 2 and all(m.get("passed") == (0xfee00000, SPOOF_VECTOR) for m in compat), compat
    # ... and the remappable one named COM1's entry and was delivered on COM1's vector, though it
    # came from edu: QEMU checks no requester id for a DMA write (the entry allows only ff:00.0).
    forged = [m for m in through(found, COM1_ENTRY, COM1_VECTOR, IOAPIC_SOURCE_ID) if m["data"] == 0]
    assert len(forged) == 2, found[-12:]

    # Nobody crashed; the serial driver took its call for nothing in its stride; the console
    # still answers; edu's own interrupts still come through its entry, and DMA round-trips.
    assert not vm.find(r"^crash: ")
    table = ps(vm)
    assert all(state == ("running", 0) for state in table.values()), table
    assert vm.command("call crashme ping") == "status 0, results 1 0x1, 0 0x0"
    before = len(through(messages(vm), index, vector, bdf))
    dma_ok(vm, 200)
    found = wait_messages(vm, lambda f: len(through(f, index, vector, bdf)) >= before + 2)
    assert len(through(found, index, vector, bdf)) >= before + 2
    assert unexpected(vm.command("iommu")) == 2


def test_a_restarted_chipset_remaps_as_before(make_qemu):
    """The chipset builds a new table and points the unit at it while remapping stays on: the
    IOAPIC's and edu's messages keep naming the same entries, which the new table holds."""
    vm = make_qemu(trace=TRACE)
    vm.boot()
    bdf = edu_address(vm)
    index, vector = edu_entry(vm.command("iommu"), bdf)
    assert "killed chipset" in vm.command("kill chipset")
    wait_count(vm, r"^restart: chipset: up in \d+ us$", 1)
    vm.sync()
    assert len(vm.findall(r"^chipset: interrupt remapping on: 256 entries, 24 IOAPIC lines remapped$")) == 2
    roots = [line for line in open(vm.trace_path).read().splitlines() if TABLE.match(line)]
    assert len(roots) == 2 and roots[0] != roots[1], roots

    iommu = vm.command("iommu")
    assert iommu.splitlines()[1] == "interrupt remapping: on"
    assert edu_entry(iommu, bdf) == (index, vector), "the new instance made edu's entry again"
    assert "interrupt entries 128-151: ioapic lines 0-23, vectors 0x30-0x47" in iommu.splitlines()
    # Typing reaches the shell through COM1's entry in the new table.
    found = wait_messages(vm, lambda f: any(m["table"] == 2 for m in through(f, COM1_ENTRY, COM1_VECTOR,
                                                                            IOAPIC_SOURCE_ID)))
    assert [m for m in through(found, COM1_ENTRY, COM1_VECTOR, IOAPIC_SOURCE_ID) if m["table"] == 2]
    # edu's MSI, bound by the old instance, goes through its entry in the new table (and its
    # DMA through the domain the new instance rebuilt: test_chipset_restart.py).
    assert vm.command("call edu dma 8", timeout=30).splitlines()[-1].startswith("status 0")
    found = wait_messages(vm, lambda f: any(m["table"] == 2 for m in through(f, index, vector, bdf)))
    assert [m for m in through(found, index, vector, bdf) if m["table"] == 2], found[-6:]

    # A driver stopped now loses its entry in the new table, and gets one again when it binds.
    assert "killed edu" in vm.command("kill edu")
    wait_count(vm, r"^restart: edu: up in \d+ us$", 1)
    vm.sync()
    again = edu_entry(vm.command("iommu"), bdf)
    dma_ok(vm, 100)
    found = wait_messages(vm, lambda f: len(through(f, again[0], again[1], bdf)) >= 2)
    assert [m for m in through(found, again[0], again[1], bdf) if m["table"] == 2]
    assert ps(vm)["serial"] == ("running", 0)


def test_without_interrupt_remapping_msis_are_compatibility_format(make_qemu):
    vm = make_qemu(iommu=False, devices=["intel-iommu,intremap=off"], trace=TRACE)
    vm.boot()
    assert vm.find(r"^chipset: VT-d at 0xfed90000: .* DMA remapping on$")
    assert vm.find(r"^chipset: no interrupt remapping \(ECAP\.IR = 0\): MSIs in compatibility format$")
    iommu = vm.command("iommu")
    assert iommu.splitlines()[:2] == ["dma remapping: on", "interrupt remapping: off"], iommu
    assert "interrupt entr" not in iommu
    dma_ok(vm, 100)                             # completion MSIs arrive in the old format
    out = vm.command("inject edu msi-spoof", timeout=30)
    assert "inject edu msi-spoof: it survived" in out
    assert unexpected(vm.command("iommu")) == 1
    dma_ok(vm, 10)
    trace = open(vm.trace_path).read()
    assert "vtd_ir_enable" not in trace and "vtd_ir_remap index" not in trace
    assert ps(vm)["edu"] == ("running", 0)


def test_messages_for_missing_entries_are_dropped(make_qemu):
    """edu's device writes remappable messages naming entry 300 (beyond the 256-entry table)
    and entry 127 (an MSI entry nobody holds).  Real hardware records interrupt-remapping
    faults 0x21 and 0x22, which the chipset decodes by entry index and charges to edu; QEMU
    7.2 only drops the messages (qemu-vtd.md section 4), which is what this checks: nothing
    delivered, nothing recorded, nobody charged.  If QEMU records one after all, the chipset
    must have charged edu for it, with the entry's index."""
    vm = make_qemu(trace=TRACE + ["vtd_frr_new"])
    vm.boot()
    before = unexpected(vm.command("iommu"))
    assert "interrupt entry 127:" not in vm.command("iommu")
    for index in (300, 127):
        out = vm.command("call edu msi_to %d" % index, timeout=30)
        vm.sync()
        sent = [m for m in messages(vm) if m["addr"] == remappable_address(index)]
        assert sent, "the device wrote the message (%d)" % index
        assert not [m for m in sent if "vector" in m or "passed" in m], "nothing was delivered"
        recorded = [l for l in open(vm.trace_path) if l.startswith("vtd_frr_new")]
        if recorded:
            assert vm.find(r"^crash: edu: IOMMU blocked an interrupt for entry %d \(reason 0x2[12]: " % index)
            wait_count(vm, r"^restart: edu: up in \d+ us$", 1)
            return
        assert out == "status 0, results 0 0x0, 0 0x0", out
    stderr = open(vm.stderr_path, errors="replace").read()
    assert "index too large" in stderr and "non-present IRTE" in stderr, stderr[-500:]
    assert unexpected(vm.command("iommu")) == before
    assert ps(vm)["edu"] == ("running", 0)
    assert not vm.find(r"^crash: ")
