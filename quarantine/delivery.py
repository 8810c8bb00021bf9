"""The seam between the quarantine and whatever delivers mail (DESIGN.md: handed a `send`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from .errors import QuarantineError

# The null reverse-path as aiosmtpd hands it over (RFC 5321 §4.5.5: bounces, DSNs of RFC 3464,
# MDNs of RFC 8098, auto-replies of RFC 3834 §3.3). Envelopes, holds and jobs spell it "".
NULL_PATH = "<>"


def reverse_path(address: str | None) -> str:
    """The envelope sender as the guard keeps it and hands to `Send`: "" for the null path."""
    return "" if address is None or address == NULL_PATH else address


class DeliveryError(QuarantineError):
    def __init__(self, code: int, text: str, refused: Mapping[str, tuple[int, str]] | None = None):
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text
        self.refused = dict(refused or {})  # recipient -> (code, text) for per-recipient refusals


def hide_bcc(exc: DeliveryError, bcc: Sequence[str], label: str) -> DeliveryError:
    """The upstream's error with the supervisor Bcc addresses (rules add_bcc) replaced by
    `label`: its per-recipient text quotes them, and the sender is told of the Bcc only on
    hold pages, never whom (README "Supervisor Bcc")."""
    if not bcc:
        return exc
    refused = {
        hide_addresses(rcpt, bcc, label): (code, hide_addresses(text, bcc, label))
        for rcpt, (code, text) in exc.refused.items()
    }
    return type(exc)(exc.code, hide_addresses(exc.text, bcc, label), refused)


def hide_addresses(text: str, addresses: Sequence[str], label: str) -> str:
    """`text` with each of `addresses` (in any case) replaced by `label`."""
    if not addresses:
        return text
    pattern = re.compile("|".join(re.escape(a) for a in sorted(addresses, key=len, reverse=True)), re.I)
    return pattern.sub(label, text)


class TemporaryFailure(DeliveryError):
    """Try again later: the upstream is down, busy or answered 4xx."""


class PermanentFailure(DeliveryError):
    """The upstream refused with 5xx; retrying cannot help."""


class UnknownOutcome(TemporaryFailure):
    """The whole message and its final dot were sent, and no reply came (the upstream closed
    or stayed silent): it may have been delivered. Retried like any temporary failure, so a
    retry may duplicate it (RFC 1047); whoever retries it should say so."""


class Send(Protocol):
    async def __call__(
        self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes, *, deadline: float | None = None
    ) -> None:
        """Deliver `raw` unchanged, or raise TemporaryFailure / PermanentFailure.
        `mail_from` "" is the null reverse-path (MAIL FROM:<>, RFC 5321 §4.5.5). `deadline`
        (the event loop's clock), if given: when the caller must have its answer."""
