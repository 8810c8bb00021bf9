"""The directory sync in a running guard (issue 21), against a real slapd behind a relay: the
guard syncs at start and says so in /healthz (counts, no names, in its log too); `directory
sync --dry-run` shows a department move on the terminal and writes nothing; the directory
going away makes `directory sync` fail with its code, /healthz say stale (still 200) and the
console's dashboard show a banner, in Japanese without English words, and in English."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.page_words import english_words

from .cli import add_user, cli
from .slapd import GROUPS, PEOPLE, SYNC_DN, SYNC_PW, Cutter, SlapdServer
from .support import wait_until

pytestmark = pytest.mark.process

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NAMES = ("taro", "山田", "sales-head", "佐藤", "営業部")


@pytest.fixture(scope="module")
def slapd():
    server = SlapdServer().start()
    yield server
    server.stop()


def _health(guard) -> str:
    r = httpx.get(guard.base_url + "/healthz", timeout=5)
    assert r.status_code == 200  # a stale directory never takes the guard out of the balancer
    return r.text


def test_guard_syncs_dry_run_and_stale_directory(guard_factory, slapd, monkeypatch):
    relay = Cutter(slapd.port)
    monkeypatch.setenv("H1_SYNC_PASSWORD", SYNC_PW)  # inherited by the guard and the CLI
    directory = {
        "url": f"ldap://127.0.0.1:{relay.port}",
        "ca_file": str(slapd.ca_file),
        "bind_dn": SYNC_DN,
        "bind_password_env": "H1_SYNC_PASSWORD",
        "people": {"base": PEOPLE, "filter": "(&(objectClass=inetOrgPerson)(mail=*))"},
        "groups": {"base": GROUPS, "filter": "(objectClass=groupOfNames)"},
        "attributes": {"department": "departmentNumber"},
        "timeout": "3s",
    }
    guard = guard_factory(directory=directory)
    add_user(guard, "root@example.co.jp", "long enough pw", "admin")  # writes the config file too
    try:
        guard.start()
        wait_until(lambda: "directory: ok people=5 groups=2" in _health(guard), lambda: _health(guard))
        assert "event=directory_synced people=5 groups=2 added=5" in guard.log

        slapd.replace(f"uid=taro,{PEOPLE}", departmentNumber=["総務部"])
        config = ("--config", str(guard.config_path))
        dry = cli("directory", "sync", "--dry-run", *config, text=True, cwd=guard.workdir, timeout=60)
        assert dry.returncode == 0, dry.stderr
        assert "people changed: 1" in dry.stdout and "taro@example.co.jp (department)" in dry.stdout
        again = cli("directory", "sync", "--dry-run", *config, text=True, cwd=guard.workdir, timeout=60)
        assert "people changed: 1" in again.stdout  # the dry run wrote nothing

        relay.refuse()  # the directory goes away
        failed = cli("directory", "sync", *config, text=True, cwd=guard.workdir, timeout=60)
        assert failed.returncode == 1 and "unreachable" in failed.stderr
        wait_until(
            lambda: "directory: stale error=unreachable last_ok_age=" in _health(guard),
            lambda: _health(guard),
        )
        with httpx.Client(base_url=guard.base_url, timeout=10) as web:
            form = web.get("/admin/login")
            web.post(
                "/admin/login",
                data={
                    "login": "root@example.co.jp",
                    "password": "long enough pw",
                    "csrf": CSRF.search(form.text).group(1),
                },
            )
            ja = web.get("/admin/")
            assert 'id="directory-stale"' in ja.text and "サーバーに接続できません" in ja.text
            assert english_words(ja.text) == []
            en = web.get("/admin/?lang=en")
            assert "The company directory cannot be read: the server cannot be reached" in en.text
        log = guard.log
        for name in NAMES:
            assert name not in log  # counts and codes only
    finally:
        relay.close()
