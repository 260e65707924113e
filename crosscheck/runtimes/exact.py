"""``exact``: the mathematically exact result of each case, correctly rounded to float64.

Not a runtime a learner meets: the truth the others are measured against
(crosscheck.parity.exact). It runs in this process, like native, and only when named
(``--runtimes …,exact``); ``--reference exact`` makes it the reference.
"""

from __future__ import annotations

from ..parity.exact import run_batch, versions
from .base import Runtime, RuntimeFailure


class ExactRuntime(Runtime):
    name = "exact"
    language = "exact"  # neither implementation of the layer: not a runtime to train in
    in_process = True
    default = False  # opt-in: the default runs stay what they were

    batch_target = "exact:run_batch"

    def call_entry(self, target: str, argument: str, timeout: float | None = None) -> str:
        from ..parity import libm

        entries = {"exact:run_batch": run_batch, libm.JS_TARGET: libm.exact_libm_json,
                   libm.PYTHON_TARGET: libm.exact_libm_json}
        if target not in entries:
            raise RuntimeFailure(self.name, f"exact has no entry point {target!r}; known: {', '.join(entries)}")
        return entries[target](argument)

    def versions(self) -> dict[str, str]:
        return versions()
