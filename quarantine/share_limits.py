"""How often a download link's recipient may be sent a code, and how many wrong codes he may
enter over the share's life (share_codes.py uses them; README's download-links section
states them).

The request times of the last hour are kept in the recipient's row as JSON, each with a hash
of the client address that asked (never the address itself): REQUESTS_PER_CLIENT an hour per
client address, REQUESTS_PER_HOUR an hour in all. Times up to SKEW in the future are kept:
two guards sharing the database may disagree on the time by a few seconds, and dropping the
other's "future" requests would double the limit.
"""

from __future__ import annotations

import json
from hashlib import sha256

REQUESTS_PER_CLIENT = 5  # codes per recipient, client address and hour
REQUESTS_PER_HOUR = 20  # codes per recipient and hour, all client addresses together
MAX_FAILURES = 50  # wrong codes per recipient over the share's life (then the sender unlocks)
HOUR = 3600.0
SKEW = 300.0  # request times this far ahead of our clock still count (another guard's clock)


def client_key(client: str | None) -> str:
    """Whom a request came from, as stored: enough to count, not to tell the address."""
    return sha256((client or "").encode()).hexdigest()[:16]


def recent(text: str | None, now: float) -> list[tuple[float, str]]:
    """The requests of the last hour (and up to SKEW ahead), from the stored JSON (anything
    else ignored), oldest first."""
    try:
        entries = json.loads(text or "[]")
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    out = []
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 2):
            continue
        at, who = entry
        if isinstance(at, int | float) and isinstance(who, str) and now - HOUR < at <= now + SKEW:
            out.append((float(at), who))
    return sorted(out)[-REQUESTS_PER_HOUR:]


def refused(row, now: float, client: str | None) -> str | None:
    """ "not_live" (no such recipient), "stopped" (MAX_FAILURES reached), "too_many" (a limit
    reached), or None: this client may ask for a code now."""
    if row is None:
        return "not_live"
    if row.code_failures >= MAX_FAILURES:
        return "stopped"
    times = recent(row.code_requests, now)
    key = client_key(client)
    if len(times) >= REQUESTS_PER_HOUR or sum(who == key for _, who in times) >= REQUESTS_PER_CLIENT:
        return "too_many"
    return None


def with_request(text: str | None, now: float, client: str | None) -> str:
    """The stored JSON with this request added (at most REQUESTS_PER_HOUR entries)."""
    entries = [*recent(text, now), (now, client_key(client))]
    return json.dumps([[at, who] for at, who in entries[-REQUESTS_PER_HOUR:]])


def count(text: str, now: float) -> int:
    return len(recent(text, now))
