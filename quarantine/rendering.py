"""What the sender's pages (web.py) and the console (admin/) share when they answer: the
security headers and the Jinja environment, with the filters that show what a message wrote.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from .display import clean, file_name

HEADERS = {
    # The token is in the URL: never let it leak through a Referer header or a cache.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


def headers(extra: dict | None = None) -> dict:
    """The security headers, and `extra` on top (a fresh dict: the caller may change it)."""
    return {**HEADERS, **(extra or {})}


def when(t: float | None, zone: tzinfo | None = None) -> str:
    """A time as people read it, with its zone named: "2026-12-05 11:48 (JST)". `zone`:
    web.timezone; None is the machine's own zone (as the C library sees it, TZ included).
    Pages, the console and the notices all write times this way."""
    if not t:
        return ""
    at = datetime.fromtimestamp(t, zone) if zone is not None else datetime.fromtimestamp(t).astimezone()
    return at.strftime("%Y-%m-%d %H:%M (%Z)")


def environment(zone: tzinfo | None = None, **filters: Any) -> Environment:
    """The templates of quarantine/templates, autoescaped, with the shared filters and `filters`;
    `when` writes times in `zone` (web.timezone; None: the machine's zone)."""
    env = Environment(loader=PackageLoader("quarantine", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["when"] = functools.partial(when, zone=zone)
    # Whatever a message wrote (names, addresses, a subject) is shown through these:
    # one line, no bidi or control characters, a bounded length (display.py).
    env.filters["shown"] = clean
    env.filters["fname"] = file_name
    env.filters.update(filters)
    return env
