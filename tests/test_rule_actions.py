"""Every rule action through the running guard, hot reload, and replay over stored decisions."""

from __future__ import annotations

import quopri
import re
import time

import httpx
import pytest

from .cli import cli
from .support import LINK, MY_NUMBER_BODY, message, wait_until

LOCAL = """
rules:
  - id: tag-partner
    when: {recipients: external}
    action: tag
    scope: {recipients: ["@partner.example"]}
  - id: delay-newsletter
    when: {recipients: external}
    action: delay
    delay: 2s
    scope: {senders: [news@example.co.jp]}
  - id: approve-sales
    when: {recipients: external}
    action: hold_for_approval
    scope: {senders: [group:sales]}
  - id: refuse-rivals
    when: {recipients: external}
    action: reject
    reason: {ja: 競合他社には送れません, en: Mail to competitors is not allowed}
    scope: {recipients: ["@rival.example"]}
"""
ORG = {
    "internal_domains": ["example.co.jp"],
    "groups": {"sales": {"members": ["@sales.example.co.jp"], "approvers": ["bucho@example.co.jp"]}},
}


def _guard(guard_factory, tmp_path, text=LOCAL):
    (tmp_path / "local.yaml").write_text(text, "utf-8")
    return guard_factory(rules=[str(tmp_path / "local.yaml")], organization=ORG).start()


def _links(received) -> list[str]:
    return [m.decode() for m in LINK.findall(quopri.decodestring(received.data))]


def _post(link: str, action: str, note: str = "") -> int:
    page = httpx.get(link).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return httpx.post(link, data={"action": action, "csrf": csrf, "note": note}).status_code


def test_tag_adds_a_header_and_changes_nothing_else(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    raw = message("hello", to="p@partner.example")
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["p@partner.example"], raw)
    [got] = upstream.recorder.wait_for(1)
    assert got.data == b"X-Misdelivery-Guard: tag-partner\r\n" + raw


def test_reject_is_550_with_the_reason(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    code, text = guard.submit(message(), "taro@example.co.jp", "ceo@rival.example")
    assert code == 550 and b"Mail to competitors is not allowed" in text


def test_delay_sends_by_itself_unless_cancelled(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    raw = message("newsletter")
    code, text = guard.submit(raw, "news@example.co.jp", "reader@client.example")
    assert code == 250 and b"after a delay" in text
    notice = upstream.recorder.wait_for(1)[0]
    assert notice.rcpt_tos == ["news@example.co.jp"]
    page = httpx.get(_links(notice)[0], headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "Send now" in page and ">Release<" not in page and 'value="cancel"' in page
    wait_until(lambda: upstream.recorder.to("reader@client.example"), "the delayed message was never sent")
    assert upstream.recorder.to("reader@client.example")[0].data == raw


def test_approval_by_the_approver_only(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    raw = message("御見積", sender="taro@sales.example.co.jp")
    code, text = guard.submit(raw, "taro@sales.example.co.jp", "buyer@client.example")
    assert code == 250 and b"Held for approval" in text
    notices = upstream.recorder.wait_for(2)
    to_sender = next(m for m in notices if m.rcpt_tos == ["taro@sales.example.co.jp"])
    to_approver = next(m for m in notices if m.rcpt_tos == ["bucho@example.co.jp"])
    sender_link, approver_link = _links(to_sender)[0], _links(to_approver)[0]
    assert sender_link != approver_link
    sender_page = httpx.get(sender_link).text
    assert 'value="cancel"' in sender_page and 'value="release"' not in sender_page
    csrf = re.search(r'name="csrf" value="([^"]+)"', sender_page).group(1)
    assert httpx.post(sender_link, data={"action": "approve", "csrf": csrf}).status_code == 403
    approver_page = httpx.get(approver_link).text
    assert "taro@sales.example.co.jp" in approver_page and 'value="approve"' in approver_page
    assert _post(approver_link, "approve", "OK、送ってください") == 303
    delivered = upstream.recorder.wait_for(4)  # 2 notices, the message, the result to the sender
    assert [m.data for m in delivered if m.rcpt_tos == ["buyer@client.example"]] == [raw]
    result = [m for m in delivered if m.rcpt_tos == ["taro@sales.example.co.jp"]][-1]
    assert "OK、送ってください".encode() in quopri.decodestring(result.data)
    assert "承認者 bucho@example.co.jp" in httpx.get(sender_link).text  # who approved, in words


def test_rejected_approval_is_not_sent_and_the_sender_hears_why(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path)
    with guard.smtp() as client:
        client.sendmail("taro@sales.example.co.jp", ["buyer@client.example"], message("x"))
    notices = upstream.recorder.wait_for(2)
    approver_link = _links(next(m for m in notices if m.rcpt_tos == ["bucho@example.co.jp"]))[0]
    assert _post(approver_link, "reject", "宛先が違います") == 303
    result = upstream.recorder.wait_for(3)[-1]
    assert result.rcpt_tos == ["taro@sales.example.co.jp"]
    assert "宛先が違います".encode() in quopri.decodestring(result.data)
    time.sleep(2.5)  # a release, had the rejection not stuck, would be sent with the next poll
    assert upstream.recorder.to("buyer@client.example") == []


def test_hot_reload_and_a_broken_edit_keeps_the_last_good_rules(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path, "rules: []\n")

    def reply() -> int:
        with guard.smtp() as client:
            client.ehlo()
            client.mail("taro@example.co.jp")
            client.rcpt("p@client.example")
            return client.data(message())[0]

    assert reply() == 250
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: stop-all, when: {recipients: external}, action: reject}\n"
    )
    wait_until(lambda: reply() == 550, "the edited rules never took effect", timeout=10, interval=0.5)
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: stop-all, when: {recipients: externl}, action: reject}\n"
    )
    wait_until(lambda: "rules_reload_failed" in guard.log, "the broken edit was not reported", timeout=10)
    assert "when.recipients" in guard.log and str(tmp_path / "local.yaml") in guard.log
    assert reply() == 550, "the last good rules keep running"


def test_replay_counts_what_a_draft_would_change(guard_factory, upstream, tmp_path):
    guard = _guard(guard_factory, tmp_path, "rules: []\n")
    with guard.smtp() as client:
        for i in range(3):
            client.sendmail("taro@example.co.jp", [f"p{i}@client.example"], message(f"m{i}"))
        client.sendmail("taro@example.co.jp", ["p@client.example"], message("x", MY_NUMBER_BODY))
        client.sendmail("taro@example.co.jp", ["hanako@example.co.jp"], message("internal"))
    assert guard.stop() == 0  # the decision log is flushed on the way out
    draft = tmp_path / "draft.yaml"
    draft.write_text(
        "rules:\n  - {id: sensitive-id-external, enabled: false}\n"
        "  - {id: hold-external, when: {recipients: external}, action: hold}\n"
    )
    out = cli(
        "rules",
        "replay",
        "--since",
        "1d",
        "--rules",
        str(draft),
        "--config",
        str(guard.config_path),
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "messages replayed: 5" in out.stdout
    assert "verdict would change: 3" in out.stdout and "pass -> hold: 3" in out.stdout
    row = next(line for line in out.stdout.splitlines() if line.startswith("hold-external"))
    assert row.split()[1:] == ["0", "4", "3"]
    row = next(line for line in out.stdout.splitlines() if line.startswith("sensitive-id-external"))
    assert row.split()[1:3] == ["1", "0"]


@pytest.mark.process
def test_rules_check_lists_and_refuses(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("rules:\n  - {id: inspection-failed, mode: monitor}\n")
    bad.write_text("rules:\n  - {id: x, when: {code: pii.nope}, action: hold}\n")
    out = cli("rules", "check", str(good), text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("inspection-failed"))
    assert line.split()[1:] == ["monitor", "hold", str(good)]
    out = cli("rules", "check", str(bad), text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 2 and "rule 'x': when.code: unknown finding code 'pii.nope'" in out.stderr
