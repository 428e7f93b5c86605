#!/usr/bin/python3
"""Sequential disk reads in Pinfold (`make bench-disk`).

Boots Pinfold with a 256 MiB raw disk image on AHCI port 0 (QEMU q35, TCG, intel-iommu,
the image with cache=writeback, so that after the first pass QEMU reads it from the host's
page cache) and types `bench disk MS`: the diskbench component (components/diskbench)
reads the disk sequentially, for request sizes 512 B to 1 MiB, at queue depth 1 and 32,
MS milliseconds a row, through each path the system has, with DMA remapping on:
  ahci        the AHCI driver's own asynchronous interface (subscribe, submit, reap);
  block       the block service's asynchronous interface (block.idl), the path a client
              with many requests in flight uses: Pinfold's QD32 figure;
  block-wait  the block service's waiting method `read`, QD1 only: one call a request that
              returns with the data, the path a client with one request at a time uses (as
              Linux's reader uses pread at QD1): Pinfold's QD1 figure.
The two block paths are skipped in a system without the block service.
Prints the guest's `bench:` lines and a table: MB/s (10^6 bytes), IOPS, CPU utilisation
(the part of the row's wall time the idle thread did not run).

  tools/benchdisk.py [--ms N] [--icount]

--icount runs QEMU with -icount shift=0 (the guest's clock then counts instructions: the
figures are per instruction, not per second; for finding where time goes, not for the table).
tools/linuxdisk/compare.py imports this to run the same machine with Linux.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "system"))
import qemu  # noqa: E402
from benchdisk_rows import PATH_DEPTHS, expected_rows, rows_of, size_name  # noqa: E402

IMAGE = os.path.join(HERE, "..", "build", "bench-disk.img")
IMAGE_MIB = 256
MEMORY = "1G"
def make_image(path=IMAGE, mib=IMAGE_MIB):
    """The benchmark's disk: pseudo-random bytes (no holes the host could skip), made once."""
    if os.path.exists(path) and os.path.getsize(path) == mib << 20:
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(mib):
            f.write(block[i:] + block[:i])
    os.rename(path + ".tmp", path)
    return path


def disk_args(path=IMAGE):
    """The disk as both systems get it: raw, AHCI port 0, cache=writeback.  Both only read it,
    so QEMU's image lock is off: two runs may share the image."""
    return ["-drive", "file=%s,if=none,id=benchdisk,format=raw,cache=writeback,file.locking=off"
            % os.path.abspath(path),
            "-device", "ide-hd,drive=benchdisk,bus=ide.%d" % qemu.AHCI_DISK_PORTS[0]]


def run(ms=1000, icount=False, image=None, cmdline=None):
    """The output of `bench disk MS` in a fresh Pinfold (booted with kernel options `cmdline`)."""
    image = image or make_image()
    extra = disk_args(image) + ["-boot", "order=d"]
    if icount:
        extra += ["-icount", "shift=0"]
    vm = qemu.Machine(memory=MEMORY, extra_args=extra, workdir=None, name="benchdisk", cmdline=cmdline or "")
    vm.start()
    try:
        vm.boot()
        rows = len(expected_rows(PATH_DEPTHS))
        out = vm.command("bench disk %d" % ms, timeout=(rows * (ms / 1000.0 + 10) + 60) * qemu.TIMEOUT_SCALE)
        if not re.search(r"^bench: done$", out, re.M):
            sys.exit("benchdisk: the guest says:\n" + out + "\nthe console's last lines:\n" +
                     "\n".join(vm.output.splitlines()[-40:]))
        return out
    finally:
        vm.kill()


def table(rows, title):
    print(title)
    print("%-10s %3s %8s | %9s %9s %6s" % ("path", "qd", "size", "MB/s", "IOPS", "CPU %"))
    for (path, depth, size) in sorted(rows, key=lambda k: (k[0] != "ahci", k[0], k[1], k[2])):
        r = rows[(path, depth, size)]
        print("%-10s %3d %8s | %9.1f %9.0f %6.1f" % (path, depth, size_name(size), r["mbps"], r["iops"], r["cpu"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ms", type=int, default=1000, help="milliseconds per row (10..10000)")
    ap.add_argument("--icount", action="store_true", help="run under -icount shift=0")
    args = ap.parse_args()
    qemu.require_iso()
    out = run(args.ms, args.icount)
    for line in out.splitlines():
        if line.startswith("bench: ") and "-raw " not in line:
            print(line)
    print()
    table(rows_of(out), "Pinfold, sequential reads, %d ms a row (QEMU TCG%s, intel-iommu, cache=writeback);\n"
          "a client's path: block-wait (block.read, as Linux's pread) at QD1, block (asynchronous) at QD32"
          % (args.ms, ", -icount shift=0" if args.icount else ""))


if __name__ == "__main__":
    main()
