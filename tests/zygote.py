"""Guard processes forked from a process that has already imported the guard.

`python -m proxy.cli serve` spends about 1.5 s of CPU on imports before it reads its
configuration, and the suite starts about 150 guards and 70 commands on 2 cores. So each test
worker keeps one zygote: a Python that imported the guard once and then forks a child per guard
or command (tests/cli.py). The child is a separate process like any other, with its own working
directory, environment, standard streams and exit status, and it runs `proxy.cli` as
`python -m` does (runpy, `__main__`, the working directory first on sys.path). Only the
imported modules are inherited; tests/test_zygote.py compares the two.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# The zygote itself: a `-c` program, so that no file of tests/ lands first on its sys.path.
_MAIN = r"""
import json, os, select, socket, sys, threading
import proxy.cli, proxy.server  # what `serve` needs; the reason this process exists

sock = socket.socket(fileno=int(sys.argv[1]))
status = sys.argv[2]
assert threading.active_count() == 1, "a thread in the zygote would be lost in its children"

def reap():
    while True:
        try:
            pid, raw = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        tmp = os.path.join(status, f".{pid}")
        with open(tmp, "w") as f:
            f.write(str(os.waitstatus_to_exitcode(raw)))
        os.replace(tmp, os.path.join(status, str(pid)))

def child(request, fds):
    sock.close()
    for fd, target in zip(fds, (0, 1, 2)):
        os.dup2(fd, target)
    os.closerange(3, 1 << 16)  # nothing else inherited, as Popen(close_fds=True)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()  # as `python -m` puts it
    sys.argv = ["-m", *request["args"]]
    sys.modules.pop(request["module"], None)  # not imported yet under `python -m`
    import atexit, runpy, traceback
    code = 0
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            code = exit.code or 0
        else:
            print(exit.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    threading._shutdown()  # then atexit: what the interpreter does on its way out
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)

while True:
    ready, _, _ = select.select([sock], [], [], 0.05)
    reap()
    if not ready:
        continue
    message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
    if not message:
        break
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        child(json.loads(message), fds)
    for fd in fds:
        os.close(fd)
    sock.sendall(f"{pid}\n".encode())
"""


class Child:
    """The subprocess.Popen calls the tests make on a guard, for a child of the zygote: it is
    not ours to wait for, so the zygote writes each exit status to a file named by the pid."""

    def __init__(self, pid: int, status: Path) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._status = status / str(pid)

    def poll(self) -> int | None:
        if self.returncode is None and self._status.exists():
            self.returncode = int(self._status.read_text())
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"zygote child {self.pid}", timeout)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:  # never signal a pid that may have been reused
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    def __init__(self) -> None:
        # SOCK_SEQPACKET: one request is one packet, its descriptors travel with it.
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._status = Path(tempfile.mkdtemp(prefix="mdg-zygote-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("MDG_")}
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _MAIN, str(theirs.fileno()), str(self._status)],
            pass_fds=[theirs.fileno()],
            cwd=self._status,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._lock = threading.Lock()

    def spawn(
        self, module: str, args: list[str], *, cwd: Path | str, env: dict[str, str], fds: tuple
    ) -> Child:
        """`python -m module args…` in `cwd`, its stdin, stdout and stderr the three `fds`."""
        request = {"module": module, "args": args, "cwd": str(cwd), "env": env}
        with self._lock:  # one request and its reply at a time
            socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
            line = self._sock.recv(64)
        if not line:
            raise RuntimeError(f"the zygote exited with {self._proc.wait()}")
        return Child(int(line), self._status)

    def run(
        self,
        module: str,
        args: list[str],
        *,
        input: str | bytes | None = None,
        text: bool = False,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess:
        """subprocess.run(capture_output=True) for `python -m module args…`."""
        pipes = [os.pipe() for _ in range(3)]
        ours = [pipes[0][1], pipes[1][0], pipes[2][0]]
        theirs = (pipes[0][0], pipes[1][1], pipes[2][1])
        try:
            child = self.spawn(
                module,
                args,
                cwd=os.getcwd() if cwd is None else cwd,
                env=dict(os.environ) if env is None else env,
                fds=theirs,
            )
        finally:
            for fd in theirs:
                os.close(fd)
        data = input.encode() if isinstance(input, str) else input or b""
        out: dict[int, bytes] = {}
        readers = [threading.Thread(target=_read_all, args=(fd, out), daemon=True) for fd in ours[1:]]
        for reader in readers:
            reader.start()
        with open(ours[0], "wb") as stdin:
            try:
                stdin.write(data)
            except BrokenPipeError:
                pass  # as subprocess does: the child did not read its input
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            raise subprocess.TimeoutExpired([module, *args], timeout or 0) from None
        for reader in readers:
            reader.join()
        stdout, stderr = out[ours[1]], out[ours[2]]
        if text:
            return subprocess.CompletedProcess(args, child.wait(), _text(stdout), _text(stderr))
        return subprocess.CompletedProcess(args, child.wait(), stdout, stderr)

    def close(self) -> None:
        self._sock.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        shutil.rmtree(self._status, ignore_errors=True)


def _text(data: bytes) -> str:
    """As subprocess.run(text=True) decodes: the locale's encoding, universal newlines."""
    decoded = data.decode(locale.getpreferredencoding(False))
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


def _read_all(fd: int, into: dict[int, bytes]) -> None:
    with open(fd, "rb") as pipe:
        into[fd] = pipe.read()


_zygote: list[Zygote] = []


def zygote() -> Zygote:
    """This test process's zygote, started on first use (a test marked `process`)."""
    if not _zygote or _zygote[0]._proc.poll() is not None:
        _zygote[:] = [Zygote()]
        atexit.register(_zygote[0].close)
    return _zygote[0]
