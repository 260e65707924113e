"""Training parity Python ⇄ JavaScript: web_demo/lib/network.mjs (math.js DenseLayers) trained through
js-node's (and js-chromium's) call_entry, in chunks, from the weights python_core drew, against
native python_core, per epoch within the harness tolerance (rtol 1e-12, atol 1e-15).

XOR runs half its default 10,000 epochs; MNIST runs the real 784 → 196 → 1 network on a
stratified subset of the real data (40 training, 20 test digits) for 4 epochs (math.js takes seconds per full-size epoch:
docs/training.md has the full-size figures).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from crosscheck.cli import main
from crosscheck.parity.compare import Tolerance
from crosscheck.runtimes import NativeRuntime
from crosscheck.training.datasets import Dataset, mnist, xor
from crosscheck.training.loop import python_initial_state, train_in
from crosscheck.training.parity import training_parity
from crosscheck.training.tasks import TASKS, network_config
from python_core.wire import encode_array

RTOL, ATOL = 1e-12, 1e-15


def _within(run, reference):
    return np.all(np.abs(run["losses"] - reference["losses"]) <= ATOL + RTOL * np.abs(reference["losses"]))


def _mnist_subset(per_class_train=20, per_class_test=10) -> Dataset:
    full = mnist(0)
    def pick(y, n):
        return np.sort(np.concatenate([np.flatnonzero(y.ravel() == c)[:n] for c in (0.0, 1.0)]))
    tr, te = pick(full.y, per_class_train), pick(full.y_test, per_class_test)
    return Dataset(f"MNIST subset {tr.size}+{te.size}", full.X[tr], full.y[tr], full.X_test[te], full.y_test[te],
                   layer_sizes=[784, 196, 1], details=dict(full.details))


def test_xor_trains_in_javascript_with_the_native_curve_for_5000_epochs(js_node):
    data, task = xor(), TASKS["xor"]
    network = network_config(task, data, 0)
    native = train_in(NativeRuntime(), network, data, 5000, task.learning_rate)
    js = train_in(js_node, network, data, 5000, task.learning_rate, chunk_epochs=1250)
    assert js["chunks"] == 4 and "mathjs" in js["versions"] and "numpy" not in js["versions"]
    parity = training_parity(js, native, Tolerance(RTOL, ATOL))
    assert parity["initial_weights_bit_identical"], "the JavaScript run must start from python_core's weights"
    assert parity["ok"], parity
    assert _within(js, native)  # independently of compare_arrays
    assert js["train"]["accuracy"] == 1.0 and parity["same_predicted_classes"] == {"train": True}


def test_javascript_starts_from_the_weights_python_drew_and_its_first_loss_is_numpys(js_node):
    """The first epoch's loss is computed here from python_core's initial draw with NumPy alone."""
    data, task = xor(), TASKS["xor"]
    network = network_config(task, data, 3)
    js = train_in(js_node, network, data, 1, task.learning_rate)
    state = python_initial_state(network)
    for got, want in zip(js["initial_state"]["weights"], state["weights"]):
        assert np.array_equal(got, want)
    (w1, w2), (b1, b2) = state["weights"], state["biases"]
    hidden = 1 / (1 + np.exp(-(data.X @ w1 + b1)))
    out = 1 / (1 + np.exp(-(hidden @ w2 + b2)))
    assert js["losses"][0] == pytest.approx(np.mean((out - data.y) ** 2), rel=1e-14)


def test_mnist_784_196_1_trains_in_javascript_with_the_native_curve(js_node):
    data, task = _mnist_subset(), TASKS["mnist"]
    network = network_config(task, data, 0)
    assert network["layer_sizes"] == [784, 196, 1] and network["loss"] == "bce"
    epochs = 4
    native = train_in(NativeRuntime(), network, data, epochs, task.learning_rate)
    # the data in several blocks of rows, training in chunks of 2 epochs
    js = train_in(js_node, network, data, epochs, task.learning_rate, chunk_epochs=2, block_bytes=100_000)
    parity = training_parity(js, native, Tolerance(RTOL, ATOL))
    assert parity["initial_weights_bit_identical"] and parity["ok"], parity
    assert _within(js, native)
    assert js["test"]["accuracy"] == native["test"]["accuracy"]
    assert parity["same_predicted_classes"] == {"train": True, "test": True}


def test_js_chromium_trains_xor_through_its_call_entry(js_chromium):
    data, task = xor(), TASKS["xor"]
    network = network_config(task, data, 0)
    native = train_in(NativeRuntime(), network, data, 400, task.learning_rate)
    js = train_in(js_chromium, network, data, 400, task.learning_rate, chunk_epochs=100)
    assert js["chunks"] == 4 and "userAgent" in js["versions"]
    assert training_parity(js, native, Tolerance(RTOL, ATOL))["ok"] and _within(js, native)


def test_javascript_reports_a_bad_training_request_with_its_reason(js_node):
    from crosscheck.runtimes import RuntimeFailure

    request = {"network": {"layer_sizes": [2, 1], "momentum": 0.9}, "epochs": 2, "learning_rate": 0.1,
               "data": {"key": "bad", "X": encode_array(np.zeros((4, 2))), "y": encode_array(np.zeros((4, 1)))}}
    with pytest.raises(RuntimeFailure, match="unknown field"):
        js_node.call_entry("network:trainJson", json.dumps(request))


def test_train_xor_compare_with_js_node_records_the_parity(tmp_path, capsys):
    out = tmp_path / "xor-js.json"
    assert main(["train", "xor", "--compare", "--runtime", "js-node", "--epochs", "2000", "--json", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["ok"] and record["parity"]["ok"] and record["parity"]["runtime"] == "js-node"
    assert set(record["runtimes"]) == {"native", "js-node"} and record["parity"]["epochs"] == 2000
    assert record["parity"]["losses"]["max_abs_diff"] <= ATOL + RTOL * max(record["losses"])
    assert "TRAINING PARITY OK" in capsys.readouterr().out
