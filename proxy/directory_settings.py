"""The `directory:` section (issue 21): where the company's people are read from (LDAP /
Active Directory), validated once like the rest of the configuration (errors name the key).

The connection is always encrypted and the server's certificate always verified: ldaps://, or
ldap:// which then requires StartTLS (RFC 4513 §3.1.1) before the bind, so that the bind
password never crosses the network in clear. The password comes from an environment variable
(`bind_password_env`) or, with a warning, from the file itself (a secret at rest).

Absent section (or no `url`): no directory, `Settings.ldap` is None, the guard runs as before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config_values import config_text
from .endpoints import parse_duration, resolve
from .errors import ConfigError

log = logging.getLogger("guard.settings")

# Active Directory's names; OpenLDAP's inetOrgPerson has mail, displayName, departmentNumber
# (or ou), manager; memberOf needs the memberof overlay there, so groups' `member` count too.
ATTRIBUTES = {
    "mail": "mail",
    "name": "displayName",
    "department": "department",
    "manager": "manager",
    "member_of": "memberOf",
    "group_name": "cn",
    "group_member": "member",
}
PEOPLE_FILTER = (
    "(&(objectCategory=person)(objectClass=user)(mail=*)"
    "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"  # AD: accounts not disabled
)
GROUPS_FILTER = "(objectClass=group)"

DEFAULTS: dict[str, Any] = {
    "url": None,
    "ca_file": None,
    "bind_dn": None,
    "bind_password": None,
    "bind_password_env": None,
    "people": {},
    "groups": {},
    "attributes": {},
    "refresh": "15m",
    "keep_departed": "30d",
    "timeout": "10s",
}
MIN_REFRESH = 60.0  # every sync reads the whole directory


@dataclass(frozen=True, kw_only=True)
class Search:
    bases: tuple[str, ...]
    filter: str


@dataclass(frozen=True, kw_only=True)
class DirectorySettings:
    url: str
    host: str
    port: int
    ldaps: bool  # False: ldap:// with StartTLS
    ca_file: Path | None
    bind_dn: str
    bind_password: str = field(repr=False)
    people: Search
    groups: Search | None  # None: groups from the people's member_of only
    attributes: Mapping[str, str]
    refresh: float
    keep_departed: float
    timeout: float


def directory_settings(value: Any, base: Path, environ: Mapping[str, str]) -> DirectorySettings | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(f"directory: must be a mapping; got {value!r}")
    unknown = sorted(set(value) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"unknown key directory.{unknown[0]} (known: {', '.join(DEFAULTS)})")
    d = {**DEFAULTS, **{k: v for k, v in value.items() if v is not None}}
    if d["url"] is None:
        if any(value.get(k) is not None for k in DEFAULTS):
            raise ConfigError("directory.url: required when the directory section is given")
        return None
    url, host, port, ldaps = _url(d["url"])
    refresh = parse_duration(d["refresh"], "directory.refresh")
    if refresh < MIN_REFRESH:
        raise ConfigError(f"directory.refresh: at least {MIN_REFRESH:g}s; got {refresh:g}s")
    people = _search(d["people"], "directory.people", PEOPLE_FILTER)
    if people is None:
        raise ConfigError("directory.people.base: required (one DN or a list)")
    return DirectorySettings(
        url=url,
        host=host,
        port=port,
        ldaps=ldaps,
        ca_file=resolve(Path(config_text(d["ca_file"], "directory.ca_file")), base) if d["ca_file"] else None,
        bind_dn=config_text(d["bind_dn"], "directory.bind_dn") if d["bind_dn"] else "",
        bind_password=_password(d, environ),
        people=people,
        groups=_search(d["groups"], "directory.groups", GROUPS_FILTER),
        attributes=_attributes(d["attributes"]),
        refresh=refresh,
        keep_departed=parse_duration(d["keep_departed"], "directory.keep_departed"),
        timeout=parse_duration(d["timeout"], "directory.timeout"),
    )


def _url(value: Any) -> tuple[str, str, int, bool]:
    text = config_text(value, "directory.url")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConfigError(f"directory.url: not a URL; got {text!r}") from None
    if parts.scheme not in ("ldaps", "ldap") or not parts.hostname:
        raise ConfigError(f"directory.url: must be ldaps://HOST[:PORT] or ldap://HOST[:PORT]; got {text!r}")
    if parts.path not in ("", "/") or parts.query or parts.username:
        raise ConfigError(f"directory.url: only the scheme, host and port; got {text!r}")
    ldaps = parts.scheme == "ldaps"
    return text, parts.hostname, port or (636 if ldaps else 389), ldaps


def _password(d: dict, environ: Mapping[str, str]) -> str:
    if d["bind_password_env"] is not None:
        name = config_text(d["bind_password_env"], "directory.bind_password_env")
        if name not in environ:
            raise ConfigError(f"directory.bind_password_env: the variable {name} is not set")
        if not environ[name]:
            # A simple bind with a name and no password is an unauthenticated bind (RFC 4513
            # §5.1.2): refused or anonymous, never the sync account. Said here, not as
            # `unreachable` at every round.
            raise ConfigError(f"directory.bind_password_env: the variable {name} is empty")
        return environ[name]
    if d["bind_password"] is not None:
        log.warning("event=config_secret_in_file key=directory.bind_password")
        return config_text(d["bind_password"], "directory.bind_password")
    if d["bind_dn"]:
        raise ConfigError("directory.bind_password_env: required with bind_dn (or bind_password)")
    return ""


def _search(value: Any, key: str, default_filter: str) -> Search | None:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: must be a mapping with base and filter; got {value!r}")
    unknown = sorted(set(value) - {"base", "filter"})
    if unknown:
        raise ConfigError(f"unknown key {key}.{unknown[0]} (known: base, filter)")
    bases = value.get("base")
    if bases is None:
        return None
    bases = [bases] if isinstance(bases, str) else bases
    if not isinstance(bases, list) or not bases:
        raise ConfigError(f"{key}.base: one DN or a list of DNs; got {bases!r}")
    flt = config_text(value.get("filter", default_filter), f"{key}.filter")
    if not (flt.startswith("(") and flt.endswith(")")) or flt.count("(") != flt.count(")"):
        raise ConfigError(f"{key}.filter: an LDAP filter in parentheses (RFC 4515); got {flt!r}")
    return Search(bases=tuple(config_text(b, f"{key}.base") for b in bases), filter=flt)


def _attributes(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"directory.attributes: must be a mapping; got {value!r}")
    unknown = sorted(set(value) - set(ATTRIBUTES))
    if unknown:
        raise ConfigError(f"unknown key directory.attributes.{unknown[0]} (known: {', '.join(ATTRIBUTES)})")
    out = dict(ATTRIBUTES)
    for key, name in value.items():
        text = config_text(name, f"directory.attributes.{key}")
        if not text.replace("-", "").replace(";", "").isalnum() or not text.isascii():
            raise ConfigError(f"directory.attributes.{key}: an attribute name; got {text!r}")
        out[key] = text
    return out
