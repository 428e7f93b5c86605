#!/usr/bin/python3
"""The Linux side of the disk comparison: Debian's kernel and a busybox initramfs made here.

  tools/linuxdisk/mkinitramfs.py [OUTDIR]     (default build/linuxdisk)

Installs Debian's linux-image-amd64 and busybox-static with apt-get when they are missing
(apt-get update first; sudo when not root: not part of `make test`), then builds in OUTDIR:
  reader          tools/linuxdisk/reader.c, static (the O_DIRECT reader)
  initramfs.gz    a newc cpio: busybox and its applets, the kernel's AHCI and SCSI disk
                  modules with everything modules.dep says they need (Debian builds them as
                  modules), /reader, and /init (below)
and prints the kernel's path.  /init mounts proc, sys and devtmpfs, loads the modules in
dependency order, waits for /dev/sda, sets its SCSI command timeout to 5 s, says whether DMA remapping is on (the IOMMU groups
and the AHCI controller's domain type), runs `/reader /dev/sda MS` (MS from the kernel
command line's linuxdisk.ms=), and powers the machine off.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "build", "linuxdisk")
MODULES = ["kernel/drivers/ata/ahci.ko", "kernel/drivers/scsi/sd_mod.ko"]
APPLETS = ["sh", "mount", "insmod", "sleep", "cat", "ls", "grep", "poweroff", "dmesg", "echo", "tr"]

INIT = r"""#!/bin/sh
# The initramfs's only job: load the disk drivers, report the IOMMU, run the reader, stop.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do insmod /lib/modules/$m || echo "linuxdisk: insmod $m failed"; done
i=0
while [ ! -b /dev/sda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
ms=1000
for word in $(cat /proc/cmdline); do
    case $word in linuxdisk.ms=*) ms=${word#linuxdisk.ms=} ;; esac
done
# A command QEMU loses (compare.py) stalls the reader for this long, not Linux's default 30 s.
echo 5 > /sys/block/sda/device/timeout
echo "linuxdisk: kernel $(cat /proc/sys/kernel/osrelease), $(cat /sys/block/sda/size) sectors on sda"
echo "linuxdisk: iommu groups $(ls /sys/kernel/iommu_groups | tr '\n' ' ')"
ahci=/sys/bus/pci/devices/0000:00:1f.2
echo "linuxdisk: ahci domain $(cat $ahci/iommu_group/type 2>/dev/null || echo none)"
/reader /dev/sda $ms
poweroff -f
"""


def run(argv, **kw):
    print("linuxdisk: " + " ".join(argv), file=sys.stderr)
    subprocess.run(argv, check=True, **kw)


def ensure_packages():
    """Debian's kernel and busybox-static, installed when missing."""
    if glob.glob("/boot/vmlinuz-*") and os.path.exists("/bin/busybox") and \
            b"static" in subprocess.run(["file", "-L", "/bin/busybox"], capture_output=True).stdout:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    run(sudo + ["apt-get", "update"])
    run(sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y",
                "linux-image-amd64", "busybox-static"])


def newest_kernel():
    def version_key(path):
        return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", path.split("vmlinuz-")[1])]
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=version_key)
    if not kernels:
        sys.exit("linuxdisk: no kernel in /boot")
    return kernels[-1], kernels[-1].split("vmlinuz-")[1]


def module_order(version):
    """The modules to load, each after everything it needs (modules.dep)."""
    deps = {}
    with open("/lib/modules/%s/modules.dep" % version) as f:
        for line in f:
            name, _, needs = line.partition(":")
            deps[name] = needs.split()
    order = []

    def visit(m):
        if m in order:
            return
        for d in deps[m]:
            visit(d)
        order.append(m)
    for m in MODULES:
        visit(m)
    return order


def build(out=OUT):
    ensure_packages()
    kernel, version = newest_kernel()
    os.makedirs(out, exist_ok=True)
    reader = os.path.join(out, "reader")
    run(["gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-static", "-o", reader,
         os.path.join(HERE, "reader.c")])
    root = os.path.join(out, "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["bin", "proc", "sys", "dev", "lib/modules"]:
        os.makedirs(os.path.join(root, d))
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for applet in APPLETS:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    shutil.copy(reader, os.path.join(root, "reader"))
    order = module_order(version)
    for m in order:
        dest = os.path.join(root, "lib", "modules", m)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy("/lib/modules/%s/%s" % (version, m), dest)
    with open(os.path.join(root, "modules.order"), "w") as f:
        f.write("\n".join(order) + "\n")
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    image = os.path.join(out, "initramfs.gz")
    files = subprocess.run(["find", "."], cwd=root, capture_output=True, check=True).stdout
    archive = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, input=files,
                             capture_output=True, check=True).stdout
    with open(image, "wb") as f:
        f.write(subprocess.run(["gzip", "-9"], input=archive, capture_output=True, check=True).stdout)
    return kernel, image


if __name__ == "__main__":
    kernel, image = build(sys.argv[1] if len(sys.argv) > 1 else OUT)
    print(kernel)
    print(image)
