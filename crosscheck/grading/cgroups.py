"""A cgroup of its own for each graded child, so that the kernel caps how many processes (and threads)
it may run and how much memory they may take together.

Resource limits cannot do this for a grader that runs as root: the kernel does not apply
RLIMIT_NPROC to root's processes, and bubblewrap's user namespace maps the sandbox's uid to the
grader's, so a fork bomb would run until the timeout. A cgroup's ``pids.max`` is applied whatever the
uid. The cgroups are made under the grader's own cgroup in each hierarchy (cgroup v1: the pids and
memory hierarchies; v2: the unified one, where the grader's cgroup delegates the controllers), never
elsewhere, so the child stays inside whatever limits the grader itself is under.

The child joins its cgroup between fork and exec (:meth:`Cgroup.join`, through a ``cgroup.procs``
file opened beforehand), so every process it starts is born inside. Each cgroup is named
``dense-parity-grade-<grader pid>-<n>``, removed once its processes are gone, and swept at a later
grade if its grader was killed before removing it.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import re
import signal
import threading
import time
from pathlib import Path

PREFIX = "dense-parity-grade-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-(\w+)")
_SETTLE_S = 5.0        # killed processes leave their cgroup at once; this only bounds a stuck one


@dataclasses.dataclass(frozen=True)
class _Place:
    """Where child cgroups are made in one hierarchy (the grader's own cgroup there), and what is
    written into each: (file name, value) pairs, in order."""
    parent: Path
    limits: tuple[tuple[str, str], ...]
    optional: tuple[tuple[str, str], ...] = ()   # written where the file exists (swap, group OOM kill)


@dataclasses.dataclass(frozen=True)
class Support:
    places: tuple[_Place, ...]
    summary: str | None   # e.g. "cgroup v1: at most 8 tasks, 1024 MiB of memory"; None: no cgroup
    why_not: str | None   # when no pids cgroup can be made, in a few words


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _mounts(mountinfo: str) -> list[tuple[str, str, str, set[str]]]:
    """(file system type, root in the hierarchy, mount point, super options) of each cgroup mount."""
    found = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            found.append((tail[0], _unescape(fields[3]), _unescape(fields[4]), set(tail[2].split(","))))
    return found


def _inside(mount_root: str, mount_point: str, path: str) -> Path | None:
    """The folder of the cgroup ``path`` under a mount of the hierarchy's ``mount_root``, if it shows it."""
    root, path = mount_root.rstrip("/") + "/", path.rstrip("/") + "/"
    if not path.startswith(root):
        return None
    return Path(mount_point, path[len(root):])


def own_cgroups(proc_cgroup: str, mountinfo: str) -> dict[str, Path]:
    """This process's cgroup folder for the pids and memory controllers ("pids", "memory": cgroup v1)
    and for the unified hierarchy ("unified": cgroup v2), where one is mounted."""
    mounts = _mounts(mountinfo)
    found: dict[str, Path] = {}
    for line in proc_cgroup.splitlines():
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if not path.startswith("/"):
            continue
        if number == "0" and controllers == "":
            wanted = [("unified", "cgroup2", None)]
        else:
            wanted = [(c, "cgroup", c) for c in controllers.split(",") if c in ("pids", "memory")]
        for key, kind, option in wanted:
            for fs, root, point, options in mounts:
                if fs == kind and (option is None or option in options) and key not in found:
                    folder = _inside(root, point, path)
                    if folder is not None and folder.is_dir():
                        found[key] = folder
    return found


def _places(own: dict[str, Path], max_tasks: int, max_memory: int) -> list[_Place]:
    places = []
    if "pids" in own:
        places.append(_Place(own["pids"], (("pids.max", str(max_tasks)),)))
    if "memory" in own:
        places.append(_Place(own["memory"], (("memory.limit_in_bytes", str(max_memory)),),
                             (("memory.memsw.limit_in_bytes", str(max_memory)),)))
    unified = own.get("unified")
    if unified is not None and "pids" not in own:
        offered = _words(unified / "cgroup.controllers")
        for controller in ("pids", "memory"):
            if controller in offered and controller not in _words(unified / "cgroup.subtree_control"):
                # Where the kernel lets the grader's cgroup hand it down: the root; pids, a threaded
                # controller, beside processes too; memory not beside processes, except at the root.
                _try_write(unified / "cgroup.subtree_control", "+" + controller)
        delegated = _words(unified / "cgroup.subtree_control")
        if "pids" in delegated:
            limits = [("pids.max", str(max_tasks))]
            optional = []
            if "memory" in delegated:
                limits.append(("memory.max", str(max_memory)))
                optional += [("memory.swap.max", "0"), ("memory.oom.group", "1")]
            places.append(_Place(unified, tuple(limits), tuple(optional)))
    return places


def _words(path: Path) -> set[str]:
    try:
        return set(path.read_text().split())
    except OSError:
        return set()


def _try_write(path: Path, text: str) -> bool:
    try:
        path.write_text(text)
        return True
    except OSError:
        return False


_counter = itertools.count()
_active: set[str] = set()
_lock = threading.Lock()


def _new_name() -> str:
    with _lock:
        name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        _active.add(name)
    return name


class Cgroup:
    """One child's cgroup in each usable hierarchy."""

    def __init__(self, places: tuple[_Place, ...]) -> None:
        self.name = _new_name()
        self.folders: list[Path] = []
        self.procs: list[int] = []   # cgroup.procs of each, opened here: the child joins by writing to them
        try:
            for place in places:
                folder = place.parent / self.name
                folder.mkdir()
                self.folders.append(folder)
                for file, value in place.limits:
                    (folder / file).write_text(value)
                for file, value in place.optional:
                    if (folder / file).exists():
                        _try_write(folder / file, value)
                self.procs.append(os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        except BaseException:
            self.remove()
            raise

    def join(self) -> None:
        """Moves the calling process into the cgroup (in the child, between fork and exec: system calls only)."""
        for fd in self.procs:
            os.write(fd, b"0")

    def pids(self) -> set[int]:
        found = set()
        for folder in self.folders:
            try:
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return found

    def kill_all(self) -> None:
        """SIGKILLs whatever is still inside (a setsid process of the fallback's child, say) and waits
        until the cgroup is empty: few rounds, since what is inside cannot outgrow its pids.max."""
        deadline = time.monotonic() + _SETTLE_S
        while (inside := self.pids()) and time.monotonic() < deadline:
            for pid in inside:
                _kill_if_inside(pid, self.name)
            time.sleep(0.001)

    def remove(self) -> None:
        for fd in self.procs:
            os.close(fd)
        self.procs = []
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:   # still busy: a later sweep removes it
                pass
        self.folders = []
        with _lock:
            _active.discard(self.name)


def _kill_if_inside(pid: int, name: str) -> None:
    try:
        fd = os.pidfd_open(pid)
    except OSError:   # gone already
        return
    try:  # read after the pidfd is held, so that a reused pid is not mistaken for the child's process
        if f"/{name}\n" in Path(f"/proc/{pid}/cgroup").read_text():
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(places: tuple[_Place, ...]) -> None:
    """Removes the empty cgroups of graders that no longer run (killed before they could)."""
    me = os.getpid()
    for place in places:
        try:
            entries = list(os.scandir(place.parent))
        except OSError:
            continue
        for entry in entries:
            match = _NAME.fullmatch(entry.name)
            if not match or not entry.is_dir(follow_symlinks=False):
                continue
            pid = int(match.group(1))
            with _lock:
                busy = entry.name in _active
            if busy or (pid != me and _alive(pid)) or _words(Path(entry.path, "cgroup.procs")):
                continue
            try:
                os.rmdir(entry.path)
            except OSError:
                pass


@functools.cache
def support(max_tasks: int, max_memory: int) -> Support:
    """Where this process can make cgroups that hold at most ``max_tasks`` processes and threads and,
    where a memory controller is usable too, ``max_memory`` bytes (one probe per process: a cgroup
    made, limited and removed in each hierarchy)."""
    try:
        own = own_cgroups(Path("/proc/self/cgroup").read_text(), Path("/proc/self/mountinfo").read_text())
    except OSError as exc:
        return Support((), None, f"cgroups unreadable: {exc.strerror}")
    if not own:
        return Support((), None, "no cgroup hierarchy mounted")
    usable = []
    for place in _places(own, max_tasks, max_memory):
        try:
            Cgroup((place,)).remove()
            usable.append(place)
        except OSError:
            pass
    if not any(name == "pids.max" for place in usable for name, _ in place.limits):
        where = ", ".join(str(p) for p in own.values())
        return Support((), None, f"no pids cgroup can be made under {where}")
    memory = any(name.startswith("memory.") for place in usable for name, _ in place.limits)
    version = "v2" if usable[0].parent == own.get("unified") else "v1"
    summary = f"cgroup {version}: at most {max_tasks} tasks" + (f", {max_memory >> 20} MiB of memory" if memory else "")
    return Support(tuple(usable), summary, None)
