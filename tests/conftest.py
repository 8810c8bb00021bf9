import itertools

import pytest

from .postgres import PostgresServer
from .support import Upstream, make_guard

_db_names = itertools.count()


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
    up = Upstream().start()
    yield up
    up.stop()


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
