"""Training as a string-in, string-out entry point, the same in every runtime.

``train_json(request)`` is what the native driver calls directly and what Pyodide calls
through the worker (``python_core.training:train_json``), so a training run takes one path
everywhere. Arrays travel as python_core.wire arrays (base64 of little-endian float64),
losses and weights included, so the two runtimes' curves are compared bit for bit.

Request::

    {"network": {"layer_sizes": [2, 3, 1], "activations": "sigmoid", "loss": "mse",
                 "weight_init": "random_scaled", "weight_init_scale": 1.0, "seed": 0},
     "data": {"key": "xor", "X": wire, "y": wire, "X_test": wire, "y_test": wire},
     "state": {"weights": [wire, …], "biases": [wire, …]},     (optional: resume from here)
     "epochs": 500, "learning_rate": 0.2,
     "outputs": true}                                          (optional: final outputs and accuracy)

Training is full-batch gradient descent, so the weights and biases are the whole state: a run
split into chunks (``state`` in, ``state`` out) gives the same bits as one long run. That is
how a host shows honest progress for a runtime it cannot interrupt. ``data`` with only a
``key`` reuses the arrays sent earlier under that key (inline in an earlier request, or in
blocks by ``put_data_json``), so a chunk does not resend a data set.

Response: ``{"ok": true, "losses": wire, "state": …, "initial_state": … (when none was given),
"train": {"output": wire, "accuracy"}, "test": …, "seconds", "versions"}`` or
``{"ok": false, "error": {"type", "message", "traceback"}}``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from .network import Network, accuracy
from .entries import entry_point
from .wire import decode_array, encode_array, runtime_versions

NETWORK_FIELDS = ("layer_sizes", "activations", "loss", "weight_init", "weight_init_scale", "seed")
DATA_ARRAYS = ("X", "y", "X_test", "y_test")

# The last data set sent, by key: one entry only, so a full-size data set is held once. Blocks
# sent by put_data_json wait in lists until a training request joins them.
_data_cache: dict[str, dict[str, np.ndarray | list[np.ndarray]]] = {}


def build_network(config: dict[str, Any]) -> Network:
    unknown = sorted(set(config) - set(NETWORK_FIELDS))
    if unknown:
        raise ValueError(f"network: unknown field(s) {unknown}; known: {list(NETWORK_FIELDS)}")
    if "layer_sizes" not in config:
        raise ValueError("network: missing field 'layer_sizes'")
    return Network(**config)


def _data(spec: dict[str, Any]) -> dict[str, np.ndarray]:
    key = spec.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError("data: expected a non-empty string 'key' naming the data set")
    if "X" not in spec:
        if key not in _data_cache:
            raise ValueError(f"data: no arrays were sent under key {key!r} yet; send 'X' and 'y' with it first")
        arrays = _data_cache[key]
        for name, value in arrays.items():
            if isinstance(value, list):
                arrays[name] = np.concatenate(value, axis=0)
        if "X" not in arrays or "y" not in arrays:
            raise ValueError(f"data: the arrays under key {key!r} lack 'X' or 'y' (got {sorted(arrays)})")
        return arrays  # type: ignore[return-value]
    if "y" not in spec:
        raise ValueError("data: 'X' was sent without 'y'")
    arrays = {name: decode_array(spec[name]) for name in DATA_ARRAYS if name in spec}
    _data_cache.clear()
    _data_cache[key] = arrays
    return arrays


@entry_point
def put_data_json(request: str) -> str:
    """Store a block of rows of a data set under a key, for train_json requests that name it.

    ``{"key", "arrays": {"X": wire, "y": wire, …}, "append": false | true}``: the first block
    (``append`` false) replaces whatever was held; later blocks add rows. A full-size data set
    (11,272 × 784 float64 is 70 MB, 94 MB as base64) goes in blocks of a few MB, because one
    message that large brings a browser tab down.
    """
    req = json.loads(request)
    key = req.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError("data: expected a non-empty string 'key' naming the data set")
    unknown = sorted(set(req.get("arrays", {})) - set(DATA_ARRAYS))
    if unknown:
        raise ValueError(f"data: unknown array(s) {unknown}; known: {list(DATA_ARRAYS)}")
    if not req.get("append"):
        _data_cache.clear()
        _data_cache[key] = {}
    elif key not in _data_cache:
        raise ValueError(f"data: cannot append to key {key!r}: its first block was not sent")
    held = _data_cache[key]
    for name, obj in req["arrays"].items():
        block = decode_array(obj)
        current = held.setdefault(name, [])
        if not isinstance(current, list):  # already joined by a training request: start over
            current = held[name] = [current]
        current.append(block)
    rows = {name: sum(b.shape[0] for b in v) if isinstance(v, list) else v.shape[0] for name, v in held.items()}
    return json.dumps({"ok": True, "rows": rows})


def _encode_state(state: dict[str, list[np.ndarray]]) -> dict[str, list[dict[str, Any]]]:
    return {k: [encode_array(a) for a in v] for k, v in state.items()}


def decode_state(obj: dict[str, Any]) -> dict[str, list[np.ndarray]]:
    return {k: [decode_array(a) for a in obj[k]] for k in ("weights", "biases")}


def train(request: dict[str, Any]) -> dict[str, Any]:
    """The work of train_json on a parsed request; raises on bad input."""
    network = build_network(dict(request.get("network") or {}))
    data = _data(request.get("data") or {})
    inputs, targets = network.check_data(data["X"], data["y"])
    response: dict[str, Any] = {"ok": True}
    if request.get("state") is not None:
        network.set_state(decode_state(request["state"]))
    else:
        response["initial_state"] = _encode_state(network.get_state())
    started = time.perf_counter()
    losses = network.fit(inputs, targets, request.get("epochs"), request.get("learning_rate"))
    response["seconds"] = time.perf_counter() - started
    response["losses"] = encode_array(losses)
    response["state"] = _encode_state(network.get_state())
    if request.get("outputs"):
        for split, (x, y) in {"train": (inputs, targets), "test": (data.get("X_test"), data.get("y_test"))}.items():
            if x is None:
                continue
            x, y = network.check_data(x, y)
            output = network.predict(x)
            response[split] = {"output": encode_array(output), "accuracy": accuracy(output, y),
                               "loss": network.loss(output, y)}
    response["versions"] = runtime_versions()
    return response


@entry_point
def train_json(request: str) -> str:
    """str → str wrapper of ``train``."""
    return json.dumps(train(json.loads(request)))


@entry_point
def bench_step_json(request: str) -> str:
    """Time one DenseLayer forward+backward on random data against its three matrix products.

    ``{"batch", "n_inputs", "n_neurons", "repeats", "seed"}`` → ``{"step": [s, …], "floor": [s, …]}``.
    The floor is X @ W, Xᵀ @ dZ and dZ @ Wᵀ alone: the products the step cannot avoid.
    Step and floor alternate, so a slow moment of the machine hits both alike.
    """
    from .dense_layer import DenseLayer

    req = json.loads(request)
    batch, n_in, n_out = int(req["batch"]), int(req["n_inputs"]), int(req["n_neurons"])
    rng = np.random.default_rng(int(req.get("seed", 0)))
    x = rng.random((batch, n_in))
    upstream = rng.standard_normal((batch, n_out))
    layer = DenseLayer(n_in, n_out, activation="sigmoid", weight_init="random_scaled", seed=int(req.get("seed", 0)))
    weights = layer.weights
    step, floor = [], []
    # One untimed round first: the first touch of each large array costs page faults.
    for repeat in range(-1, int(req.get("repeats", 5))):
        t0 = time.perf_counter()
        layer.forward(x)
        layer.backward(upstream)
        t1 = time.perf_counter()
        _ = x @ weights
        _ = x.T @ upstream
        _ = upstream @ weights.T
        t2 = time.perf_counter()
        if repeat >= 0:
            step.append(t1 - t0)
            floor.append(t2 - t1)
    return json.dumps({"ok": True, "step": step, "floor": floor, "versions": runtime_versions()})
