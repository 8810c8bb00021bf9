"""Replay: what a draft rule set would have changed over recorded traffic. Pure.

Each recorded message is decided twice from its stored findings — under the rules in force
and under the draft — and the differences are counted, overall and per rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from inspectors.base import Finding

from .decide import decide
from .model import Action, MessageFacts, RuleSet


@dataclass(frozen=True, kw_only=True)
class RuleChange:
    rule_id: str
    matched_now: int  # messages the rule matches under the rules in force
    matched_draft: int  # ... under the draft
    decisive_changes: int  # verdict changes where this rule decides the draft's verdict


@dataclass(frozen=True, kw_only=True)
class ReplayReport:
    messages: int
    changed: int
    transitions: dict[tuple[str, str], int] = field(default_factory=dict)  # (now, draft) -> n
    rules: tuple[RuleChange, ...] = ()

    def lines(self) -> list[str]:
        out = [f"messages replayed: {self.messages}", f"verdict would change: {self.changed}"]
        out += [f"  {now} -> {draft}: {n}" for (now, draft), n in sorted(self.transitions.items())]
        out.append(f"{'rule':40} {'now':>7} {'draft':>7} {'changes':>8}")
        out += [
            f"{r.rule_id:40} {r.matched_now:7} {r.matched_draft:7} {r.decisive_changes:8}" for r in self.rules
        ]
        return out


def replay(
    records: Iterable[tuple[MessageFacts, tuple[Finding, ...]]], current: RuleSet, draft: RuleSet
) -> ReplayReport:
    now_hits: Counter[str] = Counter()
    draft_hits: Counter[str] = Counter()
    decisive: Counter[str] = Counter()
    transitions: Counter[tuple[str, str]] = Counter()
    total = 0
    for facts, findings in records:
        total += 1
        before, after = decide(findings, facts, current), decide(findings, facts, draft)
        now_hits.update(m.id for m in before.matched)
        draft_hits.update(m.id for m in after.matched)
        if before.verdict != after.verdict:
            transitions[(before.verdict, after.verdict)] += 1
            deciding = after.deciding if after.verdict != Action.PASS else before.deciding
            decisive.update(m.id for m in deciding)
    ids = sorted(set(now_hits) | set(draft_hits) | {r.id for r in draft.active})
    changes = tuple(
        RuleChange(
            rule_id=i, matched_now=now_hits[i], matched_draft=draft_hits[i], decisive_changes=decisive[i]
        )
        for i in ids
    )
    return ReplayReport(
        messages=total, changed=sum(transitions.values()), transitions=dict(transitions), rules=changes
    )
