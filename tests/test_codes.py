"""The finding code registry (inspectors.codes): every code an inspector can emit is in it, with
a Japanese and an English label, and the rules and the sender's pages read it.

The emitted codes are found two ways, neither a hand-written list: by reading the inspectors'
sources for what they pass as a finding's or a problem's code, and by running the inspectors
over the golden corpus."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from inspectors.codes import CODES, KEYWORD, PII_VALUE_KINDS, lookup
from proxy.check import envelope_of
from proxy.pipeline import build_inspectors, inspect_raw, inspector_config
from proxy.settings import load_settings
from quarantine.i18n import code_label
from rules.codes import KNOWN_CODES, is_known_code

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "corpus"
# The inspectors, and the pipeline that turns a crashed inspector into inspector.error.
SOURCES = sorted((ROOT / "inspectors").rglob("*.py")) + [ROOT / "proxy" / "pipeline.py"]


def _code_expressions(tree: ast.AST) -> Iterator[ast.expr]:
    """What the source passes as a code: `code=` of any call (Finding, Problem), a class's
    `code = ...` (the extraction errors) and the first argument of `.problem(...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield from (k.value for k in node.keywords if k.arg == "code")
            if isinstance(node.func, ast.Attribute) and node.func.attr == "problem" and node.args:
                yield node.args[0]
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "code" for t in item.targets
                ):
                    yield item.value


def _module_of(path: Path) -> ModuleType:
    return importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


def _emitted_in_sources() -> tuple[set[str], set[str]]:
    """(codes, f-string prefixes) the sources emit; a local variable or another object's
    attribute (`exc.code`) is skipped: its value is one of the codes found at its origin."""
    codes: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCES:
        module = _module_of(path)
        for expr in _code_expressions(ast.parse(path.read_text("utf-8"))):
            if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                codes.add(expr.value)
            elif isinstance(expr, ast.Name) and isinstance(getattr(module, expr.id, None), str):
                codes.add(getattr(module, expr.id))
            elif isinstance(expr, ast.JoinedStr) and isinstance(expr.values[0], ast.Constant):
                prefixes.add(str(expr.values[0].value))
    return codes, prefixes


def _labelled(code: str) -> bool:
    entry = lookup(code)
    return entry is not None and bool(entry.ja.strip()) and bool(entry.en.strip())


def test_every_code_in_the_inspectors_sources_is_registered_with_both_labels() -> None:
    codes, prefixes = _emitted_in_sources()
    # The scan sees the codes each family of inspector emits (it would find nothing if it broke).
    assert {"pii.records", "recipients.external", "client.mismatch", "attachment.unscannable"} <= codes
    assert {"attachment.encrypted", "attachment.unsupported", "inspector.error"} <= codes
    assert prefixes == {"pii."}
    assert [c for c in sorted(codes) if not _labelled(c)] == []
    # pii.<kind>: the ledger names the kinds it counts from the registry.
    assert all(_labelled(f"pii.{kind}") for kind in PII_VALUE_KINDS)


@pytest.fixture(scope="module")
def corpus_codes() -> set[str]:
    settings = load_settings(CORPUS / "guard.yaml", {})
    inspectors = build_inspectors(inspector_config(settings))
    found: set[str] = set()
    for path in sorted(CORPUS.glob("*.eml")):
        raw = path.read_bytes()
        found.update(f.code for f in inspect_raw(raw, envelope_of(raw), inspectors).findings)
    return found


def test_every_code_the_inspectors_emit_on_the_golden_corpus_is_registered_with_both_labels(
    corpus_codes: set[str],
) -> None:
    assert len(corpus_codes) >= 10  # the corpus exercises most inspectors
    assert [c for c in sorted(corpus_codes) if not _labelled(c)] == []


def test_every_registered_code_is_dotted_and_has_distinct_labels() -> None:
    for code, entry in CODES.items():
        assert code == entry.code and entry.area and entry.kind
        assert entry.ja and entry.en and entry.ja != entry.en


def test_keyword_codes_are_open_by_prefix() -> None:
    assert _labelled(f"{KEYWORD}project-x") and is_known_code(f"{KEYWORD}project-x")
    assert lookup("future.thing") is None and not is_known_code("future.thing")


def test_the_rules_and_the_pages_read_the_registry() -> None:
    assert set(CODES) == KNOWN_CODES
    for code, entry in CODES.items():
        assert (code_label(code, "ja"), code_label(code, "en")) == (entry.ja, entry.en)
    assert code_label("future.thing", "en") == "needs checking"
    assert code_label(f"{KEYWORD}project-x", "ja") == "注意が必要な語"
