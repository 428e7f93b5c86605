"""
fatimg.py — FAT disk images for tests, made with Debian's dosfstools and mtools, and the
host tool build/host/fattool that runs Pinfold's FAT library (components/fat) on them.

  random_tree(seed)           a deterministic tree of files: nested directories, long names,
                              8.3 names in either case, names that differ only in case (in
                              different directories), sizes from 0 bytes to several MiB
  make_image(path, kind, files, dirs)
                              mkfs.vfat an image of one of KINDS, mcopy the tree onto it
  make_partitioned(...)       the same inside the first partition of an MBR disk
  fattool(image, *args)       runs the tool; a crash or sanitizer report fails the test
  mcopy_out / mdir_paths / fsck
                              the same image seen by mtools and fsck.vfat
  Bpb                         the BPB fields tests need to damage an image on purpose

Nothing here knows the library's internals: images are checked by the standard tools, and the
library only through the tool's command line.  The system tests can import this module to make
the disk images they attach to QEMU.
"""
import hashlib
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FATTOOL = ROOT / "build" / "host" / "fattool"

# The sanitizers abort (instead of exiting 1) so that a memory error can never pass for an
# ordinary "error:" exit; mtools is told not to insist on PC geometry; names are UTF-8.
ENV = dict(os.environ,
           ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
           UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1",
           MTOOLS_SKIP_CHECK="1", LANG="C.UTF-8", LC_ALL="C.UTF-8")

# name: (mkfs.vfat options, image size in MiB)
KINDS = {
    "fat16": (["-F", "16"], 64),
    "fat32": (["-F", "32"], 64),
    # 4 KiB logical sectors on a disk of 512-byte sectors: 8 disk sectors per FAT sector.
    "fat32-4k": (["-F", "32", "-S", "4096", "-s", "1"], 300),
}

TOOL_TIMEOUT = 60

# dosfstools installs into /usr/sbin, which a user's PATH may lack.
MKFS = shutil.which("mkfs.vfat") or "/usr/sbin/mkfs.vfat"
FSCK = shutil.which("fsck.vfat") or "/usr/sbin/fsck.vfat"


class ToolResult:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr.decode("utf-8", "replace")

    @property
    def text(self):
        return self.stdout.decode("utf-8")


def fattool(image, *args, data=None, expect_ok=True):
    """Runs fattool IMAGE ARGS.  It must exit 0 (or, with expect_ok=False, 0 or 1 with an
    'error:' line): a signal, a sanitizer report or a hang fails the calling test."""
    proc = subprocess.run([str(FATTOOL), str(image), *[str(a) for a in args]], input=data,
                          capture_output=True, env=ENV, timeout=TOOL_TIMEOUT)
    result = ToolResult(proc)
    where = "fattool %s %s" % (image, " ".join(str(a) for a in args))
    assert "Sanitizer" not in result.stderr and "runtime error" not in result.stderr, \
        "%s: memory or UB error:\n%s" % (where, result.stderr)
    assert proc.returncode in (0, 1), \
        "%s: exit status %d (a crash?)\n%s" % (where, proc.returncode, result.stderr)
    if proc.returncode == 1:
        assert "error: " in result.stderr, "%s: failed without an error line" % where
    if expect_ok:
        assert proc.returncode == 0, "%s failed:\n%s" % (where, result.stderr)
    return result


def run(argv, **kwargs):
    kwargs.setdefault("check", True)
    return subprocess.run([str(a) for a in argv], capture_output=True, env=ENV, timeout=120,
                          **kwargs)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# ---- the random tree -----------------------------------------------------------------

# Parents before children; up to six levels deep.
DIRS = ["/docs", "/Photos 2024", "/src", "/src/Notes", "/x", "/deep", "/deep/UPPER",
        "/deep/UPPER/lower", "/deep/UPPER/lower/MiXeD CaSe Dir",
        "/deep/UPPER/lower/MiXeD CaSe Dir/a.b.c",
        "/deep/UPPER/lower/MiXeD CaSe Dir/a.b.c/Level with a rather long directory name",
        "/empty dir"]
FILE_STEMS = ["notes", "README", "ReadMe", "Meeting notes from Monday", "archive.tar",
              "a+b;c=d", "report", "Report", "data", "x", "Quarterly report (final) v2",
              "photo_0001", "MIXED case Name", "budget 2025", "1234567890", "with.many.dots.in",
              "trailing", "UPPERCASE LONG NAME", "lower long name here", "e"]
EXTENSIONS = ["txt", "TXT", "bin", "md", "jpeg", "c", "", "gz", "Text", "DAT"]


def file_sizes(rng, cluster_sizes=(512, 2048, 4096)):
    """Sizes at the edges that matter (sector and cluster boundaries), then random ones,
    and a few files of several MiB."""
    sizes = [0, 0, 1, 2, 511, 512, 513, 1023, 1024, 1025]
    for c in cluster_sizes:
        sizes += [c - 1, c, c + 1, 2 * c, 3 * c + 7]
    sizes += [rng.randrange(1, 200_000) for _ in range(20)]
    sizes += [1 << 20, (3 << 20) + 17, (5 << 20) - 3]
    return sizes


def random_tree(seed):
    """A deterministic tree: (files {"/path": bytes}, dirs ["/path", ...] parents first).
    No two names in one directory differ only in case (FAT matches without case), but the
    same name in two cases appears in different directories."""
    rng = random.Random(seed)
    files = {
        # A 200-character name, and one name in two cases in two directories.
        "/deep/" + "L" * 100 + " long " + "n" * 94: rng.randbytes(300),
        "/docs/Same Name.TXT": b"upper\n",
        "/src/same name.txt": b"lower\n",
    }
    taken = {d: set() for d in [""] + DIRS}
    for path in list(DIRS) + list(files):
        parent, name = path.rsplit("/", 1)
        taken[parent].add(name.lower())
    for size in file_sizes(rng):
        for _ in range(100):
            d = rng.choice([""] + DIRS[:-1])
            stem, ext = rng.choice(FILE_STEMS), rng.choice(EXTENSIONS)
            name = stem + ("." + ext if ext else "")
            if rng.random() < 0.3:
                name = name.lower() if rng.random() < 0.5 else name.upper()
            if name.lower() not in taken[d]:
                break
        else:
            raise AssertionError("no free name for a file of %d bytes" % size)
        taken[d].add(name.lower())
        files[d + "/" + name] = rng.randbytes(size)
    return files, list(DIRS)


def write_tree(root, files, dirs):
    root = Path(root)
    for d in dirs:
        (root / d.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        (root / path.lstrip("/")).write_bytes(data)


def copy_sparse(src, dst):
    run(["cp", "--sparse=always", src, dst])
    return Path(dst)


# ---- images --------------------------------------------------------------------------

def mtools_target(image, offset=0):
    """mtools' name for an image, or a partition inside one (IMAGE@@OFFSET)."""
    return "%s@@%d" % (image, offset) if offset else str(image)


def populate(target, files, dirs, workdir):
    """Copies the tree onto the file system `target` with mcopy -s."""
    tree = Path(workdir) / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    write_tree(tree, files, dirs)
    entries = sorted(str(p) for p in tree.iterdir())
    if entries:
        run(["mcopy", "-s", "-i", target, *entries, "::/"])


def make_image(path, kind, files=None, dirs=(), workdir=None, options=None, mib=None):
    """An image of one of KINDS (or made with mkfs.vfat `options`, `mib` MiB large)."""
    if options is None:
        options, mib = KINDS[kind]
    path = Path(path)
    path.unlink(missing_ok=True)
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    run([MKFS, "-i", "12345678", *options, path])
    if files:
        populate(str(path), files, dirs, workdir or path.parent)
    return path


PARTITION_START = 2048          # sectors: 1 MiB, where partitioning tools put it


def write_mbr(image, start, sectors, part_type=0x0C, disk_signature=0x50494E46):
    """An MBR with one partition (entry 1), written as the IBM PC layout fixes it."""
    entry = struct.pack("<B3sB3sII", 0x00, b"\xfe\xff\xff", part_type, b"\xfe\xff\xff",
                        start, sectors)
    with open(image, "r+b") as f:
        f.seek(440)
        f.write(struct.pack("<IH", disk_signature, 0))
        f.write(entry + bytes(48))
        f.write(b"\x55\xaa")


def make_partitioned(path, files=None, dirs=(), workdir=None, mib=48):
    """A disk with an MBR and one FAT32 partition from sector 2048 to the end."""
    path = Path(path)
    path.unlink(missing_ok=True)
    total = (mib << 20) // 512
    with open(path, "wb") as f:
        f.truncate(total * 512)
    part = total - PARTITION_START
    run([MKFS, "-i", "12345678", "-F", "32", "--offset=%d" % PARTITION_START,
         "-h", PARTITION_START, path, part // 2])
    write_mbr(path, PARTITION_START, part)
    if files:
        populate(mtools_target(path, PARTITION_START * 512), files, dirs,
                 workdir or path.parent)
    return path


def extract_partition(image, out):
    """The partition of a make_partitioned disk as an image of its own (for fsck.vfat)."""
    with open(image, "rb") as f:
        f.seek(PARTITION_START * 512)
        Path(out).write_bytes(f.read())
    return Path(out)


# ---- the standard tools' view --------------------------------------------------------

def fsck(image):
    """fsck.vfat -n: (clean?, its report)."""
    proc = run([FSCK, "-n", "-v", image], check=False)
    report = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    return proc.returncode == 0, report


def mdir_paths(target):
    """Every path mtools sees ("/dir" for directories, without the trailing slash)."""
    proc = run(["mdir", "-/", "-b", "-i", target, "::/"], check=False)
    out = proc.stdout.decode("utf-8")
    if proc.returncode:
        # mdir -b fails on an empty root directory ('File "::/" not found'), and only then.
        assert not out and b"not found" in proc.stderr, proc.stderr
        return set()
    paths = set()
    for line in out.splitlines():
        if line.startswith("::"):
            paths.add(line[2:].rstrip("/"))
    return paths


def mcopy_out(target, dest):
    """Copies the whole file system out with mcopy -s; returns {"/path": bytes}."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    proc = run(["mcopy", "-s", "-n", "-i", target, "::/*", dest], check=False)
    if proc.returncode:
        # As mdir, mcopy fails on an empty root directory.
        assert not mdir_paths(target), proc.stderr
    found = {}
    for p in dest.rglob("*"):
        if p.is_file():
            found["/" + str(p.relative_to(dest))] = p.read_bytes()
    return found


# ---- the tool's view -----------------------------------------------------------------

def parse_find(text):
    """fattool find: {"/path": ("d" or "-", size)}"""
    entries = {}
    for line in text.splitlines():
        kind, size, path = line[0], int(line[3:13]), line[15:]
        entries[path] = (kind, size)
    return entries


def parse_sums(text):
    """fattool sum: {"/path": hex}"""
    return {line[66:]: line[:64] for line in text.splitlines()}


def parse_info(text):
    """fattool info: {"type": "FAT32", "cluster": "512", ...}"""
    return dict(line.split(" ", 1) for line in text.splitlines())


class Bpb:
    """The BPB fields of a volume that tests damage (fatgen103 "Boot Sector and BPB")."""

    def __init__(self, image, offset=0):
        with open(image, "rb") as f:
            f.seek(offset)
            b = f.read(512)
        self.offset = offset
        (self.bytes_per_sector, self.sectors_per_cluster, self.reserved, self.fats,
         self.root_entries, total16, _, fat16) = struct.unpack_from("<HBHBHHBH", b, 11)
        self.total = total16 or struct.unpack_from("<I", b, 32)[0]
        self.fat32 = fat16 == 0
        self.fat_size = struct.unpack_from("<I", b, 36)[0] if self.fat32 else fat16
        self.root_cluster = struct.unpack_from("<I", b, 44)[0] if self.fat32 else 0
        root_sectors = (self.root_entries * 32 + self.bytes_per_sector - 1) // self.bytes_per_sector
        self.root_start = self.reserved + self.fats * self.fat_size
        self.data_start = self.root_start + root_sectors
        self.cluster_bytes = self.bytes_per_sector * self.sectors_per_cluster
        self.clusters = (self.total - self.data_start) // self.sectors_per_cluster
        self.entry = 4 if self.fat32 else 2

    def fat_entry_offset(self, cluster, copy=0):
        return (self.offset + (self.reserved + copy * self.fat_size) * self.bytes_per_sector
                + cluster * self.entry)

    def cluster_offset(self, cluster):
        return self.offset + (self.data_start + (cluster - 2) * self.sectors_per_cluster) \
            * self.bytes_per_sector

    def root_offset(self):
        if self.fat32:
            return self.cluster_offset(self.root_cluster)
        return self.offset + self.root_start * self.bytes_per_sector
