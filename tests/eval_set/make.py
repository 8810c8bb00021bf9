"""Writes the evaluation set: mail/*.eml and labels.yaml. Run from the repository root:

    .venv/bin/python -m tests.eval_set.make

Deterministic (fixed seeds, dates, boundaries and zip times) except the two encrypted zips,
whose ZipCrypto headers are random. The company is fictional: 鳴海テクノサービス株式会社
(narumi-ts.co.jp), facility and IT maintenance in Nagoya, writing to its clients (guard.yaml)
and partners. ordinary.py holds the mail that must pass, incidents.py the mail that must be
held; every message is written by its own function, so they differ as real mail does.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from . import incidents, ordinary  # noqa: F401 (importing them registers their cases)
from .catalogue import CASES

HERE = Path(__file__).parent


def main() -> None:
    out = HERE / "mail"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    labels = []
    for n, (file, verdict, cls, why, fn) in enumerate(CASES, 1):
        (out / file).write_bytes(fn(n))
        labels.append({"file": file, "expected": verdict, "class": cls, "why": why})
    header = (
        "# Labels of the evaluation set, written by make.py (edit there).\n"
        "# expected: hold | pass under the shipped rules and guard.yaml; class groups similar cases.\n"
    )
    (HERE / "labels.yaml").write_text(
        header + yaml.safe_dump(labels, allow_unicode=True, sort_keys=False, width=200)
    )
    print(
        f"{len(labels)} messages: {sum(case['expected'] == 'pass' for case in labels)} pass, "
        f"{sum(case['expected'] == 'hold' for case in labels)} hold"
    )


if __name__ == "__main__":
    main()
