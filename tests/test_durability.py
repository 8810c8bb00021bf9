"""Nothing is lost: a hold survives SIGKILL; failures fail closed; errors are 451."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time

import httpx
import pytest

from .support import MY_NUMBER_BODY, message, notice_link


def _dead_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"smtp://127.0.0.1:{s.getsockname()[1]}"


def test_held_message_survives_sigkill_right_after_250(guard_factory, upstream):
    # First life: the upstream is unreachable, so the notice cannot have gone out before the kill.
    guard = guard_factory(upstream_url=_dead_port_url()).start()
    raw = message("給与", MY_NUMBER_BODY)
    with guard.smtp() as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        client.rcpt("partner@client.example")
        code, text = client.data(raw)
        assert code == 250 and b"Held" in text
        guard.kill()
    # Second life, same store, working upstream: the notice is still owed and goes out.
    guard.config["upstream"] = upstream.url
    guard.start()
    notice = upstream.recorder.wait_for(1, timeout=20)[0]
    link = notice_link(notice)
    page = httpx.get(link)
    assert page.status_code == 200 and "state state-held" in page.text
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"})
    delivered = upstream.recorder.wait_for(2)
    assert [m.data for m in delivered if "partner@client.example" in m.rcpt_tos] == [raw]


def test_inspection_over_budget_fails_closed_into_a_hold(guard_factory, upstream):
    guard = guard_factory(inspection={"timeout": "0.05s", "workers": 1}).start()
    # Real work, not a trick: megabytes of digit groups for the My Number scanner.
    body = "\r\n".join("1234 5678 9012 " * 60 for _ in range(3000))
    code, text = guard.submit(message("big", body))
    assert code == 250 and b"Held" in text
    notice = upstream.recorder.wait_for(1)[0]
    page = httpx.get(notice_link(notice)).text
    # inspector.error: a sentence for the sender, the code and its reason in the details
    assert "検査の一部がエラーで完了しなかった" in page and "inspector.error" in page and "timeout" in page


def test_unexpected_error_is_451_and_the_relay_keeps_serving(guard, upstream):
    # The store is locked by someone else for longer than the guard waits: an error the
    # guard did not plan for. The client must get a 451 (and keep the message).
    db = sqlite3.connect(guard.workdir / "guard.db", timeout=1)
    db.execute("BEGIN EXCLUSIVE")
    try:
        code, text = guard.submit(message("x", MY_NUMBER_BODY))
        assert code == 451 and text.startswith(b"4.3.0")
        assert b"Traceback" not in text and b"sqlite" not in text.lower()
    finally:
        db.rollback()
        db.close()
    with guard.smtp() as client:
        assert client.sendmail("taro@example.co.jp", ["partner@client.example"], message()) == {}
    assert "event=internal_error" in guard.log


@pytest.mark.timing
def test_sessions_are_served_concurrently(guard, upstream):
    upstream.recorder.delay = 1.0
    results = []

    def send(i):
        with guard.smtp() as client:
            results.append(client.sendmail("taro@example.co.jp", [f"p{i}@client.example"], message(f"m{i}")))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(5)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [{}] * 5
    assert time.monotonic() - started < 4.5, "sessions were served one after another"
