"""The pool's figures for ``bench``: a verdict through a running pool, and a verdict after a save in ``watch``
(of the dense lesson, and of a course: a save of one lesson's JavaScript).

All use a pool of their own (a temporary folder), never the user's, and measure what a person
waits for: from the command's start (a new ``python -m crosscheck run --pool`` process) to its exit
with the verdict printed; and from a save of the lesson file to watch's verdict line.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..paths import REPO
from .client import start_daemon, stop_daemon, wait_ready

GOAL_POOL_S, GOAL_WATCH_S = 1.5, 1.0
COURSE = REPO / "examples" / "backprop-course"
COURSE_SAVED = "losses.js"  # the lesson whose JavaScript the course figure saves
LESSON = "from python_core.dense_layer import DenseLayer  # the lesson file watch sees saved\n"


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "DENSE_PARITY_POOL_DIR": str(folder), "DENSE_PARITY_POOL_IDLE": "600"}


def pool_verdict(names: list[str], repeats: int = 3) -> dict[str, Any]:
    """Seconds from ``run --pool`` starting to its verdict, the lesson example on ``names``, spares booted."""
    with tempfile.TemporaryDirectory(prefix="dp-pool-") as tmp:
        folder = Path(tmp)
        start_daemon(folder, names)
        try:
            times, ok = [], True
            for _ in range(repeats):
                wait_ready(folder, names)  # the pool is running and its spares have booted
                started = time.monotonic()
                done = subprocess.run([sys.executable, "-m", "crosscheck", "run", "--pool", "--runtimes",
                                       ",".join(names)], cwd=REPO, env=_env(folder), capture_output=True, text=True)
                times.append(round(time.monotonic() - started, 3))
                ok = ok and done.returncode == 0 and "PARITY OK" in done.stdout
            return {"seconds": statistics.median(times), "runs_s": times, "ok": ok, "runtimes": names,
                    "goal_s": GOAL_POOL_S, "met": ok and statistics.median(times) <= GOAL_POOL_S}
        finally:
            stop_daemon(folder)


def next_verdict(process: subprocess.Popen) -> str:
    """The next verdict line a running ``watch`` prints."""
    for line in process.stdout:
        if line.startswith("watch: verdict"):
            return line.strip()
    raise RuntimeError("watch ended before its verdict")


def watch_verdict(names: list[str], random: int = 20, saves: int = 3) -> dict[str, Any]:
    """Seconds from a save of the lesson's Python file to watch's verdict line (lesson example plus
    ``random`` random cases on ``names``), the spares booted before each save."""
    with tempfile.TemporaryDirectory(prefix="dp-watch-") as tmp:
        folder, lesson = Path(tmp) / "pool", Path(tmp) / "dense.py"
        lesson.write_text(LESSON)
        process = subprocess.Popen([sys.executable, "-m", "crosscheck", "watch", "--python", str(lesson),
                                    "--random", str(random), "--runtimes", ",".join(names),
                                    "--max-runs", str(saves + 1)], cwd=REPO, env=_env(folder),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

        try:
            verdicts = [next_verdict(process)]
            times = []
            for i in range(saves):
                wait_ready(folder, names)
                saved = time.monotonic()
                lesson.write_text(LESSON + f"# save {i + 1}\n")
                verdicts.append(next_verdict(process))
                times.append(round(time.monotonic() - saved, 3))
            process.wait(timeout=60)
            ok = all("PARITY OK" in v for v in verdicts)
            return {"seconds": statistics.median(times), "saves_s": times, "ok": ok, "runtimes": names,
                    "cases": 1 + random, "goal_s": GOAL_WATCH_S, "met": ok and statistics.median(times) <= GOAL_WATCH_S}
        finally:
            process.kill()
            process.wait()
            stop_daemon(folder)


def course_watch_verdict(names: list[str], random: int = 20, saves: int = 3, course: Path = COURSE,
                         saved: str = COURSE_SAVED) -> dict[str, Any]:
    """Seconds from a save of one lesson's JavaScript file (``saved``) to the verdict line of
    ``watch COURSE.toml`` (``random`` cases per check on ``names``), the spares booted before each save;
    and what each run re-ran, from watch's JSON report."""
    with tempfile.TemporaryDirectory(prefix="dp-course-watch-") as tmp:
        folder, copy = Path(tmp) / "pool", Path(tmp) / "course"
        shutil.copytree(course, copy, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
        report, lesson = Path(tmp) / "report.json", copy / saved
        text = lesson.read_text()
        process = subprocess.Popen([sys.executable, "-m", "crosscheck", "watch", str(copy / "course.toml"),
                                    "--random", str(random), "--runtimes", ",".join(names), "--json", str(report),
                                    "--case-dir", tmp, "--max-runs", str(saves + 1)], cwd=REPO, env=_env(folder),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

        try:
            verdicts = [next_verdict(process)]
            checks = len(json.loads(report.read_text())["checks"])
            times, reruns = [], []
            for i in range(saves):
                wait_ready(folder, names)
                saved_at = time.monotonic()
                lesson.write_text(text + f"// save {i + 1}\n")
                verdicts.append(next_verdict(process))
                times.append(round(time.monotonic() - saved_at, 3))
                reruns.append(json.loads(report.read_text()).get("rerun", {}))
            process.wait(timeout=60)
            ok = all("CHECK OK" in v for v in verdicts)
            return {"seconds": statistics.median(times), "saves_s": times, "ok": ok, "runtimes": names,
                    "checks": checks, "cases_per_check": random, "saved": saved, "rerun": reruns}
        finally:
            process.kill()
            process.wait()
            stop_daemon(folder)
