"""The session's side of the admission (proxy/admission.py): counted from connect to close,
turned away with 421 beyond a cap, closed to make room when idle, and refused 452 at MAIL when
the byte budget cannot take the size it declares.

It exists apart from proxy/session.py, whose class it is the base of, because it is a policy
of its own (Postfix's connection count limits) laid over aiosmtpd's protocol hooks, while
session.py keeps aiosmtpd's behaviour with its hot spots taken out.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from typing import cast

from aiosmtpd.smtp import SMTP

from .admission import IDLE_CLOSED, NO_STORAGE, TOO_MANY, Admission

log = logging.getLogger("guard.smtp")


class AdmittedSMTP(SMTP):
    _client: str | None = None  # the address counted in the admission, while counted
    _refused = False  # turned away at connect: the session never started
    _last_command: float | None = None

    def __init__(self, handler, *, admission: Admission | None = None, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.admission = admission

    def connection_made(self, transport) -> None:
        if self.admission is None or self.transport is not None:  # no caps, or STARTTLS
            return super().connection_made(transport)
        self._client = _client_key(transport.get_extra_info("peername"))
        if not self.admission.enter(self._client, self):
            # RFC 5321 §3.8: a server that cannot serve the session says 421 and closes.
            self._client = None
            self._refused = True
            transport.write(TOO_MANY)
            transport.close()
            return
        super().connection_made(transport)

    def connection_lost(self, error) -> None:
        if self._refused:
            return
        if self._client is not None and self.admission is not None:  # counted only with an admission
            self.admission.leave(self._client, self)
            self._client = None
        super().connection_lost(error)

    def eof_received(self):
        return False if self._refused else super().eof_received()

    def _reset_timeout(self, duration: float | None = None) -> None:
        # aiosmtpd re-arms its idle timer at connect and at every command: the admission
        # reads the same moment as this session's last sign of life.
        self._last_command = time.monotonic()
        super()._reset_timeout(duration)

    @property
    def idle_since(self) -> float | None:
        """For proxy/admission.Idle: None while a mail transaction is open (never evicted)."""
        if self.envelope is not None and self.envelope.mail_from is not None:
            return None
        return self._last_command

    def evict(self) -> None:
        """Make room at the total cap: RFC 5321 §3.8, 421 and close."""
        if self._client is not None and self.admission is not None:  # counted only with an admission
            self.admission.leave(self._client, self)
            self._client = None
        if self.transport is not None and not self.transport.is_closing():
            # aiosmtpd types its transport as the base class; a stream's transport writes.
            cast(asyncio.Transport, self.transport).write(IDLE_CLOSED)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    async def smtp_MAIL(self, arg: str) -> None:
        """RFC 1870 §6.2: a declared SIZE that the budget cannot take now is 452, a
        temporary refusal the client retries; so is any MAIL while the budget is used up."""
        assert self.session is not None and self.envelope is not None  # made at connect
        if self.admission is not None and self.session.host_name and self.envelope.mail_from is None:
            declared = _declared_size(arg)
            if declared <= (self.data_size_limit or declared) and not self.admission.fits(declared):
                log.info("event=budget_refused at=MAIL")
                await self.push(NO_STORAGE)
                return
        opened = self.envelope.mail_from is None
        await super().smtp_MAIL(arg)
        if opened and self.envelope.mail_from is not None:
            # aiosmtpd's Envelope has no such field; smtp_DATA reads it with getattr.
            self.envelope.declared_size = _declared_size(arg)  # type: ignore[attr-defined]


def _client_key(peer) -> str:
    """The client address the caps count by: an IPv4 client reaching a dual-stack listener
    (::ffff:192.0.2.1) is the same client as over IPv4."""
    address = str(peer[0] if isinstance(peer, tuple) and peer else peer)
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def _declared_size(arg: str) -> int:
    """The SIZE=n of a MAIL command (RFC 1870 §6), or 0; aiosmtpd checks its syntax."""
    match = _SIZE.search(arg)
    return int(match[1]) if match else 0


_SIZE = re.compile(r"[ \t]SIZE=([0-9]{1,15})(?![^ \t])", re.IGNORECASE)
