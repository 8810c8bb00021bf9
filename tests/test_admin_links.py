"""The console's attachments sent as links (/admin/links, issue 19): the recent shares with
their counts, one share's files, recipients and log, stopping its links only after a second
step, in the admin's name (audit links_revoked, actor admin:LOGIN); admins only."""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from quarantine.schema import audit

from .admin_console import ADMIN, SENDER, SENDER_PW
from .links_sender import DAY, P, Q, downloads, shared
from .page_words import english_words


def _made(admin, qid: str = "Q1", at: float | None = None, **kw) -> float:
    at = time.time() - 3600 if at is None else at
    admin.run(lambda: shared(admin.store, qid, now=at, **kw))
    return at


def test_the_list_shows_recent_shares_with_their_counts(admin):
    at = _made(admin, "Q1", subject="御見積の件")
    _made(admin, "Q2", at=at + 60, subject="請求書の件", recipients=(P,))
    admin.run(
        lambda: downloads(
            admin.store, "Q1", (P, 1, "198.51.100.7", at + 100), (Q, 2, "203.0.113.9", at + 200)
        )
    )
    page = admin.client.get("/admin/links")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="share">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 2
    assert "請求書の件" in rows[0] and "御見積の件" in rows[1], "the newest first"
    cells = [re.findall(r'<td class="num">(\d+)</td>', r) for r in rows]
    assert cells == [["2", "1", "0"], ["2", "2", "2"]]  # files, recipients, downloads
    assert "taro@example.co.jp" in rows[0] and "有効" in rows[0]
    assert 'href="/admin/links"' in page.text and "リンク送信" in page.text  # in the menu
    assert english_words(page.text) == []
    english = admin.client.get("/admin/links?lang=en").text
    assert "Attachments sent as download links" in english and "active" in english


def test_the_list_pages_and_ignores_a_bad_page_number(admin, monkeypatch):
    import quarantine.admin.link_pages as link_pages

    monkeypatch.setattr(link_pages, "PAGE_SIZE", 1)
    at = _made(admin, "Q1", subject="古い方")
    _made(admin, "Q2", at=at + 60, subject="新しい方")
    first = admin.client.get("/admin/links").text
    assert "新しい方" in first and "古い方" not in first and 'id="older"' in first
    second = admin.client.get("/admin/links?page=2").text
    assert "古い方" in second and 'id="older"' not in second
    for bad in ("0", "-1", "x", "9" * 50):
        assert admin.client.get(f"/admin/links?page={bad}").status_code == 200


def test_a_shares_detail_with_its_log_latest_first(admin):
    at = _made(admin)
    admin.run(
        lambda: downloads(
            admin.store, "Q1", (P, 1, "198.51.100.7", at + 100), (Q, 2, "203.0.113.9", at + 200)
        )
    )
    page = admin.client.get("/admin/links/Q1")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="download">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 2 and "203.0.113.9" in rows[0] and Q in rows[0] and "仕様書.pdf" in rows[0]
    assert "198.51.100.7" in rows[1] and "見積書.zip" in rows[1]
    assert "見積書.zip: 残り 2 回" in page.text and 'href="/admin/messages/Q1"' in page.text
    assert 'id="revoke"' in page.text
    assert english_words(page.text) == []
    assert admin.client.get("/admin/links/nope").status_code == 404
    assert admin.client.get("/admin/links/" + "x" * 300).status_code == 404


def test_stopping_asks_first_then_stops_in_the_admins_name(admin):
    _made(admin)
    csrf = admin.csrf()
    first = admin.client.post("/admin/links/Q1", data={"csrf": csrf, "action": "revoke"})
    assert first.status_code == 200 and 'id="confirm-revoke"' in first.text
    assert english_words(first.text) == []
    assert admin.run(admin.store.shares.log, "Q1").share.state == "active"
    done = admin.client.post(
        "/admin/links/Q1", data={"csrf": csrf, "action": "revoke", "confirm": "1"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/links/Q1?done=revoked"
    assert admin.run(admin.store.shares.log, "Q1").share.state == "revoked"

    async def rows():
        async with admin.store.reading() as conn:
            return (await conn.execute(select(audit).where(audit.c.action == "links_revoked"))).all()

    [row] = admin.run(rows)
    assert row.actor == f"admin:{ADMIN}" and row.message_id == "Q1"
    page = admin.client.get(done.headers["location"]).text
    assert "リンクを停止しました" in page and 'id="revoke"' not in page and "停止済み" in page
    again = admin.client.post("/admin/links/Q1", data={"csrf": csrf, "action": "revoke", "confirm": "1"})
    assert "変更しませんでした" in again.text


def test_without_the_csrf_token_or_a_known_action_nothing_changes(admin):
    _made(admin)
    assert admin.client.post("/admin/links/Q1", data={"action": "revoke", "confirm": "1"}).status_code == 403
    csrf = admin.csrf()
    assert admin.client.post("/admin/links/Q1", data={"csrf": csrf, "action": "delete"}).status_code == 400
    assert admin.client.post("/admin/links/Q9", data={"csrf": csrf, "action": "revoke"}).status_code == 404
    assert admin.run(admin.store.shares.log, "Q1").share.state == "active"


def test_only_admins(console):
    console.run(lambda: shared(console.store))
    assert console.client.get("/admin/links", follow_redirects=False).status_code == 303  # to the login
    assert console.login(SENDER, SENDER_PW).headers["location"] == "/admin/me", "a sender: his own page"
    assert console.login().status_code == 303
    csrf = console.csrf()
    console.sql("UPDATE admin_sessions SET role = 'sender'")  # a session of another role
    assert console.client.get("/admin/links", follow_redirects=False).status_code == 303
    assert console.client.get("/admin/links/Q1", follow_redirects=False).status_code == 303
    r = console.client.post(
        "/admin/links/Q1", data={"csrf": csrf, "action": "revoke", "confirm": "1"}, follow_redirects=False
    )
    assert r.status_code == 303 and "/admin/sso" not in r.headers["location"]  # never acted on
    assert console.run(console.store.shares.log, "Q1").share.state == "active"


def test_purged_files_are_said_removed_and_the_log_kept(admin):
    at = _made(admin, at=time.time() - 9 * DAY)
    admin.run(lambda: downloads(admin.store, "Q1", (P, 1, "198.51.100.7", at + 100)))
    admin.run(lambda: admin.store.shares.purge(time.time()))
    page = admin.client.get("/admin/links/Q1").text
    assert 'id="purged"' in page and "削除済み" in page and len(re.findall('class="download"', page)) == 1
    assert 'id="revoke"' not in page
    listed = admin.client.get("/admin/links").text
    assert "削除済み" in listed
