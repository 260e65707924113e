"""The pool's daemon: ``python -m crosscheck.resident.daemon --dir DIR [--runtimes a,b] [--idle S]``.

It listens on DIR/pool.sock, holds DIR/pool.lock for its life (a second daemon for the same
folder says so and exits), writes one line to stdout once it listens (``listening <socket>``, or
``already running``; the client waits for that line) and logs to DIR/pool.log. It stops after
``--idle`` seconds without a request, on ``{"op": "stop"}``, or on SIGTERM.

Requests are one JSON line per connection; answers are JSON lines, the last one final:
  {"op": "ping"}                          → {"type": "pong", "pid", "fingerprint"}
  {"op": "status"}                        → {"type": "status", "pid", "fingerprint", "runs", "idle_s", "slots"}
  {"op": "ready", "runtimes": [...]}      → {"type": "ready", "slots"} once those spares have booted
  {"op": "run", "fingerprint", "cases", "runtimes", "tolerance", "batch_size", …}
        → {"type": "progress", "runtime", "stage"}…, then {"type": "report", "report"}
          or {"type": "error", "message", "status"} (status 2: bad input; 1: the pool could not run it)
  {"op": "check", "fingerprint", "plan", "shrink", "case_dir", "reuse", …}   (crosscheck.resident.lessons)
        → {"type": "progress", "runtime", "stage"}…, then {"type": "report", "report"} (check's JSON report)
          or {"type": "error", "message", "status"}
  {"op": "stop"}                          → {"type": "stopping"}, and the daemon exits
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import socketserver
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .location import fingerprint, idle_seconds, socket_path
from .spares import PooledRuntime, Slot


STOP_GRACE_S = 3.0  # how long a stop waits for the spares to close before killing them


class Pool:
    def __init__(self, folder: Path, idle_s: float, log) -> None:
        self.folder, self.idle_s, self.log = folder, idle_s, log
        self.fingerprint = fingerprint()
        self.shared = ThreadPoolExecutor(8, thread_name_prefix="pool-boot")
        self.slots: dict[tuple[str, str | None], Slot] = {}
        self._lock = threading.Lock()
        self.active = 0
        self.runs = 0
        self.last_active = time.monotonic()
        self.stopping = threading.Event()
        self._courses = None  # crosscheck.resident.lessons.Courses, made on the first check

    def courses(self):
        from .lessons import Courses

        with self._lock:
            if self._courses is None:
                self._courses = Courses()
            return self._courses

    def slot(self, name: str, browser_endpoint: str | None = None) -> Slot:
        from ..runtimes import RUNTIMES
        from ..runtimes.browser.page import ChromiumPageRuntime

        if name not in RUNTIMES:
            raise ValueError(f"unknown runtime {name!r}; known: {', '.join(RUNTIMES)}")
        endpoint = browser_endpoint if issubclass(RUNTIMES[name], ChromiumPageRuntime) else None
        with self._lock:
            key = (name, endpoint)
            if key not in self.slots:
                self.slots[key] = Slot(name, self.log, self.shared, endpoint)
                self.slots[key].fill()
            return self.slots[key]

    def busy(self, delta: int) -> None:
        with self._lock:
            self.active += delta
            self.last_active = time.monotonic()

    def status(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "fingerprint": self.fingerprint, "runs": self.runs,
                "idle_s": round(time.monotonic() - self.last_active, 1),
                "slots": {name + (f" @ {endpoint}" if endpoint else ""): slot.state()
                          for (name, endpoint), slot in self.slots.items()}}

    def wait_ready(self, names: list[str], endpoint: str | None) -> dict[str, Any]:
        slots = {name: self.slot(name, endpoint) for name in names}
        for slot in slots.values():
            spare = slot.ready()
            if spare is not None:
                try:
                    spare.result()
                except Exception:
                    pass  # reported in the state
        return {name: slot.state() for name, slot in slots.items()}

    def recycle(self, used: list) -> None:
        """Close what a run used and boot the next spares (after its report is sent)."""
        for slot, runtime in used:
            slot.discard(runtime)

    def run(self, request: dict[str, Any], send, used: list) -> dict[str, Any]:
        from python_core.wire import decode_spec

        from ..parity.compare import Tolerance
        from ..parity.runner import DEFAULT_BATCH, run_cases
        from ..runtimes import RUNTIMES, make_runtime as cold_runtime

        lesson = None
        if request.get("python") or request.get("js"):
            from ..author import Lesson

            # made from the files as they are now (a save since the client checked them is seen here)
            lesson = Lesson(python=request.get("python"), js=request.get("js"))  # LessonError: bad input
            if lesson.js is not None:
                lesson.bundle()
        cases = [decode_spec(case) for case in request["cases"]]
        endpoint = request.get("browser_endpoint")
        boot_timeout, run_timeout = request.get("boot_timeout"), request.get("run_timeout")

        def make_runtime(name: str):
            # exact is the harness's own arithmetic (no author code, no state a run could leave): made
            # afresh in this process. Every other runtime is a spare: a fresh interpreter per run.
            if RUNTIMES[name].in_process and name != "native":
                return cold_runtime(name)
            return PooledRuntime(self.slot(name, endpoint), used, boot_timeout, run_timeout)

        def progress(name: str):
            return lambda stage: send({"type": "progress", "runtime": name, "stage": stage})

        report = run_cases(cases, request["runtimes"], Tolerance(**request.get("tolerance", {})),
                           batch_size=request.get("batch_size") or DEFAULT_BATCH, make_runtime=make_runtime,
                           progress=progress, parallel=True, reference=request.get("reference"),
                           unavailable=request.get("unavailable"), not_checked=request.get("not_checked"),
                           lesson=lesson)
        self.runs += 1
        return report

    def close(self) -> None:
        for slot in list(self.slots.values()):
            try:
                slot.close()
            except Exception as exc:
                self.log(f"closing {slot.name}: {type(exc).__name__}: {exc}")
        self.shared.shutdown(wait=False, cancel_futures=True)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        pool: Pool = self.server.pool  # type: ignore[attr-defined]
        lock = threading.Lock()

        def send(message: dict[str, Any]) -> None:
            with lock:
                try:
                    self.wfile.write((json.dumps(message) + "\n").encode())
                    self.wfile.flush()
                except OSError:
                    pass  # the client went away; the run finishes and its spares are replaced

        try:
            request = json.loads(self.rfile.readline())
            op = request.get("op")
        except (ValueError, AttributeError):
            send({"type": "error", "message": "a request is one JSON object on one line", "status": 2})
            return
        pool.busy(+1)
        try:
            if op == "ping":
                send({"type": "pong", "pid": os.getpid(), "fingerprint": pool.fingerprint})
            elif op == "status":
                send({"type": "status", **pool.status()})
            elif op == "ready":
                send({"type": "ready", "slots": pool.wait_ready(request.get("runtimes", []),
                                                                request.get("browser_endpoint"))})
            elif op in ("run", "check"):
                if request.get("fingerprint") != pool.fingerprint:
                    send({"type": "stale", "fingerprint": pool.fingerprint})
                    return
                used: list = []
                try:
                    try:
                        if op == "run":
                            report = pool.run(request, send, used)
                        else:
                            from .lessons import run_check

                            report = run_check(request, pool.courses(), pool.slot, used, send)
                            pool.runs += 1
                    except ValueError as exc:  # LessonError, ManifestError, an unknown runtime, a bad batch size: bad input
                        send({"type": "error", "message": str(exc), "status": 2})
                        return
                    send({"type": "report", "report": report})
                finally:
                    pool.recycle(used)  # after the report: until then no boot competes with the run's calls
            elif op == "stop":
                send({"type": "stopping"})
                pool.stopping.set()
            else:
                send({"type": "error", "message": f"unknown op {op!r}", "status": 2})
        except Exception as exc:  # the pool's own failure, reported to the client, logged here
            pool.log(f"request {op}: {type(exc).__name__}: {exc}")
            send({"type": "error", "message": f"the pool failed: {type(exc).__name__}: {exc}", "status": 1})
        finally:
            pool.busy(-1)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(folder: Path, runtimes: list[str], idle_s: float, replace: bool = False) -> int:
    """Run the daemon until it stops. With ``replace``, wait for the daemon that holds the folder's
    lock to exit (it was asked to stop) instead of saying "already running"."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_file = open(folder / "pool.lock", "w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX if replace else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("already running", flush=True)
        return 0
    log_file = open(folder / "pool.log", "a", buffering=1)

    def log(line: str) -> None:
        log_file.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    path = socket_path(folder)
    if path.exists():
        path.unlink()  # left by a daemon that died: the lock says none is running
    pool = Pool(folder, idle_s, log)
    server = _Server(str(path), _Handler)
    os.chmod(path, 0o600)
    server.pool = pool  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, name="pool-server", daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: pool.stopping.set())
    log(f"listening on {path} (pid {os.getpid()}, fingerprint {pool.fingerprint}, idle stop after {idle_s:g} s)")
    for name in runtimes:
        try:
            pool.slot(name)
        except ValueError as exc:
            log(str(exc))
    print(f"listening {path}", flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the client reads stdout up to that line only
    sys.stdout = sys.stderr
    while not pool.stopping.is_set():
        idle = time.monotonic() - pool.last_active
        if pool.active == 0 and idle >= idle_s:
            log(f"idle for {idle:.0f} s: stopping")
            break
        pool.stopping.wait(timeout=max(1.0, idle_s - idle))
    server.shutdown()
    server.server_close()
    path.unlink(missing_ok=True)
    # Ready spares close at once; a spare still booting could only be closed once its boot ends (a
    # browser's objects belong to its owner thread). After a grace period the daemon's own process
    # group (it is the leader when the client started it) is killed instead: its Node and CPython
    # children and Playwright's driver, whose browser exits with the driver's pipe.
    closer = threading.Thread(target=pool.close, name="pool-close", daemon=True)
    closer.start()
    closer.join(STOP_GRACE_S)
    if closer.is_alive() and os.getpgid(0) == os.getpid():
        log("stopped (spares still booting were killed)")
        log_file.flush()
        os.killpg(os.getpid(), signal.SIGKILL)
    log("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crosscheck.resident.daemon")
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--runtimes", default="", help="comma-separated runtimes to boot spares for at once")
    parser.add_argument("--idle", type=float, default=None, metavar="S")
    parser.add_argument("--replace", action="store_true", help="wait for the running daemon (told to stop) to exit")
    args = parser.parse_args(argv)
    runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    return serve(args.dir, runtimes, idle_seconds() if args.idle is None else args.idle, args.replace)


if __name__ == "__main__":
    sys.exit(main())
