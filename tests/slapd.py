"""A throw-away OpenLDAP server for the directory sync's tests (Debian `slapd`): its own config
and database in a temp dir, on free ports, ldap:// (StartTLS) and ldaps:// with a certificate
from a test CA; a small org chart loaded from LDIF; a sync account that may only read, under
a size limit that only a paged search gets past (as AD's MaxPageSize does).

`Cutter` is a TCP relay in front of it: `cut_after(n)` drops the connection after n bytes
from the server (the directory going away mid-sync), `refuse()` closes the door."""

from __future__ import annotations

import base64
import contextlib
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import trustme

from proxy.org_ldap import Connection, Server, Tls  # ldap3, imported without pyasn1's warnings

from .support import free_port, wait_until

SUFFIX = "dc=example,dc=co,dc=jp"
ADMIN = f"cn=admin,{SUFFIX}"
ADMIN_PW = "admin-secret"
SYNC_DN = f"cn=mdg-sync,ou=service,{SUFFIX}"
SYNC_PW = "sync-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
TLSCACertificateFile {dir}/ca.pem
TLSCertificateFile {dir}/cert.pem
TLSCertificateKeyFile {dir}/key.pem
database mdb
maxsize 104857600
suffix "{suffix}"
rootdn "{admin}"
rootpw {admin_pw}
directory {dir}/db
limits dn.exact="{sync}" size.soft=5 size.hard=5 size.pr=unlimited size.prtotal=unlimited
overlay memberof
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{sync}" read by * none
"""


def person(uid: str, name: str, dept: str, manager: str | None = None, mail: str | None = None) -> str:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {uid}",
        f"sn: {uid}",
        "mail:: " + base64.b64encode((mail or uid + "@example.co.jp").encode()).decode(),
        "displayName:: " + base64.b64encode(name.encode()).decode(),
        "departmentNumber:: " + base64.b64encode(dept.encode()).decode(),
    ]
    if manager:
        lines.append(f"manager: uid={manager},{PEOPLE}")
    return "\n".join(lines)


def group(cn: str, *uids: str) -> str:
    return "\n".join(
        [f"dn: cn={cn},{GROUPS}", "objectClass: groupOfNames", f"cn: {cn}"]
        + [f"member: uid={u},{PEOPLE}" for u in uids]
    )


# The org chart: 社長 <- 営業部長 <- two in sales; the sync account; two groups.
ORG_LDIF = "\n\n".join(
    [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: ou=service,{SUFFIX}\nobjectClass: organizationalUnit\nou: service",
        f"dn: {SYNC_DN}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\n"
        f"cn: mdg-sync\nuserPassword: {SYNC_PW}",
        person("ceo", "鈴木 一郎", "経営"),
        person("sales-head", "佐藤 花子", "営業部", manager="ceo"),
        person("taro", "山田 太郎", "営業部", manager="sales-head"),
        person("jiro", "田中 次郎", "営業部", manager="sales-head"),
        person("admin1", "高橋 三郎", "総務部", manager="ceo"),
        group("sales", "sales-head", "taro", "jiro"),
        group("all-staff", "ceo", "sales-head", "taro", "jiro", "admin1"),
    ]
)


def parse_ldif(text: str) -> list[tuple[str, dict[str, list[str]]]]:
    """Just the LDIF the tests write (RFC 2849 `attr: value` and `attr:: base64`)."""
    entries = []
    for block in text.strip().split("\n\n"):
        attrs: dict[str, list[str]] = {}
        for line in block.splitlines():
            name, _, value = line.partition(":")
            value = base64.b64decode(value[1:].strip()).decode() if value.startswith(":") else value.strip()
            attrs.setdefault(name, []).append(value)
        dn = attrs.pop("dn")[0]
        entries.append((dn, attrs))
    return entries


class SlapdServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mdg-slapd-"))
        self.port, self.ldaps_port = free_port(), free_port()
        self.ca = trustme.CA()
        self.ca_file = self.dir / "ca.pem"
        self.proc: subprocess.Popen | None = None

    def start(self) -> SlapdServer:
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        cert.cert_chain_pems[0].write_to_path(str(self.dir / "cert.pem"))
        cert.private_key_pem.write_to_path(str(self.dir / "key.pem"))
        (self.dir / "db").mkdir()
        conf = self.dir / "slapd.conf"
        conf.write_text(
            CONF.format(dir=self.dir, suffix=SUFFIX, admin=ADMIN, admin_pw=ADMIN_PW, sync=SYNC_DN)
        )
        urls = f"ldap://127.0.0.1:{self.port}/ ldaps://127.0.0.1:{self.ldaps_port}/"
        self.proc = subprocess.Popen(
            ["/usr/sbin/slapd", "-f", str(conf), "-h", urls, "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _listening(self.port) and _listening(self.ldaps_port), "slapd did not start")
        with self.admin() as conn:
            for dn, attrs in parse_ldif(ORG_LDIF):
                assert conn.add(dn, attributes=attrs), (dn, conn.result)
        return self

    @contextlib.contextmanager
    def admin(self) -> Iterator[Connection]:
        """The root DN over StartTLS (unbound at the end: ldap3's own `with` leaves a
        connection opened before it open)."""
        tls = Tls(ca_certs_file=str(self.ca_file))
        conn = Connection(
            Server("127.0.0.1", port=self.port, tls=tls), ADMIN, ADMIN_PW, raise_exceptions=True
        )
        conn.open()
        try:
            conn.start_tls()
            conn.bind()
            yield conn
        finally:
            conn.unbind()

    def add_ldif(self, text: str) -> None:
        with self.admin() as conn:
            for dn, attrs in parse_ldif(text):
                conn.add(dn, attributes=attrs)

    def replace(self, dn: str, **values: list[str]) -> None:
        with self.admin() as conn:
            conn.modify(dn, {k: [("MODIFY_REPLACE", v)] for k, v in values.items()})

    def delete(self, dn: str) -> None:
        with self.admin() as conn:
            conn.delete(dn)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class Cutter:
    """A TCP relay to `port`: all bytes pass until cut_after(n) or refuse()."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.limit: int | None = None  # bytes from the server per connection, then the cut
        self.refusing = False
        self.last_bytes = 0  # from the server, on the last connection closed
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, n: int | None) -> None:
        self.limit = n

    def refuse(self, on: bool = True) -> None:
        self.refusing = on

    def close(self) -> None:
        self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.limit, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None, count: bool = False) -> None:
        sent = 0
        try:
            while data := src.recv(4096):
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: limit - sent])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        if count:
            self.last_bytes = sent
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
