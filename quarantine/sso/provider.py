"""The OpenID provider as the guard sees it: its discovery document (OpenID Connect
Discovery 1.0) and its signing keys (the JWKS, RFC 7517), fetched with httpx and cached.

The discovery document is kept an hour. The keys are refetched when an ID token names a key
id the cached set lacks (the provider rolled its keys), but at most once a minute after a fetch
that worked: a stream of tokens with made-up key ids must not turn the guard into a load on the
provider, and a provider that failed once must not leave the guard without keys for a minute.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .config import SsoSettings, on_loopback
from .errors import SsoError

DISCOVERY_TTL = 3600.0
JWKS_REFETCH = 60.0
TIMEOUT = 10.0
MAX_DOCUMENT = 512 * 1024


@dataclass(frozen=True, kw_only=True)
class Endpoints:
    authorization: str
    token: str
    jwks_uri: str
    algorithms: tuple[str, ...]  # id_token_signing_alg_values_supported
    # RFC 9207 §3: the provider says it names itself (iss) in every authorization response
    iss_parameter: bool = False


class Provider:
    def __init__(self, sso: SsoSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.sso = sso
        self.clock = clock
        # certificates always verified: against sso.ca_file (a private CA) or the system's CAs
        self.verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=sso.ca_file) if sso.ca_file else True
        )
        self._endpoints: Endpoints | None = None
        self._endpoints_at = 0.0
        self._keys: list[dict] = []
        self._keys_at = float("-inf")
        self._lock = asyncio.Lock()

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=TIMEOUT, verify=self.verify, follow_redirects=False)

    async def endpoints(self) -> Endpoints:
        async with self._lock:
            if self._endpoints is None or self.clock() - self._endpoints_at > DISCOVERY_TTL:
                self._endpoints = await self._discover()
                self._endpoints_at = self.clock()
            return self._endpoints

    async def key(self, kid: str | None) -> dict | None:
        """The provider's public key of this id (or its only key when the token names none)."""
        found = self._find(kid)
        if found is None:
            async with self._lock:
                found = self._find(kid)
                if found is None and self.clock() - self._keys_at >= JWKS_REFETCH:
                    endpoints = self._endpoints or await self._discover()
                    self._keys = _keys(await self._get(endpoints.jwks_uri))
                    # the minute counts from a fetch that worked: after a failure (the provider
                    # down a moment) the next token may fetch again at once
                    self._keys_at = self.clock()
                    found = self._find(kid)
        return found

    def _find(self, kid: str | None) -> dict | None:
        if kid is None:
            return self._keys[0] if len(self._keys) == 1 else None
        return next((k for k in self._keys if k.get("kid") == kid), None)

    async def _discover(self) -> Endpoints:
        # Discovery §4: a terminating "/" of the issuer is removed before the well-known path is
        # appended — for this URL only; §4.3: the issuer in the document is exactly the one
        # configured (a trailing "/" included), or the document is someone else's.
        doc = await self._get(f"{self.sso.issuer.rstrip('/')}/.well-known/openid-configuration")
        if doc.get("issuer") != self.sso.issuer:
            raise SsoError("discovery_failed")
        urls = [doc.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
        if not all(isinstance(u, str) and _acceptable(u) for u in urls):
            raise SsoError("discovery_failed")
        found = [str(u) for u in urls]
        algs = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        if not isinstance(algs, list):
            raise SsoError("discovery_failed")
        return Endpoints(
            authorization=found[0],
            token=found[1],
            jwks_uri=found[2],
            algorithms=tuple(a for a in algs if isinstance(a, str)),
            iss_parameter=doc.get("authorization_response_iss_parameter_supported") is True,
        )

    async def _get(self, url: str) -> dict:
        try:
            async with self.client() as http:
                reply = await http.get(url, headers={"Accept": "application/json"})
            if reply.status_code != 200 or len(reply.content) > MAX_DOCUMENT:
                raise SsoError("discovery_failed")
            doc = reply.json()
        except (httpx.HTTPError, ValueError):
            raise SsoError("discovery_failed") from None
        if not isinstance(doc, dict):
            raise SsoError("discovery_failed")
        return doc


def _keys(jwks: dict) -> list[dict]:
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        raise SsoError("discovery_failed")
    # Signing keys only (RFC 7517 §4.2: "use" absent or "sig"); symmetric keys never.
    return [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig" and k.get("kty") != "oct"]


def _acceptable(url: str) -> bool:
    return url.startswith("https://") or (url.startswith("http://") and on_loopback(url))
