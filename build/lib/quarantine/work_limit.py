"""How often one link may make the guard work: re-inspecting a fixed message costs seconds
of CPU for a large one, and the link is all an attacker needs to ask for it.

In memory, per guard instance (each instance bounds its own CPU): at most one fix in flight per
hold, and at most `per_window` fixes per hold within `window` seconds.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

PER_WINDOW = 5
WINDOW = 60.0
MAX_KEYS = 10_000  # forget the oldest holds first when many are being fixed at once


class WorkLimit:
    def __init__(
        self,
        *,
        per_window: int = PER_WINDOW,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_window = per_window
        self.window = window
        self.clock = clock
        self.recent: dict[str, deque] = {}
        self.busy: set[str] = set()

    def start(self, key: str) -> bool:
        """True when `key` may start a piece of work now (then call done(key) after it)."""
        now = self.clock()
        times = self.recent.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if key in self.busy or len(times) >= self.per_window:
            return False
        times.append(now)
        self.busy.add(key)
        self._forget(now)
        return True

    def done(self, key: str) -> None:
        self.busy.discard(key)

    def _forget(self, now: float) -> None:
        if len(self.recent) <= MAX_KEYS:
            return
        for key in [k for k, t in self.recent.items() if not t or t[-1] <= now - self.window]:
            del self.recent[key]
        while len(self.recent) > MAX_KEYS:
            del self.recent[next(iter(self.recent))]
