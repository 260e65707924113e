"""A static file server for web_demo/ on loopback, with the assembled runtime at /pyodide/.

It records the paths it could not serve, so that a runtime that fails to boot can say which
file was missing instead of timing out silently. Whatever a client sends, the server's cost is bounded:
a connection that sends nothing is closed after ``CONNECTION_TIMEOUT_S``, at most ``MAX_CONNECTIONS``
are handled at once (the rest wait in the listen queue), and the record of missing paths keeps at most
``MISSING_KEPT`` distinct paths of at most ``PATH_KEPT`` characters.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import os
import sys
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..paths import RUNTIME_DIR, WEB_DEMO

CONNECTION_TIMEOUT_S = 20.0  # a page's requests take milliseconds; a silent connection is let go
MAX_CONNECTIONS = 32         # threads at once: a browser opens 6 per host, a few pages at a time
MISSING_KEPT = 100
PATH_KEPT = 200


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (escape codes too) as backslash escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class MissingPaths:
    """The paths that found no file, bounded: the first MISSING_KEPT distinct ones (each cut to
    PATH_KEPT characters) and a count of all the others."""

    def __init__(self) -> None:
        self._kept: dict[str, None] = {}
        self.others = 0
        self._lock = threading.Lock()

    def append(self, path: str) -> None:
        path = path if len(path) <= PATH_KEPT else path[:PATH_KEPT] + "…"
        with self._lock:
            if path in self._kept:
                return
            if len(self._kept) < MISSING_KEPT:
                self._kept[path] = None
            else:
                self.others += 1

    def __iter__(self):
        return iter(list(self._kept))

    def __len__(self) -> int:
        return len(self._kept)

    def __bool__(self) -> bool:
        return bool(self._kept)

    def summary(self, leave_out: frozenset[str] = frozenset()) -> str:
        """The kept paths, escaped for a terminal, and how many more were not kept."""
        paths = [printable(p) for p in sorted(set(self._kept) - leave_out)]
        return ", ".join(paths) + (f" (and {self.others} more)" if self.others else "")


class _Handler(SimpleHTTPRequestHandler):
    timeout = CONNECTION_TIMEOUT_S  # the socket's: a read that waits longer ends the connection
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
    request_queue_size = 128  # where connections wait while MAX_CONNECTIONS are handled (the default is 5)

    def __init__(self, *args, **kwargs) -> None:
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address) -> None:
        # Blocks the accepting thread while MAX_CONNECTIONS are handled: further clients wait in the
        # kernel's listen queue instead of each taking a thread.
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_timeout(self) -> None:  # pragma: no cover - serve_forever sets no timeout of its own
        pass

    def handle_error(self, request, client_address) -> None:
        # A page that goes away mid-download (a worker stopped after a timeout, a closed tab) resets
        # its connection: that is the client's choice, not the server's error.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, socket.timeout)):
            return
        super().handle_error(request, client_address)


class StaticServer:
    """``with StaticServer() as server: server.url`` → "http://127.0.0.1:<port>"."""

    def __init__(self, root: Path = WEB_DEMO, runtime_dir: Path = RUNTIME_DIR, host: str = "127.0.0.1",
                 port: int = 0, headers: dict[str, str] | None = None, any_port_if_taken: bool = False) -> None:
        self.root, self.runtime_dir = Path(root).resolve(), Path(runtime_dir).resolve()
        self.headers = dict(headers or {})   # sent with every response (serve: the site's CSP)
        self.missing = MissingPaths()
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
