"""Building blocks of the fuzz messages: the canary, MIME parts as bytes, minimal Office files.

Where the canary goes depends on what the case attacks. Cases that stop the walk or the
clock (issue classes 1, 2, 5) put it in a text part *after* the hostile part: if inspection
gives up there, the canary is never read. Cases that make one part be skipped or left
unread (classes 3, 4) put it *inside* that part: a canary after it would be read anyway and
hide the hole.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from ..mime_mail import zipped
from ..support import MY_NUMBER_BODY

SENDER = "taro@example.co.jp"
RECIPIENT = "partner@client.example"
INTERNAL_DOMAINS = ("example.co.jp",)
CANARY = MY_NUMBER_BODY  # 1234 5678 9018: check digit valid
CANARY_ROW = "山田太郎,1234 5678 9018,本人確認済み"  # the canary as a row under CSV_HEADER
CSV_HEADER = "氏名,個人番号,備考"


@dataclass(frozen=True)
class Case:
    name: str
    issue_class: str  # the issue's class ("1 timeout", ...) or "mutation"
    canary: str  # "after" the hostile part, or "inside" it
    raw: bytes = field(repr=False)
    detail: str = ""  # what a mutation did, to reproduce it by hand


# --- MIME building blocks (bytes, so that hostile structure stays exactly as written) ----


def headers(
    subject: bytes = b"fuzz", content_type: bytes = b"text/plain; charset=UTF-8", extra: bytes = b""
) -> bytes:
    return (
        b"From: "
        + SENDER.encode()
        + b"\r\nTo: "
        + RECIPIENT.encode()
        + b"\r\nSubject: "
        + subject
        + b"\r\n"
        + extra
        + b"MIME-Version: 1.0\r\nContent-Type: "
        + content_type
        + b"\r\n"
    )


def multipart(
    parts: list[bytes], subject: bytes = b"fuzz", boundary: bytes = b"fuzz-0", extra: bytes = b""
) -> bytes:
    """A whole message: multipart/mixed of `parts` (each: part headers, blank line, body)."""
    head = headers(subject, b'multipart/mixed; boundary="' + boundary + b'"', extra)
    return head + b"\r\n" + body_of(parts, boundary)


def body_of(parts: list[bytes], boundary: bytes) -> bytes:
    out = [b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts]
    return b"".join(out) + b"--" + boundary + b"--\r\n"


def text_part(text: str | bytes, charset: str = "UTF-8", extra: bytes = b"") -> bytes:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return (
        b"Content-Type: text/plain; charset="
        + charset.encode()
        + b"\r\n"
        + extra
        + b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + data
    )


def canary_part() -> bytes:
    return text_part(CANARY)


def attachment(name: str, content_type: str, data: bytes, extra: bytes = b"") -> bytes:
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (
        b"Content-Type: "
        + content_type.encode()
        + b'; name="'
        + name.encode()
        + b'"\r\n'
        + b'Content-Disposition: attachment; filename="'
        + name.encode()
        + b'"\r\n'
        + extra
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + encoded
    )


def inner_message(body: str = CANARY, subject: bytes = b"forwarded") -> bytes:
    return headers(subject) + b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.encode("utf-8")


def zip_of(members: dict[str, bytes]) -> bytes:
    return zipped(**members)


# --- Office packages, minimal but valid ---------------------------------------------------

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XLSX_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def xlsx(sheet_rows: str, shared: list[str], shared_count: str | None = None) -> bytes:
    """A one-sheet workbook; `sheet_rows` is the <sheetData> content as written."""
    count = shared_count or str(len(shared))
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared)
    return zip_of(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_XLSX_TYPES}.sheet.main+xml"/>'
                f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_XLSX_TYPES}.worksheet+xml"/>'
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_XLSX_TYPES}.sharedStrings+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
                f'xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
                "</sheets></workbook>"
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                f"<sheetData>{sheet_rows}</sheetData></worksheet>"
            ).encode(),
            "xl/sharedStrings.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" '
                f'count="{count}" uniqueCount="{count}">{strings}</sst>'
            ).encode(),
        }
    )


def docx(body_xml: str) -> bytes:
    """A Word document whose <w:body> is `body_xml`."""
    return zip_of(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.wordprocessingml.document.main+xml"/></Types>'
            ).encode(),
            "_rels/.rels": (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
                "</Relationships>"
            ).encode(),
            "word/document.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}">'
                f"<w:body>{body_xml}</w:body></w:document>"
            ).encode(),
        }
    )


def word_cell(text: str, span: str | None = None) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


XLSX = f"{_XLSX_TYPES}.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def customer_csv(rows: int, canary_at: int) -> list[str]:
    """Lines of a list with nobody in it but the canary, as row `canary_at` (0 is the
    header). Rows are ~70 characters, so 2,000 of them overrun the csv module's field limit
    (131,072) when a stray quote turns the rest of the file into one field."""
    remark = "在庫確認済み・倉庫東京第二センター・棚番号未登録・次回入荷予定は来月上旬の見込み"
    lines = [CSV_HEADER] + [f"A-{i:05d},-,{remark}" for i in range(1, rows)]
    lines[min(canary_at, rows - 1)] = CANARY_ROW
    return lines


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"
