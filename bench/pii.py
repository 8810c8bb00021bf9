"""Personal-data scan throughput (issue 4), and issue 13's prose target.

    .venv/bin/python bench/pii.py                 # both; prints the figures, writes bench/results/pii.json
    .venv/bin/python bench/pii.py prose [DIR]     # only issue 13's prose target; DIR: bench/data.py's
                                                  # inputs (default bench/results/data, built if missing)

Issue 13's target: on bench/data.py's 8 MB of Japanese business prose (contact data on 15 %
of the lines), the whole `misdelivery-guard check` minus its start-up (`check` of a tiny
mail) against ONE plain Python `re` alternation of phone / e-mail / 12-digit / postal / card
patterns run with finditer after NFKC over the same text (the issue's yardstick; it finds
spans, validates nothing, reads no MIME). Both run in turn, round by round, the checks as
processes, the baseline in this one; medians; the aim is 10x. The same run times, in CPU
seconds in this process, the stages of the check (MIME parse, each inspector, the whole
`inspect_raw`) to show where the time goes, with inspect_raw's ratio to the baseline's CPU.

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
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "pii_corpus")]

import recipes  # noqa: E402
from fakes import Fake  # noqa: E402

from inspectors.base import Envelope  # noqa: E402
from inspectors.message import MessageView, TextChunk  # noqa: E402
from inspectors.personal_data import PersonalData  # noqa: E402
from inspectors.pii import scanner as scanner_module  # noqa: E402
from inspectors.pii.scanner import Scanner  # noqa: E402

TARGET_BYTES = 10_000_000
RUNS = 5
TODAY = datetime.date(2024, 4, 1)
PROSE_RUNS = 7
PROSE_DATA = ROOT / "bench" / "results" / "data"     # bench/data.py's inputs, built when missing
# The yardstick, as it ran: phone | e-mail | 12 digits | postal code | card.
CONTACT = re.compile("|".join((
    r"0\d{1,4}-\d{1,4}-\d{3,4}|(?<!\d)0\d{9,10}(?!\d)",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)",
    r"〒?\s?\d{3}-\d{4}(?!\d)",
    r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)",
)))


SENTENCES = (
    "本日の会議では、来期の販売計画と予算配分について議論しました。", "各部門からの報告を受け、課題を整理しました。",
    "次回までに担当者が詳細な資料を準備することになりました。", "納期の遅延を防ぐため、工程表を見直します。",
    "品質管理の観点から、検査手順の改善案が提示されました。", "新システムの導入は2024年10月を予定しています。",
    "費用対効果の試算は別紙のとおりです。", "関係部署との調整を進め、来月中に結論を出します。",
    "顧客満足度調査の結果、前年より3ポイント改善しました。", "在庫水準は適正範囲内で推移しています。",
    "契約条件の変更については、法務部の確認が必要です。", "研修は全社員を対象に、6月から順次実施します。",
)


def document(f: Fake) -> str:
    """The text of an attached report or minutes: long prose, few values."""
    paragraphs = ["\n".join(f.r.choice(SENTENCES) for _ in range(f.r.randint(4, 9))) for _ in range(f.r.randint(5, 15))]
    return "\n\n".join(paragraphs) + "\n"


def corpus() -> list[str]:
    """Texts until 10 MB of UTF-8: mostly ordinary mail (replies quote the thread), report
    and minutes text from attachments, and one text in twenty with personal data (a record
    with identifiers, or a customer list)."""
    f = Fake(random.Random(7))
    texts, size, n = [], 0, 0
    while size < TARGET_BYTES:
        if n % 20 == 19:
            spec = recipes.people_list(f, n, "plain", f.r.randint(5, 30)) if n % 40 == 19 else recipes.id_mail(f, n, "plain")
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
    views = [MessageView(envelope=envelope, size=len(t), texts=(TextChunk(where="body", text=t),)) for t in texts]
    counts = {"baseline": 0, "scan": 0}

    def run_baseline():
        counts["baseline"] = sum(1 for t in texts for _ in baseline.finditer(unicodedata.normalize("NFKC", t)))

    def run_scan():
        counts["scan"] = sum(len(scanner.scan(t.encode())) for t in texts)

    def run_inspect():
        for view in views:
            detector.inspect(view)

    return best_of({"baseline": run_baseline, "scan": run_scan, "inspect": run_inspect}), counts


def baseline_seconds(path: Path) -> tuple[float, float]:
    """The yardstick over the text in `path`: NFKC, then finditer, every span counted.
    (wall, CPU) seconds."""
    text = path.read_text(encoding="utf-8")
    wall, cpu = time.perf_counter(), time.process_time()
    sum(1 for _ in CONTACT.finditer(unicodedata.normalize("NFKC", text)))
    return time.perf_counter() - wall, time.process_time() - cpu


def _check_seconds(eml: Path) -> float:
    """One whole `check` of `eml` to an external recipient, as a user runs it."""
    command = [sys.executable, "-m", "proxy.cli", "check", "--rcpt", "client@client.example", str(eml)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if "verdict" not in done.stdout:
        raise SystemExit(f"check {eml.name} gave no verdict: {done.stderr[-500:]}")
    return seconds


def _stages(eml: Path) -> dict[str, float]:
    """CPU seconds of the check's work in this process (best of three): the MIME parse,
    each inspector, and `inspect_raw` (all of it, as a worker runs it). CPU seconds move
    less than the wall clock on a shared machine; they leave out process start-up and the
    hand-over of the message to the worker."""
    from inspectors.base import Envelope
    from inspectors.message import parse
    from proxy.pipeline import InspectorConfig, build_inspectors, inspect_raw
    raw = eml.read_bytes()
    envelope = Envelope(mail_from="sales@example.co.jp", rcpt_tos=("client@client.example",))
    inspectors = build_inspectors(InspectorConfig())
    best: dict[str, float] = {}
    for _ in range(3):
        started = time.process_time()
        view = parse(raw, envelope)
        times = {"parse": time.process_time() - started}
        for inspector in inspectors:
            started = time.process_time()
            list(inspector.inspect(view))
            times[inspector.name] = time.process_time() - started
        started = time.process_time()
        inspect_raw(raw, envelope, inspectors)
        times["inspect_raw"] = time.process_time() - started
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}
    return best


def prose_target(directory: Path = PROSE_DATA) -> dict:
    """Issue 13, item 3: check minus start-up against the yardstick, interleaved, medians."""
    sys.path.insert(0, str(ROOT))
    from bench.data import write
    paths = write(directory)
    rounds = []
    for _ in range(PROSE_RUNS):
        tiny = _check_seconds(paths["tiny.eml"])
        prose = _check_seconds(paths["prose.eml"])
        baseline = baseline_seconds(paths["prose.txt"])
        rounds.append({"check": prose - tiny, "start_up": tiny, "baseline": baseline[0], "baseline_cpu": baseline[1]})
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    ratio = statistics.median(r["baseline"] / r["check"] for r in rounds)
    stages = _stages(paths["prose.eml"])
    megabytes = paths["prose.txt"].stat().st_size / 1e6
    result = {"megabytes": round(megabytes, 2), "runs": PROSE_RUNS, "start_up_s": round(median["start_up"], 3),
              "check_minus_start_up_s": round(median["check"], 3), "baseline_s": round(median["baseline"], 3),
              "speed_vs_baseline": round(ratio, 2), "aim": 10.0,
              "stages_cpu_s": {k: round(v, 3) for k, v in stages.items() if v >= 0.0005},
              "inspect_raw_speed_vs_baseline_cpu": round(median["baseline_cpu"] / stages["inspect_raw"], 2)}
    print(f"prose ({megabytes:.1f} MB): check minus start-up {median['check']:.3f} s, baseline "
          f"{median['baseline']:.3f} s: {ratio:.2f}x the baseline's speed (aim 10x); start-up {median['start_up']:.3f} s")
    print(f"  in process, CPU: inspect_raw {stages['inspect_raw']:.3f} s, baseline {median['baseline_cpu']:.3f} s: "
          f"{result['inspect_raw_speed_vs_baseline_cpu']:.2f}x")
    print("  stages, CPU: " + ", ".join(f"{k} {v:.3f} s" for k, v in result["stages_cpu_s"].items()))
    return result


def main() -> None:
    out = ROOT / "bench" / "results" / "pii.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    only_prose = sys.argv[1:2] == ["prose"]
    prose = prose_target(Path(sys.argv[2]) if only_prose and len(sys.argv) > 2 else PROSE_DATA)
    if only_prose:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**previous, "issue13_prose": prose}, indent=2, ensure_ascii=False) + "\n")
        return
    texts = corpus()
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    seconds, counts = measure(texts)
    rates = {k: megabytes / v for k, v in seconds.items()}
    ratios = {k: round(rates[k] / rates["baseline"], 1) for k in ("scan", "inspect")}
    print(f"{megabytes:.1f} MB in {len(texts)} texts; baseline matched {counts['baseline']} spans, "
          f"the scan validated {counts['scan']} values")
    for k in ("baseline", "scan", "inspect"):
        print(f"{k:9} {seconds[k]:7.3f} s  {rates[k]:7.1f} MB/s" + (f"  {ratios[k]}x baseline" if k in ratios else ""))
    result = {"megabytes": round(megabytes, 2), "texts": len(texts), "runs": RUNS,
              "baseline_matches": counts["baseline"], "validated_values": counts["scan"],
              "seconds": {k: round(v, 3) for k, v in seconds.items()},
              "mb_per_s": {k: round(v, 1) for k, v in rates.items()}, "ratio_vs_baseline": ratios,
              "python": platform.python_version(), "machine": platform.machine(), "issue13_prose": prose}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
