"""Talking to the pool's daemon: start it when none answers, replace it when it runs other code,
and send it runs. ``run_via_pool`` gives the very report ``run_cases`` gives (the daemon runs it),
read back from JSON: floats are written by repr, so every bit comes back; ``check_via_pool`` the same for
``check``'s report."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from python_core.wire import encode_spec

from ..paths import REPO
from . import PoolError
from .location import fingerprint, pool_dir, socket_path


def _exchange(folder: Path, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Send one request; yield the daemon's answers. ConnectionError when nothing listens."""
    path = socket_path(folder)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(path))
        sock.sendall((json.dumps(request) + "\n").encode())
        with sock.makefile("r", encoding="utf-8") as answers:
            for line in answers:
                yield json.loads(line)


def request(folder: Path, message: dict[str, Any]) -> dict[str, Any]:
    """One request with one answer."""
    for answer in _exchange(folder, message):
        return answer
    raise PoolError("the pool closed the connection without answering")


def _log_tail(folder: Path) -> str:
    log = folder / "pool.log"
    lines = log.read_text(errors="replace").splitlines()[-6:] if log.exists() else []
    return (" (pool.log: " + " | ".join(lines) + ")") if lines else ""


def start_daemon(folder: Path, runtimes: list[str] = (), idle_s: float | None = None, replace: bool = False) -> None:
    """Start a daemon for ``folder`` and return once it listens (or one already did)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    command = [sys.executable, "-m", "crosscheck.resident.daemon", "--dir", str(folder), "--runtimes", ",".join(runtimes)]
    if idle_s is not None:
        command += ["--idle", str(idle_s)]
    if replace:
        command.append("--replace")
    with open(folder / "pool.log", "a") as log:
        process = subprocess.Popen(command, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                   text=True, start_new_session=True)  # outlives this command
    line = process.stdout.readline()  # the daemon says when it listens
    process.stdout.close()
    if not (line.startswith("listening") or line.startswith("already running")):
        raise PoolError(f"the pool did not start (exit status {process.poll()}){_log_tail(folder)}")


def ensure_daemon(folder: Path | None = None, runtimes: list[str] = (), idle_s: float | None = None,
                  mine: str | None = None) -> Path:
    """A daemon for ``folder`` (default: this user's and checkout's) that runs this code (``mine``, the
    fingerprint): the one that answers, a new one when none does, or a replacement when the one that
    answers runs other code."""
    folder = folder or pool_dir()
    mine = mine or fingerprint()
    try:
        pong = request(folder, {"op": "ping"})
    except (ConnectionError, FileNotFoundError, OSError):
        start_daemon(folder, runtimes, idle_s)
        return folder
    if pong.get("fingerprint") != mine:
        request(folder, {"op": "stop"})
        start_daemon(folder, runtimes, idle_s, replace=True)
    return folder


def stop_daemon(folder: Path | None = None) -> bool:
    """Ask the daemon to stop; False when none answered."""
    try:
        request(folder or pool_dir(), {"op": "stop"})
    except (ConnectionError, FileNotFoundError, OSError):
        return False
    return True


def wait_ready(folder: Path, runtimes: list[str], browser_endpoint: str | None = None) -> dict[str, Any]:
    """Block until the spares of ``runtimes`` have booted; their states."""
    return request(folder, {"op": "ready", "runtimes": runtimes, "browser_endpoint": browser_endpoint})["slots"]


def run_via_pool(cases: list[dict[str, Any]], runtime_names: list[str], tolerance=None, batch_size: int | None = None,
                 boot_timeout: float | None = None, run_timeout: float | None = None,
                 browser_endpoint: str | None = None, lesson=None, reference: str | None = None,
                 unavailable: dict[str, str] | None = None, not_checked: dict[str, str] | None = None,
                 folder: Path | None = None,
                 progress: Callable[[str, str], None] | None = None) -> dict[str, Any]:
    """The report ``run_cases`` gives for these arguments, run by the pool (started if need be).
    ``progress(runtime, stage)`` gets the pool's progress (default: stderr, like a cold run).
    PoolError (status 2 for bad input) when it cannot be had."""
    from dataclasses import asdict

    if progress is None:
        progress = _stderr_progress()
    mine = fingerprint()
    folder = ensure_daemon(folder, runtime_names, mine=mine)
    message = {"op": "run", "cases": [encode_spec(case) for case in cases], "runtimes": list(runtime_names),
               "tolerance": asdict(tolerance) if tolerance is not None else {}, "batch_size": batch_size,
               "boot_timeout": boot_timeout, "run_timeout": run_timeout, "browser_endpoint": browser_endpoint,
               "python": str(lesson.python) if lesson is not None and lesson.python else None,
               "js": str(lesson.js) if lesson is not None and lesson.js else None,
               "reference": reference, "unavailable": unavailable or {}, "not_checked": not_checked or {}}
    return _ask(folder, message, runtime_names, mine, progress)


def check_via_pool(plan, *, shrink: bool = True, case_dir: Path | None = None, boot_timeout: float | None = None,
                   run_timeout: float | None = None, browser_endpoint: str | None = None, reuse: str | None = None,
                   folder: Path | None = None, progress: Callable[[str, str], None] | None = None) -> dict[str, Any]:
    """The report ``check`` gives for this plan (crosscheck.lessons.course.Plan), run by the pool (started if
    need be), as its JSON report has it. ``reuse``: a token of the caller's (watch's) under which the pool keeps
    each runtime's results and reuses them while the file text, check and cases are the same. PoolError (status 2
    for bad input: a file that does not bundle, a function missing) when it cannot be had."""
    from .lessons import plan_message

    if progress is None:
        progress = _stderr_progress()
    mine = fingerprint()
    folder = ensure_daemon(folder, [r for r in plan.runtimes if r not in plan.unavailable], mine=mine)
    message = {"op": "check", "plan": plan_message(plan), "shrink": shrink,
               "case_dir": str(case_dir) if case_dir is not None else None, "boot_timeout": boot_timeout,
               "run_timeout": run_timeout, "browser_endpoint": browser_endpoint, "reuse": reuse}
    return _ask(folder, message, plan.runtimes, mine, progress)


def _ask(folder: Path, message: dict[str, Any], runtime_names: list[str], mine: str,
         progress: Callable[[str, str], None]) -> dict[str, Any]:
    """Send a run (or check) request, relay its progress, and return its report; a daemon that runs other
    code than this checkout's is replaced once."""
    for attempt in range(2):
        message["fingerprint"] = mine
        try:
            for answer in _exchange(folder, message):
                kind = answer.get("type")
                if kind == "progress":
                    progress(answer["runtime"], answer["stage"])
                elif kind == "report":
                    return answer["report"]
                elif kind == "error":
                    raise PoolError(answer["message"], answer.get("status", 1))
                elif kind == "stale" and attempt == 0:  # the sources changed since the daemon started
                    request(folder, {"op": "stop"})
                    start_daemon(folder, runtime_names, replace=True)
                    break
                else:
                    raise PoolError(f"unexpected answer from the pool: {answer}")
            else:
                raise PoolError(f"the pool closed the connection before the report{_log_tail(folder)}")
        except (ConnectionError, FileNotFoundError) as exc:
            raise PoolError(f"the pool at {folder} cannot be reached: {exc}{_log_tail(folder)}") from exc
    raise PoolError("the pool kept running other code than this checkout's")


def _stderr_progress() -> Callable[[str, str], None]:
    import time

    started = time.monotonic()

    def report(runtime: str, stage: str) -> None:
        print(f"[{runtime}] {time.monotonic() - started:5.1f} s  {stage} (pool)", file=sys.stderr, flush=True)

    return report
