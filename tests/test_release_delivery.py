"""After release: retries on temporary failures, the sender told of permanent ones;
and the embedded outbox when no upstream is configured."""

from __future__ import annotations

import quopri
import re

import httpx

from proxy.auth import add_user

from .support import MY_NUMBER_BODY, message, notice_link, wait_until


def _release(link: str) -> None:
    page = httpx.get(link).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303


def _hold(guard, upstream, raw: bytes) -> str:
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], raw)
    return notice_link(upstream.recorder.wait_for(1)[0])


def test_temporary_failure_is_retried_until_delivered(guard, upstream):
    raw = message("x", MY_NUMBER_BODY)
    link = _hold(guard, upstream, raw)
    upstream.recorder.data_reply = "451 4.3.0 try again"
    _release(link)
    wait_until(lambda: "event=release_deferred" in guard.log, "no refused attempt")
    assert upstream.recorder.to("partner@client.example") == []
    upstream.recorder.data_reply = None
    wait_until(lambda: upstream.recorder.to("partner@client.example"), "the release was never retried")
    assert upstream.recorder.to("partner@client.example")[0].data == raw
    history = httpx.get(link).text
    assert "一時的に受け付けず、再試行します" in history and "宛先に配送しました" in history


def test_permanent_failure_is_recorded_and_the_sender_told(guard, upstream):
    link = _hold(guard, upstream, message("見積書", MY_NUMBER_BODY))
    upstream.recorder.refuse_rcpt["partner@client.example"] = "550 5.1.1 no such user"
    _release(link)
    notices = upstream.recorder.wait_for(2)  # the hold notice, then the failure notice
    failure = notices[1]
    assert failure.rcpt_tos == ["taro@example.co.jp"]
    assert b"could not be delivered" in failure.data and b"no such user" in failure.data
    text = quopri.decodestring(failure.data).decode("utf-8", "replace")
    assert "見積書" in text
    assert "管理者が再送できます" in text and "An administrator can send it again" in " ".join(text.split())
    assert "配送先のサーバーが受け付けませんでした" in httpx.get(link).text


def test_embedded_outbox_keeps_bytes_and_lists_them_to_an_admin(guard_factory, tmp_path):
    add_user(tmp_path / "users", "root@example.co.jp", "long enough pw", "admin")
    guard = guard_factory(upstream_url=f"maildir:{tmp_path / 'outbox'}", smtp={"users_file": "users"}).start()
    raw = message("会議のご案内", "明日10時から。")
    with guard.smtp() as client:
        assert client.sendmail("taro@example.co.jp", ["partner@client.example"], raw) == {}
    [stored] = list((tmp_path / "outbox" / "new").iterdir())
    assert stored.read_bytes() == raw
    assert "会議のご案内" not in httpx.get(f"{guard.base_url}/outbox", follow_redirects=True).text
    with httpx.Client(base_url=guard.base_url, follow_redirects=True) as web:
        form = web.get("/admin/login").text
        web.post(
            "/admin/login",
            data={
                "login": "root@example.co.jp",
                "password": "long enough pw",
                "csrf": re.search(r'name="csrf" value="([^"]+)"', form).group(1),
            },
        )
        listing = web.get("/outbox")
        assert listing.status_code == 200 and "会議のご案内" in listing.text
        shown = web.get(f"/admin/outbox/{stored.name}")
        assert "明日10時から" in shown.text
        assert web.get("/admin/outbox/..%2Fguard.yaml").status_code == 404
