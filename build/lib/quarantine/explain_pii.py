"""The personal-data sentences of `explain`: lists of people with whose they are (the tallies
third_parties / recipient_org / own_org of the team's fixed interface), premises that are not
people (`pii.places`), bank transfer files (全銀協, where "…!records 2-13"), identifiers and
contact details — each with its masked samples only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from inspectors.base import Finding
from rules.decide import tally

from .display import Said, clean, locations, plural, samples

# kind -> (ja, en one, en many); also the attribute names of "12 people: address+phone"
NOUNS: dict[str, tuple[str, str, str]] = {
    "person_name": ("氏名", "personal name", "personal names"),
    "phone": ("電話番号", "phone number", "phone numbers"),
    "email_address": ("メールアドレス", "e-mail address", "e-mail addresses"),
    "address": ("住所", "home address", "addresses"),
    "postal_code": ("郵便番号", "postal code", "postal codes"),
    "birth_date": ("生年月日", "date of birth", "dates of birth"),
    "my_number": (
        "マイナンバー（個人番号）",
        "My Number (individual number)",
        "My Numbers (individual numbers)",
    ),
    "resident_code": (
        "住民票コード",
        "resident record code (住民票コード)",
        "resident record codes (住民票コード)",
    ),
    "credit_card": ("クレジットカード番号", "credit card number", "credit card numbers"),
    "bank_account": ("銀行口座番号", "bank account number", "bank account numbers"),
    "passport": ("旅券（パスポート）番号", "passport number", "passport numbers"),
    "drivers_license": ("運転免許証番号", "driving licence number", "driving licence numbers"),
    "pension_number": ("基礎年金番号", "basic pension number", "basic pension numbers"),
    "health_insurance": ("健康保険証の番号", "health insurance number", "health insurance numbers"),
    "residence_card": ("在留カード番号", "residence card number", "residence card numbers"),
    "corporate_number": ("法人番号", "corporate number", "corporate numbers"),
}
CONTACTS = ("person_name", "phone", "email_address", "address", "postal_code", "birth_date")
_NOTES = {
    "my_number": (
        "マイナンバーは法律で、決められた手続き以外では社外に渡せません。",
        "By law, My Numbers may be passed on only for set procedures.",
    ),
    "corporate_number": ("法人番号は公開情報です。", "Corporate numbers are public."),
}
_LIST = re.compile(r"(\d+) people: ([a-z_+]+)")  # pii.records' "12 people: address+phone"
_RECORDS = re.compile(r"!records? \d")
_PAYEES = {"bank_account", "person_name"}


def _numbers(f: Finding) -> Said:
    kind = f.code.removeprefix("pii.")
    ja_n, one, many = NOUNS[kind]
    ja_at, en_at = locations(f.where)
    if kind == "bank_account" and _is_transfer_file(f):
        return (
            f"{ja_at}に銀行の振込データ（全銀協フォーマット）があり、振込先の口座番号が {f.count} 件入っています。",
            f"There is a bank transfer file (Zengin format) in {en_at}: {f.count} payee account number{plural(f.count)}.",
        )
    ja = f"{ja_at}に{ja_n}が {f.count} 件あります"
    en = f"There {'is' if f.count == 1 else 'are'} {f.count} {one if f.count == 1 else many} in {en_at}"
    if kind not in CONTACTS:
        shown = [clean(s, 30) for s in samples(f.evidence)[:2]]
        if shown:
            ja += f"（{'、'.join(shown)}）"
            en += f" ({', '.join(shown)})"
    ja, en = ja + "。", en + "."
    third = tally(f, "third_parties")
    if kind in CONTACTS and 0 <= third < f.count:
        ja += f"うち第三者（宛先の会社・当社・拠点以外）のものは {third} 件です。"
        en += (
            f" {third} of them belong to third parties (not the recipients' organisation, ours, or premises)."
        )
    note = _NOTES.get(kind)
    return (f"{ja}{note[0]}", f"{en} {note[1]}") if note else (ja, en)


def _records(f: Finding) -> Said:
    ja_at, en_at = locations(f.where)
    n = f.count
    if _is_transfer_file(f):
        return (
            f"{ja_at}に銀行の振込データ（全銀協フォーマット）があり、振込先 {n} 人分の名前と口座番号が入っています。",
            f"There is a bank transfer file (Zengin format) in {en_at}: names and account numbers of {n} payee{plural(n)}.",
        )
    attrs = {a for s in samples(f.evidence) if (m := _LIST.fullmatch(s)) for a in m.group(2).split("+")}
    third, theirs, ours = (max(0, tally(f, name)) for name in ("third_parties", "recipient_org", "own_org"))
    # A list wholly of one organisation's people says whose in the sentence itself; a mixed
    # one adds who they are ("うち宛先の会社の方 3 人、それ以外の方（第三者） 12 人です").
    whose = _WHOSE[0 if theirs == n else 1] if n and n in (theirs, ours) else ("", "")
    people = "person" if n == 1 else "people"
    if attrs == _PAYEES:  # a table of payees typed by hand (a transfer file has records)
        ja = f"{ja_at}に{whose[0]} {n} 人分の氏名と銀行口座番号（振込先の一覧など）があります。"
        en = f"There are names and bank account numbers of {n} {people}{whose[1]} in {en_at} (a list of payees?)."
    else:
        known = [k for k in NOUNS if k in attrs]
        ja_what = f"（{'・'.join(NOUNS[k][0] for k in known)}）" if known else ""
        en_what = f" ({', '.join(NOUNS[k][2] for k in known)})" if known else ""
        ja = f"{ja_at}に{whose[0]} {n} 人分の個人情報{ja_what}があります。"
        en = f"There is personal data of {n} {people}{whose[1]}{en_what} in {en_at}."
    parts = [(c, j, e) for c, (j, e) in zip((theirs, ours, third), (*_WHOSE, _THIRD)) if c]
    if not whose[0] and (theirs or ours):
        ja += "うち" + "、".join(f"{j} {c} 人" for c, j, _ in parts) + "です。"
        said = [f"{c}{e}" for c, _, e in parts]
        en += " Of them: " + (", ".join(said[:-1]) + " and " if len(said) > 1 else "") + said[-1] + "."
    return ja, en


_WHOSE = (("宛先の会社の方", " of the recipients' organisation"), ("当社の社員", " of our own staff"))
_THIRD = ("それ以外の方（第三者）", " third parties")


def _places(f: Finding) -> Said:
    ja_at, en_at = locations(f.where)
    n = tally(f, "places")
    n = n if n >= 0 else f.count
    words = [clean(s, 20) for s in samples(f.evidence)[:3]]
    ja_e = f"、{'・'.join(words)} など" if words else ""
    en_e = f", e.g. {', '.join(words)}" if words else ""
    return (
        f"{ja_at}の一覧は、拠点・建物の一覧（{n} 件{ja_e}）です。個人の情報としては数えていません。",
        f"The list in {en_at} is a list of premises such as offices, branches or buildings ({n} "
        f"entr{plural(n, 'ies', 'y')}{en_e}). It is not counted as personal data.",
    )


def _is_transfer_file(f: Finding) -> bool:
    """The Zengin reader places payees by record ("…!records 2-13", "…!record 2"); nothing
    else does. A table of payees typed by hand has cells or lines."""
    return any(_RECORDS.search(w) for w in f.where)


PII_SENTENCES: dict[str, Callable[[Finding], Said]] = {
    **{f"pii.{kind}": _numbers for kind in NOUNS},
    "pii.records": _records,
    "pii.places": _places,
}
