"""Form-style sheets (帳票, issue 17): an identifier's label in one cell, its value to the right
(past a merged label), below it (a two-row form), or spread over boxes (4-4-4, one digit a box).
Real workbooks written with openpyxl, with merged cells, read through the message parser."""

from __future__ import annotations

import datetime
import io
import time
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest

from inspectors.base import Envelope
from inspectors.message import MessageView, Table, parse
from inspectors.personal_data import PersonalData
from inspectors.pii import forms

from .eval_set.fabric import docx, licence, my_number, resident_code
from .mime_mail import mail_with
from .office_corpus.forms import sheet
from .views import text_view

TODAY = datetime.date(2026, 12, 3)
ENV = Envelope(mail_from="a@narumi-ts.co.jp", rcpt_tos=("b@client.example",))
MN = my_number("12345678901")  # 123456789018
MN2 = my_number("98765432109")
BAD = MN[:11] + str((int(MN[11]) + 1) % 10)  # the check digit wrong


def workbook(cells: dict[str, object], merged: tuple[str, ...] = ()) -> bytes:
    return sheet("帳票", cells, merged)


def findings(data: bytes, name: str = "源泉徴収票.xlsx") -> dict:
    view = parse(mail_with((name, data)), ENV)
    assert not view.problems
    return {f.code: f for f in PersonalData(today=TODAY).inspect(view)}


def boxes(row: int, first: str, digits: str) -> dict[str, str]:
    return {f"{chr(ord(first) + i)}{row}": d for i, d in enumerate(digits)}


def test_a_merged_label_left_of_the_value_names_the_value_cell():
    data = workbook(
        {
            "A1": "給与所得の源泉徴収票",
            "A3": "支払を受ける者",
            "B3": "住所",
            "E3": "愛知県名古屋市中区栄1-2-3",
            "B4": "個人番号",
            "E4": MN,
        },
        merged=("A3:A4", "B3:D3", "B4:D4"),
    )
    found = findings(data)["pii.my_number"]
    assert found.count == 1
    assert found.where == ("attachment:源泉徴収票.xlsx!帳票!E4",)
    assert found.evidence == ("****-****-9018",)


def test_a_number_stored_as_a_number_reads_as_its_digits():
    assert findings(workbook({"B2": "個人番号", "C2": int(MN)}))["pii.my_number"].count == 1


def test_a_label_above_its_value_in_a_two_row_form():
    data = workbook(
        {
            "A1": "給与所得者の扶養控除等申告書",
            "A3": "控除対象配偶者",
            "B3": "氏名",
            "D3": "個人番号",
            "B4": "鳴海 花子",
            "D4": MN2,
        },
        merged=("D3:F3", "D4:F4", "B3:C3"),
    )
    found = findings(data, "扶養控除等申告書.xlsx")["pii.my_number"]
    assert found.where == ("attachment:扶養控除等申告書.xlsx!帳票!D4",)


def test_the_value_below_the_end_of_a_merged_label():
    data = workbook({"B2": "個人番号", "D3": MN}, merged=("B2:D2",))
    assert findings(data)["pii.my_number"].where == ("attachment:源泉徴収票.xlsx!帳票!D3",)


def test_a_label_merged_over_two_rows_reaches_the_value_on_its_second_row():
    data = workbook({"B4": "個人番号", "C4": "（12桁）", "C5": MN}, merged=("B4:B5",))
    assert findings(data)["pii.my_number"].where == ("attachment:源泉徴収票.xlsx!帳票!C5",)


def test_a_value_indented_one_cell_below_its_label():
    """入社手続書: each label on a row of its own, its value on the next row one cell in."""
    data = workbook(
        {
            "A1": "入社手続書",
            "A2": "氏名",
            "B3": "山田 太郎",
            "A4": "生年月日",
            "B5": "1985/04/12",
            "A6": "個人番号",
            "B7": MN,
            "D9": "2026/12/01",
        }
    )
    found = findings(data, "入社手続書.xlsx")
    assert found["pii.my_number"].where == ("attachment:入社手続書.xlsx!帳票!B7",)


def test_the_cell_beside_a_label_is_the_next_fields_not_an_indented_value():
    # 個人番号 | 基礎年金番号 side by side: the number under 基礎年金番号 is its own, not 個人番号's.
    rows = (("個人番号", "基礎年金番号"), ("", "1234-567890"))
    pairs = list(forms.pairs_of(Table(where="t", rows=rows)))
    assert [(p.kind, p.row, p.first_col) for p in pairs] == [("pension_number", 1, 1)]


def test_twelve_one_digit_boxes_are_one_number():
    data = workbook({"A6": "個人番号", **boxes(6, "C", MN)}, merged=("A6:B6",))
    found = findings(data)["pii.my_number"]
    assert (found.count, found.where) == (1, ("attachment:源泉徴収票.xlsx!帳票!C6:N6",))


def test_boxes_merged_over_two_columns_each_are_one_number():
    cells = {f"{chr(ord('C') + 2 * i)}6": d for i, d in enumerate(MN)}
    merged = tuple(f"{chr(ord('C') + 2 * i)}6:{chr(ord('D') + 2 * i)}6" for i in range(12))
    data = workbook({"A6": "個人番号", **cells}, merged=merged)
    assert findings(data)["pii.my_number"].where == ("attachment:源泉徴収票.xlsx!帳票!C6:Y6",)


def test_four_four_four_in_three_cells_is_one_number():
    data = workbook({"A2": "個人番号", "B2": MN[:4], "C2": MN[4:8], "D2": MN[8:]})
    assert findings(data)["pii.my_number"].where == ("attachment:源泉徴収票.xlsx!帳票!B2:D2",)


def test_boxes_below_the_label():
    data = workbook({"B2": "個人番号", **boxes(3, "B", MN)}, merged=("B2:M2",))
    assert findings(data)["pii.my_number"].count == 1


@pytest.mark.parametrize(
    "label, value",
    [
        ("個人番号", ""),
        ("個人番号", "記入不要"),
        ("個人番号", BAD),
        ("管理番号", MN),
        ("見積番号", MN),
        ("注文番号", MN),
    ],
)
def test_no_my_number_without_a_valid_value_under_its_own_label(label, value):
    data = workbook(
        {"A1": "申込書", "A3": label, "C3": value, "A5": "備考", "C5": "特になし"}, merged=("A3:B3",)
    )
    assert "pii.my_number" not in findings(data)


def test_another_label_is_no_value():
    """個人番号|氏名 in a row: the label's right is the next field, not its value."""
    table = Table(where="t", rows=(("個人番号", "氏名", ""), (MN, "鳴海 太郎", "")))
    assert [(p.row, p.first_col, p.text) for p in forms.pairs_of(table)] == [(1, 0, MN)]


def test_a_value_far_beyond_the_gap_is_not_paired():
    row = ("個人番号", *([""] * (forms.MAX_GAP + 1)), MN)
    assert list(forms.pairs_of(Table(where="t", rows=(row,)))) == []


@pytest.mark.parametrize(
    "label, cells, code",
    [
        ("基礎年金番号", ("1234", "567890"), "pii.pension_number"),
        ("運転免許証番号", (licence("30", "12", "345678"),), "pii.drivers_license"),
        ("住民票コード", (resident_code("1234567890"),), "pii.resident_code"),
        ("被保険者番号", ("12345678",), "pii.health_insurance"),
        ("口座番号", ("1234567",), "pii.bank_account"),
        ("旅券番号", ("TK1234567",), "pii.passport"),
    ],
)
def test_every_labelled_identifier_type_beside_and_below(label, cells, code):
    right = {"A2": label, **{f"{chr(ord('C') + i)}2": v for i, v in enumerate(cells)}}
    below = {"A2": label, **{f"{chr(ord('A') + i)}3": v for i, v in enumerate(cells)}}
    for layout, merged in ((right, ("A2:B2",)), (below, ())):
        data = workbook({"A1": "入社手続き書類", **layout}, merged=merged)
        assert code in findings(data, "入社手続き.xlsx"), (label, layout)


def test_a_csv_form_is_read_alike():
    csv = f"給与所得の源泉徴収票,,,\n支払を受ける者,氏名,,鳴海 太郎\n,個人番号,,{MN}\n"
    found = {
        f.code: f for f in PersonalData(today=TODAY).inspect(text_view("添付します。", csv, suffix="csv"))
    }
    assert found["pii.my_number"].count == 1


def ods(rows: list[list[tuple[str, int]]]) -> bytes:
    """A one-sheet OpenDocument spreadsheet as LibreOffice writes it: (text, columns spanned)
    cells, a spanned cell followed by its covered cells."""
    cells = []
    for row in rows:
        out = []
        for text, span in row:
            spans = (
                f' table:number-columns-spanned="{span}" table:number-rows-spanned="1"' if span > 1 else ""
            )
            value = f"<text:p>{escape(text)}</text:p>" if text else ""
            kind = ' office:value-type="string"' if text else ""
            out.append(f"<table:table-cell{kind}{spans}>{value}</table:table-cell>")
            out += ["<table:covered-table-cell/>"] * (span - 1)
        cells.append(f"<table:table-row>{''.join(out)}</table:table-row>")
    ns = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{ns}:office:1.0"'
        f' xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="帳票">{"".join(cells)}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="{ns}:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        package.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_an_ods_form_with_a_spanned_label_and_boxes():
    data = ods(
        [
            [("給与所得の源泉徴収票", 6)],
            [("支払を受ける者", 1), ("住所", 2), ("", 1), ("名古屋市中区栄1-2-3", 3)],
            [("", 1), ("個人番号", 2), ("", 1), *((d, 1) for d in MN)],
        ]
    )
    found = findings(data, "源泉徴収票.ods")["pii.my_number"]
    assert found.count == 1 and found.where[0].startswith("attachment:源泉徴収票.ods!帳票!")


def test_a_list_under_a_header_counts_each_number_once():
    rows = (("氏名", "個人番号"), ("鳴海 太郎", MN), ("鳴海 花子", MN2))
    view = MessageView(envelope=ENV, size=0, tables=(Table(where="attachment:a.xlsx!S", rows=rows),))
    found = {f.code: f for f in PersonalData(today=TODAY).inspect(view)}
    assert found["pii.my_number"].count == 2


@pytest.mark.slow
def test_a_hostile_sheet_of_100k_labels_stays_linear():
    """100,000 label cells, each with a box run after it: bounded work per label."""
    rows = tuple(("個人番号", "", "1", "2", "3", "管理番号", "12") for _ in range(100_000 // 2))
    table = Table(where="t", rows=rows, merged=tuple((r, 0, r, 1) for r in range(len(rows))))
    started = time.process_time()
    pairs = sum(1 for _ in forms.pairs_of(table))
    assert pairs == len(rows)
    view = MessageView(envelope=ENV, size=0, tables=(table,))
    assert "pii.my_number" not in {f.code for f in PersonalData(today=TODAY).inspect(view)}
    assert time.process_time() - started < 20


@pytest.mark.slow
def test_labels_merged_over_the_whole_sheet_stay_bounded():
    """A crafted file merges each of 5,000 labels over every row below it and every column:
    each label follows its range only so far, not 5,000 rows each (and the cells its range
    covers are no value of it)."""
    rows = tuple(("個人番号", "", "1") for _ in range(5_000))
    merged = tuple((r, 0, 1_048_575, 16_383) for r in range(len(rows)))
    started = time.process_time()
    assert list(forms.pairs_of(Table(where="t", rows=rows, merged=merged))) == []
    assert time.process_time() - started < 5


def test_a_company_account_on_an_invoice_form_is_no_personal_account():
    """振込先 as invoices lay it out: the holder (カ）…) in the row after the account number."""
    invoice = {"A1": "請求書", "B3": "振込先", "B4": "銀行名", "D4": "三菱UFJ銀行 栄支店", "B5": "口座番号"}
    holder = {"B6": "口座名義", "D6": "カ）ナルミテクノサービス"}
    assert "pii.bank_account" not in findings(workbook({**invoice, "D5": "普通 1234567", **holder}))
    person = {"B6": "口座名義", "D6": "ヤマダ タロウ"}
    assert findings(workbook({**invoice, "D5": "普通 1234567", **person}))["pii.bank_account"].count == 1


@pytest.mark.slow
def test_a_workbook_of_100k_label_cells_is_read_through():
    """The same attack as a real file: 100,000 labels each followed by boxes, through the
    workbook reader and the inspector, in bounded time and with nothing found (no number)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("攻撃")
    for _ in range(50_000):
        ws.append(["個人番号", None, "1", "2", "個人番号", "3"])
    buf = io.BytesIO()
    wb.save(buf)
    started = time.process_time()
    found = findings(buf.getvalue(), "攻撃.xlsx")
    assert "pii.my_number" not in found
    assert time.process_time() - started < 30


def test_a_word_table_form_with_the_number_below_its_label():
    table = [["本人情報", "氏名", "村上 奈々", ""], ["", "個人番号", "", ""], ["", MN[:4], MN[4:8], MN[8:]]]
    found = findings(docx(["入社手続き書類"], table=table), "入社手続き.docx")["pii.my_number"]
    assert found.where == ("attachment:入社手続き.docx!table1!B3:D3",)
