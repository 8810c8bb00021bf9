"""The `sso:` section as a value (parsed and validated once by proxy/sso_settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

ROLES = ("admin", "approver")  # mapped by claim; anyone else who signs in is a "sender"


@dataclass(frozen=True, kw_only=True)
class SsoSettings:
    name: str  # the button's words: "Microsoft Entra ID でサインイン"
    issuer: str  # exactly as written, as the discovery document and ID tokens say it (a trailing / kept)
    client_id: str
    client_secret: str = ""  # from client_secret_env; empty: a public client (PKCE alone)
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    login_claim: str = "email"
    roles_claim: str = "groups"
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, claim values), admin first
    local_passwords: bool = True
    ca_file: str | None = None  # the provider's certificate checked against this CA file
    # the domains whose addresses may sign in (default: organization.internal_domains); a
    # subdomain counts as its domain. Empty: nobody signs in by the provider.
    allowed_domains: tuple[str, ...] = ()

    def allows(self, login: str) -> bool:
        """Only the company's own addresses sign in: a provider may know others (guests of an
        Entra tenant, any Google account when the client is not limited to the workspace)."""
        domain = login.rpartition("@")[2].lower().rstrip(".")
        return any(domain == d or domain.endswith(f".{d}") for d in self.allowed_domains)

    def roles_elsewhere(self, claims: dict) -> bool:
        """Entra ID's groups overage: too many groups for a token, the claim is replaced by a
        pointer (`_claim_names`, OpenID Connect Core §5.6.2 distributed claims) to Graph."""
        names = claims.get("_claim_names")
        return isinstance(names, dict) and self.roles_claim.split(".", 1)[0] in names

    def role_for(self, claims: dict) -> str:
        """The role of a person who signed in, from the roles claim: the first role (admin
        before approver) one of whose values the claim holds; nobody named: sender. Roles that
        are elsewhere (groups overage) are not read: sender (fail closed)."""
        if self.roles_elsewhere(claims):
            return "sender"
        value = claim(claims, self.roles_claim)
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


def claim(claims: dict, name: str) -> object:
    """A claim by its name; a dotted name that is no claim itself is a path into nested objects
    (Keycloak's `realm_access.roles`, `resource_access.<client>.roles`). The whole name first: a
    namespaced claim such as `https://example.co.jp/roles` has dots of its own."""
    if name in claims or "." not in name:
        return claims.get(name)
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def on_loopback(url: str) -> bool:
    """A provider on this machine (tests, a local Keycloak) may speak plain http."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
