"""The embedded outbox's Maildir layout, for its writer (proxy/outbox.py) and its reader (the
console's outbox page): a message is written into tmp/, then renamed into new/, where the
reader finds it. cur/ exists for mail clients that open the folder; nothing here moves mail
there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Maildir:
    path: Path

    @property
    def tmp(self) -> Path:
        return self.path / "tmp"

    @property
    def new(self) -> Path:
        return self.path / "new"

    def create(self) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)

    def latest(self, count: int) -> list[Path]:
        """The newest delivered messages first (names start with the delivery time)."""
        return sorted(self.new.glob("*"), key=lambda p: p.name, reverse=True)[:count]

    def message(self, name: str) -> Path | None:
        """A delivered message by its file name; None for anything else (a path, a dot file)."""
        path = self.new / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return None
        return path
