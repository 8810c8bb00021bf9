"""/healthz names the instance, the database and the upstream; /metrics labels every sample with
the instance (issue 20). The upstream probe is cached; the deployment files are valid."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from proxy import health
from proxy.endpoints import parse_upstream
from proxy.errors import ConfigError
from proxy.health import UpstreamProbe
from proxy.settings import load_settings
from quarantine.forwarded import LOOPBACK, only_from

from .support import free_port

ROOT = Path(__file__).resolve().parent.parent


def _probe(url: str, **kw) -> UpstreamProbe:
    return UpstreamProbe(parse_upstream(url, Path.cwd()), **kw)


def test_the_probe_says_ok_to_a_greeting_and_asks_once_for_many(upstream, monkeypatch):
    monkeypatch.setattr(health, "CACHE_FOR", 0.5)

    async def scenario():
        probe = _probe(upstream.url)
        answers = await asyncio.gather(*(probe() for _ in range(20)))
        cached = probe.probes
        await asyncio.sleep(0.6)
        again = await probe()
        return answers, cached, again, probe.probes

    answers, cached, again, probes = asyncio.run(scenario())
    assert answers == ["ok"] * 20 and cached == 1, "twenty checks at once: one connection"
    assert (again, probes) == ("ok", 2), "stale after CACHE_FOR: asked again"


def test_the_probe_says_down_fast_when_nobody_listens_or_nobody_greets():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts (the kernel does) and never says 220

    async def scenario():
        started = time.monotonic()
        refused = await _probe(f"smtp://127.0.0.1:{free_port()}")()
        mute = await _probe(f"smtp://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)()
        return refused, mute, time.monotonic() - started

    try:
        refused, mute, took = asyncio.run(scenario())
    finally:
        silent.close()
    assert refused == "down (ConnectionRefusedError)"
    assert mute == "down (no greeting within 0.5s)" and took < 2


def _settings(tmp_path: Path, text: str, environ: dict | None = None):
    path = tmp_path / "guard.yaml"
    path.write_text(text, "utf-8")
    return load_settings(path, environ or {})


def test_instance_id_defaults_to_the_host_name_and_is_validated(tmp_path):
    assert _settings(tmp_path, "{}").instance_id == socket.gethostname()
    assert _settings(tmp_path, "instance: {id: guard-a}").instance_id == "guard-a"
    assert _settings(tmp_path, "{}", {"MDG_INSTANCE_ID": "2"}).instance_id == "2"
    for bad in ('"a b"', '""', '"x\\ny"', "[a]", '"' + "a" * 64 + '"', '"-a"', '"a\\"b"'):
        with pytest.raises(ConfigError, match=r"instance\.id"):
            _settings(tmp_path, f"instance: {{id: {bad}}}")


def test_healthz_and_metrics_name_the_instance_and_the_upstream(guard_factory, upstream):
    guard = guard_factory(instance={"id": "guard-a"}).start()
    r = httpx.get(guard.base_url + "/healthz", timeout=5)
    assert r.status_code == 200
    assert r.text == "ok\ninstance: guard-a\ndatabase: ok\nupstream: ok\n"
    metrics = httpx.get(guard.base_url + "/metrics", timeout=5).text
    samples = [line for line in metrics.splitlines() if line and not line.startswith("#")]
    assert samples and all('instance="guard-a"' in line for line in samples), samples[:5]
    # The upstream down: still 200 (the guard holds mail and serves its pages), and said so.
    upstream.stop()
    try:
        deadline = time.monotonic() + 10  # the previous answer is cached a few seconds
        while "upstream: ok" in (r := httpx.get(guard.base_url + "/healthz", timeout=5)).text:
            assert time.monotonic() < deadline, r.text
            time.sleep(0.2)
        assert r.status_code == 200
        assert r.text.splitlines()[:3] == ["ok", "instance: guard-a", "database: ok"]
        assert r.text.splitlines()[3].startswith("upstream: down (")
    finally:
        upstream.controller = upstream._controller()  # the fixture stops it at the end
        upstream.controller.start()


def test_healthz_details_only_to_trusted_networks_the_rest_read_the_bare_verdict(guard_factory):
    """The web port also serves hold links to the internet: the host name and the upstream's
    state go to the load balancer's and monitoring's networks (smtp.trusted_networks, and
    loopback), the first line alone to anyone else, same status."""
    guard = guard_factory(
        instance={"id": "guard-a"}, smtp={"trusted_networks": []}, web={"trusted_proxies": ["127.0.0.1/32"]}
    ).start()
    mine = httpx.get(guard.base_url + "/healthz", timeout=5)  # loopback: always trusted
    assert mine.status_code == 200 and "instance: guard-a" in mine.text, mine.text
    for forwarded in ("203.0.113.9", "127.0.0.1, 203.0.113.9", "not-an-ip", "203.0.113.9, 127.0.0.1"):
        r = httpx.get(guard.base_url + "/healthz", headers={"X-Forwarded-For": forwarded}, timeout=5)
        assert (r.status_code, r.text) == (200, "ok\n"), (forwarded, r.text)


def test_only_from_believes_no_address_outside_the_networks():
    nets = (ipaddress.ip_network("10.0.0.0/8"),) + LOOPBACK
    assert only_from("10.1.2.3", None, nets) and only_from("127.0.0.1", "10.0.0.5, 127.0.0.1", nets)
    assert not only_from("192.0.2.1", None, nets)
    assert not only_from("127.0.0.1", "10.0.0.5, 192.0.2.1", nets)
    assert not only_from("127.0.0.1", "10.0.0.5, junk", nets)
    assert not only_from("127.0.0.1", "fe80::1%eth0", nets)


@pytest.mark.process  # haproxy -c
def test_the_compose_file_has_two_guards_behind_haproxy_checking_healthz():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    services = compose["services"]
    guards = [name for name, s in services.items() if s.get("environment", {}).get("MDG_INSTANCE_ID")]
    assert len(guards) == 2
    ids = {services[g]["environment"]["MDG_INSTANCE_ID"] for g in guards}
    stores = {services[g]["environment"]["MDG_STORAGE"] for g in guards}
    assert len(ids) == 2 and len(stores) == 1, "two instances, one PostgreSQL"
    assert "haproxy" in services
    cfg = (ROOT / "deploy" / "haproxy.cfg").read_text("utf-8")
    assert "option httpchk GET /healthz" in cfg
    for g in guards:
        assert f"server {g} {g}:2525" in cfg and f"server {g} {g}:8025" in cfg
    if shutil.which("haproxy"):  # the Debian package: its own syntax check
        check = subprocess.run(
            ["haproxy", "-c", "-f", str(ROOT / "deploy" / "haproxy.cfg")], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
