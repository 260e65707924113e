"""A runtime living in a Node.js child process, spoken to in line-delimited JSON.

The protocol is in crosscheck/runtimes/node/protocol.mjs. A reader thread turns the child's stdout into a
queue, so every wait has a timeout: a child that hangs is killed and reported, never waited on
forever. The child's stderr is kept (its tail) to say why it died.

The code under test runs in the child and could write to its stdout. So the first line sent to the
child is a random token, read by the protocol before any code under test is loaded, and a line on
stdout is a message only when it is a well-formed message carrying that token; anything else is kept
with the stderr tail, never read as a reply.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import secrets
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from python_core.facts import TIMEOUTS_S

from ...paths import REPO
from ..base import Progress, Runtime, RuntimeFailure

NODE_ENV = "DENSE_PARITY_NODE"
NODE_SCRIPTS = Path(__file__).resolve().parent
_EOF = object()


def node_path() -> str | None:
    """The ``node`` to run: $DENSE_PARITY_NODE, else the PATH's."""
    configured = os.environ.get(NODE_ENV)
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    return shutil.which("node")


class NodeProcessRuntime(Runtime):
    """Subclasses name the driver script, the folder it is given (``default_folder`` unless told),
    the files it needs there (Runtime.required_files), and what to call for a batch."""

    script = ""
    process_label = "Node process"  # how failures name the child
    default_folder: Path = REPO
    boot_timeout_default = TIMEOUTS_S["boot"]
    run_timeout_default = TIMEOUTS_S["run"]

    def __init__(self, folder: Path, boot_timeout: float | None = None, run_timeout: float | None = None) -> None:
        self.folder = Path(folder)
        self.boot_timeout = boot_timeout or self.boot_timeout_default
        self.run_timeout = run_timeout or self.run_timeout_default
        self.process: subprocess.Popen | None = None
        self._lines: queue.Queue = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        self._next_id = 1
        self._versions: dict[str, Any] = {}
        self.calls = 0  # round-trips made, so the batching can be checked
        self._stderr_thread: threading.Thread | None = None
        self._token = secrets.token_hex(16)

    def script_args(self) -> list[str]:
        return [str(self.folder)]

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if node_path() is None:
            return "no `node` on PATH"
        return cls.missing_reason(cls.default_folder)

    def command(self) -> list[str]:
        """The child's command line (node and the driver script); RuntimeFailure when it cannot be made.
        (The native child overrides it: same protocol, a CPython child.)"""
        node = node_path()
        if node is None:
            where = os.environ.get(NODE_ENV)
            raise RuntimeFailure(self.name, f"{NODE_ENV}={where} is not an executable file" if where else
                                 "no `node` on PATH (install Node.js 20+ or set DENSE_PARITY_NODE)")
        script = NODE_SCRIPTS / self.script
        if not script.exists():
            raise RuntimeFailure(self.name, f"driver script {script} is missing")
        return [node, str(script), *self.script_args()]

    def start(self, progress: Progress) -> None:
        command = self.command()
        missing = self.missing_reason(self.folder) or self.integrity_reason(self.folder)
        if missing:
            raise RuntimeFailure(self.name, missing)
        progress(f"starting {Path(command[0]).name} {Path(command[1]).name}")
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                            encoding="utf-8", bufsize=1)
        except OSError as exc:
            raise RuntimeFailure(self.name, f"could not start {command[0]}: {exc}") from exc
        try:
            self.process.stdin.write(self._token + "\n")
            self.process.stdin.flush()
        except OSError:
            pass  # a child that died at once: the wait below reports its exit code and what it said
        threading.Thread(target=self._read_stdout, name=f"{self.name}-stdout", daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._read_stderr, name=f"{self.name}-stderr", daemon=True)
        self._stderr_thread.start()
        while True:
            message = self._next_message(self.boot_timeout, "boot")
            if message.get("type") == "progress":
                progress(message["stage"])
            elif message.get("type") == "ready":
                self._versions = message["versions"]
                return
            elif message.get("type") == "failed":
                err = message["error"]
                self._kill()
                raise RuntimeFailure(self.name, f"failed to boot: {err.get('type')}: {err.get('message')}"
                                                f"{self._diagnostics()}")

    def _message(self, line: str) -> dict[str, Any] | None:
        """The protocol message on ``line``, or None when it is not one (not JSON, not this child's token,
        or not of a shape the protocol sends)."""
        try:
            message = json.loads(line)
        except ValueError:
            return None
        if not isinstance(message, dict) or message.pop("token", None) != self._token:
            return None
        kind, request_id = message.get("type"), message.get("id")
        if kind == "progress":
            ok = isinstance(message.get("stage"), str)
        elif kind == "ready":
            ok = isinstance(message.get("versions"), dict)
        elif kind == "failed":
            ok = isinstance(message.get("error"), dict)
        elif kind is None and (request_id is None or isinstance(request_id, int)):
            ok = (message.get("ok") is True and isinstance(message.get("value"), str)) or \
                 (message.get("ok") is False and isinstance(message.get("error"), dict))
        else:
            ok = False
        return message if ok else None

    def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            if not line.strip():
                continue
            message = self._message(line)
            if message is None:
                self._stderr.append(f"(stdout) {line.rstrip()}")
            else:
                self._lines.put(message)
        self._lines.put(_EOF)

    def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line.rstrip())

    def _diagnostics(self) -> str:
        tail = [line for line in self._stderr if line.strip()][-8:]
        return (" (node stderr: " + " | ".join(tail) + ")") if tail else ""

    def _next_message(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            message = self._lines.get(timeout=timeout)
        except queue.Empty:
            self._kill()
            raise RuntimeFailure(self.name, f"{what} did not finish within {timeout:g} s; the {self.process_label} "
                                            f"was stopped{self._diagnostics()}") from None
        if message is _EOF:
            code = self.process.wait(timeout=5) if self.process else None
            self.process = None
            if self._stderr_thread is not None:
                self._stderr_thread.join(timeout=2)  # so that the reason includes what the child said last
            raise RuntimeFailure(self.name, f"the {self.process_label} exited (code {code}) during {what}"
                                            f"{self._diagnostics()}")
        return message

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        """One round-trip: call ``target`` (str → str) in the child; raise RuntimeFailure on its error."""
        if self.process is None:
            raise RuntimeFailure(self.name, "not started (or stopped after an earlier failure)")
        request_id = self._next_id
        self._next_id += 1
        self.calls += 1
        try:
            self.process.stdin.write(json.dumps({"id": request_id, "op": "call", "target": target,
                                                 "argument": argument}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise RuntimeFailure(self.name, f"the {self.process_label} is gone ({exc}){self._diagnostics()}") from exc
        while True:
            message = self._next_message(timeout or self.run_timeout, f"call {target}")
            if message.get("id") == request_id:
                break
        if not message["ok"]:
            err = message["error"]
            raise RuntimeFailure(self.name, f"{target} failed: {err.get('type')}: {err.get('message')}\n"
                                            f"{err.get('traceback', '')}")
        return message["value"]

    def versions(self) -> dict[str, Any]:
        return dict(self._versions)

    def _kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def close(self) -> None:
        if self.process is not None:
            try:
                self.process.stdin.close()  # the child ends its read loop and exits
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._kill()
