"""``python -m crosscheck train``: the records, the pictures, and failures reported as failures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crosscheck.cli import main
from crosscheck.runtimes import RuntimeFailure
from crosscheck.training.datasets import xor
from crosscheck.training.session import TrainingPlan, train_task
from crosscheck.training.tasks import TASKS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_train_xor_writes_the_record_and_the_loss_curve(tmp_path, capsys):
    out, png = tmp_path / "xor.json", tmp_path / "xor.png"
    assert main(["train", "xor", "--json", str(out), "--png", str(png)]) == 0
    record = json.loads(out.read_text())
    assert record["epochs"] == 10_000 and record["learning_rate"] == 0.2 and len(record["losses"]) == 10_000
    assert record["accuracy"] == 1.0 and record["goal_met"] is True
    rows = {tuple(p["inputs"]): p for p in record["predictions"]}
    assert set(rows) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    for (x1, x2), p in rows.items():  # XOR itself, written out
        assert p["class"] == int(x1 != x2) and (p["output"] >= 0.5) == (x1 != x2)
    # final_loss is the MSE of the printed predictions
    assert record["final_loss"] == pytest.approx(np.mean([(p["output"] - p["target"]) ** 2 for p in rows.values()]),
                                                 rel=1e-14)
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5_000
    assert "goal (classify all four rows) met" in capsys.readouterr().out


def test_train_digits_writes_accuracies_and_says_which_data(tmp_path):
    out = tmp_path / "digits.json"
    assert main(["train", "digits", "--json", str(out), "--epochs", "400"]) == 0
    record = json.loads(out.read_text())
    assert {"train_accuracy", "test_accuracy", "losses", "dataset"} <= set(record)
    assert "scikit-learn 8x8 digits" in record["dataset"] and "not MNIST" in record["dataset"]
    assert record["network"]["layer_sizes"] == [64, 16, 1] and record["network"]["loss"] == "bce"
    assert record["test_accuracy"] >= 0.95 and len(record["losses"]) == 400
    assert record["losses"][-1] < record["losses"][0] / 10


def test_bad_arguments_exit_2(capsys):
    assert main(["train", "xor", "--epochs", "0"]) == 2
    assert main(["train", "xor", "--idx-dir", "/tmp"]) == 2
    assert "--idx-dir is for the mnist and digits tasks" in capsys.readouterr().err


class _BrokenPyodide:
    """A runtime that booted and then died: its training must be a failure, not parity."""

    def call_entry(self, target, argument, timeout=None):
        raise RuntimeFailure("pyodide-chromium", "the worker crashed")

    name = "pyodide-chromium"

    def versions(self):
        return {}


def test_compare_with_a_runtime_that_did_not_run_reports_failure(lend):
    plan = TrainingPlan(TASKS["xor"], xor(), epochs=50, learning_rate=0.2, seed=0)
    record, _ = train_task(plan, ["native", "pyodide-chromium"], compare=True,
                           opener=lend({"pyodide-chromium": _BrokenPyodide()}))
    assert record["ok"] is False and record["parity"]["ok"] is False
    assert "pyodide-chromium did not run" in record["parity"]["reason"]
    assert "the worker crashed" in record["failures"]["pyodide-chromium"]


def test_train_mnist_record_names_mnist_and_its_split(tmp_path):
    """A few epochs only (the 96% figure is the command's, in docs/training.md): the record's fields."""
    out = tmp_path / "mnist.json"
    main(["train", "mnist", "--json", str(out), "--epochs", "3"])
    record = json.loads(out.read_text())
    assert record["task"] == "mnist" and record["network"]["layer_sizes"] == [784, 196, 1]
    assert record["dataset"].startswith("MNIST 5 vs 8") and record["dataset_details"]["dataset"] == "MNIST"
    assert (record["train_size"], record["test_size"]) == (1445, 362)
    assert len(record["losses"]) == 3 and record["network"]["loss"] == "bce"
    assert 0.0 <= record["test_accuracy"] <= 1.0 and "train_accuracy" in record
