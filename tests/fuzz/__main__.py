"""python -m tests.fuzz: the long run (README, "Fuzzing"). Exit status 1 when any case
passed with its canary, timed out, crashed or raised; 0 when every one was held."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from .blocks import Case
from .mutations import CORPUS, mutations
from .outcome import BAD, Outcome
from .runner import CheckRunner, Limits, RelayRunner, write_config
from .structural import LONG_ONLY, STRUCTURAL, build

RUNNERS = {"relay": RelayRunner, "check": CheckRunner}


def cases(
    *, structural: bool, scale: float, count: int, seed: int, corpus: Path, only: Iterable[str] = ()
) -> Iterator[Case]:
    wanted = set(only)
    if structural:
        for name in STRUCTURAL:
            # The long-only cases come at full scale, or when asked for by name.
            if name in wanted or (not wanted and (scale >= 1.0 or name not in LONG_ONLY)):
                yield build(name, scale)
    for case in mutations(count, seed, corpus):
        if not wanted or case.name in wanted:
            yield case


def run(
    all_cases: Iterable[Case],
    paths: Iterable[str],
    limits: Limits,
    *,
    keep: Path | None = None,
    progress=None,
) -> list[Outcome]:
    """Every case through every path; the bad ones' messages saved in `keep` if given."""
    outcomes = []
    all_cases = list(all_cases)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as directory:
        config = write_config(Path(directory), limits)
        for path in paths:
            with RUNNERS[path](config, limits) as runner:
                for case in all_cases:
                    outcome = runner.run(case)
                    outcomes.append(outcome)
                    if outcome.bad and keep:
                        keep.mkdir(parents=True, exist_ok=True)
                        (keep / f"{case.name}.eml").write_bytes(case.raw)
                    if progress:
                        progress(outcome)
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """The structural cases, every bad outcome, and the totals."""
    lines = [f"{'case':42} {'path':6} {'class':26} {'result':9} {'secs':>6}  rules / errors / detail"]
    for o in outcomes:
        if o.issue_class != "mutation" or o.bad:
            lines.append(
                f"{o.case:42} {o.path:6} {o.issue_class:26} {o.status:9} {o.seconds:6.2f}  {_why(o)}"
            )
    counts = Counter((o.path, o.status) for o in outcomes)
    lines.append("totals: " + "; ".join(f"{p} {s} {n}" for (p, s), n in sorted(counts.items())))
    return "\n".join(lines)


def _why(o: Outcome) -> str:
    said = "; ".join(filter(None, (", ".join(o.rules), ", ".join(o.errors))))
    return said or (o.detail.splitlines()[0][:120] if o.detail else "")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    p.add_argument("--cases", type=int, default=1_000, help="mutated messages (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="mutation seed; case i of seed s is always the same")
    p.add_argument(
        "--scale", type=float, default=1.0, help="size of the structural cases (1.0: as in issue 12)"
    )
    p.add_argument("--no-structural", action="store_true", help="mutations only")
    p.add_argument("--only", action="append", default=[], help="run only this case (repeat)")
    p.add_argument(
        "--path",
        choices=["relay", "check", "both"],
        default="relay",
        help="the relay's pipeline (default), `misdelivery-guard check`, or both",
    )
    p.add_argument("--timeout", type=float, default=5.0, help="inspection.timeout in seconds (default 5)")
    p.add_argument("--wall", type=float, default=0.0, help="harness limit per case (default timeout + 15 s)")
    p.add_argument("--memory-mb", type=int, default=2_048, help="address space per process (default 2048)")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--report", type=Path, help="write every outcome as JSON here")
    p.add_argument("--keep", type=Path, help="save the message of every bad outcome here (.eml)")
    return p.parse_args(argv)


def _progress():
    """Bad outcomes as they come, and a count every 100 cases, on stderr."""
    done = Counter()

    def show(o: Outcome) -> None:
        done[o.path] += 1
        if o.bad:
            first = o.detail.splitlines()[0][:160] if o.detail else ""
            said = " | ".join(filter(None, (_why(o), first)))
            print(f"{o.status}: {o.case} ({o.path}) {said}", file=sys.stderr, flush=True)
        if done[o.path] % 100 == 0:
            print(f"... {done[o.path]} cases via {o.path}", file=sys.stderr, flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    limits = Limits(inspection_timeout=args.timeout, wall=args.wall, memory_mb=args.memory_mb)
    paths = ("relay", "check") if args.path == "both" else (args.path,)
    todo = cases(
        structural=not args.no_structural,
        scale=args.scale,
        count=args.cases,
        seed=args.seed,
        corpus=args.corpus,
        only=args.only,
    )
    started = time.monotonic()
    outcomes = run(todo, paths, limits, keep=args.keep, progress=_progress())
    print(table(outcomes))
    if args.report:
        args.report.write_text(
            json.dumps(
                {
                    "seed": args.seed,
                    "cases": args.cases,
                    "scale": args.scale,
                    "limits": dataclasses.asdict(limits),
                    "seconds": round(time.monotonic() - started, 1),
                    "outcomes": [dataclasses.asdict(o) for o in outcomes],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    return 1 if any(o.status in BAD for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
