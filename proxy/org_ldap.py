"""Read the company's directory (LDAP / Active Directory) into an `OrgSnapshot` (issue 21).

Blocking (ldap3's synchronous strategy): the sync runs it in a thread. The whole read or
nothing: any error, a size or time limit, a connection cut mid-search raises `DirectoryError`
with a code, and the caller leaves the last good copy alone. The connection is encrypted and the
certificate verified before the bind (ldaps://, or StartTLS on ldap://; RFC 4513 §3.1.1).

Every value is hostile: the only filters sent are the configured ones (no value read ever goes
into a filter or a DN we build); a mail that is not one plain address (CR/LF, spaces, controls,
no @) drops that person; names and departments lose their control characters and are cut to a
length. Managers are DNs (RFC 4512 `manager`), mapped to the mails of the people read; groups
are the union of the people's `memberOf` and the groups' `member`.
"""

from __future__ import annotations

import contextlib
import math
import re
import ssl
import warnings
from collections import defaultdict
from dataclasses import dataclass, field

with warnings.catch_warnings():
    # ldap3 2.9 imports pyasn1's old names (tagMap, typeMap), deprecated in pyasn1 0.6: a
    # warning at import about their spelling, not about what the guard does.
    warnings.filterwarnings("ignore", r".* is deprecated\. Please use .* instead", DeprecationWarning)
    from ldap3 import NONE, SUBTREE, Connection, Server, Tls
    from ldap3.core import exceptions as lx
    from ldap3.utils.dn import parse_dn

from quarantine.org_chart import OrgGroup, OrgSnapshot, Person

from .directory_settings import DirectorySettings

CODES = ("unreachable", "tls_failed", "bind_failed", "search_failed", "empty_result")
PAGE = 500  # entries per page (AD's MaxPageSize is 1000)
MAX_TEXT = 200  # characters of a name, a department, a group name
_MAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}")  # fullmatch
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class DirectoryError(Exception):
    """The read did not complete; `code` is one of CODES (logged, shown, stored)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Reading:
    """What one read did, for the sync's log line and the tests (counts and the filters sent)."""

    filters: list[str] = field(default_factory=list)
    rejected: int = 0  # entries without one valid mail


def read_directory(s: DirectorySettings, reading: Reading | None = None, page: int = PAGE) -> OrgSnapshot:
    reading = reading if reading is not None else Reading()
    conn = _connect(s)
    try:
        a = s.attributes
        people = _search(
            conn,
            s.people.bases,
            s.people.filter,
            [a["mail"], a["name"], a["department"], a["manager"], a["member_of"]],
            reading,
            page,
        )
        groups = (
            _search(
                conn, s.groups.bases, s.groups.filter, [a["group_name"], a["group_member"]], reading, page
            )
            if s.groups
            else []
        )
    except lx.LDAPOperationResult:
        raise DirectoryError("search_failed") from None
    except lx.LDAPException:  # the connection cut mid-read, a receive timeout
        raise DirectoryError("unreachable") from None
    finally:
        _close(conn)
    return _snapshot(s, people, groups, reading)


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


def _connect(s: DirectorySettings) -> Connection:
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
            _close(conn)
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
            _close(conn)
            raise DirectoryError("bind_failed")
    except lx.LDAPOperationResult:
        _close(conn)
        raise DirectoryError("bind_failed") from None
    except lx.LDAPException:
        _close(conn)
        raise DirectoryError("unreachable") from None
    return conn


def _open(conn: Connection, ldaps: bool) -> None:
    conn.open()
    if not ldaps:
        conn.start_tls()


def _close(conn: Connection) -> None:
    try:
        conn.unbind()
    except lx.LDAPException:
        pass
    if conn.socket is not None:  # unbind leaves it open when the server never answered
        with contextlib.suppress(OSError):
            conn.socket.close()


def _search(
    conn, bases, flt, attributes, reading: Reading, page: int
) -> list[tuple[str, dict[str, list[bytes]]]]:
    out = []
    for base in bases:
        reading.filters.append(flt)
        for entry in conn.extend.standard.paged_search(
            base, flt, search_scope=SUBTREE, attributes=attributes, paged_size=page, generator=True
        ):
            if entry.get("type") == "searchResEntry":  # references (other servers) are not read
                raw = {k.lower(): v for k, v in entry["raw_attributes"].items()}
                out.append((entry["dn"], raw))
    return out


def _snapshot(s: DirectorySettings, people, groups, reading: Reading) -> OrgSnapshot:
    a = {k: v.lower() for k, v in s.attributes.items()}
    mail_of: dict[str, str] = {}
    rows = []
    for dn, raw in people:
        mail = _mail(raw.get(a["mail"], []))
        if mail is None:
            reading.rejected += 1
            continue
        mail_of[_key(dn)] = mail
        rows.append((mail, raw))
    members: dict[str, set[str]] = defaultdict(set)
    group_name = {_key(dn): name for dn, raw in groups if (name := _text(raw.get(a["group_name"], [])))}
    by_mail: dict[str, Person] = {}
    for mail, raw in rows:
        manager = _first(raw.get(a["manager"], []))
        boss = mail_of.get(_key(manager)) if manager else None
        by_mail[mail] = Person(
            mail=mail,
            name=_text(raw.get(a["name"], [])),
            department=_text(raw.get(a["department"], [])),
            manager=boss,
        )
        for value in raw.get(a["member_of"], []):
            dn = _decode(value)
            name = group_name.get(_key(dn)) or _rdn_value(dn)
            if name:
                members[name].add(mail)
    for dn, raw in groups:
        found = group_name.get(_key(dn))
        if not found:
            continue
        members[found] = members.get(found, set())  # a group with no member read is still a group
        for value in raw.get(a["group_member"], []):
            mail = mail_of.get(_key(_decode(value)))
            if mail is not None:
                members[found].add(mail)
    return OrgSnapshot(
        people=tuple(by_mail[m] for m in sorted(by_mail)),
        groups=tuple(OrgGroup(name=n, members=tuple(sorted(ms))) for n, ms in sorted(members.items())),
    )


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _first(values: list[bytes]) -> str:
    return _decode(values[0]) if values else ""


def _mail(values: list[bytes]) -> str | None:
    text = _first(values)
    return (
        text.lower()
        if len(values) == 1 and len(text) <= 254 and _MAIL.fullmatch(text) and ".." not in text
        else None
    )


def _text(values: list[bytes]) -> str:
    return " ".join(_CONTROLS.sub(" ", _first(values)).split())[:MAX_TEXT]


def _key(dn: str) -> str:
    """A DN compared as LDAP compares it, near enough: attribute names and values without case,
    no spaces around the separators (RFC 4514). Unparseable: a key that matches nothing."""
    try:
        return ",".join(f"{t.lower()}={v.strip().lower()}" for t, v, _ in parse_dn(dn, escape=False))
    except Exception:  # a hostile or broken DN
        return "\x00"


def _rdn_value(dn: str) -> str:
    try:
        parts = parse_dn(dn, escape=False)
    except Exception:
        return ""
    return " ".join(_CONTROLS.sub(" ", parts[0][1]).split())[:MAX_TEXT] if parts else ""
