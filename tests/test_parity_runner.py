"""Cases travel in batches: one round-trip per runtime per batch, never one per case."""

from __future__ import annotations

from crosscheck.parity.random_cases import random_cases
from crosscheck.parity.runner import run_cases

ALL = ["native", "pyodide-chromium", "pyodide-node", "js-chromium", "js-node"]


def test_one_round_trip_per_batch_on_every_runtime(borrow_runtimes, js_node, pyodide_node):
    cases = random_cases(10, seed=5)
    lent: dict = {}
    node_calls_before = js_node.calls, pyodide_node.calls
    report = run_cases(cases, ALL, batch_size=4, make_runtime=borrow_runtimes(lent), progress=lambda n: (lambda stage: None))
    assert report["ok"], [c for case in report["cases"] for c in case["comparisons"] if not c["ok"]][:3]
    for name in ALL:
        assert lent[name].calls == 3, name                  # 10 cases in batches of 4: 4 + 4 + 2
        assert report["runtimes"][name]["round_trips"] == 3
        assert len(report["cases"]) == 10 and all(name in case["results"] for case in report["cases"])
    # Counted at the pipe too: the Node processes saw three requests each, not ten.
    assert (js_node.calls, pyodide_node.calls) == (node_calls_before[0] + 3, node_calls_before[1] + 3)


def test_a_batch_holds_its_cases_in_order(js_node, pyodide_node):
    # Each case comes back where it went: results are matched to cases by position.
    cases = random_cases(6, seed=9)
    for runtime in (js_node, pyodide_node):
        outcomes = runtime.run(cases)
        shapes = [o["arrays"]["dInputs"].shape for o in outcomes]
        assert shapes == [c["inputs"].shape for c in cases]
