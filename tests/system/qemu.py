"""
qemu.py — the harness that drives Pinfold in QEMU, for the system tests and tools/bootbench.py.

Tests talk to Pinfold only through the console contract of DESIGN.md: lines on COM1, the
`pinfold: ready` line, the `pinfold> ` prompt.  The harness has three parts:

  Console    runs one process whose stdout/stdin is the serial console, collects its output
             on a reader thread, and waits for patterns in it.  Every wait also watches for
             fatal signs (a `PANIC:` or `EXCEPTION:` line, the boot banner a second time, the
             process exiting) and fails at once when one appears, instead of at the timeout
             (U-Boot's test/py does the same).
  Machine    a Console whose process is QEMU, built from the machine of DESIGN.md "Platform"
             plus per-test options: memory, IOMMU, devices, kernel command line, extra args.
  Monitor    QEMU's machine protocol (QMP) for a Machine started with monitor=True: what the
             guest cannot tell a test about itself, such as the bytes in guest physical memory.
  iso_for()  the ISO for a kernel command line: a copy of build/isodir with the words
             appended to the `multiboot2` line of grub.cfg, cached under build/test-isos/.

Waiting uses a cursor, as pexpect and xv6's gradelib do: wait_for() searches only the output
after the previous match, so a test reads the console in order.  find() searches from the top.
Both see complete lines only (unless asked for partial=True, as for the prompt): QEMU writes the
console a byte at a time, and `$` or `.*` would otherwise match half a line.

Output is text with CR LF turned into LF.  Timeouts are generous, for TCG on a loaded machine;
PINFOLD_TIMEOUT_SCALE multiplies all of them.
"""
import codecs
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
ISO = os.path.join(BUILD, "pinfold.iso")
ISODIR = os.path.join(BUILD, "isodir")
ISO_CACHE = os.path.join(BUILD, "test-isos")

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")

TIMEOUT_SCALE = float(os.environ.get("PINFOLD_TIMEOUT_SCALE", "1"))
BOOT_TIMEOUT = 60 * TIMEOUT_SCALE      # boot normally takes about a second
WAIT_TIMEOUT = 30 * TIMEOUT_SCALE      # any other wait
EXIT_TIMEOUT = 10 * TIMEOUT_SCALE      # from a panic to QEMU's exit

READY = r"^pinfold: ready$"
PROMPT = "pinfold> "
BANNER = "pinfold: booting"

# The kernel writes to isa-debug-exit on a panic; QEMU exits with (value << 1) | 1.
DEBUG_EXIT_ARGS = ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
PANIC_EXIT_STATUS = 33

TAIL_LINES = 40

# Lines that end a wait at once: (pattern, is_panic).  A test that declares expect_panic
# tolerates the panic ones.  Each Console copies this into its fatal_lines, which a test may
# change before it waits.
FATAL_LINES = [
    (re.compile(r"^(PANIC|EXCEPTION):"), True),
    (re.compile(r"^pinfold: boot failed"), True),
]


class ConsoleError(AssertionError):
    """A wait that failed; the message carries the reason and the tail of the console."""


def tail(text, lines=TAIL_LINES):
    return "\n".join(text.rstrip("\n").split("\n")[-lines:])


def _compile(pattern):
    if isinstance(pattern, re.Pattern):
        return pattern
    return re.compile(pattern, re.MULTILINE)


class _Fatal:
    def __init__(self, pos, reason, is_panic):
        self.pos, self.reason, self.is_panic = pos, reason, is_panic


class Console:
    """One process whose stdin/stdout is a Pinfold console.

    expect_panic: a PANIC: or EXCEPTION: line does not fail a wait (the test provokes one).
    workdir: where the live console log and the process's stderr go; if None, a temporary
    directory that kill() removes.
    """

    def __init__(self, argv, workdir=None, name="console", expect_panic=False):
        self.argv = list(argv)
        self.name = name
        self.expect_panic = expect_panic
        self.fatal_lines = list(FATAL_LINES)
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="pinfold-")
        os.makedirs(self.workdir, exist_ok=True)
        self.console_path = os.path.join(self.workdir, name + ".console.log")
        self.stderr_path = os.path.join(self.workdir, name + ".stderr.log")

        self._cond = threading.Condition()
        self._text = ""              # guarded by _cond, as are all fields below
        self._cursor = 0             # where the next wait_for starts searching
        self._arrivals = []          # (offset in _text, time.monotonic()) of each chunk
        self._scanned = 0            # output before this offset was checked for fatal lines
        self._banners = 0
        self._fatals = []            # fatal signs seen, in order, each a _Fatal
        self._eof = False
        self._at_prompt = False      # the cursor sits just after a prompt
        self._syncs = 0              # marker lines sync() has typed
        self.returncode = None
        self.started_at = None       # time.monotonic() when the process started,
        self.exited_at = None        # and when its output ended
        self._proc = None
        self._reader = None

    # ---- the process

    def start(self):
        self._stderr = open(self.stderr_path, "wb")
        self._log = open(self.console_path, "wb")
        self.started_at = time.monotonic()
        self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._stderr, cwd=ROOT)
        self._reader = threading.Thread(target=self._read, name=self.name + "-reader",
                                        daemon=True)
        self._reader.start()
        return self

    def _read(self):
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending_cr = ""
        fd = self._proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            now = time.monotonic()
            if chunk:
                self._log.write(chunk)
                self._log.flush()
            text = pending_cr + decoder.decode(chunk, final=not chunk)
            pending_cr = ""
            if chunk and text.endswith("\r"):      # maybe half of a CR LF
                text, pending_cr = text[:-1], "\r"
            text = text.replace("\r\n", "\n")
            with self._cond:
                if text:
                    self._arrivals.append((len(self._text), now))
                    self._text += text
                self._scan(final=not chunk)
                if not chunk:
                    self._proc.wait()
                    self.returncode = self._proc.returncode
                    self.exited_at = now
                    self._eof = True
                self._cond.notify_all()
            if not chunk:
                self._log.close()
                return

    def _scan(self, final):
        """Checks each newly completed line for fatal signs (called with _cond held)."""
        end = len(self._text) if final else self._text.rfind("\n", self._scanned) + 1
        if end <= self._scanned:
            return
        pos = self._scanned
        for line in self._text[self._scanned:end].split("\n"):
            for regex, is_panic in self.fatal_lines:
                if regex.search(line):
                    self._fatals.append(_Fatal(pos, "fatal line: " + line.strip(), is_panic))
                    break
            if line.startswith(BANNER):
                self._banners += 1
                if self._banners == 2:
                    self._fatals.append(_Fatal(pos, "the boot banner appeared a second time "
                                                    "(the machine rebooted)", False))
            pos += len(line) + 1
        self._scanned = end

    def _first_fatal(self):
        for f in self._fatals:
            if not (f.is_panic and self.expect_panic):
                return f
        return None

    def send(self, data):
        """Sends text (or bytes) to the console as they are."""
        if isinstance(data, str):
            data = data.encode()
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            self._fail("cannot send %r: the console's process has exited" % data[:40])
        with self._cond:
            self._at_prompt = False

    def kill(self):
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
        if self._proc:
            self._proc.wait()
        if self._reader:
            self._reader.join(5)     # it reads to the end of the output, then closes the log
        if self._proc:
            for f in (self._proc.stdin, self._proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
        if getattr(self, "_stderr", None):
            self._stderr.close()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """Waits for the process to end and returns its exit status."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._fail("the process did not exit within %.0f s" % timeout)
                self._cond.wait(left)
            return self.returncode

    # ---- reading the console

    @property
    def output(self):
        """All console output so far (LF line ends)."""
        with self._cond:
            return self._text

    def _end(self, partial):
        """Where a search may end: after the last complete line, unless partial or at EOF
        (called with _cond held)."""
        if partial or self._eof:
            return len(self._text)
        return self._text.rfind("\n") + 1

    def find(self, pattern, start=0, partial=False):
        """The first match of pattern in the output so far (from offset start), or None."""
        with self._cond:
            return _compile(pattern).search(self._text, start, self._end(partial))

    def findall(self, pattern, partial=False):
        """Every match of pattern in the output so far."""
        with self._cond:
            return list(_compile(pattern).finditer(self._text, 0, self._end(partial)))

    def arrival_time(self, pos):
        """When the character at offset pos arrived (time.monotonic())."""
        with self._cond:
            best = None
            for offset, when in self._arrivals:
                if offset > pos:
                    break
                best = when
            return best

    def wait_for(self, pattern, timeout=WAIT_TIMEOUT, partial=False):
        """Waits for pattern (a regex, MULTILINE) after the cursor; returns the match.

        Only complete lines are searched unless partial is true (for a prompt, which has no
        line end).  Fails at once on a fatal sign that comes before the match, and when the
        process has exited without printing it.
        """
        regex = _compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = regex.search(self._text, self._cursor, self._end(partial))
                fatal = self._first_fatal()
                if m and (fatal is None or m.end() <= fatal.pos):
                    self._cursor = m.end()
                    self._at_prompt = self._text.endswith(PROMPT, 0, m.end())
                    return m
                if fatal:
                    self._fail("%s (while waiting for /%s/)" % (fatal.reason, regex.pattern))
                if self._eof:
                    self._fail("the process exited with status %s before /%s/ appeared"
                               % (self.returncode, regex.pattern))
                left = deadline - time.monotonic()
                if left <= 0:
                    self._fail("timed out after %.0f s waiting for /%s/"
                               % (timeout, regex.pattern))
                self._cond.wait(left)

    def boot(self, timeout=BOOT_TIMEOUT):
        """Waits for `pinfold: ready`; returns the console output up to it."""
        m = self.wait_for(READY, timeout)
        return m.string[:m.end()]

    def command(self, line, timeout=WAIT_TIMEOUT):
        """Runs one shell command: waits for the prompt, sends line and CR, and returns what
        the shell printed before the next prompt, without the echo of line and without the
        last line end."""
        with self._cond:
            at_prompt = self._at_prompt
        if not at_prompt:
            self.wait_for("^" + re.escape(PROMPT), timeout, partial=True)
        self.send(line + "\r")
        start = self._cursor
        m = self.wait_for("^" + re.escape(PROMPT), timeout, partial=True)
        out = m.string[start:m.start()]
        if out.startswith(line):
            out = out[len(line):]
            if out.startswith("\n"):
                out = out[1:]
        return out[:-1] if out.endswith("\n") else out

    def sync(self, timeout=WAIT_TIMEOUT):
        """Brings the harness to a fresh prompt after commands it did not wait for (a crash
        that printed on its own, an inject whose answer comes after the restart): types a
        line that names no command and waits for the shell's error about it and the prompt
        after.  The shell takes lines in order, so all it owed earlier lines came before;
        pressing Enter alone cannot tell its own prompt from one still owed.  Ctrl-U first
        drops whatever was typed and left unfinished."""
        self._syncs += 1
        marker = "sync%d" % self._syncs
        self.send("\x15" + marker + "\r")
        self.wait_for(r"^error: unknown command '%s'" % marker, timeout)
        self.wait_for("^" + re.escape(PROMPT), timeout, partial=True)

    # ---- failing

    def log_text(self):
        """The whole record of this run: command, console, stderr, exit status."""
        with self._cond:
            text, rc = self._text, self.returncode
        try:
            with open(self.stderr_path, errors="replace") as f:
                stderr = f.read()
        except OSError:
            stderr = ""
        return ("# %s: %s\n# workdir %s\n# exit status %s\n%s\n# ---- stderr\n%s"
                % (self.name, shlex.join(self.argv), self.workdir, rc, text, stderr))

    def _fail(self, reason):
        text = self._text
        msg = "%s: %s\n---- console tail (%s) ----\n%s" % (
            self.name, reason, self.name, tail(text))
        try:
            with open(self.stderr_path, errors="replace") as f:
                stderr = f.read().strip()
        except OSError:
            stderr = ""
        if stderr:
            msg += "\n---- stderr ----\n" + tail(stderr, 10)
        raise ConsoleError(msg)


# ---- ISOs with a kernel command line

_GRUB_SAFE = re.compile(r"^[A-Za-z0-9=_.,:/+@%-]+$")
_KERNEL_LINE = re.compile(r"^(\s*multiboot2\s+/boot/kernel\.elf)(.*)$", re.MULTILINE)


def _grub_word(word):
    """A word quoted for GRUB's script parser (single quotes are literal in GRUB too)."""
    if _GRUB_SAFE.match(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def _tree_digest(top):
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, top).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


# Seconds an unused cached ISO is kept: each is 10 MB, and every kernel build makes new ones.
ISO_CACHE_MAX_AGE = 600


def _prune_iso_cache():
    now = time.time()
    for entry in glob.glob(os.path.join(ISO_CACHE, "*")):
        iso = os.path.join(entry, "pinfold.iso")
        try:
            used = os.path.getmtime(iso if os.path.exists(iso) else entry)
            if now - used > ISO_CACHE_MAX_AGE:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


def iso_for(cmdline, files=None):
    """The ISO that boots the kernel with cmdline (a string of words, or a list of them),
    and with `files` ({path in the ISO: bytes}, e.g. {"boot/manifest": b"..."}) put in
    place of the built ones, so tests can boot damaged manifests and images.

    The empty command line is build/pinfold.iso itself.  Others are built once per content of
    build/isodir and command line; parallel builders each build under a private name and
    os.replace() the result into place, so a reader never sees half an ISO.  Using an ISO
    touches it; building one removes those unused for ISO_CACHE_MAX_AGE (old kernels).
    """
    words = cmdline.split() if isinstance(cmdline, str) else list(cmdline)
    files = dict(files or {})
    if not words and not files:
        return ISO
    if not os.path.isdir(ISODIR):
        raise FileNotFoundError("%s is missing: run make first" % ISODIR)
    key = hashlib.sha256((_tree_digest(ISODIR) + "\0" + "\0".join(words)).encode())
    for path in sorted(files):
        key.update(b"\0" + path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    final_dir = os.path.join(ISO_CACHE, key.hexdigest()[:16])
    final = os.path.join(final_dir, "pinfold.iso")
    try:
        os.utime(final)
        return final
    except FileNotFoundError:
        pass
    _prune_iso_cache()
    os.makedirs(final_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="build-", dir=final_dir)
    try:
        tree = os.path.join(tmp, "isodir")
        shutil.copytree(ISODIR, tree)
        cfg_path = os.path.join(tree, "boot", "grub", "grub.cfg")
        with open(cfg_path) as f:
            cfg = f.read()
        args = " ".join(_grub_word(w) for w in words)
        for path, data in files.items():
            with open(os.path.join(tree, path), "wb") as f:
                f.write(data)
        cfg, n = _KERNEL_LINE.subn(lambda m: m.group(1) + m.group(2).rstrip() + (" " + args if args else ""), cfg)
        if n != 1:
            raise RuntimeError("%s: expected one `multiboot2 /boot/kernel.elf` line, found %d"
                               % (cfg_path, n))
        with open(cfg_path, "w") as f:
            f.write(cfg)
        with open(os.path.join(final_dir, "cmdline"), "w") as f:
            f.write(" ".join(words) + "\n")
        iso = os.path.join(tmp, "pinfold.iso")
        r = subprocess.run(["grub-mkrescue", "-o", iso, tree], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError("grub-mkrescue failed:\n" + r.stdout.decode(errors="replace"))
        os.replace(iso, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# ---- QEMU

NIC_NETDEV = "user,id=net0,restrict=on"


# Where the edu devices go (slot.function on bus 0), as boot/manifest expects them: the
# first is where QEMU would put it anyway, after the host bridge and the VGA at 00:01.0;
# explicit addresses keep them there whatever else a test adds.
EDU_ADDRESSES = ["02.0", "03.0"]


def edu_args(count):
    """-device options for `count` edu devices (True is one, False none)."""
    count = int(count)
    if not 0 <= count <= len(EDU_ADDRESSES):
        raise ValueError("edu: 0 to %d devices" % len(EDU_ADDRESSES))
    args = []
    for addr in EDU_ADDRESSES[:count]:
        args += ["-device", "edu,addr=%s,dma_mask=0xffffffffffffffff" % addr]
    return args


# The q35 ICH9 AHCI controller (00:1f.2) has ports ide.0 to ide.5; -cdrom takes ide.2.
AHCI_DISK_PORTS = [0, 1, 3, 4, 5]


def qemu_argv(iso=ISO, memory="512M", iommu=True, edu=True, devices=(), nic=None, smp=1,
              drives=(), trace=(), trace_file=None, extra_args=(), qmp_socket=None):
    """The QEMU command line: the machine of DESIGN.md "Platform" (as `make run` uses),
    the serial console on stdio, no human monitor (QMP on qmp_socket if given), and
    isa-debug-exit so a panic ends QEMU."""
    argv = [QEMU, "-M", "q35", "-accel", "tcg", "-cpu", "max", "-m", str(memory),
            "-smp", str(smp), "-nic", "none"]
    if iommu:
        argv += ["-device", "intel-iommu,intremap=on"]
    argv += edu_args(edu)
    if nic:
        # A NIC without a backend works, but QEMU warns that it "has no peer"; a restricted
        # user-mode backend keeps stderr clean and reaches nothing outside.
        argv += ["-netdev", NIC_NETDEV, "-device", "%s,netdev=net0" % nic]
    for dev in devices:
        argv += ["-device", dev]
    if len(drives) > len(AHCI_DISK_PORTS):
        raise ValueError("at most %d disks" % len(AHCI_DISK_PORTS))
    for i, (path, port) in enumerate(zip(drives, AHCI_DISK_PORTS)):
        argv += ["-drive", "file=%s,if=none,id=disk%d,format=raw" % (path, i),
                 "-device", "ide-hd,drive=disk%d,bus=ide.%d" % (i, port)]
    if drives:
        argv += ["-boot", "order=d"]       # the CD first: SeaBIOS would try the disks
    if trace:
        for pattern in trace:
            argv += ["-trace", "enable=" + pattern]
        if trace_file:
            argv += ["-D", trace_file]
    argv += ["-display", "none", "-no-reboot", "-serial", "stdio", "-monitor", "none"]
    if qmp_socket:
        argv += ["-qmp", "unix:%s,server=on,wait=off" % qmp_socket]
    argv += DEBUG_EXIT_ARGS
    argv += ["-cdrom", iso]
    argv += list(extra_args)
    return argv


class Machine(Console):
    """One QEMU running Pinfold.

    memory      -m value ("512M", "6G")
    iommu       add intel-iommu,intremap=on
    edu         add the edu device (dma_mask=2^64-1) at 00:02.0; edu=2 adds a second at 00:03.0
    devices     more -device specifications, e.g. ["ich9-ahci,id=ahci"]
    nic         a NIC model ("pcnet") on a restricted user-mode network
    drives      raw disk images for the AHCI ports; each is copied into the workdir first
                (the copies are in self.drives), so tests never share or change the originals
    cmdline     kernel command-line words (a string or a list)
    files       {path in the ISO: bytes} to boot instead of the built files (see iso_for)
    trace       QEMU trace-event patterns; the trace goes to <workdir>/<name>.trace.log
    extra_args  anything else for QEMU, appended last (disks, -icount, ...)
    monitor     give QEMU a QMP socket; self.monitor() is then a connected Monitor
    expect_panic, workdir, name: as for Console.
    """

    def __init__(self, memory="512M", iommu=True, edu=True, devices=(), nic=None, smp=1,
                 drives=(), cmdline="", trace=(), extra_args=(), expect_panic=False,
                 workdir=None, name="qemu", files=None, monitor=False):
        self.cmdline = cmdline
        # A socket's path may be only about 100 bytes long, which a test's workdir can
        # exceed: the socket gets a short directory of its own.
        self._qmp_dir = tempfile.mkdtemp(prefix="pf-qmp-") if monitor else None
        self._monitor = None
        self.iso = iso_for(cmdline, files)
        super().__init__([], workdir=workdir, name=name, expect_panic=expect_panic)
        self.drives = [self._copy(src, "%s.disk%d.img" % (name, i))
                       for i, src in enumerate(drives)]
        self.trace_path = os.path.join(self.workdir, name + ".trace.log") if trace else None
        self.argv = qemu_argv(self.iso, memory=memory, iommu=iommu, edu=edu, devices=devices,
                              nic=nic, smp=smp, drives=self.drives, trace=trace,
                              trace_file=self.trace_path, extra_args=extra_args,
                              qmp_socket=self._qmp_dir and os.path.join(self._qmp_dir, "qmp"))

    def monitor(self):
        """The Monitor of this machine (started with monitor=True), connected at first use."""
        if not self._qmp_dir:
            raise RuntimeError("%s: started without monitor=True" % self.name)
        if not self._monitor:
            self._monitor = Monitor(os.path.join(self._qmp_dir, "qmp"), self.workdir)
        return self._monitor

    def kill(self):
        if self._monitor:
            self._monitor.close()
        super().kill()
        if self._qmp_dir:
            shutil.rmtree(self._qmp_dir, ignore_errors=True)

    def _copy(self, src, name):
        dst = os.path.join(self.workdir, name)
        shutil.copyfile(src, dst)
        return dst


class MonitorError(RuntimeError):
    """QEMU refused a monitor command, or the monitor went away."""


class Monitor:
    """QEMU's machine protocol (QMP, docs/interop/qmp-spec) on a Machine's unix socket.

    QMP is JSON, one message a line: a greeting, then an answer ("return" or "error") for
    each command in order, with asynchronous "event" messages in between, which are
    skipped here.  The guest runs on while a test reads its memory: read_phys is meant
    for memory that must not change, where a torn read could only fail the test.
    """

    def __init__(self, path, workdir, timeout=WAIT_TIMEOUT):
        self.workdir = workdir
        self._dumps = 0
        deadline = time.monotonic() + timeout
        while True:     # QEMU creates the socket as it starts
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self._sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self._sock.close()
                if time.monotonic() > deadline:
                    raise MonitorError("no QMP socket at %s after %.0f s" % (path, timeout))
                time.sleep(0.05)
        self._sock.settimeout(timeout)
        self._file = self._sock.makefile("rwb")
        if "QMP" not in self._receive():
            raise MonitorError("QEMU did not greet with QMP")
        self.execute("qmp_capabilities")

    def _receive(self):
        line = self._file.readline()
        if not line:
            raise MonitorError("QEMU closed the monitor")
        return json.loads(line)

    def execute(self, command, **arguments):
        """Runs one QMP command; returns its "return" value, raises MonitorError on "error"."""
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self._file.write(json.dumps(message).encode() + b"\n")
        self._file.flush()
        while True:
            answer = self._receive()
            if "return" in answer:
                return answer["return"]
            if "error" in answer:
                raise MonitorError("%s: %s" % (command, answer["error"].get("desc", answer["error"])))

    def hmp(self, line):
        """A human-monitor command (`info registers`, `gva2gpa ADDR`, ...): its text."""
        return self.execute("human-monitor-command", **{"command-line": line})

    def read_phys(self, address, size):
        """size bytes of guest physical memory at address, as QEMU's pmemsave writes them."""
        self._dumps += 1
        path = os.path.join(self.workdir, "pmem%d.bin" % self._dumps)
        self.execute("pmemsave", val=address, size=size, filename=path)
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        if len(data) != size:
            raise MonitorError("pmemsave wrote %d bytes of %d at 0x%x" % (len(data), size, address))
        return data

    def close(self):
        for f in (self._file, self._sock):
            try:
                f.close()
            except OSError:
                pass


def require_iso():
    if not os.path.exists(ISO):
        raise FileNotFoundError("%s is missing: run make first" % ISO)


if __name__ == "__main__":
    # Boot once and show the console: python3 tests/system/qemu.py [cmdline words...]
    require_iso()
    vm = Machine(cmdline=sys.argv[1:]).start()
    try:
        vm.boot()
    finally:
        vm.kill()
        print(vm.output, end="")
