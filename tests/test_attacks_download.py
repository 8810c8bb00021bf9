"""Attacks on the recipient's download pages (issue 19): forged POSTs (no CSRF pair), a
session borrowed from another recipient's link, file numbers that are paths or huge, hostile
tokens, and file names written to break the Content-Disposition header or the file system."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from quarantine.download_reply import ascii_name, disposition, safe_name
from quarantine.schema import outbound, share_downloads

from .download_share import BUYER, FILES, SATO, TOKENS, File
from .page_words import english_words
from .test_download_pages import CODE, PAGE, site

OTHER = f"/d/{TOKENS[SATO]}"


def test_posts_without_the_csrf_pair_are_refused_and_do_nothing(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        for path, data in (
            (f"{PAGE}/code", {}),
            (f"{PAGE}/code", {"csrf": "x" * 32}),
            (f"{PAGE}/verify", {"code": CODE}),
            (f"{PAGE}/file/1", {}),
        ):
            answer = s.web.post(path, data=data)
            assert answer.status_code == 403 and "操作できませんでした" in answer.text, path
            assert english_words(answer.text) == [] and FILES[0].name not in answer.text
        # The field without the cookie (a foreign site's form: Strict keeps the cookie home).
        s.web.cookies.clear()
        answer = s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        assert answer.status_code == 403
        assert s.rows(outbound) == [] and s.rows(share_downloads) == [] and s.woken.count == 0


def test_posts_to_an_unknown_link_are_not_found(tmp_path):
    with site(tmp_path) as s:
        csrf = s.verified()
        for tail in ("/code", "/verify", "/file/1"):
            answer = s.web.post("/d/tokUnknown0123456789abcd" + tail, data={"csrf": csrf, "code": CODE})
            assert answer.status_code == 404 and "リンクが見つかりません" in answer.text
        assert [n["template"] for n in s.notices()] == ["download_code"] and s.rows(share_downloads) == []


def test_a_session_is_good_for_its_own_link_only(tmp_path):
    with site(tmp_path) as s:
        s.verified()
        session = s.web.cookies.get("session", path=PAGE)
        assert session
        # The buyer's session cookie presented on Sato's link (and a CSRF pair of that link).
        csrf = s.csrf(OTHER)
        s.web.cookies.set("session", session, domain="testserver.local", path=OTHER)
        page = s.web.get(OTHER)
        assert 'id="download-1"' not in page.text and "確認コードを送る" in page.text
        stolen = s.web.post(f"{OTHER}/file/1", data={"csrf": csrf})
        assert stolen.status_code == 403 and FILES[0].data not in stolen.content
        assert "確認が必要です" in stolen.text
        assert s.rows(share_downloads) == []
        # The same cookies set the same way on the buyer's own link do download: the refusal
        # above was the link's, not a cookie the client failed to send.
        own_csrf = s.web.cookies.get("csrf", path=PAGE)
        s.web.cookies.clear()
        for name, value in (("session", session), ("csrf", own_csrf)):
            s.web.cookies.set(name, value, domain="testserver.local", path=PAGE)
        assert s.web.post(f"{PAGE}/file/1", data={"csrf": own_csrf}).content == FILES[0].data


def test_a_forged_or_stale_session_downloads_nothing(tmp_path):
    with site(tmp_path) as s:
        csrf = s.verified()
        s.web.cookies.set("session", "A" * 43, domain="testserver.local", path=PAGE)
        assert s.web.post(f"{PAGE}/file/1", data={"csrf": csrf}).status_code == 403
        with site(tmp_path / "later") as t:  # a real session, 31 minutes later
            csrf = t.verified()
            t.clock.now += 1801
            assert t.web.post(f"{PAGE}/file/1", data={"csrf": csrf}).status_code == 403
            assert t.rows(share_downloads) == []


@pytest.mark.parametrize(
    "n", ["0", "3", "99999", "999999999999999999999", "-1", "1.0", "%2e%2e", "..%2f..%2fetc%2fpasswd", "1%00"]
)
def test_file_numbers_that_are_no_file_are_not_found(tmp_path, n):
    with site(tmp_path) as s:
        csrf = s.verified()
        answer = s.web.post(f"{PAGE}/file/{n}", data={"csrf": csrf})
        assert answer.status_code == 404, n
        assert s.rows(share_downloads) == []


def test_paths_beyond_the_routes(tmp_path):
    with site(tmp_path) as s:
        csrf = s.verified()
        for path in (f"{PAGE}/file/1/../../2", f"{PAGE}/file/", f"{PAGE}/../d/{TOKENS[SATO]}"):
            answer = s.web.post(path, data={"csrf": csrf})
            assert answer.status_code in (404, 405), path
            assert FILES[0].data not in answer.content and FILES[1].data not in answer.content
        assert s.rows(share_downloads) == []


def test_a_get_of_a_post_address_goes_back_to_the_page(tmp_path):
    with site(tmp_path) as s:
        for tail in ("/code", "/verify", "/file/1"):
            answer = s.web.get(PAGE + tail + "?lang=en", follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"] == PAGE + "?lang=en"
        assert s.rows(outbound) == [] and s.rows(share_downloads) == []


HOSTILE = (
    'say "hi".txt',
    "evil\r\nSet-Cookie: session=x.txt",
    "../../etc/passwd",
    "..\\..\\windows\\system.ini",
    "請求書 2026年12月.pdf",
    "invoice\u202ecod.exe",
    ".htaccess",
    "a;b=c%20d.txt",
    "",
    "名" * 400 + ".xlsx",
)


@pytest.mark.parametrize("name", HOSTILE)
def test_content_disposition_of_hostile_names(name):
    header = disposition(name)
    assert "\r" not in header and "\n" not in header and header.isascii()
    plain = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~-]+)', header)
    assert plain, header
    fallback, encoded = plain.group(1), unquote(plain.group(2))
    assert encoded == safe_name(name) and fallback == ascii_name(encoded)
    for part in (fallback, encoded):
        assert "/" not in part and "\\" not in part and not part.startswith(".") and "\u202e" not in part
        assert 0 < len(part) <= 150
    if name.endswith((".xlsx", ".pdf")):
        assert encoded.endswith(name[-5:].lstrip(" ")) or encoded.endswith(name[-4:])


def test_a_hostile_name_downloads_under_its_safe_name(tmp_path):
    evil = File('../"請求書"\r\n.pdf', "application/pdf", b"%PDF-evil")
    with site(tmp_path, files=(evil,)) as s:
        csrf = s.verified()
        page = s.web.get(PAGE).text
        assert "\r\n.pdf" not in page  # shown as one line
        got = s.web.post(f"{PAGE}/file/1", data={"csrf": csrf})
        assert got.content == b"%PDF-evil"
        header = got.headers["content-disposition"]
        assert header == (
            # stored with the line break as spaces (share_rows.safe_text), sent as written then
            "attachment; filename=\"_____  .pdf\"; filename*=UTF-8''%22%E8%AB%8B%E6%B1%82%E6%9B%B8%22%20%20.pdf"
        )


def test_the_code_mail_goes_to_the_links_own_address_only(tmp_path):
    with site(tmp_path) as s:
        # A form that names another address (or many) changes nothing: the link decides.
        s.web.post(f"{PAGE}/code", data={"csrf": s.csrf(), "address": "attacker@evil.example", "to": SATO})
        [row] = s.rows(outbound)
        assert row.rcpt_tos == f'["{BUYER}"]'
