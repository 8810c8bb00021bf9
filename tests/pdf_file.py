"""PDF files for test data: written by hand around their objects (header, numbered objects,
cross-reference table and trailer, ISO 32000-1 §7.5), so generators control every byte of what
they attach; or pages of Helvetica text added to a pypdf writer."""

from __future__ import annotations

import io
from collections.abc import Iterable

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

BINARY_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # the comment line marks the file as binary


def pdf_file(objects: list[bytes], header: bytes = BINARY_HEADER) -> bytes:
    """Object 1 is the catalogue."""
    out = io.BytesIO()
    out.write(header)
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def helvetica_pages(writer: PdfWriter, contents: Iterable[str], width: int, height: int) -> None:
    """Adds a page per content stream, its text set in Helvetica as /F1."""
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for content in contents:
        page = writer.add_blank_page(width, height)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = DecodedStreamObject()
        stream.set_data(content.encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
