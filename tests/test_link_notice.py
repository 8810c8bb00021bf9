"""The notices of attachments sent as links (issue 19): links_sent and first_download to the
sender, download_code to a recipient — rendered from their stored drafts as the worker does
(notice.render), Japanese then English, in the mail notice_mail writes; the code once and
alone on its line, and no link at all in the code's mail."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from quarantine.link_notice import download_code, first_download, links_sent, size_text
from quarantine.notice import render
from quarantine.records import LinkedNotice

GUARD = "guard@example.co.jp"
SENDER = "taro@example.co.jp"
HOLD_LINK = "http://guard.test/h/AbC123"
WHEN = "2026-12-10 17:00 (JST)"

ARGS = {
    "links_sent": {
        "notice_from": GUARD,
        "notice_name": "誤送信防止システム",
        "sender": SENDER,
        "subject": "御見積の件",
        "recipients": ["a@client.example", "b@other.example"],
        "files": [["見積書.xlsx", 48_213], ["仕様書.pdf", 3_500_000]],
        "when_text": WHEN,
    },
    "first_download": {
        "notice_from": GUARD,
        "notice_name": "誤送信防止システム",
        "sender": SENDER,
        "subject": "御見積の件",
        "recipient": "a@client.example",
        "file_name": "見積書.xlsx",
        "when_text": "2026-12-04 09:12 (JST)",
    },
    "download_code": {
        "notice_from": GUARD,
        "notice_name": "誤送信防止システム",
        "sender": SENDER,
        "subject": "御見積の件",
        "minutes": 10,
        "recipient": "a@client.example",
    },
}
SECRET = {"links_sent": HOLD_LINK, "first_download": HOLD_LINK, "download_code": "493817"}


def _rendered(template: str, args: dict | None = None) -> bytes:
    """As the worker renders a queued draft: its args went through JSON."""
    draft = LinkedNotice(
        mail_from=GUARD,
        rcpt_tos=(SENDER,),
        template=template,
        args=args or ARGS[template],
        role="sender",
        actor=SENDER,
        base_url="http://guard.test",
    )
    again = LinkedNotice.from_json(draft.to_json(), GUARD, (SENDER,))
    return render(again.template, again.args, SECRET[template])


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _body(raw: bytes) -> str:
    return _parsed(raw).get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("template", list(ARGS))
def test_each_renders_in_japanese_then_english_as_notice_mail_writes(template):
    raw = _rendered(template)
    msg = _parsed(raw)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert msg.get_content_charset() == "utf-8" and msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["From"].addresses[0].addr_spec == GUARD
    body = _body(raw)
    ja, _, en = body.partition("\n-- \n")
    assert en, "an English half after the signature separator"
    assert re.search(r"[ぁ-ん]", ja) and not re.search(r"[ぁ-んァ-ン]", en.replace("御見積の件", ""))
    assert "御見積の件" in msg["Subject"]


def test_links_sent_names_recipients_files_expiry_and_the_log_page():
    body = _body(_rendered("links_sent"))
    ja, _, en = body.partition("\n-- \n")
    for half in (ja, en):
        assert "a@client.example" in half and "b@other.example" in half
        assert "見積書.xlsx (47.1 KB)" in half and "仕様書.pdf (3.3 MB)" in half
        assert WHEN in half
        assert f"{HOLD_LINK}/links" in half.split()
    assert "社外の宛先 2 件" in ja and "2 external recipients" in en
    assert _parsed(_rendered("links_sent"))["To"] == SENDER


def test_first_download_says_who_what_and_when():
    body = _body(_rendered("first_download"))
    ja, _, en = body.partition("\n-- \n")
    assert "2026-12-04 09:12 (JST) に a@client.example さんによりダウンロードされました" in ja
    assert "ファイル: 見積書.xlsx" in ja and "File: 見積書.xlsx" in en
    assert f"{HOLD_LINK}/links" in ja.split() and f"{HOLD_LINK}/links" in en.split()


def test_the_code_appears_once_alone_on_its_line_and_no_link_at_all():
    raw = _rendered("download_code")
    msg = _parsed(raw)
    body = _body(raw)
    assert body.count("493817") == 1 and raw.count(b"493817") == 1
    assert "493817" not in msg["Subject"], "a lock screen shows the subject"
    [line] = [line for line in body.splitlines() if "493817" in line]
    assert line.strip() == "493817"
    assert "://" not in body and "http" not in body.lower() and "/d/" not in body
    assert "10 分" in body and "10 minutes" in body
    assert "If you did not ask for it, ignore this mail." in body
    assert "お心当たりのない場合は、このメールを無視してください。" in body
    assert msg["To"] == "a@client.example"


def test_the_code_mail_without_a_recipient_argument_still_has_a_to_header():
    args = {k: v for k, v in ARGS["download_code"].items() if k != "recipient"}
    msg = _parsed(_rendered("download_code", args))
    assert "undisclosed-recipients" in str(msg["To"])


def test_untrusted_values_stay_one_line_and_carry_no_link_of_their_own():
    evil = "x\r\nBcc: victim@evil.example =?utf-8?q?y?= http://evil.example/d/steal"
    for template, key in (
        ("links_sent", "subject"),
        ("first_download", "file_name"),
        ("download_code", "sender"),
    ):
        args = {**ARGS[template], key: evil}
        if template == "links_sent":
            args["files"] = [[evil, 10]]
            args["recipients"] = [evil]
        raw = _rendered(template, args)
        msg = _parsed(raw)
        assert msg["Bcc"] is None
        assert "http://evil" not in msg.get_content() and "http://evil" not in str(msg["Subject"])
        assert not any(line.startswith("Bcc:") for line in msg.get_content().splitlines())


def test_many_recipients_and_files_are_cut_with_a_count():
    args = {
        **ARGS["links_sent"],
        "recipients": [f"r{i}@client.example" for i in range(25)],
        "files": [[f"f{i}.pdf", i] for i in range(23)],
    }
    body = _body(_rendered("links_sent", args))
    assert "ほか 5 件" in body and "and 5 more" in body and "ほか 3 件" in body and "and 3 more" in body
    assert "r24@client.example" not in body


def test_polite_japanese_sentences():
    for template in ARGS:
        ja = _body(_rendered(template)).split("\n-- \n")[0]
        sentences = [s for s in re.split(r"(?<=。)", ja.replace("\n", "")) if "。" in s]
        assert sentences
        for s in sentences:
            assert s.endswith(
                ("です。", "ます。", "ください。", "ません。", "ました。", "でした。", "けます。")
            ), s


def test_sizes_as_people_read_them():
    assert [size_text(n) for n in (0, 850, 1024, 48_213, 3_500_000, 5 * 1024**3, -1, "x")] == [
        "0 bytes",
        "850 bytes",
        "1.0 KB",
        "47.1 KB",
        "3.3 MB",
        "5.0 GB",
        "0 bytes",
        "0 bytes",
    ]


def test_direct_calls_match_the_rendered_drafts():
    """The functions take the same keywords as the drafts (F's worker and C's endpoint)."""
    assert links_sent(**ARGS["links_sent"], link=HOLD_LINK).count(b"/links") == 2
    assert first_download(**ARGS["first_download"], link=HOLD_LINK).count(b"/links") == 2
    assert download_code(**ARGS["download_code"], link="000111").count(b"000111") == 1
