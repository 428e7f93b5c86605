"""The FAT file system component (components/fat) and the shell's file commands.

Disk images are made on the host by Debian's mkfs.vfat and filled by mcopy with a random tree
(tests/host/fatimg.py: nested directories, long names, names in both cases, sizes from 0 bytes
to several MiB): FAT32 and FAT16, each unpartitioned and inside the first partition of an MBR
disk.  One boot per image, and in it: `ls` of every directory against the tree, `sum` of every
file against hashlib, `cat` of a text file, then files written, replaced, appended to, made and
removed in Pinfold.  After QEMU is gone the image is judged by the standard tools alone: mcopy reads back
every file byte for byte (the ones Pinfold wrote included, the ones it removed gone), and
`fsck.vfat -n` finds nothing to repair.

A disk whose FAT is damaged, a disk with no file system and no disk at all must each give
`error: ` lines, with fat still running and the shell answering after.
"""
import hashlib
import os
import random
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "host"))
import fatimg  # noqa: E402  (tests/host, on the path above)
from test_console_restart import wait_find  # noqa: E402
from test_shell import wait_count  # noqa: E402

PARTITION_START = fatimg.PARTITION_START
WORD_MAX = 127                  # the shell's longest word (components/shell/words.h)
HELLO = b"Hello from the host.\nA second line, with\ttabs.\n\nThe end.\n"
SUM_TIMEOUT = 120               # a 5 MiB file over 64 KiB calls, under TCG


def tree(seed, largest):
    """fatimg's random tree, without the files larger than `largest`, and a text file."""
    files, dirs = fatimg.random_tree(seed)
    files = {p: d for p, d in files.items() if len(d) <= largest}
    files["/docs/hello.txt"] = HELLO
    return files, dirs


def make_partitioned(path, bits, files, dirs, mib=64):
    """A disk with an MBR and one FAT`bits` partition from sector 2048 to its end."""
    total = (mib << 20) // 512
    with open(path, "wb") as f:
        f.truncate(total * 512)
    part = total - PARTITION_START
    fatimg.run([fatimg.MKFS, "-i", "12345678", "-F", str(bits), "--offset=%d" % PARTITION_START,
                "-h", PARTITION_START, path, part // 2])
    fatimg.write_mbr(path, PARTITION_START, part, part_type=0x0C if bits == 32 else 0x0E)
    fatimg.populate(fatimg.mtools_target(path, PARTITION_START * 512), files, dirs, path.parent)
    return path


# name: (FAT bits, partitioned, tree seed, largest file)
IMAGES = {
    "fat32": (32, False, 61, 8 << 20),
    "fat16": (16, False, 62, 2 << 20),
    "fat32-mbr": (32, True, 63, 2 << 20),
    "fat16-mbr": (16, True, 64, 1 << 20),
}


def build(tmp_path, name):
    bits, partitioned, seed, largest = IMAGES[name]
    files, dirs = tree(seed, largest)
    path = tmp_path / (name + ".img")
    if partitioned:
        make_partitioned(path, bits, files, dirs)
    else:
        fatimg.make_image(path, "fat%d" % bits, files, dirs, workdir=tmp_path)
    return path, files, dirs


def quote(path):
    return '"%s"' % path


def parse_ls(out):
    """`ls` output: {name: size, or "dir"}, checking the count line at its end."""
    lines = out.splitlines()
    m = re.match(r"^(\d+) entr(y|ies)$", lines[-1])
    assert m, "no count line in:\n" + out
    entries = {}
    for line in lines[:-1]:
        m = re.match(r"^ *(\d+|<dir>)  (.+)$", line)
        assert m, "not an ls line: %r" % line
        if m.group(1) == "<dir>":
            assert m.group(2).endswith("/"), line
            entries[m.group(2)[:-1]] = "dir"
        else:
            entries[m.group(2)] = int(m.group(1))
    assert len(entries) == int(lines[-1].split()[0]) == len(lines) - 1
    return entries


def expected_listing(files, dirs, directory):
    """What `ls directory` must show, by the tree."""
    prefix = directory.rstrip("/") + "/"
    want = {}
    for d in dirs:
        if d.startswith(prefix) and "/" not in d[len(prefix):]:
            want[d[len(prefix):]] = "dir"
    for p, data in files.items():
        if p.startswith(prefix) and "/" not in p[len(prefix):]:
            want[p[len(prefix):]] = len(data)
    return want


def no_crash(vm):
    """fat (and the disk stack under it) never crashed, and the shell answers."""
    assert not vm.find(r"^crash: "), "a component crashed"
    ps = vm.command("ps")
    assert re.search(r"^\d+ +fat +running +0$", ps, re.M), ps


def last_line(out):
    """The command's own answer: other components' lines (a restart's) may come before it."""
    return out.splitlines()[-1] if out else out


def sum_line(data, path):
    return "%s  %s" % (hashlib.sha256(data).hexdigest(), path)


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_files_on_a_host_made_image(name, make_qemu, tmp_path):
    image, files, dirs = build(tmp_path, name)
    vm = make_qemu(drives=[str(image)])
    vm.boot()

    # Every directory lists as the tree has it: long names, sizes, directories.
    for d in ["/"] + dirs:
        assert parse_ls(vm.command("ls " + quote(d), timeout=60)) == expected_listing(files, dirs, d), d

    # Every file's SHA-256 is the host's (but names longer than a shell word).
    summed = 0
    for path, data in sorted(files.items()):
        if len(path) + 2 > WORD_MAX:
            continue
        assert vm.command("sum " + quote(path), timeout=SUM_TIMEOUT) == sum_line(data, path), path
        summed += 1
    assert summed >= len(files) - 2
    assert vm.command("cat /docs/hello.txt") == HELLO.decode().rstrip("\n")
    assert vm.command("cat /DOCS/HELLO.TXT") == HELLO.decode().rstrip("\n")   # FAT ignores case

    # Errors are lines, not crashes.
    assert re.match(r"^error: cat /no/such/file: no such file or directory", vm.command("cat /no/such/file"))
    assert re.match(r"^error: ls /docs/hello.txt/x: not a directory", vm.command("ls /docs/hello.txt/x"))
    assert re.match(r"^error: cat /docs: is a directory", vm.command("cat /docs"))
    binary = next(p for p, d in sorted(files.items()) if len(d) > 100 and len(p) < 100 and 0 in d)
    assert vm.command("cat " + quote(binary)) == "error: cat %s: not a text file (use sum)" % binary
    assert vm.command("mkdir /docs").startswith("error: mkdir /docs: file exists")
    assert vm.command("rm /src").startswith("error: rm /src: directory not empty")

    # Writing: create, replace, a new directory with a long-named file, removals.
    expected = dict(files)
    assert vm.command('write "/docs/New note.txt" first words') == "created /docs/New note.txt: 12 bytes"
    assert vm.command('write "/docs/new NOTE.txt" second  version,  longer') == \
        "replaced /docs/new NOTE.txt: 23 bytes"
    expected["/docs/New note.txt"] = b"second version, longer\n"
    assert vm.command('append "/docs/New note.txt" and  more') == "appended to /docs/New note.txt: 32 bytes"
    expected["/docs/New note.txt"] += b"and more\n"
    assert vm.command("append /docs/appended.txt first") == "created /docs/appended.txt: 6 bytes"
    expected["/docs/appended.txt"] = b"first\n"
    grown = max((p for p in files if len(p) < 100 and p != "/docs/hello.txt"), key=lambda p: len(files[p]))
    out = vm.command("append %s a tail" % quote(grown), timeout=60)
    expected[grown] = files[grown] + b"a tail\n"
    assert out == "appended to %s: %d bytes" % (grown, len(expected[grown]))
    assert vm.command("sum " + quote(grown), timeout=SUM_TIMEOUT) == sum_line(expected[grown], grown)
    assert vm.command('mkdir "/Made in Pinfold"') == ""
    # The file fat keeps open for sequential reads must not outlive a change to it.
    assert vm.command("cat /docs/hello.txt") == HELLO.decode().rstrip("\n")
    assert vm.command("write /docs/hello.txt replaced") == "replaced /docs/hello.txt: 9 bytes"
    assert vm.command("cat /docs/hello.txt") == "replaced"
    expected["/docs/hello.txt"] = b"replaced\n"
    long_name = "/Made in Pinfold/A rather long file name, made by Pinfold's fat.txt"
    assert vm.command("write %s %s" % (quote(long_name), "x" * 60)).startswith("created ")
    expected[long_name] = b"x" * 60 + b"\n"
    assert vm.command("write tiny.txt tiny") == "created tiny.txt: 5 bytes"
    expected["/tiny.txt"] = b"tiny\n"
    removed = sorted(p for p, d in files.items() if 10000 < len(d) and len(p) < 100)[:2]
    for path in removed:
        assert vm.command("rm " + quote(path)) == ""
        del expected[path]
        assert vm.command("sum " + quote(path)).startswith("error: sum %s: no such file" % path)
    assert vm.command('rm "/empty dir"') == ""
    for path in ["/docs/New note.txt", "/docs/appended.txt", long_name, "/tiny.txt"]:
        assert vm.command("sum " + quote(path)) == sum_line(expected[path], path)
    listing = parse_ls(vm.command('ls "/Made in Pinfold"'))
    assert listing == {long_name.rsplit("/", 1)[1]: 61}
    no_crash(vm)
    vm.kill()

    # The standard tools' view of what Pinfold left behind.
    target = fatimg.mtools_target(vm.drives[0], PARTITION_START * 512 if IMAGES[name][1] else 0)
    back = fatimg.mcopy_out(target, tmp_path / "back")
    assert set(back) - set(expected) == set() and set(expected) - set(back) == set()
    for path, data in expected.items():
        assert back[path] == data, path
    assert "/empty dir" not in fatimg.mdir_paths(target)
    checked = vm.drives[0]
    if IMAGES[name][1]:
        checked = fatimg.extract_partition(vm.drives[0], tmp_path / "partition.img")
    clean, report = fatimg.fsck(checked)
    assert clean, report


def damage_fat(image):
    """Random bytes over every FAT sector but the first of each copy (the reserved entries
    and the first clusters stay, so the volume mounts), returning the volume's BPB."""
    bpb = fatimg.Bpb(image)
    rng = random.Random(7)
    with open(image, "r+b") as f:
        for copy in range(bpb.fats):
            start = (bpb.reserved + copy * bpb.fat_size + 1) * bpb.bytes_per_sector
            f.seek(start)
            f.write(rng.randbytes((bpb.fat_size - 1) * bpb.bytes_per_sector))
    return bpb


def test_a_damaged_fat_is_an_error(make_qemu, tmp_path):
    # "A small.txt" sorts first, so mcopy gives it a cluster the FAT's first sector maps.
    files = {"/BIG.BIN": random.Random(3).randbytes(3 << 20), "/A small.txt": b"small\n"}
    image = fatimg.make_image(tmp_path / "damaged.img", "fat32", files, workdir=tmp_path)
    damage_fat(image)
    vm = make_qemu(drives=[str(image)])
    vm.boot()
    out = vm.command("sum /BIG.BIN", timeout=60)
    assert re.match(r"^error: sum /BIG.BIN: corrupt file system: ", out), out
    out = vm.command("write /BIG.BIN overwriting a damaged chain", timeout=60)
    assert out.startswith("error: write /BIG.BIN: corrupt file system: "), out
    assert vm.command('cat "/A small.txt"') == "small"
    no_crash(vm)


def test_no_file_system_is_an_error(make_qemu, tmp_path):
    image = tmp_path / "random.img"
    image.write_bytes(random.Random(9).randbytes(8 << 20))
    vm = make_qemu(drives=[str(image)])
    vm.boot()
    for command in ["ls", "cat /README.TXT", "write /x y", "mkdir /d"]:
        out = vm.command(command)
        assert re.match(r"^error: \S+ /\S*: not a FAT file system", out), out
    no_crash(vm)


def test_no_disk_is_an_error(make_qemu):
    vm = make_qemu()
    vm.boot()
    assert vm.command("ls") == "error: ls /: no disk 0"
    assert vm.command("sum /README.TXT") == "error: sum /README.TXT: no disk 0"
    # Bad arguments straight to fat's methods: errors, and fat stays up.
    assert vm.command("call fat read_bytes 0 4 0 100") == "error: fat.read_bytes: bad address"
    assert vm.command("call fat lookup 0x1000000000 2000") == "error: fat.lookup: invalid argument"
    assert vm.command("call fat write_bytes 0x1000000000 4 0x100000 0") == "error: fat.write_bytes: invalid argument"
    assert vm.command("call fat explain 0xffffffffffff0000 100").startswith("error: fat.explain: ")
    no_crash(vm)


def test_files_survive_crashes_below_and_of_fat(make_qemu, tmp_path):
    """A crash of the disk driver is the block service's to hide: file commands right after it
    give the right bytes.  A crash of fat itself fails the call in flight at most; the
    restarted fat mounts again at its next call."""
    big = random.Random(4).randbytes((2 << 20) + 5)
    # A directory whose listing needs more than one list call (64 KiB each).
    many = {"/many/File number %04d, with a name long enough to span entries.txt" % i: b"%d\n" % i
            for i in range(1200)}
    image = fatimg.make_image(tmp_path / "crash.img", "fat32", dict(many, **{"/big.bin": big}),
                              ["/many"], workdir=tmp_path)
    vm = make_qemu(drives=[str(image)])
    vm.boot()
    assert vm.command("call fat volume").startswith("status 0, results 32 0x20, ")
    assert parse_ls(vm.command("ls /many", timeout=60)) == expected_listing(many, ["/many"], "/many")
    assert "killed ahci" in vm.command("kill ahci").splitlines()
    assert last_line(vm.command("sum /big.bin", timeout=SUM_TIMEOUT)) == sum_line(big, "/big.bin")
    assert last_line(vm.command("write /after-kill.txt written while ahci restarted")) == \
        "created /after-kill.txt: 29 bytes"
    assert "it failed, as asked" in vm.command("inject ahci null", timeout=30)
    assert last_line(vm.command("sum /big.bin", timeout=SUM_TIMEOUT)) == sum_line(big, "/big.bin")
    wait_count(vm, r"^restart: ahci: up in \d+ us$", 2)
    assert "killed fat" in vm.command("kill fat").splitlines()
    wait_count(vm, r"^restart: fat: up in \d+ us$", 1)
    assert last_line(vm.command("cat /after-kill.txt")) == "written while ahci restarted"
    assert last_line(vm.command("sum /big.bin", timeout=SUM_TIMEOUT)) == sum_line(big, "/big.bin")
    vm.kill()
    back = fatimg.mcopy_out(vm.drives[0], tmp_path / "back")
    assert back == dict(many, **{"/big.bin": big, "/after-kill.txt": b"written while ahci restarted\n"})
    clean, report = fatimg.fsck(vm.drives[0])
    assert clean, report


def test_utf8_names_and_text_through_the_console(make_qemu, tmp_path):
    """Non-ASCII names made by mcopy list, read and hash as typed in UTF-8 at the shell; names
    and text written in Pinfold read back on the host; text cut by fat's 64 KiB calls inside a
    character still shows whole; and what would command the terminal never reaches it."""
    # A 3-byte character across the first 64 KiB call's end (the shell's CHUNK).
    across = b"x" * 65535 + "✓".encode() + b" after the cut\n"
    files = {
        "/Grüße ✓.txt": "Grüße aus dem Host — ✓\n".encode(),
        "/日本語/メモ.txt": "こんにちは\n".encode(),
        "/across.txt": across,
        "/c1.txt": b"before\xc2\x9b2Jafter\n",           # U+009B, the 8-bit CSI
    }
    image = fatimg.make_image(tmp_path / "utf8.img", "fat32", files, ["/日本語"], workdir=tmp_path)
    vm = make_qemu(drives=[str(image)])
    vm.boot()

    assert parse_ls(vm.command("ls /")) == expected_listing(files, ["/日本語"], "/")
    assert parse_ls(vm.command('ls "/日本語"')) == {"メモ.txt": len(files["/日本語/メモ.txt"])}
    assert vm.command('cat "/Grüße ✓.txt"') == "Grüße aus dem Host — ✓"
    assert vm.command('cat "/日本語/メモ.txt"') == "こんにちは"
    for path in ["/Grüße ✓.txt", "/日本語/メモ.txt"]:
        assert vm.command("sum " + quote(path)) == sum_line(files[path], path)
    assert vm.command("cat /across.txt", timeout=60) == across.decode().rstrip("\n")
    # Typed or printed, a C1 control is refused: the kernel shows it as '?', one per byte.
    assert vm.command("cat /c1.txt") == "before??2Jafter"

    # Written in Pinfold: the name and the text stay UTF-8 on the way to the disk.
    assert vm.command('write "/Pinfold schreibt ✓.txt" Grüße zurück') == \
        "created /Pinfold schreibt ✓.txt: 16 bytes"
    assert vm.command('mkdir "/Ördner"') == ""
    assert vm.command('write "/Ördner/ß.txt" ß') == "created /Ördner/ß.txt: 3 bytes"
    # Beyond the 16-bit plane: a surrogate pair on disk.  (mtools 4 stores and reads only
    # 16-bit units, so this one is checked in Pinfold alone, and removed before the host looks.)
    assert vm.command('write "/😀 smile.txt" 😀') == "created /😀 smile.txt: 5 bytes"
    assert "😀 smile.txt" in parse_ls(vm.command("ls /"))
    assert vm.command('cat "/😀 SMILE.TXT"') == "😀"
    assert vm.command('rm "/😀 smile.txt"') == ""

    # Malformed UTF-8 and C1 controls at the keyboard: an error line, nothing run.
    start = len(vm.output)
    vm.send(b'write /bad.txt \xff\r')
    wait_find(vm, r"^error: line is not UTF-8 \(byte 0xff\)$", start)
    start = len(vm.output)
    vm.send(b'write /bad.txt \xc2\x85\r')
    wait_find(vm, r"^error: line contains a non-printable character U\+0085$", start)
    vm.sync()
    assert vm.command("ls /bad.txt").startswith("error: ls /bad.txt: no such file")
    # Not one malformed byte reached the terminal (the harness would decode it as U+FFFD).
    assert "\ufffd" not in vm.output
    no_crash(vm)
    vm.kill()

    back = fatimg.mcopy_out(vm.drives[0], tmp_path / "back")
    assert back == dict(files, **{"/Pinfold schreibt ✓.txt": "Grüße zurück\n".encode(),
                                  "/Ördner/ß.txt": "ß\n".encode()})
    clean, report = fatimg.fsck(vm.drives[0])
    assert clean, report
