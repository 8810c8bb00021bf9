"""`recipients.lookalike_domain`: a recipient domain one slip away from a domain we know.

a-c0rp.co.jp for a-corp.co.jp, a-corp.com for a-corp.co.jp, а-corp.co.jp with a Cyrillic а:
the recipient field auto-completed or typed wrong. Known domains are the organisation's own,
the client directory's and the ones it regularly mails, handed in at construction and indexed
once, so each recipient costs a few dictionary look-ups whatever the number of known domains.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from types import MappingProxyType

from .base import Finding, domain_of
from .codes import LOOKALIKE_DOMAIN
from .message import MessageView
from .recipients import SAMPLES, registered_domain

# Characters that render like a Latin letter or digit; digits and letters folded together.
_CONFUSABLE = MappingProxyType(
    str.maketrans(
        {
            "а": "a",
            "е": "e",
            "ё": "e",
            "о": "o",
            "р": "p",
            "с": "c",
            "у": "y",
            "х": "x",
            "і": "l",
            "ј": "j",
            "ѕ": "s",
            "һ": "h",
            "ԁ": "d",
            "ԛ": "q",
            "ԝ": "w",
            "ӏ": "l",
            "к": "k",
            "ո": "n",
            "α": "a",
            "ο": "o",
            "ρ": "p",
            "ν": "v",
            "ι": "l",
            "κ": "k",
            "χ": "x",
            "υ": "u",
            "ı": "l",
            "ɡ": "g",
            "0": "o",
            "1": "l",
            "i": "l",
            "|": "l",
        }
    )
)
_SEQUENCES = (("rn", "m"), ("vv", "w"))
# Suffixes that a company's name is registered under interchangeably (TLD swap).
_SWAPPABLE = frozenset({"co.jp", "jp", "com", "ne.jp", "net", "or.jp", "org", "co", "biz", "info"})
MIN_EDIT_STEM = 4  # ab.co.jp and ac.co.jp are two companies, not a typo


def unicode_form(domain: str) -> str:
    """xn--a-corp-... -> its Unicode spelling; labels that do not decode stay as they are."""
    out = []
    for label in domain.split("."):
        try:
            out.append(label.encode("ascii").decode("idna") if label.startswith("xn--") else label)
        except UnicodeError:
            out.append(label)
    return ".".join(out)


def skeleton(domain: str) -> str:
    text = unicodedata.normalize("NFKC", unicode_form(domain)).lower().translate(_CONFUSABLE)
    for seq, repl in _SEQUENCES:
        text = text.replace(seq, repl)
    return text


def split_suffix(domain: str) -> tuple[str, str]:
    """('a-corp', 'co.jp') for tokyo.a-corp.co.jp."""
    stem, _, suffix = registered_domain(domain).partition(".")
    return stem, suffix


def distance_at_most_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance ≤ 1: one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :])
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


def _deletions(text: str) -> set[str]:
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


class LookalikeDomains:
    name = "recipients.lookalike_domain"

    def __init__(
        self,
        *,
        internal_domains: Iterable[str],
        client_domains: Iterable[str] = (),
        regular_domains: Iterable[str] = (),
    ) -> None:
        known = {d.lower().strip(".") for d in (*internal_domains, *client_domains, *regular_domains)}
        self.known = frozenset(d for d in known if "." in d)
        self._skeletons: dict[str, str] = {}
        self._stems: dict[str, set[str]] = {}
        self._near: dict[str, set[str]] = {}
        for domain in sorted(self.known):
            self._skeletons.setdefault(skeleton(domain), domain)
            stem, suffix = split_suffix(domain)
            if suffix in _SWAPPABLE:
                self._stems.setdefault(stem, set()).add(domain)
            if len(stem) >= MIN_EDIT_STEM:  # shorter ones are not compared by edits at all
                for variant in _deletions(domain):
                    self._near.setdefault(variant, set()).add(domain)

    def is_known(self, domain: str) -> bool:
        labels = domain.split(".")
        return any(".".join(labels[i:]) in self.known for i in range(len(labels) - 1))

    def resembles(self, domain: str) -> tuple[str, str] | None:
        """(the known domain, how: homoglyph | tld_swap | edit) or None."""
        if not domain or self.is_known(domain):
            return None
        for candidate in dict.fromkeys((domain, registered_domain(domain))):
            twin = self._skeletons.get(skeleton(candidate))
            if twin:
                return twin, "homoglyph"
            stem, suffix = split_suffix(candidate)
            if suffix in _SWAPPABLE and len(stem) >= 3 and self._stems.get(stem):
                return min(self._stems[stem]), "tld_swap"
            # The known domain's stem is measured: the candidate's suffix may be the typo.
            near = {
                k
                for v in _deletions(candidate)
                for k in self._near.get(v, ())
                if distance_at_most_one(candidate, k)
            }
            if near:
                return min(near), "edit"
        return None

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        found: dict[str, tuple[str, str]] = {}
        for domain in sorted({domain_of(a) for a in message.envelope.rcpt_tos}):
            match = self.resembles(domain)
            if match:
                found[domain] = match
        if not found:
            return []
        headers = (("header:To", message.header_to), ("header:Cc", message.header_cc))
        where = ("envelope",) + tuple(
            h for h, values in headers if {domain_of(v) for v in values}.intersection(found)
        )
        evidence = tuple(f"{_shown(d)} resembles {k} ({how})" for d, (k, how) in found.items())
        return [Finding(code=LOOKALIKE_DOMAIN, count=len(found), where=where, evidence=evidence[:SAMPLES])]


def _shown(domain: str) -> str:
    decoded = unicode_form(domain)
    return domain if decoded == domain else f"{domain} ({decoded})"
