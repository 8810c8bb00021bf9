"""The corpus report as text: per type, the headline numbers, per class and per carrier, and
every message whose findings or verdict differ from its labels (`evaluate.py -v`)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from policy import OWNERS

if TYPE_CHECKING:  # evaluate.py imports this module: no import at run time
    from evaluate import Report

CHECKSUM_IDS = ("my_number", "credit_card", "corporate_number")


def format_report(report: Report) -> str:
    lines = [
        "personal-data corpus (issues 4 and 14; holds by the default rules)",
        "",
        f"{'type':18} {'TP':>6} {'FP':>5} {'FN':>5} {'precision':>9} {'recall':>7}",
    ]
    for kind, (tp, fp, fn) in report.per_type().items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"{kind:18} {tp:6d} {fp:5d} {fn:5d} {p:9.3f} {r:7.3f}")
    ordinary, clean, false = report.ordinary(), report.clean(), report.false_holds()
    false_ordinary = [r for r in false if r.label["category"] == "clean"]
    incidents = report.incidents()
    lines += [
        "",
        f"false holds per 1,000 clean mails of ordinary business traffic: "
        f"{1000 * len(false_ordinary) / max(1, len(ordinary)):.1f} ({len(false_ordinary)} of {len(ordinary)})",
        f"false holds per 1,000 clean mails and hard negatives: {1000 * len(false) / max(1, len(clean)):.1f} "
        f"({len(false)} of {len(clean)})",
        f"recall on incidents (messages labelled hold): {report.hold_recall():.3f} "
        f"({sum(r.held for r in incidents)} of {len(incidents)})",
        f"lists of >=10 people found: {len(report.lists_found())} of {len(report.lists())}",
        f"labelled checksum IDs recall: {report.recall(CHECKSUM_IDS):.3f}",
        f"order numbers reported as My Numbers: {len(report.order_numbers_as_my_numbers())}",
        "prose person-name recall: {}/{}".format(*report.prose_name_recall()),
        "premises rows (pii.places) right: {}/{}".format(*report.places_found()),
        "owners' lists shown by the monitor rule personal-data-list-owner: {}/{}".format(
            *report.owner_lists_monitored()
        ),
        "",
        f"{'class':12} {'messages':>8} {'incidents':>9} {'held':>5} {'recall':>6} {'false holds':>11} "
        f"{'records+tallies right':>21} {'TP':>6} {'FP':>5} {'FN':>5}",
    ]
    for group in dict.fromkeys(r.label["class"] for r in report.results):
        rows = [r for r in report.results if r.label["class"] == group]
        incidents = [r for r in rows if r.label["hold"]]
        tp, fp, fn = _sums(rows)
        right, total = report.records_right(group)
        lines.append(
            f"{group:12} {len(rows):8d} {len(incidents):9d} {sum(r.held for r in incidents):5d} "
            f"{report.hold_recall(group):6.3f} {len(report.false_holds(group)):11d} {f'{right}/{total}':>21} "
            f"{tp:6d} {fp:5d} {fn:5d}"
        )
    lines += [
        "",
        f"{'carrier':12} {'messages':>8} {'status':22} {'TP':>6} {'FP':>5} {'FN':>5} {'holds right':>11}",
    ]
    by_carrier: dict[str, list] = defaultdict(list)
    for r in report.results:
        by_carrier[r.label["carrier"]].append(r)
    for carrier, rows in by_carrier.items():
        readable = sum(r.readable for r in rows)
        status = (
            "scored"
            if readable == len(rows)
            else "waits for extraction"
            if not readable
            else f"partly ({readable})"
        )
        tp, fp, fn = _sums(rows)
        right = sum(r.held == r.label["hold"] for r in rows)
        lines.append(
            f"{carrier:12} {len(rows):8d} {status:22} {tp:6d} {fp:5d} {fn:5d} {right:6d}/{len(rows)}"
        )
    return "\n".join(lines)


def _sums(rows: list) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for r in rows:
        for kind in r.compared():
            want, got = r.label["expect"].get(kind, 0), r.found.get(kind, 0)
            tp, fp, fn = tp + min(want, got), fp + max(0, got - want), fn + max(0, want - got)
    return tp, fp, fn


def misses(report: Report) -> list[str]:
    """Every scored message whose findings or verdict differ from its labels."""
    out = []
    for r in report.scored():
        counts = {k: r.found.get(k, 0) for k in r.compared()}
        want = {k: r.label["expect"].get(k, 0) for k in r.compared()}
        tally_wrong = r.label["records"] and (
            r.found.get("records", 0) != r.label["records"]
            or any(r.tally.get(k, 0) != r.label["tally"].get(k, 0) for k in OWNERS)
        )
        if (
            counts != want
            or r.held != r.label["hold"]
            or tally_wrong
            or r.found.get("places", 0) != r.label.get("places", 0)
        ):
            out.append(
                f"{r.label['file']} {r.label['class']} {r.label['note']} {r.label['carrier']} "
                f"want {dict(sorted((k, v) for k, v in want.items() if v))} records={r.label['records']} "
                f"{r.label['tally']} places={r.label.get('places', 0)} hold={r.label['hold']} | "
                f"got {dict(sorted((k, v) for k, v in counts.items() if v))} records={r.found.get('records', 0)} "
                f"{r.tally} places={r.found.get('places', 0)} held={r.held} {' '.join(r.monitored)}"
            )
    return out
