"""The admin console's pages, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import time

from inspectors.clients import Client
from inspectors.directory import read_clients, read_suppressions
from quarantine.admin.statistics import Window, daily_counts
from quarantine.directory_store import DirectoryStore

from .admin_console import ADMIN, RAW_SECRET
from .support import MY_NUMBER_BODY, message


def _post(c, path: str, **data):
    return c.client.post(path, data={"csrf": c.csrf(), **data}, follow_redirects=False)


def _text(response) -> str:
    return html.unescape(response.text)


# --- messages -----------------------------------------------------------------------------


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
    assert bad.status_code == 400 and "from: " in _text(bad) and "rule: " in _text(bad)


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
        "2,048 bytes",
        "held",
        "system",
        "送信する / Release",
    ):
        assert text in page, text
    assert RAW_SECRET not in page and "RAW-BODY" not in page
    assert admin.client.get("/admin/messages/NOPE").status_code == 404


def test_admin_release_and_cancel_record_the_admin_and_wake_the_worker(admin):
    admin.hold("Q1")
    admin.hold("Q2")
    r = _post(admin, "/admin/messages/Q1", action="release", note="checked by phone")
    assert (r.status_code, r.headers["location"]) == (303, "/admin/messages/Q1?done=released")
    record = admin.run(admin.store.get, "Q1")
    assert (record.state, record.acted_by, record.note) == ("released", f"admin:{ADMIN}", "checked by phone")
    assert admin.queued == [1]
    assert admin.sql("SELECT kind FROM outbound WHERE message_id = 'Q1'") == [("release",)]
    trail = admin.run(admin.store.audit_trail, "Q1")
    assert (trail[-1].action, trail[-1].actor, trail[-1].client_addr) == (
        "released",
        f"admin:{ADMIN}",
        "testclient",
    )
    again = _post(admin, "/admin/messages/Q1", action="cancel")
    assert again.headers["location"].endswith("done=stale") and admin.queued == [1]
    assert "no longer held" in admin.client.get(again.headers["location"]).text
    _post(admin, "/admin/messages/Q2", action="cancel")
    assert admin.run(admin.store.get, "Q2").state == "cancelled" and admin.queued == [1]
    assert _post(admin, "/admin/messages/Q2", action="delete").status_code == 400


def test_admin_acts_for_an_absent_approver(admin):
    admin.hold("Q1", kind="hold_for_approval")
    page = admin.client.get("/admin/messages/Q1").text
    assert "不在の承認者に代わって" in page and "承認して送信 / Approve and send" in page
    _post(admin, "/admin/messages/Q1", action="release")
    record = admin.run(admin.store.get, "Q1")
    assert (record.state, record.acted_by) == ("released", f"admin:{ADMIN}") and admin.queued == [1]


# --- rules --------------------------------------------------------------------------------

GOOD = """rules:
  - id: sensitive-id-external
    mode: monitor
  - id: big-list
    description: A long list of phone numbers
    when: {code: pii.phone, min_count: 50}
    action: hold
"""


def test_rules_page_lists_the_effective_rules_and_the_editor(admin):
    admin.rules_file.write_text("rules:\n  - id: client-mismatch-body\n    enabled: false\n", "utf-8")
    admin.rulebook.reload_if_changed()
    page = admin.client.get("/admin/rules").text
    assert "sensitive-id-external" in page and "rules/defaults.yaml" in page and "enforce" in page
    row = page[page.index("<code>client-mismatch-body</code>") :][:300]
    assert "off" in row and str(admin.rules_file) in row
    assert "enabled: false" in page and 'name="draft"' in page


def test_a_bad_draft_is_refused_with_the_field_named_and_nothing_written(admin):
    before = admin.rules_file.read_text()
    for draft, expected in [
        (
            "rules:\n  - id: x-rule\n    when: {code: pii.my_number}\n    action: explode\n",
            "rule 'x-rule': action: must be one of",
        ),
        (
            "rules:\n  - id: x-rule\n    when: {code: pii.nope}\n    action: hold\n",
            "when.code: unknown finding code",
        ),
        ("rules: [", "not valid YAML"),
        ("rules:\n  - id: sensitive-id-external\n    mode: loud\n", "rule 'sensitive-id-external': mode"),
    ]:
        for op in ("check", "save"):
            r = _post(admin, f"/admin/rules/{op}", draft=draft)
            assert r.status_code == 422 and expected in _text(r), (op, draft, r.text[-2000:])
            assert str(admin.rules_file) in _text(r)
    assert admin.rules_file.read_text() == before and admin.rulebook.error is None


def test_a_good_draft_is_saved_atomically_and_reloaded(admin):
    assert _post(admin, "/admin/rules/check", draft=GOOD).status_code == 200
    assert admin.rules_file.read_text() == "rules: []\n", "check writes nothing"
    r = _post(admin, "/admin/rules/save", draft=GOOD.replace("\n", "\r\n"))
    assert (r.status_code, r.headers["location"]) == (303, "/admin/rules?saved=1")
    assert admin.rules_file.read_text() == GOOD
    assert [p.name for p in admin.rules_file.parent.iterdir() if p.name.startswith(".local.yaml")] == []
    rules = {r.id: r for r in admin.rulebook.current.rules}
    assert rules["sensitive-id-external"].mode == "monitor" and "big-list" in rules
    page = admin.client.get("/admin/rules?saved=1").text
    assert "保存しました" in page and "big-list" in page
    assert admin.sql("SELECT action, detail FROM audit_log WHERE action = 'rules_saved'") == [
        ("rules_saved", f"file=local.yaml active={len(admin.rulebook.current.active)}")
    ]


def test_the_full_load_catches_what_only_the_combination_breaks(tmp_path, sqlite_url):
    from .admin_console import open_console

    with open_console(tmp_path, sqlite_url, rule_files=2) as c:
        c.rules_file.write_text(GOOD, "utf-8")
        more = c.rulebook.files[1]
        more.write_text("rules:\n  - id: big-list\n    mode: monitor\n", "utf-8")
        c.rulebook.reload_if_changed()
        c.login()
        r = _post(c, "/admin/rules/save", draft="rules: []\n")  # big-list gone: more.yaml breaks
        assert r.status_code == 422 and f"{more}: rule 'big-list': when: is required" in _text(r)
        assert "mdg-draft" not in _text(r) and c.rules_file.read_text() == GOOD


def test_a_reload_error_is_shown(admin):
    admin.rules_file.write_text("rules:\n  - id: Bad Id\n", "utf-8")
    admin.rulebook.reload_if_changed()
    page = admin.client.get("/admin/rules").text
    assert "再読み込みに失敗しました" in page and "must be kebab-case" in page


def test_without_a_local_rules_file_there_is_no_editor(tmp_path, sqlite_url):
    from .admin_console import open_console

    with open_console(tmp_path, sqlite_url, rule_files=0) as c:
        c.login()
        page = c.client.get("/admin/rules").text
        assert "ローカルのルールファイルが指定されていない" in page and 'name="draft"' not in page
        assert _post(c, "/admin/rules/save", draft=GOOD).status_code == 400
        r = c.client.post(
            "/admin/rules/test",
            data={"csrf": c.csrf()},
            files={"message": ("m.eml", message("x", MY_NUMBER_BODY))},
        )
        assert r.status_code == 200 and "hold" in _text(r)


def test_test_against_a_message_under_the_rules_in_force_and_under_a_draft(admin):
    raw = message("見積", MY_NUMBER_BODY)
    r = admin.client.post(
        "/admin/rules/test",
        data={"csrf": admin.csrf(), "draft": "rules: []\n"},
        files={"message": ("m.eml", raw)},
    )
    assert r.status_code == 200
    result = r.text[r.text.index('id="test-result"') :]
    assert 'state-held">hold<' in result and "sensitive-id-external" in result and "pii.my_number" in result
    assert "1234 5678 9018" not in _text(r) and "山田太郎" not in _text(r), "never the raw personal data"
    r = admin.client.post(
        "/admin/rules/test", data={"csrf": admin.csrf(), "draft": GOOD}, files={"message": ("m.eml", raw)}
    )
    result = r.text[r.text.index('id="test-result"') :]
    assert "下書き / draft" in result and 'state-released">pass<' in result and "monitor" in result
    assert admin.rules_file.read_text() == "rules: []\n"
    r = admin.client.post("/admin/rules/test", data={"csrf": admin.csrf(), "draft": "rules: []\n"})
    assert r.status_code == 400 and ".eml ファイルを選んでください" in _text(r)


def test_replay_compares_the_rules_in_force_with_the_draft(admin):
    now = time.time()
    for i in range(3):
        admin.record_decision(f"R{i}", now - 3600 * (i + 1))
    admin.record_decision("OLD", now - 10 * 86400)
    r = _post(admin, "/admin/rules/replay", draft=GOOD, days="7")
    assert r.status_code == 200
    table = r.text[r.text.index('id="replay-result"') :]
    assert "3 messages replayed; the verdict would change for 3" in table
    assert "<code>hold</code> → <code>pass</code>: 3" in table
    row = table[table.index("<code>sensitive-id-external</code>") :]
    row = row[: row.index("</tr>")]
    assert [cell.split("<")[0] for cell in row.split('class="num">')[1:]] == ["3", "3", "3"]
    r = _post(admin, "/admin/rules/replay", draft=GOOD, days="30")
    assert "4 messages replayed" in _text(r)
    assert _post(admin, "/admin/rules/replay", draft="rules: [", days="7").status_code == 422


# --- statistics ---------------------------------------------------------------------------


def _stats_data(c) -> float:
    """Three holds today by sensitive-id-external: released by the sender, cancelled, expired;
    one more decision five days ago."""
    today = time.mktime(dt.date.today().timetuple()) + 60
    for qid, state in (("S1", "released"), ("S2", "cancelled"), ("S3", "expired")):
        c.hold(qid)
        c.record_decision(qid, today)
        c.run(
            lambda q=qid, s=state: c.store.decide_hold(
                q, s, actor="sender" if s != "expired" else "system", client_addr=None
            )
        )
    c.record_decision("S4", today - 5 * 86400)
    return today


def test_daily_counts_per_rule(admin):
    _stats_data(admin)
    counts = admin.run(daily_counts, admin.store.engine, Window.ending_today(7))
    series = counts["sensitive-id-external"]
    assert series.matched == (0, 1, 0, 0, 0, 0, 3) and series.released == (0, 0, 0, 0, 0, 0, 1)
    assert len(series.days) == 7 and series.days[-1] == dt.date.today().strftime("%m-%d")


def test_statistics_page_with_totals_release_rate_and_charts(admin):
    _stats_data(admin)
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


# --- client directory and suppression list ------------------------------------------------


def test_clients_add_edit_delete_with_validation(admin):
    r = _post(
        admin, "/admin/clients", name="株式会社エー", aliases="A社\nエー社", domains="A-Corp.co.jp, a.example"
    )
    assert r.status_code == 303 and admin.changed == [1]
    page = admin.client.get("/admin/clients").text
    assert "株式会社エー" in page and "a-corp.co.jp" in page and "A社, エー社" in page
    bad = _post(admin, "/admin/clients", name="株式会社ビー", domains="good.example\nnot_a_domain")
    assert bad.status_code == 422 and "domains:2: domain 'not_a_domain' is not a domain" in _text(bad)
    assert 'value="株式会社ビー"' in _text(bad), "what was typed is kept"
    dup = _post(admin, "/admin/clients", name="株式会社エー")
    assert dup.status_code == 422 and "already in the directory" in _text(dup)
    (client_id,) = admin.sql("SELECT id FROM clients")[0]
    assert "A社\nエー社" in admin.client.get(f"/admin/clients/{client_id}").text
    r = _post(
        admin,
        f"/admin/clients/{client_id}",
        op="save",
        name="株式会社エー",
        aliases="",
        domains="a-corp.co.jp",
    )
    assert r.status_code == 303
    assert admin.run(DirectoryStore(admin.store.engine).client, client_id).domains == ("a-corp.co.jp",)
    assert (
        _post(admin, f"/admin/clients/{client_id}", op="delete").headers["location"]
        == "/admin/clients?done=deleted"
    )
    assert admin.client.get(f"/admin/clients/{client_id}").status_code == 404
    assert _post(admin, f"/admin/clients/{client_id}", op="delete").status_code == 404
    actions = [
        a for (a,) in admin.sql("SELECT action FROM audit_log WHERE action LIKE 'client%' ORDER BY id")
    ]
    assert actions == ["client_added", "client_updated", "client_deleted"]


LEDGER = (
    "会社名,略称,ドメイン\n株式会社エー,A社;エー社,a-corp.co.jp\n株式会社ビー,,b.example\n"
    "株式会社シー,,c.example\n株式会社ディー,,d.example\n株式会社イー,,e.example\nF社,,a_corp\n"
)


def test_clients_csv_import_shows_the_line_and_exports_what_it_reads(admin):
    r = admin.client.post(
        "/admin/clients/import",
        data={"csrf": admin.csrf()},
        files={"file": ("ledger.csv", LEDGER.encode("cp932"))},
    )
    assert r.status_code == 422 and "line 7 / 7行目: domain 'a_corp' is not a domain" in _text(r)
    assert admin.sql("SELECT count(*) FROM clients") == [(0,)], "all or nothing"
    fixed = LEDGER.replace("a_corp", "f.example")
    r = admin.client.post(
        "/admin/clients/import",
        data={"csrf": admin.csrf()},
        files={"file": ("ledger.csv", fixed.encode("cp932"))},
    )
    assert r.status_code == 200 and "Imported: 6 added, 0 updated" in _text(r)
    r = admin.client.post(
        "/admin/clients/import",
        data={"csrf": admin.csrf()},
        files={"file": ("ledger.csv", "name,domains\n株式会社エー,new.example\n".encode())},
    )
    assert "Imported: 0 added, 1 updated" in _text(r)
    exported = admin.client.get("/admin/clients.csv")
    assert (
        exported.headers["content-type"].startswith("text/csv")
        and "attachment" in exported.headers["content-disposition"]
    )
    clients = read_clients(exported.content, "export.csv")
    assert Client(name="株式会社エー", domains=("new.example",)) in clients and len(clients) == 6
    r = admin.client.post(
        "/admin/clients/import",
        data={"csrf": admin.csrf(), "replace": "1"},
        files={"file": ("c.csv", b"name,domains\nOnly,only.example\n")},
    )
    assert [c.name for c in admin.run(DirectoryStore(admin.store.engine).clients)] == ["Only"]
    assert admin.client.post("/admin/clients/import", data={"csrf": admin.csrf()}).status_code == 422


def test_export_neutralises_spreadsheet_formulas(admin):
    _post(admin, "/admin/clients", name='=HYPERLINK("http://x")', domains="x.example")
    text = admin.client.get("/admin/clients.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_suppressions_add_edit_delete_import_export(admin):
    assert (
        _post(admin, "/admin/suppressions", entry="Former.Member@Example.NET", note="退会").status_code == 303
    )
    assert _post(admin, "/admin/suppressions", entry="@old-client.example").status_code == 303
    bad = _post(admin, "/admin/suppressions", entry="not an address@")
    assert bad.status_code == 422 and "entry:1: 'not an address@' is not an address" in _text(bad)
    assert (
        "already on the suppression list"
        in _post(admin, "/admin/suppressions", entry="former.member@example.net").text
    )
    page = admin.client.get("/admin/suppressions").text
    assert "former.member@example.net" in page and "@old-client.example" in page and "退会" in page
    ((entry_id,),) = admin.sql("SELECT id FROM suppressions WHERE entry = '@old-client.example'")
    assert (
        _post(
            admin, f"/admin/suppressions/{entry_id}", op="save", entry="@older.example", note="n"
        ).status_code
        == 303
    )
    assert _post(admin, f"/admin/suppressions/{entry_id}", op="delete").status_code == 303
    data = b"address\nx@y.example\n\n@z.example\nbad@@\n"
    r = admin.client.post(
        "/admin/suppressions/import", data={"csrf": admin.csrf()}, files={"file": ("s.csv", data)}
    )
    assert r.status_code == 422 and "line 5 / 5行目:" in _text(r)
    r = admin.client.post(
        "/admin/suppressions/import",
        data={"csrf": admin.csrf()},
        files={"file": ("s.csv", b"address\nx@y.example\nformer.member@example.net\n")},
    )
    assert "Imported: 1 added, 1 already listed" in _text(r)
    exported = read_suppressions(admin.client.get("/admin/suppressions.csv").content, "s.csv")
    assert exported == ("former.member@example.net", "x@y.example")
    directory = admin.run(DirectoryStore(admin.store.engine).snapshot)
    assert directory.suppressed == exported and len(admin.changed) == 5
    actions = [a for (a,) in admin.sql("SELECT detail FROM audit_log WHERE action LIKE 'suppression%'")]
    assert all("@" not in a for a in actions), "no addresses in the audit log"


def test_directory_store_snapshot_and_stamp(admin):
    store = DirectoryStore(admin.store.engine)
    first = admin.run(store.stamp)
    client_id = admin.run(store.add_client, Client(name="A", domains=("a.example",)))
    second = admin.run(store.stamp)
    assert second != first
    admin.run(store.delete_client, client_id)
    assert admin.run(store.stamp) not in (second,)
    assert admin.run(store.import_suppressions, ["a@b.example", "a@b.example", "@c.example"]) == (2, 0)
    snap = admin.run(store.snapshot)
    assert snap.clients == () and snap.suppressed == ("@c.example", "a@b.example")


# --- audit log ----------------------------------------------------------------------------


def test_audit_log_filters_and_csv_export(admin):
    admin.hold("Q1")
    admin.hold("Q2")
    _post(admin, "/admin/messages/Q1", action="release")
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
    assert "見積書" not in _text(r) and RAW_SECRET not in _text(r) and "9018" not in _text(r)
