"""The last ways to a false green, a hang or a traceback by what is given on the command line: loose
tolerances, an edited runtime wheel, an origin that is not one, JSON that is too deep, too large or not a
file, output paths that cannot be written, unbounded waits and an empty layer. Each is refused in one
line (exit 2) before any runtime starts, or named in the verdict."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crosscheck.paths import REPO, RUNTIME_DIR
from test_trust_flags import cli  # (the CLI in this process: exit code, stdout, stderr)

LESSONS_CHECK = Path(__file__).parent / "lessons_check"
LESSON_CASE = {"activation": "linear", "weights": [[1.0, 2.0], [3.0, 4.0]], "biases": [[0.5, -0.5]],
               "inputs": [[1.0, -1.0]], "upstream": [[1.0, 1.0]]}


def one_line(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, (out, err)
    assert "PARITY OK" not in out and "CHECK OK" not in out and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, (word, err)


# --- tolerances that make the check meaningless --------------------------------------------------------
@pytest.mark.parametrize("argv, named", [
    (("--rtol", "1"), "rtol 1"), (("--atol", "1e308"), "atol 1e+308"), (("--rtol", "1e-3"), "rtol 0.001"),
    (("--runtimes", "native,js-node", "--atol", "0.5", "--rtol", "2"), "rtol 2 and atol 0.5"),
    (("train", "xor", "--rtol", "0.01"), "rtol 0.01"),
])
def test_a_loose_tolerance_is_refused_without_loose(capsys, argv, named):
    one_line(*cli(capsys, *argv), named, "--loose")


def test_with_loose_the_verdict_names_the_tolerance(capsys):
    from crosscheck.parity.report import verdict_line

    code, out, err = cli(capsys, "--runtimes", "native,js-node", "--rtol", "1", "--atol", "0", "--loose")
    assert code == 0, err
    assert out.splitlines()[-1].endswith("(loose: rtol 1, atol 0)"), out.splitlines()[-1]
    # All runtimes ran: the line that is otherwise a bare PARITY OK names the tolerance too.
    report = {"ok": True, "reference": "native", "runtimes": {}, "not_checked": {},
              "tolerance": {"rtol": 1.0, "atol": 0.0, "exact": False}}
    assert verdict_line(report) == "PARITY OK (loose: rtol 1, atol 0)"
    assert verdict_line({**report, "tolerance": {"rtol": 1e-12, "atol": 1e-15, "exact": False}}) == "PARITY OK"


def test_training_with_loose_names_the_tolerance(capsys):
    code, out, err = cli(capsys, "train", "xor", "--compare", "--runtime", "js-node", "--epochs", "20",
                         "--rtol", "0.01", "--loose")
    assert code == 0, err
    assert "TRAINING PARITY OK (loose: rtol 0.01, atol 1e-15)" in out.splitlines(), out


def test_the_python_api_refuses_a_loose_tolerance_too():
    from crosscheck.checking import check

    with pytest.raises(ValueError, match="atol 0.01: .*loose=True"):
        check(atol=0.01)


def course(tmp_path: Path, tolerance: str) -> Path:
    for name in ("losses.py", "losses.js"):
        shutil.copy(LESSONS_CHECK / name, tmp_path / name)
    path = tmp_path / "course.toml"
    path.write_text(f"""
[[check]]
name = "softmax"
python = "losses.py:softmax_cross_entropy"
js = "losses.js:softmaxCrossEntropy"
args = ["logits", "labels"]
dims = {{ batch = [1, 8], classes = [2, 10] }}
inputs.logits = {{ shape = ["batch", "classes"], range = [-5.0, 5.0] }}
inputs.labels = {{ shape = ["batch"], int = true, range = [0, "classes"] }}
{tolerance}
""")
    return path


@pytest.mark.parametrize("tolerance, key", [("tolerance = { rtol = 0.5 }", "tolerance"),
                                            ("outputs.loss = { atol = 1e-3 }", "outputs.loss")])
def test_a_manifests_loose_tolerance_is_refused_without_loose(capsys, tmp_path, tolerance, key):
    from crosscheck.lessons.course import verdict
    from crosscheck.lessons.plan import make_plan

    path = course(tmp_path, tolerance)
    one_line(*cli(capsys, "check", str(path), "--runtimes", "native,js-node", "--random", "2"),
             f"{path}: check 'softmax': {key}: ", "--loose")
    plan, _ = make_plan([path], random=2, runtimes=["native", "js-node"], loose=True)
    words = "loose: rtol 0.5, atol 1e-15" if key == "tolerance" else "loose: rtol 1e-10, atol 0.001 for loss"
    assert plan.loose == {"softmax": words}
    assert verdict([{"name": "softmax", "ok": True}], plan).endswith(f"('softmax' {words})")


# --- a runtime folder whose wheel was edited, its lock and stamp updated to match ------------------------
def _forge(folder: Path, edit) -> None:
    """What the attack did: change the wheel, then make pyodide-lock.json and the stamp agree with it."""
    from crosscheck.site.integrity import STAMP, folder_hashes

    wheel = folder / "dense_parity-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(wheel, "w") as zf:
        for info, data in members:
            zf.writestr(info, edit(info.filename, data))
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    lock["packages"]["dense-parity"]["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    stamp = json.loads((folder / STAMP).read_text())
    stamp["files"] = folder_hashes(folder)
    (folder / STAMP).write_text(json.dumps(stamp))


def test_an_edited_wheel_is_a_stale_runtime_however_lock_and_stamp_agree(tmp_path):
    from crosscheck.site.integrity import RuntimeIntegrityError, verify_runtime

    folder = tmp_path / "pyodide"
    shutil.copytree(RUNTIME_DIR, folder)
    verify_runtime(folder)  # the copy is what assemble made
    _forge(folder, lambda name, data: data.replace(b"return", b"return  ", 1)
           if name == "python_core/dense_layer.py" else data)
    with pytest.raises(RuntimeIntegrityError) as raised:
        verify_runtime(folder)
    message = str(raised.value)
    assert "stale runtime" in message and "python_core/dense_layer.py differs from the sources" in message
    assert "\n" not in message

    # Through `run`: refused before anything boots, with the reason, never a PARITY OK.
    done = subprocess.run([sys.executable, "-m", "crosscheck", "--runtimes", "native,pyodide-node"], cwd=REPO,
                          env={**os.environ, "DENSE_PARITY_RUNTIME_DIR": str(folder)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "PARITY OK" not in done.stdout and "Traceback" not in done.stderr
    assert "stale runtime" in done.stderr and "dense_layer.py differs" in done.stderr


def test_a_module_added_to_the_wheel_or_a_second_python_core_in_the_lock_is_refused(tmp_path):
    from crosscheck.site.integrity import wheel_problems

    folder = tmp_path / "pyodide"
    shutil.copytree(RUNTIME_DIR, folder)
    wheel = folder / "dense_parity-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "a") as zf:
        zf.writestr("python_core/extra.py", "import os\n")
    assert any("python_core/extra.py is not in the sources" in p for p in wheel_problems(folder))
    shutil.copy2(RUNTIME_DIR / wheel.name, wheel)
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    lock["packages"]["other"] = {**lock["packages"]["dense-parity"], "file_name": "other.whl"}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    assert any("package 'other' (python_core)" in p for p in wheel_problems(folder))


# --- origins -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "http://a.example *", "*", "https://*.example.org", "https://a.example/path", "https://a.example?x=1",
    "https://a.example#f", " https://a.example", "https://a.example\t", "https://user@a.example",
    "ftp://a.example", "https://a..example", "https://-a.example", "https://a.example:0", "https://a.example:99999",
    "https://[::1", "https://999.1.1.1", "https://a.example 'unsafe-inline'", "javascript://a.example",
])
def test_an_origin_is_scheme_host_and_port_only(text):
    import argparse

    from crosscheck.cli.checks import origin

    with pytest.raises(argparse.ArgumentTypeError, match="is not an origin like"):
        origin(text)


def test_good_origins_take_the_browsers_form(capsys, tmp_path):
    from crosscheck.cli.checks import origin
    from crosscheck.site.serve import site_origins
    from crosscheck.site.build import SiteError

    assert [origin(o) for o in ("https://LESSONS.example.org:443/", "http://localhost:8080", "http://127.0.0.1",
                                "https://[::1]:8443")] == \
        ["https://lessons.example.org", "http://localhost:8080", "http://127.0.0.1", "https://[::1]:8443"]
    one_line(*cli(capsys, "build-site", "--out", str(tmp_path / "site"), "--allow-origin", "http://a.example *"),
             "argument --allow-origin", "'http://a.example *'")
    assert not (tmp_path / "site").exists()
    # A built site's manifest edited to hold one: serve refuses it rather than send it in the header.
    (tmp_path / ".dense-parity-site.json").write_text(json.dumps({"allowOrigins": ["http://a.example *"]}))
    with pytest.raises(SiteError, match="allowOrigins: 'http://a.example \\*' is not an origin"):
        site_origins(tmp_path)


# --- JSON from outside: depth, size, not a file, numbers outside float64 --------------------------------
@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["tally", "explain"])
def test_a_report_that_is_no_file_is_refused_at_once(capsys, tmp_path, fifo, command):
    for path, what in ((fifo, "a FIFO"), (Path("/dev/zero"), "a character device"), (tmp_path, "a folder")):
        one_line(*cli(capsys, command, str(path)), str(path), what)


def test_a_report_too_deep_or_too_large_is_refused(capsys, tmp_path, monkeypatch):
    from crosscheck.cli import checks

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    one_line(*cli(capsys, "tally", str(deep)), str(deep), "nested 200000 levels deep")
    one_line(*cli(capsys, "explain", str(deep)), str(deep), "nested")
    large = tmp_path / "large.json"
    large.write_text(json.dumps({"runtimes": {}, "cases": [0] * 1000}))
    monkeypatch.setattr(checks, "MAX_REPORT_BYTES", 1000)
    one_line(*cli(capsys, "tally", str(large)), str(large), "at most 1,000 are read")


@pytest.mark.parametrize("number", ["1" * 400, "-" + "9" * 310, "1e400", "-2e308"])
def test_a_case_number_outside_float64_is_refused_naming_the_file(capsys, tmp_path, number):
    path = tmp_path / "case.json"
    path.write_text(json.dumps([LESSON_CASE]).replace("0.5", number, 1))
    one_line(*cli(capsys, "--case", str(path), "--runtimes", "native,js-node"), str(path), "outside float64")


def test_the_shared_reader_bounds_every_input(tmp_path, fifo):
    from crosscheck.jsonin import JsonInputError, read_json
    from crosscheck.lessons.cases import CaseFileError, read_case_file
    from crosscheck.lessons.manifest import ManifestError, load_manifest
    from crosscheck.parity.cases import load_case_file

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 65 + "]" * 65)
    with pytest.raises(JsonInputError, match="nested 65 levels deep"):
        read_json(deep)
    (tmp_path / "ok.json").write_text('{"a": ["[[[[ not nesting", 1e308, -0.0, NaN, 12]}')
    assert read_json(tmp_path / "ok.json")["a"][1:3] == [1e308, 0.0]
    for reader, error in ((load_case_file, Exception), (lambda p: read_case_file(p, {}), CaseFileError),
                          (load_manifest, ManifestError)):
        for path in (fifo, "/dev/zero", deep if reader is not load_manifest else tmp_path):
            with pytest.raises(error) as raised:
                reader(path)
            assert str(path) in str(raised.value)
    toml_deep = tmp_path / "deep.toml"
    toml_deep.write_text("x = " + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ManifestError, match="nested more than 64 levels"):
        load_manifest(toml_deep)


# --- output paths, checked before the work --------------------------------------------------------------
def test_every_output_path_is_checked_before_the_work(capsys, tmp_path, fifo):
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"runtimes": {}, "cases": []}))
    manifest = course(tmp_path, "")
    for target, why in (("/proc/version", "kernel or device file system"), ("/dev/full", "kernel or device"),
                        (str(fifo), "not a regular file"), (str(tmp_path), "is a folder")):
        for argv in (("--runtimes", "native,js-node", "--json", target),
                     ("train", "xor", "--json", target), ("train", "xor", "--png", target),
                     ("check", str(manifest), "--json", target), ("explain", str(report), "--json", target),
                     ("probe-libm", "--runtimes", "native", "--json", target), ("bench", "--json", target)):
            code, out, err = cli(capsys, *argv)
            one_line(code, out, err, f"argument {argv[argv.index(target) - 1]}", why)
            assert out == ""  # nothing trained, run or explained first
    for argv in (("build-site", "--out", "/proc/site"), ("check", str(manifest), "--case-dir", "/sys/cases")):
        one_line(*cli(capsys, *argv), f"argument {argv[-2]}", "kernel or device file system")


# --- waits, and an empty layer ------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [("--boot-timeout", "1e300"), ("--run-timeout", "1e300"),
                                  ("check", str(LESSONS_CHECK / "lessons.toml"), "--boot-timeout", "1e300"), ("pool", "start", "--idle", "1e300"),
                                  ("watch", "--run-timeout", "86401")])
def test_a_time_flag_is_bounded(capsys, argv):
    one_line(*cli(capsys, *argv), "at most 86400")


@pytest.mark.parametrize("weights, biases, upstream, why", [
    ([[], []], [[]], [[]], "weights: expected at least one column (one per neuron), got shape (2, 0)"),
    ([], [[]], [[]], "weights: expected a 2-D array"),
])
def test_a_layer_of_no_neuron_or_no_input_is_refused_as_a_case(capsys, tmp_path, weights, biases, upstream, why):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps([{**LESSON_CASE, "weights": weights, "biases": biases, "inputs": [[1.0, 2.0]],
                                 "upstream": upstream}]))
    one_line(*cli(capsys, "--case", str(path), "--runtimes", "native,js-node"), str(path), why)


# --- the exercise's site without the reference wheel (the page test: tests/test_web_exercise_site.py) -----
def test_an_exercise_only_cdn_site_holds_no_wheel_and_loads_numpy_alone(capsys, tmp_path):
    out = tmp_path / "site"
    code, stdout, err = cli(capsys, "build-site", "--exercise-only", "--runtime", "cdn", "--out", str(out))
    assert code == 0, err
    manifest = json.loads((out / ".dense-parity-site.json").read_text())
    assert manifest["pages"] == "exercise" and manifest["wheel"] is None
    assert not any(f.endswith(".whl") or f.startswith(("wheels/", "pyodide/")) for f in manifest["files"])
    assert "pages/exercise.html" in manifest["files"] and "pages/lab.html" not in manifest["files"]
    config = (out / "lib" / "runtime-config.mjs").read_text()
    assert json.loads(config[config.index("{"):config.rindex("}") + 1])["packages"] == ["numpy"]
