"""Policy: rule files, their schema and the one `decide()` function."""
from .decide import decide
from .model import Decision, MatchedRule, MessageFacts, Rule, RuleSet
from .loader import RuleError, load_rules

__all__ = ["decide", "Decision", "MatchedRule", "MessageFacts", "Rule", "RuleSet",
           "RuleError", "load_rules"]
