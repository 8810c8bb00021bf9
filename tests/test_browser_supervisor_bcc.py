"""A real browser on a hold page whose rules add a supervisor Bcc (issue 19): the sentence is
there at desk and phone widths, nothing scrolls sideways, and the release goes to him too."""

from __future__ import annotations

import pytest

from .browser import chromium, screenshot
from .support import MY_NUMBER_BODY, message, notice_link, wait_until

pytestmark = pytest.mark.browser

ORG = {
    "internal_domains": ["example.co.jp"],
    "groups": {
        "sales": {
            "members": ["taro@example.co.jp"],
            "approvers": ["a-very-long-approver-name-for-the-sales-department@example.co.jp"],
        }
    },
}
RULES = (
    "rules:\n  - {id: bcc-boss, when: {recipients: external}, action: pass,"
    " add_bcc: [kacho@example.co.jp, approvers]}\n"
)


def test_the_hold_page_says_who_gets_the_bcc_and_the_release_takes_him(guard_factory, upstream, tmp_path):
    (tmp_path / "local.yaml").write_text(RULES, "utf-8")
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=ORG).start()
    raw = message("個人番号の件", MY_NUMBER_BODY)
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], raw)
    link = notice_link(upstream.recorder.wait_for(1)[0])
    with chromium() as browser:
        for width in (1280, 390):
            context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto(link)
            said = page.locator("#add-bcc")
            assert said.is_visible()
            assert said.inner_text().startswith("上長（kacho@example.co.jp, a-very-long-approver")
            assert said.inner_text().endswith("）にも Bcc で送られます。")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"i18-superbcc-hold-{width}.png")
            if width == 390:
                page.locator("#confirm").check()
                page.locator("#release").click()
                page.wait_for_load_state()
                assert page.locator(".state-released").count() == 1
                assert page.locator("#add-bcc").count() == 0
            context.close()
    wait_until(lambda: upstream.recorder.to("partner@client.example"), "the release was never delivered")
    [sent] = upstream.recorder.to("partner@client.example")
    assert sent.rcpt_tos == [
        "partner@client.example",
        "kacho@example.co.jp",
        "a-very-long-approver-name-for-the-sales-department@example.co.jp",
    ]
    assert sent.data == raw
