"""python_core in a CPython child process, speaking the Node runtimes' line-JSON protocol
(crosscheck/runtimes/node/protocol.mjs: a token first, then one request per line, every message
carrying the token).

The resident pool's native runtime, so that every run gets a fresh interpreter and the pool's own
process never runs a case. NativeRuntime runs an author's Python file here rather than in the
harness's own process: that file may call sys.exit() or os._exit(), hang, or print, and none of it
may end or garble the run that is checking it. Same interpreter and same NumPy as the parent (sys.executable, the inherited environment),
so the results are bit for bit those of the in-process runtime.

Run as a script (``python native_child.py``); it puts the folder holding python_core on sys.path
itself, so that importing it costs python_core and NumPy only, not the driver.
"""

from __future__ import annotations

import json
import os
import sys
import time

STARTED = time.monotonic()


def main() -> int:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    # The protocol keeps a private copy of fd 1; fd 1 itself and sys.stdout become stderr, so that whatever
    # the code under test prints (print, os.write(1, …), a C library) cannot land among the messages.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    token = sys.stdin.readline().strip()  # read before any code under test is loaded, kept in this frame

    def send(message: dict) -> None:
        out.write("\n" + json.dumps({"token": token, **message}) + "\n")
        out.flush()

    try:
        send({"type": "progress", "stage": "importing python_core", "ms": 0})
        from python_core import entries
        from python_core.wire import runtime_versions

        entries._load()  # every entry module imported now, not during the first call
        versions = runtime_versions()
    except Exception as exc:  # reported like a Node runtime's failed boot
        send({"type": "failed", "error": {"type": type(exc).__name__, "message": str(exc), "traceback": ""}})
        return 1
    send({"type": "ready", "versions": versions, "ms": round(1000 * (time.monotonic() - STARTED))})
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request["id"]
            value = entries.call(request["target"], request["argument"])
            send({"id": request_id, "ok": True, "value": value})
        except BaseException as exc:  # a target that does not exist, a request that is not JSON, a sys.exit()
            send({"id": request_id, "ok": False, "error": entries.error_record(exc)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
