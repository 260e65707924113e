import numpy as np


def softmax_cross_entropy(logits, labels):
    """logits: (batch, classes); labels: (batch,), each row's correct class.

    Returns the probabilities (softmax of each row), the mean cross-entropy loss, and dLogits,
    the gradient of the loss with respect to the logits.
    """
    samples = len(logits)
    # Softmax, shifted by each row's maximum so that exp never overflows.
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    probabilities = exponentials / np.sum(exponentials, axis=1, keepdims=True)

    correct = np.clip(probabilities[np.arange(samples), labels], 1e-7, 1 - 1e-7)
    loss = todo("the mean of -log(correct) over the batch")

    # The gradient of softmax and cross-entropy together: probabilities minus the one-hot labels,
    # averaged over the batch as the loss is.
    dLogits = todo("dLogits, shape (batch, classes)")
    return {"probabilities": probabilities, "loss": float(loss), "dLogits": dLogits}
