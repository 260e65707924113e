"""A lesson origin, as ``build-site --allow-origin`` takes it and a built site's manifest records it.

An origin goes verbatim into ``Content-Security-Policy: frame-ancestors`` and into the pages' list of
who may drive them, where a space splits it into two sources and a ``*`` lets every site in. So only
``scheme://host[:port]`` is taken: http or https, a DNS name or an IP address, an optional port, an
optional lone ``/``, and nothing else.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SHAPE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^/:\[\]]+)"
                    r"(?::(?P<port>[0-9]{1,5}))?/?")


class OriginError(ValueError):
    """Not an origin: one line naming it."""


def _host(host: str) -> str | None:
    """The host in the browser's form, or None when it is neither a DNS name nor an IP address."""
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    host = host.lower()
    if re.fullmatch(r"[0-9.]+", host):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            return None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def normalize_origin(text: str) -> str:
    """``https://host[:port]`` as the browser writes an origin; OriginError for anything else."""
    bad = OriginError(f"{text!r} is not an origin like https://lessons.example.org "
                      f"(http or https, a host name or IP address, an optional port; no path, query, "
                      f"fragment, space or wildcard)")
    if not isinstance(text, str) or not text.isascii() or not text.isprintable():
        raise bad
    match = _SHAPE.fullmatch(text)
    if match is None or match["scheme"].lower() not in DEFAULT_PORTS:
        raise bad
    scheme = match["scheme"].lower()
    host = _host(match["host"])
    port = int(match["port"]) if match["port"] is not None else None
    if host is None or (port is not None and not 1 <= port <= 65535):
        raise bad
    # What urllib reads must agree (no credentials or other syntax hidden from the pattern above).
    parsed = urllib.parse.urlsplit(text)
    if parsed.username or parsed.password or parsed.query or parsed.fragment or parsed.path not in ("", "/"):
        raise bad
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, DEFAULT_PORTS[scheme]) else "")
