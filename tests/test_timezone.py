"""Times with their zone (issue 18 item 3): web.timezone decides how every time is written,
on the sender's pages (test_delay_page.py), in the notices (test_notice_words.py) and, here,
in the admin console and its audit CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from quarantine.rendering import when

from .admin_console import open_console

AT = 1_796_000_000.0  # 2026-11-30 00:53:20 UTC


def test_when_names_the_zone():
    assert when(AT, ZoneInfo("Asia/Tokyo")) == "2026-11-30 09:53 (JST)"
    assert when(AT, ZoneInfo("UTC")) == "2026-11-30 00:53 (UTC)"
    assert when(None, ZoneInfo("UTC")) == "" and when(0.0) == ""


@pytest.mark.parametrize("zone, name", [(ZoneInfo("Asia/Tokyo"), "JST"), (ZoneInfo("UTC"), "UTC")])
def test_the_console_writes_times_in_the_configured_zone(tmp_path, zone, name):
    with open_console(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}", zone=zone) as admin:
        admin.login()
        admin.hold("Q1")
        record = admin.run(lambda: admin.store.get("Q1"))
        listing = admin.client.get("/admin/messages").text
        detail = admin.client.get("/admin/messages/Q1").text
        audit = admin.client.get("/admin/audit").text
        exported = admin.client.get("/admin/audit.csv", params={"message": "Q1"}).content.decode("utf-8-sig")
    created = datetime.fromtimestamp(record.created_at, zone).strftime("%Y-%m-%d %H:%M")
    expires = datetime.fromtimestamp(record.expires_at, zone).strftime("%Y-%m-%d %H:%M")
    assert f"{created} ({name})" in listing and f"{created} ({name})" in audit
    assert f"{expires} ({name})" in detail
    for page in (listing, detail, audit):
        stamps = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d(?: \(\w+\))?", page)
        assert stamps and all(s.endswith(f"({name})") for s in stamps), stamps
    [_header, *rows] = list(csv.reader(io.StringIO(exported)))
    offset = "+09:00" if name == "JST" else "+00:00"
    assert rows and all(row[0].endswith(offset) for row in rows), rows
