"""The hand-built cases of issue 12, one builder each, named as the report and pytest name them.

`scale` (0 < scale <= 1) shrinks the cases whose cost grows with their size; at 1.0 they
have the sizes the issue reports. Cases whose point is a size limit itself (the 3,000,001
characters before a list, the field-size limit of the csv module) keep their size at any
scale; the 18 million newlines run only at full scale (`long_only`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from .blocks import (
    CANARY,
    CANARY_ROW,
    CSV_HEADER,
    DOCX,
    XLSX,
    Case,
    attachment,
    body_of,
    canary_part,
    csv_bytes,
    customer_csv,
    docx,
    headers,
    inner_message,
    multipart,
    text_part,
    word_cell,
    xlsx,
)

Builder = Callable[[float], Case]
STRUCTURAL: dict[str, Builder] = {}
CLASSES: dict[str, str] = {}  # case name -> the issue's class
LONG_ONLY: set[str] = set()


def case(name: str, issue_class: str, canary: str, long_only: bool = False):
    def register(build: Callable[[float], bytes]) -> Builder:
        STRUCTURAL[name] = lambda scale: Case(name, issue_class, canary, build(scale))
        CLASSES[name] = issue_class
        if long_only:
            LONG_ONLY.add(name)
        return build

    return register


def build(name: str, scale: float = 1.0) -> Case:
    return STRUCTURAL[name](scale)


def _covering(note: str) -> bytes:
    return text_part(note)


def _csv_mail(data: bytes, name: str = "customers.csv") -> bytes:
    return multipart([_covering("顧客リストを添付します。"), attachment(name, "text/csv", data)])


# --- 1: the time limit fires while parsing --------------------------------------------------


@case("tiny-parts", "1 timeout", "after")
def _tiny_parts(scale: float) -> bytes:
    count = max(2_000, int(120_000 * scale))
    parts = [b"Content-Type: application/octet-stream\r\n\r\nx" for _ in range(count)]
    return multipart(parts + [canary_part()])


@case("semicolons-in-quoted-parameter", "1 timeout", "after")
def _semicolons(scale: float) -> bytes:
    value = b";" * max(20_000, int(300_000 * scale))
    part = (
        b'Content-Type: application/octet-stream; name="' + value + b'"\r\n'
        b"Content-Disposition: attachment\r\n\r\nx"
    )
    return multipart([part, canary_part()])


@case("docx-gridspan", "1 timeout", "after")
def _docx_gridspan(scale: float) -> bytes:
    table = (
        '<w:tbl><w:tblGrid><w:gridCol w:w="100"/></w:tblGrid><w:tr>'
        + word_cell("a", span="100000000")
        + "</w:tr></w:tbl>"
    )
    return multipart([attachment("report.docx", DOCX, docx(table)), canary_part()])


# --- 2: an exception at message level ------------------------------------------------------


@case("raw-utf8-in-q-encoded-subject", "2 message-level exception", "after")
def _raw_utf8_subject(scale: float) -> bytes:
    subject = b"=?UTF-8?Q?" + "年末調整のお願い".encode() + b"?="
    return multipart([_covering("ご確認ください。"), canary_part()], subject=subject)


def _charset_case(charset: str, body: bytes) -> Builder:
    def message(scale: float) -> bytes:
        return multipart([text_part(body, charset=charset), canary_part()])

    return message


# Bodies that the codec itself refuses: an empty IDNA label after "xn--", a space in
# punycode; the "undefined" codec refuses everything.
for _charset, _body in (
    ("idna", b"see www.xn--.example for details"),
    ("punycode", b"hello world"),
    ("undefined", b"hello"),
):
    case(f"charset-{_charset}", "2 message-level exception", "after")(_charset_case(_charset, _body))


@case("nested-multipart-1000", "2 message-level exception", "after")
def _nested_multipart(scale: float) -> bytes:
    inner = b"Content-Type: text/plain\r\n\r\ninnermost"
    for level in range(1_000):
        boundary = b"n%d" % level
        inner = (
            b'Content-Type: multipart/mixed; boundary="'
            + boundary
            + b'"\r\n\r\n'
            + body_of([inner], boundary)
        )
    return multipart([inner, canary_part()])


@case("nested-rfc822-250", "2 message-level exception", "after")
def _nested_rfc822(scale: float) -> bytes:
    inner = inner_message("innermost")
    for _ in range(250):
        inner = headers(b"fwd", b"message/rfc822") + b"\r\n" + inner
    return multipart([b"Content-Type: message/rfc822\r\n\r\n" + inner, canary_part()])


# --- 3: parts skipped without a word -------------------------------------------------------


def _wrapper_case(ctype: bytes) -> Builder:
    def message(scale: float) -> bytes:
        return multipart(
            [_covering("転送します。"), b"Content-Type: " + ctype + b"\r\n\r\n" + inner_message()]
        )

    return message


for _name, _ctype in (
    ("message-global", b"message/global"),
    ("message-news", b"message/news"),
    ("message-partial", b'message/partial; id="fuzz@example.co.jp"; number=1; total=1'),
    ("message-x-foo", b"message/x-foo"),
):
    case(_name, "3 skipped part", "inside")(_wrapper_case(_ctype))


@case("rfc822-base64", "3 skipped part", "inside")
def _rfc822_base64(scale: float) -> bytes:
    encoded = base64.encodebytes(inner_message()).replace(b"\n", b"\r\n")
    part = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + encoded
    return multipart([_covering("転送します。"), part])


@case("csv-stray-quote-row-4", "3 skipped part", "inside")
def _csv_stray_quote(scale: float) -> bytes:
    lines = customer_csv(3_000, canary_at=2_000)
    lines[3] = '"' + lines[3]
    return _csv_mail(csv_bytes(lines))


@case("csv-200kb-first-line", "3 skipped part", "inside")
def _csv_long_first_line(scale: float) -> bytes:
    lines = customer_csv(3_000, canary_at=1_500)
    lines[0] = CSV_HEADER + "," + "x" * 200_000
    return _csv_mail(csv_bytes(lines))


# --- 4: reported, but passed by policy -----------------------------------------------------


@case("csv-dos-eof", "4 passed by policy", "inside")
def _csv_dos_eof(scale: float) -> bytes:
    # Small: the text sniffer reads the first 8 KiB, and the EOF byte must be among them.
    return _csv_mail(csv_bytes(customer_csv(40, canary_at=30)) + b"\x1a")


@case("csv-one-nul", "4 passed by policy", "inside")
def _csv_nul(scale: float) -> bytes:
    lines = customer_csv(300, canary_at=200)
    lines[5] = lines[5] + "\x00"
    return _csv_mail(csv_bytes(lines))


@case("csv-utf16-without-bom", "4 passed by policy", "inside")
def _csv_utf16(scale: float) -> bytes:
    return _csv_mail(csv_bytes(customer_csv(300, canary_at=200), "utf-16-le"))


@case("filler-before-list", "4 passed by policy", "inside")
def _filler(scale: float) -> bytes:
    text = "あ" * 3_000_001 + "\r\n" + CANARY
    return multipart([_covering("資料です。"), attachment("notes.txt", "text/plain", text.encode())])


@case("csv-18-million-newlines", "4 passed by policy", "inside", long_only=True)
def _csv_newlines(scale: float) -> bytes:
    newlines = b"\r\n" * int(18_000_000 * scale)
    return _csv_mail(CSV_HEADER.encode() + newlines + CANARY_ROW.encode() + b"\r\n")


# --- 5: calamine aborts --------------------------------------------------------------------


@case("xlsx-single-quoted-cell-reference", "5 crash", "after")
def _xlsx_quoted_reference(scale: float) -> bytes:
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        "<row r='1048576'><c r='XFD1048576' t=\"s\"><v>0</v></c></row>"
    )
    return multipart([attachment("book.xlsx", XLSX, xlsx(rows, ["x"])), canary_part()])


@case("xlsx-shared-strings-count-4294967295", "5 crash", "after")
def _xlsx_shared_count(scale: float) -> bytes:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return multipart(
        [attachment("book.xlsx", XLSX, xlsx(rows, ["x"], shared_count="4294967295")), canary_part()]
    )


# --- 6: the canary inside something a reader used to pass over (an attacker's read) -------

_NUMBER = "個人番号：1234 5678 9018"


@case("subject", "6 unread place", "inside")
def _in_subject(scale: float) -> bytes:
    return multipart([_covering("よろしくお願いします。")], subject=_NUMBER.encode())


@case("html-nbsp", "6 unread place", "inside")
def _html_nbsp(scale: float) -> bytes:
    return multipart(
        [
            b"Content-Type: text/html; charset=UTF-8\r\n\r\n"
            + "<p>個人番号：1234&nbsp;5678&nbsp;9018</p>".encode()
        ]
    )


@case("docx-content-control", "6 unread place", "inside")
def _docx_sdt(scale: float) -> bytes:
    body = f"<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>{_NUMBER}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    return multipart([_covering("申請書です。"), attachment("申請書.docx", DOCX, docx(body))])


@case("delivery-status", "6 unread place", "inside")
def _delivery_status(scale: float) -> bytes:
    status = (
        "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; x@client.example\r\n"
        f"Action: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; {_NUMBER}\r\n"
    ).encode()
    return multipart([_covering("不達です。"), b"Content-Type: message/delivery-status\r\n\r\n" + status])


# --- controls: the same shapes made harmless; each must be held, or the canary is misplaced --

CONTROLS: dict[str, Callable[[], bytes]] = {
    "control-after-attachment": lambda: multipart(
        [attachment("a.bin", "application/octet-stream", b"x"), canary_part()]
    ),
    "control-rfc822-inside": lambda: multipart(
        [_covering("転送します。"), b"Content-Type: message/rfc822\r\n\r\n" + inner_message()]
    ),
    "control-csv-inside": lambda: _csv_mail(csv_bytes(customer_csv(3_000, canary_at=2_000))),
    "control-xlsx-after": lambda: multipart(
        [
            attachment("book.xlsx", XLSX, xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["x"])),
            canary_part(),
        ]
    ),
    "control-xlsx-inside": lambda: multipart(
        [
            _covering("資料です。"),
            attachment(
                "book.xlsx",
                XLSX,
                xlsx(
                    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
                    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>',
                    CSV_HEADER.split(",")[:2] + CANARY_ROW.split(",")[:2],
                ),
            ),
        ]
    ),
}
# A message without the canary: it must pass, or the harness could not see an escape.
NO_CANARY = multipart([_covering("明日の会議は10時からです。")])
