"""Every real-world message in ../shared/corpus/mime/ through the relay: forwarded
byte-identical, or held / refused with a reason. None crashes the guard or vanishes."""

from __future__ import annotations

import re
import smtplib
from concurrent.futures import ThreadPoolExecutor

from .support import CORPUS

_EOL = re.compile(rb"\r\n|\n|\r")


def _as_sent(raw: bytes) -> bytes:
    """What an SMTP client puts on the wire: CRLF line ends, a final CRLF (RFC 5321 §4.1.1.4)."""
    data = _EOL.sub(b"\r\n", raw)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _send_all(port: int, jobs: list[tuple[int, bytes]]) -> dict[int, tuple[int, bytes]]:
    """Send each message on one connection; the DATA reply (or the refusal) per message."""
    outcomes = {}
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.ehlo()
        for i, raw in jobs:
            client.mail("sender@example.co.jp")
            client.rcpt(f"m{i}@client.example")
            outcomes[i] = client.data(raw)
            if outcomes[i][0] != 250:
                client.rset()
    return outcomes


def test_corpus_mime_through_the_relay(guard, upstream):
    files = sorted(p for p in (CORPUS / "mime").rglob("*") if p.is_file())
    assert len(files) > 1000, f"the shared corpus is missing at {CORPUS}"
    sent = {i: _as_sent(p.read_bytes()) for i, p in enumerate(files)}
    jobs = list(sent.items())
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda k: _send_all(guard.smtp_port, jobs[k::4]), range(4)))
    outcomes = {i: o for part in parts for i, o in part.items()}
    assert guard.proc.poll() is None, "the guard died"

    delivered = {
        int(m.rcpt_tos[0][1:].split("@")[0]): m.data
        for m in upstream.recorder.messages
        if m.rcpt_tos[0].startswith("m")
    }
    problems, tally = [], {"forwarded": 0, "held": 0, "refused": 0}
    for i, path in enumerate(files):
        code, text = outcomes[i]
        name = path.relative_to(CORPUS)
        if code == 250 and b"queued as" in text:
            tally["forwarded"] += 1
            if delivered.get(i) != sent[i]:
                problems.append(f"{name}: answered 250 but the upstream got other bytes or nothing")
        elif code == 250 and b"Held" in text:
            tally["held"] += 1
        elif 400 <= code < 600 and text.strip() and b"Error: (" not in text:
            tally["refused"] += 1  # refused with a reason; the client keeps the message
            print(f"refused {name}: {code} {text[:80]!r}")
        else:
            problems.append(f"{name}: {code} {text!r}")
    print(f"corpus: {len(files)} messages: {tally}")
    assert problems == []
    upstream.recorder.wait_for(tally["forwarded"] + tally["held"])  # each hold sends one notice
    assert tally["held"] == len(upstream.recorder.to("sender@example.co.jp")), "a hold without its notice"
