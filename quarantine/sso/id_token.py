"""The ID token's checks, OpenID Connect Core 1.0 §3.1.3.7, on a token the guard received from
the provider's token endpoint over TLS — checked all the same, as if it came from anywhere.

Signature with the provider's published key (joserfc, authlib's JOSE library), the algorithm
from the provider's list and never `none` nor HMAC (a client secret as the key would let the
client mint tokens); iss exactly the issuer; aud holding our client id, azp ours when there are
several audiences or when present; exp and iat with a small leeway for clocks; the nonce we
sent; `email_verified: false` refused (an unverified address names nobody).
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..tokens import token_hash
from .config import SsoSettings
from .errors import SsoError
from .provider import Provider

LEEWAY = 120.0  # seconds of clock difference between the guard and the provider
MAX_AGE = 3600.0  # an ID token issued longer ago than this is not a fresh sign-in
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)
MAX_TOKEN = 64 * 1024


async def checked_claims(
    token: Any,
    *,
    sso: SsoSettings,
    provider: Provider,
    algorithms: tuple[str, ...],
    nonce_hash: str,
    now: float,
) -> dict:
    """The claims of a good ID token; SsoError(code) for any other."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 2:
        raise SsoError("bad_token")
    header = _header(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ASYMMETRIC or alg not in algorithms:
        raise SsoError("bad_alg")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise SsoError("bad_token")
    key = await provider.key(kid)
    if key is None:
        raise SsoError("unknown_key")
    try:
        keys = KeySet.import_key_set({"keys": [key]})
        claims = dict(jwt.decode(token, keys, algorithms=[alg]).claims)
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoError("bad_signature") from None
    _check(claims, sso, nonce_hash, now)
    return claims


def _header(token: str) -> dict:
    part = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, TypeError):
        raise SsoError("bad_token") from None
    if not isinstance(header, dict):
        raise SsoError("bad_token")
    return header


def _check(claims: dict, sso: SsoSettings, nonce_hash: str, now: float) -> None:
    if claims.get("iss") != sso.issuer:
        raise SsoError("bad_issuer")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if sso.client_id not in audiences:
        raise SsoError("bad_audience")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != sso.client_id:
        raise SsoError("bad_audience")
    exp, iat = claims.get("exp"), claims.get("iat")
    if (
        not isinstance(exp, int | float)
        or not isinstance(iat, int | float)
        or not _number(exp)
        or not _number(iat)
    ):
        raise SsoError("bad_token")
    if exp < now - LEEWAY or iat > now + LEEWAY or iat < now - MAX_AGE:
        raise SsoError("expired")
    # the nonce is kept as its SHA-256 only (logins.py): the token's must hash to it
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(token_hash(nonce), nonce_hash):
        raise SsoError("bad_nonce")
    if claims.get("email_verified") is False or claims.get("email_verified") == "false":
        raise SsoError("unverified_email")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
