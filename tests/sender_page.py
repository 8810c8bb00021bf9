"""The sender's page of one held message, served as the guard serves it: a store opened for a
TestClient, the Quarantine and Pages the guard builds, and the message held under tok-Q1."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.testclient import TestClient

from inspectors.base import Envelope, Finding
from inspectors.message import Summary
from inspectors.recipients import ExternalRecipients
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.judgement import Judge, Judgement
from quarantine.metrics import Metrics
from quarantine.records import HeldMessage
from quarantine.store import Store
from quarantine.web import Pages, create_app
from rules import MessageFacts, decide, load_rules


def open_store(url: str) -> Store:
    async def open_() -> Store:
        store = await Store.open(url)
        await store.engine.dispose()  # its pool is rebuilt on the TestClient's loop
        return store

    return asyncio.run(open_())


def guard_pages(store: Store, quarantine: Quarantine, judge: Judge, internal: str, **options) -> Pages:
    """The guard's pages over `store`, with no outbox; `options`: more of Pages' arguments
    (zone, clock)."""
    return Pages(
        store=store,
        is_external=ExternalRecipients((internal,)).is_external,
        outbox=None,
        on_queued=lambda: None,
        quarantine=quarantine,
        metrics=Metrics(),
        judge=judge,
        **options,
    )


@contextmanager
def serving(
    store: Store, msg: HeldMessage, internal: str, notice_from: str, judge: Judge | None = None
) -> Iterator[TestClient]:
    """The web app with `msg` held; `judge` (a fix's judgement) finds what was found before
    unless the test brings its own."""

    async def unchanged(
        raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
    ) -> Judgement:
        return Judgement(
            findings=msg.findings, summary=msg.summary, seconds=0.0, decision=msg.decision, raw=raw
        )

    quarantine = Quarantine(
        store,
        HoldPolicy(public_url="http://127.0.0.1:8025", hold_expiry=3600, notice_from=notice_from),
        approvers=lambda sender: (),
        on_queued=lambda: None,
    )
    pages = guard_pages(store, quarantine, unchanged if judge is None else judge, internal)
    with TestClient(create_app(pages)) as web:
        portal = web.portal
        assert portal is not None  # set while the client is open
        portal.call(lambda: store.hold(msg, token="tok-Q1", csrf="c", expires_at=time.time() + 3600))
        yield web
        portal.call(store.close)


def why(html: str) -> str:
    """The reasons section without its collapsed technical details."""
    section = re.search(r'<section id="why">(.*?)</section>', html, re.S)
    assert section, "the page has no reasons section"
    return re.sub(r'<details class="tech">.*?</details>', "", section.group(1), flags=re.S)


def held_on(raw: bytes, env: Envelope, findings: tuple[Finding, ...], summary: Summary) -> HeldMessage:
    """The message as the handler holds it on these findings: the shipped rules decide."""
    facts = MessageFacts(mail_from=env.mail_from, rcpt_tos=env.rcpt_tos)
    return HeldMessage(
        id="Q1",
        mail_from=env.mail_from,
        rcpt_tos=env.rcpt_tos,
        raw=raw,
        decision=decide(list(findings), facts, load_rules()),
        findings=findings,
        summary=summary,
    )
