"""Approvers from the org chart, end to end (issue 21): a real guard process whose chart is the
database's copy (as the sync leaves it), mail held for approval and the approval requests
recorded by a real upstream: the sender's manager and his deputy are asked; when the manager
leaves the directory the deputy alone is; when the sender moves department the other
department's rule holds his mail for the approver that rule names."""

from __future__ import annotations

import asyncio
import time

import pytest

from quarantine.org_chart import OrgGroup, OrgSnapshot, Person
from quarantine.org_store import OrgStore
from quarantine.store import Store

from .support import free_port, make_guard, message, wait_until

pytestmark = pytest.mark.process

D = "example.co.jp"
BOSS = Person(mail=f"boss@{D}", name="社長", department="経営")
MGR = Person(mail=f"mgr@{D}", name="部長", department="営業", manager=BOSS.mail)
TARO = Person(mail=f"taro@{D}", name="山田 太郎", department="営業", manager=MGR.mail)
CHIEF = f"chief@{D}"  # the soumu rule's own approver
RULES = f"""rules:
  - id: sales-approval
    when: {{recipients: external}}
    action: hold_for_approval
    scope: {{senders: ['group:sales']}}
  - id: soumu-approval
    when: {{recipients: external}}
    action: hold_for_approval
    scope: {{senders: ['group:soumu']}}
    approvers: [{CHIEF}]
"""


def apply(url: str, *people: Person, groups: tuple[OrgGroup, ...]) -> None:
    """What a sync leaves in the database: the guard's cache sees it within its poll."""

    async def go() -> None:
        store = await Store.open(url)
        try:
            await OrgStore(store).apply(OrgSnapshot(people=people, groups=groups), now=time.time())
        finally:
            await store.close()

    asyncio.run(go())


def test_approval_follows_the_org_chart(tmp_path, upstream):
    url = f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}"
    apply(url, BOSS, MGR, TARO, groups=(OrgGroup(name="sales", members=(TARO.mail, MGR.mail)),))
    rules = tmp_path / "org.yaml"
    rules.write_text(RULES, "utf-8")
    guard = make_guard(
        tmp_path,
        upstream.url,
        organization={
            "internal_domains": [D],
            "groups": {"everyone": {"members": [f"@{D}"], "approvers": ["manager", "manager_of_manager"]}},
        },
        rules=[str(rules)],
        # Nobody listens there: the copy in the database is the one in force.
        directory={"url": f"ldaps://127.0.0.1:{free_port()}", "people": {"base": "ou=people,dc=example"}},
    )
    recorder = upstream.recorder
    try:
        guard.start()

        def held_for(*approvers: str) -> None:
            before = {a: len(recorder.to(a)) for a in (MGR.mail, BOSS.mail, CHIEF)}
            code, _ = guard.submit(message(subject="見積書"), TARO.mail)
            assert code == 250
            wait_until(
                lambda: all(len(recorder.to(a)) > before[a] for a in approvers),
                lambda: f"no approval request to {approvers}: {[m.rcpt_tos for m in recorder.messages]}",
            )
            asked = {a for a in before if len(recorder.to(a)) > before[a]}
            assert asked == set(approvers)

        def reloaded(count: int) -> None:
            wait_until(lambda: guard.log.count("event=org_reloaded") >= count, "the chart was not reloaded")

        # The directory says taro's manager is mgr, whose manager is boss: both are asked.
        held_for(MGR.mail, BOSS.mail)

        # mgr leaves the directory; taro's entry still names him: the deputy alone is asked.
        reloads = guard.log.count("event=org_reloaded")
        apply(url, BOSS, TARO, groups=(OrgGroup(name="sales", members=(TARO.mail,)),))
        reloaded(reloads + 1)
        held_for(BOSS.mail)

        # taro moves to 総務: the soumu rule holds his mail, for the approver it names.
        reloads = guard.log.count("event=org_reloaded")
        moved = Person(mail=TARO.mail, name=TARO.name, department="総務", manager=BOSS.mail)
        apply(url, BOSS, moved, groups=(OrgGroup(name="soumu", members=(TARO.mail,)),))
        reloaded(reloads + 1)
        held_for(CHIEF)
        assert "taro" not in guard.log and "山田" not in guard.log  # counts, never people
    finally:
        guard.stop()
