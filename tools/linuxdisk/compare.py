#!/usr/bin/python3
"""Pinfold's disk reads against Linux's, on the same machine (`make bench-linux-disk`).

  tools/linuxdisk/compare.py [--ms N] [--runs N] [--linux-lazy] [--linux-idle-poll] [--pinfold-idle-halt]

Runs the same table on two systems in the same QEMU command line (tests/system/qemu.py's machine:
q35, TCG, -cpu max, 1 GiB, intel-iommu with interrupt remapping; the same 256 MiB raw image
on AHCI port 0 with cache=writeback, tools/benchdisk.py):
  1. Pinfold, booted from its ISO, typing `bench disk MS` (components/diskbench);
  2. Debian's kernel (linux-image-amd64) with `intel_iommu=on iommu.strict=1`, booted by QEMU's -kernel
     (also `no_timer_check`: on a loaded host, TCG can fail the kernel's boot-time check of
     the IO-APIC timer, a panic; and `panic=-1`, so a failed boot ends and is tried again)
     and a busybox initramfs made on the host (mkinitramfs.py), running the O_DIRECT reader
     (reader.c): pread(2) at queue depth 1, Linux AIO at 32;
each system --runs times (5: Linux's rows vary by 10 % from run to run, and a median of three
moved the small-read ratios by as much), in turns, and prints the median run of each row side by side
with the range of the runs and the Pinfold/Linux ratio, then whether the issue's targets
are met at queue depth 1: IOPS at least 1.5x Linux's at 512 B to 4 KiB, MB/s at least
1.0x Linux's at 64 KiB to 1 MiB.

Which Pinfold path stands against Linux: the one a client at that depth uses, as Linux's
reader does.  At QD1 that is block's waiting method `read` (the `block-wait` rows: one call
a request, returning with the data), as Linux's is pread(2); at QD32 it is block's
asynchronous interface (the `block` rows: subscribe, submit, reap), as Linux's is AIO.  The
asynchronous block path's QD1 rows, which cost more domain crossings a request (submit,
wait for the event, reap), are printed too, under the table, with their own ratios, so that
nothing is hidden.  A system without the block service is measured through the AHCI
driver's own interface at both depths, and the title says so.

Why iommu.strict=1: Debian's default DMA domain is lazy (DMA-FQ: IOTLB flushes batched after
unmapping), and with it QEMU 7.2's AHCI lost NCQ commands under Linux at queue depth 32
("ahci: PRDT length for NCQ command (0x0) is smaller than the requested size" on QEMU's
stderr, then a timeout and a port reset in Linux's log), which stalls those rows.  Strict
mode (an IOTLB invalidation completed before each unmap returns) is what Pinfold does, so
the comparison is like for like, and its runs have mostly finished without a loss (not
always: a run that stalls is possible).  The initramfs shortens Linux's command timeout
from 30 s to 5 s, and each row says how many commands Linux lost in it.  --linux-lazy runs
Linux's default instead.

Idle: Pinfold's idle thread spins for up to 200 us before it halts (kernel/sched/sched.c), which
answers a device sooner; Linux guests do the same on KVM (cpuidle-haltpoll), but that driver
does not load under TCG, so Linux here halts at once.  For a like-for-like check,
--linux-idle-poll boots Linux with idle=poll (it never halts), and --pinfold-idle-halt boots
Pinfold with idle=halt (it never polls).

Installs linux-image-amd64 and busybox-static with apt-get when missing; not part of
`make test`.  Linux's console (with any kernel messages) is kept in build/linuxdisk/console.log.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "system"))
import benchdisk  # noqa: E402
import mkinitramfs  # noqa: E402
import qemu  # noqa: E402
from benchdisk_rows import DEPTHS, SIZE_OF, SIZES, rows_of, size_name  # noqa: E402

built = None    # (kernel, initramfs), made at the first run
IOPS_TARGET = (1.5, [512, 1024, 4096])          # at QD1: Pinfold IOPS / Linux IOPS
MBPS_TARGET = (1.0, [65536, 262144, 1048576])   # at QD1: Pinfold MB/s / Linux MB/s


BOOTS = 3       # a boot of Linux that fails is tried again this many times in all


def run_linux(ms, image, lazy=False, idle_poll=False):
    """The console output of Linux running the reader over the benchmark image."""
    global built
    if not built:
        built = mkinitramfs.build()
    kernel, initramfs = built
    argv = qemu.qemu_argv(memory=benchdisk.MEMORY)
    at = argv.index("-cdrom")
    del argv[at:at + 2]                 # the same machine, booted by -kernel instead of the ISO
    argv += benchdisk.disk_args(image)
    argv += ["-kernel", kernel, "-initrd", initramfs,
             "-append", "console=ttyS0 quiet intel_iommu=on %s%sno_timer_check panic=-1 linuxdisk.ms=%d"
             % ("" if lazy else "iommu.strict=1 ", "idle=poll " if idle_poll else "", ms)]
    print("linuxdisk: " + " ".join(argv), file=sys.stderr)
    rows = len(DEPTHS) * len(SIZES)
    # A command the device loses costs Linux a 5 s timeout (see above): room for some.
    # The console goes to a file as it comes, so that a long run can be watched (tail -f).
    # A panic (panic=-1 and -no-reboot: QEMU exits) is a failed boot, tried again.
    log = os.path.join(mkinitramfs.OUT, "console.log")
    for boot in range(BOOTS):
        with open(log, "wb") as f:
            subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                           timeout=(rows * (ms / 1000.0 + 10) + 600) * qemu.TIMEOUT_SCALE)
        with open(log, "rb") as f:
            out = f.read().decode(errors="replace")
        if re.search(r"^bench: done", out, re.M):
            return out
        print("linuxdisk: boot %d of Linux did not finish the reader%s" %
              (boot + 1, ": " + m.group(0) if (m := re.search(r"Kernel panic - .*", out)) else ""),
              file=sys.stderr)
    sys.exit("linuxdisk: the reader did not finish; Linux says:\n" + out[-3000:])


def median_rows(outs, paths, lost_runs=None):
    """{(depth, size): row} of the run with the median IOPS, over the runs without a lost
    command in that row; and {(depth, size): (low, high)} IOPS over those runs.
    paths: {depth: the path whose rows stand for that depth}."""
    rows, spread = {}, {}
    for depth in paths:
        for size in SIZES:
            got = [r for i, out in enumerate(outs)
                   for r in [rows_of(out).get((paths[depth], depth, size))]
                   if r and not (lost_runs and lost_runs[i].get((depth, size)))]
            if got:
                got.sort(key=lambda r: r["iops"])
                rows[(depth, size)] = got[(len(got) - 1) // 2]
                spread[(depth, size)] = (got[0]["iops"], got[-1]["iops"])
    return rows, spread


def pinfold_paths(out):
    """{depth: path}: the path a client at that depth uses, of those this system has."""
    have = set(k[0] for k in rows_of(out))
    if "block" not in have:
        return dict((depth, "ahci") for depth in DEPTHS)
    return dict((depth, "block-wait" if depth == 1 and "block-wait" in have else "block") for depth in DEPTHS)


def paths_said(paths):
    if set(paths.values()) == {"ahci"}:
        return "the AHCI driver's own interface at every depth (this system has no block service)"
    names = {"block": "block's asynchronous interface", "block-wait": "block's waiting read, as Linux's pread"}
    return "; ".join("QD%d %s, %s" % (depth, paths[depth], names[paths[depth]]) for depth in sorted(paths))


def lost_of(out):
    return dict(((int(d), SIZE_OF[size]), int(n)) for d, size, n in
                re.findall(r"^bench: disk-linux-qd(\d+)-(\w+)-lost (\d+) ", out, re.M))


def async_qd1_note(pinfold_outs, paths, linux_rows):
    """When QD1 stands on block-wait: block's asynchronous QD1 rows too, against the same Linux
    rows; {size: their ratio}."""
    if paths[1] != "block-wait":
        return {}
    rows, spread = median_rows(pinfold_outs, {1: "block"})
    print()
    print("For reference, Pinfold's QD1 through block's asynchronous interface (submit, wait, reap):")
    ratios = {}
    for size in SIZES:
        p, lx = rows.get((1, size)), linux_rows.get((1, size))
        if not p or not lx:
            print("%3d %5s | no figure" % (1, size_name(size)))
            continue
        ratios[size] = ratio = p["iops"] / lx["iops"]
        print("%3d %5s | %8.1f %7.0f %-15s %5.1f%% | %6.2f x Linux"
              % (1, size_name(size), p["mbps"], p["iops"], "[%.0f-%.0f]" % spread[(1, size)], p["cpu"], ratio))
    return ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ms", type=int, default=1000, help="milliseconds per row")
    ap.add_argument("--runs", type=int, default=5, help="runs of each system, taken in turns; the median is shown")
    ap.add_argument("--linux-lazy", action="store_true", help="Linux's default lazy IOMMU flushing")
    ap.add_argument("--linux-idle-poll", action="store_true",
                    help="Linux with idle=poll (its idle loop spins instead of halting)")
    ap.add_argument("--pinfold-idle-halt", action="store_true",
                    help="Pinfold with idle=halt (no halt polling: the idle thread halts at once)")
    args = ap.parse_args()
    qemu.require_iso()
    image = benchdisk.make_image()
    pinfold_outs, linux_outs = [], []
    for _ in range(args.runs):          # in turns, so that both systems meet the same host load
        pinfold_outs.append(benchdisk.run(args.ms, image=image, cmdline="idle=halt" if args.pinfold_idle_halt else ""))
        linux_outs.append(run_linux(args.ms, image, args.linux_lazy, args.linux_idle_poll))
    paths = pinfold_paths(pinfold_outs[0])
    lost_runs = [lost_of(out) for out in linux_outs]
    pinfold_rows, pinfold_spread = median_rows(pinfold_outs, paths)
    linux_rows, linux_spread = median_rows(linux_outs, dict((d, "linux") for d in DEPTHS), lost_runs)
    for line in linux_outs[0].splitlines():
        if line.startswith("linuxdisk: "):
            print(line)
    print()
    print("Sequential reads, %d ms a row, median of %d runs (IOPS range in brackets);" % (args.ms, args.runs))
    print("Pinfold through the path a client at that depth uses: %s;" % paths_said(paths))
    print("QEMU 7.2 TCG, intel-iommu, cache=writeback; Linux %s%s; Pinfold's idle thread %s" %
          ("with its default lazy IOTLB flushing" if args.linux_lazy else "with iommu.strict=1",
           ", idle=poll" if args.linux_idle_poll else "",
           "halting at once (idle=halt)" if args.pinfold_idle_halt else "polling up to 200 us before it halts"))
    # One ratio per row: at one request size, the MB/s ratio is the IOPS ratio.
    print("%3s %5s | %8s %7s %-15s %6s | %8s %7s %-15s %6s | %6s"
          % ("qd", "size", "P MB/s", "P IOPS", "", "P CPU", "L MB/s", "L IOPS", "", "L CPU", "P / L"))
    ratios = {}
    for depth in DEPTHS:
        for size in SIZES:
            p, lx = pinfold_rows.get((depth, size)), linux_rows.get((depth, size))
            n = sum(lost.get((depth, size), 0) for lost in lost_runs)
            note = "  (Linux lost %d command%s in this row)" % (n, "" if n == 1 else "s") if n else ""
            if not p or not lx:
                print("%3d %5s | no figure%s" % (depth, size_name(size), note))
                continue
            ratios[(depth, size)] = ratio = p["iops"] / lx["iops"]
            print("%3d %5s | %8.1f %7.0f %-15s %5.1f%% | %8.1f %7.0f %-15s %5.1f%% | %6.2f%s"
                  % (depth, size_name(size), p["mbps"], p["iops"], "[%.0f-%.0f]" % pinfold_spread[(depth, size)],
                     p["cpu"], lx["mbps"], lx["iops"], "[%.0f-%.0f]" % linux_spread[(depth, size)], lx["cpu"],
                     ratio, note))
    async_ratios = async_qd1_note(pinfold_outs, paths, linux_rows)
    print()
    for (depth, size), ratio in sorted(ratios.items()):
        print("bench: disk-ratio-qd%d-%s %.2f x" % (depth, size_name(size), ratio))
    for size, ratio in sorted(async_ratios.items()):
        print("bench: disk-ratio-block-async-qd1-%s %.2f x" % (size_name(size), ratio))
    met_all = True
    for (factor, sizes), figure in [(IOPS_TARGET, "iops"), (MBPS_TARGET, "mbps")]:
        for size in sizes:
            ratio = ratios.get((1, size), 0)
            met = ratio >= factor
            met_all = met_all and met
            print("target: QD1 %-5s %s >= %.1fx Linux: %.2fx, %s"
                  % (size_name(size), "IOPS" if figure == "iops" else "MB/s", factor, ratio,
                     "met" if met else "NOT met"))
    print("targets: %s" % ("all met" if met_all else "not all met"))


if __name__ == "__main__":
    main()
