"""Delivery to the upstream: an SMTP server, or the embedded Maildir outbox.

Both implement quarantine.delivery.Send: deliver the bytes unchanged or raise
TemporaryFailure / PermanentFailure, which handler.py maps to SMTP replies.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from pathlib import Path

import aiosmtplib
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

from quarantine.delivery import (
    DeliveryError,
    PermanentFailure,
    TemporaryFailure,
    UnknownOutcome,
    reverse_path,
)

from .endpoints import Upstream
from .outbox import MaildirOutbox

# Idle upstream connections are reused for the next message (connect, TLS and EHLO cost
# more than the transaction); kept well under the 5-minute server timeout of RFC 5321
# §4.5.3.2.7 so the upstream rarely closes one under us.
IDLE_SECONDS = 20.0
MAX_IDLE = 16
# RFC 5321 §4.5.3.2.6: a client should wait 10 minutes for the reply to the final dot (the
# server may be doing its own delivery then); replying 451 sooner makes the sender retry a
# message the upstream may have taken (RFC 1047). A caller's deadline shortens it.
FINAL_REPLY_WAIT = 600.0
MIN_FINAL_WAIT = 2.0  # with less time than this left, the message is not sent at all


class _StaleConnection(Exception):
    """A reused connection turned out closed before anything was sent: try a fresh one."""


def make_sender(
    upstream: Upstream, *, timeout: float, ca_file: Path | None, local_hostname: str
) -> SmtpUpstream | MaildirOutbox:
    if upstream.scheme == "maildir":
        if upstream.path is None:  # parse_upstream gives every maildir: upstream its path
            raise ValueError("a maildir upstream without a path")
        return MaildirOutbox(upstream.path)
    return SmtpUpstream(upstream, timeout=timeout, ca_file=ca_file, local_hostname=local_hostname)


def _fail(code: int, text: str, refused: dict | None = None) -> Exception:
    cls = PermanentFailure if 500 <= code < 600 else TemporaryFailure
    return cls(code, text, refused)


class SmtpUpstream:
    def __init__(
        self, upstream: Upstream, *, timeout: float, ca_file: Path | None, local_hostname: str
    ) -> None:
        self.upstream = upstream
        self.timeout = timeout
        self.local_hostname = local_hostname
        # Certificates are always verified (RFC 8314 §4.1 for implicit TLS, and the same for
        # STARTTLS: an unverified upstream is an open door for a man in the middle).
        self.tls_context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []  # (since, client), newest last

    async def __call__(
        self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes, *, deadline: float | None = None
    ) -> None:
        """`deadline` (the event loop's clock): when the caller must have its answer; it
        bounds the wait for the reply to the final dot. Every other command waits `timeout`."""
        # aiosmtplib sends MAIL FROM:<> for "" and refuses "<>" (a hold stored before the
        # guard spelt the null path "").
        mail_from = reverse_path(mail_from)
        now = asyncio.get_running_loop().time()
        ends = now + FINAL_REPLY_WAIT if deadline is None else min(now + FINAL_REPLY_WAIT, deadline)
        if ends - now < MIN_FINAL_WAIT:
            # Sent now, its reply could not be waited for: a certain retry, a likely duplicate.
            raise TemporaryFailure(451, "no time left to wait for the upstream's reply")
        reused = self._take_idle()
        if reused is not None:
            try:
                await self._transaction(reused, mail_from, rcpt_tos, raw, ends, reused=True)
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
            await self._transaction(client, mail_from, rcpt_tos, raw, ends)
        except DeliveryError:
            await _close(client)  # a refusal: the session is in order, say QUIT
            raise
        except BaseException:
            # Cancelled or broken mid-transaction: a QUIT could land inside the message data.
            client.close()
            raise
        self._put_idle(client)

    def _new_client(self) -> aiosmtplib.SMTP:
        up = self.upstream
        return aiosmtplib.SMTP(
            hostname=up.host,
            port=up.port,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
            use_tls=up.scheme == "smtps",
            start_tls=up.scheme == "smtp+starttls",
            tls_context=self.tls_context if up.scheme != "smtp" else None,
        )

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
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(451, f"upstream unreachable: {type(exc).__name__}") from None

    async def _transaction(
        self,
        client: aiosmtplib.SMTP,
        mail_from: str,
        rcpt_tos: Sequence[str],
        raw: bytes,
        ends: float,
        reused: bool = False,
    ) -> None:
        options, encoding = [], "ascii"
        if client.supports_extension("8bitmime") and not raw.isascii():
            options.append("BODY=8BITMIME")
        if not (mail_from + "".join(rcpt_tos)).isascii():
            if not client.supports_extension("smtputf8"):
                # RFC 6531 §3.6.4: a non-ASCII address cannot go to a server without SMTPUTF8.
                raise PermanentFailure(
                    553, "5.6.7 the upstream does not support SMTPUTF8 (non-ASCII address)"
                )
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
                codes = [c for c, _ in refused.values()]
                code = next((c for c in codes if c >= 500), codes[0])
                text = "; ".join(f"<{r}>: {c} {m}" for r, (c, m) in refused.items())
                raise _fail(code, text, refused)
            await _data(client, raw, ends)
        except aiosmtplib.SMTPResponseException as exc:
            raise _fail(exc.code, exc.message) from None
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(451, f"upstream failed: {type(exc).__name__}") from None


async def _mail(
    client: aiosmtplib.SMTP, mail_from: str, options: list[str], reused: bool, encoding: str
) -> None:
    try:
        await client.mail(mail_from, options=options, encoding=encoding)
    except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as exc:
        if reused:
            raise _StaleConnection() from exc
        raise
    except aiosmtplib.SMTPResponseException as exc:
        if reused and exc.code == 421:  # the upstream is closing this idle session
            raise _StaleConnection() from exc
        raise


async def _data(client: aiosmtplib.SMTP, raw: bytes, ends: float) -> None:
    """DATA (answered within `timeout`), the message, then the reply to its final dot, awaited
    until `ends`. aiosmtplib's data() waits as long for both. Once the dot may have left, a
    lost or missing reply is an UnknownOutcome, not a plain failure: the message may be
    delivered, and a retry may duplicate it."""
    response = await client.execute_command(b"DATA")
    if response.code != 354:
        raise aiosmtplib.SMTPDataError(response.code, response.message)
    protocol = client.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("connection lost after DATA")
    if ends - asyncio.get_running_loop().time() < MIN_FINAL_WAIT:
        # The commands before took the time the reply needed: closing now, before the final
        # dot, makes the upstream drop the transaction (RFC 5321 §3.8) — nothing sent.
        client.close()
        raise TemporaryFailure(451, "no time left to wait for the upstream's reply")
    await _write_stuffed(protocol, raw)
    wait = max(ends - asyncio.get_running_loop().time(), 0.1)
    try:
        response = await protocol.read_response(timeout=wait)
    except (
        aiosmtplib.SMTPServerDisconnected,
        aiosmtplib.SMTPTimeoutError,
        OSError,
        aiosmtplib.SMTPResponseException,
    ) as exc:
        # Closed, silent, or a reply that is no reply (no code, a line past the library's
        # limit): either way we cannot know whether the upstream took the message.
        client.close()  # the reply may still come: never read it as another command's
        what = (
            "closed"
            if isinstance(exc, ConnectionError)
            else "unreadable"
            if isinstance(exc, aiosmtplib.SMTPResponseException)
            else "silent"
        )
        raise UnknownOutcome(
            451, f"the upstream {what} after the end of the data (waited up to {wait:.0f}s)"
        ) from None
    if response.code != 250:
        raise aiosmtplib.SMTPDataError(response.code, response.message)


# aiosmtplib stuffs the whole message at once: three more copies of it in memory (a 20 MB
# message cost 96 MB) and the event loop held for a third of a second. A piece at a time, each
# written when the socket has taken the last, keeps both small.
_PIECE = 1 << 20


async def _write_stuffed(protocol, raw: bytes) -> None:
    """The message dot-stuffed (RFC 5321 §4.5.2) as aiosmtplib does it, then the final dot.
    Pieces end after a CRLF, so that every piece starts a line and `^.` finds only real line
    starts, and no CR of a CRLF is cut from its LF."""
    drain = getattr(protocol, "_drain_helper", None)  # asyncio's flow control, as in streams
    start, size = 0, len(raw)
    if not size:
        protocol.write(normalize_message_line_endings(raw))  # an empty message is one CRLF
    while start < size:
        cut = raw.rfind(b"\r\n", start, start + _PIECE) + 2 if start + _PIECE < size else size
        if cut <= start + 1:  # one line longer than a piece: to its end
            found = raw.find(b"\r\n", start + _PIECE)
            cut = size if found < 0 else found + 2
        protocol.write(PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw[start:cut])))
        start = cut
        if drain is not None:
            await drain()
        else:
            await asyncio.sleep(0)
    protocol.write(b".\r\n")


async def _close(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except Exception:
        client.close()
