"""A stale or changed runtime folder is refused before anything loads it (issue 9, findings 2 and 3)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from crosscheck.paths import REPO, RUNTIME_DIR
from crosscheck.runtimes import PyodideChromiumRuntime, PyodideNodeRuntime, RuntimeFailure
from crosscheck.runtimes.node.process import NODE_SCRIPTS, node_path
from crosscheck.site import assemble, build, integrity
from crosscheck.site.server import StaticServer

NUMPY = assemble.NUMPY_WHEEL


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def runtime_copy(tmp_path):
    """A copy of the assembled runtime (stamp included) that a test may spoil."""
    copy = tmp_path / "pyodide"
    shutil.copytree(RUNTIME_DIR, copy)
    integrity.verify_runtime(copy)   # the copy starts out trusted
    return copy


def flip_byte(path, offset=None) -> tuple[str, str]:
    """Change one byte (in the middle unless told); return (sha256 before, after)."""
    data = bytearray(path.read_bytes())
    before = hashlib.sha256(data).hexdigest()
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0x01
    path.write_bytes(bytes(data))
    return before, hashlib.sha256(data).hexdigest()


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "crosscheck", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_the_stamp_records_every_file_and_the_sources():
    stamp = json.loads((RUNTIME_DIR / ".assembled.json").read_text())
    files = sorted(p.name for p in RUNTIME_DIR.iterdir() if p.is_file() and p.name != ".assembled.json")
    assert sorted(stamp["files"]) == files
    assert all(stamp["files"][name] == sha(RUNTIME_DIR / name) for name in files)
    assert stamp["python_core"] == integrity.source_digest()


def test_a_changed_wasm_file_refuses_the_run_naming_file_and_hashes(runtime_copy):
    before, after = flip_byte(runtime_copy / "pyodide.asm.wasm")
    result = run_cli("--runtimes", "native,pyodide-node", env={"DENSE_PARITY_RUNTIME_DIR": str(runtime_copy)})
    assert result.returncode == 2 and "PARITY" not in result.stdout, result.stdout + result.stderr
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"{runtime_copy / 'pyodide.asm.wasm'} was changed after assembly: sha256 expected {before}, found {after}" in err
    assert "python -m crosscheck assemble" in err
    # And the runtime itself refuses it before starting Node.
    with pytest.raises(RuntimeFailure, match="pyodide.asm.wasm was changed after assembly"):
        PyodideNodeRuntime(runtime_dir=runtime_copy).start(lambda stage: None)


def test_a_stale_wheel_is_refused_when_python_core_changed(runtime_copy):
    # As if python_core had been edited after assembly: the stamp says the wheel came from other sources.
    stamp_path = runtime_copy / ".assembled.json"
    stamp = json.loads(stamp_path.read_text())
    stamp["python_core"] = "0" * 64
    stamp_path.write_text(json.dumps(stamp))
    result = run_cli("--runtimes", "native,pyodide-node", env={"DENSE_PARITY_RUNTIME_DIR": str(runtime_copy)})
    assert result.returncode == 2, result.stdout + result.stderr
    # What the wheel is built from: python_core's sources and facts, and the wheel's own .dist-info files.
    from crosscheck.site.assemble import CORE_DIST_INFO

    now = hashlib.sha256()
    for path in sorted((REPO / "python_core").rglob("*.py")) + [REPO / "python_core" / "facts.json"]:
        now.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name, text in sorted(CORE_DIST_INFO.items()):
        now.update(name.encode() + b"\0" + text.encode() + b"\0")
    assert (f"python_core changed since the runtime was assembled: its wheel was built from sources with digest "
            f"{'0' * 64}, the sources now have digest {now.hexdigest()}") in result.stderr
    # Only runs that use Pyodide need the folder: a JavaScript-only run goes on.
    assert run_cli("--runtimes", "native,js-node",
                   env={"DENSE_PARITY_RUNTIME_DIR": str(runtime_copy)}).returncode == 0


def test_added_and_missing_files_are_named(runtime_copy):
    (runtime_copy / "extra.js").write_text("// not assembled")
    (runtime_copy / "python_stdlib.zip").unlink()
    found = integrity.problems(runtime_copy)
    assert any("extra.js was added after assembly" in p for p in found)
    assert any("python_stdlib.zip is missing" in p for p in found)


def test_serve_and_build_site_refuse_a_changed_runtime(runtime_copy, tmp_path):
    flip_byte(runtime_copy / NUMPY)
    with pytest.raises(build.SiteError, match=f"{NUMPY} was changed after assembly"):
        build.check_runtime(runtime_copy)
    with pytest.raises(build.SiteError, match=f"{NUMPY} was changed after assembly"):
        build.build_site(tmp_path / "site", runtime_dir=runtime_copy)
    assert not (tmp_path / "site").exists()


def test_serve_root_refuses_a_site_changed_after_build(tmp_path):
    out = tmp_path / "site"
    build.build_site(out)
    build.check_site(out)
    before, after = flip_byte(out / "pyodide" / "pyodide.asm.js")
    with pytest.raises(build.SiteError, match=f"pyodide.asm.js was changed after build-site: sha256 expected "
                                              f"{before}, found {after}"):
        build.check_site(out)


def test_assemble_rebuilds_a_changed_folder_instead_of_calling_it_up_to_date(runtime_copy, monkeypatch, capsys):
    original = sha(runtime_copy / "pyodide.asm.wasm")
    flip_byte(runtime_copy / "pyodide.asm.wasm")
    monkeypatch.setattr(assemble, "RUNTIME_DIR", runtime_copy)
    assemble.assemble()
    err = capsys.readouterr().err
    assert "up to date" not in err and "rebuilding" in err and "pyodide.asm.wasm was changed" in err
    assert sha(runtime_copy / "pyodide.asm.wasm") == original
    assert integrity.problems(runtime_copy) == []


def test_core_files_are_checked_against_the_npm_lock_integrity(tmp_path):
    pkg = tmp_path / "pyodide"
    shutil.copytree(REPO / "node_modules" / "pyodide", pkg)
    assert set(assemble.verified_core_files(pkg)) == set(assemble.CORE_FILES)
    flip_byte(pkg / "pyodide.asm.js")
    with pytest.raises(assemble.AssemblyError, match="pyodide.asm.js differ.* from the npm tarball whose integrity "
                                                     "package-lock.json records \\(sha512-"):
        assemble.verified_core_files(pkg)


def test_pyodide_node_checks_wheel_hashes_itself(runtime_copy):
    # Past the host's check (here: the driver run directly), Pyodide's Node loader would load a changed
    # wheel; the driver refuses it against pyodide-lock.json before loading.
    lock = json.loads((runtime_copy / "pyodide-lock.json").read_text())
    before, after = flip_byte(runtime_copy / NUMPY)
    assert lock["packages"]["numpy"]["sha256"] == before
    node = node_path()
    assert node, "node is needed"
    # The protocol's first line in is the token its messages carry; then no request, so stdin ends.
    proc = subprocess.run([node, str(NODE_SCRIPTS / "pyodide_node.mjs"), str(runtime_copy)], input="t0ken\n",
                          capture_output=True, text=True, timeout=180)
    messages = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert messages and all(m.get("token") == "t0ken" for m in messages), proc.stdout
    failed = [m for m in messages if m.get("type") == "failed"]
    assert failed and not [m for m in messages if m.get("type") == "ready"], proc.stdout + proc.stderr
    assert (f"{runtime_copy / NUMPY}: sha256 {after} differs from pyodide-lock.json's {before}"
            in failed[0]["error"]["message"])


def test_chromium_refusing_a_changed_wheel_says_so_in_words(runtime_copy, chromium, monkeypatch):
    # Past the host's check, the browser refuses the wheel (Subresource Integrity against the lock);
    # the reason must reach the user, not a bare ModuleNotFoundError.
    flip_byte(runtime_copy / NUMPY)
    monkeypatch.setattr(PyodideChromiumRuntime, "integrity_reason", classmethod(lambda cls, folder: None))
    with StaticServer(runtime_dir=runtime_copy) as server:
        runtime = PyodideChromiumRuntime(server=server, chromium=chromium, boot_timeout=120)
        try:
            with pytest.raises(RuntimeFailure) as failure:
                runtime.start(lambda stage: None)
        finally:
            runtime.close()
    reason = failure.value.reason
    assert "does not match the sha256 in pyodide-lock.json" in reason and "crosscheck assemble" in reason, reason


def test_python_requirements_are_installed_hash_checked():
    import re
    text = (REPO / "requirements.txt").read_text()
    requirements = [r for r in re.split(r"(?<!\\)\n", text) if r.strip() and not r.lstrip().startswith("#")]
    assert len(requirements) > 40
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[^\s\\]+ \\\n    (--hash=sha256:[0-9a-f]{64} ?)+", requirement), requirement
    setup = (REPO / "scripts" / "setup").read_text()
    assert "--require-hashes -r requirements.txt" in setup
