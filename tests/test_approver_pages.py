"""The approver's pages over HTTP (issue 18, items 7 and 8): his own page with the body and the
attachments, previews that cannot run script in the guard's origin, a rejection that needs a
reason and is recorded as 却下, and the list of what waits for him — tried as an attacker would
(another approver's hold, the sender's link, a finished hold, a hold needing no approval)."""

from __future__ import annotations

import asyncio
import quopri
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from quarantine.notice import approval_request
from quarantine.outcome_notice import approval_result
from quarantine.preview import BODY_LIMIT, body_and_parts
from quarantine.records import HoldState
from quarantine.retention import FINAL, Retention
from quarantine.retention_policy import DAY, RetentionPolicy
from quarantine.schema import held, outbound
from quarantine.store import Store
from quarantine.web import create_app
from rules.model import Decision

from .approvals import BODY, BOSS, MEMO, pages, seed
from .approvals import held as held_message
from .page_words import english_words
from .sender_page import open_store

JA = {"accept-language": "ja"}


@contextmanager
def approver_site(sqlite_url: str, clock=None) -> Iterator[tuple[TestClient, object, list]]:
    store = open_store(sqlite_url)
    told: list = []
    app = create_app(pages(store, told=told) if clock is None else pages(store, clock=clock, told=told))
    with TestClient(app) as web:
        assert web.portal is not None
        web.portal.call(seed, store)
        yield web, store, told
        web.portal.call(store.close)


@pytest.fixture
def site(sqlite_url):
    with approver_site(sqlite_url) as s:
        yield s


def parts_of(html: str) -> dict[str, tuple[str, str]]:
    """file name -> (href, inline yes/no) of the attachment links on a page."""
    rows = re.findall(
        r'<span class="name">([^<]*)</span>.*?href="([^"]+)"[^>]*data-inline="(yes|no)"', html, re.S
    )
    return {name: (href, inline) for name, href, inline in rows}


# --- item 8: the approver's own page -------------------------------------------------------


def test_the_approver_page_speaks_to_the_approver_in_japanese(site):
    web, _store, _ = site
    page = web.get("/h/appr-A1", headers=JA)
    assert page.status_code == 200
    assert "あなたの承認を待っています" in page.text
    assert "承認者の承認を待っています" not in page.text
    assert '<label for="approve-note">' in page.text and '<label for="reject-note">' in page.text
    assert english_words(page.text) == []
    sender_view = web.get("/h/snd-A1", headers=JA).text
    assert "承認者の承認を待っています" in sender_view and "あなたの承認を待っています" not in sender_view
    assert 'value="reject"' not in sender_view
    en = web.get("/h/appr-A1", headers={"accept-language": "en"}).text
    assert "Waiting for your approval." in en and "Reason for rejecting (required)" in en
    main = en.split("<main>", 1)[1]  # the header's product name is the layout's, not this page's
    written = (
        r'<pre class="body">.*?</pre>|<span class="name">[^<]*</span>|<td class="name">[^<]*</td>|日本語'
    )
    assert not re.search(r"[\u3040-\u30ff]", re.sub(written, "", main, flags=re.S)), (
        "Japanese on the English page"
    )


def test_the_body_is_decoded_and_escaped(site):
    web, _store, _ = site
    page = web.get("/h/appr-A1", headers=JA).text
    body = re.search(r'<pre class="body">(.*?)</pre>', page, re.S)
    assert body and "お見積書をお送りします。ご確認ください。" in body.group(1)  # ISO-2022-JP, decoded
    assert BODY.splitlines()[0] in body.group(1)


def test_a_hostile_body_is_escaped_and_bounded(sqlite_url):
    raw = (
        "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "<script>alert(1)</script>\u202egpj.exe " + "長" * (BODY_LIMIT + 50)
    ).encode()
    body, parts = body_and_parts(raw, ())
    assert body.cut and len(body.text) == BODY_LIMIT and "\u202e" not in body.text and parts == []


# --- item 7: the attachments ---------------------------------------------------------------


def test_text_pdf_and_images_open_inline_markup_and_programs_download(site):
    web, _store, _ = site
    links = parts_of(web.get("/h/appr-A1", headers=JA).text)
    assert {n: i for n, (_, i) in links.items()} == {
        "メモ.txt": "yes",
        "見積書.pdf": "yes",
        "印影.png": "yes",
        "readme.txt": "no",  # HTML inside, whatever its name and declared type say
        "logo.png": "no",  # an SVG declared as a PNG
        "tool.exe": "no",
    }
    memo = web.get(links["メモ.txt"][0])
    assert memo.status_code == 200 and memo.headers["content-type"] == "text/plain; charset=utf-8"
    assert memo.content.decode("utf-8") == MEMO  # cp932, decoded
    assert memo.headers["content-disposition"].startswith("inline;")
    pdf, image = web.get(links["見積書.pdf"][0]), web.get(links["印影.png"][0])
    assert pdf.headers["content-type"] == "application/pdf" and image.headers["content-type"] == "image/png"
    for name, (href, inline) in links.items():
        r = web.get(href)
        assert r.status_code == 200, name
        csp = r.headers["content-security-policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp, name
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
        if inline == "no":
            assert r.headers["content-type"] == "application/octet-stream", name
            assert r.headers["content-disposition"].startswith("attachment;"), name
        assert "filename*=UTF-8''" in r.headers["content-disposition"]


@pytest.mark.parametrize("name", ["readme.txt", "logo.png"])
def test_html_and_svg_are_never_served_inline(site, name):
    web, _store, _ = site
    href = parts_of(web.get("/h/appr-A1").text)[name][0]
    r = web.get(href)
    assert r.headers["content-type"] == "application/octet-stream"
    assert not r.headers["content-disposition"].startswith("inline")
    assert b"<script>" in r.content  # the file as it is, for download


def test_only_listed_parts_of_the_link_hold_are_served(site):
    web, _store, _ = site
    for path in ("/h/appr-A1/part/1", "/h/appr-A1/part/1.99", "/h/appr-A1/part/-1", "/h/appr-A1/part/1.2x"):
        assert web.get(path).status_code == 404, path
    assert web.get("/h/nope/part/1.2").status_code == 404


def test_a_sender_link_cannot_open_parts(site):
    web, _store, _ = site
    href = parts_of(web.get("/h/appr-A1").text)["メモ.txt"][0]
    assert web.get(href.replace("appr-A1", "snd-A1")).status_code == 404
    assert web.get("/h/snd-N1/part/1.2").status_code == 404


def test_parts_of_a_hold_past_its_grace_are_gone(sqlite_url):
    now = [0.0]
    with approver_site(sqlite_url, clock=lambda: time.time() + now[0]) as (web, _store, _):
        href = parts_of(web.get("/h/appr-A1").text)["メモ.txt"][0]
        reject = {"csrf": "csrf-A1", "action": "reject", "note": "宛先が違います"}
        assert web.post("/h/appr-A1", data=reject, follow_redirects=False).status_code == 303
        assert web.get(href).status_code == 200  # within the page grace
        now[0] = 2 * 86400
        assert web.get(href).status_code == 404
        done = web.get("/h/appr-A1", headers=JA).text
        assert "却下" in done and "お見積書" not in done and "メモ.txt" not in done


# --- item 8: a rejection needs a reason, and is 却下 -----------------------------------------


@pytest.mark.parametrize("note", ["", "   \n "])
def test_a_rejection_without_a_reason_is_refused(site, note):
    web, store, told = site
    r = web.post("/h/appr-A1", data={"csrf": "csrf-A1", "action": "reject", "note": note}, headers=JA)
    assert r.status_code == 400 and "却下するには理由を入力してください" in r.text
    assert english_words(r.text) == []
    assert web.portal.call(store.get, "A1").state == HoldState.HELD and told == []


def test_a_decision_on_a_decided_hold_shows_where_it_stands(site):
    web, store, told = site
    web.portal.call(lambda: store.decide_hold("A1", "cancelled", actor="sender", client_addr=None))
    r = web.post("/h/appr-A1", data={"csrf": "csrf-A1", "action": "reject", "note": ""}, headers=JA)
    assert r.status_code == 200 and "取り消しました" in r.text and told == []
    assert web.portal.call(store.get, "A1").state == HoldState.CANCELLED


def test_a_too_long_note_is_refused_with_a_message(site):
    web, store, _ = site
    r = web.post("/h/appr-A1", data={"csrf": "csrf-A1", "action": "approve", "note": "x" * 1001}, headers=JA)
    assert r.status_code == 400 and "1000文字以内" in r.text
    assert web.portal.call(store.get, "A1").state == HoldState.HELD


def test_a_rejection_is_recorded_and_shown_as_rejected(site):
    web, store, told = site
    r = web.post("/h/appr-A1", data={"csrf": "csrf-A1", "action": "reject", "note": "宛先が違います"})
    assert r.status_code == 200 and r.url.path == "/h/appr-A1"
    record = web.portal.call(store.get, "A1")
    assert record.state == HoldState.REJECTED == "rejected" and record.note == "宛先が違います"
    assert record.acted_by == f"approver:{BOSS}"
    assert told == [("A1", BOSS, False, "宛先が違います")]
    for link in ("/h/appr-A1", "/h/snd-A1"):
        page = web.get(link, headers=JA).text
        assert "state-rejected" in page and "却下" in page and "取り消しました" not in page, link
        assert 'data-action="rejected"' in page, link
    # the sender's page is another item's (its English words are fixed there); the approver's is ours
    assert english_words(web.get("/h/appr-A1", headers=JA).text) == []
    en = web.get("/h/snd-A1", headers={"accept-language": "en"}).text
    assert "Rejected, not sent" in en


def test_the_sender_is_told_the_rejection_and_its_reason(site):
    web, store, _ = site
    web.post("/h/appr-A1", data={"csrf": "csrf-A1", "action": "reject", "note": "宛先が違います"})

    async def notices():
        async with store.reading() as conn:
            return (await conn.execute(select(outbound.c.raw).where(outbound.c.kind == "notice"))).all()

    raws = [r.raw for r in web.portal.call(notices) if r.raw]
    text = quopri.decodestring(raws[-1]).decode()
    assert "却下されました" in text and "却下の理由:" in text and "> 宛先が違います" in text


def test_the_result_notice_words():
    raw = approval_result(
        notice_from="g@x", sender="s@x", subject="件", approver="b@x", approved=False, note="理由です"
    )
    text = quopri.decodestring(raw).decode()
    assert "却下の理由:" in text and "Reason:" in text and "コメント" not in text


# --- item 8: the list of what waits for the approver ---------------------------------------


def test_every_approval_notice_links_the_list():
    raw = approval_request(
        notice_from="g@x",
        approver=BOSS,
        sender="s@x",
        subject="件",
        link="https://guard.example/h/TOKEN",
        decision=Decision(action="hold_for_approval", matched=()),
        when_text="2026-12-05 02:48 JST",
    )
    assert b"https://guard.example/h/TOKEN/queue" in quopri.decodestring(raw)


def test_the_list_shows_only_what_waits_for_this_approver(site):
    web, _store, _ = site
    page = web.get("/h/appr-A1/queue", headers=JA)
    assert page.status_code == 200 and english_words(page.text) == []
    entries = re.findall(r'class="queue-entry name" href="([^"]+)"', page.text)
    assert entries == ["/h/appr-A1", "/h/appr-A1/queue/A2"]  # the same expiry: by id
    assert "他部署の件" not in page.text and "送信済みの件" not in page.text and "普通の保留" not in page.text
    entry = web.get("/h/appr-A1/queue/A2", headers=JA)
    assert (
        entry.status_code == 200
        and "契約書のご確認" in entry.text
        and "あなたの承認を待っています" in entry.text
    )
    other = web.get("/h/other-B1/queue", headers=JA).text
    assert "他部署の件" in other and "契約書のご確認" in other and "お見積書の送付" not in other


def test_an_entry_decides_the_hold_it_opens(site):
    web, store, told = site
    r = web.post("/h/appr-A1/queue/A2", data={"csrf": "csrf-A2", "action": "approve", "note": ""})
    assert r.status_code == 200 and r.url.path == "/h/appr-A1/queue/A2"
    assert web.portal.call(store.get, "A2").state == HoldState.RELEASED
    assert web.portal.call(store.get, "A1").state == HoldState.HELD
    assert told == [("A2", BOSS, True, "")]
    assert "/queue/A2" not in web.get("/h/appr-A1/queue").text  # no longer waiting
    refused = web.post("/h/appr-A1/queue/A1", data={"csrf": "csrf-A1", "action": "reject", "note": ""})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/h/appr-A1/queue/B1",  # another approver's hold
        "/h/appr-A1/queue/N1",  # a hold that needs no approval
        "/h/appr-A1/queue/NOPE",  # no such hold
        "/h/appr-A1/queue/B1/part/1.2",
        "/h/snd-A1/queue",  # the sender's link
        "/h/snd-A1/queue/A1",
        "/h/snd-A1/queue/A2",
        "/h/forged/queue",
        "/h/forged/queue/A1",
    ],
)
def test_the_list_grants_nothing_beyond_the_link(site, path):
    web, _store, _ = site
    r = web.get(path, headers=JA)
    assert r.status_code == 404
    for secret in ("他部署の件", "普通の保留", "お見積書", "hanako@"):
        assert secret not in r.text


def test_no_decision_on_another_approvers_hold_through_the_list(site):
    web, store, told = site
    for path, csrf in (("/h/appr-A1/queue/B1", "csrf-B1"), ("/h/snd-A1/queue/A1", "csrf-A1")):
        r = web.post(path, data={"csrf": csrf, "action": "approve"}, follow_redirects=False)
        assert r.status_code == 404, path
    forged = web.post("/h/appr-A1/queue/A2", data={"csrf": "csrf-A1", "action": "approve"})
    assert forged.status_code == 403  # A1's form token does not decide A2
    assert {web.portal.call(store.get, q).state for q in ("A1", "A2", "B1")} == {
        HoldState.HELD
    } and told == []


def test_a_finished_hold_in_the_list_shows_nothing_after_the_grace(sqlite_url):
    shift = [0.0]
    with approver_site(sqlite_url, clock=lambda: time.time() + shift[0]) as (web, _store, _):
        assert web.get("/h/appr-A1/queue/F1", headers=JA).status_code == 200  # released, within grace
        shift[0] = 2 * 86400
        later = web.get("/h/appr-A1/queue/F1", headers=JA)
        assert "送信済みの件" not in later.text and "hanako@" not in later.text
        # the link's own hold is still held: its list still works, without F1
        assert "送信済みの件" not in web.get("/h/appr-A1/queue").text
        # a link whose own hold is finished past the grace lists nothing at all
        assert web.get("/h/appr-F1/queue").status_code == 404
        assert web.get("/h/appr-F1/queue/A1").status_code == 404


# --- a rejection is finished, not sent, wherever "finished" counts ---------------------------


def test_a_rejected_hold_is_purged_like_a_cancelled_one(sqlite_url):
    assert HoldState.REJECTED in FINAL

    async def scenario() -> tuple[int, int]:
        store = await Store.open(sqlite_url)
        try:
            for qid, state in (("R1", "rejected"), ("C1", "cancelled")):
                await store.hold(
                    held_message(qid, b"Subject: x\r\n\r\nbody\r\n"), csrf="c", expires_at=time.time()
                )
                assert await store.decide_hold(qid, state, actor="approver:b@x", client_addr=None)
            assert await store.decide_hold("R1", "released", actor="sender", client_addr=None) is False
            await Retention(store, RetentionPolicy(raw=DAY)).run_once(time.time() + 2 * DAY)
            async with store.reading() as conn:
                sizes = dict((await conn.execute(select(held.c.id, held.c.raw))).all())
            return len(sizes["R1"] or b""), len(sizes["C1"] or b"")
        finally:
            await store.close()

    assert asyncio.run(scenario()) == (0, 0)


def test_an_admin_finds_rejected_holds_apart_from_cancelled_ones(admin):
    admin.hold("Q1", kind="hold_for_approval", subject="件名却下")
    admin.hold("Q2", subject="件名取消")
    admin.run(lambda: admin.store.decide_hold("Q1", "rejected", actor=f"approver:{BOSS}", client_addr=None))
    admin.run(lambda: admin.store.decide_hold("Q2", "cancelled", actor="sender", client_addr=None))

    def found(state: str) -> set[str]:
        page = admin.client.get("/admin/messages", params={"state": state})
        assert page.status_code == 200, page.text
        return {s for s in ("件名却下", "件名取消") if s in page.text}

    assert found("rejected") == {"件名却下"} and found("cancelled") == {"件名取消"}
    assert 'value="rejected"' in admin.client.get("/admin/messages").text  # offered in the filter
    detail = admin.client.get("/admin/messages/Q1").text
    assert "state-rejected" in detail and 'value="release"' not in detail  # finished: no actions


def test_a_hold_that_no_longer_needs_approval_offers_the_approver_nothing(site):
    web, store, told = site

    async def made_plain() -> None:
        async with store.writing() as conn:
            await conn.execute(held.update().where(held.c.id.in_(("A1", "A2"))).values(kind="hold"))

    web.portal.call(made_plain)  # as a sender's fix whose new decision needs no approval does
    page = web.get("/h/appr-A1", headers=JA).text
    assert "あなたの承認を待っています" not in page and 'value="approve"' not in page
    r = web.post("/h/appr-A1", data={"csrf": "csrf-A1", "action": "approve"}, follow_redirects=False)
    assert r.status_code == 403 and told == []
    assert web.get("/h/appr-A1/queue/A2").status_code == 404
    assert "/queue/A2" not in web.get("/h/appr-A1/queue").text
