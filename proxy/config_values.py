"""The values a configuration file holds, each checked once with an error that names its key:
text, lists, whole numbers, sizes, durations, files, networks, time zones. Shared by the
settings of every section (proxy/settings.py, directory_settings.py)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .endpoints import parse_duration, resolve
from .errors import ConfigError

UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
MIN_WORKER_MEMORY = 256 << 20  # a worker with its libraries loaded maps about 100 MiB
MIN_INFLIGHT_BYTES = 1 << 20


def config_text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: must be non-empty text; got {value!r}")
    return value.strip()


def time_zone(value: Any, key: str) -> ZoneInfo | None:
    """An IANA time zone name (Asia/Tokyo); None (not set) is the machine's own zone."""
    if value is None:
        return None
    name = config_text(value, key)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{key}: not a time zone name (IANA, e.g. Asia/Tokyo); got {value!r}") from None


def display_name(value: Any, key: str) -> str:
    """A name people read in the From: of every notice: one short line of printable text."""
    text = config_text(value, key)
    if len(text) > 64 or not text.isprintable():
        raise ConfigError(f"{key}: must be one line of at most 64 printable characters; got {value!r}")
    return text


def text_list(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{key}: must be a list of text; got {value!r}")
    return value


def positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{key}: must be a whole number above 0; got {value!r}")
    return value


def memory_size(value: Any, key: str, minimum: int = MIN_WORKER_MEMORY) -> int:
    """A size in bytes: a whole number, or "512MiB", "2GiB"."""
    number, unit = value, 1
    if isinstance(value, str):
        text = value.strip()
        unit = next((size for name, size in UNITS.items() if text.endswith(name)), 1)
        digits = text[:-3].strip() if unit > 1 else text
        number = int(digits) if digits.isdecimal() else None
    if isinstance(number, bool) or not isinstance(number, int) or number * unit < minimum:
        raise ConfigError(
            f"{key}: must be a size of at least {minimum >> 20}MiB (bytes, or e.g. "
            f"512MiB, 2GiB); got {value!r}"
        )
    return number * unit


def optional_file(value: Any, base: Path, key: str) -> Path | None:
    return None if value is None else config_file(value, base, key)


def config_file(value: Any, base: Path, key: str) -> Path:
    return resolve(Path(config_text(value, key)), base)


def networks(value: Any, key: str) -> tuple:
    out = []
    for item in text_list(value, key):
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{key}: not a network: {item!r}") from None
    return tuple(out)


def duration_or_off(value: Any, key: str) -> float:
    """A duration, or 0 / "0" / off (YAML reads a bare off as false): turned off."""
    if value is False or value == 0 or (isinstance(value, str) and value.strip().lower() in ("0", "off")):
        return 0.0
    if value is True:
        raise ConfigError(f"{key}: must be a duration such as 4h, or off; got {value!r}")
    return parse_duration(value, key)
