"""GuardSMTP behaves as aiosmtpd's SMTP does; it only takes per-session hot spots out."""

from __future__ import annotations

import asyncio

import pytest
from aiosmtpd.smtp import SMTP

from proxy.session import GuardSMTP

CASES = [
    "<taro@example.co.jp>",
    "<taro@example.co.jp> SIZE=1000 BODY=8BITMIME",
    "taro@example.co.jp",
    "",
    "<>",
    "<broken",
    "<" + "x" * 80 + "@example.co.jp>",
    '<"quoted local"@example.co.jp>',
    "<日本語@例え.jp>",
    "<a@[127.0.0.1]>",
    "  <spaced@example.co.jp>",
    # the plain-path shortcut's edges: what follows ">", dots, odd characters
    "<a@b.c>  SIZE=1",
    "<a@b.c>\tSIZE=1",
    "<a@b.c>X",
    "<a@b.c>(comment) SIZE=1",
    "<a@b.c> ",
    "<a@b.c> (comment)",
    "<a.b+tag@b.c>",
    "<.a@b.c>",
    "<a.@b.c>",
    "<a..b@b.c>",
    "<a@b..c>",
    "<a@.b.c>",
    "<a@b.c.>",
    "<a@b_c.d>",
    "<a@b>",
    "<A!#$%&'*+/=?^_`{|}~-@B.C>",
    "<a@b.c>>",
    "<<a@b.c>",
    "<a b@c.d>",
    "<@relay.example:a@b.c>",
    "<a@b.c> \r(x) SIZE=10",
    "<a@b.c>\t\r(x)",
    "<a@b.c> \n",
    "<a@b.c>\n",
]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

    async def auth_CUSTOM(self, server, args):
        return None


async def _both(make):
    return make(GuardSMTP), make(SMTP)


@pytest.mark.parametrize("arg", CASES)
def test_same_address_parsing_as_aiosmtpd(arg):
    ours, theirs = asyncio.run(_both(lambda cls: cls(Handler())._getaddr(arg)))
    assert ours == theirs


def test_same_commands_auth_mechanisms_and_hooks_as_aiosmtpd():
    def tables(cls):
        session = cls(Handler(), auth_exclude_mechanism=["LOGIN"])
        return (
            sorted(session._smtp_methods),
            sorted(session._auth_methods),
            sorted(session._handle_hooks),
            {name: impl.is_builtin for name, impl in session._auth_methods.items()},
        )

    ours, theirs = asyncio.run(_both(tables))
    assert ours == theirs
    assert "DATA" in ours[0] and "CUSTOM" in ours[1] and "PLAIN" in ours[1] and "LOGIN" not in ours[1]


# --- DATA: the same replies and the same bytes as aiosmtpd, however the data arrives -----
LONG = b"x" * 2500
DATA_CASES = {
    "plain": b"Subject: a\r\n\r\nbody\r\n",
    "empty": b"",
    "one line": b"only\r\n",
    "stuffed dots": b"..leading\r\n..\r\n...\r\nmid.dle\r\n",
    "lines ending in a dot": b"end.\r\nand.\r\n.\r\n"[:-3] + b"x.\r\n",
    "dot space": b". \r\n.x\r\n",
    "bare LF and CR kept": b"a\nb\rc\r\n\n.\r\n"[:-3] + b"d\r\n",
    "dot after bare LF": b"a\n.b\r\n",
    "999 octets": b"y" * 999 + b"\r\n",
    "1000 octets": b"y" * 1000 + b"\r\n",
    "stuffed 999": b"." + b"y" * 998 + b"\r\n" + b".." + b"y" * 997 + b"\r\n",
    "stuffed 1000": b".." + b"y" * 998 + b"\r\n",
    "long line then more": LONG + b"\r\nafter\r\n",
    "long stretch with dots": (b"a." * 1500) + b"\r\n",
    "too much": b"z" * 70 + b"\r\n" + b"w" * 60 + b"\r\n",
    "too much, then a long line": b"z" * 150 + b"\r\n" + LONG + b"\r\n",
    "long line, then too much": LONG + b"\r\n" + b"z" * 150 + b"\r\n",
    "1000 octets and too much": b"y" * 1000 + b"\r\n",
    "1001 octets and too much": b"a\r\n" + b"y" * 1001 + b"\r\n",
}
SIZE_LIMITED = {
    "too much",
    "too much, then a long line",
    "long line, then too much",
    "1000 octets and too much",
    "1001 octets and too much",
}


class Recorder:
    def __init__(self):
        self.contents = []

    async def handle_DATA(self, server, session, envelope):
        self.contents.append(envelope.original_content)
        return "250 OK"


async def _session(
    cls, data: bytes, chunk: int, limit: int, tail: bytes, splits: tuple[int, ...] = ()
) -> tuple:
    recorder = Recorder()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: cls(recorder, data_size_limit=limit, hostname="h"), "127.0.0.1", 0
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
    replies = [await reader.readline()]
    for command in (b"EHLO c\r\n", b"MAIL FROM:<a@b.c>\r\n", b"RCPT TO:<d@e.f>\r\n", b"DATA\r\n"):
        writer.write(command)
        while True:
            line = await reader.readline()
            replies.append(line)
            if line[3:4] != b"-":
                break
    stream = data + b".\r\n" + tail
    cuts = splits or range(chunk, len(stream), chunk)
    for start, end in zip((0, *cuts), (*cuts, len(stream))):
        writer.write(stream[start:end])
        await writer.drain()
        if splits:
            await asyncio.sleep(0.05)  # so that the guard reads each piece on its own
    for _ in range(tail.count(b"\r\n") + 1):
        try:
            replies.append(await asyncio.wait_for(reader.readline(), 10))
        except TimeoutError:  # the end of the data was missed: the session waits
            replies.append(b"(no reply in 10 s)")
    writer.close()
    server.close()
    return replies, recorder.contents


@pytest.mark.parametrize("name", DATA_CASES)
@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_data_read_as_aiosmtpd_reads_it(name, chunk):
    data = DATA_CASES[name]
    limit = 100 if name in SIZE_LIMITED else 33554432
    tail = b"NOOP\r\nQUIT\r\n" if chunk > 1 else b""  # a client that does not wait for 250
    ours = asyncio.run(_session(GuardSMTP, data, chunk, limit, tail))
    theirs = asyncio.run(_session(SMTP, data, chunk, limit, tail))
    assert ours == theirs
    replies, _contents = ours
    assert replies[-1 - tail.count(b"\r\n")][:3] in (b"250", b"500", b"552")


@pytest.mark.parametrize("back", [1, 2, 3, 4, 5, 6])
def test_end_of_data_split_between_reads(back):
    # A long stretch without ".\r\n" is read in pieces; the final CRLF "." CRLF may then
    # straddle two reads.
    data = (b"x" * 70 + b"\r\n") * 1000
    cut = len(data) + 3 - back
    ours = asyncio.run(_session(GuardSMTP, data, 0, 33554432, b"", splits=(cut,)))
    theirs = asyncio.run(_session(SMTP, data, 0, 33554432, b"", splits=(cut,)))
    assert ours == theirs
    assert ours[0][-1] == b"250 OK\r\n" and ours[1] == [data]


# --- AUTH: aiosmtpd's mechanisms and replies; GuardSMTP only awaits the check ------------
def _b64(text: str) -> bytes:
    import base64

    return base64.b64encode(text.encode())


def _sync_authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = (auth_data.login, auth_data.password) == (b"taro", b"right")
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


AUTH_CASES = {
    "plain right": [b"AUTH PLAIN " + _b64("\0taro\0right")],
    "plain wrong": [b"AUTH PLAIN " + _b64("\0taro\0wrong")],
    "plain challenge": [b"AUTH PLAIN", _b64("\0taro\0right")],
    "plain abort": [b"AUTH PLAIN", b"*"],
    "plain bad base64": [b"AUTH PLAIN !!!"],
    "plain unsplittable": [b"AUTH PLAIN " + _b64("taro right")],
    "login right": [b"AUTH LOGIN", _b64("taro"), _b64("right")],
    "login initial": [b"AUTH LOGIN " + _b64("taro"), _b64("wrong")],
    "login abort": [b"AUTH LOGIN", _b64("taro"), b"*"],
    "login bad base64": [b"AUTH LOGIN", b"%%%"],
    "twice": [b"AUTH PLAIN " + _b64("\0taro\0right"), b"AUTH PLAIN " + _b64("\0taro\0right")],
    "unknown mechanism": [b"AUTH CRAM-MD5"],
}


async def _auth_session(cls, lines: list[bytes]) -> list[bytes]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: cls(Recorder(), hostname="h", auth_require_tls=False, authenticator=_sync_authenticator),
        "127.0.0.1",
        0,
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
    replies = [await reader.readline()]
    for line in [b"EHLO c", *lines, b"MAIL FROM:<taro>", b"QUIT"]:
        writer.write(line + b"\r\n")
        while True:
            reply = await asyncio.wait_for(reader.readline(), 10)
            replies.append(reply)
            if reply[3:4] != b"-":
                break
    writer.close()
    server.close()
    return replies


@pytest.mark.parametrize("name", AUTH_CASES)
def test_auth_answered_as_aiosmtpd_answers_it(name):
    ours = asyncio.run(_auth_session(GuardSMTP, AUTH_CASES[name]))
    theirs = asyncio.run(_auth_session(SMTP, AUTH_CASES[name]))
    assert ours == theirs
