"""One training run in one runtime, through the runtime interface: data out in blocks, then
python_core.training:train_json in chunks of about half a second each (weights out, weights
back in, bit-exactly), so a progress line moves between chunks. A chunked run gives exactly
the bits of an uncut one: full-batch gradient descent keeps no state but the weights.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any, Callable

import numpy as np

from python_core.training import decode_state
from python_core.wire import decode_array, encode_array

from ..runtimes import Runtime, RuntimeFailure
from .datasets import Dataset
from .progress import ProgressBar

TRAIN_TARGET = "python_core.training:train_json"
PUT_DATA_TARGET = "python_core.training:put_data_json"
# The JavaScript network (web_demo/lib/network.mjs) speaks the same JSON under these names.
JS_TRAIN_TARGET = "network:trainJson"
JS_PUT_DATA_TARGET = "network:putDataJson"


def targets(runtime: Runtime) -> tuple[str, str]:
    """(train, put data) entry points of ``runtime``'s language."""
    if getattr(runtime, "language", "python") == "javascript":
        return JS_TRAIN_TARGET, JS_PUT_DATA_TARGET
    return TRAIN_TARGET, PUT_DATA_TARGET


def python_initial_state(network: dict[str, Any]) -> dict[str, list[np.ndarray]]:
    """The weights python_core draws for ``network`` (its seed, NumPy's generator), natively: what a
    JavaScript runtime starts from, so that both start from the same bits."""
    from python_core.training import build_network

    return build_network(dict(network)).get_state()
BLOCK_BYTES = 4 << 20        # data go to a runtime in blocks of rows of about this many bytes
CHUNK_SECONDS = 0.5          # a progress update about this often
CHUNK_TIMEOUT_S = 120.0      # a chunk that takes longer than this is a failure


class TrainingFailure(RuntimeError):
    """A training run that did not finish; the message says where and why."""


def _call(runtime: Runtime, target: str, request: str, timeout: float = CHUNK_TIMEOUT_S) -> dict[str, Any]:
    try:
        return json.loads(runtime.call_entry(target, request, timeout=timeout))
    except RuntimeFailure as exc:
        raise TrainingFailure(f"{runtime.name}: {exc.reason}") from exc


def data_key(dataset: Dataset) -> str:
    digest = hashlib.sha256()
    for name, array in sorted(dataset.arrays().items()):
        digest.update(name.encode() + np.ascontiguousarray(array, dtype="<f8").tobytes())
    return f"{dataset.name[:40]}-{digest.hexdigest()[:16]}"


def send_data(runtime: Runtime, dataset: Dataset, block_bytes: int = BLOCK_BYTES,
              report: Callable[[str], None] | None = None) -> str:
    """Send the data set in blocks of rows (bit-exact wire arrays); returns the key to train on.
    ``report`` hears of each block when there are several (a full-size set takes seconds)."""
    key = data_key(dataset)
    arrays = dataset.arrays()
    for name, array in arrays.items():
        rows = max(1, block_bytes // max(1, array[0].nbytes))
        arrays[name] = [array[i:i + rows] for i in range(0, array.shape[0], rows)]
    blocks = max(len(v) for v in arrays.values())
    for index in range(blocks):
        request = {"key": key, "append": index > 0,
                   "arrays": {n: encode_array(v[index]) for n, v in arrays.items() if index < len(v)}}
        response = _call(runtime, targets(runtime)[1], json.dumps(request))
        if not response.get("ok"):
            err = response.get("error", {})
            raise TrainingFailure(f"{runtime.name}: sending the data failed at block {index + 1} of {blocks}: "
                                  f"{err.get('type')}: {err.get('message')}")
        if report is not None and blocks > 1:
            report(f"data sent: block {index + 1} of {blocks}")
    return key


def train_in(runtime: Runtime, network: dict[str, Any], dataset: Dataset, epochs: int,
             learning_rate: float, progress: ProgressBar | None = None,
             chunk_seconds: float = CHUNK_SECONDS, chunk_epochs: int | None = None,
             block_bytes: int = BLOCK_BYTES,
             initial_state: dict[str, list[np.ndarray]] | None = None) -> dict[str, Any]:
    """Train in ``runtime`` (started; python_core.training:train_json through its call_entry) in chunks; returns losses,
    state, outputs.

    The data go first, in blocks of rows. The first chunk is one epoch, which measures the
    runtime's speed; later chunks are sized to take about ``chunk_seconds``. ``chunk_epochs``
    fixes every chunk's size instead. ``initial_state`` (weights and biases) is where training
    starts instead of the runtime's own draw; a JavaScript runtime gets python_core's draw when
    none is given, which it echoes back as its initial state.
    """
    report = (lambda message: print(f"[{runtime.name}] {message}", file=progress.stream, flush=True)) if progress else None
    key = send_data(runtime, dataset, block_bytes, report)
    train_target = targets(runtime)[0]
    if initial_state is None and train_target == JS_TRAIN_TARGET:
        initial_state = python_initial_state(network)
    losses: list[np.ndarray] = []
    state = None if initial_state is None else {k: [encode_array(a) for a in v] for k, v in initial_state.items()}
    initial_state, last = None, None
    done, chunk, seconds, chunks = 0, chunk_epochs or 1, 0.0, 0
    wall = time.perf_counter()
    while done < epochs:
        chunk = max(1, min(chunk, epochs - done))
        request = {"network": network, "data": {"key": key}, "state": state, "epochs": chunk,
                   "learning_rate": learning_rate, "outputs": done + chunk == epochs}
        if chunks == 0 and state is not None:
            request["initial"] = True  # echo the state started from (JavaScript; Python ignores it)
        response = _call(runtime, train_target, json.dumps(request))
        if not response.get("ok"):
            err = response.get("error", {})
            raise TrainingFailure(f"{runtime.name}: training failed at epoch {done + 1}: {err.get('type')}: "
                                  f"{err.get('message')}\n{err.get('traceback', '')}")
        chunks += 1
        if initial_state is None:
            initial_state = response.get("initial_state") or request["state"]
        state = response["state"]
        losses.append(decode_array(response["losses"]))
        done += chunk
        seconds += response["seconds"]
        last = response
        if progress is not None:
            progress.update(done, float(losses[-1][-1]))
        per_epoch = max(response["seconds"] / chunk, 1e-7)
        chunk = chunk_epochs or int(max(1, chunk_seconds / per_epoch))
    if progress is not None:
        progress.close()
    result = {"runtime": runtime.name, "losses": np.concatenate(losses), "state": decode_state(state),
              "initial_state": decode_state(initial_state), "seconds_training": seconds,
              "seconds_per_epoch": seconds / epochs, "wall_seconds": time.perf_counter() - wall,
              "chunks": chunks, "versions": last["versions"]}
    for split in ("train", "test"):
        if split in last:
            result[split] = {"output": decode_array(last[split]["output"]), "accuracy": last[split]["accuracy"],
                             "loss": last[split]["loss"]}
    return result
