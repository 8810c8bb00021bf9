"""Account holders that are companies: a bank account on an invoice is personal data only when
its holder is a person (issue 17, item 6).

A holder is a company when it carries a corporate form, Japanese (株式会社, カ）, ㈱ …) or English
(Co., Ltd., Corporation, Inc., K.K., Kabushiki Kaisha, G.K., LLC, Limited, Holdings …) in any
case and width, or when it is one of the names the guard was given: `organization.names` (ours,
in every spelling we use, an English one included: the English form of a Japanese name cannot be
derived) and the client directory's names and aliases. Names compare by `key`: NFKC, lower case,
small kana written large, no legal form, no spaces, punctuation or long-vowel marks, so
"NARUMI TECHNO SERVICE CO., LTD." and "Narumi Techno Service Co.,Ltd." are one name.

Where the holder stands: the rest of the account number's line, or the nearest line labelled
as the holder (名義, Beneficiary:, Account name:, Payee: …) among the few lines after it, else
before it. Unlabelled lines around are not read: the bank's own name ("MUFG Bank, Ltd.") stands
there and is a company too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from . import company_names
from . import patterns as P

# Spaces are bounded ({0,3}): a crafted "co" and a thousand spaces must not make a regex
# backtrack quadratically, once per account number.
_ENGLISH_FORMS = re.compile(
    r"(?<![a-z0-9])(?:co\.?\s{0,3},?\s{0,3}ltd|company\s{1,3}limited|corporation|corp|incorporated|inc"
    r"|k\.\s?k|kabushiki\s{0,3}kaisha|g\.\s?k|godo\s{0,3}kaisha|l\.?l\.?c|llp|ltd|limited|holdings"
    r"|plc|gmbh|co\.|&\s{0,3}co)(?![a-z0-9])"  # co alone is Colorado as often: Co. or & Co
)
# Japanese forms (and kana ones of bank exports), NFKC'd like the holder; the English ones
# in the catalogue are matched by word above, not as substrings (Inc in Lincoln).
_JAPANESE_FORMS = tuple(
    unicodedata.normalize("NFKC", m).lower() for m in P.CORPORATE_HOLDERS if not m.isascii()
)
_EN_LABEL = r"(?:beneficiary(?:'s)?|account\s{1,3}(?:name|holder)|payee|a/c\s{1,3}name)(?:\s{1,3}name)?"
# What follows "Beneficiary" when it is not the holder: Beneficiary Bank, Beneficiary Address …
_NOT_HOLDER = (
    r"(?:bank|address|addr|country|branch|swift|bic|iban|account|a/c|no\b|number|code|city|tel|phone)"
)
# A holder label: Japanese anywhere in the line; English before a colon, or without one at the
# start of a line or cell (a sheet's "Beneficiary | NARUMI …" row reads as one spaced line).
_HOLDER_LABEL = re.compile(
    rf"口座名義人?|名義人?|受取人名?|{_EN_LABEL}\s{{0,3}}[:：]"
    rf"|(?:^|[\x1e\x1f\t])[ \t]{{0,3}}{_EN_LABEL}[ \t]{{1,3}}(?![ \t]*{_NOT_HOLDER})",
    re.IGNORECASE,
)
# Legal forms anywhere in a name, Japanese (as company_names spells them) and English: a key
# is what is left. One regex, not split_legal_form's loop: a list of payees calls it per row.
_FORMS = re.compile(
    "|".join(re.escape(f) for f in company_names.NORMALISED_FORMS) + "|" + _ENGLISH_FORMS.pattern
)
_NOT_KEY = re.compile(r"[\W_ー‐－ｰ]+")
# A table column headed as the holder (口座名義（カナ）, 受取人名, Beneficiary, Payee name …), the
# whole header cell, NFKC'd: that column, not the cells around the number, names the row's holder.
_HOLDER_HEADER = re.compile(
    rf"(?:振込先|受取人|受取)?(?:口座)?名義人?(?:\((?:カナ|かな|漢字)\))?|受取人(?:名|氏名)?|{_EN_LABEL}",
    re.IGNORECASE,
)
HOLDER_LABEL = "口座名義："  # how a row's holder is set beside its account number for the scanner
LINES_AROUND = 3  # non-blank lines read after (then before) an account number for its holder
# The bank named beside the number ("1234567 Sumitomo Mitsui Banking Corporation", 三井住友銀行
# 株式会社) is a company, and not the holder: an unlabelled rest of the line that names a bank
# decides nothing.
_BANK = re.compile(r"銀行|信用金庫|信用組合|労働金庫|協同組合|信金|\bbank(?:ing)?\b", re.I)


def key(name: str) -> str:
    """A name as compared: Narumi Techno Service Co.,Ltd. -> narumitechnoservice."""
    return _key_of(unicodedata.normalize("NFKC", name).lower())


def _key_of(folded: str) -> str:
    return _NOT_KEY.sub("", _FORMS.sub(" ", company_names.fold_kana(folded)))


def has_corporate_form(holder: str) -> bool:
    return _has_form(unicodedata.normalize("NFKC", holder).lower())


def _has_form(folded: str) -> bool:
    return any(m in folded for m in _JAPANESE_FORMS) or _ENGLISH_FORMS.search(folded) is not None


def labelled_holder(line: str) -> str | None:
    """The text after a holder label in `line` ("Beneficiary: X" -> "X"), or None."""
    m = _HOLDER_LABEL.search(line)
    return line[m.end() :].strip(" :：\t") if m else None


def is_holder_header(cell: str) -> bool:
    """Whether a header cell names the account holder's column."""
    if len(cell) > 40:  # a header is a few words; a long cell is not normalised to find out
        return False
    text = unicodedata.normalize("NFKC", cell).strip(" :\t*")
    return _HOLDER_HEADER.fullmatch(text) is not None


@dataclass(frozen=True)
class AccountHolders:
    """The companies whose accounts are not personal: by form, or by a name we were given."""

    names: frozenset[str] = frozenset()  # keys of the configured names

    @classmethod
    def of(cls, names: Iterable[str]) -> AccountHolders:
        return cls(frozenset(k for k in map(key, names) if len(k) >= 2))

    def is_company(self, holder: str) -> bool:
        folded = unicodedata.normalize("NFKC", holder).lower()
        if _has_form(folded):
            return True
        return bool(self.names) and _key_of(folded) in self.names

    def holder_is_company(self, text: str, end: int) -> bool:
        """Whether the account number ending at `end` in `text` belongs to a company: the rest
        of its line, else the nearest labelled holder line after or before it. A label alone
        on its line ("Beneficiary:" and the name below, as PDFs lay it out) takes the next line."""
        line_start = text.rfind("\n", 0, end) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        prefix, rest = text[line_start:end], text[end:line_end]
        after = [s for s in text[line_end:].split("\n", 8)[:8] if s.strip()][:LINES_AROUND]
        before = [s for s in text[:line_start].rsplit("\n", 8)[-8:] if s.strip()][-LINES_AROUND:]
        own = _holder_in([rest, *after[:1]], 0)
        if own is None:
            own = labelled_holder(prefix)
        if own is None and self.is_company(rest) and not _BANK.search(rest):
            return True
        if own is None:  # the nearest labelled line after, else before
            own = next((h for i in range(len(after)) if (h := _holder_in(after, i)) is not None), None)
        if own is None:
            lines = [*before, prefix + rest]
            own = next(
                (h for i in reversed(range(len(before))) if (h := _holder_in(lines, i)) is not None), None
            )
        return own is not None and self.is_company(own)


def _holder_in(lines: list[str], i: int) -> str | None:
    """The holder labelled in lines[i]: the text after its label, or the next line when the
    label stands alone; None without a label."""
    holder = labelled_holder(lines[i])
    if holder == "" and i + 1 < len(lines):
        return lines[i + 1].strip()
    return holder


BY_FORM = AccountHolders()  # no names configured: companies by their corporate form only
