"""The blind evaluation set (issue 14): realistic mail of one fictional company, labelled by
hand, run through `misdelivery-guard check` once, measured as an outside evaluator would.

It prints false holds per 1,000 clean mails, recall on incidents, both per class, and every
wrong verdict with the rules that fired and the findings' codes, counts and tallies. The gates
are what the product must reach; they are meant to fail until it does.

Regenerate the messages with `.venv/bin/python -m tests.eval_set.make` (deterministic but for
the two encrypted zips, whose ZipCrypto headers are random).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .cli import cli

# One worker computes the module's results once (make test runs --dist loadgroup).
pytestmark = [pytest.mark.process, pytest.mark.xdist_group("eval_set")]

FALSE_HOLDS_MAX = 1  # of the ~40 ordinary business mails: at most one held
RECALL_MIN = 0.95  # share of incidents held

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "eval_set"
MAIL = HERE / "mail"


def load_labels() -> dict[str, dict]:
    return {row["file"]: row for row in yaml.safe_load((HERE / "labels.yaml").read_text())}


@pytest.fixture(scope="module")
def labels() -> dict[str, dict]:
    return load_labels()


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    # This worktree's code, not whatever an editable install of the venv points at.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = cli(
        "check", "--config", str(HERE / "guard.yaml"), "--json", str(MAIL), cwd=ROOT, env=env, timeout=600
    )
    assert out.returncode in (0, 10, 20), out.stderr.decode()[-2000:]
    lines = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
    return {Path(r["file"]).name: r for r in lines}


def held(result: dict) -> bool:
    return result.get("verdict") in ("hold", "reject")


def tallies(finding: dict) -> str:
    """Codes, counts and the evidence items that are tallies (name=N): never samples."""
    counts = [e for e in finding["evidence"] if "=" in e and e.split("=", 1)[1].isdigit()]
    return f"{finding['code']}={finding['count']}" + (f"[{','.join(counts)}]" if counts else "")


def report(labels: dict[str, dict], results: dict[str, dict]) -> dict:
    clean = [f for f, lab in labels.items() if lab["expected"] == "pass"]
    incidents = [f for f, lab in labels.items() if lab["expected"] == "hold"]
    false_holds = [f for f in clean if held(results[f])]
    missed = [f for f in incidents if not held(results[f])]
    lines = [
        f"evaluation set: {len(clean)} clean mails, {len(incidents)} incidents",
        f"false holds: {len(false_holds)}/{len(clean)} = "
        f"{1000 * len(false_holds) / len(clean):.0f} per 1,000 clean mails",
        f"recall: {len(incidents) - len(missed)}/{len(incidents)} = "
        f"{(len(incidents) - len(missed)) / len(incidents):.3f}",
        "",
        "per class (wrong/total):",
    ]
    total, wrong = Counter(), Counter()
    for f, lab in labels.items():
        key = (lab["expected"], lab["class"])
        total[key] += 1
        wrong[key] += f in false_holds or f in missed
    for key in sorted(total):
        lines.append(f"  {key[0]:4} {key[1]:32} {wrong[key]}/{total[key]}")
    owner = [f for f in clean if labels[f]["class"].startswith("owner-data")]
    seen = [f for f in owner if any(x["mode"] == "monitor" for x in results[f].get("rules", []))]
    lines.append(
        f"\ndata going back to its owner: {len(owner)} clean mails, {len(seen)} recorded by a "
        f"monitor-mode rule (the issue wants them visible, not held)"
    )
    lines += ["", "wrong verdicts (file, class, expected, got, rules that fired, findings):"]
    for f in false_holds + missed:
        r, lab = results[f], labels[f]
        fired = [f"{x['id']}({x['mode']})" for x in r.get("rules", [])] or ["-"]
        found = [tallies(x) for x in r.get("findings", []) if x["code"] != "recipients.external"]
        lines.append(
            f"  {f}  {lab['class']}  expected={lab['expected']} got={r.get('verdict')}"
            f"  rules={' '.join(fired)}  findings={' '.join(found) or '-'}"
        )
    text = "\n".join(lines)
    print("\n" + text)
    return {
        "false_holds": false_holds,
        "missed": missed,
        "clean": clean,
        "incidents": incidents,
        "text": text,
    }


def test_labels_cover_every_message_once(labels):
    files = sorted(p.name for p in MAIL.glob("*.eml"))
    assert files == sorted(labels), "labels.yaml and mail/ disagree"
    assert {lab["expected"] for lab in labels.values()} == {"hold", "pass"}
    assert all(lab["class"] and lab["why"] for lab in labels.values())
    counts = Counter(lab["expected"] for lab in labels.values())
    assert counts["pass"] >= 40 and counts["hold"] >= 40, counts


def test_every_message_gets_a_verdict(labels, results):
    assert sorted(results) == sorted(labels)
    errors = {f: r.get("error") for f, r in results.items() if "verdict" not in r}
    assert not errors, errors


@pytest.fixture(scope="module")
def measured(labels, results) -> dict:
    return report(labels, results)


def test_false_holds_gate(measured):
    assert len(measured["false_holds"]) <= FALSE_HOLDS_MAX, measured["text"]


def test_recall_gate(measured):
    recall = 1 - len(measured["missed"]) / len(measured["incidents"])
    assert recall >= RECALL_MIN, measured["text"]


def test_the_numbers_in_the_set_are_what_their_labels_say():
    """The generator's check digits against published examples, so that an incident is not
    missed because the set got an algorithm wrong (and a near miss is truly a miss)."""
    from tests.eval_set.fabric import hankaku, licence, luhn, my_number, resident_code

    assert my_number("12345678901") == "123456789018"  # the README's example
    assert licence("45", "98", "033587")[:11] == "45980335872"  # 174 mod 11 = 9 → 11-9 = 2
    assert luhn("411111111111111") == "4111111111111111"
    assert resident_code("1049283717")[-1] == "8"
    with pytest.raises(AssertionError):
        resident_code("1049283716")  # remainder 1: sources disagree, not used
    assert hankaku("ジュウロク") == "ｼﾞﾕｳﾛｸ"  # small kana become full size in Zengin


def test_internal_only_mail_is_never_held(labels, results):
    """The shipped rules all need an external recipient: a hold here would be a bug, not policy."""
    internal = [f for f, lab in labels.items() if lab["class"] == "internal-only"]
    assert internal and not [f for f in internal if held(results[f])]
