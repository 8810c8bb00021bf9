#!/usr/bin/env python3
"""Cluster throughput (issue 20): messages per second through HAProxy with two guards, against
one guard alone, in the same run with the same mail.

Run from the repository root (as root: PostgreSQL runs as its system user):

    .venv/bin/python bench/cluster_throughput.py            # or: make bench

One PostgreSQL, smtp-sink as the upstream, two guard processes on that database and HAProxy in
TCP mode in front (tests/cluster.py, the kill test's cluster). Three phases, each after an
untimed warm-up, every round (their order rotated each round; medians quoted): (1) one guard alone, its own port, the other guard stopped; (2) the same guard
through HAProxy, the other still stopped (HAProxy's own cost); (3) both guards through HAProxy.
The mail: one message in five carries a My Number and is held (a row in PostgreSQL and a notice),
the rest pass (forwarded before the 250). A message counts when its client had the 250; the
clients are Python threads, one message per connection, retrying what is not accepted.

On a 2-core machine two guards share the cores one guard already uses (its event loop and its
inspection worker), with PostgreSQL, HAProxy and the clients beside them: the ratio shows the
cost of the balancer and the second instance, not how a cluster scales across machines.
The figures are printed and written to bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import report  # noqa: E402
from mta import Sink, find_tools  # noqa: E402

from tests.cluster import Cluster, Outcome, running_cluster, send_all  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402
from tests.support import MY_NUMBER_BODY, message, wait_until  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "cluster.json"
HELD_EVERY = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600, help="per phase and round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args(argv)


def mail(run: str, count: int) -> list[bytes]:
    """`count` messages with their own Message-IDs, one in HELD_EVERY to be held."""
    return [
        message(
            f"bench {n}",
            MY_NUMBER_BODY if n % HELD_EVERY == 0 else f"Meeting {n} tomorrow at 10.",
            extra_headers=f"Message-ID: <{run}.{n}@bench.example.co.jp>\r\n",
        )
        for n in range(count)
    ]


PHASES = (  # name, through HAProxy, second guard running
    ("one guard alone", False, False),
    ("HAProxy, one guard", True, False),
    ("HAProxy, two guards", True, True),
)


def phase(name: str, port: int, args: argparse.Namespace) -> dict:
    send_all(port, mail(f"{name}-warm", args.warmup), args.clients)
    outcomes = [Outcome() for _ in range(args.messages)]
    start = time.monotonic()
    send_all(port, mail(name, args.messages), args.clients, outcomes)
    seconds = time.monotonic() - start
    accepted = sum(o.accepted for o in outcomes)
    result = {
        "accepted": accepted,
        "seconds": round(seconds, 3),
        "rate": round(accepted / seconds, 1),
        "attempts": sum(o.attempts for o in outcomes),
        "refused": sum(bool(o.refused) for o in outcomes),
    }
    print(
        f"{name:>24}: {result['rate']:7.1f} msg/s ({accepted} accepted in {seconds:.2f} s,"
        f" {result['attempts']} attempts)",
        flush=True,
    )
    return result


def second_guard(cluster: Cluster, running: bool) -> None:
    """Start or stop the second guard, and wait until HAProxy's checks agree."""
    second = cluster.guards[1]
    if running and (second.proc is None or second.proc.poll() is not None):
        second.start()
    elif not running:
        second.stop()
    want = 4 if running else 2
    wait_until(lambda: len(cluster.balancer.servers_up()) == want, "HAProxy never saw the change")


def run(cluster: Cluster, args: argparse.Namespace) -> dict:
    """Every phase once a round, the order rotated each round so that none is always first."""
    rates: dict[str, list[float]] = {name: [] for name, _, _ in PHASES}
    runs = []
    for r in range(args.rounds):
        print(f"round {r + 1}", flush=True)
        for name, balanced, both in PHASES[r % 3 :] + PHASES[: r % 3]:
            second_guard(cluster, both)
            port = cluster.smtp_port if balanced else cluster.guards[0].smtp_port
            result = phase(name, port, args)
            rates[name].append(result["rate"])
            runs.append({"round": r + 1, "phase": name, **result})
    medians = {name: statistics.median(values) for name, values in rates.items()}
    one, via, two = (medians[name] for name, _, _ in PHASES)
    return {
        "runs": runs,
        "median_rate": medians,
        "ratio_two_to_one": round(two / one, 2),
        "ratio_haproxy_to_direct": round(via / one, 2),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tools = find_tools()
    server = PostgresServer().start()
    try:
        storage = server.create_database("cluster_bench")
        with (
            tempfile.TemporaryDirectory(prefix="mdg-bench-cluster-") as tmp,
            Sink(tools) as sink,
            running_cluster(Path(tmp), f"smtp://127.0.0.1:{sink.port}", storage) as cluster,
        ):
            figures = run(cluster, args)
    finally:
        server.stop()
    cores = len(os.sched_getaffinity(0))
    print(
        f"two guards / one guard: {figures['ratio_two_to_one']:.2f}; HAProxy / direct (one guard):"
        f" {figures['ratio_haproxy_to_direct']:.2f}; on {cores} cores"
        + (
            " (the guards, PostgreSQL, HAProxy and the clients share them: a measure of the"
            " balancer's and the second instance's cost, not of how a cluster scales)"
            if cores <= 2
            else ""
        )
    )
    for name, rate in figures["median_rate"].items():
        print(f"{name:>24}: {rate:7.1f} msg/s (median of {args.rounds})")
    report.write(RESULTS, {**figures, "messages_per_phase": args.messages, "clients": args.clients})
    return 0


if __name__ == "__main__":
    sys.exit(main())
