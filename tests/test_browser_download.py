"""A real browser on the recipient's download page (issue 19), in Japanese on a phone (390 px)
and in English on a desktop (1280 px): the page, asking for the code, entering it (the code
the worker would mail is set by the test), the download byte for byte, a revoked link.
Screenshots: tests/output/i19-links-recipient-*.png."""

from __future__ import annotations

import time

import pytest

from .browser import assert_fits, new_page, screenshot
from .download_share import BUYER, FILES, KATO, LONG, REVOKED_QID, SATO, SUBJECT, Server
from .page_words import english_words

pytestmark = pytest.mark.browser

CODE = "246810"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("download")).start()
    yield s
    s.stop()


@pytest.mark.parametrize(
    "width, locale, address, words",
    [
        (390, "ja-JP", BUYER, {"heading": "ファイルが届いています", "left": "残り 2 / 3 回"}),
        (1280, "en-US", SATO, {"heading": "Files were shared with you", "left": "2 of 3 downloads left"}),
    ],
)
def test_the_recipient_asks_a_code_enters_it_and_downloads(server, browser, width, locale, address, words):
    page = new_page(browser, width, locale, accept_downloads=True)
    page.goto(server.link(address))
    assert page.locator("h1").inner_text() == words["heading"]
    assert SUBJECT in page.inner_text("#subject") and "(JST)" in page.inner_text("#expires")
    assert page.locator("ul.files li").count() == 3
    ask = page.locator("#send-code").bounding_box()
    files = page.locator("#files").bounding_box()
    assert ask and files and ask["y"] < files["y"], "the next step comes before the list of files"
    assert ask["y"] + ask["height"] <= page.viewport_size["height"], "on the first screen"
    if locale == "ja-JP":
        assert english_words(page.content(), allow=("b",)) == []
    assert_fits(page)
    screenshot(page, f"i19-links-recipient-page-{width}.png")

    page.locator("#send-code").click()
    page.wait_for_selector("#sent")
    assert address.split("@")[1] in page.inner_text("#sent")
    if locale == "ja-JP":
        assert english_words(page.content(), allow=("b",)) == []
    assert_fits(page)
    screenshot(page, f"i19-links-recipient-code-{width}.png")

    assert server.set_code(address, CODE)
    page.locator("#code").fill(CODE)
    page.locator("#verify").click()
    page.wait_for_selector("#verified")
    assert page.locator("button.download").count() == 3
    assert_fits(page)
    screenshot(page, f"i19-links-recipient-verified-{width}.png")

    with page.expect_download() as info:
        page.locator("#download-1").click()
    download = info.value
    assert download.suggested_filename == FILES[0].name
    with open(download.path(), "rb") as f:
        assert f.read() == FILES[0].data
    with page.expect_download() as info:
        page.locator("#download-3").click()
    assert info.value.suggested_filename == LONG.name
    page.reload()
    assert words["left"] in page.inner_text("#file-1")
    if locale == "ja-JP":
        assert english_words(page.content(), allow=("b",)) == []
    assert_fits(page)  # the long file name wraps
    page.context.close()


def test_a_revoked_link_on_a_phone(server, browser):
    assert server.call(server.store.shares.revoke(REVOKED_QID, "sender", None, time.time()))
    page = new_page(browser, 390, "ja-JP")
    response = page.goto(server.link(KATO))
    assert response and response.status == 410
    assert page.locator("h1").inner_text() == "送信者がこのリンクを停止しました"
    html = page.content()
    assert SUBJECT not in html and FILES[0].name not in html and english_words(html) == []
    assert_fits(page)
    screenshot(page, "i19-links-recipient-revoked-390.png")
    page.context.close()
