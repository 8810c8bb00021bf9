"""A throw-away PostgreSQL server for the tests: initdb in a temp dir, on a free port.

The server runs as the `postgres` system user (it refuses to run as root), which the
Debian package `postgresql` creates; `make install` installs it (.ci/system-packages).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .support import free_port


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise AssertionError("PostgreSQL server not installed: run `make install` (as root) "
                             "or `apt-get install postgresql`")
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

    def start(self) -> "PostgresServer":
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = self.dir / "data"
        out = self._run(str(self.bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres",
                        "--encoding=UTF8", "--no-sync")
        assert out.returncode == 0, out.stderr
        out = self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w",
                        "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F", "start")
        assert out.returncode == 0, out.stderr + (self.dir / "log").read_text()
        return self

    def create_database(self, name: str) -> str:
        out = self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "postgres", name)
        assert out.returncode == 0, out.stderr
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        time.sleep(0.1)
