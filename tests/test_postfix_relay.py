"""Issue 15, items 1 and 6 behind a real MTA: Postfix 3.7 with the guard as its relayhost.

A recipient the upstream refuses with 550 5.1.1: the guard passes the 5xx and its enhanced code
back at the end of DATA, so Postfix bounces at once (naming 5.1.1); its bounce (MAIL FROM:<>)
goes through the guard too, and reaches the upstream exactly once — on main it got 451 4.3.0
for ever and sat in Postfix's deferred queue.
"""

from __future__ import annotations

import smtplib
import time

import pytest

from .postfix import PostfixServer
from .support import message

NOBODY = "nobody@client.example"


@pytest.fixture
def postfix(guard):
    server = PostfixServer(relay_port=guard.smtp_port).start()
    yield server
    server.stop()


def test_postfix_bounces_a_refused_recipient_through_the_guard_once(guard, upstream, postfix):
    upstream.recorder.refuse_rcpt[NOBODY] = "550 5.1.1 <nobody@client.example>: no such user"
    raw = message(
        "見積書の送付",
        "Please find the quote.",
        to=NOBODY,
        extra_headers="Message-ID: <postfix-bounce-1@example.co.jp>\r\n",
    )
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=30) as client:
        assert client.sendmail("taro@example.co.jp", [NOBODY], raw) == {}  # Postfix queued it

    [bounce] = upstream.recorder.wait_for(1, timeout=30)
    assert bounce.mail_from == "<>", "a bounce has the null reverse-path"
    assert bounce.rcpt_tos == ["taro@example.co.jp"]
    assert b"Status: 5.1.1" in bounce.data, "Postfix's DSN names the upstream's status"
    assert b"Diagnostic-Code: smtp; 550 5.1.1" in bounce.data
    assert b"postfix-bounce-1@example.co.jp" in bounce.data  # it is about our message

    time.sleep(3)  # Postfix's queue runs every second: a second copy would come now
    assert len(upstream.recorder.messages) == 1
    assert upstream.recorder.to(NOBODY) == []
    assert postfix.queue().strip().endswith("Mail queue is empty"), postfix.queue()
    assert "status=bounced" in postfix.log and "status=deferred" not in postfix.log
    assert "outcome=unknown" not in guard.log
