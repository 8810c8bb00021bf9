"""One rule's form on the rules page: on/off, mode, action, delay and scope, read into the
keys of the console's rules layer that change (rules/patch.py writes them into its text).

Only what differs from the rule in force is written: turning a shipped rule to monitor adds
`- id: ..., mode: monitor` and nothing else. Every field is bounded and checked here, with
a message in the page's language, before the whole file is validated again as a draft is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rules.duration import parse_duration
from rules.link_terms import KEYS as LINK_KEYS
from rules.model import ACTIONS, MODES, MODIFIERS, Action, Rule, RuleSet

MAX_ID = 100
MAX_DELAY = 20
MAX_SCOPE = 4000  # characters of one scope field
MAX_ENTRIES = 200
MAX_ENTRY = 254
_SPLIT = re.compile(r"[\s,、，;；]+")
# 10分, 2時間: a Japanese page's placeholder says so; the file gets 10m, 2h
_JA_DELAY = re.compile(r"^(\d+(?:\.\d+)?)\s*(秒|分|時間|日)$")
_JA_UNITS = {"秒": "s", "分": "m", "時間": "h", "日": "d"}
_DOMAIN = re.compile(r"^[^\s@]+\.[^\s@]+$|^[^\s@.]+$")

Error = tuple[str, str]  # (ja, en)


def base_of(form: Mapping[str, Any]) -> int:
    """The console version a rules form was built from (issue 20); -1, never the newest, when
    it carries none: a save over a version changed since is refused, never a blind overwrite."""
    text = str(form.get("version", ""))
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1


STALE: Error = (
    "このページを開いた後で、別の管理者がルールを保存しました（変更が重なりました）。開き直して、最新の内容にもう一度変更してください。",
    "The rules changed meanwhile: another admin saved since this page was opened. Reload it and make the change again.",
)


def delay_text(seconds: float, lang: str = "en") -> str:
    """600 -> "10m" ("10分" on a Japanese page): a delay as a person would type it."""
    if not seconds:
        return ""
    units = (("d", "日", 86400), ("h", "時間", 3600), ("m", "分", 60), ("s", "秒", 1))
    for en, ja, size in units:
        if (seconds >= size and seconds % size == 0) or size == 1:
            n = f"{int(seconds // size)}" if seconds % size == 0 else f"{seconds / size:g}"
            return n + (ja if lang == "ja" else en)
    return ""


def read_edit(
    form: Mapping[str, Any], rule: Rule, groups: Mapping[str, Any], directory: bool = False
) -> tuple[dict[str, Any], list[Error]]:
    """(the keys to write, errors): None as a value removes the key. `directory`: a directory
    is configured, whose groups `group:NAME` may name (the loader accepts any name then)."""
    errors: list[Error] = []
    changes: dict[str, Any] = {}
    enabled = str(form.get("enabled", "")) == "1"
    if enabled != rule.enabled:
        changes["enabled"] = enabled
    mode = str(form.get("mode", ""))
    if mode not in MODES:
        errors.append(("動作モードを一覧から選んでください。", "Choose a mode from the list."))
    elif mode != rule.mode:
        changes["mode"] = mode
    action = str(form.get("action", ""))
    if action not in ACTIONS + MODIFIERS:
        errors.append(("動作を一覧から選んでください。", "Choose an action from the list."))
        action = rule.action
    elif action != rule.action:
        changes["action"] = action
        if rule.action == Action.LINK_ATTACHMENTS:
            changes.update(dict.fromkeys(LINK_KEYS))  # the link terms go only with link_attachments
    _delay(str(form.get("delay", "")).strip(), action, rule, changes, errors)
    senders = _entries(str(form.get("senders", "")), "送信者", "senders", groups, errors, directory)
    recipients = _entries(str(form.get("recipients", "")), "宛先", "recipients", groups, errors, directory)
    if (senders, recipients) != (rule.scope.senders, rule.scope.recipients):
        changes["scope"] = {k: list(v) for k, v in (("senders", senders), ("recipients", recipients)) if v}
    return changes, errors


def _delay(text: str, action: str, rule: Rule, changes: dict[str, Any], errors: list[Error]) -> None:
    if action != Action.DELAY:
        if rule.action == Action.DELAY and "action" in changes:
            changes["delay"] = None  # a delay goes only with action delay
        return
    if not text:
        errors.append(
            ("遅延送信には待ち時間が必要です（例: 10m、2h）。", "A delay needs a time (e.g. 10m, 2h).")
        )
        return
    ja = _JA_DELAY.match(text)
    if ja:
        text = ja.group(1) + _JA_UNITS[ja.group(2)]
    try:
        seconds = parse_duration(text if len(text) <= MAX_DELAY else "x")
    except ValueError:
        errors.append(
            (
                "待ち時間は 30秒・10分・2時間・1日 のように書いてください（36500日まで）。",
                "Write the delay as 30s, 10m, 2h or 1d (at most 36500d).",
            )
        )
        return
    if seconds != rule.delay or rule.action != Action.DELAY:
        changes["delay"] = delay_text(seconds)


def _entries(
    text: str, ja: str, en: str, groups: Mapping[str, Any], errors: list[Error], directory: bool = False
) -> tuple[str, ...]:
    if len(text) > MAX_SCOPE:
        errors.append((f"{ja}の範囲が長すぎます（{MAX_SCOPE}文字まで）。", f"The {en} scope is too long."))
        return ()
    entries = tuple(dict.fromkeys(e for e in _SPLIT.split(text) if e))
    if len(entries) > MAX_ENTRIES:
        errors.append((f"{ja}の範囲は{MAX_ENTRIES}件までです。", f"At most {MAX_ENTRIES} {en}."))
        return ()
    for entry in entries:
        if len(entry) > MAX_ENTRY or not _valid(entry, groups, directory):
            shown = entry[:60]
            errors.append(
                (
                    f"{ja}の範囲の「{shown}」は、アドレス・@ドメイン・group:グループ名のどれでもありません。",
                    f"{en}: {shown!r} is not an address, @domain or group:NAME.",
                )
            )
    return entries


def _valid(entry: str, groups: Mapping[str, Any], directory: bool = False) -> bool:
    if entry.startswith("group:"):
        return entry[6:] in groups or (directory and bool(entry[6:]))
    if entry.startswith("@"):
        return bool(_DOMAIN.match(entry[1:]))
    local, at, domain = entry.rpartition("@")
    return bool(at and local and _DOMAIN.match(domain))


def unknown_groups(ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """rule id -> the `group:NAME` of its scope that neither organization.groups nor the
    directory in force names: accepted with a directory (a sync may bring it), matching nobody
    until then, which the rules page says next to the rule (issue 21)."""
    out: dict[str, tuple[str, ...]] = {}
    for rule in ruleset.rules:
        names = [
            e[6:]
            for e in (*rule.scope.senders, *rule.scope.recipients)
            if e.startswith("group:") and e[6:] not in ruleset.groups and ruleset.known_group(e[6:]) is None
        ]
        if names:
            out[rule.id] = tuple(dict.fromkeys(names))
    return out
