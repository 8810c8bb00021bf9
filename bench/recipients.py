#!/usr/bin/env python3
"""Recipient and client inspectors: the time they add per message (issue 5).

A directory of 5,000 clients, a message with a 1 MB text attachment (Japanese business text
or English; prose, or tab-separated so that extraction also reads it as a table), 20 recipients. Parsing is timed apart: it is the parser's cost,
paid once whatever the inspectors. Target: the client and recipient inspectors together add
under 20 ms per message. Run from the repository root:

    .venv/bin/python bench/recipients.py

The figures are printed and written to bench/results/recipients.json.
"""

from __future__ import annotations

import argparse
import email.policy
import json
import os
import platform
import random
import statistics
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspectors.base import Envelope  # noqa: E402
from inspectors.client_mismatch import ClientMismatch  # noqa: E402
from inspectors.clients import Client, ClientDirectory  # noqa: E402
from inspectors.freemail import FreemailDomains, FreemailRecipients  # noqa: E402
from inspectors.history import FirstTimeRecipients, RecipientHistory  # noqa: E402
from inspectors.lookalike import LookalikeDomains  # noqa: E402
from inspectors.message import parse  # noqa: E402
from inspectors.recipients import (  # noqa: E402
    ExternalRecipients,
    Organisations,
    SuppressedRecipients,
    VisibleExternalRecipients,
)

RESULTS = ROOT / "bench" / "results" / "recipients.json"
TARGET_MS = 20.0
INTERNAL = ("example.co.jp",)
SENDER = "sato@example.co.jp"
KATAKANA = [chr(c) for c in range(0x30A2, 0x30F3)]
KANJI = (
    "山川田中村井上本木林森島石原松竹梅東西南北大小新高橋藤伊佐野沢岡浜崎谷口宮金子光電機産業商事技研工建設"
)
SENTENCES = [
    "いつもお世話になっております。",
    "下記の通りお見積りを申し上げます。",
    "納期は受注後二週間を予定しております。",
    "ご不明な点がございましたらお問い合わせください。",
    "保守費用は年額で計上しております。",
    "数量",
    "単価",
    "金額",
    "合計",
    "備考",
    "システム更改に伴う移行作業一式",
    "サーバー機器 3台",
    "ライセンス費用",
]
ENGLISH = [
    "Thank you for your continued business.",
    "Please find the quotation below.",
    "Delivery within two weeks.",
    "Maintenance is billed annually.",
    "Quantity",
    "Unit price",
    "Amount",
    "Total",
    "Server hardware x3",
]


def directory_of(n: int, rng: random.Random) -> list[Client]:
    clients = []
    for i in range(n):
        core = "".join(rng.choice(KATAKANA if i % 2 else KANJI) for _ in range(rng.randint(3, 6)))
        clients.append(
            Client(
                name=f"株式会社{core}" if i % 3 else f"{core}株式会社",
                aliases=(f"{core}社", f"Client{i:04d} Corp"),
                domains=(f"client{i:04d}.co.jp",) + ((f"client{i:04d}.com",) if i % 5 == 0 else ()),
            )
        )
    # Real directories hold names that are everyday words in the documents, too.
    clients += [
        Client(name=f"株式会社{word}", domains=(f"word{i}.example",))
        for i, word in enumerate(("システム", "サーバー", "ライセンス", "データ"))
    ]
    return clients


def attachment_text(size: int, words: list[str], clients: list[Client], rng: random.Random, sep: str) -> str:
    """Lines of `words`: sep "\\t" makes a TSV (read as a table too), " " makes prose."""
    parts, length = [], 0
    while length < size:
        line = sep.join(rng.choice(words) for _ in range(6)) + f"{sep}{rng.randint(1, 999999):,}"
        if rng.random() < 0.002:  # a few real mentions, of the addressed client and another
            line += sep + rng.choice([clients[1].name + " 御中", clients[2].aliases[0]])
        parts.append(line)
        length += len(line.encode()) + 1
    return "\n".join(parts)


def message(text: str, clients: list[Client]) -> tuple[bytes, Envelope]:
    to = [f"tanaka@{clients[1].domains[0]}", "kato@example.co.jp"] + [f"m{i}@gmail.com" for i in range(3)]
    cc = [f"ito@{clients[1].domains[0]}", "x@client0001.co.jq"]
    bcc = [f"b{i}@docomo.ne.jp" for i in range(13)]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Cc"], msg["Subject"] = SENDER, ", ".join(to), ", ".join(cc), "お見積りの件"
    msg.set_content(f"{clients[1].aliases[0]} 田中様\n\nお見積りをお送りします。\n")
    msg.add_attachment(text.encode("utf-8"), maintype="text", subtype="plain", filename="見積明細.txt")
    return msg.as_bytes(policy=email.policy.SMTP), Envelope(mail_from=SENDER, rcpt_tos=tuple(to + cc + bcc))


def build(clients: list[Client]) -> tuple[dict, dict]:
    timings, started = {}, time.perf_counter()
    freemail = FreemailDomains()
    organisations = Organisations(freemail, clients)
    directory = ClientDirectory(clients, own_names=["株式会社エグザンプル"])
    timings["client_directory_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    lookalike = LookalikeDomains(
        internal_domains=INTERNAL,
        client_domains=[d for c in clients for d in c.domains],
        regular_domains=[f"partner{i}.example" for i in range(2000)],
    )
    timings["lookalike_index_ms"] = (time.perf_counter() - started) * 1000
    suppressed = [f"former{i}@example.net" for i in range(1000)] + ["@withdrawn.example"]
    inspectors = {
        "recipients.external": ExternalRecipients(INTERNAL, organisations=organisations),
        "recipients.visible_external": VisibleExternalRecipients(INTERNAL, organisations),
        "recipients.suppressed": SuppressedRecipients(suppressed),
        "recipients.freemail": FreemailRecipients(freemail, INTERNAL),
        "recipients.lookalike_domain": lookalike,
        "client.mismatch": ClientMismatch(directory, INTERNAL),
    }
    return inspectors, timings


def run(label: str, text: str, clients, inspectors, history_pairs, runs: int) -> dict:
    """Time every inspector on one parsed message, `runs` times. CPU time (process_time) is
    the figure: it is what the inspectors add, whatever else the machine is doing; wall time
    is kept beside it."""
    raw, envelope = message(text, clients)
    started = time.perf_counter()
    view = parse(raw, envelope)
    parse_ms = (time.perf_counter() - started) * 1000
    per = {name: [] for name in [*inspectors, "recipients.first_time"]}
    cpu_totals, wall_totals, findings = [], [], []
    for _ in range(runs):
        findings, cpu_total, wall_started = [], 0.0, time.perf_counter()
        history = RecipientHistory.from_deliveries(SENDER, envelope.rcpt_tos, history_pairs)
        per_message = dict(inspectors, **{"recipients.first_time": FirstTimeRecipients(history, INTERNAL)})
        for name, inspector in per_message.items():
            started = time.process_time()
            findings.extend(inspector.inspect(view))
            per[name].append((time.process_time() - started) * 1000)
            cpu_total += per[name][-1]
        cpu_totals.append(cpu_total)
        wall_totals.append((time.perf_counter() - wall_started) * 1000)
    return {
        "label": label,
        "raw_bytes": len(raw),
        "attachment_bytes": len(text.encode()),
        "parse_ms": round(parse_ms, 2),
        **_summary("cpu", cpu_totals),
        **_summary("wall", wall_totals),
        "per_inspector_cpu_median_ms": {k: round(statistics.median(v), 3) for k, v in per.items()},
        "findings": sorted(f"{f.code}:{f.count}" for f in findings),
    }


def _summary(kind: str, totals: list[float]) -> dict:
    ordered = sorted(totals)
    return {
        f"{kind}_median_ms": round(statistics.median(ordered), 2),
        f"{kind}_p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        f"{kind}_max_ms": round(ordered[-1], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--size", type=int, default=1_000_000, help="attachment bytes")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    rng = random.Random(5)
    clients = directory_of(args.clients, rng)
    inspectors, build_times = build(clients)
    history_pairs = [
        (SENDER if i % 3 else "kato@example.co.jp", f"p{i}@client{i % args.clients:04d}.co.jp")
        for i in range(20000)
    ]
    cases = [
        run(
            label,
            attachment_text(args.size, words, clients, rng, sep),
            clients,
            inspectors,
            history_pairs,
            args.runs,
        )
        for label, words, sep in (
            ("japanese-prose", SENTENCES, " "),
            ("japanese-tsv", SENTENCES, "\t"),
            ("english-prose", ENGLISH, " "),
            ("english-tsv", ENGLISH, "\t"),
        )
    ]
    worst = max(c["cpu_p95_ms"] for c in cases)
    result = {
        "clients": args.clients,
        "runs": args.runs,
        "target_ms": TARGET_MS,
        "build": build_times,
        "cases": cases,
        "worst_cpu_p95_ms": worst,
        "meets_target": worst < TARGET_MS,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    report(result)
    return 0 if worst < TARGET_MS else 1


def report(result: dict) -> None:
    build = result["build"]
    print(
        f"directory of {result['clients']} clients built in {build['client_directory_ms']:.0f} ms; "
        f"lookalike index {build['lookalike_index_ms']:.0f} ms"
    )
    for c in result["cases"]:
        print(
            f"{c['label']:14s} attachment {c['attachment_bytes']:,} B  parse {c['parse_ms']:.1f} ms  "
            f"inspectors CPU median {c['cpu_median_ms']:.2f} ms  p95 {c['cpu_p95_ms']:.2f} ms  "
            f"max {c['cpu_max_ms']:.2f} ms  (wall median {c['wall_median_ms']:.2f}, p95 {c['wall_p95_ms']:.2f})"
        )
        for name, ms in c["per_inspector_cpu_median_ms"].items():
            print(f"    {name:30s} {ms:8.3f} ms")
        print(f"    findings (code:count): {', '.join(c['findings'])}")
    worst = result["worst_cpu_p95_ms"]
    print(
        f"target < {TARGET_MS:g} ms per message: {'met' if result['meets_target'] else 'NOT met'} "
        f"(worst CPU p95 {worst:.2f} ms; load average {result['load_average'][0]:.2f} on {result['cpus']} CPUs)"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
