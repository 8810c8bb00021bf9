"""A real browser in the admin console's search (issue 18, items 10 and 12), at desktop and
phone widths: an admin searches by a rule chosen from the list, bulk-cancels two holds with a
reason (a confirmation page in between; each sender gets a notice), and sees the dashboard.
Every page in Japanese has no English word on it.

Screenshots: tests/output/i18-admin-search-*-<width>.png (gitignored).
"""

from __future__ import annotations

import asyncio
import email
import time
from email import policy

import pytest
from sqlalchemy import select, update

from inspectors.base import Finding
from inspectors.message import Summary
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.records import HeldMessage
from quarantine.schema import held, outbound
from rules import MessageFacts, decide

from .admin_console import EXTERNAL, SENDER, held_message
from .admin_server import Server, log_in
from .browser import assert_fits, new_page, screenshot
from .page_words import english_words

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
CONFIDENTIAL = Finding(code="keyword.confidential", count=1, where=("body",), evidence=("社外秘",))
# The rule book's reason quotes the marker it looks for; the test's subjects are Japanese
ALLOW = ("Confidential",)


class SearchServer(Server):
    """The console with the sender's notices wired as the guard wires them, and for each
    width two holds to cancel, one held by the confidential-mark rule, and the oldest hold."""

    def options(self) -> dict:
        quarantine = Quarantine(
            self.store,
            HoldPolicy(public_url=self.url, hold_expiry=3600, notice_from="guard@example.co.jp"),
            approvers=lambda sender: (),
            on_queued=lambda: None,
        )
        return {"on_admin_decided": quarantine.admin_decided}

    async def seed(self) -> None:
        now, rules = time.time(), self.rulebook.current
        for width in WIDTHS:
            for n in (1, 2):
                msg = held_message(f"C{width}N{n}", rules=rules, subject=f"取消候補 {width}-{n}")
                await self.store.hold(msg, token=f"t{width}{n}", csrf="c", expires_at=now + 3600)
            facts = MessageFacts(mail_from=SENDER, rcpt_tos=("p@client.example",))
            marked = HeldMessage(
                id=f"M{width}",
                mail_from=SENDER,
                rcpt_tos=("p@client.example",),
                kind="hold",
                decision=decide((CONFIDENTIAL, EXTERNAL), facts, rules),
                raw=b"Subject: x\r\n\r\nbody\r\n",
                findings=(CONFIDENTIAL, EXTERNAL),
                summary=Summary(subject=f"社外秘の資料 {width}"),
            )
            await self.store.hold(marked, token=f"m{width}", csrf="c", expires_at=now + 3600)
        oldest = held_message("OLD1", rules=rules, subject="いちばん古い保留")
        await self.store.hold(oldest, token="old", csrf="c", expires_at=now + 3600)
        async with self.store.writing() as conn:
            await conn.execute(update(held).where(held.c.id == "OLD1").values(created_at=now - 3 * 3600))

    def notices(self) -> list[str]:
        async def read():
            async with self.store.reading() as conn:
                return (await conn.execute(select(outbound.c.raw).where(outbound.c.kind == "notice"))).all()

        rows = self.call(read)
        return [email.message_from_bytes(r.raw, policy=policy.default).get_content() for r in rows]

    def call(self, fn):
        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = SearchServer(tmp_path_factory.mktemp("admin-search")).start()
    yield s
    s.stop()


def japanese_only(page) -> None:
    assert english_words(page.content(), allow=ALLOW) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_searches_by_rule_bulk_cancels_and_sees_the_dashboard(server, browser, width):
    page = new_page(browser, width, height=900)
    context = page.context
    log_in(page, server, "/admin/messages")

    # the rule, chosen by its Japanese words from the list of rules in force
    label = page.locator("select[name=rule] option", has_text="社外秘").first.inner_text()
    page.select_option("select[name=rule]", label=label)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**rule=confidential-mark-external**")
    table = page.inner_text("#messages")
    assert f"社外秘の資料 {width}" in table and "取消候補" not in table and "いちばん古い" not in table
    assert "「社外秘」「極秘」" in table, "the rule is named by its reason"
    japanese_only(page)
    assert_fits(page, width)
    screenshot(page, f"i18-admin-search-rule-{width}.png")

    # two holds chosen, a reason, the confirmation page, then done
    page.goto(f"{server.url}/admin/messages?state=held")
    if width < 600:  # on a phone the actions come before the long list
        assert page.locator("#bulk").bounding_box()["y"] < page.locator("#messages").bounding_box()["y"]
    for n in (1, 2):
        page.check(f"input[name=ids][value=C{width}N{n}]")
    page.fill("#bulk-note", "宛先の会社に確認したところ不要とのこと")
    page.click("#bulk button[value=cancel]")
    page.wait_for_url("**/admin/messages/bulk")
    assert "2 件を取り消す" in page.inner_text("#confirm")
    assert f"取消候補 {width}-1" in page.inner_text("#chosen")
    japanese_only(page)
    assert_fits(page, width)
    screenshot(page, f"i18-admin-search-bulk-confirm-{width}.png")
    page.click("#confirm button[type=submit]")
    page.wait_for_url("**bulk=cancelled**")
    assert "2 件を取り消しました" in page.inner_text("#bulk-outcome")
    assert page.locator(f"input[name=ids][value=C{width}N1]").count() == 0, "no longer held: no checkbox"
    japanese_only(page)
    screenshot(page, f"i18-admin-search-bulk-done-{width}.png")
    mine = [n for n in server.notices() if f"取消候補 {width}-" in n]
    assert len(mine) == 2 and all("宛先の会社に確認したところ不要とのこと" in n for n in mine)

    # the dashboard
    page.click("nav.admin >> text=ホーム")
    page.wait_for_url(f"{server.url}/admin/dashboard")
    oldest = page.inner_text("#oldest")
    assert "いちばん古い保留" in oldest
    assert int(page.inner_text("#waiting .figure")) >= 3
    assert page.inner_text("#release-rate .figure").endswith("%")
    japanese_only(page)
    assert_fits(page, width)
    screenshot(page, f"i18-admin-search-dashboard-{width}.png")
    page.click("#oldest a")
    page.wait_for_url(f"{server.url}/admin/messages/OLD1")
    assert "いちばん古い保留" in page.inner_text("h1")
    japanese_only(page)
    context.close()
