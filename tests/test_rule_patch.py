"""rules/patch.py: a rule's keys set in a rule file's text, the rest of the text (comments,
layout) unchanged, and the data always what the change asks for."""

from __future__ import annotations

import pytest
import yaml

from rules.patch import set_fields

CASES = [
    ("rules: []\n", "a", {"mode": "monitor"}, "rules:\n  - id: a\n    mode: monitor\n"),
    ("", "a", {"mode": "monitor"}, "rules:\n  - id: a\n    mode: monitor\n"),
    ("# mine\n", "a", {"enabled": False}, "# mine\nrules:\n  - id: a\n    enabled: false\n"),
    ("rules:\n", "a", {"mode": "monitor"}, "rules:\n  - id: a\n    mode: monitor\n"),
    (
        "dictionaries: []\n",
        "a",
        {"mode": "monitor"},
        "dictionaries: []\nrules:\n  - id: a\n    mode: monitor\n",
    ),
    (
        "rules:\n  # hi\n  - id: a  # the a\n    mode: monitor   # keep\n    action: delay\n    delay: 10m\n\n"
        "  # next\n  - id: b\n    enabled: false\n",
        "a",
        {"mode": "enforce", "action": "hold", "delay": None},
        "rules:\n  # hi\n  - id: a  # the a\n    mode: enforce   # keep\n    action: hold\n\n"
        "  # next\n  - id: b\n    enabled: false\n",
    ),
    (
        "rules:\n  - id: a\n    mode: monitor\n    delay: 5m\n  - id: b\n",
        "a",
        {"delay": None, "scope": {"senders": ["@x.example"]}},
        "rules:\n  - id: a\n    mode: monitor\n    scope: {senders: ['@x.example']}\n  - id: b\n",
    ),
    (
        "rules:\n  - {id: a, mode: monitor, delay: 5m}  # flow\n",
        "a",
        {"delay": None, "action": "hold"},
        "rules:\n  - {id: a, mode: monitor, action: hold}  # flow\n",
    ),
    (
        "rules: [{id: a, mode: monitor}]\n",
        "b",
        {"action": "hold"},
        "rules: [{id: a, mode: monitor}, {id: b, action: hold}]\n",
    ),
    (
        "rules:\n  - id: a\n    scope:\n      senders:\n        - a@b.example\n    mode: monitor\n",
        "a",
        {"scope": {"recipients": ["group:x"]}},
        "rules:\n  - id: a\n    scope: {recipients: ['group:x']}\n    mode: monitor\n",
    ),
    ("rules:\n- id: a\n  mode:\n", "a", {"mode": "monitor"}, "rules:\n- id: a\n  mode: monitor\n"),
]


@pytest.mark.parametrize(("text", "rule_id", "changes", "expected"), CASES)
def test_the_text_is_patched_where_the_keys_are(text, rule_id, changes, expected):
    assert set_fields(text, rule_id, changes) == expected


def test_a_layout_the_patch_cannot_keep_is_dumped_again_with_the_right_data():
    text = "base: &b {mode: monitor}\n"  # not a rule file's keys: dumped, never half-patched
    out = yaml.safe_load(
        set_fields("rules:\n  - &r {id: a, mode: monitor}\n  - *r\n", "a", {"mode": "enforce"})
    )
    assert out["rules"][0]["mode"] == "enforce"
    assert yaml.safe_load(set_fields(text, "a", {"mode": "enforce"}))["rules"] == [
        {"id": "a", "mode": "enforce"}
    ]
    with pytest.raises(ValueError):
        set_fields("- a\n- b\n", "a", {"mode": "enforce"})
