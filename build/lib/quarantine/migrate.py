"""Apply the versioned migrations under quarantine/migrations/ at start-up."""

from __future__ import annotations

import importlib
import pkgutil
import re
import time

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from . import migrations
from .schema import schema_version

_NAME = re.compile(r"^v(\d{3})_\w+$")
_LOCK_KEY = 0x4D4447  # "MDG": the advisory lock that serialises migrations


def available() -> list[tuple[int, str]]:
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        m = _NAME.match(info.name)
        if m:
            found.append((int(m.group(1)), info.name))
    return sorted(found)


async def migrate(engine: AsyncEngine) -> int:
    """Bring the schema up to date; returns the version now in force.

    One transaction for all of it, so a crash leaves the old version or the new one, never
    half of one; on PostgreSQL an advisory lock makes instances that start together take
    turns (DDL is transactional there, and the second finds the work done).
    """
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        await conn.run_sync(lambda c: schema_version.create(c, checkfirst=True))
        done = set((await conn.execute(select(schema_version.c.version))).scalars())
        current = max(done, default=0)
        for version, name in available():
            if version in done:
                continue
            module = importlib.import_module(f"{migrations.__name__}.{name}")
            await conn.run_sync(module.upgrade)
            await conn.execute(schema_version.insert().values(version=version, applied_at=time.time()))
            current = version
    return current
