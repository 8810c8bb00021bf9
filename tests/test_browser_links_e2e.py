"""Issue 19's "Done when", end to end: a real guard process, a recording upstream and Chromium.

A PPAP zip (and a PDF) is held; the sender chooses "links" on the hold page; the two external
recipients each get a copy without the attachments and with their own link, the internal one
the original. One recipient opens the link on a phone (ja, 390 px), asks for the code, reads it
from the mail the guard sent, enters it and downloads byte-identical files; the sender's page
shows the downloads; the sender stops the links; a second download is refused.
Screenshots: tests/output/i19-links-e2e-recipient-ja-390.png, i19-links-e2e-sender-log-1280.png."""

from __future__ import annotations

import re

import httpx
import pytest

from .browser import assert_fits, new_page, screenshot
from .link_mail import EXTERNAL, FILES, INTERNAL, SENDER, bodies, ppap_mail, token_in
from .page_words import english_words
from .support import make_guard, notice_link, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.process]

LINKS_PAGE = re.compile(r"https?://[^\s\"<>]+/h/[A-Za-z0-9_\-]+/links")


@pytest.fixture(scope="module")
def guard(tmp_path_factory, module_upstream):
    running = make_guard(tmp_path_factory.mktemp("guard"), module_upstream.url).start()
    yield running
    running.stop()


def _mail_to(upstream, address: str, count: int = 1):
    wait_until(lambda: len(upstream.recorder.to(address)) >= count, f"no mail #{count} to {address}")
    return upstream.recorder.to(address)[count - 1]


def test_a_held_ppap_goes_as_links_is_downloaded_once_and_stopped(guard, module_upstream, browser):
    up = module_upstream
    raw = ppap_mail()
    with guard.smtp() as client:
        client.sendmail(SENDER, [*EXTERNAL, INTERNAL], raw)
    hold_link = notice_link(_mail_to(up, SENDER))

    # The sender chooses the links on the hold page (the primary fix for a PPAP zip).
    page = new_page(browser, 1280)
    page.goto(hold_link)
    page.locator("#primary-fix").click()
    page.wait_for_load_state()
    assert "添付ファイルをダウンロードリンクにして送りました" in page.locator("#fix-outcome").inner_text()
    page.context.close()

    assert _mail_to(up, INTERNAL).data == raw  # inside: the original, byte for byte
    tokens = {}
    for address in EXTERNAL:
        copy = _mail_to(up, address)
        assert copy.rcpt_tos == [address] and bodies(copy.data)["files"] == ""
        tokens[address] = token_in(copy.data)
    assert len(set(tokens.values())) == 2
    sent = bodies(_mail_to(up, SENDER, 2).data)["text/plain"]
    links_page = LINKS_PAGE.search(sent).group(0)

    # The first recipient, on a phone, in Japanese.
    reader = EXTERNAL[0]
    url = f"{guard.base_url}/d/{tokens[reader]}"
    phone = new_page(browser, 390, "ja-JP", accept_downloads=True)
    phone.goto(url)
    assert "お見積りの件" in phone.inner_text("#subject")
    assert english_words(phone.content(), allow=("b", "p")) == []  # "p…@client.example", sizes in B
    assert_fits(phone)
    screenshot(phone, "i19-links-e2e-recipient-ja-390.png")
    phone.locator("#send-code").click()
    phone.wait_for_selector("#sent")
    code_mail = _mail_to(up, reader, 2)
    [code] = re.findall(r"^\s*(\d{6})\s*$", bodies(code_mail.data)["text/plain"], re.M)
    phone.locator("#code").fill(code)
    phone.locator("#verify").click()
    phone.wait_for_selector("#verified")
    for n, (name, data) in enumerate(FILES.items(), 1):
        with phone.expect_download() as info:
            phone.locator(f"#download-{n}").click()
        assert info.value.suggested_filename == name
        with open(info.value.path(), "rb") as f:
            assert f.read() == data  # byte-identical
    csrf = phone.locator("input[name=csrf]").first.get_attribute("value")

    # The sender's page lists the downloads; he stops the links.
    desk = new_page(browser, 1280)
    desk.goto(links_page)
    rows = desk.locator("tr.download")
    assert rows.count() == 2 and all(reader in rows.nth(i).inner_text() for i in range(2))
    assert "見積書.zip" in desk.locator("#links-log").inner_text()
    assert english_words(desk.content()) == []
    assert_fits(desk)
    screenshot(desk, "i19-links-e2e-sender-log-1280.png")
    desk.locator("#revoke").click()
    desk.locator("#confirm-revoke").click()
    desk.wait_for_selector("#links-done")
    assert desk.locator("#links-state").inner_text() == "停止済み"
    desk.context.close()

    # A second download, with the session and the form's token still in hand, is refused.
    again = phone.request.post(f"{url}/file/1", form={"csrf": csrf})
    assert again.status >= 400 and again.body() != FILES["見積書.zip"]
    response = phone.goto(url)
    assert response is not None and response.status == 410
    assert "見積書.zip" not in phone.content()
    phone.context.close()
    # The other recipient's link is stopped too.
    other = httpx.get(f"{guard.base_url}/d/{tokens[EXTERNAL[1]]}")
    assert other.status_code == 410
