"""A finding's evidence items read back: tallies ("third_parties=12"), named fields
("client=株式会社ビー") and the masked samples ("090-****-5601"), as the inspectors write them
(DESIGN.md; rules/decide.py `_tally` reads tallies the same way)."""
from __future__ import annotations

import re

Said = tuple[str, str]   # (ja, en)

_TALLY = re.compile(r"([a-z_]+)=(\d+)")
_FIELD = re.compile(r"([a-z_]+)=(.*)", re.S)


def tallies(evidence: tuple[str, ...]) -> dict[str, int]:
    """name -> N for every "name=N" item; the first one of a name counts."""
    out: dict[str, int] = {}
    for item in evidence:
        m = _TALLY.fullmatch(item)
        if m and len(m.group(2)) <= 9:   # a count, not a number someone put in a client name
            out.setdefault(m.group(1), int(m.group(2)))
    return out


def fields(evidence: tuple[str, ...]) -> dict[str, str]:
    """name -> value for every "name=value" item; the first one of a name counts."""
    out: dict[str, str] = {}
    for item in evidence:
        m = _FIELD.fullmatch(item)
        if m:
            out.setdefault(m.group(1), m.group(2))
    return out


def samples(evidence: tuple[str, ...]) -> list[str]:
    """The items that are not "name=…": masked samples, domains, reasons."""
    return [item for item in evidence if not _FIELD.fullmatch(item)]
