"""Read the company's directory (LDAP / Active Directory) into an `OrgSnapshot` (issue 21).

Blocking (ldap3's synchronous strategy): the sync runs it in a thread. The whole read or
nothing: any error, a size or time limit, a connection cut mid-search raises `DirectoryError`
with a code, and the caller leaves the last good copy alone. The connection is encrypted and the
certificate verified before the bind (ldaps://, or StartTLS on ldap://; RFC 4513 §3.1.1).

Every value is hostile: the only filters sent are the configured ones (no value read ever goes
into a filter or a DN we build); a mail that is not one plain address (CR/LF, spaces, controls,
no @) drops that person; names and departments lose their control characters and are cut to a
length; an address two entries carry names nobody new (the sync keeps the copy's person).
Managers are DNs (RFC 4512 `manager`), mapped to the mails of the people read; groups are the
union of the people's `memberOf` and the groups' `member`, for the groups the configured
search reads (any memberOf DN without `groups:`), named case-folded, never merged by name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from quarantine.org_chart import OrgGroup, OrgSnapshot, Person, group_key

from .directory_settings import DirectorySettings
from .org_connection import SUBTREE, DirectoryError, close, connect, lx, parse_dn

__all__ = ["DirectoryError", "Reading", "read_directory"]

PAGE = 500  # entries per page (AD's MaxPageSize is 1000)
MAX_TEXT = 200  # characters of a name, a department, a group name
_MAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}")  # fullmatch
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass
class Reading:
    """What one read did, for the sync's log line and the tests (counts and the filters sent)."""

    filters: list[str] = field(default_factory=list)
    rejected: int = 0  # entries without one valid mail
    duplicates: int = 0  # entries sharing their mail with another entry: none of them read
    held_back: set[str] = field(default_factory=set)  # those mails: the copy's person stays
    # People whose manager is one of those entries: which person that is cannot be told
    # either, so the copy's manager stays (never the one a duplicate entry would name).
    manager_held: set[str] = field(default_factory=set)
    group_clashes: int = 0  # group DNs sharing their name with another DN: none of them read


def read_directory(s: DirectorySettings, reading: Reading | None = None, page: int = PAGE) -> OrgSnapshot:
    reading = reading if reading is not None else Reading()
    conn = connect(s)
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
        close(conn)
    return _snapshot(s, people, groups, reading)


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
    mail_of: dict[str, str] = {}  # a person's DN key -> his mail
    rows: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for dn, raw in people:
        mail = _mail(raw.get(a["mail"], []))
        if mail is None:
            reading.rejected += 1
            continue
        rows[mail].append((_key(dn), raw))
    by_mail: dict[str, Person] = {}
    entries: list[tuple[str, dict]] = []
    clashing: set[str] = set()  # the DN keys of the entries skipped for a shared mail
    for mail, held in rows.items():
        if len(held) > 1:
            clashing.update(k for k, _ in held)
            # One address, several entries (a stale duplicate, or somebody who may write his
            # own `mail`): which is the person cannot be told, so neither is read. The sync
            # keeps the copy's person for this address (reading.held_back), never departs him.
            reading.duplicates += len(held)
            reading.held_back.add(mail)
            continue
        mail_of[held[0][0]] = mail
        entries.append((mail, held[0][1]))
    group_of = _groups(s, a, people, groups, reading)  # a group's DN key -> its name (folded)
    members: dict[str, set[str]] = {name: set() for name in group_of.values()}
    for mail, raw in entries:
        manager_dn = _first(raw.get(a["manager"], []))
        manager = _key(manager_dn) if manager_dn else ""
        if manager in clashing:
            reading.manager_held.add(mail)
        by_mail[mail] = Person(
            mail=mail,
            name=_text(raw.get(a["name"], [])),
            department=_text(raw.get(a["department"], [])),
            manager=mail_of.get(manager) if manager else None,
        )
        for value in raw.get(a["member_of"], []):
            name = group_of.get(_key(_decode(value)))
            if name is not None:
                members[name].add(mail)
    for dn, raw in groups:
        name = group_of.get(_key(dn))
        if name is None:
            continue
        for value in raw.get(a["group_member"], []):
            mail = mail_of.get(_key(_decode(value)))
            if mail is not None:
                members[name].add(mail)
    return OrgSnapshot(
        people=tuple(by_mail[m] for m in sorted(by_mail)),
        groups=tuple(OrgGroup(name=n, members=tuple(sorted(ms))) for n, ms in sorted(members.items())),
    )


def _groups(s: DirectorySettings, a: dict[str, str], people, groups, reading: Reading) -> dict[str, str]:
    """Which group DNs count, and the name each is known by, case-folded (Active Directory and
    LDAP's cn compare names without case: `Sales` and `sales` are one name).

    With `groups:` configured only the groups that search read count: a person's memberOf
    naming a group elsewhere (a self-service OU, another domain) is ignored, never turned into
    a group by its RDN. Without it the people's memberOf DNs are the groups, named by their
    RDN value. Two different DNs one name: neither is read (counted), never merged."""
    names: dict[str, str] = {}
    if s.groups:
        for dn, raw in groups:
            if (key := _key(dn)) != "\x00" and (name := _text(raw.get(a["group_name"], []))):
                names[key] = name
    else:
        for _, raw in people:
            for value in raw.get(a["member_of"], []):
                dn = _decode(value)
                if (key := _key(dn)) != "\x00" and (name := _rdn_value(dn)):
                    names[key] = name
    by_name: dict[str, list[str]] = defaultdict(list)
    for key, name in names.items():
        by_name[group_key(name)].append(key)
    out = {}
    for name, keys in by_name.items():
        if len(keys) > 1:
            reading.group_clashes += len(keys)
            continue
        out[keys[0]] = name
    return out


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
