"""The `sso:` section as a value (parsed and validated once by proxy/sso_settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

ROLES = ("admin", "approver")  # mapped by claim; anyone else who signs in is a "sender"


@dataclass(frozen=True, kw_only=True)
class SsoSettings:
    name: str  # the button's words: "Microsoft Entra ID でサインイン"
    issuer: str  # exactly as the provider's discovery document says it (no trailing slash added)
    client_id: str
    client_secret: str = ""  # from client_secret_env; empty: a public client (PKCE alone)
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    login_claim: str = "email"
    roles_claim: str = "groups"
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, claim values), admin first
    local_passwords: bool = True
    ca_file: str | None = None  # the provider's certificate checked against this CA file

    def role_for(self, claims: dict) -> str:
        """The role of a person who signed in, from the roles claim: the first role (admin
        before approver) one of whose values the claim holds; nobody named: sender."""
        value = claims.get(self.roles_claim)
        held = (
            {value}
            if isinstance(value, str)
            else {v for v in value if isinstance(v, str)}
            if isinstance(value, list)
            else set()
        )
        for role, values in self.roles:
            if held & set(values):
                return role
        return "sender"


def on_loopback(url: str) -> bool:
    """A provider on this machine (tests, a local Keycloak) may speak plain http."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
