"""The rules page in a real browser (issue 18 item 11), at 1280 and 390 px, in Japanese: an
admin turns a rule to monitor with its form, pastes YAML with two errors and sees both with
their lines by the editor (scrolled there), and tests a stored message.

Screenshots: tests/output/i18-rules-*.png (gitignored).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from .admin_console import held_message
from .admin_server import Server, log_in
from .browser import OUTPUT, assert_fits, new_page
from .page_words import english_words
from .support import MY_NUMBER_BODY, message

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
TWO_ERRORS = """rules:
  - id: big-list
    when: {code: pii.phone, min_count: 50}
    action: hld
  - id: sensitive-id-external
    mode: loud
"""
SUBJECT = "個人番号の件"
ALLOW = ("No",)  # the seeded subjects: 見積書 No.3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("rules-browser")).start()
    msg = held_message("STORED1", subject=SUBJECT, rules=s.rulebook.current)
    msg = dataclasses.replace(
        msg, raw=message("見積", MY_NUMBER_BODY), summary=dataclasses.replace(msg.summary)
    )
    hold = s.store.hold(msg, token="tSTORED1", csrf="c", expires_at=time.time() + 3600)
    asyncio.run_coroutine_threadsafe(hold, s.loop).result(10)
    yield s
    s.stop()


def logged_in(server, browser, width: int):
    page = new_page(browser, width)
    log_in(page, server, "/admin/rules")
    return page


def fresh(server) -> None:
    server.fresh_console()


def in_view(locator) -> bool:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; }"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_turns_a_rule_to_monitor_with_its_form(server, browser, width):
    fresh(server)
    page = logged_in(server, browser, width)
    assert english_words(page.content(), allow=ALLOW) == []
    assert_fits(page, width)
    card = page.locator("#rule-sensitive-id-external")
    assert "マイナンバー" in card.inner_text()
    assert not card.locator("select[name=mode]").is_visible(), "the forms stay folded: the list is short"
    card.locator("summary", has_text="設定を変更").click()
    card.locator("select[name=mode]").select_option("monitor")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/admin/rules?saved=rule*")
    assert server.console_text() == "rules:\n  - id: sensitive-id-external\n    mode: monitor\n"
    assert {r.id: r.mode for r in server.rulebook.current.rules}["sensitive-id-external"] == "monitor"
    assert "保存して、読み込み直しました" in page.locator("#rule-sensitive-id-external").inner_text()
    assert in_view(page.locator("#rule-sensitive-id-external .ok")), "the page shows the rule it saved"
    assert page.locator("#rule-sensitive-id-external select[name=mode]").input_value() == "monitor"
    assert english_words(page.content(), allow=ALLOW) == []
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"i18-rules-form-{width}.png"))
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_two_errors_are_shown_at_once_with_their_lines_next_to_the_editor(server, browser, width):
    fresh(server)
    page = logged_in(server, browser, width)
    page.fill("textarea[name=draft]", TWO_ERRORS)
    page.locator("#editor button", has_text="検証して保存").click()
    status = page.locator("#draft-status")
    status.wait_for()
    text = status.inner_text()
    assert "次の 2 件を直してください" in text
    assert "4行目: rules[0].action: 'hld' は使えません" in text
    assert "6行目: rules[1].mode: 'loud' は使えません（enforce, monitor のいずれか）" in text
    assert in_view(status), "the page scrolls to the errors"
    assert status.evaluate("e => e.nextElementSibling.name") == "draft", "right above the editor"
    assert server.console_text() in ("", "rules: []\n")
    assert english_words(page.content(), allow=ALLOW) == []
    assert_fits(page, width)
    page.screenshot(path=str(OUTPUT / f"i18-rules-errors-{width}.png"))
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_stored_message_is_tested_against_the_draft(server, browser, width):
    fresh(server)
    page = logged_in(server, browser, width)
    option = page.locator("select[name=stored] option", has_text=SUBJECT)
    page.select_option("select[name=stored]", value=option.get_attribute("value"))
    page.locator("#editor ~ section button", has_text="検査").first.click()
    result = page.locator("#test-result")
    result.wait_for()
    assert "保留" in page.inner_text("#test-status")
    assert "マイナンバー" in result.inner_text() and "STORED1" in result.inner_text()
    assert in_view(page.locator("#test-status"))
    assert english_words(page.content(), allow=ALLOW) == []
    assert_fits(page, width)
    page.screenshot(path=str(OUTPUT / f"i18-rules-test-{width}.png"))
    page.context.close()
