"""The lesson's dense layer in NumPy: the code that runs unchanged natively and in Pyodide.

Imports NumPy and the standard library only.
"""

from .activations import ACTIVATIONS, Activation, Linear, ReLU, Sigmoid, Tanh, get_activation
from .cases import RESULT_ARRAYS, SPEC_FIELDS, normalize_spec, run_case
from .dense_layer import DenseLayer
from .initializers import WEIGHT_INITS

__all__ = [
    "ACTIVATIONS", "Activation", "DenseLayer", "Linear", "RESULT_ARRAYS", "ReLU", "SPEC_FIELDS",
    "Sigmoid", "Tanh", "WEIGHT_INITS", "get_activation", "normalize_spec", "run_case",
]
__version__ = "0.1.0"
