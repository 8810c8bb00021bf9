"""Runs cases in subprocesses with a wall-time and an address-space limit (RLIMIT_AS, which
every process they start inherits), and says what happened to each (outcome.py).

Two paths: "relay" keeps one child (tests/fuzz/child.py) running the relay's Pipeline and
feeds it case after case, starting a new one when a case kills or hangs it; "check" runs
`misdelivery-guard check --json` once per case. Each child starts a new session, so that a
hung one is killed with everything it started (the pipeline's forkserver and workers).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .blocks import INTERNAL_DOMAINS, RECIPIENT, SENDER, Case
from .outcome import Outcome, ended, excerpt, no_verdict, outcome_of, summary

REPO = Path(__file__).resolve().parents[2]
_STARTUP = 60.0


@dataclass(frozen=True)
class Limits:
    inspection_timeout: float = 5.0  # the guard's own inspection.timeout
    wall: float = 0.0  # the harness's limit per case; 0: timeout + grace + 10 s
    memory_mb: int = 2_048  # RLIMIT_AS of every process under the runner

    @property
    def wall_seconds(self) -> float:
        # The pipeline kills a stuck worker 5 s past its budget (HARD_LIMIT_GRACE).
        return self.wall or self.inspection_timeout + 5.0 + 10.0


def write_config(directory: Path, limits: Limits) -> Path:
    """A configuration for the harness: our domain internal, the inspection limits given."""
    path = directory / "guard.yaml"
    path.write_text(
        f"organization: {{internal_domains: [{', '.join(INTERNAL_DOMAINS)}]}}\n"
        f"inspection: {{timeout: {limits.inspection_timeout:g}s, workers: 1}}\n"
        f"storage: sqlite:///{directory / 'unused.db'}\n"
    )
    return path


def _environment() -> dict[str, str]:
    """The harness's own checkout first, so children inspect with the code under test."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
    return env


def _limit_memory(megabytes: int):
    """The soft limit only: the guard may set its workers' own (inspection.worker_memory),
    which must not be refused for being above a hard limit set here."""

    def preexec() -> None:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        size = megabytes * 1024 * 1024
        resource.setrlimit(
            resource.RLIMIT_AS, (size if hard == resource.RLIM_INFINITY else min(size, hard), hard)
        )

    return preexec


def _end_group(process: subprocess.Popen, wait: float = 0.0) -> bool:
    """Give the child `wait` seconds to exit, then kill its whole session (a pipeline's
    forkserver and workers with it) and reap it; True if it had to be killed. The child is
    waited for without being reaped (WNOWAIT): until it is, its id, which names the group,
    cannot be anyone else's."""
    deadline, exited = time.monotonic() + wait, False
    while not exited:
        exited = bool(os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG))
        if exited or time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    return not exited


class RelayRunner:
    """One child running the relay's pipeline, replaced whenever a case ends it."""

    path = "relay"

    def __init__(self, config: Path, limits: Limits, command: list[str] | None = None) -> None:
        self.config, self.limits = config, limits
        self.command = command or [
            sys.executable,
            "-m",
            "tests.fuzz.child",
            "--config",
            str(config),
            "--mail-from",
            SENDER,
            "--rcpt",
            RECIPIENT,
        ]
        self.process: subprocess.Popen | None = None
        self._buffer = b""

    def __enter__(self) -> RelayRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- open as long as the child runs (read back with pread)
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=REPO,
            env=_environment(),
            start_new_session=True,
            preexec_fn=_limit_memory(self.limits.memory_mb),
        )
        self._buffer, self._eof = b"", False
        if self._line(_STARTUP) is None:
            stderr = self._stderr_text()
            self.close()
            raise RuntimeError(f"the fuzz child did not start: {excerpt(stderr)}")

    def run(self, case: Case) -> Outcome:
        if self.process is None:
            self._start()
        started, mark = time.perf_counter(), os.fstat(self._stderr.fileno()).st_size
        try:
            self.process.stdin.write(len(case.raw).to_bytes(4, "big") + case.raw)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died; reading says how
        answer = self._line(self.limits.wall_seconds)
        seconds = time.perf_counter() - started
        if answer is not None:
            return outcome_of(case, self.path, answer, seconds)
        if self._eof:  # it is ending: its output closes a moment before it exits
            _end_group(self.process, wait=10)
            status, detail = ended(self.process, self._stderr_text(mark))
        else:
            _end_group(self.process)
            status, detail = "timeout", f"no verdict after {self.limits.wall_seconds:g}s"
        self._forget()
        return no_verdict(case, self.path, status, seconds, detail)

    def _line(self, timeout: float) -> dict | None:
        """The next JSON object the child writes; None on timeout or end of output."""
        deadline = time.monotonic() + timeout
        out = self.process.stdout.fileno()
        while True:
            if b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                try:
                    answer = json.loads(line)
                except ValueError:
                    continue  # something in the child printed; not an answer
                if isinstance(answer, dict):
                    return answer
                continue
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                return None
            chunk = os.read(out, 65536)
            if not chunk:
                self._eof = True
                return None
            self._buffer += chunk

    def _stderr_text(self, since: int = 0) -> str:
        """What the child wrote to stderr from offset `since` (pread: the child shares the
        file offset, so the file is never seeked)."""
        fd = self._stderr.fileno()
        size = os.fstat(fd).st_size
        return os.pread(fd, size - since, since).decode("utf-8", "replace")

    def close(self) -> None:
        if self.process is None:
            return
        try:
            self.process.stdin.close()  # the child's signal to stop
        except OSError:
            pass
        _end_group(self.process, wait=10)
        self._forget()

    def _forget(self) -> None:
        """Close our ends of the ended child's pipes and its stderr file: not left to the collector."""
        process, self.process = self.process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout, self._stderr):
            with contextlib.suppress(OSError):  # what a dead child was not given cannot be flushed
                if stream is not None:
                    stream.close()


class CheckRunner:
    """`misdelivery-guard check` per case, as an admin or a script would run it."""

    path = "check"

    def __init__(self, config: Path, limits: Limits) -> None:
        self.config, self.limits = config, limits

    def __enter__(self) -> CheckRunner:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def run(self, case: Case) -> Outcome:
        """Files, not pipes, for its input and output: the child is then waited for without
        reading it, and without being reaped before its group is gone (_end_group)."""
        started = time.perf_counter()
        with (
            tempfile.TemporaryFile() as stdin,
            tempfile.TemporaryFile() as stdout,
            tempfile.TemporaryFile() as stderr,
        ):
            stdin.write(case.raw)
            stdin.seek(0)
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "proxy.cli",
                    "check",
                    "-",
                    "--config",
                    str(self.config),
                    "--json",
                    "--mail-from",
                    SENDER,
                    "--rcpt",
                    RECIPIENT,
                ],
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                cwd=REPO,
                env=_environment(),
                start_new_session=True,
                preexec_fn=_limit_memory(self.limits.memory_mb),
            )
            hung = _end_group(process, wait=self.limits.wall_seconds)
            seconds = time.perf_counter() - started
            stdout.seek(0)
            stderr.seek(0)
            out, err = stdout.read(), stderr.read().decode("utf-8", "replace")
        if hung:
            status, detail = "timeout", f"no verdict after {self.limits.wall_seconds:g}s"
        elif process.returncode in (0, 10, 20):
            return outcome_of(case, self.path, summary(json.loads(out), seconds), seconds)
        else:
            status, detail = ended(process, err)
        return no_verdict(case, self.path, status, seconds, detail)
