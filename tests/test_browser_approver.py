"""A real browser on the approver's pages (issue 18, items 7 and 8), at 1280 and 390 px: he
reads the body and the attachment list, opens a text attachment, sees an HTML file offered as
a download only, cannot reject without a reason, rejects with one and sees 却下, and opens the
list of what waits for him. Japanese pages carry no English word; nothing overflows a phone.

The approver's pages are served by uvicorn on a free port, over a store seeded as in
tests/approvals.py. Screenshots: tests/output/i18-approver-*.png (gitignored).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from quarantine.web import create_app

from .approvals import BOSS, MEMO, held, mail, pages
from .approvals import seed as seed_approvals
from .browser import assert_fits, new_page, screenshot
from .page_words import english_words
from .served import Served

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LONG = "https://example.co.jp/" + "a" * 180  # one unbroken token in the body and the subject
PHONE_BODY = f"田中様\n\nお見積書をお送りします。\n参考: {LONG}\n営業部 花子"


class Server(Served):
    """The guard's pages, with an approval hold for each walk."""

    def app(self):
        return create_app(pages(self.store))

    async def seed(self) -> None:
        await seed_approvals(self.store)
        for width in WIDTHS:  # one hold for each walk, with a long unbroken token
            qid = f"W{width}"
            await self.store.hold(
                held(qid, mail(f"至急のご提案{LONG}", body=PHONE_BODY)),
                csrf=f"csrf-{qid}",
                expires_at=time.time() + 3600,
                approver_tokens=[(f"appr-{qid}", BOSS)],
                approvers=(BOSS,),
            )


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser) -> Iterator[tuple[Server, object]]:
    with Server(tmp_path_factory.mktemp("approver")) as server:
        yield server, browser


@pytest.mark.parametrize("width", WIDTHS)
def test_an_approver_reads_opens_rejects_and_finds_his_list(site, width):
    server, browser = site
    page = new_page(browser, width, height=900, accept_downloads=True)
    context = page.context
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
    assert_fits(page, width)
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
    assert_fits(page, width)
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
    assert_fits(page, width)
    screenshot(page, f"i18-approver-queue-{width}.png")
    page.locator(".queue-entry", has_text="契約書のご確認").click()
    page.wait_for_load_state()
    assert "契約書のご確認" in page.locator("main").inner_text()
    assert page.locator("#waiting").inner_text() == "あなたの承認を待っています。"
    assert_fits(page, width)
    context.close()
