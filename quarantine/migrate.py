"""Apply the versioned migrations under quarantine/migrations/ at start-up."""
from __future__ import annotations

import importlib
import pkgutil
import re
import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from . import migrations
from .schema import schema_version

_NAME = re.compile(r"^v(\d{3})_\w+$")


def available() -> list[tuple[int, str]]:
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        m = _NAME.match(info.name)
        if m:
            found.append((int(m.group(1)), info.name))
    return sorted(found)


async def migrate(engine: AsyncEngine) -> int:
    """Bring the schema up to date; returns the version now in force.

    Each migration and its version row commit together, so a crash leaves either the
    old or the new version, never half of one.
    """
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: schema_version.create(c, checkfirst=True))
    async with engine.connect() as conn:
        done = set((await conn.execute(select(schema_version.c.version))).scalars())
    current = max(done, default=0)
    for version, name in available():
        if version in done:
            continue
        module = importlib.import_module(f"{migrations.__name__}.{name}")
        async with engine.begin() as conn:
            await conn.run_sync(module.upgrade)
            await conn.execute(schema_version.insert().values(version=version, applied_at=time.time()))
        current = version
    return current
