"""Attacker's review of issue 21, a signed-in person's own page /admin/me (quarantine/me_pages.py,
me_list.py): over a real Store and sessions opened by the console's own Sessions.open, as
tests/test_me_pages.py does. Each test fails today for the reason it names."""

from __future__ import annotations

import time

from sqlalchemy import select

from quarantine.me_list import SCAN
from quarantine.schema import held

from .approvals import SENDER
from .test_me_pages import JA, ids, me_site, sign_in


def test_other_senders_holds_push_a_senders_own_mail_off_his_page(sqlite_url):
    """me_list.mine narrows with LIKE '%local%@domain%' and cuts at SCAN (2000) rows BEFORE
    deciding ownership in Python: any other mailbox whose local part contains his (xhanako@,
    hanako.sato@; for a@ or ai@ nearly everybody in the company) fills the 2000 newest rows
    and his own held mail is no longer listed — the sender who lost the notice is stuck again.
    An envelope sender is chosen by whoever submits mail: one script does it on purpose."""
    with me_site(sqlite_url) as (web, store, _, _):

        async def flood() -> None:
            async with store.writing() as conn:
                row = (await conn.execute(select(held).where(held.c.id == "X1"))).mappings().one()
                now = time.time()
                await conn.execute(
                    held.insert(),
                    [
                        {**row, "id": f"Z{i}", "token_hash": f"z{i:063d}", "created_at": now + i}
                        for i in range(SCAN)
                    ],
                )

        assert web.portal is not None
        sign_in(web, store, SENDER)
        before = set(ids(web.get("/admin/me", headers=JA).text, "mine"))
        assert {"A1", "N1", "D1"} <= before  # hers, listed
        web.portal.call(flood)  # 2000 newer holds of xhanako@ (not hers: never shown)
        page = web.get("/admin/me", headers=JA).text
        after = set(ids(page, "mine"))
        assert not any(i.startswith("Z") for i in after)
        assert {"A1", "N1", "D1"} <= after, "her own held mail vanished from her page"


def test_a_page_number_in_other_digits_is_page_one_not_a_server_error(sqlite_url):
    """me_pages._number checks str.isdigit(), which is true for '²' and '①', that int() refuses:
    GET /admin/me?page=² raises ValueError (a 500) instead of showing page 1."""
    with me_site(sqlite_url) as (web, store, _, _):
        sign_in(web, store, SENDER)
        for value in ("²", "①"):
            answer = web.get("/admin/me", params={"page": value}, headers=JA)
            assert answer.status_code == 200
            answer = web.get("/admin/me", params={"apage": value}, headers=JA)
            assert answer.status_code == 200
