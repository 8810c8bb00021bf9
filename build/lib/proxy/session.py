"""The SMTP session class: aiosmtpd's, with its per-session hot spots taken out.

One session object is built per connection and most clients send one message per connection,
so what aiosmtpd does per object weighs as much as the message itself. Behaviour is aiosmtpd's;
tests/test_session.py holds the two side by side.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import re
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError

from aiosmtpd.smtp import AuthResult

from .admission import NO_STORAGE, Reservation
from .admitted import AdmittedSMTP
from .spool import THRESHOLD, DataSpool

log = logging.getLogger("guard.smtp")

# "<dot-atom@domain>" then a space or the end: what nearly every client sends (RFC 5321
# §4.1.2 Mailbox, ASCII only). For these the email parser's result is known in advance:
# the address as written, and the parameters after the spaces.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PATH = re.compile(
    rf"<((?:{_ATOM}\.)*{_ATOM}@(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+)>"
    r"(?:[ \t]+(?=[^\s(])|\Z)"
)


def hook_names(obj: object) -> list[str]:
    """What aiosmtpd's SMTP.__init__ looks for, for `__dir__` of the session and the handler.

    That __init__ finds the command methods, the AUTH mechanisms and the handler's hooks with
    dir() and inspect.getmembers(), which read every attribute of both objects: measured at
    a third of the CPU of a whole session, paid on every connection. The names depend only
    on the class.
    """
    cls: type = type(obj)  # as type[object], mypy finds its __hash__ unbound, not Hashable
    return _hook_names(cls)


@functools.cache
def _hook_names(cls: type) -> list[str]:
    return [name for name in dir(cls) if name.startswith(("smtp_", "auth_", "handle_"))]


# What GuardSMTP._authenticate hands back to aiosmtpd's auth_PLAIN/auth_LOGIN: "credentials
# read, check pending". Compared by identity; never reaches smtp_AUTH.
_PENDING = AuthResult(success=False, handled=False)


class GuardSMTP(AdmittedSMTP):
    __dir__ = hook_names
    _credentials: tuple | None = None

    def __init__(
        self, handler, *, spool_threshold: int = THRESHOLD, spool_directory: str | None = None, **kwargs
    ) -> None:
        super().__init__(handler, **kwargs)
        self.spool_threshold = spool_threshold
        self.spool_directory = spool_directory

    # --- AUTH: aiosmtpd's mechanisms, with an authenticator that may be awaited ----------
    # aiosmtpd 1.4 calls the authenticator synchronously from its auth_PLAIN/auth_LOGIN, so a
    # password hash would run on the event loop and stall every session. Its parsing and its
    # replies are kept: _authenticate only keeps the credentials, and the check is awaited
    # here, in the same command, before smtp_AUTH sees the result.
    def _authenticate(self, mechanism: str, auth_data) -> AuthResult:
        self._credentials = (mechanism, auth_data)
        return _PENDING

    async def auth_PLAIN(self, _, args: list[str]) -> AuthResult:
        return await self._checked(await super().auth_PLAIN(_, args))

    async def auth_LOGIN(self, _, args: list[str]) -> AuthResult:
        return await self._checked(await super().auth_LOGIN(_, args))

    async def _checked(self, result: AuthResult) -> AuthResult:
        if result is not _PENDING:  # no credentials: a syntax error or "*", already answered
            return result
        assert self._credentials is not None
        (mechanism, auth_data), self._credentials = self._credentials, None
        if self._authenticator is None:
            return super()._authenticate(mechanism, auth_data)
        assert self.session is not None and self.envelope is not None  # made at connect
        outcome = self._authenticator(self, self.session, self.envelope, mechanism, auth_data)
        return await outcome if inspect.isawaitable(outcome) else outcome

    # --- DATA ---------------------------------------------------------------------------
    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA, reading the message in blocks instead of line by line, to disk
        past a small buffer (proxy/spool.py), and within the byte budget.

        aiosmtpd awaits every line of the message separately: about a sixth of the CPU of a
        whole session for a 10 KB message. The replies and limits are aiosmtpd's: 503/501,
        "500 Line too long" for a line over 1,000 octets (RFC 5321 §4.5.3.1.6), "552 Too
        much mail data" over data_size_limit, in the order aiosmtpd finds them; and the
        data is read to its end either way.
        """
        if self._decode_data or "DATA" not in self._handle_hooks:  # never so in the guard
            return await super().smtp_DATA(arg)
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        held = Reservation(self.admission, self._client or "")
        try:
            # Before 354: RFC 5321 §4.3.2 lists 452 after the data, but any 4xx to a command
            # means "try again later" (§4.2.1), and refusing here spares the upload. A client
            # that declared its size holds it from here, so it is not refused after sending it all.
            if not held.pledge(getattr(self.envelope, "declared_size", 0)):
                log.info("event=budget_refused at=DATA")
                await self.push(NO_STORAGE)
                return
            await self._data(held)
        finally:
            held.release()  # after the reply was pushed, or on error, cancel, disconnect

    async def _data(self, held: Reservation) -> None:
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        spool = DataSpool(
            self.data_size_limit, threshold=self.spool_threshold, directory=self.spool_directory
        )
        try:
            try:
                await self._read_data(spool)
            except asyncio.CancelledError:
                log.info("event=connection_lost_during_data")
                self._writer.close()
                raise
            error = spool.finish()
            if error:
                await self.push(error)
                self._set_post_data_state()
                return
            content = await self._admitted(spool, held)
            if content is None:
                await self.push(NO_STORAGE)  # RFC 5321 §4.2.2: 452 after the data too
                self._set_post_data_state()
                return
            assert self.envelope is not None  # made at connect, remade after each message
            self.envelope.content = self.envelope.original_content = content
        finally:
            spool.discard()
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)

    async def _admitted(self, spool: DataSpool, held: Reservation) -> bytes | None:
        """The message, once the budget takes it; None if the disk failed or the budget did
        not come free in time."""
        if spool.failed is None:
            if not await held.grow_to(spool.stored):
                return None
            try:
                return spool.content()
            except OSError as exc:
                spool.failed = exc
        log.error("event=spool_failed error=%s", type(spool.failed).__name__)
        return None

    async def _read_data(self, spool: DataSpool) -> None:
        """The message up to the line ".", fed to `spool` as it comes."""
        tail = b"\r\n"  # the last two octets before the block: the data starts a line
        while True:
            try:
                # Every end of the data is a ".\r\n"; not every ".\r\n" is the end, and the
                # CRLF before it may have come in the block before.
                block = await self._reader.readuntil(b".\r\n")
                end = (tail + block[-5:]).endswith(b"\r\n.\r\n")
            except asyncio.LimitOverrunError as exc:  # a long stretch without one
                block, end = await self._reader.read(exc.consumed), False
            tail = (tail + block[-2:])[-2:]
            spool.feed(block[:-3] if end else block)
            if end:
                return

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """The address of MAIL FROM / RCPT TO, parsed exactly as aiosmtpd 1.4 parses it.

        aiosmtpd's own version declares a typing.Protocol class inside the method, so every
        MAIL and RCPT builds a class through ABCMeta; and its email-header parser builds a
        token tree for the plainest address. Plain paths take a regular expression, all
        others the same parser with the same limits.
        """
        if not arg:
            return "", ""
        plain = _PLAIN_PATH.match(arg)
        if plain:
            addr, rest = plain[1], arg[plain.end() :]
        else:
            parse = get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec
            try:
                address, rest = parse(arg)
            except HeaderParseError:
                return None, None
            addr = address.addr_spec
        localpart = addr.rpartition("@")[0]
        if self.local_part_limit and len(localpart) > self.local_part_limit:
            return None, None
        return addr, rest
