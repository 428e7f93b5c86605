"""The disk benchmark (components/diskbench, the shell's `bench disk`), as a smoke check.

Both paths are measured: the AHCI driver's own interface and the block service.
`make bench-disk` (tools/benchdisk.py) runs it for real, a second a row; here 20 ms a row on
a small disk show that every row of the table is printed with sane figures: MB/s and IOPS
above zero and consistent with the row's own request count and time, CPU utilisation between
0 and 100 %, and that the requests really went through the driver (its completion count
grows by at least as many).  Not a timed test: no figure is compared with a target.
"""
import re

from benchdisk_rows import SIZES, DEPTHS, rows_of
from test_ahci import make_image

MS = 20


def completed(vm):
    m = re.match(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x[0-9a-f]+$", vm.command("call ahci stats 0"))
    assert m, "ahci stats"
    return int(m.group(1)), int(m.group(2))


def test_bench_disk_prints_every_row_with_sane_figures(make_qemu, tmp_path):
    path, _ = make_image(tmp_path, sectors=16384)        # 8 MiB: the 1 MiB rows wrap around it
    vm = make_qemu(drives=[path])
    vm.boot()
    done_before, failed_before = completed(vm)
    out = vm.command("bench disk %d" % MS, timeout=300)
    assert out.splitlines()[-1] == "bench: done", out
    rows = rows_of(out)
    # Both paths: the driver's own interface, and the block service clients use.
    assert sorted(rows) == sorted((path, d, s) for path in ["ahci", "block"] for d in DEPTHS for s in SIZES)
    total = 0
    for (_, depth, size), r in rows.items():
        assert r["requests"] > 0 and r["ns"] >= MS * 1000000, (depth, size, r)
        # The printed figures are the row's own counts, rounded.
        assert r["iops"] > 0 and abs(r["iops"] - r["requests"] * 1e9 / r["ns"]) <= 1, (depth, size, r)
        assert r["mbps"] > 0 and abs(r["mbps"] - r["requests"] * size * 1e3 / r["ns"]) <= 0.1, (depth, size, r)
        assert 0 <= r["cpu"] <= 100, (depth, size, r)
        assert 0 <= r["idle_ns"], r
        total += r["requests"]
    done_after, failed_after = completed(vm)
    assert done_after - done_before >= total, "the driver completed fewer requests than were counted"
    assert failed_after == failed_before
    assert not vm.find(r"^(crash|failed): ")


def test_bench_disk_refuses_bad_arguments(make_qemu, tmp_path):
    path, _ = make_image(tmp_path, sectors=2048)
    vm = make_qemu(drives=[path])
    vm.boot()
    usage = "error: usage: bench disk [MS [DISK]] (MS: 10 to 10000 per row)"
    for line in ["bench disk 9", "bench disk 10001", "bench disk x", "bench disk 10 0 1", "bench disk 10 y"]:
        assert vm.command(line) == usage, line
    assert vm.command("bench disk 10 3") == "error: bench disk: no disk 3 (see disk)"
    for args in ["2 0 4096 1 10", "0 0 0 1 10", "0 0 4096 0 10", "0 0 4096 33 10", "0 0 4096 1 9",
                 "0 0 2097152 1 10", "0 0 1000 1 10"]:
        assert vm.command("call diskbench run " + args) == "error: diskbench.run: invalid argument", args
    assert vm.command("call block stats") == "status 0, results 0 0x0, 0 0x0"
    # A 1 MiB request on a 1 MiB disk is one row of one request after another, not an error.
    assert vm.command("call diskbench run 0 0 1048576 1 10").startswith("bench: disk-ahci-qd1-1m-mbps ")
    assert vm.command("call diskbench run 1 0 1048576 1 10").startswith("bench: disk-block-qd1-1m-mbps ")
    assert not vm.find(r"^(crash|failed): ")
