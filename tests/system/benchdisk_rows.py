"""The rows of `bench disk` (components/diskbench) read back from its `bench:` lines.

Shared by the smoke test (test_bench_disk.py) and the benchmark tools (tools/benchdisk.py,
tools/linuxdisk/compare.py, whose Linux reader prints the same lines), so that all read
one format:
    bench: disk-PATH-qdDEPTH-SIZE-mbps N.N MB/s
    bench: disk-PATH-qdDEPTH-SIZE-iops N iops
    bench: disk-PATH-qdDEPTH-SIZE-cpu N.N %
    bench: disk-PATH-qdDEPTH-SIZE-raw REQUESTS NS IDLE_NS requests ns idle-ns
PATH is a word or words joined by '-' (ahci, block, block-wait, linux).
"""
import re

SIZES = [512, 1024, 4096, 16384, 65536, 262144, 1048576]
DEPTHS = [1, 32]
# Pinfold's paths (components/diskbench) and their depths: block's waiting read has one
# request in flight by nature, so it has QD1 rows only.
PATH_DEPTHS = {"ahci": DEPTHS, "block": DEPTHS, "block-wait": [1]}


def expected_rows(paths):
    """Every (path, depth, bytes) that `bench disk` prints for these paths."""
    return [(path, d, s) for path in paths for d in PATH_DEPTHS[path] for s in SIZES]


def size_name(n):
    """512, 4k, 1m: a request size as the bench: lines name it."""
    return "%dm" % (n >> 20) if n >= 1 << 20 else "%dk" % (n >> 10) if n >= 1024 else str(n)


SIZE_OF = dict((size_name(s), s) for s in SIZES)


def rows_of(out):
    """{(path, depth, bytes): {"mbps", "iops", "cpu", "requests", "ns", "idle_ns"}}: the printed
    figures as printed, the raw counts as numbers."""
    rows = {}
    for path, depth, size, figure, value in re.findall(
            r"^bench: disk-([a-z]+(?:-[a-z]+)*)-qd(\d+)-(\w+)-(mbps|iops|cpu|raw) (\d+(?:\.\d+)?(?: \d+ \d+)?) ", out, re.M):
        row = rows.setdefault((path, int(depth), SIZE_OF[size]), {})
        if figure == "raw":
            row["requests"], row["ns"], row["idle_ns"] = (int(v) for v in value.split())
        else:
            row[figure] = float(value)
    return rows
