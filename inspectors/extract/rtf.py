"""RTF: Word's and WordPad's .rtf files, and the body Outlook keeps in winmail.dat.

striprtf turns the markup into text (hex escapes in the document's code page, \\uN escapes,
hidden destinations such as the font table dropped); compressed-rtf, which tnefparse uses
when it is installed, inflates the compressed RTF of a TNEF body (MS-OXRTFCP).
"""
from __future__ import annotations

from typing import Iterator

from ..limits import Limits
from .pieces import Piece, TextChunk, Unscannable


def rtf_text(data: bytes) -> str:
    """The text of an RTF document. Its bytes are 7-bit by the specification (RTF 1.9.1,
    "RTF files are usually 7-bit"); 8-bit bytes pass through as Latin-1 rather than fail."""
    from striprtf.striprtf import rtf_to_text
    if not data.lstrip()[:5] == b"{\\rtf":
        raise Unscannable("not an RTF document")
    return rtf_to_text(data.decode("latin-1"), errors="replace")


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    text = rtf_text(data)
    if text.strip():
        yield TextChunk(where="", text=text)
