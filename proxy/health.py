"""What /healthz says besides the store: which instance answers, and whether its upstream does.

The instance's id (`instance.id`, the machine's host name by default) names the guard behind a
load balancer: in /healthz, in every /metrics sample (label `instance`), in the start-up line.

The upstream check opens a TCP connection and reads the greeting (RFC 5321 §4.2: a server
ready for mail greets with 220), then says QUIT. Its answer is kept CACHE_FOR seconds: a load
balancer checking every second must not cost the upstream a connection each time, and the
probes of requests arriving together are one probe.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import ssl
import time
from pathlib import Path
from typing import Any

from .endpoints import Upstream
from .errors import ConfigError

CACHE_FOR = 5.0  # seconds an upstream's answer is reused
TIMEOUT = 1.0  # seconds for connect, TLS and greeting together: /healthz answers fast
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$")  # safe in a label, a log line, a URL


def instance_id(value: Any, key: str = "instance.id") -> str:
    """The configured id, or this machine's host name; validated once (the key is named)."""
    if value is None:
        value = socket.gethostname() or "guard"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # MDG_INSTANCE_ID=2 reads as a number
    if not isinstance(value, str) or not _ID.match(value):
        raise ConfigError(
            f"{key}: letters, digits and . _ : - (up to 63, a letter or digit first); got {value!r}"
        )
    return value


class UpstreamProbe:
    """Is the upstream there: "ok", or "down (why)"; a Maildir outbox: is it writable."""

    def __init__(self, upstream: Upstream, *, ca_file: Path | None = None, timeout: float = TIMEOUT) -> None:
        self.upstream = upstream
        self.timeout = timeout
        self.tls = (
            ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
            if upstream.scheme == "smtps"
            else None
        )
        self.probes = 0  # connections opened (or outbox looks) since start
        self._answer = ""
        self._at = float("-inf")
        self._running: asyncio.Future[str] | None = None

    async def __call__(self) -> str:
        if time.monotonic() - self._at < CACHE_FOR:
            return self._answer
        if self._running is None or self._running.done():  # one probe for the requests that
            self._running = asyncio.ensure_future(self._probe())  # find the answer stale together
        # Shielded: a health checker that hangs up does not cancel the others' probe.
        return await asyncio.shield(self._running)

    async def _probe(self) -> str:
        self.probes += 1
        try:
            answer = await asyncio.wait_for(self._look(), self.timeout)
        except TimeoutError:
            answer = f"down (no greeting within {self.timeout:g}s)"
        except (OSError, ssl.SSLError, ValueError) as exc:
            answer = f"down ({type(exc).__name__})"  # the class: no address of the upstream's
        self._answer, self._at = answer, time.monotonic()
        return answer

    async def _look(self) -> str:
        up = self.upstream
        if up.scheme == "maildir":
            ok = up.path is not None and os.access(up.path, os.W_OK | os.X_OK)
            return "ok" if ok else "down (outbox not writable)"
        reader, writer = await asyncio.open_connection(up.host, up.port, ssl=self.tls)
        try:
            greeting = await reader.readline()
            if not greeting.startswith(b"220"):
                return f"down (greeting {greeting[:3].decode('ascii', 'replace')!r})"
            writer.write(b"QUIT\r\n")
            await writer.drain()
            return "ok"
        finally:
            writer.close()
