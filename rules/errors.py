"""The policy layer's exceptions, drawn as a tree (DESIGN.md: one small hierarchy per package):

    RuleError (also a ValueError) - a rule file, or a draft of one, that cannot be used

A RuleError always names the file, the rule id and the field, so the admin can fix the line.
"""

from __future__ import annotations


class RuleError(ValueError):
    """The root of the rules package's errors."""

    def __init__(self, source: str, rule_id: str | None, field: str | None, message: str) -> None:
        where = source + (f": rule {rule_id!r}" if rule_id else "") + (f": {field}" if field else "")
        super().__init__(f"{where}: {message}")
        # The parts, for a page that lists every error of a draft with its line (diagnose.py)
        self.source, self.rule_id, self.field, self.detail = source, rule_id, field, message
