"""What the sender's pages (web.py) and the console (admin/) share when they answer: the
security headers and the Jinja environment, with the filters that show what a message wrote.
"""

from __future__ import annotations

import time
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


def when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else ""


def environment(**filters: Any) -> Environment:
    """The templates of quarantine/templates, autoescaped, with the shared filters and `filters`."""
    env = Environment(loader=PackageLoader("quarantine", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["when"] = when
    # Whatever a message wrote (names, addresses, a subject) is shown through these:
    # one line, no bidi or control characters, a bounded length (display.py).
    env.filters["shown"] = clean
    env.filters["fname"] = file_name
    env.filters.update(filters)
    return env
