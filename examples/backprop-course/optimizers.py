"""Lesson 5: gradient descent with momentum, and Adam, over several steps.

Both optimizers walk down the same bowl, the loss 1/2 * sum(curvature * (params - target)^2), whose
gradient at params is curvature * (params - target): a fixed gradient function, so that the
optimizers are all that is being checked. Each returns the params after the steps and its state.
"""
import numpy as np


def bowl_gradient(params, target, curvature):
    return curvature * (params - target)


def sgd_momentum(params, target, curvature, lr, momentum, steps):
    params = params.copy()
    # The velocity remembers past steps, so that a direction the gradient keeps pointing in gathers
    # speed and a direction it keeps flipping in cancels out.
    velocity = np.zeros_like(params)
    for _ in range(int(steps)):
        grad = bowl_gradient(params, target, curvature)
        velocity = momentum * velocity - lr * grad
        params = params + velocity
    return {"params": params, "velocity": velocity}


def adam(params, target, curvature, lr, beta1, beta2, epsilon, steps):
    params = params.copy()
    m = np.zeros_like(params)  # running mean of the gradients (the momentum)
    v = np.zeros_like(params)  # running mean of the squared gradients (the cache)
    for t in range(1, int(steps) + 1):
        grad = bowl_gradient(params, target, curvature)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        # m and v start at zero, so early on they are too small by a factor (1 - beta^t): the bias
        # correction divides that factor out.
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        params = params - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return {"params": params, "m": m, "v": v}
