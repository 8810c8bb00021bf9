"""Labels written in half-width kana or full-width letters (issue 17 follow-up): ﾏｲﾅﾝﾊﾞｰ and
ｺｼﾞﾝﾊﾞﾝｺﾞｳ label a My Number as マイナンバー and 個人番号 do, and so for every label type
(ﾊﾟｽﾎﾟｰﾄ, ｸﾚｼﾞｯﾄ, ｶｰﾄﾞ番号, 在留ｶｰﾄﾞ, ＭＹ　ＮＵＭＢＥＲ). The scanned text is never
width-folded, so each label is spelled out in every width once (patterns.CONTEXT_WORDS).
Real files: a CP932 text attachment, a .docx, an .xlsx form."""

from __future__ import annotations

import datetime

import pytest

from inspectors import patterns as P
from inspectors.base import Envelope
from inspectors.message import parse
from inspectors.personal_data import PersonalData

from .eval_set.fabric import docx, luhn, my_number, xlsx
from .mime_mail import mail_with

TODAY = datetime.date(2026, 12, 3)
ENV = Envelope(mail_from="soumu@narumi-ts.co.jp", rcpt_tos=("b@client.example",))
MN = my_number("12345678901")
CARD = luhn("411111111111111")


def codes(name: str, data: bytes) -> dict[str, int]:
    view = parse(mail_with((name, data)), ENV)
    assert not view.problems
    return {f.code: f.count for f in PersonalData(today=TODAY).inspect(view)}


MY_NUMBER_LABELS = [
    "個人番号",
    "マイナンバー",
    "ﾏｲﾅﾝﾊﾞｰ",
    "ｺｼﾞﾝﾊﾞﾝｺﾞｳ",
    "コジンバンゴウ",
    "ＭＹ　ＮＵＭＢＥＲ",
    "ｍｙ ｎｕｍｂｅｒ",
]


@pytest.mark.parametrize("label", MY_NUMBER_LABELS)
def test_a_my_number_label_in_any_width_in_a_cp932_text(label):
    data = f"従業員情報\r\n氏名　ﾔﾏﾀﾞ ﾀﾛｳ\r\n{label}：{MN}\r\n".encode("cp932")
    assert codes("従業員.txt", data).get("pii.my_number") == 1


@pytest.mark.parametrize("label", MY_NUMBER_LABELS)
def test_a_my_number_label_in_any_width_in_a_docx_and_a_form(label):
    assert codes("申告書.docx", docx(["扶養控除等申告書", f"{label} {MN}"])).get("pii.my_number") == 1
    form = xlsx({"帳票": [["給与所得の源泉徴収票"], [label, MN]]})
    assert codes("源泉徴収票.xlsx", form).get("pii.my_number") == 1


def test_a_twelve_digit_number_without_a_label_stays_unread():
    data = f"ﾋﾝﾊﾞﾝ：{MN}\r\nｾｲｿﾞｳﾊﾞﾝｺﾞｳ {MN}\r\n".encode("cp932")
    assert "pii.my_number" not in codes("製品.txt", data)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ﾊﾟｽﾎﾟｰﾄ TK1234567", "pii.passport"),
        (f"ｸﾚｼﾞｯﾄ {CARD}", "pii.credit_card"),
        (f"ｶｰﾄﾞ番号 {CARD}", "pii.credit_card"),
    ],
)
def test_other_labels_in_half_width_kana(text, code):
    assert codes("申込.txt", f"申込内容\r\n{text}\r\n".encode("cp932")).get(code) == 1


def test_every_label_is_spelled_in_half_width_too():
    for cls, words in P._LABELS_AS_LISTED.items():
        for word in words:
            assert word in P.CONTEXT_WORDS[cls]
    assert {"ﾏｲﾅﾝﾊﾞｰ", "ｺｼﾞﾝﾊﾞﾝｺﾞｳ"} <= set(P.CONTEXT_WORDS["my_number"])
    assert {"ﾊﾟｽﾎﾟｰﾄ", "在留ｶｰﾄﾞ"} <= set(P.CONTEXT_WORDS["passport"]) | set(P.CONTEXT_WORDS["residence"])
