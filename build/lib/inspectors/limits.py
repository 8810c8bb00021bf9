"""What the parser refuses to do, and nothing else: every byte of a message the relay
accepted (smtp.max_message_size) is read.

Every limit guards against one way hostile mail could make the reading unbounded: zip bombs
(size, ratio, members, nesting), dense spreadsheets, page-heavy PDFs, slow parsers. There is
no budget of text per message (issue 13: one large attachment used it up and the customer
list after it went unread). The archive and CPU limits are counted per top-level attachment,
nested content adding up within it, so one part cannot starve another. When a limit is
reached, the part concerned becomes an `attachment.unscannable` finding whose evidence names
the limit, and the rest of the message is still read.
"""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True, kw_only=True)
class Limits:
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
    # Files unpacked from archives, per top-level attachment, nested archives included
    # (directories do not count): an archive inside an archive gets what the outer left.
    max_archive_members: int = 1_000
    # Bytes unpacked from archives, per top-level attachment, nested archives included.
    max_uncompressed_bytes: int = 100 * MiB
    # Unpacked size over packed size of one archive member ...
    max_compression_ratio: int = 100
    # ... judged only for members larger than this: small files of one repeated byte
    # compress a thousandfold and are harmless.
    ratio_floor_bytes: int = 128 * KiB
    # Cells in the used range of one sheet (spreadsheet readers allocate the whole range,
    # however sparse). A CSV has no such range and is read whole.
    max_sheet_cells: int = 1_000_000
    # Pages read from one PDF.
    max_pdf_pages: int = 500
    # Elements of one XML part read by the Office and OpenDocument readers (charts, notes,
    # content.xml): 20 KB of compressed XML can hold 5 million empty ones, 7 s of CPU in one
    # call that the CPU limit cannot interrupt. A 1,000-page report has some 300,000.
    max_xml_elements: int = 1_000_000
    # CPU seconds spent reading one top-level attachment, everything nested in it included;
    # the detectors' time on what it yields is not counted (it grows with the text, which is
    # all read). Checked between the pieces an extractor yields (rows, pages, members); the
    # inspection pool's own timeout stays the hard stop.
    cpu_seconds_per_attachment: float = 10.0

    def reason(self, limit: str) -> str:
        """The evidence for a limit reached, e.g. "limit: archive members > 1000"."""
        value = getattr(self, limit)
        return f"limit: {_LABELS[limit].format(value)}"


_LABELS = {
    "max_depth": "nesting depth > {}",
    "max_multipart_depth": "MIME nesting > {}",
    "max_mime_parts": "MIME parts > {}",
    "max_mime_header_bytes": "MIME header field > {} bytes",
    "max_mime_parameters": "parameters in a MIME header field > {}",
    "max_archive_members": "archive members > {}",
    "max_uncompressed_bytes": "uncompressed size > {} bytes",
    "max_compression_ratio": "compression ratio > {}",
    "ratio_floor_bytes": "compression ratio floor {}",
    "max_sheet_cells": "cells per sheet > {}",
    "max_pdf_pages": "PDF pages > {}",
    "max_xml_elements": "XML elements > {}",
    "cpu_seconds_per_attachment": "cpu seconds > {:g}",
}
# Keys a configuration may still set from older releases: accepted with a warning, ignored.
REMOVED = {"max_text_chars": "every part is now read (issue 13); nothing replaces it"}
