"""The company's directory in the database (issue 21): a snapshot applied as one change, the
departed kept for the chain then purged, a person coming back, groups replaced, a failed sync
leaving the copy, and a second instance's cache seeing the change — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from quarantine.org_cache import OrgCache
from quarantine.org_chart import MANAGER, MANAGER_OF_MANAGER, OrgGroup, OrgSnapshot, Person
from quarantine.org_store import OrgStore
from quarantine.store import Store

DAY = 86400.0
BOSS = Person(mail="boss@example.co.jp", name="社長", department="経営")
MGR = Person(mail="mgr@example.co.jp", name="部長", department="営業", manager=BOSS.mail)
TARO = Person(mail="taro@example.co.jp", name="山田 太郎", department="営業", manager=MGR.mail)
SALES = OrgGroup(name="sales", members=(TARO.mail, MGR.mail))


def snap(*people: Person, groups: tuple[OrgGroup, ...] = (SALES,)) -> OrgSnapshot:
    return OrgSnapshot(people=people, groups=groups)


def run(store_url: str, body) -> None:
    async def go():
        store = await Store.open(store_url)
        try:
            await body(OrgStore(store))
        finally:
            await store.close()

    asyncio.run(go())


def test_apply_plan_depart_return_purge(store_url):
    async def body(org: OrgStore):
        first = await org.apply(snap(BOSS, MGR, TARO), now=1000.0)
        assert first.added == (BOSS.mail, MGR.mail, TARO.mail) and first.groups_added == ("sales",)
        assert (await org.status()).people == 3 and (await org.status()).last_error is None
        rev = await org.revision()
        again = await org.apply(snap(BOSS, MGR, TARO), now=2000.0)
        assert again.empty and await org.revision() == rev  # nothing moved: no reload anywhere

        moved = Person(mail=TARO.mail, name=TARO.name, department="総務", manager=MGR.mail)
        plan = await org.plan(snap(BOSS, moved, groups=()))
        assert plan.changed == ((TARO.mail, ("department",)),) and plan.departed == (MGR.mail,)
        assert plan.groups_removed == ("sales",)
        assert (await org.chart()).person(TARO.mail).department == "営業"  # the plan wrote nothing

        await org.apply(snap(BOSS, moved, groups=()), now=3000.0)
        chart = await org.chart()
        assert chart.person(MGR.mail).departed and chart.groups == {}
        # The manager left: the chain still runs through him, the deputy takes over.
        assert chart.resolve(MANAGER, TARO.mail) is None
        assert chart.resolve(MANAGER_OF_MANAGER, TARO.mail) == BOSS.mail
        assert (await org.status()).people == 2

        back = await org.apply(snap(BOSS, MGR, moved), now=4000.0)
        assert back.added == (MGR.mail,) and not (await org.chart()).person(MGR.mail).departed

        await org.apply(snap(BOSS, moved), now=5000.0)  # gone again ...
        kept = await org.apply(snap(BOSS, moved), now=5000.0 + 29 * DAY)
        assert kept.purged == 0
        gone = await org.apply(snap(BOSS, moved), now=5000.0 + 31 * DAY)  # ... and purged
        assert gone.purged == 1 and (await org.chart()).person(MGR.mail) is None

    run(store_url, body)


def test_failed_keeps_the_copy_and_the_cache_follows(store_url):
    async def body(org: OrgStore):
        cache = OrgCache(org, poll=0.05)
        await cache.load()
        assert cache.chart().people == {} and not cache.status().stale
        await org.apply(snap(BOSS, MGR, TARO), now=1000.0)
        await cache.refresh()
        assert cache.chart().resolve(MANAGER, TARO.mail) == MGR.mail
        assert cache.chart().groups["sales"] == tuple(sorted(SALES.members))
        await org.failed("unreachable", now=2000.0)
        await cache.refresh()
        status = cache.status()
        assert status.stale and status.last_error == "unreachable" and status.last_ok_at == 1000.0
        assert cache.chart().person(TARO.mail) is not None  # the last good copy stays
        big = OrgGroup(name="全社", members=tuple(f"u{i}@example.co.jp" for i in range(3000)))
        await org.apply(snap(BOSS, MGR, TARO, groups=(SALES, big)), now=3000.0)
        await cache.refresh()
        assert len(cache.chart().groups["全社"]) == 3000 and not cache.status().stale

    run(store_url, body)


def test_unconfigured_cache_is_empty_and_reads_nothing():
    class Nothing:
        def __getattr__(self, name):
            raise AssertionError(f"read {name} without a directory")

    cache = OrgCache(Nothing(), configured=False)  # type: ignore[arg-type]

    async def go():
        await cache.load()
        await cache.refresh()
        stopping = asyncio.Event()
        await asyncio.wait_for(cache.watch(stopping), 1)  # returns at once

    asyncio.run(go())
    assert cache.chart().people == {} and not cache.status().configured and not cache.status().stale
