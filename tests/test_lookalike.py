"""recipients.lookalike_domain: a recipient domain one slip away from a known domain."""

from __future__ import annotations

import pytest

from inspectors.base import Envelope
from inspectors.lookalike import LookalikeDomains, distance_at_most_one, skeleton, unicode_form
from inspectors.message import parse

INTERNAL = ("example.co.jp",)


def message(to=(), bcc_only=()):
    raw = (
        "From: sato@example.co.jp\r\nTo: "
        + (", ".join(to) or "undisclosed-recipients:;")
        + "\r\nSubject: x\r\n\r\nbody\r\n"
    ).encode()
    return parse(raw, Envelope(mail_from="sato@example.co.jp", rcpt_tos=tuple(to) + tuple(bcc_only)))


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert len(found) <= 1, found
    return found[0] if found else None


def lookalike():
    return LookalikeDomains(
        internal_domains=INTERNAL,
        client_domains=["a-corp.co.jp", "b-corp.com"],
        regular_domains=["partner-systems.jp", "gmail.com"],
    )


def test_zero_for_o_next_to_the_known_domain():
    view = message(to=["tanaka@a-c0rp.co.jp"])
    f = only(lookalike().inspect(view), "recipients.lookalike_domain")
    assert (f.count, f.where) == (1, ("envelope", "header:To"))
    assert f.evidence == ("a-c0rp.co.jp resembles a-corp.co.jp (homoglyph)",)


@pytest.mark.parametrize(
    "domain, known, how",
    [
        ("xn---corp-3ve.co.jp", "a-corp.co.jp", "homoglyph"),  # Cyrillic а
        ("a-corp.com", "a-corp.co.jp", "tld_swap"),
        ("a-corp.jp", "a-corp.co.jp", "tld_swap"),
        ("b-corp.co.jp", "b-corp.com", "tld_swap"),
        ("exarnple.co.jp", "example.co.jp", "homoglyph"),  # rn for m
        ("examp1e.co.jp", "example.co.jp", "homoglyph"),
        ("a-cop.co.jp", "a-corp.co.jp", "edit"),
        ("a-crop.co.jp", "a-corp.co.jp", "edit"),  # swapped letters
        ("partner-system.jp", "partner-systems.jp", "edit"),
        ("gmial.com", "gmail.com", "edit"),
        ("a-corp.co.jq", "a-corp.co.jp", "edit"),  # the typo is in the suffix
        ("a-corpco.jp", "a-corp.co.jp", "edit"),
        ("mail.a-c0rp.co.jp", "a-corp.co.jp", "homoglyph"),
    ],
)
def test_lookalike_kinds(domain, known, how):
    assert lookalike().resembles(domain) == (known, how)


@pytest.mark.parametrize(
    "domain",
    [
        "a-corp.co.jp",
        "tokyo.a-corp.co.jp",
        "mail.example.co.jp",
        "unrelated.co.jp",
        "ab.co.jp",
        "gmail.com",
        "zeta-corp.co.jp",
    ],
)
def test_known_and_unrelated_domains_are_not_lookalikes(domain):
    assert lookalike().resembles(domain) is None


def test_lookalike_evidence_shows_the_unicode_spelling():
    f = only(lookalike().inspect(message(bcc_only=["x@xn---corp-3ve.co.jp"])), "recipients.lookalike_domain")
    assert f.where == ("envelope",)
    assert f.evidence == ("xn---corp-3ve.co.jp (\u0430-corp.co.jp) resembles a-corp.co.jp (homoglyph)",)


@pytest.mark.parametrize(
    "a, b, near",
    [
        ("abcd", "abce", True),
        ("abcd", "abdc", True),
        ("abcd", "abd", True),
        ("abcd", "xabcd", True),
        ("abcd", "badc", False),
        ("abcd", "ab", False),
    ],
)
def test_distance_at_most_one(a, b, near):
    assert distance_at_most_one(a, b) is near and distance_at_most_one(b, a) is near


def test_idna_decoding_and_skeletons():
    assert unicode_form("xn---corp-3ve.co.jp") == "\u0430-corp.co.jp"
    assert unicode_form("xn--broken-.jp") == "xn--broken-.jp"
    assert skeleton("ＥＸＡＭＰＬＥ.co.jp") == skeleton("exarnple.co.jp") == skeleton("examp1e.co.jp")


def test_many_known_domains_and_several_lookalikes_in_one_message():
    inspector = LookalikeDomains(
        internal_domains=INTERNAL, client_domains=[f"client{i:04d}.co.jp" for i in range(5000)]
    )
    view = message(
        to=["a@client0042.co.jp", "b@c1ient0042.co.jp"], bcc_only=["c@client0043.com", "d@client0044.co.jq"]
    )
    f = only(inspector.inspect(view), "recipients.lookalike_domain")
    assert f.count == 3 and f.where == ("envelope", "header:To")
    assert set(f.evidence) == {
        "c1ient0042.co.jp resembles client0042.co.jp (homoglyph)",
        "client0043.com resembles client0043.co.jp (tld_swap)",
        "client0044.co.jq resembles client0044.co.jp (edit)",
    }
