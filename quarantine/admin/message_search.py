"""The message list's search (issue 18): held and handled messages, and the mail that passed.

Two sources, one form. Holds live in `held_messages` (subject in the summary, the deciding
rules in the decision); a message that was never held lives only in the decision log
(`decisions`, `decision_rules`: sender, recipients, matched rules — no subject, no body). The
state "passed" switches the list to the decision log's messages that have no hold: a separate
view rather than a UNION, because the two have different columns (no subject, no expiry) and a
help desk asks "what did we hold?" far more often than "what went out?". Counting and paging
happen in SQL either way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from rules.model import Decision, MatchedRule

from ..records import STATES, HoldState
from ..schema import decision_rules, decisions, held
from .search import PAGE_SIZE, Problem, Search, contains
from .words import PASSED, Pair, reason_words

FIELDS = ("subject", "sender", "recipient", "rule", "state")
APPROVAL = "approval"  # held, waiting for an approver: a state of its own in the list
# The state list, in the order the form shows it
CHOICES = (HoldState.HELD, APPROVAL, *(s for s in STATES if s != HoldState.HELD), PASSED)

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LISTED = (
    held.c.id,
    held.c.state,
    held.c.kind,
    held.c.created_at,
    held.c.mail_from,
    held.c.rcpt_tos,
    held.c.summary,
    held.c.decision,
    held.c.acted_at,
    held.c.acted_by,
)


@dataclass(frozen=True, kw_only=True)
class Row:
    id: str
    state: str  # a hold's state, or PASSED
    kind: str  # a hold's kind; for a passed message the decision's action (pass, tag, reject)
    created_at: float
    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str | None  # None: not recorded (a passed message)
    rules: tuple[tuple[str, Pair], ...]  # (id, words) of the deciding (or matched) rules
    acted_at: float | None = None
    acted_by: str | None = None

    @property
    def holding(self) -> bool:
        return self.state == HoldState.HELD

    @classmethod
    def of_hold(cls, r) -> Row:
        decision = Decision.from_dict(json.loads(r.decision))
        return cls(
            id=r.id,
            state=r.state,
            kind=r.kind,
            created_at=r.created_at,
            mail_from=r.mail_from,
            rcpt_tos=tuple(json.loads(r.rcpt_tos)),
            subject=json.loads(r.summary).get("subject", ""),
            rules=_named(decision.deciding),
            acted_at=r.acted_at,
            acted_by=r.acted_by,
        )

    @classmethod
    def of_decision(cls, r) -> Row:
        decision = Decision.from_dict(json.loads(r.findings)["decision"])
        return cls(
            id=r.id,
            state=PASSED,
            kind=r.action,
            created_at=r.at,
            mail_from=r.mail_from,
            rcpt_tos=tuple(json.loads(r.rcpt_tos)),
            subject=None,
            rules=_named(decision.matched),
        )


def _named(matched: tuple[MatchedRule, ...]) -> tuple[tuple[str, Pair], ...]:
    return tuple(dict((m.id, reason_words(m.reason)) for m in matched).items())


def problems(search: Search) -> tuple[Problem, ...]:
    v, errors = search.values, list(search.errors)
    if v["rule"] and not _RULE_ID.match(v["rule"]):
        errors.append(Problem("rule", "ルール：一覧から選んでください", "choose a rule from the list"))
    if v["state"] and v["state"] not in CHOICES:
        errors.append(Problem("state", "状態：一覧から選んでください", "choose a state from the list"))
    if v["state"] == PASSED and v["subject"]:
        errors.append(
            Problem(
                "subject",
                "件名：保留しなかったメールは件名を記録していないため、件名では探せません",
                "the subject of a message that was not held is not recorded",
            )
        )
    return tuple(errors)


async def find(conn: AsyncConnection, search: Search) -> tuple[int, list[Row]]:
    """(how many match, this page's rows), newest first."""
    if search.values["state"] == PASSED:
        return await _passed(conn, search)
    where = and_(true(), *_hold_conditions(search))
    total = (await conn.execute(select(func.count()).select_from(held).where(where))).scalar_one()
    rows = await conn.execute(
        select(*_LISTED)
        .where(where)
        .order_by(held.c.created_at.desc(), held.c.id)
        .offset(search.offset)
        .limit(PAGE_SIZE)
    )
    return total, [Row.of_hold(r) for r in rows]


def _hold_conditions(search: Search) -> list:
    v, conds = search.values, search.period(held.c.created_at)
    if v["subject"]:
        # the summary (JSON) holds the subject and the attachments' names
        conds.append(contains(held.c.summary, v["subject"]))
    if v["sender"]:
        conds.append(contains(held.c.mail_from, v["sender"]))
    if v["recipient"]:
        conds.append(contains(held.c.rcpt_tos, v["recipient"]))
    if v["rule"] and _RULE_ID.match(v["rule"]):
        # the hold's own decision (JSON) names every matched rule as "id": "<rule>"
        conds.append(held.c.decision.like(f'%"id": "{v["rule"]}"%'))
    if v["state"] == APPROVAL:
        conds += [held.c.state == HoldState.HELD, held.c.kind == "hold_for_approval"]
    elif v["state"] in STATES:
        conds.append(held.c.state == v["state"])
    return conds


async def _passed(conn: AsyncConnection, search: Search) -> tuple[int, list[Row]]:
    v = search.values
    conds = [held.c.id.is_(None), *search.period(decisions.c.at)]
    if v["sender"]:
        conds.append(contains(decisions.c.mail_from, v["sender"]))
    if v["recipient"]:
        conds.append(contains(decisions.c.rcpt_tos, v["recipient"]))
    if v["rule"] and _RULE_ID.match(v["rule"]):
        conds.append(
            exists().where(
                decision_rules.c.message_id == decisions.c.id, decision_rules.c.rule_id == v["rule"]
            )
        )
    source = decisions.outerjoin(held, held.c.id == decisions.c.id)
    where = and_(*conds)
    total = (await conn.execute(select(func.count()).select_from(source).where(where))).scalar_one()
    rows = await conn.execute(
        select(decisions)
        .select_from(source)
        .where(where)
        .order_by(decisions.c.at.desc(), decisions.c.id)
        .offset(search.offset)
        .limit(PAGE_SIZE)
    )
    return total, [Row.of_decision(r) for r in rows]
