"""Notices that cannot be abused (issue 11: items 4, 7, 8).

4. A subject (or comment, or address) cannot break a notice's header or add lines to it.
7. Nobody approves his own mail: the request goes to the deputies, then to an admin.
8. No working link at rest: every token ever mailed is absent from every file of the guard.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import hashlib
import quopri
import re
import time
from pathlib import Path

import httpx
import pytest

from inspectors.message import Summary
from proxy.auth import add_user
from quarantine.delivery import TemporaryFailure
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.outcome_notice import approval_result
from quarantine.store import Store
from quarantine.worker import Worker
from rules.model import Decision, MatchedRule

from .support import LINK, MY_NUMBER_BODY, message

SENDER = "taro@example.co.jp"


def _b64(text: str) -> str:
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def _links(data: bytes) -> list[str]:
    return [m.decode() for m in LINK.findall(quopri.decodestring(data))]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


# ---- 4. sanitised notices -------------------------------------------------------------------

EVIL_SUBJECTS = {
    "crlf_bcc": _b64("請求書\r\nBcc: x@evil.example\r\n"),
    "u2028": _b64("請求書\u2028Bcc: x@evil.example\u2028"),
    "u2029": _b64("請求書\u2029http://evil.example/h/steal\u2029"),
    # An encoded word inside an encoded word: decoded once by the guard, then again by the
    # header parser of the notice, into a header of its own.
    "nested": _b64(_b64("請求書\r\nBcc: x@evil.example\r\n")),
    "fake_link_line": _b64(
        "請求書\nReview page (opening the link changes nothing):\nhttp://evil.example/h/steal\u202e"
    ),
}
NOTICE_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "auto-submitted",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}


@pytest.mark.parametrize("subject", EVIL_SUBJECTS.values(), ids=EVIL_SUBJECTS.keys())
def test_a_subject_with_line_breaks_is_held_and_its_notice_stays_one_line(guard, upstream, subject):
    code, text = guard.submit(message(subject, MY_NUMBER_BODY), SENDER)
    assert code == 250 and b"Held" in text
    [notice] = upstream.recorder.wait_for(1)
    assert notice.rcpt_tos == [SENDER]
    parsed = email.message_from_bytes(notice.data, policy=email.policy.default)
    assert {name.lower() for name in parsed} <= NOTICE_HEADERS, "an injected header"
    shown = str(parsed["Subject"])
    assert shown.startswith("[送信保留 / Held]")
    assert "請求書" in shown or subject == EVIL_SUBJECTS["nested"]  # shown as text, not decoded again
    assert not set(shown) & {"\r", "\n", "\u2028", "\u2029", "\u202e"} and "=?" not in shown
    body = parsed.get_content()
    assert "\u2028" not in body and "\u2029" not in body and "\u202e" not in body
    for line in body.splitlines():
        if "evil" in line:
            assert line.startswith(("件名: ", "Subject: ")), f"a line of the subject's own: {line!r}"
    assert all(link.startswith(guard.base_url) for link in _links(notice.data))


def test_an_approvers_comment_is_quoted_line_by_line():
    note = "承知しました\r\nhttp://evil.example/h/steal\u2028Bcc: x@evil.example\n\n"
    raw = approval_result(
        notice_from="guard@example.co.jp",
        sender=SENDER,
        subject="見積\r\nX: y",
        approver="bucho@example.co.jp\u202e",
        approved=True,
        note=note,
    )
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert {name.lower() for name in parsed} <= NOTICE_HEADERS
    body = parsed.get_content()
    assert "\u2028" not in body and "\u202e" not in body
    for line in body.splitlines():
        if "evil" in line:
            assert line.startswith("> "), f"a comment line that looks like ours: {line!r}"
    assert "> 承知しました" in body


def test_one_line_caps_and_collapses():
    from quarantine.notice import one_line

    assert one_line("a\r\n\t b\u2028c\u2029d\x85e\u202ef\x00g") == "a b c d e f g"
    capped = one_line("長" * 500)
    assert len(capped) == 200 and capped.endswith("…")


# ---- 7. nobody approves his own mail ---------------------------------------------------------

APPROVE_ALL = """
rules:
  - id: approve-external
    when: {recipients: external}
    action: hold_for_approval
"""
ORG = {
    "internal_domains": ["example.co.jp"],
    "groups": {
        "sales": {
            "members": ["@sales.example.co.jp", "bucho@example.co.jp"],
            "approvers": ["bucho@example.co.jp", "kacho@example.co.jp"],
        },
        "solo": {"members": ["solo@example.co.jp"], "approvers": ["Solo@example.co.jp"]},
    },
}
ADMIN = "admin@example.co.jp"


def _approval_guard(guard_factory, tmp_path):
    (tmp_path / "local.yaml").write_text(APPROVE_ALL, "utf-8")
    users = tmp_path / "users"
    add_user(users, ADMIN, "an admin's long password", "admin")
    add_user(users, "solo@example.co.jp", "solo's long password", "admin")  # never for himself
    return guard_factory(
        rules=[str(tmp_path / "local.yaml")], organization=ORG, smtp={"users_file": str(users)}
    ).start()


def _send_for_approval(guard, upstream, sender: str, expected: int = 2) -> dict[str, list]:
    code, text = guard.submit(message("御見積", sender=sender), sender, "buyer@client.example")
    assert code == 250 and b"Held for approval" in text
    upstream.recorder.wait_for(expected)
    time.sleep(1.0)  # anything else that would be sent goes out now
    by_rcpt: dict[str, list] = {}
    for m in upstream.recorder.messages:
        by_rcpt.setdefault(m.rcpt_tos[0].lower(), []).append(m)
    return by_rcpt


def _can_approve(link: str) -> bool:
    return 'value="approve"' in httpx.get(link).text


def test_the_first_approver_sending_is_approved_by_his_deputy(guard_factory, upstream, tmp_path):
    guard = _approval_guard(guard_factory, tmp_path)
    by_rcpt = _send_for_approval(guard, upstream, "Bucho@Example.co.jp")
    assert set(by_rcpt) == {"bucho@example.co.jp", "kacho@example.co.jp"}
    [own] = by_rcpt["bucho@example.co.jp"]
    assert not any(_can_approve(link) for link in _links(own.data)), "he may approve his own mail"
    assert "kacho@example.co.jp" in quopri.decodestring(own.data).decode()
    [request] = by_rcpt["kacho@example.co.jp"]
    [deputy_link] = set(_links(request.data))
    assert _can_approve(deputy_link)
    page = httpx.get(_links(own.data)[0]).text
    assert re.search(r'id="approvers">[^<]*kacho@example\.co\.jp', page)
    assert "bucho@example.co.jp" not in re.search(r'id="approvers">([^<]*)', page).group(1)


def test_the_only_approver_sending_is_approved_by_an_admin(guard_factory, upstream, tmp_path):
    guard = _approval_guard(guard_factory, tmp_path)
    by_rcpt = _send_for_approval(guard, upstream, "solo@example.co.jp")
    assert set(by_rcpt) == {"solo@example.co.jp", ADMIN}
    [own] = by_rcpt["solo@example.co.jp"]
    assert not any(_can_approve(link) for link in _links(own.data))
    [request] = by_rcpt[ADMIN]
    admin_link = _links(request.data)[0]
    assert _can_approve(admin_link)
    for link in (_links(own.data)[0], admin_link):
        assert re.search(r'id="approvers">[^<]*admin@example\.co\.jp', httpx.get(link).text)


def test_with_nobody_to_ask_the_page_says_an_admin_decides(guard_factory, upstream, tmp_path):
    (tmp_path / "local.yaml").write_text(APPROVE_ALL, "utf-8")
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=ORG).start()  # no admins
    by_rcpt = _send_for_approval(guard, upstream, "solo@example.co.jp", expected=1)
    assert set(by_rcpt) == {"solo@example.co.jp"}, "the request went to nobody, not to him"
    page = httpx.get(_links(by_rcpt["solo@example.co.jp"][0].data)[0], headers={"Accept-Language": "en"}).text
    assert "an administrator decides in the admin console" in page and 'value="approve"' not in page
    assert "event=no_approver_configured" in guard.log


# ---- 8. no working link at rest --------------------------------------------------------------

AT_REST_RULES = """
rules:
  - id: approve-sales
    when: {recipients: external}
    action: hold_for_approval
    scope: {senders: [group:sales]}
"""
AT_REST_ORG = {
    "internal_domains": ["example.co.jp"],
    "groups": {"sales": {"members": ["@sales.example.co.jp"], "approvers": ["bucho@example.co.jp"]}},
}


def test_no_mailed_token_is_anywhere_in_the_guards_files(guard_factory, upstream, tmp_path):
    (tmp_path / "local.yaml").write_text(AT_REST_RULES, "utf-8")
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=AT_REST_ORG).start()
    upstream.recorder.data_reply = "451 4.3.0 busy"  # the first attempts fail: a retry mints anew
    held = message("給与", MY_NUMBER_BODY)
    approval = message("御見積", sender="hanako@sales.example.co.jp")
    with guard.smtp() as client:
        client.sendmail(SENDER, ["partner@client.example"], held)
        client.sendmail("hanako@sales.example.co.jp", ["buyer@client.example"], approval)
    time.sleep(1.5)  # long enough for the first attempt of every notice to fail
    upstream.recorder.data_reply = None
    notices = upstream.recorder.wait_for(3, timeout=20)
    sender_link = _links(next(m for m in notices if m.rcpt_tos == [SENDER]).data)[0]
    approver_link = _links(next(m for m in notices if m.rcpt_tos == ["bucho@example.co.jp"]).data)[0]
    # The links work: they open their holds, release and approve.
    page = httpx.get(sender_link)
    assert page.status_code == 200 and "給与" in page.text
    assert (
        httpx.post(
            sender_link, data={"action": "release", "csrf": _csrf(page.text), "confirm": "1"}
        ).status_code
        == 303
    )
    page = httpx.get(approver_link)
    assert page.status_code == 200 and "御見積" in page.text
    assert httpx.post(approver_link, data={"action": "approve", "csrf": _csrf(page.text)}).status_code == 303
    delivered = upstream.recorder.wait_for(6)  # 3 notices, 2 messages, the approval's result
    assert [m.data for m in delivered if m.rcpt_tos == ["partner@client.example"]] == [held]
    assert [m.data for m in delivered if m.rcpt_tos == ["buyer@client.example"]] == [approval]
    tokens = {link.rsplit("/", 1)[1] for m in delivered for link in _links(m.data)}
    assert len(tokens) == 3
    guard.stop()
    files = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert any(p.name == "guard.db" for p in files)
    everything = b"".join(p.read_bytes() for p in files)
    for token in tokens:
        assert token.encode() not in everything, f"a working link at rest: …{token[-6:]}"
        assert hashlib.sha256(token.encode()).hexdigest().encode() in everything, "its hash is kept"


def _decision() -> Decision:
    rule = MatchedRule(id="r", action="hold", mode="enforce", reason={"ja": "理由", "en": "why"}, findings=())
    return Decision(action="hold", matched=(rule,))


def test_a_notice_sent_twice_carries_two_links_that_both_work(tmp_path):
    """At least once: a notice whose delivery is retried after the upstream took it (its
    reply lost) does not disable the link it already delivered."""

    async def scenario():
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
        sent: list[bytes] = []

        async def send(mail_from, rcpt_tos, raw, *, deadline=None):
            sent.append(raw)
            if len(sent) == 1:
                raise TemporaryFailure(451, "reply lost")

        worker = Worker(store, send, notice_from="guard@example.co.jp", backoff=(0,))
        quarantine = Quarantine(
            store,
            HoldPolicy(public_url="http://guard.test", hold_expiry=600, notice_from="guard@example.co.jp"),
            approvers=lambda sender: (),
            on_queued=lambda: None,
        )
        try:
            await quarantine.hold(
                qid="Q1",
                mail_from=SENDER,
                rcpt_tos=("p@client.example",),
                raw=b"Subject: x\r\n\r\nx\r\n",
                findings=(),
                summary=Summary(subject="件名", attachments=()),
                decision=_decision(),
            )
            await worker.run_once()
            await worker.run_once(time.time() + 1)
            links = [
                re.search(rb"http://guard\.test/h/([\w-]+)", quopri.decodestring(raw)).group(1).decode()
                for raw in sent
            ]
            assert len(links) == 2 and links[0] != links[1]
            for token in links:
                link = await store.by_link(token)
                assert (link.role, link.actor, link.record.id) == ("sender", SENDER, "Q1")
            assert await store.pending_jobs() == 0
        finally:
            await store.close()

    asyncio.run(scenario())


def test_upgrading_keeps_mailed_links_working_and_drops_sent_notices(store_url):
    """A store of before v005: the sender's link was on the hold, sent notices kept their text."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from quarantine.migrations import v001_initial, v002_decisions, v003_admin, v004_history
    from quarantine.schema import schema_version

    async def scenario():
        engine = create_async_engine(store_url)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: schema_version.create(c))
            for version, module in enumerate((v001_initial, v002_decisions, v003_admin, v004_history), 1):
                await conn.run_sync(module.upgrade)
                await conn.execute(schema_version.insert().values(version=version, applied_at=0.0))
            digest = hashlib.sha256(b"old-token").hexdigest()
            await conn.execute(
                text(
                    "INSERT INTO held_messages (id, state, created_at, updated_at, expires_at, mail_from, "
                    "rcpt_tos, raw, decision, findings, summary, token_hash, csrf, kind) VALUES ('Q0', 'held', "
                    ":now, :now, :later, :sender, '[\"p@client.example\"]', :raw, :decision, '[]', "
                    "'{\"subject\": \"x\"}', :digest, 'c', 'hold')"
                ),
                {
                    "now": time.time(),
                    "later": time.time() + 600,
                    "sender": SENDER,
                    "raw": b"x",
                    "decision": '{"action": "hold", "matched": []}',
                    "digest": digest,
                },
            )
            await conn.execute(
                text(
                    "INSERT INTO outbound (kind, message_id, mail_from, rcpt_tos, raw, state, attempts, "
                    "next_attempt_at, created_at) VALUES ('notice', 'Q0', 'g@example.co.jp', :rcpts, "
                    ":raw, 'sent', 1, 0, 0)"
                ),
                {"rcpts": f'["{SENDER}"]', "raw": b"http://x/h/old-token"},
            )
        await engine.dispose()
        store = await Store.open(store_url)
        try:
            link = await store.by_link("old-token")
            assert (link.role, link.actor, link.record.id) == ("sender", SENDER, "Q0")
            async with store.engine.connect() as conn:
                kept = (await conn.execute(text("SELECT raw FROM outbound"))).scalars().all()
            assert kept == [None]
        finally:
            await store.close()

    asyncio.run(scenario())
