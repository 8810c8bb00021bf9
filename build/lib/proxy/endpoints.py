"""Parsing addresses, URLs and durations found in the configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from rules import duration

from .errors import ConfigError

_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    host: str
    port: int

    @property
    def url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host


@dataclass(frozen=True, kw_only=True)
class Upstream:
    scheme: str  # smtp, smtp+starttls, smtps, maildir
    host: str = ""
    port: int = 0
    username: str | None = None
    password: str | None = None
    path: Path | None = None  # maildir only

    def __repr__(self) -> str:  # never print the password
        if self.scheme == "maildir":
            return f"Upstream(maildir:{self.path})"
        user = f"{self.username}:***@" if self.username else ""
        return f"Upstream({self.scheme}://{user}{self.host}:{self.port})"


def parse_listen(value: Any, key: str) -> Endpoint:
    text = str(value)
    m = re.match(r"^\[?([^\]]+?)\]?:(\d+)$", text)
    if not m or not 0 <= int(m.group(2)) <= 65535:
        raise ConfigError(f"{key}: expected HOST:PORT; got {value!r}")
    return Endpoint(host=m.group(1), port=int(m.group(2)))


def resolve(path: Path, base: Path) -> Path:
    """A path of the configuration: relative ones are relative to the file's directory."""
    return path if path.is_absolute() else (base / path).resolve()


def parse_upstream(value: Any, base: Path) -> Upstream:
    text = str(value)
    if text.startswith("maildir:"):
        return Upstream(scheme="maildir", path=resolve(Path(text[len("maildir:") :]), base))
    parts = urlsplit(text)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ConfigError(
            f"upstream: expected smtp://, smtp+starttls://, smtps:// or maildir:PATH; "
            f"got {parts.scheme or text!r}"
        )
    try:
        port = parts.port or _SCHEMES[parts.scheme]
    except ValueError:
        raise ConfigError("upstream: the port is not a number") from None
    return Upstream(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def parse_duration(value: Any, key: str) -> float:
    """A positive duration (rules/duration.py's grammar); the error names the key."""
    try:
        return duration.parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None
