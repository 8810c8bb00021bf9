"""Postfix's test tools (smtp-sink, smtp-source) and a private stock Postfix, for relay.py.

Everything listens on 127.0.0.1 only, every wait has a deadline, and every process started
here is stopped by the context manager that started it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
# The traffic of every run, throughput and latency alike: one internal sender, one external
# recipient (the ordinary outbound case the guard passes).
SENDER, RECIPIENT, HELO = "sender@example.co.jp", "recipient@partner.example", "bench.example.co.jp"
TOOLS = ("smtp-sink", "smtp-source", "postfix", "postconf")
# Debian puts smtp-sink/smtp-source in /usr/sbin; other builds keep them with the daemons.
SEARCH_PATH = os.pathsep.join(["/usr/sbin", "/usr/lib/postfix/sbin", os.environ.get("PATH", "")])


def _which_all() -> dict[str, str | None]:
    return {name: shutil.which(name, path=SEARCH_PATH) for name in TOOLS}


def find_tools() -> dict[str, str]:
    """Locate Postfix's tools; install the Debian package once if any is missing."""
    found = _which_all()
    if not all(found.values()):
        print("Postfix tools missing; installing the Debian package 'postfix' ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ["apt-get", "install", "-y", "postfix"]
        if subprocess.run(install, env=env, timeout=600).returncode != 0:
            # An image with empty package lists needs one update before the install works.
            subprocess.run(["apt-get", "update"], env=env, timeout=600, check=True)
            subprocess.run(install, env=env, timeout=600, check=True)
        found = _which_all()
    missing = [name for name, path in found.items() if not path]
    if missing:
        raise RuntimeError(f"Postfix tools not found even after installing: {missing}")
    return {name: str(path) for name, path in found.items()}


def free_port() -> int:
    """A currently unused loopback port (the tiny race until it is bound is acceptable here)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_smtp(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Wait until 127.0.0.1:port sends an SMTP 220 greeting; fail early if `proc` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with status {proc.returncode} before listening")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=2) as sock:
                if sock.recv(512).startswith(b"220"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"nothing answered SMTP on {LOOPBACK}:{port} within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds. Only ever this one process."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Sink:
    """smtp-sink on a free loopback port that knows how many messages it has received.

    With -c smtp-sink rewrites a "sess=N quit=N mesg=N" counter line (ended by CR) each time
    a message's final "." arrives; a reader thread keeps the latest count, so the moment the
    N-th message is in can be timed without dumping messages to disk (which would make the
    sink, not the relay under test, the bottleneck).
    """

    _MESG = re.compile(rb"mesg=(\d+)")

    def __init__(self, tools: dict[str, str]):
        self.port = free_port()
        cmd = [tools["smtp-sink"], "-c", "-4", "-m", "1000"]
        if os.geteuid() == 0:
            cmd += ["-u", "postfix"]  # smtp-sink refuses to keep root privileges
        cmd += [f"{LOOPBACK}:{self.port}", "1000"]  # backlog 1000: parallel senders never wait
        self._cmd = cmd
        self._cond = threading.Condition()
        self.count = 0
        self._target: int | None = None
        self._reached_at: float | None = None
        self.last_arrival: float | None = None  # monotonic time of the latest message
        self._noise: list[bytes] = []

    def __enter__(self) -> Sink:
        self._proc = subprocess.Popen(self._cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        try:
            wait_for_smtp(self.port, timeout=10, proc=self._proc)
        except Exception as exc:
            stop_process(self._proc, grace=5)
            raise RuntimeError(f"smtp-sink did not start: {self.diagnostics()}") from exc
        return self

    def __exit__(self, *exc) -> None:
        stop_process(self._proc, grace=5)

    def _read(self) -> None:
        pending = b""
        while chunk := self._proc.stdout.read1(65536):
            pending += chunk
            *records, pending = re.split(rb"[\r\n]", pending)
            for record in records:
                self._record(record)

    def _record(self, record: bytes) -> None:
        match = self._MESG.search(record)
        if not match:
            if record.strip():
                self._noise = (self._noise + [record])[-5:]
            return
        with self._cond:
            count, now = int(match.group(1)), time.monotonic()
            if count > self.count:
                self.count, self.last_arrival = count, now
            target_hit = self._target is not None and self.count >= self._target
            if target_hit and self._reached_at is None:
                self._reached_at = now
            self._cond.notify_all()

    def watch(self, target: int) -> None:
        """Start timing: remember when the count first reaches `target`."""
        with self._cond:
            self._target, self._reached_at = target, None

    def wait_for(self, target: int, timeout: float) -> float | None:
        """Block until `target` messages arrived; the monotonic time they did, or None."""
        with self._cond:
            self._cond.wait_for(lambda: self.count >= target, timeout=timeout)
            return self._reached_at if self.count >= target else None

    def diagnostics(self) -> str:
        return b" | ".join(self._noise).decode(errors="replace") or "(no output)"


@dataclass(frozen=True)
class SourceRun:
    elapsed: float  # seconds until smtp-source exited
    finished_at: float  # monotonic time it exited
    rejected: int  # replies other than the expected 2xx/3xx (with -A it carries on)
    timed_out: bool
    errors: tuple[str, ...]


def run_source(
    tools: dict[str, str], port: int, messages: int, sessions: int, size: int, timeout: float
) -> SourceRun:
    """Run smtp-source against 127.0.0.1:port: one message per connection, like mail clients.

    -A keeps it going after a refusal (one 4xx would otherwise abort the whole run); the
    refusals are counted from its warnings instead.
    """
    cmd = [
        tools["smtp-source"],
        "-A",
        "-4",
        "-s",
        str(sessions),
        "-m",
        str(messages),
        "-l",
        str(size),
        "-f",
        SENDER,
        "-t",
        RECIPIENT,
        "-M",
        HELO,
        "-S",
        "relay benchmark",
        f"{LOOPBACK}:{port}",
    ]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    timed_out = False
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:  # interrupted (Ctrl-C, SIGTERM): do not leave it running
            proc.kill()
            proc.wait(timeout=10)
    end = time.monotonic()
    lines = [line for line in stderr.splitlines() if line.strip()]
    rejected = sum("rejected" in line for line in lines)
    return SourceRun(end - start, end, rejected, timed_out, tuple(lines[:5]))


def _run_quiet(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    # postfix(1) only prints diagnostics to a terminal; the instance's log file has them.
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


class PrivatePostfix:
    """A stock Postfix with its own config, queue and data directories, relaying to a sink.

    The configuration is a copy of /etc/postfix changed only where a private, relay-only,
    loopback instance needs it; everything that shapes performance stays at the defaults
    except the per-destination concurrency limit (all mail goes to one relayhost).
    """

    def __init__(self, tools: dict[str, str], sink_port: int):
        self.port = free_port()
        self._tools = tools
        self._sink_port = sink_port
        self._root = Path(tempfile.mkdtemp(prefix="mdg-bench-postfix-"))
        self._etc = self._root / "etc"
        self.log = self._root / "postfix.log"

    def __enter__(self) -> PrivatePostfix:
        try:
            self._configure()
            self._start()
        except BaseException:
            self._stop()
            shutil.rmtree(self._root, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._stop()
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def _settings(self) -> dict[str, str]:
        root = self._root
        return {
            "queue_directory": f"{root}/spool",
            "data_directory": f"{root}/data",
            "maillog_file": str(self.log),  # no syslogd here; postlogd writes this file
            "maillog_file_prefixes": str(root),
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "myhostname": "postfix.bench.invalid",  # no hostname/DNS look-ups
            "mydestination": "",  # no local delivery at all
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "relayhost": f"[{LOOPBACK}]:{self._sink_port}",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "default_destination_concurrency_limit": "100",  # default 20; one relayhost gets all
            "smtp_tls_security_level": "none",  # the sink offers no TLS, smtp-source uses none
            "smtpd_tls_security_level": "none",
        }

    def _postconf(self, *args: str) -> None:
        subprocess.run(
            [self._tools["postconf"], "-c", str(self._etc), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def _configure(self) -> None:
        self._root.chmod(0o755)  # the postfix user must reach its queue and data dirs
        shutil.copytree("/etc/postfix", self._etc)  # follows makedefs.out's link out of /etc
        (self._root / "spool").mkdir()  # `postfix start` creates the queue subdirectories
        (self._root / "data").mkdir()
        shutil.chown(self._root / "data", user="postfix")
        self._postconf("-e", *(f"{k}={v}" for k, v in self._settings().items()))
        # Debian chroots the daemons into the queue dir; a fresh private queue has no copy of
        # /etc/services etc. in it, and chroot does not change performance.
        self._postconf("-F", "*/*/chroot = n")
        self._postconf("-MX", "smtp/inet")
        listen = f"{LOOPBACK}:{self.port}"
        self._postconf("-M", f"{listen}/inet = {listen} inet n - n - - smtpd")

    def _start(self) -> None:
        done = _run_quiet([self._tools["postfix"], "-c", str(self._etc), "start"], timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"postfix start failed:\n{self.log_tail()}")
        wait_for_smtp(self.port, timeout=30)

    def _master_pid(self) -> int | None:
        try:
            return int((self._root / "spool/pid/master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def _stop(self) -> None:
        """`postfix stop`, then make sure the master (and so its children) is really gone."""
        pid = self._master_pid()
        if pid is None:
            return
        _run_quiet([self._tools["postfix"], "-c", str(self._etc), "stop"], timeout=60)
        if wait_gone(pid, timeout=20):
            return
        _run_quiet([self._tools["postfix"], "-c", str(self._etc), "abort"], timeout=30)
        if not wait_gone(pid, timeout=10):
            os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no Postfix log written)"

    def delivery_counts(self) -> dict[str, int]:
        """status=sent/deferred/bounced from the instance's log, to cross-check the sink."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {status: text.count(f"status={status}") for status in ("sent", "deferred", "bounced")}


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False
