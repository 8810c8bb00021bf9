"""Issue 15, item 6: an upstream that refuses, hangs or closes at each step of a transaction.

For each: what the client is told (code and enhanced code: the upstream's own, RFC 3463), how
many copies the upstream read, and that the guard serves the next client. A lost reply to the
final dot is waited for (RFC 5321 §4.5.3.2.6, within the session's limit) and logged as
`outcome=unknown` with the Message-ID: the client's retry may duplicate it (RFC 1047).
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from .fake_upstream import CLOSE, HANG, FakeUpstream
from .support import MY_NUMBER_BODY, make_guard, message, notice_link, running, wait_until

SECRET = "upstream-words-7f3a"  # in every scripted reply: must never reach the guard's log
TIMEOUT, INSPECTION, SESSION = 1.0, 3.0, 8.0
MESSAGE_ID = "<fault-4711@mua.example.co.jp>"


@pytest.fixture(scope="module")
def fake():
    with running(FakeUpstream()) as server:
        yield server


@pytest.fixture(scope="module")
def guard(fake, tmp_path_factory):
    guard = make_guard(
        tmp_path_factory.mktemp("faults"),
        fake.url,
        delivery={"timeout": f"{TIMEOUT:g}s", "retry": ["1s"]},
        inspection={"timeout": f"{INSPECTION:g}s", "workers": 1},
        smtp={"session_timeout": f"{SESSION:g}s"},
    )
    with running(guard):
        yield guard
    assert SECRET not in guard.log, "the upstream's words reached the log"


def _send(guard, rcpts=("partner@client.example",)) -> tuple[int, str, float]:
    raw = message("faults", extra_headers=f"Message-ID: {MESSAGE_ID}\r\n")
    with guard.smtp() as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        for rcpt in rcpts:
            assert client.rcpt(rcpt)[0] == 250  # the guard answers RCPT itself
        started = time.monotonic()
        code, text = client.data(raw)
    return code, text.decode(), time.monotonic() - started


def _next_client_is_served(guard, fake) -> None:
    fake.script()
    code, text, _ = _send(guard)
    assert code == 250, text
    assert len(fake.accepted) == 1


REFUSALS = [
    # step, the upstream's reply, what the client gets (code, enhanced), copies read
    ("greeting", f"554 5.3.2 {SECRET}", (451, "4.4.1"), 0),  # our configuration's fault: retry
    ("greeting", f"421 4.3.2 {SECRET}", (451, "4.4.1"), 0),
    ("ehlo", f"550 5.7.1 {SECRET}", (451, "4.4.1"), 0),
    ("ehlo", f"454 4.7.0 {SECRET}", (451, "4.4.1"), 0),
    ("mail", f"451 4.3.1 {SECRET}", (451, "4.3.1"), 0),
    ("mail", f"421 4.7.0 {SECRET}", (451, "4.7.0"), 0),  # 421 is the upstream's to close, not ours
    ("mail", f"553 5.7.1 {SECRET}", (553, "5.7.1"), 0),
    ("rcpt", f"452 4.2.2 {SECRET}", (452, "4.2.2"), 0),
    ("rcpt", f"550 5.1.1 {SECRET}", (550, "5.1.1"), 0),
    ("data", f"451 4.3.0 {SECRET}", (451, "4.3.0"), 0),
    ("data", f"554 5.7.0 {SECRET}", (554, "5.7.0"), 0),
    ("dot", f"452 4.3.1 {SECRET}", (452, "4.3.1"), 1),
    ("dot", f"552 5.3.4 {SECRET}", (552, "5.3.4"), 1),
    ("dot", f"550 {SECRET}", (550, "5.0.0"), 1),  # no enhanced code: ours
    ("dot", f"451 {SECRET}", (451, "4.4.1"), 1),
    ("dot", f"550 4.1.1 {SECRET}", (550, "5.0.0"), 1),  # a class that contradicts the code: ours
]


@pytest.mark.parametrize(
    "step, reply, expected, copies",
    REFUSALS,
    ids=[f"{s}-{r[:3]}-{r[4:9].strip()}" for s, r, _, _ in REFUSALS],
)
@pytest.mark.process
def test_a_refusal_at_each_step(guard, fake, step, reply, expected, copies):
    fake.script(**{step: reply})
    code, text, _ = _send(guard)
    assert (code, text.split(" ")[0]) == expected, text
    assert len(fake.messages) == copies and fake.accepted == []
    _next_client_is_served(guard, fake)


@pytest.mark.process
def test_refused_recipients_refuse_the_message_with_their_code(guard, fake):
    fake.script(rcpt=f"550 5.1.1 {SECRET}")
    code, text, _ = _send(guard, ("a@client.example", "b@client.example"))
    assert (code, text[:5]) == (550, "5.1.1") and "<a@client.example>" in text
    _next_client_is_served(guard, fake)


@pytest.mark.process
@pytest.mark.parametrize("step", ["greeting", "ehlo", "mail", "rcpt", "data"])
@pytest.mark.parametrize("fault", [HANG, CLOSE])
def test_a_fault_before_the_dot_is_a_quick_451(guard, fake, step, fault):
    fake.script(**{step: fault})
    code, text, took = _send(guard)
    assert (code, text[:5]) == (451, "4.4.1"), text
    assert took < TIMEOUT * 4 + 5, "a hang before the dot waits only delivery.timeout"
    assert fake.messages == [], "nothing was read, nothing can be duplicated"
    _next_client_is_served(guard, fake)


@pytest.mark.process
@pytest.mark.parametrize("fault", [HANG, CLOSE])
def test_a_lost_reply_to_the_dot_is_waited_for_and_logged_as_unknown(guard, fake, fault):
    before = guard.log.count("outcome=unknown")
    fake.script(dot=fault)
    code, text, took = _send(guard)
    assert (code, text[:5]) == (451, "4.4.2"), text
    assert "may have been delivered" in text
    assert len(fake.messages) == 1, "the upstream read the message once (it may have kept it)"
    if fault == HANG:
        # Longer than any other command may take, and answered before the session's end
        # (aiosmtpd's timer would close it without a word).
        assert TIMEOUT * 3 < took < SESSION, took
    events = [ln for ln in guard.log.splitlines() if "outcome=unknown" in ln]
    assert len(events) == before + 1
    qid = re.search(r"\(([0-9A-F]{12})\)", text).group(1)
    assert f"qid={qid}" in events[-1] and f"message_id={MESSAGE_ID}" in events[-1]
    _next_client_is_served(guard, fake)


@pytest.mark.process
def test_a_released_message_whose_reply_is_lost_is_sent_again(guard, fake):
    """The worker's sends get the same wait and the same verdict: unknown, retried (at least
    once: the second copy is the duplicate RFC 1047 speaks of), never an internal error."""
    fake.script()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message("x", MY_NUMBER_BODY))
    link = notice_link(fake.wait_for(1)[0])
    page = httpx.get(link).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    fake.script(dot=HANG)
    assert httpx.post(link, data={"action": "release", "csrf": csrf, "confirm": "1"}).status_code == 303
    fake.wait_for(1)
    fake.script()  # the upstream drops the silent session, and is well again
    wait_until(lambda: fake.accepted, "the release was not sent again", timeout=20)
    assert fake.accepted[0].rcpt_tos == ["partner@client.example"]
    assert "event=release_deferred" in guard.log and "event=send_error" not in guard.log
    # The retry may be the duplicate: the log and the hold's trail say so.
    assert "event=possible_duplicate kind=release" in guard.log and "outcome=unknown" in guard.log
    page = httpx.get(link).text
    assert "possible_duplicate" in page or "2通届いた可能性" in page or "twice" in page


def test_the_message_is_stuffed_a_piece_at_a_time_exactly_as_aiosmtplib_stuffs_it_whole(monkeypatch):
    """Pieces cut after a CRLF: the same bytes on the wire as aiosmtplib's data(), for lines
    that start with dots, bare CR/LF, lines longer than a piece and the empty message."""
    import asyncio
    import random

    from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

    from proxy import upstream

    class Wire:
        def __init__(self):
            self.out = []

        def write(self, data):
            self.out.append(data)

    monkeypatch.setattr(upstream, "_PIECE", 64)
    rnd = random.Random(15)
    cases = [b"", b".", b".\r\n", b"a" * 300 + b"\r\n.\r\n", b"\r\n" * 70 + b"."]
    for _ in range(1500):
        parts = [b"a", b".", b"\r\n", b"..", b"\r", b"\n", b"x" * rnd.randint(0, 200)]
        cases.append(b"".join(rnd.choice(parts) for _ in range(rnd.randint(0, 60))))
    for raw in cases:
        wire = Wire()
        asyncio.run(upstream._write_stuffed(wire, raw))
        assert b"".join(wire.out) == PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw)) + b".\r\n"
