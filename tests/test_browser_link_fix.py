"""A salesperson's PPAP mail (an encrypted zip to a client) is held; in a real browser at 1280
and 390 px the blue button sends the attachments as download links (issue 19), removing them
is the second choice, the page says what the links mean, and after the click it says the
attachments went as links. Every word on the Japanese page is Japanese; nothing scrolls
sideways. Screenshots: tests/output/i19-links-fix-<width>.png (and -sent-<width>).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from .browser import assert_fits, new_page, screenshot
from .page_words import english_words, visible_text
from .support import CORPUS, make_guard, notice_link

pytestmark = [pytest.mark.browser, pytest.mark.process]

SENDER = "taro@example.co.jp"
ORG = {
    "internal_domains": ["example.co.jp"],
    "clients": [{"name": "株式会社エー", "domains": ["a-corp.co.jp"]}],
}
ZIP = (
    CORPUS / "attachments" / "libarchive" / "test_read_format_zip_traditional_encryption_data.zip"
).read_bytes()
LONG = "お" * 120  # an unbroken file name: it must wrap


@pytest.fixture(scope="module")
def guard(tmp_path_factory, module_upstream):
    running = make_guard(tmp_path_factory.mktemp("guard"), module_upstream.url, organization=ORG).start()
    yield running
    running.stop()


def _held_ppap(guard, upstream) -> str:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, "tanaka@a-corp.co.jp", "お見積書の送付"
    msg.set_content("お世話になっております。お見積書をお送りします。パスワードは別途お送りします。")
    msg.add_attachment(ZIP, maintype="application", subtype="zip", filename=f"見積書{LONG}.zip")
    before = len(upstream.recorder.to(SENDER))
    with guard.smtp() as client:
        client.sendmail(SENDER, ["tanaka@a-corp.co.jp"], msg.as_bytes(policy=SMTP))
    upstream.recorder.wait_for(len(upstream.recorder.messages) + 1)
    notices = upstream.recorder.to(SENDER)
    assert len(notices) == before + 1, "one notice for the hold"
    return notice_link(notices[-1])


def _japanese_only(page) -> None:
    html = page.content()
    assert english_words(html) == [], visible_text(html)


@pytest.mark.parametrize("width", (1280, 390))
def test_ppap_is_sent_as_links_by_the_primary_button(guard, module_upstream, browser, width):
    link = _held_ppap(guard, module_upstream)
    page = new_page(browser, width)
    try:
        page.goto(link)
        primary = page.locator("#primary-fix")
        assert primary.inner_text() == "添付ファイルをダウンロードリンクにして送る"
        assert "release" in (primary.get_attribute("class") or "")
        assert page.locator("#drop-instead").inner_text() == "添付を外して送信"
        assert "secondary" in (page.locator("#drop-instead").get_attribute("class") or "")
        hint = page.locator("#links-hint").inner_text()
        assert "確認コード" in hint and "7日間" in hint and "リンクを止め" in hint
        assert page.locator("#will-link").inner_text().startswith("ダウンロードリンクにする添付ファイル")
        # the choice comes before the recipients and attachments, on a phone too
        heading = page.locator("h2", has_text="宛先").first
        assert primary.bounding_box()["y"] < heading.bounding_box()["y"]
        assert page.locator("#drop-instead").bounding_box()["y"] > primary.bounding_box()["y"]
        assert_fits(page, width)
        _japanese_only(page)
        screenshot(page, f"i19-links-fix-{width}.png")
        primary.click()
        page.wait_for_load_state()
        outcome = page.locator("#fix-outcome").inner_text()
        assert "添付ファイルをダウンロードリンクにして送りました" in outcome, outcome
        assert page.locator(".state-released").count() == 1
        assert_fits(page, width)
        _japanese_only(page)
        screenshot(page, f"i19-links-fix-sent-{width}.png")
    finally:
        page.context.close()
