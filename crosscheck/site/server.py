"""A static file server for web_demo/ on loopback, with the assembled runtime at /pyodide/.

It records every path it could not serve, so that a runtime that fails to boot can say which
file was missing instead of timing out silently.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import sys
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..paths import RUNTIME_DIR, WEB_DEMO


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json",
                      ".whl": "application/zip", ".zip": "application/zip",
                      ".bin": "application/octet-stream"}

    def __init__(self, *args, server_state: "StaticServer", **kwargs):
        self._state = server_state
        super().__init__(*args, directory=str(server_state.root), **kwargs)

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        base = self._state.base_folder(clean)
        if base == self._state.root:
            return super().translate_path(path)
        prefix = "/pyodide/" if base == self._state.runtime_dir else next(
            p for p, f in self._state.mounts.items() if f == base and clean.startswith(p))
        local = super().translate_path("/" + clean[len(prefix):])
        return str(base / Path(local).relative_to(self._state.root))

    def _refusal(self) -> tuple[int, str] | None:
        """Why this request's path is not served, as (status, message), or None.

        Malformed paths (a NUL byte, a backslash, a ``..`` segment, undecodable escapes) are 400;
        dotfiles (such as the runtime's .assembled.json) and anything whose real path, symlinks
        followed, leaves the folder its prefix serves (the root, the runtime folder for /pyodide/, a
        mounted folder) are 404, as if absent."""
        clean = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            decoded = urllib.parse.unquote(clean, errors="strict")
        except UnicodeDecodeError:
            return 400, "Bad path"
        if not decoded.startswith("/") or "\0" in decoded or "\\" in decoded:
            return 400, "Bad path"
        segments = decoded.split("/")
        if ".." in segments:
            return 400, "Bad path"
        if any(seg.startswith(".") for seg in segments if seg not in ("", ".")):
            return 404, "File not found"
        base = self._state.base_folder(clean)
        real = os.path.realpath(self.translate_path(self.path))
        if real != str(base) and not real.startswith(str(base) + os.sep):
            return 404, "File not found"
        return None

    def send_head(self):
        refusal = self._refusal()
        if refusal is not None:
            self.send_error(*refusal)
            return None
        return super().send_head()

    def list_directory(self, path):  # no listings: a folder without index.html is not found
        self.send_error(404, "File not found")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        for name, value in self._state.headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            self._state.missing.append(self.path)
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args) -> None:  # quiet: failures are collected, not printed
        pass


def host_warning(host: str) -> str | None:
    """A warning when ``host`` makes the server reachable from other machines, else None."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (f"warning: listening on {host}, not on loopback: other machines on the network can read the pages "
            f"and the runtime (plain HTTP, no authentication); use 127.0.0.1 unless that is meant")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A page that goes away mid-download (a worker stopped after a timeout, a closed tab) resets
        # its connection: that is the client's choice, not the server's error.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class StaticServer:
    """``with StaticServer() as server: server.url`` → "http://127.0.0.1:<port>"."""

    def __init__(self, root: Path = WEB_DEMO, runtime_dir: Path = RUNTIME_DIR, host: str = "127.0.0.1",
                 port: int = 0, headers: dict[str, str] | None = None, any_port_if_taken: bool = False) -> None:
        self.root, self.runtime_dir = Path(root).resolve(), Path(runtime_dir).resolve()
        self.headers = dict(headers or {})   # sent with every response (serve: the site's CSP)
        self.missing: list[str] = []
        self.mounts: dict[str, Path] = {}  # URL prefix → folder (an author's bundle, crosscheck/author)
        handler = functools.partial(_Handler, server_state=self)
        try:
            self._httpd = _QuietServer((host, port), handler)
        except OSError:
            if not (port and any_port_if_taken):
                raise
            self._httpd = _QuietServer((host, 0), handler)  # the stable port is taken (another run): any other
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="static-server", daemon=True)
        self._thread.start()

    @staticmethod
    def stable_port(key: str = "") -> int:
        """A port of this checkout's own (40000–49999), so that the pages' URLs, and the browser caches keyed
        by them (a persistent profile's compiled WebAssembly), stay the same from one run to the next."""
        import hashlib

        return 40000 + int(hashlib.sha256(f"{WEB_DEMO}:{key}".encode()).hexdigest(), 16) % 10000

    def base_folder(self, clean_path: str) -> Path:
        """The folder a request path is served from (a path must not leave it)."""
        for prefix, folder in self.mounts.items():
            if clean_path.startswith(prefix):
                return folder
        return self.runtime_dir if clean_path.startswith("/pyodide/") else self.root

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
