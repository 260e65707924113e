"""python_core/facts.json: the one place both languages read their shared facts from, and each
language's implementation agrees with it (so a fact cannot drift between them)."""

from __future__ import annotations

import json
import subprocess

from crosscheck.paths import PYTHON_CORE, WEB_DEMO
from crosscheck.runtimes.node.process import node_path
from python_core import ACTIVATIONS, RESULT_ARRAYS, SPEC_FIELDS, run_case
from python_core.facts import LESSON_EXAMPLE

RAW = json.loads((PYTHON_CORE / "facts.json").read_text())


def _node(script: str) -> dict:
    out = subprocess.run([node_path(), "--input-type=module", "-e", script], capture_output=True, text=True,
                         check=True, cwd=WEB_DEMO)
    return json.loads(out.stdout)


def test_javascript_reads_the_file_itself_not_a_stale_bundle():
    # vendor/facts.mjs is a copy that scripts/bundle-web.mjs writes: an edit of facts.json without
    # rebuilding it would leave the pages and Node on other facts than Python's.
    js = _node(f"""
        const facts = await import("{(WEB_DEMO / 'lib').as_uri()}/facts.mjs");
        console.log(JSON.stringify(facts.FACTS));""")
    assert js == RAW


def test_python_reads_the_file_itself():
    assert SPEC_FIELDS == tuple(RAW["spec_fields"]) and RESULT_ARRAYS == tuple(RAW["result_arrays"])
    assert set(run_case(LESSON_EXAMPLE)) == set(RAW["result_arrays"])


def test_every_activation_of_the_facts_is_implemented_in_python_and_javascript_and_no_other():
    lib = (WEB_DEMO / "lib").as_uri()
    js = _node(f"""
        const layer = await import("{lib}/dense-layer.mjs");
        const facts = await import("{lib}/facts.mjs");
        console.log(JSON.stringify({{layer: Object.keys(layer.ACTIVATIONS), facts: facts.ACTIVATION_NAMES,
                                    arrays: facts.RESULT_ARRAYS, example: facts.FACTS.lesson_example}}));""")
    assert sorted(ACTIVATIONS) == sorted(RAW["activations"]) == sorted(js["layer"])
    assert js["facts"] == list(RAW["activations"]) and js["arrays"] == RAW["result_arrays"]
    assert js["example"] == RAW["lesson_example"]  # the bundled copy is the file, not a stale one
