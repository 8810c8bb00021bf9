"""Issue 18's pages attacked: an admin's rules draft or directory file that multiplies itself
through YAML aliases (a "billion laughs" on the event loop), the dashboard's release rate with
an approver's rejection, and dates read in the zone the console writes them in."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from zoneinfo import ZoneInfo

import pytest

from quarantine.admin.rule_draft import check

from .admin_console import open_console


# --- 1. a rules draft of a few hundred bytes takes the event loop for minutes (alias bomb) ---
def _alias_bomb(levels: int) -> str:
    """`when:` nested all-of nodes, each naming its child twice through a YAML alias: 2**levels
    conditions from ~20 bytes per level."""
    node = "&a0 {code: pii.phone}"
    for i in range(1, levels + 1):
        node = f"&a{i} {{all: [{node}, *a{i - 1}]}}"
    return f"rules:\n  - id: bomb\n    action: hold\n    when: {node}\n"


def test_a_search_to_the_last_day_there_is_is_an_error_not_a_crash(admin):
    page = admin.client.get("/admin/messages?to=9999-12-31", headers={"Accept-Language": "ja"})
    assert page.status_code == 400
    assert "日付は 2025-01-31 のように" in page.text


@pytest.mark.timing
def test_a_small_draft_with_aliases_is_checked_in_bounded_time(tmp_path):
    draft = _alias_bomb(16)  # 370 bytes; each further level doubles the time (30 levels: days)
    assert len(draft) < 400
    started = time.monotonic()
    check(draft, (tmp_path / "local.yaml",), {})  # POST /admin/rules/check runs this on the loop
    took = time.monotonic() - started
    assert took < 0.5, f"a {len(draft)}-byte draft took {took:.1f}s of the event loop"


# --- 2. the dashboard's release rate leaves rejections out of "decided" ----------------------
def test_the_release_rate_counts_an_approvers_rejection_as_decided(admin):
    admin.hold("R1", kind="hold_for_approval")
    admin.hold("R2", kind="hold_for_approval")
    admin.run(lambda: admin.store.decide_hold("R1", "released", actor="approver:b@x.co", client_addr=None))
    admin.run(
        lambda: admin.store.decide_hold(
            "R2", "rejected", actor="approver:b@x.co", client_addr=None, note="no"
        )
    )
    text = admin.client.get("/admin/").text
    rate = re.search(r'id="release-rate".*?class="figure">([^<]*)<', text, re.S).group(1)
    assert rate == "50%", f"1 approved of 2 decided, the page says {rate}"


# --- 3. web.timezone: the console writes times in it, but reads search dates in the machine's -
@pytest.fixture
def utc_machine():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_an_audit_search_by_day_uses_the_consoles_time_zone(tmp_path, sqlite_url, utc_machine):
    tokyo = ZoneInfo("Asia/Tokyo")
    with open_console(tmp_path, sqlite_url, zone=tokyo) as admin:
        assert admin.login().status_code == 303
        # 08:00 in Tokyo on 12-03 is 23:00 UTC on 12-02: the page shows "2026-12-03 08:00 (JST)"
        at = dt.datetime(2026, 12, 3, 8, 0, tzinfo=tokyo).timestamp()
        admin.sql(
            "INSERT INTO audit_log (at, message_id, actor, client_addr, action, detail) "
            "VALUES (:at, 'TZ1', 'sender', NULL, 'released', '')",
            at=at,
        )
        page = admin.client.get("/admin/audit", params={"message": "TZ1"}).text
        assert "2026-12-03 08:00" in page
        day = admin.client.get(
            "/admin/audit", params={"message": "TZ1", "from": "2026-12-03", "to": "2026-12-03"}
        ).text
        assert "2026-12-03 08:00" in day, "the row the page dates 12-03 is not found by a search for 12-03"


# --- 4. a client-directory YAML import: aliases multiply its domains (on the event loop) -----
def test_a_yaml_import_does_not_multiply_through_aliases():
    from quarantine.directory_file import read_clients

    doms = ", ".join(f"d{i}.example" for i in range(500))
    lines = [f"- {{name: c0, domains: &d [{doms}]}}"] + [
        f"- {{name: c{i}, domains: *d}}" for i in range(1, 500)
    ]
    data = ("\n".join(lines) + "\n").encode()  # 21 kB; the upload limit is 10 MiB
    assert len(data) < 25_000
    try:
        clients = read_clients(data, "clients.yaml")
    except Exception:
        return  # refused: fine
    total = sum(len(c.domains) for c in clients)
    assert total <= 50_000, f"a {len(data)}-byte file became {total} domains (quadratic in the file's size)"
