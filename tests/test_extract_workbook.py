"""Spreadsheets through calamine: every sheet, hidden ones too, with real cell references."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from inspectors.extract.workbook import cell_text, extract
from inspectors.limits import Limits
from inspectors.message import parse

from .test_message_mime import ENV, codes, mail_with, texts

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "attachments"
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
    'officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application>'
    "<Company>株式会社エー</Company><Manager>佐藤</Manager></Properties>"
)


def customers() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "顧客"
    sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"] = "氏名", "個人番号", "登録日", "残高"
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = (
        "髙橋 一郎",
        123456789018,
        datetime.date(2024, 4, 1),
        1234.5,
    )
    sheet["B4"], sheet["C4"], sheet["D4"], sheet["E4"] = "山田 花子", "0123-4567-8901", True, -3
    hidden = book.create_sheet("非表示")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "退会者 090-1111-2222"
    very = book.create_sheet("VeryHidden")
    very.sheet_state = "veryHidden"
    very["C5"] = "secret"
    book.properties.title, book.properties.creator = "顧客一覧", "山田"
    buffer = io.BytesIO()
    book.save(buffer)
    return with_app_xml(buffer.getvalue())


def with_app_xml(package: bytes) -> bytes:
    """openpyxl writes no Company: put one in docProps/app.xml as Excel does."""
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = APP_XML.encode() if info.filename == "docProps/app.xml" else source.read(info)
            target.writestr(info, data)
    return out.getvalue()


def test_every_sheet_with_coordinates_and_cell_text():
    tables = {t.where: t for t in extract(customers(), Limits()) if hasattr(t, "rows")}
    assert set(tables) == {"顧客", "非表示", "VeryHidden"}
    sheet = tables["顧客"]
    assert (sheet.first_row, sheet.first_col) == (2, 2)
    assert sheet.rows == (
        ("氏名", "個人番号", "登録日", "残高"),
        ("髙橋 一郎", "123456789018", "2024-04-01", "1234.5"),
        ("山田 花子", "0123-4567-8901", "TRUE", "-3"),
    )
    assert sheet.ref(1, 1) == "C3" and sheet.ref(2, 3) == "E4"
    assert tables["非表示"].rows == (("退会者 090-1111-2222",),)
    assert (tables["VeryHidden"].ref(0, 0), tables["VeryHidden"].rows) == ("C5", (("secret",),))


def test_workbook_through_the_message():
    view = parse(mail_with(("顧客.xlsx", customers())), ENV)
    [attachment] = view.attachments
    assert (attachment.kind, attachment.detected_type) == (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert dict(attachment.properties) == {
        "title": "顧客一覧",
        "author": "山田",
        "company": "株式会社エー",
        "manager": "佐藤",
    }
    assert [t.where for t in view.tables] == [
        "attachment:顧客.xlsx!顧客",
        "attachment:顧客.xlsx!非表示",
        "attachment:顧客.xlsx!VeryHidden",
    ]
    found = texts(view)
    assert found["attachment:顧客.xlsx!顧客"].splitlines()[1] == "髙橋 一郎\t123456789018\t2024-04-01\t1234.5"
    assert "company: 株式会社エー" in found["attachment:顧客.xlsx!properties"]
    assert not view.problems


@pytest.mark.parametrize("name", ["any_sheets.xls", "any_sheets.ods", "any_sheets.xlsb", "any_sheets.xlsx"])
def test_xls_ods_xlsb_read_alike(name):
    view = parse(mail_with((name, (CORPUS / "calamine" / name).read_bytes())), ENV)
    visible = next(t for t in view.tables if t.where == f"attachment:{name}!Visible")
    assert visible.rows[:3] == (("1", "2"), ("3", "4"), ("5", "6"))
    assert visible.rows[4][0] == "This workbook contains 4 sheets: Visible, Hidden, VeryHidden and Chart"
    assert not view.problems, "the chart sheet is skipped, not reported"


def test_dates_in_xlsb():
    [table] = [
        t for t in extract((CORPUS / "calamine" / "date.xlsb").read_bytes(), Limits()) if hasattr(t, "rows")
    ]
    assert table.rows[0] == ("2021-01-01", "15")


def test_cell_limit_keeps_the_first_rows_and_says_so():
    book = openpyxl.Workbook()
    for row in range(1, 6):
        book.active.append([f"r{row}c{col}" for col in range(1, 4)])
    buffer = io.BytesIO()
    book.save(buffer)
    view = parse(mail_with(("big.xlsx", buffer.getvalue())), ENV, Limits(max_sheet_cells=10))
    [table] = view.tables
    assert len(table.rows) == 3
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:big.xlsx!Sheet",), "limit: cells per sheet > 10")
    ]


SPARSE = """
import io, openpyxl
from inspectors.message import parse
from inspectors.base import Envelope
from tests.test_message_mime import mail_with
book = openpyxl.Workbook()
book.active["A1"], book.active["XFD1048576"] = "near", "far"
book.create_sheet("Other")["B2"] = "still read"
buffer = io.BytesIO(); book.save(buffer)
view = parse(mail_with(("sparse.xlsx", buffer.getvalue())), Envelope(mail_from="", rcpt_tos=()))
print([(t.where, t.rows) for t in view.tables])
print([(f.where, f.evidence) for f in view.problems])
"""


@pytest.mark.process
def test_a_stray_far_cell_is_refused_before_calamine_allocates_it():
    # In a child process: without the guard, calamine aborts the interpreter.
    out = subprocess.run(
        [sys.executable, "-c", SPARSE],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr
    tables, problems = out.stdout.splitlines()
    assert tables == "[('attachment:sparse.xlsx!Other', (('still read',),))]"
    assert problems == "[(('attachment:sparse.xlsx!Sheet',), ('limit: cells per sheet > 1000000',))]"


def test_encrypted_and_corrupt_workbooks():
    encrypted = (CORPUS / "msoffcrypto-tool" / "inputs" / "example_password.xlsx").read_bytes()
    view = parse(mail_with(("a.xlsx", encrypted), ("b.xlsx", customers()[:3000])), ENV)
    found = codes(view)
    assert found["attachment.encrypted"] == [(("attachment:a.xlsx",), "password-protected document")]
    assert [w for w, _ in found["attachment.unscannable"]] == [("attachment:b.xlsx",)]
    assert found["attachment.unscannable"][0][1].startswith("corrupt")
    assert texts(view)["body"].startswith("お世話に")


@pytest.mark.parametrize(
    "value, text",
    [
        (123456789018.0, "123456789018"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (True, "TRUE"),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (datetime.time(9, 30), "09:30:00"),
        ("x", "x"),
        (7, "7"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_notes_and_text_boxes_are_read():
    """A note on a cell (コメント) is text calamine does not give; people put IDs there."""
    import openpyxl
    from openpyxl.comments import Comment

    book = openpyxl.Workbook()
    book.active["A1"] = "氏名"
    book.active["A1"].comment = Comment("個人番号：1234 5678 9018", "taro")
    buffer = io.BytesIO()
    book.save(buffer)
    texts = {p.where: p.text for p in extract(buffer.getvalue(), Limits()) if type(p).__name__ == "TextChunk"}
    assert any("1234 5678 9018" in text for where, text in texts.items() if where.startswith("comments:")), (
        texts
    )


def test_a_damaged_notes_part_is_reported_by_name_and_the_sheets_are_read():
    import openpyxl
    from openpyxl.comments import Comment

    book = openpyxl.Workbook()
    book.active["A1"] = "氏名"
    book.active["A2"] = "山田太郎"
    book.active["A1"].comment = Comment("個人番号：1234 5678 9018", "taro")
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(
        next(n for n in zipfile.ZipFile(io.BytesIO(bytes(data))).namelist() if n.startswith("xl/comments"))
    )
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 2 : start + 6] = bytes(b ^ 0x55 for b in data[start + 2 : start + 6])  # the deflated bytes
    pieces = list(extract(bytes(data), Limits()))
    assert [p.rows for p in pieces if type(p).__name__ == "Table"] == [(("氏名",), ("山田太郎",))]
    [problem] = [p for p in pieces if type(p).__name__ == "Problem"]
    assert (problem.where, problem.reason.split(":")[0]) == (info.filename, "corrupt")


def test_a_workbooks_charts_and_embedded_files_are_read():
    from .test_extract_documents import A, C, _with_parts, word

    chart = (
        f"<c:chartSpace {C} {A}><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>株式会社エー 売上</a:t></a:r>"
        "</a:p></c:rich></c:tx></c:title></c:chart></c:chartSpace>"
    )
    book = _with_parts(
        customers(),
        {"xl/charts/chart1.xml": chart.encode(), "xl/embeddings/Microsoft_Word_Document1.docx": word()},
    )
    view = parse(mail_with(("売上.xlsx", book)), ENV)
    assert texts(view)["attachment:売上.xlsx!chart1"] == "株式会社エー 売上"
    inner = "attachment:売上.xlsx!xl/embeddings/Microsoft_Word_Document1.docx"
    assert (inner, "docx") in [(a.where, a.kind) for a in view.attachments]
    assert any(w.startswith(inner + "!") for w in texts(view))


def _sheet_package(xml: bytes) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(
            "xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>"
        )
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize(
    ("xml", "bounded"),
    [
        (
            b'<row r="1"><c r="A1"><v>1</v></c><c r="F1"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c></row>',
            True,
        ),
        (
            b'<row r="1"><c r="A1"><v>1</v></c></row><row r="9"><c r="Z9"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c></row>',
            None,
        ),
        (
            b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c><c r="A3"><v>1</v></c></row>',
            False,
        ),
        (
            b'<row r="1"><c r="A1"><v>1</v></c><c r="B0099"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c></row>',
            False,
        ),
        (
            b'<row r="1"><c r="A1"><v>1</v></c><c r="b1"><v>1</v></c></row><row r="2"><c r="z2"><v>1</v></c></row>',
            True,
        ),
        (
            b'<row r="1"><c r="A1"><v>1</v></c><c r="AA1"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c></row>',
            None,
        ),
        (
            b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c></row><row r="3"><c r=\'C3\'><v>1</v></c></row>',
            False,
        ),
        (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="20"><c r="C20"><v>1</v></c></row>', True),
        # a cell with a namespace prefix (a quoted reference or not): measured, never bounded
        (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><x:c r=\'Z99\'><v>1</v></x:c></row>', False),
        (
            b"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><x:row r='9'><x:c r='Z9'><v>1</v></x:c></x:row>",
            False,
        ),
    ],
)
def test_a_sheet_said_to_fit_without_measuring_it_fits(xml, bounded):
    """The bound drawn from a sheet's last cell and row never lets through a sheet whose
    measured used range (every cell, in any order) is larger: each case at every limit."""
    from inspectors.extract import dimensions

    package = _sheet_package(xml)
    info = package.getinfo("xl/worksheets/sheet1.xml")
    used = dimensions.used_cells(package, info)
    verdicts = [dimensions._within(package, info, limit) for limit in range(0, 700)]
    assert all(not fits or used <= limit for limit, fits in enumerate(verdicts))
    assert bounded is None or any(verdicts) == bounded  # in order: bounded without measuring
