"""`misdelivery-guard check`: the pipeline without sending, for admins and scripts."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .support import MY_NUMBER_BODY, message


def run(*args, stdin: bytes | None = None, cwd=None):
    return subprocess.run([sys.executable, "-m", "proxy.cli", "check", *args], input=stdin,
                          capture_output=True, cwd=cwd, timeout=60)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text("organization: {internal_domains: [example.co.jp]}\n")
    return str(path)


def test_clean_message_passes_with_exit_0(tmp_path, config):
    eml = tmp_path / "clean.eml"
    eml.write_bytes(message())
    out = run(str(eml), "--config", config, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["verdict"] == "pass"
    assert set(report) >= {"verdict", "rules", "findings"}
    assert {"code": "recipients.external", "count": 1, "where": ["envelope"],
            "evidence": ["organisations=1", "client.example"]} in report["findings"]


def test_my_number_to_external_holds_with_exit_10(tmp_path, config):
    eml = tmp_path / "held.eml"
    eml.write_bytes(message("年末調整", MY_NUMBER_BODY))
    out = run(str(eml), "--config", config, "--json")
    assert out.returncode == 10
    report = json.loads(out.stdout)
    assert report["verdict"] == "hold"
    rule = next(r for r in report["rules"] if r["id"] == "sensitive-id-external")
    assert set(rule) >= {"id", "action", "mode", "reason"} and rule["mode"] == "enforce"
    assert "123456789018" not in out.stdout.decode()


def test_envelope_from_options_overrides_headers(tmp_path, config):
    eml = tmp_path / "held.eml"
    eml.write_bytes(message("年末調整", MY_NUMBER_BODY))
    out = run(str(eml), "--config", config, "--json", "--mail-from", "a@example.co.jp",
              "--rcpt", "b@example.co.jp", "--rcpt", "c@sub.example.co.jp")
    assert out.returncode == 0, "internal-only mail passes"
    assert not any(f["code"] == "recipients.external" for f in json.loads(out.stdout)["findings"])


def test_stdin_and_human_output(config):
    out = run("-", "--config", config, stdin=message("年末調整", MY_NUMBER_BODY))
    assert out.returncode == 10
    assert out.stdout.decode().startswith("verdict: hold")


def test_unreadable_file_is_exit_2_with_a_message(tmp_path, config):
    out = run(str(tmp_path / "missing.eml"), "--config", config)
    assert out.returncode == 2
    assert b"cannot read" in out.stderr and out.stdout == b""


def test_bad_config_is_exit_2_naming_the_key(tmp_path):
    bad = tmp_path / "guard.yaml"
    bad.write_text("smtp: {listn: 1}\n")
    eml = tmp_path / "m.eml"
    eml.write_bytes(message())
    out = run(str(eml), "--config", str(bad))
    assert out.returncode == 2
    assert b"unknown key smtp.listn" in out.stderr and str(bad).encode() in out.stderr


def test_usage_error_is_exit_2():
    out = run()
    assert out.returncode == 2
