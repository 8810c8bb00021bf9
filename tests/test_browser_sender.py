"""A real browser on the sender's and the approver's pages, against the running guard."""

from __future__ import annotations

import email
import quopri
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from .browser import assert_fits, browser_page, screenshot
from .support import CORPUS as SUPPORT_CORPUS
from .support import LINK, message

pytestmark = pytest.mark.browser

ORG = {
    "internal_domains": ["example.co.jp"],
    "clients": [
        {"name": "株式会社エー", "domains": ["a-corp.co.jp"]},
        {"name": "株式会社ビー", "domains": ["b-corp.co.jp"]},
    ],
    "groups": {"sales": {"members": ["@sales.example.co.jp"], "approvers": ["bucho@example.co.jp"]}},
}
APPROVAL = "rules:\n  - {id: approve-sales, when: {recipients: external}, action: hold_for_approval, scope: {senders: [group:sales]}}\n"


def _links(received) -> list[str]:
    return [m.decode() for m in LINK.findall(quopri.decodestring(received.data))]


def test_sender_removes_a_recipient_ticks_the_checklist_and_releases(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    raw = message("株式会社ビー御中 お見積書", to="tanaka@a-corp.co.jp, spy@rival.example")
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["tanaka@a-corp.co.jp", "spy@rival.example"], raw)
    link = _links(upstream.recorder.wait_for(1)[0])[0]
    with browser_page(width=420, height=900) as page:  # a phone-sized screen
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
        "rules:\n  - {id: slow-external, when: {recipients: external}, action: delay, delay: 5m}\n"
    )
    guard = guard_factory(rules=[str(tmp_path / "local.yaml")]).start()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["buyer@client.example"], message("明日の件"))
    link = _links(upstream.recorder.wait_for(1)[0])[0]
    with browser_page(locale="en-US") as page:
        page.goto(link)
        page.wait_for_function(
            r"/^[45] min \d{1,2} s left$/.test(document.getElementById('countdown').textContent)"
        )
        screenshot(page, "sender-delay.png")
        assert page.locator("button[value=release]").inner_text() == "Send now"
        page.locator("button[value=cancel]").click()
        page.locator("#confirm-cancel").click()  # cancelling a delay is asked twice (issue 18)
        page.wait_for_load_state()
        assert page.locator(".state-cancelled").count() == 1
    assert upstream.recorder.to("buyer@client.example") == []


# --- issue 14 item 5: reasons a sender understands, on a phone and on a desktop ----------------

ENCRYPTED_ZIP = (
    SUPPORT_CORPUS / "attachments" / "libarchive" / "test_read_format_zip_traditional_encryption_data.zip"
)
LONG_NAME = "x" * 1990 + "顧客一覧.csv"  # 2,000 characters
HTML_NAME = "<b onmouseover=alert(1)>会員<i>名簿.csv"  # no "/": a name is cut at the last one
RTL_NAME = "資料\u202epiz.exe"  # would show as 資料exe.zip


def _customer_list(rows: int = 12) -> bytes:
    lines = ["氏名,電話番号,メールアドレス,住所"]
    lines += [
        f"顧客{i:02d} 花子,090-1234-56{i:02d},c{i:02d}@mail.example,東京都港区芝公園{i}-1-1"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def _held_with_every_kind_of_reason(guard, upstream) -> str:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = (
        "taro@example.co.jp",
        "tanaka@a-corp.co.jp",
        "株式会社ビー御中 お見積書",
    )
    msg.set_content("お世話になっております。資料をお送りします。")
    msg.add_attachment(_customer_list(), maintype="text", subtype="csv", filename=HTML_NAME)
    msg.add_attachment(_customer_list(), maintype="text", subtype="csv", filename=LONG_NAME)
    msg.add_attachment(ENCRYPTED_ZIP.read_bytes(), maintype="application", subtype="zip", filename=RTL_NAME)
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["tanaka@a-corp.co.jp"], msg.as_bytes(policy=SMTP))
    return _links(upstream.recorder.wait_for(1)[0])[0]


HISTORY = {"ja": "保留しました", "en": "held for review"}  # the store's "held", in words
LAYOUTS = {"phone": (390, 844), "desktop": (1100, 1400)}
SENTENCES = {
    "ja": (
        "件名に『株式会社ビー』とありますが、宛先は株式会社エーです。",
        "に 12 人分の個人情報（",
        "はパスワード付き（暗号化）のため、中身を検査できませんでした。",
        "詳細",
    ),
    "en": (
        "The subject names 株式会社ビー, but you are mailing 株式会社エー.",
        "There is personal data of 12 people",
        "is password-protected, so the contents could not be checked.",
        "Details",
    ),
}


def test_the_reasons_read_as_sentences_on_a_phone_and_a_desktop(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    link = _held_with_every_kind_of_reason(guard, upstream)
    for lang, locale in (("ja", "ja-JP"), ("en", "en-US")):
        for layout, (width, height) in LAYOUTS.items():
            with browser_page(locale=locale, width=width, height=height) as page:
                page.goto(link)
                said = " ".join(page.locator("#why .sentence").all_inner_texts())
                for expected in SENTENCES[lang][:3]:
                    assert expected in said, (lang, layout, expected, said)
                assert not any(n in said for n in ("named_clients", "confidence=", "people:", "\u202e"))
                assert HTML_NAME in said, "the HTML of a file name is shown as text"
                tech = page.locator("details.tech")
                assert tech.get_attribute("open") is None and SENTENCES[lang][3] in tech.inner_text()
                assert not page.locator("details.tech .tech-rule").first.is_visible(), (
                    "details start collapsed"
                )
                assert page.locator("b[onmouseover], #why i").count() == 0, "not as markup"
                assert_fits(page)  # no sideways scroll
                actions = page.locator("#history td:nth-child(2)").all_inner_texts()
                assert actions[0] == HISTORY[lang] and not any("_" in a for a in actions), actions
                screenshot(page, f"sender-reasons-{layout}-{lang}.png")
                page.locator("details.tech summary").click()
                assert page.locator("details.tech .tech-rule").first.is_visible()
                assert "client.mismatch" in tech.inner_text() and "named_clients=1" in tech.inner_text()
                assert_fits(page)  # nor with the details open
                screenshot(page, f"sender-reasons-details-{layout}-{lang}.png")
