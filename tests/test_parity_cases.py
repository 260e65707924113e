"""Random cases (seeded, covering what they promise) and case files (refused early and precisely)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crosscheck import cli
from crosscheck.parity.cases import LESSON_EXAMPLE, CaseFileError, load_case_file
from crosscheck.parity.random_cases import random_cases
from python_core import ACTIVATIONS


def test_same_seed_same_cases_other_seed_other_cases():
    a, b, c = random_cases(40, seed=11), random_cases(40, seed=11), random_cases(40, seed=12)
    fields = ("weights", "biases", "inputs", "upstream")
    assert all(x["activation"] == y["activation"] and all(np.array_equal(x[f], y[f]) for f in fields)
               for x, y in zip(a, b))
    assert any(not np.array_equal(x["weights"], y["weights"]) for x, y in zip(a, c))


def test_random_cases_cover_sizes_activations_saturation_and_the_kink():
    cases = random_cases(300, seed=11)
    shapes = np.array([c["weights"].shape + (c["inputs"].shape[0],) for c in cases])
    assert shapes.min() == 1 and shapes[:, :2].max() == 64 and shapes[:, 2].max() == 32
    assert {c["activation"] for c in cases} == set(ACTIVATIONS)
    magnitudes = np.concatenate([np.abs(c["weights"]).ravel() for c in cases])
    decades = np.log10(magnitudes[magnitudes > 0])
    assert decades.max() - decades.min() > 8            # several decades, not one scale
    z = {id(c): c["inputs"] @ c["weights"] + c["biases"] for c in cases}
    # sigmoid past where e^(−z) overflows (z < −709) and tanh where it rounds to ±1 (|z| > 19.1)
    assert any((z[id(c)] < -709).any() for c in cases if c["activation"] == "sigmoid")
    assert any((np.tanh(z[id(c)]) == np.sign(z[id(c)])).any() & (z[id(c)] != 0).any()
               for c in cases if c["activation"] == "tanh")
    # exact zeros at ReLU's kink
    assert sum(int((z[id(c)] == 0).sum()) for c in cases if c["activation"] == "relu") > 50


def test_the_cli_puts_the_lesson_example_first(monkeypatch, capsys):
    seen = {}

    def fake_run_cases(cases, runtimes, *args, **kwargs):
        seen["cases"] = cases
        raise ValueError("stop here")  # the CLI reports a ValueError and exits 2

    monkeypatch.setattr("crosscheck.parity.runner.run_cases", fake_run_cases)
    assert cli.main(["--runtimes", "native,js-node", "--random", "5", "--seed", "3"]) == 2
    assert seen["cases"][0]["name"] == LESSON_EXAMPLE["name"] and len(seen["cases"]) == 6


GOOD = {"name": "mine", "activation": "tanh", "weights": [[1.0, 2.0], [3.0, 4.0]], "biases": [[0.5, -0.5]],
        "inputs": [[1.0, 2.0]], "upstream": [[1.0, 1.0]]}
BAD_FILES = {
    # what is wrong → (the case as written, a piece of the field's message)
    "missing key": ({k: v for k, v in GOOD.items() if k != "upstream"}, "upstream"),
    "ragged": ({**GOOD, "weights": [[1.0, 2.0], [3.0]]}, "weights"),
    "NaN": ({**GOOD, "inputs": [[1.0, float("nan")]]}, "inputs"),
    "Infinity": ({**GOOD, "biases": [[float("inf"), 0.0]]}, "biases"),
    "shapes that don't fit": ({**GOOD, "inputs": [[1.0, 2.0, 3.0]]}, "inputs"),
    "upstream shape": ({**GOOD, "upstream": [[1.0, 1.0], [2.0, 2.0]]}, "upstream"),
    "unknown activation": ({**GOOD, "activation": "softmax"}, "activation"),
}


@pytest.mark.parametrize("what", sorted(BAD_FILES))
def test_a_bad_case_file_is_refused_naming_case_and_field(tmp_path, what):
    bad, field = BAD_FILES[what]
    path = tmp_path / "cases.json"
    # json.dumps writes NaN/Infinity as Python does; authors' files do that too.
    path.write_text(json.dumps([GOOD, {**bad, "name": "broken"}]))
    with pytest.raises(CaseFileError) as info:
        load_case_file(path)
    message = str(info.value)
    assert "'broken'" in message and "index 1" in message and field in message, message


def test_a_bad_case_file_stops_the_cli_before_any_runtime_starts(tmp_path, monkeypatch, capsys):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{**GOOD, "weights": [[1.0, 2.0], [3.0]]}]))
    started = []
    monkeypatch.setattr("crosscheck.parity.runner.run_cases", lambda *a, **k: started.append(1))
    assert cli.main(["--runtimes", "native,pyodide-node,js-node", "--case", str(path)]) == 2
    assert not started
    err = capsys.readouterr().err
    assert "'mine'" in err and "weights" in err and "ragged" in err


def test_a_report_is_a_case_file(tmp_path):
    # Authors can feed a report's cases back in: the "spec" nested in each entry is read.
    from crosscheck.parity.report import build_report
    from crosscheck.parity.compare import Tolerance
    from crosscheck.parity.contracts import RuntimeRun
    from crosscheck.runtimes import NativeRuntime

    cases = [GOOD] + random_cases(3, seed=1)
    report = build_report(cases, [RuntimeRun("native", NativeRuntime().run(cases), {"ok": True})], "native",
                          Tolerance())
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report))
    loaded = load_case_file(path)
    assert [c["name"] for c in loaded] == [c["name"] for c in cases]
    assert np.array_equal(np.array(loaded[1]["weights"]), cases[1]["weights"])  # every bit, via repr
