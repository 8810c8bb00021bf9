"""A signed-in person's own page (issue 21): "my messages" and "to approve" at /admin/me, over
a real Store and sessions opened through the console's own Sessions.open — tried as an
attacker would (another person's message id, a missing or foreign CSRF token, a look-alike
mailbox, a demoted account, GET that would act)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from quarantine.admin.console import SESSION_COOKIE
from quarantine.admin.sessions import Sessions
from quarantine.me_list import PAGE, mine, to_approve
from quarantine.me_pages import MePages
from quarantine.schema import audit, outbound
from quarantine.store import Store
from quarantine.web import create_app
from rules.model import Action

from .approvals import BOSS, OTHER, SENDER, mail, pages, seed
from .approvals import held as held_message
from .page_words import english_words
from .sender_page import open_store

JA, EN = {"accept-language": "ja"}, {"accept-language": "en"}
STRANGER = "taro@example.co.jp"


@contextmanager
def me_site(sqlite_url: str) -> Iterator[tuple[TestClient, object, list, dict]]:
    store = open_store(sqlite_url)
    told: list = []
    roles = {SENDER: "sender", BOSS: "sender", OTHER: "sender", STRANGER: "sender"}
    guard_pages = pages(store, told=told)
    me = MePages(guard_pages, Sessions(store), role_of=roles.get)
    with TestClient(create_app(guard_pages, me.routes()), follow_redirects=False) as web:
        assert web.portal is not None
        web.portal.call(seed, store)
        later = time.time() + 3600
        # A delay of hanako's (+detail and capitals: still her mailbox), and a look-alike's hold.
        for qid, sender, kind in (
            ("D1", "Hanako+sales@Example.co.jp", Action.DELAY),
            ("X1", "xhanako@example.co.jp", Action.HOLD),
        ):
            message = held_message(qid, mail("別件"), kind)
            message = dataclasses.replace(message, mail_from=sender)
            web.portal.call(_hold, store, message, later)
        yield web, store, told, roles
        web.portal.call(store.close)


@pytest.fixture
def site(sqlite_url):
    with me_site(sqlite_url) as s:
        yield s


def sign_in(web: TestClient, store, login: str) -> str:
    """A session opened as the sign-in opens it; its cookie set in the browser (web)."""
    assert web.portal is not None
    session_id, session = web.portal.call(Sessions(store).open, login, "sender", "127.0.0.1")
    web.cookies.clear()
    web.cookies.set(SESSION_COOKIE, session_id, domain="testserver.local", path="/admin")
    return session.csrf


def ids(html: str, section: str) -> list[str]:
    part = re.search(rf'<section id="{section}">(.*?)</section>', html, re.S)
    return re.findall(r'data-id="([^"]+)"', part.group(1)) if part else []


def state_of(web, store, qid: str) -> str:
    return web.portal.call(store.get, qid).state


def trail_of(web, store, qid: str) -> list[tuple[str, str]]:
    async def rows():
        async with store.reading() as conn:
            return [
                (r.actor, r.action)
                for r in await conn.execute(select(audit).where(audit.c.message_id == qid))
            ]

    return web.portal.call(rows)


def test_no_session_goes_to_the_login_page_and_me_points_to_the_page(site):
    web, *_ = site
    assert web.get("/me").headers["location"] == "/admin/me"
    answer = web.get("/admin/me")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/login?next=%2Fadmin%2Fme"
    assert web.get("/admin/me/m/N1").headers["location"].startswith("/admin/login?next=")
    web.cookies.set(SESSION_COOKIE, "forged" * 5, domain="testserver.local", path="/admin")
    assert web.get("/admin/me").status_code == 303


def test_a_sender_sees_his_mail_only_newest_first(site):
    web, store, _, _ = site
    sign_in(web, store, SENDER)
    page = web.get("/admin/me", headers=JA)
    assert page.status_code == 200
    mine = ids(page.text, "mine")
    # hers: the four waiting for approval, the plain hold, the released F1 and the +detail delay
    assert set(mine) == {"A1", "A2", "B1", "F1", "N1", "D1"}
    assert mine[0] == "D1"  # the newest
    assert "X1" not in page.text  # xhanako@ only looks like hers
    assert ids(page.text, "to-approve") == []
    assert "tanaka@client.example" not in page.text  # the list names domains, not addresses
    assert english_words(page.text) == []
    en = web.get("/admin/me", headers=EN).text
    assert "My messages" in en and "Waiting for your approval" not in en
    sign_in(web, store, STRANGER)
    assert ids(web.get("/admin/me").text, "mine") == []


def test_an_approver_sees_what_waits_for_him(site):
    web, store, _, _ = site
    sign_in(web, store, BOSS)
    page = web.get("/admin/me", headers=JA).text
    assert set(ids(page, "to-approve")) == {"A1", "A2"} and ids(page, "mine") == []
    sign_in(web, store, OTHER)
    assert set(ids(web.get("/admin/me").text, "to-approve")) == {"A2", "B1"}


def test_another_persons_message_is_404_like_an_unknown_id(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, STRANGER)
    unknown = web.get("/admin/me/m/NOPE")
    assert unknown.status_code == 404
    for qid in ("N1", "A1", "D1"):
        answer = web.get(f"/admin/me/m/{qid}")
        assert answer.status_code == 404 and answer.text == unknown.text
        assert web.post(f"/admin/me/m/{qid}", data={"csrf": csrf, "action": "cancel"}).status_code == 404
    # B1 waits for OTHER only: BOSS may not open nor approve it, nor see its attachments
    csrf = sign_in(web, store, BOSS)
    assert web.get("/admin/me/m/B1").status_code == 404
    assert web.post("/admin/me/m/B1", data={"csrf": csrf, "action": "approve"}).status_code == 404
    assert state_of(web, store, "B1") == "held"


def test_a_post_without_the_sessions_csrf_token_is_403(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, SENDER)
    for data in (
        {"action": "cancel"},
        {"action": "cancel", "csrf": "csrf-N1"},
        {"action": "cancel", "csrf": "x"},
    ):
        assert web.post("/admin/me/m/N1", data=data).status_code == 403  # the hold's own token is no key here
    other_csrf = sign_in(web, store, STRANGER)
    sign_in(web, store, SENDER)
    assert web.post("/admin/me/m/N1", data={"action": "cancel", "csrf": other_csrf}).status_code == 403
    assert state_of(web, store, "N1") == "held"
    assert csrf != other_csrf


def test_get_never_acts_and_the_page_carries_the_session_token(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, SENDER)
    page = web.get("/admin/me/m/N1?action=release&confirm=1", headers=JA)
    assert page.status_code == 200 and state_of(web, store, "N1") == "held"
    tokens = set(re.findall(r'name="csrf" value="([^"]+)"', page.text))
    assert tokens == {csrf}  # never the hold's (csrf-N1)
    assert 'id="to-me" href="/admin/me?lang=ja"' in page.text and english_words(page.text) == []
    assert 'id="to-me"' not in web.get("/h/snd-N1").text  # the link's page has no list to go back to


def test_a_senders_release_asks_what_the_link_page_asks(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, SENDER)
    unconfirmed = web.post("/admin/me/m/N1", data={"csrf": csrf, "action": "release"}, headers=JA)
    assert unconfirmed.status_code == 400 and state_of(web, store, "N1") == "held"
    done = web.post("/admin/me/m/N1", data={"csrf": csrf, "action": "release", "confirm": "1"})
    assert done.status_code == 303 and done.headers["location"] == "/admin/me/m/N1"
    assert state_of(web, store, "N1") == "released"
    assert ("sender", "released") in trail_of(web, store, "N1")  # the link page's actor
    assert web.portal.call(_queued, store, "N1")
    # A hold for approval is the approver's: its sender may only withdraw it.
    assert (
        web.post("/admin/me/m/A1", data={"csrf": csrf, "action": "release", "confirm": "1"}).status_code
        == 403
    )
    assert web.post("/admin/me/m/A1", data={"csrf": csrf, "action": "approve"}).status_code == 403
    assert state_of(web, store, "A1") == "held"


def test_a_delays_cancel_is_asked_twice_and_send_now_sends(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, SENDER)
    asked = web.post("/admin/me/m/D1", data={"csrf": csrf, "action": "cancel"}, headers=JA)
    assert (
        asked.status_code == 200 and 'name="confirm"' in asked.text and state_of(web, store, "D1") == "held"
    )
    assert set(re.findall(r'name="csrf" value="([^"]+)"', asked.text)) == {csrf}
    assert web.post("/admin/me/m/D1", data={"csrf": csrf, "action": "release"}).status_code == 303
    assert state_of(web, store, "D1") == "released"


def test_an_approver_approves_and_rejects_from_his_page(site):
    web, store, told, _ = site
    csrf = sign_in(web, store, BOSS)
    page = web.get("/admin/me/m/A1", headers=JA)
    assert page.status_code == 200 and "あなたの承認を待っています" in page.text
    assert 'href="/admin/me"' in page.text  # the list is his page, not a link's queue
    part = re.search(r'href="(/admin/me/m/A1/part/[^"]+)"', page.text)
    assert part and web.get(part.group(1)).status_code == 200
    no_reason = web.post("/admin/me/m/A2", data={"csrf": csrf, "action": "reject", "note": " "}, headers=JA)
    assert no_reason.status_code == 400 and state_of(web, store, "A2") == "held"
    assert (
        web.post("/admin/me/m/A2", data={"csrf": csrf, "action": "reject", "note": "宛先違い"}).status_code
        == 303
    )
    assert state_of(web, store, "A2") == "rejected"
    assert web.post("/admin/me/m/A1", data={"csrf": csrf, "action": "approve"}).status_code == 303
    assert state_of(web, store, "A1") == "released" and web.portal.call(_queued, store, "A1")
    assert (f"approver:{BOSS}", "released") in trail_of(web, store, "A1")
    assert [(t[0], t[1], t[2]) for t in told] == [("A2", BOSS, False), ("A1", BOSS, True)]
    # the sender's attachments are the approver's to open, not a sender page's
    csrf = sign_in(web, store, SENDER)
    assert web.get(part.group(1)).status_code == 404


def test_a_demoted_or_disabled_account_loses_its_session(site):
    web, store, _, roles = site
    sign_in(web, store, SENDER)
    assert web.get("/admin/me").status_code == 200
    roles.pop(SENDER)
    assert web.get("/admin/me").status_code == 303
    roles[SENDER] = "sender"
    assert web.get("/admin/me").status_code == 303  # the session was ended, not paused


def test_sign_out_ends_the_session(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, SENDER)
    assert web.post("/admin/me/logout", data={"csrf": "wrong"}).status_code == 403
    assert web.post("/admin/me/logout", data={"csrf": csrf}).status_code == 303
    assert web.get("/admin/me").status_code == 303


async def _queued(store, qid: str) -> bool:
    async with store.reading() as conn:
        rows = await conn.execute(
            select(outbound).where(outbound.c.message_id == qid, outbound.c.kind == "release")
        )
        return rows.first() is not None


async def _hold(store, message, expires_at: float) -> None:
    await store.hold(message, csrf=f"csrf-{message.id}", expires_at=expires_at, token=f"t-{message.id}")


def test_the_lists_on_each_database(store_url):
    """The narrowing SQL (LIKE with its wildcards escaped, lower()) on SQLite and PostgreSQL:
    a sender named with LIKE's wildcards finds his own mail and nobody else's."""

    async def scene() -> tuple[list[str], list[str], list[str], list[str]]:
        store = await Store.open(store_url)
        try:
            await seed(store)
            later = time.time() + 3600
            for qid, sender in (
                ("P1", "a_b%c@example.co.jp"),
                ("P2", "axbyc@example.co.jp"),
                ("P3", "A_B%C@EXAMPLE.CO.JP"),
            ):
                message = dataclasses.replace(held_message(qid, mail("件"), Action.HOLD), mail_from=sender)
                await _hold(store, message, later)
            now = time.time()
            return (
                [r.id for r in await mine(store, "a_b%c@example.co.jp", now)],
                [r.id for r in await mine(store, SENDER, now)],
                [r.id for r in await to_approve(store, OTHER)],
                [r.id for r in await to_approve(store, "%")],
            )
        finally:
            await store.close()

    wildcard, hanako, other, percent = asyncio.run(scene())
    assert sorted(wildcard) == ["P1", "P3"]
    assert sorted(hanako) == ["A1", "A2", "B1", "F1", "N1"]
    assert sorted(other) == ["A2", "B1"] and percent == []


def test_fix_then_send_is_the_senders_and_asks_as_the_link_page_does(site):
    web, store, _, _ = site
    csrf = sign_in(web, store, SENDER)
    empty = web.post("/admin/me/m/N1/fix", data={"csrf": csrf}, headers=JA)  # no fix chosen
    assert empty.status_code == 400 and set(re.findall(r'name="csrf" value="([^"]+)"', empty.text)) == {csrf}
    # the page after a refused fix posts its fixes to …/fix and its release and cancel to the
    # hold, not to …/fix/fix and …/fix (where a release would be taken for an empty fix)
    assert 'action="/admin/me/m/N1/fix?lang=ja"' in empty.text and "/fix/fix" not in empty.text
    assert 'action="/admin/me/m/N1?lang=ja" id="release-form"' in empty.text
    link_page = web.post("/h/snd-N1/fix", data={"csrf": "csrf-N1"}, headers=JA).text
    assert 'action="/h/snd-N1?lang=ja" id="release-form"' in link_page and "/fix/fix" not in link_page
    assert web.post("/admin/me/m/N1/fix", data={"csrf": "csrf-N1", "bcc": "1"}).status_code == 403
    csrf = sign_in(web, store, BOSS)  # an approver decides; fixing is the sender's
    assert web.post("/admin/me/m/A1/fix", data={"csrf": csrf, "bcc": "1"}).status_code == 403
    csrf = sign_in(web, store, STRANGER)
    assert web.post("/admin/me/m/N1/fix", data={"csrf": csrf, "bcc": "1"}).status_code == 404
    assert state_of(web, store, "N1") == "held"


def test_the_list_is_paged_newest_first(site):
    web, store, _, _ = site
    base = time.time()

    async def many() -> None:
        for i in range(PAGE + 1):
            message = dataclasses.replace(
                held_message(f"M{i:03d}", mail("件"), Action.HOLD), mail_from=STRANGER
            )
            await store.hold(message, csrf="c", expires_at=base + 3600, token=f"t-M{i:03d}")

    web.portal.call(many)
    sign_in(web, store, STRANGER)
    first = ids(web.get("/admin/me").text, "mine")
    assert len(first) == PAGE and first[0] == f"M{PAGE:03d}"
    assert ids(web.get("/admin/me?page=2").text, "mine") == ["M000"]
    for hostile in ("0", "-1", "abc", "99999999999", "2%00"):
        assert web.get(f"/admin/me?page={hostile}").status_code == 200
