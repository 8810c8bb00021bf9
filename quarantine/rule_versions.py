"""The console's rules layer, kept in the database (issue 20): one row per save, the newest in
force on every instance sharing the database (rules/book.py polls `newest_id`).

A save names the version it was built from (`parent`); the column is unique, so of two saves
built from one version, on one instance or two, the second fails in the database itself and
is told so (`VersionConflict`): nobody's save is silently overwritten. Texts arrive
validated (quarantine/admin/rule_draft.py); this module stores them and says what changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .errors import QuarantineError
from .schema import rule_versions
from .store import Store

MAX_SUMMARY = 300
PAGE = 100


class VersionConflict(QuarantineError, ValueError):
    """The layer changed since the form was built: a newer version is in force."""


@dataclass(frozen=True, kw_only=True)
class RuleVersion:
    id: int
    parent: int
    text: str
    author: str
    at: float
    summary: str
    reverted_from: int | None


class RuleVersions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def newest_id(self) -> int:
        """The cheap poll of every instance: one index lookup."""
        async with self.store.reading() as conn:
            return int((await conn.execute(select(func.max(rule_versions.c.id)))).scalar() or 0)

    async def text_of(self, version_id: int) -> str | None:
        async with self.store.reading() as conn:
            return (
                await conn.execute(select(rule_versions.c.text).where(rule_versions.c.id == version_id))
            ).scalar()

    async def get(self, version_id: int) -> RuleVersion | None:
        async with self.store.reading() as conn:
            row = (await conn.execute(select(rule_versions).where(rule_versions.c.id == version_id))).first()
        return _version(row) if row else None

    async def newest(self) -> RuleVersion | None:
        newest = await self.newest_id()
        return await self.get(newest) if newest else None

    async def history(self, before: int | None = None, limit: int = PAGE) -> list[RuleVersion]:
        """Newest first, without their texts (`text` is ""): `limit` rows below `before`."""
        columns = [c for c in rule_versions.c if c.name != "text"]
        query = select(*columns).order_by(rule_versions.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(rule_versions.c.id < before)
        async with self.store.reading() as conn:
            return [_version(r) for r in await conn.execute(query)]

    async def save(self, text: str, *, author: str, base: int, reverted_from: int | None = None) -> int:
        """The new version's id; VersionConflict when `base` is no longer the newest."""
        try:
            async with self.store.writing() as conn:
                newest = int((await conn.execute(select(func.max(rule_versions.c.id)))).scalar() or 0)
                if newest != base:
                    raise VersionConflict(f"version {newest} is in force, the form was built on {base}")
                old = ""
                if base:
                    old = (
                        await conn.execute(select(rule_versions.c.text).where(rule_versions.c.id == base))
                    ).scalar() or ""
                result = await conn.execute(
                    rule_versions.insert().values(
                        parent=base,
                        text=text,
                        author=author[:200],
                        at=time.time(),
                        summary=summarize(old, text),
                        reverted_from=reverted_from,
                    )
                )
                return int(result.inserted_primary_key[0])  # type: ignore[index]  # one row inserted
        except IntegrityError:  # another instance took `base` first (the unique parent)
            raise VersionConflict(f"another save was built on version {base}") from None


def summarize(old: str, new: str) -> str:
    """One bounded line: the rule and dictionary ids added (+), changed (~) and removed (-),
    e.g. "+big-list ~sensitive-id-external -old-rule dict:+words"."""
    parts: list[str] = []
    for key, prefix in (("rules", ""), ("dictionaries", "dict:")):
        before, after = _items(old, key), _items(new, key)
        parts += [f"{prefix}+{i}" for i in after if i not in before]
        parts += [f"{prefix}~{i}" for i in after if i in before and after[i] != before[i]]
        parts += [f"{prefix}-{i}" for i in before if i not in after]
    line = " ".join(parts) or ("=" if old == new else "~")  # "~": only comments or layout changed
    if len(line) <= MAX_SUMMARY:
        return line
    cut = line[: MAX_SUMMARY - 12].rsplit(" ", 1)[0]
    return f"{cut} …(+{len(parts) - len(cut.split(' '))})"


def _items(text: str, key: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}
    items = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return {}
    return {str(i["id"]): i for i in items if isinstance(i, dict) and "id" in i}


def _version(row) -> RuleVersion:
    return RuleVersion(
        id=int(row.id),
        parent=int(row.parent),
        text=getattr(row, "text", ""),
        author=row.author,
        at=float(row.at),
        summary=row.summary,
        reverted_from=row.reverted_from,
    )
