"""``exact``: the mathematically exact result of each case, correctly rounded to float64.

Not a runtime a learner meets: the truth the others are measured against
(crosscheck.parity.exact). It runs in this process, like native, and only when named
(``--runtimes …,exact``); ``--reference exact`` makes it the reference.
"""

from __future__ import annotations

from ..parity.exact import run_batch, versions
from .base import Runtime


class ExactRuntime(Runtime):
    name = "exact"
    language = "exact"  # neither implementation of the layer: not a runtime to train in
    in_process = True
    default = False  # opt-in: the default runs stay what they were

    def call(self, request: str) -> str:
        return run_batch(request)

    def versions(self) -> dict[str, str]:
        return versions()
