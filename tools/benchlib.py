"""benchlib.py — what the benchmark tools share: one boot of Pinfold that runs a guest
benchmark, and the `bench: NAME VALUE UNIT` lines it prints.

A guest benchmark (components/benchipc, components/irqbench, the shell's `bench pin`) prints
its figures as `bench:` lines and ends with `bench: done`, or with `bench: error: WHY`, which
stops the tool at once instead of after the boot's timeout.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "system"))
import qemu  # noqa: E402


def figures(text):
    """{NAME: VALUE} of every `bench: NAME VALUE UNIT` line in text."""
    return dict((name, int(value)) for name, value in
                re.findall(r"^bench: (\S+) (\d+) \S+$", text, re.M))


def run_at_boot(tool, cmdline, extra_args):
    """Boots a fresh Pinfold with the boot option `cmdline` (which starts the guest benchmark)
    and QEMU's extra_args; the figures, once it says `bench: done`."""
    vm = qemu.Machine(cmdline=cmdline, extra_args=extra_args, workdir=None, name=tool)
    vm.start()
    try:
        m = vm.wait_for(r"^bench: (done|error: .*)$", timeout=300)
        if m.group(1) != "done":
            sys.exit("%s: the guest says: %s" % (tool, m.group(0)))
        return figures(vm.output)
    finally:
        vm.kill()
