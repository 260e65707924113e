"""`serve`: the lesson pages on a local web server, until Ctrl-C."""

from __future__ import annotations

import sys

from ..site.build import SiteError
from ..site.serve import serve
from . import checks


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the lesson pages (lab, exercise) locally and print their URLs")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=checks.port, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--root", type=checks.input_folder, help="serve a folder made by build-site instead of web_demo/")
    p.set_defaults(func=main)


def main(args) -> int:
    try:
        return serve(args.host, args.port, args.root)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
