"""Lesson 2: two losses and their gradients, mean squared error and binary cross-entropy.

A loss turns the network's predictions into one number to make smaller. Both losses here are means:
first over a sample's outputs, then over the samples. Their gradients, dPredictions, carry the same
two divisions, so that the size of a step does not grow with the batch or the number of outputs.
"""
import numpy as np


def mean_squared_error(predictions, targets):
    samples, outputs = predictions.shape
    sample_losses = np.mean((targets - predictions) ** 2, axis=-1)
    loss = np.mean(sample_losses)
    # d/dp of (t - p)^2 is -2 (t - p); the two means divide it by the outputs and by the samples.
    dPredictions = -2.0 * (targets - predictions) / outputs / samples
    return {"loss": float(loss), "dPredictions": dPredictions}


def binary_cross_entropy(predictions, targets):
    samples, outputs = predictions.shape
    # log(0) is -inf: predictions are kept a hair away from 0 and 1, in the loss and in its gradient.
    clipped = np.clip(predictions, 1e-7, 1 - 1e-7)
    sample_losses = np.mean(-(targets * np.log(clipped) + (1 - targets) * np.log(1 - clipped)), axis=-1)
    loss = np.mean(sample_losses)
    dPredictions = -(targets / clipped - (1 - targets) / (1 - clipped)) / outputs / samples
    return {"loss": float(loss), "dPredictions": dPredictions}
