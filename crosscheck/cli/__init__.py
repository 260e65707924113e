"""``python -m crosscheck [SUBCOMMAND] …``: one thin module per subcommand in this package.

Each module offers ``register(subparsers)``, which adds its parser with ``func=main`` (and
``needs_home=False`` when it never starts a runtime nor serves pages, so that it does not assemble the
installed harness's runtime folder first); the work
itself lives in parity/, runtimes/, site/ and training/. ``run`` is the default subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# In the order ``--help`` lists them.
SUBCOMMANDS = ("run", "check", "watch", "pool", "assemble", "serve", "build_site", "train", "bench", "bench_training",
               "bench_pages", "tally", "explain", "probe_libm", "grade")


class OneLineParser(argparse.ArgumentParser):
    """A bad flag or value is one line naming it (``prog: error: argument --atol: …``), exit 2, no usage dump;
    ``--help`` still shows the usage. Subparsers are made of this class too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


ALIASES = {"build": "build_site"}  # the aliases the modules register, by module


def build_parser(modules: tuple[str, ...] = SUBCOMMANDS) -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m crosscheck",
                                     description="Cross-runtime parity for the lesson's DenseLayer.")
    sub = parser.add_subparsers(dest="command")
    for name in modules:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {module.replace("_", "-"): module for module in SUBCOMMANDS}  # "build-site" → build_site
    commands.update(ALIASES)
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")
    # Only the named subcommand's module is imported: a verdict through the pool waits for no other.
    parser = build_parser((commands[argv[0]],) if argv[0] in commands else SUBCOMMANDS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a refused value (already printed as one line): its exit code
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    # Only what drives a runtime or serves pages needs the per-user runtime folder; assembling it needs npm,
    # Node and minutes, so a subcommand that reads a report or grades a file opts out (needs_home=False).
    if getattr(args, "needs_home", True):
        from ..site.assemble import AssemblyError
        from ..site.home import ensure_home

        try:
            ensure_home()  # installed: the per-user runtime folder on first use (a checkout has its own)
        except AssemblyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return args.func(args)


def run() -> None:
    """The console script ``dense-parity``: ``python -m crosscheck``."""
    sys.exit(main())
