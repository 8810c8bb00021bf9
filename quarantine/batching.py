"""The background loop of the stores that write in batches (decision log, delivery history):
one transaction a second instead of one per message, which would cost an fsync each."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

log = logging.getLogger("guard.batching")


async def flush_every(interval: float, stop: asyncio.Event, flush: Callable[[], Awaitable[None]],
                      what: str) -> None:
    """Call `flush` every `interval` seconds until `stop`; a failed flush is logged, the loop
    goes on (the caller flushes once more after `stop`)."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except asyncio.TimeoutError:
            pass
        try:
            await flush()
        except Exception:
            log.exception("event=%s_flush_failed", what)
