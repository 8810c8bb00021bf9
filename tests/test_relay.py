"""The relay end to end: a real client, the guard as a process, a recording upstream."""

from __future__ import annotations

import shutil
import smtplib
import socket
import subprocess
import time

import httpx
import pytest

from .support import MY_NUMBER_BODY, message, notice_link, wait_until


def test_clean_mail_is_forwarded_byte_identical(guard, upstream):
    # Folded header, 8-bit body, odd spacing: nothing may be re-encoded on the way.
    raw = message(
        "=?UTF-8?B?5omT44Gh5ZCI44KP44Gb?=",
        "明日の会議は10時からです。\r\n\r\n  indented line\t",
        extra_headers="X-Folded: one\r\n\ttwo\r\n",
    )
    with guard.smtp() as client:
        refused = client.sendmail(
            "taro@example.co.jp", ["partner@client.example", "hanako@example.co.jp"], raw
        )
    assert refused == {}
    [got] = upstream.recorder.wait_for(1)
    assert got.data == raw
    assert got.mail_from == "taro@example.co.jp"
    assert got.rcpt_tos == ["partner@client.example", "hanako@example.co.jp"]


def test_reply_carries_queue_id_and_upstream_acceptance(guard, upstream):
    code, text = guard.submit(message())
    assert code == 250 and b"queued as" in text


def test_hold_page_release_delivers_exactly_once(guard, upstream):
    raw = message("年末調整", MY_NUMBER_BODY)
    code, text = guard.submit(raw)
    assert code == 250 and b"Held" in text
    [notice] = upstream.recorder.wait_for(1)
    assert notice.rcpt_tos == ["taro@example.co.jp"], "only the notice goes out while held"
    link = notice_link(notice)

    page = httpx.get(link)
    assert page.status_code == 200
    assert "マイナンバー" in page.text and "****-****-9018" in page.text
    assert "1234 5678 9018" not in page.text and "123456789018" not in page.text
    assert httpx.head(link).status_code == 200
    assert httpx.get(link).status_code == 200  # a scanner's prefetch changes nothing
    csrf = _csrf(page.text)

    assert httpx.post(link, data={"action": "release", "csrf": "forged", "confirm": "1"}).status_code == 403
    assert httpx.post(link, data={"action": "release"}).status_code == 403
    first = httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"})
    assert first.status_code == 303
    second = httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"})
    assert second.status_code == 303
    delivered = upstream.recorder.wait_for(2)
    time.sleep(2.5)  # a second delivery, if there were one, would come with the next poll
    released = upstream.recorder.to("partner@client.example")
    assert len(released) == 1 and len(upstream.recorder.messages) == 2
    assert released[0].data == raw
    after = httpx.get(link).text
    assert "state state-released" in after and 'name="csrf"' not in after
    assert delivered


def test_cancel_sends_nothing(guard, upstream):
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message("x", MY_NUMBER_BODY))
    link = notice_link(upstream.recorder.wait_for(1)[0])
    csrf = _csrf(httpx.get(link).text)
    assert httpx.post(link, data={"action": "cancel", "csrf": csrf}).status_code == 303
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303
    time.sleep(2.5)  # a release, had the cancel not stuck, would be sent with the next poll
    assert upstream.recorder.to("partner@client.example") == []
    assert "state state-cancelled" in httpx.get(link).text


def test_expired_hold_is_cancelled(guard_factory, upstream):
    guard = guard_factory(quarantine={"hold_expiry": "1s"}).start()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message("x", MY_NUMBER_BODY))
    link = notice_link(upstream.recorder.wait_for(1)[0])
    wait_until(lambda: "state state-expired" in httpx.get(link).text, "the hold never expired", timeout=10)
    csrf_less = httpx.get(link).text
    assert 'name="csrf"' not in csrf_less
    assert upstream.recorder.to("partner@client.example") == []


def test_upstream_down_is_451_and_nothing_is_kept(guard_factory, tmp_path):
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        dead = f"smtp://127.0.0.1:{s.getsockname()[1]}"
    guard = guard_factory(upstream_url=dead).start()
    code, text = guard.submit(message())
    assert code == 451 and text.startswith(b"4.4.1")


@pytest.mark.parametrize(
    "reply, expected", [("451 4.3.2 try later", 451), ("554 5.6.0 content refused", 554)]
)
def test_upstream_data_verdict_is_passed_back(guard, upstream, reply, expected):
    upstream.recorder.data_reply = reply
    code, text = guard.submit(message())
    assert code == expected
    assert reply.split(" ", 2)[2].encode() in text


def test_partial_recipient_refusal_refuses_whole_message(guard, upstream):
    upstream.recorder.refuse_rcpt["gone@client.example"] = "550 5.1.1 no such user"
    with guard.smtp() as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        client.rcpt("partner@client.example")
        client.rcpt("gone@client.example")
        code, text = client.data(message())
    assert code == 550
    assert b"gone@client.example" in text and b"no such user" in text
    time.sleep(0.3)  # nothing may follow the 550: a forwarded copy would be here by now
    assert upstream.recorder.messages == [], "no recipient may get it when one is refused"


@pytest.mark.parametrize("body", [b"line one\nline two\r\n", b"line one\rline two\r\n"])
def test_bare_lf_or_cr_in_data_is_refused(guard, upstream, body):
    with socket.create_connection(("127.0.0.1", guard.smtp_port), timeout=10) as s:
        f = s.makefile("rwb")

        def say(line: bytes) -> bytes:
            f.write(line)
            f.flush()
            return f.readline()

        f.readline()
        say(b"HELO client\r\n")
        assert say(b"MAIL FROM:<taro@example.co.jp>\r\n").startswith(b"250")
        assert say(b"RCPT TO:<partner@client.example>\r\n").startswith(b"250")
        assert say(b"DATA\r\n").startswith(b"354")
        reply = say(b"Subject: smuggle\r\n\r\n" + body + b".\r\n")
    assert reply.startswith(b"550 5.5.2")
    assert b"bare" in reply
    time.sleep(0.3)  # nothing may follow the 550: a forwarded copy would be here by now
    assert upstream.recorder.messages == []


def test_too_many_recipients_and_header_limit(guard_factory, upstream):
    guard = guard_factory(smtp={"max_recipients": 2, "max_header_size": 200}).start()
    with guard.smtp() as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        assert client.rcpt("a@example.co.jp")[0] == 250
        assert client.rcpt("b@example.co.jp")[0] == 250
        assert client.rcpt("c@example.co.jp")[0] == 452
        code, _ = client.data(message(extra_headers="X-Long: " + "x" * 300 + "\r\n"))
    assert code == 552


def test_swaks_as_a_real_client(guard, upstream):
    swaks = shutil.which("swaks")
    assert swaks, "swaks is installed by make install (.ci/system-packages)"
    out = subprocess.run(
        [
            swaks,
            "--server",
            f"127.0.0.1:{guard.smtp_port}",
            "--from",
            "taro@example.co.jp",
            "--to",
            "partner@client.example",
            "--header",
            "Subject: swaks",
            "--body",
            "hello",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "queued as" in out.stdout
    [got] = upstream.recorder.wait_for(1)
    assert b"Subject: swaks" in got.data


def test_sigterm_lets_a_message_in_flight_finish(guard, upstream):
    upstream.recorder.delay = 2.0
    with guard.smtp() as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        client.rcpt("partner@client.example")
        client.putcmd("data")
        assert client.getreply()[0] == 354
        client.send(message().replace(b"\r\n.", b"\r\n..") + b".\r\n")
        time.sleep(0.5)  # SIGTERM must come while the upstream holds the DATA (it takes 2 s)
        guard.proc.send_signal(15)
        code, _ = client.getreply()
    assert code == 250
    assert guard.proc.wait(30) == 0
    assert len(upstream.recorder.messages) == 1


def _csrf(html: str) -> str:
    import re

    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "the page has no CSRF field"
    return m.group(1)


def test_smtplib_refusal_error_type(guard, upstream):
    upstream.recorder.refuse_rcpt["gone@client.example"] = "550 5.1.1 no such user"
    with guard.smtp() as client, pytest.raises(smtplib.SMTPDataError) as err:
        client.sendmail("taro@example.co.jp", ["gone@client.example"], message())
    assert err.value.smtp_code == 550


def test_reused_upstream_connection_closed_by_upstream_is_replaced(guard, upstream):
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message("one"))
    upstream.recorder.wait_for(1)
    # The upstream restarts: the guard's idle connection to it is now dead.
    upstream.restart()
    with guard.smtp() as client:
        assert client.sendmail("taro@example.co.jp", ["partner@client.example"], message("two")) == {}
    assert [b"Subject: two" in m.data for m in upstream.recorder.wait_for(2)] == [False, True]


def test_metrics_count_verdicts_holds_and_pending(guard, upstream):
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message())
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message("x", MY_NUMBER_BODY))
    upstream.recorder.wait_for(2)
    text = httpx.get(f"{guard.base_url}/metrics").text
    at = f'instance="{socket.gethostname()}"'  # instance.id's default (issue 20)
    assert f'mdg_messages_total{{{at},verdict="pass"}} 1.0' in text
    assert f'mdg_messages_total{{{at},verdict="hold"}} 1.0' in text
    assert f'mdg_holds_by_rule_total{{{at},rule="sensitive-id-external"}} 1.0' in text
    assert f"mdg_inspection_seconds_count{{{at}}} 2.0" in text
    assert f"mdg_pending_outbound{{{at}}} 0.0" in text
    assert "taro" not in text and "client.example" not in text


def test_non_ascii_addresses_go_through_with_smtputf8(guard, upstream):
    raw = message("宛先", to="山田@例え.jp")
    with guard.smtp() as client:
        refused = client.sendmail("taro@example.co.jp", ["山田@例え.jp"], raw, mail_options=["SMTPUTF8"])
    assert refused == {}
    [got] = upstream.recorder.wait_for(1)
    assert got.rcpt_tos == ["山田@例え.jp"] and got.data == raw
