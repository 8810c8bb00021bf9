"""The external recipient's pages of an attachment link (issue 19): /d/{token} shows what was
shared and changes nothing; a code mailed on request, entered, opens a 30-minute session; each
download is counted up to the share's maximum; a revoked or expired link says only that."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, update
from starlette.testclient import TestClient

from quarantine.download_reply import size_text
from quarantine.schema import audit, outbound, share_downloads, share_recipients
from quarantine.share_limits import MAX_FAILURES
from quarantine.store import Store
from quarantine.web import create_app
from rules.model import LinkTerms

from .download_share import BUYER, FILES, QID, SATO, SENDER, SUBJECT, TOKENS, Clock, Woken, pages, seed
from .page_words import english_words
from .sender_page import open_store

PAGE = f"/d/{TOKENS[BUYER]}"
CODE = "246810"
MASKED_WORDS = ("b", "s")  # the masked addresses' first letters: b***@client.example


@dataclass
class Site:
    web: TestClient
    clock: Clock
    woken: Woken
    store: Store
    client: list[str]  # the client address the next requests come from (request.client.host)

    def call(self, fn):
        portal = self.web.portal
        assert portal is not None
        return portal.call(fn)

    def rows(self, table, *where) -> list:
        async def read():
            async with self.store.reading() as conn:
                return list(await conn.execute(select(table).where(*where)))

        return self.call(read)

    def notices(self) -> list[dict]:
        return [json.loads(r.draft) for r in self.rows(outbound, outbound.c.kind == "notice")]

    def set_code(self, address: str = BUYER, code: str = CODE) -> None:
        """What the worker does when it mails the code: for the browser of the newest code
        request (the draft carries the hash of that browser's nonce cookie)."""
        drafts = [n for n in self.notices() if n["template"] == "download_code"]
        browser = drafts[-1]["args"]["browser"] if drafts else ""
        assert self.call(
            lambda: self.store.shares.set_code(QID, address, code, self.clock.now, browser=browser)
        )

    def csrf(self, path: str = PAGE) -> str:
        page = self.web.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)

    def verified(self, path: str = PAGE, address: str = BUYER) -> str:
        """Through the code flow; the CSRF value of the verified page."""
        csrf = self.csrf(path)
        assert self.web.post(f"{path}/code", data={"csrf": csrf}).status_code == 200
        self.set_code(address)
        answer = self.web.post(f"{path}/verify", data={"csrf": csrf, "code": CODE}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return csrf


@contextmanager
def site(tmp_path, terms: LinkTerms | None = None, files=FILES) -> Iterator[Site]:
    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    clock, woken = Clock(), Woken()
    app, client = create_app(pages(store, clock, woken)), ["testclient"]

    async def from_client(scope, receive, send):  # as behind the guard's own socket
        if scope["type"] == "http":
            scope = {**scope, "client": (client[0], 50000)}
        await app(scope, receive, send)

    # https: the cookies are Secure (public_url is https), a client sends them back only so.
    with TestClient(from_client, base_url="https://testserver") as web:
        s = Site(web, clock, woken, store, client)
        s.call(lambda: seed(store, terms=terms, files=files, now=clock.now))
        web.headers["Accept-Language"] = "ja"
        yield s
        s.call(store.close)


def test_the_page_shows_the_share_and_a_get_never_sends_a_code_nor_counts(tmp_path):
    with site(tmp_path) as s:
        for _ in range(5):
            page = s.web.get(PAGE)
            assert page.status_code == 200
        html = page.text
        assert SENDER in html and SUBJECT in html and "(JST)" in html
        assert all(f.name in html for f in FILES)
        assert "10.0 KB" in html and "5.9 KB" in html  # the sizes people read
        assert html.count("残り 3 / 3 回") == 2
        assert "b***@client.example" in html and BUYER not in html  # masked: the link may be forwarded
        assert "確認コードを送る" in html and 'id="download-1"' not in html
        assert english_words(html, allow=MASKED_WORDS) == []
        assert s.notices() == [] and s.rows(share_downloads) == [] and s.woken.count == 0
        actions = {r.action for r in s.rows(audit)}
        assert actions == {"held", "links_created", "link_sent"}  # nothing the GETs did
        cookie = page.headers["set-cookie"].lower()
        assert f"path={PAGE.lower()}" in cookie and "samesite=strict" in cookie
        assert "httponly" in cookie and "secure" in cookie
        assert (
            page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
        )


def test_english_by_accept_language_and_a_language_switch(tmp_path):
    with site(tmp_path) as s:
        en = s.web.get(PAGE, headers={"Accept-Language": "en-US,en;q=0.8"})
        assert "Files were shared with you" in en.text and "Email me a code" in en.text
        assert "3 of 3 downloads left" in en.text and 'href="?lang=ja"' in en.text
        ja = s.web.get(PAGE + "?lang=ja", headers={"Accept-Language": "en"})
        assert "ファイルが届いています" in ja.text and 'href="?lang=en"' in ja.text
        assert 'action="' + PAGE + '/code?lang=ja"' in ja.text  # the choice follows the forms


def test_the_code_is_asked_for_entered_and_the_file_downloads_byte_identical(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        sent = s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        assert sent.status_code == 200 and "確認コードを送りました" in sent.text
        assert "b***@client.example 宛てに6桁の確認コード" in sent.text and 'name="code"' in sent.text
        assert english_words(sent.text, allow=MASKED_WORDS) == []
        [draft] = s.notices()
        assert draft["template"] == "download_code" and draft["role"] == "download_code"
        assert draft["actor"] == BUYER and draft["base_url"] == "https://guard.example.co.jp"
        assert draft["args"]["minutes"] == 10 and draft["args"]["sender"] == SENDER
        assert draft["args"]["subject"] == SUBJECT and draft["args"]["notice_from"] == "guard@example.co.jp"
        [row] = s.rows(outbound)
        assert json.loads(row.rcpt_tos) == [BUYER] and s.woken.count == 1

        s.set_code()
        answer = s.web.post(
            f"{PAGE}/verify", data={"csrf": csrf, "code": " 246 810 "}, follow_redirects=False
        )
        assert answer.status_code == 303 and answer.headers["location"] == PAGE
        cookie = answer.headers["set-cookie"].lower()
        assert cookie.startswith("session=") and "max-age=1800" in cookie and "httponly" in cookie
        # Lax: the link opened again from webmail (another site) still finds the downloads open.
        assert "samesite=lax" in cookie and "secure" in cookie and f"path={PAGE.lower()}" in cookie

        page = s.web.get(PAGE)
        assert "確認が済みました" in page.text and 'id="download-1"' in page.text
        assert english_words(page.text, allow=MASKED_WORDS) == []
        got = s.web.post(f"{PAGE}/file/1", data={"csrf": csrf})
        assert got.status_code == 200 and got.content == FILES[0].data
        assert got.headers["content-type"] == "application/octet-stream"
        assert (
            got.headers["x-content-type-options"] == "nosniff" and got.headers["cache-control"] == "no-store"
        )
        assert (
            "filename*=UTF-8''%E5%BE%A1%E8%A6%8B%E7%A9%8D%E6%9B%B8_2026" in got.headers["content-disposition"]
        )
        assert len(s.rows(share_downloads)) == 1
        assert "残り 2 / 3 回" in s.web.get(PAGE).text

        first = [n for n in s.notices() if n["template"] == "first_download"]
        assert len(first) == 1 and first[0]["role"] == "sender" and first[0]["actor"] == SENDER
        assert first[0]["args"]["recipient"] == BUYER and first[0]["args"]["file_name"] == FILES[0].name
        assert "(JST)" in first[0]["args"]["when_text"]
        assert s.web.post(f"{PAGE}/file/2", data={"csrf": csrf}).content == FILES[1].data
        assert len([n for n in s.notices() if n["template"] == "first_download"]) == 1  # the first only


def test_no_first_download_notice_when_the_sender_did_not_ask(tmp_path):
    with site(tmp_path, terms=LinkTerms(notify=False)) as s:
        csrf = s.verified()
        assert s.web.post(f"{PAGE}/file/1", data={"csrf": csrf}).status_code == 200
        assert [n["template"] for n in s.notices()] == ["download_code"]


def test_five_wrong_codes_lock_it_and_a_new_code_opens_again(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        s.set_code()
        for left in (4, 3, 2, 1):
            wrong = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": "000000"})
            assert wrong.status_code == 400 and f"あと {left} 回入力できます" in wrong.text
        locked = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": "000000"})
        assert "このコードは使えなくなりました" in locked.text
        right = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": CODE}, follow_redirects=False)
        assert right.status_code == 400 and "このコードは使えなくなりました" in right.text
        assert "session=" not in right.headers.get("set-cookie", "")
        assert english_words(right.text, allow=MASKED_WORDS) == []
        s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        s.set_code(code="135790")
        ok = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": "135790"}, follow_redirects=False)
        assert ok.status_code == 303


def test_a_code_expires_after_ten_minutes(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        s.set_code()
        s.clock.now += 601
        late = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": CODE})
        assert late.status_code == 400 and "有効期限が切れました。新しいコード" in late.text


def test_a_code_field_that_is_no_code_is_said_at_once_and_not_counted(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        s.set_code()
        for typed in ("abc", "12345", "1234567", "9" * 3000, ""):
            bad = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": typed})
            assert bad.status_code == 400 and "6桁の数字です" in bad.text
        huge = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": "9" * 5000})
        assert huge.status_code == 400 and "操作できませんでした" in huge.text  # over 4 KB a field
        wrong = s.web.post(f"{PAGE}/verify", data={"csrf": csrf, "code": "111111"})
        assert "あと 4 回" in wrong.text  # the malformed ones were not attempts
        wide = s.web.post(
            f"{PAGE}/verify", data={"csrf": csrf, "code": "２４６ ８１０"}, follow_redirects=False
        )
        assert wide.status_code == 303  # full-width digits from a Japanese keyboard


def test_verifying_before_any_code_was_sent(tmp_path):
    with site(tmp_path) as s:
        answer = s.web.post(f"{PAGE}/verify", data={"csrf": s.csrf(), "code": CODE})
        assert answer.status_code == 400 and "まだ確認コードが送られていません" in answer.text


def test_the_download_limit(tmp_path):
    with site(tmp_path, terms=LinkTerms(max_downloads=2)) as s:
        csrf = s.verified()
        for _ in range(2):
            assert s.web.post(f"{PAGE}/file/1", data={"csrf": csrf}).content == FILES[0].data
        third = s.web.post(f"{PAGE}/file/1", data={"csrf": csrf})
        assert third.status_code == 403 and "ダウンロード回数の上限に達しました" in third.text
        assert FILES[0].data not in third.content and english_words(third.text) == []
        page = s.web.get(PAGE).text
        assert "残り 0 / 2 回" in page and 'id="download-1"' not in page and 'id="download-2"' in page
        assert len(s.rows(share_downloads)) == 2


def test_too_many_code_requests(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        for _ in range(5):
            assert s.web.post(f"{PAGE}/code", data={"csrf": csrf}).status_code == 200
        sixth = s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        assert sixth.status_code == 429 and "確認コードの送信が多すぎます" in sixth.text
        assert english_words(sixth.text) == []
        assert len(s.notices()) == 5


def _reveals_nothing(html: str) -> None:
    for secret in (SUBJECT, SENDER, BUYER, "b***", *(f.name for f in FILES), "KB"):
        assert secret not in html


def test_a_revoked_link_says_so_and_reveals_nothing(tmp_path):
    with site(tmp_path) as s:
        csrf = s.verified()
        assert s.call(lambda: s.store.shares.revoke(QID, "sender", None, s.clock.now))
        page = s.web.get(PAGE)
        assert page.status_code == 410 and "送信者がこのリンクを停止しました" in page.text
        _reveals_nothing(page.text)
        assert english_words(page.text) == []
        again = s.web.post(f"{PAGE}/file/1", data={"csrf": csrf})
        assert again.status_code == 410 and FILES[0].data not in again.content
        _reveals_nothing(again.text)
        assert s.web.post(f"{PAGE}/code", data={"csrf": csrf}).status_code == 410
        assert s.rows(share_downloads) == []
        en = s.web.get(PAGE, headers={"Accept-Language": "en"})
        assert "The sender has stopped this link" in en.text


def test_an_expired_link_and_a_purged_one(tmp_path):
    with site(tmp_path, terms=LinkTerms(expiry=3600)) as s:
        s.clock.now += 3601
        page = s.web.get(PAGE)
        assert page.status_code == 410 and "有効期限が切れました" in page.text
        _reveals_nothing(page.text)
        assert english_words(page.text) == []
        assert s.call(lambda: s.store.shares.purge(s.clock.now)) == 1
        purged = s.web.get(PAGE)
        assert purged.status_code == 410 and "有効期限が切れました" in purged.text
        _reveals_nothing(purged.text)


def test_an_unknown_link(tmp_path):
    with site(tmp_path) as s:
        for path in ("/d/nosuchtoken0000000000", "/d/" + "x" * 500, "/d/tok%00"):
            page = s.web.get(path)
            assert page.status_code == 404 and "リンクが見つかりません" in page.text
            _reveals_nothing(page.text)
            assert english_words(page.text) == []


def test_each_recipient_counts_alone(tmp_path):
    with site(tmp_path, terms=LinkTerms(max_downloads=1)) as s:
        csrf = s.verified()
        assert s.web.post(f"{PAGE}/file/1", data={"csrf": csrf}).status_code == 200
        other = f"/d/{TOKENS[SATO]}"
        assert "残り 1 / 1 回" in s.web.get(other).text
        csrf2 = s.verified(other, SATO)
        assert s.web.post(f"{other}/file/1", data={"csrf": csrf2}).content == FILES[0].data


def test_sizes_as_people_read_them():
    assert [size_text(n) for n in (0, 9, 1023, 1024, 10 * 1024, 999 * 1024, 3_500_000, 300 * 2**20)] == [
        "0 bytes",
        "9 bytes",
        "1023 bytes",
        "1.0 KB",
        "10.0 KB",
        "999.0 KB",
        "3.3 MB",
        "300.0 MB",
    ]


def test_the_code_request_sets_this_browsers_nonce_cookie(tmp_path):
    with site(tmp_path) as s:
        answer = s.web.post(f"{PAGE}/code", data={"csrf": s.csrf()})
        nonce = [c for c in answer.headers.get_list("set-cookie") if c.startswith("nonce=")]
        assert len(nonce) == 1
        cookie = nonce[0].lower()
        assert f"path={PAGE.lower()}" in cookie and "samesite=strict" in cookie and "httponly" in cookie
        assert "max-age=600" in cookie and "secure" in cookie
        [draft] = s.notices()
        value = s.web.cookies.get("nonce", path=PAGE)
        assert value and value not in json.dumps(draft), "only its hash leaves the browser"


def test_a_recipient_stopped_by_fifty_wrong_codes_is_told_to_ask_the_sender(tmp_path):
    with site(tmp_path) as s:

        async def stop():
            async with s.store.writing() as conn:
                await conn.execute(update(share_recipients).values(code_failures=MAX_FAILURES))

        s.call(stop)
        csrf = s.csrf()
        asked = s.web.post(f"{PAGE}/code", data={"csrf": csrf})
        assert asked.status_code == 403 and "送信者に連絡して、再開を依頼してください" in asked.text
        assert english_words(asked.text) == [] and s.notices() == []
        en = s.web.post(f"{PAGE}/code?lang=en", data={"csrf": csrf})
        assert "Ask the sender" in en.text


def test_a_large_body_is_refused_before_anything_is_looked_up(tmp_path):
    with site(tmp_path) as s:
        csrf = s.csrf()
        big = s.web.post(f"{PAGE}/code", data={"csrf": csrf, "pad": "x" * 20_000})
        assert big.status_code == 413

        def chunks():  # no Content-Length: counted as it streams
            yield f"csrf={csrf}&pad=".encode()
            for _ in range(40):
                yield b"x" * 1000

        streamed = s.web.post(
            f"{PAGE}/code", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert streamed.status_code == 413
        many = s.web.post(f"{PAGE}/code", data={"csrf": csrf, **{f"f{i}": "1" for i in range(10)}})
        assert many.status_code == 400, "at most 8 fields"
        assert s.notices() == []
