"""What every directory import shares before its rows are read: the bytes as text (what Excel
writes: UTF-8, with or without a BOM, or CP932) and the error that names the file and the line,
worded in English (the command line, the logs) and in Japanese (the console's Japanese pages).
"""

from __future__ import annotations

import codecs

from .errors import QuarantineError


class DirectoryError(QuarantineError, ValueError):
    """An import that cannot be read; the message starts with "file:line:". `line` and `ja`
    (the same problem in Japanese, without the place) are for the console's Japanese pages."""

    def __init__(self, message: str, *, line: int | None = None, ja: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.ja = ja


def problem(source: str, line: int, en: str, ja: str) -> DirectoryError:
    return DirectoryError(f"{source}:{line}: {en}", line=line, ja=ja)


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without a BOM), else CP932 — what Excel writes."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise problem(
            source,
            line,
            "neither UTF-8 nor CP932 text",
            "文字コードを判別できません（Excel で CSV として保存し直してください）",
        ) from None
