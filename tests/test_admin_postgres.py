"""The store-backed parts of the admin console once more, on PostgreSQL: sessions and the
login throttle, the message search and an admin release, per-day statistics, the client directory
and suppression list, the audit export and replay."""

from __future__ import annotations

import csv
import io

import pytest

from quarantine.admin.statistics import Window, daily_counts
from quarantine.directory_store import DirectoryStore

from .admin_console import ADMIN, ADMIN_PW, GOOD, LEDGER, open_console, post, stats_data, unescaped, upload


@pytest.fixture
def pg(tmp_path, postgres_url):
    url = "postgresql+asyncpg://" + postgres_url.split("://", 1)[1]
    with open_console(tmp_path, url) as c:
        yield c


def test_sessions_and_login_throttle_on_postgresql(pg, tmp_path, postgres_url):
    for _ in range(3):
        assert pg.login(ADMIN, "guess").status_code == 401
    assert pg.login(ADMIN, ADMIN_PW).status_code == 401, "throttled: refused without a check"
    pg.sql("UPDATE admin_login_attempts SET at = at - 2")
    assert pg.login().status_code == 303
    assert pg.client.get("/admin/messages", follow_redirects=False).status_code == 200
    pg.sql("UPDATE admin_sessions SET last_seen = last_seen - 1801")
    assert pg.client.get("/admin/messages", follow_redirects=False).status_code == 303


def test_console_pages_on_postgresql(pg):
    pg.login()
    pg.hold("Q1", sender="hanako@example.co.jp", subject="件名A")
    pg.hold("Q2", rcpt="田中_b@client-b.example", subject="件名B")
    page = pg.client.get("/admin/messages", params={"sender": "HANAKO", "rule": "sensitive-id-external"}).text
    assert "件名A" in page and "件名B" not in page
    assert "件名B" in pg.client.get("/admin/messages", params={"recipient": "田中_b@"}).text
    assert "件名B" not in pg.client.get("/admin/messages", params={"recipient": "田中%b"}).text
    assert "件名B" not in pg.client.get("/admin/messages", params={"sender": "_"}).text.split("</form>")[1]
    assert post(pg, "/admin/messages/Q1", action="release").status_code == 303
    assert pg.run(pg.store.get, "Q1").acted_by == f"admin:{ADMIN}" and pg.queued == [1]

    stats_data(pg)
    series = pg.run(daily_counts, pg.store.engine, Window.ending_today(7))["sensitive-id-external"]
    assert series.matched == (0, 1, 0, 0, 0, 0, 3) and series.released == (0, 0, 0, 0, 0, 0, 1)
    assert pg.client.get("/admin/stats?days=30").status_code == 200

    r = upload(pg, "/admin/clients/import", "ledger.csv", LEDGER.encode("cp932"))
    assert r.status_code == 422 and "7行目: 「a_corp」はドメインの形ではありません" in unescaped(r)
    r = upload(
        pg, "/admin/clients/import", "ledger.csv", LEDGER.replace("a_corp", "f.example").encode("cp932")
    )
    assert "取り込みました：追加 6 件、更新 0 件" in r.text
    assert "already in the directory" in unescaped(post(pg, "/admin/clients", name="株式会社エー"))
    assert post(pg, "/admin/suppressions", entry="x@y.example").status_code == 303
    snap = pg.run(DirectoryStore(pg.store).snapshot)
    assert len(snap.clients) == 6 and snap.suppressed == ("x@y.example",)

    rows = list(
        csv.reader(
            io.StringIO(
                pg.client.get("/admin/audit.csv", params={"message": "Q1"}).content.decode("utf-8-sig")
            )
        )
    )
    assert [r[rows[0].index("action")] for r in rows[1:]] == ["held", "released"]
    replayed = post(pg, "/admin/rules/replay", draft=GOOD, days="7")
    assert "通を再評価し" in replayed.text
