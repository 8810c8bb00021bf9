"""Why a sign-on failed: a code for the log and the page, never the token or a claim's value."""

from __future__ import annotations

from ..errors import QuarantineError


class SsoError(QuarantineError):
    """codes: discovery_failed, token_failed, token_refused, bad_token, bad_alg, unknown_key, bad_signature,
    bad_issuer, bad_audience, expired, bad_nonce, unverified_email, no_login, domain_not_allowed, state, denied, busy"""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
