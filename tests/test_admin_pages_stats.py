"""The admin console's statistics page, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

import datetime as dt
import re
import time

from quarantine.admin.statistics import Window, daily_counts

from .admin_console import post, stats_data
from .page_words import english_words

BOSS = "boss@example.co.jp"


def numbers(page: str, rule: str) -> list[str]:
    row = page[page.index(f"<code>{rule}</code>") :]
    row = row[: row.index("</tr>")]
    return re.findall(r'class="num"[^>]*>([^<]*)<', row)


def test_daily_counts_per_rule(admin):
    stats_data(admin)
    counts = admin.run(daily_counts, admin.store.engine, Window.ending_today(7))
    series = counts["sensitive-id-external"]
    assert series.matched == (0, 1, 0, 0, 0, 0, 3) and series.released == (0, 0, 0, 0, 0, 0, 1)
    assert len(series.days) == 7 and series.days[-1] == dt.date.today().strftime("%m-%d")


def test_statistics_page_with_totals_release_rate_and_charts(admin):
    stats_data(admin)
    page = admin.client.get("/admin/stats").text
    # matched, held | sender: released, cancelled | approver: approved, rejected |
    # admin: released, cancelled | expired, release rate
    assert numbers(page, "sensitive-id-external") == ["4", "3", "1", "1", "0", "0", "0", "0", "1", "50%"]
    row = page[page.index("<code>sensitive-id-external</code>") :]
    assert "<svg" in row and "一致 3、送信 1" in row and "一致 1、送信 0" in row
    assert "client-mismatch" in page, "rules that never matched are listed too"
    assert english_words(page) == []
    thirty = admin.client.get("/admin/stats?days=30").text
    assert thirty.count("<g><title>") >= 30 * 2
    assert admin.client.get("/admin/stats?days=9999").status_code == 200
    english = admin.client.get("/admin/stats?lang=en").text
    assert "matched 3, released 1" in english and "Approver" in english and "一致" not in english


def test_approvals_and_admin_actions_count_per_rule(admin):
    """Each kind of decider counts in its own column, whatever state a rejection is stored as
    ("cancelled" today, "rejected" where the store records it so)."""
    today = time.mktime(dt.date.today().timetuple()) + 60
    decided = {
        "P1": ("released", f"approver:{BOSS}"),
        "P2": ("released", f"approver:{BOSS}"),
        "P3": ("cancelled", f"approver:{BOSS}"),
        "P4": ("released", "sender"),
    }
    for qid, (state, actor) in decided.items():
        admin.hold(qid, kind="hold_for_approval" if actor != "sender" else "hold")
        admin.record_decision(qid, today)
        admin.run(lambda q=qid, s=state, a=actor: admin.store.decide_hold(q, s, actor=a, client_addr=None))
    admin.hold("P5")
    admin.record_decision("P5", today)
    admin.sql(
        "UPDATE held_messages SET state = 'rejected', acted_by = :a WHERE id = 'P5'", a=f"approver:{BOSS}"
    )
    for qid, action in (("P6", "release"), ("P7", "cancel"), ("P8", "cancel")):
        admin.hold(qid)
        admin.record_decision(qid, today)
        assert post(admin, f"/admin/messages/{qid}", action=action).status_code == 303
    admin.hold("P9")
    admin.record_decision("P9", today)  # still held: counted as held, decided by nobody
    page = admin.client.get("/admin/stats").text
    assert numbers(page, "sensitive-id-external") == ["9", "9", "1", "0", "2", "2", "1", "2", "0", "100%"]
    assert english_words(page) == []
