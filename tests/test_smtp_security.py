"""Issue 11, the SMTP edge: each test is an attack on a running guard, over real sockets."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import smtplib
import sqlite3
import statistics
import threading
import time

import pytest
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from aiosmtpd.smtp import Session

from proxy.handler import Handler, Policy

from .cli import add_user
from .support import MY_NUMBER_BODY, message
from .test_check_cli import run as run_check
from .test_tls_auth import _client_context, _write_cert

PASSWORD = "correct horse battery"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _plain(login: str, password: str) -> str:
    return "PLAIN " + _b64(f"\0{login}\0{password}")


def _tls_guard(ca, tmp_path, guard_factory, users=("taro@example.co.jp",), **smtp):
    cert, key = _write_cert(ca, tmp_path)
    guard = guard_factory(
        smtp={
            "trusted_networks": [],
            "tls_cert": str(cert),
            "tls_key": str(key),
            "users_file": "users",
            **smtp,
        }
    )
    for login in users:
        add_user(guard, login, PASSWORD)
    return guard.start()


def _count(guard, table: str) -> int:
    with sqlite3.connect(guard.workdir / "guard.db") as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _tls_client(guard, tmp_path, source: str = "127.0.0.1") -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", guard.smtp_port, timeout=60, source_address=(source, 0))
    client.starttls(context=_client_context(tmp_path))
    client.ehlo()
    return client


# --- 1. sender spoofing by MAIL before AUTH -----------------------------------------------
def test_forged_mail_before_auth_is_refused_and_nothing_is_sent_or_held(
    ca, tmp_path, guard_factory, upstream
):
    guard = _tls_guard(ca, tmp_path, guard_factory)
    with _tls_client(guard, tmp_path) as client:
        code, text = client.mail("ceo@example.co.jp")
        assert (code, text[:5]) == (530, b"5.7.0")
        client.login("taro@example.co.jp", PASSWORD)
        assert client.rcpt("partner@client.example")[0] == 503  # no transaction to add to
        assert client.docmd("DATA")[0] == 503
    time.sleep(0.5)  # nothing may follow the refusals: a forwarded copy would be here by now
    assert upstream.recorder.messages == []
    assert _count(guard, "held_messages") == 0 and _count(guard, "outbound") == 0


def test_auth_inside_a_transaction_is_503(ca, tmp_path, guard_factory, upstream):
    # A trusted client may send as anyone; it may not log in halfway and borrow the login.
    guard = _tls_guard(ca, tmp_path, guard_factory, trusted_networks=["127.0.0.0/8"])
    with _tls_client(guard, tmp_path) as client:
        assert client.mail("ceo@example.co.jp")[0] == 250
        code, text = client.docmd("AUTH", _plain("taro@example.co.jp", PASSWORD))
        assert (code, text[:5]) == (503, b"5.5.1")
        client.rset()  # out of the transaction, the same login works (here by AUTH LOGIN)
        assert client.docmd("AUTH", "LOGIN " + _b64("taro@example.co.jp"))[0] == 334
        assert client.docmd(_b64(PASSWORD))[0] == 235


def test_sender_is_checked_against_the_login_again_at_data():
    # Defence in depth: however the envelope came to differ from the login, DATA refuses it.
    handler = Handler(
        policy=Policy(trusted_networks=(), max_recipients=10, max_header_size=1000),
        judge=None,
        quarantine=None,
        decisions=None,
        send=None,
        metrics=None,
        history=None,
    )
    session, envelope = Session(loop=None), SmtpEnvelope()
    session.peer, session.authenticated, session.auth_data = ("192.0.2.1", 1), True, "taro@example.co.jp"
    envelope.mail_from, envelope.rcpt_tos = "ceo@example.co.jp", ["partner@client.example"]
    envelope.original_content = message(sender="ceo@example.co.jp")
    reply = asyncio.run(handler.handle_DATA(None, session, envelope))
    assert reply.startswith("553 5.7.1")


# --- 2. password guessing ------------------------------------------------------------------
def test_third_failure_on_a_connection_is_421_and_closes_it(ca, tmp_path, guard_factory):
    guard = _tls_guard(ca, tmp_path, guard_factory)
    with _tls_client(guard, tmp_path) as client:
        codes = [client.docmd("AUTH", _plain("taro@example.co.jp", f"guess {i}"))[0] for i in range(2)]
        assert client.docmd("AUTH", "LOGIN " + _b64("taro@example.co.jp"))[0] == 334
        codes.append(client.docmd(_b64("guess 2"))[0])
        assert codes == [535, 535, 421]
        with pytest.raises(smtplib.SMTPServerDisconnected):
            client.noop()
    failures = [ln for ln in guard.log.splitlines() if "event=auth_failed" in ln]
    assert len(failures) == 3
    assert all("login_id=" in ln and "client=127.0.0.1" in ln for ln in failures)
    assert "taro@example.co.jp" not in "".join(failures) and "guess" not in guard.log


def test_failures_across_connections_block_the_address_and_the_login(ca, tmp_path, guard_factory):
    guard = _tls_guard(
        ca,
        tmp_path,
        guard_factory,
        users=("taro@example.co.jp", "hanako@example.co.jp"),
        auth_max_failures=3,
        auth_block="10m",
    )
    with _tls_client(guard, tmp_path) as client:
        for i in range(2):
            assert client.docmd("AUTH", _plain("taro@example.co.jp", f"guess {i}"))[0] == 535
    with _tls_client(guard, tmp_path) as client:  # a new connection does not start afresh
        assert client.docmd("AUTH", _plain("taro@example.co.jp", "guess 3"))[0] == 535
    # Blocked: the right password is refused unchecked, from this address for any login ...
    with _tls_client(guard, tmp_path) as client:
        assert client.docmd("AUTH", _plain("taro@example.co.jp", PASSWORD)) == (
            454,
            b"4.7.0 Temporary authentication failure",
        )
    with _tls_client(guard, tmp_path) as client:
        assert client.docmd("AUTH", _plain("hanako@example.co.jp", PASSWORD))[0] == 454
    # ... and for this login from anywhere; another login from elsewhere is not affected.
    with _tls_client(guard, tmp_path, source="127.0.0.2") as client:
        assert client.docmd("AUTH", _plain("taro@example.co.jp", PASSWORD))[0] == 454
    with _tls_client(guard, tmp_path, source="127.0.0.3") as client:
        assert client.docmd("AUTH", _plain("hanako@example.co.jp", PASSWORD))[0] == 235


def test_password_checks_do_not_stall_other_sessions(ca, tmp_path, guard_factory):
    """Four guessers keep scrypt busy; a NOOP on another connection is still answered at once.

    Each guesser uses a new client address and login every two guesses, so that neither the
    delays nor the blocks slow it down: every guess costs a full scrypt.
    """
    guard = _tls_guard(ca, tmp_path, guard_factory)
    stop, guesses = threading.Event(), []

    def guess(first: int) -> None:
        n = first
        while not stop.is_set():
            n += 4
            with _tls_client(guard, tmp_path, source=f"127.0.{n // 250}.{2 + n % 250}") as client:
                for i in range(2):
                    guesses.append(client.docmd("AUTH", _plain(f"user{n}@example.co.jp", f"pw{i}"))[0])

    guessers = [threading.Thread(target=guess, args=(i,)) for i in range(4)]
    for t in guessers:
        t.start()
    try:
        time.sleep(1.0)  # the guessers are under way: the NOOPs are measured under their load
        with guard.smtp() as client:
            client.ehlo()
            noops = []
            for _ in range(40):
                started = time.perf_counter()
                assert client.noop()[0] == 250
                noops.append(time.perf_counter() - started)
                time.sleep(0.03)  # samples spread over the guessing, not one burst
    finally:
        stop.set()
        for t in guessers:
            t.join(60)
    assert len(guesses) >= 20 and set(guesses) == {535}, "the guessers kept scrypt busy"
    assert statistics.median(noops) < 0.020, f"median NOOP {statistics.median(noops) * 1000:.1f} ms"


# --- 3. source-routed recipients -----------------------------------------------------------
ROUTED = [
    "user%client.example@example.co.jp",
    "client.example!user@example.co.jp",
    '"user@client.example"@example.co.jp',
]


def test_source_routed_recipients_are_refused_at_rcpt(guard, upstream):
    with guard.smtp() as client:
        client.ehlo()
        assert client.mail("taro@example.co.jp")[0] == 250
        for address in ROUTED:
            code, text = client.docmd("RCPT", f"TO:<{address}>")
            assert (code, text) == (553, b"5.1.3 Source-routed or %-hack addresses are not accepted")
        assert client.rcpt("hanako@example.co.jp")[0] == 250


@pytest.mark.process
@pytest.mark.parametrize("address", ROUTED)
def test_check_reports_source_routed_recipients_as_external(tmp_path, address):
    config = tmp_path / "guard.yaml"
    config.write_text("organization: {internal_domains: [example.co.jp]}\n")
    eml = tmp_path / "m.eml"
    eml.write_bytes(message("年末調整", MY_NUMBER_BODY, to="hanako@example.co.jp"))
    out = run_check(
        str(eml), "--config", str(config), "--json", "--mail-from", "taro@example.co.jp", "--rcpt", address
    )
    findings = json.loads(out.stdout)["findings"]
    external = [f for f in findings if f["code"] == "recipients.external"]
    assert external and external[0]["evidence"][-1] == "example.co.jp (routed)"
    assert out.returncode == 10, "my number to an external recipient is held"


# --- 5. the banner and EHLO name the host and nothing else ----------------------------------
def test_banner_and_ehlo_name_only_the_hostname(guard_factory):
    guard = guard_factory(smtp={"hostname": "mx.example.co.jp"}).start()
    client = smtplib.SMTP(timeout=30)
    code, banner = client.connect("127.0.0.1", guard.smtp_port)
    code_ehlo, ehlo = client.ehlo()
    client.quit()
    assert code == 220 and code_ehlo == 250
    assert banner.split()[0] == b"mx.example.co.jp" and ehlo.splitlines()[0] == b"mx.example.co.jp"
    rest = (banner + b"\n" + ehlo).replace(b"mx.example.co.jp", b"").decode()
    assert not re.search(r"python|aiosmtpd|\d+\.\d+", rest, re.IGNORECASE), rest
