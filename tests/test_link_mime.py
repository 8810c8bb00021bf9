"""quarantine/link_mime.py: attachments taken out byte for byte, the link block put into
every body part in its own charset and transfer encoding, hostile mail never a crash."""

from __future__ import annotations

import base64
import binascii
import email
import hashlib
import random
import re
from email.message import Message
from pathlib import Path

import magic
import pytest

from inspectors.message import Envelope, Summary, parse
from quarantine.link_block import size_text
from quarantine.link_mime import LinkBlock, LinkMimeError, SharedFile, split, with_links

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mime"
BLOCK = LinkBlock(
    url="https://relay.example.jp/d/TOKEN123",
    expires_text="2026-12-10 17:00 (JST)",
    files=(("見積書.zip", 1_300_000), ('<script>alert("x")</script>.pdf', 2048)),
    max_downloads=5,
)
JA = "添付ファイルはダウンロードリンクでお送りします"
EN = "The attachments are sent as a download link"
ZIP = bytes(range(256)) * 40
HEAD = (
    b"From: =?UTF-8?B?5bGx55Sw?= <yamada@example.co.jp>\r\n"
    b"To: client@example.com\r\n"
    b"Subject: =?ISO-2022-JP?B?GyRCOCtAUTscGyhC?=\r\n"
    b"Message-ID: <abc@example.co.jp>\r\n"
    b"X-Long: folded\r\n\tcontinuation line\r\n"
    b"MIME-Version: 1.0\r\n"
)


def mixed(*parts: bytes, ctype: bytes = b"multipart/mixed", boundary: bytes = b"BOUND") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts)
    return (
        HEAD
        + b"Content-Type: " + ctype + b'; boundary="' + boundary + b'"\r\n\r\n'
        + b"preamble\r\n" + body + b"--" + boundary + b"--\r\n"
    )  # fmt: skip


def text_part(
    body: bytes, charset: bytes = b"iso-2022-jp", cte: bytes = b"7bit", sub: bytes = b"plain"
) -> bytes:
    return (
        b"Content-Type: text/"
        + sub
        + b"; charset="
        + charset
        + b"\r\nContent-Transfer-Encoding: "
        + cte
        + b"\r\n\r\n"
        + body
    )


def file_part(
    data: bytes, name: str = "見積書.zip", cte: str = "base64", ctype: str = "application/zip"
) -> bytes:
    if cte == "base64":
        body = base64.encodebytes(data).replace(b"\n", b"\r\n")
    elif cte == "quoted-printable":
        body = binascii.b2a_qp(data, istext=False).replace(b"\n", b"\r\n")
    elif cte == "x-uuencode":
        lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
        body = b"begin 644 f\r\n" + b"".join(lines).replace(b"\n", b"\r\n") + b"`\r\nend\r\n"
    else:
        body = data
    head = f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n".encode()
    quoted = "=?UTF-8?B?" + base64.b64encode(name.encode()).decode() + "?="
    return head + f'Content-Disposition: attachment; filename="{quoted}"\r\n\r\n'.encode() + body


def bodies(raw: bytes) -> list[tuple[Message, str]]:
    """(part, decoded text) of each text/plain and text/html part that is not an attachment."""
    out = []

    def walk(part: Message) -> None:
        if part.get_content_type().startswith("message/"):
            return  # a forward's parts are not this message's bodies
        if part.is_multipart():
            for child in part.get_payload():
                assert isinstance(child, Message)
                walk(child)
        elif part.get_content_type() in ("text/plain", "text/html") and part.get_filename() is None:
            if _attachment(part):
                return
            charset = part.get_content_charset() or "us-ascii"
            charset = {"shift_jis": "cp932"}.get(charset, charset)
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            out.append((part, data.decode(charset)))

    walk(email.message_from_bytes(raw))
    return out


def crlf(raw: bytes) -> bytes:
    return re.sub(rb"\r\n|\r|\n", b"\r\n", raw)


def _attachment(part: Message) -> bool:
    return str(part.get("Content-Disposition", "")).lower().startswith("attachment")


def headers(raw: bytes) -> list[bytes]:
    """The root's header fields except those MIME itself needs (and an mbox "From " line)."""
    section = raw.split(b"\r\n\r\n", 1)[0]
    fields = re.split(rb"\r\n(?![ \t])", section)
    return [h for h in fields if not h.lower().startswith(b"content-") and not h.startswith(b"From ")]


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "7bit", "8bit", "x-uuencode"])
def test_each_file_comes_out_byte_identical(cte):
    data = (
        ZIP if cte in ("base64", "quoted-printable", "x-uuencode", "8bit") else b"plain ascii data\r\n" * 50
    )
    if cte == "8bit":
        data = data.replace(b"\r", b"").replace(b"\n", b"")  # 8bit keeps lines
    raw = mixed(text_part("本文です。".encode("iso-2022-jp")), file_part(data, cte=cte))
    template, files = split(raw)
    assert [(f.name, f.content_type, f.part) for f in files] == [("見積書.zip", "application/zip", "1.2")]
    assert hashlib.sha256(files[0].data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert b"BOUND" in template and b"application/zip" not in template
    assert [t for _, t in bodies(template)] == ["本文です。"]


def test_nothing_to_take_returns_the_bytes_unchanged():
    raw = mixed(text_part(b"hello", b"us-ascii"), text_part(b"<p>hi</p>", b"us-ascii", sub=b"html"))
    assert split(raw) == (raw, ())


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><text>customer list</text></svg>'


@pytest.mark.parametrize(
    "ctype, data, cid, stays",
    [
        (b"image/png", PNG, b"logo@x", True),  # the signature's logo the HTML shows
        (b"image/png", PNG, b"other@x", False),  # not shown: mail programs list it as a file
        (b"image/png", ZIP, b"logo@x", False),  # declared a picture, bytes that are not one
        (b"application/zip", ZIP, b"logo@x", False),  # not declared a picture
        (b"image/svg+xml", SVG, b"logo@x", False),  # a document with text, not a picture
    ],
)
def test_an_inline_part_stays_only_as_a_picture_its_html_shows(ctype, data, cid, stays):
    inline = (
        b"Content-Type: " + ctype + b'; name="x.bin"\r\nContent-ID: <' + cid + b">\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data).replace(b"\n", b"\r\n")
    )
    raw = mixed(
        text_part(b'<html><body><img src="cid:Logo%40x"></body></html>', b"utf-8", sub=b"html"),
        inline,
        ctype=b"multipart/related",
        boundary=b"REL",
    )
    template, files = split(raw)
    assert [f.name for f in files] == ([] if stays else ["x.bin"])
    assert (data in [p.get_payload(decode=True) for p in email.message_from_bytes(template).walk()]) == stays


def test_nested_parts_keep_their_paths_and_inline_pictures_stay():
    logo = b"Content-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\r\n"
    related = mixed(
        text_part(b'<html><body><img src="cid:logo@x"></BODY></html>', b"utf-8", sub=b"html"),
        logo,
        file_part(b"in related", name="report.pdf", ctype="application/pdf"),
        ctype=b"multipart/related",
        boundary=b"REL",
    ).split(b"MIME-Version: 1.0\r\n", 1)[1]
    inner = mixed(text_part(b"plain body", b"us-ascii"), file_part(ZIP), boundary=b"INNER")
    alt = mixed(
        inner.split(b"MIME-Version: 1.0\r\n", 1)[1], related, ctype=b"multipart/alternative", boundary=b"ALT"
    )
    template, files = split(alt)
    assert [(f.name, f.part) for f in files] == [("見積書.zip", "1.1.2"), ("report.pdf", "1.2.3")]
    assert files[0].data == ZIP and files[1].data == b"in related"
    summary = Summary.of(parse(alt, Envelope(mail_from="a@b", rcpt_tos=("c@d",))))
    assert {(a[0], a[3]) for a in summary.attachments} == {
        ("見積書.zip", "1.1.2"),
        ("report.pdf", "1.2.3"),
        ("part-1.2.2", "1.2.2"),
    }
    assert b"Content-ID: <logo@x>" in template and b"report.pdf" not in template
    assert split(template) == (template, ())  # the inline logo is not an attachment to take


def test_forwarded_message_is_a_file_of_its_bytes():
    forward = b"From: x@y\r\nSubject: fwd\r\n\r\nforwarded body\r\n"
    raw = mixed(
        text_part(b"see below", b"us-ascii"),
        b'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="old.eml"\r\n\r\n'
        + forward,
        b"Content-Type: message/rfc822\r\n\r\n" + forward,
    )
    template, files = split(raw)
    assert [(f.name, f.content_type, f.part) for f in files] == [
        ("old.eml", "message/rfc822", "1.2"),
        ("message-1.3.eml", "message/rfc822", "1.3"),
    ]
    assert b"forwarded body" in files[0].data and b"forwarded body" not in template


def test_a_message_of_only_attachments_keeps_an_empty_text_part():
    raw = mixed(
        file_part(ZIP),
        mixed(file_part(b"x", name="a.txt", ctype="text/plain"), boundary=b"IN").split(
            b"MIME-Version: 1.0\r\n", 1
        )[1],
    )
    template, files = split(raw)
    assert [f.part for f in files] == ["1.1", "1.2.1"]
    message = email.message_from_bytes(template)
    assert message.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in message.get_payload()] == [
        "text/plain"
    ]  # the emptied inner one is gone
    out = with_links(template, BLOCK)
    assert [JA in t and EN in t for _, t in bodies(out)] == [True]


def test_a_single_part_attachment_becomes_a_text_message():
    raw = (
        HEAD
        + b"Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(ZIP)
    )
    template, files = split(raw)
    assert files == (SharedFile(name="a.pdf", content_type="application/pdf", data=ZIP, part="1"),)
    assert email.message_from_bytes(template).get_content_type() == "text/plain"
    assert headers(template) == headers(raw)
    assert JA in bodies(with_links(template, BLOCK))[0][1]


def test_a_message_without_a_body_part_gets_one():
    raw = HEAD + b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
    out = with_links(raw, BLOCK)
    message = email.message_from_bytes(out)
    assert message.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "image/png"]
    assert message.get_payload()[1].get_payload(decode=True) == base64.b64decode(b"iVBORw0KGgo=")
    assert headers(out) == headers(raw)


@pytest.mark.parametrize(
    ("charset", "cte", "text", "declared"),
    [
        ("iso-2022-jp", "7bit", "お世話になっております。\r\n", "iso-2022-jp"),
        ("shift_jis", "8bit", "お世話になっております。", "shift_jis"),
        ("cp932", "base64", "お世話になっております。①髙", "cp932"),
        ("utf-8", "quoted-printable", "お世話になっております。\r\n", "utf-8"),
        ("utf-8", "base64", "お世話になっております。", "utf-8"),
        ("us-ascii", "7bit", "Dear customer,\r\n", "utf-8"),
        ("iso-8859-1", "quoted-printable", "Grüße aus Köln", "utf-8"),
    ],
)
def test_block_written_in_each_parts_own_charset_and_encoding(charset, cte, text, declared):
    codec = {"iso-2022-jp": "iso2022_jp_ext", "shift_jis": "cp932"}.get(charset, charset)
    data = text.encode(codec)
    body = {"base64": base64.encodebytes(data), "quoted-printable": binascii.b2a_qp(data)}.get(cte, data)
    raw = mixed(text_part(body, charset.encode(), cte.encode()), file_part(ZIP))
    template, _ = split(raw)
    out = with_links(template, BLOCK)
    [(part, decoded)] = bodies(out)
    assert part.get_content_charset() == declared
    assert decoded.startswith(text) and JA in decoded and EN in decoded
    assert "\nhttps://relay.example.jp/d/TOKEN123\r\n" in decoded  # the URL on its own line
    assert "・見積書.zip (1.2 MB)" in decoded
    if declared == charset and cte != "7bit":
        assert part["Content-Transfer-Encoding"] == cte
    if charset == "iso-2022-jp":
        assert out.isascii()
    if charset == "us-ascii":  # 7bit cannot carry UTF-8: quoted-printable keeps the text readable
        assert part["Content-Transfer-Encoding"] == "quoted-printable" and out.isascii()
    assert headers(out) == headers(raw)


def test_html_is_escaped_and_goes_before_the_body_end():
    page = b"<html><body><p>Hello</p></BODY>\r\n</html>"
    raw = mixed(text_part(page, b"utf-8", sub=b"html"), file_part(ZIP))
    out = with_links(split(raw)[0], BLOCK)
    [(_, html)] = bodies(out)
    assert html.startswith("<html><body><p>Hello</p>") and html.endswith("</BODY>\r\n</html>")
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.pdf" in html
    assert '<a href="https://relay.example.jp/d/TOKEN123">' in html and html.index(JA) < html.index(EN)


@pytest.mark.parametrize(
    ("codec", "charset", "cte"),
    [
        ("iso2022_jp", b"ISO-2022-JP", b"7bit"),
        ("cp932", b"Shift_JIS", b"8bit"),
        ("utf-8", b"UTF-8", b"base64"),
    ],
)
def test_round_trip_keeps_every_body_and_no_attachment(codec, charset, cte):
    plain_text, page = (
        "山田です。\r\n見積書をお送りします。\r\n",
        "<html><body><p>山田です。</p></body></html>",
    )
    encode = (
        (lambda t: base64.encodebytes(t.encode(codec))) if cte == b"base64" else (lambda t: t.encode(codec))
    )
    alt = mixed(
        text_part(encode(plain_text), charset, cte),
        text_part(encode(page), charset, cte, b"html"),
        ctype=b"multipart/alternative",
        boundary=b"ALT",
    )
    raw = mixed(
        alt.split(b"MIME-Version: 1.0\r\n", 1)[1],
        file_part(ZIP),
        file_part(b"%PDF-1.4", name="仕様書.pdf", ctype="application/pdf"),
    )
    template, files = split(raw)
    assert [(f.name, f.data) for f in files] == [("見積書.zip", ZIP), ("仕様書.pdf", b"%PDF-1.4")]
    out = with_links(template, BLOCK)
    found = bodies(out)
    assert [p.get_content_type() for p, _ in found] == ["text/plain", "text/html"]
    assert found[0][1].startswith(plain_text) and "<p>山田です。</p>" in found[1][1]
    assert all(JA in t and EN in t and "見積書.zip" in t for _, t in found)
    leaves = [p for p in email.message_from_bytes(out).walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in leaves] == ["text/plain", "text/html"]  # no attachment left
    assert all(p.get_content_charset() == charset.decode().lower() for p in leaves)
    assert headers(out) == headers(raw)


def test_a_report_without_a_text_part_is_wrapped_whole():
    report = mixed(
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\nAction: failed\r\n",
        ctype=b"multipart/report; report-type=delivery-status",
    )
    out = with_links(report, BLOCK)
    message = email.message_from_bytes(out)
    assert message.get_content_type() == "multipart/mixed"
    text, inner = message.get_payload()
    assert JA in text.get_payload(decode=True).decode() and inner.get_content_type() == "multipart/report"
    assert inner.preamble == "preamble" and inner.get_boundary() == "BOUND"
    assert headers(out) == headers(report)


def test_a_body_part_without_mime_version_gets_one_when_wrapped():
    raw = b"From: a@b\r\nSubject: x\r\nContent-Type: application/pdf\r\n\r\n%PDF"
    out = with_links(raw, BLOCK)
    assert out.startswith(b"From: a@b\r\nSubject: x\r\n") and b"MIME-Version: 1.0" in out
    assert email.message_from_bytes(out).get_payload()[1].get_payload() == "%PDF"


def test_unexpected_failures_are_link_mime_errors(monkeypatch):
    assert issubclass(LinkMimeError, ValueError)

    def broken(_):
        raise TypeError("inside the email package")

    monkeypatch.setattr("quarantine.link_mime.read_message", broken)
    with pytest.raises(LinkMimeError, match="TypeError"):
        split(b"x")
    with pytest.raises(LinkMimeError):
        with_links(b"x", BLOCK)


def test_mutated_messages_never_raise_anything_else():
    rng = random.Random(19)
    seed = mixed(
        text_part("本文".encode("iso-2022-jp")),
        file_part(ZIP[:600]),
        file_part(b"x", name="a.pdf", cte="quoted-printable"),
    )
    for _ in range(300):
        raw = bytearray(seed)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(raw))
            choice = rng.random()
            if choice < 0.4:
                raw[at] = rng.choice(b'-=\r\n\x1b\xff:;"<>')
            elif choice < 0.7:
                del raw[at : at + rng.randint(1, 40)]
            else:
                raw[at:at] = rng.choice(
                    [b"\r\n--BOUND\r\n", b"\r\n\r\n", b"Content-Type: multipart/mixed\r\n"]
                )
        try:
            template, _ = split(bytes(raw))
            with_links(template, BLOCK)
        except LinkMimeError:
            pass


def test_a_charset_lie_turns_the_part_to_utf8_with_its_text():
    raw = mixed(text_part("本文です".encode(), b"iso-2022-jp", b"8bit"), file_part(ZIP))
    [(part, text)] = bodies(with_links(split(raw)[0], BLOCK))
    assert part.get_content_charset() == "utf-8" and text.startswith("本文です") and JA in text


def test_every_body_part_gets_the_block_and_html_without_a_body_end_gets_it_appended():
    raw = mixed(
        text_part(b"first", b"us-ascii"),
        text_part(b"<p>no end tag", b"utf-8", b"8bit", b"html"),
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nnotes",
        text_part("二つ目".encode("cp932"), b"shift_jis", b"8bit"),
    )
    template, files = split(raw)
    assert [f.name for f in files] == ["notes.txt"]
    found = bodies(with_links(template, BLOCK))
    assert [t.split("\r\n", 1)[0][:13] for _, t in found] == ["first", "<p>no end tag", "二つ目"]
    assert all(JA in t and EN in t for _, t in found)
    assert found[1][1].startswith("<p>no end tag\r\n<div")


def test_html_charset_from_its_meta_is_declared_when_written():
    page = b'<html><head><meta charset="utf-8"></head><body>caf\xc3\xa9</body></html>'
    raw = mixed(b"Content-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + page, file_part(ZIP))
    [(part, html)] = bodies(with_links(split(raw)[0], BLOCK))
    assert (
        part.get_content_charset() == "utf-8"
        and html.startswith("<html><head>")
        and "café" + "\r\n<div" in html
    )


def test_an_mbox_from_line_is_dropped_and_the_header_fields_keep_their_bytes():
    odd = b"From sender@example.co.jp Mon Dec  1 09:00:00 2026\r\nX-Empty:\r\nX-Trailing: a \r\n  b\r\n"
    raw = odd + mixed(text_part(b"hi", b"us-ascii"), file_part(ZIP))
    template, _ = split(raw)
    assert template.startswith(b"X-Empty:\r\nX-Trailing: a \r\n  b\r\n" + HEAD)
    assert with_links(template, BLOCK).startswith(b"X-Empty:\r\nX-Trailing: a \r\n  b\r\n" + HEAD)


def test_hostile_names_cannot_start_lines_of_their_own():
    block = LinkBlock(
        url="https://r/d/T", expires_text="x", files=(("a\r\nBcc: x@y\r\n.pdf", 1),), max_downloads=1
    )
    [(_, text)] = bodies(with_links(mixed(text_part(b"hi", b"us-ascii")), block))
    assert "\nBcc" not in text and "a Bcc: x@y .pdf (1 B)" in text
    long_name = LinkBlock(
        url="https://r/d/T", expires_text="x", files=(("長" * 5000 + ".zip", 1),), max_downloads=1
    )
    out = with_links(mixed(text_part(b"hi", b"iso-2022-jp")), long_name)
    assert max(len(line) for line in out.split(b"\r\n")) < 998


def test_sizes():
    assert [size_text(n) for n in (0, 1023, 1024, 1_300_000, 25 * 1024**2, 5 * 1024**4)] == [
        "0 B", "1023 B", "1.0 KB", "1.2 MB", "25 MB", "5120 GB"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"garbage without headers",
        HEAD
        + b'Content-Type: multipart/mixed; boundary="X"\r\n\r\n--X\r\nContent-Type: application/zip\r\n\r\nabc',
        HEAD + b"Content-Type: multipart/mixed\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n--X--\r\n",
        mixed(*(file_part(b"x", name=f"{i}.bin") for i in range(2000))),
        mixed(
            text_part(b"hi", b"us-ascii"), file_part(b"", cte="base64")[:-2] + b"!!!not base64===\r\nAAA=A=="
        ),
        mixed(text_part("本文".encode(), b"iso-2022-jp", b"8bit"), file_part(ZIP)),  # a charset lie
        mixed(text_part(b"x", b"no-such-charset"), text_part(b"y", b"utf-16", sub=b"html"), file_part(ZIP)),
        mixed(file_part(ZIP), boundary=b"B") * 3,
    ],
)
def test_hostile_mail_never_breaks_either_step(raw):
    try:
        template, _ = split(raw)
    except LinkMimeError:
        return
    out = with_links(template, BLOCK)
    assert bodies(out) and all(JA in t and EN in t for _, t in bodies(out))


def corpus_files(limit: int = 220) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/mime is not here")
    every = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix == ".eml")
    return every[:: max(1, len(every) // limit)]


def test_corpus_split_matches_the_inspectors_and_the_block_is_everywhere():
    taken_somewhere = 0
    for path in corpus_files():
        raw = path.read_bytes()
        try:
            template, files = split(raw)
        except LinkMimeError:
            continue
        summary = Summary.of(parse(raw, Envelope(mail_from="a@b", rcpt_tos=("c@d",))))
        inline = {p for p in _inline_parts(raw)}
        expected = [(a[0], a[3]) for a in summary.attachments if a[3] not in inline]
        assert sorted((f.name, f.part) for f in files) == sorted(expected), path
        sizes = {a[3]: a[2] for a in summary.attachments}
        assert all(len(f.data) == sizes[f.part] for f in files), path
        left = Summary.of(parse(template, Envelope(mail_from="a@b", rcpt_tos=("c@d",)))).attachments
        assert len(left) == len(summary.attachments) - len(files), path  # the inline ones only
        taken_somewhere += bool(files)
        out = with_links(template, BLOCK)
        found = bodies(out)
        assert found, path
        for _, text in found:
            assert JA in text and EN in text, path
        if files:
            assert headers(crlf(out)) == headers(crlf(raw)), path
    assert taken_somewhere >= 20


def _inline_parts(raw: bytes) -> set[str]:
    """Paths of the pictures a multipart/related's HTML shows (the email package's own walk,
    libmagic's own sniffing): declared image/*, bytes that are an image, cid: in the HTML."""
    out: set[str] = set()

    def html_of(part: Message) -> bytes:
        return b"".join(
            p.get_payload(decode=True) or b""
            for p in part.walk()
            if p.get_content_type() == "text/html" and not _attachment(p)
        )

    def walk(part: Message, path: str, html: bytes | None) -> None:
        if part.is_multipart() and not part.get_content_type().startswith("message/"):
            inner = html_of(part).lower() if part.get_content_type() == "multipart/related" else None
            for i, child in enumerate(part.get_payload(), 1):
                walk(child, f"{path}.{i}", inner)
        elif html is not None and part.get("Content-ID") and not _attachment(part):
            cid = str(part["Content-ID"]).strip().strip("<>").lower().encode()
            data = part.get_payload(decode=True) or b""
            picture = part.get_content_type().startswith("image/") and magic.from_buffer(
                data, mime=True
            ).startswith("image/")
            if picture and b"cid:" + cid in html:
                out.add(path)

    walk(email.message_from_bytes(raw), "1", None)
    return out
