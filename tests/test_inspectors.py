"""The first inspectors and the message parser, over plain values and real encodings."""

from __future__ import annotations

import pytest

from inspectors.base import Envelope
from inspectors.message import parse
from inspectors.personal_data import PersonalData, my_number_is_valid
from inspectors.recipients import ExternalRecipients

ENV = Envelope(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))


def view(body: bytes, charset: str = "utf-8", headers: bytes = b""):
    raw = (
        b"From: a@example.co.jp\r\nTo: b@client.example\r\n"
        + headers
        + b"Content-Type: text/plain; charset="
        + charset.encode()
        + b"\r\n\r\n"
        + body
    )
    return parse(raw, ENV)


@pytest.mark.parametrize(
    "digits, valid",
    [("123456789018", True), ("123456789012", False), ("000000000000", True), ("12345678901", False)],
)
def test_my_number_check_digit(digits, valid):
    assert my_number_is_valid(digits) is valid


@pytest.mark.parametrize(
    "text, count",
    [
        ("マイナンバー：123456789018", 1),
        ("個人番号 １２３４ ５６７８ ９０１８", 1),  # full-width, spaced
        ("個人番号 1234-5678-9018 と 1234-5678-9018", 1),  # distinct values
        ("123456789018", 0),  # no context
        ("マイナンバー記載なし。注文番号 123456789018", 0),  # an order label is nearer
        ("マイナンバー 123456789012", 0),  # bad check digit
    ],
)
def test_my_number_needs_context_and_checksum(text, count):
    findings = list(PersonalData().inspect(view(text.encode())))
    assert sum(f.count for f in findings if f.code == "pii.my_number") == count
    for f in findings:
        assert all("9018" in e and "5678" not in e for e in f.evidence)


@pytest.mark.parametrize(
    "charset, codec",
    [("iso-2022-jp", "iso2022_jp"), ("shift_jis", "cp932"), ("euc-jp", "euc_jp"), ("utf-8", "utf-8")],
)
def test_japanese_charsets_decode(charset, codec):
    text = "個人番号 123456789018 髙橋①" if codec == "cp932" else "個人番号 123456789018 高橋"
    v = view(text.encode(codec), charset)
    assert v.texts[0].text == text


def test_undeclared_charset_and_encoded_subject():
    v = parse(
        b"Subject: =?ISO-2022-JP?B?GyRCOFw1UiVqJTklSBsoQg==?=\r\n\r\n" + "顧客リスト".encode("cp932"), ENV
    )
    assert v.subject == "顧客リスト"
    assert v.texts[0].text == "顧客リスト"


def test_html_body_reduced_to_text():
    raw = (
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>\xe5\x80\x8b\xe4\xba\xba\xe7\x95\xaa\xe5\x8f\xb7"
        b"&nbsp;123456789018</p><script>x()</script></body></html>"
    )
    v = parse(raw, ENV)
    assert "個人番号\xa0123456789018" in v.texts[0].text and "x()" not in v.texts[0].text


def test_attachments_are_listed_with_rfc2231_names():
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%E9%A1%A7%E5%AE%A2.xlsx\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--B--\r\n"
    )
    v = parse(raw, ENV)
    [att] = v.attachments
    assert (att.filename, att.size, att.where) == ("顧客.xlsx", 3, "attachment:顧客.xlsx")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary",
        b"Subject: =?utf-8?B?broken\r\n\r\nx",
        b"Content-Type: text/plain; charset=bogus\r\n\r\n\xff",
    ],
)
def test_parse_never_raises(raw):
    assert parse(raw, ENV).size == len(raw)


def test_external_recipients_subdomains_are_internal():
    inspector = ExternalRecipients(["example.co.jp"])
    env = Envelope(
        mail_from="a@example.co.jp",
        rcpt_tos=("x@example.co.jp", "y@tokyo.example.co.jp", "Z@Client.Example", "w@notexample.co.jp"),
    )
    [finding] = inspector.inspect(parse(b"\r\n", env))
    assert finding.code == "recipients.external" and finding.count == 2
    assert finding.evidence == ("client.example", "notexample.co.jp")


def test_raw_utf8_and_cp932_bytes_in_subject():
    for raw_subject in ("見積書".encode(), "髙橋様①".encode("cp932")):
        v = parse(b"Subject: " + raw_subject + b"\r\n\r\nbody", ENV)
        assert v.subject == raw_subject.decode("utf-8" if raw_subject.startswith(b"\xe8") else "cp932")
