"""Why a message was held, in a sentence a salesperson understands at a glance — one per
finding, in Japanese and English, built from its count, where and (masked) evidence:
"件名に『株式会社ビー』とありますが、宛先は株式会社エーです。"

The technical form (code, count, where, evidence items) stays for the admin console and the
sender page's collapsed details. Evidence is masked by the inspectors and never unmasked here;
what in it came from the message (a client name, a file name, a domain) goes through
`display.clean`. A code without a sentence of its own gets a generic one that never shows
internal notation. The personal-data sentences are in `explain_pii`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from inspectors.addressee import KIND_WORDS
from inspectors.base import Finding
from inspectors.codes import (
    CLIENT_MISMATCH,
    CONFIDENTIAL_MARK,
    ENCRYPTED,
    EXTERNAL,
    FIRST_TIME,
    FREEMAIL,
    INSPECTOR_ERROR,
    KEYWORD,
    LOOKALIKE_DOMAIN,
    RECORDS,
    SHIPPED_KEYWORDS,
    SUPPRESSED,
    TYPE_MISMATCH,
    UNSCANNABLE,
    UNSUPPORTED,
    VISIBLE_EXTERNAL,
    Code,
)
from rules.decide import tally

from .display import (
    Said,
    clean,
    fields,
    file_name,
    file_phrase,
    files_in,
    listed,
    location,
    locations,
    plural,
    samples,
)
from .explain_pii import CONTACTS, PII_SENTENCES

TECH_ITEMS = 12  # evidence items and places in the technical line


def sentences(finding: Finding) -> Said:
    """(ja, en) for one finding."""
    code = finding.code
    if code in _SENTENCES:
        return _SENTENCES[code](finding)
    if code in PII_SENTENCES:
        return PII_SENTENCES[code](finding)
    if code.startswith(KEYWORD):
        return _keyword(finding)
    ja, en = locations(finding.where)
    return (
        f"{ja}に、送信前に確認が必要な内容が見つかりました。",
        f"Something in {en} needs checking before the message goes.",
    )


def sentence(finding: Finding, lang: str) -> str:
    ja, en = sentences(finding)
    return ja if lang == "ja" else en


def reasons(findings: tuple[Finding, ...], lang: str) -> list[str]:
    """The sentences of one matched rule, each once. External recipients are every default
    rule's precondition, not a reason: said only when nothing else was found."""
    told = [f for f in findings if f.code != EXTERNAL] or list(findings)
    lists = [f for f in told if f.code == RECORDS]
    listed = (
        {location(w) for f in lists for w in f.where},
        sum(max(0, tally(f, "third_parties")) for f in lists),
    )
    told = [f for f in told if not _in_list(f, *listed)]
    return list(dict.fromkeys(sentence(f, lang) for f in told))


def _in_list(f: Finding, listed_at: set[tuple[str, str]], listed_third: int) -> bool:
    """Whether a contact finding says nothing its list's pii.records sentence does not: one
    table, one sentence (the details keep it). It does when it stands only where a list
    does, or also in a file of premises next to the list (an office list's main lines, no
    third party's) with no more third parties than the list has people."""
    if f.code.removeprefix("pii.") not in CONTACTS or not f.where:
        return False
    at = {location(w) for w in f.where}
    return at <= listed_at or (bool(at & listed_at) and 0 <= tally(f, "third_parties") <= listed_third)


def technical(finding: Finding) -> str:
    """ "pii.records × 12 — attachment:a.csv!A2:D13 — third_parties=12, 12 people: phone", safe to show."""
    parts = [f"{clean(finding.code, 60)} × {finding.count}"]
    if finding.where:
        parts.append(", ".join(file_name(w, 100) for w in finding.where[:TECH_ITEMS]))
    if finding.evidence:
        parts.append(", ".join(clean(e, 120) for e in finding.evidence[:TECH_ITEMS]))
    return " — ".join(parts)


def _client_mismatch(f: Finding) -> Said:
    named = fields(f.evidence)
    if "addressee" in named:
        return _addressee(f, named)
    client = clean(named.get("client") or "?")
    addressed = named.get("addressed", "none")
    ja_at, en_at = locations(f.where)
    # "The subject names B", or with several places "B is named in the subject and …"
    one_place = len({location(w) for w in f.where}) <= 1
    en_named = _cap(f"{en_at} names {client}") if one_place else f"{client} is named in {en_at}"
    if addressed and addressed != "none":
        ja_to, en_to = _more(addressed)
        return (
            f"{ja_at}に『{client}』とありますが、宛先は{ja_to}です。",
            f"{en_named}, but you are mailing {en_to}.",
        )
    ja_to, en_to = _more(named.get("recipients") or "?")
    return (
        f"{ja_at}に『{client}』とありますが、宛先（{ja_to}）は{client}ではありません。",
        f"{en_named}, but the recipients ({en_to}) are not {client}.",
    )


def _addressee(f: Finding, named: dict[str, str]) -> Said:
    """A document addressed to one client going to another's people (inspectors.addressee):
    「添付ファイル『見積.xlsx』は株式会社エー宛の見積書ですが、株式会社ビーの方にも送られます。」"""
    ja_to, en_to = _more(named["addressee"])
    ja_other, en_other = _more(named.get("other_clients") or "?")
    ja_kind, en_kind = KIND_WORDS.get(named.get("document", ""), ("資料", "document"))
    files = [w for w in f.where if files_in(w)]
    ja_at, en_at = locations(tuple(files)) if files else ("件名の資料", "the document")
    return (
        f"{ja_at}は{ja_to}宛の{ja_kind}ですが、{ja_other}の方にも送られます。",
        f"{_cap(en_at)} ({en_kind}) is made out to {en_to}, but it also goes to people of {en_other}.",
    )


def _more(value: str) -> Said:
    """The inspector's sample of names, "a, b, c (+2)", as "a, b, c ほか 2 件" / "… and 2 more"."""
    m = re.fullmatch(r"(.*) \(\+([0-9]{1,9})\)", value, re.S)
    if not m:
        return clean(value), clean(value)
    shown = clean(m.group(1))
    return f"{shown} ほか {m.group(2)} 件", f"{shown} and {m.group(2)} more"


def _lookalike(f: Finding) -> Said:
    ja, en = [], []
    for item in samples(f.evidence)[:3]:
        m = re.fullmatch(r"(.+) resembles (\S+) \((\w+)\)", item)
        if not m:
            continue
        typed, known = clean(m.group(1)), clean(m.group(2))
        how_ja, how_en = _HOW.get(m.group(3), ("", ""))
        ja.append(f"宛先のドメイン {typed} は、{known} とよく似ていますが別のドメインです{how_ja}。")
        en.append(f"The recipient domain {typed} looks like {known} but is a different domain{how_en}.")
    if not ja:
        return (
            "宛先のドメインが、よく使うドメインとよく似ていますが別のドメインです（入力ミス？）。",
            "A recipient's domain looks like a known domain but is a different one (a typo?).",
        )
    return " ".join(ja), " ".join(en)


_HOW = {
    "homoglyph": ("（見た目の似た文字が使われています）", " (look-alike characters)"),
    "tld_swap": ("（末尾の .com / .jp などが違います）", " (a different ending, such as .com for .jp)"),
    "edit": ("（1 文字違い）", " (one character differs)"),
}


def _external(f: Finding) -> Said:
    orgs = tally(f, "organisations")
    ja_d, en_d = listed(samples(f.evidence))
    ja_o = f"、{orgs} 組織" if orgs > 0 else ""
    en_o = f", {orgs} organisation{plural(orgs)}" if orgs > 0 else ""
    return (
        f"社外の宛先が {f.count} 件あります（{ja_d}{ja_o}）。",
        f"{f.count} recipient{plural(f.count)} outside the organisation ({en_d}{en_o}).",
    )


def _visible(f: Finding) -> Said:
    orgs = max(0, tally(f, "organisations"))
    ja_d, en_d = listed([s.split(" (")[0] for s in samples(f.evidence)])
    return (
        f"社外の宛先 {f.count} 件（{orgs} 組織: {ja_d}）が To/Cc に入っていて、受け取った全員にお互いのアドレスが見えます。"
        "Bcc に移してください。",
        f"{f.count} external address{plural(f.count, 'es')} of {orgs} organisation{plural(orgs)} ({en_d}) are in To/Cc, "
        "where every recipient sees them all. Move them to Bcc.",
    )


def _suppressed(f: Finding) -> Said:
    ja, en = listed([s.replace(" (domain entry)", "") for s in samples(f.evidence)])
    return (
        f"宛先 {ja} は、配信停止・退会などで送ってはいけない宛先のリストに載っています。",
        f"The recipient {en} is on the do-not-contact list (unsubscribed or withdrawn).",
    )


def _freemail(f: Finding) -> Said:
    ja, en = listed([s.split(" (")[0] for s in samples(f.evidence)])
    return (
        f"宛先にフリーメール（{ja}）のアドレスが {f.count} 件あります。個人のアドレスではないか確認してください。",
        f"{f.count} recipient{plural(f.count)} at a free-mail service ({en}): is this a private address?",
    )


def _first_time(f: Finding) -> Said:
    new_orgs = [
        s.split(" (")[0] for s in samples(f.evidence) if s.endswith("(domain new to the organisation)")
    ]
    ja = f"初めて送る宛先が {f.count} 件あります。"
    en = f"You have not mailed {f.count} of the recipient{plural(f.count)} before."
    if new_orgs:
        ja_d, en_d = listed(new_orgs)
        ja += f"社内の誰も送ったことのないドメインです（{ja_d}）。"
        en += f" Nobody in the organisation has mailed {en_d} before."
    return ja, en


def _files(f: Finding) -> tuple[str, str, int]:
    """The files a problem finding names: ("『a.zip』『b.pdf』", '"a.zip", "b.pdf"', how many)."""
    named = [p for p in (file_phrase(w) for w in f.where) if p]
    # where lists at most MAX_WHERE places; count says how many there were in all
    more = len(named) - 3 + max(0, f.count - len(f.where))
    ja = "".join(p[0] for p in named[:3]) + (f"ほか {more} 件" if more > 0 else "")
    en = ", ".join(p[1] for p in named[:3]) + (f" and {more} more" if more > 0 else "")
    return ja, en, len(named[:3]) + max(0, more)


def _encrypted(f: Finding) -> Said:
    ja, en, n = _files(f)
    if not n:
        return (
            "暗号化された部分があり、中身を検査できませんでした。",
            "Part of the message is encrypted and could not be checked.",
        )
    return (
        f"添付ファイル{ja}はパスワード付き（暗号化）のため、中身を検査できませんでした。",
        f"The attachment{plural(n)} {en} {'is' if n == 1 else 'are'} password-protected, so the contents could not be checked.",
    )


def _unscannable(f: Finding) -> Said:
    reason = " ".join(samples(f.evidence)).lower()
    why_ja, why_en = next((v for k, v in _WHY if k in reason), ("読み取れなかった", "it could not be read"))
    ja, en, n = _files(f)
    if not n:  # a header ("header:subject"), a MIME part, the message as a whole
        at_ja, at_en = locations(f.where)
        return f"{at_ja}を検査できませんでした（{why_ja}ため）。", _cap(
            f"{at_en} could not be checked: {why_en}."
        )
    return (
        f"添付ファイル{ja}は、{why_ja}ため中身を検査できませんでした。",
        f"The attachment{plural(n)} {en} could not be checked: {why_en}.",
    )


_WHY = (
    (
        "limit",
        (
            "大きすぎる・ファイルが多すぎる・入れ子が深すぎるなど検査の上限を超えた",
            "it is beyond an inspection limit (size, number of files or nesting)",
        ),
    ),
    ("corrupt", ("壊れている", "it is damaged")),
    ("unparseable", ("メールの形式が正しくない", "the message is malformed")),
    ("unreadable", ("中身を読み取れなかった", "its contents could not be read")),
)


def _unsupported(f: Finding) -> Said:
    ja, en, n = _files(f)
    if not n:
        ja, en, n = "", "", 1
    kinds = [s.partition(": ")[2] or s for s in samples(f.evidence)]
    ja_k, en_k = listed(kinds, 1) if kinds else ("", "")
    return (
        f"添付ファイル{ja}は検査できない形式{f'（{ja_k}）' if ja_k else ''}です。中身を確認してください。",
        f"The attachment{plural(n)} {en} {'is' if n == 1 else 'are'} in a format that cannot be checked"
        f"{f' ({en_k})' if en_k else ''}; check the contents yourself.",
    )


def _type_mismatch(f: Finding) -> Said:
    ja, en, n = _files(f)
    if not n:
        return (
            "メールの一部で、名前（拡張子）と中身の種類が違います。",
            "In part of the message, the name (extension) does not match the contents.",
        )
    return (
        f"添付ファイル{ja}は、名前（拡張子）と中身の種類が違います。",
        f"The contents of the attachment{plural(n)} {en} do not match the file name (extension).",
    )


def _inspector_error(f: Finding) -> Said:
    return (
        "検査の一部がエラーで完了しなかったため、念のため保留しています。繰り返す場合は管理者に連絡してください。",
        "Part of the inspection failed, so the message is held to be safe. If this recurs, tell your administrator.",
    )


def _keyword(f: Finding) -> Said:
    if f.code in SHIPPED_KEYWORDS:
        return _shipped_keyword(f, SHIPPED_KEYWORDS[f.code])
    word = clean(f.code.removeprefix(KEYWORD), 40)
    ja, en = locations(f.where)
    return (
        f"{ja}に、社内で注意が必要とされている語（{word}）があります。",
        _cap(f"{en} contains a word your organisation flags ({word})."),
    )


def _shipped_keyword(f: Finding, entry: Code) -> Said:
    """The shipped dictionaries: what kind of word, and the words (dictionary words, never
    the text around them)."""
    ja, en = locations(f.where)
    words = [e.rsplit(" ×", 1)[0] for e in f.evidence if "=" not in e and not e.startswith("(")]
    wja, wen = listed(words) if words else ("", "")
    wja, wen = (f"（{wja}）", f" ({wen})") if words else ("", "")
    if f.code == CONFIDENTIAL_MARK:
        return (
            f"{ja}に{entry.ja}{wja}があります。社外に出してよい文書か確認してください。",
            f"A {entry.en}{wen} is in {en}; check that it may leave the organisation.",
        )
    return (
        f"{ja}に、個人の{entry.ja}{wja}があります。"
        "要配慮個人情報は1人分の漏えいでも個人情報保護委員会への報告が必要です。",
        f"A person's {entry.en}{wen} appears in {en}: sensitive personal data, whose leak must be"
        " reported even for one person.",
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_SENTENCES: dict[str, Callable[[Finding], Said]] = {
    CLIENT_MISMATCH: _client_mismatch,
    LOOKALIKE_DOMAIN: _lookalike,
    EXTERNAL: _external,
    VISIBLE_EXTERNAL: _visible,
    SUPPRESSED: _suppressed,
    FREEMAIL: _freemail,
    FIRST_TIME: _first_time,
    ENCRYPTED: _encrypted,
    UNSCANNABLE: _unscannable,
    UNSUPPORTED: _unsupported,
    TYPE_MISMATCH: _type_mismatch,
    INSPECTOR_ERROR: _inspector_error,
}
