"""The guard's command line as an operator runs it: `python -m proxy.cli …` in a child process,
so that a test sees exactly the exit status, stdout and stderr a shell would."""

from __future__ import annotations

import subprocess
from typing import Any

import yaml

from .zygote import zygote


def cli(*args: str, **run: Any) -> subprocess.CompletedProcess:
    """`proxy.cli ARGS`, with subprocess.run's text, input, cwd, env and timeout; the child is
    forked from the test process's zygote (tests/zygote.py), which has the guard imported."""
    return zygote().run("proxy.cli", list(args), **run)


def add_user(guard, login: str, password: str, role: str = "sender") -> subprocess.CompletedProcess:
    """`user add` with the guard's own configuration: into its database (issue 20), before
    it starts or while it runs, as the admin does."""
    guard.config_path.write_text(yaml.safe_dump(guard.config, allow_unicode=True), "utf-8")
    out = cli(
        "user",
        "add",
        login,
        "--role",
        role,
        "--password-stdin",
        "--config",
        str(guard.config_path),
        input=password + "\n",
        text=True,
        cwd=guard.workdir,
    )
    assert out.returncode == 0, out.stderr
    return out
