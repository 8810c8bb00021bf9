"""The seam between the quarantine and whatever delivers mail (DESIGN.md: handed a `send`)."""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence


class DeliveryError(Exception):
    def __init__(self, code: int, text: str, refused: Mapping[str, tuple[int, str]] | None = None):
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text
        self.refused = dict(refused or {})   # recipient -> (code, text) for per-recipient refusals


class TemporaryFailure(DeliveryError):
    """Try again later: the upstream is down, busy or answered 4xx."""


class PermanentFailure(DeliveryError):
    """The upstream refused with 5xx; retrying cannot help."""


class Send(Protocol):
    async def __call__(self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes) -> None:
        """Deliver `raw` unchanged, or raise TemporaryFailure / PermanentFailure."""
