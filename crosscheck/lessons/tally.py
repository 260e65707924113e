"""Which runtimes agree bit for bit, per check and output: recorded by ``check`` as it compares (the
report's ``agreement``) and read back by ``tally REPORT.json``.

Per output, each case's runtimes fall into groups of bit-identical results; the report keeps how many
cases had each grouping, written ``native=pyodide-node|js-node=js-chromium|!pyodide-chromium``
(``|`` between groups, ``=`` within one, ``!`` a runtime with no result: it raised, or lacks the output).
That is enough for every pair's count of bit-identical cases, whatever the number of cases.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import numpy as np

NO_RESULT = "!"


def _bits(value: np.ndarray) -> bytes:
    array = np.ascontiguousarray(value, dtype=np.float64)
    return repr(array.shape).encode() + array.tobytes()


def agreement(results: dict[str, Any], ran: list[str]) -> dict[str, dict[str, int]]:
    """{output: {grouping: cases}} over the runtimes in ``ran`` (RuntimeResults with one outcome per case)."""
    counts: dict[str, Counter] = {}
    cases = min((len(results[r].outcomes) for r in ran), default=0)
    for index in range(cases):
        outcomes = {r: results[r].outcomes[index] for r in ran}
        names = dict.fromkeys(n for o in outcomes.values() if o["ok"] for n in o["outputs"])
        for output in names:
            groups: dict[bytes, list[str]] = {}
            missing = []
            for runtime, outcome in outcomes.items():
                if outcome["ok"] and output in outcome["outputs"]:
                    groups.setdefault(_bits(outcome["outputs"][output]), []).append(runtime)
                else:
                    missing.append(NO_RESULT + runtime)
            key = "|".join(["=".join(g) for g in groups.values()] + missing)
            counts.setdefault(output, Counter())[key] += 1
    return {output: dict(c.most_common()) for output, c in counts.items()}


def _parse(key: str) -> list[list[str]]:
    return [group.split("=") for group in key.split("|")]


class NoAgreement(ValueError):
    """A check report without the per-case agreement (not written by this version of ``check``)."""


def tally(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per check and output: the cases, the cases on which every runtime gave the same bits, the groups of
    runtimes that agree on every case, and each pair's bit-identical cases."""
    rows = []
    for entry in report["checks"]:
        order = list(entry.get("runtimes", {}))
        if "agreement" not in entry:
            raise NoAgreement(f"check {entry['name']!r} has no \"agreement\" (a report of an older `check`: "
                              "run it again with --json)")
        for output, groupings in entry["agreement"].items():
            runtimes: list[str] = []
            for key in groupings:
                for group in _parse(key):
                    runtimes += [r.removeprefix(NO_RESULT) for r in group if r.removeprefix(NO_RESULT) not in runtimes]
            runtimes.sort(key=lambda r: order.index(r) if r in order else len(order))
            pairs = {pair: 0 for pair in itertools.combinations(runtimes, 2)}
            cases = all_same = 0
            for key, count in groupings.items():
                cases += count
                groups = _parse(key)
                all_same += count * (len(groups) == 1 and not groups[0][0].startswith(NO_RESULT))
                for group in groups:
                    if group[0].startswith(NO_RESULT):
                        continue
                    for a, b in itertools.combinations(group, 2):
                        pairs[(a, b) if (a, b) in pairs else (b, a)] += count
            rows.append({"check": entry["name"], "output": output, "cases": cases, "all_identical": all_same,
                         "runtimes": runtimes, "pairs": pairs, "groups": _always_together(runtimes, pairs, cases)})
    return rows


def _always_together(runtimes: list[str], pairs: dict[tuple[str, str], int], cases: int) -> list[list[str]]:
    """The runtimes split into groups that gave the same bits on every case (bit identity is transitive)."""
    groups: list[list[str]] = []
    for runtime in runtimes:
        for group in groups:
            a, b = group[0], runtime
            if pairs.get((a, b), pairs.get((b, a))) == cases:
                group.append(runtime)
                break
        else:
            groups.append([runtime])
    return groups


def format_tally(rows: list[dict[str, Any]]) -> str:
    head = ("check", "output", "cases", "all bit-identical", "runtimes that agree bit for bit on every case")
    table = [head] + [(r["check"], r["output"], str(r["cases"]), f"{r['all_identical']}/{r['cases']}",
                       " · ".join(" = ".join(g) for g in r["groups"])) for r in rows]
    lines = _grid(table)
    per_pair: dict[tuple[str, tuple[str, str]], list[int | list[str]]] = {}
    for r in rows:
        for pair, n in r["pairs"].items():
            figures = per_pair.setdefault((r["check"], pair), [0, 0, []])
            figures[0] += n
            figures[1] += r["cases"]
            if n == r["cases"]:
                figures[2].append(r["output"])
    differing = [(check, f"{a} ~ {b}", f"{same}/{arrays}", ", ".join(outputs) or "none")
                 for (check, (a, b)), (same, arrays, outputs) in per_pair.items() if same != arrays]
    lines.append("")
    if differing:
        lines.append("pairs that differ somewhere (bit-identical arrays over the outputs and cases; the outputs "
                     "bit-identical in every case):")
        lines += _grid([("check", "runtime pair", "bit-identical", "always identical"), *differing])
    else:
        lines.append("every pair of runtimes gave the same bits on every case of every output")
    same = sorted({r["check"] for r in rows} - {r["check"] for r in rows if r["all_identical"] != r["cases"]})
    lines.append("")
    lines.append("bit-identical on every runtime, every output and case: " + (", ".join(same) if same else "no check"))
    return "\n".join(lines)


def _grid(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines
