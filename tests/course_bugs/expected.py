"""The seeded bugs of examples/backprop-course and where `check` must catch them.

Each file here is one lesson file of the example course with one bug put in (the first line says
which). Put in place of its side of the named check, `check` must fail that check, and the minimal
case it shrinks to must have exactly these dims: each bug's smallest showing dims, worked out from
the bug (see the comments) and confirmed by running every dims combination up to four per name.
"""

EXPECTED = {
    # dBiases taken from the first row: with one row that row is the sum, so two rows are needed.
    "dense_first_row_biases.py": {
        "check": "dense layer (sigmoid)",
        "min_dims": {"batch": 2, "features": 1, "neurons": 1},
    },
    # The factor 2 is lost from every element, whatever the sizes.
    "losses_mse_without_two.js": {
        "check": "mean squared error",
        "min_dims": {"batch": 1, "outputs": 1},
    },
    # Normalizing over the whole batch is per-row normalizing when there is one row.
    "softmax_batch_normalized.py": {
        "check": "softmax cross-entropy",
        "min_dims": {"batch": 2, "classes": 2},
    },
    # Dividing by the outputs is dividing by 1 when there is one output.
    "network_mean_over_samples_only.js": {
        "check": "two-layer network",
        "min_dims": {"batch": 1, "features": 1, "hidden": 1, "outputs": 2},
    },
    # Without the correction the very first step is already too large, at any size.
    "optimizers_adam_no_bias_correction.py": {
        "check": "adam",
        "min_dims": {"rows": 1, "cols": 1},
    },
    # From the second row of the epoch on the step is too large, at any hidden size.
    "xor_gradients_accumulated.js": {
        "check": "xor epoch",
        "min_dims": {"hidden": 1},
    },
}
