"""The admin console's client directory and suppression list pages, logged in as an admin, over a real SQLite store."""

from __future__ import annotations

from inspectors.clients import Client
from quarantine.directory_file import read_clients, read_suppressions
from quarantine.directory_store import DirectoryStore

from .admin_console import LEDGER, post, unescaped, upload


def test_clients_add_edit_delete_with_validation(admin):
    r = post(
        admin, "/admin/clients", name="株式会社エー", aliases="A社\nエー社", domains="A-Corp.co.jp, a.example"
    )
    assert r.status_code == 303 and admin.changed == [1]
    page = admin.client.get("/admin/clients").text
    assert "株式会社エー" in page and "a-corp.co.jp" in page and "A社, エー社" in page
    bad = post(admin, "/admin/clients", name="株式会社ビー", domains="good.example\nnot_a_domain")
    assert bad.status_code == 422 and "domains:2: domain 'not_a_domain' is not a domain" in unescaped(bad)
    assert 'value="株式会社ビー"' in unescaped(bad), "what was typed is kept"
    dup = post(admin, "/admin/clients", name="株式会社エー")
    assert dup.status_code == 422 and "already in the directory" in unescaped(dup)
    (client_id,) = admin.sql("SELECT id FROM clients")[0]
    assert "A社\nエー社" in admin.client.get(f"/admin/clients/{client_id}").text
    r = post(
        admin,
        f"/admin/clients/{client_id}",
        op="save",
        name="株式会社エー",
        aliases="",
        domains="a-corp.co.jp",
    )
    assert r.status_code == 303
    assert admin.run(DirectoryStore(admin.store).client, client_id).domains == ("a-corp.co.jp",)
    assert (
        post(admin, f"/admin/clients/{client_id}", op="delete").headers["location"]
        == "/admin/clients?done=deleted"
    )
    assert admin.client.get(f"/admin/clients/{client_id}").status_code == 404
    assert post(admin, f"/admin/clients/{client_id}", op="delete").status_code == 404
    actions = [
        a for (a,) in admin.sql("SELECT action FROM audit_log WHERE action LIKE 'client%' ORDER BY id")
    ]
    assert actions == ["client_added", "client_updated", "client_deleted"]


def test_clients_csv_import_shows_the_line_and_exports_what_it_reads(admin):
    r = upload(admin, "/admin/clients/import", "ledger.csv", LEDGER.encode("cp932"))
    assert r.status_code == 422 and "line 7 / 7行目: domain 'a_corp' is not a domain" in unescaped(r)
    assert admin.sql("SELECT count(*) FROM clients") == [(0,)], "all or nothing"
    fixed = LEDGER.replace("a_corp", "f.example")
    r = upload(admin, "/admin/clients/import", "ledger.csv", fixed.encode("cp932"))
    assert r.status_code == 200 and "取り込みました：追加 6 件、更新 0 件" in unescaped(r)
    r = upload(
        admin, "/admin/clients/import", "ledger.csv", "name,domains\n株式会社エー,new.example\n".encode()
    )
    assert "取り込みました：追加 0 件、更新 1 件" in unescaped(r)
    exported = admin.client.get("/admin/clients.csv")
    assert (
        exported.headers["content-type"].startswith("text/csv")
        and "attachment" in exported.headers["content-disposition"]
    )
    clients = read_clients(exported.content, "export.csv")
    assert Client(name="株式会社エー", domains=("new.example",)) in clients and len(clients) == 6
    r = upload(admin, "/admin/clients/import", "c.csv", b"name,domains\nOnly,only.example\n", replace="1")
    assert [c.name for c in admin.run(DirectoryStore(admin.store).clients)] == ["Only"]
    assert admin.client.post("/admin/clients/import", data={"csrf": admin.csrf()}).status_code == 422


def test_export_neutralises_spreadsheet_formulas(admin):
    post(admin, "/admin/clients", name='=HYPERLINK("http://x")', domains="x.example")
    text = admin.client.get("/admin/clients.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_suppressions_add_edit_delete_import_export(admin):
    assert (
        post(admin, "/admin/suppressions", entry="Former.Member@Example.NET", note="退会").status_code == 303
    )
    assert post(admin, "/admin/suppressions", entry="@old-client.example").status_code == 303
    bad = post(admin, "/admin/suppressions", entry="not an address@")
    assert bad.status_code == 422 and "entry:1: 'not an address@' is not an address" in unescaped(bad)
    assert (
        "already on the suppression list"
        in post(admin, "/admin/suppressions", entry="former.member@example.net").text
    )
    page = admin.client.get("/admin/suppressions").text
    assert "former.member@example.net" in page and "@old-client.example" in page and "退会" in page
    ((entry_id,),) = admin.sql("SELECT id FROM suppressions WHERE entry = '@old-client.example'")
    assert (
        post(
            admin, f"/admin/suppressions/{entry_id}", op="save", entry="@older.example", note="n"
        ).status_code
        == 303
    )
    assert post(admin, f"/admin/suppressions/{entry_id}", op="delete").status_code == 303
    data = b"address\nx@y.example\n\n@z.example\nbad@@\n"
    r = upload(admin, "/admin/suppressions/import", "s.csv", data)
    assert r.status_code == 422 and "line 5 / 5行目:" in unescaped(r)
    r = upload(
        admin, "/admin/suppressions/import", "s.csv", b"address\nx@y.example\nformer.member@example.net\n"
    )
    assert "取り込みました：追加 1 件、登録済み 1 件" in unescaped(r)
    exported = read_suppressions(admin.client.get("/admin/suppressions.csv").content, "s.csv")
    assert exported == ("former.member@example.net", "x@y.example")
    directory = admin.run(DirectoryStore(admin.store).snapshot)
    assert directory.suppressed == exported and len(admin.changed) == 5
    actions = [a for (a,) in admin.sql("SELECT detail FROM audit_log WHERE action LIKE 'suppression%'")]
    assert all("@" not in a for a in actions), "no addresses in the audit log"


def test_directory_store_snapshot_and_stamp(admin):
    store = DirectoryStore(admin.store)
    first = admin.run(store.stamp)
    client_id = admin.run(store.add_client, Client(name="A", domains=("a.example",)))
    second = admin.run(store.stamp)
    assert second != first
    admin.run(store.delete_client, client_id)
    assert admin.run(store.stamp) not in (second,)
    assert admin.run(store.import_suppressions, ["a@b.example", "a@b.example", "@c.example"]) == (2, 0)
    snap = admin.run(store.snapshot)
    assert snap.clients == () and snap.suppressed == ("@c.example", "a@b.example")
