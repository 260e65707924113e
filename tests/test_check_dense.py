"""The dense layer as a manifest check (``layer = "dense"``): its verdicts and bits are those of
``run --python/--js`` on the same seed, case by case, runtime by runtime, array by array; a seeded bug
fails both the same way; a bad dense table is one line. Native and js-node only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from crosscheck.cli import main as cli_main

LESSONS = Path(__file__).parent / "lessons"
FAST = "native,js-node"


def _bits(values) -> bytes:
    return np.asarray(values, dtype=np.float64).tobytes()


def _run_and_check(tmp_path: Path, capsys, folder: Path, *seed: str) -> tuple[int, dict, int, dict]:
    a, b = tmp_path / "run.json", tmp_path / "check.json"
    run_code = cli_main(["run", "--python", str(folder / "dense.py"), "--js", str(folder / "dense.js"), *seed,
                         "--runtimes", FAST, "--json-values", "full", "--json", str(a)])
    check_code = cli_main(["check", str(folder / "dense.toml"), *seed, "--runtimes", FAST, "--json", str(b)])
    capsys.readouterr()
    return run_code, json.loads(a.read_text()), check_code, json.loads(b.read_text())


def _same_cases(run: dict, entry: dict) -> int:
    """Every case, runtime and array: the same float64 bits and the same verdict; the count compared."""
    cases = entry["dense_cases"]
    assert [c["name"] for c in cases] == [c["name"] for c in run["cases"]]
    compared = 0
    for mine, theirs in zip(cases, run["cases"]):
        assert mine["spec"] == theirs["spec"]
        assert set(mine["results"]) == set(theirs["results"]) == {"native", "js-node"}
        for runtime, arrays in theirs["results"].items():
            assert set(mine["results"][runtime]) == set(arrays)
            for array, values in arrays.items():
                if array != "error":
                    assert _bits(mine["results"][runtime][array]) == _bits(values), (theirs["name"], runtime, array)
                    compared += 1
        assert ({(c["runtime"], c["array"]): c["ok"] for c in mine["comparisons"]}
                == {(c["runtime"], c["array"]): c["ok"] for c in theirs["comparisons"]})
    return compared


def test_dense_manifest_matches_run_on_300_cases(tmp_path, capsys):
    run_code, run, check_code, check = _run_and_check(tmp_path, capsys, LESSONS, "--random", "300", "--seed", "11")
    (entry,) = check["checks"]
    assert entry["layer"] == "dense" and entry["cases"] == len(run["cases"]) == 301  # the lesson example + 300
    assert _same_cases(run, entry) == 301 * 4 * 2  # four arrays, two runtimes
    assert run_code == check_code and run["ok"] == check["ok"] == entry["ok"]
    # The per-output figures agree with run's per-array verdicts.
    for array, info in entry["outputs"].items():
        f = info["runtimes"]["js-node"]
        run_ok = all(c["ok"] for case in run["cases"] for c in case["comparisons"]
                     if c["array"] == array and c["runtime"] == "js-node")
        assert f["ok"] == run_ok and f["cases"] == 301


def test_seeded_bug_fails_both_alike(tmp_path, capsys):
    folder = tmp_path / "lesson"
    folder.mkdir()
    for name in ("dense.py", "dense.js", "dense.toml"):
        shutil.copy(LESSONS / name, folder / name)
    js = folder / "dense.js"
    # A relative error of 1e-6 in the biases' gradient: outside any rounding of a correct sum.
    text = js.read_text()
    assert "this.dBiases = math.sum(dZ, 0);" in text
    js.write_text(text.replace("this.dBiases = math.sum(dZ, 0);",
                               "this.dBiases = math.multiply(math.sum(dZ, 0), 1 + 1e-6);"))
    run_code, run, check_code, check = _run_and_check(tmp_path, capsys, folder, "--random", "20", "--seed", "3")
    (entry,) = check["checks"]
    assert run_code == check_code == 1 and not run["ok"] and not check["ok"]
    assert _same_cases(run, entry) == 21 * 4 * 2
    assert not entry["outputs"]["dBiases"]["runtimes"]["js-node"]["ok"]
    assert entry["outputs"]["output"]["runtimes"]["js-node"]["ok"]


def test_bad_dense_table_is_one_line(tmp_path, capsys):
    manifest = tmp_path / "dense.toml"
    manifest.write_text('[[check]]\nname = "dense"\nlayer = "dense"\npython = "missing.py"\n')
    assert cli_main(["check", str(manifest)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "check 'dense': python: missing.py: no such file" in err
    manifest.write_text(f'[[check]]\nname = "dense"\nlayer = "dense"\npython = "{LESSONS / "dense.py"}"\n'
                        'dims = {{ batch = [1, 2] }}\n'.replace("{{", "{").replace("}}", "}"))
    assert cli_main(["check", str(manifest)]) == 2
    err = capsys.readouterr().err.strip()
    assert "check 'dense': dims: unknown key" in err


def test_dense_check_beside_other_checks(tmp_path):
    """One course with the dense layer and other lessons: every check runs, in the manifest's order, and
    the dense layer's bit-identical counts are the tally's."""
    import crosscheck

    here = Path(__file__).parent
    manifest = tmp_path / "course.toml"
    manifest.write_text(
        f'[[check]]\nname = "dense layer"\nlayer = "dense"\npython = "{LESSONS / "dense.py"}"\njs = "{LESSONS / "dense.js"}"\n\n'
        f'[[check]]\nname = "mse"\npython = "{here / "lessons_check" / "losses.py"}:mse"\n'
        f'js = "{here / "lessons_check" / "losses.js"}:mse"\nargs = ["predictions", "targets"]\n'
        'dims = { batch = [1, 4], outputs = [1, 3] }\n'
        'inputs.predictions = { shape = ["batch", "outputs"] }\ninputs.targets = { shape = ["batch", "outputs"] }\n')
    report = crosscheck.check_lessons(manifest, random=5, seed=2, runtimes=FAST.split(","))
    assert report.ok, report.explain()
    dense, mse = report["checks"]
    assert (dense["name"], dense["cases"], mse["name"], mse["cases"]) == ("dense layer", 6, "mse", 5)
    for output, info in dense["outputs"].items():
        same = sum(n for grouping, n in dense["agreement"][output].items() if grouping == "native=js-node")
        assert info["runtimes"]["js-node"]["bit_identical"] == same
