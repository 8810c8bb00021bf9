"""Every error of one rule file's text at once, each with its line: for the console's editor.

The loader stops at the first error, which suits the guard's start and the CLI. A person
fixing a draft wants them all, so each rule and each dictionary is checked on its own, with
the loader's own functions (so the two can never disagree on what is valid), and a rule with a
bad key is checked again with that key put right, to find the next one. The line comes from
yaml.compose's node marks, walked along the error's field path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from inspectors.keyword_dictionary import KeywordDictionary

from .dictionaries import parse_dictionaries
from .errors import RuleError
from .loader import _LOADER, _parse_rule, refuse_aliases
from .model import Organization, Rule

MAX_PROBLEMS = 50
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
# A key put right so that the rest of the rule is checked: something the loader accepts.
_STAND_IN = {"when": {"code": "pii.phone"}, "delay": "10m"}


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One error: `path` is where in the file (rules[3].action), `detail` the loader's words."""

    line: int | None  # 1-based; None when the error is not at one place of the text
    path: str
    detail: str
    source: str
    rule_id: str | None = None

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        return f"{self.source}: {at}{self.path + ': ' if self.path else ''}{self.detail}"


def diagnose(
    text: str,
    source: str,
    known: Mapping[str, Rule],
    words: Mapping[str, KeywordDictionary],
    groups: Mapping[str, tuple[str, ...]],
    organization: Organization | None = None,
) -> list[Problem]:
    """The errors of `text` as the first local file over rules `known` and dictionaries `words`
    (the shipped ones); [] when each rule and dictionary is valid on its own."""
    try:
        refuse_aliases(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        said = " ".join(str(getattr(exc, "problem", "") or exc).split())
        return [
            Problem(
                line=mark.line + 1 if mark else None, path="", detail=f"not valid YAML: {said}", source=source
            )
        ]
    if not isinstance(doc, dict) or set(doc) - {"rules", "dictionaries"}:
        detail = "expected a mapping with the keys 'rules' and 'dictionaries'"
        return [Problem(line=_line(root, []), path="", detail=detail, source=source)]
    org = organization or Organization()
    problems = _rules(doc.get("rules") or [], _child(root, "rules"), source, known, groups, org)
    problems += _dictionaries(doc.get("dictionaries") or [], _child(root, "dictionaries"), source, words)
    return problems[:MAX_PROBLEMS]


_Known = Mapping[str, Rule]
_Groups = Mapping[str, tuple[str, ...]]


def _rules(
    items: Any, node: yaml.Node | None, source: str, known: _Known, groups: _Groups, org: Organization
) -> list[Problem]:
    if not isinstance(items, list):
        return [Problem(line=_line(node, []), path="rules", detail="must be a list", source=source)]
    problems, seen = [], set()
    for i, item in enumerate(items):
        at = _child(node, i)
        found, rule_id = _rule(item, source, known, groups, org)
        problems += [
            Problem(
                line=_line(at, _steps(f or "")),
                path=f"rules[{i}]" + (f".{f}" if f else ""),
                detail=d,
                source=source,
                rule_id=rule_id,
            )
            for f, d in found
        ]
        if rule_id is not None and rule_id in seen:
            problems.append(
                Problem(
                    line=_line(at, ["id"]),
                    path=f"rules[{i}].id",
                    detail="defined twice in this file",
                    source=source,
                    rule_id=rule_id,
                )
            )
        seen.add(rule_id)
    return problems


def _rule(
    item: Any, source: str, known: _Known, groups: _Groups, org: Organization
) -> tuple[list[tuple[str | None, str]], str | None]:
    """[(field, detail)] of one rule, and its id when it has a usable one."""
    if not isinstance(item, dict):
        return [(None, "each rule must be a mapping")], None
    work, found = dict(item), []
    rule_id = item.get("id") if isinstance(item.get("id"), str) else None
    for _ in range(len(item) + 2):
        try:
            _parse_rule(work, source, dict(known), groups, org)
            break
        except RuleError as exc:
            found.append((exc.field, exc.detail))
            top = _steps(exc.field or "")[:1]
            if not top or top[0] == "id" or not _put_right(work, str(top[0]), exc.detail):
                break
    return found, rule_id if not any(f == "id" for f, _ in found) else None


def _put_right(work: dict[str, Any], key: str, detail: str) -> bool:
    """Change `key` so that the loader accepts it; False when nothing changed."""
    before = dict(work)
    if key == "action":
        work["action"] = "delay" if "delay" in work else "hold"
    elif key == "delay" and detail.startswith("only goes with"):
        work.pop("delay", None)
    elif key in _STAND_IN:
        work[key] = _STAND_IN[key]
    else:
        work.pop(key, None)
    return work != before


def _dictionaries(
    items: Any, node: yaml.Node | None, source: str, words: Mapping[str, KeywordDictionary]
) -> list[Problem]:
    if not isinstance(items, list):
        return [Problem(line=_line(node, []), path="dictionaries", detail="must be a list", source=source)]
    problems = []
    for i, item in enumerate(items):
        try:
            parse_dictionaries([item], source, dict(words))
        except RuleError as exc:
            # the loader names a dictionary's keys by its id (dictionaries.<id>.words): kept, as
            # it is clearer than an index; the line is found by the place in the list
            rest = re.sub(r"^dictionaries(\.[a-z0-9_-]+|\[0\])\.?", "", exc.field or "")
            field = (exc.field or "dictionaries").replace("dictionaries[0]", f"dictionaries[{i}]")
            line = _line(_child(node, i), _steps(rest))
            problems.append(Problem(line=line, path=field, detail=exc.detail, source=source))
    return problems


def _steps(path: str) -> list[str | int]:
    return [int(n) if n else key for key, n in _STEP.findall(path)]


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        return next((v for k, v in node.value if getattr(k, "value", None) == step), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        child: yaml.Node = node.value[step]
        return child
    return None


def _line(node: yaml.Node | None, steps: list[str | int]) -> int | None:
    """The line of the deepest node along `steps` (a key's own line, where it has one)."""
    if node is None:
        return None
    line: int = node.start_mark.line
    for step in steps:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line, pair[1]
        else:
            child = _child(node, step)
            if child is None:
                break
            line, node = child.start_mark.line, child
    return line + 1
