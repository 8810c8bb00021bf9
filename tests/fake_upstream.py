"""A scriptable upstream SMTP server, written on raw asyncio: at each step of a transaction it
answers as told, hangs, or closes the connection.

aiosmtpd (tests/support.py's Upstream) cannot stay silent after the final dot, or close the
connection in the middle of a command; this can. It runs in a thread with its own event loop,
like aiosmtpd's Controller, so tests written with smtplib can use it as they are.

    fake = FakeUpstream().start()
    fake.script(dot=HANG)                   # or dot="451 4.3.0 busy", rcpt=CLOSE, ...
    ... fake.messages, fake.accepted ...
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from .support import Received, free_port, wait_until

HANG = "hang"  # read the command, never answer (until the peer or the test gives up)
CLOSE = "close"  # read the command, close the connection without a word

STEPS = ("greeting", "ehlo", "mail", "rcpt", "data", "dot")
NORMAL = {
    "greeting": "220 fake.example ESMTP",
    "ehlo": "250-fake.example\r\n250-8BITMIME\r\n250 SMTPUTF8",
    "mail": "250 2.1.0 ok",
    "rcpt": "250 2.1.5 ok",
    "data": "354 go on",
    "dot": "250 2.0.0 accepted",
}


@dataclass
class FakeUpstream:
    port: int = field(default_factory=free_port)
    messages: list[Received] = field(default_factory=list)  # every message whose dot it read
    accepted: list[Received] = field(default_factory=list)  # those it answered 2xx
    connections: int = 0
    _replies: dict[str, str] = field(default_factory=lambda: dict(NORMAL))
    _writers: set = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> FakeUpstream:
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "the fake upstream did not start"
        return self

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", self.port)
        )
        ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        async def shut() -> None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()  # and its self-pipe: not left to the collector

    def script(self, **replies: str) -> None:
        """Answer these steps so from now on (the others normally), on fresh connections:
        the open ones, which the guard may keep for reuse, are cut."""
        unknown = set(replies) - set(STEPS)
        assert not unknown, unknown
        with self._lock:
            self._replies = {**NORMAL, **replies}
            self.messages.clear()
            self.accepted.clear()
            self.connections = 0

        async def cut() -> None:
            for writer in list(self._writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(cut(), self._loop).result(10)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        wait_until(
            lambda: len(self.messages) >= count,
            lambda: f"fake upstream read {len(self.messages)}, expected {count}",
            timeout=timeout,
        )
        return list(self.messages)

    # --- the server side --------------------------------------------------------------------
    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        with self._lock:
            self.connections += 1
            replies = dict(self._replies)
        try:
            await self._converse(reader, writer, replies)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _converse(self, reader, writer, replies: dict[str, str]) -> None:
        if not await self._answer(reader, writer, replies["greeting"]):
            return
        mail_from, rcpts = "", []
        while True:
            line = await reader.readline()
            if not line:
                return
            verb, _, arg = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                step = "ehlo"
            elif verb == "MAIL":
                step, mail_from, rcpts = "mail", _path(arg), []
            elif verb == "RCPT":
                step = "rcpt"
            elif verb == "DATA":
                step = "data"
            elif verb == "QUIT":
                writer.write(b"221 2.0.0 bye\r\n")
                await writer.drain()
                return
            else:  # RSET, NOOP
                writer.write(b"250 2.0.0 ok\r\n")
                await writer.drain()
                continue
            reply = replies[step]
            if not await self._answer(reader, writer, reply):
                return
            if step == "rcpt" and reply.startswith("2"):
                rcpts.append(_path(arg))
            if step == "data" and reply.startswith("3"):
                data = await _read_data(reader)
                got = Received(mail_from, list(rcpts), data)
                with self._lock:
                    self.messages.append(got)
                    if replies["dot"].startswith("2"):
                        self.accepted.append(got)
                if not await self._answer(reader, writer, replies["dot"]):
                    return

    async def _answer(self, reader, writer, reply: str) -> bool:
        """Give the reply; False when the session ends here."""
        if reply == CLOSE:
            return False
        if reply == HANG:
            await reader.read()  # until the peer closes (or the server is stopped)
            return False
        writer.write(reply.encode() + b"\r\n")
        await writer.drain()
        return True


def _path(arg: str) -> str:
    """The address of "FROM:<a@b> PARAMS" / "TO:<a@b>": "<>" stays "<>", as aiosmtpd has it."""
    inner = arg.partition(":")[2].strip().split(" ")[0]
    return "<>" if inner == "<>" else inner.strip("<>")


async def _read_data(reader: asyncio.StreamReader) -> bytes:
    lines = []
    while True:
        line = await reader.readline()
        if not line or line == b".\r\n":
            break
        lines.append(line[1:] if line.startswith(b"..") else line)  # RFC 5321 §4.5.2
    return b"".join(lines)
