"""Runs the labelled corpus through parse() and PersonalData and measures it (issue 4).

    .venv/bin/python tests/pii_corpus/evaluate.py     # prints the report

Counts are compared per message and type: min(found, expected) true positives, the excess
false positives, the shortfall false negatives. A carrier is evaluated only when
`inspectors.message.parse` yields its content (a text or a table whose `where` is the
attachment's); the others are reported as waiting for extraction, not scored.
"""
from __future__ import annotations

import datetime
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from inspectors.base import Envelope  # noqa: E402
from inspectors.message import parse  # noqa: E402
from inspectors.personal_data import PersonalData  # noqa: E402

TODAY = datetime.date(2024, 4, 1)
CHECKSUM_IDS = ("my_number", "credit_card", "corporate_number")
HOLD_TYPES = ("my_number", "credit_card", "bank_account", "passport", "drivers_license", "pension_number",
              "health_insurance", "residence_card")
CONTACT_TYPES = ("phone", "email_address", "address", "birth_date")


def holds(counts: dict, records: int) -> bool:
    return (any(counts.get(t, 0) > 0 for t in HOLD_TYPES) or records >= 10
            or any(counts.get(t, 0) >= 10 for t in CONTACT_TYPES))


@dataclass
class Result:
    label: dict
    readable: bool
    found: dict            # type -> count, "records" included
    findings: list = field(default_factory=list)


@dataclass
class Report:
    results: list[Result]

    def scored(self) -> list[Result]:
        return [r for r in self.results if r.readable]

    def per_type(self) -> dict[str, tuple[int, int, int]]:
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in self.scored():
            expect = r.label["expect"]
            for kind in set(expect) | {k for k in r.found if k != "records"}:
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

    def false_holds(self) -> list[Result]:
        return [r for r in self.clean() if holds(r.found, r.found.get("records", 0))]

    def lists(self) -> list[Result]:
        return [r for r in self.scored() if r.label["records"] >= 10]

    def lists_found(self) -> list[Result]:
        return [r for r in self.lists() if r.found.get("records", 0) >= 10]

    def order_numbers_as_my_numbers(self) -> list[Result]:
        return [r for r in self.scored() if r.label["note"] in ("hard:order_numbers", "clean:3", "clean:4")
                and r.found.get("my_number", 0)]

    def prose_name_recall(self) -> tuple[int, int]:
        rows = [r for r in self.scored() if r.label["carrier"] in ("plain", "html")
                and r.label["category"] == "clean" or r.label["note"].startswith("record:")
                and r.label["carrier"] in ("plain", "html")]
        want = sum(r.label["prose_names"] for r in rows)
        got = sum(min(r.label["prose_names"], r.found.get("person_name", 0)) for r in rows)
        return got, want


def run(corpus: Path = HERE) -> Report:
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    detector = PersonalData(today=TODAY)
    results = []
    for label in labels:
        raw = (corpus / "messages" / label["file"]).read_bytes()
        view = parse(raw, _envelope(raw))
        findings = list(detector.inspect(view))
        found = {f.code.removeprefix("pii."): f.count for f in findings}
        results.append(Result(label=label, readable=_readable(view, label), found=found, findings=findings))
    return Report(results)


def _envelope(raw: bytes) -> Envelope:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    fields = dict(line.split(": ", 1) for line in head.split("\r\n") if ": " in line)
    return Envelope(mail_from=parseaddr(fields.get("From", ""))[1], rcpt_tos=(parseaddr(fields.get("To", ""))[1],))


def _readable(view, label: dict) -> bool:
    name = label["attachment"]
    if not name:
        return True
    where = f"attachment:{name}"
    return any(c.where.startswith(where) for c in view.texts) or any(t.where.startswith(where) for t in view.tables)


def format_report(report: Report) -> str:
    lines = ["personal-data corpus (issue 4)", "",
             f"{'type':18} {'TP':>6} {'FP':>5} {'FN':>5} {'precision':>9} {'recall':>7}"]
    for kind, (tp, fp, fn) in report.per_type().items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"{kind:18} {tp:6d} {fp:5d} {fn:5d} {p:9.3f} {r:7.3f}")
    clean, false = report.clean(), report.false_holds()
    lines += ["", f"false holds: {len(false)} of {len(clean)} clean mails = {1000 * len(false) / max(1, len(clean)):.1f} per 1,000",
              f"lists of >=10 people found: {len(report.lists_found())} of {len(report.lists())}",
              f"labelled checksum IDs recall: {report.recall(CHECKSUM_IDS):.3f}",
              f"order numbers reported as My Numbers: {len(report.order_numbers_as_my_numbers())}",
              "prose person-name recall: {}/{}".format(*report.prose_name_recall()), "",
              f"{'carrier':11} {'messages':>8} {'status':22} {'TP':>6} {'FP':>5} {'FN':>5} {'holds right':>11}"]
    by_carrier: dict[str, list[Result]] = defaultdict(list)
    for r in report.results:
        by_carrier[r.label["carrier"]].append(r)
    for carrier, rows in by_carrier.items():
        readable = sum(r.readable for r in rows)
        status = "scored" if readable == len(rows) else "waits for extraction" if not readable else f"partly ({readable})"
        tp = fp = fn = 0
        for r in rows:
            for kind in set(r.label["expect"]) | {k for k in r.found if k != "records"}:
                want, got = r.label["expect"].get(kind, 0), r.found.get(kind, 0)
                tp, fp, fn = tp + min(want, got), fp + max(0, got - want), fn + max(0, want - got)
        right = sum(holds(r.found, r.found.get("records", 0)) == r.label["hold"] for r in rows)
        lines.append(f"{carrier:11} {len(rows):8d} {status:22} {tp:6d} {fp:5d} {fn:5d} {right:6d}/{len(rows)}")
    return "\n".join(lines)


if __name__ == "__main__":
    rep = run()
    print(format_report(rep))
    if "-v" in sys.argv:
        for r in rep.results:
            if r.readable and (Counter(r.label["expect"]) != Counter({k: v for k, v in r.found.items() if k != "records"})
                               or r.label["records"] != r.found.get("records", 0) and r.label["records"] >= 3):
                print(r.label["file"], r.label["note"], r.label["carrier"], "want", r.label["expect"], r.label["records"],
                      "got", r.found)
