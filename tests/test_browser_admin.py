"""A real browser in the admin console: Debian's chromium driven by Playwright, against the
console's routes served by uvicorn on a free port. An admin logs in, sees a bad rules draft
refused with the field named, saves a good one, replays it over recorded traffic, and looks
at a held message and the statistics (the phone-sized screenshots).

Screenshots go to tests/output/ (gitignored).
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from proxy.auth import Users
from quarantine.admin import admin_routes
from quarantine.decisions import DecisionLog, DecisionRecord
from quarantine.store import Store
from rules import MessageFacts, decide
from rules.book import RuleBook

from .admin_console import (
    ADMIN,
    ADMIN_PW,
    EXTERNAL,
    MY_NUMBER,
    SENDER,
    check_message,
    held_message,
    users_file,
)
from .browser import OUTPUT, chromium
from .support import free_port, wait_until

pytestmark = pytest.mark.browser

BAD = "rules:\n  - id: big-list\n    when: {code: pii.phone, min_count: 50}\n    action: shout\n"
GOOD = (
    "rules:\n  - id: sensitive-id-external\n    mode: monitor\n"
    "  - id: big-list\n    description: 50 or more phone numbers\n"
    "    when: {code: pii.phone, min_count: 50}\n    action: hold\n"
)


class Server:
    """The console on its own event loop in a thread, as the guard would serve it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.rules_file = tmp_path / "local.yaml"
        self.rules_file.write_text("rules: []\n", "utf-8")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()
        self.server: uvicorn.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.store = self.loop.run_until_complete(
            Store.open(f"sqlite+aiosqlite:///{self.tmp_path / 'guard.db'}")
        )
        self.rulebook = RuleBook([self.rules_file], {})
        self.loop.run_until_complete(self._seed())
        users = Users.load(users_file(self.tmp_path))
        app = Starlette(
            routes=admin_routes(
                store=self.store,
                decisions=DecisionLog(self.store.engine),
                rulebook=self.rulebook,
                verify_login=lambda login, pw: u.role if (u := users.check(login, pw)) else None,
                check_message=check_message,
                on_queued=lambda: None,
                public_url=self.url,
                **self.options(),
            )
        )
        self.server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False
            )
        )
        self.ready.set()
        self.loop.run_until_complete(self.server.serve())
        self.loop.run_until_complete(self.store.close())
        self.loop.close()  # and its self-pipe: not left to the collector

    def options(self) -> dict:
        """More of admin_routes' arguments, for a test module's own server."""
        return {}

    async def _seed(self) -> None:
        """Recorded traffic for replay and statistics, and two held messages."""
        decisions, now = DecisionLog(self.store.engine), time.time()
        for i in range(12):
            findings = (MY_NUMBER, EXTERNAL) if i % 3 else (EXTERNAL,)
            facts = MessageFacts(mail_from=SENDER, rcpt_tos=("p@client.example",))
            qid = f"B{i:02d}"
            decision = decide(findings, facts, self.rulebook.current)
            decisions.record(
                DecisionRecord(id=qid, at=now - i * 36000, facts=facts, findings=findings, decision=decision)
            )
            if decision.verdict == "hold":
                await self.store.hold(
                    held_message(qid, rules=self.rulebook.current, subject=f"見積書 No.{i}"),
                    token=f"t{qid}",
                    csrf="c",
                    expires_at=now + 3600,
                )
                if i % 2:
                    await self.store.decide_hold(qid, "released", actor="sender", client_addr=None)
        await decisions.flush()

    def start(self) -> Server:
        self.thread.start()
        assert self.ready.wait(20)
        wait_until(lambda: self.server and self.server.started, "the console did not start", timeout=20)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path).start()
    yield s
    s.stop()


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def test_admin_edits_a_rule_and_sees_the_replay(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ja-JP")
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/admin/rules")
    assert "/admin/login" in page.url
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", ADMIN_PW)
    page.screenshot(path=str(OUTPUT / "admin-login.png"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/admin/rules")
    cookie = next(c for c in page.context.cookies() if c["name"] == "mdg_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"

    page.fill("textarea[name=draft]", BAD)
    page.click("text=検証して保存")
    error = page.locator("#draft-status")
    assert "4行目: rules[0].action: 'shout' は使えません" in error.inner_text()
    assert server.rules_file.read_text() == "rules: []\n"
    page.screenshot(path=str(OUTPUT / "admin-rules-error.png"), full_page=True)

    page.fill("textarea[name=draft]", GOOD)
    page.click("text=検証して保存")
    page.wait_for_url(f"{server.url}/admin/rules?saved=1*")  # the form's #draft-status kept
    assert "保存して、読み込み直しました" in page.inner_text("main")
    rules = page.locator("#rule-big-list")
    assert "50 or more phone numbers" in rules.inner_text()
    assert str(server.rules_file) in rules.inner_html()
    assert server.rules_file.read_text() == GOOD
    assert server.rulebook.current.rules[0].mode == "monitor"
    page.screenshot(path=str(OUTPUT / "admin-rules-saved.png"), full_page=True)

    page.fill("textarea[name=draft]", "rules:\n  - id: sensitive-id-external\n    mode: enforce\n")
    page.select_option("select[name=days]", "7")
    page.click("text=下書きで再評価")
    table = page.locator("#replay-table")
    table.wait_for()
    assert "sensitive-id-external" in table.inner_text()
    assert "12 通を再評価し、判定が変わるものは 8 通です。" in page.inner_text("#replay-result")
    page.locator("#replay-result").scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "admin-rules-replay.png"), full_page=True)
    page.close()


def test_admin_on_a_phone_sees_a_held_message_and_the_statistics(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/admin/messages")
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", ADMIN_PW)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/admin/messages")
    page.screenshot(path=str(OUTPUT / "admin-messages-phone.png"), full_page=True)
    page.click("text=見積書 No.2")
    assert "****-****-9018" in page.inner_text("main")
    page.click("button[value=release]")
    page.wait_for_url("**/admin/messages/B02?done=released")
    assert f"administrator {ADMIN}" in page.inner_text("#trail"), "the browser asks for English"
    page.screenshot(path=str(OUTPUT / "admin-message-phone.png"), full_page=True)
    page.goto(f"{server.url}/admin/stats")
    assert page.locator("#rule-stats svg").count() >= 1
    page.screenshot(path=str(OUTPUT / "admin-stats-phone.png"), full_page=True)
    context.close()
