"""`tally` on a `check` report (per check and output, which runtimes agree bit for bit), and the one line
that `explain` and the `exact` runtime give about a course's checks (they are the dense layer's)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crosscheck.cli import main as cli_main
from crosscheck.lessons.tally import tally

LESSONS = Path(__file__).parent / "lessons_check"


def entry(name: str, agreement: dict) -> dict:
    return {"name": name, "runtimes": {"native": {}, "js-node": {}, "pyodide-node": {}}, "agreement": agreement}


def write(tmp_path: Path, report: dict) -> str:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    return str(path)


def test_groupings_become_pair_counts_and_groups(tmp_path, capsys):
    report = {"ok": True, "verdict": "CHECK OK", "runtimes": {}, "checks": [
        entry("loss", {"dX": {"native=js-node|pyodide-node": 3, "native=js-node=pyodide-node": 2,
                              "native|!js-node|pyodide-node": 1},
                       "loss": {"native=js-node=pyodide-node": 6}}),
        entry("same", {"y": {"native=js-node=pyodide-node": 4}})]}
    rows = {(r["check"], r["output"]): r for r in tally(report)}
    dx = rows[("loss", "dX")]
    # Counted by hand from the groupings: a runtime without a result ("!") agrees with nobody.
    assert dx["cases"] == 6 and dx["all_identical"] == 2
    assert dx["pairs"] == {("native", "js-node"): 5, ("native", "pyodide-node"): 2, ("js-node", "pyodide-node"): 2}
    assert dx["groups"] == [["native"], ["js-node"], ["pyodide-node"]]
    assert rows[("loss", "loss")]["groups"] == [["native", "js-node", "pyodide-node"]]
    assert cli_main(["tally", write(tmp_path, report)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["check", "output", "cases", "all", "bit-identical", "runtimes", "that", "agree", "bit",
                              "for", "bit", "on", "every", "case"]
    assert "loss   dX      6      2/6                native · js-node · pyodide-node" in out
    assert "loss   loss    6      6/6                native = js-node = pyodide-node" in out
    assert any(line.split() == ["loss", "native", "~", "js-node", "11/12", "loss"] for line in out)
    assert out[-1] == "bit-identical on every runtime, every output and case: same"


def test_tally_of_a_run_matches_the_comparison_figures(tmp_path, capsys):
    for name in ("losses.py", "losses.js", "lessons.toml"):
        shutil.copy(LESSONS / name, tmp_path / name)
    path = tmp_path / "report.json"
    code = cli_main(["check", str(tmp_path / "lessons.toml"), "--runtimes", "native,js-node", "--random", "12",
                     "--seed", "3", "--json", str(path), "--case-dir", str(tmp_path)])
    assert code == 0, capsys.readouterr().out
    report = json.loads(path.read_text())
    rows = tally(report)
    assert {(r["check"], r["output"]) for r in rows} == {(c["name"], o) for c in report["checks"] for o in c["outputs"]}
    # The comparison (crosscheck.lessons.compare) counts bit-identical cases its own way: the two agree.
    for row in rows:
        compared = next(c for c in report["checks"] if c["name"] == row["check"])["outputs"][row["output"]]
        assert row["pairs"][("native", "js-node")] == compared["runtimes"]["js-node"]["bit_identical"]
        assert row["cases"] == compared["runtimes"]["js-node"]["cases"] == 12
    capsys.readouterr()
    assert cli_main(["tally", str(path)]) == 0
    assert "mse" in capsys.readouterr().out


def test_a_check_report_without_agreement_is_one_line(tmp_path, capsys):
    path = write(tmp_path, {"ok": True, "runtimes": {}, "checks": [{"name": "mse", "runtimes": {}, "outputs": {}}]})
    assert cli_main(["tally", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "check 'mse' has no \"agreement\"" in err


def test_explain_is_the_dense_layers(tmp_path, capsys):
    path = write(tmp_path, {"ok": True, "runtimes": {}, "checks": []})
    assert cli_main(["explain", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a `check` report: explain attributes the dense layer's differences only" in err


@pytest.mark.parametrize("option", [["--runtimes", "native,exact"], ["--reference", "exact"]])
def test_exact_is_the_dense_layers(capsys, option):
    assert cli_main(["check", str(LESSONS / "lessons.toml"), *option]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exact is the dense layer's correctly rounded reference; a course's functions " \
                                    "have none" in err


def test_reference_names_the_runtime_compared_with(tmp_path, capsys):
    path = tmp_path / "report.json"
    code = cli_main(["check", str(LESSONS / "lessons.toml"), "--runtimes", "native,js-node", "--reference", "js-node",
                     "--random", "4", "--check", "mse", "--json", str(path), "--case-dir", str(tmp_path)])
    assert code == 0, capsys.readouterr().out
    mse = json.loads(path.read_text())["checks"][0]
    assert mse["reference"] == "js-node" and list(mse["outputs"]["loss"]["runtimes"]) == ["native"]
