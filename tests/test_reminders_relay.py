"""A forgotten hold is recalled over real sockets (issue 19): the guard as a process, the
recording upstream, a short quarantine.remind_after."""

from __future__ import annotations

import email
import email.policy
import re
import time

import httpx
import pytest

from .page_words import english_words
from .support import MY_NUMBER_BODY, message, notice_link


def _body(raw: bytes) -> tuple[str, str]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return msg["Subject"], msg.get_content()


@pytest.mark.slow  # waits for remind_after, then for a second reminder that must not come
def test_the_reminder_arrives_with_a_working_link_in_polite_japanese(guard_factory, upstream):
    guard = guard_factory(
        quarantine={"remind_after": "1s", "notice_name": "送信確認係"}, web={"timezone": "Asia/Tokyo"}
    ).start()
    raw = message("年末調整", MY_NUMBER_BODY)
    assert guard.submit(raw)[0] == 250
    notice, reminder = upstream.recorder.wait_for(2, timeout=20)
    assert notice.rcpt_tos == reminder.rcpt_tos == ["taro@example.co.jp"]
    subject, body = _body(reminder.data)
    assert subject.startswith("[再通知 / Reminder] [送信保留 / Held]") and "年末調整" in subject
    assert email.message_from_bytes(reminder.data, policy=email.policy.default)["From"].addresses[
        0
    ].display_name == ("送信確認係")
    japanese = body.split("\n-- \n")[0]
    assert "ご確認をお待ちしたまま保留されています。" in japanese
    assert "内容をご確認のうえ、送信するか取り消すかを選んでください。" in japanese
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d \(JST\) までに操作がない場合", japanese)

    link, first = notice_link(reminder), notice_link(notice)
    assert link != first, "the reminder's link is minted when it is sent, not the first one again"
    page = httpx.get(link)
    assert page.status_code == 200 and "state state-held" in page.text
    assert 'data-action="reminder_sent"' in page.text and "再通知のメールを送りました" in page.text
    assert english_words(page.text) == []
    # The next reminder (remind_every, a day after this one) is before the expiry: the page says when.
    assert re.search(
        r'id="next-reminder">· 操作がない場合の再通知 \d{4}-\d\d-\d\d \d\d:\d\d \(JST\)', page.text
    )
    assert re.search(r"期限 \d{4}-\d\d-\d\d \d\d:\d\d \(JST\)", page.text), "the page shows the expiry"
    time.sleep(2.5)  # remind_every is a day: no second reminder comes with the next polls
    assert len(upstream.recorder.messages) == 2

    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303
    upstream.recorder.wait_for(3)
    assert [m.data for m in upstream.recorder.to("partner@client.example")] == [raw]
