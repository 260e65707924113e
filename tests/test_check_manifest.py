"""`check`'s manifest and drawn cases, without any runtime: every manifest error is one line naming the
file, the check and the key (exit 2, before anything boots), and the drawn cases keep their promises."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from crosscheck.cli import main as cli_main
from crosscheck.lessons.cases import CaseFileError, draw_cases, read_case_file, write_case_file
from crosscheck.lessons.manifest import ManifestError, load_manifest
from crosscheck.lessons.shrink import resize

LESSONS = Path(__file__).parent / "lessons_check"

GOOD = """
[[check]]
name = "softmax"
python = "losses.py:softmax_cross_entropy"
js = "losses.js:softmaxCrossEntropy"
args = ["logits", "labels"]
dims = { batch = [1, 8], classes = [2, 10] }
inputs.logits = { shape = ["batch", "classes"], range = [-5.0, 5.0] }
inputs.labels = { shape = ["batch"], int = true, range = [0, "classes"] }
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("losses.py", "losses.js"):
        shutil.copy(LESSONS / name, tmp_path / name)
    return tmp_path


def manifest(folder: Path, text: str) -> Path:
    path = folder / "course.toml"
    path.write_text(text)
    return path


def edited(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


BAD = [
    # (edit of GOOD, words the one line must hold)
    (("losses.py:softmax_cross_entropy", "losses.py:softmax"), ["check 'softmax'", "python", "defines no 'softmax'"]),
    (("losses.py:softmax_cross_entropy", "missing.py:f"), ["python", "missing.py: no such file"]),
    (('shape = ["batch", "classes"]', 'shape = ["batch", "clases"]'),
     ["inputs.logits.shape[1]", "dimension 'clases' is never defined"]),
    (('shape = ["batch", "classes"]', 'shape = ["batch", 0]'), ["inputs.logits.shape[1]", "positive integer"]),
    (('shape = ["batch", "classes"]', 'shape = ["batch", 2.5]'), ["inputs.logits.shape[1]", "positive integer"]),
    (("range = [-5.0, 5.0]", "range = [5.0, -5.0]"), ["inputs.logits.range", "above high"]),
    (('range = [0, "classes"]', 'range = [0, "rows"]'), ["inputs.labels.range[1]", "dimension 'rows'"]),
    (('range = [0, "classes"]', "range = [3, 3]"), ["inputs.labels.range", "can be empty"]),
    (("classes = [2, 10]", "classes = [10, 2]"), ["dims.classes", "min 10 is above max 2"]),
    (("classes = [2, 10]", 'classes = "ten"'), ["dims.classes", "expected [min, max]"]),
    (('args = ["logits", "labels"]', 'args = ["logits", "labels", "lr"]'), ["args[2]", "'lr' has no inputs.lr"]),
    (('args = ["logits", "labels"]', 'args = ["logits"]'), ["inputs.labels", "not in args"]),
    (("name = \"softmax\"", "name = \"softmax\"\ntolerence = 1"), ["tolerence", "unknown key"]),
    (("int = true", "int = true, value = 3"), ["inputs.labels.value", "neither shape nor range"]),
    (('js = "losses.js:softmaxCrossEntropy"', 'js = "losses.js"'), ["js", "FILE:FUNCTION"]),
]


@pytest.mark.parametrize("edit,words", BAD, ids=[w[0] for _, w in BAD])
def test_manifest_error_is_one_line_naming_file_check_and_key(folder, edit, words):
    path = manifest(folder, edited(*edit))
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    for word in words:
        assert word in message, message


def test_toml_syntax_and_empty_manifest(folder):
    with pytest.raises(ManifestError, match=r"course\.toml: not TOML"):
        load_manifest(manifest(folder, "[[check]\n"))
    with pytest.raises(ManifestError, match=r"no \[\[check\]\] table"):
        load_manifest(manifest(folder, "# nothing\n"))


def test_cli_manifest_errors_exit_2_in_one_line(folder, capsys):
    path = manifest(folder, edited('shape = ["batch", "classes"]', 'shape = ["batch", "clases"]'))
    assert cli_main(["check", str(path), "--runtimes", "native,js-node"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "dimension 'clases' is never defined" in err and "Traceback" not in err


def test_cli_unknown_js_export_exits_2(folder, capsys):
    # losses.js is CommonJS: its exports are known when it runs, and the run says so in one line, exit 2.
    path = manifest(folder, edited("losses.js:softmaxCrossEntropy", "losses.js:softmaxXE"))
    assert cli_main(["check", str(path), "--runtimes", "native,js-node", "--random", "2", "--case-dir", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "check 'softmax': js:" in err and "softmaxXE" in err and "softmaxCrossEntropy" in err


def test_cli_unknown_es_module_export_exits_2_before_running(folder, capsys):
    (folder / "esm.mjs").write_text("export function softmaxCrossEntropy(l, y) { return 0; }\n")
    path = manifest(folder, edited("losses.js:softmaxCrossEntropy", "esm.mjs:softmax"))
    assert cli_main(["check", str(path), "--runtimes", "native,js-node"]) == 2
    err = capsys.readouterr().err
    assert "esm.mjs exports no 'softmax' (its exports: softmaxCrossEntropy)" in err
    assert "[js-node]" not in err  # nothing booted


def test_python_syntax_error_names_file_and_line(folder):
    (folder / "losses.py").write_text("def softmax_cross_entropy(x, y):\n    return (\n")
    with pytest.raises(ManifestError, match=r"losses\.py:2: SyntaxError"):
        load_manifest(manifest(folder, GOOD))


# --- drawn cases --------------------------------------------------------------------------------
def test_drawn_cases_keep_shapes_ranges_and_edges(folder):
    check = load_manifest(manifest(folder, GOOD)).checks[0]
    cases = draw_cases(check, 60, seed=3)
    assert cases[0].dims == {"batch": 1, "classes": 2}   # every dimension at its minimum first
    assert cases[1].dims == {"batch": 8, "classes": 10}  # then at its maximum
    seen = {name: set() for name in check.dims}
    for case in cases:
        batch, classes = case.dims["batch"], case.dims["classes"]
        assert 1 <= batch <= 8 and 2 <= classes <= 10
        seen["batch"].add(batch)
        seen["classes"].add(classes)
        logits, labels = case.inputs["logits"], case.inputs["labels"]
        assert logits.shape == (batch, classes) and logits.dtype == np.float64
        assert np.all((-5 <= logits) & (logits <= 5))
        assert labels.shape == (batch,) and labels.dtype == np.int64
        assert np.all((0 <= labels) & (labels < classes))  # half-open: [0, classes)
    assert seen["batch"] == set(range(1, 9))  # inclusive at both ends
    assert 10 in seen["classes"] and 2 in seen["classes"]


def test_drawn_cases_are_seeded_and_prefix_stable(folder):
    check = load_manifest(manifest(folder, GOOD)).checks[0]
    a, b = draw_cases(check, 10, 5), draw_cases(check, 30, 5)
    for x, y in zip(a, b):
        assert x.dims == y.dims and all(np.array_equal(x.inputs[k], y.inputs[k]) for k in x.inputs)
    other = draw_cases(check, 10, 6)
    assert any(not np.array_equal(x.inputs["logits"], y.inputs["logits"]) for x, y in zip(a[2:], other[2:]))


def test_fixed_and_drawn_scalars(folder):
    text = """
[[check]]
name = "scale"
python = "losses.py:scale"
js = "losses.js:scale"
args = ["x", "factor"]
dims = { n = [1, 5] }
inputs.x = { shape = ["n"] }
inputs.factor = { range = [2.0, 3.0] }
"""
    check = load_manifest(manifest(folder, text)).checks[0]
    for case in draw_cases(check, 20, 0):
        assert case.inputs["factor"].shape == () and 2.0 <= float(case.inputs["factor"]) <= 3.0
        assert np.all(np.abs(case.inputs["x"]) <= 1.0)  # the default float range
    fixed = load_manifest(manifest(folder, text.replace("range = [2.0, 3.0]", "value = 0.1"))).checks[0]
    assert {float(c.inputs["factor"]) for c in draw_cases(fixed, 5, 0)} == {0.1}


def test_case_file_round_trip_and_errors(folder, tmp_path):
    check = load_manifest(manifest(folder, GOOD)).checks[0]
    case = draw_cases(check, 3, 0)[2]
    path = tmp_path / "case.json"
    write_case_file(path, check, case)
    [(same_check, back)] = read_case_file(path, {check.name: check})
    assert same_check is check and back.dims == case.dims
    for k in case.inputs:  # bit for bit, through JSON's shortest round-tripping decimals
        assert back.inputs[k].dtype == case.inputs[k].dtype
        assert np.array_equal(back.inputs[k].view(np.int64), case.inputs[k].view(np.int64))
    with pytest.raises(CaseFileError, match="check 'softmax' is in none of the manifests"):
        read_case_file(path, {})
    path.write_text(path.read_text().replace('"batch": ', '"batch": 1'))  # dims no longer match the inputs
    with pytest.raises(CaseFileError, match=r"inputs\.logits: shape"):
        read_case_file(path, {check.name: check})


def test_resize_keeps_leading_values_and_folds_labels(folder):
    check = load_manifest(manifest(folder, GOOD)).checks[0]
    case = draw_cases(check, 2, 0)[1]  # batch 8, classes 10
    small = resize(check, case, {"batch": 2, "classes": 3})
    assert np.array_equal(small.inputs["logits"], case.inputs["logits"][:2, :3])
    assert np.all(small.inputs["labels"] < 3) and small.inputs["labels"].shape == (2,)
