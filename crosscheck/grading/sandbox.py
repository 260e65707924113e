"""Running untrusted Python (a learner's submission, through a runner) where it can reach neither the
harness nor the process that judges it.

One entry, :func:`run`: the runner's files to expose read-only, the runner module to start (its
``main()`` reads the request on stdin and writes the reply on stdout), the request's bytes and a
timeout → an :class:`Ending`: the reply, at most ``MAX_REPLY_BYTES``, or the reason there is none.

With bubblewrap (Debian's ``bwrap``) and working namespaces, the child runs in new PID, mount,
network, user, IPC and UTS namespaces on an empty read-only root that holds only the interpreter,
its standard library (site-packages and dist-packages masked), the shared libraries the interpreter
and NumPy load, NumPy under /sandbox/deps and the runner's files under /sandbox/runner, all
read-only: nothing of the harness exists there, nor the host's /proc, nor a writable folder, nor a
network. The request (which carries the submission) goes in on stdin, so nothing is written to the
host. Ending the namespace's first process ends every process in it, a setsid double fork too.

Without them (no bwrap, or the kernel refuses the namespaces) the child is the contained child
process of before: ``-I -S``, its own session, resource limits, killed with its group; the runner and
NumPy are handed to it without a temporary folder. The grader makes itself non-dumpable meanwhile
(the child can neither ptrace it nor open its /proc files) and, as root, runs the child as nobody
when the interpreter is readable by nobody, else as root without capabilities. What that does not
stop is said in ``Isolation.weaker`` (reported with every verdict; docs/trust.md).

In both, where a pids cgroup can be made (cgroups.py), the child runs in one of its own, which caps
its processes (and their memory, where the memory controller is usable too) whatever its uid: the
one cap a fork bomb meets when the grader is root, for whom the kernel ignores RLIMIT_NPROC. What is
left in it when the child is ended (in the fallback, a setsid fork as root) is killed.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import json
import math
import os
import resource
import select
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from . import cgroups

FORCE_ENV = "DENSE_PARITY_SANDBOX"   # "fallback": skip bubblewrap (tests of the fallback, or a platform's choice)
RUNNER_DIR, DEPS_DIR = "/sandbox/runner", "/sandbox/deps"
MAX_REPLY_BYTES = 1 << 20          # the runner's reply for five small cases is a few kB
# The child's limits. Address space: importing NumPy and running the runner peaks near 260 MB of
# virtual memory (VmPeak, CPython 3.12, NumPy 2.0.2, one OpenBLAS thread), so 1 GiB leaves room for the
# learner's arrays but not for exhausting the grader's memory.
CHILD_ADDRESS_SPACE = 1 << 30
CHILD_FILE_SIZE = 1 << 20          # the child writes no file; a runaway write stops at 1 MiB
# RLIMIT_NPROC counts every process and thread of the user, not the child's, so no useful "at most n
# children" exists: 0 forbids the child any new process or thread (NumPy needs none with one OpenBLAS
# thread). The kernel does not apply it to a process whose real uid is root (in the sandbox, too, when
# the grader runs as root): there the child's cgroup caps its processes (cgroups.py), where one can be
# made, and the PID namespace ends whatever the child started.
CHILD_PROCESSES: int | None = 0
# The child's cgroup, where one can be made: every process and thread of the sandbox (bubblewrap, its
# init in the PID namespace and the interpreter: 3, by pids.peak; the fallback's child: 1) and a few
# more, then fork fails with EAGAIN whatever the uid; all their memory together (about 14 MB charged
# for a grading) as much as one of them may map.
CHILD_TASKS = 8
CHILD_MEMORY = CHILD_ADDRESS_SPACE
NOBODY = 65534
_SETTLE_S = 5.0   # the kernel ends a killed namespace's processes at once; this only bounds a stuck one
_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8", "PATH": os.defpath}

# Started as `python -I -S -B -c BOOTSTRAP`: -I -S: no site-packages, no PYTHON* variables, no current
# folder; -B: no bytecode written (the file-size limit would stop the write with SIGXFSZ).
_SANDBOX_BOOTSTRAP = """\
import resource, sys
module, nproc = sys.argv[1], int(sys.argv[2])
del sys.argv[1:]
if nproc >= 0:
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
sys.path += [{runner!r}, {deps!r}]
__import__(module).main()
"""
# The fallback has no private folder to put the runner in: its modules come as source in argv, and
# NumPy alone is found in its folder (sys.path keeps only the standard library).
_FALLBACK_BOOTSTRAP = """\
import importlib.abc, importlib.machinery, importlib.util, json, sys
sources, numpy_parent, module = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
del sys.argv[1:]
class Given(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in sources:
            return importlib.util.spec_from_loader(name, self, origin="<" + name + ">")
        if name == "numpy":
            return importlib.machinery.PathFinder.find_spec(name, [numpy_parent])
        return None
    def create_module(self, spec):
        return None
    def exec_module(self, mod):
        exec(compile(sources[mod.__name__], mod.__spec__.origin, "exec", dont_inherit=True), mod.__dict__)
sys.meta_path.append(Given())
__import__(module).main()
"""


@dataclasses.dataclass(frozen=True)
class Isolation:
    sandboxed: bool        # True: bubblewrap's namespaces; False: the contained child process
    name: str
    weaker: str | None     # what is not stopped, in one sentence; None in the sandbox (with a cgroup when root)
    child_uid: int | None = None   # the fallback's uid for the child when the grader is root (None: root, no capabilities)
    cgroup: bool = False   # each child in a cgroup of its own (cgroups.py), its limits said in ``name``


@dataclasses.dataclass(frozen=True)
class Ending:
    reply: bytes | None    # what the child wrote on stdout before it exited; None when it did not end by itself
    reason: str            # "exited", "timeout" (still running), "flood" (more than MAX_REPLY_BYTES)
    isolation: Isolation


# --- what the child may see --------------------------------------------------------------------------

def numpy_dirs() -> list[Path]:
    """NumPy's package folder and, for a manylinux wheel, its bundled libraries next to it."""
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [p for p in (package, package.with_name("numpy.libs")) if p.exists()]


def interpreter() -> Path:
    # The base interpreter, not a venv's link to it: the venv (and its site-packages) stays out of reach.
    return Path(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))


def _stdlib_dirs() -> list[Path]:
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix, "installed_base": sys.base_prefix,
            "installed_platbase": sys.base_exec_prefix}
    paths = sysconfig.get_paths(vars=base)
    return sorted({Path(os.path.realpath(paths[k])) for k in ("stdlib", "platstdlib")})


def _masked_dirs(stdlib: list[Path]) -> list[Path]:
    """Package folders inside what is exposed: shown empty, so that no installed harness is in reach."""
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    paths = sysconfig.get_paths(vars=base)
    found = {Path(os.path.realpath(paths[k])) for k in ("purelib", "platlib")}
    for folder in stdlib:
        found |= {p for p in folder.iterdir() if p.name in ("site-packages", "dist-packages") and p.is_dir()}
    return sorted(p for p in found if p.is_dir())


def _elf_interpreter(binary: Path) -> str | None:
    """The program interpreter (PT_INTERP) of a 64-bit little-endian ELF file, e.g. /lib64/ld-linux-x86-64.so.2."""
    with open(binary, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            return None
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        for k in range(phnum):
            f.seek(phoff + k * phentsize)
            kind, _, offset, _, _, size = struct.unpack("<IIQQQQ", f.read(40))
            if kind == 3:  # PT_INTERP
                f.seek(offset)
                return f.read(size).rstrip(b"\0").decode()
    return None


def _mapped_libraries() -> set[Path]:
    """The shared objects this process has loaded (the interpreter's and NumPy's), by their real paths."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            path = fields[5].strip() if len(fields) == 6 else ""
            if path.startswith("/") and ".so" in Path(path).name and os.path.isfile(path):
                found.add(Path(path))
    return found


def _system_library_dirs() -> set[Path]:
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    names = ["/lib", "/lib64", "/usr/lib", "/usr/lib64"] + ([f"/lib/{arch}", f"/usr/lib/{arch}"] if arch else [])
    return {Path(os.path.realpath(n)) for n in names if os.path.isdir(n)}


class _Mounts:
    """bwrap's mount arguments, with the host's symbolic links on the way mirrored, so that a path the
    loader or the interpreter names (/lib64/ld-linux-x86-64.so.2 through /lib64 → usr/lib64) resolves."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.bound: list[Path] = []
        self.links: set[str] = set()

    def _covered(self, path: Path) -> bool:
        return any(path == b or b in path.parents for b in self.bound)

    def expose(self, path: str | Path, depth: int = 0) -> None:
        path = Path(os.path.normpath(path))
        if depth > 16 or not path.exists():
            return
        here = Path("/")
        for k, part in enumerate(path.parts[1:], 1):
            step = here / part
            if step.is_symlink() and not self._covered(step):
                target = os.readlink(step)
                if str(step) not in self.links:
                    self.links.add(str(step))
                    self.args += ["--symlink", target, str(step)]
                self.expose(Path(here, target, *path.parts[k + 1:]), depth + 1)
                return
            here = step
        self.bind(here, here)

    def bind(self, source: Path, dest: str | Path) -> None:
        dest = Path(dest)
        if not self._covered(dest):
            self.args += ["--ro-bind", str(source), str(dest)]
            self.bound.append(dest)


def _bwrap_argv(bwrap: str, files: Mapping[str, Path], argv: list[str]) -> list[str]:
    python = interpreter()
    mounts = _Mounts()
    interp = _elf_interpreter(python)
    if interp:
        mounts.expose(interp)
    if os.path.exists("/etc/ld.so.cache"):
        mounts.expose("/etc/ld.so.cache")
    numpy = numpy_dirs()
    stdlib = _stdlib_dirs()
    system = _system_library_dirs()
    base = Path(os.path.realpath(sys.base_prefix))
    for library in sorted(_mapped_libraries()):
        if any(d == library.parent or d in library.parents for d in [*numpy, *stdlib]):
            continue
        if library.parent in system:
            # Whole, for the links by which the loader finds a library (libz.so.1 → libz.so.1.2.13).
            for name in ("/lib", "/usr/lib"):
                alias = Path(name, library.parent.name)
                if library.parent.parent == Path(os.path.realpath(name)) and alias.exists():
                    mounts.expose(alias)
            mounts.expose(library.parent)
        elif base in library.parents and not {"site-packages", "dist-packages"} & set(library.parts):
            mounts.expose(library)   # libpython, beside the standard library; nothing from elsewhere
    mounts.expose(python)
    for folder in stdlib:
        mounts.expose(folder)
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--uid", str(NOBODY), "--gid", str(NOBODY),
            "--clearenv", *mounts.args]
    for masked in _masked_dirs(stdlib):
        args += ["--tmpfs", str(masked), "--remount-ro", str(masked)]
    for folder in numpy:
        args += ["--ro-bind", str(folder), f"{DEPS_DIR}/{folder.name}"]
    for name, source in files.items():
        args += ["--ro-bind", str(source), f"{RUNNER_DIR}/{name}"]
    for key, value in _ENV.items():
        args += ["--setenv", key, value]
    return [*args, "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/",
            *argv]


def _sandbox_command(bwrap: str, files: Mapping[str, Path], module: str, nproc: int) -> list[str]:
    code = _SANDBOX_BOOTSTRAP.format(runner=RUNNER_DIR, deps=DEPS_DIR)
    return _bwrap_argv(bwrap, files, [str(interpreter()), "-I", "-S", "-B", "-c", code, module, str(nproc)])


# --- which isolation this machine gives ------------------------------------------------------------

def _readable_by_nobody(paths: list[Path]) -> bool:
    for path in paths:
        for step in [*reversed(path.parents), path]:
            mode = step.stat().st_mode
            if not mode & 0o001 or (step == path and not mode & 0o004):
                return False
    return True


def _fallback(why: str) -> Isolation:
    uid = None
    if os.getuid() == 0:
        if _readable_by_nobody([interpreter(), *_stdlib_dirs(), *numpy_dirs()]):
            uid, who = NOBODY, "runs as nobody (uid 65534): it can read every file nobody can read"
        else:
            who = ("runs as root without capabilities (nobody cannot reach the interpreter): it can read, and "
                   "write, every file root owns, the harness included")
    else:
        who = "runs as the grading user: it can read and write every file that user can"
    return Isolation(False, "contained child process",
                     f"no sandbox ({why}): the submission {who}, so it can load the harness's reference layer "
                     "and pass; it has the network; the grader is non-dumpable, so the child cannot ptrace it or "
                     "open its /proc files", uid)


def _with_cgroup(chosen: Isolation, why_not: str | None = None) -> Isolation:
    """``chosen`` with each child in a cgroup of its own, or, when none can be made (``why_not``, or the
    probe's reason), saying so where that leaves the child's processes uncapped: a child with root's uid."""
    support = cgroups.support(CHILD_TASKS, CHILD_MEMORY)
    if why_not is None and support.summary is not None:
        return dataclasses.replace(chosen, name=f"{chosen.name}, {support.summary}", cgroup=True)
    if os.getuid() != 0 or chosen.child_uid is not None:   # RLIMIT_NPROC 0 applies to the child
        return chosen
    uncapped = (f"no cgroup for the child ({why_not or support.why_not}): as root, the processes it starts are "
                "capped only by the timeout (the kernel does not apply RLIMIT_NPROC to root)")
    if chosen.weaker is None:
        return dataclasses.replace(chosen, weaker=uncapped + ", so a fork bomb can take the machine's memory and "
                                                          "process table until then")
    return dataclasses.replace(chosen, weaker=f"{chosen.weaker}; {uncapped}")


def isolation() -> Isolation:
    """Bubblewrap when it is installed and the kernel gives it namespaces (one probe, cached), else the
    fallback; each child in a cgroup of its own where one can be made (one probe, cached)."""
    return _with_cgroup(_namespaces_or_not())


def _namespaces_or_not() -> Isolation:
    if os.environ.get(FORCE_ENV) == "fallback":
        return _fallback(f"{FORCE_ENV}=fallback")
    return _probe()


@functools.cache
def _probe() -> Isolation:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return _fallback("bubblewrap (bwrap) is not installed")
    try:
        probe = _bwrap_argv(bwrap, {}, [str(interpreter()), "-I", "-S", "-B", "-c", "import math"])
        done = subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, env=_ENV)
    except (OSError, subprocess.SubprocessError) as exc:
        return _fallback(f"bwrap did not run: {exc}")
    if done.returncode != 0:
        why = (done.stderr.decode(errors="replace").strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return _fallback(f"bwrap failed: {why[:200]}")
    return Isolation(True, f"bubblewrap ({bwrap})", None)


# --- running the child ---------------------------------------------------------------------------

def child_limits(timeout_s: float, processes: int | None) -> list[tuple[int, tuple[int, int]]]:
    """The (resource, (soft, hard)) pairs for the child, never above this process's own hard limits
    (which setrlimit would refuse in the child, where the error could not be reported)."""
    cpu = math.ceil(timeout_s) + 1  # a second stop, on CPU time, should the wall-clock kill fail
    wanted = [(resource.RLIMIT_AS, CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE),
              (resource.RLIMIT_FSIZE, CHILD_FILE_SIZE, CHILD_FILE_SIZE),
              (resource.RLIMIT_CORE, 0, 0),
              (resource.RLIMIT_CPU, cpu, cpu + 1)]
    if processes is not None:
        wanted.append((resource.RLIMIT_NPROC, processes, processes))
    limits = []
    for which, soft, hard in wanted:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        limits.append((which, (soft, hard)))
    return limits


_libc = ctypes.CDLL(None, use_errno=True)
_prctl = getattr(_libc, "prctl", lambda *args: -1)   # Linux's; elsewhere there is no sandbox and nothing to set
_PR_SET_PDEATHSIG, _PR_GET_DUMPABLE, _PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 1, 3, 4, 24, 38


def _last_capability() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 63


def _prepare_child(limits, drop_capabilities: int | None, cgroup: cgroups.Cgroup | None) -> None:
    # Runs in the child between fork and exec: only system calls, on values computed before the fork.
    if cgroup is not None:   # first: every process the child starts is born in its cgroup
        cgroup.join()
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)   # the child dies with a grader killed outright
    if drop_capabilities is not None:  # root without capabilities, and no way to regain them
        for cap in range(drop_capabilities + 1):
            _prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)
        _prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    for which, pair in limits:
        resource.setrlimit(which, pair)


_CLEANUP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclasses.dataclass
class _Child:
    proc: subprocess.Popen
    info: int | None = None          # bwrap's --info-fd, read for the namespace's first process
    info_text: bytes = b""
    init: int | None = None          # a pidfd on that process: killing it ends the whole namespace
    cgroup: cgroups.Cgroup | None = None


def _watch_init(child: _Child) -> None:
    try:
        pid = int(json.loads(child.info_text)["child-pid"])
        fd = os.pidfd_open(pid)
    except (ValueError, KeyError, TypeError, OSError):
        return
    try:  # a pid reused since that process ended would not be bwrap's child: then the pidfd is not kept
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        ppid = None
    if ppid == child.proc.pid:
        child.init = fd
    else:
        os.close(fd)


def _end(child: _Child) -> None:
    """Kills everything the child started and waits until it is gone (a grader's SIGTERM waits for this)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _CLEANUP_SIGNALS)
    try:
        _kill_all(child)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _kill_all(child: _Child) -> None:
    if child.init is not None:
        try:
            signal.pidfd_send_signal(child.init, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # Readable once the namespace's first process has exited, which the kernel lets happen only
        # after every other process of the namespace is gone.
        select.select([child.init], [], [], _SETTLE_S)
        os.close(child.init)
        child.init = None
    try:
        os.killpg(child.proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group is already empty
        pass
    child.proc.wait()
    if child.info is not None:
        os.close(child.info)
        child.info = None
    if child.cgroup is not None:
        # Empty already in the sandbox; in the fallback, what left the child's group (a setsid fork) is here.
        child.cgroup.kill_all()
        child.cgroup.remove()
        child.cgroup = None


def _exchange(child: _Child, request: bytes, timeout_s: float) -> tuple[bytearray, str]:
    proc = child.proc
    deadline = time.monotonic() + timeout_s
    out, pending = bytearray(), memoryview(request)
    selector = selectors.DefaultSelector()
    try:
        exited = os.pidfd_open(proc.pid)  # readable once the child exits
    except (AttributeError, OSError):  # no pidfd (Linux < 5.3): poll the child instead
        exited = None
    try:
        for stream in (proc.stdin, proc.stdout):
            os.set_blocking(stream.fileno(), False)
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stdin, selectors.EVENT_WRITE)
        if child.info is not None:
            selector.register(child.info, selectors.EVENT_READ)
        if exited is not None:
            selector.register(exited, selectors.EVENT_READ)
        while proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return out, "timeout"
            for key, _ in selector.select(remaining if exited is not None else min(remaining, 0.05)):
                if key.fileobj is proc.stdout:
                    chunk = os.read(proc.stdout.fileno(), 1 << 16)
                    if not chunk:
                        selector.unregister(proc.stdout)
                    out += chunk
                elif key.fileobj is proc.stdin:
                    try:
                        pending = pending[os.write(proc.stdin.fileno(), pending[:1 << 16]):]
                    except BrokenPipeError:  # the child stopped reading: what it answers is judged
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
                elif key.fileobj is child.info:
                    chunk = os.read(child.info, 4096)
                    child.info_text += chunk
                    if not chunk or len(child.info_text) > 4096:
                        selector.unregister(child.info)
                        _watch_init(child)
            if len(out) > MAX_REPLY_BYTES:
                return out, "flood"
        return out, "exited"
    finally:
        selector.close()
        if exited is not None:
            os.close(exited)


def _drain(proc: subprocess.Popen, out: bytearray) -> None:
    """What the child wrote before it exited, still in the pipe."""
    while len(out) <= MAX_REPLY_BYTES:
        try:
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:  # a descendant that escaped the group still holds the pipe (fallback as root)
            return
        if not chunk:
            return
        out += chunk


def _spawn(files: Mapping[str, Path], module: str, timeout_s: float, chosen: Isolation,
           cgroup: cgroups.Cgroup | None) -> _Child:
    popen = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_ENV,
                 start_new_session=True, cwd="/")
    nproc = -1 if CHILD_PROCESSES is None else CHILD_PROCESSES
    if chosen.sandboxed:
        read_end, write_end = os.pipe()
        argv = _sandbox_command(shutil.which("bwrap") or "bwrap", files, module, nproc)
        argv[1:1] = ["--info-fd", str(write_end)]
        limits = child_limits(timeout_s, None)   # bwrap itself must fork: the process limit is set inside
        try:
            proc = subprocess.Popen(argv, pass_fds=(write_end,),
                                    preexec_fn=functools.partial(_prepare_child, limits, None, cgroup), **popen)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        return _Child(proc, info=read_end, cgroup=cgroup)
    sources = {Path(name).stem: Path(source).read_text() for name, source in files.items()}
    numpy_parent = str(numpy_dirs()[0].parent)
    argv = [str(interpreter()), "-I", "-S", "-B", "-c", _FALLBACK_BOOTSTRAP, json.dumps(sources), numpy_parent, module]
    extra: dict = {}
    drop = None
    if os.getuid() == 0:
        if chosen.child_uid is not None:
            extra = {"user": chosen.child_uid, "group": chosen.child_uid, "extra_groups": []}
        else:
            drop = _last_capability()
    limits = child_limits(timeout_s, CHILD_PROCESSES)
    proc = subprocess.Popen(argv, preexec_fn=functools.partial(_prepare_child, limits, drop, cgroup), **extra, **popen)
    return _Child(proc, cgroup=cgroup)


def run(files: Mapping[str, Path], module: str, request: bytes, timeout_s: float) -> Ending:
    """Runs ``module``'s ``main()`` (one of ``files``: {file name in the runner's folder: path here}) on
    ``request`` in the sandbox (or the fallback), for at most ``timeout_s`` seconds. When this returns,
    no process the child started is left and nothing of it is left on disk."""
    base = _namespaces_or_not()
    chosen = _with_cgroup(base)
    dumpable = None if chosen.sandboxed else _prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        def interrupted(signum, _frame):
            raise _Interrupted(signum)
        handlers = {s: signal.signal(s, interrupted) for s in _CLEANUP_SIGNALS}
    try:
        if dumpable is not None:
            _prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        cgroup = None
        if chosen.cgroup:
            places = cgroups.support(CHILD_TASKS, CHILD_MEMORY).places
            cgroups.sweep(places)
            try:
                cgroup = cgroups.Cgroup(places)
            except OSError as exc:   # made once by the probe; now refused (a limit on cgroups reached, say)
                chosen = _with_cgroup(base, f"{exc.strerror or exc}")
        try:
            child = _spawn(files, module, timeout_s, chosen, cgroup)
        except subprocess.SubprocessError:   # the preparation between fork and exec failed
            if cgroup is None:
                raise
            cgroup.remove()
            cgroup, chosen = None, _with_cgroup(base, "the child could not join it")
            child = _spawn(files, module, timeout_s, chosen, None)
        except BaseException:
            if cgroup is not None:
                cgroup.remove()
            raise
        try:
            out, reason = _exchange(child, request, timeout_s)
        finally:
            _end(child)
        if reason == "exited":
            _drain(child.proc, out)
            if len(out) > MAX_REPLY_BYTES:
                reason = "flood"
        for stream in (child.proc.stdin, child.proc.stdout):
            if not stream.closed:
                stream.close()
    except _Interrupted as exc:
        # Everything is cleaned up by now: die of the signal, as without the handler.
        for s, handler in handlers.items():
            signal.signal(s, handler)
        handlers = {}
        signal.signal(exc.signum, signal.SIG_DFL)
        os.kill(os.getpid(), exc.signum)
        raise SystemExit(128 + exc.signum) from None
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)
        if dumpable is not None:
            _prctl(_PR_SET_DUMPABLE, dumpable, 0, 0, 0)
    return Ending(bytes(out) if reason == "exited" else None, reason, chosen)
