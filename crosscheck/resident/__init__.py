"""A resident pool of booted runtimes: a small daemon that ``run --pool``, ``watch`` and ``bench`` share.

One daemon per user and checkout, on a Unix socket (crosscheck.resident.location), started on demand
by the client (crosscheck.resident.client) and stopped after an idle time. It keeps one booted *spare*
per runtime; a run takes the spares it needs, runs the cases in them through the ordinary runner
(crosscheck.parity.runner.run_cases with the pool's ``make_runtime``), and throws them away; new
spares boot once the run is over. So every run gets a fresh interpreter (a new Node child, a new
page and worker in an already-launched Chromium, and for native a CPython child process: the
daemon's own interpreter never runs a case), and no run sees another's state.
"""


class PoolError(RuntimeError):
    """The pool could not be reached or started, or could not run the request; ``status`` is the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status
