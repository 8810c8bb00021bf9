"""The zygote (tests/zygote.py) starts the guard and its commands for the other tests: a child
forked from it must look to the program exactly as `python -m` would make it look, or those
tests would test something else. Each case runs the same program both ways and compares."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from .zygote import zygote

pytestmark = pytest.mark.process

PROBE = """
import json, os, sys
data = sys.stdin.read()
print(json.dumps({
    "argv": sys.argv[1:],
    "argv0": os.path.basename(sys.argv[0]),
    "cwd": os.getcwd(),
    "path0": sys.path[0],
    "name": __name__,
    "env": os.environ.get("PROBE_VALUE"),
    "stdin": data,
    "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
}))
print("line one\\r\\nline two", file=sys.stderr)
sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
"""


@pytest.fixture
def probe(tmp_path):
    (tmp_path / "probe.py").write_text(PROBE, "utf-8")
    return tmp_path


def both(probe, *args: str, **run) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    real = subprocess.run([sys.executable, "-m", "probe", *args], capture_output=True, cwd=probe, **run)
    forked = zygote().run("probe", list(args), cwd=probe, **run)
    return real, forked


def test_a_forked_module_sees_what_python_dash_m_shows_it(probe):
    env = {**os.environ, "PROBE_VALUE": "値", "PROBE_EXIT": "3"}
    real, forked = both(probe, "--flag", "два", input="入力\n", text=True, env=env)
    assert forked.returncode == real.returncode == 3
    seen, expected = json.loads(forked.stdout), json.loads(real.stdout)
    assert seen == expected  # the standard three and the listing's own: nothing inherited
    assert seen["path0"] == str(probe) and seen["name"] == "__main__"
    assert seen["argv"] == ["--flag", "два"] and seen["stdin"] == "入力\n" and seen["env"] == "値"
    assert forked.stderr == real.stderr == "line one\nline two\n"  # universal newlines, as text=True


def test_bytes_and_an_uncaught_exception_are_as_python_reports_them(probe):
    (probe / "crash.py").write_text("raise ValueError('boom')\n", "utf-8")
    real = subprocess.run([sys.executable, "-m", "crash"], capture_output=True, cwd=probe)
    forked = zygote().run("crash", [], cwd=probe)
    assert forked.returncode == real.returncode == 1
    assert isinstance(forked.stdout, bytes) and forked.stdout == real.stdout == b""
    assert forked.stderr.splitlines()[-1] == real.stderr.splitlines()[-1] == b"ValueError: boom"


def test_the_guard_command_line_answers_the_same(tmp_path):
    for args in (["--help"], ["no-such-command"], ["check", "--config", str(tmp_path / "missing.yaml")]):
        real = subprocess.run([sys.executable, "-m", "proxy.cli", *args], capture_output=True, text=True)
        forked = zygote().run("proxy.cli", args, text=True)
        assert (forked.returncode, forked.stdout, forked.stderr) == (
            real.returncode,
            real.stdout,
            real.stderr,
        )


def test_a_killed_child_reports_the_signal_and_a_slow_one_times_out(probe):
    (probe / "sleeper.py").write_text("import time\ntime.sleep(60)\n", "utf-8")
    with open(os.devnull, "rb") as null, open(probe / "log", "wb") as log:
        child = zygote().spawn(
            "sleeper", [], cwd=probe, env=dict(os.environ), fds=(null.fileno(), log.fileno(), log.fileno())
        )
    assert child.poll() is None
    child.kill()
    assert child.wait(10) == -signal.SIGKILL
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        zygote().run("sleeper", [], cwd=probe, timeout=0.5)
    assert time.monotonic() - started < 5
