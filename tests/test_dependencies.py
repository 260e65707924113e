"""Every third-party module that crosscheck/ and python_core/ import is a declared dependency of the
distribution, read from the sources (ast) and pyproject.toml, not from the venv (whose packages the
install test links in, so it cannot see an undeclared one):

- imported when a module loads (at its top level): a core dependency, or a pip-installed harness
  fails at import;
- imported inside a function only: a core dependency or an extra, and the command that needs an
  extra says so in one line when it is missing.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib

import pytest

from crosscheck.cli import main as cli_main
from crosscheck.paths import REPO

OWN = {"crosscheck", "python_core", "web_demo"}
PYODIDE_ONLY = {"js", "pyodide", "pyodide_js"}  # exist only inside Pyodide, where python_core also runs
PACKAGE_OF = {"sklearn": "scikit-learn"}        # where the import name is not the distribution's


def imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """(top-level module name, imported at module load) for every absolute import in ``tree``."""
    found = []

    def visit(node: ast.AST, at_load: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = at_load and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name.split(".")[0], at_load) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], at_load))
            visit(child, inner)

    visit(tree, True)
    return found


def third_party() -> dict[str, dict[str, bool]]:
    """{distribution: {"file:line…": at_load}} over crosscheck/ and python_core/."""
    out: dict[str, dict[str, bool]] = {}
    for folder in ("crosscheck", "python_core"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for name, at_load in imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if name in sys.stdlib_module_names or name in OWN or name in PYODIDE_ONLY or name == "__future__":
                    continue
                where = out.setdefault(PACKAGE_OF.get(name, name).lower(), {})
                where[str(path.relative_to(REPO))] = where.get(str(path.relative_to(REPO)), False) or at_load
    return out


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    name = lambda requirement: re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()  # noqa: E731
    core = {name(r) for r in project["dependencies"]}
    extras = {name(r) for group in project.get("optional-dependencies", {}).values() for r in group}
    return core, extras


def test_the_scan_sees_imports_at_load_and_inside_functions():
    tree = ast.parse("import a.b\nfrom c import d\nfrom . import e\ndef f():\n    import g\n"
                     "class K:\n    import h\n    def m(self):\n        from i.j import k\n")
    assert sorted(imports(tree)) == [("a", True), ("c", True), ("g", False), ("h", True), ("i", False)]


def test_every_third_party_import_is_declared():
    core, extras = declared()
    found = third_party()
    assert {"numpy", "mpmath", "matplotlib", "scikit-learn", "playwright", "pytest"} <= set(found)  # the scan works
    missing = {dist: sorted(files) for dist, files in found.items() if dist not in core | extras}
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_what_a_module_imports_when_it_loads_is_a_core_dependency():
    core, _ = declared()
    at_load = {dist: sorted(f for f, loaded in files.items() if loaded) for dist, files in third_party().items()}
    wrong = {dist: files for dist, files in at_load.items() if files and dist not in core}
    assert not wrong, f"imported at load time but only an extra (or undeclared): {wrong}"


@pytest.mark.parametrize("argv, module, extra", [
    (["train", "xor", "--png", "{tmp}/loss.png"], "matplotlib", "plots"),
    (["train", "digits"], "sklearn", "digits"),
])
def test_a_missing_extra_is_one_line_before_any_work(monkeypatch, capsys, tmp_path, argv, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # what an installed harness without the extra sees
    assert cli_main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"pip install 'dense-parity[{extra}]'" in err and module in err, err
    assert not (tmp_path / "loss.png").exists()
