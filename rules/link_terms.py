"""Attachment links (脱PPAP): the terms a `link_attachments` rule gives its share, and the
rule file's keys that set them. The delivery reads them from the stored decision."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .duration import parse_duration
from .errors import RuleError

HOUR, DAY = 3600.0, 86400.0
SHORTEST, LONGEST = HOUR, 31 * DAY  # a link that dies within the hour is no use; a month is plenty
MOST_DOWNLOADS = 100
KEYS = ("link_expiry", "link_max_downloads", "link_notify")


@dataclass(frozen=True, kw_only=True)
class LinkTerms:
    expiry: float = 7 * DAY  # seconds the links work
    max_downloads: int = 5  # per file and recipient
    notify: bool = True  # the sender is told of the share's first download

    def __post_init__(self) -> None:
        # Checked here too: a stored decision read back (from_dict) must not carry terms the
        # loader would have refused, such as links that never expire.
        if not (isinstance(self.expiry, (int, float)) and math.isfinite(self.expiry)):
            raise ValueError(f"expiry must be a number of seconds; got {self.expiry!r}")
        if not SHORTEST <= self.expiry <= LONGEST:
            raise ValueError(f"expiry must be between 1h and 31d; got {self.expiry!r} seconds")
        if isinstance(self.max_downloads, bool) or not isinstance(self.max_downloads, int):
            raise ValueError(f"max_downloads must be a whole number; got {self.max_downloads!r}")
        if not 1 <= self.max_downloads <= MOST_DOWNLOADS:
            raise ValueError(f"max_downloads must be 1 to {MOST_DOWNLOADS}; got {self.max_downloads!r}")
        if not isinstance(self.notify, bool):
            raise ValueError(f"notify must be true or false; got {self.notify!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"expiry": self.expiry, "max_downloads": self.max_downloads, "notify": self.notify}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LinkTerms:
        default = cls()
        return cls(
            expiry=float(d.get("expiry", default.expiry)),
            max_downloads=d.get("max_downloads", default.max_downloads),
            notify=d.get("notify", default.notify),
        )


def parse_link_terms(
    item: Mapping[str, Any], base: LinkTerms | None, links: bool, source: str, rule_id: str
) -> LinkTerms | None:
    """The terms of a rule (`links`: its action is link_attachments), from its link_* keys over
    `base` (an overridden rule's, or the defaults); None for any other action, which may not
    name the keys."""
    given = [k for k in KEYS if k in item]
    if not links:
        if given:
            raise RuleError(source, rule_id, given[0], "only goes with action link_attachments")
        return None
    terms = base or LinkTerms()
    expiry, most, notify = terms.expiry, terms.max_downloads, terms.notify
    if "link_expiry" in item:
        try:
            expiry = parse_duration(item["link_expiry"])
        except ValueError:
            expiry = -1.0
        if not SHORTEST <= expiry <= LONGEST:
            raise RuleError(
                source,
                rule_id,
                "link_expiry",
                f"expected a duration from 1h to 31d; got {item['link_expiry']!r}",
            )
    if "link_max_downloads" in item:
        most = item["link_max_downloads"]
        if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= MOST_DOWNLOADS:
            raise RuleError(
                source,
                rule_id,
                "link_max_downloads",
                f"must be a whole number from 1 to {MOST_DOWNLOADS}; got {most!r}",
            )
    if "link_notify" in item:
        notify = item["link_notify"]
        if not isinstance(notify, bool):
            raise RuleError(source, rule_id, "link_notify", f"must be true or false; got {notify!r}")
    return LinkTerms(expiry=expiry, max_downloads=most, notify=notify)
