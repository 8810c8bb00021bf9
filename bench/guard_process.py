"""The guard under test, run as `misdelivery-guard serve --config FILE` in a temp directory."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from mta import LOOPBACK, free_port, wait_for_smtp

REPO = Path(__file__).resolve().parent.parent
EXECUTABLE = REPO / ".venv" / "bin" / "misdelivery-guard"
# The guard drains sessions for smtp.shutdown_grace (30 s by default) after SIGTERM.
STOP_TIMEOUT = 45.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The keys used here are the documented configuration contract (DESIGN.md, Configuration).
CONFIG = """\
organization: {{internal_domains: [example.co.jp]}}
smtp: {{listen: {loopback}:{smtp_port}}}
web: {{listen: {loopback}:{web_port}}}
upstream: smtp://{loopback}:{sink_port}
storage: sqlite:///{root}/guard.db
"""


class GuardUnavailable(Exception):
    """The guard is not installed yet, or did not come up; (c) is skipped."""


def guard_available() -> str | None:
    """None if `serve --help` works, else the reason it does not."""
    if not EXECUTABLE.exists():
        return f"{EXECUTABLE} does not exist (guard not installed yet?)"
    try:
        done = subprocess.run(
            [str(EXECUTABLE), "serve", "--help"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`misdelivery-guard serve --help` failed: {exc}"
    if done.returncode != 0:
        detail = done.stderr.strip()[-500:]
        return f"`misdelivery-guard serve --help` exited {done.returncode}: {detail}"
    return None


class Guard:
    """Start the guard relaying to the sink; SIGTERM it on exit and keep its stderr."""

    def __init__(self, sink_port: int):
        self.smtp_port, self.web_port = free_port(), free_port()
        self._root = Path(tempfile.mkdtemp(prefix="mdg-bench-guard-"))
        self._config = self._root / "guard.yaml"
        self._config.write_text(
            CONFIG.format(
                loopback=LOOPBACK,
                smtp_port=self.smtp_port,
                web_port=self.web_port,
                sink_port=sink_port,
                root=self._root,
            )
        )
        self.stderr_text = ""
        self.exit_status: int | None = None
        self.stop_seconds: float | None = None
        self.left_processes: list[str] = []  # "pid state cmdline" of stragglers

    def __enter__(self) -> Guard:
        # Own session so that the worker processes it may spawn go with it if it must be killed.
        with open(self._root / "stdout", "wb") as out, open(self._root / "stderr", "wb") as err:
            self._proc = subprocess.Popen(
                [str(EXECUTABLE), "serve", "--config", str(self._config)],
                cwd=self._root,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        try:
            wait_for_smtp(self.smtp_port, timeout=60, proc=self._proc)
        except (RuntimeError, TimeoutError) as exc:
            self.__exit__()
            raise GuardUnavailable(f"guard did not start: {exc}\n{self.stderr_tail()}") from exc
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._stop()
            self.stderr_text = self._read_output()
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def _stop(self) -> None:
        """SIGTERM and wait, as an init system would; SIGKILL its process group only if stuck."""
        if self._proc.poll() is None:
            start = time.monotonic()
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=10)
            self.stop_seconds = time.monotonic() - start
        self.exit_status = self._proc.returncode
        self._reap_leftovers()

    def _reap_leftovers(self) -> None:
        """Processes of the guard's group still alive 3 s after it exited (workers it did not
        shut down) would skew later runs: note what they are, then kill them."""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            left = _group_members(self._proc.pid)
            if not left:
                return
            time.sleep(0.1)
        self.left_processes = left
        os.killpg(self._proc.pid, signal.SIGKILL)

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time used so far by (the guard's main process, it and all its workers)."""
        processes = _group_processes(self._proc.pid)
        main = sum(cpu for pid, _, cpu, _ in processes if int(pid) == self._proc.pid)
        return main, sum(cpu for _, _, cpu, _ in processes)

    def _read_output(self) -> str:
        parts = []
        for name in ("stderr", "stdout"):
            path = self._root / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    def stderr_tail(self, lines: int = 20) -> str:
        text = self.stderr_text or self._read_output()
        return "\n".join(text.splitlines()[-lines:]) or "(guard wrote nothing)"


def _group_processes(pgid: int) -> list[tuple[str, str, float, str]]:
    """(pid, state, CPU seconds, command) of every process in process group `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # it exited while we looked
        if int(fields[2]) == pgid:  # fields[0] is /proc/PID/stat's 3rd field, the state
            cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
            found.append((stat.parent.name, fields[0], cpu, cmdline.strip()[:200]))
    return found


def _group_members(pgid: int) -> list[str]:
    """Live (non-zombie) processes in group `pgid`, as "pid state command" strings."""
    return [f"{pid} {state} {cmd}" for pid, state, _, cmd in _group_processes(pgid) if state != "Z"]
