"""STARTTLS and AUTH at the edge, STARTTLS to the upstream: certificates made in the test."""

from __future__ import annotations

import smtplib
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller

from .cli import add_user
from .support import Recorder, free_port, message


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def _write_cert(ca, tmp_path):
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    cert.cert_chain_pems[0].write_to_path(tmp_path / "cert.pem")
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    return tmp_path / "cert.pem", tmp_path / "key.pem"


@pytest.fixture
def tls_guard(ca, tmp_path, guard_factory):
    cert, key = _write_cert(ca, tmp_path)
    guard = guard_factory(
        smtp={"trusted_networks": [], "tls_cert": str(cert), "tls_key": str(key), "users_file": "users"}
    )
    add_user(guard, "taro@example.co.jp", "correct horse battery")
    return guard.start()


def _client_context(tmp_path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))


def test_untrusted_client_without_auth_is_refused_at_mail(tls_guard, upstream):
    # Refused at MAIL since issue 11 (RFC 4954 §6); RCPT without a MAIL is then out of order.
    with tls_guard.smtp() as client:
        client.ehlo()
        code, text = client.mail("taro@example.co.jp")
        assert code == 530 and b"5.7.0 Authentication required" in text
        code, _ = client.rcpt("partner@client.example")
    assert code == 503
    assert upstream.recorder.messages == []


def test_auth_is_offered_only_after_starttls(tls_guard, tmp_path):
    with tls_guard.smtp() as client:
        client.ehlo()
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")
        assert client.has_extn("8bitmime") and client.has_extn("smtputf8") and client.has_extn("size")
        client.starttls(context=_client_context(tmp_path))
        client.ehlo()
        assert set(client.esmtp_features["auth"].upper().split()) == {"LOGIN", "PLAIN"}


def test_authenticated_user_relays_with_its_own_sender_only(tls_guard, upstream, tmp_path):
    with tls_guard.smtp() as client:
        client.starttls(context=_client_context(tmp_path))
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("taro@example.co.jp", "wrong password")
        client.login("taro@example.co.jp", "correct horse battery")
        code, _ = client.mail("boss@example.co.jp")
        assert code == 553
        client.rset()
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message())
    [got] = upstream.recorder.wait_for(1)
    assert got.mail_from == "taro@example.co.jp"


@pytest.fixture
def tls_upstream(ca, tmp_path):
    """A recording upstream that requires STARTTLS, with a certificate from the test CA."""
    cert, key = _write_cert(ca, tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    up = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True)
    up.start()
    yield f"smtp+starttls://127.0.0.1:{port}", recorder
    up.stop()


def test_starttls_upstream_with_verified_certificate(tls_upstream, tmp_path, guard_factory):
    url, recorder = tls_upstream
    guard = guard_factory(upstream_url=url, delivery={"ca_file": str(tmp_path / "ca.pem")}).start()
    with guard.smtp() as client:
        client.sendmail("taro@example.co.jp", ["partner@client.example"], message())
    assert len(recorder.wait_for(1)) == 1


def test_starttls_upstream_with_unknown_certificate_is_not_used(tls_upstream, guard_factory):
    url, recorder = tls_upstream
    guard = guard_factory(upstream_url=url).start()  # no ca_file: the test CA is unknown
    with guard.smtp() as client:
        client.ehlo()
        client.mail("taro@example.co.jp")
        client.rcpt("partner@client.example")
        code, _ = client.data(message())
    assert code == 451
    assert recorder.messages == []
