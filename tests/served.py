"""A web app of the guard served by uvicorn on a free port, on its own event loop in a thread,
over a SQLite store in tmp_path: what the browser tests open. A subclass says which app
(`app`) and what the store holds (`seed`)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import uvicorn

from quarantine.store import Store

from .support import free_port, wait_until


class Served:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.server: uvicorn.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self):
        """The ASGI app over self.store (called on the server's loop, before `seed`)."""
        raise NotImplementedError

    async def seed(self) -> None:
        """What self.store holds before the first request."""

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.store = self.loop.run_until_complete(
            Store.open(f"sqlite+aiosqlite:///{self.tmp_path / 'guard.db'}")
        )
        app = self.app()
        self.loop.run_until_complete(self.seed())
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.loop.run_until_complete(self.server.serve())
        self.loop.run_until_complete(self.store.close())
        self.loop.close()  # and its self-pipe: not left to the collector

    def start(self):
        self.thread.start()
        wait_until(lambda: self.server and self.server.started, f"{self.url} did not start", timeout=20)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.should_exit = True
        self.thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
