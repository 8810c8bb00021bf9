"""The finding codes a rule may name: the inspectors' registry (inspectors.codes)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from inspectors.codes import CODES, OPEN_PREFIXES

KNOWN_CODES = frozenset(CODES)


def is_known_code(pattern: str) -> bool:
    """A code, or a wildcard pattern, that names at least one known code."""
    if pattern.startswith(OPEN_PREFIXES):
        return True
    return any(fnmatchcase(code, pattern) for code in KNOWN_CODES)
