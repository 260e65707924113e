"""A static file server for web_demo/ on loopback, with the assembled runtime at /pyodide/.

It records every path it could not serve, so that a runtime that fails to boot can say which
file was missing instead of timing out silently.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..paths import RUNTIME_DIR, WEB_DEMO


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json",
                      ".whl": "application/zip", ".zip": "application/zip"}

    def __init__(self, *args, server_state: "StaticServer", **kwargs):
        self._state = server_state
        super().__init__(*args, directory=str(server_state.root), **kwargs)

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, folder in list(self._state.mounts.items()):
            if clean.startswith(prefix):
                local = super().translate_path("/" + clean[len(prefix):])
                return str(folder / Path(local).relative_to(self._state.root))
        if clean.startswith("/pyodide/"):
            local = super().translate_path("/" + clean[len("/pyodide/"):])
            return str(self._state.runtime_dir / Path(local).relative_to(self._state.root))
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            self._state.missing.append(self.path)
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args) -> None:  # quiet: failures are collected, not printed
        pass


class StaticServer:
    """``with StaticServer() as server: server.url`` → "http://127.0.0.1:<port>"."""

    def __init__(self, root: Path = WEB_DEMO, runtime_dir: Path = RUNTIME_DIR, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.root, self.runtime_dir = Path(root).resolve(), Path(runtime_dir).resolve()
        self.missing: list[str] = []
        self.mounts: dict[str, Path] = {}  # URL prefix → folder (an author's bundle, crosscheck/author)
        handler = functools.partial(_Handler, server_state=self)
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="static-server", daemon=True)
        self._thread.start()

    def mount(self, folder: Path) -> str:
        """Serve ``folder`` under a prefix of its own; returns the prefix ("/mounts/<n>/")."""
        folder = Path(folder).resolve()
        for prefix, mounted in self.mounts.items():
            if mounted == folder:
                return prefix
        prefix = f"/mounts/{len(self.mounts)}/"
        self.mounts[prefix] = folder
        return prefix

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "StaticServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
