"""Issue 19: the guard killed with SIGKILL between its 250 and the delivery loses no stored
attachment; after the restart every copy goes out, with its own link."""

from __future__ import annotations

import sqlite3

from .link_mail import (
    EXTERNAL,
    FILES,
    INTERNAL,
    LINKS_RULES,
    SENDER,
    bodies,
    ppap_mail,
    sha,
    stored_files,
    token_in,
)
from .support import wait_until


def test_a_share_survives_sigkill_right_after_250(guard_factory, upstream, tmp_path):
    (tmp_path / "links.yaml").write_text(LINKS_RULES, "utf-8")
    # First life: the upstream refuses every message for now, so nothing is delivered before the kill.
    upstream.recorder.data_reply = "451 4.3.0 try again later"
    guard = guard_factory(rules=[str(tmp_path / "links.yaml")]).start()
    raw = ppap_mail()
    with guard.smtp() as client:
        client.ehlo()
        client.mail(SENDER)
        for rcpt in (*EXTERNAL, INTERNAL):
            client.rcpt(rcpt)
        code, reply = client.data(raw)
        assert code == 250 and b"download links" in reply
        guard.kill()
    assert upstream.recorder.messages == []
    assert stored_files(tmp_path / "guard.db") == {n: (sha(d), sha(d)) for n, d in FILES.items()}
    # Second life, same store, the upstream taking mail again: everything owed goes out.
    upstream.recorder.data_reply = None
    guard.start()
    wait_until(lambda: len(upstream.recorder.messages) >= 4, "the deliveries owed never came", timeout=30)
    [original] = upstream.recorder.to(INTERNAL)
    assert original.data == raw
    tokens = set()
    for address in EXTERNAL:
        [copy] = upstream.recorder.to(address)
        assert bodies(copy.data)["files"] == ""
        tokens.add(token_in(copy.data))
    assert len(tokens) == 2 and upstream.recorder.to(SENDER)  # and the sender's notice
    assert stored_files(tmp_path / "guard.db") == {n: (sha(d), sha(d)) for n, d in FILES.items()}

    def states():
        with sqlite3.connect(tmp_path / "guard.db") as conn:
            return conn.execute("SELECT state, count(*) FROM outbound GROUP BY state").fetchall()

    wait_until(lambda: states() == [("sent", 4)], lambda: f"the jobs are {states()}")
