"""The static server serves files under its root and nothing else (issue 9, finding 7)."""

from __future__ import annotations

import http.client

import pytest

from crosscheck.site.server import StaticServer, host_warning


@pytest.fixture
def served(tmp_path):
    root, runtime, outside = tmp_path / "root", tmp_path / "runtime", tmp_path / "outside"
    for folder in (root / "sub", root / "pages", runtime, outside):
        folder.mkdir(parents=True)
    (root / "a.txt").write_text("page")
    (root / "pages" / "index.html").write_text("index")
    (root / ".secret").write_text("hidden")
    (runtime / ".assembled.json").write_text("{}")
    (runtime / "pyodide.mjs").write_text("// runtime")
    (outside / "passwd").write_text("outside")
    (root / "escape.txt").symlink_to(outside / "passwd")
    (root / "inside.txt").symlink_to(root / "a.txt")
    (runtime / "escape.js").symlink_to(outside / "passwd")
    with StaticServer(root=root, runtime_dir=runtime) as server:
        yield server


def get(server, path: str) -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path,status,body", [
    ("/a.txt", 200, b"page"),
    ("/inside.txt", 200, b"page"),            # a symlink that stays under the root
    ("/pages/", 200, b"index"),
    ("/pyodide/pyodide.mjs", 200, b"// runtime"),
    ("/a.txt%00.html", 400, None),             # was: ValueError in the handler, connection dropped
    ("/%00", 400, None),
    ("/pages/%2e%2e/a.txt", 400, None),
    ("/a%5ctxt", 400, None),
    ("/%ff", 400, None),
    ("/", 404, None),                          # no listing
    ("/sub/", 404, None),
    ("/.secret", 404, None),                   # no dotfiles
    ("/pyodide/.assembled.json", 404, None),
    ("/escape.txt", 404, None),                # symlinks out of the root
    ("/pyodide/escape.js", 404, None),
])
def test_paths(served, path, status, body):
    got_status, got_body = get(served, path)
    assert got_status == status, (path, got_status, got_body[:200])
    if body is not None:
        assert got_body == body
    assert b"outside" not in got_body and b"hidden" not in got_body
    assert get(served, "/a.txt") == (200, b"page")   # and the server still answers


def test_a_non_loopback_host_is_warned_about():
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert host_warning(host) is None, host
    for host in ("0.0.0.0", "::", "192.0.2.10", "example.test"):
        assert "not on loopback" in host_warning(host), host


def test_serve_warns_before_listening_on_every_interface(capsys):
    import threading

    from crosscheck.site.serve import serve
    stop = threading.Event()
    stop.set()   # serve returns as soon as it has started
    assert serve(host="0.0.0.0", port=0, stop=stop) == 0
    captured = capsys.readouterr()
    assert "warning: listening on 0.0.0.0, not on loopback" in captured.err and "Serving" in captured.out
