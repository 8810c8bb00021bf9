"""The inspecting side of the harness: the relay's own pipeline in a process of its own.

It builds what `serve` builds from the configuration (the worker pool with its time limit,
the rule set), says "ready", then reads messages from stdin (a 4-byte length, then the
bytes) and answers each with one JSON line on stdout. Whatever inspection does to the
process (abort, run out of address space, hang) costs this process, never the harness that
started it. The envelope is fixed per process: the harness always sends as the same
internal sender to the same external recipient.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import struct
import sys
import time
import traceback

from inspectors.base import Envelope
from proxy.check import report
from proxy.pipeline import Pipeline, inspector_config
from proxy.settings import load_settings, rule_groups
from rules import load_rules

from .outcome import summary

_HEADER = struct.Struct("!I")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.child")
    parser.add_argument("--config", required=True)
    parser.add_argument("--mail-from", required=True)
    parser.add_argument("--rcpt", action="append", required=True)
    args = parser.parse_args(argv)
    settings = load_settings(args.config)
    rules = load_rules(settings.rules, rule_groups(settings))
    envelope = Envelope(mail_from=args.mail_from, rcpt_tos=tuple(args.rcpt))
    loop = asyncio.new_event_loop()
    pipeline = Pipeline(inspector_config(settings), **_pool_settings(settings))
    loop.run_until_complete(pipeline.warm_up())
    _answer({"ready": True})
    try:
        while (raw := _read_message()) is not None:
            _answer(_verdict(loop, pipeline, raw, envelope, rules))
    finally:
        pipeline.close()
    return 0


def _pool_settings(settings) -> dict:
    """As proxy/server.py builds the pipeline: workers, time limit and memory limit."""
    return {
        "workers": settings.inspection_workers,
        "timeout": settings.inspection_timeout,
        "memory": settings.inspection_worker_memory,
    }


def _read_message() -> bytes | None:
    header = sys.stdin.buffer.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    return sys.stdin.buffer.read(_HEADER.unpack(header)[0])


def _verdict(loop, pipeline: Pipeline, raw: bytes, envelope: Envelope, rules) -> dict:
    started = time.perf_counter()
    try:
        inspection = loop.run_until_complete(pipeline.inspect(raw, envelope))
        out = report(inspection.findings, envelope, rules, False)
    except BaseException:  # an escape from the pipeline is what the harness looks for
        return {"exception": traceback.format_exc(), "seconds": time.perf_counter() - started}
    return summary(out, time.perf_counter() - started)


def _answer(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
