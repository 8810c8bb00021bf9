"""decide(): findings + facts + rules -> Decision. Pure and deterministic (DESIGN.md step 4)."""
from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Iterable

from inspectors.base import Finding

from .model import (AllOf, AnyOf, CodeCondition, Condition, Decision, MatchedRule,
                    MessageFacts, Not, RuleSet, strictness)


def decide(findings: Iterable[Finding], facts: MessageFacts, rules: RuleSet) -> Decision:
    findings = tuple(findings)
    matched = []
    for rule in rules.active:
        hits = evaluate(rule.when, findings)
        if hits is None:
            continue
        matched.append(MatchedRule(id=rule.id, action=rule.action, mode=rule.mode,
                                   reason=dict(rule.reason), findings=hits))
    action = "pass"
    for m in matched:
        if m.mode == "enforce" and strictness(m.action) > strictness(action):
            action = m.action
    return Decision(action=action, matched=tuple(matched))


def evaluate(cond: Condition, findings: tuple[Finding, ...]) -> tuple[Finding, ...] | None:
    """The findings that satisfy `cond`, or None when it does not hold.

    A `not` that holds contributes no findings: there is nothing to show for an absence.
    """
    if isinstance(cond, CodeCondition):
        hits = tuple(f for f in findings if _matches(cond, f))
        return hits or None
    if isinstance(cond, AllOf):
        collected: list[Finding] = []
        for item in cond.items:
            hits = evaluate(item, findings)
            if hits is None:
                return None
            collected.extend(h for h in hits if h not in collected)
        return tuple(collected)
    if isinstance(cond, AnyOf):
        results = [evaluate(item, findings) for item in cond.items]
        held = [h for h in results if h is not None]
        if not held:
            return None
        return tuple(dict.fromkeys(f for hits in held for f in hits))
    if isinstance(cond, Not):
        return () if evaluate(cond.item, findings) is None else None
    raise TypeError(f"unknown condition {cond!r}")


def _matches(cond: CodeCondition, finding: Finding) -> bool:
    if not fnmatchcase(finding.code, cond.code):
        return False
    if finding.count < cond.min_count:
        return False
    if cond.max_count is not None and finding.count > cond.max_count:
        return False
    if cond.where is not None:
        return any(w == cond.where or w.startswith(cond.where + ":") for w in finding.where)
    return True
