"""Reading rule files: the shipped defaults, then local files that add or override by id.

Validation happens once, here; every error names the file, the rule id and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from inspectors.codes import EXTERNAL, KEYWORD
from inspectors.keyword_dictionary import KeywordDictionary

from .approvers import parse_rule_approvers
from .codes import is_known_code
from .dictionaries import check_totals, parse_dictionaries
from .duration import parse_duration
from .errors import RuleError
from .link_terms import KEYS as LINK_KEYS
from .link_terms import parse_link_terms
from .model import (
    ACTIONS,
    MODES,
    MODIFIERS,
    TALLIES,
    WHERE_KINDS,
    Action,
    AllOf,
    AnyOf,
    CodeCondition,
    Condition,
    Mode,
    Not,
    Organization,
    Rule,
    RuleSet,
    Scope,
)
from .supervisor_bcc import parse_add_bcc

# libyaml when installed (the same documents, several times faster: `check` loads the rules
# on every start), the pure-Python parser otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def refuse_aliases(text: str) -> None:
    """Raise yaml.MarkedYAMLError at the first alias (`*name`). An alias repeats a node without
    its bytes: a few hundred bytes of anchors nested in one another stand for billions of
    conditions or entries (the "billion laughs"), to walk on every message. Rule, directory
    and configuration files never need them; a person writes each value out."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            at = event.start_mark  # libyaml's own Mark type: its position, in PyYAML's
            mark = yaml.Mark("", at.index, at.line, at.column, None, 0) if at is not None else None
            raise yaml.MarkedYAMLError(
                problem=f"aliases (*{event.anchor}) are not allowed: write the value out", problem_mark=mark
            )


_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_RULE_KEYS = {
    "id", "description", "reason", "when", "action", "mode", "enabled", "scope", "delay", "add_bcc",
    "approvers", *LINK_KEYS
}  # fmt: skip
_OVERRIDE_KEYS = {"id", "mode", "enabled", "action", "delay", "scope", "add_bcc", "approvers", *LINK_KEYS}
_CODE_KEYS = {"code", "min_count", "max_count", "where", "min_tally"}


def load_rules(
    local_files: Iterable[str | Path] = (),
    groups: Mapping[str, Iterable[str]] | None = None,
    organization: Organization | None = None,
    texts: Iterable[tuple[str, str]] = (),
) -> RuleSet:
    """The shipped defaults, then each local file in order, then each (source, text) of
    `texts` (the console's layer, kept in the database); `groups` and `organization` from
    the configuration (without an organization no address is internal: add_bcc is refused)."""
    named = {name: tuple(entries) for name, entries in (groups or {}).items()}
    org = organization or Organization()
    rules: dict[str, Rule] = {}
    words: dict[str, KeywordDictionary] = {}
    for shipped in SHIPPED:
        text = resources.files("rules").joinpath(shipped).read_text("utf-8")
        _add(_parse_file(text, f"rules/{shipped}", rules, named, words, org), rules, words)
    source = f"rules/{SHIPPED[-1]}"
    for path in local_files:
        path = Path(path)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise RuleError(str(path), None, None, f"cannot read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise RuleError(str(path), None, None, "not UTF-8 text (save the file as UTF-8)") from None
        _add(_parse_file(text, str(path), rules, named, words, org), rules, words)
        source = str(path)
    for source, text in texts:
        _add(_parse_file(text, source, rules, named, words, org), rules, words)
    check_totals(list(words.values()), source)
    _check_keyword_codes(rules.values(), words)
    return RuleSet(
        rules=tuple(rules.values()), groups=named, dictionaries=tuple(words.values()), organization=org
    )


def _check_keyword_codes(rules: Iterable[Rule], words: Mapping[str, KeywordDictionary]) -> None:
    """A rule naming keyword.<id> of no dictionary would never match: a typo, said at once."""
    for rule in rules:
        for code in _codes(rule.when):
            ident = code.removeprefix(KEYWORD)
            if code.startswith(KEYWORD) and not set("*?[") & set(ident) and ident not in words:
                raise RuleError(
                    rule.source, rule.id, "when", f"no dictionary {ident!r} (define it under dictionaries:)"
                )


def _codes(condition: Condition) -> Iterable[str]:
    if isinstance(condition, CodeCondition):
        yield condition.code
    elif isinstance(condition, Not):
        yield from _codes(condition.item)
    else:
        for item in condition.items:
            yield from _codes(item)


# The shipped files, in order: the policy, then the keyword dictionaries it names.
SHIPPED = ("defaults.yaml", "dictionaries.yaml")
_Parsed = tuple[list[Rule], list[KeywordDictionary]]


def _add(parsed: _Parsed, rules: dict[str, Rule], words: dict[str, KeywordDictionary]) -> None:
    for rule in parsed[0]:
        rules[rule.id] = rule
    for dictionary in parsed[1]:
        words[dictionary.id] = dictionary


def parse_rules_text(
    text: str,
    source: str,
    groups: Mapping[str, Iterable[str]] | None = None,
    known: dict[str, Rule] | None = None,
    organization: Organization | None = None,
) -> list[Rule]:
    """Validate one rule file's text (for the admin page's draft check and for tests)."""
    named = {k: tuple(v) for k, v in (groups or {}).items()}
    return _parse_file(text, source, known or {}, named, {}, organization or Organization())[0]


def _parse_file(
    text: str,
    source: str,
    known: dict[str, Rule],
    groups: Mapping[str, tuple[str, ...]],
    words: dict[str, KeywordDictionary],
    organization: Organization,
) -> _Parsed:
    """The rules and dictionaries of one file; a rule (a dictionary) whose id is in `known`
    (`words`) may override that one."""
    try:
        refuse_aliases(text)
        doc = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise RuleError(source, None, None, f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or set(doc) - {"rules", "dictionaries"}:
        raise RuleError(source, None, None, "expected a mapping with the keys 'rules' and 'dictionaries'")
    items = doc.get("rules") or []
    if not isinstance(items, list):
        raise RuleError(source, None, "rules", "must be a list")
    out, seen = [], set()
    for item in items:
        rule = _parse_rule(item, source, known, groups, organization)
        if rule.id in seen:
            raise RuleError(source, rule.id, "id", "defined twice in this file")
        seen.add(rule.id)
        out.append(rule)
    return out, parse_dictionaries(doc.get("dictionaries") or [], source, words)


def _parse_rule(
    item: Any,
    source: str,
    known: dict[str, Rule],
    groups: Mapping[str, tuple[str, ...]],
    organization: Organization | None = None,
) -> Rule:
    org = organization or Organization()
    if not isinstance(item, dict):
        raise RuleError(source, None, None, "each rule must be a mapping")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise RuleError(source, None, "id", f"must be kebab-case text, got {rule_id!r}")
    unknown = set(item) - _RULE_KEYS
    if unknown:
        raise RuleError(source, rule_id, sorted(unknown)[0], "unknown key")
    base = known.get(rule_id)
    if base is not None and set(item) <= _OVERRIDE_KEYS:
        # An override of a shipped rule's mode, action, delay, scope, add_bcc or enabled flag.
        action = _choice(item, "action", ACTIONS + MODIFIERS, source, rule_id, base.action)
        approvers = _approvers(item, base.approvers, action, source, rule_id, org)
        return replace(
            base,
            action=action,
            mode=_choice(item, "mode", MODES, source, rule_id, base.mode),
            enabled=_bool(item, source, rule_id, base.enabled),
            delay=_delay(item, action, source, rule_id, base.delay),
            scope=_scope(item["scope"], source, rule_id, groups, org) if "scope" in item else base.scope,
            add_bcc=_add_bcc(item, base.add_bcc, action, source, rule_id, org, approvers),
            approvers=approvers,
            links=parse_link_terms(item, base.links, action == Action.LINK_ATTACHMENTS, source, rule_id),
            source=source,
        )
    if "when" not in item or "action" not in item:
        raise RuleError(source, rule_id, "when" if "when" not in item else "action", "is required")
    action = _choice(item, "action", ACTIONS + MODIFIERS, source, rule_id, None)
    approvers = _approvers(item, (), action, source, rule_id, org)
    return Rule(
        id=rule_id,
        when=_condition(item["when"], source, rule_id, "when"),
        action=action,
        mode=_choice(item, "mode", MODES, source, rule_id, Mode.ENFORCE),
        description=str(item.get("description", "")),
        reason=_reason(item.get("reason"), source, rule_id),
        scope=_scope(item.get("scope"), source, rule_id, groups, org),
        delay=_delay(item, action, source, rule_id, 0.0),
        enabled=_bool(item, source, rule_id, True),
        add_bcc=_add_bcc(item, (), action, source, rule_id, org, approvers),
        links=parse_link_terms(item, None, action == Action.LINK_ATTACHMENTS, source, rule_id),
        approvers=approvers,
        source=source,
    )


def _add_bcc(
    item: dict[str, Any],
    base: tuple[str, ...],
    action: Action,
    source: str,
    rule_id: str,
    org: Organization,
    approvers: tuple[str, ...],
) -> tuple[str, ...]:
    """The rule's add_bcc; an override's shipped entries are checked again, as the overriding
    action may be one that never delivers."""
    if "add_bcc" in item:
        return parse_add_bcc(item["add_bcc"], action, source, rule_id, org, approvers)
    return parse_add_bcc(list(base), action, source, rule_id, org, approvers) if base else ()


def _approvers(
    item: dict[str, Any], base: tuple[str, ...], action: Action, source: str, rule_id: str, org: Organization
) -> tuple[str, ...]:
    """The rule's own approvers (issue 21); an override's inherited ones are checked again,
    as the overriding action may no longer hold for approval."""
    value = item["approvers"] if "approvers" in item else list(base)
    if "approvers" not in item and not base:
        return ()
    return parse_rule_approvers(value, action, Action.HOLD_FOR_APPROVAL, source, rule_id, org.directory)


def _delay(item: dict[str, Any], action: Action, source: str, rule_id: str, default: float) -> float:
    if "delay" not in item:
        if action == Action.DELAY and not default:
            raise RuleError(source, rule_id, "delay", "is required for action delay (e.g. 10m)")
        return default
    if action != Action.DELAY:
        raise RuleError(source, rule_id, "delay", "only goes with action delay")
    try:
        return parse_duration(item["delay"])
    except ValueError:
        raise RuleError(
            source, rule_id, "delay", f"expected a duration such as 10m; got {item['delay']!r}"
        ) from None


def _scope(
    value: Any,
    source: str,
    rule_id: str,
    groups: Mapping[str, tuple[str, ...]],
    org: Organization | None = None,
) -> Scope:
    """`group:NAME` must be a configuration group, unless a directory is configured: its
    groups come and go with the sync, so a name it does not hold yet matches nobody."""
    directory = org is not None and org.directory
    if value is None:
        return Scope()
    if not isinstance(value, dict) or set(value) - {"senders", "recipients"}:
        raise RuleError(source, rule_id, "scope", "must be a mapping with senders and/or recipients")
    parts = {}
    for key in ("senders", "recipients"):
        entries = value.get(key, [])
        if not isinstance(entries, list) or not all(isinstance(e, str) and e for e in entries):
            raise RuleError(
                source, rule_id, f"scope.{key}", "must be a list of addresses, @domains or group:NAME"
            )
        for entry in entries:
            if entry.startswith("group:") and entry[6:] not in groups and not (directory and entry[6:]):
                raise RuleError(
                    source,
                    rule_id,
                    f"scope.{key}",
                    f"unknown group {entry[6:]!r} (define it under organization.groups)",
                )
            if not entry.startswith(("group:", "@")) and "@" not in entry:
                raise RuleError(
                    source, rule_id, f"scope.{key}", f"{entry!r} is not an address, @domain or group:NAME"
                )
        parts[key] = tuple(entries)
    return Scope(**parts)


_Choice = TypeVar("_Choice", Action, Mode)


def _choice(
    item: dict[str, Any],
    key: str,
    allowed: tuple[_Choice, ...],
    source: str,
    rule_id: str,
    default: _Choice | None,
) -> _Choice:
    value = item.get(key, default)
    if value not in allowed:
        raise RuleError(source, rule_id, key, f"must be one of {', '.join(allowed)}; got {value!r}")
    return allowed[allowed.index(value)]  # the member, for the string the file spells


def _bool(item: dict[str, Any], source: str, rule_id: str, default: bool) -> bool:
    value = item.get("enabled", default)
    if not isinstance(value, bool):
        raise RuleError(source, rule_id, "enabled", f"must be true or false; got {value!r}")
    return value


def _reason(value: Any, source: str, rule_id: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"ja": value, "en": value}
    if (
        isinstance(value, dict)
        and set(value) <= {"ja", "en"}
        and all(isinstance(v, str) for v in value.values())
    ):
        return dict(value)
    raise RuleError(source, rule_id, "reason", "must be text or a mapping with 'ja' and 'en'")


def _condition(value: Any, source: str, rule_id: str, path: str) -> Condition:
    if not isinstance(value, dict) or not value:
        raise RuleError(source, rule_id, path, "a condition must be a mapping")
    if set(value) & {"all", "any"}:
        key = "all" if "all" in value else "any"
        items = value[key]
        if len(value) != 1 or not isinstance(items, list) or not items:
            raise RuleError(source, rule_id, f"{path}.{key}", "must be the only key, with a non-empty list")
        parsed = tuple(_condition(v, source, rule_id, f"{path}.{key}[{i}]") for i, v in enumerate(items))
        return AllOf(items=parsed) if key == "all" else AnyOf(items=parsed)
    if "recipients" in value:
        return _recipients_condition(value, source, rule_id, path)
    if "not" in value:
        if len(value) != 1:
            raise RuleError(source, rule_id, f"{path}.not", "must be the only key")
        return Not(item=_condition(value["not"], source, rule_id, f"{path}.not"))
    return _code_condition(value, source, rule_id, path)


def _recipients_condition(value: dict[str, Any], source: str, rule_id: str, path: str) -> CodeCondition:
    """`recipients: external` with optional counts: a readable name for recipients.external."""
    if value["recipients"] != "external" or set(value) - {"recipients", "min_count", "max_count"}:
        raise RuleError(
            source,
            rule_id,
            f"{path}.recipients",
            "expected 'recipients: external' with optional min_count / max_count",
        )
    rest = {k: v for k, v in value.items() if k != "recipients"}
    return _code_condition({"code": EXTERNAL, **rest}, source, rule_id, path)


def _code_condition(value: dict[str, Any], source: str, rule_id: str, path: str) -> CodeCondition:
    unknown = set(value) - _CODE_KEYS
    if unknown:
        raise RuleError(source, rule_id, f"{path}.{sorted(unknown)[0]}", "unknown key")
    code = value.get("code")
    if not isinstance(code, str) or not is_known_code(code):
        raise RuleError(source, rule_id, f"{path}.code", f"unknown finding code {code!r}")
    counts = {}
    for key in ("min_count", "max_count"):
        n = value.get(key)
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
            raise RuleError(source, rule_id, f"{path}.{key}", f"must be a whole number ≥ 0; got {n!r}")
        counts[key] = n
    where = value.get("where")
    if where is not None and where not in WHERE_KINDS:
        raise RuleError(
            source, rule_id, f"{path}.where", f"must be one of {', '.join(WHERE_KINDS)}; got {where!r}"
        )
    return CodeCondition(
        code=code,
        min_count=counts["min_count"] if counts["min_count"] is not None else 1,
        max_count=counts["max_count"],
        where=where,
        min_tally=_tallies(value.get("min_tally"), source, rule_id, path),
    )


def _tallies(value: Any, source: str, rule_id: str, path: str) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    ok = isinstance(value, dict) and all(
        k in TALLIES and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in value.items()
    )
    if not ok:
        raise RuleError(
            source,
            rule_id,
            f"{path}.min_tally",
            f"must map {', '.join(TALLIES)} to whole numbers; got {value!r}",
        )
    return tuple(sorted(value.items()))
