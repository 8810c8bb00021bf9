"""Checks that turn a candidate into a value: check digits, the numbering plan, calendars.

All take ASCII digits (see `normaliser.digits_of`) and return a verdict; none raises.
"""

from __future__ import annotations

import datetime
import re

import phonenumbers

_MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def my_number_is_valid(digits: str) -> bool:
    """Check digit of the 個人番号 (総務省令 第五条): weights 6,5,4,3,2,7,6,5,4,3,2, mod 11."""
    if len(digits) != 12 or not digits.isdigit() or not digits.isascii():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:11], _MY_NUMBER_WEIGHTS)) % 11
    check = 0 if remainder <= 1 else 11 - remainder
    return check == int(digits[11])


# 公安委員会 codes that open a licence number: 10-14 the five Hokkaido areas (札幌, 函館, 旭川,
# 釧路, 北見), then one per prefecture from 20 (青森) to 97 (沖縄), in the police's regional order.
LICENCE_PREFIXES = frozenset(
    [
        "10",
        "11",
        "12",
        "13",
        "14",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "30",
        "40",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "50",
        "51",
        "52",
        "53",
        "54",
        "55",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "70",
        "71",
        "72",
        "73",
        "74",
        "80",
        "81",
        "82",
        "83",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
    ]
)
_TEN_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _weighted_mod11(digits: str) -> int:
    """Σ digit × weight mod 11 over ten digits, weights 5,4,3,2,7,6,5,4,3,2 (left to right)."""
    return sum(int(d) * w for d, w in zip(digits, _TEN_WEIGHTS)) % 11


def licence_is_valid(digits: str) -> bool:
    """運転免許証番号: 公安委員会 code (2), year first licensed (2), serial (6), check digit,
    reissue count. The check digit is (11 - Σ dᵢwᵢ mod 11) mod 10 over the first ten digits,
    weights 5,4,3,2,7,6,5,4,3,2: the police do not publish it; it is the one every published
    analysis of real licences agrees on (e.g. tetsutalow.github.io/driversnumbercheckdigit,
    jiko0.com/bangou.html), remainder 0 giving 1 and remainder 1 giving 0."""
    if len(digits) != 12 or not digits.isdigit() or not digits.isascii():
        return False
    if digits[:2] not in LICENCE_PREFIXES:
        return False
    return (11 - _weighted_mod11(digits[:10])) % 10 == int(digits[10])


def resident_code_is_valid(digits: str) -> bool:
    """住民票コード: ten random digits and a check digit (住民基本台帳法施行規則 第一条; the
    算式 is 平成14年総務省告示第436号): 11 - (Σ Pn×Qn mod 11), 0 when the remainder is 0 or
    1, Pn the n-th digit from the right, Qn = n+1 (n ≤ 6) or n-5 (n ≥ 7): the My Number's
    算式 over ten digits."""
    if len(digits) != 11 or not digits.isdigit() or not digits.isascii():
        return False
    remainder = _weighted_mod11(digits[:10])
    return (0 if remainder <= 1 else 11 - remainder) == int(digits[10])


def pension_number_form(text: str) -> str | None:
    """基礎年金番号 as written: 4 digits (the issuing office) and 6 (the serial), contiguous or
    split once by a hyphen or a space (full-width forms already made ASCII). No check digit
    is published for it, so the form and the label are all there is. "1234-567890"."""
    m = _PENSION.fullmatch(text.strip())
    return f"{m[1]}-{m[2]}" if m else None


_PENSION = re.compile(r"([0-9]{4})(?:-| ?)([0-9]{6})")


def corporate_number_is_valid(digits: str) -> bool:
    """法人番号: the leading digit is 9 - (sum of the next 12, weights 1,2,1,2,... from the right) mod 9."""
    if len(digits) != 13 or not digits.isdigit() or not digits.isascii():
        return False
    body = digits[1:][::-1]
    total = sum(int(d) * (2 if i % 2 else 1) for i, d in enumerate(body))
    return int(digits[0]) == 9 - total % 9


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """Visa, Mastercard, JCB (3528-3589), Amex, Diners; None for other prefixes or lengths."""
    n, head2, head4 = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= head2 <= 55 or 2221 <= head4 <= 2720) and n == 16:
        return "mastercard"
    if 3528 <= head4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if head2 in (34, 37) and n == 15:
        return "amex"
    if (head2 in (36, 38, 39) or 300 <= int(digits[:3]) <= 305) and 14 <= n <= 19:
        return "diners"
    return None


def card_is_valid(digits: str) -> bool:
    return 14 <= len(digits) <= 19 and card_brand(digits) is not None and luhn_is_valid(digits)


class PhonePlan:
    """The Japanese numbering plan as the `phonenumbers` metadata states it.

    Validation fullmatches the national significant number against the metadata's own
    patterns, compiled once: `phonenumbers.parse` per candidate would cost 20-40 µs, more
    than the whole scan of the line it sits in.
    """

    PERSONAL = ("mobile", "fixed_line", "voip", "personal_number", "pager")
    SHARED = ("toll_free", "premium_rate", "uan", "shared_cost")  # company lines by nature

    def __init__(self) -> None:
        meta = phonenumbers.PhoneMetadata.metadata_for_region("JP")
        # One alternation, a group per type in the order above: `re` tries the branches in
        # order, so the group that fullmatches is the first type that would have, at the
        # cost of one call instead of up to nine (a list of 110,000 phones asks 110,000 times).
        self._types = re.compile(
            "|".join(
                f"(?P<{name}>{desc.national_number_pattern})"
                for name in self.PERSONAL + self.SHARED
                if (desc := getattr(meta, name, None)) is not None and desc.national_number_pattern
            )
        )

    def kind(self, digits: str) -> str | None:
        """'mobile', 'fixed_line', 'toll_free', ... for a national number "0..."; None if invalid."""
        if digits.startswith("81") and len(digits) in (11, 12):  # +81 90 ... without the 0
            digits = "0" + digits[2:]
        if not digits.startswith("0") or len(digits) not in (10, 11):
            return None
        found = self._types.fullmatch(digits, 1)
        return found.lastgroup if found else None

    @staticmethod
    def national(digits: str) -> str:
        return "0" + digits[2:] if digits.startswith("81") else digits

    @staticmethod
    def formatted(digits: str) -> str:
        """090-1234-5678: the grouping the numbering plan gives, for masking."""
        number = phonenumbers.parse(PhonePlan.national(digits), "JP")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


_ERAS = {
    "明治": 1867,
    "大正": 1911,
    "昭和": 1925,
    "平成": 1988,
    "令和": 2018,
    "M": 1867,
    "T": 1911,
    "S": 1925,
    "H": 1988,
    "R": 2018,
}
_ERA_YEARS = {
    "明治": 45,
    "大正": 15,
    "昭和": 64,
    "平成": 31,
    "令和": 99,
    "M": 45,
    "T": 15,
    "S": 64,
    "H": 31,
    "R": 99,
}
_DATE = re.compile(
    r"(?P<era>明治|大正|昭和|平成|令和|[MTSHRmtshr])?\.?\s?(?P<y>\d{1,4}|元)\s?[/\-.年]\s?"
    r"(?P<m>\d{1,2})\s?[/\-.月]\s?(?P<d>\d{1,2})"
)


def birth_date(text: str, today: datetime.date) -> datetime.date | None:
    """A date that can be a birth date: real, in the past, after 1900. Text is ASCII-form."""
    m = _DATE.search(text)
    if m is None:
        return _compact_date(text, today)
    era = (m["era"] or "").upper() if m["era"] and m["era"].isascii() else m["era"]
    year = 1 if m["y"] == "元" else int(m["y"])
    if era:
        if year > _ERA_YEARS[era]:
            return None
        year += _ERAS[era]
    elif year < 1000:
        return None
    return _real_date(year, int(m["m"]), int(m["d"]), today)


def _compact_date(text: str, today: datetime.date) -> datetime.date | None:
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != 8:
        return None
    return _real_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), today)


def _real_date(year: int, month: int, day: int, today: datetime.date) -> datetime.date | None:
    try:
        value = datetime.date(year, month, day)
    except ValueError:
        return None
    return value if datetime.date(1900, 1, 1) <= value <= today else None
