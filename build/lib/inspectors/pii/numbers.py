"""The long-number rules: what a run of digits is, by its label, its shape and its checks.

Under a label, the label's type is tried first (a 12-digit number under 個人番号 is read as a
My Number or as nothing); what does not fit falls through to the unlabelled rules, which
only accept what validates on its own: numbering-plan phones, Luhn cards with a brand prefix,
T-numbers, a 3-4 postal code right before a prefecture.
"""

from __future__ import annotations

import re

from .. import patterns as P
from . import validators as V
from .normaliser import ascii_form, digits_of, groups_of

_PHONES = V.PhonePlan()
_PREF_STARTS = P.PLACE_STARTS
_NOTHING: tuple = ()
_SPACED_HYPHEN = re.compile(r" ?- ?")  # 1234 - 567890 as written in a form
_ORG_AFTER = ("代表", "大代表", "FAX", "Fax", "窓口")  # 03-1234-5678（代表）


def read_number(clf, text: str, start: int, end: int, labels) -> tuple:
    """(kind, value, strong) tuples for the number `text` at data[start:end]."""
    digits = digits_of(text)
    before = clf.data[start - 1 : start] if start else b""
    if before.isalnum() and before.isascii():
        if before in (b"T", b"t") and len(digits) == 13 and V.corporate_number_is_valid(digits):
            return (("corporate_number", digits, True),)  # T + 法人番号: one organisation
        return _NOTHING  # part of a code: AB-1234567, X12345678
    near = labels.near(start)
    if labels.chained and near and digits[:1] == "0" and clf.phone_kind(digits):
        near = ""  # a list's label does not pass to the phone number after the list
    rule = _LABELLED.get(near)
    if rule is not None:
        found = rule(clf, digits, text, end)
        if found is not None:
            return found
    return _unlabelled(clf, digits, text, start, end, near, labels)


def _my_number(clf, digits, text, end):
    if len(digits) == 12:
        return (("my_number", digits, True),) if V.my_number_is_valid(digits) else _NOTHING
    return None


def _license(clf, digits, text, end):
    """12 digits with a 公安委員会 code and the check digit; other 12 digits under the label
    are nothing (an application number, a typo), not a My Number or a phone."""
    if len(digits) != 12:
        return None
    return (("drivers_license", digits, True),) if V.licence_is_valid(digits) else _NOTHING


def _resident(clf, digits, text, end):
    """住民票コード: 11 digits with its check digit, only under its own label. What fails the
    check, or is grouped like a phone number (090-1234-5678), is left to the unlabelled rules:
    "住民票コードの件は 090-1234-5678 まで" gives a phone, not a code nor nothing."""
    if len(digits) != 11 or (digits[0] == "0" and len(groups_of(text)) > 1):
        return None
    return (("resident_code", digits, True),) if V.resident_code_is_valid(digits) else None


def _order(clf, digits, text, end):
    return _NOTHING


def _corporate(clf, digits, text, end):
    if len(digits) == 13:
        return (("corporate_number", digits, True),) if V.corporate_number_is_valid(digits) else _NOTHING
    return None


def _pension(clf, digits, text, end):
    """4-6 (1234-567890) as written; another grouping of ten digits (a phone number under the
    label's reach, 12-34567890) falls through to the unlabelled rules."""
    if clf.data[end : end + 1].isdigit():
        return None  # 1234 - 5678901: not the 4-6 form
    value = V.pension_number_form(_SPACED_HYPHEN.sub("-", ascii_form(text)))
    return (("pension_number", value, True),) if value else None


def _health(clf, digits, text, end):
    return (("health_insurance", digits, True),) if 6 <= len(digits) <= 10 else None


def _bank(clf, digits, text, end):
    """普通 1234567, or ゆうちょ's 記号-番号 (1xxxx-xxxxxxxx) however the bank was named."""
    groups = groups_of(text)
    if len(groups) == 2 and groups[0] == 5 and digits[0] == "1":
        value = digits[:5] + "-" + digits[5:]
    elif len(digits) == 7:
        value = digits
    else:
        return None
    return _NOTHING if clf.corporate_holder(end) else (("bank_account", value, True),)


def _postal(clf, digits, text, end):
    return (("postal_code", digits, True),) if len(digits) == 7 else None


def _card(clf, digits, text, end):
    return (("credit_card", digits, True),) if V.card_is_valid(digits) else None


def _birth(clf, digits, text, end):
    if len(digits) != 8:
        return None
    value = V.birth_date(digits, clf.today)
    return (("birth_date", value.isoformat(), True),) if value else _NOTHING


_LABELLED = {
    "my_number": _my_number,
    "license": _license,
    "order": _order,
    "corporate": _corporate,
    "pension": _pension,
    "health": _health,
    "bank": _bank,
    "yucho": _bank,
    "postal": _postal,
    "card": _card,
    "birth": _birth,
    "resident_code": _resident,
}


def _unlabelled(clf, digits: str, text: str, start: int, end: int, near: str, labels) -> tuple:
    n = len(digits)
    if 10 <= n <= 12 and (digits[0] == "0" or text.lstrip()[:1] in "+＋"):
        after = clf.data[end : end + 16].decode("utf-8", "ignore").lstrip(" ").lstrip("(（")
        org = after.startswith(_ORG_AFTER) or labels.near(start, P.ORG_LABEL_BYTES) == "org_phone"
        return _phone(clf, digits, org)
    if 14 <= n <= 19 and _card_grouping(groups_of(text)) and V.card_is_valid(digits):
        return (("credit_card", digits, True),)
    if n == 7 and groups_of(text) == (3, 4):
        following = clf.data[end : end + 16].decode("utf-8", "ignore").lstrip(" \u3000")
        if following.startswith(_PREF_STARTS):
            return (("postal_code", digits, True),)
    return _NOTHING


def phone_kind(digits: str) -> str | None:
    """The numbering plan's type of a national number (see validators.PhonePlan)."""
    return _PHONES.kind(digits)


def _phone(clf, digits: str, org: bool) -> tuple:
    kind = clf.phone_kind(digits)
    if kind is None or kind in V.PhonePlan.SHARED:
        return _NOTHING  # invalid, or a toll-free/navi-dial line
    if org and kind != "mobile":
        return _NOTHING  # 代表 03-..., FAX 03-...: the company's
    return (("phone", _PHONES.national(digits), True),)


def _card_grouping(groups: tuple[int, ...]) -> bool:
    """Contiguous, or 4-4-4-4(-3), 4-6-4 (Diners), 4-6-5 (Amex): not any run of numbers."""
    if len(groups) == 1:
        return True
    if groups in ((4, 6, 4), (4, 6, 5)):
        return True
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4
