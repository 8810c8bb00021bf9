"""The `sso:` section (issue 21): OpenID Connect sign-on for the console, validated once; every
error names its key. Absent (no issuer): None, and the console keeps its passwords alone.

    sso:
      name: Microsoft Entra ID
      issuer: https://login.microsoftonline.com/<tenant>/v2.0
      client_id: ...
      client_secret_env: MDG_SSO_CLIENT_SECRET
      scopes: [openid, email, profile]
      login_claim: email
      roles_claim: groups
      roles: {admin: [...], approver: [...]}
      local_passwords: true
      ca_file: /etc/ssl/corp-ca.pem     # optional
      allowed_domains: [example.co.jp]  # optional; default: organization.internal_domains
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from quarantine.sso.config import ROLES, SsoSettings, on_loopback

from .errors import ConfigError

__all__ = ["SSO_DEFAULTS", "SsoSettings", "sso_settings"]

log = logging.getLogger("guard.config")

SSO_DEFAULTS: dict[str, Any] = {
    "name": None,
    "issuer": None,
    "client_id": None,
    "client_secret_env": None,
    "client_secret": None,
    "scopes": ["openid", "email", "profile"],
    "login_claim": "email",
    "roles_claim": "groups",
    "roles": {},
    "local_passwords": True,
    "ca_file": None,  # a private CA for the provider's certificate (system CAs otherwise)
    "allowed_domains": None,  # whose addresses may sign in; None: organization.internal_domains
}

_CLAIM = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]{0,100}$")


def sso_settings(
    raw: Mapping[str, Any],
    environ: Mapping[str, str],
    base: Path = Path("."),
    internal_domains: tuple[str, ...] = (),
) -> SsoSettings | None:
    if raw.get("issuer") is None:
        if raw.get("client_id") is not None:
            raise ConfigError("sso.issuer: required when sso.client_id is given")
        if raw.get("local_passwords") is False:
            raise ConfigError("sso.local_passwords: false needs sso.issuer (nobody could log in)")
        return None
    # Kept as written, a trailing "/" included (Auth0, Entra ID v1 end theirs so): Discovery
    # §4.3 and Core §3.1.3.7 compare the issuer exactly.
    issuer = _text(raw["issuer"], "sso.issuer")
    parts = urlsplit(issuer)
    if parts.scheme != "https" and not (parts.scheme == "http" and on_loopback(issuer)):
        raise ConfigError(f"sso.issuer: must be an https:// URL (http only on loopback); got {issuer!r}")
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ConfigError(f"sso.issuer: must be a plain URL with a host; got {issuer!r}")
    scopes = _words(raw["scopes"], "sso.scopes")
    if "openid" not in scopes:
        raise ConfigError("sso.scopes: must include openid")
    local = raw["local_passwords"]
    if not isinstance(local, bool):
        raise ConfigError(f"sso.local_passwords: must be true or false; got {local!r}")
    return SsoSettings(
        name=_text(raw["name"] or "SSO", "sso.name")[:60],
        issuer=issuer,
        client_id=_text(raw["client_id"], "sso.client_id"),
        client_secret=_secret(raw, environ),
        scopes=tuple(scopes),
        login_claim=_claim(raw["login_claim"], "sso.login_claim"),
        roles_claim=_claim(raw["roles_claim"], "sso.roles_claim"),
        roles=_roles(raw["roles"]),
        local_passwords=local,
        ca_file=_ca_file(raw["ca_file"], base),
        allowed_domains=_domains(raw.get("allowed_domains"), internal_domains),
    )


def _domains(value: Any, internal_domains: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return tuple(internal_domains)
    domains = [d.lower().strip(".") for d in _strings(value, "sso.allowed_domains")]
    for d in domains:
        if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d):
            raise ConfigError(f"sso.allowed_domains: {d!r} is not a domain")
    return tuple(domains)


def _ca_file(value: Any, base: Path) -> str | None:
    if value is None:
        return None
    path = base / _text(value, "sso.ca_file")
    if not path.is_file():
        raise ConfigError(f"sso.ca_file: no such file: {path}")
    return str(path)


def _secret(raw: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    name = raw.get("client_secret_env")
    if name is not None:
        if not isinstance(name, str) or not _ENV.match(name):
            raise ConfigError(f"sso.client_secret_env: must be an environment variable's name; got {name!r}")
        if not environ.get(name):
            raise ConfigError(f"sso.client_secret_env: the environment variable {name} is not set")
        return environ[name]
    secret = raw.get("client_secret")
    if secret is None:
        return ""  # a public client: PKCE alone (Entra ID "mobile and desktop", Keycloak public)
    log.warning("event=config_secret_in_file key=sso.client_secret")  # a secret at rest
    return _text(secret, "sso.client_secret")


def _roles(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"sso.roles: must be a mapping of role to claim values; got {value!r}")
    unknown = set(value) - set(ROLES)
    if unknown:
        raise ConfigError(f"sso.roles.{sorted(map(str, unknown))[0]}: unknown role (admin, approver)")
    return tuple((role, tuple(_strings(value[role], f"sso.roles.{role}"))) for role in ROLES if role in value)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 for c in value):
        raise ConfigError(f"{key}: must be non-empty text on one line; got {value!r}")
    return value.strip()


def _strings(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key}: must be a list of text; got {value!r}")
    return [v.strip() for v in value]


def _words(value: Any, key: str) -> list[str]:
    words = _strings(value, key)
    for w in words:
        if not _CLAIM.match(w):
            raise ConfigError(f"{key}: {w!r} is not a scope")
    return words


def _claim(value: Any, key: str) -> str:
    if not isinstance(value, str) or not _CLAIM.match(value):
        raise ConfigError(f"{key}: must be a claim name; got {value!r}")
    return value
