"""``python -m crosscheck serve``: the lesson pages on a local web server, until Ctrl-C.

Serves web_demo/ with the assembled offline runtime at /pyodide/ (the same StaticServer the
tests use), or a folder made by ``build-site`` with ``--root``. Every response carries
``Content-Security-Policy: frame-ancestors 'self'`` plus the built site's lesson origins
(``build-site --allow-origin``), the list the pages themselves obey.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from ..paths import RUNTIME_DIR, WEB_DEMO
from .server import StaticServer, host_warning
from .build import MANIFEST_BYTES, MARKER, SiteError, check_built, check_runtime, check_site, frame_ancestors

PAGES = (("lab", "pages/lab.html"), ("exercise", "pages/exercise.html"), ("all pages", "pages/index.html"))


def site_origins(root: Path) -> list[str]:
    """The lesson origins a built site was made with (its manifest), [] when it names none; SiteError
    when one is not an origin (it would go verbatim into the header: a ``*`` there lets every site in)."""
    from ..jsonin import JsonInputError, read_json
    from .origins import OriginError, normalize_origin

    try:
        manifest = read_json(root / MARKER, MANIFEST_BYTES)
    except JsonInputError:
        return []
    origins = manifest.get("allowOrigins") if isinstance(manifest, dict) else None
    if not isinstance(origins, list):
        return []
    try:
        return [normalize_origin(o) for o in origins]
    except OriginError as exc:
        raise SiteError(f"{root / MARKER}: allowOrigins: {exc}; run `python -m crosscheck build-site` again") from None


def serve(host: str = "127.0.0.1", port: int = 8000, root: Path | None = None,
          stop: threading.Event | None = None) -> int:
    origins: list[str] = []   # web_demo/ in development: the pages' own origin only
    if root is None:
        root, runtime_dir = WEB_DEMO, RUNTIME_DIR
        check_built(root, runtime_dir)
        check_runtime(runtime_dir)
    else:
        root = Path(root).resolve()
        if not any((root / path).exists() for _, path in PAGES):
            raise SiteError(f"{root} has no pages/lab.html: give --root a folder made by `python -m crosscheck build-site`")
        runtime_dir = root / "pyodide"   # absent in a CDN build, which never asks for it
        check_site(root)
        origins = site_origins(root)
    # Only the site itself and its lesson origins may frame the pages (the pages check the same list).
    headers = {"Content-Security-Policy": frame_ancestors(origins)}
    warning = host_warning(host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    try:
        server = StaticServer(root=root, runtime_dir=runtime_dir, host=host, port=port, headers=headers)
    except OSError as exc:
        raise SiteError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port "
                        f"(0 picks a free one)") from None
    with server:
        print(f"Serving {root} at {server.url}/", flush=True)
        print(f"  lesson origins that may embed the pages: {', '.join(origins) or 'none (this origin only)'}", flush=True)
        for label, path in PAGES:
            if not (root / path).exists():   # an exercise-only site
                continue
            print(f"  {label + ':':11} {server.url}/{path}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        stop = stop or threading.Event()
        try:
            # Timed waits: a Ctrl-C that lands just before a wait begins is handled at the next wake-up,
            # where one endless wait could miss it and never return (seen on a loaded machine).
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        missing = server.missing.summary(leave_out=frozenset({"/favicon.ico"}))
    print("Stopped." + (f" Requests that found no file: {missing}" if missing else ""), flush=True)
    return 0
