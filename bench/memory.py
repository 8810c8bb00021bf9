#!/usr/bin/env python3
"""Memory under load: N clients each sending a large message at once, small mail meanwhile.

Run from the repository root:

    .venv/bin/python bench/memory.py            # or: make bench

The guard runs with its default settings (only the listen addresses, the storage and the
upstream are set) as `python -m proxy.cli serve`, relaying to a recording SMTP sink in
another process (not counted). `--clients` threads each send one `--size` message at once
(an attachment of random octets, to an internal recipient so that no rule holds it); a
client that gets a 4xx, or whose connection is refused or cut, waits `--retry` seconds and
sends it again, as MTAs do. Meanwhile one client sends a small message every
`--small-interval` seconds and times it from connect to the 250 after DATA.

Reported: peak RSS of the guard's whole process tree (the sum over its process group,
sampled every 100 ms from /proc), how many big messages the sink received once, more than
once, or not at all, the retries, and small-mail latency (p50, p95, max). Written to
bench/results/<--name>.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PAGE = os.sysconf("SC_PAGE_SIZE")
CONFIG = """\
organization: {{internal_domains: [example.co.jp]}}
smtp: {{listen: 127.0.0.1:{smtp_port}}}
web: {{listen: 127.0.0.1:{web_port}}}
upstream: smtp://127.0.0.1:{sink_port}
storage: sqlite:///{root}/guard.db
"""
SINK = """
import sys, time
from aiosmtpd.controller import Controller
class Count:
    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        subject = data.split(b"\\r\\nSubject: ", 1)[1].split(b"\\r\\n", 1)[0]
        with open(sys.argv[2], "ab") as out:
            out.write(subject + b" %d\\n" % len(data))
        return "250 2.0.0 recorded"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]), data_size_limit=None)
c.start()
while True:
    time.sleep(3600)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_smtp(port: int, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                if sock.recv(3) == b"220":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"nothing answered SMTP on port {port}")


def group_rss(pgid: int) -> tuple[int, int]:
    """(bytes resident, processes) summed over process group `pgid`."""
    each = group_members(pgid)
    return sum(rss for _, rss in each), len(each)


def group_members(pgid: int) -> list[tuple[str, int]]:
    """(role, bytes resident) of each process in group `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            rss = int((stat.parent / "statm").read_text().split()[1]) * PAGE
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        role = (
            "main"
            if int(stat.parent.name) == pgid
            else "forkserver"
            if b"forkserver" in cmdline
            else "resource_tracker"
            if b"resource_tracker" in cmdline
            else "worker"
        )
        found.append((role, rss))
    return found


class Sampler(threading.Thread):
    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid, self.peak, self.peak_processes = pgid, 0, 0
        self.at_peak: list[tuple[str, int]] = []
        self.main_peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            each = group_members(self.pgid)
            rss = sum(size for _, size in each)
            self.main_peak = max([self.main_peak] + [size for role, size in each if role == "main"])
            if rss > self.peak:
                self.peak, self.peak_processes, self.at_peak = rss, len(each), sorted(each)
            self.stop.wait(0.1)


def big_message(index: int, size: int) -> bytes:
    payload = base64.encodebytes(random.Random(index).randbytes(size * 3 // 4))
    payload = payload.replace(b"\n", b"\r\n")
    return (
        (
            f"From: taro@example.co.jp\r\nTo: hanako@example.co.jp\r\nSubject: big-{index}\r\n"
            f"Message-ID: <big-{index}@bench.example.co.jp>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            f"Content-Type: text/plain; charset=us-ascii\r\n\r\nThe data, as agreed.\r\n--b\r\n"
            f"Content-Type: application/octet-stream; name=data.bin\r\n"
            f"Content-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename=data.bin\r\n\r\n"
        ).encode()
        + payload
        + b"--b--\r\n"
    )


def small_message(index: int) -> bytes:
    return (
        f"From: taro@example.co.jp\r\nTo: hanako@example.co.jp\r\nSubject: small-{index}\r\n"
        f"Message-ID: <small-{index}@bench.example.co.jp>\r\n\r\n"
        f"Lunch at noon?\r\n"
    ).encode()


def send(port: int, raw: bytes, timeout: float, declare_size: bool = True) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as client:
        client.ehlo()
        if not declare_size:  # a client that does not use RFC 1870's SIZE= at MAIL
            client.esmtp_features.pop("size", None)
        client.sendmail("taro@example.co.jp", ["hanako@example.co.jp"], raw)


def timed_send(port: int, raw: bytes) -> dict:
    """Send one message; the milliseconds each step of the session took."""
    phases, last = {}, time.monotonic()

    def lap(name: str) -> None:
        nonlocal last
        now = time.monotonic()
        phases[name] = round((now - last) * 1000, 1)
        last = now

    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        lap("connect")
        client.ehlo()
        lap("ehlo")
        # SIZE declared as smtplib's sendmail, Postfix and the common mail programs do
        # (RFC 1870): a message known to be small may take the budget's small lane.
        code, _ = client.mail("taro@example.co.jp", [f"SIZE={len(raw)}"] if client.has_extn("size") else [])
        lap("mail")
        client.rcpt("hanako@example.co.jp")
        lap("rcpt")
        code, answer = client.data(raw)
        lap("data")
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
    return phases


def temporary(exc: Exception) -> bool:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = min(c for c, _ in exc.recipients.values())
    return code is None or 400 <= code < 500  # a cut connection is temporary too


class Run:
    def __init__(self, port: int, args: argparse.Namespace) -> None:
        self.port, self.args = port, args
        self.retries: Counter[str] = Counter()
        self.failed: list[str] = []
        self.small_latency: list[float] = []
        self.small_failures = 0
        self.small_phases: list[dict] = []
        self.done = threading.Event()

    def big(self, index: int, start: threading.Barrier) -> None:
        raw = big_message(index, self.args.size)
        start.wait()
        deadline = time.monotonic() + self.args.deadline
        while time.monotonic() < deadline:
            try:
                send(self.port, raw, timeout=600, declare_size=not self.args.no_size)
                return
            except (smtplib.SMTPException, OSError) as exc:
                if not temporary(exc):
                    self.failed.append(f"big-{index}: {exc}")
                    return
                self.retries[type(exc).__name__ + " " + str(getattr(exc, "smtp_code", ""))] += 1
                time.sleep(self.args.retry * (0.5 + random.random()))
        self.failed.append(f"big-{index}: deadline")

    def small(self) -> None:
        index = 0
        while not self.done.is_set():
            started = time.monotonic()
            try:
                phases = timed_send(self.port, small_message(index))
                self.small_latency.append(time.monotonic() - started)
                self.small_phases.append(phases)
            except (smtplib.SMTPException, OSError):
                self.small_failures += 1
            index += 1
            self.done.wait(max(0.0, self.args.small_interval - (time.monotonic() - started)))


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def received(path: Path) -> Counter[str]:
    if not path.exists():
        return Counter()
    return Counter(line.split()[0].decode() for line in path.read_bytes().splitlines() if line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--size", type=int, default=20 * 1000 * 1000, help="octets per big message")
    parser.add_argument("--small-interval", type=float, default=0.5)
    parser.add_argument("--retry", type=float, default=2.0, help="seconds before a retry (±50 %%)")
    parser.add_argument("--deadline", type=float, default=900.0)
    parser.add_argument("--no-size", action="store_true", help="clients declare no SIZE=")
    parser.add_argument("--name", default="memory")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    root = Path(tempfile.mkdtemp(prefix="mdg-bench-memory-"))
    sink_port, smtp_port, web_port = free_port(), free_port(), free_port()
    sink_log = root / "received"
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(sink_port), str(sink_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (root / "guard.yaml").write_text(
        CONFIG.format(smtp_port=smtp_port, web_port=web_port, sink_port=sink_port, root=root)
    )
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MDG_")}, "PYTHONPATH": str(REPO)}
    with open(root / "guard.log", "wb") as log:
        guard = subprocess.Popen(
            [sys.executable, "-m", "proxy.cli", "serve", "--config", str(root / "guard.yaml")],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        wait_for_smtp(sink_port, 30, sink)
        wait_for_smtp(smtp_port, 90, guard)
        return measure(args, root, guard, smtp_port, sink_log)
    finally:
        guard.send_signal(signal.SIGTERM)
        try:
            guard.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(guard.pid, signal.SIGKILL)
        sink.kill()
        sink.wait()
        print(f"guard log: {root / 'guard.log'}")


def measure(args: argparse.Namespace, root: Path, guard: subprocess.Popen, port: int, sink_log: Path) -> int:
    idle_rss, _ = group_rss(guard.pid)
    run = Run(port, args)
    sampler = Sampler(guard.pid)
    sampler.start()
    start = threading.Barrier(args.clients + 1)
    bigs = [threading.Thread(target=run.big, args=(i, start)) for i in range(args.clients)]
    for thread in bigs:
        thread.start()
    small = threading.Thread(target=run.small)
    small.start()
    began = time.monotonic()
    start.wait()
    for thread in bigs:
        thread.join()
    seconds = time.monotonic() - began
    time.sleep(1.0)
    run.done.set()
    small.join()
    sampler.stop.set()
    sampler.join()
    got = received(sink_log)
    bigs_got = [got.get(f"big-{i}", 0) for i in range(args.clients)]
    result = {
        "clients": args.clients,
        "size_octets": args.size,
        "declared_size": not args.no_size,
        "peak_rss_mb": round(sampler.peak / 1e6, 1),
        "processes_at_peak": sampler.peak_processes,
        "idle_rss_mb": round(idle_rss / 1e6, 1),
        "at_peak_mb": [f"{role} {size / 1e6:.0f}" for role, size in sampler.at_peak],
        "main_peak_mb": round(sampler.main_peak / 1e6, 1),
        "delivered_once": sum(1 for n in bigs_got if n == 1),
        "delivered_twice_or_more": sum(1 for n in bigs_got if n > 1),
        "not_delivered": sum(1 for n in bigs_got if n == 0),
        "expected": args.clients,
        "retries": sum(run.retries.values()),
        "retries_by_reply": dict(run.retries),
        "failed": run.failed[:10],
        "seconds": round(seconds, 1),
        "small": {
            "sent": len(run.small_latency),
            "failed": run.small_failures,
            "p50_ms": _ms(percentile(run.small_latency, 0.5)),
            "p95_ms": _ms(percentile(run.small_latency, 0.95)),
            "max_ms": _ms(max(run.small_latency, default=None)),
            "slowest_phases_ms": max(run.small_phases, key=lambda p: sum(p.values()), default={}),
        },
        "code": subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{args.name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {path}")
    ok = result["delivered_once"] == args.clients
    return 0 if ok else 1


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


if __name__ == "__main__":
    sys.exit(main())
