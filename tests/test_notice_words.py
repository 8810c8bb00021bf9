"""The notices' words (issue 18 items 3 and 6): a configurable Japanese sender name in From:,
encoded per RFC 2047; polite business Japanese (です・ます) throughout; the times they name in
web.timezone, with the zone named."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from inspectors.message import Summary
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.notice import approval_request, hold_notice, render
from quarantine.outcome_notice import approval_result, failure_notice
from quarantine.store import Store
from rules.model import Action, Decision, MatchedRule, Mode

SENDER = "taro@example.co.jp"
GUARD = "guard@example.co.jp"


def _decision(action: Action = Action.DELAY) -> Decision:
    rule = MatchedRule(
        id="r", action=action, mode=Mode.ENFORCE, reason={"ja": "理由", "en": "why"}, findings=()
    )
    return Decision(action=action, matched=(rule,))


def _every_notice(**name) -> dict[str, bytes]:
    common = {"notice_from": GUARD, "subject": "御見積", **name}
    notices: dict[str, bytes] = {
        str(kind): hold_notice(
            sender=SENDER,
            link="http://guard.test/h/x",
            decision=_decision(kind),
            kind=kind,
            when_text="2026-12-05 11:48 (JST)",
            approvers=("bucho@example.co.jp",),
            **common,
        )
        for kind in (Action.HOLD, Action.DELAY, Action.HOLD_FOR_APPROVAL)
    }
    notices["request"] = approval_request(
        approver="bucho@example.co.jp",
        sender=SENDER,
        link="http://guard.test/h/y",
        decision=_decision(Action.HOLD_FOR_APPROVAL),
        when_text="2026-12-05 11:48 (JST)",
        **common,
    )
    for approved in (True, False):
        notices[f"result-{approved}"] = approval_result(
            sender=SENDER, approver="bucho@example.co.jp", approved=approved, note="", **common
        )
    notices["failure"] = failure_notice(sender=SENDER, error="550 no such user", **common)
    return notices


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _japanese_part(raw: bytes) -> str:
    return _parsed(raw).get_content().split("\n-- \n")[0]


def test_the_sender_name_is_japanese_by_default_and_encoded_per_rfc_2047():
    for kind, raw in _every_notice().items():
        header = raw.split(b"\r\n\r\n")[0]
        assert re.search(rb"^From: =\?utf-8\?[bq]\?", header, re.M | re.I), (kind, header)
        assert max(len(line) for line in header.split(b"\r\n")) <= 78, "folded as RFC 5322 asks"
        [sender] = _parsed(raw)["From"].addresses
        assert (sender.display_name, sender.addr_spec) == ("誤送信防止システム", GUARD), kind


def test_the_sender_name_is_configurable_and_stays_one_header():
    raw = hold_notice(
        notice_from=GUARD,
        notice_name="営業部 送信確認 =?utf-8?q?x?=",
        sender=SENDER,
        subject="s",
        link="http://guard.test/h/x",
        decision=_decision(),
        kind=Action.DELAY,
        when_text="t",
    )
    [sender] = _parsed(raw)["From"].addresses
    assert sender.display_name == "営業部 送信確認 = ?utf-8?q?x?=" and sender.addr_spec == GUARD


def test_the_delay_notice_is_polite_and_says_how_to_cancel():
    body = _japanese_part(_every_notice()[Action.DELAY])
    assert "送信を取り消す場合は、期限までに下記のページから操作してください。" in body
    assert "2026-12-05 11:48 (JST) に自動的に送信されます" in body
    assert "今のうち" not in body


POLITE_ENDINGS = ("です。", "ます。", "ください。", "ません。", "ました。", "でした。")


@pytest.mark.parametrize("kind", list(_every_notice()))
def test_every_japanese_sentence_of_every_notice_is_polite(kind):
    body = _japanese_part(_every_notice()[kind])
    sentences = [s + "。" for s in re.split(r"。", body.replace("\n", "")) if s.strip()][:-1]
    assert sentences, body
    for sentence in sentences:
        assert sentence.endswith(POLITE_ENDINGS) or sentence.endswith("）。"), sentence


@pytest.mark.parametrize("zone, name", [(ZoneInfo("Asia/Tokyo"), "JST"), (ZoneInfo("UTC"), "UTC")])
def test_the_notice_names_the_time_in_the_configured_zone(tmp_path, zone, name):
    """The hold's notice draft gets its time in web.timezone, and the configured name."""

    async def scenario() -> tuple[bytes, float]:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
        policy = HoldPolicy(
            public_url="http://guard.test",
            hold_expiry=600,
            notice_from=GUARD,
            notice_name="送信確認係",
            zone=zone,
        )
        quarantine = Quarantine(store, policy, approvers=lambda sender: (), on_queued=lambda: None)
        try:
            await quarantine.hold(
                qid="Q1",
                mail_from=SENDER,
                rcpt_tos=("p@client.example",),
                raw=b"Subject: x\r\n\r\nx\r\n",
                findings=(),
                summary=Summary(subject="件名"),
                decision=_decision(),
            )
            [job] = await store.claim(time.time(), 60)
            assert job.draft is not None
            record = await store.get("Q1")
            assert record is not None
            return render(job.draft.template, job.draft.args, "http://guard.test/h/t"), record.expires_at
        finally:
            await store.close()

    raw, expires_at = asyncio.run(scenario())
    shown = datetime.fromtimestamp(expires_at, zone).strftime("%Y-%m-%d %H:%M")
    body = _parsed(raw).get_content()
    assert f"{shown} ({name}) に自動的に送信されます" in body and f"it is sent at {shown} ({name})." in body
    assert _parsed(raw)["From"].addresses[0].display_name == "送信確認係"
