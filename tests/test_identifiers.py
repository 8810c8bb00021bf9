"""The structured identifiers Purview does not check (issue 14 item 3): 運転免許証番号 with its
公安委員会 code and check digit, 住民票コード with its label and check digit, 基礎年金番号 as 4-6.

Each: positives (plain, full-width, hyphen/space), negatives (wrong check digit, wrong
prefecture, wrong length, no label) and near-misses (an order number of the same length, a
phone number, a My Number under another identifier's label), in prose, a table column and a
CP932 CSV attachment.
"""

from __future__ import annotations

import datetime

import pytest

from inspectors.base import Envelope, Finding
from inspectors.message import MessageView, Table, TextChunk, parse
from inspectors.personal_data import PersonalData
from inspectors.pii.masks import mask
from inspectors.pii.validators import licence_is_valid, pension_number_form, resident_code_is_valid
from rules import MessageFacts, decide, load_rules
from rules.codes import is_known_code

from .test_message_mime import ENV, mail_with

TODAY = datetime.date(2024, 4, 1)
LICENCE = "301234567810"  # 東京 (30), 2012, serial 345678, check 1, never reissued
LICENCE_OSAKA = "621987654361"  # 大阪 (62), reissued once
RESIDENT = "24727059608"
RESIDENT_2 = "87654321092"
MY_NUMBER = "123456789018"  # valid My Number; prefix 12 (旭川) but a wrong licence check digit


def counts(*texts: str, tables: tuple[Table, ...] = ()) -> dict[str, int]:
    view = MessageView(
        envelope=Envelope(mail_from="a@sample.co.jp", rcpt_tos=("b@client.example",)),
        size=0,
        tables=tables,
        texts=tuple(TextChunk(where="body", text=t) for t in texts),
    )
    return {f.code.removeprefix("pii."): f.count for f in PersonalData(today=TODAY).inspect(view)}


# --- the checks themselves ------------------------------------------------------------------
def test_licence_check_digit_and_prefecture():
    assert licence_is_valid(LICENCE) and licence_is_valid(LICENCE_OSAKA)
    assert licence_is_valid("970500000130")  # 沖縄
    assert licence_is_valid("300000000910") and not licence_is_valid("300000000010")  # remainder 0: 1
    assert licence_is_valid("300000000400") and not licence_is_valid("300000000410")  # remainder 1: 0
    assert not licence_is_valid("301234567890")  # check digit 9, should be 1
    assert not licence_is_valid("150712345650")  # check digit right, 15 is no 公安委員会
    assert not licence_is_valid("000712345680")  # 00: not an issuing commission
    assert not licence_is_valid("980712345680")
    assert not licence_is_valid("30123456781")  # 11 digits
    assert not licence_is_valid("３０１２３４５６７８１０")  # callers pass ASCII digits


def test_resident_code_check_digit():
    assert resident_code_is_valid(RESIDENT) and resident_code_is_valid(RESIDENT_2)
    assert resident_code_is_valid("11111111113")
    assert not resident_code_is_valid("24727059609")
    assert not resident_code_is_valid("2472705960")  # 10 digits
    assert not resident_code_is_valid("247270596080")  # 12


def test_pension_number_form():
    assert pension_number_form("1234-567890") == "1234-567890"
    assert pension_number_form("1234 567890") == pension_number_form("1234567890") == "1234-567890"
    for wrong in ("12-34567890", "12345-67890", "1234-56789", "1234-5678901", "1234--567890", "1234-567-890"):
        assert pension_number_form(wrong) is None, wrong


# --- in prose ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        f"運転免許証番号 {LICENCE}",
        "運転免許証番号：３０１２３４５６７８１０",  # full-width
        "免許証番号 3012-3456-7810",
        "免許証 第 30 1234 5678 10 号",
        f"driver's license no: {LICENCE_OSAKA}",
    ],
)
def test_licence_numbers_found(text):
    assert counts(text).get("drivers_license") == 1


@pytest.mark.parametrize(
    "text",
    [
        "運転免許証番号 301234567890",  # wrong check digit
        "運転免許証番号 150712345650",  # no such 公安委員会
        "運転免許証番号 30123456781",  # 11 digits
        f"{LICENCE}",  # no label
        f"注文番号 {LICENCE}",  # an order number of the same length
        f"運転免許証番号 {MY_NUMBER}",  # a My Number under the licence label
    ],
)
def test_licence_lookalikes(text):
    found = counts(text)
    assert "drivers_license" not in found and "my_number" not in found


def test_a_phone_after_the_licence_label_stays_a_phone():
    found = counts("運転免許証番号は後日お送りします。携帯 090-1234-5678")
    assert found.get("phone") == 1 and "drivers_license" not in found


@pytest.mark.parametrize(
    "text",
    [
        "会員番号 12345678\n電話番号 090-1234-5678",
        "会員番号：A-1234\nTEL：090-1234-5678",
        "注文番号 20240401 携帯 090-1234-5678",
        "ご予約番号 123456、お客様の連絡先電話番号 03-5412-7788 です。",
    ],
)
def test_a_phone_label_ends_the_reach_of_an_order_label(text):
    """A member number on the line before must not make the phone under its own label an
    order number: 電話番号/TEL/携帯 reset the label."""
    assert counts(text).get("phone") == 1


@pytest.mark.parametrize(
    "text",
    [
        "代表TEL 03-3211-4000",
        "代表電話番号 03-3211-4000",
        "FAX/TEL 03-3211-4000",
        "注文番号 0312345678",
    ],
)
def test_an_organisation_label_still_covers_the_phone_label_after_it(text):
    assert "phone" not in counts(text)


@pytest.mark.parametrize(
    "text",
    [
        f"住民票コード {RESIDENT}",
        "住民票コード：２４７２７０５９６０８",
        "住民票コード 2472-7059-608",
        f"世帯主 住民票コード {RESIDENT_2}",
        f"住民票 コード {RESIDENT}",
        f"住民票\u3000コード：{RESIDENT}",  # the label with a space inside
        f"Resident Record Code: {RESIDENT}",
        f"resident registry code {RESIDENT}",
    ],
)
def test_resident_codes_found(text):
    assert counts(text) == {"resident_code": 1}


@pytest.mark.parametrize(
    "text",
    [
        "住民票コード 24727059609",  # wrong check digit
        f"{RESIDENT}",  # no label
        f"会員番号 {RESIDENT}",  # another label, same length
        "住民票コード 2472705960",  # 10 digits
        f"住民票コード {MY_NUMBER}",  # a My Number next to the other identifier's label
    ],
)
def test_resident_code_lookalikes(text):
    found = counts(text)
    assert "resident_code" not in found and "my_number" not in found


def test_a_phone_near_the_resident_code_label_is_a_phone():
    found = counts("住民票コードの件は 090-1234-5678 までご連絡ください")
    assert found == {"phone": 1}


@pytest.mark.parametrize(
    "text",
    [
        "基礎年金番号 1234-567890",
        "基礎年金番号：１２３４－５６７８９０",
        "年金手帳 1234 567890",
        "基礎年金番号 1234567890",
        "基礎年金番号 1234ー567890",
        "Basic Pension Number: 1234-567890",
        "pension no. 1234-567890",
        "基礎年金番号 1234 - 567890",
        "基礎年金番号：１２３４　－　５６７８９０",
        "年金番号 1234 ‐ 567890",
    ],
)
def test_pension_numbers_found(text):
    assert counts(text).get("pension_number") == 1


@pytest.mark.parametrize(
    "text",
    [
        "基礎年金番号 12-34567890",
        "基礎年金番号 12345-67890",
        "基礎年金番号 1234-56789",
        "1234-567890",
        "注文番号 1234-567890",
    ],
)
def test_pension_lookalikes(text):
    assert "pension_number" not in counts(text)


def test_a_phone_under_the_pension_label_is_a_phone_not_a_pension_number():
    found = counts("年金番号の照会先 03-1234-5678")
    assert "pension_number" not in found and found.get("phone") == 1


# --- in a table and a CP932 CSV -----------------------------------------------------------------
ROWS = (
    ("氏名", "運転免許証番号", "住民票コード", "基礎年金番号"),
    ("山田 太郎", LICENCE, RESIDENT, "1234-567890"),
    ("鈴木 花子", "６２１９８７６５４３６１", "8765-4321-092", "2345 678901"),
    ("田中 一郎", "301234567890", "24727059609", "12-34567890"),
)  # all three wrong


def test_a_table_column_of_each_identifier():
    found = counts(tables=(Table(where="attachment:名簿.xlsx!Sheet1", rows=ROWS),))
    assert (found.get("drivers_license"), found.get("resident_code"), found.get("pension_number")) == (
        2,
        2,
        2,
    )


def test_english_column_headings():
    rows = (("Name", "Resident Record Code", "Basic Pension Number"),) + tuple(
        (r[0], r[2], r[3]) for r in ROWS[1:]
    )
    found = counts(tables=(Table(where="attachment:staff.xlsx!Sheet1", rows=rows),))
    assert (found.get("resident_code"), found.get("pension_number")) == (2, 2)


def test_a_cp932_csv_attachment():
    data = ("\r\n".join(",".join(row) for row in ROWS) + "\r\n").encode("cp932")
    view = parse(mail_with(("名簿.csv", data)), ENV)
    found = {f.code: f for f in PersonalData(today=TODAY).inspect(view)}
    assert found["pii.drivers_license"].count == 2
    assert found["pii.resident_code"].count == 2
    assert found["pii.pension_number"].count == 2
    assert found["pii.resident_code"].evidence == ("*******9608", "*******1092")
    assert all(RESIDENT not in e for f in found.values() for e in f.evidence)


def test_order_numbers_of_the_same_length_in_a_column_are_nothing():
    rows = (("注文番号", "品名"), (LICENCE, "ボルト"), (RESIDENT, "ナット"), ("1234-567890", "座金"))
    found = counts(tables=(Table(where="attachment:注文.xlsx!Sheet1", rows=rows),))
    assert not {"drivers_license", "resident_code", "pension_number", "my_number"} & set(found)


def test_masks_and_the_rule_code():
    assert mask("resident_code", RESIDENT) == "*******9608"
    assert mask("resident_code", "1") == "****"
    assert is_known_code("pii.resident_code")


def test_a_resident_code_going_out_is_held_like_the_other_identifiers():
    code = Finding(code="pii.resident_code", count=1, where=("body!line 1",), evidence=("*******9608",))
    external = Finding(
        code="recipients.external", count=1, where=("header:To",), evidence=("client.example",)
    )
    facts = MessageFacts(mail_from="a@sample.co.jp", rcpt_tos=("b@client.example",))
    assert decide((code,), facts, load_rules()).action == "pass"  # internal mail
    decision = decide((code, external), facts, load_rules())
    assert decision.action == "hold" and [m.id for m in decision.enforced] == ["sensitive-id-external"]


@pytest.mark.parametrize(
    "text",
    [
        "基礎年金番号 1234 - 5678901",  # seven digits after the hyphen
        "基礎年金番号 12345 - 67890",  # 5-5
        "1234 - 567890",  # no label
        "会員番号 1234 - 567890",  # another label
    ],
)
def test_spaced_pension_lookalikes(text):
    assert "pension_number" not in counts(text)
