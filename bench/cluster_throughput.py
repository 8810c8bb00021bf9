#!/usr/bin/env python3
"""Cluster throughput (issue 20): messages per second through HAProxy with two guards, against
one guard alone, in the same run with the same mail.

Run from the repository root (as root: PostgreSQL runs as its system user):

    .venv/bin/python bench/cluster_throughput.py            # or: make bench

One PostgreSQL, smtp-sink as the upstream, two guard processes on that database and HAProxy in
TCP mode in front (tests/cluster.py, the kill test's cluster). Three phases, each after an
untimed warm-up: (1) one guard alone, its own port, the other guard stopped; (2) the same guard
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
    parser.add_argument("--messages", type=int, default=1000, help="per phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
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


def run(cluster: Cluster, args: argparse.Namespace) -> dict:
    first, second = cluster.guards
    second.stop()
    wait_until(
        lambda: cluster.balancer.servers_up() == {"guards_smtp/g0", "guards_web/g0"},
        "HAProxy never saw the second guard down",
    )
    figures = {"one_guard": phase("one guard alone", first.smtp_port, args)}
    figures["haproxy_one_guard"] = phase("HAProxy, one guard", cluster.smtp_port, args)
    second.start()
    wait_until(lambda: len(cluster.balancer.servers_up()) == 4, "HAProxy never saw the second guard up")
    figures["haproxy_two_guards"] = phase("HAProxy, two guards", cluster.smtp_port, args)
    figures["ratio_two_to_one"] = round(
        figures["haproxy_two_guards"]["rate"] / figures["one_guard"]["rate"], 2
    )
    figures["ratio_haproxy_to_direct"] = round(
        figures["haproxy_one_guard"]["rate"] / figures["one_guard"]["rate"], 2
    )
    return figures


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
        + (": the overhead of a balancer and a second instance, not scaling" if cores <= 2 else "")
    )
    report.write(RESULTS, {**figures, "messages_per_phase": args.messages, "clients": args.clients})
    return 0


if __name__ == "__main__":
    sys.exit(main())
