"""``python -m crosscheck serve``: the lesson pages on a local web server, until Ctrl-C.

Serves web_demo/ with the assembled offline runtime at /pyodide/ (the same StaticServer the
tests use), or a folder made by ``build-site`` with ``--root``.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from .paths import RUNTIME_DIR, WEB_DEMO
from .server import StaticServer
from .build_site import SiteError, check_built

PAGES = (("lab", "lab.html"), ("exercise", "exercise.html"), ("all pages", "index.html"))


def serve(host: str = "127.0.0.1", port: int = 8000, root: Path | None = None,
          stop: threading.Event | None = None) -> int:
    if root is None:
        root, runtime_dir = WEB_DEMO, RUNTIME_DIR
        check_built(root, runtime_dir)
    else:
        root = Path(root).resolve()
        if not (root / "lab.html").exists():
            raise SiteError(f"{root} has no lab.html: give --root a folder made by `python -m crosscheck build-site`")
        runtime_dir = root / "pyodide"   # absent in a CDN build, which never asks for it
    try:
        server = StaticServer(root=root, runtime_dir=runtime_dir, host=host, port=port)
    except OSError as exc:
        raise SiteError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port "
                        f"(0 picks a free one)") from None
    with server:
        print(f"Serving {root} at {server.url}/", flush=True)
        for label, path in PAGES:
            print(f"  {label + ':':11} {server.url}/{path}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            pass
        missing = sorted(set(server.missing) - {"/favicon.ico"})
    print("Stopped." + (f" Requests that found no file: {', '.join(missing)}" if missing else ""), flush=True)
    return 0


def add_serve(sub) -> None:
    p = sub.add_parser("serve", help="serve the lesson pages (lab, exercise) locally and print their URLs")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--root", type=Path, help="serve a folder made by build-site instead of web_demo/")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args) -> int:
    try:
        return serve(args.host, args.port, args.root)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
