"""Lesson 3: softmax with cross-entropy, and the gradient of the pair with respect to the logits.

Softmax turns each row of logits into probabilities; cross-entropy is minus the log of the
probability given to the correct class. Taken together their gradient is remarkably simple:
(probabilities - one-hot labels), divided by the number of samples because the loss is a mean.
"""
import numpy as np


def softmax(logits):
    # exp overflows past about 709. Softmax does not change when the same number is subtracted from a
    # whole row, so subtracting the row's maximum keeps every exponent <= 0 and the result the same.
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    samples = len(logits)
    probabilities = softmax(logits)
    # labels are class indices: pick each row's probability of its correct class.
    correct_confidences = np.clip(probabilities[np.arange(samples), labels], 1e-7, 1 - 1e-7)
    loss = np.mean(-np.log(correct_confidences))

    dLogits = probabilities.copy()
    dLogits[np.arange(samples), labels] -= 1
    dLogits = dLogits / samples
    return {"probabilities": probabilities, "loss": float(loss), "dLogits": dLogits}
