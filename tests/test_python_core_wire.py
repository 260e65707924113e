"""The wire format keeps every bit: -0.0, subnormals, extremes and random bit patterns."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from python_core import run_case
from python_core.wire import decode_array, encode_array, run_batch, encode_spec


def test_round_trip_keeps_every_bit():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2**63, size=(7, 5), dtype=np.int64) * rng.choice([1, -1], (7, 5))
    values = bits.view(np.float64)
    values = values[np.isfinite(values)].reshape(-1, 1)
    specials = np.array([[-0.0], [0.0], [5e-324], [-5e-324], [2.2250738585072009e-308], [1.7976931348623157e308]])
    for array in (values, specials):
        back = decode_array(json.loads(json.dumps(encode_array(array))))
        assert back.shape == array.shape
        assert back.tobytes() == array.astype("<f8").tobytes()


def test_encoding_is_little_endian_float64():
    encoded = encode_array([[1.0, -0.0]])
    import base64
    assert base64.b64decode(encoded["f64"]) == struct.pack("<2d", 1.0, -0.0)


def test_decode_refuses_a_length_that_does_not_fit_the_shape():
    with pytest.raises(ValueError, match="cannot hold"):
        decode_array({"shape": [2, 2], "f64": encode_array([1.0, 2.0, 3.0])["f64"]})


def test_run_batch_gives_run_case_results_and_per_case_errors():
    good = {"activation": "tanh", "weights": [[0.3, -0.1]], "biases": [[0.0, 0.2]], "inputs": [[2.0]],
            "upstream": [[1.0, -1.0]]}
    bad = dict(good, weights=[[0.3, float("nan")]])
    response = json.loads(run_batch(json.dumps({"cases": [encode_spec(good), encode_spec(bad)]})))
    first, second = response["results"]
    direct = run_case(good)
    for name, array in first["arrays"].items():
        assert decode_array(array).tobytes() == direct[name].tobytes()
    assert second == {"ok": False, "error": second["error"]}
    assert second["error"]["type"] == "ValueError" and "weights" in second["error"]["message"]
    assert "Traceback" in second["error"]["traceback"]
    assert response["versions"]["numpy"] == np.__version__
