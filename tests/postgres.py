"""A throw-away PostgreSQL server for the tests: initdb in a temp dir, on a free port.

The server runs as the `postgres` system user (it refuses to run as root), which the
Debian package `postgresql` creates; `make install` installs it (.ci/system-packages).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .support import free_port


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise AssertionError(
            "PostgreSQL server not installed: run `make install` (as root) or `apt-get install postgresql`"
        )
    return Path(found[-1]).parent


class PostgresServer:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="mdg-pg-"))
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresServer:
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = self.dir / "data"
        out = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "--auth=trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--no-sync",
        )
        assert out.returncode == 0, out.stderr
        self.resume()
        return self

    def create_database(self, name: str) -> str:
        out = self._run(
            str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name
        )
        assert out.returncode == 0, out.stderr
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self.thaw()
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)
        time.sleep(0.1)

    # --- faults: a database gone (halt/resume keep the data) or hanging (freeze/thaw) -----
    def halt(self) -> None:
        """Stop the server the way a crash does; the data directory stays."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop")

    def resume(self) -> None:
        """Start the server on its data directory (the first start, or after a halt)."""
        data = self.dir / "data"
        out = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F",
            "start",
        )
        assert out.returncode == 0, out.stderr + (self.dir / "log").read_text()

    def freeze(self) -> None:
        """SIGSTOP every process of the server: connections are accepted by the kernel and
        nothing answers, as with a hung host or a storage stall."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, sig: int) -> None:
        pid_file = self.dir / "data" / "postmaster.pid"
        if not pid_file.exists():
            return
        postmaster = int(pid_file.read_text().split()[0])
        for pid in [postmaster, *_children(postmaster)]:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def _children(parent: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:  # field 4 of stat: the parent's pid
            found.append(int(stat.split("/")[2]))
    return found
