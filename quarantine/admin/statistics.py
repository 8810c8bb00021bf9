"""Statistics per rule over a window of 7 or 30 days: the totals (DecisionLog.rule_stats: what
became of the holds, by who decided: the sender, an approver, an admin, the clock) and, per
day, matched vs released by the sender, drawn as a small chart per rule: a
server-rendered inline SVG (no script, no image request: it passes the console's CSP). A
rule whose blue bars reach its grey ones is noise: the senders release what it holds.

Days are local calendar days. The day of a row is a CASE over the window's midnights,
computed here, so the query is the same plain SQL on SQLite and PostgreSQL (no date
functions, which the two spell differently) and a DST day is still one day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from rules.book import RuleBook
from rules.model import HELD, Mode

from ..decisions import DecisionLog, RuleStats
from ..engine import reading
from ..records import RELEASED as RELEASED_STATES
from ..schema import decision_rules, held
from .console import Console, say
from .words import mode_words

WINDOWS = (7, 30)
OFF = ("無効", "Off")  # a rule switched off: not a mode of the rules file, so not in its words
WIDTH, HEIGHT, TOP, BOTTOM = 300, 64, 4, 14  # the chart; BOTTOM leaves room for day labels
MATCHED, RELEASED = "#c5cad6", "#1f6feb"


@dataclass(frozen=True, kw_only=True)
class Series:
    days: tuple[str, ...]  # labels, e.g. "05-31", oldest first
    matched: tuple[int, ...]
    released: tuple[int, ...]  # released by the sender, of the matched


@dataclass(frozen=True, kw_only=True)
class Window:
    days: int
    bounds: tuple[float, ...]  # days + 1 local midnights, oldest first

    @classmethod
    def ending_today(cls, days: int, today: dt.date | None = None) -> Window:
        today = today or dt.date.today()
        first = today - dt.timedelta(days=days - 1)
        return cls(
            days=days,
            bounds=tuple(time.mktime((first + dt.timedelta(days=i)).timetuple()) for i in range(days + 1)),
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(time.strftime("%m-%d", time.localtime(b)) for b in self.bounds[:-1])


async def daily_counts(engine: AsyncEngine, window: Window) -> dict[str, Series]:
    """rule id -> per day: matched, and released by the sender (of the messages it held)."""
    at = decision_rules.c.at
    day = case(
        *((at < literal_column(repr(b)), literal_column(str(i))) for i, b in enumerate(window.bounds[1:])),
        else_=literal_column(str(window.days - 1)),
    )
    holding = (decision_rules.c.mode == Mode.ENFORCE) & decision_rules.c.action.in_(HELD)
    released = case((holding & held.c.state.in_(RELEASED_STATES) & (held.c.acted_by == "sender"), 1), else_=0)
    rows = (
        select(decision_rules.c.rule_id, day.label("day"), released.label("released"))
        .select_from(decision_rules.outerjoin(held, held.c.id == decision_rules.c.message_id))
        .where(at >= window.bounds[0], at < window.bounds[-1])
        .subquery()
    )
    query = select(
        rows.c.rule_id, rows.c.day, func.count().label("matched"), func.sum(rows.c.released).label("released")
    ).group_by(rows.c.rule_id, rows.c.day)
    matched: dict[str, list[int]] = defaultdict(lambda: [0] * window.days)
    released_by: dict[str, list[int]] = defaultdict(lambda: [0] * window.days)
    async with reading(engine) as conn:
        for r in await conn.execute(query):
            matched[r.rule_id][int(r.day)] = int(r.matched)
            released_by[r.rule_id][int(r.day)] = int(r.released or 0)
    return {
        rule: Series(days=window.labels, matched=tuple(matched[rule]), released=tuple(released_by[rule]))
        for rule in matched
    }


class StatisticsPages:
    def __init__(self, console: Console, decisions: DecisionLog, rulebook: RuleBook) -> None:
        self.console = console
        self.decisions = decisions
        self.rulebook = rulebook

    async def show(self, request: Request, session, form) -> Response:
        days = 30 if request.query_params.get("days") == "30" else 7
        window = Window.ending_today(days)
        stats = {s.rule_id: s for s in await self.decisions.rule_stats(window.bounds[0])}
        for rule in self.rulebook.current.active:  # a rule that never matched is news too
            stats.setdefault(
                rule.id,
                RuleStats(
                    rule_id=rule.id, matched=0, held=0, released_by_sender=0, cancelled_by_sender=0, expired=0
                ),
            )
        series = await daily_counts(self.engine, window)
        empty = Series(days=window.labels, matched=(0,) * days, released=(0,) * days)
        rows = [
            (
                s,
                bar_chart(
                    series.get(s.rule_id, empty),
                    # the rule id is in the same cell, as code: not in the words read out
                    say(
                        f"一致した数と送信者が送信した数（直近 {days} 日）",
                        f"matched vs released by sender, last {days} days",
                    ),
                ),
            )
            for s in sorted(stats.values(), key=lambda s: (-s.matched, s.rule_id))
        ]
        return self.console.render(
            "stats.html",
            session=session,
            nav="stats",
            rows=rows,
            days=days,
            windows=WINDOWS,
            since=window.bounds[0],
            modes=self._modes(),
        )

    @property
    def engine(self) -> AsyncEngine:
        return self.decisions.engine

    def _modes(self) -> dict[str, str]:
        """rule id -> its mode in words (as the rules page says them, or off)."""
        return {r.id: say(*(mode_words(r.mode) if r.enabled else OFF)) for r in self.rulebook.current.rules}


def bar_chart(series: Series, label: str) -> Markup:
    """An accessible inline <svg>: a <title> for the chart, one per bar pair."""
    n = max(len(series.days), 1)
    peak = max((*series.matched, 1))
    slot = WIDTH / n
    bar = max(slot * 0.8, 1.0)
    area = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" style="max-width:{WIDTH}px" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<line x1="0" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#8a93a6" stroke-width="1"/>',
    ]
    for i, day in enumerate(series.days):
        x = i * slot + (slot - bar) / 2
        matched, released = series.matched[i], series.released[i]
        said = say(f"一致 {matched}、送信 {released}", f"matched {matched}, released {released}")
        parts.append(f"<g><title>{escape(day)}: {said}</title>")
        parts.append(_bar(x, bar, matched / peak * area, MATCHED))
        parts.append(_bar(x + bar * 0.2, bar * 0.6, released / peak * area, RELEASED))
        parts.append("</g>")
    if series.days:
        parts.append(_text(2, series.days[0], "start"))
        parts.append(_text(WIDTH - 2, series.days[-1], "end"))
    parts.append(
        f'<text x="{WIDTH - 2}" y="{TOP + 8}" font-size="9" text-anchor="end" '
        f'fill="#5b6477">{say("最大", "max")} {max(series.matched, default=0)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(x: float, width: float, height: float, colour: str) -> str:
    if height <= 0:
        return ""
    height = max(height, 1.0)
    y = HEIGHT - BOTTOM - height
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}"/>'


def _text(x: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{x}" y="{HEIGHT - 3}" font-size="9" text-anchor="{anchor}" '
        f'fill="#5b6477">{escape(text)}</text>'
    )
