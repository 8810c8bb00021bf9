"""The admin console's audit log page, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

import csv
import datetime as dt
import io

from quarantine.trail import COMMENT_MAX

from .admin_console import ADMIN, RAW_SECRET, SENDER, post, unescaped
from .page_words import english_words

BOSS = "boss@example.co.jp"


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def table(response) -> str:
    return unescaped(response).split('id="audit"')[1]


def test_audit_log_filters_and_csv_export(admin):
    admin.hold("Q1")
    admin.hold("Q2")
    post(admin, "/admin/messages/Q1", action="release")
    page = unescaped(admin.client.get("/admin/audit", params={"message": "Q1"}))
    assert "送信を決定しました" in page and f"管理者 {ADMIN}" in page and "Q2" not in page
    assert "Q1" not in table(admin.client.get("/admin/audit", params={"actor": "nobody"}))
    page = table(admin.client.get("/admin/audit", params={"action": "admin_login"}))
    assert "管理画面にログインしました" in page and "送信を決定しました" not in page
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert "保留しました" not in table(admin.client.get("/admin/audit", params={"from": tomorrow}))
    assert admin.client.get("/admin/audit", params={"to": "yesterday"}).status_code == 400
    rows = rows_of(admin.client.get("/admin/audit.csv", params={"message": "Q1"}))
    assert rows[0] == [
        "at",
        "message_id",
        "subject",
        "sender",
        "recipients",
        "actor",
        "client_addr",
        "action",
        "detail",
        "comment",
    ]
    assert [(row[1], row[5], row[7]) for row in rows[1:]] == [
        ("Q1", "system", "held"),
        ("Q1", f"admin:{ADMIN}", "released"),
    ]
    text = "\n".join(",".join(r) for r in rows)
    assert RAW_SECRET not in text and "9018" not in text, "no body, no evidence"


def test_the_approvers_comment_is_in_the_audit_page_and_csv(admin):
    admin.hold("A1", kind="hold_for_approval", subject="四半期の見積書")
    comment = "金額を確認しました。\r\n田中さんの了承済み\u202e\x07" + "あ" * 1000
    assert admin.run(
        lambda: admin.store.decide_hold(
            "A1", "released", actor=f"approver:{BOSS}", client_addr="192.0.2.7", note=comment
        )
    )
    page = admin.client.get("/admin/audit", params={"message": "A1"})
    shown = table(page)
    assert "金額を確認しました。 田中さんの了承済み" in shown and f"承認者 {BOSS}" in shown
    assert english_words(page.text) == []
    (row,) = [r for r in rows_of(admin.client.get("/admin/audit.csv?message=A1")) if r[7] == "released"]
    assert row[5] == f"approver:{BOSS}" and row[9].startswith("金額を確認しました。 田中さんの了承済み")
    assert (
        len(row[9]) == COMMENT_MAX and "\n" not in row[9] and "\u202e" not in row[9] and "\x07" not in row[9]
    )
    # An admin's reason, typed on the console's message page, lands there too
    admin.hold("A2")
    post(admin, "/admin/messages/A2", action="cancel", note="宛先誤りのため取り消し")
    rows = rows_of(admin.client.get("/admin/audit.csv?message=A2"))
    assert [(r[5], r[7], r[9]) for r in rows[1:]] == [
        ("system", "held", ""),
        (f"admin:{ADMIN}", "cancelled", "宛先誤りのため取り消し"),
    ]
    english = admin.client.get("/admin/audit?message=A2&lang=en").text
    assert "宛先誤りのため取り消し" in english and "cancelled, not sent" in english and "Comment" in english


def test_the_csv_names_the_message_and_is_formula_safe(admin):
    admin.hold("C1", subject='=HYPERLINK("http://evil.example","x")')
    admin.hold("C2", subject="+SUM(A1)", sender="-x@example.co.jp")
    post(admin, "/admin/messages/C1", action="cancel", note="@SUM(1+1)")
    rows = {(r[1], r[7]): r for r in rows_of(admin.client.get("/admin/audit.csv"))[1:]}
    held = rows[("C1", "held")]
    assert held[2] == '\'=HYPERLINK("http://evil.example","x")' and held[3] == SENDER and held[4] == "1"
    assert rows[("C1", "cancelled")][9] == "'@SUM(1+1)"
    assert rows[("C2", "held")][2:5] == ["'+SUM(A1)", "'-x@example.co.jp", "1"]
    # A row whose message is gone (retention) still names its id, and nothing else
    admin.sql("DELETE FROM held_messages WHERE id = 'C2'")
    gone = rows_of(admin.client.get("/admin/audit.csv?message=C2"))[1]
    assert gone[1] == "C2" and gone[2:5] == ["", "", ""]
    page = table(admin.client.get("/admin/audit?message=C1"))
    assert "=HYPERLINK" in page and SENDER in page and "宛先 1 件" in page


def test_an_approval_page_comment_reaches_the_audit_trail(sqlite_url):
    """The approver's page (web.py) posts the comment with the decision; the trail keeps it."""
    from quarantine.records import HoldState

    from .admin_console import held_message
    from .sender_page import open_store, serving

    store = open_store(sqlite_url)
    msg = held_message("Q1", kind="hold_for_approval")
    with serving(store, msg, "example.co.jp", "guard@example.co.jp") as web:
        assert web.portal.call(store.add_link, "Q1", "tok-boss", "approver", BOSS)
        r = web.post(
            "/h/tok-boss",
            data={"csrf": "c", "action": "approve", "note": "承認します。\n来週の納品分です"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        rows = web.portal.call(_audit_rows, store)
    assert (f"approver:{BOSS}", HoldState.RELEASED, "承認します。 来週の納品分です") in rows


async def _audit_rows(store):
    from sqlalchemy import select

    from quarantine.schema import audit

    async with store.reading() as conn:
        return [tuple(r) for r in await conn.execute(select(audit.c.actor, audit.c.action, audit.c.comment))]


def test_a_held_messages_trail_carries_the_comment(admin):
    admin.hold("T1")
    post(admin, "/admin/messages/T1", action="cancel", note="重複送信のため")
    trail = admin.run(admin.store.audit_trail, "T1")
    assert [(e.action, e.comment) for e in trail] == [("held", ""), ("cancelled", "重複送信のため")]
