"""The connection to the company's directory (issue 21): ldap3, encrypted and verified before
the bind — ldaps://, or StartTLS on ldap:// (RFC 4513 §3.1.1) — with the certificate checked
by the standard library against `directory.ca_file` (or the system's CAs) and the host name.
Every failure is a `DirectoryError` with a code, logged and stored as such."""

from __future__ import annotations

import contextlib
import math
import ssl
import warnings

with warnings.catch_warnings():
    # ldap3 2.9 imports pyasn1's old names (tagMap, typeMap), deprecated in pyasn1 0.6: a
    # warning at import about their spelling, not about what the guard does.
    warnings.filterwarnings("ignore", r".* is deprecated\. Please use .* instead", DeprecationWarning)
    from ldap3 import NONE, SUBTREE, Connection, Server, Tls
    from ldap3.core import exceptions as lx
    from ldap3.utils.dn import parse_dn

from .directory_settings import DirectorySettings
from .errors import GuardError

CODES = ("unreachable", "tls_failed", "bind_failed", "search_failed", "empty_result")


class DirectoryError(GuardError):
    """The read did not complete; `code` is one of CODES (logged, shown, stored)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _VerifiedTls(Tls):
    """TLS by the standard library's own checks: the chain against the CA file (or the
    system's CAs) and the host name in the handshake (RFC 6125). ldap3's own name check calls
    ssl.match_hostname, deprecated and gone in Python 3.12."""

    def __init__(self, s: DirectorySettings) -> None:
        super().__init__(validate=ssl.CERT_REQUIRED)
        self.context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.host = s.host

    def wrap_socket(self, connection, do_handshake=False) -> None:
        connection.socket = self.context.wrap_socket(
            connection.socket, server_side=False, do_handshake_on_connect=True, server_hostname=self.host
        )


def connect(s: DirectorySettings) -> Connection:
    tls = _VerifiedTls(s)
    server = Server(s.host, port=s.port, use_ssl=s.ldaps, tls=tls, get_info=NONE, connect_timeout=s.timeout)
    conn = Connection(
        server,
        user=s.bind_dn or None,
        password=s.bind_password or None,
        receive_timeout=max(1, math.ceil(s.timeout)),  # ldap3 packs it as whole seconds
        raise_exceptions=True,
        read_only=True,
        auto_referrals=False,  # a referral is another server: not followed with our password
        check_names=False,
    )
    try:
        try:
            _open(conn, s.ldaps)
        except BaseException:
            close(conn)
            raise
    except (lx.LDAPStartTLSError, ssl.SSLError, lx.LDAPCertificateError):
        raise DirectoryError("tls_failed") from None
    except lx.LDAPSocketOpenError as exc:  # ldaps: a failed handshake is an open error too
        tls_words = ("ssl", "certificate", "tls")
        raise DirectoryError(
            "tls_failed" if any(w in str(exc).lower() for w in tls_words) else "unreachable"
        ) from None
    except lx.LDAPException:
        raise DirectoryError("unreachable") from None
    try:
        if not conn.bind():
            close(conn)
            raise DirectoryError("bind_failed")
    except lx.LDAPOperationResult:
        close(conn)
        raise DirectoryError("bind_failed") from None
    except lx.LDAPException:
        close(conn)
        raise DirectoryError("unreachable") from None
    return conn


def _open(conn: Connection, ldaps: bool) -> None:
    conn.open()
    if not ldaps:
        conn.start_tls()


def close(conn: Connection) -> None:
    try:
        conn.unbind()
    except lx.LDAPException:
        pass
    if conn.socket is not None:  # unbind leaves it open when the server never answered
        with contextlib.suppress(OSError):
            conn.socket.close()


__all__ = ["SUBTREE", "Connection", "DirectoryError", "Server", "Tls", "close", "connect", "lx", "parse_dn"]
