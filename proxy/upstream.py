"""Delivery to the upstream: an SMTP server, or the embedded Maildir outbox.

Both implement quarantine.delivery.Send: deliver the bytes unchanged or raise
TemporaryFailure / PermanentFailure, which handler.py maps to SMTP replies.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import socket
import ssl
import time
from pathlib import Path
from typing import Sequence

import aiosmtplib

from quarantine.delivery import PermanentFailure, Send, TemporaryFailure

from .endpoints import Upstream


def make_sender(upstream: Upstream, *, timeout: float, ca_file: Path | None,
                local_hostname: str) -> Send:
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

    async def __call__(self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes) -> None:
        up = self.upstream
        client = aiosmtplib.SMTP(
            hostname=up.host, port=up.port, timeout=self.timeout, local_hostname=self.local_hostname,
            use_tls=up.scheme == "smtps", start_tls=up.scheme == "smtp+starttls",
            tls_context=self.tls_context if up.scheme != "smtp" else None)
        try:
            await self._connect(client)
            await self._transaction(client, mail_from, rcpt_tos, raw)
        finally:
            await _close(client)

    async def _connect(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.connect()
            if self.upstream.username:
                await client.login(self.upstream.username, self.upstream.password or "")
        except aiosmtplib.SMTPResponseException as exc:
            # Even a 5xx here (bad credentials, a refused greeting) is our configuration's
            # fault, not the message's: the client keeps it and retries.
            raise TemporaryFailure(451, f"upstream refused the session: {exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise TemporaryFailure(451, f"upstream unreachable: {type(exc).__name__}") from None

    async def _transaction(self, client: aiosmtplib.SMTP, mail_from: str,
                           rcpt_tos: Sequence[str], raw: bytes) -> None:
        options = []
        if client.supports_extension("8bitmime") and any(b > 127 for b in raw):
            options.append("BODY=8BITMIME")
        if client.supports_extension("smtputf8") and not (mail_from + "".join(rcpt_tos)).isascii():
            options.append("SMTPUTF8")
        try:
            await client.mail(mail_from, options=options)
            refused = {}
            for rcpt in rcpt_tos:
                try:
                    await client.rcpt(rcpt)
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


async def _close(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except Exception:
        client.close()


class MaildirOutbox:
    """The embedded default upstream: each message lands in a Maildir, durably.

    The stdlib's mailbox.Maildir does not fsync; this writes tmp/, fsyncs, renames into new/
    and fsyncs the directory, so a delivered message survives a crash (Maildir's own recipe).
    """
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._counter = itertools.count()
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)

    async def __call__(self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes) -> None:
        try:
            await asyncio.to_thread(self._write, raw)
        except OSError as exc:
            raise TemporaryFailure(451, f"outbox not writable: {exc.strerror}") from None

    def _write(self, raw: bytes) -> None:
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self._counter)}.{socket.gethostname()}"
        tmp, new = self.path / "tmp" / name, self.path / "new" / name
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, new)
        dir_fd = os.open(self.path / "new", os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
