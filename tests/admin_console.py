"""The admin console under test: its routes in a Starlette app over a real Store (SQLite in
tmp_path, or PostgreSQL), real users-file passwords, real rules files, and the real
inspection pipeline behind "test against a message". Its fixtures (sqlite_url, console,
admin) are in conftest.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from inspectors.base import Finding
from inspectors.message import Summary
from proxy.auth import Users, add_user
from proxy.check import envelope_of, report
from proxy.pipeline import InspectorConfig, build_inspectors, inspect_raw
from quarantine.admin import admin_routes
from quarantine.decisions import DecisionLog, DecisionRecord
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.records import HeldMessage
from quarantine.rule_versions import RuleVersions
from quarantine.store import Store
from rules import MessageFacts, RuleSet, decide
from rules.book import RuleBook

ADMIN, ADMIN_PW = "root@example.co.jp", "correct horse battery"
SENDER, SENDER_PW = "taro@example.co.jp", "sender password"
NOTICE_FROM = "guard@example.co.jp"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
RAW_SECRET = "RAW-BODY-SECRET-個人番号1234"
MY_NUMBER = Finding(code="pii.my_number", count=1, where=("body",), evidence=("****-****-9018",))
EXTERNAL = Finding(code="recipients.external", count=1, where=("envelope",), evidence=("p@client.example",))


def check_message(raw: bytes, rules: RuleSet) -> dict:
    """What proxy's `check --json --explain` prints, for the "test against a message" page."""
    envelope = envelope_of(raw)
    inspection = inspect_raw(
        raw, envelope, build_inspectors(InspectorConfig(internal_domains=("example.co.jp",)))
    )
    return report(inspection.findings, envelope, rules, with_explanation=True)


def held_message(
    qid: str,
    *,
    sender: str = SENDER,
    rcpt: str = "p@client.example",
    subject: str = "見積書",
    kind: str = "hold",
    rules: RuleSet | None = None,
) -> HeldMessage:
    rules = rules or RuleSet(rules=())
    decision = decide((MY_NUMBER, EXTERNAL), MessageFacts(mail_from=sender, rcpt_tos=(rcpt,)), rules)
    return HeldMessage(
        id=qid,
        mail_from=sender,
        rcpt_tos=(rcpt,),
        kind=kind,
        decision=decision,
        raw=f"Subject: x\r\n\r\n{RAW_SECRET}\r\n".encode(),
        findings=(MY_NUMBER, EXTERNAL),
        summary=Summary(subject=subject, attachments=(("顧客.xlsx", "application/vnd.ms-excel", 2048),)),
    )


@dataclass
class Console:
    client: TestClient
    store: Store
    decisions: DecisionLog
    rulebook: RuleBook
    rules_file: Path
    queued: list = field(default_factory=list)
    changed: list = field(default_factory=list)

    def run(self, fn, *args):
        """Run an async store call on the app's own event loop."""
        return self.client.portal.call(fn, *args)

    def login(self, login: str = ADMIN, password: str = ADMIN_PW, **kw):
        page = self.client.get("/admin/login")
        token = CSRF.search(page.text).group(1)
        return self.client.post(
            "/admin/login",
            data={"login": login, "password": password, "csrf": token},
            follow_redirects=False,
            **kw,
        )

    def csrf(self) -> str:
        return CSRF.search(self.client.get("/admin/messages").text).group(1)

    def hold(self, qid: str, expires_in: float = 3600, **kw) -> None:
        msg = held_message(qid, rules=self.rulebook.current, **kw)
        self.run(
            lambda: self.store.hold(msg, token=f"tok-{qid}", csrf="c", expires_at=time.time() + expires_in)
        )

    def record_decision(
        self, qid: str, at: float, findings=(MY_NUMBER, EXTERNAL), sender: str = SENDER
    ) -> None:
        facts = MessageFacts(mail_from=sender, rcpt_tos=("p@client.example",))
        self.decisions.record(
            DecisionRecord(
                id=qid,
                at=at,
                facts=facts,
                findings=tuple(findings),
                decision=decide(findings, facts, self.rulebook.current),
            )
        )
        self.run(self.decisions.flush)

    def console_text(self) -> str:
        """The console layer's newest text ("" before the first save)."""
        newest = self.run(RuleVersions(self.store).newest)
        return newest.text if newest else ""

    def version(self) -> str:
        """The newest version's id, as a rules form carries it."""
        return str(self.run(RuleVersions(self.store).newest_id))

    def set_console(self, text: str, author: str = "test") -> int:
        """Save `text` as the console layer's next version (unchecked, as a bad one would
        arrive from elsewhere) and let this console's RuleBook look at it."""
        versions = RuleVersions(self.store)

        async def save() -> int:
            version = await versions.save(text, author=author, base=await versions.newest_id())
            await self.rulebook.refresh()
            return version

        return self.run(save)

    def sql(self, statement: str, **params) -> list:
        from sqlalchemy import text

        async def go():
            async with self.store.engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return result.all() if result.returns_rows else []

        return self.run(go)


def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users"
    add_user(path, ADMIN, ADMIN_PW, "admin")
    add_user(path, SENDER, SENDER_PW, "sender")
    return path


async def _open(url: str, rulebook: RuleBook) -> Store:
    store = await Store.open(url)
    await rulebook.follow(RuleVersions(store))
    await store.engine.dispose()  # its pool is rebuilt on the TestClient's event loop
    return store


def open_console(
    tmp_path: Path,
    url: str,
    *,
    rule_files: int = 1,
    public_url: str = "http://127.0.0.1:8025",
    base_url: str = "http://testserver",
    zone: dt.tzinfo | None = None,
    outbox: Path | None = None,
    file_clients: tuple = (),
    file_suppressions: tuple = (),
    org_status=None,
):
    """A context manager yielding a Console (its times in `zone`: web.timezone; `outbox`: the
    Maildir of `upstream: maildir:`); an admin's decision queues the sender's notice
    (quarantine.holds, as the guard wires it), and file_* are the configuration's entries."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    rules_file = tmp_path / "local.yaml"  # a base file: the console saves versions in the store
    rules_file.write_text("rules: []\n", "utf-8")
    files = [rules_file, tmp_path / "more.yaml"][:rule_files]
    if rule_files > 1:
        files[1].write_text("rules: []\n", "utf-8")
    rulebook = RuleBook(files, {})
    store = asyncio.run(_open(url, rulebook))
    decisions = DecisionLog(store.engine)
    users = Users.load(users_file(tmp_path))
    queued, changed = [], []
    quarantine = Quarantine(
        store,
        HoldPolicy(public_url=public_url, hold_expiry=3600, notice_from=NOTICE_FROM),
        approvers=lambda sender: (),
        on_queued=lambda: None,
    )
    routes = admin_routes(
        store=store,
        decisions=decisions,
        rulebook=rulebook,
        verify_login=lambda login, pw: u.role if (u := users.check(login, pw)) else None,
        check_message=check_message,
        on_queued=lambda: queued.append(1),
        public_url=public_url,
        on_directory_changed=lambda: changed.append(1),
        zone=zone,
        outbox=outbox,
        on_admin_decided=quarantine.admin_decided,
        file_clients=file_clients,
        file_suppressions=file_suppressions,
        org_status=org_status,
    )
    return _Running(
        Starlette(routes=routes), store, decisions, rulebook, rules_file, queued, changed, base_url
    )


class _Running:
    def __init__(self, app, store, decisions, rulebook, rules_file, queued, changed, base_url):
        self.client = TestClient(app, base_url=base_url)
        self.console = Console(self.client, store, decisions, rulebook, rules_file, queued, changed)

    def __enter__(self) -> Console:
        self.client.__enter__()
        return self.console

    def __exit__(self, *exc) -> None:
        self.console.run(self.console.store.close)
        self.client.__exit__(*exc)


# --- what the page tests share (test_admin_pages_*.py, test_admin_postgres.py) ---------------


def post(c: Console, path: str, **data):
    """A form posted with the session's CSRF token, the redirect not followed."""
    return c.client.post(path, data={"csrf": c.csrf(), **data}, follow_redirects=False)


def upload(c: Console, path: str, name: str, content: bytes, **data):
    """A file posted as an import form posts it."""
    return c.client.post(path, data={"csrf": c.csrf(), **data}, files={"file": (name, content)})


def unescaped(response) -> str:
    return html.unescape(response.text)


GOOD = """rules:
  - id: sensitive-id-external
    mode: monitor
  - id: big-list
    description: A long list of phone numbers
    when: {code: pii.phone, min_count: 50}
    action: hold
"""


LEDGER = (
    "会社名,略称,ドメイン\n株式会社エー,A社;エー社,a-corp.co.jp\n株式会社ビー,,b.example\n"
    "株式会社シー,,c.example\n株式会社ディー,,d.example\n株式会社イー,,e.example\nF社,,a_corp\n"
)


def stats_data(c) -> float:
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
