"""`check`'s envelope from the headers: read from the header section alone, to the same result."""

from __future__ import annotations

import pytest

from proxy.check import envelope_of, header_section

BODY = b"From: body@elsewhere.example\r\nTo: body@elsewhere.example\r\n" + b"QUJD" * 50_000


@pytest.mark.parametrize(
    "raw, sender, recipients",
    [
        (
            b"From: a@example.co.jp\r\nTo: b@client.example\r\nCc: c@client.example\r\n\r\n" + BODY,
            "a@example.co.jp",
            ("b@client.example", "c@client.example"),
        ),
        (b"From: a@example.co.jp\nTo: b@client.example\n\n" + BODY, "a@example.co.jp", ("b@client.example",)),
        (
            b"From: a@example.co.jp\r\nTo: b@client.example\n\r\n" + BODY,
            "a@example.co.jp",
            ("b@client.example",),
        ),
        (b"\r\n" + BODY, "", ()),  # no header section at all
        (
            b"From: a@example.co.jp\r\nnot a header\r\nTo: b@client.example\r\n\r\n" + BODY,
            "a@example.co.jp",
            (),
        ),  # the body starts early
        (b"From: a@example.co.jp\r\nTo: b@client.example\r\n", "a@example.co.jp", ("b@client.example",)),
    ],
)
def test_envelope_from_the_header_section_alone(raw, sender, recipients):
    envelope = envelope_of(raw)
    assert (envelope.mail_from, envelope.rcpt_tos) == (sender, recipients)
    assert len(header_section(raw)) < 200, "the body is not handed to the header parser"


def test_given_envelope_wins():
    envelope = envelope_of(b"From: a@example.co.jp\r\n\r\nx", "s@example.co.jp", ["r@client.example"])
    assert (envelope.mail_from, envelope.rcpt_tos) == ("s@example.co.jp", ("r@client.example",))
