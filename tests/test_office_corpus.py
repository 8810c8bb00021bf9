"""The office corpus (issue 17): what Japanese offices send, one class per misreading the third
evaluation found, each with positive, negative and near-miss cases, run through
`misdelivery-guard check` once. Every case must be right: the corpus was written together with
the readers and detectors, so it is a regression gate, not a measure of quality (that is the
blind evaluation set's job, tests/test_eval_set.py).

Regenerate with `.venv/bin/python -m tests.office_corpus.make`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .cli import cli
from .office_corpus import make

# One worker computes the module's results once (make test runs --dist loadgroup).
pytestmark = [pytest.mark.process, pytest.mark.xdist_group("office_corpus")]

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "office_corpus"


@pytest.fixture(scope="module")
def labels() -> dict[str, dict]:
    return {row["file"]: row for row in yaml.safe_load((HERE / "labels.yaml").read_text()) or []}


@pytest.fixture(scope="module")
def results(labels) -> dict[str, dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's code, not the venv's install
    out = cli(
        "check",
        "--config",
        str(HERE / "guard.yaml"),
        "--json",
        str(HERE / "mail"),
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert out.returncode in (0, 10, 20), out.stderr.decode()[-2000:]
    lines = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
    found = {Path(r["file"]).name: r for r in lines}
    print("\n" + report(labels, found))
    return found


def reported(result: dict, code: str) -> bool:
    """`code` or one below it (`keyword.sensitive` covers `keyword.sensitive.health`)."""
    return any(f["code"] == code or f["code"].startswith(code + ".") for f in result.get("findings", []))


def held(result: dict) -> bool:
    return result.get("verdict") in ("hold", "reject")


def wrong(label: dict, result: dict) -> list[str]:
    problems = []
    if held(result) != (label["expected"] == "hold"):
        problems.append(f"expected {label['expected']}, got {result.get('verdict')}")
    if reported(result, label["code"]) != (label["kind"] == "positive"):
        problems.append(f"{label['code']} {'missing' if label['kind'] == 'positive' else 'reported'}")
    return problems


def report(labels: dict[str, dict], results: dict[str, dict]) -> str:
    right: Counter = Counter()
    total: Counter = Counter()
    lines = ["office corpus (class, kind: right/total)"]
    misses = []
    for file, label in labels.items():
        key = (label["class"], label["kind"])
        total[key] += 1
        problems = wrong(label, results[file])
        right[key] += not problems
        if problems:
            codes = sorted({f["code"] for f in results[file].get("findings", [])})
            misses.append(f"  {file}: {'; '.join(problems)}; findings {' '.join(codes) or '-'}")
    for key in sorted(total):
        lines.append(f"  {key[0]:14} {key[1]:10} {right[key]}/{total[key]}")
    passing = [f for f, lab in labels.items() if lab["expected"] == "pass"]
    false_holds = [f for f in passing if held(results[f])]
    lines.append(f"false holds: {len(false_holds)}/{len(passing)} mails that must pass")
    return "\n".join(lines + misses)


def test_the_corpus_is_what_the_generator_writes(tmp_path):
    make.main(tmp_path)
    written = {p.name: p.read_bytes() for p in (tmp_path / "mail").glob("*.eml")}
    committed = {p.name: p.read_bytes() for p in (HERE / "mail").glob("*.eml")}
    assert sorted(written) == sorted(committed)
    assert [name for name in written if written[name] != committed[name]] == []
    assert (tmp_path / "labels.yaml").read_text() == (HERE / "labels.yaml").read_text()


@pytest.mark.parametrize("cls", make.CLASSES)
def test_each_class_has_positive_negative_and_near_miss_cases(labels, cls):
    kinds = Counter(lab["kind"] for lab in labels.values() if lab["class"] == cls)
    assert kinds["positive"] >= 3 and kinds["negative"] >= 2 and kinds["near_miss"] >= 2, dict(kinds)


@pytest.mark.parametrize("cls", make.CLASSES)
def test_every_case_of_the_class_is_right(labels, results, cls):
    cases = {f: lab for f, lab in labels.items() if lab["class"] == cls}
    assert cases, f"no cases for {cls}"
    assert {f: wrong(lab, results[f]) for f, lab in cases.items() if wrong(lab, results[f])} == {}
