"""
test_fat_corrupt.py — damaged images give an error with a reason, never a crash or a hang.

Named cases damage one structure each (BPB fields, a truncated image, cluster chains that
loop, leave the volume, pass through free or bad clusters, end early or late, directory
entries that point outside the volume or at their own parent, broken long-name entries, bad
partition tables) and check the exact complaint.  Then `fattool fuzz` damages the images
thousands of times at random (see tools/fattool.c) and exercises reading and writing on each.

fattool is built with AddressSanitizer and UBSan, which abort on any invalid access, so a
run that returns 0 or 1 with an "error:" line proves the library stayed in bounds.  Each
call has a timeout, so a loop that never ends fails the test too.
"""
import random
import re
import struct

import pytest

import fatimg
from fatimg import fattool


def entries(image, offset, count=64):
    """(offset, raw 32-byte entry) of the first `count` entries of a directory cluster."""
    with open(image, "rb") as f:
        f.seek(offset)
        raw = f.read(32 * count)
    return [(offset + 32 * i, raw[32 * i:32 * i + 32]) for i in range(count)]


def find_entry(image, bpb, dir_offset, name83):
    for offset, e in entries(image, dir_offset):
        if e[:11] == name83:
            cluster = struct.unpack_from("<H", e, 26)[0]
            if bpb.fat32:
                cluster |= struct.unpack_from("<H", e, 20)[0] << 16
            return offset, cluster, struct.unpack_from("<I", e, 28)[0]
    raise AssertionError("no entry %r" % name83)


def poke(image, offset, data):
    with open(image, "r+b") as f:
        f.seek(offset)
        f.write(data)


def set_fat(image, bpb, cluster, value):
    poke(image, bpb.fat_entry_offset(cluster), struct.pack("<I" if bpb.fat32 else "<H", value))


def set_entry_cluster(image, bpb, entry_offset, cluster):
    poke(image, entry_offset + 26, struct.pack("<H", cluster & 0xFFFF))
    if bpb.fat32:
        poke(image, entry_offset + 20, struct.pack("<H", cluster >> 16))


class Volume:
    """An image with known files: BIG.BIN (contiguous, 40 clusters), SMALL.TXT,
    SUBDIR/ with enough long names to span several clusters, and SUBDIR/INNER/."""

    def __init__(self, path, kind):
        self.path = path
        fatimg.make_image(path, kind)
        self.bpb = bpb = fatimg.Bpb(path)
        big = random.Random(1).randbytes(40 * bpb.cluster_bytes)
        work = path.parent / ("tree-" + kind)
        files = {"/BIG.BIN": big, "/SMALL.TXT": b"small file\n"}
        per_cluster = bpb.cluster_bytes // 32
        for i in range(per_cluster // 3 * 2):
            files["/SUBDIR/Long file name %03d.txt" % i] = b"%d\n" % i
        fatimg.populate(str(path), files, ["/SUBDIR", "/SUBDIR/INNER"], work)
        root = bpb.root_offset()
        self.big = find_entry(path, bpb, root, b"BIG     BIN")
        self.small = find_entry(path, bpb, root, b"SMALL   TXT")
        self.subdir = find_entry(path, bpb, root, b"SUBDIR     ")
        self.inner = find_entry(path, bpb, bpb.cluster_offset(self.subdir[1]), b"INNER      ")


@pytest.fixture(scope="session")
def volumes(tmp_path_factory):
    made = {}

    def get(kind):
        if kind not in made:
            made[kind] = Volume(tmp_path_factory.mktemp("corrupt") / (kind + ".img"), kind)
        return made[kind]
    return get


def damage_bpb(offset, fmt, value):
    return lambda v, img: poke(img, offset, struct.pack(fmt, value))


def truncate(v, img):
    with open(img, "r+b") as f:
        f.truncate(img.stat().st_size // 2)


def chain_link(index, value):
    """FAT entry of BIG.BIN's cluster `index` := value(volume)."""
    return lambda v, img: set_fat(img, v.bpb, v.big[1] + index, value(v))


def eoc(v):
    return 0x0FFFFFFF if v.bpb.fat32 else 0xFFFF


def bad(v):
    return 0x0FFFFFF7 if v.bpb.fat32 else 0xFFF7


def small_chain_too_long(v, img):
    # SMALL.TXT (one cluster) gains a second cluster the file's size does not cover.
    spare = v.bpb.clusters - 5
    set_fat(img, v.bpb, v.small[1], spare)
    set_fat(img, v.bpb, spare, eoc(v))


def subdir_outside(v, img):
    set_entry_cluster(img, v.bpb, v.subdir[0], v.bpb.clusters + 100)


def inner_is_its_parent(v, img):
    set_entry_cluster(img, v.bpb, v.inner[0], v.subdir[1])


def subdir_chain_loop(v, img):
    set_fat(img, v.bpb, v.subdir[1], v.subdir[1])


def huge_size(v, img):
    poke(img, v.big[0] + 28, struct.pack("<I", 0xFFFFFF00))


def lfn_checksum(v, img):
    # The first long-name entry in SUBDIR (after "." and "..") gets a wrong checksum.
    offset = v.bpb.cluster_offset(v.subdir[1]) + 2 * 32
    with open(img, "rb") as f:
        f.seek(offset + 13)
        checksum = f.read(1)[0]
    poke(img, offset + 13, bytes([checksum ^ 0x5A]))


def zeros(v, img):
    poke(img, 0, bytes(512))


def garbage(v, img):
    poke(img, 0, random.Random(5).randbytes(64 * 1024))


# (name, kinds, damage, command, expected complaint)
CASES = [
    ("bytes-per-sector", "16 32", damage_bpb(11, "<H", 0x300), ("ls", "/"), "bytes per sector"),
    ("sectors-per-cluster", "16 32", damage_bpb(13, "<B", 3), ("ls", "/"), "not a power of two"),
    ("no-fats", "16 32", damage_bpb(16, "<B", 0), ("ls", "/"), "number of FATs is 0"),
    ("fat16-fat-too-small", "16", damage_bpb(22, "<H", 1), ("ls", "/"), "cannot map"),
    ("fat32-fat-too-small", "32", damage_bpb(36, "<I", 1), ("ls", "/"), "cannot map"),
    ("fat32-root-cluster", "32", damage_bpb(44, "<I", 0x0FFFFFF0), ("ls", "/"), "root directory cluster"),
    ("fat32-version", "32", damage_bpb(42, "<H", 0x0100), ("ls", "/"), "version 1.0"),
    ("truncated-image", "16 32", truncate, ("ls", "/"), "truncated image"),
    ("zeroed-boot-sector", "16 32", zeros, ("ls", "/"), "no FAT boot sector and no partition table"),
    ("garbage", "16 32", garbage, ("ls", "/"), ""),
    ("chain-self-loop", "16 32", chain_link(0, lambda v: v.big[1]), ("sum", "/BIG.BIN"), "cycle"),
    ("chain-cycle", "16 32", chain_link(9, lambda v: v.big[1] + 2), ("sum", "/BIG.BIN"), "cycle"),
    ("chain-leaves-volume", "16 32", chain_link(3, lambda v: v.bpb.clusters + 10), ("sum", "/BIG.BIN"), "outside"),
    ("chain-free-cluster", "16 32", chain_link(3, lambda v: 0), ("sum", "/BIG.BIN"), "marked free"),
    ("chain-bad-cluster", "16 32", chain_link(3, bad), ("sum", "/BIG.BIN"), "marked bad"),
    ("chain-too-short", "16 32", chain_link(3, eoc), ("sum", "/BIG.BIN"), "ends after 4 clusters"),
    ("chain-too-long", "16 32", small_chain_too_long, ("sum", "/SMALL.TXT"), "beyond its size"),
    ("size-beyond-volume", "16 32", huge_size, ("sum", "/BIG.BIN"), "more than the volume holds"),
    ("dir-outside-volume", "16 32", subdir_outside, ("ls", "/SUBDIR"), "outside"),
    ("dir-chain-loop", "16 32", subdir_chain_loop, ("ls", "/SUBDIR"), "cycle"),
    ("dir-contains-its-parent", "16 32", inner_is_its_parent, ("find", "/"), "deeper than"),
]


PARAMS = [pytest.param("fat" + k, damage, command, complaint, id="fat%s-%s" % (k, name))
          for name, kinds, damage, command, complaint in CASES for k in kinds.split()]


@pytest.mark.parametrize("kind,damage,command,complaint", PARAMS)
def test_damage_is_reported(kind, damage, command, complaint, volumes, fresh_copy):
    v = volumes(kind)
    image = fresh_copy(v.path)
    damage(v, image)
    r = fattool(image, *command, expect_ok=False)
    assert r.returncode == 1, r.text
    assert complaint in r.stderr, r.stderr
    # Writing to the damaged volume is an error or works, but never crashes or hangs.
    fattool(image, "append", "/BIG.BIN", data=b"more", expect_ok=False)
    fattool(image, "write", "/SUBDIR/new file.txt", data=b"new", expect_ok=False)
    fattool(image, "rm", "/BIG.BIN", expect_ok=False)
    fattool(image, "mkdir", "/SUBDIR/INNER/newdir", expect_ok=False)


def test_a_broken_long_name_falls_back_to_the_8_3_name(volumes, fresh_copy):
    # fatgen103: a long name whose checksum does not match its short entry is ignored.
    v = volumes("fat32")
    image = fresh_copy(v.path)
    before = fattool(image, "ls", "/SUBDIR").text
    lfn_checksum(v, image)
    after = fattool(image, "ls", "/SUBDIR").text
    lost = set(before.splitlines()) - set(after.splitlines())
    gained = set(after.splitlines()) - set(before.splitlines())
    assert len(lost) == len(gained) == 1
    assert re.search(r"  Long file name \d{3}\.txt$", lost.pop())
    assert re.search(r"  LONGFI~\d+\.TXT$", gained.pop())


def test_partition_table_errors(tmp_path):
    disk = fatimg.make_partitioned(tmp_path / "disk.img", mib=40)
    assert fatimg.parse_info(fattool(disk, "info").text)["type"] == "FAT32"
    total = disk.stat().st_size // 512
    # The first partition is not FAT (and the boot sector at LBA 0 is an MBR, not a BPB).
    fatimg.write_mbr(disk, fatimg.PARTITION_START, total - fatimg.PARTITION_START, part_type=0x83)
    r = fattool(disk, "ls", "/", expect_ok=False)
    assert r.returncode == 1 and "type 0x83, not FAT" in r.stderr
    # The partition runs past the end of the disk.
    fatimg.write_mbr(disk, fatimg.PARTITION_START, total)
    r = fattool(disk, "ls", "/", expect_ok=False)
    assert r.returncode == 1 and "does not fit" in r.stderr
    # A partition that fits, but whose volume claims more sectors than the partition has.
    fatimg.write_mbr(disk, fatimg.PARTITION_START, (total - fatimg.PARTITION_START) // 2)
    r = fattool(disk, "ls", "/", expect_ok=False)
    assert r.returncode == 1 and "truncated image" in r.stderr


def test_fat12_is_refused_with_a_reason(tmp_path):
    image = fatimg.make_image(tmp_path / "fat12.img", None, options=["-F", "12"], mib=2)
    r = fattool(image, "ls", "/", expect_ok=False)
    assert r.returncode == 1 and "FAT12" in r.stderr and "not supported" in r.stderr


def test_an_image_smaller_than_a_sector(tmp_path):
    for size in (0, 100):
        image = tmp_path / ("tiny%d.img" % size)
        image.write_bytes(bytes(size))
        r = fattool(image, "ls", "/", expect_ok=False)
        assert r.returncode == 1


FUZZ_RUNS = 3000


@pytest.fixture(scope="session")
def small_tree(tree):
    """The random tree without its large files: fuzz runs read every file each time."""
    files, dirs = tree
    return {p: d for p, d in files.items() if len(d) <= 20000}, dirs


@pytest.mark.parametrize("kind", ["fat16", "fat32", "mbr"])
def test_fuzz(kind, small_tree, tmp_path):
    files, dirs = small_tree
    if kind == "mbr":
        image = fatimg.make_partitioned(tmp_path / "fuzz.img", files, dirs, tmp_path, mib=40)
    else:
        image = fatimg.make_image(tmp_path / "fuzz.img", None, files, dirs, tmp_path,
                                  options=fatimg.KINDS[kind][0], mib=40)
    r = fattool(image, "fuzz", {"fat16": 16, "fat32": 32, "mbr": 64}[kind], FUZZ_RUNS)
    # "fuzz: 1500 runs: 180 refused at mount, 400 with errors after mounting, 920 without errors"
    counts = [int(w) for w in r.text.replace(",", " ").split() if w.isdigit()]
    runs, refused, failed, clean = counts
    assert runs == FUZZ_RUNS and refused + failed + clean == runs
    # The damage must bite: a good share of the runs see errors, at mount and after.
    assert refused > runs // 20 and failed > runs // 10, r.text
