"""Real carriers for the corpus: .eml messages with real xlsx, docx, pdf and CSV attachments.

Everything is byte-for-byte reproducible: MIME boundaries, dates and message ids are derived
from the message number, zip entries get a fixed timestamp, PDF and docx are written by hand.
"""

from __future__ import annotations

import base64
import datetime
import io
import zipfile
import zlib
from email.header import Header
from xml.sax.saxutils import escape

import openpyxl

from tests.pdf_file import pdf_file

FIXED = (2024, 4, 1, 9, 0, 0)


def eml(
    n: int,
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    html: bool = False,
    attachments: list[tuple[str, str, bytes]] = (),
    charset: str = "utf-8",
) -> bytes:
    """A message; `attachments` are (filename, content type with parameters, bytes)."""
    head = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: Mon, 01 Apr 2024 09:{n // 60 % 60:02d}:{n % 60:02d} +0900",
        f"Message-ID: <corpus-{n:05d}@example.co.jp>",
        "MIME-Version: 1.0",
    ]
    codec = "iso2022_jp" if charset == "iso-2022-jp" else charset
    encoded = base64.encodebytes(body.encode(codec, "replace")).decode()
    text_part = [
        f"Content-Type: text/{'html' if html else 'plain'}; charset={charset}",
        "Content-Transfer-Encoding: base64",
        "",
        encoded,
    ]
    if not attachments:
        return "\r\n".join(head + text_part).replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode()
    boundary = f"==corpus{n:05d}=="
    parts = [
        "\r\n".join(head + [f'Content-Type: multipart/mixed; boundary="{boundary}"', ""]),
        f"--{boundary}",
        "\r\n".join(text_part),
    ]
    for filename, ctype, data in attachments:
        parts += [
            f"--{boundary}",
            "\r\n".join(
                [
                    f'Content-Type: {ctype}; name="{Header(filename, "utf-8").encode()}"',
                    f"Content-Disposition: attachment; filename*=UTF-8''{_pct(filename)}",
                    "Content-Transfer-Encoding: base64",
                    "",
                    base64.encodebytes(data).decode(),
                ]
            ),
        ]
    parts.append(f"--{boundary}--\r\n")
    return "\r\n".join(parts).replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _pct(name: str) -> str:
    return "".join(
        c if (c.isascii() and c.isalnum()) or c in ".-_" else "".join(f"%{b:02X}" for b in c.encode())
        for c in name
    )


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    lines = [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b"") + text.encode(
        "cp932" if encoding == "cp932" else "utf-8", "replace"
    )


def xlsx_bytes(rows: list[list[str]], merges: list[str] = ()) -> bytes:
    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = datetime.datetime(*FIXED)
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append([c if c != "" else None for c in row])
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """A zip archive as Windows' "send to compressed folder" writes it: names in UTF-8 (flag bit
    11, APPNOTE 4.4.4), deflated, fixed timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members:
            z.writestr(zipfile.ZipInfo(name, FIXED), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps (and modified dates) so the corpus is frozen."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _fixed_dates(body)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _fixed_dates(xml: bytes) -> bytes:
    import re

    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2024-04-01T09:00:00Z", xml)


def docx_bytes(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    """A minimal WordprocessingML package: paragraphs, then one table."""
    para = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    cell = '<w:tc><w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>'
    table = (
        "<w:tbl>"
        + "".join("<w:tr>" + "".join(cell.format(escape(c)) for c in row) + "</w:tr>" for row in rows)
        + "</w:tbl>"
        if rows
        else ""
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{para}{table}<w:p/></w:body></w:document>"
    )
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": document,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(zipfile.ZipInfo(name, FIXED), body.encode(), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _to_unicode_cmap() -> bytes:
    """Codes are UTF-16 code units; bfrange may only vary the last byte, hence 256 ranges."""
    ranges = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n" for h in range(256)]
    blocks = "".join(
        f"{len(ranges[s : s + 100])} beginbfrange\n" + "".join(ranges[s : s + 100]) + "endbfrange\n"
        for s in range(0, 256, 100)
    )
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        + blocks
        + "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()


def pdf_bytes(lines: list[str]) -> bytes:
    """One page of text in a CID font (UniJIS-UCS2-H) with a ToUnicode map, so text
    extraction gets the characters back."""
    content = ["BT /F1 10 Tf 14 TL 40 800 Td"]
    for line in lines:
        content.append(f"<{line.encode('utf-16-be').hex()}> Tj T*")
    content.append("ET")
    stream = zlib.compress("\n".join(content).encode())
    tounicode = zlib.compress(_to_unicode_cmap())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 8 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(tounicode) + tounicode + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    return pdf_file(objects)
