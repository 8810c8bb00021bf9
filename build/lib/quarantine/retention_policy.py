"""How long personal data at rest is kept (README, "Retention"): the policy alone, apart from
the purge in retention.py, so that reading the configuration (proxy.settings, and with it
`misdelivery-guard check`) does not import SQLAlchemy and the store."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86400.0


@dataclass(frozen=True, kw_only=True)
class RetentionPolicy:
    raw: float = 30 * DAY
    outbound: float = 7 * DAY
    records: float = 365 * DAY
    history: float = 365 * DAY
    every: float = 600.0  # how often each instance purges
