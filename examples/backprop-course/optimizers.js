// Lesson 5: gradient descent with momentum, and Adam, over several steps.
//
// Both optimizers walk down the same bowl, the loss 1/2 · sum(curvature · (params - target)²), whose
// gradient at params is curvature · (params - target): a fixed gradient function, so that the
// optimizers are all that is being checked. Each returns the params after the steps and its state.
import * as math from "mathjs";

const bowlGradient = (params, target, curvature) => math.dotMultiply(curvature, math.subtract(params, target));

export function sgdMomentum(params, target, curvature, lr, momentum, steps) {
  // The velocity remembers past steps, so that a direction the gradient keeps pointing in gathers
  // speed and a direction it keeps flipping in cancels out.
  let velocity = math.zeros(math.size(params));
  for (let step = 0; step < steps; step++) {
    const grad = bowlGradient(params, target, curvature);
    velocity = math.subtract(math.multiply(momentum, velocity), math.multiply(lr, grad));
    params = math.add(params, velocity);
  }
  return { params, velocity };
}

export function adam(params, target, curvature, lr, beta1, beta2, epsilon, steps) {
  let m = math.zeros(math.size(params)); // running mean of the gradients (the momentum)
  let v = math.zeros(math.size(params)); // running mean of the squared gradients (the cache)
  for (let t = 1; t <= steps; t++) {
    const grad = bowlGradient(params, target, curvature);
    m = math.add(math.multiply(beta1, m), math.multiply(1 - beta1, grad));
    v = math.add(math.multiply(beta2, v), math.dotMultiply(math.multiply(1 - beta2, grad), grad));
    // m and v start at zero, so early on they are too small by a factor (1 - beta^t): the bias
    // correction divides that factor out.
    const mHat = math.divide(m, 1 - beta1 ** t);
    const vHat = math.divide(v, 1 - beta2 ** t);
    const step = math.dotDivide(math.multiply(lr, mHat), math.add(math.map(vHat, (x) => Math.sqrt(x)), epsilon));
    params = math.subtract(params, step);
  }
  return { params, m, v };
}
