"""The admin console served by uvicorn on a free port, on its own event loop in a thread, for
the browser tests (a module seeds its own messages by overriding `seed`), and an admin's
login through its form.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from starlette.applications import Starlette

from proxy.auth import Users
from quarantine.admin import admin_routes
from quarantine.decisions import DecisionLog, DecisionRecord
from quarantine.rule_versions import RuleVersions
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
from .served import Served


class Server(Served):
    """The console as the guard would serve it, over recorded traffic and held messages."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.rules_file = tmp_path / "local.yaml"  # the base file: the console saves versions
        self.rules_file.write_text("rules: []\n", "utf-8")

    def console_text(self) -> str:
        """The console layer's newest text ("" before the first save)."""

        async def newest() -> str:
            version = await RuleVersions(self.store).newest()
            return version.text if version else ""

        return asyncio.run_coroutine_threadsafe(newest(), self.loop).result(10)

    def fresh_console(self) -> None:
        """The console layer back to no rules (a new version), in force at once."""

        async def reset() -> None:
            versions = RuleVersions(self.store)
            newest = await versions.newest()
            if newest and newest.text != "rules: []\n":
                await versions.save("rules: []\n", author="test", base=newest.id)
            await self.rulebook.refresh()

        asyncio.run_coroutine_threadsafe(reset(), self.loop).result(10)

    def app(self) -> Starlette:
        self.rulebook = RuleBook([self.rules_file], {})
        self.loop.run_until_complete(self.rulebook.follow(RuleVersions(self.store)))
        users = Users.load(users_file(self.tmp_path))
        return Starlette(
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

    def options(self) -> dict:
        """More of admin_routes' arguments, for a test module's own server."""
        return {}

    async def seed(self) -> None:
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


def log_in(page, server: Server, path: str) -> None:
    """Open `path` of the console, log in there as the admin, and come back to it."""
    page.goto(f"{server.url}{path}")
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", ADMIN_PW)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{path}")
