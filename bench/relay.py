#!/usr/bin/env python3
"""Relay benchmark: smtp-source → (a) smtp-sink, (b) stock Postfix, (c) the guard → smtp-sink.

Run from the repository root (as root, for the private Postfix instance):

    .venv/bin/python bench/relay.py            # or: make bench

Throughput: smtp-source, 10 parallel sessions, 5,000 messages of 10 KB, one message per
connection (what mail clients do: connect, send one message, QUIT). Every rate is end-to-end:
the clock stops when smtp-sink has received the last message, which for Postfix is later than
smtp-source finishing (Postfix answers 250 once the mail is in its queue). Latency: one
sequential client, 500 messages, one connection each, timed from connect to the 250 after DATA.
The summary is printed and written to bench/results/relay.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import latency
from guard_process import Guard, GuardUnavailable, guard_available
from mta import PrivatePostfix, Sink, find_tools, run_source

RESULTS = Path(__file__).resolve().parent / "results"
WARMUP_MESSAGES = 100  # untimed, so pools, caches and connections are warm
SOURCE_TIMEOUT = 150.0  # seconds for one smtp-source run before it is killed
ADDED_P99_TARGET_MS = 20.0
NOTABLE = re.compile(r"\b(WARNING|ERROR|CRITICAL|FATAL)\b|Traceback|Error:|Exception")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--size", type=int, default=10240, help="body bytes per message")
    parser.add_argument("--latency-messages", type=int, default=500)
    parser.add_argument("--skip", action="append", default=[], choices=["postfix", "guard"])
    return parser.parse_args(argv)


def warm_up(tools: dict, sink: Sink, port: int, args: argparse.Namespace, drain: float) -> None:
    """An untimed short run first, so that process pools, caches and connections are warm."""
    base = sink.count
    run_source(tools, port, WARMUP_MESSAGES, args.sessions, args.size, timeout=60)
    sink.wait_for(base + WARMUP_MESSAGES, timeout=drain)


def throughput(tools: dict, sink: Sink, port: int, args: argparse.Namespace, drain: float) -> dict:
    """Push the load through `port`; time it until the sink holds every message.

    `drain` bounds the wait after smtp-source is done (Postfix is still delivering then).
    """
    warm_up(tools, sink, port, args, drain)
    base, target = sink.count, sink.count + args.messages
    sink.watch(target)
    start = time.monotonic()
    run = run_source(tools, port, args.messages, args.sessions, args.size, SOURCE_TIMEOUT)
    reached = sink.wait_for(target, timeout=drain)
    delivered = sink.count - base
    # Incomplete (refusals, timeout): rate up to the last message that did arrive.
    end = reached or max(sink.last_arrival or run.finished_at, start + 1e-9)
    accepted = args.messages - run.rejected
    return {
        "delivered": delivered,
        "complete": reached is not None,
        "rejected": run.rejected,
        "rate": round(delivered / (end - start), 1),
        "end_to_end_seconds": round(end - start, 3),
        "source_seconds": round(run.elapsed, 3),
        "source_rate": round(accepted / run.elapsed, 1),
        "source_timed_out": run.timed_out,
        "source_messages": list(run.errors),
    }


def bench_direct(tools: dict, args: argparse.Namespace) -> dict:
    with Sink(tools) as sink:
        result = throughput(tools, sink, sink.port, args, drain=10)
        result["latency"] = asdict(latency.measure(sink.port, args.latency_messages, args.size))
    return result


def bench_postfix(tools: dict, args: argparse.Namespace) -> dict:
    if os.geteuid() != 0:
        return {"error": "starting a Postfix instance needs root; skipped"}
    with Sink(tools) as sink, PrivatePostfix(tools, sink.port) as postfix:
        result = throughput(tools, sink, postfix.port, args, drain=120)
        result["postfix_log"] = postfix.delivery_counts()
    return result


def bench_guard(tools: dict, args: argparse.Namespace) -> dict:
    reason = guard_available()
    if reason:
        return {"error": reason}
    try:
        with Sink(tools) as sink, Guard(sink.port) as guard:
            cpu_before = guard.cpu_seconds()
            result = throughput(tools, sink, guard.smtp_port, args, drain=10)
            result["guard_cpu_ms_per_message"] = cpu_per_message(
                cpu_before, guard.cpu_seconds(), args.messages + WARMUP_MESSAGES
            )
            result["latency"] = asdict(latency.measure(guard.smtp_port, args.latency_messages, args.size))
    except GuardUnavailable as exc:
        return {"error": str(exc)}
    result["process"] = guard_facts(guard)
    return result


def cpu_per_message(before: tuple, after: tuple, messages: int) -> dict:
    """Main process vs. everything: shows whether the event loop is the bottleneck."""
    main, total = (round((a - b) * 1000 / messages, 3) for a, b in zip(after, before))
    return {"main_process": main, "all_processes": total}


def guard_facts(guard: Guard) -> dict:
    """How the guard behaved around the load; its full output is kept under results/."""
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / "guard-output.log"
    log.write_text(guard.stderr_text)
    lines = guard.stderr_text.splitlines()
    # Level words in capitals only: the logger "uvicorn.error" logs at INFO.
    notable = [line for line in lines if NOTABLE.search(line)]
    return {
        "exit_status": guard.exit_status,
        "stop_seconds": _round(guard.stop_seconds),
        "left_processes": guard.left_processes,
        "output_lines": len(lines),
        "output_log": str(log),
        "notable_lines": list(dict.fromkeys(notable))[:30],
    }


def guard_notes(facts: dict) -> list[str]:
    notes = [
        f"guard output: {facts['output_lines']} lines, kept in {facts['output_log']}",
        f"guard exit status {facts['exit_status']} {_fmt(facts['stop_seconds'], '.2f', ' s')} after SIGTERM",
    ]
    if facts["left_processes"]:
        notes.append(f"processes left after the guard exited (killed): {facts['left_processes']}")
    notes += [f"guard said: {line[:300]}" for line in facts["notable_lines"][:15]]
    return notes


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def run_scenario(label: str, bench, tools: dict, args: argparse.Namespace) -> dict:
    """One scenario; its failure is reported and the others still run."""
    print(f"{label} ...", flush=True)
    try:
        result = bench(tools, args)
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(f"    {describe(result)}", flush=True)
    for note in guard_notes(result["process"]) if "process" in result else []:
        print(f"    {note}")
    return result


def describe(result: dict) -> str:
    if "error" in result:
        return f"NOT MEASURED: {result['error']}"
    text = (
        f"{result['rate']:.0f} msg/s end-to-end ({result['delivered']} delivered in "
        f"{result['end_to_end_seconds']:.2f} s); smtp-source done after "
        f"{result['source_seconds']:.2f} s ({result['source_rate']:.0f} msg/s accepted)"
    )
    if "guard_cpu_ms_per_message" in result:
        cpu = result["guard_cpu_ms_per_message"]
        text += (
            f"; guard CPU per message: {cpu['all_processes']:.2f} ms, of which "
            f"{cpu['main_process']:.2f} ms in its main process"
        )
    if result["rejected"] or not result["complete"]:
        text += f"; INCOMPLETE: {result['rejected']} refused, e.g. {result['source_messages'][:2]}"
    return text


def machine_facts(tools: dict) -> dict:
    postfix = subprocess.run(
        [tools["postconf"], "-d", "-h", "mail_version"], capture_output=True, text=True, timeout=30
    ).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postfix": postfix,
        "tmp_filesystem": _filesystem(tempfile.gettempdir()),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def _filesystem(path: str) -> str:
    """Type of the filesystem holding the queues (tmpfs would make fsync free for Postfix)."""
    best = ("", "unknown")
    for line in Path("/proc/mounts").read_text().splitlines():
        _, mount, fstype, *_ = line.split()
        if path.startswith(mount) and len(mount) > len(best[0]):
            best = (mount, fstype)
    return best[1]


def ratio(numerator: dict, denominator: dict) -> float | None:
    if "rate" not in numerator or not denominator.get("rate"):
        return None
    return round(numerator["rate"] / denominator["rate"], 3)


def added_latency(direct: dict, guard: dict) -> dict | None:
    if "latency" not in direct or "latency" not in guard:
        return None
    a, c = direct["latency"], guard["latency"]
    return {
        "p50_ms": round(c["p50_ms"] - a["p50_ms"], 2),
        "p99_ms": round(c["p99_ms"] - a["p99_ms"], 2),
        "target_p99_ms": ADDED_P99_TARGET_MS,
        "meets_target": c["p99_ms"] - a["p99_ms"] < ADDED_P99_TARGET_MS,
    }


def summarize(facts: dict, args: argparse.Namespace, results: dict) -> dict:
    direct, postfix, guard = results["direct"], results["postfix"], results["guard"]
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": facts,
        "load": {
            "tool": "smtp-source",
            "sessions": args.sessions,
            "messages": args.messages,
            "body_bytes": args.size,
            "messages_per_connection": 1,
            "latency_messages": args.latency_messages,
        },
        "rates_msg_per_s": {k: v.get("rate") for k, v in results.items()},
        "ratio_guard_to_postfix": ratio(guard, postfix),
        "ratio_guard_to_direct": ratio(guard, direct),
        "added_latency": added_latency(direct, guard),
        "results": results,
    }


def _fmt(value, spec: str = ".0f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def print_summary(summary: dict) -> None:
    m, rates, res = summary["machine"], summary["rates_msg_per_s"], summary["results"]
    print("\n== Relay benchmark summary ==")
    print(
        f"machine: nproc={m['nproc']}  cpu={m['cpu']}  kernel={m['kernel']}  "
        f"postfix={m['postfix']}  tmp on {m['tmp_filesystem']}"
    )
    load = summary["load"]
    print(
        f"load: {load['messages']} x {load['body_bytes']} B, {load['sessions']} parallel "
        f"sessions, one message per connection; rates are end-to-end (sink received all)"
    )
    for key, label in (
        ("direct", "(a) direct to smtp-sink"),
        ("postfix", "(b) stock Postfix"),
        ("guard", "(c) misdelivery-guard"),
    ):
        print(f"  {label:26} {_fmt(rates[key], '.0f', ' msg/s')}")
    postfix = res["postfix"]
    if "source_rate" in postfix:
        print(f"  (b) smtp-source → Postfix queue only: {postfix['source_rate']:.0f} msg/s")
    print(
        f"  ratio c/b = {_fmt(summary['ratio_guard_to_postfix'], '.2f')}   "
        f"c/a = {_fmt(summary['ratio_guard_to_direct'], '.2f')}"
    )
    print_latency(res, summary["added_latency"])


def print_latency(results: dict, added: dict | None) -> None:
    print("latency, one sequential client, connect → 250 after DATA:")
    for key, label in (("direct", "(a) direct"), ("guard", "(c) guard")):
        lat = results[key].get("latency")
        if lat:
            print(
                f"  {label:11} p50 {lat['p50_ms']:.2f} ms  p99 {lat['p99_ms']:.2f} ms  "
                f"max {lat['max_ms']:.2f} ms  ({lat['samples']} ok, {lat['failures']} failed)"
            )
    if added:
        verdict = "meets" if added["meets_target"] else "MISSES"
        print(
            f"  added by the guard: p50 {added['p50_ms']:+.2f} ms, p99 {added['p99_ms']:+.2f} ms "
            f"({verdict} the < {added['target_p99_ms']:.0f} ms p99 target)"
        )
    else:
        print("  added p99: n/a (guard not measured)")


def write_json(summary: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "relay.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return path


SCENARIOS = (
    ("direct", "(a) smtp-source → smtp-sink", bench_direct),
    ("postfix", "(b) smtp-source → stock Postfix → smtp-sink", bench_postfix),
    ("guard", "(c) smtp-source → misdelivery-guard → smtp-sink", bench_guard),
)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (make, CI) unwinds through the context managers like Ctrl-C, so nothing leaks.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    tools = find_tools()
    results = {}
    for key, label, bench in SCENARIOS:
        if key in args.skip:
            results[key] = {"error": "skipped (--skip)"}
        else:
            results[key] = run_scenario(label, bench, tools, args)
    summary = summarize(machine_facts(tools), args, results)
    print_summary(summary)
    print(f"written: {write_json(summary)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
