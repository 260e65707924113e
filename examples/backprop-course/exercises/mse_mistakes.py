"""Mean squared error's mistakes seen every term."""
import numpy as np


def _loss(predictions, targets):
    return float(np.mean((targets - predictions) ** 2))


def forgot_the_two(predictions, targets):
    samples, outputs = predictions.shape
    return {"loss": _loss(predictions, targets), "dPredictions": -(targets - predictions) / outputs / samples}


def forgot_the_outputs(predictions, targets):
    samples, outputs = predictions.shape
    return {"loss": _loss(predictions, targets), "dPredictions": -2.0 * (targets - predictions) / samples}


def wrong_sign(predictions, targets):
    samples, outputs = predictions.shape
    return {"loss": _loss(predictions, targets), "dPredictions": 2.0 * (targets - predictions) / outputs / samples}
