"""A bank account in a table (issue 17 follow-up): the row's holder column (口座名義, 受取人,
Beneficiary, Payee …) decides whether the account is personal, as the labelled holder does in
prose: our own company, a configured client or a corporate form → not personal; a person →
personal. The holder column may stand before or after the number. Real .xlsx workbooks and
CP932 CSVs, read through the message parser and the PersonalData inspector."""

from __future__ import annotations

import datetime
import time

import pytest

from inspectors.account_holders import AccountHolders, is_holder_header
from inspectors.base import Envelope
from inspectors.message import parse
from inspectors.personal_data import PersonalData

from .eval_set.fabric import csv_text, xlsx
from .mime_mail import mail_with

TODAY = datetime.date(2026, 12, 3)
ENV = Envelope(mail_from="keiri@narumi-ts.co.jp", rcpt_tos=("b@client.example",))
HOLDERS = AccountHolders.of(
    (
        "鳴海テクノサービス株式会社",
        "NARUMI TECHNO SERVICE CO., LTD.",
        "ナルミテクノサービス",
        "株式会社港北ロジスティクス",
    )
)
AFTER = ["銀行名", "支店名", "口座種別", "口座番号", "口座名義"]
BEFORE = ["口座名義", "銀行名", "支店名", "口座番号"]


def bank_accounts(name: str, data: bytes) -> int:
    view = parse(mail_with((name, data)), ENV)
    assert not view.problems
    found = PersonalData(today=TODAY, holders=HOLDERS).inspect(view)
    return sum(f.count for f in found if f.code == "pii.bank_account")


def row(header: list[str], holder: str, number: str = "1620475") -> list[str]:
    values = {"銀行名": "三菱UFJ銀行", "支店名": "名古屋支店", "口座種別": "普通", "口座番号": number}
    return [values.get(h, holder) for h in header]


HOLDERS_CASES = [
    ("カ）ナルミテクノサービス", 0),  # our own, as banks write it
    ("NARUMI TECHNO SERVICE CO., LTD.", 0),  # our own, in English
    ("ナルミテクノサービス", 0),  # our own, configured without a form
    ("港北ロジスティクス", 0),  # a configured client, without its form
    ("ヤマダ タロウ", 1),  # a person
    ("TARO YAMADA", 1),
]


@pytest.mark.parametrize(("holder", "personal"), HOLDERS_CASES)
@pytest.mark.parametrize("header", [AFTER, BEFORE], ids=["holder_after", "holder_before"])
def test_the_holder_column_decides_in_a_workbook(header, holder, personal):
    data = xlsx({"請求書": [["御請求書"], ["お振込先"], header, row(header, holder)]})
    assert bank_accounts("請求書.xlsx", data) == personal


@pytest.mark.parametrize(("holder", "personal"), HOLDERS_CASES)
@pytest.mark.parametrize("header", [AFTER, BEFORE], ids=["holder_after", "holder_before"])
def test_the_holder_column_decides_in_a_cp932_csv(header, holder, personal):
    data = csv_text([header, row(header, holder)]).encode("cp932")
    assert bank_accounts("振込先.csv", data) == personal


def test_a_payee_list_counts_its_people_not_its_companies():
    people = [
        f"{s} {g}"
        for s in ("ヤマダ", "スズキ", "サトウ", "タナカ")
        for g in ("タロウ", "ハナコ", "ケン", "ユミ", "ジロウ")
    ]
    rows = [row(BEFORE, holder, str(2000001 + i * 37)) for i, holder in enumerate(people)]
    rows.insert(7, row(BEFORE, "カ）ナルミテクノサービス", "1620475"))
    rows.insert(15, row(BEFORE, "港北ロジスティクス", "3307718"))
    assert len(rows) == 22
    assert bank_accounts("支払先一覧.xlsx", xlsx({"支払先": [BEFORE, *rows]})) == 20
    after = [[*r[1:], r[0]] for r in rows]  # the holder column last
    assert (
        bank_accounts("支払先一覧.csv", csv_text([[*BEFORE[1:], "受取人名"], *after]).encode("cp932")) == 20
    )


def test_without_a_holder_column_the_account_stays_personal():
    data = xlsx({"S": [["銀行名", "支店名", "口座番号"], ["三菱UFJ銀行", "名古屋支店", "1620475"]]})
    assert bank_accounts("口座.xlsx", data) == 1


@pytest.mark.parametrize(
    "header",
    [
        "口座名義",
        "口座名義（カナ）",
        "名義人",
        "受取人",
        "受取人名",
        "振込先名義",
        "Beneficiary",
        "Account name",
        "Payee",
    ],
)
def test_holder_headers(header):
    assert is_holder_header(header)


@pytest.mark.parametrize(
    "header", ["Beneficiary Bank", "氏名", "口座番号", "銀行名", "名義変更日の記録と備考欄" * 3]
)
def test_not_holder_headers(header):
    assert not is_holder_header(header)


@pytest.mark.timing
def test_a_crafted_sheet_of_holder_columns_costs_linear_time():
    # 2,000 holder columns, all empty, and 2,000 rows of account numbers: a number looks at a
    # few holder columns only, never the whole header.
    header = ["口座番号", *["口座名義"] * 2000]
    rows = [[str(2000001 + i), *[""] * 2000] for i in range(2000)]
    started = time.perf_counter()
    assert bank_accounts("crafted.csv", csv_text([header, *rows]).encode("cp932")) == 2000
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize(("holder", "personal"), HOLDERS_CASES)
@pytest.mark.parametrize("holder_first", [True, False], ids=["holder_above", "holder_below"])
def test_a_form_labels_the_holder_above_or_below_the_number(holder_first, holder, personal):
    lines = [["口座名義", "", holder], ["口座番号", "", "普通 1620475"]]
    rows = [
        ["振込依頼書"],
        ["銀行名", "", "三菱UFJ銀行 名古屋支店"],
        *(lines if holder_first else lines[::-1]),
    ]
    assert bank_accounts("振込依頼書.xlsx", xlsx({"依頼書": rows})) == personal


def test_two_accounts_on_a_form_each_take_their_own_holder():
    rows = [
        ["口座番号", "普通 1620475"],
        ["口座名義", "カ）ナルミテクノサービス"],
        ["備考", "返金先は下記"],
        ["口座番号", "普通 5730918"],
        ["口座名義", "ナルミ ケンジ"],
    ]
    assert bank_accounts("返金.xlsx", xlsx({"S": rows})) == 1
