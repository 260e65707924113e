import numpy as np

# run_case results of shapes that no layer gives: what "ODD" (an environment variable would not reach
# Pyodide, so the case's activation picks) each array is.
ODD = {
    "sigmoid": {"output": 1.5, "dWeights": [1.0, 2.0], "dBiases": np.zeros((2, 2, 2)), "dInputs": []},
    "relu": {"output": [[1.0]], "dWeights": np.zeros((0, 3)), "dBiases": 7.0, "dInputs": [[[1.0]]]},
}


def run_case(spec):
    odd = ODD.get(spec["activation"])
    if odd is None:
        return {"output": 0.0, "dWeights": 0.0, "dBiases": 0.0, "dInputs": 0.0}
    return odd
