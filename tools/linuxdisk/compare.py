#!/usr/bin/python3
"""Pinfold's disk reads against Linux's, on the same machine (`make bench-linux-disk`).

  tools/linuxdisk/compare.py [--ms N]

Runs the same table twice in the same QEMU command line (tests/system/qemu.py's machine:
q35, TCG, -cpu max, 1 GiB, intel-iommu with interrupt remapping; the same 256 MiB raw image
on AHCI port 0 with cache=writeback, tools/benchdisk.py):
  1. Pinfold, booted from its ISO, typing `bench disk MS` (components/diskbench);
  2. Debian's kernel (linux-image-amd64) with `intel_iommu=on iommu.strict=1`, booted by QEMU's -kernel
     and a busybox initramfs made on the host (mkinitramfs.py), running the O_DIRECT reader
     (reader.c): pread(2) at queue depth 1, Linux AIO at 32.
and prints both side by side with Pinfold/Linux ratios, then whether the issue's targets
are met at queue depth 1: IOPS at least 1.5x Linux's at 512 B to 4 KiB, MB/s at least
1.0x Linux's at 64 KiB to 1 MiB.  Pinfold's figures are those of the block service when
the system has one (what clients use), else of the AHCI driver's own interface, and the
table says which.

Why iommu.strict=1: Debian's default DMA domain is lazy (DMA-FQ: IOTLB flushes batched after
unmapping), and with it QEMU 7.2's AHCI lost NCQ commands under Linux at queue depth 32
("ahci: PRDT length for NCQ command (0x0) is smaller than the requested size" on QEMU's
stderr, then a timeout and a port reset in Linux's log), which stalls those rows.  Strict
mode (an IOTLB invalidation completed before each unmap returns) is what Pinfold does, so
the comparison is like for like, and its runs have mostly finished without a loss (not
always: a run that stalls is possible).  The initramfs shortens Linux's command timeout
from 30 s to 5 s, and each row says how many commands Linux lost in it.  --linux-lazy runs
Linux's default instead.

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
from benchdisk_rows import DEPTHS, SIZES, rows_of, size_name  # noqa: E402

IOPS_TARGET = (1.5, [512, 1024, 4096])          # at QD1: Pinfold IOPS / Linux IOPS
MBPS_TARGET = (1.0, [65536, 262144, 1048576])   # at QD1: Pinfold MB/s / Linux MB/s


def run_linux(ms, image, lazy=False):
    """The console output of Linux running the reader over the benchmark image."""
    kernel, initramfs = mkinitramfs.build()
    argv = qemu.qemu_argv(memory=benchdisk.MEMORY)
    at = argv.index("-cdrom")
    del argv[at:at + 2]                 # the same machine, booted by -kernel instead of the ISO
    argv += benchdisk.disk_args(image)
    argv += ["-kernel", kernel, "-initrd", initramfs,
             "-append", "console=ttyS0 quiet intel_iommu=on %slinuxdisk.ms=%d" % ("" if lazy else "iommu.strict=1 ", ms)]
    print("linuxdisk: " + " ".join(argv), file=sys.stderr)
    rows = len(DEPTHS) * len(SIZES)
    # A command the device loses costs Linux a 5 s timeout (see above): room for some.
    # The console goes to a file as it comes, so that a long run can be watched (tail -f).
    log = os.path.join(mkinitramfs.OUT, "console.log")
    with open(log, "wb") as f:
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                       timeout=(rows * (ms / 1000.0 + 10) + 600) * qemu.TIMEOUT_SCALE)
    with open(log, "rb") as f:
        out = f.read().decode(errors="replace")
    if not re.search(r"^bench: done", out, re.M):
        sys.exit("linuxdisk: the reader did not finish; Linux says:\n" + out[-3000:])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ms", type=int, default=1000, help="milliseconds per row")
    ap.add_argument("--linux-lazy", action="store_true", help="Linux's default lazy IOMMU flushing")
    args = ap.parse_args()
    qemu.require_iso()
    image = benchdisk.make_image()
    pinfold_out = benchdisk.run(args.ms, image=image)
    linux_out = run_linux(args.ms, image, args.linux_lazy)
    pinfold_rows, linux_rows = rows_of(pinfold_out), rows_of(linux_out)
    path = "block" if any(k[0] == "block" for k in pinfold_rows) else "ahci"
    for line in linux_out.splitlines():
        if line.startswith("linuxdisk: "):
            print(line)
    lost = dict(((int(d), size), int(n)) for d, size, n in
                re.findall(r"^bench: disk-linux-qd(\d+)-(\w+)-lost (\d+) ", linux_out, re.M))
    print()
    print("Sequential reads, %d ms a row; Pinfold through %s; QEMU 7.2 TCG, intel-iommu, cache=writeback"
          % (args.ms, "the block service" if path == "block" else "the AHCI driver's own interface (no block service yet)"))
    # One ratio per row: at one request size, the MB/s ratio is the IOPS ratio.
    print("%3s %6s | %9s %9s %6s | %9s %9s %6s | %6s"
          % ("qd", "size", "P MB/s", "P IOPS", "P CPU", "L MB/s", "L IOPS", "L CPU", "P / L"))
    for depth in DEPTHS:
        for size in SIZES:
            p, lx = pinfold_rows.get((path, depth, size)), linux_rows.get(("linux", depth, size))
            if not p or not lx:
                print("%3d %6s | missing" % (depth, size_name(size)))
                continue
            ratio = p["iops"] / lx["iops"] if lx["iops"] else float("inf")
            n = lost.get((depth, size_name(size)), 0)
            print("%3d %6s | %9.1f %9.0f %5.1f%% | %9.1f %9.0f %5.1f%% | %6.2f%s"
                  % (depth, size_name(size), p["mbps"], p["iops"], p["cpu"], lx["mbps"], lx["iops"], lx["cpu"], ratio,
                     "  (Linux: %d command%s lost, 5 s each)" % (n, "" if n == 1 else "s") if n else ""))
            print("bench: disk-ratio-qd%d-%s %.2f x" % (depth, size_name(size), ratio))
    print()
    met_all = True
    for (factor, sizes), figure in [(IOPS_TARGET, "iops"), (MBPS_TARGET, "mbps")]:
        for size in sizes:
            p, lx = pinfold_rows.get((path, 1, size)), linux_rows.get(("linux", 1, size))
            ratio = p[figure] / lx[figure] if p and lx and lx[figure] else 0
            met = ratio >= factor
            met_all = met_all and met
            print("target: QD1 %-6s %s >= %.1fx Linux: %.2fx, %s"
                  % (size_name(size), "IOPS" if figure == "iops" else "MB/s", factor, ratio,
                     "met" if met else "NOT met"))
    print("targets: %s" % ("all met" if met_all else "not all met"))


if __name__ == "__main__":
    main()
