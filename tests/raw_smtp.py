"""A raw SMTP client for the admission tests: exact replies, partial data, abrupt closes, and
a chosen loopback source address (the guard counts sessions per client address)."""

from __future__ import annotations

import socket

from .support import wait_until

TOO_MANY = b"421 4.7.0 Too many connections, try again later\r\n"


class Client:
    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 30.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self) -> bytes:
        lines = []
        while True:
            line = self.file.readline()
            lines.append(line)
            if line[3:4] != b"-":
                return b"".join(lines)

    def cmd(self, line: str | bytes) -> bytes:
        self.sock.sendall((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.reply()

    def envelope(self, size: int | None = None, rcpt: str = "partner@client.example") -> None:
        assert self.cmd("EHLO client")[:3] == b"250"
        assert self.cmd(mail_from(size))[:3] == b"250"
        assert self.cmd(f"RCPT TO:<{rcpt}>")[:3] == b"250"

    def send(self, body: bytes, size: int | None = None) -> bytes:
        self.envelope(size)
        assert self.cmd("DATA")[:3] == b"354"
        self.sock.sendall(stuffed(body) + b".\r\n")
        return self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def connect(
    port: int,
    source: str = "127.0.0.1",
    *,
    within: float = 10.0,
    interval: float = 0.05,
    timeout: float = 30.0,
) -> Client:
    """A served session, once the slots that earlier sessions held are given back."""

    def admitted() -> Client | None:
        client = Client(port, source, timeout)
        if client.greeting != TOO_MANY:
            return client
        client.close()
        return None

    return wait_until(admitted, "every session was refused (421)", timeout=within, interval=interval)


def mail_from(size: int | None) -> str:
    return "MAIL FROM:<taro@example.co.jp>" + (f" SIZE={size}" if size is not None else "")


def stuffed(body: bytes) -> bytes:
    return (b"." + body if body.startswith(b".") else body).replace(b"\r\n.", b"\r\n..")


def long_message(size: int, subject: str) -> bytes:
    """At least `size` bytes of plain dotted lines: no personal data, nothing to hold."""
    head = (f"From: taro@example.co.jp\r\nTo: partner@client.example\r\nSubject: {subject}\r\n\r\n").encode()
    line = b".dotted line of the message body, plain words and nothing else in it......\r\n"
    return head + line * (size // len(line) + 1)
