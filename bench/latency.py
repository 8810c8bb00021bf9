"""Per-message latency of one sequential client: connect … 250 after DATA, one connection each."""

from __future__ import annotations

import math
import smtplib
import time
from dataclasses import dataclass
from email.utils import formatdate, make_msgid

from mta import HELO, LOOPBACK, RECIPIENT, SENDER


@dataclass(frozen=True)
class Latency:
    samples: int
    failures: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    first_error: str | None


def build_message(size: int) -> bytes:
    """A plain-text message with about `size` bytes of body, CRLF line endings throughout
    (the guard refuses bare LF, and a real client never sends it)."""
    header = (
        f"From: Sender <{SENDER}>\r\nTo: <{RECIPIENT}>\r\nSubject: latency probe\r\n"
        f"Date: {formatdate()}\r\nMessage-ID: {make_msgid(domain='bench.example.co.jp')}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    line = b"The quick brown fox jumps over the lazy dog; the meeting is moved to Friday.\r\n"
    body = (line * (size // len(line) + 1))[:size]
    return header.encode() + body.rsplit(b"\r\n", 1)[0] + b"\r\n"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _one_message(port: int, message: bytes, timeout: float) -> float:
    start = time.perf_counter()
    client = smtplib.SMTP(LOOPBACK, port, local_hostname=HELO, timeout=timeout)
    try:
        client.sendmail(SENDER, [RECIPIENT], message)  # EHLO, MAIL, RCPT, DATA → 250
        elapsed = time.perf_counter() - start
    finally:
        try:
            client.quit()  # outside the timed window: the client has its answer already
        except (smtplib.SMTPException, OSError):
            client.close()
    return elapsed


def measure(port: int, count: int, size: int, budget: float = 90.0) -> Latency:
    """Send `count` messages one after another; a failure is counted, not timed.

    Stops early after `budget` seconds, or after 20 failures in a row (a dead relay).
    """
    deadline = time.monotonic() + budget
    times: list[float] = []
    failures, in_a_row, first_error = 0, 0, None
    for _ in range(count):
        if time.monotonic() > deadline or in_a_row >= 20:
            break
        message = build_message(size)  # fresh Message-ID each time, built outside the timing
        try:
            times.append(_one_message(port, message, timeout=10.0) * 1000)
            in_a_row = 0
        except (smtplib.SMTPException, OSError) as exc:
            failures, in_a_row = failures + 1, in_a_row + 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
    times.sort()
    return Latency(
        len(times),
        failures,
        percentile(times, 0.50),
        percentile(times, 0.99),
        times[-1] if times else math.nan,
        first_error,
    )
