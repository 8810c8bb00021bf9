"""The admin console's audit log page, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

import csv
import datetime as dt
import io

from .admin_console import ADMIN, RAW_SECRET, post, unescaped


def test_audit_log_filters_and_csv_export(admin):
    admin.hold("Q1")
    admin.hold("Q2")
    post(admin, "/admin/messages/Q1", action="release")
    page = admin.client.get("/admin/audit", params={"message": "Q1"}).text
    assert "released" in page and f"admin:{ADMIN}" in page and "Q2" not in page
    assert (
        "Q1" not in admin.client.get("/admin/audit", params={"actor": "nobody"}).text.split('id="audit"')[1]
    )
    page = admin.client.get("/admin/audit", params={"action": "admin_login"}).text.split('id="audit"')[1]
    assert "admin_login" in page and "released" not in page
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert (
        "held" not in admin.client.get("/admin/audit", params={"from": tomorrow}).text.split('id="audit"')[1]
    )
    assert admin.client.get("/admin/audit", params={"to": "yesterday"}).status_code == 400
    r = admin.client.get("/admin/audit.csv", params={"message": "Q1"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["at", "message_id", "actor", "client_addr", "action", "detail"]
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [
        ("Q1", "system", "held"),
        ("Q1", f"admin:{ADMIN}", "released"),
    ]
    assert "見積書" not in unescaped(r) and RAW_SECRET not in unescaped(r) and "9018" not in unescaped(r)
