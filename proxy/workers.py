"""Inspection worker processes, spoken to over a socket pair each, straight from the event loop.

ProcessPoolExecutor hands every call through two helper threads (a feeder and a result
reader) and cannot stop a call that hangs. Here each worker owns one socket: a request is one
frame written by the loop, the answer one read back (proxy/frames.py). A worker that overruns
its hard deadline is killed and replaced alone; one that dies shows up as EOF; and a worker
whose parent dies sees EOF too and exits, so none is left behind.

A message that runs into the time limit holds its worker for the whole limit. So that a few
such messages cannot make every other one wait behind them, the pool lends an extra worker to
a caller that has waited `slow_after` seconds while workers have been busy that long: one per
such slow worker, at most `size` at a time. A spare is kept started (its imports done), since
a cold start on a machine the slow messages already keep busy takes seconds; a lent worker
becomes the spare again, or retires, when its turn is over. Bounded: 2 × size + 1 processes,
and a pool of short messages never lends.

Small messages do not queue behind large ones: when every worker is busy, a call marked
`small` takes the warm spare at once and gives it back after (the small lane). It costs no
process: the spare is kept started anyway.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

from . import frames
from .errors import GuardError

log = logging.getLogger("guard.workers")


class WorkerDied(GuardError):
    pass


class WorkerTimeout(GuardError):
    pass


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def map_large_allocations(threshold: int = 1 << 20) -> None:
    """Have glibc give every allocation of `threshold` bytes or more its own mapping, returned
    to the system when freed. By default glibc raises that threshold to the size of the
    largest block freed so far (up to 32 MiB), so the copies of a 20 MB message come from the
    heap afterwards and the heap stays at its high-water mark: measured, an inspection worker
    kept about 100 MB resident after large messages, 44 MB with this. Not glibc: nothing."""
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, threshold)
    except (OSError, AttributeError):
        pass


def _serve(
    sock: socket.socket,
    init: Callable[[Any], None],
    config: Any,
    call: Callable[..., Any],
    inherited: tuple[socket.socket, ...] = (),
) -> None:
    """The worker's whole life: requests in, answers out, until the parent goes away.
    `inherited`: the parent's ends of the socket pairs, which a forked child holds too; kept
    open, they would hide the parent's death (no EOF) and leave the worker behind."""
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    map_large_allocations()
    init(config)
    while True:
        try:
            # The message is held once while it is inspected.
            args = frames.in_band(frames.receive(sock))
        except EOFError:
            return
        answer = frames.pack(call(*args))
        del args
        sock.sendall(b"".join(answer))


class _Worker:
    def __init__(self, ctx, init, config, call, siblings: tuple[socket.socket, ...] = ()) -> None:
        parent, child = socket.socketpair()
        forked = ctx.get_start_method() == "fork"
        inherited = (parent, *siblings) if forked else ()
        self.process = ctx.Process(target=_serve, args=(child, init, config, call, inherited), daemon=True)
        self.process.start()
        child.close()
        self.sock = parent
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, args: tuple, deadline: float) -> Any:
        if self.reader is None or self.writer is None:  # set together
            self.reader, self.writer = await asyncio.open_connection(sock=self.sock)
        try:
            async with asyncio.timeout(deadline):  # no extra task, unlike wait_for
                await frames.send(self.writer, frames.pack(frames.out_of_band(args)))
                return await frames.read(self.reader)
        except TimeoutError:
            raise WorkerTimeout() from None
        except (asyncio.IncompleteReadError, ConnectionError):
            raise WorkerDied() from None

    def kill(self) -> None:
        if self.writer is not None:
            self.writer.close()
        else:
            self.sock.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class WorkerPool:
    """`size` workers; `call(*args)` runs in one of them, initialised once with `init(config)`."""

    def __init__(
        self,
        *,
        size: int,
        init: Callable[[Any], None],
        config: Any,
        call: Callable[..., Any],
        slow_after: float | None = None,
        start: str = "forkserver",
    ) -> None:
        # forkserver: forking a process that runs threads (aiosqlite, executors) can copy
        # held locks into the child. "fork" is for a caller that runs no thread (`check`):
        # its workers start with every module it imported, at no import cost.
        self._ctx = multiprocessing.get_context(start)
        if start == "forkserver":
            # The server imports the worker's module once; each worker is then a fork of it
            # with the inspectors imported, not a fresh interpreter importing them again.
            self._ctx.set_forkserver_preload([init.__module__])
        self._spec = (init, config, call)
        self.size = size
        self.slow_after = slow_after
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []
        self._busy: dict[_Worker, float] = {}  # worker -> when its current call started
        self._lent: set[_Worker] = set()
        self._spares: list[_Worker] = []
        self._small: set[_Worker] = set()  # spares at work in the small lane
        self._waiting = 0
        for _ in range(size):
            self._idle.put_nowait(self._spawn())
        if slow_after is not None:
            self._spares.append(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, *self._spec, siblings=tuple(w.sock for w in self._all))
        self._all.append(worker)
        return worker

    async def run(self, args: tuple, deadline: float, small: bool = False) -> Any:
        """The worker's answer; WorkerTimeout or WorkerDied (the worker is then replaced).
        `small`: a quick call, which may take the spare rather than wait (the small lane)."""
        worker = self._small_lane() if small and self._idle.empty() else None
        worker = worker or await self._acquire()
        self._busy[worker] = time.monotonic()
        try:
            result = await worker.request(args, deadline)
        except BaseException:
            # Whatever happened (timeout, death, our own cancellation mid-request), the
            # worker's socket may hold half a conversation: it cannot be reused.
            del self._busy[worker]
            self._retire(worker)
            if len(self._all) - len(self._lent) - len(self._spares) - len(self._small) < self.size:
                self._idle.put_nowait(self._spawn())
            raise
        del self._busy[worker]
        self._release(worker)
        return result

    async def _acquire(self) -> _Worker:
        self._waiting += 1
        try:
            while True:
                try:
                    async with asyncio.timeout(self.slow_after):
                        return await self._idle.get()
                except TimeoutError:
                    if self._may_lend():
                        return self._lend()
        finally:
            self._waiting -= 1

    def _small_lane(self) -> _Worker | None:
        if not self._spares:
            return None
        worker = self._spares.pop()
        self._small.add(worker)
        return worker

    def _may_lend(self) -> bool:
        now = time.monotonic()
        slow = sum(1 for started in self._busy.values() if now - started >= (self.slow_after or 0))
        return len(self._lent) < min(slow, self.size)

    def _lend(self) -> _Worker:
        worker = self._spares.pop() if self._spares else self._spawn()
        self._lent.add(worker)
        if not self._spares and len(self._lent) < self.size:
            self._spares.append(self._spawn())  # warm for the next one
        log.warning("event=worker_lent lent=%d workers=%d", len(self._lent), len(self._all))
        return worker

    def _release(self, worker: _Worker) -> None:
        if worker in self._small:
            self._small.discard(worker)
            if self._spares:
                self._retire(worker)  # a lend made a new spare meanwhile
            else:
                self._spares.append(worker)
        elif worker not in self._lent:
            self._idle.put_nowait(worker)
        elif not self._spares:
            self._lent.discard(worker)
            self._spares.append(worker)
        else:
            self._retire(worker)  # its turn is over

    def _retire(self, worker: _Worker) -> None:
        self._lent.discard(worker)
        self._small.discard(worker)
        self._all.remove(worker)
        worker.kill()

    async def drain(self, deadline: float) -> None:
        """Wait until no call is running, or `deadline` seconds, then stop every worker (a
        pool being replaced). A worker still busy then is killed: its message fails closed."""

        async def all_idle() -> None:
            while self._busy or self._waiting:
                await asyncio.sleep(0.05)

        try:
            await asyncio.wait_for(all_idle(), deadline)
        except TimeoutError:
            log.warning("event=pool_drain_deadline workers=%d", len(self._all))
        self.close()

    def close(self) -> None:
        for worker in self._all:
            worker.kill()
        self._all.clear()
