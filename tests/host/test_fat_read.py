"""
test_fat_read.py — the FAT library reads what Debian's mkfs.vfat and mcopy wrote.

For each kind of volume (FAT16, FAT32, FAT32 with 4 KiB sectors), and for a FAT32 partition
on an MBR disk, holding fatimg.random_tree: `fattool sum` of every file equals the host's
SHA-256, `fattool find` lists exactly the tree (names, kinds, sizes) and the same paths as
mtools, names are found in any case and by the 8.3 aliases mtools shows, and `cat` gives the
bytes themselves.
"""
import re

import pytest

import fatimg
from fatimg import fattool, parse_find, parse_sums, sha256

KINDS = list(fatimg.KINDS)


def expected_listing(files, dirs):
    listing = {path: ("-", len(data)) for path, data in files.items()}
    listing.update({d: ("d", 0) for d in dirs})
    return listing


@pytest.mark.parametrize("kind", KINDS)
def test_every_sum_matches_the_host(kind, populated, tree):
    files, _ = tree
    sums = parse_sums(fattool(populated(kind), "sum", "-r", "/").text)
    assert sums == {path: sha256(data) for path, data in files.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_listing_matches_the_tree_and_mtools(kind, populated, tree):
    files, dirs = tree
    image = populated(kind)
    listing = parse_find(fattool(image, "find", "/").text)
    assert listing == expected_listing(files, dirs)
    assert set(listing) == fatimg.mdir_paths(str(image))


def test_ls_lists_one_directory(populated, tree):
    files, dirs = tree
    for directory in dirs[:4]:
        out = fattool(populated("fat32"), "ls", directory).text
        names = {line[15:] for line in out.splitlines()}
        children = {p.rsplit("/", 1)[1] for p in list(files) + dirs
                    if p.rsplit("/", 1)[0] == directory}
        assert names == children


def ascii_swapcase(path):
    return "".join(c.swapcase() if c.isascii() else c for c in path)


@pytest.mark.parametrize("kind", ["fat16", "fat32"])
def test_names_match_in_any_case(kind, populated, tree):
    files, _ = tree
    image = populated(kind)
    paths = sorted(files)[::4]
    for variant in (str.upper, str.lower, ascii_swapcase):
        asked = [variant(p) for p in paths]
        sums = parse_sums(fattool(image, "sum", *asked).text)
        assert sums == {variant(p): sha256(files[p]) for p in paths}


MDIR_LINE = re.compile(r"^(.{8}) (.{3}) +(?:<DIR>|\d+) +\S+ +\S+ +(.+)$")


def mtools_aliases(image, directory):
    """{long name: 8.3 alias} of the entries mdir lists with a long name."""
    out = fatimg.run(["mdir", "-i", str(image), "::" + directory]).stdout.decode()
    aliases = {}
    for line in out.splitlines():
        m = MDIR_LINE.match(line)
        if m:
            base, ext = m.group(1).rstrip(), m.group(2).rstrip()
            aliases[m.group(3)] = base + ("." + ext if ext else "")
    return aliases


@pytest.mark.parametrize("kind", ["fat16", "fat32"])
def test_files_are_found_by_their_8_3_alias(kind, populated, tree):
    files, _ = tree
    image = populated(kind)
    checked = 0
    for directory in ("/deep", "/src/Notes", "/Photos 2024"):
        for long_name, alias in mtools_aliases(image, directory).items():
            path = directory + "/" + long_name
            if path not in files:
                continue
            out = fattool(image, "sum", directory + "/" + alias).text
            assert out.split()[0] == sha256(files[path]), (path, alias)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("kind", KINDS)
def test_cat_gives_the_bytes(kind, populated, tree):
    files, _ = tree
    image = populated(kind)
    by_size = sorted(files, key=lambda p: len(files[p]))
    for path in by_size[:3] + by_size[len(by_size) // 2:][:3] + by_size[-2:]:
        assert fattool(image, "cat", path).stdout == files[path], path


def test_cat_of_a_directory_or_a_missing_file_is_an_error(populated, tree):
    files, _ = tree
    image = populated("fat32")
    a_file = sorted(files)[0]
    r = fattool(image, "cat", "/deep", expect_ok=False)
    assert r.returncode == 1 and "is a directory" in r.stderr
    r = fattool(image, "cat", "/deep/no such file", expect_ok=False)
    assert r.returncode == 1 and "no such file" in r.stderr
    r = fattool(image, "ls", a_file + "/below", expect_ok=False)
    assert r.returncode == 1 and "not a directory" in r.stderr


def test_a_partitioned_disk_is_read_from_its_first_partition(partitioned, tree):
    files, dirs = tree
    info = fatimg.parse_info(fattool(partitioned, "info").text)
    assert info["type"] == "FAT32" and info["first-lba"] == str(fatimg.PARTITION_START)
    sums = parse_sums(fattool(partitioned, "sum", "-r", "/").text)
    assert sums == {path: sha256(data) for path, data in files.items()}
    listing = parse_find(fattool(partitioned, "find", "/").text)
    assert listing == expected_listing(files, dirs)
