"""A real browser on the delay page (issue 18 item 4), at 1280 and 390 px: the sender sees
「残り 4分32秒」 and, on the first screen of a phone, 「送信を取り消す」; cancelling asks once
more and then says how to send again. Screenshots: tests/output/i18-delay-*.png."""

from __future__ import annotations

import pytest

from .browser import assert_fits, new_page, screenshot
from .delay_page import Server
from .page_words import english_words

pytestmark = pytest.mark.browser

PHONE_HEIGHT = 844  # an iPhone 12-15's viewport at 390 px
WIDTHS = {1280: 900, 390: PHONE_HEIGHT}
# d0, d1: cancelled in the browser at each width; d2: read without JavaScript, then in
# English; d3: its time is up (no worker here sends it).
LEFTS = (300.0, 300.0, 300.0, -5.0)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("delay"), LEFTS).start()
    yield s
    s.stop()


def _page(browser, width: int, locale: str = "ja-JP", javascript: bool = True):
    return new_page(browser, width, locale, height=WIDTHS[width], java_script_enabled=javascript)


@pytest.mark.parametrize("index, width", [(0, 1280), (1, 390)])
def test_the_sender_cancels_in_time_after_confirming(server, browser, index, width):
    page = _page(browser, width)
    page.goto(server.link(f"D{index}"))
    page.wait_for_function(r"/^残り [45]分\d{1,2}秒$/.test(document.getElementById('countdown').textContent)")
    cancel, send_now = page.locator("#cancel"), page.locator("#release")
    assert cancel.inner_text() == "送信を取り消す" and send_now.inner_text() == "今すぐ送信"
    box, second = cancel.bounding_box(), send_now.bounding_box()
    assert box and second and box["y"] + box["height"] <= WIDTHS[width], "cancel is on the first screen"
    assert box["y"] < second["y"], "cancel comes before send now"
    html = page.content()
    assert english_words(html) == [] and "保留の理由" not in html and "送信前に確認してほしい点" in html
    assert page.locator(".state-held").count() == 0 and page.locator(".state-waiting").count() == 1
    assert "(JST)" in page.inner_text("#status")
    assert_fits(page)
    screenshot(page, f"i18-delay-waiting-{width}.png")

    cancel.click()
    page.wait_for_selector("#confirm-cancel")
    assert page.locator("h1").inner_text() == "送信を取り消しますか？"
    assert english_words(page.content()) == []
    assert_fits(page)
    yes = page.locator("#confirm-cancel").bounding_box()
    assert yes and yes["y"] + yes["height"] <= WIDTHS[width]
    screenshot(page, f"i18-delay-confirm-{width}.png")

    page.locator("#confirm-cancel").click()
    page.wait_for_selector(".state-cancelled")
    assert page.locator("h1").inner_text() == "送信を取り消しました"
    resend = page.locator("#resend").inner_text()
    assert "送信されていません" in resend and "「送信済み」フォルダー" in resend and "もう一度送信" in resend
    assert page.locator("#cancel").count() == 0 and page.locator("#release").count() == 0
    assert english_words(page.content()) == []
    assert_fits(page)
    screenshot(page, f"i18-delay-cancelled-{width}.png")
    page.context.close()


def test_without_javascript_the_minutes_and_in_english_the_words(server, browser):
    page = _page(browser, 390, javascript=False)
    page.goto(server.link("D2"))
    assert page.locator("#countdown").inner_text() in ("残り 約5分", "残り 約4分")
    screenshot(page, "i18-delay-nojs-390.png")
    page.locator("#cancel").click()  # the server asks, no script needed
    assert page.locator("#confirm-cancel").count() == 1
    page.context.close()

    page = _page(browser, 390, locale="en-US")
    page.goto(server.link("D2"))
    page.wait_for_function(
        r"/^[45] min \d{1,2} s left$/.test(document.getElementById('countdown').textContent)"
    )
    assert page.locator("#cancel").inner_text() == "Cancel sending"
    assert page.locator("h2").first.inner_text() == "Please check before it is sent"
    screenshot(page, "i18-delay-waiting-en-390.png")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_past_its_time_the_page_says_it_is_being_sent(server, browser, width):
    page = _page(browser, width)
    page.goto(server.link("D3"))
    assert page.locator("h1").inner_text() == "送信時刻になりました"
    assert page.locator("#cancel").count() == 0 and page.locator("#countdown").count() == 0
    assert english_words(page.content()) == []
    assert_fits(page)
    screenshot(page, f"i18-delay-due-{width}.png")
    page.context.close()
