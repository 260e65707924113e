"""The optional dependencies (pyproject.toml's extras): a command that needs one that is not installed
says so in one line, with what to install, before it starts any work."""

from __future__ import annotations

import importlib


class MissingExtra(ValueError):
    """An optional dependency a command needs is not installed (bad input for that command: exit 2)."""


def require(module: str, extra: str, purpose: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{purpose} needs {module}, which is not installed: pip install 'dense-parity[{extra}]' "
                           f"(or pip install {EXTRA_PACKAGES.get(module, module)})") from None


EXTRA_PACKAGES = {"sklearn": "scikit-learn"}  # where the module's name is not the package's
