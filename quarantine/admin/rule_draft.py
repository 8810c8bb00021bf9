"""A draft of the console's rules layer (kept in the database, quarantine/rule_versions.py),
validated as the guard would load it: `load_rules` over the defaults and every file under
`rules:`, the draft on top, exactly as every instance will load it.
Errors name the console layer (or the file, when a file is what the draft breaks), the rule id
and the field. `check` lists every error with its line (rules/diagnose.py) before the whole
load catches what only the combination breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from rules.book import CONSOLE
from rules.diagnose import Problem, diagnose
from rules.errors import RuleError
from rules.loader import load_rules
from rules.model import Organization, RuleSet

from ..errors import QuarantineError

MAX_DRAFT = 1024 * 1024


class DraftError(QuarantineError, ValueError):
    """The draft would not load; the message names the file, rule and field."""


def normalise(text: str) -> str:
    """Browsers send a textarea with CRLF line ends; the file gets LF and a final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") or not text else text + "\n"


def check(
    text: str,
    files: tuple[Path, ...],
    groups: Mapping[str, Iterable[str]],
    organization: Organization | None = None,
) -> tuple[RuleSet | None, list[Problem]]:
    """(the rule set, []) for a good draft; (None, every error found) for a bad one."""
    if len(text.encode("utf-8")) > MAX_DRAFT:
        return None, [
            Problem(line=None, path="", detail=f"larger than {MAX_DRAFT // 1024} KiB", source=CONSOLE)
        ]
    named = {k: tuple(v) for k, v in groups.items()}
    try:  # the draft overrides what the files define as it overrides the shipped rules
        base = load_rules(files, named, organization)
    except RuleError:  # a file broken on disk: the full load below names it
        base = load_rules([], named, organization)
    known = {r.id: r for r in base.rules}
    problems = diagnose(text, CONSOLE, known, {d.id: d for d in base.dictionaries}, named, organization)
    if problems:
        return None, problems
    try:
        return validate(text, files, groups, organization), []
    except DraftError as exc:
        error = exc.__cause__ if isinstance(exc.__cause__, RuleError) else None
        if error is None:
            return None, [Problem(line=None, path="", detail=str(exc), source=CONSOLE)]
        line, index = _place(text, error.rule_id) if error.source == CONSOLE else (None, None)
        path = f"rules[{index}]" if index is not None else error.rule_id or ""
        path = f"{path}.{error.field}" if path and error.field else path or error.field or ""
        return None, [
            Problem(line=line, path=path, detail=error.detail, source=error.source, rule_id=error.rule_id)
        ]


def _place(text: str, rule_id: str | None) -> tuple[int | None, int | None]:
    """(line, index) of the rule `rule_id` in a draft that parses (diagnose found nothing)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    rules = next((v for k, v in getattr(root, "value", []) if k.value == "rules"), None)
    for i, item in enumerate(getattr(rules, "value", [])):
        if isinstance(item, yaml.MappingNode) and any(
            k.value == "id" and getattr(v, "value", None) == rule_id for k, v in item.value
        ):
            return item.start_mark.line + 1, i
    return None, None


def validate(
    text: str,
    files: tuple[Path, ...],
    groups: Mapping[str, Iterable[str]],
    organization: Organization | None = None,
) -> RuleSet:
    """The rule set the guard would run with `text` as the console's layer."""
    if len(text.encode("utf-8")) > MAX_DRAFT:
        raise DraftError(f"{CONSOLE}: the draft is larger than {MAX_DRAFT // 1024} KiB")
    texts = ((CONSOLE, text),) if text.strip() else ()
    try:
        return load_rules(files, groups, organization, texts)
    except RuleError as exc:
        raise DraftError(str(exc)) from exc
