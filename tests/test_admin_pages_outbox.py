"""The console's local outbox (`upstream: maildir:`), in one language per page."""

from __future__ import annotations

from email.header import Header

from .admin_console import open_console
from .page_words import english_words


def test_the_outbox_lists_delivered_mail_in_the_pages_language(tmp_path, sqlite_url):
    outbox = tmp_path / "outbox"
    (outbox / "new").mkdir(parents=True)
    (outbox / "tmp").mkdir()
    subject = Header("会議のご案内", "utf-8").encode().encode()
    (outbox / "new" / "1.eml").write_bytes(
        b"From: taro@example.co.jp\r\nTo: p@client.example\r\nSubject: "
        + subject
        + b"\r\nDate: Thu, 03 Dec 2026 09:00:00 +0900\r\n\r\nbody\r\n"
    )
    (outbox / "new" / "2.eml").write_bytes(
        b"From: guard@example.co.jp\r\nTo: taro@example.co.jp\r\n\r\nx\r\n"
    )
    with open_console(tmp_path / "c", sqlite_url, outbox=outbox) as c:
        assert c.login().status_code == 303
        page = c.client.get("/admin/outbox")
        assert page.status_code == 200 and "ローカル送信箱" in page.text and "会議のご案内" in page.text
        assert "（件名なし）" in page.text
        assert english_words(page.text, allow=("Thu", "Dec")) == []
        english = c.client.get("/admin/outbox?lang=en").text
        assert "Local outbox" in english and "(no subject)" in english and "ローカル" not in english
