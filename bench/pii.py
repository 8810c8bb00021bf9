"""Personal-data scan throughput (issue 4): 10 MB of mixed Japanese business text.

    .venv/bin/python bench/pii.py            # prints the figures, writes bench/results/pii.json

The text is the corpus generator's mail (tests/pii_corpus, fixed seed): ordinary business
mail with signatures and quoted threads, one mail in ten carrying personal data (single
records, customer lists). It is measured three ways, best of five interleaved runs each:

- baseline: the same candidate and context patterns as ONE Python `re` alternation, run with
  finditer over NFKC-normalised text (what a straightforward implementation does);
- scan: `inspectors.pii.scanner.Scanner.scan` on each mail: UTF-8 encoding, the RE2 candidate
  scan and the validation of every candidate (the hot path);
- inspect: `PersonalData().inspect` on one MessageView per mail: everything, including tables,
  signature and quote layout, lists of people and the findings.
"""

from __future__ import annotations

import datetime
import json
import platform
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "pii_corpus")]

import recipes  # noqa: E402
from fakes import Fake  # noqa: E402

from bench import data  # noqa: E402
from inspectors.base import Envelope  # noqa: E402
from inspectors.message import MessageView, TextChunk  # noqa: E402
from inspectors.personal_data import PersonalData  # noqa: E402
from inspectors.pii import scanner as scanner_module  # noqa: E402
from inspectors.pii.scanner import Scanner  # noqa: E402

TARGET_BYTES = 10_000_000
RUNS = 5
TODAY = datetime.date(2024, 4, 1)


# bench/data.py's business prose as this corpus has always drawn it: dated in its own year
# (TODAY's) and without the two sentences added there later, so that its draws stay the same.
SENTENCES = tuple(s.replace("2025年", "2024年") for s in data.SENTENCES[:12])


def document(f: Fake) -> str:
    """The text of an attached report or minutes: long prose, few values."""
    paragraphs = [
        "\n".join(f.r.choice(SENTENCES) for _ in range(f.r.randint(4, 9))) for _ in range(f.r.randint(5, 15))
    ]
    return "\n\n".join(paragraphs) + "\n"


def corpus() -> list[str]:
    """Texts until 10 MB of UTF-8: mostly ordinary mail (replies quote the thread), report
    and minutes text from attachments, and one text in twenty with personal data (a record
    with identifiers, or a customer list)."""
    f = Fake(random.Random(7))
    texts, size, n = [], 0, 0
    while size < TARGET_BYTES:
        if n % 20 == 19:
            spec = (
                recipes.people_list(f, n, "plain", f.r.randint(5, 30))
                if n % 40 == 19
                else recipes.id_mail(f, n, "plain")
            )
            text = spec.body
        elif n % 5 == 3:
            text = document(f)
        else:
            text = recipes.clean(f, n).body
        texts.append(text)
        size += len(text.encode())
        n += 1
    return texts


def best_of(runs: dict) -> dict[str, float]:
    """Best time of each, the three interleaved round by round so that a busy spell on the
    machine (other work shares its two cores) falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(RUNS):
        for name, fn in runs.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: min(t) for name, t in times.items()}


def measure(texts: list[str]) -> tuple[dict[str, float], dict[str, int]]:
    baseline = re.compile("|".join(scanner_module._alternatives(with_dates=True)))
    scanner = Scanner(TODAY)
    detector = PersonalData(today=TODAY)
    envelope = Envelope(mail_from="bench@example.co.jp", rcpt_tos=("to@example.com",))
    views = [
        MessageView(envelope=envelope, size=len(t), texts=(TextChunk(where="body", text=t),)) for t in texts
    ]
    counts = {"baseline": 0, "scan": 0}

    def run_baseline():
        counts["baseline"] = sum(
            1 for t in texts for _ in baseline.finditer(unicodedata.normalize("NFKC", t))
        )

    def run_scan():
        counts["scan"] = sum(len(scanner.scan(t.encode())) for t in texts)

    def run_inspect():
        for view in views:
            detector.inspect(view)

    return best_of({"baseline": run_baseline, "scan": run_scan, "inspect": run_inspect}), counts


def main() -> None:
    texts = corpus()
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    seconds, counts = measure(texts)
    rates = {k: megabytes / v for k, v in seconds.items()}
    ratios = {k: round(rates[k] / rates["baseline"], 1) for k in ("scan", "inspect")}
    print(
        f"{megabytes:.1f} MB in {len(texts)} texts; baseline matched {counts['baseline']} spans, "
        f"the scan validated {counts['scan']} values"
    )
    for k in ("baseline", "scan", "inspect"):
        print(
            f"{k:9} {seconds[k]:7.3f} s  {rates[k]:7.1f} MB/s"
            + (f"  {ratios[k]}x baseline" if k in ratios else "")
        )
    result = {
        "megabytes": round(megabytes, 2),
        "texts": len(texts),
        "runs": RUNS,
        "baseline_matches": counts["baseline"],
        "validated_values": counts["scan"],
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "mb_per_s": {k: round(v, 1) for k, v in rates.items()},
        "ratio_vs_baseline": ratios,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    out = ROOT / "bench" / "results" / "pii.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
