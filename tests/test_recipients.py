"""recipients.*: external, visible_external, suppressed, first_time, freemail (lookalike_domain:
test_lookalike.py).

Every case is a real message (email.message.EmailMessage -> bytes -> inspectors.message.parse)
with its SMTP envelope, because the envelope and the headers disagreeing is the point.
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage

from inspectors.base import Envelope
from inspectors.clients import Client
from inspectors.freemail import FreemailDomains, FreemailRecipients, shipped_domains
from inspectors.history import FirstTimeRecipients, RecipientHistory
from inspectors.message import parse
from inspectors.recipients import (
    ExternalRecipients,
    Organisations,
    SuppressedRecipients,
    VisibleExternalRecipients,
    mask_address,
)

INTERNAL = ("example.co.jp",)
SENDER = "sato@example.co.jp"
CLIENTS = (
    Client(name="株式会社エー", domains=("a-corp.co.jp", "a-corp.com")),
    Client(name="株式会社ビー", domains=("b-corp.co.jp",)),
)


def message(to=(), cc=(), bcc_only=(), subject="ご案内", sender=SENDER):
    """Raw bytes and the parsed view; the envelope is To + Cc + the Bcc-only recipients."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to) if to else "undisclosed-recipients:;"
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg.set_content("セミナーのご案内です。\n")
    raw = msg.as_bytes(policy=email.policy.SMTP)
    return parse(raw, Envelope(mail_from=sender, rcpt_tos=tuple(to) + tuple(cc) + tuple(bcc_only)))


def organisations() -> Organisations:
    return Organisations(FreemailDomains(), CLIENTS)


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert len(found) <= 1, found
    return found[0] if found else None


def gmail(n, start=0):
    return [f"member{i:02d}@gmail.com" for i in range(start, start + n)]


# --- recipients.external -------------------------------------------------------------------


def test_external_counts_addresses_and_organisations():
    inspector = ExternalRecipients(INTERNAL, organisations=organisations())
    view = message(
        to=[
            "a1@a-corp.co.jp",
            "a2@a-corp.com",
            "x@tokyo.b-corp.co.jp",
            "y@b-corp.co.jp",
            "boss@example.co.jp",
            "p@osaka.example.co.jp",
        ]
        + gmail(3)
    )
    f = only(inspector.inspect(view), "recipients.external")
    assert f.count == 7
    # a-corp.co.jp + a-corp.com are one client, b-corp's subdomain is b-corp, 3 separate people
    assert f.evidence[0] == "organisations=5"
    assert f.evidence[1:] == ("a-corp.co.jp", "a-corp.com", "b-corp.co.jp", "gmail.com", "tokyo.b-corp.co.jp")


def test_external_without_organisation_knowledge_keeps_its_old_evidence():
    view = message(to=["x@client.example", "y@other.example"])
    [f] = ExternalRecipients(INTERNAL).inspect(view)
    assert f.evidence == ("client.example", "other.example")


def test_source_routed_recipients_are_external():
    # Issue 11: Postfix and others route these outside, whatever the domain after the last @.
    routed = [
        "user%client.example@example.co.jp",
        "client.example!user@example.co.jp",
        '"user@client.example"@example.co.jp',
        "u%c.example@sub.example.co.jp",
    ]
    inspector = ExternalRecipients(INTERNAL)
    assert all(inspector.is_external(a) for a in routed)
    assert not inspector.is_external("hanako@example.co.jp")
    assert not inspector.is_external('"hanako yamada"@example.co.jp')
    [f] = inspector.inspect(message(to=routed[:1], bcc_only=routed[1:]))
    assert f.count == 4 and f.evidence == ("example.co.jp (routed)", "sub.example.co.jp (routed)")
    history = RecipientHistory(sender=SENDER)
    first = only(
        FirstTimeRecipients(history, INTERNAL).inspect(message(to=routed[:1])), "recipients.first_time"
    )
    assert first is not None and first.count == 1


def test_organisations_of_unknown_domains_are_registered_domains():
    orgs = organisations()
    assert orgs.of("a@mail.c-corp.co.jp") == orgs.of("b@c-corp.co.jp") == "c-corp.co.jp"
    assert orgs.of("a@mx.d.example") == "d.example"
    assert orgs.of("Taro@Docomo.ne.jp") == "taro@docomo.ne.jp"
    assert orgs.count(["a@a-corp.co.jp", "b@a-corp.com", "c@i.softbank.jp", "d@i.softbank.jp"]) == 3


# --- recipients.visible_external ------------------------------------------------------------


def test_fifteen_freemail_addresses_in_to_are_visible():
    view = message(to=gmail(15))
    inspector = VisibleExternalRecipients(INTERNAL, organisations())
    f = only(inspector.inspect(view), "recipients.visible_external")
    assert (f.count, f.where) == (15, ("header:To",))
    assert f.evidence == ("organisations=15", "gmail.com (15)")
    assert not any("member" in e for e in f.evidence)


def test_forty_envelope_only_recipients_are_not_visible():
    view = message(to=[SENDER], bcc_only=gmail(40))
    assert len(view.envelope.rcpt_tos) == 41
    assert list(VisibleExternalRecipients(INTERNAL, organisations()).inspect(view)) == []
    # ...while they are still external, and still free-mail
    assert only(ExternalRecipients(INTERNAL).inspect(view), "recipients.external").count == 40
    assert (
        only(FreemailRecipients(FreemailDomains(), INTERNAL).inspect(view), "recipients.freemail").count == 40
    )


def test_visible_external_counts_to_and_cc_and_their_organisations():
    view = message(
        to=["a1@a-corp.co.jp", "a2@a-corp.com", "colleague@example.co.jp"],
        cc=["b@b-corp.co.jp", "A1@A-CORP.CO.JP"] + gmail(2),
        bcc_only=gmail(5, start=50),
    )
    f = only(
        VisibleExternalRecipients(INTERNAL, organisations()).inspect(view), "recipients.visible_external"
    )
    assert f.count == 5 and f.where == ("header:To", "header:Cc")
    assert f.evidence[0] == "organisations=4"
    assert set(f.evidence[1:]) == {"a-corp.co.jp (1)", "a-corp.com (1)", "b-corp.co.jp (1)", "gmail.com (2)"}


def test_one_organisation_in_to_is_visible_but_one_organisation():
    view = message(to=[f"staff{i}@a-corp.co.jp" for i in range(12)])
    f = only(
        VisibleExternalRecipients(INTERNAL, organisations()).inspect(view), "recipients.visible_external"
    )
    assert f.count == 12 and f.evidence[0] == "organisations=1"


def test_headers_seen_only_inside_expose_nothing():
    view = parse(_raw_with_to(gmail(15)), Envelope(mail_from=SENDER, rcpt_tos=("archive@example.co.jp",)))
    assert list(VisibleExternalRecipients(INTERNAL, organisations()).inspect(view)) == []


def _raw_with_to(addresses):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, ", ".join(addresses), "copy"
    msg.set_content("x")
    return msg.as_bytes(policy=email.policy.SMTP)


# --- recipients.suppressed ------------------------------------------------------------------


def test_suppressed_address_in_cc():
    inspector = SuppressedRecipients(["Former.Member@Example.net", "@withdrawn.example", "optout.example"])
    view = message(to=["ok@a-corp.co.jp"], cc=["former.member@EXAMPLE.NET"])
    f = only(inspector.inspect(view), "recipients.suppressed")
    assert (f.count, f.where, f.evidence) == (1, ("envelope", "header:Cc"), ("f***@example.net",))


def test_suppressed_domain_entries_cover_subdomains_and_bcc():
    inspector = SuppressedRecipients(["@withdrawn.example", "optout.example", "*.gone.example"])
    view = message(
        to=["a@mail.withdrawn.example"],
        bcc_only=["b@optout.example", "c@gone.example", "d@notoptout.example"],
    )
    f = only(inspector.inspect(view), "recipients.suppressed")
    assert f.count == 3 and f.where == ("envelope", "header:To")
    assert f.evidence == (
        "a***@mail.withdrawn.example (domain entry)",
        "b***@optout.example (domain entry)",
        "c***@gone.example (domain entry)",
    )


def test_nobody_suppressed_no_finding():
    view = message(to=["member@example.net"])
    assert list(SuppressedRecipients(["former.member@example.net"]).inspect(view)) == []


def test_mask_address():
    assert mask_address("taro.yamada@example.net") == "t***@example.net"


# --- recipients.first_time ------------------------------------------------------------------

PAST = [
    (SENDER, "tanaka@a-corp.co.jp"),
    (SENDER, "suzuki@b-corp.co.jp"),
    ("kato@example.co.jp", "ito@c-corp.co.jp"),
    ("kato@example.co.jp", "mori@b-corp.co.jp"),
]


def first_time(view, past=PAST):
    history = RecipientHistory.from_deliveries(view.envelope.mail_from, view.envelope.rcpt_tos, past)
    return only(FirstTimeRecipients(history, INTERNAL).inspect(view), "recipients.first_time")


def test_first_time_domain_after_a_history_of_others():
    f = first_time(message(to=["tanaka@a-corp.co.jp", "someone@new-corp.co.jp"]))
    assert f.count == 1
    assert f.evidence == (
        "new_domains=1",
        "new_to_organisation=1",
        "new-corp.co.jp (domain new to the organisation)",
    )


def test_known_recipients_are_not_first_time():
    assert first_time(message(to=["Tanaka@A-Corp.co.jp", "colleague@example.co.jp"])) is None


def test_first_time_for_the_sender_but_known_to_the_organisation():
    f = first_time(message(to=["ito@c-corp.co.jp", "mori@b-corp.co.jp", "new@b-corp.co.jp"]))
    assert f.count == 3
    assert f.evidence[:2] == ("new_domains=0", "new_to_organisation=1")
    assert "c-corp.co.jp (domain new to the sender)" in f.evidence
    assert "m***@b-corp.co.jp (address new to the sender)" in f.evidence
    assert "n***@b-corp.co.jp (address new to the organisation)" in f.evidence


def test_history_snapshot_holds_only_this_messages_recipients():
    past = PAST + [(SENDER, f"p{i}@elsewhere{i}.example") for i in range(1000)]
    history = RecipientHistory.from_deliveries(SENDER, ["tanaka@a-corp.co.jp", "x@b-corp.co.jp"], past)
    assert history.sender_addresses == {"tanaka@a-corp.co.jp"}
    assert history.sender_domains == {"a-corp.co.jp", "b-corp.co.jp"}
    assert history.organisation_domains == {"a-corp.co.jp", "b-corp.co.jp"}
    assert RecipientHistory.lookup_keys(["X@B-corp.co.jp"]) == ({"x@b-corp.co.jp"}, {"b-corp.co.jp"})


def test_empty_history_makes_every_external_recipient_new():
    f = first_time(message(to=["a@a-corp.co.jp", "b@a-corp.co.jp"]), past=[])
    assert f.count == 2 and f.evidence[:2] == ("new_domains=1", "new_to_organisation=2")


# --- recipients.freemail --------------------------------------------------------------------


def test_shipped_list_has_the_japanese_providers():
    shipped = set(shipped_domains())
    assert {
        "gmail.com",
        "yahoo.co.jp",
        "ezweb.ne.jp",
        "docomo.ne.jp",
        "softbank.ne.jp",
        "i.softbank.jp",
        "au.com",
        "icloud.com",
        "outlook.jp",
        "hotmail.co.jp",
    } <= shipped
    assert all(d == d.lower() and "." in d and " " not in d for d in shipped)


def test_freemail_recipients_with_an_extended_list():
    freemail = FreemailDomains(["Mail.Local-ISP.example"])
    view = message(
        to=["Taro@docomo.ne.jp", "b@a-corp.co.jp"],
        cc=["c@mail.local-isp.example"],
        bcc_only=["d@ezweb.ne.jp", "e@gmail.com.evil.example"],
    )
    f = only(FreemailRecipients(freemail, INTERNAL).inspect(view), "recipients.freemail")
    assert f.count == 3 and f.where == ("envelope", "header:To", "header:Cc")
    assert set(f.evidence) == {"docomo.ne.jp (1)", "ezweb.ne.jp (1)", "mail.local-isp.example (1)"}
    assert "gmail.com.evil.example" not in freemail
