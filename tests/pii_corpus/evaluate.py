"""Runs the labelled corpus through parse(), PersonalData and the default rules and measures it
(issues 4 and 14).

    .venv/bin/python tests/pii_corpus/evaluate.py [-v]    # prints the report (-v: every miss)

Counts are compared per message and type: min(found, expected) true positives, the excess
false positives, the shortfall false negatives. A carrier is evaluated only when
`inspectors.message.parse` yields its content (a text or a table whose `where` is the
attachment's); the others are reported as waiting for extraction, not scored.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from policy import OWNERS, Policy  # noqa: E402
from summary import format_report, misses  # noqa: E402  (the test and __main__ print through these)

from inspectors.base import Envelope  # noqa: E402
from inspectors.message import parse  # noqa: E402

TODAY = datetime.date(2024, 4, 1)
# person_name is compared by count: a prose name's owner is rarely known, and the prose-name
# recall below predates the tallies.
CONTACT_TYPES = ("phone", "email_address", "address", "birth_date", "postal_code")
ISSUE14 = ("places", "owner", "zengin", "identifiers", "quoted")
NOT_TYPES = ("records", "places")


@dataclass
class Result:
    label: dict
    readable: bool
    found: dict  # type -> count ("third_parties" tally for contact types), "records" and "places" included
    findings: list = field(default_factory=list)
    held: bool = False  # the default personal-data rules hold it
    monitored: tuple = ()  # monitor-mode personal-data rules that matched
    tally: dict = field(default_factory=dict)  # pii.records' owner tallies

    def compared(self) -> set[str]:
        """The types compared for this message: labelled or found, not unscored."""
        kinds = set(self.label["expect"]) | {k for k in self.found if k not in NOT_TYPES}
        return kinds - set(self.label.get("unscored", ()))


@dataclass
class Report:
    results: list[Result]

    def scored(self) -> list[Result]:
        return [r for r in self.results if r.readable]

    def per_type(self) -> dict[str, tuple[int, int, int]]:
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in self.scored():
            expect = r.label["expect"]
            for kind in r.compared():
                want, got = expect.get(kind, 0), r.found.get(kind, 0)
                row = table[kind]
                row[0] += min(want, got)
                row[1] += max(0, got - want)
                row[2] += max(0, want - got)
        return {k: tuple(v) for k, v in sorted(table.items())}

    def recall(self, kinds) -> float:
        tp = sum(v[0] for k, v in self.per_type().items() if k in kinds)
        fn = sum(v[2] for k, v in self.per_type().items() if k in kinds)
        return tp / (tp + fn) if tp + fn else 1.0

    def clean(self) -> list[Result]:
        return [r for r in self.scored() if r.label["category"] in ("clean", "hard_negative")]

    def false_holds(self, group: str | None = None) -> list[Result]:
        return [
            r for r in self.clean() if r.held and not r.label["hold"] and group in (None, r.label["class"])
        ]

    def ordinary(self) -> list[Result]:
        """Ordinary business traffic: the clean mails (hard negatives are built to be hard)."""
        return [r for r in self.scored() if r.label["category"] == "clean"]

    def incidents(self, group: str | None = None) -> list[Result]:
        return [r for r in self.scored() if r.label["hold"] and group in (None, r.label["class"])]

    def hold_recall(self, group: str | None = None) -> float:
        rows = self.incidents(group)
        return sum(r.held for r in rows) / len(rows) if rows else 1.0

    def group(self, name: str) -> list[Result]:
        return [r for r in self.scored() if r.label["class"] == name]

    def type_recall(self, group: str, kind: str) -> float:
        rows = [r for r in self.group(group) if r.label["expect"].get(kind)]
        want = sum(r.label["expect"][kind] for r in rows)
        return sum(min(r.label["expect"][kind], r.found.get(kind, 0)) for r in rows) / want if want else 1.0

    def records_right(self, group: str) -> tuple[int, int]:
        """Messages of `group` with people whose pii.records count and owner tallies are the labels'."""
        rows = [r for r in self.group(group) if r.label["records"]]
        right = [
            r
            for r in rows
            if r.found.get("records", 0) == r.label["records"]
            and all(r.tally.get(k, 0) == r.label["tally"].get(k, 0) for k in OWNERS)
        ]
        return len(right), len(rows)

    def owner_lists_monitored(self) -> tuple[int, int]:
        """Owners' lists of 10+ (not held) that the monitor-mode owner rule still shows."""
        rows = [
            r
            for r in self.scored()
            if not r.label["hold"]
            and max(r.label["tally"].get("recipient_org", 0), r.label["tally"].get("own_org", 0)) >= 10
        ]
        return sum("personal-data-list-owner" in r.monitored for r in rows), len(rows)

    def places_found(self) -> tuple[int, int]:
        rows = [r for r in self.scored() if r.label.get("places")]
        return sum(r.found.get("places", 0) == r.label["places"] for r in rows), len(rows)

    def lists(self) -> list[Result]:
        return [r for r in self.scored() if r.label["records"] >= 10]

    def lists_found(self) -> list[Result]:
        return [r for r in self.lists() if r.found.get("records", 0) >= 10]

    def order_numbers_as_my_numbers(self) -> list[Result]:
        return [
            r
            for r in self.scored()
            if r.label["note"] in ("hard:order_numbers", "clean:3", "clean:4") and r.found.get("my_number", 0)
        ]

    def prose_name_recall(self) -> tuple[int, int]:
        rows = [
            r
            for r in self.scored()
            if (r.label["carrier"] in ("plain", "html") and r.label["category"] == "clean")
            or (r.label["note"].startswith("record:") and r.label["carrier"] in ("plain", "html"))
        ]
        want = sum(r.label["prose_names"] for r in rows)
        got = sum(min(r.label["prose_names"], r.found.get("person_name", 0)) for r in rows)
        return got, want


def run(corpus: Path = HERE) -> Report:
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    policy = Policy(TODAY)
    results = []
    for label in labels:
        raw = (corpus / "messages" / label["file"]).read_bytes()
        view = parse(raw, _envelope(raw))
        verdict = policy.verdict(view)
        found = {f.code.removeprefix("pii."): _measure(f) for f in verdict.findings}
        records = next((f for f in verdict.findings if f.code == "pii.records"), None)
        results.append(
            Result(
                label=label,
                readable=label.get("class") in ISSUE14 or _readable(view, label),
                found=found,
                findings=list(verdict.findings),
                held=verdict.held,
                monitored=verdict.monitored,
                tally=_tallies(records) if records else {},
            )
        )
    return Report(results)


def _tally(finding, name: str) -> int | None:
    for item in finding.evidence:
        if item.startswith(name + "=") and item[len(name) + 1 :].isdigit():
            return int(item[len(name) + 1 :])
    return None


def _measure(finding) -> int:
    """A contact finding's third parties when it states them, otherwise its count."""
    if finding.code.removeprefix("pii.") in CONTACT_TYPES:
        third = _tally(finding, "third_parties")
        return finding.count if third is None else third
    return finding.count


def _tallies(records) -> dict:
    """pii.records' owner tallies; a finding from before issue 14 states none: all third parties."""
    tally = {k: _tally(records, k) for k in OWNERS}
    if all(v is None for v in tally.values()):
        return {"third_parties": records.count}
    return {k: v or 0 for k, v in tally.items()}


def _envelope(raw: bytes) -> Envelope:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    fields = dict(line.split(": ", 1) for line in head.split("\r\n") if ": " in line)
    return Envelope(
        mail_from=parseaddr(fields.get("From", ""))[1], rcpt_tos=(parseaddr(fields.get("To", ""))[1],)
    )


def _readable(view, label: dict) -> bool:
    name = label["attachment"]
    if not name:
        return True
    where = f"attachment:{name}"
    return any(c.where.startswith(where) for c in view.texts) or any(
        t.where.startswith(where) for t in view.tables
    )


if __name__ == "__main__":
    rep = run()
    print(format_report(rep))
    if "-v" in sys.argv:
        print("\n".join(misses(rep)))
