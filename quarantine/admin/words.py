"""The console's words for the store's notation (issue 18): a hold's state, a rule's action
and mode, a rule by its Japanese reason. Pages show these words and keep the raw value (a
rule id, `hold_for_approval`) only as secondary, technical text.

Each is a (ja, en) pair, rendered with the page's `say(ja, en)`.
"""

from __future__ import annotations

from collections.abc import Mapping

from rules.model import Rule, RuleSet

from ..explain import sentence
from ..i18n import action_label, actor_label
from .rule_words import ACTIONS, MODES

Pair = tuple[str, str]

# "passed" is not a hold's state: the decision log's messages that were never held.
PASSED = "passed"

_STATES: dict[str, Pair] = {
    "held": ("保留中", "held"),
    "held.delay": ("遅延送信の待機中", "waiting to be sent"),
    "held.hold_for_approval": ("承認待ち", "waiting for approval"),
    "released": ("送信済み", "released"),
    "cancelled": ("取り消し", "cancelled"),
    "expired": ("期限切れ（送信せず）", "expired, not sent"),
    "delivery_failed": ("配送失敗", "delivery failed"),
    PASSED: ("送信済み（保留なし）", "sent, not held"),
    # an approver's no is 却下; a rule's refusal (never held) is 拒否, as the rules page says
    "rejected": ("却下（送信せず）", "rejected, not sent"),
    "refused": ("拒否（送信せず）", "refused, not sent"),
}

_LABEL_LENGTH = 48  # a rule's reason, cut for a list or a <select>


def state_words(state: str, kind: str = "hold") -> Pair:
    """A message's state in words; a held one by its kind (delay, approval)."""
    if state == "held" and kind != "hold":
        return _STATES.get(f"held.{kind}", _STATES["held"])
    if state == PASSED and kind == "reject":
        return _STATES["refused"]
    return _STATES.get(state, ("その他", "other"))


def action_words(action: str) -> Pair:
    """A rule's action as the rules page names it (rule_words.ACTIONS: one table)."""
    return _pair(ACTIONS, action)


def mode_words(mode: str) -> Pair:
    return _pair(MODES, mode)


def _pair(table: Mapping[str, tuple[str, str, str, str]], key: str) -> Pair:
    entry = table.get(key)
    return (entry[0], entry[1]) if entry else ("その他", "other")


def actor_words(actor: str) -> Pair:
    """Who acted ("admin:root" -> 管理者 root), never the store's notation."""
    return actor_label(actor, "ja"), actor_label(actor, "en")


def trail_words(action: str) -> Pair:
    """An audit trail row's action in words."""
    return action_label(action, "ja"), action_label(action, "en")


def reason_words(reason: Mapping[str, str], description: str = "") -> Pair:
    """A rule in a few words: its reason (what the sender is told), cut short; a rule
    without one is named as such, never by its id alone."""
    ja = _short(reason.get("ja", "")) or "（説明のないルール）"
    en = _short(reason.get("en", "") or description) or "(a rule without a description)"
    return ja, en


def rule_words(rule: Rule) -> Pair:
    """A rule in the search form's list. A local rule written without a Japanese reason has
    only its id to tell it from another such rule."""
    ja, en = reason_words(rule.reason, rule.description)
    if not rule.reason.get("ja"):
        ja = f"説明のないルール（{rule.id}）"
    return ja, en


def rule_choices(rules: RuleSet) -> list[tuple[str, Pair]]:
    """(id, words) of the rules in force, for the search form's list."""
    return [(r.id, rule_words(r)) for r in rules.active]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_LENGTH else text[: _LABEL_LENGTH - 1] + "…"


def install(env) -> None:
    """The words as the console templates' globals."""
    env.globals.update(
        state_words=state_words,
        action_words=action_words,
        mode_words=mode_words,
        actor_words=actor_words,
        trail_words=trail_words,
        finding_words=lambda finding: (sentence(finding, "ja"), sentence(finding, "en")),
        reason_words=reason_words,
    )
