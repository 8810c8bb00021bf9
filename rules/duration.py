"""The one grammar of durations, in rule files (a delay) and in the configuration (timeouts,
retention, retries): a number of seconds, or a number with a unit, such as 500ms, 30s, 15m,
1.5h, 3d. It lives in rules/, the lowest package that reads one; proxy/ imports it.
"""

from __future__ import annotations

import math
import re

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
# A century: longer than any retention a company keeps, and far enough below datetime's year
# 9999 that now + duration never overflows (an overflow in a rule delay became a 451 on every
# retry, a message nobody could send).
LONGEST = 100 * 365 * 86400


def parse_duration(value: object) -> float:
    """Seconds, always finite, more than 0 (0 would switch a timer off) and at most a century.
    Raises ValueError saying what is wrong; the caller names the file and the key."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value).strip())
        if not m:
            raise ValueError(f"expected a duration such as 30s, 15m, 3d; got {value!r}")
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if not math.isfinite(seconds):
        raise ValueError(f"must be a finite number; got {value!r}")
    if seconds <= 0:
        raise ValueError(f"must be longer than 0; got {value!r}")
    if seconds > LONGEST:
        raise ValueError(f"must be at most 36500d; got {value!r}")
    return seconds
