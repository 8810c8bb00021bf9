"""quarantine.remind_after / remind_every (issue 19): defaults, off, and errors naming the key."""

from __future__ import annotations

import pytest

from proxy.errors import ConfigError
from proxy.settings import load_settings


def _load(tmp_path, text: str):
    path = tmp_path / "guard.yaml"
    path.write_text(text, "utf-8")
    return load_settings(path, {})


def test_defaults_are_four_hours_then_daily(tmp_path):
    s = _load(tmp_path, "")
    assert (s.remind_after, s.remind_every) == (4 * 3600, 86400)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("quarantine: {remind_after: 30m, remind_every: 12h}", (1800, 43200)),
        ("quarantine: {remind_after: 1s}", (1, 86400)),
        ("quarantine: {remind_after: 0, remind_every: 0}", (0, 0)),
        ("quarantine: {remind_after: off, remind_every: 'off'}", (0, 0)),  # YAML's off is false
        ("quarantine: {remind_after: '0', remind_every: OFF}", (0, 0)),
    ],
)
def test_durations_and_off(tmp_path, text, expected):
    s = _load(tmp_path, text)
    assert (s.remind_after, s.remind_every) == expected


@pytest.mark.parametrize(
    "text, error",
    [
        ("quarantine: {remind_after: soon}", "quarantine.remind_after: expected a duration"),
        ("quarantine: {remind_after: -1h}", "quarantine.remind_after: expected a duration"),
        ("quarantine: {remind_after: true}", "quarantine.remind_after: must be a duration"),
        ("quarantine: {remind_every: [1d]}", "quarantine.remind_every: expected a duration"),
        ("quarantine: {remind_every: 1m}", "quarantine.remind_every: 60s is too often"),
        ("quarantine: {remind_evry: 1d}", "quarantine.remind_evry"),
    ],
)
def test_errors_name_the_key(tmp_path, text, error):
    with pytest.raises(ConfigError, match=error.replace(".", r"\.").replace("[", r"\[")):
        _load(tmp_path, text)
