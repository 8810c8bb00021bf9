"""The admin console's statistics page, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

import datetime as dt

from quarantine.admin.statistics import Window, daily_counts

from .admin_console import stats_data


def test_daily_counts_per_rule(admin):
    stats_data(admin)
    counts = admin.run(daily_counts, admin.store.engine, Window.ending_today(7))
    series = counts["sensitive-id-external"]
    assert series.matched == (0, 1, 0, 0, 0, 0, 3) and series.released == (0, 0, 0, 0, 0, 0, 1)
    assert len(series.days) == 7 and series.days[-1] == dt.date.today().strftime("%m-%d")


def test_statistics_page_with_totals_release_rate_and_charts(admin):
    stats_data(admin)
    page = admin.client.get("/admin/stats").text
    row = page[page.index("<code>sensitive-id-external</code>") :]
    row = row[: row.index("</tr>")]
    nums = [cell.split("<")[0] for cell in row.split('class="num">')[1:]]
    assert nums == ["4", "3", "1", "1", "1", "50%"]
    assert "<svg" in row and "matched 3, released 1" in row and "matched 1, released 0" in row
    assert "client-mismatch" in page, "rules that never matched are listed too"
    thirty = admin.client.get("/admin/stats?days=30").text
    assert thirty.count("<g><title>") >= 30 * 2
    assert admin.client.get("/admin/stats?days=9999").status_code == 200
