"""Decoding text the way Japanese mail really encodes it.

Declared charsets are often wrong or too narrow: Shift_JIS mail is written by Windows in CP932
(Python's `shift_jis` fails on ① and 髙), ISO-2022-JP mail carries the -MS/-2004 extensions.
Decoding never raises: the last resort is replacement characters.
"""
from __future__ import annotations

import codecs
from email.header import Header, decode_header

# Wider supersets first: a message declared with the narrow name decodes with the wide one.
_SUPERSETS = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "ms932": "cp932", "ms_kanji": "cp932",
    "iso-2022-jp": "iso2022_jp_ext", "iso-2022-jp-1": "iso2022_jp_ext",
    "iso-2022-jp-ms": "iso2022_jp_ext", "iso-2022-jp-2004": "iso2022_jp_2004",
    "iso-2022-jp-2": "iso2022_jp_2", "iso-2022-jp-3": "iso2022_jp_3",
    "euc-jp": "euc_jis_2004", "x-euc-jp": "euc_jis_2004",
    "us-ascii": "utf-8", "ascii": "utf-8", "ks_c_5601-1987": "cp949", "gb2312": "gb18030",
}
_GUESSES = ("utf-8", "cp932", "euc_jis_2004", "iso2022_jp_ext")


def codec_for(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    codec = codec_for(charset)
    if codec:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    if b"\x1b$" in data:  # ISO-2022-JP escape sequence
        candidates = ("iso2022_jp_ext",) + _GUESSES
    else:
        candidates = _GUESSES
    for guess in candidates:
        try:
            return data.decode(guess)
        except UnicodeDecodeError:
            continue
    return data.decode(codec or "utf-8", errors="replace")


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded-words, and the raw 8-bit bytes some mailers put in headers."""
    if not value:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    try:
        # A Header (what the parser gives for raw 8-bit bytes) must be decoded as such:
        # str() of it turns those bytes into U+FFFD.
        parts = decode_header(value if isinstance(value, Header) else str(value))
    except Exception:
        return str(value)
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(_undo_surrogates(chunk))
    return "".join(out)


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes; decode them as real text."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return decode_bytes(text.encode("utf-8", "surrogateescape"), None)
