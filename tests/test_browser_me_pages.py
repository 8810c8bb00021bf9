"""A real browser on a signed-in person's own page (issue 21), at 1280 and 390 px, in Japanese
and English: hanako's own mail and what waits for her approval; she opens one, approves it,
and it leaves her list. The Japanese page carries no English word; nothing overflows a phone.

The session is opened through the console's Sessions.open, as the sign-in opens it, and its
cookie given to the browser. Screenshots: tests/output/i21-me-*.png (gitignored).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator

import pytest

from quarantine.admin.console import SESSION_COOKIE
from quarantine.admin.sessions import Sessions
from quarantine.me_pages import MePages
from quarantine.web import create_app

from .approvals import SENDER, held, mail, pages
from .approvals import seed as seed_approvals
from .browser import assert_fits, new_page, screenshot
from .page_words import english_words
from .served import Served

pytestmark = pytest.mark.browser

WIDTHS, LANGS = (1280, 390), ("ja", "en")
LONG = "https://example.co.jp/" + "a" * 180  # one unbroken token in a subject
COLLEAGUE = "jiro@example.co.jp"


class Server(Served):
    def app(self):
        guard_pages = pages(self.store)
        return create_app(guard_pages, MePages(guard_pages, Sessions(self.store)).routes())

    async def seed(self) -> None:
        await seed_approvals(self.store)  # hanako's own: A1, A2, B1, N1 held, F1 released
        for width in WIDTHS:
            for lang in LANGS:  # one hold waiting for hanako's approval for each walk
                qid = f"W{width}{lang}"
                message = dataclasses.replace(held(qid, mail(f"至急のご提案{LONG}")), mail_from=COLLEAGUE)
                await self.store.hold(
                    message, csrf=f"csrf-{qid}", expires_at=time.time() + 3600, approvers=(SENDER,)
                )

    def session(self, login: str) -> str:
        opened = Sessions(self.store).open(login, "sender", "127.0.0.1")
        return asyncio.run_coroutine_threadsafe(opened, self.loop).result(10)[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser) -> Iterator[tuple[Server, object]]:
    with Server(tmp_path_factory.mktemp("me")) as server:
        yield server, browser


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_hanako_sees_her_mail_and_approves_from_her_page(site, width, lang):
    server, browser = site
    page = new_page(browser, width, locale="ja-JP" if lang == "ja" else "en-US")
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": server.session(SENDER), "domain": "127.0.0.1", "path": "/admin"}]
    )
    page.goto(f"{server.url}/me")
    assert page.url == f"{server.url}/admin/me"
    mine = page.locator("#mine .me-entry").evaluate_all("els => els.map(e => e.dataset.id)")
    assert {"A1", "A2", "B1", "N1", "F1"} <= set(mine)
    qid = f"W{width}{lang}"
    assert page.locator(f'#to-approve .me-entry[data-id="{qid}"]').count() == 1
    heading = page.locator("#to-approve h2").inner_text()
    assert heading.startswith("あなたの承認待ち" if lang == "ja" else "Waiting for your approval")
    if lang == "ja":
        assert english_words(page.content()) == []
    assert_fits(page, width)
    screenshot(page, f"i21-me-{width}-{lang}.png")

    page.locator(f'#to-approve .me-entry[data-id="{qid}"] a').click()
    page.wait_for_url(f"**/admin/me/m/{qid}**")
    assert page.locator("#waiting").count() == 1
    if lang == "ja":
        assert english_words(page.content()) == []
    assert_fits(page, width)
    screenshot(page, f"i21-me-approval-{width}-{lang}.png")
    page.fill("#approve-note", "確認しました" if lang == "ja" else "Checked")
    page.locator("#approve-form button").click()
    page.wait_for_load_state()
    assert page.locator("#waiting").count() == 0  # decided: the page says so, no more buttons
    page.locator("#queue-link").click()
    page.wait_for_url(f"{server.url}/admin/me")
    assert page.locator(f'#to-approve .me-entry[data-id="{qid}"]').count() == 0
    page.context.close()
