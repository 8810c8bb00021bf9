"""Fixtures shared by several test modules; a fixture used by one module stays in that module."""

import itertools
import subprocess

import magic  # noqa: F401  (loading libmagic runs ldconfig in a child, once, before any test)
import pytest
import trustme

from .admin_console import open_console
from .postgres import PostgresServer
from .support import Upstream, free_port, make_guard, running
from .zygote import Zygote

_db_names = itertools.count()

# The markers (registered in pyproject.toml) that follow from a fixture, so that they cannot be
# forgotten: a test that starts the guard is a `process` test, one on PostgreSQL a `postgres` test.
_MARK_BY_FIXTURE = {"guard_factory": "process", "postgres_server": "postgres"}


def pytest_collection_modifyitems(items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, mark in _MARK_BY_FIXTURE.items():
            if fixture in names:
                item.add_marker(mark)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("store_url") == "postgresql":
            item.add_marker("postgres")  # store_url asks for its server only when it runs


@pytest.fixture(autouse=True)
def _child_processes_are_marked(request, monkeypatch):
    """`make test-fast` leaves out the tests that start processes; one that starts a child without
    saying so fails here rather than slowing the fast run unnoticed."""
    if any(request.node.get_closest_marker(m) for m in ("process", "postgres", "browser")):
        return

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a child process: mark it @pytest.mark.process")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    monkeypatch.setattr(Zygote, "spawn", refuse)


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"guard{next(_db_names)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A Store URL on each database the guard supports: a SQLite file, a fresh PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}"
    url = request.getfixturevalue("postgres_url")
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


@pytest.fixture
def upstream():
    with running(Upstream()) as up:
        yield up


@pytest.fixture(scope="module")
def module_upstream():
    """An upstream shared by a module's tests, for a module whose guard lives as long."""
    with running(Upstream()) as up:
        yield up


@pytest.fixture
def guard_factory(tmp_path, upstream):
    started = []

    def make(upstream_url: str | None = None, **sections):
        guard = make_guard(tmp_path, upstream_url or upstream.url, **sections)
        started.append(guard)
        return guard

    yield make
    for guard in started:
        guard.stop()


@pytest.fixture
def guard(guard_factory):
    return guard_factory().start()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}"


@pytest.fixture
def console(tmp_path, sqlite_url):
    """The admin console over a SQLite store, nobody logged in."""
    with open_console(tmp_path, sqlite_url) as c:
        yield c


@pytest.fixture
def admin(console):
    """A console with the admin logged in."""
    assert console.login().status_code == 303
    return console


@pytest.fixture(scope="module")
def ca():
    """A test certificate authority for the guard's STARTTLS certificate."""
    return trustme.CA()


@pytest.fixture
def config(tmp_path):
    """A guard.yaml for `misdelivery-guard check`: only the internal domain."""
    path = tmp_path / "guard.yaml"
    path.write_text("organization: {internal_domains: [example.co.jp]}\n")
    return str(path)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, launched once per test module (its tests open their own contexts)."""
    from .browser import chromium  # Playwright, only where a browser test asks for it

    with chromium() as b:
        yield b


# The sign-on tests' (test_sso*.py, test_attacks_i21_sso.py): one OpenID provider per module.
@pytest.fixture(scope="module")
def guard_port() -> int:
    """The port of the module's sign-on guard, chosen first: the provider must know its callback."""
    return free_port()


@pytest.fixture(scope="module")
def provider(guard_port):
    from .oidc_provider import OidcProvider  # Node, only where a sign-on test asks for it

    p = OidcProvider([f"http://127.0.0.1:{guard_port}/admin/sso/callback"])
    yield p
    p.stop()
