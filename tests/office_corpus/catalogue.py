"""The office corpus's cases (issue 17): each a file name, the verdict the shipped rules must
give under guard.yaml, the class, the kind of case, the finding code the class is about, a
one-line reason, and the function that writes the message (given its number).

Kinds: `positive` (the code must be reported), `negative` (ordinary mail of the same shape:
the code must not be), `near_miss` (looks like the class and is not: the code must not be).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("positive", "negative", "near_miss")


@dataclass(frozen=True)
class Case:
    file: str
    expected: str  # hold | pass
    cls: str
    kind: str
    code: str
    why: str
    write: Callable[[int], bytes]


CASES: list[Case] = []


def case(file: str, expected: str, cls: str, kind: str, code: str, why: str):
    """Registers a case; the order of registration numbers the messages."""
    assert expected in ("hold", "pass") and kind in KINDS, (file, expected, kind)

    def register(fn: Callable[[int], bytes]) -> Callable[[int], bytes]:
        CASES.append(Case(file, expected, cls, kind, code, why, fn))
        return fn

    return register
