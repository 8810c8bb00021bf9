"""`misdelivery-guard check FILE... | DIR | -`: the relay's inspection and rules over files,
without sending.

One file prints its detail (today's output); several files, or a directory, print one line
per file (a table, or JSON lines with --json) as each is done. Every file goes through one
worker process, as in the relay (issue 12: a file that hangs or crashes a reader gives
`inspector.error`, not a crashed command); the pool replaces a worker that timed out or died,
and the next file goes on in the new one. The worker is forked from this process once the
inspectors are imported, so it starts without importing anything again: this process runs
no thread, so nothing half-held is copied into the child.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rules import Action, load_rules

from .check import envelope_of, links_take, report
from .pipeline import Pipeline, inspector_config
from .settings import load_settings, rule_groups, rule_organization

EXIT_CODES = {Action.PASS: 0, Action.HOLD: 10, Action.REJECT: 20}
UNREADABLE = 2  # also the usage error's status; below hold: the strictest status wins
# Printed as escapes, never as they are: control characters (a terminal's escape sequences in
# a file or attachment name, a line break that forges a line), the bidirectional controls
# that show a name reversed, and file-name bytes that are not UTF-8 (surrogates, which
# stopped check with a traceback when its output was strict UTF-8).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Source:
    """A file to check: `name` as shown, `path` None for standard input, or why it is not
    checked (`problem`, e.g. a directory that cannot be listed); `listed` when it was
    found in a directory, where only regular files are read."""

    name: str
    path: Path | None
    problem: str = ""
    listed: bool = False


def sources(names: list[str]) -> list[Source]:
    """The files named, a directory's regular files (sorted by name, not recursive: its
    subdirectories are named on standard error and skipped), `-` for standard input."""
    found: list[Source] = []
    for name in names:
        path = Path(name)
        if name == "-":
            found.append(Source(name, None))
        elif is_directory(path):
            found.extend(_directory(path))
        else:
            found.append(Source(name, path))
    return found


def is_directory(path: Path) -> bool:
    """False when it cannot be told (no permission): reading it then says why, on its line."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _directory(path: Path) -> list[Source]:
    try:
        entries = sorted(path.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        return [Source(str(path), path, exc.strerror or str(exc))]
    files = []
    for entry in entries:
        if skipped := _not_a_file(entry):
            print(f"misdelivery-guard: {shown(str(entry))}: {skipped}", file=sys.stderr)
        else:
            files.append(Source(str(entry), entry, listed=True))
    return files


def _not_a_file(entry: Path) -> str:
    """Why a directory's entry is not checked; "" for a regular file."""
    try:
        if entry.is_file():
            return ""
        return "a directory, not entered" if entry.is_dir() else "not a regular file"
    except OSError:
        return ""  # read as a file: its error is reported on its line


def read(source: Source, most: int) -> bytes:
    """The file's bytes; OSError if it cannot be read, or holds more than `most` bytes (the
    relay refuses such a message: read whole, a 1 GB file cost check 75 s and 11 GB)."""
    if source.problem:
        raise OSError(0, source.problem)
    if source.path is None:
        data = sys.stdin.buffer.read(most + 1)
    else:
        # A listed entry is opened without waiting and read only if it is still a regular
        # file: one replaced by a FIFO after the listing kept check waiting for ever. A file
        # named is opened as named (`check <(zcat mail.gz)` reads a pipe).
        flags = os.O_RDONLY | (os.O_NONBLOCK if source.listed else 0)
        with open(os.open(source.path, flags), "rb") as stream:
            if source.listed and not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise OSError(0, "not a regular file")
            data = stream.read(most + 1)
    if len(data) > most:
        raise OSError(0, f"larger than smtp.max_message_size ({most} bytes)")
    return data


def run(args) -> int:
    """The `check` command; `args.messages` as given on the command line."""
    settings = load_settings(args.config)
    rules = load_rules(settings.rules, rule_groups(settings), rule_organization(settings))
    single = len(args.messages) == 1 and not is_directory(Path(args.messages[0]))
    found = sources(args.messages)
    if not found:
        print("misdelivery-guard: no file to check", file=sys.stderr)
        return UNREADABLE
    out = Output.detail(args) if single else Output.table(args, found)
    # What is loaded by now lives as long as the process: frozen, no collection here or in
    # the forked worker walks it again (nor writes to its pages, which stay shared).
    gc.freeze()
    gc.enable()
    try:
        return asyncio.run(_check_all(found, settings, rules, args, out))
    except BrokenPipeError:  # `check DIR | head`: the reader has seen enough; the rest is unchecked
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return UNREADABLE
    except KeyboardInterrupt:  # Ctrl-C in a long folder: the worker is gone already (finally)
        return 130


async def _check_all(found: list[Source], settings, rules, args, out: Output) -> int:
    """Each file in turn through one worker; the strictest exit status."""
    # A fork copies no lock half-held only while this process runs no other thread.
    start = "fork" if threading.active_count() == 1 else "forkserver"
    pipeline = Pipeline(
        inspector_config(settings),
        workers=1,
        timeout=settings.inspection_timeout,
        memory=settings.inspection_worker_memory,
        lend=False,
        start=start,
    )
    status = 0
    try:
        for source in found:
            try:
                message = read(source, settings.max_message_size)
            except OSError as exc:
                out.unreadable(source, f"cannot read: {exc.strerror or exc}")
                status = max(status, UNREADABLE)
                continue
            envelope = envelope_of(message, args.mail_from, args.rcpt)
            inspection = await pipeline.inspect(message, envelope, first_time=False)
            linked = links_take(
                message, inspection.findings, inspection.summary, envelope, rules, settings.limits
            )
            result = report(inspection.findings, envelope, rules, args.explain, linked)
            out.checked(source, result)
            status = max(status, EXIT_CODES[result["verdict"]])
    finally:
        pipeline.close()
    return status


class Output:
    """How results are printed: one file's detail, or a line per file."""

    def __init__(self, json_lines: bool, explain: bool, name_width: int = 0, single: bool = False):
        self.json, self.explain, self.width, self.single = json_lines, explain, name_width, single
        if not single and not json_lines and not explain:
            self._print(f"{'file':{self.width}}  {'verdict':7}  rules")

    @classmethod
    def detail(cls, args) -> Output:
        return cls(args.json, args.explain, single=True)

    @classmethod
    def table(cls, args, found: list[Source]) -> Output:
        return cls(args.json, args.explain, max(len("file"), *(len(shown(s.name)) for s in found)))

    def checked(self, source: Source, result: dict) -> None:
        if self.json:
            self._print(json_line(result if self.single else {"file": source.name, **result}))
        elif self.single:
            self._print(human(result))
        elif self.explain:
            self._print(f"== {shown(source.name)}\n{human(result)}")
        else:
            rules = ", ".join(r["id"] for r in result["rules"]) or "-"
            self._print(f"{shown(source.name):{self.width}}  {result['verdict']:7}  {shown(rules)}")

    def unreadable(self, source: Source, problem: str) -> None:
        if self.single:  # as before several files: on standard error, nothing on standard output
            print(f"misdelivery-guard: {shown(source.name)}: {shown(problem)}", file=sys.stderr)
        elif self.json:
            self._print(json_line({"file": source.name, "error": problem}))
        elif self.explain:
            self._print(f"== {shown(source.name)}\nerror: {shown(problem)}")
        else:
            self._print(f"{shown(source.name):{self.width}}  {'error':7}  {shown(problem)}")

    @staticmethod
    def _print(text: str) -> None:
        print(text, flush=True)  # as each file is done, not when the folder is


def human(report: dict) -> str:
    """One file's detail: the verdict, the rules matched, the findings (and the explanation)."""
    lines = [f"verdict: {report['verdict']}"]
    for r in report["rules"]:
        lines.append(f"  rule {r['id']} ({r['mode']}, {r['action']}): {r['reason']}")
    for f in report["findings"]:
        where = ", ".join(f["where"])
        lines.append(f"  finding {f['code']} x{f['count']} {where} {' '.join(f['evidence'])}".rstrip())
    for r in report.get("explain", ()):
        because = "; ".join(f"{f['code']} x{f['count']}" for f in r["findings"])
        state = "MATCH" if r["matched"] else "-    "
        lines.append(f"  {state} {r['id']} ({r['mode']}, {r['action']}){': ' + because if because else ''}")
    return "\n".join(shown(line) for line in lines)  # names and places come from the mail


def shown(text: str) -> str:
    """`text` safe to print: what _UNPRINTABLE matches as \\xNN (a name's byte that is not
    UTF-8 as that byte) or \\uNNNN."""

    def escape(match: re.Match) -> str:
        code = ord(match.group())
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00
            code -= 0xDC00
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


def json_line(value: dict) -> str:
    """One JSON line, readable Japanese kept; JSON escapes what is unsafe to print (control
    characters are escaped by json already), a file name's non-UTF-8 byte as the surrogate
    os.fsdecode makes of it, so the line stays UTF-8 and the name can be recovered."""
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
