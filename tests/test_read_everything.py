"""Issue 13, item 1: no silent budget. Every part of every message is read; a limit stops
only the part that reaches it (counted per top-level attachment), and whatever is not read is
a finding naming the part: held for external recipients when reading began and could not
finish (attachment.unscannable), passed as before when the format has no reader at all
(attachment.unsupported)."""

from __future__ import annotations

import datetime
from pathlib import Path

import httpx

from bench.data import catalogue_csv, customers_csv
from inspectors.base import Envelope, Finding
from inspectors.limits import Limits
from inspectors.personal_data import PersonalData
from proxy.check import report
from proxy.pipeline import InspectionTimeout, InspectorConfig, build_inspectors, inspect_raw
from rules import load_rules

from .support import notice_link, wait_until
from .test_message_mime import mail_with, zipped
from .test_relay_fail_closed import as_sent

ENV = Envelope(mail_from="taro@example.co.jp", rcpt_tos=("partner@client.example",))
PLAIN_DOC = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "corpus"
    / "attachments"
    / "msoffcrypto-tool"
    / "inputs"
    / "plain.doc"
)
LIST = "顧客リスト.csv"


def two_attachments() -> bytes:
    """Issue 13's first case, smaller: a catalogue of more characters than the old
    per-message budget (3,000,000), then a 12-person customer list."""
    return mail_with(
        ("商品カタログ.csv", catalogue_csv(3_100_000).encode()),
        (LIST, customers_csv(12, seed=14).encode()),
        body="資料をお送りします。",
    )


def limit_and_list() -> bytes:
    """A zip over the member limit (12 > 10), then a zip of 8 members with the customer list:
    with the old per-message count the second zip was left unread."""
    many = zipped(**{f"{i:02d}.txt": b"x" for i in range(12)})
    listed = zipped(**{f"{i:02d}.txt": b"y" for i in range(7)}, **{LIST: customers_csv(12, seed=14).encode()})
    return mail_with(("many.zip", many), ("顧客.zip", listed), body="資料をお送りします。")


def send(guard, raw: bytes) -> tuple[int, bytes]:
    return guard.submit(as_sent(raw))


def outcome(guard, code: int) -> str:
    """The guard's log line of the one message answered (codes and counts only)."""
    lines = wait_until(
        lambda: [ln for ln in guard.log.splitlines() if "findings=" in ln and f"reply={code}" in ln],
        "no outcome logged",
        timeout=10,
    )
    return lines[-1]


def by_code(findings) -> dict[str, Finding]:
    return {f.code: f for f in findings}


def test_the_list_after_a_large_catalogue_is_read_and_held(guard, upstream):
    code, text = send(guard, two_attachments())
    assert code == 250 and b"Held" in text
    line = outcome(guard, code)
    assert "pii.records:12" in line and "personal-data-list-external/enforce" in line
    assert "attachment.unscannable" not in line
    [notice] = upstream.recorder.wait_for(1)
    page = httpx.get(notice_link(notice)).text
    assert LIST in page


def test_the_list_after_a_large_catalogue_is_found_where_it_is():
    findings = by_code(inspect_raw(two_attachments(), ENV, [PersonalData()]).findings)
    assert "attachment.unscannable" not in findings
    records = findings["pii.records"]
    assert records.count == 12 and records.where == (f"attachment:{LIST}!A2:C13",)
    assert findings["pii.address"].count == 12
    assert all(w.startswith(f"attachment:{LIST}!") for f in findings.values() for w in f.where)


def test_a_part_over_a_limit_is_held_naming_it_and_the_next_is_read(guard_factory, upstream):
    guard = guard_factory(inspection={"limits": {"max_archive_members": 10}}).start()
    code, text = send(guard, limit_and_list())
    assert code == 250 and b"Held" in text
    line = outcome(guard, code)
    assert "attachment.unscannable:1" in line and "unreadable-part/enforce" in line
    assert "pii.records:12" in line and "personal-data-list-external/enforce" in line
    findings = by_code(
        inspect_raw(limit_and_list(), ENV, [PersonalData()], Limits(max_archive_members=10)).findings
    )
    unread = findings["attachment.unscannable"]
    assert unread.where == ("attachment:many.zip",) and unread.evidence == ("limit: archive members > 10",)
    assert findings["pii.records"].where == (f"attachment:顧客.zip!{LIST}!A2:C13",)


def test_an_unsupported_format_is_reported_and_not_held_by_default(guard, upstream):
    raw = mail_with(("議事録.doc", PLAIN_DOC.read_bytes()), body="議事録です。")
    code, text = send(guard, raw)
    assert code == 250 and b"Held" not in text
    line = outcome(guard, code)
    assert "attachment.unsupported:1" in line and "attachment.unscannable" not in line
    assert upstream.recorder.wait_for(1)[0].rcpt_tos == ["partner@client.example"]
    [unsupported] = [f for f in inspect_raw(raw, ENV, []).findings if f.code == "attachment.unsupported"]
    assert unsupported.where == ("attachment:議事録.doc",)
    assert unsupported.evidence == ("unsupported format: Word 97-2003 document",)


class _Breaks:
    """A content inspector whose reader fails on the first table it is given."""

    name = "breaks"

    def reader(self, message):
        return self

    def text(self, chunk):
        pass

    def table(self, table):
        raise ValueError("detector bug")

    def findings(self, message):
        return []

    def inspect(self, message):
        raise AssertionError("a content inspector is fed, not asked to inspect")


def test_an_error_in_one_reader_is_its_inspector_error_and_the_others_read_on():
    findings = inspect_raw(
        two_attachments(), ENV, [_Breaks(), PersonalData(today=datetime.date(2026, 1, 1))]
    ).findings
    codes = by_code(findings)
    assert codes["inspector.error"].where == ("inspector:breaks",)
    assert codes["inspector.error"].evidence == ("ValueError",)
    assert "attachment.unscannable" not in codes, "a detector's error is not a damaged attachment"
    assert codes["pii.records"].count == 12


def test_a_local_rule_can_hold_unsupported_formats(tmp_path):
    local = tmp_path / "local.yaml"
    local.write_text("rules:\n  - {id: unsupported-attachment, enabled: true}\n", "utf-8")
    raw = mail_with(("議事録.doc", PLAIN_DOC.read_bytes()), body="議事録です。")
    findings = inspect_raw(
        raw, ENV, build_inspectors(InspectorConfig(internal_domains=("example.co.jp",)))
    ).findings
    assert report(findings, ENV, load_rules(), False)["verdict"] == "pass"
    held = report(findings, ENV, load_rules([local]), False)
    assert held["verdict"] == "hold" and [r["id"] for r in held["rules"]] == ["unsupported-attachment"]


class _OutOfMemory(_Breaks):
    name = "out_of_memory"

    def table(self, table):
        raise MemoryError()


def test_memory_error_in_a_reader_fails_the_whole_inspection_closed_as_before():
    # Not one reader's problem: the worker's memory limit was reached, and the inspection as a
    # whole ends in an inspector.error naming the reader that was running.
    findings = inspect_raw(two_attachments(), ENV, [PersonalData(), _OutOfMemory()]).findings
    [error] = [f for f in findings if f.code == "inspector.error"]
    assert error.where == ("inspector:out_of_memory",) and error.evidence == ("MemoryError",)
    assert not [f for f in findings if f.code.startswith("attachment.")]


class _SlowReader(_Breaks):
    name = "slow"

    def table(self, table):
        if "顧客リスト" in table.where:
            raise InspectionTimeout()  # what the worker's alarm raises into whatever runs


def test_a_timeout_while_reading_keeps_what_the_readers_had_found():
    findings = by_code(inspect_raw(two_attachments(), ENV, [PersonalData(), _SlowReader()]).findings)
    assert findings["inspector.error"].where == ("inspector:slow",)
    assert findings["inspector.error"].evidence == ("timeout",)
    assert findings["pii.records"].count == 12, "the list was read before the time ran out"
