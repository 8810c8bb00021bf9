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

from aiosmtpd.smtp import SMTP, AuthResult

log = logging.getLogger("guard.smtp")

# "<dot-atom@domain>" then a space or the end: what nearly every client sends (RFC 5321
# §4.1.2 Mailbox, ASCII only). For these the email parser's result is known in advance:
# the address as written, and the parameters after the spaces.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PATH = re.compile(rf"<((?:{_ATOM}\.)*{_ATOM}@(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+)>"
                         r"(?:[ \t]+(?=[^\s(])|\Z)")


def hook_names(obj: object) -> list[str]:
    """What aiosmtpd's SMTP.__init__ looks for, for `__dir__` of the session and the handler.

    That __init__ finds the command methods, the AUTH mechanisms and the handler's hooks with
    dir() and inspect.getmembers(), which read every attribute of both objects: measured at
    a third of the CPU of a whole session, paid on every connection. The names depend only
    on the class.
    """
    return _hook_names(type(obj))


@functools.cache
def _hook_names(cls: type) -> list[str]:
    return [name for name in dir(cls) if name.startswith(("smtp_", "auth_", "handle_"))]


# What GuardSMTP._authenticate hands back to aiosmtpd's auth_PLAIN/auth_LOGIN: "credentials
# read, check pending". Compared by identity; never reaches smtp_AUTH.
_PENDING = AuthResult(success=False, handled=False)


class GuardSMTP(SMTP):
    __dir__ = hook_names
    _credentials: tuple | None = None

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
        if result is not _PENDING:   # no credentials: a syntax error or "*", already answered
            return result
        assert self._credentials is not None
        (mechanism, auth_data), self._credentials = self._credentials, None
        if self._authenticator is None:
            return super()._authenticate(mechanism, auth_data)
        outcome = self._authenticator(self, self.session, self.envelope, mechanism, auth_data)
        return await outcome if inspect.isawaitable(outcome) else outcome

    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA, reading the message in blocks instead of line by line.

        aiosmtpd awaits every line of the message separately: about a sixth of the CPU of a
        whole session for a 10 KB message. The replies and limits are aiosmtpd's: 503/501,
        "500 Line too long" for a line over 1,000 octets (RFC 5321 §4.5.3.1.6), "552 Too
        much mail data" over data_size_limit, in the order aiosmtpd finds them; and the
        data is read to its end either way.
        """
        if self._decode_data or "DATA" not in self._handle_hooks:   # never so in the guard
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
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            content, error = await self._read_data()
        except asyncio.CancelledError:
            log.info("event=connection_lost_during_data")
            self._writer.close()
            raise
        if error:
            await self.push(error)
            self._set_post_data_state()
            return
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)

    async def _read_data(self) -> tuple[bytes, str | None]:
        """The message up to the line ".", unstuffed; or b"" and the refusal it earned."""
        blocks: list[bytes] = []
        size, error, limit = 0, None, self.data_size_limit
        tail = b"\r\n"   # the last two octets before the block: the data starts a line
        while True:
            try:
                # Every end of the data is a ".\r\n"; not every ".\r\n" is the end, and the
                # CRLF before it may have come in the block before.
                block = await self._reader.readuntil(b".\r\n")
                end = (tail + block[-5:]).endswith(b"\r\n.\r\n")
            except asyncio.LimitOverrunError as exc:   # a long stretch without one
                block, end = await self._reader.read(exc.consumed), False
            tail = (tail + block[-2:])[-2:]
            if end:
                block = block[:-3]
            size += len(block)
            if error is None:
                blocks.append(block)
                if limit and size > limit:
                    error = _refusal(b"".join(blocks), limit)
                    blocks.clear()   # read on to the end, keeping nothing
            if end:
                break
        raw = b"".join(blocks)
        error = error or _refusal(raw, None)
        if error:
            return b"", error
        # RFC 5321 §4.5.2: the sender doubled each dot that starts a line; take one away.
        raw = raw.replace(b"\r\n.", b"\r\n")
        return (raw[1:] if raw.startswith(b".") else raw), None

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
            addr, rest = plain[1], arg[plain.end():]
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


def _refusal(data: bytes, limit: int | None) -> str | None:
    """aiosmtpd's refusal of the data, if any, in its order: it stops at a line over 1,003
    octets as soon as it has read that far; it counts the size of every line it reads whole
    and then checks the line's length against its limit of 1,001 octets with the CRLF."""
    lines = data.split(b"\r\n")
    if limit is None:   # the size is known to be within the limit
        return _TOO_LONG if max(map(len, lines)) > _LINE_MAX else None
    size = -2   # the last piece has no CRLF after it
    for line in lines:
        if len(line) > _LINE_MAX + 2:
            return _TOO_LONG
        size += len(line) + 2
        if size > limit:
            break
        if len(line) > _LINE_MAX:
            return _TOO_LONG
    return "552 Error: Too much mail data"


_LINE_MAX = SMTP.line_length_limit - 2   # 1,001 octets less the CRLF (RFC 5321 §4.5.3.1.6)
_TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
