"""Admission control (issue 15, item 2): session caps, the byte budget, DATA spooled to disk.

The caps and the budget are tested on the real guard process with small limits, over real
sockets from several loopback addresses; the spooled DATA reader against aiosmtpd's own.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import socket
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP

from proxy.session import GuardSMTP

from .raw_smtp import TOO_MANY, Client, connect, long_message, mail_from, stuffed
from .support import SMALL_LIMITS, make_guard, running, wait_until
from .test_session import DATA_CASES, SIZE_LIMITED, _session

BUDGET = 1 << 20


# --- the spooled reader: the same replies and bytes as aiosmtpd --------------------------
@pytest.mark.parametrize("name", DATA_CASES)
@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_spooled_data_read_as_aiosmtpd_reads_it(name, chunk):
    data = DATA_CASES[name]
    limit = 100 if name in SIZE_LIMITED else 33554432
    tail = b"NOOP\r\nQUIT\r\n" if chunk > 1 else b""
    spooled = functools.partial(GuardSMTP, spool_threshold=0)  # every byte goes to disk
    ours = asyncio.run(_session(spooled, data, chunk, limit, tail))
    theirs = asyncio.run(_session(SMTP, data, chunk, limit, tail))
    assert ours == theirs


def _random_data(rng: random.Random) -> bytes:
    pieces = [
        b".",
        b"..",
        b"\r\n",
        b"\r\n.",
        b"\r",
        b"\n",
        b"x",
        b"y" * 300,
        b"z" * 998,
        b"w" * 1001,
        b"v" * 1010,
        b".\r\n",
        b"\r\n..\r\n",
    ]
    weights = [8, 4, 12, 8, 1, 1, 20, 3, 1, 1, 1, 2, 2]
    return b"".join(rng.choices(pieces, weights, k=rng.randint(0, 400)))


@pytest.mark.parametrize("seed", range(40))
def test_spooled_data_matches_aiosmtpd_on_random_streams(seed):
    rng = random.Random(seed)
    data = _random_data(rng)
    while b"\r\n.\r\n" in data:  # no early end of the data
        data = data.replace(b"\r\n.\r\n", b"\r\n..\r\n")
    if data.startswith(b".\r\n"):
        data = b"." + data
    if data and not data.endswith(b"\r\n"):
        data += b"\r\n"
    limit = rng.choice([33554432, max(1, len(data) // 2), max(1, len(data) - 3)])
    chunk = rng.choice([3, 64, 1000, 4096])
    spooled = functools.partial(GuardSMTP, spool_threshold=rng.choice([0, 10, 5000]))
    ours = asyncio.run(_session(spooled, data, chunk, limit, b"NOOP\r\n"))
    theirs = asyncio.run(_session(SMTP, data, chunk, limit, b"NOOP\r\n"))
    assert ours == theirs


# --- the real guard with small limits ------------------------------------------------------
@pytest.fixture(scope="module")
def guard(tmp_path_factory, module_upstream):
    work = tmp_path_factory.mktemp("admission")
    smtp = {**SMALL_LIMITS, "spool_directory": str(work / "spool")}
    with running(make_guard(work, module_upstream.url, smtp=smtp)) as g:
        yield g


@pytest.fixture(autouse=True)
def calm_upstream(module_upstream):
    module_upstream.recorder.delay, module_upstream.recorder.data_reply = 0.0, None
    yield
    module_upstream.recorder.delay, module_upstream.recorder.data_reply = 0.0, None


def _refused_at_connect(guard, source: str) -> bool:
    client = Client(guard.smtp_port, source)
    refused = client.greeting == TOO_MANY
    if refused:  # RFC 5321 §3.8: 421, then the server closes
        assert client.file.read() == b""
    client.close()
    return refused


def _served(guard, source: str) -> bool:
    client = Client(guard.smtp_port, source)
    served = client.greeting.startswith(b"220 ")
    if served:
        client.cmd("QUIT")
    client.close()
    return served


@pytest.mark.process
def test_sessions_per_client_are_capped_others_served_and_the_slot_freed(guard, module_upstream):
    first, second = Client(guard.smtp_port, "127.0.0.1"), Client(guard.smtp_port, "127.0.0.1")
    assert first.greeting.startswith(b"220 ") and second.greeting.startswith(b"220 ")
    assert _refused_at_connect(guard, "127.0.0.1")
    assert _served(guard, "127.0.0.2")  # another address is still served
    # The sessions already open keep working.
    assert first.send(long_message(2000, "per-client cap"))[:3] == b"250"
    assert len(module_upstream.recorder.to("partner@client.example")) >= 1
    second.cmd("QUIT")
    second.close()
    wait_until(lambda: _served(guard, "127.0.0.1"), "the freed slot is not usable again")
    first.cmd("QUIT")
    first.close()


@pytest.mark.process
def test_sessions_in_all_are_capped_and_the_slot_freed(guard):
    clients = [
        Client(guard.smtp_port, source) for source in ("127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3")
    ]
    assert all(c.greeting.startswith(b"220 ") for c in clients)
    for client in clients:  # within a mail transaction: never closed to make room
        assert client.cmd("EHLO client")[:3] == b"250" and client.cmd(mail_from(None))[:3] == b"250"
    time.sleep(2.5)  # idle longer than EVICT_AFTER, and still not evicted
    assert _refused_at_connect(guard, "127.0.0.4")
    assert clients[2].cmd("NOOP")[:3] == b"250"  # the others are still served
    clients.pop().close()  # sessions count until they close
    wait_until(lambda: _served(guard, "127.0.0.4"), "the closed session's slot is not usable again")
    for client in clients:
        client.close()


@pytest.mark.process
def test_size_advertised_and_a_declared_size_that_does_not_fit_is_452_at_mail(guard, module_upstream):
    module_upstream.recorder.delay = 3.0
    busy = connect(guard.smtp_port)
    busy.envelope()
    assert busy.cmd("DATA")[:3] == b"354"
    busy.sock.sendall(stuffed(long_message(900_000, "in flight")) + b".\r\n")  # no wait
    probe = connect(guard.smtp_port, "127.0.0.2")
    assert b"250-SIZE 4194304" in probe.cmd("EHLO probe")

    def refused() -> bytes | None:
        answer = probe.cmd(mail_from(300_000))
        if answer[:3] == b"250":
            probe.cmd("RSET")
            return None
        return answer

    assert (
        wait_until(refused, "never refused", timeout=10)
        == b"452 4.3.1 Insufficient system storage, try again later\r\n"
    )
    assert probe.cmd(mail_from(None))[:3] == b"250"  # without SIZE: the budget is not used up
    assert busy.reply()[:3] == b"250"
    probe.cmd("RSET")
    assert probe.cmd(mail_from(BUDGET))[:3] == b"250"  # all given back after the success
    busy.close()
    probe.close()


@pytest.mark.process
def test_a_used_up_budget_is_452_at_mail_and_at_data_and_the_retry_goes_through(guard, module_upstream):
    waiting = connect(guard.smtp_port, "127.0.0.2")
    waiting.envelope()  # MAIL and RCPT before the budget fills
    module_upstream.recorder.delay = 3.0
    before = len(module_upstream.recorder.messages)
    big = connect(guard.smtp_port)
    big.envelope()
    assert big.cmd("DATA")[:3] == b"354"
    big.sock.sendall(stuffed(long_message(1_200_000, "over the budget alone")) + b".\r\n")
    probe = connect(guard.smtp_port, "127.0.0.3")
    probe.cmd("EHLO probe")

    def refused() -> bytes | None:
        answer = probe.cmd(mail_from(None))
        if answer[:3] == b"250":
            probe.cmd("RSET")
            return None
        return answer

    assert wait_until(refused, "never refused", timeout=10)[:10] == b"452 4.3.1 "
    assert waiting.cmd("DATA") == b"452 4.3.1 Insufficient system storage, try again later\r\n"
    assert big.reply()[:3] == b"250"
    module_upstream.recorder.delay = 0.0
    assert waiting.cmd("DATA")[:3] == b"354"  # the client's retry
    waiting.sock.sendall(stuffed(long_message(1000, "retried")) + b".\r\n")
    assert waiting.reply()[:3] == b"250"
    assert len(module_upstream.recorder.wait_for(before + 2)) == before + 2  # each once
    for client in (waiting, big, probe):
        client.close()


@pytest.mark.process
def test_declared_sizes_from_one_slow_client_cannot_pin_the_budget(guard, module_upstream):
    """A declared SIZE is held from DATA; a client that declares large sizes and then sends
    slowly would keep everyone else at 452. One address pledges at most half the budget."""
    slow = [connect(guard.smtp_port), connect(guard.smtp_port)]
    for client in slow:
        client.envelope(BUDGET // 2)
        assert client.cmd("DATA")[:3] == b"354"
        client.sock.sendall(b"Subject: trickle\r\n\r\n")  # and then nothing, for now
    other = connect(guard.smtp_port, "127.0.0.2")
    assert other.send(long_message(100_000, "not starved"), size=200_000)[:3] == b"250"
    for client in slow:  # the slow ones still get through once their data is in
        client.sock.sendall(b"the rest\r\n.\r\n")
        assert client.reply()[:3] == b"250"
        client.close()
    other.close()


@pytest.mark.process
def test_budget_given_back_after_an_upstream_refusal(guard, module_upstream):
    module_upstream.recorder.data_reply = "554 5.7.1 not today"
    client = connect(guard.smtp_port)
    assert client.send(long_message(900_000, "refused upstream"), size=900_000)[:3] == b"554"
    client.cmd("RSET")
    assert client.cmd(mail_from(BUDGET))[:3] == b"250"
    client.close()


@pytest.mark.process
def test_budget_given_back_when_the_client_disconnects_mid_data(guard):
    leaving = connect(guard.smtp_port)
    leaving.envelope(size=BUDGET // 2)  # one address pledges at most half the budget
    assert leaving.cmd("DATA")[:3] == b"354"  # the declared size is held from here
    leaving.sock.sendall(long_message(100_000, "cut off")[:100_000])
    probe = connect(guard.smtp_port, "127.0.0.2")
    probe.cmd("EHLO probe")
    assert probe.cmd(mail_from(BUDGET // 2 + 1))[:10] == b"452 4.3.1 "
    leaving.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    leaving.close()  # a reset, mid-data

    def admitted() -> bool:
        answer = probe.cmd(mail_from(BUDGET))
        if answer[:3] != b"250":
            return False
        probe.cmd("RSET")
        return True

    wait_until(admitted, "never admitted", timeout=10)
    probe.close()


def _spool_files(guard) -> list[str]:
    """The guard's open files under its spool directory (unnamed, so only /proc shows them)."""
    spool = str(Path(guard.workdir) / "spool")
    found = []
    for fd in Path(f"/proc/{guard.proc.pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(spool):
            found.append(target)
    return found


@pytest.mark.process
def test_a_large_message_is_spooled_to_disk_and_arrives_byte_identical(guard, module_upstream):
    body = long_message(3_000_000, "spooled") + b"..two dots\r\n.\r\n.x\r\nend\r\n"
    client = connect(guard.smtp_port)
    client.envelope()
    assert client.cmd("DATA")[:3] == b"354"
    wire = stuffed(body)
    client.sock.sendall(wire[:2_000_000])
    wait_until(lambda: _spool_files(guard), "2 MB of data read and nothing on disk", timeout=10)
    assert os.listdir(Path(guard.workdir) / "spool") == []  # no name anyone could open
    client.sock.sendall(wire[2_000_000:] + b".\r\n")
    assert client.reply()[:3] == b"250"
    got = [m for m in module_upstream.recorder.wait_for(1) if b"Subject: spooled" in m.data]
    assert len(got) == 1 and got[0].data == body
    wait_until(lambda: not _spool_files(guard), "the spool file was left behind", timeout=5)
    client.close()


@pytest.mark.process
def test_no_spool_file_left_after_a_disconnect_mid_data(guard):
    client = connect(guard.smtp_port)
    client.envelope()
    assert client.cmd("DATA")[:3] == b"354"
    client.sock.sendall(stuffed(long_message(2_500_000, "abandoned")))
    wait_until(lambda: _spool_files(guard), "2.5 MB of data read and nothing on disk", timeout=10)
    client.close()
    wait_until(lambda: not _spool_files(guard), "the abandoned spool file was left behind", timeout=10)
    assert os.listdir(Path(guard.workdir) / "spool") == []


@pytest.mark.process
def test_concurrent_clients_over_the_budget_all_get_through_exactly_once(guard, module_upstream):
    """Six clients, each 600 KB at once into a 1 MiB budget, retrying on 4xx as MTAs do."""
    before = len(module_upstream.recorder.messages)
    retries = []

    def send(index: int) -> None:
        for _ in range(40):
            client = connect(guard.smtp_port, f"127.0.0.{10 + index}")
            try:
                if client.greeting[:1] == b"4":
                    retries.append(index)
                    continue
                answer = client.send(long_message(600_000, f"burst {index}"), size=620_000)
            except AssertionError:  # 452 at MAIL or DATA
                answer = b"4"
            finally:
                client.close()
            if answer[:3] == b"250":
                return
            retries.append(index)
            time.sleep(0.3)  # a refused client retries later, as an MTA does

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    got = module_upstream.recorder.wait_for(before + 6)[before:]
    subjects = sorted(m.data.split(b"Subject: ")[1].split(b"\r\n")[0] for m in got)
    assert subjects == sorted(f"burst {i}".encode() for i in range(6))


# --- the budget's waiting, on its own ---------------------------------------------------------
def _admission(wait: float = 0.3):
    from proxy.admission import Admission, AdmissionLimits

    return Admission(
        AdmissionLimits(max_sessions=10, max_sessions_per_client=5, max_inflight_bytes=100, budget_wait=wait)
    )


def test_a_read_message_waits_for_the_budget_and_gets_it_when_it_comes_free():
    from proxy.admission import Reservation

    async def scenario():
        admission = _admission(wait=5.0)
        first, second = Reservation(admission), Reservation(admission)
        assert first.take(80)
        waiting = asyncio.create_task(second.grow_to(50))
        await asyncio.sleep(0.1)  # the test: given time to run, the task is still waiting
        assert not waiting.done()  # 80 + 50 > 100: it waits
        first.release()
        assert await asyncio.wait_for(waiting, 2) is True
        assert admission.inflight_bytes == 50
        second.release()
        assert admission.inflight_bytes == 0

    asyncio.run(scenario())


@pytest.mark.timing
def test_a_read_message_that_the_budget_never_takes_is_refused_after_the_wait():
    from proxy.admission import Reservation

    async def scenario():
        admission = _admission(wait=0.3)
        holder, late = Reservation(admission), Reservation(admission)
        assert holder.take(90)
        started = time.monotonic()
        assert await late.grow_to(20) is False  # -> 452 4.3.1 after the data
        assert 0.25 < time.monotonic() - started < 3
        assert admission.inflight_bytes == 90 and late.size == 0

    asyncio.run(scenario())


def test_two_messages_holding_part_of_the_budget_do_not_wait_for_each_other():
    from proxy.admission import Reservation

    async def scenario():
        admission = _admission(wait=0.5)
        a, b = Reservation(admission), Reservation(admission)
        assert a.take(50) and b.take(40)  # declared sizes, held from DATA
        # Both turn out larger than declared: each gives back what it held while it waits.
        results = await asyncio.gather(a.grow_to(90), b.grow_to(90))
        assert sorted(results) == [False, True] or results == [True, True]
        assert admission.inflight_bytes == sum(r.size for r in (a, b)) <= 100

    asyncio.run(scenario())


def test_small_mail_takes_its_lane_while_large_messages_fill_the_budget_and_wait_in_line():
    from proxy.admission import Admission, AdmissionLimits, Reservation

    async def scenario():
        admission = Admission(
            AdmissionLimits(
                max_sessions=10, max_sessions_per_client=5, max_inflight_bytes=64 << 20, budget_wait=0.5
            )
        )
        large, waiting = Reservation(admission), Reservation(admission)
        assert large.take(60 << 20)
        queued = asyncio.create_task(waiting.grow_to(20 << 20))  # in line for the budget
        await asyncio.sleep(0.05)  # the task runs up to its wait and takes its place in line
        assert not admission.fits(0) and not admission.fits(1 << 20)  # newcomers wait their turn
        small = [Reservation(admission) for _ in range(20)]
        assert all(admission.fits(200_000) and r.take(200_000) for r in small)  # 4.0 MB
        assert not Reservation(admission).take(1 << 20)  # not small: no lane
        assert admission.inflight_bytes == 60 << 20 and admission.small_bytes == 20 * 200_000
        assert not Reservation(admission).take(200_000)  # the lane (4 MiB) is full
        for r in small:
            r.release()
        assert admission.small_bytes == 0
        large.release()
        assert await queued is True and admission.inflight_bytes == 20 << 20

    asyncio.run(scenario())


def test_sessions_counted_per_address_and_in_all():
    admission = _admission()
    assert all(admission.enter("192.0.2.1") for _ in range(5))
    assert not admission.enter("192.0.2.1")
    assert all(admission.enter(f"192.0.2.{i}") for i in range(2, 7))
    assert not admission.enter("192.0.2.9")  # 10 in all
    admission.leave("192.0.2.1")
    assert admission.enter("192.0.2.9") and admission.sessions == 10


def test_at_the_total_cap_the_longest_idle_session_outside_a_transaction_makes_room():
    admission = _admission()  # 10 in all, 5 per address

    class Session:
        def __init__(self, client, idle_for):
            self.client, self.evicted = client, False
            self.idle_since = None if idle_for is None else time.monotonic() - idle_for

        def evict(self):
            self.evicted = True
            admission.leave(self.client, self)

    sessions = [
        Session(f"192.0.2.{i // 5}", idle)
        for i, idle in enumerate([None, 0.5, 30, 60, None, None, None, None, None, 120])
    ]
    assert all(admission.enter(s.client, s) for s in sessions)
    assert not admission.enter("192.0.2.0")  # its own cap: nobody is closed for it
    assert not any(s.evicted for s in sessions)
    assert admission.enter("198.51.100.7")  # the longest idle (120 s) made room ...
    assert [s.evicted for s in sessions].index(True) == 9 and admission.sessions == 10
    assert admission.enter("198.51.100.8")  # ... then the next (60 s)
    assert sessions[3].evicted and not sessions[1].evicted  # 0.5 s idle: too fresh
    assert admission.enter("198.51.100.9") and sessions[2].evicted
    assert not admission.enter("198.51.100.10")  # the rest are in transactions or fresh


# --- the small lane: a small message does not queue behind a large one --------------------------
def _no_init(config) -> None:
    pass


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.mark.process
def test_a_small_call_takes_the_spare_instead_of_waiting_behind_a_long_one():
    from proxy.workers import WorkerPool

    async def scenario():
        # slow_after far away: without the small lane, the small call waits for the only worker.
        pool = WorkerPool(size=1, init=_no_init, config=None, call=_sleep, slow_after=60.0, start="fork")
        try:
            await pool.run((0.0,), 30)  # warm
            order = []

            async def call(seconds: float, small: bool) -> None:
                await pool.run((seconds,), 30, small=small)
                order.append("small" if small else "long")

            long = asyncio.create_task(call(3.0, False))
            await asyncio.sleep(0.3)  # the long call holds the worker
            await call(0.0, True)
            assert order == ["small"]  # done while the long one runs
            await long
            await pool.run((0.0,), 30, small=True)  # the spare came back to its place
            assert len(pool._all) == 2
        finally:
            pool.close()

    asyncio.run(scenario())


def test_a_spool_the_disk_refuses_is_452_and_the_rest_of_the_data_is_never_a_command(tmp_path):
    # Lines in the message that look like commands stay message: were the reading to stop at
    # the failure, "RSET" and "NOOP" below would be answered as commands (smuggling).
    data = b"Subject: x\r\n\r\n" + b"a" * 70 + b"\r\n" + b"RSET\r\nNOOP\r\n" * 50
    gone = functools.partial(GuardSMTP, spool_threshold=10, spool_directory=str(tmp_path / "gone"))
    replies, contents = asyncio.run(_session(gone, data, 1 << 16, 33554432, b"NOOP\r\n"))
    assert replies[-2] == b"452 4.3.1 Insufficient system storage, try again later\r\n"
    assert replies[-1][:3] == b"250" and len(replies) == 10 and contents == []


# --- the settings -----------------------------------------------------------------------------
def test_admission_settings_have_defaults_and_name_the_key_when_wrong(tmp_path):
    from proxy.errors import ConfigError
    from proxy.settings import load_settings

    defaults = load_settings(None, environ={})
    assert (defaults.max_sessions, defaults.max_sessions_per_client) == (100, 50)
    assert defaults.max_inflight_bytes == 64 << 20 and defaults.spool_directory is None
    config = tmp_path / "guard.yaml"
    config.write_text("smtp: {max_inflight_bytes: 8MiB, spool_directory: spool}\n")
    settings = load_settings(config, environ={})
    assert settings.max_inflight_bytes == 8 << 20 and settings.spool_directory == tmp_path / "spool"
    for text, key in [
        ("smtp: {max_sessions: 0}", "smtp.max_sessions"),
        ("smtp: {max_sessions_per_client: many}", "smtp.max_sessions_per_client"),
        ("smtp: {max_inflight_bytes: 10KiB}", "smtp.max_inflight_bytes"),
    ]:
        config.write_text(text + "\n")
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load_settings(config, environ={})
