"""The values of the policy layer: rules, conditions and the decision they produce."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from inspectors.base import Finding

# Strictest wins (DESIGN.md step 4): the index is the strictness.
ACTIONS = ("pass", "hold", "reject")
MODES = ("enforce", "monitor")
WHERE_KINDS = ("body", "attachment", "subject", "envelope", "header", "message")


def strictness(action: str) -> int:
    return ACTIONS.index(action)


@dataclass(frozen=True, kw_only=True)
class CodeCondition:
    """True when some finding has a matching code, count and location."""
    code: str                      # exact, or a prefix wildcard such as "pii.*"
    min_count: int = 1
    max_count: int | None = None
    where: str | None = None       # one of WHERE_KINDS


@dataclass(frozen=True, kw_only=True)
class AllOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True, kw_only=True)
class AnyOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True, kw_only=True)
class Not:
    item: "Condition"


Condition = Union[CodeCondition, AllOf, AnyOf, Not]


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    when: Condition
    action: str
    mode: str = "enforce"
    description: str = ""
    reason: dict[str, str] = field(default_factory=dict)   # {"ja": ..., "en": ...}
    source: str = ""                                        # file the rule came from
    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    rules: tuple[Rule, ...]

    @property
    def active(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)


@dataclass(frozen=True, kw_only=True)
class MessageFacts:
    """What decide() may know about a message besides its findings."""
    mail_from: str
    rcpt_tos: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MatchedRule:
    id: str
    action: str
    mode: str
    reason: dict[str, str]
    findings: tuple[Finding, ...]    # the findings that made the rule match

    def to_dict(self) -> dict:
        return {"id": self.id, "action": self.action, "mode": self.mode,
                "reason": dict(self.reason), "findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, d: dict) -> "MatchedRule":
        return cls(id=d["id"], action=d["action"], mode=d["mode"], reason=dict(d["reason"]),
                   findings=tuple(Finding.from_dict(f) for f in d.get("findings", ())))


@dataclass(frozen=True, kw_only=True)
class Decision:
    action: str                          # the strictest action among enforced matches
    matched: tuple[MatchedRule, ...]     # every match, monitor-mode ones included

    @property
    def enforced(self) -> tuple[MatchedRule, ...]:
        return tuple(m for m in self.matched if m.mode == "enforce")

    def to_dict(self) -> dict:
        return {"action": self.action, "matched": [m.to_dict() for m in self.matched]}

    @classmethod
    def from_dict(cls, d: dict) -> "Decision":
        return cls(action=d["action"], matched=tuple(MatchedRule.from_dict(m) for m in d["matched"]))
