"""The attachment-link store (quarantine/shares.py) on SQLite and PostgreSQL: files stored
byte-identical, links and codes only as hashes, counts that hold when two guards race on one
database, revocation, extension, the purge, the retention of held rows, the v009 -> v010
upgrade. Audit rows never name an address, a file, or a code."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import func, select

from quarantine import share_codes, shares
from quarantine.migrate import available
from quarantine.records import LinkedNotice
from quarantine.retention import DAY, Retention, RetentionPolicy
from quarantine.schema import (
    audit,
    outbound,
    schema_version,
    share_downloads,
    share_files,
    share_links,
    share_recipients,
)
from quarantine.schema import share_codes as share_code_rows
from quarantine.schema import shares as share_table
from quarantine.store import Store

from .holds import held

P, Q = "p@client.example", "q@client.example"
ZIP = b"PK\x03\x04" + bytes(range(256)) * 40  # not text: stored as given, every byte
PDF = b"%PDF-1.7\n" + b"\x00\xff" * 3000
SECRET_WORDS = ("client.example", "mitsumori", "見積", ".zip", ".pdf")


@dataclass(frozen=True, kw_only=True)
class File:  # link_mime.SharedFile's shape
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class Terms:  # rules.model.LinkTerms's shape
    expiry: float = 7 * DAY
    max_downloads: int = 3
    notify: bool = True


FILES = (
    File(name="見積mitsumori.zip", content_type="application/zip", data=ZIP),
    File(name="b.pdf", content_type="application/pdf", data=PDF),
)


def draft(address: str) -> LinkedNotice:
    return LinkedNotice(
        mail_from="guard@example.co.jp",
        rcpt_tos=(address,),
        template="download_code",
        args={},
        role="recipient",
        actor=address,
        base_url="http://guard.test",
    )


async def share(store: Store, qid: str = "Q1", now: float | None = None, terms: Terms = Terms()) -> float:
    """A held message, released with its attachments stored as a share (as enqueue_release
    does, in one transaction); the time it was made."""
    now = time.time() if now is None else now
    await store.hold(held(qid), csrf="c", expires_at=now + DAY)
    async with store.writing() as conn:
        await shares.create(
            conn,
            message_id=qid,
            mail_from="taro@example.co.jp",
            subject="件名",
            template=b"Subject: x\r\n\r\nbody\r\n",
            files=FILES,
            recipients=(P.upper(), Q, P),
            terms=terms,
            now=now,
        )
    return now


async def audit_rows(store: Store) -> list[tuple[str, str]]:
    async with store.reading() as conn:
        rows = await conn.execute(select(audit.c.action, audit.c.detail).order_by(audit.c.id))
        return [(r.action, r.detail or "") for r in rows]


async def count(store: Store, table) -> int:
    async with store.reading() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


def assert_no_personal_data(rows: list[tuple[str, str]], *also: str) -> None:
    for action, detail in rows:
        for word in (*SECRET_WORDS, *also):
            assert word not in detail, (action, detail)


def test_a_share_round_trip_stores_files_byte_identical_and_links_as_hashes(store_url):
    async def scenario():
        store = await Store.open(store_url)
        try:
            now = await share(store)
            assert await store.shares.add_link("Q1", P.upper(), "tok-p")
            assert not await store.shares.add_link("Q1", "stranger@client.example", "tok-x")
            assert await store.shares.by_token("tok-x", now) is None
            link = await store.shares.by_token("tok-p", now)
            assert link is not None and link.address == P and link.used == {}
            info = link.share
            assert info.live(now) and not info.live(now + 7 * DAY) and info.expires_at == now + 7 * DAY
            assert [(f.n, f.name, f.size) for f in info.files] == [
                (1, "見積mitsumori.zip", len(ZIP)),
                (2, "b.pdf", len(PDF)),
            ]
            assert info.files[0].sha256 == hashlib.sha256(ZIP).hexdigest()
            async with store.reading() as conn:
                hashes = (await conn.execute(select(share_links.c.token_hash))).scalars().all()
            assert hashes == [hashlib.sha256(b"tok-p").hexdigest()], "only the hash is at rest"
            assert await store.shares.template("Q1") == b"Subject: x\r\n\r\nbody\r\n"
            log = await store.shares.log("Q1")
            assert log is not None and log.recipients == (P, Q) and log.downloads == ()
            assert [s.id for s in await store.shares.recent(10)] == ["Q1"]
            rows = await audit_rows(store)
            assert ("links_created", f"files=2 recipients=2 bytes={len(ZIP) + len(PDF)}") in rows
            assert ("link_sent", "recipients=1") in rows
            assert_no_personal_data(rows)
        finally:
            await store.close()

    asyncio.run(scenario())


def test_two_guards_racing_give_each_download_once_and_the_first_once(store_url):
    async def scenario():
        first, second = await Store.open(store_url), await Store.open(store_url)
        try:
            now = await share(first)
            attempts = [
                (first if i % 2 else second).shares.download("Q1", P, 1, "192.0.2.1", now) for i in range(8)
            ]
            results = await asyncio.gather(*attempts)
            outcomes = sorted(r[0] for r in results)
            assert outcomes == ["limit"] * 5 + ["ok"] * 3
            assert all(r[2] == ZIP for r in results if r[0] == "ok"), "byte-identical"
            assert all(r[2] is None for r in results if r[0] == "limit")
            assert sum(r[3] for r in results) == 1, "first_of_share exactly once"
            # Another file, another recipient: their own counts; the share's first is taken.
            ok, info, data, first_of_share = await second.shares.download("Q1", Q.upper(), 2, None, now)
            assert (ok, info.name, data, first_of_share) == ("ok", "b.pdf", PDF, False)
            assert (await first.shares.download("Q1", P, 3, None, now))[0] == "no_file"
            assert (await first.shares.download("Q1", "x@client.example", 1, None, now))[0] == "not_live"
            link = await first.shares.add_link("Q1", P, "tok-p") and await first.shares.by_token("tok-p", now)
            assert link and link.used == {1: 3} and link.left(1) == 0 and link.left(2) == 3
            log = await first.shares.log("Q1")
            assert [(d.file_n, d.address) for d in log.downloads] == [(1, P)] * 3 + [(2, Q)]
            assert log.share.first_download_at == now
            downloaded = [d for a, d in await audit_rows(first) if a == "downloaded"]
            assert len(downloaded) == 4 and "file=1 count=3 max=3" in downloaded[2]
            assert_no_personal_data(await audit_rows(first), "192.0.2.1")
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


def test_codes_are_limited_hashed_single_use_and_open_a_session(store_url):
    async def scenario():
        store = await Store.open(store_url)
        s = store.shares
        try:
            now = await share(store)
            assert await s.check_code("Q1", P, "123456", now, "sess") == "none", "no code asked for yet"
            asked = [await s.request_code("Q1", P.upper(), now + i, draft(P)) for i in range(6)]
            assert asked == ["queued"] * 5 + ["too_many"], "5 an hour from one client address"
            others = [
                await s.request_code("Q1", P, now + 9, draft(P), browser=f"b{i}", client_addr=f"192.0.2.{i}")
                for i in range(16)
            ]
            assert others == ["queued"] * 15 + ["too_many"], "20 an hour from all addresses"
            assert await s.request_code("Q1", Q, now, draft(Q)) == "queued", "per recipient"
            assert await s.request_code("Q1", P, now + 3601, draft(P)) == "queued", "an hour later"
            async with store.reading() as conn:
                drafts = (
                    await conn.execute(
                        select(outbound.c.message_id, outbound.c.draft).where(outbound.c.draft.is_not(None))
                    )
                ).all()
            assert len(drafts) == 22 and {d.message_id for d in drafts} == {"Q1"}
            assert "download_code" in drafts[0].draft
            jobs = await store.claim(now + 4000, lease=60, limit=50)
            assert sum(j.draft is not None for j in jobs) == 22, "the worker gets the drafts"

            code = share_codes.new_code()
            assert len(code) == 6 and code.isdigit()
            t = now + 3601
            assert await s.set_code("Q1", P, "123456", t)
            assert not await s.set_code("Q1", P, "123456", t, browser="never-asked"), "no request"
            async with store.reading() as conn:
                stored = (await conn.execute(select(share_code_rows.c.code_hash))).scalars().all()
            assert not any(h and "123456" in h for h in stored) and any(stored)
            assert await s.check_code("Q1", P, "123457", t, "sess") == "wrong"
            assert await s.check_code("Q1", Q, "123456", t, "sess") == "none", "another's code"
            assert await s.check_code("Q1", P, "123456", t, "sess", browser="b1") == "none", "another browser"
            assert await s.check_code("Q1", P, " 123456 ", t, "sess-p") == "ok"
            assert await s.check_code("Q1", P, "123456", t, "sess-2") == "none", "used up"
            assert await s.session_ok("Q1", P.upper(), "sess-p", t + 1799)
            assert not await s.session_ok("Q1", P, "sess-p", t + 1800), "30 minutes"
            assert not await s.session_ok("Q1", P, "sess-2", t) and not await s.session_ok(
                "Q1", Q, "sess-p", t
            )

            assert await s.request_code("Q1", P, t, draft(P)) == "queued"
            assert await s.set_code("Q1", P, "654321", t)
            before = len(await audit_rows(store))
            assert await s.check_code("Q1", P, "654321", t + 600, "sess") == "expired", "10 minutes"
            assert len(await audit_rows(store)) == before, "refused by a read: no audit row"
            assert await s.set_code("Q1", P, "654321", t)
            wrong = [await s.check_code("Q1", P, f"00000{i}", t, "sess") for i in range(5)]
            assert wrong == ["wrong"] * 4 + ["locked"]
            assert await s.check_code("Q1", P, "654321", t, "sess") == "locked", "even the right one"
            assert await s.set_code("Q1", P, "111111", t), "a new code for this browser"
            assert await s.check_code("Q1", P, "111111", t, "sess") == "ok"
            rows = await audit_rows(store)
            failed = [d for a, d in rows if a == "download_code_failed"]
            assert "reason=locked attempts=5 failures=6" in failed and not any("expired" in d for d in failed)
            assert_no_personal_data(rows, "123456", "654321", "111111", "192.0.2.")
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_link_holders_codes_and_wrong_entries_leave_the_recipients_code_alone(store_url):
    async def scenario():
        store = await Store.open(store_url)
        s = store.shares
        try:
            now = await share(store)
            mine, theirs = {"browser": "recipient"}, {"browser": "holder", "client_addr": "203.0.113.9"}
            assert await s.request_code("Q1", P, now, draft(P), **mine) == "queued"
            assert await s.set_code("Q1", P, "424242", now, **mine)
            for i in range(5):  # the holder asks and asks, and guesses
                assert await s.request_code("Q1", P, now + i, draft(P), **theirs) == "queued"
                assert await s.set_code("Q1", P, f"9{i}0000", now + i, browser="holder")
                for k in range(5):
                    await s.check_code("Q1", P, f"1{k}{i}000", now + i, "s", **theirs)
            assert await s.request_code("Q1", P, now + 9, draft(P), **theirs) == "too_many"
            assert await s.check_code("Q1", P, "424242", now + 9, "sess", **mine) == "ok"
            assert await s.request_code("Q1", P, now + 9, draft(P), browser="r2") == "queued"
        finally:
            await store.close()

    asyncio.run(scenario())


def test_fifty_wrong_codes_stop_the_recipient_until_the_sender_unlocks(store_url):
    async def scenario():
        store = await Store.open(store_url)
        s = store.shares
        try:
            now = await share(store)
            outcomes = []
            for i in range(10):
                who = {"browser": f"b{i}", "client_addr": f"198.51.100.{i}"}
                assert await s.request_code("Q1", P, now + i, draft(P), **who) == "queued"
                assert await s.set_code("Q1", P, "424242", now + i, browser=f"b{i}")
                outcomes += [await s.check_code("Q1", P, f"{k}00000", now + i, "s", **who) for k in range(5)]
            assert outcomes.count("wrong") == 40 and outcomes.count("locked") == 9
            assert outcomes[-1] == "stopped"
            before = len(await audit_rows(store))
            assert await s.request_code("Q1", P, now + 20, draft(P), browser="new") == "stopped"
            assert await s.check_code("Q1", P, "424242", now + 20, "s", browser="b9") == "stopped"
            assert len(await audit_rows(store)) == before, "refusals write nothing"
            assert await s.request_code("Q1", Q, now + 20, draft(Q)) == "queued", "only P is stopped"
            log = await s.log("Q1")
            assert log is not None and log.stopped == (P,)
            assert await s.unlock("Q1", P.upper(), "sender", "192.0.2.9")
            assert not await s.unlock("Q1", P, "sender", "192.0.2.9"), "once"
            assert (await s.log("Q1")).stopped == ()
            assert await s.request_code("Q1", P, now + 20, draft(P), browser="new") == "queued"
            rows = await audit_rows(store)
            assert ("links_unlocked", "recipients=1") in rows
            assert "reason=stopped attempts=5 failures=50" in [
                d for a, d in rows if a == "download_code_failed"
            ]
            assert_no_personal_data(rows, "198.51.100.")
            async with store.reading() as conn:
                clients = (
                    await conn.execute(
                        select(audit.c.client_addr).where(audit.c.action == "download_code_failed")
                    )
                ).scalars()
                assert set(clients) == {f"198.51.100.{i}" for i in range(10)}, "who tried, for the admin"
        finally:
            await store.close()

    asyncio.run(scenario())


def test_wrong_codes_from_two_guards_lock_after_exactly_five(store_url):
    async def scenario():
        first, second = await Store.open(store_url), await Store.open(store_url)
        try:
            now = await share(first)
            assert await first.shares.request_code("Q1", P, now, draft(P)) == "queued"
            assert await first.shares.set_code("Q1", P, "424242", now)
            tries = [
                (first if i % 2 else second).shares.check_code("Q1", P, f"1{i:05d}", now, "s")
                for i in range(10)
            ]
            outcomes = await asyncio.gather(*tries)
            assert sorted(outcomes) == ["locked"] * 6 + ["wrong"] * 4
            async with first.reading() as conn:
                assert (await conn.execute(select(share_code_rows.c.attempts))).scalar_one() == 5
                assert (
                    await conn.execute(
                        select(share_recipients.c.code_failures).where(share_recipients.c.address == P)
                    )
                ).scalar_one() == 5
            requests = await asyncio.gather(
                *((first if i % 2 else second).shares.request_code("Q1", Q, now, draft(Q)) for i in range(8))
            )
            assert sorted(requests) == ["queued"] * 5 + ["too_many"] * 3
            spread = await asyncio.gather(  # from 20 addresses: the ceiling of 20 an hour holds
                *(
                    (first if i % 2 else second).shares.request_code(
                        "Q1", Q, now, draft(Q), browser=f"b{i}", client_addr=f"192.0.2.{i}"
                    )
                    for i in range(20)
                )
            )
            assert sorted(spread) == ["queued"] * 15 + ["too_many"] * 5
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


def test_revoked_or_expired_links_refuse_everything_and_extend_is_bounded(store_url):
    async def scenario():
        store = await Store.open(store_url)
        s = store.shares
        try:
            now = await share(store)
            await share(store, "Q2", now)
            assert await s.request_code("Q1", P, now, draft(P)) == "queued"
            assert await s.add_link("Q1", P, "tok-1") and await s.set_code("Q1", P, "123456", now)
            assert await s.check_code("Q1", P, "123456", now, "sess") == "ok"
            # Expired: by the clock alone, before any purge.
            later = now + 7 * DAY
            assert (await s.download("Q1", P, 1, None, later))[0] == "not_live"
            assert not await s.session_ok("Q1", P, "sess", later)
            assert await s.request_code("Q1", P, later, draft(P)) == "not_live"
            # Extended: at most 31 days after it was made, never into the past.
            assert await s.extend("Q1", now + 90 * DAY, "sender", "192.0.2.9", later)
            assert (await s.by_token("tok-1", later)).share.expires_at == now + 31 * DAY
            assert not await s.extend("Q1", later - 1, "sender", None, later)
            assert (await s.download("Q1", P, 1, None, later))[0] == "ok"
            # Revoked: now, codes and sessions with it; once only; not extended any more.
            assert await s.revoke("Q1", "sender", "192.0.2.9", later)
            assert not await s.revoke("Q1", "sender", None, later)
            assert not await s.extend("Q1", later + DAY, "sender", None, later)
            assert (await s.download("Q1", P, 1, None, later))[0] == "not_live"
            assert not await s.session_ok("Q1", P, "sess", later)
            assert not await s.set_code("Q1", P, "123456", later)
            assert not await s.add_link("Q1", P, "tok-2")
            link = await s.by_token("tok-1", later)
            assert link.share.state == "revoked" and not link.share.live(later)
            assert (await s.download("Q2", P, 1, None, now))[0] == "ok", "another share is untouched"
            actions = [a for a, _ in await audit_rows(store)]
            assert actions.count("links_revoked") == 1 and actions.count("links_extended") == 1
        finally:
            await store.close()

    asyncio.run(scenario())


def test_purge_clears_expired_and_revoked_shares_and_retention_deletes_their_rows(store_url):
    async def scenario():
        store = await Store.open(store_url)
        try:
            t0 = time.time()
            for qid in ("A", "B", "C"):
                await share(store, qid, t0, Terms(expiry=2 * DAY))
                assert await store.decide_hold(qid, "released", actor="sender", client_addr=None)
                assert await store.shares.add_link(qid, P, f"tok-{qid}")
                assert (await store.shares.download(qid, P, 1, "192.0.2.1", t0))[0] == "ok"
            assert await store.shares.request_code("C", P, t0, draft(P)) == "queued"
            for job in await store.claim(time.time(), lease=60):
                assert await store.job_sent(job)
            assert await store.shares.extend("C", t0 + 20 * DAY, "sender", None, t0)
            assert await store.shares.revoke("B", "sender", None, t0)
            assert await store.shares.set_code("C", P, "123456", t0)

            assert await store.shares.purge(t0) == 1, "revoked: at once"
            assert await store.shares.purge(t0) == 0, "once"
            purge = Retention(store, RetentionPolicy(records=10 * DAY))
            counts = await purge.run_once(t0 + 3 * DAY)
            assert counts["shares"] == 1  # A expired; C was extended
            rows = await audit_rows(store)
            assert [d for a, d in rows if a == "links_purged"] == ["files=2"] * 2
            assert_no_personal_data(rows, "192.0.2.1")
            assert await store.shares.template("A") is None and await store.shares.template("C")
            async with store.reading() as conn:
                data = dict(
                    (
                        await conn.execute(
                            select(share_files.c.share_id, share_files.c.data).where(share_files.c.n == 1)
                        )
                    ).all()
                )
            assert data == {"A": None, "B": None, "C": ZIP}
            link = await store.shares.by_token("tok-A", t0)
            assert link.share.state == "purged" and not link.share.live(t0)
            assert (await store.shares.download("A", P, 1, None, t0))[0] == "not_live"
            assert len((await store.shares.log("A")).downloads) == 1, "the log stays"

            # After `records`: the held rows go with every share row; C, still active, stays.
            counts = await purge.run_once(t0 + 11 * DAY)
            assert counts["held"] == 2 and counts["shares"] == 0
            assert await store.get("C") is not None and await store.get("A") is None
            assert await store.shares.by_token("tok-A", t0) is None
            for table in (
                share_table,
                share_files,
                share_recipients,
                share_code_rows,
                share_links,
                share_downloads,
            ):
                async with store.reading() as conn:
                    left = set(
                        (
                            await conn.execute(select(table.c["id" if table is share_table else "share_id"]))
                        ).scalars()
                    )
                assert left == {"C"}, table.name
            counts = await purge.run_once(t0 + 32 * DAY)  # C expired (21 days) and purged
            assert counts["shares"] == 1 and counts["held"] == 1
            for table in (
                share_table,
                share_files,
                share_recipients,
                share_code_rows,
                share_links,
                share_downloads,
            ):
                assert await count(store, table) == 0, table.name
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_v009_store_upgrades_to_v010_and_keeps_its_holds(store_url):
    import importlib

    from sqlalchemy.ext.asyncio import create_async_engine

    async def scenario():
        engine = create_async_engine(store_url)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: schema_version.create(c))
            for version, name in available():
                if version > 9:
                    break
                module = importlib.import_module(f"quarantine.migrations.{name}")
                await conn.run_sync(module.upgrade)
                await conn.execute(schema_version.insert().values(version=version, applied_at=0.0))
        await engine.dispose()
        store = await Store.open(store_url)  # v001..v009 on disk: only v010 runs
        try:
            async with store.reading() as conn:
                versions = (await conn.execute(select(schema_version.c.version))).scalars().all()
            assert sorted(versions) == [v for v, _ in available()]  # v010 and every later one
            now = await share(store)
            assert (await store.get("Q1")).id == "Q1"
            assert (await store.shares.download("Q1", P, 2, None, now))[2] == PDF
        finally:
            await store.close()

    asyncio.run(scenario())


def test_purged_files_leave_no_bytes_in_the_sqlite_files(tmp_path):
    """secure_delete and the purge's WAL truncation: a purged file cannot be read back from the
    database files; a live share's file still can (the check can see it)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}"
    gone, kept = b"GONE-FILE-MARKER-" * 500, b"KEPT-FILE-MARKER-" * 500

    async def scenario():
        store = await Store.open(url)
        try:
            now = time.time()
            for qid, data in (("G", gone), ("K", kept)):
                await store.hold(held(qid), csrf="c", expires_at=now + DAY)
                async with store.writing() as conn:
                    await shares.create(
                        conn,
                        message_id=qid,
                        mail_from="taro@example.co.jp",
                        subject="s",
                        template=b"Subject: s\r\n\r\nbody\r\n",
                        files=(File(name="f.bin", content_type="application/octet-stream", data=data),),
                        recipients=(P,),
                        terms=Terms(),
                        now=now,
                    )
            assert await store.shares.revoke("G", "sender", None, now)
            counts = await Retention(store).run_once(now)
            assert counts["shares"] == 1
        finally:
            await store.close()

    asyncio.run(scenario())
    files = b"".join(p.read_bytes() for p in tmp_path.glob("guard.db*"))
    assert b"KEPT-FILE-MARKER-" in files
    assert b"GONE-FILE-MARKER-" not in files
