"""``python -m crosscheck bench-training``: the training figures of the README, printed.

1. One DenseLayer forward + backward at the lesson's full size (a batch of 11,272 × 784 → 196,
   float64, random data), against its three matrix products alone (the floor); goal ≤ 1.15×.
   Natively, and the same step in Pyodide, both through python_core.training.bench_step_json.
2. Seconds per epoch of both tasks (XOR, 5 vs 8 on the default data) and of the lesson's
   full-size 784 → 196 → 1 network (random data of MNIST's shape), in both runtimes, through
   the training path itself (python_core.training.train_json), timed inside the runtime.
3. Optionally (``--xor-seeds N``) how many of N seeds classify XOR, for 2→2→1, 2→3→1 and 2→4→1.

Timings are medians of alternating repeats; this is a bench, never a test.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from typing import Any

import numpy as np

from ..runtimes import REFERENCE, Runtime, RuntimeFailure, make_runtime
from .datasets import Dataset, digits, xor
from .loop import TrainingFailure, train_in
from .tasks import TASKS, network_config

FULL = {"batch": 11_272, "n_inputs": 784, "n_neurons": 196}
GOAL = 1.15
STEP_TARGET = "python_core.training:bench_step_json"
STEP_TIMEOUT_S = 900.0  # the full-size step repeated, in Pyodide, takes minutes


def blas_info() -> dict[str, Any]:
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                          "OMP_NUM_THREADS")}
    try:
        from threadpoolctl import threadpool_info

        pools = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                 for p in threadpool_info() if p.get("user_api") == "blas"]
    except Exception as exc:  # the figures are still worth having without it
        pools = [{"error": str(exc)}]
    # Other work on the machine slows every figure: the load average says how busy it was.
    return {"env": env, "blas": pools, "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0]}


def step_figures(runtime: Runtime, repeats: int) -> dict[str, Any]:
    request = json.dumps({**FULL, "repeats": repeats, "seed": 0})
    response = json.loads(runtime.call_entry(STEP_TARGET, request, timeout=STEP_TIMEOUT_S))
    if not response.get("ok"):
        raise TrainingFailure(f"bench step failed: {response['error']['type']}: {response['error']['message']}")
    step, floor = statistics.median(response["step"]), statistics.median(response["floor"])
    # Each step is timed right beside its floor, so the ratio of a pair is the figure least
    # disturbed by other work on the machine; the median over pairs is reported.
    pairs = [s / f for s, f in zip(response["step"], response["floor"]) if f > 0]
    return {"step_s": step, "floor_s": floor, "ratio": statistics.median(pairs) if pairs else float("nan"),
            "ratio_of_medians": step / floor, "best_ratio": min(response["step"]) / min(response["floor"]),
            "step_all": response["step"], "floor_all": response["floor"], "versions": response["versions"]}


def full_size_dataset() -> Dataset:
    """Random data of the lesson's shape: only the time matters here, not what is learnt."""
    rng = np.random.default_rng(0)
    X = rng.random((FULL["batch"], FULL["n_inputs"]))
    y = (rng.random((FULL["batch"], 1)) < 0.5).astype(np.float64)
    return Dataset("random, MNIST 5-vs-8 shape", X, y, layer_sizes=[784, 196, 1])


def epoch_figures(runtime: Runtime, plan: list[tuple[str, Dataset, int]]) -> dict[str, Any]:
    out = {}
    for label, dataset, epochs in plan:
        task = TASKS["xor" if label == "xor" else "digits"]
        network = network_config(task, dataset, 0)
        run = train_in(runtime, network, dataset, epochs, task.learning_rate)
        out[label] = {"epochs": epochs, "seconds_per_epoch": run["seconds_per_epoch"],
                      "wall_seconds_per_epoch": run["wall_seconds"] / epochs}
        print(f"  {runtime.name:17s} {label:22s} {1e3 * run['seconds_per_epoch']:10.3f} ms/epoch  ({epochs} epochs)",
              file=sys.stderr, flush=True)
    return out


def xor_seed_sweep(seeds: int) -> dict[str, Any]:
    from python_core.network import Network, accuracy

    data, task = xor(), TASKS["xor"]
    out = {}
    for sizes in ([2, 2, 1], [2, 3, 1], [2, 4, 1]):
        solved, worst = 0, 0.0
        for seed in range(seeds):
            net = Network(sizes, "sigmoid", task.loss, task.weight_init, task.weight_init_scale, seed)
            losses = net.fit(data.X, data.y, task.epochs, task.learning_rate)
            solved += accuracy(net.predict(data.X), data.y) == 1.0
            worst = max(worst, float(losses[-1]))
        out["→".join(map(str, sizes))] = {"seeds": seeds, "classified_all_four": solved, "worst_final_loss": worst}
        print(f"  xor {sizes}: {solved}/{seeds} seeds classify all four rows; worst final loss {worst:.4g}",
              file=sys.stderr, flush=True)
    return out


def bench_training(repeats: int, other: str | None, other_repeats: int, xor_seeds: int = 0
                   ) -> tuple[dict[str, Any], bool]:
    """The figures natively and (``other``: a Python runtime) in another runtime; (figures, all ran)."""
    figures: dict[str, Any] = {"machine": blas_info(), "full_size": FULL, "goal_ratio": GOAL}
    print(f"BLAS: {figures['machine']['blas']}; env {figures['machine']['env']}", file=sys.stderr)
    plan = [("xor", xor(), 2000), ("digits 8x8 (64→16→1)", digits(0), 500),
            ("MNIST size (784→196→1)", full_size_dataset(), 3)]
    ok = True
    with make_runtime(REFERENCE) as native:
        print("full-size step, native …", file=sys.stderr, flush=True)
        figures["native"] = {"step": step_figures(native, repeats), "epochs": epoch_figures(native, plan)}
    if xor_seeds:
        figures["xor_seed_sweep"] = xor_seed_sweep(xor_seeds)
    if other:
        try:
            with make_runtime(other, run_timeout=STEP_TIMEOUT_S) as runtime:
                print(f"full-size step, {other} …", file=sys.stderr, flush=True)
                figures[other] = {"step": step_figures(runtime, other_repeats), "versions": runtime.versions()}
                figures[other]["epochs"] = epoch_figures(
                    runtime, [(label, d, max(1, e // 5) if label != "xor" else e) for label, d, e in plan])
        except (TrainingFailure, RuntimeFailure) as exc:
            figures[other] = {"error": str(exc)}
            print(f"FAILED: {other}: {exc}", file=sys.stderr)
            ok = False
    figures["other"] = other
    figures["machine"]["load_average_1min_after"] = os.getloadavg()[0]
    return figures, ok


def format_figures(f: dict[str, Any]) -> str:
    n = f["native"]["step"]
    m = f["machine"]
    lines = [f"machine: {m['cores']} cores, BLAS {m['blas']}, load average {m['load_average_1min']:.1f} before, "
             f"{m.get('load_average_1min_after', float('nan')):.1f} after",
             f"forward+backward, batch {f['full_size']['batch']} × {f['full_size']['n_inputs']} → "
             f"{f['full_size']['n_neurons']}, float64",
             f"  native           step {1e3 * n['step_s']:8.1f} ms  floor (3 matmuls) {1e3 * n['floor_s']:8.1f} ms  "
             f"ratio {n['ratio']:.3f} (median of {len(n['step_all'])} pairs; of medians {n['ratio_of_medians']:.3f}, "
             f"of bests {n['best_ratio']:.3f}; goal ≤ {f['goal_ratio']})"]
    other = f.get("other")
    p = f.get(other) if other else None
    if p and "step" in p:
        s = p["step"]
        lines.append(f"  {other} step {1e3 * s['step_s']:8.1f} ms  "
                     f"floor (3 matmuls) {1e3 * s['floor_s']:8.1f} ms  "
                     f"ratio {s['ratio']:.3f};  Pyodide / native step: {s['step_s'] / n['step_s']:.1f}×")
    elif p:
        lines.append(f"  {other} DID NOT RUN: {p['error'].splitlines()[0]}")
    lines.append("seconds per epoch (timed inside the runtime)")
    for label, e in f["native"]["epochs"].items():
        row = f"  {label:24s} native {1e3 * e['seconds_per_epoch']:10.3f} ms"
        if p and "epochs" in p and label in p["epochs"]:
            pe = p["epochs"][label]["seconds_per_epoch"]
            row += f"   {other} {1e3 * pe:10.3f} ms   ({pe / e['seconds_per_epoch']:.1f}×)"
        lines.append(row)
    for arch, s in f.get("xor_seed_sweep", {}).items():
        lines.append(f"xor {arch}: {s['classified_all_four']}/{s['seeds']} seeds classify all four rows "
                     f"(worst final loss {s['worst_final_loss']:.4g})")
    return "\n".join(lines)
