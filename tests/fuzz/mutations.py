"""Seeded mutations of the shared corpus: its attachments (and, attached as forwards, its
messages), changed in their bytes and in the MIME part that carries them.

Case `i` of seed `s` draws from random.Random(f"{s}:{i}") alone, so any one case is rebuilt
the same way by asking for it again, whatever ran before it. Every message is a covering
note, the mutated part, then the canary in a text part after it.
"""

from __future__ import annotations

import base64
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..support import CORPUS
from .blocks import Case, canary_part, multipart, text_part

__all__ = ["CORPUS", "corpus_files", "mutate", "mutations"]
_RUNS = (b"\x00", b"\xff", b'"', b";", b"<", b"A", b"\r\n", b"\n", b"0", b"=", b"\x1a", b"-")
_CHARSETS = (
    "idna",
    "punycode",
    "undefined",
    "utf-16",
    "utf-7",
    "iso-2022-jp",
    "x-unknown",
    "shift_jis",
    "utf-32",
    "rot13",
    "hex",
)
_CTYPES = (
    "text/plain",
    "text/csv",
    "text/html",
    "application/octet-stream",
    "message/rfc822",
    "application/vnd.ms-excel",
    "application/zip",
    "multipart/mixed",
    "message/global",
)
_NUMBER = re.compile(rb'(=\s*["\'])(\d+)(["\'])')
_HUGE = (b"4294967295", b"2147483648", b"100000000", b"1048576", b"65535", b"0", b"-1")


def corpus_files(root: Path, folder: str) -> list[Path]:
    """The files of one corpus folder ("attachments" or "mime"), in a fixed order."""
    files = [
        p
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and not p.name.upper().startswith(("README", "ARTISTIC"))
    ]
    if not files:
        raise FileNotFoundError(f"no corpus under {root / folder}")
    return files


def mutations(count: int, seed: int, root: Path = CORPUS) -> Iterator[Case]:
    """Three in four mutate an attachment (238 files), one in four a whole message (1,270)."""
    if count <= 0:
        return
    attachments, messages = corpus_files(root, "attachments"), corpus_files(root, "mime")
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        path = rng.choice(attachments if rng.random() < 0.75 else messages)
        source = path.relative_to(root)
        raw, done = mutate(rng, path.read_bytes(), is_message=source.parts[0] == "mime")
        yield Case(
            f"mutation-{seed}-{index}", "mutation", "after", raw, detail=f"{source}: {', '.join(done)}"
        )


def mutate(rng: random.Random, data: bytes, is_message: bool) -> tuple[bytes, list[str]]:
    done: list[str] = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(_BYTE_OPS)
        data = op(rng, data, done)
    part = _forward(data) if is_message else _attach(rng, data)
    for _ in range(rng.choice((0, 0, 1, 2))):
        op = rng.choice(_PART_OPS)
        part = op(rng, part, done)
    return multipart([text_part("ファイルを送ります。"), part, canary_part()]), done


def _attach(rng: random.Random, data: bytes) -> bytes:
    name = rng.choice(
        (
            "data.xlsx",
            "list.csv",
            "doc.docx",
            "a.zip",
            "winmail.dat",
            "file",
            "report.pdf",
            "notes.txt",
            "book.xls",
        )
    )
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (
        b'Content-Type: application/octet-stream; name="' + name.encode() + b'"\r\n'
        b"Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n" + encoded
    )


def _forward(data: bytes) -> bytes:
    return b"Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" + data


# --- the bytes of the file ------------------------------------------------------------------


def _flip(rng, data, done):
    data = bytearray(data)
    for _ in range(rng.randint(1, 16) if data else 0):
        data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    done.append("flip")
    return bytes(data)


def _truncate(rng, data, done):
    cut = rng.randint(0, len(data))
    done.append(f"truncate@{cut}")
    return data[:cut]


def _insert_run(rng, data, done):
    at, run = rng.randint(0, len(data)), rng.choice(_RUNS) * rng.choice((100, 10_000, 200_000))
    done.append(f"run {run[:1]!r}x{len(run)}@{at}")
    return data[:at] + run + data[at:]


def _duplicate(rng, data, done):
    start = rng.randint(0, len(data))
    chunk = data[start : start + rng.randint(1, 4096)]
    at = rng.randint(0, len(data))
    done.append(f"duplicate {len(chunk)}@{at}")
    return data[:at] + chunk * rng.randint(1, 50) + data[at:]


def _zip_member(rng, data, done):
    """Inside a zip (xlsx, docx, ...): change one member and repack it, so the damage reaches
    the reader instead of failing the CRC: huge numbers, quotes swapped, or raw bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {i.filename: archive.read(i) for i in archive.infolist()}
    except Exception:
        return _flip(rng, data, done)
    name = rng.choice(sorted(members)) if members else ""
    body = members.get(name, b"")
    how = rng.choice(("numbers", "quotes", "bytes"))
    if how == "numbers":
        body = _NUMBER.sub(lambda m: m[1] + (rng.choice(_HUGE) if rng.random() < 0.3 else m[2]) + m[3], body)
    elif how == "quotes":
        body = body.replace(b'="', b"='").replace(b'" ', b"' ").replace(b'"/>', b"'/>").replace(b'">', b"'>")
    else:
        body = rng.choice((_flip, _truncate, _insert_run))(rng, body, [])
    members[name] = body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    done.append(f"zip {name} {how}")
    return buffer.getvalue()


# --- the MIME part that carries it ----------------------------------------------------------


def _duplicate_header(rng, part, done):
    header = rng.choice(
        (
            b"Content-Type: " + rng.choice(_CTYPES).encode(),
            b"Content-Transfer-Encoding: "
            + rng.choice((b"quoted-printable", b"7bit", b"base64", b"x-uuencode")),
            b"Content-Disposition: inline",
        )
    )
    done.append(f"header {header.decode()}")
    return header + b"\r\n" + part


def _wrong_charset(rng, part, done):
    charset = rng.choice(_CHARSETS)
    done.append(f"charset={charset}")
    head, sep, body = part.partition(b"\r\n")
    return head + b"; charset=" + charset.encode() + sep + body


def _broken_base64(rng, part, done):
    head, sep, body = part.partition(b"\r\n\r\n")
    how = rng.choice(("padding", "garbage", "cut"))
    if how == "padding":
        body = body.replace(b"=", b"")
    elif how == "garbage":
        at = rng.randint(0, len(body))
        body = body[:at] + rng.choice((b"!!!", b"*", b"====", b"\x00", b"\xe3\x81\x82")) + body[at:]
    else:
        body = body[: max(0, len(body) - rng.randint(1, 3))]
    done.append(f"base64 {how}")
    return head + sep + body


_BYTE_OPS: tuple[Callable, ...] = (_flip, _truncate, _insert_run, _duplicate, _zip_member, _zip_member)
_PART_OPS: tuple[Callable, ...] = (_duplicate_header, _wrong_charset, _broken_base64)
