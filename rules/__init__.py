"""Policy: rule files, their schema and the one `decide()` function."""

from .decide import decide
from .loader import RuleError, load_rules
from .model import Decision, MatchedRule, MessageFacts, Rule, RuleSet

__all__ = [
    "Decision",
    "MatchedRule",
    "MessageFacts",
    "Rule",
    "RuleError",
    "RuleSet",
    "decide",
    "load_rules",
]
