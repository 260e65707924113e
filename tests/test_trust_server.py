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


# --- what a client can cost the server ----------------------------------------------------------

def _connect(server):
    import socket

    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=60)


def _handler_threads() -> int:
    import threading

    return sum(1 for t in threading.enumerate() if "process_request_thread" in t.name)


def _until(condition, what: str):
    """Wait for ``condition``, polling; a broken server fails after a bounded number of polls, not a hang."""
    import time

    for _ in range(6000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def test_a_silent_connection_is_closed(served, monkeypatch):
    from crosscheck.site import server as server_module

    monkeypatch.setattr(server_module._Handler, "timeout", 0.2)
    sock = _connect(served)
    try:
        assert sock.recv(1) == b""  # the server closed it: a half-open connection holds nothing for long
    finally:
        sock.close()
    assert get(served, "/a.txt") == (200, b"page")


def test_connections_are_handled_by_a_bounded_number_of_threads(tmp_path, monkeypatch):
    from crosscheck.site import server as server_module

    monkeypatch.setattr(server_module, "MAX_CONNECTIONS", 4)
    (tmp_path / "a.txt").write_text("page")
    with StaticServer(root=tmp_path, runtime_dir=tmp_path) as server:
        before = _handler_threads()
        socks = [_connect(server) for _ in range(12)]  # each sends nothing: each would hold a thread
        try:
            _until(lambda: _handler_threads() - before == 4, "four connections handled")
            peak = 4
            while socks:
                socks.pop(0).close()  # one handler ends: the next waiting connection gets its thread
                _until(lambda: _handler_threads() - before == min(4, len(socks)), "the next connection taken")
                peak = max(peak, _handler_threads() - before)
            assert peak == 4
        finally:
            for sock in socks:
                sock.close()
        assert get(server, "/a.txt") == (200, b"page")


def test_the_record_of_missing_paths_is_bounded_and_printed_escaped(tmp_path, capsys):
    import threading

    from crosscheck.site import server as server_module
    from crosscheck.site.serve import serve

    record = server_module.MissingPaths()
    for i in range(1500):
        record.append(f"/{i}/" + "x" * 5000)
    record.append("/\x1b[2J\x1b[31mred")
    assert len(record) == server_module.MISSING_KEPT and record.others == 1501 - server_module.MISSING_KEPT
    assert all(len(p) <= server_module.PATH_KEPT + 1 for p in record)
    summary = record.summary()
    assert "\x1b" not in summary and f"(and {record.others} more)" in summary

    # serve prints what found no file when it stops: a request path with terminal escapes comes out escaped
    stop, started = threading.Event(), threading.Event()
    servers = []
    original = server_module.StaticServer.__enter__

    def enter(self):
        servers.append(self)
        started.set()
        return original(self)

    import crosscheck.site.serve as serve_module
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(serve_module.StaticServer, "__enter__", enter)
        thread = threading.Thread(target=serve, kwargs={"port": 0, "stop": stop})
        thread.start()
        started.wait(60)
        sock = _connect(servers[0])  # raw bytes: an HTTP library would refuse to send them
        sock.sendall(b"GET /\x1b[2Jgone HTTP/1.0\r\n\r\n")
        assert sock.makefile("rb").readline().split()[1] == b"404"
        sock.close()
        stop.set()
        thread.join(60)
    out = capsys.readouterr().out
    assert "Requests that found no file" in out and "\x1b" not in out and "\\x1b[2Jgone" in out
