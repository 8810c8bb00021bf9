"""The demo deployment agrees with itself and with the guard's defaults.

Docker cannot run where the tests run, so docker-compose.yml, the Dockerfile and the mounted
config are checked as files: ports, service names, credentials and paths must line up. The
stack is two guards (guard-a, guard-b) behind HAProxy (deploy/haproxy.cfg), which alone
publishes the SMTP and web ports and checks each guard on GET /healthz.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
HAPROXY_CFG = REPO / "deploy" / "haproxy.cfg"
GUARDS = ("guard-a", "guard-b")
CONFIG_KEYS = {
    "organization",
    "smtp",
    "web",
    "upstream",
    "delivery",
    "storage",
    "rules",
    "inspection",
    "quarantine",
}
MAILPIT_SMTP_PORT = 1025  # Mailpit's default SMTP listener
POSTGRES_PORT = 5432


# --- helpers: the compose file's short and long syntaxes, reduced to plain values ---------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module", params=GUARDS)
def guard(request, services) -> dict:
    """Each guard in turn: every check on "the guard" holds for both."""
    return services[request.param]


def haproxy_sections() -> dict[str, list[str]]:
    """'frontend web' -> its lines (comments dropped), from deploy/haproxy.cfg."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in HAPROXY_CFG.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not raw[0].isspace():
            current = sections.setdefault(" ".join(line.split()[:2]), [])
        else:
            current.append(line.strip())
    return sections


def frontend_backend(sections: dict[str, list[str]], port: int) -> str:
    """The backend a frontend bound on `port` sends to."""
    for name, lines in sections.items():
        if name.startswith("frontend ") and f"bind :{port}" in lines:
            default = [x.split()[1] for x in lines if x.startswith("default_backend ")]
            assert default, f"{name} has no default_backend"
            return default[0]
    raise AssertionError(f"no haproxy frontend binds :{port}")


def backend_servers(sections: dict[str, list[str]], backend: str) -> dict[str, list[str]]:
    """server name -> the rest of its line."""
    lines = sections[f"backend {backend}"]
    return {x.split()[1]: x.split()[2:] for x in lines if x.startswith("server ")}


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def published_ports(service: dict) -> dict[int, int]:
    """host port -> container port, for TCP."""
    out = {}
    for item in service.get("ports") or []:
        if isinstance(item, dict):
            if item.get("protocol", "tcp") == "tcp":
                out[int(item["published"])] = int(item["target"])
            continue
        text, _, proto = str(item).partition("/")
        if proto not in ("", "tcp"):
            continue
        parts = text.rsplit(":", 2)  # [ip:]host:container
        assert len(parts) >= 2, f"port {item!r} is not published on a fixed host port"
        out[int(parts[-2])] = int(parts[-1])
    return out


def bind_mounts(service: dict) -> dict[str, str]:
    """container target -> host source, for bind mounts (sources starting with . or /)."""
    out = {}
    for item in service.get("volumes") or []:
        if isinstance(item, dict):
            if item.get("type") == "bind":
                out[item["target"]] = item["source"]
            continue
        source, target = str(item).split(":")[:2]
        if source.startswith((".", "/")):
            out[target] = source
    return out


def listen_port(value: str) -> int:
    m = re.fullmatch(r"\[?[^\]]+?\]?:(\d+)", value)
    assert m, f"not HOST:PORT: {value!r}"
    return int(m.group(1))


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text("utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def dockerfile_cmd() -> list[str]:
    cmds = [rest for word, rest in dockerfile_instructions() if word == "CMD"]
    assert cmds, "the Dockerfile has no CMD"
    cmd = json.loads(cmds[-1])
    assert isinstance(cmd, list), "CMD must be in exec (JSON array) form"
    return cmd


def config_mount(guard: dict) -> tuple[str, Path]:
    cmd = dockerfile_cmd()
    assert "--config" in cmd, f"CMD does not pass --config: {cmd}"
    target = cmd[cmd.index("--config") + 1]
    mounts = bind_mounts(guard)
    assert target in mounts, f"{target} (the CMD's config) is not mounted; mounts: {mounts}"
    return target, (COMPOSE_FILE.parent / mounts[target]).resolve()


# --- the compose file ----------------------------------------------------------------------


def test_services_exist(services):
    assert {*GUARDS, "haproxy", "postgres", "mailpit"} <= set(services)
    assert all("build" in services[g] for g in GUARDS)
    ids = {environment(services[g])["MDG_INSTANCE_ID"] for g in GUARDS}
    assert ids == set(GUARDS), "each guard its own instance.id"
    assert "image" in services["haproxy"] and set(GUARDS) <= set(services["haproxy"]["depends_on"])


def test_haproxy_publishes_smtp_and_web_and_sends_them_to_the_ports_each_guard_listens_on(services, guard):
    env = environment(guard)
    smtp, web = listen_port(env["MDG_SMTP_LISTEN"]), listen_port(env["MDG_WEB_LISTEN"])
    assert (smtp, web) == (2525, 8025)
    assert not published_ports(guard), "the guards are reached through HAProxy only"
    ports = published_ports(services["haproxy"])
    assert {2525, 8025} <= set(ports)
    sections = haproxy_sections()
    name = environment(guard)["MDG_INSTANCE_ID"]
    for published, listen in ((2525, smtp), (8025, web)):
        servers = backend_servers(sections, frontend_backend(sections, ports[published]))
        assert set(servers) == set(GUARDS), f"every guard behind :{published}"
        assert servers[name][0] == f"{name}:{listen}"
    assert not env["MDG_SMTP_LISTEN"].startswith("127."), "loopback is unreachable from HAProxy"
    assert not env["MDG_WEB_LISTEN"].startswith("127.")


def test_haproxy_checks_each_guard_on_healthz_for_smtp_and_web(services, guard):
    sections = haproxy_sections()
    web = listen_port(environment(guard)["MDG_WEB_LISTEN"])
    name = environment(guard)["MDG_INSTANCE_ID"]
    ports = published_ports(services["haproxy"])
    for published in (2525, 8025):
        backend = frontend_backend(sections, ports[published])
        lines = sections[f"backend {backend}"]
        assert "option httpchk GET /healthz" in lines and "http-check expect status 200" in lines
        rest = backend_servers(sections, backend)[name]
        checked = "check" in rest or "check" in " ".join(sections.get("defaults", [])).split()
        assert checked, f"{name} is not health-checked in {backend}"
        if "port" in rest:  # the SMTP backend checks the guard's web port
            assert int(rest[rest.index("port") + 1]) == web
        else:
            assert rest[0] == f"{name}:{web}", f"{backend} checks {name} on a port without /healthz"


def test_host_ports_do_not_clash(services):
    seen: dict[int, str] = {}
    for name, service in services.items():
        for host_port in published_ports(service):
            assert host_port not in seen, f"host port {host_port}: {seen.get(host_port)} and {name}"
            seen[host_port] = name
    assert published_ports(services["mailpit"]) == {8026: 8025}


def test_public_url_is_haproxys_web_port_which_reaches_the_guards_web(services, guard):
    """Any guard serves any link: the URL in notices is the balancer's."""
    url = urlsplit(environment(guard)["MDG_WEB_PUBLIC_URL"])
    ports = published_ports(services["haproxy"])
    assert url.scheme == "http" and url.port in ports
    sections = haproxy_sections()
    servers = backend_servers(sections, frontend_backend(sections, ports[url.port]))
    web = listen_port(environment(guard)["MDG_WEB_LISTEN"])
    assert servers[environment(guard)["MDG_INSTANCE_ID"]][0].endswith(f":{web}")


def test_upstream_is_mailpit_smtp(services, guard):
    url = urlsplit(environment(guard)["MDG_UPSTREAM"])
    mailpit_env = environment(services["mailpit"])
    mailpit_smtp = (
        listen_port(mailpit_env["MP_SMTP_BIND_ADDR"])
        if "MP_SMTP_BIND_ADDR" in mailpit_env
        else MAILPIT_SMTP_PORT
    )
    assert url.scheme == "smtp"
    assert url.hostname == "mailpit" and url.hostname in services
    assert url.port == mailpit_smtp == 1025


def test_storage_is_the_postgres_service(services, guard):
    url = urlsplit(environment(guard)["MDG_STORAGE"])
    pg = environment(services["postgres"])
    assert url.scheme in ("postgresql", "postgres")
    assert url.hostname == "postgres" and url.hostname in services
    assert (url.port or POSTGRES_PORT) == POSTGRES_PORT
    assert url.username == pg["POSTGRES_USER"]
    assert url.password == pg["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == pg.get("POSTGRES_DB", pg["POSTGRES_USER"])


def test_guard_waits_for_healthy_postgres(services, guard):
    depends = guard.get("depends_on")
    assert isinstance(depends, dict), "depends_on needs the long form to carry a condition"
    assert depends["postgres"]["condition"] == "service_healthy"
    assert "mailpit" in depends
    check = services["postgres"].get("healthcheck", {}).get("test")
    assert check and "pg_isready" in " ".join(check if isinstance(check, list) else [check])


def test_trusted_networks_include_the_docker_bridge(guard):
    import ipaddress

    networks = yaml.safe_load(environment(guard)["MDG_SMTP_TRUSTED_NETWORKS"])
    assert isinstance(networks, list) and networks
    parsed = [ipaddress.ip_network(n, strict=False) for n in networks]
    assert any(ipaddress.ip_address("172.17.0.1") in n for n in parsed)


# --- the mounted config and the Dockerfile -------------------------------------------------


def test_mounted_config_exists_and_uses_known_keys(guard):
    _, source = config_mount(guard)
    assert source.is_file(), f"{source} is mounted but missing"
    assert REPO in source.parents, "the mounted config must live in the repository"
    config = yaml.safe_load(source.read_text("utf-8"))
    assert isinstance(config, dict) and config
    assert set(config) <= CONFIG_KEYS, f"unknown top-level keys: {set(config) - CONFIG_KEYS}"


def test_dockerfile_exposes_the_guard_ports():
    exposed = set()
    for word, rest in dockerfile_instructions():
        if word == "EXPOSE":
            exposed |= {int(p.split("/")[0]) for p in rest.split()}
    assert {2525, 8025} <= exposed


def test_dockerfile_cmd_reads_the_mounted_config(guard):
    target, _ = config_mount(guard)
    cmd = dockerfile_cmd()
    assert cmd[:2] == ["misdelivery-guard", "serve"]
    assert cmd[cmd.index("--config") + 1] == target


def test_dockerfile_runs_as_non_root():
    users = [rest for word, rest in dockerfile_instructions() if word == "USER"]
    assert users, "the Dockerfile never leaves root"
    assert users[-1].split(":")[0] not in ("root", "0")


# --- agreement with the guard itself -------------------------------------------------------


def test_compose_ports_match_the_embedded_defaults(services, guard, tmp_path, monkeypatch):
    from proxy.settings import load_settings

    monkeypatch.chdir(tmp_path)  # no ./guard.yaml: embedded defaults only
    defaults = load_settings(None, {})
    assert (defaults.smtp_listen.host, defaults.smtp_listen.port) == ("127.0.0.1", 2525)
    assert (defaults.web_listen.host, defaults.web_listen.port) == ("127.0.0.1", 8025)
    ports = published_ports(services["haproxy"])
    assert ports.get(defaults.smtp_listen.port) == defaults.smtp_listen.port
    assert ports.get(defaults.web_listen.port) == defaults.web_listen.port
    env = environment(guard)
    assert listen_port(env["MDG_SMTP_LISTEN"]) == defaults.smtp_listen.port
    assert listen_port(env["MDG_WEB_LISTEN"]) == defaults.web_listen.port


def test_guard_loads_the_mounted_config_with_the_compose_environment(guard):
    from proxy.settings import load_settings

    _, source = config_mount(guard)
    env = environment(guard)
    settings = load_settings(source, env)
    assert settings.smtp_listen.port == listen_port(env["MDG_SMTP_LISTEN"])
    assert settings.web_listen.port == listen_port(env["MDG_WEB_LISTEN"])
    assert (settings.upstream.host, settings.upstream.port) == ("mailpit", 1025)
    assert settings.storage.startswith("postgresql+asyncpg://") and "@postgres:" in settings.storage
    assert settings.public_url == env["MDG_WEB_PUBLIC_URL"].rstrip("/")
    # the file alone (no overrides) is valid for the container too
    alone = load_settings(source, {})
    assert alone.smtp_listen.port == 2525 and alone.web_listen.port == 8025
    assert alone.internal_domains == ("example.co.jp",)
    assert len(alone.clients) == 1 and alone.suppressed_recipients
