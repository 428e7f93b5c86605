#!/usr/bin/python3
"""Capture QEMU q35's ACPI tables as C test data for the host unit tests.

The tables are captured from QEMU itself, without any Pinfold code: QEMU boots
a GRUB ISO that only waits at its menu (by then SeaBIOS has installed the
tables), the monitor's `pmemsave` dumps the low 512 MiB of guest RAM, and
this script finds the RSDP in the BIOS area (ACPI 6.4, 5.2.5.1), follows the
RSDT/XSDT to every table and writes each as a byte array tagged with the
physical address it was found at.  The unit tests rebuild a fake physical
memory from those arrays, so the parsers walk the same pointers they follow on
the real machine.

Usage: tools/acpi-capture.py OUT.c NAME [extra QEMU args...]
"""
import os, socket, struct, subprocess, sys, tempfile, time

def dump_memory(workdir, extra):
    iso = os.path.join(workdir, "wait.iso")
    cfgdir = os.path.join(workdir, "iso", "boot", "grub")
    os.makedirs(cfgdir)
    with open(os.path.join(cfgdir, "grub.cfg"), "w") as f:
        f.write("set timeout=60\nmenuentry wait { true }\n")
    subprocess.run(["grub-mkrescue", "-o", iso, os.path.join(workdir, "iso")],
                   check=True, capture_output=True)
    mon, mem = os.path.join(workdir, "mon"), os.path.join(workdir, "mem")
    qemu = subprocess.Popen(["qemu-system-x86_64", "-M", "q35", "-accel", "tcg", "-m", "512M",
                             "-nic", "none", "-display", "none", "-serial", "none",
                             "-cdrom", iso, "-monitor", f"unix:{mon},server=on,wait=off", *extra])
    try:
        time.sleep(4)  # SeaBIOS is done long before GRUB shows its menu
        s = socket.socket(socket.AF_UNIX)
        s.connect(mon)
        s.sendall(f'pmemsave 0 0x20000000 "{mem}"\n'.encode())
        for _ in range(100):
            time.sleep(0.1)
            if os.path.exists(mem) and os.path.getsize(mem) == 0x20000000:
                break
        time.sleep(0.5)
        s.sendall(b"quit\n")
        qemu.wait(timeout=10)
    finally:
        qemu.kill()
    with open(mem, "rb") as f:
        return f.read()

def tables(mem):
    """Yields (phys, signature, bytes) for the RSDP and every table it reaches."""
    for addr in range(0xE0000, 0x100000, 16):
        if mem[addr:addr + 8] == b"RSD PTR ":
            break
    else:
        sys.exit("no RSDP in the BIOS area")
    rev = mem[addr + 15]
    rsdp_len = struct.unpack_from("<I", mem, addr + 20)[0] if rev >= 2 else 20
    yield addr, "RSDP", mem[addr:addr + rsdp_len]
    rsdt = struct.unpack_from("<I", mem, addr + 16)[0]
    xsdt = struct.unpack_from("<Q", mem, addr + 24)[0] if rev >= 2 else 0
    root, width = (xsdt, 8) if xsdt else (rsdt, 4)
    seen = set()
    def table(phys):
        length = struct.unpack_from("<I", mem, phys + 4)[0]
        return phys, mem[phys:phys + 4].decode(), mem[phys:phys + length]
    p, sig, body = table(root)
    yield p, sig, body
    for off in range(36, len(body), width):
        ptr = int.from_bytes(body[off:off + width], "little")
        if ptr in seen:
            continue
        seen.add(ptr)
        p, sig, t = table(ptr)
        yield p, sig, t
        if sig == "FACP":  # the FADT points to the DSDT and FACS outside the root table
            for field in (36, 40):
                sub = struct.unpack_from("<I", t, field)[0]
                if sub and sub not in seen:
                    seen.add(sub)
                    if mem[sub:sub + 4] == b"FACS":
                        flen = struct.unpack_from("<I", mem, sub + 4)[0]
                        yield sub, "FACS", mem[sub:sub + flen]
                    else:
                        yield table(sub)

def main():
    out, name, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    with tempfile.TemporaryDirectory() as d:
        mem = dump_memory(d, extra)
    lines = [f"/* ACPI tables of QEMU q35 ({' '.join(extra) or 'no extra devices'}),",
             " * captured by tools/acpi-capture.py; do not edit. */",
             '#include "tests/unit/acpi_blob.h"', ""]
    entries = []
    for i, (phys, sig, data) in enumerate(tables(mem)):
        hexes = ", ".join(f"0x{b:02x}" for b in data)
        lines.append(f"static const uint8_t {name}_{i}[{len(data)}] = {{ {hexes} }};")
        entries.append(f'\t{{ 0x{phys:x}, {len(data)}, {name}_{i}, "{sig}" }},')
    lines += ["", f"const struct acpi_blob {name}[] = {{", *entries, "\t{ 0, 0, 0, 0 },", "};", ""]
    with open(out, "w") as f:
        f.write("\n".join(lines))

if __name__ == "__main__":
    main()
