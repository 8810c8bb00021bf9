"""The client and suppression pages show every entry in force, with its source (issue 18,
item 9): the configuration file's (read-only here) and the console's."""

from __future__ import annotations

import re

import pytest

from inspectors.clients import Client

from .admin_console import open_console, post
from .page_words import english_words

FILE_CLIENTS = (Client(name="株式会社ファイル", aliases=("ファイル社",), domains=("file-corp.example",)),)
FILE_SUPPRESSED = ("stop@file.example", "@nomail.example")
# import_form.html (the CSV import form, converted by another change of issue 18) still says these
IMPORT_FORM = ("File", "Replace", "all", "Import")


@pytest.fixture
def configured(tmp_path, sqlite_url):
    with open_console(
        tmp_path, sqlite_url, file_clients=FILE_CLIENTS, file_suppressions=FILE_SUPPRESSED
    ) as c:
        assert c.login().status_code == 303
        yield c


def rows(html: str, table: str) -> list[tuple[str, str]]:
    """(first cell, source) of each row of a directory table."""
    body = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S).group(1)
    return re.findall(
        r'<tr class="from-\w+"><td>([^<]*)</td>.*?class="source[^"]*">([^<]+)</span>', body, re.S
    )


def test_clients_from_the_file_and_the_console_side_by_side(configured):
    page = configured.client.get("/admin/clients").text
    assert rows(page, "clients") == [("株式会社ファイル", "設定ファイル")]
    assert "登録されている取引先はありません" not in page and "取引先台帳 (1)" in page
    assert "ここでは変更・削除できません" in page and "organization.clients" in page
    assert "/admin/clients/" not in page.split('id="clients"')[1].split("</table>")[0], "no edit link"
    post(configured, "/admin/clients", name="株式会社画面", domains="console.example")
    page = configured.client.get("/admin/clients").text
    assert rows(page, "clients") == [("株式会社ファイル", "設定ファイル"), ("株式会社画面", "管理画面")]
    assert english_words(page, allow=IMPORT_FORM) == []
    english = configured.client.get("/admin/clients?lang=en").text
    assert "configuration file" in english and "console" in english


def test_suppressions_from_the_file_and_the_console_side_by_side(configured):
    page = configured.client.get("/admin/suppressions").text
    assert rows(page, "suppressions") == [
        ("stop@file.example", "設定ファイル"),
        ("@nomail.example", "設定ファイル"),
    ]
    assert "登録されている項目はありません" not in page and "(2)" in page
    post(configured, "/admin/suppressions", entry="no@console.example", note="本人の依頼")
    page = configured.client.get("/admin/suppressions").text
    assert rows(page, "suppressions")[-1] == ("no@console.example", "管理画面")
    assert "organization.suppressed_recipients" in page
    assert english_words(page, allow=IMPORT_FORM) == []


def test_the_empty_state_only_when_nothing_is_in_force(admin):
    clients = admin.client.get("/admin/clients").text
    assert "登録されている取引先はありません" in clients and 'id="clients"' not in clients
    suppressions = admin.client.get("/admin/suppressions").text
    assert (
        "登録されている項目はありません" in suppressions
        and "ここでは変更・削除できません" not in suppressions
    )
    post(admin, "/admin/suppressions", entry="no@console.example")
    page = admin.client.get("/admin/suppressions").text
    assert "登録されている項目はありません" not in page
    assert rows(page, "suppressions") == [("no@console.example", "管理画面")]


def test_the_edit_pages_are_japanese(admin):
    post(admin, "/admin/clients", name="株式会社画面", domains="console.example")
    post(admin, "/admin/suppressions", entry="no@console.example", note="本人の依頼")
    ((client_id,),) = admin.sql("SELECT id FROM clients")
    ((entry_id,),) = admin.sql("SELECT id FROM suppressions")
    for path in (f"/admin/clients/{client_id}", f"/admin/suppressions/{entry_id}"):
        page = admin.client.get(path + "?lang=ja")  # the language a ?lang= link chose is kept
        assert page.status_code == 200 and english_words(page.text) == [], path
        assert "Save" in admin.client.get(path + "?lang=en").text
