"""Real things at the edges: a recording upstream SMTP server and the guard as a process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import smtplib
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

import httpx
import yaml
from aiosmtpd.controller import Controller

from .zygote import Child, zygote

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T | None],
    failure: str | Callable[[], str],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
) -> T:
    """Poll until `predicate()` is true and return what it returned: a test waits as long as the
    thing takes, not a guessed pause.

    The timeout is a ceiling for a slow machine. `failure` says what never happened (a callable,
    to describe the state at the time out).
    """
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            said = failure() if callable(failure) else failure
            raise AssertionError(f"{said} (waited {timeout:g}s)")
        time.sleep(interval)
    return result


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nobody listens on, and one this process has not handed out before: the kernel
    may give a just-closed port again, and a guard's SMTP and web ports once came out equal."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """aiosmtpd handler that keeps every message it accepts; its replies can be scripted."""

    messages: list[Received] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply
    data_reply: str | None = None  # e.g. "451 4.3.0 busy"
    delay: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_reply:
            return self.data_reply
        with self._lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 2.0.0 recorded"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        wait_until(
            lambda: len(self.messages) >= count,
            lambda: f"upstream received {len(self.messages)} messages, expected {count}",
            timeout=timeout,
        )
        with self._lock:
            return list(self.messages)

    def to(self, rcpt: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if rcpt in m.rcpt_tos]


class Upstream:
    def __init__(self, recorder: Recorder | None = None) -> None:
        self.recorder = recorder if recorder is not None else Recorder()
        self.port = free_port()
        self.controller = self._controller()

    def _controller(self) -> Controller:
        return Controller(self.recorder, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True)

    def restart(self) -> None:
        """Stop and start again on the same port: every open connection to it is cut."""
        self.controller.stop()
        self.controller = self._controller()
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> Upstream:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class GuardProcess:
    workdir: Path
    config: dict
    smtp_port: int = 0
    web_port: int = 0
    proc: Child | None = None

    @property
    def config_path(self) -> Path:
        return self.workdir / "guard.yaml"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def log(self) -> str:
        path = self.workdir / "guard.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def start(self, timeout: float = 30.0) -> GuardProcess:
        self.config_path.write_text(yaml.safe_dump(self.config, allow_unicode=True), "utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MDG_")}
        with open(self.workdir / "guard.log", "ab") as log, open(os.devnull, "rb") as null:
            self.proc = zygote().spawn(
                "proxy.cli",
                ["serve", "--config", str(self.config_path)],
                cwd=self.workdir,
                env=env,
                fds=(null.fileno(), log.fileno(), log.fileno()),
            )
        wait_until(self._serving, lambda: f"guard did not start:\n{self.log}", timeout=timeout, interval=0.1)
        return self

    def _serving(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"guard exited with {self.proc.returncode}:\n{self.log}")
        try:
            healthy = httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
        return healthy and _smtp_up(self.smtp_port)

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else 0

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def smtp(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=60)

    def submit(
        self, raw: bytes, sender: str = "taro@example.co.jp", rcpt: str = "partner@client.example"
    ) -> tuple[int, bytes]:
        """One message to one recipient, step by step: the reply to the final dot."""
        with self.smtp() as client:
            client.ehlo()
            client.mail(sender)
            client.rcpt(rcpt)
            return client.data(raw)


class Server(Protocol):
    def start(self) -> Self: ...

    def stop(self) -> object: ...


S = TypeVar("S", bound=Server)


@contextmanager
def running(server: S) -> Iterator[S]:
    """An upstream or a guard, started for the block: a module's fixture in two lines."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _smtp_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            return s.recv(3) == b"220"
    except OSError:
        return False


def make_guard(workdir: Path, upstream_url: str, **sections) -> GuardProcess:
    smtp_port, web_port = free_port(), free_port()
    config: dict[str, Any] = {
        "organization": {"internal_domains": ["example.co.jp"]},
        "smtp": {"listen": f"127.0.0.1:{smtp_port}"},
        "web": {"listen": f"127.0.0.1:{web_port}"},
        "upstream": upstream_url,
        "storage": f"sqlite:///{workdir / 'guard.db'}",
        "inspection": {"workers": 1},
        "delivery": {"timeout": "5s", "retry": ["1s"]},
    }
    for key, value in sections.items():
        if isinstance(value, dict):
            config.setdefault(key, {}).update(value)
        else:
            config[key] = value
    return GuardProcess(workdir=workdir, config=config, smtp_port=smtp_port, web_port=web_port)


# Admission limits small enough for a test to reach: sessions, per client, bytes in flight.
SMALL_LIMITS = {
    "max_sessions": 4,
    "max_sessions_per_client": 2,
    "max_inflight_bytes": "1MiB",
    "max_message_size": 4 << 20,
}


def sales_approval(workdir: Path, approver: str) -> dict[str, Any]:
    """The sections of a guard whose one rule holds mail from the sales group (taro) to outside
    for `approver`: a rule scoped to a sender, for the tests that try to step around it."""
    rules = workdir / "scoped.yaml"
    rules.write_text(
        "rules:\n  - {id: approve-sales, when: {recipients: external}, action: hold_for_approval,"
        " scope: {senders: [group:sales]}}\n",
        "utf-8",
    )
    org = {
        "internal_domains": ["example.co.jp"],
        "groups": {"sales": {"members": ["taro@example.co.jp"], "approvers": [approver]}},
    }
    return {"rules": [str(rules)], "organization": org}


def message(
    subject: str = "hello",
    body: str = "Meeting tomorrow at 10.",
    *,
    sender: str = "taro@example.co.jp",
    to: str = "partner@client.example",
    extra_headers: str = "",
) -> bytes:
    text = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n{extra_headers}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    return text.encode("utf-8")


MY_NUMBER_BODY = "お世話になっております。\r\n個人番号：1234 5678 9018\r\n氏名 山田太郎\r\n"
LINK = re.compile(rb"http://127\.0\.0\.1:\d+/h/[A-Za-z0-9_\-]+")


def notice_link(received: Received) -> str:
    import quopri

    m = LINK.search(quopri.decodestring(received.data))
    assert m, "the hold notice carries no link"
    return m.group(0).decode()
