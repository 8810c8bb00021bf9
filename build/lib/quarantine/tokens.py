"""Capability tokens for the links in hold notices.

Random (`secrets`), stored only as a SHA-256 hash, compared in constant time. A database
leak then reveals no working link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_csrf() -> str:
    return secrets.token_urlsafe(24)
