"""A real browser in the admin console: Debian's chromium driven by Playwright, against the
console's routes served by uvicorn on a free port. An admin logs in, sees a bad rules draft
refused with the field named, saves a good one, replays it over recorded traffic, and looks
at a held message and the statistics (the phone-sized screenshots).

Screenshots go to tests/output/ (gitignored).
"""

from __future__ import annotations

import pytest

from .admin_console import ADMIN, ADMIN_PW
from .admin_server import Server, log_in
from .browser import OUTPUT, new_page

pytestmark = pytest.mark.browser

BAD = "rules:\n  - id: big-list\n    when: {code: pii.phone, min_count: 50}\n    action: shout\n"
GOOD = (
    "rules:\n  - id: sensitive-id-external\n    mode: monitor\n"
    "  - id: big-list\n    description: 50 or more phone numbers\n"
    "    when: {code: pii.phone, min_count: 50}\n    action: hold\n"
)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path).start()
    yield s
    s.stop()


def test_admin_edits_a_rule_and_sees_the_replay(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ja-JP")
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/admin/rules")
    assert "/admin/login" in page.url
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", ADMIN_PW)
    page.screenshot(path=str(OUTPUT / "admin-login.png"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/admin/rules")
    cookie = next(c for c in page.context.cookies() if c["name"] == "mdg_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"

    page.fill("textarea[name=draft]", BAD)
    page.click("text=検証して保存")
    error = page.locator("#draft-status")
    assert "4行目: rules[0].action: 'shout' は使えません" in error.inner_text()
    assert server.console_text() == ""
    page.screenshot(path=str(OUTPUT / "admin-rules-error.png"), full_page=True)

    page.fill("textarea[name=draft]", GOOD)
    page.click("text=検証して保存")
    page.wait_for_url(f"{server.url}/admin/rules?saved=1*")  # the form's #draft-status kept
    assert "保存して、読み込み直しました" in page.inner_text("main")
    rules = page.locator("#rule-big-list")
    assert "50 or more phone numbers" in rules.inner_text()
    assert "<code>console</code>" in rules.inner_html()
    assert server.console_text() == GOOD and server.rules_file.read_text() == "rules: []\n"
    assert server.rulebook.current.rules[0].mode == "monitor"
    page.screenshot(path=str(OUTPUT / "admin-rules-saved.png"), full_page=True)

    page.fill("textarea[name=draft]", "rules:\n  - id: sensitive-id-external\n    mode: enforce\n")
    page.select_option("select[name=days]", "7")
    page.click("text=下書きで再評価")
    table = page.locator("#replay-table")
    table.wait_for()
    assert "sensitive-id-external" in table.inner_text()
    assert "12 通を再評価し、判定が変わるものは 8 通です。" in page.inner_text("#replay-result")
    page.locator("#replay-result").scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "admin-rules-replay.png"), full_page=True)
    page.close()


def test_admin_on_a_phone_sees_a_held_message_and_the_statistics(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = new_page(browser, 390, locale=None, device_scale_factor=2)
    log_in(page, server, "/admin/messages")
    page.screenshot(path=str(OUTPUT / "admin-messages-phone.png"), full_page=True)
    page.click("text=見積書 No.2")
    assert "****-****-9018" in page.inner_text("main")
    page.click("button[value=release]")
    page.wait_for_url("**/admin/messages/B02?done=released")
    assert f"administrator {ADMIN}" in page.inner_text("#trail"), "the browser asks for English"
    page.screenshot(path=str(OUTPUT / "admin-message-phone.png"), full_page=True)
    page.goto(f"{server.url}/admin/stats")
    assert page.locator("#rule-stats svg").count() >= 1
    page.screenshot(path=str(OUTPUT / "admin-stats-phone.png"), full_page=True)
    page.context.close()
