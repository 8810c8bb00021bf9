"""Company names as people write them: legal forms, character widths, honorifics.

The directory holds one spelling (株式会社エー); mail and documents carry many: （株）エー,
エー㈱, エー社, ｴｰ, ｶ)ｴｰ in bank exports, ＡＣＭＥ. A name is reduced once, at start-up, to a
core and the width variants of that core, bank spellings included (small kana large, the long
vowel as -: `fold_kana`). The searched text is never normalised as a whole (only a text
with half-width small kana is folded, `fold_halfwidth`): NFKC over a 1 MB attachment costs
more than the whole inspection budget. Text is searched as
lower-cased UTF-8 bytes, and only the few bytes around a hit are read for context.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

LEGAL_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "特定非営利活動法人",
    "npo法人",
    "社会福祉法人",
    "医療法人",
    "学校法人",
    "弁護士法人",
    "税理士法人",
    "司法書士法人",
    "行政書士法人",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "inc.",
    "k.k.",
)
_ABBREVIATIONS = ("株", "有", "同", "資", "名", "一社", "一財", "公社", "公財", "特非", "福", "医", "学")
_CIRCLED = ("㈱", "㈲", "㈳", "㈶")
_KANA_FORMS = ("ｶ", "ﾕ", "ﾄﾞ", "ｼﾔ", "ｻﾞｲ", "カ", "ユ", "ド")  # bank exports: ｶ)ｴｰ, ｴｰ(ｶ
HONORIFICS = ("御中", "様", "殿", "さま", "宛", "御担当", "ご担当")
_SPACES = (b" ", b"\t", "\u3000".encode())
CELL = "\x1f"  # how table cells are joined for searching (see clients.py)
_END_BYTES = b"\n\r\t\x1e\x1f"  # line, tab, and the table row/cell joiners
_LINE_ENDS = frozenset(_END_BYTES)


def _build_halfwidth() -> MappingProxyType:
    """Full-width katakana -> half-width spelling (ガ -> ｶﾞ), derived from Unicode itself."""
    table: dict[str, str] = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        table.setdefault(unicodedata.normalize("NFKC", half), half)
    for code in range(0x30A1, 0x30FF):
        full = chr(code)
        base, *marks = list(unicodedata.normalize("NFD", full))
        if full not in table and base in table and marks in (["\u3099"], ["\u309a"]):
            table[full] = table[base] + ("ﾞ" if marks == ["\u3099"] else "ﾟ")
    return MappingProxyType(table)


_HALFWIDTH = _build_halfwidth()


# Small kana written large, as bank systems (全銀 names) and many forms do: ﾃｨ is ﾃｲ, ｯ is ﾂ. Each
# pair is the same length in UTF-8, so folded text keeps every byte offset.
_SMALL, _LARGE = "ァィゥェォッャュョヮヵヶｧｨｩｪｫｯｬｭｮ", "アイウエオツヤユヨワカケｱｲｳｴｵﾂﾔﾕﾖ"
_FOLD = str.maketrans(_SMALL, _LARGE)
_HALF_SMALL = re.compile("[ｧｨｩｪｫｯｬｭｮ]")
_LONG_VOWELS = re.compile("(?<=[\uff66-\uff9f])[ｰ\\-‐－ー]")  # after a half-width kana: ｰ or -


def fold_kana(text: str) -> str:
    """`text` with its small kana (either width) written large: the one kana folding that
    every comparison of names uses (the directory, account holders)."""
    return text.translate(_FOLD)


def fold_halfwidth(text: str) -> str:
    """Half-width small kana written large, the rest as is: what a searched text needs, since
    directory spellings are folded (`variants`). Full-width text is left alone: folding every
    ッ and ョ of a Japanese document costs more than the search, and people who type
    full-width kana write the small ones. Half-width kana are rare, so mostly a search."""
    return text.translate(_FOLD) if _HALF_SMALL.search(text) else text


def normalise(name: str) -> str:
    """NFKC, lower case, one space between Latin words and none next to Japanese."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name).lower()).strip()
    return re.sub(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ", "", text)


def _normalised_forms() -> tuple[str, ...]:
    forms = [normalise(f) for f in LEGAL_FORMS]
    forms += [f"({a})" for a in _ABBREVIATIONS] + [normalise(c) for c in _CIRCLED]
    forms += [normalise(k) + ")" for k in _KANA_FORMS] + ["(" + normalise(k) for k in _KANA_FORMS]
    return tuple(sorted(set(forms), key=len, reverse=True))


NORMALISED_FORMS = _normalised_forms()


def split_legal_form(name: str) -> tuple[str, bool]:
    """(core, had a legal form): 株式会社 エー -> (エー, True); A社 -> (a社, False)."""
    core, found = normalise(name), False
    stripped = True
    while stripped and core:
        stripped = False
        for form in NORMALISED_FORMS:
            if core.startswith(form) or core.endswith(form):
                core = (core[len(form) :] if core.startswith(form) else core[: -len(form)]).strip(" ・,")
                found = stripped = True
                break
    return core, found


def variants(pattern: str) -> set[str]:
    """The spellings of a normalised pattern that text may carry: as is, half-width kana,
    full-width Latin (whose case `bytes.lower` cannot fold, hence three cases)."""
    out = {pattern}
    half = "".join(_HALFWIDTH.get(c, c) for c in pattern)
    out.add(half)
    # Bank systems write half-width kana large (ﾃｲ for ﾃｨ) and the long vowel as "-" or "ｰ".
    folded = fold_kana(half)
    out |= {fold_kana(pattern), folded, _LONG_VOWELS.sub("-", folded), _LONG_VOWELS.sub("ｰ", folded)}
    if any(c.isascii() and c.isalnum() for c in pattern):
        for cased in (pattern, pattern.upper(), pattern.title()):
            wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in cased)
            out |= {wide, wide.replace(" ", "\u3000")}
    return out


def _raw_forms() -> tuple[bytes, ...]:
    """Every raw spelling of a legal form, as lower-cased UTF-8, for context checks."""
    forms = {f for f in LEGAL_FORMS} | set(_CIRCLED)
    for left, right in (("(", ")"), ("（", "）")):
        forms |= {left + a + right for a in _ABBREVIATIONS + _KANA_FORMS}
        forms |= {a + right for a in _KANA_FORMS} | {left + a for a in _KANA_FORMS}
    return tuple(sorted((f.lower().encode() for f in forms), key=len, reverse=True))


RAW_FORMS = _raw_forms()
RAW_HONORIFICS = tuple(h.encode() for h in HONORIFICS)
COMPANY_SUFFIX = "社".encode()
FORMS_AFTER = RAW_FORMS + (COMPANY_SUFFIX,)  # エー株式会社, エー(株), エー社
# What may follow / precede a short name for it to count: a form, 社, an honorific, a line or
# cell boundary, after at most one space (two spaces or an ideographic one always take the full
# check, name_at). As sets of edge bytes, so that ruling a hit out costs a few set look-ups
# instead of hundreds of comparisons: a short name can be an everyday word (データ, システム)
# that a document repeats thousands of times.
_ENDS = tuple(bytes([b]) for b in _END_BYTES)
_WIDE_SPACE = "\u3000".encode()


def _edges(triggers: tuple[bytes, ...], first: bool) -> tuple[frozenset[bytes], ...]:
    """The triggers' first (or last) bytes, up to three, grouped by how many."""
    sets: tuple[set, set, set] = (set(), set(), set())
    for t in triggers:
        k = min(len(t), 3)
        sets[k - 1].add(t[:k] if first else t[-k:])
    return tuple(frozenset(s) for s in sets)


_AFTER = FORMS_AFTER + RAW_HONORIFICS + _ENDS
AFTER_EDGES = _edges(_AFTER + tuple(b" " + t for t in _AFTER) + (b"  ", _WIDE_SPACE), True)
BEFORE_EDGES = _edges(RAW_FORMS + tuple(t + b" " for t in RAW_FORMS) + (b"  ", _WIDE_SPACE), False)


def skip_spaces_forward(data: bytes, pos: int) -> int:
    while True:
        for space in _SPACES:
            if data.startswith(space, pos):
                pos += len(space)
                break
        else:
            return pos


def skip_spaces_back(data: bytes, pos: int) -> int:
    while True:
        for space in _SPACES:
            if pos >= len(space) and data[pos - len(space) : pos] == space:
                pos -= len(space)
                break
        else:
            return pos


def char_before(data: bytes, pos: int) -> str:
    """The character that ends at byte `pos` ('' at the start)."""
    start = pos - 1
    while start > 0 and pos - start < 4 and 0x80 <= data[start] < 0xC0:
        start -= 1
    return data[max(start, 0) : pos].decode("utf-8", "replace") if pos > 0 else ""


def char_after(data: bytes, pos: int) -> str:
    """The character that starts at byte `pos` ('' at the end)."""
    end = pos + 1
    while end < len(data) and end - pos < 4 and 0x80 <= data[end] < 0xC0:
        end += 1
    return data[pos:end].decode("utf-8", "replace") if pos < len(data) else ""


def word_kind(ch: str) -> str:
    """'latin', 'kana' (katakana of either width, ー) or '' — the scripts where a name that
    starts or ends inside a longer word is not the name (Acme in Acmes, エー in エージェント)."""
    if not ch:
        return ""
    code = ord(ch)
    if (ch.isascii() and ch.isalnum()) or (0xFF10 <= code <= 0xFF5A and ch.isalnum()):
        return "latin"
    if 0x30A1 <= code <= 0x30FA or code == 0x30FC or 0xFF66 <= code <= 0xFF9F:
        return "kana"
    return ""


def is_distinctive(core: str) -> bool:
    """Long and unusual enough to be a name on its own, without 株式会社 or 様 next to it:
    「三菱商事」, 「日本ビジネス21」. A core of one script only is a word as often as a name
    (データ, ライセンス, global): it counts with its context, or as an alias in the directory."""
    scripts = {word_kind(c) or ("kanji" if "\u4e00" <= c <= "\u9fff" else "other") for c in core}
    has_kanji = "kanji" in scripts
    return (has_kanji and len(core) >= 4) or (len(scripts - {"other"}) >= 2 and len(core) >= 5)


def name_at(data: bytes, start: int, stop: int, *, core: bool, needs_context: bool) -> bool | None:
    """Whether the hit data[start:stop] is the name: None when it is not; else whether an
    honorific follows it. `core`: a name reduced from 株式会社…, which may be followed by its
    form (エー㈱); `needs_context`: a short core, which counts only next to a form, 社, an
    honorific, or alone in its cell or line."""
    first, last = char_after(data, start), char_before(data, stop)
    for inner, outer in ((first, char_before(data, start)), (last, char_after(data, stop))):
        kind = word_kind(inner)
        if kind and word_kind(outer) == kind:
            return None  # エー inside エージェント, acme inside acmes
    after = skip_spaces_forward(data, stop)
    form_after = 0
    if core and data.startswith(FORMS_AFTER, after):
        form_after = next(len(f) for f in FORMS_AFTER if data.startswith(f, after))
        after = skip_spaces_forward(data, after + form_after)
    honorific = _honorific_at(data, after)
    if not needs_context or honorific or form_after:
        return honorific
    before = skip_spaces_back(data, start)
    if data.endswith(RAW_FORMS, 0, before):
        return False
    alone = (before == 0 or data[before - 1] in _LINE_ENDS) and (
        after >= len(data) or data[after] in _LINE_ENDS
    )
    return False if alone else None  # a cell or a line that is just the name


def _honorific_at(data: bytes, pos: int) -> bool:
    """御中 or 様 here, or alone in the next cell (an invoice's 宛名 cell, then 御中)."""
    if data.startswith(CELL.encode(), pos):
        pos = skip_spaces_forward(data, pos + 1)
    return data.startswith(RAW_HONORIFICS, pos)
