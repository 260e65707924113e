"""A training task carried through one or more runtimes: each opened, trained, closed; a runtime
that fails is in the record with its reason; with ``compare``, training parity of each against
the first (the reference)."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Callable

from ..parity.compare import Tolerance
from ..runtimes import Runtime, RuntimeFailure, make_runtime
from .datasets import Dataset
from .loop import CHUNK_TIMEOUT_S, TrainingFailure, train_in
from .parity import training_parity
from .progress import ProgressBar
from .record import summarize
from .tasks import Task, network_config


@dataclass(frozen=True)
class TrainingPlan:
    task: Task
    dataset: Dataset
    epochs: int
    learning_rate: float
    seed: int

    @property
    def network(self) -> dict[str, Any]:
        return network_config(self.task, self.dataset, self.seed)

    def describe(self) -> str:
        return (f"{self.task.name}: {self.dataset.name}; layers {self.network['layer_sizes']} sigmoid, loss "
                f"{self.task.loss}, {self.epochs} epochs at learning rate {self.learning_rate:g}, seed {self.seed}")


def open_runtime(name: str) -> AbstractContextManager[Runtime]:
    """A runtime made and started here, closed on exit (chunks may take up to CHUNK_TIMEOUT_S)."""
    return make_runtime(name, run_timeout=CHUNK_TIMEOUT_S)


def train_task(plan: TrainingPlan, runtime_names: list[str], compare: bool = False,
               tolerance: Tolerance = Tolerance(),
               opener: Callable[[str], AbstractContextManager[Runtime]] = open_runtime,
               ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Train ``plan`` in each runtime, one after another. Returns (the record, the runs by runtime).

    ``opener`` gives a runtime as a context manager: by default one made and started here; tests
    lend runtimes their session booted once.
    """
    network = plan.network
    runs: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}
    for name in runtime_names:
        try:
            with opener(name) as runtime:
                runs[name] = train_in(runtime, network, plan.dataset, plan.epochs, plan.learning_rate,
                                      ProgressBar(name, plan.epochs))
        except (TrainingFailure, RuntimeFailure) as exc:
            failures[name] = str(exc)
            print(f"FAILED: {exc}", file=sys.stderr)

    def summary(run: dict[str, Any]) -> dict[str, Any]:
        return summarize(plan.task, plan.dataset, network, plan.epochs, plan.learning_rate, run)

    primary = runtime_names[0]
    record: dict[str, Any] = {"ok": not failures}
    if primary in runs:
        record.update(summary(runs[primary]))
    else:
        record.update({"task": plan.task.name, "runtime": primary, "dataset": plan.dataset.name, "network": network,
                       "epochs": plan.epochs, "learning_rate": plan.learning_rate})
    if failures:
        record["failures"] = failures
    if compare:
        record["runtimes"] = {n: summary(r) for n, r in runs.items()}
        reference, other = runtime_names[0], runtime_names[-1]
        if reference in runs and other in runs:
            parity = training_parity(runs[other], runs[reference], tolerance)
        else:
            parity = {"ok": False, "reason": "; ".join(f"{n} did not run: {why.splitlines()[0]}"
                                                       for n, why in failures.items())}
        record["parity"] = parity
        record["ok"] = record["ok"] and parity["ok"]
    return record, runs
