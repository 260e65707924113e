"""`build-site`: the lesson pages as a static folder for any static host."""

from __future__ import annotations

import sys
from pathlib import Path

from ..paths import REPO
from ..site.assemble import PYODIDE_VERSION
from ..site.build import DEFAULT_OUT, RUNTIMES, SiteError, build_site
from . import checks


def register(sub) -> None:
    p = sub.add_parser("build-site", aliases=["build"],
                       help="write the lesson pages as a static folder for any static host")
    p.add_argument("--out", type=checks.output_folder, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT.relative_to(REPO)})")
    p.add_argument("--runtime", choices=RUNTIMES, default="local",
                   help="local: ship the assembled offline runtime (default); "
                        f"cdn: load Pyodide {PYODIDE_VERSION} from the official CDN")
    p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN", dest="allow_origins",
                   type=checks.origin,
                   help="a lesson origin that may embed the pages (repeatable), e.g. https://lessons.example.org; "
                        "none: only the site's own origin")
    p.add_argument("--js", type=Path, default=None, metavar="FILE",
                   help="the author's JavaScript layer (ES module or CommonJS) for the lab and the exercise "
                        "(default: the harness's reference)")
    p.add_argument("--starter", type=Path, default=None, metavar="FILE",
                   help="the exercise's starter code (Python; default: the harness's, with four gaps)")
    p.add_argument("--lessons", type=Path, default=None, metavar="COURSE.toml",
                   help="also build one exercise page per [[exercise]] the course's manifest declares")
    p.add_argument("--exercise-only", action="store_true",
                   help="the exercise alone, with no python_core wheel (the exercise's answer) anywhere in the site: "
                        "the learner's code can fetch any URL of the site's origin, so a site with the lab holds "
                        "the reference within its reach (docs/pages.md)")
    p.set_defaults(func=main)


def main(args) -> int:
    try:
        manifest = build_site(args.out, args.runtime, allow_origins=args.allow_origins, js=args.js, starter=args.starter,
                              lessons=args.lessons, exercise_only=args.exercise_only)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, say: the previous site is still in place (built in staging)
        print(f"error: build-site --out {args.out}: {exc.strerror or exc}"
              + (f": {exc.filename}" if getattr(exc, "filename", None) else ""), file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    size = sum((out / f).stat().st_size for f in manifest["files"])
    where = "the site's own pyodide/ folder (offline)" if args.runtime == "local" else manifest["indexURL"]
    print(f"Site written to {out}: {len(manifest['files'])} files, {size / 1e6:.1f} MB; Pyodide from {where}.")
    origins = ", ".join(manifest["allowOrigins"]) or "none (only the site's own origin)"
    print(f"Lesson origins that may embed it: {origins}. Have the host send this header with every page:")
    print(f"  Content-Security-Policy: {manifest['frameAncestors']}")
    for exercise in manifest.get("author", {}).get("exercises", []):
        print(f"Exercise {exercise['name']!r} (version {exercise['version']}): {exercise['page']}")
    print(f"Put the folder on any static host, or try it with: python -m crosscheck serve --root {out}")
    return 0
