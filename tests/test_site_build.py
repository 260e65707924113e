"""``serve`` and ``build-site``: the pages served locally, and a static folder that works on its
own, offline (tested for real) or with Pyodide from the CDN (its config, and a load through a
router that stands in for the CDN, since this machine has no internet)."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crosscheck.site.build import CDN_INDEX_URL, page_files
from crosscheck.paths import NODE_MODULES, REPO, RUNTIME_DIR
from crosscheck.site.server import StaticServer

pytestmark = pytest.mark.xdist_group("site_build")  # under pytest -n, one worker builds the sites once


def crosscheck(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crosscheck", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, **kwargs)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def banner(proc: subprocess.Popen) -> tuple[list[str], str]:
    """What `serve` prints up to "Press Ctrl-C", and the base URL it names: read, not waited for."""
    lines = []
    while not lines or not lines[-1].startswith("Press Ctrl-C"):
        line = proc.stdout.readline()
        assert line, f"serve exited early: {proc.stderr.read()}"
        lines.append(line.strip())
    return lines, re.search(r"at (http://127\.0\.0\.1:\d+)/", lines[0]).group(1)


def test_serve_prints_the_urls_serves_the_pages_and_stops_on_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "crosscheck", "serve", "--port", "0"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines, base = banner(proc)
        assert f"{base}/pages/lab.html" in "\n".join(lines) and f"{base}/pages/exercise.html" in "\n".join(lines)
        for path, needle in [("/pages/lab.html", b"DenseLayer lab"), ("/pages/exercise.html", b"DenseLayer.backward"),
                             ("/pyodide/pyodide-lock.json", b"dense-parity"), ("/vendor/editor.mjs", b"EditorView")]:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200 and needle in response.read(), path
                # Development: no lesson origins, so only the pages' own origin may frame them.
                assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "Stopped." in out and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_says_when_the_port_is_taken():
    with StaticServer() as busy:
        port = busy.url.rsplit(":", 1)[1]
        result = crosscheck("serve", "--port", port)
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sites") / "offline"
    result = crosscheck("build-site", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Site written to" in result.stdout and "offline" in result.stdout
    return out


def test_offline_site_holds_the_pages_and_the_runtime(offline_site):
    manifest = json.loads((offline_site / ".dense-parity-site.json").read_text())
    assert manifest["runtime"] == "local"
    for name in ("pages/index.html", "pages/lab.html", "pages/exercise.html", "pages/train.html", "lib/pyodide-worker.mjs",
                 "lib/network-worker.mjs", "vendor/uplot.mjs", "vendor/mnist-5-8.bin",
                 "vendor/editor.mjs", "vendor/mathjs.mjs", "lib/dense-layer.mjs", "pyodide/pyodide.mjs",
                 "pyodide/pyodide-lock.json"):
        assert (offline_site / name).is_file(), name
    # The same bytes as the assembled runtime, wheels included; the drivers' test pages stay out.
    for wheel in RUNTIME_DIR.glob("*.whl"):
        assert sha256(offline_site / "pyodide" / wheel.name) == sha256(wheel)
    assert not (offline_site / "harness").exists()
    assert '"../pyodide/"' in (offline_site / "lib" / "runtime-config.mjs").read_text()


def test_offline_site_works_on_its_own(offline_site, lesson_pages):
    """Served from the built folder alone: the lab boots Python and shows identical results."""
    with StaticServer(root=offline_site, runtime_dir=offline_site / "pyodide") as server:
        page = lesson_pages.open("/pages/lab.html", base_url=server.url)
        try:
            page.wait_for_function("() => document.documentElement.dataset.lab === 'done'")
            assert page.get_attribute("#verdict", "data-verdict") in ("identical", "agree")
            assert "runtime: local folder" in page.inner_text("#meta")
            assert list(server.missing) == [] and page.errors == []
        finally:
            page.close()


def test_a_folder_not_made_by_build_site_is_never_overwritten(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = crosscheck("build-site", "--out", str(tmp_path))
    assert result.returncode == 2 and "nothing was deleted" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_starter_or_js_that_is_not_utf8_is_one_line_and_builds_nothing(tmp_path, capsys):
    from crosscheck.cli import main

    (tmp_path / "starter.py").write_bytes("# café\nclass DenseLayer: pass\n".encode("latin-1"))
    (tmp_path / "lesson.js").write_bytes("// café\nexport class DenseLayer {}\n".encode("latin-1"))
    for flag, name in (("--starter", "starter.py"), ("--js", "lesson.js")):
        out = tmp_path / f"site-{flag[2:]}"
        code = main(["build-site", "--runtime", "cdn", "--out", str(out), flag, str(tmp_path / name)])
        captured = capsys.readouterr()
        assert code == 2 and captured.out == "", captured
        assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err, captured.err
        assert f"{flag} {tmp_path / name}: not UTF-8 text" in captured.err, captured.err
        assert not out.exists() and [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_a_failed_build_leaves_the_previous_site_and_the_next_build_works(tmp_path, monkeypatch, capsys):
    import errno

    from crosscheck.cli import main
    from crosscheck.site import build

    out = tmp_path / "site"
    assert main(["build-site", "--runtime", "cdn", "--out", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = build.site_config

    def disk_full(origins):  # late in the build, after every page was copied
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build, "site_config", disk_full)
    capsys.readouterr()
    assert main(["build-site", "--runtime", "cdn", "--out", str(out), "--allow-origin", "https://a.example"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and len(err.strip().splitlines()) == 1, err
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    build.check_site(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old folder left behind
    monkeypatch.setattr(build, "site_config", real)
    assert main(["build-site", "--runtime", "cdn", "--out", str(out), "--allow-origin", "https://a.example"]) == 0
    assert "https://a.example" in (out / "lib" / "site-config.mjs").read_text()
    build.check_site(out)


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sites") / "cdn"
    result = crosscheck("build", "--runtime", "cdn", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_cdn_site_config_points_at_the_official_cdn_and_ships_the_wheel(cdn_site):
    # The CDN's Pyodide is the one package-lock.json pins (and the offline runtime is built from).
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert CDN_INDEX_URL == f"https://cdn.jsdelivr.net/pyodide/v{lock['packages']['node_modules/pyodide']['version']}/full/"
    config = (cdn_site / "lib" / "runtime-config.mjs").read_text()
    body = json.loads(config[config.index("{"):config.rindex("}") + 1])
    [wheel] = RUNTIME_DIR.glob("dense_parity-*.whl")
    assert body == {"mode": "cdn", "indexURL": CDN_INDEX_URL, "packages": ["numpy", f"../wheels/{wheel.name}"]}
    assert sha256(cdn_site / "wheels" / wheel.name) == sha256(wheel)
    assert not (cdn_site / "pyodide").exists()
    assert sorted(str(p) for p in page_files()) == sorted(
        str(p.relative_to(cdn_site)) for p in cdn_site.rglob("*")
        if p.is_file() and p.parts[len(cdn_site.parts)] != "wheels" and not p.name.startswith("."))


def test_cdn_site_loads_pyodide_from_the_cdn_url(cdn_site, chromium):
    """No internet here: a router answers for the CDN with the official files of the same release
    (the npm package and the hash-checked NumPy wheel). The site itself has no runtime folder."""
    official = NODE_MODULES / "pyodide"
    asked = []

    def cdn(route):
        name = route.request.url[len(CDN_INDEX_URL):].split("?")[0]
        asked.append(name)
        source = official / name if (official / name).is_file() else RUNTIME_DIR / name
        if name.endswith(".whl") and not name.startswith("numpy-"):
            source = Path("/nonexistent")  # the CDN has no dense-parity wheel
        if not source.is_file():
            return route.fulfill(status=404, body="not on the CDN")
        types = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
                 ".json": "application/json"}
        route.fulfill(status=200, body=source.read_bytes(), headers={
            "Content-Type": types.get(source.suffix, "application/octet-stream"), "Access-Control-Allow-Origin": "*"})

    with StaticServer(root=cdn_site, runtime_dir=cdn_site / "pyodide") as server:
        context = chromium.browser.new_context()
        try:
            context.route(f"{CDN_INDEX_URL}**", cdn)
            page = context.new_page()
            page.goto(server.url + "/pages/lab.html")
            page.wait_for_function("() => document.documentElement.dataset.lab === 'done'", timeout=120000)
            assert page.get_attribute("#verdict", "data-verdict") in ("identical", "agree")
            assert "runtime: CDN" in page.inner_text("#meta")
        finally:
            context.close()
    assert "pyodide.mjs" in asked and any(n.startswith("numpy-") for n in asked)
    assert not any(n.startswith("dense_parity") for n in asked)  # that one came from the site's wheels/
    assert list(server.missing) == []


def test_every_package_the_page_bundles_import_is_pinned():
    """crosscheck/site/bundle_web.mjs (run by scripts/bundle-web.mjs) resolves its imports from node_modules: each package must be a
    declared, exactly pinned dependency (not one that is there only because another pulls it in)."""
    source = (REPO / "crosscheck" / "site" / "bundle_web.mjs").read_text()
    entries = source[source.index("const ENTRIES"):]
    imported = set(re.findall(r'from "((?:@[^/".]+/)?[^/".][^/"]*)', entries))  # packages, not ./files
    assert {"mathjs", "codemirror", "@codemirror/lint"} <= imported  # the pattern still finds them
    declared = json.loads((REPO / "package.json").read_text())["dependencies"]
    locked = json.loads((REPO / "package-lock.json").read_text())["packages"][""]["dependencies"]
    for name in sorted(imported):
        assert name in declared, f"{name} is imported by scripts/bundle-web.mjs but not in package.json"
        installed = json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
        assert declared[name] == locked[name] == installed, name


def test_lesson_origins_go_into_the_pages_and_the_header_serve_sends(tmp_path):
    out = tmp_path / "site"
    result = crosscheck("build-site", "--out", str(out), "--allow-origin", "https://lessons.example.org",
                        "--allow-origin", "https://LESSONS.example.org:443/", "--allow-origin", "http://localhost:8080")
    assert result.returncode == 0, result.stderr
    expected = ["https://lessons.example.org", "http://localhost:8080"]   # normalized, once each
    header = "frame-ancestors 'self' https://lessons.example.org http://localhost:8080"
    assert f"Content-Security-Policy: {header}" in result.stdout
    config = (out / "lib" / "site-config.mjs").read_text()
    assert json.loads(config[config.index("{"):config.rindex("}") + 1]) == {"lessonOrigins": expected}
    assert json.loads((out / ".dense-parity-site.json").read_text())["allowOrigins"] == expected
    proc = subprocess.Popen([sys.executable, "-m", "crosscheck", "serve", "--root", str(out), "--port", "0"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines, base = banner(proc)
        assert any("https://lessons.example.org, http://localhost:8080" in line for line in lines), lines
        for path in ("/pages/exercise.html", "/pages/index.html", "/lib/site-config.mjs"):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.headers["Content-Security-Policy"] == header, path
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("origin", ["lessons.example.org", "https://lessons.example.org/course/4", "ftp://x.org",
                                    "https://", "https://x.org:99999", "*"])
def test_a_bad_lesson_origin_is_a_one_line_error(tmp_path, origin):
    result = crosscheck("build-site", "--out", str(tmp_path / "site"), "--allow-origin", origin)
    assert result.returncode == 2 and "is not an origin like https://lessons.example.org" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()
