"""Issue 18: no English word on a Japanese page outside addresses, file names and evidence.

The console is crawled from its first page: every page a link reaches (GET only, inside
/admin, a bounded number) is rendered in Japanese and read the way a person reads it
(tests/page_words.py). The sender's and the approver's pages are read for each kind of hold.
A page added later is covered as soon as a link leads to it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from quarantine.records import HeldMessage
from tests.admin_console import ADMIN, GOOD, LEDGER, held_message, post, upload
from tests.page_words import english_words

# The test data's own words: the body the fixtures hold, a rule's English description.
DATA = ("RAW", "BODY", "SECRET", "A", "long", "list", "of", "phone", "numbers", "big-list", "testclient")
HREF = re.compile(r'href="([^"#]+)"')
MOST_PAGES = 60


def _crawl(client, start: str) -> dict[str, str]:
    """path -> html of every console page reachable from `start` by GET links."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo and len(seen) < MOST_PAGES:
        path = todo.pop(0)
        if path in seen:
            continue
        response = client.get(path, headers={"Accept-Language": "ja"})
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        seen[path] = response.text
        for href in HREF.findall(response.text):
            target = urlsplit(urljoin(f"http://testserver{path}", href.replace("&amp;", "&")))
            query = f"?{target.query}" if target.query else ""
            if target.path.startswith("/admin/") and "lang=" not in query and "logout" not in target.path:
                todo.append(target.path + query)
    return seen


def test_every_console_page_is_in_japanese(admin):
    """Held, released and cancelled messages, a rule with a description, a client from CSV,
    a suppression, audit rows: then each page a link reaches reads in Japanese only."""
    admin.rules_file.write_text(GOOD, "utf-8")
    admin.rulebook.reload_if_changed()
    for qid in ("Q1", "Q2", "Q3"):
        admin.hold(qid, subject="見積書の送付")
    assert post(admin, "/admin/messages/Q2", action="release", note="確認済み").status_code in (200, 303)
    assert (
        upload(
            admin, "/admin/clients/import", "clients.csv", "\n".join(LEDGER.splitlines()[:3]).encode()
        ).status_code
        == 200
    )
    assert post(admin, "/admin/suppressions", entry="stop@client.example", note="配信停止").status_code == 303
    pages = _crawl(admin.client, "/admin/")
    assert {"/admin/dashboard", "/admin/messages/Q1", "/admin/rules", "/admin/suppressions/1"} <= set(pages)
    # and the pages that say something went wrong
    for path in (
        "/admin/messages?from=2026-12-05&to=2026-12-01",
        "/admin/no-such-page",
        "/admin/messages/Q9",
    ):
        pages[path] = admin.client.get(path, headers={"Accept-Language": "ja"}).text
    english = {path: words for path, html in pages.items() if (words := english_words(html, allow=DATA))}
    assert english == {}


def test_the_login_page_is_in_japanese(console):
    page = console.client.get("/admin/login", headers={"Accept-Language": "ja"})
    assert english_words(page.text) == []
    assert ADMIN not in page.text


@pytest.mark.parametrize("kind", ["hold", "delay", "hold_for_approval"])
def test_the_senders_page_is_in_japanese(tmp_path, kind):
    from tests.sender_page import open_store, serving

    msg: HeldMessage = held_message("Q1", kind=kind, subject="見積書の送付")
    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    with serving(store, msg, "example.co.jp", "guard@example.co.jp") as web:
        page = web.get("/h/tok-Q1", headers={"Accept-Language": "ja"})
        assert page.status_code == 200
        assert english_words(page.text, allow=DATA) == []
        english_page = web.get("/h/tok-Q1?lang=en")
        assert "Subject" in english_page.text  # the switch works: the words are there in English


def test_the_home_and_unknown_link_pages_are_in_japanese(tmp_path):
    from tests.sender_page import open_store, serving

    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    with serving(store, held_message("Q1"), "example.co.jp", "guard@example.co.jp") as web:
        for path, status in (("/", 200), ("/h/no-such-link", 404)):
            page = web.get(path, headers={"Accept-Language": "ja"})
            assert page.status_code == status
            assert english_words(page.text) == [], path
        assert "is running" in web.get("/?lang=en").text
