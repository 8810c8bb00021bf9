"""MIME walking: every part at any depth, forwards, part paths, limits, and never raising."""

from __future__ import annotations

import dataclasses
import io
import random
import zipfile
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from inspectors.base import Envelope
from inspectors.extract import parser
from inspectors.extract.parser import _parsed, _runs, read_message
from inspectors.limits import Limits
from inspectors.message import MessageView, Summary, parse

from .mime_mail import BODY, mail_with, zipped

ENV = Envelope(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))


def texts(view: MessageView) -> dict[str, str]:
    return {chunk.where: chunk.text for chunk in view.texts}


def codes(view: MessageView) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    out: dict[str, list] = {}
    for finding in view.problems:
        out.setdefault(finding.code, []).append((finding.where, finding.evidence[0]))
    return out


def test_nested_multiparts_bodies_and_part_paths():
    message = MIMEMultipart("mixed")
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("プレーン本文", "plain", "iso-2022-jp"))
    related = MIMEMultipart("related")
    related.attach(MIMEText("<html><body><p>HTML本文</p><script>x()</script></body></html>", "html", "utf-8"))
    related.attach(MIMEApplication(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;", "gif"))
    alternative.attach(related)
    message.attach(alternative)
    message.attach(MIMEApplication(b"a,b\r\n1,2\r\n", "octet-stream"))
    message.get_payload()[1].add_header("Content-Disposition", "attachment", filename="data.csv")
    view = parse(message.as_bytes(), ENV)
    assert texts(view) == {
        "body": "プレーン本文",
        "body:1.1.2.1": "\nHTML本文",
        "attachment:data.csv": "a\tb\n1\t2",
    }
    assert [(a.where, a.part, a.kind) for a in view.attachments] == [
        ("attachment:part-1.1.2.2", "1.1.2.2", "image"),
        ("attachment:data.csv", "1.2", "csv"),
    ]
    assert [t.rows for t in view.tables] == [(("a", "b"), ("1", "2"))]


def test_attached_message_is_opened_with_its_own_attachments():
    inner = MIMEMultipart()
    inner["Subject"], inner["From"], inner["To"] = "顧客名簿の件", "x@a-corp.co.jp", "y@example.co.jp"
    inner.attach(MIMEText("転送元の本文", "plain", "iso-2022-jp"))
    csv = MIMEText("氏名,電話\n山田,090-1234-5678\n", "csv", "shift_jis")
    csv.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "名簿.csv"))
    inner.attach(csv)
    outer = MIMEMultipart()
    outer.attach(MIMEText("転送します", "plain", "utf-8"))
    forward = MIMEMessage(inner)
    forward.add_header("Content-Disposition", "attachment", filename="転送.eml")
    outer.attach(forward)
    view = parse(outer.as_bytes(), ENV)
    found = texts(view)
    assert found["body"] == "転送します"
    assert "Subject: 顧客名簿の件" in found["attachment:転送.eml!headers"]
    assert found["attachment:転送.eml!body"].strip() == "転送元の本文"
    [table] = view.tables
    assert table.where == "attachment:転送.eml!名簿.csv"
    assert table.rows == (("氏名", "電話"), ("山田", "090-1234-5678"))
    assert [(a.where, a.parent) for a in view.attachments] == [
        ("attachment:転送.eml", ""),
        ("attachment:転送.eml!名簿.csv", "attachment:転送.eml"),
    ]
    assert Summary.of(view).attachments == (("転送.eml", "message/rfc822", view.attachments[0].size, "1.2"),)


def test_inline_forward_without_a_name_is_still_read():
    inner = EmailMessage()
    inner.set_content("inline forwarded text")
    outer = MIMEMultipart()
    outer.attach(MIMEText("fw", "plain", "utf-8"))
    outer.attach(MIMEMessage(inner))
    view = parse(outer.as_bytes(), ENV)
    assert texts(view)["attachment:message-1.2.eml!body"].strip() == "inline forwarded text"


def forwards(depth: int) -> bytes:
    message = EmailMessage()
    message.set_content("the innermost text")
    for _ in range(depth):
        outer = MIMEMultipart()
        outer.attach(MIMEText("layer", "plain", "utf-8"))
        outer.attach(MIMEMessage(message))
        message = outer
    return message.as_bytes()


def test_forward_nesting_stops_at_the_depth_limit_and_says_so():
    view = parse(forwards(4), ENV, Limits(max_depth=2))
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert reason == "limit: nesting depth > 2"
    assert where == ("attachment:message-1.2.eml!message-1.2.eml!message-1.2.eml",)
    assert "the innermost text" not in " ".join(texts(view).values())
    assert texts(view)["body"] == "layer"
    deep = parse(forwards(4), ENV)
    assert any("the innermost text" in t for t in texts(deep).values())


def test_multipart_nesting_limit():
    raw = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(30)
    )
    raw += b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    view = parse(raw, ENV, Limits(max_multipart_depth=10))
    assert codes(view)["attachment.unscannable"][0][1] == "limit: MIME nesting > 10"


def test_no_text_budget_every_part_is_read_whole():
    # More than the old per-message budget (3,000,000 characters) in the first attachment:
    # the parts after it are read all the same, and nothing is reported unread.
    big = "x" * 3_100_000
    raw = mail_with(("a.txt", big.encode()), ("b.zip", zipped(**{"c.txt": b"y" * 500})), body="z" * 50)
    view = parse(raw, ENV)
    assert texts(view) == {"body": "z" * 50, "attachment:a.txt": big, "attachment:b.zip!c.txt": "y" * 500}
    assert view.problems == ()


def test_cpu_budget_per_attachment():
    view = parse(
        mail_with(("a.csv", b"a,b\n1,2\n"), ("b.txt", b"hello")), ENV, Limits(cpu_seconds_per_attachment=0)
    )
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:a.csv", "attachment:b.txt"), "limit: cpu seconds > 0")
    ]
    assert texts(view) == {"body": BODY}


def test_problems_of_one_kind_are_one_finding_naming_every_file():
    locked = io.BytesIO()
    with zipfile.ZipFile(locked, "w") as archive:
        archive.writestr("x.txt", b"x")
    data = bytearray(locked.getvalue())
    data[6] |= 1  # local header: encrypted
    data[data.rfind(b"PK\x01\x02") + 8] |= 1  # central directory: encrypted
    view = parse(mail_with(("a.zip", bytes(data)), ("b.zip", bytes(data))), ENV)
    [finding] = [f for f in view.problems if f.code == "attachment.encrypted"]
    assert finding.count == 2 and finding.where == ("attachment:a.zip", "attachment:b.zip")
    assert finding.evidence == ("password-protected zip (ZipCrypto)",)


def test_summary_round_trip_and_top_level_only():
    view = parse(mail_with(("資料.zip", zipped(**{"中身.txt": "秘密".encode()}))), ENV)
    summary = Summary.of(view)
    assert summary.subject == "資料送付" and summary.header_to == ("b@client.example",)
    assert [a[0] for a in summary.attachments] == ["資料.zip"]
    assert Summary.from_dict(summary.to_dict()) == summary


def test_evidence_never_carries_content():
    secret = "個人番号123456789018"
    raw = mail_with(
        (f"{secret}.zip", zipped(**{f"{secret}.xlsx": secret.encode()})),
        (f"{secret}.pdf", secret.encode()),
        body=secret,
    )
    view = parse(raw, ENV)
    assert view.problems
    assert all(secret not in e and "123456789018" not in e for f in view.problems for e in f.evidence)


@pytest.mark.parametrize("seed", range(5))
def test_truncated_and_mutated_messages_never_raise(seed):
    raw = mail_with(("a.zip", zipped(**{"b.csv": b"x,y\n1,2\n"})), ("c.txt", "テキスト".encode("cp932")))
    rng = random.Random(seed)
    for _ in range(40):
        cut = raw[: rng.randrange(len(raw))]
        mutated = bytearray(raw)
        for _ in range(20):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        for candidate in (cut, bytes(mutated)):
            assert parse(candidate, ENV).size == len(candidate)


def test_parse_takes_limits_by_keyword_or_position():
    raw = mail_with(("a.csv", b"a,b\n1,2\n"))
    for view in (
        parse(raw, ENV, Limits(cpu_seconds_per_attachment=0)),
        parse(raw, ENV, limits=Limits(cpu_seconds_per_attachment=0)),
    ):
        assert codes(view)["attachment.unscannable"] == [(("attachment:a.csv",), "limit: cpu seconds > 0")]
    assert parse(raw, ENV).problems == ()


def test_every_limit_has_a_worded_reason():
    limits = Limits()
    for limit in dataclasses.fields(Limits):
        assert limits.reason(limit.name).startswith("limit: ")
    assert limits.reason("max_archive_members") == "limit: archive members > 1000"
    assert (
        Limits(cpu_seconds_per_attachment=2.5).reason("cpu_seconds_per_attachment")
        == "limit: cpu seconds > 2.5"
    )


def test_the_pipeline_alarm_is_not_swallowed(monkeypatch):
    class InspectionTimeout(Exception):  # as proxy.pipeline names the exception its alarm raises
        pass

    def alarm(*args):
        raise InspectionTimeout()

    monkeypatch.setattr("inspectors.extract.kind.TypeDetector._detect", alarm)
    with pytest.raises(InspectionTimeout):
        parse(mail_with(("a.txt", b"x")), ENV)


def test_html_only_body_with_meta_charset():
    page = '<html><head><meta charset="shift_jis"></head><body>個人番号&nbsp;①<br>髙橋</body></html>'
    raw = b"Content-Type: text/html\r\n\r\n" + page.encode("cp932")
    assert parse(raw, ENV).texts[0].text == "個人番号\xa0①\n髙橋"


def _shape(message) -> list:
    payload = message.get_payload()
    return [
        message.items(),
        message.get_unixfrom(),
        message.get_content_type(),
        [type(d).__name__ for d in message.defects],
        [_shape(p) for p in payload] if isinstance(payload, list) else payload,
    ]


SINGLE_PART_EDGES = [
    b"Subject: a\r\n\r\nbody\r\n",
    b"Subject: a\n\nLF only\n",
    b"Subject: a\n\r\nmixed\r\n",
    b"From sender Mon Jan 1 00:00:00 2024\r\nSubject: mbox\r\n\r\nbody\r\n",
    b"Subject: a\r\nnot a header line\r\n\r\nbody\r\n",  # the body starts early
    b"\r\nno headers at all\r\n\r\nsecond paragraph\r\n",
    b"Subject: a\r\r\n\r\nodd line end\r\n",
    b"Subject: a\r\n  folded\r\n\r\n\r\nleading blank line\r\n",
    b"Subject: \x93\xfa\x96\x7b\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\n\x82\xa0\r\n",
    b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
    b"Subject: headers only\r\n",
]


@pytest.mark.parametrize("raw", SINGLE_PART_EDGES)
def test_single_part_shortcut_reads_as_the_email_parser_does(raw):
    assert _shape(read_message(raw)) == _shape(_parsed(raw))


@pytest.mark.slow
def test_single_part_shortcut_over_the_mime_corpus():
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mime"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus/mime is not here")
    checked = 0
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        assert _shape(read_message(raw)) == _shape(_parsed(raw)), path.name
        checked += 1
    assert checked > 1000


def test_preamble_and_epilogue_are_read():
    """RFC 2046 §5.1.1 tells mail programs to ignore them, but they travel with the message:
    a list pasted there is mail the recipient receives (issue 13: read every byte)."""
    raw = (
        "From: a@example.co.jp\r\nTo: b@client.example\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="X"\r\n\r\n'
        "This is a multi-part message in MIME format.\r\n顧客 マイナンバー 1234 5678 9018\r\n"
        "--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本文\r\n--X--\r\n"
        "電話 090-1234-5678\r\n"
    ).encode()
    view = parse(raw, ENV)
    found = texts(view)
    assert found["body"] == "本文"
    assert "1234 5678 9018" in found["body:1!preamble"]
    assert "090-1234-5678" in found["body:1!epilogue"]


def test_html_text_a_reader_sees_outside_elements_is_read():
    """An image's alternative text (shown while images are blocked), a tooltip, a form value
    and the page title are text the recipient sees; script and style are not."""
    html = (
        "<html><head><title>顧客一覧</title><style>p {color: #123456}</style></head><body>"
        '<p>ご確認ください。<img src="cid:x" alt="山田太郎 090-1234-5678"></p>'
        '<input type="text" value="1234 5678 9018"><span title="〒100-0001">住所</span>'
        "<script>var id = 987654;</script></body></html>"
    )
    message = MIMEText(html, "html", "utf-8")
    message["From"], message["To"] = "a@example.co.jp", "b@client.example"
    body = texts(parse(message.as_bytes(), ENV))["body"]
    for shown in ("顧客一覧", "山田太郎 090-1234-5678", "1234 5678 9018", "〒100-0001", "住所"):
        assert shown in body
    assert "#123456" not in body and "987654" not in body


def _full_shape(message) -> list:
    payload = message.get_payload()
    return [
        _shape(message),
        getattr(message, "opaque", ""),
        message.preamble,
        message.epilogue,
        [_full_shape(p) for p in payload] if isinstance(payload, list) else payload,
    ]


_RUN = b"\r\n".join([b"QUJD" * 19] * 1200)  # 92 KB of base64 lines, a run the parser stands in for
_RUN_LF = _RUN.replace(b"\r\n", b"\n")
_MIXED = b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
_PART = b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
BASE64_RUN_EDGES = [
    _MIXED + _PART + _RUN + b"\r\n--b--\r\n",  # an attachment
    _MIXED.replace(b"\r\n", b"\n") + _PART.replace(b"\r\n", b"\n") + _RUN_LF + b"\n--b--\n",
    _MIXED + _PART + _RUN + b"\r\n",  # no closing boundary
    _MIXED + _PART + _RUN,  # ... nor a last line break
    _MIXED + _PART + _RUN + b"\r\n\r\n" + _RUN + b"\r\n--b--\r\n",  # two runs in one body
    _MIXED + _PART + _RUN + b"\r\nnot base64 here\r\n" + _RUN + b"\r\n--b--\r\n",
    _MIXED + _PART + _RUN + b"=\r\n--b--\r\n",
    _MIXED + b"preamble\r\n\r\n" + _RUN + b"\r\n" + _PART + b"QUJD\r\n--b--\r\n\r\n" + _RUN + b"\r\n",
    _MIXED + b"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\n" + _RUN + b"\r\n--b--\r\n",
    _MIXED
    + b"--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + _RUN
    + b"\r\n--b--\r\n",  # kept opaque
    _MIXED
    + b"--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n\r\n"
    + _RUN
    + b"\r\n--c--\r\n--b--\r\n",  # nested
    _MIXED + _PART.replace(b"\r\n\r\n", b"\r\n") + b"\r\n" + _RUN + b"\r\n--b--\r\n",
    _MIXED
    + _PART
    + b"MDGRUN"
    + b"0" * 40
    + b"\r\n"
    + _RUN
    + b"\r\n--b--\r\n",  # the stand-ins' word in the text
    b"Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\n" + _RUN + b"\r\n--b--\r\n",  # no boundary
]


@pytest.mark.parametrize("raw", BASE64_RUN_EDGES)
def test_base64_runs_parsed_as_stand_ins_read_as_the_email_parser_does(raw):
    """Large base64 bodies go through the parser as one stand-in line each and are put back:
    the structure, every header, defect, preamble, epilogue and body stay the parser's."""
    assert _runs(raw), "the case has a run long enough to stand in for"
    assert _full_shape(read_message(raw)) == _full_shape(_parsed(raw))


@pytest.mark.slow
def test_base64_runs_over_the_mime_corpus(monkeypatch):
    """Every base64 run of the corpus, however short, stood in for: the same parse."""
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mime"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus/mime is not here")
    monkeypatch.setattr(parser, "MIN_RUN", 1)
    with_runs = 0
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        message, stand_ins = parser._parsed_without_runs(raw)
        if stand_ins is not None:
            stand_ins.put_back(message)
        assert _full_shape(message) == _full_shape(_parsed(raw)), path.name
        with_runs += bool(_runs(raw))
    assert with_runs > 100


def test_a_body_in_one_long_base64_run_is_read_whole():
    """The run's text reaches the reader as the parser would have given it, to its last line."""
    body = "".join(f"顧客{i:05d} 電話 090-1234-{i % 10000:04d}\n" for i in range(4000)) + "最後の行"
    raw = mail_with(body=body)
    assert _runs(raw)
    view = parse(raw, ENV)
    assert texts(view)["body"] == body
    assert not view.problems


def test_large_base64_bodies_decoded_from_the_message_bytes_are_whole():
    """A body of one base64 run is decoded straight from the message's bytes (not held a
    second time as text); one padded line by line still reads on past each "="."""
    import base64
    import os as _os

    data = _os.urandom(300_000)
    whole = base64.encodebytes(data).decode()
    padded = "".join(base64.b64encode(data[i : i + 56]).decode() + "\n" for i in range(0, 299_992, 56))
    raw = (
        "From: a@example.co.jp\nTo: b@client.example\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\n本文\n'
        "--B\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
        f'Content-Disposition: attachment; filename="a.bin"\n\n{whole}\n'
        "--B\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
        f'Content-Disposition: attachment; filename="b.bin"\n\n{padded}--B--\n'
    ).encode()
    sizes = {a.filename: a.size for a in parse(raw, ENV).attachments}
    assert sizes == {"a.bin": 300_000, "b.bin": 299_992}
