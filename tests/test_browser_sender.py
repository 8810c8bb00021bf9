"""A real browser on the sender's and the approver's pages, against the running guard."""
from __future__ import annotations

import email
import quopri

from .browser import browser_page, screenshot
from .support import LINK, message

ORG = {"internal_domains": ["example.co.jp"],
       "clients": [{"name": "株式会社エー", "domains": ["a-corp.co.jp"]},
                   {"name": "株式会社ビー", "domains": ["b-corp.co.jp"]}],
       "groups": {"sales": {"members": ["@sales.example.co.jp"], "approvers": ["bucho@example.co.jp"]}}}
APPROVAL = "rules:\n  - {id: approve-sales, when: {recipients: external}, action: hold_for_approval, scope: {senders: [group:sales]}}\n"


def _links(received) -> list[str]:
    return [m.decode() for m in LINK.findall(quopri.decodestring(received.data))]


def test_sender_removes_a_recipient_ticks_the_checklist_and_releases(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    raw = message("株式会社ビー御中 お見積書", to="tanaka@a-corp.co.jp, spy@rival.example")
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["tanaka@a-corp.co.jp", "spy@rival.example"], raw)
    link = _links(upstream.recorder.wait_for(1)[0])[0]
    with browser_page(width=420, height=900) as page:    # a phone-sized screen
        page.goto(link)
        screenshot(page, "sender-held-phone.png")
        assert page.locator("#release").is_disabled(), "release waits for the checklist"
        page.locator("details.fix summary").click()
        page.locator("input[name=remove][value='spy@rival.example']").check()
        page.locator("#apply-fix").click()
        page.wait_for_load_state()
        assert "spy@rival.example" not in page.locator(".org").all_inner_texts().__str__()
        boxes = page.locator("input.ack")
        assert boxes.count() >= 1
        for i in range(boxes.count()):
            boxes.nth(i).check()
        assert page.locator("#release").is_enabled()
        screenshot(page, "sender-checklist-ticked.png")
        page.locator("#release").click()
        page.wait_for_load_state()
        assert page.locator(".state-released").count() == 1
        screenshot(page, "sender-released.png")
    delivered = upstream.recorder.wait_for(2)
    sent = [m for m in delivered if "tanaka@a-corp.co.jp" in m.rcpt_tos]
    assert len(sent) == 1 and sent[0].rcpt_tos == ["tanaka@a-corp.co.jp"]
    assert email.message_from_bytes(sent[0].data)["To"] == "tanaka@a-corp.co.jp"


def test_approver_approves_in_the_browser(guard_factory, upstream, tmp_path):
    (tmp_path / "local.yaml").write_text(APPROVAL)
    guard = guard_factory(organization=ORG, rules=[str(tmp_path / "local.yaml")]).start()
    raw = message("ご提案書", sender="hanako@sales.example.co.jp", to="buyer@client.example")
    with guard.smtp() as client:
        client.sendmail("hanako@sales.example.co.jp", ["buyer@client.example"], raw)
    notices = upstream.recorder.wait_for(2)
    approver_link = _links(next(m for m in notices if m.rcpt_tos == ["bucho@example.co.jp"]))[0]
    with browser_page(locale="en-US") as page:
        page.goto(approver_link)
        assert "hanako@sales.example.co.jp" in page.content()
        page.locator("form:has(button[value=approve]) input[name=note]").fill("Looks right")
        screenshot(page, "approver-page.png")
        page.locator("button[value=approve]").click()
        page.wait_for_load_state()
        assert page.locator(".state-released").count() == 1
    delivered = upstream.recorder.wait_for(4)
    assert [m.data for m in delivered if m.rcpt_tos == ["buyer@client.example"]] == [raw]


def test_delayed_message_counts_down_and_can_be_cancelled(guard_factory, upstream, tmp_path):
    (tmp_path / "local.yaml").write_text(
        "rules:\n  - {id: slow-external, when: {recipients: external}, action: delay, delay: 5m}\n")
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")]).start()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["buyer@client.example"], message("明日の件"))
    link = _links(upstream.recorder.wait_for(1)[0])[0]
    with browser_page(locale="en-US") as page:
        page.goto(link)
        page.wait_for_function("/^[45]:[0-5][0-9]$/.test(document.getElementById('countdown').textContent)")
        screenshot(page, "sender-delay.png")
        assert page.locator("button[value=release]").inner_text() == "Send now"
        page.locator("button[value=cancel]").click()
        page.wait_for_load_state()
        assert page.locator(".state-cancelled").count() == 1
    assert upstream.recorder.to("buyer@client.example") == []
