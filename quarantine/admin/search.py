"""The search forms of the message list and the audit log: text filters, a date range and
a page number, read from the query string (GET: a search never changes anything)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, or_

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_TEXT = 200


@dataclass(frozen=True)
class Problem:
    """A search field that cannot be used, in both languages (a page shows one: say(ja, en));
    as a string both, for the pages that print it as it is."""

    name: str  # the field
    ja: str
    en: str

    def __str__(self) -> str:
        return f"{self.name}: {self.ja} / {self.en}"


@dataclass(frozen=True, kw_only=True)
class Search:
    values: dict[str, str]  # every field as typed, to fill the form again
    start: float | None = None  # local midnight of "from"
    end: float | None = None  # local midnight after "to"
    page: int = 1
    errors: tuple[Problem, ...] = field(default=())

    @classmethod
    def of(cls, params: Mapping[str, str], fields: tuple[str, ...], zone: dt.tzinfo | None = None) -> Search:
        """The search a query string asks for; its days begin at midnight in `zone`
        (web.timezone; None: the machine's), the zone the pages write times in."""
        values = {name: str(params.get(name, "")).strip()[:MAX_TEXT] for name in (*fields, "from", "to")}
        errors: list[Problem] = []
        start = _day(values["from"], "from", errors, zone)
        end = _day(values["to"], "to", errors, zone, after=1)
        if start is not None and end is not None and start >= end:
            errors.append(
                Problem(
                    "to",
                    f"期間：終わり（{values['to']}）が始まり（{values['from']}）より前です。"
                    "日付を入れ替えてください",
                    f"the period ends ({values['to']}) before it starts ({values['from']}); swap the dates",
                )
            )
            start = end = None
        page = _page(str(params.get("page", "1")), errors)
        return cls(values=values, start=start, end=end, page=page, errors=tuple(errors))

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def filters(self) -> str:
        """The query string of this search without the page (for an export link)."""
        return urlencode({k: v for k, v in self.values.items() if v})

    def link(self, page: int) -> str:
        """The query string of another page of the same search."""
        return urlencode({**{k: v for k, v in self.values.items() if v}, "page": page})

    def period(self, column) -> list[ColumnElement]:
        conds = []
        if self.start is not None:
            conds.append(column >= self.start)
        if self.end is not None:
            conds.append(column < self.end)
        return conds


def contains(column, text: str) -> ColumnElement:
    """Case-insensitive substring match, wildcards in `text` taken literally. Also matches
    the JSON-escaped form, for columns that hold a JSON list of (possibly non-ASCII) addresses."""
    variants = {text, json.dumps(text)[1:-1]}
    return or_(*(column.ilike(f"%{_escape(v)}%", escape="\\") for v in variants))


_LABELS = {"from": "期間（から）", "to": "期間（まで）"}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def today(now: float, zone: dt.tzinfo | None) -> dt.date:
    """The day it is at `now` in `zone` (None: the machine's zone)."""
    return dt.datetime.fromtimestamp(now, zone).date()


def midnight(day: dt.date, zone: dt.tzinfo | None) -> float:
    """The moment `day` begins in `zone` (None: the machine's zone)."""
    if zone is None:
        return time.mktime(day.timetuple())
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).timestamp()


def _day(text: str, name: str, errors: list[Problem], zone: dt.tzinfo | None, after: int = 0) -> float | None:
    """The moment the day `text` begins (`after`=1: the day after it), or None and an error."""
    if not text:
        return None
    try:
        return midnight(dt.date.fromisoformat(text) + dt.timedelta(days=after), zone)
    except (ValueError, OverflowError):
        errors.append(
            Problem(
                name,
                f"{_LABELS[name]}：日付は 2025-01-31 のように入力してください（入力された値: {text}）",
                f"expected a date such as 2025-01-31; got {text!r}",
            )
        )
        return None


def _page(text: str, errors: list[Problem]) -> int:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PAGE:
        return int(text)
    errors.append(
        Problem(
            "page",
            f"ページ：1 から {MAX_PAGE} までの数字で指定してください",
            f"expected a number from 1 to {MAX_PAGE}; got {text[:20]!r}",
        )
    )
    return 1
