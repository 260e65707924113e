"""Softmax cross-entropy's mistakes seen every term."""
import numpy as np


def _probabilities(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def _loss(probabilities, labels):
    samples = len(probabilities)
    correct = np.clip(probabilities[np.arange(samples), labels], 1e-7, 1 - 1e-7)
    return float(np.mean(-np.log(correct)))


def forgot_the_mean(logits, labels):
    samples = len(logits)
    probabilities = _probabilities(logits)
    correct = np.clip(probabilities[np.arange(samples), labels], 1e-7, 1 - 1e-7)
    dLogits = probabilities.copy()
    dLogits[np.arange(samples), labels] -= 1
    return {"probabilities": probabilities, "loss": float(np.sum(-np.log(correct))), "dLogits": dLogits}


def forgot_the_labels(logits, labels):
    samples = len(logits)
    probabilities = _probabilities(logits)
    return {"probabilities": probabilities, "loss": _loss(probabilities, labels), "dLogits": probabilities / samples}
