"""A real browser on the approver's pages (issue 18, items 7 and 8), at 1280 and 390 px: he
reads the body and the attachment list, opens a text attachment, sees an HTML file offered as
a download only, cannot reject without a reason, rejects with one and sees 却下, and opens the
list of what waits for him. Japanese pages carry no English word; nothing overflows a phone.

The approver's pages are served by uvicorn on a free port, over a store seeded as in
tests/approvals.py. Screenshots: tests/output/i18-approver-*.png (gitignored).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from quarantine.store import Store
from quarantine.web import create_app

from .approvals import BOSS, MEMO, held, mail, pages, seed
from .browser import chromium, screenshot
from .page_words import english_words
from .support import free_port, wait_until

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LONG = "https://example.co.jp/" + "a" * 180  # one unbroken token in the body and the subject
PHONE_BODY = f"田中様\n\nお見積書をお送りします。\n参考: {LONG}\n営業部 花子"


class Server:
    """The guard's pages on their own event loop in a thread."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path, self.port = tmp_path, free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.server: uvicorn.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        store = self.loop.run_until_complete(Store.open(f"sqlite+aiosqlite:///{self.tmp_path / 'guard.db'}"))
        self.loop.run_until_complete(self._seed(store))
        config = uvicorn.Config(
            create_app(pages(store)), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.loop.run_until_complete(self.server.serve())
        self.loop.run_until_complete(store.close())
        self.loop.close()

    async def _seed(self, store: Store) -> None:
        await seed(store)
        for width in WIDTHS:  # one hold for each walk, with a long unbroken token
            qid = f"W{width}"
            await store.hold(
                held(qid, mail(f"至急のご提案{LONG}", body=PHONE_BODY)),
                csrf=f"csrf-{qid}",
                expires_at=time.time() + 3600,
                approver_tokens=[(f"appr-{qid}", BOSS)],
                approvers=(BOSS,),
            )

    def __enter__(self) -> Server:
        self.thread.start()
        wait_until(lambda: self.server and self.server.started, "the pages did not start", timeout=20)
        return self

    def __exit__(self, *exc) -> None:
        if self.server:
            self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[Server, object]]:
    with Server(tmp_path_factory.mktemp("approver")) as server, chromium() as browser:
        yield server, browser


def _fits(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide on a {width} px screen"


@pytest.mark.parametrize("width", WIDTHS)
def test_an_approver_reads_opens_rejects_and_finds_his_list(site, width):
    server, browser = site
    context = browser.new_context(
        locale="ja-JP", viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/h/appr-W{width}")
    assert page.locator("#waiting").inner_text() == "あなたの承認を待っています。"
    assert "承認者の承認を待っています" not in page.content()
    assert "お見積書をお送りします。" in page.locator("pre.body").inner_text()
    names = page.locator("#attachments .parts .name").all_inner_texts()
    assert names == ["メモ.txt", "見積書.pdf", "印影.png", "readme.txt", "logo.png", "tool.exe"]
    assert page.locator("label[for=reject-note]").inner_text() == "却下の理由（必須）"
    # the decision comes before the body and the lists
    assert page.locator("#decide").bounding_box()["y"] < page.locator("#body").bounding_box()["y"]
    assert english_words(page.content()) == []
    _fits(page, width)
    screenshot(page, f"i18-approver-page-{width}.png")

    with page.expect_popup() as opened:
        page.locator("#attachments li", has_text="メモ.txt").locator("a").click()
    preview = opened.value
    preview.wait_for_load_state()
    assert MEMO in preview.content()  # cp932 in the message, shown decoded
    screenshot(preview, f"i18-approver-preview-{width}.png")
    preview.close()
    with page.expect_download() as downloaded:  # HTML is never shown, only downloaded
        page.locator("#attachments li", has_text="readme.txt").locator("a").click()
    assert downloaded.value.suggested_filename == "readme.txt"

    page.locator("button[value=reject]").click()  # no reason: the form is not sent
    assert page.locator("#reject-note").evaluate("e => e.validity.valueMissing")
    assert page.locator(".state-held").count() == 1
    page.locator("#reject-note").fill("宛先の会社が違います。確認してください。")
    page.locator("button[value=reject]").click()
    page.wait_for_load_state()
    assert page.locator(".state-rejected").inner_text() == "却下"
    assert "却下" in page.locator("h1").inner_text() and "取り消" not in page.locator("main").inner_text()
    assert "宛先の会社が違います" in page.locator("#note").inner_text()
    assert english_words(page.content()) == []
    _fits(page, width)
    screenshot(page, f"i18-approver-rejected-{width}.png")

    page.locator("#queue-link").click()
    page.wait_for_load_state()
    subjects = page.locator(".queue-entry").all_inner_texts()
    assert "お見積書の送付" in subjects and "契約書のご確認" in subjects
    assert not any("他部署の件" in s for s in subjects)
    hrefs = [a.get_attribute("href") for a in page.locator(".queue-entry").all()]
    assert f"/h/appr-W{width}" not in hrefs, "the hold just rejected no longer waits"
    assert f"/h/appr-W{width}/queue/A2" in hrefs
    assert english_words(page.content()) == []
    _fits(page, width)
    screenshot(page, f"i18-approver-queue-{width}.png")
    page.locator(".queue-entry", has_text="契約書のご確認").click()
    page.wait_for_load_state()
    assert "契約書のご確認" in page.locator("main").inner_text()
    assert page.locator("#waiting").inner_text() == "あなたの承認を待っています。"
    _fits(page, width)
    context.close()
