"""Inspection worker processes, spoken to over a socket pair each, straight from the event loop.

ProcessPoolExecutor hands every call through two helper threads (a feeder and a result
reader) and cannot stop a call that hangs. Here each worker owns one socket: a request is one
length-prefixed pickle written by the loop, the answer one read back. A worker that overruns
its hard deadline is killed and replaced alone; one that dies shows up as EOF; and a worker
whose parent dies sees EOF too and exits, so none is left behind.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import signal
import socket
import struct
from typing import Any, Callable

log = logging.getLogger("guard.workers")

_HEADER = struct.Struct("!I")


class WorkerDied(Exception):
    pass


class WorkerTimeout(Exception):
    pass


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    buf = bytearray(size)
    view, got = memoryview(buf), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            return None
        got += n
    return bytes(buf)


def _serve(sock: socket.socket, init: Callable[[Any], None], config: Any,
           call: Callable[..., Any]) -> None:
    """The worker's whole life: requests in, answers out, until the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when workers stop
    init(config)
    while True:
        header = _recv_exact(sock, _HEADER.size)
        if header is None:
            return
        body = _recv_exact(sock, _HEADER.unpack(header)[0])
        if body is None:
            return
        answer = pickle.dumps(call(*pickle.loads(body)), protocol=pickle.HIGHEST_PROTOCOL)
        sock.sendall(_HEADER.pack(len(answer)) + answer)


class _Worker:
    def __init__(self, ctx, init, config, call) -> None:
        parent, child = socket.socketpair()
        self.process = ctx.Process(target=_serve, args=(child, init, config, call), daemon=True)
        self.process.start()
        child.close()
        self.sock = parent
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, args: tuple, deadline: float) -> Any:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(sock=self.sock)
        body = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(_HEADER.pack(len(body)) + body)
        try:
            async with asyncio.timeout(deadline):   # no extra task, unlike wait_for
                return await self._answer()
        except TimeoutError:
            raise WorkerTimeout() from None
        except (asyncio.IncompleteReadError, ConnectionError):
            raise WorkerDied() from None

    async def _answer(self) -> Any:
        await self.writer.drain()
        size = _HEADER.unpack(await self.reader.readexactly(_HEADER.size))[0]
        return pickle.loads(await self.reader.readexactly(size))

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

    def __init__(self, *, size: int, init: Callable[[Any], None], config: Any,
                 call: Callable[..., Any]) -> None:
        # forkserver: forking a process that runs threads (aiosqlite, executors) can copy
        # held locks into the child.
        self._ctx = multiprocessing.get_context("forkserver")
        self._spec = (init, config, call)
        self.size = size
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []
        for _ in range(size):
            self._spawn()

    def _spawn(self) -> None:
        worker = _Worker(self._ctx, *self._spec)
        self._all.append(worker)
        self._idle.put_nowait(worker)

    async def run(self, args: tuple, deadline: float) -> Any:
        """The worker's answer; WorkerTimeout or WorkerDied (the worker is then replaced)."""
        worker = await self._idle.get()
        try:
            result = await worker.request(args, deadline)
        except BaseException:
            # Whatever happened (timeout, death, our own cancellation mid-request), the
            # worker's socket may hold half a conversation: it cannot be reused.
            self._all.remove(worker)
            worker.kill()
            self._spawn()
            raise
        self._idle.put_nowait(worker)
        return result

    async def drain(self, deadline: float) -> None:
        """Wait until every worker is idle, or `deadline` seconds, then stop them all (a pool
        being replaced). A worker still busy then is killed: its message fails closed."""
        async def all_idle() -> None:
            for _ in range(len(self._all)):
                await self._idle.get()
        try:
            await asyncio.wait_for(all_idle(), deadline)
        except asyncio.TimeoutError:
            log.warning("event=pool_drain_deadline workers=%d", len(self._all))
        self.close()

    def close(self) -> None:
        for worker in self._all:
            worker.kill()
        self._all.clear()
