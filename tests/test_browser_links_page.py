"""A real browser on the sender's page of his attachments sent as links (issue 19), at 1280
and 390 px: from the hold page to the download log with two downloads, the latest first;
stopping the links asks once more, then the page says they are stopped. Screenshots:
tests/output/i19-links-sender-*.png."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import update

from quarantine.schema import share_recipients
from quarantine.share_limits import MAX_FAILURES
from quarantine.web import create_app

from .browser import assert_fits, new_page, screenshot
from .delay_page import pages
from .links_sender import P, Q, downloads, shared
from .page_words import english_words
from .served import Served

pytestmark = pytest.mark.browser

WIDTHS = {1280: "L1280", 390: "L390"}


class Server(Served):
    """The sender's pages with one share per width (tok-L1280, tok-L390), two downloads each."""

    def app(self):
        return create_app(pages(self.store))

    async def seed(self) -> None:
        at = time.time() - 3600
        for qid in WIDTHS.values():
            await shared(self.store, qid, now=at)
            await downloads(
                self.store, qid, (P, 1, "198.51.100.7", at + 600), (Q, 2, "203.0.113.9", at + 1200)
            )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("links")).start()
    yield s
    s.stop()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_sender_reads_the_log_then_stops_the_links(server, browser, width):
    qid = WIDTHS[width]
    page = new_page(browser, width)
    page.goto(f"{server.url}/h/tok-{qid}")
    page.locator("#to-links").click()
    page.wait_for_selector("#links-log")
    assert page.locator("h1").inner_text() == "リンクで送った添付ファイル"
    assert page.locator("#links-state").inner_text() == "有効"
    rows = page.locator("tr.download")
    assert rows.count() == 2
    assert "203.0.113.9" in rows.nth(0).inner_text() and Q in rows.nth(0).inner_text(), "latest first"
    assert "198.51.100.7" in rows.nth(1).inner_text() and "見積書.zip" in rows.nth(1).inner_text()
    assert "(JST)" in rows.nth(0).inner_text()
    html = page.content()
    assert english_words(html) == [], english_words(html)
    revoke, log = page.locator("#revoke").bounding_box(), page.locator("#links-log").bounding_box()
    assert revoke and log and revoke["y"] < log["y"], "the actions come before the long lists"
    assert_fits(page)
    screenshot(page, f"i19-links-sender-log-{width}.png")

    page.locator("#revoke").click()
    page.wait_for_selector("#confirm-revoke")
    assert page.locator("h1").inner_text() == "リンクを停止しますか？"
    assert english_words(page.content()) == []
    assert_fits(page)
    screenshot(page, f"i19-links-sender-confirm-{width}.png")

    page.locator("#confirm-revoke").click()
    page.wait_for_selector("#links-done")
    assert page.locator("#links-state").inner_text() == "停止済み"
    assert page.locator("#revoke").count() == 0 and page.locator("tr.download").count() == 2
    assert english_words(page.content()) == []
    assert_fits(page)
    screenshot(page, f"i19-links-sender-revoked-{width}.png")
    page.context.close()


def test_going_back_from_the_question_keeps_the_links_and_english_reads_english(server, browser):
    async def third() -> None:
        at = time.time() - 60
        await shared(server.store, "L3", now=at)

    asyncio.run_coroutine_threadsafe(third(), server.loop).result(10)
    page = new_page(browser, 1280, locale="en-US")
    page.goto(f"{server.url}/h/tok-L3/links")
    assert page.locator("h1").inner_text() == "Attachments sent as links"
    assert page.locator("#log-none").inner_text() == "Nothing has been downloaded yet."
    page.select_option("#days", "3")
    page.locator("#extend").click()
    page.wait_for_selector("#links-done")
    assert page.locator("#links-done").inner_text() == "The links now work longer."
    page.locator("#revoke").click()
    page.locator("#back").click()
    page.wait_for_selector("#links-log")
    assert page.locator("#links-state").inner_text() == "active"
    screenshot(page, "i19-links-sender-extended-1280.png")
    page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_recipient_stopped_by_wrong_codes_is_marked_and_the_sender_unlocks_him(server, browser, width):
    qid = f"U{width}"

    async def stopped() -> None:
        await shared(server.store, qid, now=time.time() - 60)
        async with server.store.writing() as conn:
            await conn.execute(
                update(share_recipients)
                .where(share_recipients.c.share_id == qid, share_recipients.c.address == P)
                .values(code_failures=MAX_FAILURES)
            )

    asyncio.run_coroutine_threadsafe(stopped(), server.loop).result(10)
    page = new_page(browser, width)
    page.goto(f"{server.url}/h/tok-{qid}/links")
    assert page.locator("#code-stopped-1").inner_text() == "コード入力の失敗が多いため停止中"
    assert page.locator("#code-stopped-2").count() == 0 and page.locator("#unlock-2").count() == 0
    assert english_words(page.content()) == []
    assert_fits(page)
    screenshot(page, f"i19-links-sender-code-stopped-{width}.png")
    page.locator("#unlock-1").click()
    page.wait_for_selector("#links-done")
    assert page.locator("#links-done").inner_text() == "確認コードの入力を再開しました。"
    assert page.locator("#code-stopped-1").count() == 0 and page.locator("#unlock-1").count() == 0
    assert_fits(page)
    page.context.close()
