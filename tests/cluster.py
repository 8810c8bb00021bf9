"""Several guards as one (issue 20): guard processes sharing one PostgreSQL behind HAProxy in TCP
mode, for SMTP and for the web, as an operator runs them; and a load of mail clients that retry.

Everything listens on 127.0.0.1. HAProxy (the Debian package, .ci/system-packages) runs in the
foreground as a child (`haproxy -f CFG -db`) and is stopped with the guards.
"""

from __future__ import annotations

import queue
import re
import signal
import smtplib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .support import GuardProcess, free_port, make_guard, wait_until

# TCP mode: HAProxy never reads SMTP or HTTP, it passes connections. A connection refused by a
# dead guard is tried again on the other one (`option redispatch 1`: on every retry, not the last
# only); a session cut by a guard's death is the client's to retry (RFC 5321 §4.5.4.1).
CONFIG = """\
global
    maxconn 1000
    stats socket {socket} level admin

defaults
    mode tcp
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout check 1s
    retries 3
    option redispatch 1

frontend smtp
    bind 127.0.0.1:{smtp_port}
    default_backend guards_smtp

backend guards_smtp
    balance roundrobin
{smtp_servers}

frontend web
    bind 127.0.0.1:{web_port}
    default_backend guards_web

backend guards_web
    balance roundrobin
    option httpchk GET /healthz
{web_servers}
"""
SERVER = "    server {name} 127.0.0.1:{port} check inter 300ms fall 1 rise 1\n"


@dataclass
class Haproxy:
    """HAProxy in front of guards, given as {name: (smtp port, web port)}."""

    workdir: Path
    backends: dict[str, tuple[int, int]]
    smtp_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def socket_path(self) -> Path:
        return self.workdir / "haproxy.sock"

    @property
    def log(self) -> str:
        path = self.workdir / "haproxy.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def start(self) -> Haproxy:
        config = self.workdir / "haproxy.cfg"
        config.write_text(
            CONFIG.format(
                socket=self.socket_path,
                smtp_port=self.smtp_port,
                web_port=self.web_port,
                smtp_servers="".join(SERVER.format(name=n, port=s) for n, (s, _) in self.backends.items()),
                web_servers="".join(SERVER.format(name=n, port=w) for n, (_, w) in self.backends.items()),
            )
        )
        with open(self.workdir / "haproxy.log", "ab") as log:
            self.proc = subprocess.Popen(
                ["haproxy", "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(self._serving, lambda: f"HAProxy did not start:\n{self.log}", timeout=20, interval=0.1)
        return self

    def _serving(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"HAProxy exited with {self.proc.returncode}:\n{self.log}")
        return self.servers_up() == {f"{b}/{n}" for b in ("guards_smtp", "guards_web") for n in self.backends}

    def servers_up(self) -> set[str]:
        """The servers HAProxy's checks see UP, as "backend/server" (its stats socket)."""
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2)
                s.connect(str(self.socket_path))
                s.sendall(b"show stat\n")
                text = b"".join(iter(lambda: s.recv(65536), b"")).decode()
        except OSError:
            return set()
        rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
        # CSV fields: pxname, svname, ..., status is the 18th (HAProxy's management guide, 9.1)
        return {f"{r[0]}/{r[1]}" for r in rows if len(r) > 17 and r[17] == "UP" and r[1] in self.backends}

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # in the foreground (-db): a hard stop
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else 0


@dataclass
class Cluster:
    guards: list[GuardProcess]
    balancer: Haproxy

    @property
    def smtp_port(self) -> int:
        return self.balancer.smtp_port

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.balancer.web_port}"


@contextmanager
def running_cluster(workdir: Path, upstream_url: str, storage: str, instances: int = 2) -> Iterator[Cluster]:
    """`instances` guard processes on one database, HAProxy in front; all stopped on exit."""
    with ExitStack() as stack:
        guards = []
        for n in range(instances):
            home = workdir / f"guard{n}"
            home.mkdir()
            # One after the other: the first applies the migrations, the next finds them done.
            guard = make_guard(home, upstream_url, storage=storage, smtp={"shutdown_grace": "2s"})
            stack.callback(guard.stop)
            guards.append(guard.start())
        ports = {f"g{n}": (g.smtp_port, g.web_port) for n, g in enumerate(guards)}
        balancer = Haproxy(workdir, ports)
        stack.callback(balancer.stop)
        yield Cluster(guards, balancer.start())


# --- mail clients that retry --------------------------------------------------------------
SENDER, RECIPIENT = "taro@example.co.jp", "partner@client.example"
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.M | re.I)


def message_id(raw: bytes) -> str:
    found = MESSAGE_ID.search(raw)
    return found.group(1).decode() if found else ""


@dataclass
class Outcome:
    """What one message's client saw, attempt by attempt."""

    attempts: int = 0
    accepted: bool = False  # a 250 to the final dot
    # Attempts cut after the final dot was sent and before its reply was read: the one window
    # where the message may have been taken without the client knowing (RFC 1047).
    unsure: int = 0
    refused: str = ""  # a permanent (5xx) reply: no retry


def send_all(
    port: int, mail: list[bytes], clients: int, outcomes: list[Outcome] | None = None, max_attempts: int = 30
) -> list[Outcome]:
    """Send every message through `port` from `clients` threads, each message on its own
    connection; a broken connection or a 4xx reply is retried, as an MTA or mail client does.
    `outcomes` (one per message), if given, fills as the load goes: a test watches it."""
    outcomes = outcomes if outcomes is not None else [Outcome() for _ in mail]
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for n in range(len(mail)):
        todo.put(n)

    def client() -> None:
        while True:
            try:
                n = todo.get_nowait()
            except queue.Empty:
                return
            while outcomes[n].attempts < max_attempts and not outcomes[n].accepted:
                if _attempt(port, mail[n], outcomes[n]) == "retry":
                    time.sleep(0.1)
                elif not outcomes[n].accepted:
                    break  # refused

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _attempt(port: int, raw: bytes, outcome: Outcome) -> str:
    """One SMTP transaction, step by step so that the moment of a cut is known."""
    outcome.attempts += 1
    client = smtplib.SMTP(timeout=30)
    after_dot = False
    try:
        client.connect("127.0.0.1", port)
        for code, _ in (client.ehlo("client.example.co.jp"), client.mail(SENDER), client.rcpt(RECIPIENT)):
            if code >= 400:
                return _failed(outcome, code)
        code, _ = client.docmd("DATA")
        if code != 354:
            return _failed(outcome, code)
        body = re.sub(rb"(?m)^\.", b"..", raw)
        after_dot = True
        client.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        code, reply = client.getreply()
        after_dot = False
        if code == 250:
            outcome.accepted = True
            client.quit()  # may fail: the message is the guard's already
            return "done"
        return _failed(outcome, code, reply)
    except (OSError, smtplib.SMTPException):
        outcome.unsure += after_dot
        return "done" if outcome.accepted else "retry"
    finally:
        try:
            client.close()
        except OSError:
            pass


def _failed(outcome: Outcome, code: int, reply: bytes = b"") -> str:
    if code >= 500:
        outcome.refused = f"{code} {reply[:80]!r}"
        return "done"
    return "retry"
