"""Fix, then send: the sender removes what was wrong; the fixed message is inspected again."""

from __future__ import annotations

import email
import quopri
import re

import httpx

from .support import LINK, message

LOCAL = """
rules:
  - id: hold-rival
    when: {recipients: external}
    action: hold
    reason: {ja: 競合他社の宛先です, en: A competitor is among the recipients}
    scope: {recipients: ["@rival.example"]}
"""


def _held(guard_factory, upstream, tmp_path, raw, rcpts):
    (tmp_path / "local.yaml").write_text(LOCAL, "utf-8")
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")]).start()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", rcpts, raw)
    notice = upstream.recorder.wait_for(1)[0]
    link = LINK.search(quopri.decodestring(notice.data)).group(0).decode()
    page = httpx.get(link).text
    return guard, link, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_removing_the_wrong_recipient_sends_the_rest_with_headers_fixed(guard_factory, upstream, tmp_path):
    raw = message(
        "御見積", to="buyer@client.example, spy@rival.example", extra_headers="Cc: boss@example.co.jp\r\n"
    )
    rcpts = ["buyer@client.example", "spy@rival.example", "boss@example.co.jp"]
    _guard, link, csrf = _held(guard_factory, upstream, tmp_path, raw, rcpts)
    reply = httpx.post(f"{link}/fix", data={"csrf": csrf, "remove": ["spy@rival.example"]})
    assert reply.status_code == 303
    delivered = upstream.recorder.wait_for(2)[1]
    assert sorted(delivered.rcpt_tos) == ["boss@example.co.jp", "buyer@client.example"]
    headers = email.message_from_bytes(delivered.data)
    assert headers["To"] == "buyer@client.example" and headers["Cc"] == "boss@example.co.jp"
    assert delivered.data.split(b"\r\n\r\n", 1)[1] == raw.split(b"\r\n\r\n", 1)[1]
    page = httpx.get(link).text
    assert "state state-released" in page and "modified" in page


def test_a_fix_that_does_not_help_keeps_the_hold_with_the_new_findings(guard_factory, upstream, tmp_path):
    raw = message("x", to="a@rival.example, b@rival.example")
    _guard, link, csrf = _held(guard_factory, upstream, tmp_path, raw, ["a@rival.example", "b@rival.example"])
    assert httpx.post(f"{link}/fix", data={"csrf": csrf, "remove": ["a@rival.example"]}).status_code == 303
    page = httpx.get(link).text
    assert "state state-held" in page and "b@rival.example" in page
    assert "<li>a@rival.example" not in page
    assert len(upstream.recorder.messages) == 1  # only the notice


def test_fix_needs_a_recipient_left_and_the_csrf_token(guard_factory, upstream, tmp_path):
    raw = message("x", to="a@rival.example")
    _guard, link, csrf = _held(guard_factory, upstream, tmp_path, raw, ["a@rival.example"])
    assert (
        httpx.post(f"{link}/fix", data={"csrf": "forged", "remove": ["a@rival.example"]}).status_code == 403
    )
    reply = httpx.post(f"{link}/fix", data={"csrf": csrf, "remove": ["a@rival.example"]})
    assert reply.status_code == 400
    assert "state state-held" in httpx.get(link).text


def test_a_fix_that_now_needs_approval_is_no_longer_the_senders_to_release(guard_factory, upstream, tmp_path):
    # Held for the rival; once the externals are moved to Bcc, the rules want an approver.
    local = LOCAL + (
        "  - id: approve-hidden\n    action: hold_for_approval\n    when:\n      all:\n"
        "        - recipients: external\n        - not: {code: recipients.visible_external}\n"
    )
    (tmp_path / "local.yaml").write_text(local, "utf-8")
    org = {
        "internal_domains": ["example.co.jp"],
        "groups": {"all": {"members": ["@example.co.jp"], "approvers": ["bucho@example.co.jp"]}},
    }
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")], organization=org).start()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["spy@rival.example"], message("x", to="spy@rival.example"))
    link = LINK.search(quopri.decodestring(upstream.recorder.wait_for(1)[0].data)).group(0).decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', httpx.get(link).text).group(1)
    assert httpx.post(f"{link}/fix", data={"csrf": csrf, "bcc": "1"}).status_code == 303
    to_approver = upstream.recorder.wait_for(2)[1]
    assert to_approver.rcpt_tos == ["bucho@example.co.jp"]
    page = httpx.get(link).text
    assert "state state-held" in page and 'value="release"' not in page
    assert httpx.post(link, data={"action": "release", "csrf": csrf}).status_code == 403
    assert upstream.recorder.to("spy@rival.example") == []
