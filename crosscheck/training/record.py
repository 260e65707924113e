"""A training run as a record (the ``--json`` of ``train``), its summary lines, and its loss-curve picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from python_core.wire import encode_array

from ..parity.compare import loose_note

from .datasets import Dataset
from .tasks import Task


def summarize(task: Task, dataset: Dataset, network: dict[str, Any], epochs: int, learning_rate: float,
              run: dict[str, Any]) -> dict[str, Any]:
    losses = run["losses"]
    record: dict[str, Any] = {
        "task": task.name, "runtime": run["runtime"], "dataset": dataset.name, "dataset_details": dataset.details,
        "network": network, "epochs": epochs, "learning_rate": learning_rate,
        "final_loss": run["train"]["loss"], "losses": losses.tolist(),
        "losses_f64": encode_array(losses), "seconds_training": run["seconds_training"],
        "seconds_per_epoch": run["seconds_per_epoch"], "wall_seconds": run["wall_seconds"],
        "chunks": run["chunks"], "versions": run["versions"], "goal": task.goal,
    }
    if task.name == "xor":
        output = run["train"]["output"]
        record["accuracy"] = run["train"]["accuracy"]
        record["predictions"] = [{"inputs": x.tolist(), "target": int(t), "output": float(o), "class": int(o >= 0.5)}
                                 for x, t, o in zip(dataset.X, dataset.y.ravel(), output.ravel())]
        record["goal_met"] = record["accuracy"] == 1.0
    else:
        record["train_accuracy"] = run["train"]["accuracy"]
        record["test_accuracy"] = run["test"]["accuracy"]
        record["test_loss"] = run["test"]["loss"]
        record["train_size"] = int(dataset.X.shape[0])
        record["test_size"] = int(dataset.X_test.shape[0])
        record["goal_met"] = record["test_accuracy"] >= (task.goal_test_accuracy or 0.95)
    return record


def format_summary(record: dict[str, Any]) -> str:
    lines = []
    for name, rec in (record.get("runtimes") or ({record["runtime"]: record} if "losses" in record else {})).items():
        acc = (f"accuracy {rec['accuracy']:.0%}" if "accuracy" in rec
               else f"train accuracy {rec['train_accuracy']:.2%}, test accuracy {rec['test_accuracy']:.2%}")
        lines.append(f"{name:17s} final loss {rec['final_loss']:.6g}, {acc}, "
                     f"{1e3 * rec['seconds_per_epoch']:.3f} ms/epoch; goal ({rec['goal']}) "
                     + ("met" if rec["goal_met"] else "NOT MET"))
        if "predictions" in rec:
            lines.append("    " + "  ".join(f"{p['inputs']}→{p['output']:.3f}" for p in rec["predictions"]))
    for name, why in record.get("failures", {}).items():
        lines.append(f"{name:17s} DID NOT RUN: {why.splitlines()[0]}")
    parity = record.get("parity")
    if parity:
        if "losses" in parity:
            s = parity["losses"]
            lines.append(f"parity {parity['runtime']} vs {parity['reference']} over {parity['epochs']} epochs: "
                         f"worst per-epoch loss difference {s['max_abs_diff']:.3g} ({s['max_ulp']} ULP, relative "
                         f"{s['max_rel_diff']:.3g}) at epoch {s['worst_epoch']}; {s['identical_epochs']} epochs "
                         f"bit-identical; final weights max {parity['final_weights']['max_ulp']} ULP (relative "
                         f"{parity['final_weights']['max_rel_diff']:.3g}, "
                         + ("within" if parity["final_weights"]["ok"] else "OUTSIDE") + " the tolerance)")
            lines.append(f"TRAINING PARITY OK{loose_note(parity.get('tolerance') or {})}" if parity["ok"] else
                         f"TRAINING PARITY FAILED ({s['epochs_over_tolerance']} epochs over tolerance, first at "
                         f"epoch {s['first_epoch_over_tolerance']})")
        else:
            lines.append(f"TRAINING PARITY FAILED: {parity['reason']}")
    return "\n".join(lines)


def plot_losses(path: str | Path, title: str, curves: dict[str, np.ndarray], parity: dict[str, Any] | None = None,
                differences: np.ndarray | None = None) -> None:
    """Loss per epoch (log scale) for each runtime; with ``differences``, a second panel with the
    per-epoch |Δloss| between runtimes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 2 if differences is not None else 1
    fig, axes = plt.subplots(panels, 1, figsize=(6.4, 2.6 * panels + 0.6), squeeze=False, sharex=True)
    ax = axes[0][0]
    for (label, losses), style in zip(curves.items(), ("-", "--", ":")):
        ax.plot(np.arange(1, losses.size + 1), losses, style, label=label, linewidth=1.4)
    ax.set_yscale("log")
    ax.set_ylabel("loss")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    if differences is not None:
        ax2 = axes[1][0]
        epochs = np.arange(1, differences.size + 1)
        shown = np.where(differences > 0, differences, np.nan)
        ax2.plot(epochs, shown, ".", markersize=1.5, color="tab:red", label="|Δloss| (zero not drawn)")
        if parity is not None:
            tol = parity["tolerance"]
            ax2.set_title(f"per-epoch difference; worst {parity['losses']['max_abs_diff']:.3g}, "
                          f"{parity['losses']['max_ulp']} ULP (rtol {tol['rtol']:g}, atol {tol['atol']:g})",
                          fontsize=9)
        ax2.set_yscale("log")
        ax2.set_ylabel("|Δloss|")
        ax2.grid(True, which="both", alpha=0.3)
        if np.all(differences == 0):
            ax2.text(0.5, 0.5, "bit-identical at every epoch", transform=ax2.transAxes, ha="center")
    axes[-1][0].set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_runs(path: str | Path, plan, runs: dict[str, dict[str, Any]], parity: dict[str, Any] | None) -> None:
    """The loss curves of ``runs``; with a parity verdict over two of them, their per-epoch |Δloss| too."""
    curves = {n: r["losses"] for n, r in runs.items()}
    diff = None
    if parity is not None and "losses" in parity and len(runs) == 2:
        diff = np.abs(runs[parity["runtime"]]["losses"] - runs[parity["reference"]]["losses"])
    layers = " → ".join(map(str, plan.network["layer_sizes"]))
    title = f"{plan.task.name}: {layers} sigmoid, {plan.task.loss}, lr {plan.learning_rate:g}"
    plot_losses(path, title, curves, parity if diff is not None else None, diff)
