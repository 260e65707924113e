"""A lesson: the author's Python file, JavaScript file, or both, in place of the built-in layers.

The Python file is sent as text to python_core.author:run_author_batch (natively and in Pyodide).
The JavaScript file is bundled by esbuild into the per-user cache (never next to the lesson) and
imported by web_demo/lib/author.mjs in Node and in the browser. Errors from either come back with
the author's file and line: Python through linecache, JavaScript through the bundle's source map.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import CACHE_DIR, NODE_MODULES

PYTHON_TARGET = "python_core.author:run_author_batch"
JS_TARGET = "author:runBatch"
BUNDLE_NAME = "dense-parity-lesson.mjs"
# A frame in the bundle, as Node (file URL or path) or Chromium (server URL, maybe with ?v=) print it.
_FRAME = re.compile(r"[^\s()]*" + re.escape(BUNDLE_NAME) + r"(?:\?[^\s:)]*)?:(\d+):(\d+)")


class LessonError(ValueError):
    """The lesson's files cannot be used (missing, unreadable, an import that cannot be resolved): bad input."""


@dataclass(frozen=True)
class Bundle:
    folder: Path
    file: Path
    version: str  # sha256 of the bundle's bytes, so that a changed bundle is never a cached import
    packages: dict = field(default_factory=dict)  # {package name: version} of what esbuild bundled
    exports: tuple[str, ...] = ()  # the module's export names (a CommonJS file's: "default" only)


@dataclass
class Lesson:
    """``Lesson(python="dense.py", js="dense.js")``: either or both. Checked when made."""

    python: Path | str | None = None
    js: Path | str | None = None
    _bundle: Bundle | None = field(default=None, init=False, repr=False)
    _maps: dict = field(default_factory=dict, init=False, repr=False)
    # The text of each file as read once, when the lesson is made: what runs, what is bundled and what
    # the report's sha256 names are the same bytes, even when the file is edited during a long run.
    _texts: dict = field(default_factory=dict, init=False, repr=False)
    _hashes: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.python is None and self.js is None:
            raise LessonError("a lesson needs a Python file, a JavaScript file, or both")
        for kind in ("python", "js"):
            value = getattr(self, kind)
            if value is None:
                continue
            path = Path(value).expanduser().resolve()
            if not path.is_file():
                raise LessonError(f"--{kind} {value}: " + ("no such file" if not path.exists()
                                                           else "is a folder" if path.is_dir() else "is not a file"))
            try:
                data = path.read_bytes()
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LessonError(f"--{kind} {value}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
            except OSError as exc:
                raise LessonError(f"--{kind} {value}: cannot be read ({exc.strerror or exc})") from None
            if kind == "python":
                # Compiled here (nothing of it runs) so that a syntax error is bad input, exit 2, as a
                # JavaScript one is at bundling, instead of an error in every runtime and a failed run.
                try:
                    compile(text, str(path), "exec", dont_inherit=True)
                except SyntaxError as exc:
                    raise LessonError(f"--python {value}:{exc.lineno}: {type(exc).__name__}: {exc.msg}") from None
                except ValueError as exc:  # a NUL byte, on Pythons that do not call it a SyntaxError
                    raise LessonError(f"--python {value}: not Python source: {exc}") from None
            setattr(self, kind, path)
            self._texts[kind] = text
            self._hashes[kind] = hashlib.sha256(data).hexdigest()

    @property
    def python_source(self) -> str:
        return self._texts["python"]

    @property
    def js_source(self) -> str:
        return self._texts["js"]

    # --- what the report and the runner need ---------------------------------------------------
    @property
    def reference(self) -> str:
        """The author's Python natively; the author's JavaScript in Node when only it is given."""
        return "native" if self.python is not None else "js-node"

    def files(self) -> dict[str, dict[str, str]]:
        return {kind: {"path": str(path), "sha256": self._hashes[kind]}
                for kind, path in (("python", self.python), ("js", self.js)) if path is not None}

    def replaces(self, language: str) -> bool:
        """Whether a runtime of ``language`` runs the author's file: "python" or "javascript" only (exact,
        the correctly rounded truth, runs its own layer whatever the lesson)."""
        return {"python": self.python, "javascript": self.js}.get(language) is not None

    def versions(self, language: str) -> dict[str, str]:
        """What the report names for a runtime running the author's file: for JavaScript, the packages
        bundled with it (the author's own mathjs when their folder has one), not the harness's."""
        if language != "javascript" or self._bundle is None:
            return {}
        packages = self._bundle.packages
        return {"mathjs": f"{packages['mathjs']} (bundled with the js file)" if "mathjs" in packages
                else "none bundled (the js file imports no mathjs)"}

    def python_argument(self, wire_cases: list[dict[str, Any]]) -> str:
        return json.dumps({"source": self.python_source, "filename": str(self.python), "cases": wire_cases})

    # --- the JavaScript bundle ----------------------------------------------------------------
    def bundle(self) -> Bundle:
        """Bundle the JavaScript file (once per Lesson) into the cache; LessonError naming the import
        and the file when esbuild cannot resolve something."""
        if self._bundle is None:
            from ..runtimes.node.process import NODE_SCRIPTS, node_path

            assert self.js is not None
            node = node_path()
            if node is None:
                raise LessonError("--js needs Node.js to bundle the file: no `node` on PATH (or DENSE_PARITY_NODE)")
            if not (NODE_MODULES / "esbuild").is_dir():
                raise LessonError(f"--js needs the harness's npm packages: {NODE_MODULES / 'esbuild'} is missing "
                                  f"(run scripts/setup, or `dense-parity assemble`)")
            key = hashlib.sha256(str(self.js).encode()).hexdigest()[:16]
            folder = CACHE_DIR / "author" / key
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / BUNDLE_NAME
            # The entry's text as read when the lesson was made goes in on stdin, not the file on disk.
            done = subprocess.run([node, str(NODE_SCRIPTS / "bundle_author.mjs"), str(self.js), str(out),
                                   str(NODE_MODULES)], input=self._texts["js"], capture_output=True, text=True,
                                  encoding="utf-8")
            try:
                answer = json.loads(done.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                raise LessonError(f"--js {self.js}: bundling failed: {done.stderr.strip()[-500:]}") from None
            if not answer["ok"]:
                first = answer["errors"][0]
                where = f" in {first['file']}:{first['line']}" if first.get("file") else f" in {self.js}"
                more = f" (and {len(answer['errors']) - 1} more)" if len(answer["errors"]) > 1 else ""
                raise LessonError(f"--js {self.js}: {first['text']}{where}{more}")
            packages = {str(k): str(v) for k, v in (answer.get("packages") or {}).items()}
            self._bundle = Bundle(folder, out, hashlib.sha256(out.read_bytes()).hexdigest()[:16], packages,
                                  tuple(answer.get("exports") or ()))
        return self._bundle

    def map_js_error(self, record: dict[str, Any]) -> dict[str, Any]:
        """An error record from the bundle, with the author's file and line added (and the stack's
        bundle positions rewritten to the author's)."""
        if self._bundle is None or not isinstance(record, dict):
            return record
        from .sourcemap import SourceMap

        map_path = self._bundle.file.with_name(BUNDLE_NAME + ".map")
        if not map_path.exists():
            return record
        smap = self._maps.get(self._bundle.version) or self._maps.setdefault(self._bundle.version, SourceMap(map_path))
        author_dir = Path(self.js).parent
        found: list[tuple[str, int]] = []

        def rewrite(match: re.Match) -> str:
            hit = smap.lookup(int(match.group(1)), int(match.group(2)))
            if hit is None:
                return match.group(0)
            source, line = hit
            if "node_modules" not in source and Path(source).is_relative_to(author_dir):
                found.append(hit)
            return f"{source}:{line}"

        stack = _FRAME.sub(rewrite, record.get("traceback") or "")
        out = {**record, "traceback": stack}
        if found:  # the innermost frame in the author's own files
            out["file"], out["line"] = found[0]
        return out
