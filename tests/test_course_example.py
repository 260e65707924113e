"""The command examples/backprop-course/README.md shows passes on the five default runtimes, with the
verdict and the checks the README prints. One CLI run (the browser runtimes are the slow part)."""

from __future__ import annotations

import json
import shlex

from crosscheck.cli import main as cli_main
from crosscheck.paths import REPO

README = REPO / "examples" / "backprop-course" / "README.md"
PREFIX = "python -m crosscheck "


def test_the_readme_command_passes_on_the_five_default_runtimes(tmp_path, capsys, monkeypatch):
    readme = README.read_text()
    command = next(line for line in readme.splitlines() if line.startswith(PREFIX + "check "))
    args = shlex.split(command.removeprefix(PREFIX))
    assert args[1:] == ["examples/backprop-course/course.toml", "--random", "100", "--seed", "1"]
    monkeypatch.chdir(REPO)  # the README's command runs from the repository's root
    report_path = tmp_path / "report.json"
    code = cli_main([*args, "--json", str(report_path), "--case-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads(report_path.read_text())
    verdict = "CHECK OK: 11 checks on native, pyodide-chromium, pyodide-node, js-chromium, js-node"
    assert report["verdict"] == verdict and f"\n{verdict}\n" in readme
    for entry in report["checks"]:
        assert entry["ok"] and entry["cases"] == 100
        assert all(r["ran"] for r in entry["runtimes"].values()) and len(entry["runtimes"]) == 5
        assert f"| {entry['name']} | {len(entry['outputs'])} |" in readme  # the README's table has every check
    assert not list(tmp_path.glob("minimal-case-*.json"))
