"""A draft of the local rules file: validated as the guard would load it, then written
atomically so the rule watcher never reads half a file.

Validation is the loader's own: `load_rules` over the defaults, the draft in place of the
local file and any later local files, exactly as the guard will load them.
Errors name the real file, the rule id and the field, never a temporary path. `check` lists
every error with its line (rules/diagnose.py) before the whole load catches what only the
combination of files breaks.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import yaml

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
    source = str(files[0])
    if len(text.encode("utf-8")) > MAX_DRAFT:
        return None, [
            Problem(line=None, path="", detail=f"larger than {MAX_DRAFT // 1024} KiB", source=source)
        ]
    named = {k: tuple(v) for k, v in groups.items()}
    shipped = load_rules([], named, organization)
    known = {r.id: r for r in shipped.rules}
    problems = diagnose(text, source, known, {d.id: d for d in shipped.dictionaries}, named, organization)
    if problems:
        return None, problems
    try:
        return validate(text, files, groups, organization), []
    except DraftError as exc:
        error = exc.__cause__ if isinstance(exc.__cause__, RuleError) else None
        if error is None:
            return None, [Problem(line=None, path="", detail=str(exc), source=source)]
        line, index = _place(text, error.rule_id) if error.source == source else (None, None)
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
    """The rule set the guard would run with `text` as the first local file."""
    if len(text.encode("utf-8")) > MAX_DRAFT:
        raise DraftError(f"{files[0]}: the draft is larger than {MAX_DRAFT // 1024} KiB")
    source = str(files[0])
    with tempfile.TemporaryDirectory(prefix="mdg-draft-") as tmp_dir:
        tmp = Path(tmp_dir) / files[0].name
        tmp.write_text(text, "utf-8")
        try:
            ruleset = load_rules([tmp, *files[1:]], groups, organization)
        except RuleError as exc:
            real = RuleError(exc.source.replace(str(tmp), source), exc.rule_id, exc.field, exc.detail)
            raise DraftError(str(real)) from real
    rules = tuple(replace(r, source=source) if r.source == str(tmp) else r for r in ruleset.rules)
    return replace(ruleset, rules=rules)


def read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        return ""


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, fsync, rename over it, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
