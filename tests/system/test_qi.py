"""Queued invalidation (VT-d 6.5.2): the chipset's invalidations go through a queue.

QEMU's trace of its invalidation queue is the judge (`-trace vtd_inv_*`): the queue is
switched on, every descriptor the chipset writes is one QEMU understands (context cache,
IOTLB, interrupt entry cache), each is followed by a wait descriptor with a status write,
and no register-based invalidation is tried while the queue is on (QEMU would ignore it and
say so on stderr).  That the invalidations really happen is shown by what they protect: a
buffer the device has just used, and so has in QEMU's IOTLB, is out of its reach as soon as
edu unpins it.  `iommu=noqi` on the kernel command line keeps register-based invalidation,
the fallback for units without a queue, and the same must hold there.
"""
import re

from test_dma import blocked_writes, boot, dma_ok, edu_address, results
from test_intremap import edu_entry
from test_shell import wait_count

TRACE = ["vtd_inv_*", "vtd_dmar_fault"]
RESTART = r"^restart: edu: up in \d+ us$"


def trace_lines(vm):
    return open(vm.trace_path).read().splitlines()


def dma_after_unpin_is_blocked(vm):
    """edu's device writes its `in` buffer (so QEMU's IOTLB holds the page), then edu unpins
    it and aims the device at it again: the write is blocked, and edu charged."""
    sid = edu_address(vm)
    _, inbuf = results(vm.command("call edu buffers"))
    dma_ok(vm, 64)
    out = vm.command("inject edu dma-after-unpin", timeout=30)
    assert "inject edu dma-after-unpin: it failed, as asked" in out, out
    assert vm.find(r"^crash: edu: IOMMU blocked a DMA write at 0x%x \(reason 5: [^)]+\)$" % inbuf)
    wait_count(vm, RESTART, 1)
    assert (inbuf, 5) in blocked_writes(vm, sid)
    return inbuf


def test_invalidations_go_through_the_queue(make_qemu):
    vm = boot(make_qemu, trace=TRACE)
    assert vm.find(r"^chipset: queued invalidation on$")
    bdf = edu_address(vm)
    inbuf = dma_after_unpin_is_blocked(vm)
    vm.sync()
    lines = trace_lines(vm)
    assert "vtd_inv_qi_enable enabled 1" in lines
    kinds = [re.match(r"^vtd_inv_desc invalidate desc type (\S+) ", l).group(1)
             for l in lines if l.startswith("vtd_inv_desc invalidate desc type ")]
    # Each request is followed by its wait descriptor: cc/iotlb/iec, wait, cc/iotlb/iec, wait...
    assert kinds and all(k != "wait" for k in kinds[0::2]) and all(k == "wait" for k in kinds[1::2]), kinds
    assert {"context-cache", "iotlb", "iec"} <= set(kinds[0::2]), kinds
    assert any(l.startswith("vtd_inv_desc_cc_global") for l in lines)
    assert any(l.startswith("vtd_inv_desc_iotlb_global") for l in lines)
    assert "vtd_inv_desc_iec granularity 0x0 index 0x0 mask 0x0" in lines, "a global IEC invalidation after SIRTP"
    assert len([l for l in lines if l.startswith("vtd_inv_desc_wait_sw ")]) == len(kinds) // 2
    assert not [l for l in lines if "wait_write_fail" in l or "inv_desc_invalid" in l]
    # The unpin's page-selective invalidation came before the blocked write.
    unpin = "vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x%x addr 0x%x mask 0x0"
    at = [i for i, l in enumerate(lines) if re.match(unpin.replace("0x%x", "0x[0-9a-f]+", 1) % inbuf, l)]
    fault = [i for i, l in enumerate(lines) if l.startswith("vtd_dmar_fault") and "addr 0x%x" % inbuf in l]
    assert at and fault and at[0] < fault[0], (at[:3], fault[:3])
    # edu's interrupt entry, cleared when it stopped and made again, was invalidated by index.
    index, _ = edu_entry(vm.command("iommu"), bdf)
    assert "vtd_inv_desc_iec granularity 0x1 index 0x%x mask 0x0" % index in lines
    stderr = open(vm.stderr_path, errors="replace").read()
    assert "should not use register-based invalidation" not in stderr
    dma_ok(vm, 200)


def test_register_invalidation_is_the_fallback(make_qemu):
    vm = boot(make_qemu, trace=TRACE, cmdline="iommu=noqi")
    assert vm.find(r"^chipset: iommu=noqi: register-based invalidation, no interrupt entry cache invalidation$")
    assert not vm.find(r"^chipset: queued invalidation on$")
    dma_after_unpin_is_blocked(vm)
    vm.sync()
    lines = trace_lines(vm)
    # (QEMU traces register-based invalidations as vtd_inv_desc_cc_* too; a fetched descriptor
    # is "vtd_inv_desc invalidate desc type".)
    assert not [l for l in lines if l.startswith("vtd_inv_qi_enable enabled 1") or
                l.startswith("vtd_inv_desc invalidate desc type")]
    assert any(l.startswith("vtd_inv_desc_iotlb_pages") for l in lines), "page-selective, by register"
    dma_ok(vm, 200)


def test_a_restarted_chipset_takes_the_queue_over(make_qemu):
    """The queue of the previous instance is in memory that is about to be released: the new
    instance turns the queue off, points the unit at its own, and turns it on again."""
    vm = boot(make_qemu, trace=TRACE)
    assert "killed chipset" in vm.command("kill chipset")
    wait_count(vm, r"^restart: chipset: up in \d+ us$", 1)
    vm.sync()
    lines = trace_lines(vm)
    states = [l for l in lines if l.startswith("vtd_inv_qi_enable")]
    assert states == ["vtd_inv_qi_enable enabled 1", "vtd_inv_qi_enable enabled 0",
                      "vtd_inv_qi_enable enabled 1"], states
    queues = [l for l in lines if l.startswith("vtd_inv_qi_setup")]
    assert len(queues) == 2 and queues[0] != queues[1], queues
    assert len(vm.findall(r"^chipset: queued invalidation on$")) == 2
    dma_after_unpin_is_blocked(vm)
