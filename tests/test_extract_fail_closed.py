"""Issue 12 (items 2-5): a message that breaks part of the extraction is still read to its end,
and what could not be read is a finding naming it. Every message here carries a My Number in a
part after the hostile one."""

from __future__ import annotations

import base64
import io
import random
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest

from inspectors.charsets import decode_bytes
from inspectors.extract.kind import TypeDetector
from inspectors.limits import Limits
from inspectors.message import parse
from proxy.pipeline import InspectionTimeout

from .test_message_mime import ENV, codes, mail_with, texts

ROOT = Path(__file__).resolve().parents[1]
CALAMINE = ROOT.parent / "shared" / "corpus" / "attachments" / "calamine"
MY_NUMBER = "個人番号: 1234 5678 9018"
LATER = f"Content-Type: text/plain; charset=utf-8\r\n\r\n{MY_NUMBER}\r\n"


def multipart(*parts: str, subject: str = "資料") -> bytes:
    """A multipart/mixed message written by hand, so that it can be as broken as needed."""
    head = (
        f"From: a@example.co.jp\r\nTo: b@client.example\r\nSubject: {subject}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n"
    )
    body = "".join(f"--outer\r\n{part}\r\n" for part in parts)
    return (head + body + "--outer--\r\n").encode("utf-8")


def read_later_part(raw: bytes) -> dict[str, str]:
    found = texts(parse(raw, ENV))
    assert any(MY_NUMBER in text for text in found.values()), found
    return found


# --- item 2: an error in one part, or in a header, does not end the walk ----------------


def test_raw_utf8_inside_an_encoded_word_subject():
    view = parse(
        multipart(
            "Content-Type: text/plain\r\n\r\nhello", LATER, subject="=?UTF-8?Q?=E8=A6=8B=E7=A9=8D_見積書?="
        ),
        ENV,
    )
    assert view.subject == "見積 見積書"
    assert MY_NUMBER in texts(view)["body:1.2"]
    assert not view.problems


@pytest.mark.parametrize("charset", ["idna", "punycode", "undefined"])
def test_a_codec_that_is_no_mail_charset_is_read_as_undeclared(charset):
    first = (
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\nカフェ café"
    )
    view = parse(multipart(first, LATER), ENV)
    assert texts(view)["body"].strip() == "カフェ café"
    assert MY_NUMBER in texts(view)["body:1.2"]
    assert not view.problems


def nested_multiparts(levels: int) -> str:
    opening = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(levels)
    )
    closing = "".join(f"\r\n--b{i}--" for i in reversed(range(levels)))
    return opening + "Content-Type: text/plain\r\n\r\ndeep" + closing


def test_a_thousand_nested_multiparts_are_a_finding_and_the_next_part_is_read():
    view = parse(multipart(nested_multiparts(1000), LATER), ENV)
    assert MY_NUMBER in texts(view)["body"]
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert reason == "limit: MIME nesting > 20"
    assert where[0].startswith("part:1.1.1.1.")


def test_250_nested_forwards_are_a_finding_and_the_next_part_is_read():
    forwards = "Content-Type: message/rfc822\r\n\r\n" * 250 + "Content-Type: text/plain\r\n\r\ndeep"
    view = parse(multipart(forwards, LATER), ENV)
    assert MY_NUMBER in texts(view)["body"]
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert reason == "limit: nesting depth > 5"
    assert where[0].startswith("attachment:message-1.1.eml!message-1.eml!")


def test_nesting_beyond_what_the_parser_follows_is_named():
    # With the walk's own limit set higher, the parser's bound (50 levels) still holds: the
    # part beyond it stays unparsed text, reported, and the parts after it are read.
    view = parse(multipart(nested_multiparts(60), LATER), ENV, Limits(max_multipart_depth=100))
    assert MY_NUMBER in texts(view)["body"]
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert reason == "limit: MIME nesting > 50" and where[0].count(".") == 50
    assert "deep" not in " ".join(texts(view).values())


# --- item 3: no part skipped without a word ---------------------------------------------

ENCLOSED = (
    "From: c@example.co.jp\r\nSubject: =?UTF-8?B?6Lui6YCB?=\r\n"
    f"Content-Type: text/plain; charset=utf-8\r\n\r\n{MY_NUMBER}\r\n"
)


@pytest.mark.parametrize(
    "ctype, encoding",
    [
        ("message/global", "8bit"),
        ("message/news", "7bit"),
        ("message/x-forwarded", "8bit"),
        ("message/rfc822", "base64"),
        ("message/global", "base64"),
        ("message/global", "quoted-printable"),
    ],
)
def test_every_enclosed_message_is_read(ctype, encoding):
    body = ENCLOSED.encode()
    text = {
        "base64": base64.encodebytes(body).decode(),
        "quoted-printable": body.decode().replace("=", "=3D"),
    }.get(encoding, ENCLOSED)
    view = parse(
        multipart(f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{text}"), ENV
    )
    found = texts(view)
    assert MY_NUMBER in found["attachment:message-1.1.eml!body"]
    assert "Subject: 転送" in found["attachment:message-1.1.eml!headers"]
    assert not view.problems


def test_message_partial_is_read_and_named():
    part = f'Content-Type: message/partial; id="a@b"; number=1; total=2\r\n\r\n{ENCLOSED}'
    view = parse(multipart(part, LATER), ENV)
    assert codes(view)["attachment.unscannable"] == [
        (("part:1.1",), "message/partial: fragment of a message")
    ]
    assert MY_NUMBER in texts(view)["body"]


def customer_rows(count: int) -> list[str]:
    return ["氏名,電話番号,個人番号"] + [
        f"顧客{i:04d},090-{i % 10000:04d}-5678,123456789018" for i in range(count)
    ]


def test_a_stray_quote_in_a_csv_does_not_end_the_rows():
    rows = customer_rows(3000)
    rows[4] = '"' + rows[4]
    view = parse(mail_with(("顧客.csv", "\r\n".join(rows).encode("cp932"))), ENV)
    [table] = view.tables
    assert len(table.rows) == 3001
    assert table.rows[-1] == ("顧客2999", "090-2999-5678", "123456789018")


def test_a_csv_whose_first_line_is_200_kb():
    rows = ["備考," + "あ" * 200_000] + customer_rows(10)
    view = parse(mail_with(("顧客.csv", "\r\n".join(rows).encode("utf-8"))), ENV)
    [table] = view.tables
    assert len(table.rows) == 12 and len(table.rows[0][1]) == 200_000
    assert table.rows[-1][2] == "123456789018"


# --- item 4: text is judged by its content ----------------------------------------------

CSV_TEXT = "\r\n".join(customer_rows(20)) + "\r\n"


@pytest.mark.parametrize(
    "label, data",
    [
        ("dos-eof", CSV_TEXT.encode("cp932") + b"\x1a"),
        ("one-nul", CSV_TEXT.encode("cp932").replace(b"\r\n", b"\x00\r\n", 1)),
        ("utf-16-le", CSV_TEXT.encode("utf-16-le")),
        ("utf-16-be", CSV_TEXT.encode("utf-16-be")),
    ],
)
def test_customer_csv_that_libmagic_calls_data_is_read(label, data):
    assert TypeDetector().detect(data, "顧客.csv").name == "csv"
    view = parse(mail_with(("顧客.csv", data)), ENV)
    [table] = view.tables
    assert len(table.rows) == 21
    assert table.rows[5] == ("顧客0004", "090-0004-5678", "123456789018")
    assert "attachment.type_mismatch" not in codes(view)


@pytest.mark.parametrize(
    "data, text",
    [
        ("氏名,電話\r\n山田,090\r\n".encode("utf-16-le"), "氏名,電話\r\n山田,090\r\n"),
        ("氏名,電話\r\n山田,090\r\n".encode("utf-16-be"), "氏名,電話\r\n山田,090\r\n"),
        (b"abc\x00def", "abc\x00def"),  # a stray NUL is no UTF-16
        ("顧客\x00一覧".encode("cp932"), "顧客\x00一覧"),
    ],
)
def test_utf16_without_bom_is_told_from_a_stray_nul(data, text):
    assert decode_bytes(data) == text


@pytest.mark.parametrize(
    "noise, mime",
    [
        (b"\x00\x01\x02\x03\xff\xfe" * 700, "application/octet-stream"),
        (bytes(range(256)) * 16, "image/x-tga"),  # libmagic's guess
    ],
)
def test_a_file_named_as_text_that_no_reader_knows_is_unscannable(noise, mime):
    view = parse(mail_with(("顧客.csv", noise)), ENV)
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:顧客.csv",), f"unreadable content: {mime}")
    ]


# --- item 5: calamine is handed nothing it would abort on, and its panics are caught ----


def workbook(**cells: str) -> bytes:
    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    book.create_sheet("後")["A1"] = MY_NUMBER
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(package: bytes, name: str, change, extra: dict[str, bytes] | None = None) -> bytes:
    """The package with one part changed by hand (zipfile), as a hostile writer would."""
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == name else data)
        for member, data in (extra or {}).items():
            target.writestr(member, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
FAR_CELLS = {
    "single-quotes": b"<c r='XFD1048576' t=\"inlineStr\">",
    "lowercase": b'<c r="xfd1048576" t="inlineStr">',
    "spaces": b'<c r = "XFD1048576" t="inlineStr">',
    "nine-digits": b'<c r="B999999999" t="inlineStr">',
}


def far_cell_workbook(label: str) -> bytes:
    """A workbook whose cell B2 claims a reference beyond the sheet, written as FAR_CELLS[label]."""
    return rewritten(
        workbook(A1="近", B2="x"), SHEET, lambda d: d.replace(b'<c r="B2" t="inlineStr">', FAR_CELLS[label])
    )


CHILD = """
import sys
from inspectors.message import parse
from inspectors.base import Envelope
from tests.test_message_mime import mail_with
view = parse(mail_with(("book." + sys.argv[2], open(sys.argv[1], "rb").read())), Envelope(mail_from="", rcpt_tos=()))
print(sorted({f.code + " " + " ".join(f.where) + " " + f.evidence[0] for f in view.problems}))
print(any("1234 5678 9018" in c.text for c in view.texts))
"""


def in_child(tmp_path: Path, data: bytes, suffix: str) -> tuple[str, bool]:
    """Parse in a child process with a 3 GB address space: without the checks, calamine
    aborts the interpreter (SIGABRT) instead of raising."""
    path = tmp_path / f"book.{suffix}"
    path.write_bytes(data)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
    out = subprocess.run(
        [sys.executable, "-c", limit + CHILD, str(path), suffix],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    problems, found = out.stdout.splitlines()
    return problems, found == "True"


@pytest.mark.process
@pytest.mark.parametrize("label", sorted(FAR_CELLS))
def test_a_far_cell_however_written_is_refused_before_calamine(tmp_path, label):
    problems, found = in_child(tmp_path, far_cell_workbook(label), "xlsx")
    assert (
        problems == "['attachment.unscannable attachment:book.xlsx!Sheet limit: cells per sheet > 1000000']"
    )
    assert found, "the other sheet is still read"


@pytest.mark.process
def test_a_far_row_whose_cell_has_no_reference(tmp_path):
    # A cell without r takes its row's: <row r="1048576"><c>..</c></row> with a cell at XFD1.
    package = rewritten(
        workbook(A1="近", XFD1="x", B2="y"),
        SHEET,
        lambda d: d.replace(b'<row r="2"><c r="B2" t="inlineStr">', b'<row r="1048576"><c t="inlineStr">'),
    )
    problems, found = in_child(tmp_path, package, "xlsx")
    assert "limit: cells per sheet > 1000000" in problems and found


SST = (
    b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" count="1" uniqueCount="4294967295"><si><t>123456789018</t></si></sst>'
)


@pytest.mark.process
def test_a_shared_strings_count_no_package_can_hold(tmp_path):
    package = workbook(A1="氏名")
    package = rewritten(
        package,
        "[Content_Types].xml",
        lambda d: d.replace(
            b"</Types>",
            (
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
            ),
        ),
        {"xl/sharedStrings.xml": SST},
    )
    package = rewritten(
        package,
        "xl/_rels/workbook.xml.rels",
        lambda d: d.replace(
            b"</Relationships>",
            (
                b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
            ),
        ),
    )
    package = rewritten(
        package,
        SHEET,
        lambda d: d.replace(
            b'<c r="A1" t="inlineStr"><is><t>\xe6\xb0\x8f\xe5\x90\x8d</t></is></c>',
            b'<c r="A1" t="s"><v>0</v></c>',
        ),
    )
    problems, found = in_child(tmp_path, package, "xlsx")
    assert problems == "[]" and found


def xls(tmp_path: Path, change) -> bytes:
    """calamine's own any_sheets.xls with its Workbook stream changed in place."""
    path = tmp_path / "changed.xls"
    shutil.copy(CALAMINE / "any_sheets.xls", path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        pos = 0
        while pos + 4 <= len(stream):
            kind, size = struct.unpack_from("<HH", stream, pos)
            change(stream, kind, pos + 4)
            pos += 4 + size
        ole.write_stream("Workbook", bytes(stream))
    return path.read_bytes()


@pytest.mark.process
def test_an_xls_cell_at_row_and_column_ffff(tmp_path):
    def far(stream, kind, at):
        if kind == 0x0203 and struct.unpack_from("<HH", stream, at) == (2, 1):
            struct.pack_into("<HH", stream, at, 0xFFFF, 0xFFFF)

    problems, _ = in_child(tmp_path, xls(tmp_path, far), "xls")
    assert problems == "['attachment.unscannable attachment:book.xls limit: cells per sheet > 1000000']"


@pytest.mark.process
def test_an_xls_dimensions_record_of_the_whole_grid(tmp_path):
    def whole(stream, kind, at):
        if kind == 0x0200:
            struct.pack_into("<IIHH", stream, at, 0, 0xFFFFFFFF, 0, 0xFFFF)

    problems, _ = in_child(tmp_path, xls(tmp_path, whole), "xls")
    assert problems == "['attachment.unscannable attachment:book.xls limit: cells per sheet > 1000000']"


def mutated_xls() -> bytes:
    """A few bytes of any_sheets.xls changed: calamine panics (pyo3's PanicException, a
    BaseException) on it."""
    data, rng = bytearray((CALAMINE / "any_sheets.xls").read_bytes()), random.Random(278)
    for _ in range(20):
        at = rng.randrange(512, len(data))
        data[at] = rng.randrange(256)
    return bytes(data)


def test_a_calamine_panic_is_unscannable_and_the_rest_is_read():
    view = parse(mail_with(("a.xls", mutated_xls()), body=MY_NUMBER), ENV)
    assert codes(view)["attachment.unscannable"] == [(("attachment:a.xls",), "corrupt: PanicException")]
    assert MY_NUMBER in texts(view)["body"]


def test_interrupts_pass_through_the_calamine_guard():
    from inspectors.extract.workbook import calamine_failed

    assert calamine_failed(ValueError()) and calamine_failed(BaseException())
    for interrupt in (InspectionTimeout(), KeyboardInterrupt(), SystemExit(1), TimeoutError()):
        assert not calamine_failed(interrupt)


# --- found by a second read (an attacker's): what was still read past without a word -------


def _my_numbers(raw: bytes) -> list:
    from inspectors.personal_data import PersonalData

    return [f for f in PersonalData().inspect(parse(raw, ENV)) if f.code == "pii.my_number"]


def test_a_my_number_in_the_subject_is_found():
    [found] = _my_numbers(multipart("Content-Type: text/plain\r\n\r\nhello", subject=MY_NUMBER))
    assert found.where[0].startswith("subject")


def test_html_non_breaking_spaces_between_the_groups():
    html = "Content-Type: text/html; charset=utf-8\r\n\r\n<p>個人番号：1234&nbsp;5678&nbsp;9018</p>"
    assert _my_numbers(multipart(html))


def test_a_delivery_status_part_is_read_as_text():
    status = (
        "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; b@client.example\r\nAction: failed\r\nStatus: 5.0.0\r\n"
        f"Diagnostic-Code: smtp; {MY_NUMBER}\r\n"
    )
    assert _my_numbers(multipart("Content-Type: text/plain\r\n\r\nbounce", status))


def test_base64_padded_line_by_line_is_read_to_its_end():
    lines = [
        base64.b64encode(chunk).decode()
        for chunk in (MY_NUMBER.encode()[i : i + 4] for i in range(0, len(MY_NUMBER.encode()), 4))
    ]
    part = (
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + "\r\n".join(lines)
    )
    assert _my_numbers(multipart(part))


def test_an_empty_html_comment_hides_nothing():
    html = f"Content-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p><!--> <p>{MY_NUMBER}</p> -->"
    assert _my_numbers(multipart(html))


def test_quoted_printable_soft_break_with_trailing_spaces():
    qp = (
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "=E5=80=8B=E4=BA=BA=E7=95=AA=E5=8F=B7: 1234=  \r\n 5678 9018"
    )
    assert _my_numbers(multipart(qp))


def test_utf32_text_is_read():
    body = base64.b64encode(MY_NUMBER.encode("utf-32")).decode()
    part = f"Content-Type: text/plain; charset=utf-32\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}"
    assert _my_numbers(multipart(part))


def test_a_multipart_without_its_boundary_is_named():
    raw = (
        "From: a@example.co.jp\r\nTo: b@client.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed\r\n\r\n--X\r\nContent-Type: text/plain\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(MY_NUMBER.encode()).decode()
        + "\r\n--X--\r\n"
    ).encode()
    assert "attachment.unscannable" in codes(parse(raw, ENV))


def test_text_with_a_few_control_bytes_and_no_known_type_is_read():
    data = (MY_NUMBER + " 山田太郎 ").encode() + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 2
    part = (
        "Content-Type: application/octet-stream; name=memo.dat\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=memo.dat\r\n\r\n" + base64.b64encode(data).decode()
    )
    assert _my_numbers(multipart(part))


@pytest.mark.parametrize(
    "sep", ["\u200b", "\u00ad", "\u2060"], ids=["zero-width-space", "soft-hyphen", "word-joiner"]
)
def test_invisible_separators_between_the_groups(sep):
    body = f"Content-Type: text/plain; charset=utf-8\r\n\r\n個人番号：1234{sep}5678{sep}9018"
    assert _my_numbers(multipart(body))


def test_a_macos_resource_fork_in_a_zip_is_no_unread_part():
    """Archive Utility adds __MACOSX/._name to every zip: metadata, not an unreadable .xlsx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "hello")
        archive.writestr(
            "__MACOSX/._report.xlsx", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 64
        )
    part = (
        "Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=a.zip\r\n\r\n"
        + base64.b64encode(buffer.getvalue()).decode()
    )
    assert "attachment.unscannable" not in codes(parse(multipart(part), ENV))
