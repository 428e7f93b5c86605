"""The AHCI driver (drivers/ahci): disks on QEMU's q35 ICH9 controller, through the shell.

Each test makes a disk image of known random content on the host, boots with it on AHCI
port 0 (the harness's `drives`), and checks what Pinfold reads against the image's bytes
(a hex dump of one sector, a SHA-256 of more, as `sha256sum` prints it), what it writes against the
image file after QEMU is gone, and that bad requests get `error: ` lines and no command.
Containment is judged by QEMU itself: its VT-d trace (`vtd_dmar_fault`) must show the
controller's wild DMA blocked at the page the driver aimed it at.  Every crash must be
charged to ahci, which restarts and serves again.
"""
import hashlib
import os
import random
import re
import time

import pytest

from test_shell import wait_count

SECTOR = 512
SECTORS = 32768                         # a 16 MiB disk
AHCI_SID = 0xfa                         # 00:1f.2
RESTART = r"^restart: ahci: up in \d+ us$"


def make_image(tmp_path, name="disk.img", sectors=SECTORS, seed=6):
    data = random.Random(seed).randbytes(sectors * SECTOR)
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def boot(make_qemu, tmp_path, **options):
    path, data = make_image(tmp_path)
    vm = make_qemu(drives=[path], **options)
    vm.boot()
    return vm, data


def hexdump_bytes(out):
    """The bytes of a `disk read LBA 1` hex dump, checking its offsets."""
    data = bytearray()
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{4}):((?: [0-9a-f]{2}){16})  .{16}$", line)
        assert m, "not a hex dump line: %r" % line
        assert int(m.group(1), 16) == len(data)
        data += bytes.fromhex(m.group(2))
    return bytes(data)


def sha_line(data, lba, count, queued=False):
    line = "sha256 %s of %d sectors (%d bytes) from sector %d" % (
        hashlib.sha256(data[lba * SECTOR:(lba + count) * SECTOR]).hexdigest(), count, count * SECTOR, lba)
    return line + (", up to" if queued else "")


def reads_right(vm, data, lba=4321, count=300):
    assert vm.command("disk read %d %d" % (lba, count), timeout=60) == sha_line(data, lba, count)


# What ahci has pinned while idle: its three pages of command list, received FIS and
# command tables, and the block service's 4 MiB bounce pool, which block lends it once
# (drivers/ahci/pools.c) instead of having each request pinned and unpinned.
PINNED_IDLE = 3 + 1024


def assert_idle_pins(vm, faults=0, timeout=10):
    """ahci's domain pins exactly PINNED_IDLE pages (no request's pin left behind, the pool
    once, not twice): block lends the pool again some milliseconds after an ahci restart,
    so the count is read until it is right or the time is up."""
    want = r"^domain 00:1f\.2 owner ahci pinned %d pages, %d faults$" % (PINNED_IDLE, faults)
    deadline = time.time() + timeout
    while True:
        out = vm.command("iommu")
        if re.search(want, out, re.M) or time.time() > deadline:
            break
        time.sleep(0.2)
    assert re.search(want, out, re.M), out
    return out


def restarts(vm):
    m = re.search(r"^\d+ +ahci +(\S+) +(\d+)$", vm.command("ps"), re.M)
    assert m, "ps lists ahci"
    return m.group(1), int(m.group(2))


def test_disk_is_found_and_identified(make_qemu, tmp_path):
    vm, _ = boot(make_qemu, tmp_path)
    assert vm.find(r"^ahci: disk 0: port 0: QEMU HARDDISK, 32768 sectors of 512 bytes \(16 MiB\), "
                   r"NCQ, depth 32$")
    # the boot CD is on port 2: a packet device, not touched
    assert vm.find(r"^ahci: port 2 is a packet device \(CD/DVD\) \(signature 0xeb140101\): left alone$")
    # the firmware left its ports running; the driver stopped them before anything else
    assert vm.find(r"^ahci: port 0 was left running \(PxCMD 0x[0-9a-f]+\): stopped$")
    assert vm.command("disk") == ("disk 0: QEMU HARDDISK, 32768 sectors of 512 bytes (16 MiB), "
                                  "port 0, NCQ depth 32, ready")
    assert "00:1f.2 8086:2922 0106 ahci" in vm.command("lspci").splitlines()
    # the command structures and block's pool are pinned, nothing else
    assert_idle_pins(vm)


def test_reads_match_the_image(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path)
    for lba in (0, 1, 12345, SECTORS - 1):
        assert hexdump_bytes(vm.command("disk read %d 1" % lba)) == data[lba * SECTOR:(lba + 1) * SECTOR]
    # several pieces of 64 KiB, an odd start and length, the whole last stretch
    for lba, count in ((0, 2), (7, 129), (100, 2048), (SECTORS - 1000, 1000)):
        assert vm.command("disk read %d %d" % (lba, count), timeout=60) == sha_line(data, lba, count)
    # the pins of every request are gone again
    assert_idle_pins(vm)


def test_asynchronous_reads_use_all_32_slots(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path)
    out = vm.command("disk queue 0 4096", timeout=60)
    assert out.startswith(sha_line(data, 0, 4096, queued=True)), out
    assert out.endswith(", up to 32 requests in flight"), out
    out = vm.command("disk queue 999 77", timeout=60)
    assert out.startswith(sha_line(data, 999, 77, queued=True)), out
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, 0 0x0$", vm.command("call ahci stats 0"))
    assert m and int(m.group(1)) >= 4096 // 8 + 10, "completed requests counted, none failed"


def test_without_ncq_every_slot_is_still_used(make_qemu, tmp_path):
    """Boot option test=ahci-no-ncq: READ/WRITE DMA EXT, 32 of them in PxCI at once."""
    vm, data = boot(make_qemu, tmp_path, cmdline="test=ahci-no-ncq")
    assert vm.find(r"^ahci: disk 0: port 0: QEMU HARDDISK, 32768 sectors of 512 bytes \(16 MiB\), "
                   r"no NCQ, slots 32$")
    assert vm.command("disk").endswith("port 0, slots 32, ready")
    out = vm.command("disk queue 100 4096", timeout=60)
    assert out == sha_line(data, 100, 4096, queued=True) + " 32 requests in flight", out
    assert vm.command("disk write 7 9 90") == "wrote 9 sectors of 0x5a from sector 7, flushed"
    assert hexdump_bytes(vm.command("disk read 15 1")) == b"\x5a" * SECTOR
    assert hexdump_bytes(vm.command("disk read 16 1")) == data[16 * SECTOR:17 * SECTOR]
    reads_right(vm, data)


@pytest.mark.parametrize("cmdline", ["", "test=ahci-no-ncq"])
def test_writes_reach_the_image(make_qemu, tmp_path, cmdline):
    path, data = make_image(tmp_path)
    vm = make_qemu(drives=[path], cmdline=cmdline)
    vm.boot()
    assert vm.command("disk write 1000 3 171") == "wrote 3 sectors of 0xab from sector 1000, flushed"
    assert hexdump_bytes(vm.command("disk read 1001 1")) == b"\xab" * SECTOR
    assert vm.command("disk write 5000 300 0") == "wrote 300 sectors of 0x00 from sector 5000, flushed"
    written = bytearray(data)
    written[1000 * SECTOR:1003 * SECTOR] = b"\xab" * (3 * SECTOR)
    written[5000 * SECTOR:5300 * SECTOR] = bytes(300 * SECTOR)
    assert vm.command("disk read 990 4400", timeout=60) == sha_line(bytes(written), 990, 4400)
    image = vm.drives[0]
    vm.kill()
    with open(image, "rb") as f:
        assert f.read() == bytes(written), "exactly the written sectors changed, on the host"


BAD = [
    # (command, error line)
    # straight to the driver, from a component that never subscribed
    ("call ahci submit 0 0 0 1 4096 1", "error: ahci.submit: not allowed"),
    ("call ahci reap", "error: ahci.reap: not allowed"),
    ("disk read 32768 1", "error: disk read: invalid argument (disk 0 has 32768 sectors; at most 8192 per request)"),
    ("disk read 32767 2", "error: disk read: invalid argument (disk 0 has 32768 sectors; at most 8192 per request)"),
    ("disk read 18446744073709551615 2", "error: disk read: invalid argument (disk 0 has 32768 sectors; at most 8192 per request)"),
    ("disk read 0 0", "error: disk read: invalid argument (disk 0 has 32768 sectors; at most 8192 per request)"),
    ("disk write 32768 1 7", "error: disk write: invalid argument (disk 0 has 32768 sectors; at most 8192 per request)"),
    ("disk queue 32768 1", "error: disk queue: invalid argument (disk 0 has 32768 sectors; at most 8192 per request)"),
    ("disk read 0 1 1", "error: disk read: no disk 1 (see disk)"),
    ("disk write 0 1 256", "error: disk write: BYTE must be 0 to 255, not 256"),
    ("disk read x 1", "error: disk: LBA 'x' is not a number"),
    ("disk frobnicate", "error: usage: disk | disk read|queue LBA COUNT [DISK] | disk write LBA COUNT BYTE [DISK] | disk flush [DISK]"),
    # now subscribed (by disk queue): a buffer not granted to the driver, nothing to reap
    ("call ahci submit 0 0 0 1 4096 1", "error: ahci.submit: bad address"),
    ("call ahci reap", "error: ahci.reap: not found"),
    # straight to the driver: too many sectors, an odd or no buffer, a buffer not granted
    # to it, one outside component memory, an unknown operation, no such disk
    ("call ahci transfer 0 0 0 8193 4096", "error: ahci.transfer: limit reached"),
    ("call ahci transfer 0 0 0 1 4097", "error: ahci.transfer: invalid argument"),
    ("call ahci transfer 0 0 0 1 0", "error: ahci.transfer: invalid argument"),
    ("call ahci transfer 0 0 0 1 4096", "error: ahci.transfer: bad address"),
    ("call ahci transfer 0 1 0 1 0xffff800000000000", "error: ahci.transfer: invalid argument"),
    ("call ahci transfer 0 3 0 1 4096", "error: ahci.transfer: invalid argument"),
    ("call ahci transfer 7 0 0 1 4096", "error: ahci.transfer: not found"),
    ("call ahci model 0 3", "error: ahci.model: invalid argument"),
]


def test_bad_requests_get_errors_and_no_command(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path)
    before = vm.command("call ahci stats 0")
    assert before == "status 0, results 1 0x1, 0 0x0", "IDENTIFY, and nothing else yet"
    for command, error in BAD:
        assert vm.command(command) == error, command
    # a buffer in the driver's own memory, which it could pin: the lowest page of its first
    # entry stack (kernel/layout.h: slot 0x1000000000 + id GiB, stacks 256 MiB up, 32 KiB apart)
    ident = int(re.search(r"^(\d+) +ahci ", vm.command("ps"), re.M).group(1))
    own_stack = 0x1000000000 + ident * 0x40000000 + 0x10000000 + 0x4000
    assert vm.command("call ahci transfer 0 0 0 8 %d" % own_stack) == "error: ahci.transfer: bad address"
    # none of them reached the disk, crashed the driver, or left a pin behind
    assert vm.command("call ahci stats 0") == before
    assert restarts(vm) == ("running", 0)
    assert_idle_pins(vm)
    reads_right(vm, data)
    assert not vm.find(r"^crash:")


def test_wild_dma_is_blocked_charged_and_recovered(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path, trace=["vtd_dmar_fault"])
    reads_right(vm, data)
    out = vm.command("inject ahci wild-dma", timeout=30)
    assert "inject ahci wild-dma: it failed, as asked" in out
    aimed = vm.find(r"^ahci: wild-dma: PRD 1 points at (0x[0-9a-f]+), which is not pinned$")
    assert aimed
    victim = int(aimed.group(1), 16)
    crash = vm.find(r"^crash: ahci: IOMMU blocked a DMA write at (0x[0-9a-f]+) \(reason 5: [^)]+\)$")
    assert crash and int(crash.group(1), 16) == victim, "charged to ahci, at the page it aimed at"
    wait_count(vm, RESTART, 1)
    vm.sync()
    trace = open(vm.trace_path).read()
    blocked = re.findall(r"vtd_dmar_fault sid 0x([0-9a-f]+) fault (\d+) addr 0x([0-9a-f]+) write (\d)", trace)
    assert blocked, "QEMU traced no blocked DMA"
    assert all(int(s, 16) == AHCI_SID and r == "5" and w == "1" for s, r, _, w in blocked), blocked[:3]
    assert all(int(a, 16) & ~0xfff == victim for _, _, a, _ in blocked), blocked[:3]
    # The 512 blocked bytes fault 4 at a time; QEMU records one fault at a time, and how many
    # records the chipset reads before the transfer ends depends on timing: at least one, and
    # every one at the victim's page.  Only the first is charged (ahci is down after it).
    iommu = vm.command("iommu")
    faults = re.findall(r"^fault 00:1f\.2 write (0x[0-9a-f]+) reason 5: ", iommu, re.M)
    assert faults and all(int(a, 16) & ~0xfff == victim for a in faults), iommu
    assert_idle_pins(vm, faults=len(faults))
    assert restarts(vm) == ("running", 1)
    reads_right(vm, data)
    assert re.findall(r"^crash: (\S+):", vm.output, re.M) == ["ahci"]


def test_kill_while_idle_restarts_and_serves(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path)
    for n in range(1, 4):
        assert "killed ahci" in vm.command("kill ahci")
        wait_count(vm, RESTART, n)
        vm.sync()
        reads_right(vm, data, lba=100 * n)
        assert hexdump_bytes(vm.command("disk read %d 1" % n)) == data[n * SECTOR:(n + 1) * SECTOR]
    assert restarts(vm) == ("running", 3)
    # the chipset reset the HBA when the driver stopped: no new instance found a port running
    assert len(vm.findall(r"^ahci: port 0 was left running")) == 1
    assert_idle_pins(vm)
    assert not vm.find(r"pages still pinned|could not quiesce|could not be stopped")


@pytest.mark.parametrize("cmdline", ["", "test=ahci-no-ncq"])
def test_kill_with_commands_in_flight(make_qemu, tmp_path, cmdline):
    """QEMU's block layer, throttled to 4 requests a second, keeps commands in flight: the
    driver is told to hang, a queued read of 32 requests times out, and the driver is killed
    with most of them still with the HBA.  No DMA of theirs may be blocked later (it would
    be charged to the new instance), and the restarted driver serves at once.  (What the
    chipset's HBA reset prevents, QEMU writing a finished command's FIS through its host
    pointer into the old instance's freed frames, bypasses the IOMMU: this test cannot see
    it, and passes without the reset too.)"""
    path, data = make_image(tmp_path)
    vm = make_qemu(cmdline=cmdline, trace=["vtd_dmar_fault"], extra_args=[
        "-drive", "file=%s,if=none,id=slow0,format=raw,throttling.iops-total=4" % path,
        "-device", "ide-hd,drive=slow0,bus=ide.0", "-boot", "order=d"])
    vm.boot()
    assert "it survived" in vm.command("inject ahci hang")
    assert vm.command("disk queue 0 256", timeout=30) == "error: disk queue: timed out"
    assert "killed ahci" in vm.command("kill ahci")
    wait_count(vm, RESTART, 1, timeout=60)
    vm.sync()
    assert hexdump_bytes(vm.command("disk read 3 1", timeout=30)) == data[3 * SECTOR:4 * SECTOR]
    assert restarts(vm) == ("running", 1)
    assert re.findall(r"^crash: (\S+): (.*)$", vm.output, re.M) == [("ahci", "killed")]
    assert_idle_pins(vm)
    assert open(vm.trace_path).read() == "", "QEMU blocked no DMA"


@pytest.mark.parametrize("kind", ["null", "wild-jump", "div0", "stack"])
def test_faults_in_the_driver_restart_it(make_qemu, tmp_path, kind):
    vm, data = boot(make_qemu, tmp_path)
    assert "inject ahci %s: it failed, as asked" % kind in vm.command("inject ahci " + kind)
    wait_count(vm, RESTART, 1)
    vm.sync()
    reads_right(vm, data)
    assert restarts(vm) == ("running", 1)


def test_irq_hang_trips_the_watchdog(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path)
    # The command's answer may come before the crash or after it (as the driver's call unwinds).
    vm.command("inject ahci irq-hang", timeout=30)
    wait_count(vm, r"^crash: ahci: watchdog: a method ran longer than 3000 ms$", 1)
    wait_count(vm, RESTART, 1)
    vm.sync()
    reads_right(vm, data)


def test_a_hung_driver_times_out_and_a_restart_cures_it(make_qemu, tmp_path):
    vm, data = boot(make_qemu, tmp_path)
    assert vm.command("inject ahci hang") == ("ahci: no longer servicing the device (inject hang)\n"
                                              "inject ahci hang: it survived")
    assert vm.command("disk").endswith(", not serviced (hang)")
    assert vm.command("disk read 0 1", timeout=30) == "error: disk read: timed out"
    assert "restarting ahci" in vm.command("restart ahci")
    wait_count(vm, RESTART, 1)
    vm.sync()
    assert vm.command("disk").endswith(", ready")
    reads_right(vm, data)


@pytest.mark.parametrize("cmdline", ["", "test=ahci-no-ncq"])
def test_device_errors_fail_the_request_and_the_port_recovers(make_qemu, tmp_path, cmdline):
    """QEMU's blkdebug fails every read of sector 1000 with EIO: the disk reports an error,
    the driver fails that request and resets the port, and everything else still reads."""
    path, data = make_image(tmp_path)
    conf = os.path.join(str(tmp_path), "blkdebug.conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "1000"\n')
    vm = make_qemu(extra_args=[
        "-drive", "file=blkdebug:%s:%s,if=none,id=bad0,format=raw,rerror=report,werror=report" % (conf, path),
        "-device", "ide-hd,drive=bad0,bus=ide.0", "-boot", "order=d"], cmdline=cmdline)
    vm.boot()
    reads_right(vm, data, lba=0, count=999)
    for n in range(1, 4):
        assert vm.command("disk read 1000 1").splitlines()[-1] == "error: disk read: device error"
        assert len(vm.findall(r"^ahci: disk 0: task file error \(PxIS 0x4[0-9a-f]{7}, PxTFD 0x[0-9a-f]+, "
                              r"PxSERR 0x[0-9a-f]+\): 1 request failed, port reset$")) == n
        reads_right(vm, data, lba=1001, count=500)
    assert vm.command("disk queue 990 20").splitlines()[-1] == "error: disk queue: device error"
    assert vm.command("disk queue 0 999").startswith(sha_line(data, 0, 999, queued=True))
    assert restarts(vm) == ("running", 0)


def test_two_disks(make_qemu, tmp_path):
    first, data0 = make_image(tmp_path, "a.img", sectors=2048, seed=1)
    second, data1 = make_image(tmp_path, "b.img", sectors=4096, seed=2)
    vm = make_qemu(drives=[first, second])
    vm.boot()
    assert vm.command("disk").splitlines() == [
        "disk 0: QEMU HARDDISK, 2048 sectors of 512 bytes (1 MiB), port 0, NCQ depth 32, ready",
        "disk 1: QEMU HARDDISK, 4096 sectors of 512 bytes (2 MiB), port 1, NCQ depth 32, ready"]
    assert vm.command("disk read 0 2048 0", timeout=60) == sha_line(data0, 0, 2048)
    assert vm.command("disk read 0 4096 1", timeout=60) == sha_line(data1, 0, 4096)
    assert vm.command("disk read 2048 1 0").startswith("error: disk read: invalid argument (disk 0 has 2048")


def test_without_disks_the_driver_says_so(make_qemu):
    vm = make_qemu()
    vm.boot()
    assert vm.find(r"^ahci: no disks$")
    assert vm.command("disk") == "no disks"
    assert vm.command("disk read 0 1") == "error: disk read: no disk 0 (see disk)"
