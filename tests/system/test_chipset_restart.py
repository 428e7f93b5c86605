"""A restarted chipset rebuilds every driver's DMA domain from the kernel's record.

The kernel keeps, for each driver, which PCI function the chipset gave it and every page
the chipset pinned for it (kernel/component/pins.h, SYS_DEVICE_RECORD).  A new chipset
instance makes each domain again from that record before it points the IOMMU at its new
tables, and only then unpins the table pages of its previous instance.  So edu's DMA goes
on working across chipset crashes, its unpinned memory stays out of its device's reach,
and the frame counts do not move.
"""
import re

import qemu

from test_dma import (DMA_MARK, RESTART, WILD_DMA_TARGET, assert_intact, blocked_writes, boot,
                      dma_ok, edu_address, frames, phys, read_victims, results, victims)
from test_shell import ps, wait_count

CHIPSET_UP = r"^restart: chipset: up in \d+ us$"
RESTARTS = 5


def restart_chipset(vm, n):
    assert "killed chipset" in vm.command("kill chipset")
    wait_count(vm, CHIPSET_UP, n)
    vm.sync()


def test_a_restarted_chipset_keeps_drivers_dma_and_leaks_nothing(make_qemu):
    vm = boot(make_qemu, trace=["vtd_dmar_fault"], monitor=True)
    sid = edu_address(vm)
    # edu holds three pinned pages: its two buffers and a spare its device has written.
    spare, _ = results(vm.command("call edu pin_spare"))
    assert results(vm.command("call edu dma_to 0x%x" % spare, timeout=30)) == (64, 0)
    dma_ok(vm, 100)
    # One chipset restart first: what is allocated at first use is not a leak.
    restart_chipset(vm, 1)
    before = frames(vm)
    for n in range(2, RESTARTS + 2):
        restart_chipset(vm, n)
    assert len(vm.findall(r"^chipset: \d+ DMA domains rebuilt from the kernel's record$")) == RESTARTS + 1
    assert len(vm.findall(r"^chipset: \d+ table pages of my previous instance released$")) == RESTARTS + 1
    assert frames(vm) == before, "free, pinned and deferred frames after %d chipset restarts" % RESTARTS

    # The domain is the one edu built, and it works: no fault, every byte of a round trip
    # through edu's two buffers right, and the spare page still reachable.
    out = vm.command("iommu")
    assert re.search(r"^domain \S+ owner edu pinned 3 pages, 0 faults$", out, re.M), out
    dma_ok(vm, 4095)
    assert results(vm.command("call edu dma_to 0x%x" % spare, timeout=30)) == (64, 0)
    assert vm.monitor().read_phys(phys(vm, "edu", spare), 64) == DMA_MARK
    assert blocked_writes(vm, sid) == [], "edu's DMA went through the rebuilt domain"
    assert not vm.find(r"^crash: edu|^crash: ahci|pages still pinned|could not quiesce|could not take over")
    table = ps(vm)
    assert table["edu"] == ("running", 0) and table["ahci"] == ("running", 0), table

    # What edu never pinned is still out of its device's reach.
    watched = victims(vm)
    before_victims = read_victims(vm, watched)
    out = vm.command("inject edu wild-dma", timeout=30)
    assert "inject edu wild-dma: it failed, as asked" in out, out
    assert vm.find(r"^crash: edu: IOMMU blocked a DMA write at 0x%x \(reason 5: [^)]+\)$" % WILD_DMA_TARGET)
    wait_count(vm, RESTART, 1)
    assert (WILD_DMA_TARGET, 5) in blocked_writes(vm, sid)
    assert_intact(before_victims, read_victims(vm, watched))
    # The pins the rebuilt domain held were dropped when edu stopped; the new edu has its two.
    out = vm.command("iommu")
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 1 faults$", out, re.M), out
    dma_ok(vm, 64)
    assert not vm.find(r"pages still pinned|could not quiesce")


def test_a_driver_that_stops_while_the_chipset_is_down_is_quiesced_by_the_next_one(make_qemu):
    """edu stops, and the chipset crashes before edu's recovery begins: edu's recovery waits
    behind the chipset's (kernel/component/lifecycle.c), and the new chipset, which took edu's
    domain over from the kernel's record, quiesces edu's device and drops its pins.  The order
    is forced by a slow recovery ahead of both: crashme's, given a 3 s back-off here."""
    with open(qemu.ISODIR + "/boot/manifest") as f:
        manifest = f.read()
    slow = manifest.replace("component crashme\n    restart max=1000 window=1\n",
                            "component crashme\n    restart max=1000 window=1 backoff=3000\n")
    assert slow != manifest
    vm = boot(make_qemu, files={"boot/manifest": slow.encode()})
    dma_ok(vm, 64)
    restart_chipset(vm, 1)
    dma_ok(vm, 64)
    before = frames(vm)
    vm.send("kill crashme\r")
    vm.wait_for(r"^killed crashme$")
    vm.send("kill edu\r")
    vm.wait_for(r"^killed edu$")
    vm.send("kill chipset\r")
    vm.wait_for(r"^killed chipset$")
    wait_count(vm, CHIPSET_UP, 2)
    wait_count(vm, RESTART, 1)
    vm.sync()
    order = [m.group(0) for m in re.finditer(r"^(crash|restart): (edu|chipset|crashme)\b", vm.output, re.M)]
    assert order[-6:] == ["crash: crashme", "crash: edu", "crash: chipset", "restart: crashme",
                          "restart: chipset", "restart: edu"], order
    assert not vm.find(r"pages still pinned|could not quiesce")
    out = vm.command("iommu")
    assert re.search(r"^domain \S+ owner edu pinned 2 pages, 0 faults$", out, re.M), out
    dma_ok(vm, 64)
    assert frames(vm) == before
