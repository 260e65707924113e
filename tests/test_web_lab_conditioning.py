"""The lab flags the gradient cells whose derivative, read from the output, loses ≥ 10 bits."""

from __future__ import annotations

import json
import math
from urllib.parse import quote


def open_lab(lesson_pages, activation, case):
    page = lesson_pages.open(f"/pages/lab.html?activation={activation}&case={quote(json.dumps(case))}")
    page.wait_for_function("() => document.documentElement.dataset.lab === 'done'")
    return page


def flagged(page):
    return page.eval_on_selector_all("td.cell.ill", """cells => cells.map(td => ({array: td.dataset.array,
        i: +td.dataset.i, j: +td.dataset.j, bits: +td.dataset.bitsLost, text: td.querySelector('.cond').textContent}))""")


def test_saturated_tanh_cells_are_flagged_with_the_well_conditioned_form(lesson_pages):
    # z = 6 and 0.4 for neuron 0 (rows 0 and 1), 0.3 and −0.82 for neuron 1: only z = 6 saturates
    case = {"weights": [[1.0, 0.2]], "biases": [[5.0, 0.1]], "inputs": [[1.0], [-4.6]], "upstream": [[1.0, 1.0], [1.0, 1.0]]}
    page = open_lab(lesson_pages, "tanh", case)
    try:
        cells = flagged(page)
        a = math.tanh(6.0)
        bits = math.log2(2 * a * a / (1 - a * a))  # κ of 1 − a², written out here
        assert bits > 10
        # dZ[0][0] is ill: dWeights[0][0], dBiases[0][0] (column 0) and dInputs[0][0] (row 0)
        assert sorted((c["array"], c["i"], c["j"]) for c in cells) == [
            ("dBiases", 0, 0), ("dInputs", 0, 0), ("dWeights", 0, 0)]
        for c in cells:
            assert abs(c["bits"] - bits) < 0.1
            assert "1 − a²" in c["text"] and "well-conditioned: tanh′(z) = 4·e^(−2|z|)" in c["text"]
        lesson_pages.screenshot(page, "lab-conditioning")
    finally:
        page.close()


def test_the_lesson_example_has_no_flag(lesson_pages):
    page = lesson_pages.open("/pages/lab.html")
    page.wait_for_function("() => document.documentElement.dataset.lab === 'done'")
    try:
        assert flagged(page) == []
    finally:
        page.close()
