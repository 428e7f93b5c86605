"""The disk benchmark (components/diskbench, the shell's `bench disk`), as a smoke check.

Three paths are measured: the AHCI driver's own interface, the block service's asynchronous
interface, and block's waiting read (`block-wait`, queue depth 1 only).
`make bench-disk` (tools/benchdisk.py) runs it for real, a second a row; here 20 ms a row on
a small disk show that every row of the table is printed with sane figures: MB/s and IOPS
above zero and consistent with the row's own request count and time, CPU utilisation between
0 and 100 %, and that the requests really went through the driver (its completion count
grows by at least as many).  At QD1 one row of each path is checked more closely: the driver
completes exactly as many requests as the row counts, and the block-wait row really is
block.read's (a diskbench whose manifest leaves out block.read gets no such row).
Not a timed test: no figure is compared with a target.
"""
import os
import re

import qemu
from benchdisk_rows import expected_rows, rows_of
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
    # Every path: the driver's own interface, and the block service's two that clients use.
    assert sorted(rows) == sorted(expected_rows(["ahci", "block", "block-wait"]))
    total = 0
    for (_, depth, size), r in rows.items():
        assert r["requests"] > 0 and r["ns"] >= MS * 1000000, (depth, size, r)
        # The printed figures are the row's own counts, rounded.
        assert r["iops"] > 0 and abs(r["iops"] - r["requests"] * 1e9 / r["ns"]) <= 1, (depth, size, r)
        # MB/s has one decimal, cut short: a slow 512 B row (the first, cold one has been seen
        # at 4 requests in 22 ms) may print 0.0 and still be consistent.
        mbps = r["requests"] * size * 1e3 / r["ns"]
        assert (r["mbps"] > 0 or mbps < 0.1) and abs(r["mbps"] - mbps) <= 0.1, (depth, size, r)
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
    for args in ["3 0 4096 1 10", "2 0 4096 2 10", "2 0 4096 32 10", "0 0 0 1 10", "0 0 4096 0 10", "0 0 4096 33 10", "0 0 4096 1 9",
                 "0 0 2097152 1 10", "0 0 1000 1 10"]:
        assert vm.command("call diskbench run " + args) == "error: diskbench.run: invalid argument", args
    assert vm.command("call block stats") == "status 0, results 0 0x0, 0 0x0"
    # A 1 MiB request on a 1 MiB disk is one row of one request after another, not an error.
    assert vm.command("call diskbench run 0 0 1048576 1 10").startswith("bench: disk-ahci-qd1-1m-mbps ")
    assert vm.command("call diskbench run 1 0 1048576 1 10").startswith("bench: disk-block-qd1-1m-mbps ")
    assert vm.command("call diskbench run 2 0 1048576 1 10").startswith("bench: disk-block-wait-qd1-1m-mbps ")
    assert not vm.find(r"^(crash|failed): ")


def call_row(vm, path, size, ms):
    """One QD1 row by `call diskbench run`: its parsed bench: row and the call's request count."""
    out = vm.command("call diskbench run %d 0 %d 1 %d" % (path, size, ms))
    m = re.search(r"^status 0, results (\d+) 0x[0-9a-f]+, (\d+) 0x[0-9a-f]+$", out, re.M)
    assert m, out
    rows = rows_of(out)
    assert len(rows) == 1, out
    return rows.popitem(), int(m.group(1))


def test_each_qd1_row_is_as_many_disk_requests(make_qemu, tmp_path):
    """At QD1 every request a row counts is one request of the driver's, no more and no fewer
    (the row's last request has finished before the row ends), on each path."""
    path, _ = make_image(tmp_path, sectors=16384)
    vm = make_qemu(drives=[path])
    vm.boot()
    for number, name in enumerate(["ahci", "block", "block-wait"]):
        for size in [4096, 65536]:
            done_before, failed_before = completed(vm)
            (key, row), requests = call_row(vm, number, size, 50)
            done_after, failed_after = completed(vm)
            assert key == (name, 1, size)
            assert row["requests"] == requests > 0, (key, row)
            assert done_after - done_before == requests, (key, row, done_after - done_before)
            assert failed_after == failed_before
    assert not vm.find(r"^(crash|failed): ")


def manifest_with_diskbench_calls(calls):
    """The built boot manifest, with diskbench's capabilities for block replaced by `calls`."""
    with open(os.path.join(qemu.ISODIR, "boot", "manifest")) as f:
        text = f.read()
    old = "    call block.info block.subscribe block.submit block.reap block.read\n"
    assert text.count(old) == 1, "diskbench's block capabilities are not where this test expects"
    return text.replace(old, calls).encode()


def test_block_wait_row_is_block_reads(make_qemu, tmp_path):
    """diskbench without block.read in its manifest: the block path still runs, the block-wait
    row cannot (the kernel refuses the call), and the disk sees none of its requests."""
    path, _ = make_image(tmp_path, sectors=2048)
    files = {"boot/manifest": manifest_with_diskbench_calls(
        "    call block.info block.subscribe block.submit block.reap\n")}
    vm = make_qemu(drives=[path], files=files)
    vm.boot()
    assert call_row(vm, 1, 4096, 10)[0][0] == ("block", 1, 4096)
    done_before, _ = completed(vm)
    out = vm.command("call diskbench run 2 0 4096 1 10")
    assert re.match(r"^error: diskbench\.run: ", out) and "bench:" not in out, out
    assert completed(vm)[0] == done_before
    assert not vm.find(r"^(crash|failed): ")


def test_bench_disk_skips_block_paths_without_block(make_qemu, tmp_path):
    """A diskbench with no capability for block: both block rows are skipped, said once each."""
    path, _ = make_image(tmp_path, sectors=2048)
    vm = make_qemu(drives=[path], files={"boot/manifest": manifest_with_diskbench_calls("")})
    vm.boot()
    out = vm.command("bench disk 10", timeout=300)
    lines = out.splitlines()
    assert lines[-1] == "bench: done", out
    for name in ["block", "block-wait"]:
        assert lines.count("bench: disk-%s: not in this system: skipped" % name) == 1, out
    assert sorted(rows_of(out)) == sorted(expected_rows(["ahci"]))
