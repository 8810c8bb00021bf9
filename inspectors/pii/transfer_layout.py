"""A transfer file's payees, and the files read by their byte layout alone, when the
character pattern of `zengin` fails.

`zengin` reads a record only when every field holds the Zengin character set: one byte
changed per record (an O for a 0 in the amount, an & in a name, a blank record type) would
make every record unreadable, and payee names in Shift_JIS full-width characters (15
double-byte characters in the 30-byte field) are outside that set, while the bank still
processes such a file. What the format cannot do without is its byte layout: 120-byte records
(全銀協制定ファイルフォーマット, see `zengin`) with the bank code (bytes 2-5), the branch code
(21-23), the account type (43) and the account number (44-50) in digits. Here the text is
taken back to its bytes (CP932, as the format is written) and three or more records in a row
at 120-byte steps (a line break allowed between) with those four fields in place, marked as a
transfer file by their record type (2), a header (1) before them or a trailer (8) after,
are its payees, whatever the other bytes hold.

EBCDIC files (コード区分 1) reach the detector decoded as CP932 (digits F0-F9 are lead bytes
of its user-defined area): taken back to their bytes and decoded as EBCDIC (cp037: digits,
upper-case letters, the blank and ( ) . , - / as the Zengin set has them), they are read the
same way; `ebcdic` says whether the text is one (mostly EBCDIC blanks, 0x40, and digits).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import re2

from .. import patterns as P
from ..account_holders import BY_FORM, AccountHolders

RECORD = 120
NAMED = re.compile(
    "[A-Za-z\uff66-\uff9f\u30a1-\u30fa\u3041-\u3096\u4e00-\u9fff\uff21-\uff5a]"
)  # letters: digits are no one
_COMPANY = tuple(
    unicodedata.normalize("NFKC", m).lower()
    for m in P.CORPORATE_HOLDERS + ("ﾕ)", "(ﾕ", "ｲ)", "(ｲ", "ﾄﾞ)", "(ﾄﾞ", "ｻﾞｲ)", "ｼﾔ)", "ｶﾞｸ)", "ｼﾕｳ)", "ｼﾞﾑ)")
)
_LATIN1 = re2.Options()
_LATIN1.encoding = re2.Options.Encoding.LATIN1
# A data record: its type byte, then bank, its name, branch, its name, clearing house, account
# type and account number (bytes 2-50) in place, and 70 bytes more. Three in a row are looked
# for by one RE2 pass (linear, whatever the text): a search per candidate record would cost a
# Python step per position in a text of digits.
_R = rb"[^\r\n]"
_KEYS = re2.compile(rb"[0-9]{4}" + _R + rb"{15}[0-9]{3}" + _R + rb"{19}[1-9][0-9]{7}", _LATIN1)
_RECORD = _R + rb"[0-9]{4}" + _R + rb"{15}[0-9]{3}" + _R + rb"{19}[1-9][0-9]{7}" + _R + rb"{70}"
_THREE = re2.compile(rb"(?:" + _RECORD + rb"(?:\r\n|\n|\r)?){2}" + _RECORD, _LATIN1)
_STEPS = (RECORD, RECORD + 1, RECORD + 2)  # no break, LF or CR, CRLF
_KINDS = ("11", "12", "21", "71", "72")  # 種別コード: 給与, 賞与, 総合
_PUA = re2.compile("[\ue000-\ue757]")  # CP932's user-defined area: EBCDIC digits


@dataclass(frozen=True)
class Payee:
    """One data record's payee. Raw personal data: it never leaves the package."""

    record: int  # 1-based record number in the file (the header is record 1)
    bank: str
    branch: str
    account: str
    name: str

    @property
    def account_key(self) -> str:
        return f"{self.bank}-{self.branch}-{self.account}"


@dataclass(frozen=True)
class Transfer:
    """One transfer file found in a text: its payees and the span it covers."""

    kind: str  # 種別コード, "" when the header was not found
    payees: tuple[Payee, ...]
    start: int  # character offsets in the text
    end: int
    damaged: int  # records skipped as unreadable


def is_company(name: str, holders: AccountHolders = BY_FORM) -> bool:
    """A payee whose name marks a company (ｶ), (ｶ, ﾕ) ...), or is one the guard was given (ours,
    a client's: ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ, small kana written large as banks do): an account, not a person."""
    folded = unicodedata.normalize("NFKC", name).lower()
    return any(marker in folded for marker in _COMPANY) or holders.is_company(name)


def from_bytes(raw: bytes, encoding: str) -> list[Transfer]:
    """The transfer files in `raw` (bytes in `encoding`) found by their layout."""
    found = []
    for start, end, offsets in records(raw):
        breaks = b"\n" in raw[start:end] or b"\r" in raw[start:end]
        payees, number = [], 0
        for at in offsets:  # counted on from record to record, as in _numbered
            number = number + 1 if breaks and at > start else (at - start) // RECORD
            record = raw[at : at + RECORD]
            name = " ".join(field(record, 51, 80, encoding).split())
            if not NAMED.search(name):
                continue
            payees.append(
                Payee(
                    record=number + 1,
                    bank=field(record, 2, 5, encoding),
                    branch=field(record, 21, 23, encoding),
                    account=field(record, 44, 50, encoding),
                    name=name,
                )
            )
        if payees:
            found.append(Transfer(kind="", payees=tuple(payees), start=start, end=end, damaged=0))
    return found


def records(raw: bytes) -> list[tuple[int, int, list[int]]]:
    """(file start, file end, data record offsets) of each run of data records in `raw`."""
    runs, pos = [], 0
    while (m := _THREE.search(raw, pos)) is not None:
        start = m.start()
        run = _run(raw, start)
        first = _header(raw, start)
        end = _tail(raw, run[-1])
        if first < start or end > run[-1] + RECORD or sum(raw[s] == 0x32 for s in run) * 2 > len(run):
            runs.append((first, end, run))
        pos = max(run[-1] + RECORD, start + 1)
    return runs


def _run(raw: bytes, start: int) -> list[int]:
    run = [start]
    while True:
        at = run[-1]
        nxt = next(
            (at + step for step in _STEPS if _fits(raw, at + step, raw[at + RECORD : at + step])), None
        )
        if nxt is None:
            return run
        run.append(nxt)


def _fits(raw: bytes, at: int, between: bytes) -> bool:
    return (
        between in (b"", b"\n", b"\r", b"\r\n")
        and _KEYS.match(raw, at + 1) is not None
        and raw[at : at + 1] not in (b"\r", b"\n", b"")
    )


def _header(raw: bytes, start: int) -> int:
    """Where the header record before the first data record starts (`start` if there is none)."""
    for step in _STEPS:
        at = start - step
        if (
            at >= 0
            and raw[at : at + 1] == b"1"
            and raw[at + RECORD : start] in (b"", b"\n", b"\r", b"\r\n")
            and b"\n" not in raw[at : at + RECORD]
        ):
            return at
    return start


def _tail(raw: bytes, last: int) -> int:
    """The end of the last data record, or of the trailer and end records after it."""
    end = last + RECORD
    for mark in (b"8", b"9"):
        at = end + len(raw[end : end + 2]) - len(raw[end : end + 2].lstrip(b"\r\n"))
        if raw[at : at + 1] != mark:
            break
        stop = raw.find(b"\n", at, at + RECORD + 1)
        end = at + RECORD if stop < 0 else stop
    return min(end, len(raw))


def field(record: bytes, first: int, last: int, encoding: str) -> str:
    """Bytes first..last (1-based, as the format numbers them) as text."""
    return record[first - 1 : last].decode(encoding, "replace")


def ebcdic(text: str) -> bytes | None:
    """The text as EBCDIC decodes it, in bytes a Zengin reader can read (cp037 to Latin-1
    where it fits), or None when the text does not look like an EBCDIC file."""
    if len(text) < RECORD:
        return None
    opening = text[:4].encode("cp932", "replace").decode("cp037")  # a header: 1, 種別, コード区分 1
    if not (opening[:1] == "1" and opening[1:3] in _KINDS and opening[3:4] == "1") and (
        text.count("@") * 4 < len(text) or _PUA.search(text) is None
    ):
        return None
    raw = text.encode("cp932", "replace")
    return raw.decode("cp037").encode("latin-1", "replace")


def unreadable(text: str) -> bool:
    """An EBCDIC file that no reader here could read: to be reported, never passed over."""
    decoded = ebcdic(text)
    return decoded is not None and decoded[:1] == b"1" and not from_bytes(decoded, "latin-1")
