"""Delivery to the upstream: an SMTP server, or the embedded Maildir outbox.

Both implement quarantine.delivery.Send: deliver the bytes unchanged or raise
TemporaryFailure / PermanentFailure, which handler.py maps to SMTP replies.
"""
from __future__ import annotations

import asyncio
import ssl
import time
from pathlib import Path
from typing import Sequence

import aiosmtplib

from quarantine.delivery import DeliveryError, PermanentFailure, TemporaryFailure

from .endpoints import Upstream
from .outbox import MaildirOutbox

# Idle upstream connections are reused for the next message (connect, TLS and EHLO cost
# more than the transaction); kept well under the 5-minute server timeout of RFC 5321
# §4.5.3.2.7 so the upstream rarely closes one under us.
IDLE_SECONDS = 20.0
MAX_IDLE = 16


class _StaleConnection(Exception):
    """A reused connection turned out closed before anything was sent: try a fresh one."""


def make_sender(upstream: Upstream, *, timeout: float, ca_file: Path | None,
                local_hostname: str) -> "SmtpUpstream | MaildirOutbox":
    if upstream.scheme == "maildir":
        return MaildirOutbox(upstream.path)
    return SmtpUpstream(upstream, timeout=timeout, ca_file=ca_file, local_hostname=local_hostname)


def _fail(code: int, text: str, refused: dict | None = None) -> Exception:
    cls = PermanentFailure if 500 <= code < 600 else TemporaryFailure
    return cls(code, text, refused)


class SmtpUpstream:
    def __init__(self, upstream: Upstream, *, timeout: float, ca_file: Path | None,
                 local_hostname: str) -> None:
        self.upstream = upstream
        self.timeout = timeout
        self.local_hostname = local_hostname
        # Certificates are always verified (RFC 8314 §4.1 for implicit TLS, and the same for
        # STARTTLS: an unverified upstream is an open door for a man in the middle).
        self.tls_context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []   # (since, client), newest last

    async def __call__(self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes) -> None:
        reused = self._take_idle()
        if reused is not None:
            try:
                await self._transaction(reused, mail_from, rcpt_tos, raw, reused=True)
            except _StaleConnection:
                reused.close()
            except BaseException:
                reused.close()
                raise
            else:
                self._put_idle(reused)
                return
        client = self._new_client()
        try:
            await self._connect(client)
            await self._transaction(client, mail_from, rcpt_tos, raw)
        except DeliveryError:
            await _close(client)   # a refusal: the session is in order, say QUIT
            raise
        except BaseException:
            # Cancelled or broken mid-transaction: a QUIT could land inside the message data.
            client.close()
            raise
        self._put_idle(client)

    def _new_client(self) -> aiosmtplib.SMTP:
        up = self.upstream
        return aiosmtplib.SMTP(
            hostname=up.host, port=up.port, timeout=self.timeout, local_hostname=self.local_hostname,
            use_tls=up.scheme == "smtps", start_tls=up.scheme == "smtp+starttls",
            tls_context=self.tls_context if up.scheme != "smtp" else None)

    def _take_idle(self) -> aiosmtplib.SMTP | None:
        now = time.monotonic()
        while self._idle:
            since, client = self._idle.pop()
            if client.is_connected and now - since < IDLE_SECONDS:
                return client
            client.close()
        return None

    def _put_idle(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < MAX_IDLE and client.is_connected:
            self._idle.append((time.monotonic(), client))
        else:
            client.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        await asyncio.gather(*(_close(client) for _, client in idle))

    async def _connect(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.connect()
            # EHLO now, not lazily at MAIL: the extensions (8BITMIME, SMTPUTF8) decide the
            # MAIL parameters.
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
            if self.upstream.username:
                await client.login(self.upstream.username, self.upstream.password or "")
        except aiosmtplib.SMTPResponseException as exc:
            # Even a 5xx here (bad credentials, a refused greeting) is our configuration's
            # fault, not the message's: the client keeps it and retries.
            raise TemporaryFailure(451, f"upstream refused the session: {exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise TemporaryFailure(451, f"upstream unreachable: {type(exc).__name__}") from None

    async def _transaction(self, client: aiosmtplib.SMTP, mail_from: str,
                           rcpt_tos: Sequence[str], raw: bytes, reused: bool = False) -> None:
        options, encoding = [], "ascii"
        if client.supports_extension("8bitmime") and not raw.isascii():
            options.append("BODY=8BITMIME")
        if not (mail_from + "".join(rcpt_tos)).isascii():
            if not client.supports_extension("smtputf8"):
                # RFC 6531 §3.6.4: a non-ASCII address cannot go to a server without SMTPUTF8.
                raise PermanentFailure(553, "5.6.7 the upstream does not support SMTPUTF8 "
                                            "(non-ASCII address)")
            options.append("SMTPUTF8")
            encoding = "utf-8"
        try:
            await _mail(client, mail_from, options, reused, encoding)
            refused = {}
            for rcpt in rcpt_tos:
                try:
                    await client.rcpt(rcpt, encoding=encoding)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    refused[rcpt] = (exc.code, exc.message)
            if refused:
                # Refuse the whole message rather than answer 250 for a recipient that will
                # not get it (no silent drop); RSET cancels the upstream transaction.
                await client.rset()
                code = next((c for c, _ in refused.values() if c >= 500), 451)
                text = "; ".join(f"<{r}>: {c} {m}" for r, (c, m) in refused.items())
                raise _fail(code, text, refused)
            await client.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            raise _fail(exc.code, exc.message) from None
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise TemporaryFailure(451, f"upstream failed: {type(exc).__name__}") from None


async def _mail(client: aiosmtplib.SMTP, mail_from: str, options: list[str], reused: bool,
                encoding: str) -> None:
    try:
        await client.mail(mail_from, options=options, encoding=encoding)
    except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as exc:
        if reused:
            raise _StaleConnection() from exc
        raise
    except aiosmtplib.SMTPResponseException as exc:
        if reused and exc.code == 421:   # the upstream is closing this idle session
            raise _StaleConnection() from exc
        raise


async def _close(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except Exception:
        client.close()
