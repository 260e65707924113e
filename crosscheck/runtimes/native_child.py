"""python_core in a CPython child process, speaking the Node runtimes' line-JSON protocol
(crosscheck/runtimes/node/protocol.mjs): the pool's native runtime, so that every run gets a fresh
interpreter and the pool's own process never runs a case.

Run as a script (``python native_child.py``); it puts the repository on sys.path itself, so that
importing it costs python_core and NumPy only, not the driver.
"""

from __future__ import annotations

import json
import os
import sys
import time

STARTED = time.monotonic()


def main() -> int:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out = sys.stdout
    sys.stdout = sys.stderr  # what the code under test prints must not mix with the protocol

    def send(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
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
    send({"type": "ready", "versions": versions,
          "ms": round(1000 * (time.monotonic() - STARTED))})
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request["id"]
            value = entries.call(request["target"], request["argument"])
            send({"id": request_id, "ok": True, "value": value})
        except Exception as exc:  # a target that does not exist, a request that is not JSON
            send({"id": request_id, "ok": False, "error": entries.error_record(exc)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
