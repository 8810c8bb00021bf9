"""Issue 18 item 12 in a real browser (Debian's chromium via Playwright) at desktop and phone
widths: the help desk reads the audit log, where an approver's comment and an admin's reason
stand beside the message they were about (subject, sender, recipients), exports it as CSV,
reads the per-rule statistics with the approvers' and admins' decisions counted, and imports
a client ledger whose help says how several domains are separated and whose error is Japanese.

Screenshots go to tests/output/i18-audit-*.png (gitignored).
"""

from __future__ import annotations

import csv
import io
import time

import pytest

from quarantine.decisions import DecisionLog, DecisionRecord
from rules import MessageFacts, decide

from .admin_console import (
    ADMIN,
    EXTERNAL,
    MY_NUMBER,
    SENDER,
    held_message,
)
from .admin_server import Server, log_in
from .browser import assert_fits, new_page, screenshot
from .page_words import english_words

pytestmark = pytest.mark.browser

BOSS = "bucho@example.co.jp"
COMMENT = "金額と宛先を確認しました。来週の納品分です"
REASON = "宛先の会社が違うため取り消します"
WIDTHS = (1280, 390)


class AuditServer(Server):
    """The console over a store seeded with decided holds."""

    async def seed(self) -> None:
        """Five holds of today: approved with a comment, rejected by the approver, cancelled by
        an admin with a reason, released by the sender, still waiting."""
        decisions, now = DecisionLog(self.store.engine), time.time()
        decided = {
            "W1": ("hold_for_approval", "released", f"approver:{BOSS}", COMMENT, "四半期のお見積り"),
            "W2": ("hold_for_approval", "cancelled", f"approver:{BOSS}", "添付が古い版です", "ご提案書"),
            "W3": ("hold", "cancelled", f"admin:{ADMIN}", REASON, "請求書の送付"),
            "W4": ("hold", "released", "sender", None, "打ち合わせの件"),
            "W5": ("hold", None, None, None, "顧客名簿の件"),
        }
        facts = MessageFacts(mail_from=SENDER, rcpt_tos=("p@client.example",))
        for qid, (kind, state, actor, note, subject) in decided.items():
            findings = (MY_NUMBER, EXTERNAL)
            decisions.record(
                DecisionRecord(
                    id=qid,
                    at=now,
                    facts=facts,
                    findings=findings,
                    decision=decide(findings, facts, self.rulebook.current),
                )
            )
            msg = held_message(qid, kind=kind, subject=subject, rules=self.rulebook.current)
            await self.store.hold(msg, token=f"t{qid}", csrf="c", expires_at=now + 3600)
            if state:
                await self.store.decide_hold(qid, state, actor=actor, client_addr="192.0.2.10", note=note)
        await decisions.flush()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = AuditServer(tmp_path_factory.mktemp("audit-console")).start()
    yield s
    s.stop()


def logged_in(browser, server, width: int):
    page = new_page(browser, width, device_scale_factor=2 if width < 600 else 1)
    log_in(page, server, "/admin/audit")
    return page.context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_help_desk_reads_the_audit_log_with_the_approvers_comment(server, browser, width):
    context, page = logged_in(browser, server, width)
    log = page.locator("#audit")
    approved = log.locator("tr", has_text=COMMENT)
    assert approved.count() == 1
    row = approved.inner_text()
    assert f"承認者 {BOSS}" in row and "送信を決定しました" in row and "四半期のお見積り" in row
    assert SENDER in row and "宛先 1 件" in row
    cancelled = log.locator("tr", has_text=REASON).inner_text()
    assert f"管理者 {ADMIN}" in cancelled and "取り消しました" in cancelled and "請求書の送付" in cancelled
    assert english_words(page.content()) == []
    assert_fits(page)
    screenshot(page, f"i18-audit-log-{width}.png")

    # The CSV of the same selection names the message and keeps the comment
    href = page.get_attribute("a[href*='audit.csv']", "href")
    body = page.request.get(f"{server.url}{href}").body().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    (w1,) = [r for r in rows if r["message_id"] == "W1" and r["action"] == "released"]
    assert (w1["subject"], w1["sender"], w1["recipients"], w1["comment"]) == (
        "四半期のお見積り",
        SENDER,
        "1",
        COMMENT,
    )

    # Filtered by an action chosen by its words
    page.select_option("select[name=action]", label="取り消しました")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/audit?**action=cancelled**")
    assert page.locator("#audit tr").count() == 1 + 2  # the heading, W2 and W3
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_statistics_count_the_approvers_and_the_admins_decisions(server, browser, width):
    context, page = logged_in(browser, server, width)
    page.goto(f"{server.url}/admin/stats")
    row = page.locator("#rule-stats tr", has=page.locator("code", has_text="sensitive-id-external"))
    cells = row.locator("td.num").all_inner_texts()
    # matched, held | sender: released, cancelled | approver: approved, rejected | admin: released,
    # cancelled | expired, release rate
    assert cells == ["5", "5", "1", "0", "1", "1", "0", "1", "0", "100%"]
    labels = [row.locator("td.num").nth(i).get_attribute("data-label") for i in (4, 5, 6, 7)]
    assert labels == ["承認者が承認", "承認者が却下", "管理者が送信", "管理者が取り消し"]
    if width >= 600:
        headings = page.locator("#rule-stats tr").first.inner_text()
        assert "承認者" in headings and "管理者" in headings
    else:  # a card per rule: each count under its name, nothing off the screen
        assert row.locator("td.num").nth(7).bounding_box()["x"] < width
        assert_fits(page)
    assert english_words(page.content()) == []
    screenshot(page, f"i18-audit-stats-{width}.png")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_import_help_says_how_domains_are_separated_and_errors_are_japanese(
    server, browser, width, tmp_path
):
    context, page = logged_in(browser, server, width)
    page.goto(f"{server.url}/admin/clients")
    help_text = page.locator("#import-help").inner_text()
    assert (
        "「;」（半角のセミコロン）" in help_text
        and "株式会社エー,A社;エー社,a-corp.co.jp;a-corp.com" in help_text
    )
    assert english_words(page.locator("#import").inner_html()) == []
    ledger = tmp_path / "取引先.csv"
    ledger.write_bytes('会社名,略称,ドメイン\n株式会社ビー,ビー社,"b.example, b.co.jp"\n'.encode("cp932"))
    page.set_input_files("#import input[type=file]", str(ledger))
    page.click("#import button")
    error = page.locator("#import-error")
    assert (
        "2行目: 「b.example, b.co.jp」はドメインの形ではありません（複数のドメインは「;」で区切ってください）"
        in (error.inner_text())
    )
    assert english_words(page.locator("#import").inner_html()) == []
    ledger.write_bytes("会社名,略称,ドメイン\n株式会社ビー,ビー社、B社,b.example;b.co.jp\n".encode("cp932"))
    page.set_input_files("#import input[type=file]", str(ledger))
    page.click("#import button")
    assert "取り込みました：追加" in page.locator("#import-result").inner_text()
    assert "b.example, b.co.jp" in page.locator("#clients").inner_text()
    page.locator("#import").scroll_into_view_if_needed()
    assert_fits(page)
    screenshot(page, f"i18-audit-import-{width}.png")
    context.close()
