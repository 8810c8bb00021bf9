"""The delay page (issue 18 items 3 and 4): a delayed message is waiting to be sent, not held;
cancelling comes first and is asked twice on the server; the cancelled page says how to send
again; every time is written in web.timezone with its zone named."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from quarantine.store import Store
from quarantine.web import create_app

from .delay_page import SUBJECT, TOKYO, delay_message, pages
from .page_words import english_words
from .sender_page import open_store

LINK = "/h/tok-Q1"
QID = "730512964801"
CLIENT = ("testclient",)  # the TestClient's address in the history
LEFT = 272.0  # 4 min 32 s: without JavaScript, "about 5 min"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@contextmanager
def delay_page(tmp_path, zone=TOKYO, left: float = LEFT) -> Iterator[tuple[TestClient, Clock, float, Store]]:
    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    clock = Clock()
    expires_at = clock.now + left
    with TestClient(create_app(pages(store, zone=zone, clock=clock))) as web:
        portal = web.portal
        assert portal is not None
        portal.call(lambda: store.hold(delay_message(), token="tok-Q1", csrf="c", expires_at=expires_at))
        yield web, clock, expires_at, store
        portal.call(store.close)


def _ja(web: TestClient, path: str = LINK, **kw):
    return web.get(path, headers={"Accept-Language": "ja"}, **kw)


def _cancel(web: TestClient, **data):
    return web.post(LINK, data={"csrf": "c", "action": "cancel", **data}, follow_redirects=False)


def test_the_page_says_waiting_to_be_sent_and_puts_cancelling_first(tmp_path):
    with delay_page(tmp_path) as (web, _clock, expires_at, _store):
        html = _ja(web).text
    assert "送信待ち" in html and "送信前に確認してほしい点" in html
    assert (
        "state-held" not in html.split("</style>")[-1] and "保留の理由" not in html and "保留中" not in html
    )
    assert "残り 約5分" in html, "without JavaScript the minutes left, rounded up"
    shown = datetime.fromtimestamp(expires_at, TOKYO).strftime("%Y-%m-%d %H:%M")
    assert f"送信予定 <strong>{shown} (JST)</strong>" in html
    cancel, send_now = html.index('id="cancel"'), html.index('id="release"')
    assert cancel < send_now < html.index('<section id="why">'), "cancel first, then send now, then the rest"
    assert ">送信を取り消す<" in html and ">今すぐ送信<" in html
    assert english_words(html) == []
    assert "送信待ちにしました" in html and "保留しました" not in html  # the history's first row


def test_cancel_is_asked_twice_and_only_the_confirmed_post_cancels(tmp_path):
    with delay_page(tmp_path) as (web, _clock, _at, _store):
        asked = _cancel(web)
        assert asked.status_code == 200
        question = asked.text
        assert "送信を取り消しますか？" in question and "はい、送信を取り消す" in question
        assert re.search(r'name="confirm" value="1"', question) and 'value="cancel"' in question
        assert 'href="/h/tok-Q1"' in question, "going back is a plain link to the page"
        assert english_words(question) == []
        assert "残り" in _ja(web).text, "the first POST changed nothing"
        assert _cancel(web, confirm="yes").status_code == 200, "only confirm=1 confirms"
        assert web.post(LINK, data={"action": "cancel", "confirm": "1"}).status_code == 403, "no CSRF token"
        done = _cancel(web, confirm="1")
        assert done.status_code == 303 and done.headers["location"].endswith(LINK)
        page = _ja(web).text
    assert "送信を取り消しました" in page and "state-cancelled" in page
    assert "どの宛先にも送信されていません" in page and "「送信済み」フォルダー" in page
    assert "もう一度送信してください" in page
    assert 'id="cancel"' not in page and 'id="release"' not in page
    assert english_words(page, allow=CLIENT) == []


def test_send_now_needs_no_second_step(tmp_path):
    with delay_page(tmp_path) as (web, _clock, _at, _store):
        sent = web.post(LINK, data={"csrf": "c", "action": "release"}, follow_redirects=False)
        assert sent.status_code == 303
        page = _ja(web).text
    assert "<h1>送信しました</h1>" in page and "state-released" in page and "・送信者" in page
    assert english_words(page, allow=CLIENT) == []


def test_a_confirmation_after_the_message_went_changes_nothing(tmp_path):
    with delay_page(tmp_path) as (web, _clock, _at, _store):
        web.post(LINK, data={"csrf": "c", "action": "release"})
        assert _cancel(web, confirm="1").status_code == 303
        assert _cancel(web).status_code == 303, "nothing left to confirm"
        page = _ja(web).text
    assert "state-released" in page and "送信を取り消しました" not in page


def test_past_the_time_the_page_says_it_is_going_and_offers_no_cancel(tmp_path):
    with delay_page(tmp_path) as (web, clock, _at, store):
        clock.now += LEFT + 1  # the worker has not sent it yet
        due = _ja(web).text
        assert web.portal is not None
        web.portal.call(lambda: store.decide_hold(QID, "released", actor="system", client_addr=None))
        sent = _ja(web).text
    assert "送信時刻になりました" in due and 'id="cancel"' not in due and "残り" not in due
    assert english_words(due) == []
    assert "<h1>送信しました</h1>" in sent and "・自動処理" in sent and 'id="cancel"' not in sent


def test_the_english_page_is_english(tmp_path):
    with delay_page(tmp_path) as (web, _clock, _at, _store):
        html = web.get(LINK, headers={"Accept-Language": "en-US"}).text
        question = web.post(
            f"{LINK}?lang=en", data={"csrf": "c", "action": "cancel"}, headers={"Accept-Language": "ja"}
        ).text
    assert "Cancel sending" in html and "Send now" in html and "about 5 min left" in html
    assert "Please check before it is sent" in html and "(JST)" in html
    assert "Cancel sending this message?" in question and 'href="/h/tok-Q1?lang=en"' in question


@pytest.mark.parametrize("zone, name", [(ZoneInfo("UTC"), "UTC"), (ZoneInfo("Asia/Tokyo"), "JST")])
def test_times_are_written_in_the_configured_zone(tmp_path, zone, name):
    with delay_page(tmp_path, zone=zone) as (web, _clock, expires_at, _store):
        html = _ja(web).text
    shown = datetime.fromtimestamp(expires_at, zone).strftime("%Y-%m-%d %H:%M")
    assert f"{shown} ({name})" in html
    assert all(t.endswith(f"({name})") for t in re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d \(\w+\)", html))


def test_the_default_zone_is_the_machines(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        with delay_page(tmp_path, zone=None) as (web, _clock, expires_at, _store):
            html = _ja(web).text
    finally:
        monkeypatch.undo()
        time.tzset()
    shown = datetime.fromtimestamp(expires_at, TOKYO).strftime("%Y-%m-%d %H:%M")
    assert f"{shown} (JST)" in html


def test_the_subject_is_on_the_question(tmp_path):
    with delay_page(tmp_path) as (web, _clock, _at, _store):
        assert SUBJECT in _cancel(web).text
