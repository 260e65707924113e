"""A correct answer for each gap of the sigmoid exercise's starter, written from the lesson (not from the
page's reference), shared by the exercise tests and the pages bench."""

from __future__ import annotations

SIGMOID_GAPS = {
    'todo("the derivative of the activation")': "self.output * (1.0 - self.output)",
    'todo("dWeights")': "self.inputs.T @ dZ",
    'todo("dBiases")': "np.sum(dZ, axis=0, keepdims=True)",
    'todo("dInputs, the gradient passed back")': "dZ @ self.weights.T",
}


def fill(starter: str, answers: dict[str, str] = SIGMOID_GAPS) -> str:
    """The starter with every gap answered; ValueError when a gap is no longer in the starter."""
    missing = [gap for gap in answers if gap not in starter]
    if missing:
        raise ValueError(f"the exercise's starter no longer has the gap(s) {missing}")
    for gap, answer in answers.items():
        starter = starter.replace(gap, answer)
    return starter
