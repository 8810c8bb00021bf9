"""What in a row or an entry says premises, and what says a person (pii.places; issue 14).

One rule for tables (`premises`) and text lists (`entries`), so that the same rows agree
wherever they stand:

- premises words (本社, 支店, 営業所 …, 店 at the end of a cell) and company legal forms, the
  latter as `company_names` spells them;
- an organisation's number block: a fixed line (the numbering plan's type, not a prefix
  list: mobiles, 050 VoIP, 0120 toll-free and 0570 navi-dial form no block) less its last
  two digits, 03-1234-56xx; it speaks for premises only when BLOCK_ROWS rows share it and
  they are at least half of the list's landline rows. An organisation's list is one block;
  a residential list from a few exchanges is many (300 members, 3 exchanges: no places);
- a person: a name, a birth date, a gender, any identifier, a mobile number (anywhere in a
  cell: 携帯 090…), a free-mail or ISP mail address, a personal mailbox (t.sato@corp.co.jp,
  not a role's: info@, eigyo@; patterns.ROLE_MAILBOXES).
"""

from __future__ import annotations

import re
from collections import Counter

import phonenumbers

from .. import patterns as P
from ..company_names import RAW_FORMS
from ..freemail import FreemailDomains
from .normaliser import ascii_form
from .numbers import phone_kind
from .validators import PhonePlan

# Legal forms standing whole: 株式会社, (株), ㈱ — not a lone "カ)" that a name in kana may hold.
COMPANY = tuple(
    f.decode()
    for f in RAW_FORMS
    if (f[:1] in b"(" or f.startswith("（".encode())) == (f.endswith(b")") or f.endswith("）".encode()))
)
_WORDS = (
    "本社",
    "本店",
    "支社",
    "支店",
    "営業所",
    "出張所",
    "事業所",
    "事務所",
    "工場",
    "倉庫",
    "物流センター",
    "センター",
    "店舗",
    "ビル",
    "営業店",
    "研究所",
    "データセンター",
)
_SUFFIXES = ("店", "館", "棟")  # too short to stand anywhere in a cell: only at its end
# The lookahead on the alternatives' first characters lets `re` pass most positions of a
# column's joined text with one class test instead of a hundred alternatives.
_FIRST = "".join(sorted({c for w in COMPANY + _WORDS + _SUFFIXES for c in (w[0].lower(), w[0].upper())}))
PREMISES = re.compile(
    f"(?=[{re.escape(_FIRST)}])(?:"
    + "|".join(
        [
            f"(?i:{'|'.join(map(re.escape, COMPANY))})",
            *map(re.escape, sorted(_WORDS, key=len, reverse=True)),
            f"(?:{'|'.join(_SUFFIXES)})\\s*$",
        ]
    )
    + ")",
    re.MULTILINE,
)
DIGITS = str.maketrans("", "", "-‐－―ー−() （）　 +")
BLOCK_ROWS = 3  # rows sharing a number block before it is one organisation's


def _fixed_line_pattern() -> str:
    """Japan's fixed-line numbers as libphonenumber's metadata writes them."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("JP")
    pattern = metadata.fixed_line.national_number_pattern if metadata and metadata.fixed_line else None
    if pattern is None:  # shipped with phonenumbers: its absence is a broken install
        raise LookupError("phonenumbers has no fixed-line pattern for JP")
    return pattern


_FIXED = re.compile("0(?:" + _fixed_line_pattern() + ")")
_RUNS = re.compile(r"\d{10,12}")
# Attributes of a person that no premises has (a name, a birth date, a gender, identifiers).
_PERSONAL_KINDS = (P.PERSON_ATTRIBUTES | {"name_kana"}) - {"phone", "email_address", "address"}
_SURNAMES = tuple(sorted((s for s in P.SURNAMES if len(s) >= 2), key=len, reverse=True))
_NAME_CHARS = re.compile("[一-龥々ヶぁ-んァ-ヶー]+")
# The roles of a premises' contact person (所長 田中, 拠点長, 担当者): staff, where a 契約者, 入居者
# or お客様 is a customer or a tenant of the premises.
STAFF_ROLE = re.compile(
    r"(?i)担当|所長|拠点長|支店長|支社長|店長|責任者|管理者|工場長|センター長|窓口|連絡先|manager|contact"
)
_KANA_NAME = re.compile("[ァ-ヶー]{2,8}[ 　][ァ-ヶー]{1,8}")
# Hepburn syllables (ka, shi, tsu, kyo, n, a doubled consonant), two or three capitalised words.
_WORD = (
    r"(?=[A-Z])(?i:(?:(?:[kgsztdnhbpmr]y?|sh|ch|ts|j|f|w|y)?[aiueo]|n(?![aiueoy])|[ktpscgdb](?=[ktpscgdb]))+)"
)
_ROMAJI_NAME = re.compile(rf"{_WORD}(?:[ 　]{_WORD}){{1,2}}")
_PREMISES_LATIN = re.compile(
    r"(?i)\b(?:store|shop|branch|office|building|bldg|center|centre|plaza|tower|hall|"
    r"hotel|station|mall|factory|plant|warehouse|honten|honsha|shiten|shisha|eigyosho|"
    r"kojo|soko|biru|inc|ltd|corp|co)\b"
)


def number_block(digits: str) -> str:
    """The number block of a fixed line given as digits ("0312345678" or "81312345678"):
    all but its last two digits; "" for any other number."""
    national = PhonePlan.national(digits)
    return national[:-2] if _FIXED.fullmatch(national) else ""


def block_rows(blocks: list[str]) -> list[int]:
    """The indexes of `blocks` (each row's or entry's number block, "" for none) whose block
    is an organisation's: shared by BLOCK_ROWS of them and by half the landline rows."""
    counts = Counter(b for b in blocks if b)
    landlines = sum(counts.values())
    shared = {b for b, n in counts.items() if n >= BLOCK_ROWS and 2 * n >= landlines}
    return [i for i, b in enumerate(blocks) if b in shared] if shared else []


def has_mobile(text: str) -> bool:
    """A mobile number anywhere in the text (separators and spaces ignored)."""
    return any(
        phone_kind(PhonePlan.national(run)) == "mobile"
        for run in _RUNS.findall(ascii_form(text).translate(DIGITS))
    )


def personal(kind: str, text: str, freemail: FreemailDomains | None) -> bool:
    """Whether a value of `kind` (a column's, a cell's shape or a hit's) speaks of a person.
    Without the free-mail list, no mail domain can be told an organisation's."""
    if kind in _PERSONAL_KINDS:
        return True
    if kind in ("phone", "other") and has_mobile(text):
        return True
    if "@" in text or "＠" in text:
        local, _, domain = ascii_form(text).strip().lower().rpartition("@")
        return freemail is None or domain in freemail or not _role(local)
    return kind == "other" and personal_name(text)


def _role(local: str) -> bool:
    """Whether a mailbox is a role's (info@, eigyo@), not a person's (t.sato@): an
    organisation's premises have the one, its staff the other."""
    return local in P.ROLE_MAILBOXES or local.split("+")[0] in P.ROLE_MAILBOXES


def personal_name(text: str) -> bool:
    """A name with no premises word: a known surname, then a given name or an honorific
    (山田 太郎, 鈴木様); or a family and a given name in katakana (サトウ タロウ) or in
    Hepburn romaji (Taro Sato), the forms a name's reading takes."""
    base = text.replace(" ", "").replace("\u3000", "")
    if 2 <= len(base) <= 8 and base.startswith(_SURNAMES) and _NAME_CHARS.fullmatch(base) is not None:
        return not PREMISES.search(base)
    return (
        (_KANA_NAME.fullmatch(text.strip()) is not None or _ROMAJI_NAME.fullmatch(text.strip()) is not None)
        and not PREMISES.search(text)
        and not _PREMISES_LATIN.search(text)
    )
