"""Two small lessons for the tests of `check`: mean squared error and softmax cross-entropy, with gradients."""

import numpy as np


def mse(predictions, targets):
    diff = predictions - targets
    return {"loss": np.mean(diff ** 2), "dPredictions": 2 * diff / diff.size}


def softmax_cross_entropy(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = -np.mean(np.log(probs[rows, labels]))
    dLogits = probs.copy()
    dLogits[rows, labels] -= 1
    return {"loss": loss, "dLogits": dLogits / len(labels)}


def scale(x, factor):
    return x * factor
