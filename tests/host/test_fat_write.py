"""
test_fat_write.py — what the FAT library writes, Debian's tools read back.

Files created, overwritten, appended to and deleted, and directories made and removed, by
fattool on mkfs.vfat/mcopy images: afterwards fsck.vfat -n finds nothing to repair (which
covers the FAT copies agreeing, the FSInfo free count, duplicate 8.3 names, chains against
sizes and lost clusters), mdir lists exactly the expected paths, mcopy copies out exactly the
expected bytes, and the library itself agrees.  Edge cases get their own tests: many long
names in one directory (numeric tails, directories growing by clusters), a full FAT16 root
directory, a full disk, and a partition on an MBR disk.
"""
import random

import pytest

import fatimg
from fatimg import fattool, parse_info, parse_sums, sha256

KINDS = list(fatimg.KINDS)


def check_with_standard_tools(image, files, dirs, tmp_path, target=None, fsck_image=None):
    """fsck is clean, mtools sees exactly `files` and `dirs`, and so does the library."""
    target = target or str(image)
    clean, report = fatimg.fsck(fsck_image or image)
    assert clean, "fsck.vfat -n complains:\n" + report
    assert fatimg.mdir_paths(target) == set(files) | set(dirs)
    out = fatimg.mcopy_out(target, tmp_path / "mcopy-out")
    wrong = sorted(p for p in files if out.get(p) != files[p])
    assert not wrong, "mcopy reads different bytes from %s" % wrong[:5]
    assert set(out) == set(files)
    sums = parse_sums(fattool(image, "sum", "-r", "/").text)
    assert sums == {p: sha256(d) for p, d in files.items()}


def fats_agree(image, offset=0):
    bpb = fatimg.Bpb(image, offset)
    size = bpb.fat_size * bpb.bytes_per_sector
    with open(image, "rb") as f:
        copies = []
        for i in range(bpb.fats):
            f.seek(bpb.fat_entry_offset(0, copy=i))
            copies.append(f.read(size))
    return all(c == copies[0] for c in copies)


def ascii_swapcase(path):
    return "".join(c.swapcase() if c.isascii() else c for c in path)


def apply_changes(image, files, dirs, cluster, seed):
    """Creates, overwrites, appends, deletes; keeps `files` and `dirs` what the image should
    hold."""
    rng = random.Random(seed)

    def write(path, data, append=False):
        fattool(image, "append" if append else "write", path, data=data)

    originals = sorted(files)
    for d in ["/New Dir", "/New Dir/nested level 2", "/NEWUPPER", "/deep/UPPER/added here"]:
        fattool(image, "mkdir", d)
        dirs.append(d)
    patterns = ["/New Dir/nested level 2/File of %d bytes.bin", "/NEWUPPER/F%d.BIN", "/f%d.dat",
                "/deep/UPPER/added here/Mixed Case %d.Txt"]
    sizes = [0, 1, 511, 512, 513, cluster - 1, cluster, cluster + 1, 3 * cluster + 5, 100_000,
             (3 << 20) + 5]
    for i, size in enumerate(sizes):
        path = patterns[i % len(patterns)] % size
        files[path] = rng.randbytes(size)
        write(path, files[path])
    files["/New Dir/Grüße — ünïcödé ✓.txt"] = "non-ASCII names are UTF-16 on disk\n".encode()
    write("/New Dir/Grüße — ünïcödé ✓.txt", files["/New Dir/Grüße — ünïcödé ✓.txt"])

    # Overwrite files mcopy wrote: the largest with a few bytes, a small one with many.
    by_size = sorted(originals, key=lambda p: len(files[p]))
    largest, small = by_size[-1], by_size[len(by_size) // 3]
    files[largest] = b"short now\n"
    write(largest, files[largest])
    files[small] = rng.randbytes(300_000)
    write(small, files[small])

    # Append to an mcopy file of odd length, to an empty file, and to a new file.
    odd = next(p for p in by_size if len(files[p]) % 512 not in (0, 511) and p not in (largest, small))
    empty = next(p for p in by_size if len(files[p]) == 0)
    for path, extra in ((odd, rng.randbytes(5000)), (empty, b"first bytes\n"),
                        ("/New Dir/appended.log", b"line 1\n")):
        files[path] = files.get(path, b"") + extra
        write(path, extra, append=True)
    files["/New Dir/appended.log"] += b"line 2\n"
    write("/New Dir/appended.log", b"line 2\n", append=True)

    # The same name in another case is the same file: it is replaced, its name kept.
    target = by_size[len(by_size) // 2]
    files[target] = b"replaced through another case\n"
    write(ascii_swapcase(target), files[target])

    # Delete: files from mcopy (the second largest too), then an emptied directory.
    for path in (by_size[-2], by_size[1], by_size[len(by_size) // 4]):
        fattool(image, "rm", path)
        del files[path]
    victim = "/deep/UPPER/lower/MiXeD CaSe Dir/a.b.c/Level with a rather long directory name"
    for path in [p for p in files if p.startswith(victim + "/")]:
        fattool(image, "rm", path)
        del files[path]
    fattool(image, "rm", victim)
    dirs.remove(victim)
    fattool(image, "rm", "/empty dir")
    dirs.remove("/empty dir")


@pytest.mark.parametrize("kind", KINDS)
def test_written_files_read_back_with_mtools(kind, populated, tree, fresh_copy, tmp_path):
    files, dirs = dict(tree[0]), list(tree[1])
    image = fresh_copy(populated(kind))
    cluster = int(parse_info(fattool(image, "info").text)["cluster"])

    apply_changes(image, files, dirs, cluster, seed=7)

    check_with_standard_tools(image, files, dirs, tmp_path)
    assert fats_agree(image)
    info = parse_info(fattool(image, "info").text)
    if info["type"] == "FAT32":
        assert info["fsinfo-free"] == info["free"], info


def test_refusals_leave_the_volume_unchanged(populated, tree, fresh_copy, tmp_path):
    files, dirs = tree
    image = fresh_copy(populated("fat16"))
    before = image.read_bytes()
    for args, message in [
            (("rm", "/deep"), "not empty"),
            (("mkdir", "/deep"), "exists"),
            (("mkdir", "/no such dir/new"), "not found"),
            (("rm", "/"), "root"),
            (("write", "/docs"), "is a directory"),
            (("write", "/bad:name"), "may not contain"),
            (("write", "/trailing dot."), "may not end"),
            (("write", "/" + "n" * 256), "longer than 255"),
            (("mkdir", "/deep/.."), "'.' or '..'"),
            (("write", "/" + sorted(files)[0] + "/below"), "not a directory")]:
        r = fattool(image, *args, data=b"x", expect_ok=False)
        assert r.returncode == 1 and message in r.stderr, (args, r.stderr)
    assert image.read_bytes() == before


@pytest.mark.parametrize("kind", ["fat16", "fat32"])
def test_many_long_names_get_unique_aliases(kind, tmp_path):
    image = fatimg.make_image(tmp_path / "many.img", kind)
    files = {}
    fattool(image, "mkdir", "/many")
    # 3 directory entries each: the directory grows over several clusters, and the tails
    # reach two digits (LONGFI~9, then LONGF~10).
    for i in range(1, 61):
        path = "/many/Long file name number %d.txt" % i
        files[path] = b"%d\n" % i
        fattool(image, "write", path, data=files[path])
    # Deleting and re-creating reuses the free entries and the freed tail.
    for i in (3, 30):
        fattool(image, "rm", "/many/Long file name number %d.txt" % i)
    files["/many/Long file name number 3.txt"] = b"again\n"
    fattool(image, "write", "/many/Long file name number 3.txt", data=b"again\n")
    del files["/many/Long file name number 30.txt"]

    check_with_standard_tools(image, files, ["/many"], tmp_path)
    out = fatimg.run(["mdir", "-i", image, "::/many"]).stdout.decode()
    aliases = [line[:12] for line in out.splitlines() if line.startswith("LONG")]
    assert len(aliases) == len(files) == len(set(aliases))
    assert any("~10" in a for a in aliases)


def test_a_full_fat16_root_directory_is_an_error(tmp_path):
    image = fatimg.make_image(tmp_path / "root.img", None, options=["-F", "16", "-r", "64"], mib=16)
    written = {}
    for i in range(40):
        path = "/Root file number %02d with a long name.txt" % i
        r = fattool(image, "write", path, data=b"%d\n" % i, expect_ok=False)
        if r.returncode:
            assert "root directory" in r.stderr and "64 entries" in r.stderr, r.stderr
            break
        written[path] = b"%d\n" % i
    else:
        pytest.fail("64 root entries held 40 files of 4 entries each")
    entries_per_file = -(-len("Root file number 00 with a long name.txt") // 13) + 1
    assert len(written) == 64 // entries_per_file
    check_with_standard_tools(image, written, [], tmp_path)
    # A removal makes room again (for a name of the same length).
    fattool(image, "rm", "/Root file number 00 with a long name.txt")
    del written["/Root file number 00 with a long name.txt"]
    written["/Root file number 99 with a long name.txt"] = b"fits\n"
    fattool(image, "write", "/Root file number 99 with a long name.txt", data=b"fits\n")
    check_with_standard_tools(image, written, [], tmp_path)


@pytest.mark.parametrize("options,mib", [(["-F", "16", "-s", "1"], 3), (["-F", "32", "-s", "1"], 40)],
                         ids=["fat16", "fat32"])
def test_a_full_disk_leaves_a_consistent_volume(options, mib, tmp_path):
    image = fatimg.make_image(tmp_path / "full.img", None, options=options, mib=mib)
    free_before = parse_info(fattool(image, "info").text)["free"]
    data = random.Random(3).randbytes((mib + 1) << 20)
    r = fattool(image, "write", "/too big.bin", data=data, expect_ok=False)
    assert r.returncode == 1 and "no space" in r.stderr
    info = parse_info(fattool(image, "info").text)
    assert info["free"] == "0"
    # The file holds what fitted, and the volume is consistent.
    size = int(fattool(image, "ls", "/too big.bin").text.split()[1])
    assert size > 0 and size == int(free_before) * int(info["cluster"])
    check_with_standard_tools(image, {"/too big.bin": data[:size]}, [], tmp_path)
    fattool(image, "rm", "/too big.bin")
    assert parse_info(fattool(image, "info").text)["free"] == free_before
    check_with_standard_tools(image, {}, [], tmp_path)


def test_writes_on_a_partitioned_disk(partitioned, tree, fresh_copy, tmp_path):
    files, dirs = dict(tree[0]), list(tree[1])
    image = fresh_copy(partitioned)
    apply_changes(image, files, dirs, 512, seed=11)
    part = fatimg.extract_partition(image, tmp_path / "partition.img")
    target = fatimg.mtools_target(image, fatimg.PARTITION_START * 512)
    check_with_standard_tools(image, files, dirs, tmp_path, target=target, fsck_image=part)
    # Nothing outside the partition changed: the MBR is the one written.
    assert image.read_bytes()[:512] == partitioned.read_bytes()[:512]


@pytest.mark.parametrize("kind", ["fat16", "fat32-4k"])
def test_overwriting_inside_a_file(kind, tmp_path):
    """fattool patch: writes at any offset keep the bytes around them, in partial sectors
    and across sector and cluster boundaries, and may extend the file."""
    image = fatimg.make_image(tmp_path / "patch.img", kind)
    cluster = int(parse_info(fattool(image, "info").text)["cluster"])
    sector = int(parse_info(fattool(image, "info").text)["sector"])
    rng = random.Random(5)
    data = bytearray(rng.randbytes(5 * cluster + 100))
    fattool(image, "write", "/patched file.bin", data=bytes(data))
    for offset, length in [(0, 1), (1, 10), (sector - 1, 2), (sector, 100), (cluster - 3, 10),
                           (cluster, cluster), (2 * cluster + 7, 3 * cluster), (sector * 3, sector),
                           (len(data) - 5, 20), (len(data) + 15, 7), (len(data) + 22, cluster + 1)]:
        offset = min(offset, len(data))
        patch = rng.randbytes(length)
        data[offset:offset + length] = patch
        fattool(image, "patch", "/patched file.bin", offset, data=patch)
    r = fattool(image, "patch", "/patched file.bin", len(data) + 1, data=b"x", expect_ok=False)
    assert r.returncode == 1 and "beyond the end" in r.stderr
    check_with_standard_tools(image, {"/patched file.bin": bytes(data)}, [], tmp_path)


def test_entries_after_the_end_marker_stay_hidden(tmp_path):
    """fatgen103: nothing after a 0x00 entry belongs to the directory.  A directory whose
    entries after the end marker are not zero (a damaged or sloppy writer) must not show
    them once new entries are written over the marker."""
    image = fatimg.make_image(tmp_path / "marker.img", "fat32")
    fattool(image, "mkdir", "/dir")
    fattool(image, "write", "/dir/first.txt", data=b"1\n")
    bpb = fatimg.Bpb(image)
    listing = fattool(image, "find", "/").text
    cluster = int.from_bytes(open(image, "rb").read()[bpb.root_offset() + 26:][:2], "little")
    dir_offset = bpb.cluster_offset(cluster)
    # ".", "..", first.txt, then the end marker at entry 3: fill entries 4.. with a valid-
    # looking entry.
    junk = b"JUNK    TXT" + bytes([0x20]) + bytes(20)
    with open(image, "r+b") as f:
        for i in range(4, 16):
            f.seek(dir_offset + 32 * i)
            f.write(junk)
    assert fattool(image, "find", "/").text == listing
    fattool(image, "write", "/dir/A long name that takes three entries.txt", data=b"2\n")
    names = [line[15:] for line in fattool(image, "ls", "/dir").text.splitlines()]
    assert names == ["first.txt", "A long name that takes three entries.txt"]
