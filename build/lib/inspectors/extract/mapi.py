"""The counts in a TNEF file's MAPI property blocks, checked against the bytes that hold them.

tnefparse trusts every count it reads: properties in a block, values of a multi-valued
property, rows of the recipient table (uint32 each, up to 4 billion). Past the end of the
data it loops on (a warning per missing property, an empty value per missing short), so
a 6 KB file kept a worker busy for over a minute. Every item takes at least two bytes, so
no honest count is larger than the bytes left; this walk follows tnefparse's own layout
(tnefparse/tnef.py and mapi.py) and refuses a file whose counts cannot fit, before
tnefparse reads it. Where tnefparse would stop on its own (a short read, an unknown
type), the walk stops too.
"""

from __future__ import annotations

import struct

from .pieces import Unscannable

_FIXED = {
    0x0002: 2,
    0x000B: 2,
    0x0003: 4,
    0x0004: 4,
    0x000A: 4,
    0x0005: 8,
    0x0006: 8,
    0x0007: 8,
    0x0014: 8,
    0x0040: 8,
    0x0048: 16,
}  # MAPI type -> bytes of one value
_VARIABLE = frozenset({0x0000, 0x000D, 0x001E, 0x001F, 0x0102})  # length-prefixed values
_MULTI, _NAMED = 0x1000, 0x8000
_LVL_ATTACHMENT, _ATTMAPIPROPS, _ATTRECIPTABLE, _ATTATTACHMENT = 0x02, 0x9003, 0x9004, 0x9005


def check_counts(data: bytes) -> None:
    """Raise Unscannable when a count in `data` (a whole TNEF file) exceeds its bytes."""
    offset = 6  # signature and key
    while offset + 12 < len(data):  # tnefparse's TNEF.MIN_OBJ_SIZE
        level, name = data[offset], _u16(data, offset + 1)
        length = min(len(data) - offset, _u32(data, offset + 5) + 11)
        body = data[offset + 9 : offset + length - 2]
        offset += length
        if level == _LVL_ATTACHMENT:
            if name == _ATTATTACHMENT:
                _block(body, 0)
        elif name == _ATTMAPIPROPS:
            _block(body, 0)
        elif name == _ATTRECIPTABLE and len(body) >= 4:
            at = 4
            for _ in range(_count(body, 0, 4)):
                at = _block(body, at)


def _count(data: bytes, at: int, size: int) -> int:
    """The count at `at`, when `size`-byte items after it can hold it."""
    n = _u32(data, at)
    if n > (len(data) - at - 4) // size:
        raise Unscannable(f"corrupt TNEF: a count of {n} in {len(data)} bytes")
    return n


def _block(data: bytes, at: int) -> int:
    """Walk one property block from `at`; the offset after it (len(data) where tnefparse
    stops reading it)."""
    count = _count(data, at, 4)
    at += 4
    try:
        for _ in range(count):
            if at >= len(data):
                break
            at = _property(data, at)
    except (struct.error, _Stop):
        return len(data)
    return at


def _property(data: bytes, at: int) -> int:
    kind, name = _u16(data, at), _u16(data, at + 2)
    at += 4
    if name >= _NAMED:  # a GUID, then a number or a name
        at += 20
        at += 4 if _u32(data, at - 4) == 0 else 4 + _padded(_u32(data, at))
    values = None
    if kind & _MULTI:
        kind ^= _MULTI
        values = _count(data, at, 2)
        at += 4
    for _ in range(values or 1):
        at = _value(data, at, kind, values is not None)
    if (values or 1) % 2 and kind in (0x0002, 0x000B):
        at += 2
    return at


def _value(data: bytes, at: int, kind: int, multi: bool) -> int:
    if kind in _FIXED:
        return at + _FIXED[kind]
    if kind not in _VARIABLE:
        raise _Stop()
    items = 1
    if not multi:
        items = _count(data, at, 4)
        at += 4
    for _ in range(items):
        at += 4 + _padded(_u32(data, at))
    return at


def _padded(length: int) -> int:
    return length + (-length % 4)


def _u32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0]


def _u16(data: bytes, at: int) -> int:
    return struct.unpack_from("<H", data, at)[0]


class _Stop(Exception):
    """tnefparse stops reading this block here (it raises and catches)."""
