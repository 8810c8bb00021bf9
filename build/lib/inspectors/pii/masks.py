"""Masked evidence: what a sender and an admin may see of a value (DESIGN.md: never raw data).

Every function takes the normalised value and keeps at most the last three or four digits,
a first character, or the part of an address that names a town, so that a person can find
the value in their own message without the finding revealing it.
"""

from __future__ import annotations

import datetime

from .validators import PhonePlan


def mask(kind: str, value: str) -> str:
    """The masked form of `value` (normalised as the ledger keeps it) for `kind`."""
    masker = _MASKERS.get(kind, _tail)
    try:
        return masker(value)
    except Exception:  # a mask must never raise, nor fall back to the raw value
        return "****"


def _my_number(value: str) -> str:
    return "****-****-" + value[-4:]


def _card(value: str) -> str:
    return "****-****-****-" + value[-4:]


def _phone(value: str) -> str:
    if len(value) == 11 and value[:3] in ("090", "080", "070", "050", "060", "020"):
        return f"{value[:3]}-****-{value[-4:]}"  # 3-4-4, no need to ask the plan
    groups = PhonePlan.formatted(value).split("-")
    if len(groups) < 3:
        return value[:3] + "-****-" + value[-4:]
    return f"{groups[0]}-{'*' * len(groups[1])}-{groups[2]}"


def _email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def _postal(value: str) -> str:
    return f"〒{value[:3]}-****"


def _address(value: str) -> str:
    """Up to the municipality: 東京都千代田区****."""
    for end, c in enumerate(value):
        if c in "市区町村郡" and end >= 2:
            return value[: end + 1] + "****"
    return value[:3] + "****"


def _birth(value: str) -> str:
    year = datetime.date.fromisoformat(value).year
    return f"{str(year)[:2]}**-**-**"


def _name(value: str) -> str:
    return value[:1] + "＊" * max(1, len(value) - 1)


def _bank(value: str) -> str:
    """The account's last three digits; a transfer file's "bank-branch-account" shows no
    more of its bank or branch than an account in prose does."""
    account = value.rsplit("-", 1)[1] if value.count("-") == 2 else value
    return "*" * max(0, len(account) - 3) + account[-3:]


def _resident(value: str) -> str:
    return "*******" + value[-4:] if len(value) == 11 else "****"


def _passport(value: str) -> str:
    return value[:2] + "*****" + value[-2:]


def _residence(value: str) -> str:
    return value[:2] + "********" + value[-2:]


def _corporate(value: str) -> str:
    prefix = "T" if value.startswith("T") else ""
    return prefix + "*********" + value[-4:]


def _pension(value: str) -> str:
    return "****-**" + value[-4:]


def _tail(value: str) -> str:
    return "*" * max(0, len(value) - 4) + value[-4:] if len(value) > 6 else "****"


_MASKERS = {
    "my_number": _my_number,
    "drivers_license": _my_number,
    "resident_code": _resident,
    "credit_card": _card,
    "phone": _phone,
    "email_address": _email,
    "postal_code": _postal,
    "address": _address,
    "birth_date": _birth,
    "person_name": _name,
    "bank_account": _bank,
    "passport": _passport,
    "residence_card": _residence,
    "corporate_number": _corporate,
    "pension_number": _pension,
    "health_insurance": _tail,
}
