"""A throw-away Postfix instance for the tests: its own configuration and queue in a temp dir,
smtpd on a free 127.0.0.1 port, every message relayed to a relayhost (the guard).

Postfix's master runs as root and its daemons as the `postfix` user, which the Debian package
`postfix` creates; `make install` installs it (.ci/system-packages). No DNS, no local delivery,
no chroot, short queue delays; its log goes to a file (postlogd), not to syslog.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from bench.mta import wait_gone

from .support import free_port, wait_until

# Only the services a relay needs (the Debian master.cf, chroot off).
_MASTER = """\
{port}  inet  n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

_MAIN = """\
compatibility_level = 3.6
config_directory = {dir}/etc
queue_directory = {dir}/spool
data_directory = {dir}/data
meta_directory = /etc/postfix
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.postfix.test
mydomain = postfix.test
myorigin = $myhostname
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery here
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{relay_port}
smtp_host_lookup = native
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
biff = no
"""


class PostfixServer:
    def __init__(self, relay_port: int) -> None:
        if not shutil.which("postfix") and not os.path.exists("/usr/sbin/postfix"):
            raise AssertionError(
                "Postfix not installed: run `make install` (as root) or `apt-get install postfix`"
            )
        if os.geteuid() != 0:
            raise AssertionError("Postfix's master must start as root")
        self.port = free_port()
        self.relay_port = relay_port
        self.dir = Path(tempfile.mkdtemp(prefix="mdg-postfix-"))
        os.chmod(self.dir, 0o755)  # the postfix user reads its configuration under it

    @property
    def config_dir(self) -> Path:
        return self.dir / "etc"

    @property
    def log(self) -> str:
        path = self.dir / "maillog"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def _postfix(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["postfix", "-c", str(self.config_dir), *args], capture_output=True, text=True, timeout=60
        )

    def start(self) -> PostfixServer:
        self.config_dir.mkdir()
        (self.config_dir / "main.cf").write_text(_MAIN.format(dir=self.dir, relay_port=self.relay_port))
        (self.config_dir / "master.cf").write_text(_MASTER.format(port=f"127.0.0.1:{self.port}"))
        for name in ("spool", "data"):
            (self.dir / name).mkdir()
        shutil.chown(self.dir / "data", "postfix", "postfix")
        out = self._postfix("start")  # "postfix check" creates the queue's directories
        assert out.returncode == 0, f"postfix start failed: {self._why()}\n{self.log}"
        wait_until(
            lambda: _listening(self.port), lambda: f"Postfix's smtpd did not come up:\n{self.log}", timeout=20
        )
        return self

    def _why(self) -> str:
        """Postfix's commands say why only to a terminal: ask `postfix check` through one."""
        out = subprocess.run(
            ["script", "-qec", f"postfix -c {self.config_dir} check", "/dev/null"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return out.stdout + out.stderr

    def queue(self) -> str:
        out = subprocess.run(
            ["postqueue", "-c", str(self.config_dir), "-p"], capture_output=True, text=True, timeout=30
        )
        return out.stdout

    def stop(self) -> None:
        """`postfix stop`; if its master (started here) outlives that, `abort`, then SIGKILL."""
        pid = _master_pid(self.dir / "spool" / "pid" / "master.pid")
        self._postfix("stop")
        if pid is not None and not wait_gone(pid, 15):
            self._postfix("abort")
            if not wait_gone(pid, 5):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            return s.recv(3) == b"220"
    except OSError:
        return False


def _master_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
