"""The "convert to Bcc" rewrite: external addresses leave To/Cc, the envelope keeps them.

A seminar invitation with every participant in To shows each participant to all the others.
Removing the external addresses from the headers while the envelope still delivers to them is
exactly a Bcc. Only the To and Cc fields change; every other byte of the message, including
the rest of those fields' formatting (display names, comments, folding), stays as it was, so
the rewrite is safe to apply to mail that has been inspected and shown to the sender. No Bcc
header is added: it would tell every recipient the list that the rewrite just hid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.utils import getaddresses

_LINE = re.compile(rb"[^\n]*\n|[^\n]+")
UNDISCLOSED = "undisclosed-recipients:;"  # RFC 5322 §3.4: a group with no members


def move_external_to_bcc(raw: bytes, is_external: Callable[[str], bool]) -> bytes:
    """`raw` with the addresses for which `is_external` is true removed from To and Cc.

    A To left with no address becomes "undisclosed-recipients:;" (an empty To is invalid);
    a Cc left empty is removed. Returns `raw` itself when nothing changes.
    """
    fields, body = _split_header(raw)
    plan = []  # (original field, its replacement or None when nothing is left, is a To)
    for field in fields:
        name = field.split(b":", 1)[0].strip().lower() if b":" in field else b""
        new = _rewrite_field(field, is_external) if name in (b"to", b"cc") else field
        plan.append((field, new, name == b"to"))
    if all(new is field for field, new, _ in plan):
        return raw
    to_left = any(is_to and new is not None for _, new, is_to in plan)
    out, placed = [], False
    for field, new, is_to in plan:
        if new is not None:
            out.append(new)
        elif is_to and not to_left and not placed:
            out.append(field.split(b":", 1)[0] + b": " + UNDISCLOSED.encode() + _ending(field))
            placed = True
    return b"".join(out) + body


def _split_header(raw: bytes) -> tuple[list[bytes], bytes]:
    """Header fields (each with its folded lines and line endings) and everything after."""
    fields: list[bytes] = []
    pos = 0
    for match in _LINE.finditer(raw):
        line = match.group()
        if line in (b"\r\n", b"\n"):
            break
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
        pos = match.end()
    return fields, raw[pos:]


def _ending(field: bytes) -> bytes:
    return b"\r\n" if field.endswith(b"\r\n") else b"\n" if field.endswith(b"\n") else b""


def _rewrite_field(field: bytes, is_external: Callable[[str], bool]) -> bytes | None:
    """The field without its external addresses: `field` itself when it has none, None when
    nothing is left. Kept items are copied as written, folding included."""
    name, _, value = field.partition(b":")
    ending = _ending(value)
    text = value[: len(value) - len(ending)].decode("utf-8", "surrogateescape")
    kept: list[str] = []
    removed = False
    for item in _items(text):
        if isinstance(item, tuple):
            display, members, tail = item
            left = [m for m in members if not _drop(m, is_external)]
            removed |= len(left) < len(members)
            kept.append(display + ":" + ",".join(left) + ";" + tail)
        elif _drop(item, is_external):
            removed = True
        else:
            kept.append(item)
    if not removed:
        return field
    kept = [k for k in kept if k.strip()]
    if not kept:
        return None
    return name + b":" + ",".join(kept).encode("utf-8", "surrogateescape") + ending


def _drop(item: str, is_external: Callable[[str], bool]) -> bool:
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", item)
    addresses = [addr for _, addr in getaddresses([unfolded]) if "@" in addr]
    return bool(addresses) and all(is_external(a) for a in addresses)


def _separators(text: str) -> Iterator[tuple[int, str]]:
    """Positions of the , : ; that structure an address list: those inside quotes,
    comments and angle brackets ("Kato, Jiro", (Sales, Tokyo), <@relay:x@y>) do not."""
    depth, quoted, angle, escaped = 0, False, False, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth:
            continue
        elif ch == '"':
            quoted = True
        elif ch in "<>":
            angle = ch == "<"
        elif not angle and ch in ",:;":
            yield i, ch


def _items(text: str) -> list:
    """Top-level items of an address list: mailbox texts, and groups as (display name,
    member texts, text after the ';')."""
    items: list = []
    start = 0
    group: tuple[str, list[str]] | None = None  # open group: display name, members
    closed: tuple[str, list[str]] | None = None  # group whose ';' was seen, awaiting ','
    for i, ch in _separators(text):
        if ch == ":" and group is None and closed is None:
            group, start = (text[start:i], []), i + 1
        elif ch == ";" and group is not None:
            group[1].append(text[start:i])
            closed, group, start = group, None, i + 1
        elif ch == ",":
            _close(items, group, closed, text[start:i])
            closed, start = None, i + 1
    if group is not None:  # an unterminated group: close it
        group[1].append(text[start:])
        closed, start = group, len(text)
    _close(items, None, closed, text[start:])
    return items


def _close(items: list, group, closed, piece: str) -> None:
    if group is not None:
        group[1].append(piece)
    elif closed is not None:
        items.append((closed[0], [m for m in closed[1] if m.strip()], piece))
    else:
        items.append(piece)
