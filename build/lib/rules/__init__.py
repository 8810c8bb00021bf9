"""Policy: rule files, their schema and the one `decide()` function."""

from .decide import decide
from .errors import RuleError
from .loader import load_rules
from .model import Action, Decision, MatchedRule, MessageFacts, Mode, Rule, RuleSet

__all__ = [
    "Action",
    "Decision",
    "MatchedRule",
    "MessageFacts",
    "Mode",
    "Rule",
    "RuleError",
    "RuleSet",
    "decide",
    "load_rules",
]
