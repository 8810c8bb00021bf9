"""How much of a message the parser is willing to read.

Every limit guards against one way hostile or merely huge mail could exhaust a worker: zip
bombs (size, ratio, members, nesting), dense spreadsheets, page-heavy PDFs, slow parsers. When
one is reached, the part concerned becomes an `attachment.unscannable` finding whose evidence
names the limit, and the rest of the message is still read.
"""
from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True, kw_only=True)
class Limits:
    # Characters of extracted text kept per message, bodies and attachments together (a
    # 20,000-row, six-column customer list is about 1.8 million). Text, and tables with it,
    # cost about 15 bytes a character once read; detectors pass over all of it.
    max_text_chars: int = 3_000_000
    # Boundary lines (parts) in the message as received; the size of, and the ';' in, any
    # one Content-Type or Content-Disposition field in any of its header sections. Past one
    # of them the message is not parsed at all (inspectors/structure.py): honest mail stays
    # far below, while a flood of tiny parts or a parameter full of ';' (the stdlib parses
    # parameters in quadratic time) costs the parser minutes.
    max_mime_parts: int = 10_000
    max_mime_header_bytes: int = 16 * KiB
    max_mime_parameters: int = 100
    # Containers inside one another: attachments, archives, forwarded messages, TNEF.
    # A top-level attachment is at depth 1; what it contains is at depth 2, and so on.
    max_depth: int = 5
    # multipart/* inside multipart/*: real mail stays under 6; deeper is hostile.
    max_multipart_depth: int = 20
    # Files unpacked from archives, per message, nested archives included (directories do
    # not count). An archive opened after others gets what they left.
    max_archive_members: int = 1_000
    # Bytes unpacked from archives, per message, nested archives included; likewise shared.
    max_uncompressed_bytes: int = 100 * MiB
    # Unpacked size over packed size of one archive member ...
    max_compression_ratio: int = 100
    # ... judged only for members larger than this: small files of one repeated byte
    # compress a thousandfold and are harmless.
    ratio_floor_bytes: int = 128 * KiB
    # Cells in the used range of one sheet (spreadsheet readers allocate the whole range).
    max_sheet_cells: int = 1_000_000
    # Pages read from one PDF.
    max_pdf_pages: int = 500
    # CPU seconds spent on one top-level attachment, everything nested in it included.
    # Checked between the pieces an extractor yields (rows, pages, members); the
    # inspection pool's own timeout stays the hard stop.
    cpu_seconds_per_attachment: float = 10.0

    def reason(self, limit: str) -> str:
        """The evidence for a limit reached, e.g. "limit: archive members > 1000"."""
        value = getattr(self, limit)
        return f"limit: {_LABELS[limit].format(value)}"


_LABELS = {
    "max_text_chars": "extracted text > {} chars", "max_depth": "nesting depth > {}",
    "max_multipart_depth": "MIME nesting > {}", "max_mime_parts": "MIME parts > {}",
    "max_mime_header_bytes": "MIME header field > {} bytes",
    "max_mime_parameters": "parameters in a MIME header field > {}", "max_archive_members": "archive members > {}",
    "max_uncompressed_bytes": "uncompressed size > {} bytes",
    "max_compression_ratio": "compression ratio > {}", "ratio_floor_bytes": "compression ratio floor {}",
    "max_sheet_cells": "cells per sheet > {}", "max_pdf_pages": "PDF pages > {}",
    "cpu_seconds_per_attachment": "cpu seconds > {:g}",
}
