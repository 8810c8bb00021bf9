"""The list of cases of the evaluation set: each a file name, the expected verdict, a class
and a one-line reason, and the function that writes the message (given its number)."""

from __future__ import annotations

from collections.abc import Callable

CASES: list[tuple[str, str, str, str, Callable[[int], bytes]]] = []


def case(file: str, verdict: str, cls: str, why: str):
    """Registers a case; the order of registration numbers the messages."""

    def register(fn):
        CASES.append((file, verdict, cls, why, fn))
        return fn

    return register
