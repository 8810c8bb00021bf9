"""Writes the office corpus (issue 17): mail/*.eml and labels.yaml. Run from the repository root:

    .venv/bin/python -m tests.office_corpus.make

Mail of the evaluation set's fictional company (tests/eval_set/cast.py, fabric.py) in the shapes
Japanese offices send and the guard once misread: Outlook .msg attachments, form-style sheets,
tracked changes, sensitive categories and confidentiality marks, number-dense technical files,
our own details in English, two clients in one conversation, half-width kana. One module per
class; each registers positive, negative and near-miss cases. Deterministic.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# Importing a class module registers its cases (catalogue.case).
from . import (  # noqa: F401
    conversation,
    forms,
    kana,
    msg,
    own_details,
    revisions,
    sensitive,
    technical,
)
from .catalogue import CASES

HERE = Path(__file__).parent
CLASSES = ("msg", "forms", "revisions", "sensitive", "technical", "own_details", "conversation", "kana")


def main(root: Path = HERE) -> None:
    """Writes `root`/mail and `root`/labels.yaml (the test regenerates into a temporary root)."""
    out = root / "mail"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    labels = []
    # Numbered by class, then in the order each module registers its cases: the same numbers
    # (dates, boundaries, ids) whichever module a test session happened to import first.
    for n, c in enumerate(sorted(CASES, key=lambda c: c.cls), 1):
        (out / c.file).write_bytes(c.write(n))
        labels.append(
            {
                "file": c.file,
                "expected": c.expected,
                "class": c.cls,
                "kind": c.kind,
                "code": c.code,
                "why": c.why,
            }
        )
    header = (
        "# Labels of the office corpus, written by make.py (edit the class modules).\n"
        "# expected: hold | pass under the shipped rules and guard.yaml; kind: positive (code\n"
        "# reported) | negative | near_miss (code not reported).\n"
    )
    (root / "labels.yaml").write_text(
        header + yaml.safe_dump(labels, allow_unicode=True, sort_keys=False, width=200)
    )
    print(f"{len(labels)} messages in {len({c.cls for c in CASES})} classes")


if __name__ == "__main__":
    main()
