"""The sender's page of his attachments sent as links (/h/{token}/links, issue 19): what it
shows, who may open it, stopping the links only after a second, server-side step, extending
them no further than 31 days after sending, the CSRF token, stale forms, and what is left after
the purge. Over the real Store and the web app the guard serves."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from quarantine import shares
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.schema import audit, share_recipients
from quarantine.share_limits import MAX_FAILURES
from quarantine.shares import MAX_LIFETIME
from quarantine.store import Store
from quarantine.web import create_app

from .delay_page import delay_message
from .holds import held
from .links_sender import DAY, FILES, P, Q, Terms, downloads, shared
from .page_words import english_words
from .sender_page import guard_pages, open_store

PAGE = "/h/tok-Q1/links"
TOKYO = ZoneInfo("Asia/Tokyo")


class Site:
    def __init__(self, web: TestClient, store: Store, clock: list[float]) -> None:
        self.web, self.store, self.clock = web, store, clock

    def run(self, fn, *args):
        portal = self.web.portal
        assert portal is not None
        return portal.call(fn, *args)

    def share(self):
        return self.run(self.store.shares.log, "Q1").share

    def audit_rows(self, action: str) -> list:
        async def rows():
            async with self.store.reading() as conn:
                return (await conn.execute(select(audit).where(audit.c.action == action))).all()

        return self.run(rows)


@pytest.fixture
def site(sqlite_url) -> Iterator[Site]:
    store = open_store(sqlite_url)
    quarantine = Quarantine(
        store,
        HoldPolicy(public_url="http://guard.test", hold_expiry=3600, notice_from="guard@example.co.jp"),
        approvers=lambda sender: (),
        on_queued=lambda: None,
    )
    clock = [time.time()]

    async def nobody(*args, **kw):
        raise AssertionError("no judgement here")

    pages = guard_pages(store, quarantine, nobody, "example.co.jp", clock=lambda: clock[0], zone=TOKYO)
    with TestClient(create_app(pages)) as web:
        s = Site(web, store, clock)
        yield s
        s.run(store.close)


@pytest.fixture
def made(site: Site) -> float:
    """Q1 shared 1 hour ago; P downloaded the zip twice and the pdf once, Q nothing."""
    at = site.clock[0] - 3600
    site.run(lambda: shared(site.store, now=at))
    site.run(
        lambda: downloads(
            site.store,
            "Q1",
            (P, 1, "198.51.100.7", at + 60),
            (P, 2, "198.51.100.7", at + 120),
            (P, 1, "203.0.113.9", at + 180),
        )
    )
    return at


def _rows(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r'<tr class="download">(.*?)</tr>', html, re.S)]


def test_the_page_shows_files_recipients_what_is_left_and_the_log_latest_first(site, made):
    page = site.web.get(PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "御見積の件" in html and "見積書.zip" in html and "仕様書.pdf" in html
    assert "10.0 KB" in html and "5.9 KB" in html  # the files' sizes
    rows = _rows(html)
    assert len(rows) == 3
    assert "203.0.113.9" in rows[0] and "見積書.zip" in rows[0], "the latest first"
    assert "仕様書.pdf" in rows[1] and "198.51.100.7" in rows[2]
    assert all(P in r for r in rows)
    # P has 1 zip and 2 pdf downloads left of 3; Q all of them.
    who = re.search(r'<section id="links-recipients">(.*?)</section>', html, re.S).group(1)
    p_part, q_part = who.split(Q)
    assert (
        '見積書.zip: <span class="">残り 1 回' in p_part and '仕様書.pdf: <span class="">残り 2 回' in p_part
    )
    assert q_part.count("残り 3 回") == 2
    assert "ファイルごと・宛先ごとに 3 回" in html
    assert '<span class="state links-active" id="links-state">有効</span>' in html
    assert english_words(html) == [], english_words(html)
    # the times in web.timezone, with the zone named
    assert "(JST)" in html


def test_the_page_in_english(site, made):
    html = site.web.get(PAGE + "?lang=en").text
    assert "Download log" in html and "Stop the links" in html and "3 per file and recipient" in html
    assert "2 left" in html and "Client address" in html


def test_only_the_senders_link_opens_it(site, made):
    site.run(lambda: site.store.add_link("Q1", "tok-appr", "approver", "bucho@example.co.jp"))
    assert site.web.get("/h/tok-appr/links").status_code == 404
    assert site.web.get("/h/nope/links").status_code == 404
    assert site.web.post("/h/tok-appr/links/revoke", data={"csrf": "c", "confirm": "1"}).status_code == 404
    assert site.share().state == "active"


def test_a_hold_without_links_has_no_links_page_and_no_pointer(site):
    async def plain():
        await site.store.hold(held("Q2"), csrf="c", expires_at=time.time() + DAY, token="tok-Q2")
        await site.store.decide_hold("Q2", "released", actor="sender", client_addr=None)

    site.run(plain)
    assert site.web.get("/h/tok-Q2/links").status_code == 404
    assert 'id="to-links"' not in site.web.get("/h/tok-Q2").text


def test_the_hold_page_points_to_it_within_and_past_the_grace(site, made):
    html = site.web.get("/h/tok-Q1").text
    assert f'href="{PAGE}?lang=ja" id="to-links"' in html
    site.clock[0] += 3 * DAY  # past the hold page's grace: the outcome only, and the pointer
    done = site.web.get("/h/tok-Q1").text
    assert 'id="to-links"' in done and "御見積の件" not in done
    assert english_words(done) == []
    assert site.web.get(PAGE).status_code == 200, "the log stays while the share exists"


def test_stopping_asks_first_on_the_server_then_stops(site, made):
    first = site.web.post(PAGE + "/revoke", data={"csrf": "c"}, follow_redirects=False)
    assert first.status_code == 200 and 'id="confirm-revoke"' in first.text
    assert 'name="confirm" value="1"' in first.text and english_words(first.text) == []
    assert site.share().state == "active", "nothing happens without confirm=1"
    done = site.web.post(PAGE + "/revoke", data={"csrf": "c", "confirm": "1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == PAGE + "?done=revoked"
    assert site.share().state == "revoked"
    [row] = site.audit_rows("links_revoked")
    assert row.actor == "sender" and row.message_id == "Q1"
    page = site.web.get(done.headers["location"]).text
    assert "リンクを停止しました。" in page and 'id="revoke"' not in page and 'id="extend"' not in page
    again = site.web.post(PAGE + "/revoke", data={"csrf": "c", "confirm": "1"})
    assert again.status_code == 409 and "すでに停止" in again.text


def test_a_post_without_the_holds_csrf_token_changes_nothing(site, made):
    for path, data in (("/revoke", {"confirm": "1"}), ("/extend", {"days": "3"})):
        for csrf in ("", "wrong"):
            r = site.web.post(PAGE + path, data={**data, "csrf": csrf})
            assert r.status_code == 403
    share = site.share()
    assert share.state == "active" and share.expires_at == pytest.approx(made + 7 * DAY)


def test_extending_by_the_chosen_days(site, made):
    r = site.web.post(PAGE + "/extend", data={"csrf": "c", "days": "3"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == PAGE + "?done=extended"
    assert site.share().expires_at == pytest.approx(made + 10 * DAY)
    [row] = site.audit_rows("links_extended")
    assert row.actor == "sender"
    assert "有効期限を延長しました。" in site.web.get(r.headers["location"]).text


@pytest.mark.parametrize("days", ["", "0", "30", "-1", "max2", "3" * 500, "１"])
def test_an_extension_not_offered_is_refused_with_a_message(site, made, days):
    r = site.web.post(PAGE + "/extend", data={"csrf": "c", "days": days})
    assert r.status_code == 400 and "延長する日数を選んでください。" in r.text
    assert site.share().expires_at == pytest.approx(made + 7 * DAY)


def test_never_beyond_31_days_after_sending_and_the_page_says_so(site, made):
    html = site.web.get(PAGE).text
    assert "送信から最長 31 日" in html
    assert [v for v in re.findall(r'<option value="([^"]+)"', html)] == ["1", "3", "7", "max"]
    assert site.web.post(PAGE + "/extend", data={"csrf": "c", "days": "max"}).status_code == 200
    assert site.share().expires_at == pytest.approx(made + MAX_LIFETIME)
    html = site.web.get(PAGE).text
    assert 'id="extend-form"' not in html and "すでに最長" in html
    r = site.web.post(PAGE + "/extend", data={"csrf": "c", "days": "7"})
    assert r.status_code == 400 and "これ以上は延長できません" in r.text
    assert site.share().expires_at == pytest.approx(made + MAX_LIFETIME)


def test_close_to_the_maximum_only_the_choices_that_fit_are_offered(site):
    at = site.clock[0] - 26 * DAY  # made 26 days ago, works 27: 4 days are left to give
    site.run(lambda: shared(site.store, now=at, terms=Terms(expiry=27 * DAY)))
    html = site.web.get(PAGE).text
    assert re.findall(r'<option value="([^"]+)"', html) == ["1", "3", "max"]
    # a stale form's 7 days are cut to the maximum, as the store cuts them
    assert site.web.post(PAGE + "/extend", data={"csrf": "c", "days": "7"}).status_code == 200
    assert site.share().expires_at == pytest.approx(at + MAX_LIFETIME)


def test_expired_links_say_so_and_may_still_be_extended_until_purged(site, made):
    site.clock[0] = made + 8 * DAY
    html = site.web.get(PAGE).text
    assert '<span class="state links-expired"' in html and "有効期限が切れました" in html
    assert 'id="extend-form"' in html
    site.run(lambda: site.store.shares.purge(site.clock[0]))
    html = site.web.get(PAGE).text
    assert '<span class="state links-purged"' in html and "ファイルはシステムから削除されました" in html
    assert len(_rows(html)) == 3, "the log stays"
    assert 'id="revoke"' not in html and 'id="extend-form"' not in html
    assert site.web.post(PAGE + "/revoke", data={"csrf": "c", "confirm": "1"}).status_code == 409
    assert site.web.post(PAGE + "/extend", data={"csrf": "c", "days": "1"}).status_code == 409
    assert english_words(html) == []


def test_nothing_downloaded_yet(site):
    site.run(lambda: shared(site.store))
    html = site.web.get(PAGE).text
    assert "まだダウンロードされていません。" in html and not _rows(html)


def test_hostile_forms_are_refused_cleanly(site, made):
    many = {f"f{i}": "x" for i in range(50)} | {"csrf": "c", "days": "1"}
    assert site.web.post(PAGE + "/extend", data=many).status_code == 403
    big = site.web.post(PAGE + "/extend", data={"csrf": "c" * 100_000, "days": "1"})
    assert big.status_code == 403
    files = site.web.post(PAGE + "/revoke", data={"csrf": "c"}, files={"f": ("a.txt", b"x")})
    assert files.status_code == 403
    assert site.share().state == "active"


def test_a_long_log_is_cut_to_the_latest(site, monkeypatch):
    import quarantine.links_page as links_page

    monkeypatch.setattr(links_page, "LOG_SHOWN", 2)
    at = site.clock[0] - 3600
    site.run(lambda: shared(site.store, now=at))
    site.run(lambda: downloads(site.store, "Q1", *[(P, 1, f"192.0.2.{i}", at + i) for i in range(1, 4)]))
    html = site.web.get(PAGE).text
    rows = _rows(html)
    assert len(rows) == 2 and "192.0.2.3" in rows[0] and "192.0.2.2" in rows[1]
    assert "新しいものから 2 件を表示しています（全 3 件）" in html


def test_a_released_delay_points_to_it_too(site):
    async def delayed():
        at = time.time() - 600
        await site.store.hold(delay_message("Q1"), csrf="c", expires_at=at, token="tok-Q1")
        await site.store.decide_hold("Q1", "released", actor="system", client_addr=None, now=at)
        async with site.store.writing() as conn:
            await shares.create(
                conn,
                message_id="Q1",
                mail_from="taro@example.co.jp",
                subject="s",
                template=b"Subject: x\r\n\r\nbody\r\n",
                files=FILES,
                recipients=(P,),
                terms=Terms(),
                now=at,
            )

    site.run(delayed)
    html = site.web.get("/h/tok-Q1").text
    assert f'href="{PAGE}?lang=ja" id="to-links"' in html and english_words(html) == []


def _stop(site: Site, address: str) -> None:
    """As 50 wrong codes over the share's life leave a recipient (share_codes.MAX_FAILURES)."""

    async def stop():
        async with site.store.writing() as conn:
            await conn.execute(
                update(share_recipients)
                .where(share_recipients.c.address == address)
                .values(code_failures=MAX_FAILURES)
            )

    site.run(stop)


def test_a_recipient_stopped_by_wrong_codes_is_shown_and_the_sender_may_unlock_him(site, made):
    _stop(site, P)
    html = site.web.get(PAGE).text
    who = re.search(r'<section id="links-recipients">(.*?)</section>', html, re.S).group(1)
    p_part, q_part = who.split(Q)
    assert "コード入力の失敗が多いため停止中" in p_part and 'id="unlock-1"' in p_part
    assert "停止中" not in q_part and "unlock" not in q_part
    assert english_words(html) == [], english_words(html)
    assert site.web.post(PAGE + "/unlock", data={"csrf": "wrong", "n": "1"}).status_code == 403
    assert site.web.post(PAGE + "/unlock", data={"csrf": "c", "n": "2"}).status_code == 409, (
        "Q is not stopped"
    )
    assert site.web.post(PAGE + "/unlock", data={"csrf": "c", "n": "x"}).status_code == 400
    assert site.run(site.store.shares.log, "Q1").stopped == (P,)
    done = site.web.post(PAGE + "/unlock", data={"csrf": "c", "n": "1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == PAGE + "?done=unlocked"
    assert site.run(site.store.shares.log, "Q1").stopped == ()
    [row] = site.audit_rows("links_unlocked")
    assert row.actor == "sender" and row.client_addr == "testclient" and P not in (row.detail or "")
    page = site.web.get(done.headers["location"]).text
    assert "確認コードの入力を再開しました。" in page and "停止中" not in page
    assert site.web.post(PAGE + "/unlock", data={"csrf": "c", "n": "1"}).status_code == 409, "once"


def test_the_unlock_page_in_english(site, made):
    _stop(site, Q)
    html = site.web.get(PAGE + "?lang=en").text
    assert "Stopped: too many wrong codes" in html and "Allow codes again" in html
