"""The golden corpus (tests/corpus/, written by make_corpus.py): every default rule and every
benign case, through the same inspection and rules as `misdelivery-guard check`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from proxy.check import envelope_of, report
from proxy.pipeline import build_inspectors, inspect_raw, inspector_config
from proxy.settings import load_settings, rule_groups
from rules import load_rules

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def checker():
    settings = load_settings(CORPUS / "guard.yaml", {})
    inspectors = build_inspectors(inspector_config(settings))
    rules = load_rules(settings.rules, rule_groups(settings))

    def check(raw: bytes) -> dict:
        envelope = envelope_of(raw)
        return report(inspect_raw(raw, envelope, inspectors).findings, envelope, rules, False)

    return check


def test_every_default_rule_is_covered():
    covered = {r for case in EXPECTED.values() for r in case.get("rules", ())}
    # inspection-failed needs a failing inspector (test_durability); first-time-recipient needs
    # the relay's delivery history (test_recipients_relay).
    # Rules shipped disabled (unsupported-attachment) match nothing until enabled.
    shipped = {r.id for r in load_rules().rules if r.enabled} - {"inspection-failed", "first-time-recipient"}
    assert shipped - covered == set()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_message(name, checker):
    expect = EXPECTED[name]
    out = checker((CORPUS / f"{name}.eml").read_bytes())
    codes = {f["code"] for f in out["findings"]}
    assert out["verdict"] == expect["verdict"], out
    assert set(expect.get("rules", ())) <= {r["id"] for r in out["rules"]}, out["rules"]
    assert set(expect.get("codes", ())) <= codes
    assert not set(expect.get("not_codes", ())) & codes, out["findings"]
