import pytest

from .support import Upstream, make_guard


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
