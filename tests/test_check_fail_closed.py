"""Issue 12 (items 2-5) through `misdelivery-guard check`: a message that breaks part of the
extraction is held for an external recipient, by the My Number in a later part or by the
part that could not be read (rule unreadable-part)."""

from __future__ import annotations

import json

import pytest

from .test_check_cli import run
from .test_extract_fail_closed import (
    CSV_TEXT,
    LATER,
    MY_NUMBER,
    far_cell_workbook,
    multipart,
    mutated_xls,
    nested_multiparts,
)
from .test_message_mime import mail_with

pytestmark = pytest.mark.process


def check(tmp_path, config, raw: bytes) -> dict:
    eml = tmp_path / "m.eml"
    eml.write_bytes(raw)
    out = run(str(eml), "--config", config, "--json")
    assert out.returncode == 10, (out.returncode, out.stderr[-2000:])
    report = json.loads(out.stdout)
    assert report["verdict"] == "hold"
    return report


def rules(report: dict) -> set[str]:
    return {r["id"] for r in report["rules"]}


def test_raw_utf8_in_an_encoded_subject_still_finds_the_later_my_number(tmp_path, config):
    raw = multipart("Content-Type: text/plain\r\n\r\nhello", LATER, subject="=?UTF-8?Q?見積?=")
    assert rules(check(tmp_path, config, raw)) == {"sensitive-id-external"}


@pytest.mark.parametrize("charset", ["idna", "undefined"])
def test_a_codec_charset_part_still_finds_the_later_my_number(tmp_path, config, charset):
    first = f"Content-Type: text/plain; charset={charset}\r\n\r\ncafé"
    assert "sensitive-id-external" in rules(check(tmp_path, config, multipart(first, LATER)))


def test_deep_nesting_is_held_and_the_later_my_number_found(tmp_path, config):
    report = check(tmp_path, config, multipart(nested_multiparts(1000), LATER))
    assert rules(report) == {"sensitive-id-external", "unreadable-part"}


def test_message_partial_is_held_as_unread(tmp_path, config):
    raw = multipart("Content-Type: message/partial; id=x; number=2; total=2\r\n\r\nrest of it")
    report = check(tmp_path, config, raw)
    assert rules(report) == {"unreadable-part"}
    [finding] = [f for f in report["findings"] if f["code"] == "attachment.unscannable"]
    assert finding["where"] == ["part:1.1"]


def test_a_utf16_csv_without_bom_is_read(tmp_path, config):
    raw = mail_with(("顧客.csv", CSV_TEXT.encode("utf-16-le")), body="名簿です。")
    assert "sensitive-id-external" in rules(check(tmp_path, config, raw))


def test_a_far_cell_in_single_quotes_does_not_abort_check(tmp_path, config):
    package = far_cell_workbook("single-quotes")
    report = check(tmp_path, config, mail_with(("a.xlsx", package), body=MY_NUMBER))
    assert rules(report) == {"sensitive-id-external", "unreadable-part"}


def test_a_calamine_panic_does_not_end_check(tmp_path, config):
    report = check(tmp_path, config, mail_with(("a.xls", mutated_xls()), body=MY_NUMBER))
    assert rules(report) == {"sensitive-id-external", "unreadable-part"}


def test_a_list_after_the_old_text_budget_is_read_and_held_by_its_findings(tmp_path, config):
    # 3,000,001 characters of filler used up the old max_text_chars and the list after them
    # went unread; now every part is read and the list holds the message by what it carries.
    filler = ("あ" * 75 + "\n") * 40_000
    raw = mail_with(
        ("メモ.txt", filler.encode("utf-8")), ("顧客.csv", CSV_TEXT.encode("cp932")), body="資料です。"
    )
    report = check(tmp_path, config, raw)
    assert "unreadable-part" not in rules(report) and "sensitive-id-external" in rules(report)
    assert not [f for f in report["findings"] if f["code"] == "attachment.unscannable"]
