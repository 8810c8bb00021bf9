"""The admin console's message list and message page, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

import datetime as dt

from .admin_console import ADMIN, RAW_SECRET, post, unescaped


def test_message_list_searches_by_sender_recipient_rule_state_and_date(admin):
    admin.hold("Q1", sender="hanako@example.co.jp", rcpt="a@client-a.example", subject="件名A")
    admin.hold("Q2", rcpt="b@client-b.example", subject="件名B")
    admin.hold("Q3", kind="hold_for_approval", subject="件名C", rcpt="田中@client-c.example")
    admin.run(lambda: admin.store.decide_hold("Q2", "cancelled", actor="sender", client_addr=None))

    def found(**params):
        page = admin.client.get("/admin/messages", params=params)
        assert page.status_code == 200, page.text
        return {s for s in ("件名A", "件名B", "件名C") if s in page.text}

    assert found() == {"件名A", "件名B", "件名C"}
    assert found(sender="HANAKO") == {"件名A"}
    assert found(recipient="client-b") == {"件名B"}
    assert found(recipient="田中@") == {"件名C"}, "non-ASCII addresses are found in the JSON column"
    assert found(state="cancelled") == {"件名B"}
    assert found(rule="sensitive-id-external") == {"件名A", "件名B", "件名C"}
    assert found(rule="client-mismatch") == set()
    today = dt.date.today()
    assert found(**{"from": today.isoformat(), "to": today.isoformat()}) == {"件名A", "件名B", "件名C"}
    assert found(to=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert found(sender="%") == set(), "wildcards are literal"
    bad = admin.client.get("/admin/messages", params={"from": "31/12/2024", "rule": "Bad Rule"})
    assert bad.status_code == 400 and "期間（から）：" in unescaped(bad) and "ルール：" in unescaped(bad)


def test_message_list_is_paginated(admin):
    for i in range(53):
        admin.hold(f"P{i:02d}", subject=f"subject-{i:02d}-")
    first = admin.client.get("/admin/messages").text
    assert "53 件" in first and "subject-52-" in first and "subject-02-" not in first
    assert "page=2" in first and "page=0" not in first
    second = admin.client.get("/admin/messages", params={"page": "2"}).text
    assert {f"subject-{i:02d}-" for i in range(3)} <= {
        s for s in (f"subject-{i:02d}-" for i in range(53)) if s in second
    }
    assert "subject-03-" not in second and "次へ" not in second


def test_message_detail_shows_findings_decision_summary_and_trail_never_the_body(admin):
    admin.hold("Q1")
    page = admin.client.get("/admin/messages/Q1").text
    for text in (
        "見積書",
        "pii.my_number",
        "****-****-9018",
        "body",
        "sensitive-id-external",
        "enforce",
        "顧客.xlsx",
        "2,048 バイト",
        "保留中",
        "自動処理",
        "送信する",
    ):
        assert text in page, text
    assert RAW_SECRET not in page and "RAW-BODY" not in page
    assert admin.client.get("/admin/messages/NOPE").status_code == 404


def test_admin_release_and_cancel_record_the_admin_and_wake_the_worker(admin):
    admin.hold("Q1")
    admin.hold("Q2")
    r = post(admin, "/admin/messages/Q1", action="release", note="checked by phone")
    assert (r.status_code, r.headers["location"]) == (303, "/admin/messages/Q1?done=released")
    record = admin.run(admin.store.get, "Q1")
    assert (record.state, record.acted_by, record.note) == ("released", f"admin:{ADMIN}", "checked by phone")
    assert admin.queued == [1]
    assert admin.sql("SELECT kind FROM outbound WHERE message_id = 'Q1' ORDER BY id") == [
        ("release",),
        ("notice",),
    ], "the release, and the sender's notice of it"
    trail = admin.run(admin.store.audit_trail, "Q1")
    assert (trail[-1].action, trail[-1].actor, trail[-1].client_addr) == (
        "released",
        f"admin:{ADMIN}",
        "testclient",
    )
    again = post(admin, "/admin/messages/Q1", action="cancel")
    assert again.headers["location"].endswith("done=stale") and admin.queued == [1]
    assert "すでに処理済み" in admin.client.get(again.headers["location"]).text
    post(admin, "/admin/messages/Q2", action="cancel")
    assert admin.run(admin.store.get, "Q2").state == "cancelled" and admin.queued == [1]
    assert post(admin, "/admin/messages/Q2", action="delete").status_code == 400


def test_admin_acts_for_an_absent_approver(admin):
    admin.hold("Q1", kind="hold_for_approval")
    page = admin.client.get("/admin/messages/Q1").text
    assert "不在の承認者に代わって" in page and "承認して送信" in page
    post(admin, "/admin/messages/Q1", action="release")
    record = admin.run(admin.store.get, "Q1")
    assert (record.state, record.acted_by) == ("released", f"admin:{ADMIN}") and admin.queued == [1]
