"""Writes the labelled personal-data corpus: `messages/*.eml` and `labels.json` (issue 4).

    .venv/bin/python tests/pii_corpus/generate.py

Seeded and byte-for-byte reproducible; the output is committed (frozen) and the quality test
(`tests/test_personal_data_quality.py`) reads it. Labels are counts, never values: per type,
the number of distinct values the detector should report under the policy documented in
`inspectors/personal_data.py`, the people in lists, and whether the default policy of issue 6
should hold the message.

Issue 14 adds, from a stream of its own (the older messages keep their draws): `class` (places,
owner, zengin, identifiers, quoted; the older ones are named after their recipe), `tally`
(whose the `records` are: third_parties, recipient_org, own_org), `places` (rows about
premises), `unscored` (types not compared), and `hold` set by the recipe where the owner of the
data decides it. For contact types, `expect` counts third parties' values.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE)]  # the repository root for tests.names

import carriers  # noqa: E402
import identifiers  # noqa: E402
import owners  # noqa: E402
import premises  # noqa: E402
import quotes  # noqa: E402
import recipes  # noqa: E402
import transfers  # noqa: E402
from fakes import Fake  # noqa: E402
from mails import Spec  # noqa: E402

SEED = 20240401
HOLD_TYPES = (*recipes.PERSONAL_IDS, "resident_code")
CONTACT_TYPES = ("phone", "email_address", "address", "birth_date")
BODY_CARRIERS = ("plain", "html")


def should_hold(expect: dict, records: int) -> bool:
    """The default policy of issue 6, on labels or on findings alike."""
    return (
        any(expect.get(t, 0) > 0 for t in HOLD_TYPES)
        or records >= 10
        or any(expect.get(t, 0) >= 10 for t in CONTACT_TYPES)
    )


def plan(f: Fake) -> list[Spec]:
    specs: list[Spec] = []
    for n in range(1000):
        spec = recipes.clean(f, n)
        if f.r.random() < 0.25:
            spec.carrier, spec.html, spec.body = "html", True, recipes._html(spec.body, [], "")
        elif f.r.random() < 0.2:
            spec.charset = "iso-2022-jp"
        specs.append(spec)
    for n in range(240):
        specs.append(
            recipes.hard_negative(
                f,
                n,
                ("plain", "html", "csv_cp932", "csv_utf8", "xlsx_row1", "xlsx_row3", "docx", "pdf")[
                    n // 6 % 8
                ],
            )
        )
    for carrier in BODY_CARRIERS + recipes.ATTACHED:
        for n in range(14):
            specs.append(
                recipes.people_list(f, n, carrier, f.r.randint(10, 40) if n < 12 else f.r.randint(3, 8))
            )
    for carrier in ("plain", "html", "csv_cp932", "csv_utf8", "xlsx_row1", "docx", "pdf"):
        for n in range(27):
            specs.append(recipes.id_mail(f, n, carrier))
    for n in range(10):
        specs.append(recipes.forwarded_list(f, n, f.r.randint(10, 30)))
    return specs + plan_issue14(Fake(random.Random(SEED + 14)))


def plan_issue14(f: Fake) -> list[Spec]:
    """The classes of issue 14, from their own seeded stream (the older messages stay as they were)."""
    specs: list[Spec] = []
    for carrier in premises.CARRIERS:
        specs += [premises.hard_negative(f, n, carrier) for n in range(8)]
        specs += [premises.near_miss(f, n, carrier) for n in range(6)]
    for carrier in owners.CARRIERS:
        specs += [owners.hard_negative(f, n, carrier) for n in range(4)]
        specs += [owners.positive(f, n, carrier) for n in range(4)]
    specs += [transfers.positive(f, n) for n in range(32)]
    specs += [transfers.hard_negative(f, n) for n in range(12)]
    specs += [transfers.pasted(f, n) for n in range(4)]
    for carrier in identifiers.CARRIERS:
        for _ in range(3):
            specs += [identifiers.mail(f, kind, carrier) for kind in identifiers.POSITIVE]
        specs += [identifiers.mail(f, kind, carrier) for kind in identifiers.NEGATIVE]
    specs += [quotes.positive(f, n) for n in range(20)]
    specs += [quotes.hard_negative(f, n) for n in range(6)]
    return specs


def label(n: int, spec: Spec) -> dict:
    expect = {k: v for k, v in spec.expect.items() if v}
    expect["person_name"] = expect.get("person_name", 0) + spec.prose_names
    hold = should_hold(expect, spec.records) if spec.hold is None else spec.hold
    return {
        "file": f"{n:05d}.eml",
        "category": spec.category,
        "class": spec.group or _group(spec),
        "carrier": spec.carrier,
        "attachment": spec.attachments[0][0] if spec.attachments else None,
        "note": spec.note,
        "expect": dict(sorted(expect.items())),
        "records": spec.records,
        "tally": spec.tally or ({"third_parties": spec.records} if spec.records else {}),
        "places": spec.places,
        "unscored": list(spec.unscored),
        "prose_names": spec.prose_names,
        "hold": hold,
    }


def _group(spec: Spec) -> str:
    """The class of a message written before issue 14, from its note."""
    if spec.category in ("clean", "hard_negative"):
        return spec.category
    return {"list": "people_list", "record": "id_record", "forwarded_list": "forwarded"}[
        spec.note.split(":")[0]
    ]


def main(root: Path = HERE) -> None:
    """Writes root/messages/*.eml and root/labels.json (the committed corpus when root is HERE)."""
    f = Fake(random.Random(SEED))
    out = root / "messages"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    labels = []
    for n, spec in enumerate(plan(f), 1):
        raw = carriers.eml(
            n,
            spec.sender,
            spec.to,
            spec.subject,
            spec.body,
            html=spec.html,
            attachments=spec.attachments,
            charset=spec.charset,
        )
        (out / f"{n:05d}.eml").write_bytes(raw)
        labels.append(label(n, spec))
    (root / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"{len(labels)} messages, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
