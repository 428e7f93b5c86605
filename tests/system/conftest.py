"""
conftest.py — pytest fixtures for the system tests, and the keeping of console logs.

Fixtures:
  make_qemu(**options)  starts a fresh QEMU (qemu.Machine options) and returns it; every QEMU a
                        test starts is killed at the end of the test.
  vm                    the default machine (as `make run`), started, not yet booted.
  make_console(argv)    the same for any process that acts as a console (the harness's own tests).

Each test's files (console log, QEMU stderr, traces, disk copies) live in its own pytest
tmp_path, so tests run in parallel (`-n auto`) without sharing anything but the ISO cache.

When a test fails, the whole console of every machine it started is saved to
build/test-logs/<test-id>.log (and QEMU traces next to it), and the report gets a section
naming the file.  A log stays until the same test fails again or `make clean`, so a failure
that does not repeat (a flaky test) can still be read after later runs pass.
"""
import os
import re
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import qemu  # noqa: E402  (the path above first)

LOG_DIR = os.path.join(qemu.BUILD, "test-logs")


def _test_id(item):
    """tests/system/test_mem.py::test_memory[2G] -> test_mem.test_memory-2G"""
    module = os.path.splitext(os.path.basename(item.nodeid.split("::")[0]))[0]
    name = "::".join(item.nodeid.split("::")[1:])
    return re.sub(r"[^A-Za-z0-9._]+", "-", module + "." + name).strip("-")


def _consoles(item):
    return item.__dict__.setdefault("_pinfold_consoles", [])


@pytest.fixture
def make_console(request, tmp_path):
    consoles = _consoles(request.node)

    def make(argv, **options):
        options.setdefault("workdir", str(tmp_path))
        options.setdefault("name", "console%d" % (len(consoles) + 1))
        c = qemu.Console(argv, **options)
        consoles.append(c)
        return c.start()

    yield make
    for c in consoles:
        c.kill()


@pytest.fixture
def make_qemu(request, tmp_path):
    if not os.path.exists(qemu.ISO):
        pytest.fail("%s is missing: run make first" % qemu.ISO, pytrace=False)
    consoles = _consoles(request.node)

    def make(**options):
        options.setdefault("workdir", str(tmp_path))
        n = sum(isinstance(c, qemu.Machine) for c in consoles)
        options.setdefault("name", "qemu" if n == 0 else "qemu%d" % (n + 1))
        vm = qemu.Machine(**options)
        consoles.append(vm)
        return vm.start()

    yield make
    for c in consoles:
        c.kill()


@pytest.fixture
def vm(make_qemu):
    return make_qemu()


def _save_logs(item):
    os.makedirs(LOG_DIR, exist_ok=True)
    base = os.path.join(LOG_DIR, _test_id(item))
    with open(base + ".log", "w") as f:
        f.write("\n\n".join(c.log_text() for c in _consoles(item)))
    saved = [base + ".log"]
    for c in _consoles(item):
        path = getattr(c, "trace_path", None)
        if path and os.path.exists(path):
            dst = "%s.%s.trace.log" % (base, c.name)
            shutil.copyfile(path, dst)
            saved.append(dst)
    return saved


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    consoles = _consoles(item)
    if rep.failed:
        item._pinfold_failed = True
        if not consoles:
            return
        saved = _save_logs(item)
        lines = ["console log saved to " + os.path.relpath(p, qemu.ROOT) for p in saved]
        # A ConsoleError already carries the tail; an assertion in the test does not.
        if not (call.excinfo and call.excinfo.errisinstance(qemu.ConsoleError)):
            for c in consoles:
                lines.append("---- console tail (%s) ----\n%s" % (c.name, qemu.tail(c.output)))
        rep.sections.append(("pinfold console", "\n".join(lines)))
    elif rep.when == "teardown" and getattr(item, "_pinfold_failed", False):
        _save_logs(item)              # again, now with all the output up to the kill
