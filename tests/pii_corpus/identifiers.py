"""Issue 14, class 3 (continued): the identifiers Microsoft Purview does not check.

Driver's licence numbers (公安委員会 code, check digit), 住民票コード (11 digits with check digit,
only under its label: unlabelled 11-digit numbers are everywhere) and 基礎年金番号 (4-6) in a
person's record. Hard negatives: the same lines with a wrong check digit, a code no commission
uses, no label, or the wrong shape.
"""

from __future__ import annotations

from collections import Counter

from fakes import NOT_LICENCE_CODES, Fake, licence_check
from mails import People, Spec
from recipes import registration

CARRIERS = ("plain", "html", "csv_cp932", "xlsx_row1", "zip")
LICENCE_LABELS = ["運転免許証番号", "免許証番号", "運転免許証 番号", "免許証No."]
RESIDENT_LABELS = ["住民票コード", "住民票コード（11桁）", "住民票ｺｰﾄﾞ"]
PENSION_LABELS = ["基礎年金番号", "基礎年金番号（年金手帳）", "年金手帳の基礎年金番号"]


def _licence_written(f: Fake, number: str) -> str:
    return f.r.choice(
        [
            number,
            f"第{number}号",
            f"{number[:4]} {number[4:8]} {number[8:]}",
            f.style(number, full=0.5, dash=0),
        ]
    )


def _wrong(digit: str, f: Fake) -> str:
    return str((int(digit) + f.r.randint(1, 9)) % 10)


def _my_number_valid(d: str) -> bool:
    total = sum(int(x) * w for x, w in zip(d, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2))) % 11
    return len(d) == 12 and d[11] == str(0 if total <= 1 else 11 - total)


def _id_line(f: Fake, kind: str) -> tuple[str, str, str]:
    """(label, value, the type it counts as or "")."""
    if kind == "licence":
        return f.r.choice(LICENCE_LABELS), _licence_written(f, f.licence()), "drivers_license"
    if kind == "resident":
        return f.r.choice(RESIDENT_LABELS), f.resident_code(), "resident_code"
    if kind == "pension":
        return f.r.choice(PENSION_LABELS), f.pension(), "pension_number"
    if kind == "licence_bad_check":
        good = f.licence()
        return f.r.choice(LICENCE_LABELS), good[:10] + _wrong(good[10], f) + good[11], ""
    if kind == "licence_bad_code":
        code = f.r.choice(NOT_LICENCE_CODES)
        first10 = f"{code:02d}{f.digits(8)}"
        return f.r.choice(LICENCE_LABELS), first10 + str(licence_check(first10)) + "0", ""
    if kind == "licence_no_label":
        while True:
            number = f.licence()
            if not _my_number_valid(number):
                return f.r.choice(["お問い合わせ番号", "受付番号", "会員番号"]), number, ""
    if kind == "resident_bad_check":
        good = f.resident_code()
        return f.r.choice(RESIDENT_LABELS), good[:10] + _wrong(good[10], f), ""
    if kind == "resident_no_label":
        return f.r.choice(["受付番号", "顧客コード", "伝票番号"]), f.resident_code(), ""
    if kind == "pension_no_label":
        return f.r.choice(["伝票番号", "部品番号", "管理番号"]), f.pension(), ""
    digits = str(f.r.randint(1, 9)) + f.digits(9)  # pension_bad_shape: 5-5 or 4-5 (no leading 0: no phone)
    return (
        f.r.choice(PENSION_LABELS),
        f.r.choice([f"{digits[:5]}-{digits[5:]}", f"{digits[:4]}-{digits[4:9]}"]),
        "",
    )


POSITIVE = ("licence", "resident", "pension")
NEGATIVE = (
    "licence_bad_check",
    "licence_bad_code",
    "licence_no_label",
    "resident_bad_check",
    "resident_no_label",
    "pension_no_label",
    "pension_bad_shape",
)


def mail(f: Fake, kind: str, carrier: str) -> Spec:
    """One person's registration: name, birth date, phone and the identifier line."""
    p = People(f)
    surname, given = f.name()
    birth, _ = f.birth()
    label, value, counts_as = _id_line(f, kind)
    lines = [
        ("氏名", f"{surname} {given}"),
        ("生年月日", birth),
        ("電話番号", f.style(f.mobile())),
        (label, value),
    ]
    positive = kind in POSITIVE
    spec = Spec(
        "positive" if positive else "hard_negative",
        carrier,
        "登録情報のご連絡",
        "",
        note=f"identifier:{kind}",
        group="identifiers",
        hold=positive,
        **p.header(),
    )
    expect = Counter(person_name=1, birth_date=1, phone=1)
    if counts_as:
        expect[counts_as] += 1
    return registration(f, p, spec, lines, expect)
