"""One DenseLayer contract for every path an author's or learner's layer takes: the lesson's file passes
``--python``, its starter form is accepted by ``build-site --starter`` and the file passes ``grade``;
``build-site`` refuses a starter that can never pass and a ``--js`` reference that is wrong, in one line;
and a built site names nothing of the machine that built it."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import py_compile
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from crosscheck.cli import main
from crosscheck.grading.grade import grade
from crosscheck.paths import CACHE_DIR, REPO, WEB_DEMO
from crosscheck.site.assemble import CORE_FILES, NUMPY_WHEEL
from crosscheck.site.exercise_answers import fill

LESSONS = Path(__file__).parent / "lessons"
LESSON = LESSONS / "dense.py"
STARTER = LESSONS / "dense_starter.py"
# The lesson's answers to its starter's gaps: filling them is all the learner does.
LESSON_GAPS = {'todo("dWeights")': "self.inputs.T @ dZ",
               'todo("dBiases")': "np.sum(dZ, axis=0, keepdims=True)",
               'todo("dInputs, the gradient passed back")': "dZ @ self.weights.T"}


def build(out: Path, *args: str) -> tuple[int, str, str]:
    """``build-site`` in this process, as the CLI runs it: (exit status, stdout, stderr)."""
    out_buffer, err_buffer = io.StringIO(), io.StringIO()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out_buffer, err_buffer
    try:
        code = main(["build-site", "--runtime", "cdn", "--out", str(out), *args])
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return code, out_buffer.getvalue(), err_buffer.getvalue()


def test_the_lessons_file_passes_python_its_starter_builds_and_the_file_passes_grade(tmp_path):
    import crosscheck

    report = crosscheck.check(python=LESSON, runtimes=["native", "js-node"])
    assert report.ok, report.explain()
    assert fill(STARTER.read_text(), LESSON_GAPS) == LESSON.read_text()   # the starter is the lesson, with gaps
    code, _, err = build(tmp_path / "site", "--starter", str(STARTER))
    assert code == 0, err
    starter_page = (tmp_path / "site" / "pages" / "exercise-starter.mjs").read_text()
    assert json.dumps(STARTER.read_text()) in starter_page
    for activation in ("sigmoid", "tanh"):   # the lesson's layer computes whichever the contract names
        verdict = grade(LESSON, activation)
        assert verdict.passed, verdict.text()


def test_the_pages_own_starter_filled_passes_grade(tmp_path):
    starter = subprocess.run(["node", "--input-type=module", "-e",
                              f"import {{ starterCode }} from {json.dumps((WEB_DEMO / 'pages' / 'exercise-starter.mjs').as_uri())};"
                              "process.stdout.write(starterCode('sigmoid'))"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    (tmp_path / "filled.py").write_text(fill(starter))
    verdict = grade(tmp_path / "filled.py")
    assert verdict.passed, verdict.text()
    # A ReLU grading of the sigmoid exercise's layer says so at once, on the learner's line.
    verdict = grade(tmp_path / "filled.py", "relu")
    assert not verdict.passed and verdict.feedback["title"].startswith("ValueError on line"), verdict.text()
    assert "computes sigmoid, not relu" in verdict.feedback["detail"]


STARTER_TEXT = STARTER.read_text()


@pytest.mark.parametrize("text,says", [
    (STARTER_TEXT.replace("def forward(self, inputs):", "def forward(self, inputs)"), "not Python: SyntaxError on line"),
    (STARTER_TEXT.replace("class DenseLayer:", "class Layer:"), "defines no class DenseLayer"),
    (LESSON.read_text(), "has no gap"),
    # The exercise's old constructor: weights and biases as arguments, which the contract never passes.
    (STARTER_TEXT.replace("def __init__(self, n_inputs, n_neurons, activation_name):",
                          "def __init__(self, n_inputs, n_neurons, *, weights, biases):"),
     "stops before reaching a gap on the lesson example"),
    (LESSON.read_text().replace("dZ = dLossWrtLayerOutput", "if False:\n            todo('x')\n        dZ = dLossWrtLayerOutput"),
     "runs through the lesson example without reaching any of its 1 gap(s)"),
], ids=["syntax-error", "no-dense-layer", "no-gap", "another-constructor", "gap-never-reached"])
def test_build_site_refuses_a_starter_that_can_never_pass(tmp_path, text, says):
    starter = tmp_path / "starter.py"
    starter.write_text(text)
    code, out, err = build(tmp_path / "site", "--starter", str(starter))
    assert code == 2 and out == "", err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: --starter {starter}: ") and says in err, err
    assert not (tmp_path / "site").exists()


def test_build_site_refuses_a_js_reference_that_fails_the_lesson_example(tmp_path):
    js = tmp_path / "dense.js"
    right = "return math.multiply(dZ, math.transpose(this.weights));"
    text = (LESSONS / "dense.js").read_text()
    assert right in text
    js.write_text(text.replace(right, "return math.multiply(2, math.multiply(dZ, math.transpose(this.weights)));"))
    code, out, err = build(tmp_path / "site", "--js", str(js))
    assert code == 2 and out == "", err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: --js {js}: does not pass the lesson example") and "js-node dInputs[" in err, err
    assert not (tmp_path / "site").exists()


def _texts(path: Path):
    """(name, bytes) of the file, and of every member when it is a zip (a wheel), so that a path in
    compressed bytes is found too."""
    data = path.read_bytes()
    yield path.name, data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                yield f"{path.name}!{member}", archive.read(member)


def test_a_built_site_names_nothing_of_the_building_machine(tmp_path_factory):
    """Every file of a site built with the author's --js and --starter, wheels opened: no path of the
    checkout, of the home folder or of the folder the author's files sit in, and no bytecode, though the
    pages' folder holds some (importing exercise_runner.py leaves it)."""
    lesson = tmp_path_factory.mktemp("lesson")
    for name in ("dense.js", "dense_starter.py"):
        (lesson / name).write_bytes((LESSONS / name).read_bytes())
    runner = WEB_DEMO / "pages" / "exercise_runner.py"
    py_compile.compile(str(runner), cfile=importlib.util.cache_from_source(str(runner)))
    out = tmp_path_factory.mktemp("sites") / "site"
    done = subprocess.run([sys.executable, "-m", "crosscheck", "build-site", "--out", str(out), "--js",
                           str(lesson / "dense.js"), "--starter", str(lesson / "dense_starter.py")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in out.rglob("*") if p.suffix in (".pyc", ".pyo") or p.name == "__pycache__"]
    manifest = json.loads((out / ".dense-parity-site.json").read_text())
    assert manifest["author"] == {
        "js": {"name": "dense.js", "sha256": hashlib.sha256((lesson / "dense.js").read_bytes()).hexdigest()},
        "starter": {"name": "dense_starter.py",
                    "sha256": hashlib.sha256((lesson / "dense_starter.py").read_bytes()).hexdigest()}}
    machine = {str(REPO), str(lesson), str(tmp_path_factory.getbasetemp()), str(CACHE_DIR)}
    # Pyodide's and NumPy's release files (the bytes npm and PyPI serve, checked by the runtime's integrity
    # stamp) carry their own build machine's paths, such as /root/repo/cpython/…; they name nothing of this one
    # but may share a home folder's name, so the home folder is looked for in every other file.
    release = {out / "pyodide" / name for name in (*CORE_FILES, NUMPY_WHEEL)}
    home = str(Path.home())
    found = []
    for path in files:
        needles = machine | (set() if path in release else {home, tempfile.gettempdir() + "/"})
        for name, data in _texts(path):
            found += [(name, n) for n in needles if n.encode() in data]
    assert found == []
