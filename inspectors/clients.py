"""The client directory (取引先台帳): which clients a text names, and where.

Names are matched with one Aho-Corasick automaton over every client's name variants, so a
directory of thousands of clients costs one pass over the text, not one pass per client.
`inspectors.client_mismatch` asks it whose document a message is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import ahocorasick

from . import company_names as names
from .message import Table

OWN = -1  # automaton entries for our own company: they shadow client names, never report
_CELL, _ROW = names.CELL, "\x1e"  # XML (xlsx, docx) cannot carry these: no cell contains them
_CELL_B, _ROW_B = _CELL.encode(), _ROW.encode()


@dataclass(frozen=True, kw_only=True)
class Client:
    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Mention:
    where: str  # "subject", "attachment:見積.xlsx!Sheet1!B3", "body"
    clients: tuple[int, ...]  # directory indices sharing this spelling (usually one)
    surface: str  # the normalised name that matched, e.g. "エー" or "a corp"
    honorific: bool  # followed by 御中, 様, 殿 ...


@dataclass(frozen=True)
class _Entry:
    client: int
    core: bool  # reduced from 株式会社…: may be followed by its form (エー㈱)
    surface: str
    needs_context: bool  # a short core: counts only with a form, 社, 様, or alone in a cell


class ClientDirectory:
    """Finds client names in text and the clients a recipient domain belongs to."""

    def __init__(self, clients: Iterable[Client], own_names: Iterable[str] = ()) -> None:
        self.clients = tuple(clients)
        table: dict[bytes, set[_Entry]] = {}
        for index, client in enumerate(self.clients):
            for name in (client.name, *client.aliases):
                _add_name(table, index, name)
        for name in own_names:
            _add_name(table, OWN, name)
        self._automaton = _automaton(table)
        self._entries = {key: tuple(entries) for key, entries in table.items()}
        self._domains: dict[str, set[int]] = {}
        for index, client in enumerate(self.clients):
            for domain in client.domains:
                self._domains.setdefault(domain.lower().strip("."), set()).add(index)

    def clients_at(self, domain: str) -> set[int]:
        """Clients owning `domain` or a parent of it (tokyo.a-corp.co.jp is a-corp.co.jp)."""
        labels = domain.lower().strip(".").split(".")
        found: set[int] = set()
        for i in range(len(labels) - 1):
            found |= self._domains.get(".".join(labels[i:]), set())
        return found

    def mentions(self, text: str, where: str) -> list[Mention]:
        if not text:
            return []
        return self._scan(names.fold_halfwidth(text).encode("utf-8", "replace").lower(), lambda pos: where)

    def table_mentions(self, table: Table) -> list[Mention]:
        data = names.fold_halfwidth(_ROW.join(map(_CELL.join, table.rows))).encode("utf-8", "replace").lower()
        row, col, seen = 0, 0, 0

        def locate(pos: int) -> str:  # called in increasing order: count only what is new
            nonlocal row, col, seen
            rows = data.count(_ROW_B, seen, pos)
            line_start = data.rfind(_ROW_B, seen, pos) + 1 if rows else seen
            row, col = row + rows, (0 if rows else col) + data.count(_CELL_B, line_start, pos)
            seen = pos
            return f"{table.where}!{table.ref(row, col)}"

        return self._scan(data, locate)

    def _scan(self, data: bytes, locate: Callable[[int], str]) -> list[Mention]:
        """Mentions in lower-cased UTF-8 `data`; `locate` names the place of a byte offset."""
        if self._automaton is None:
            return []
        spans: dict[tuple[int, int], list] = {}
        size, entries_of = len(data), self._entries
        (a1, a2, a3), (b1, b2, b3) = names.AFTER_EDGES, names.BEFORE_EDGES
        # latin-1 turns the bytes into a str of the same length at memcpy speed: the automaton
        # then walks bytes, whose small alphabet keeps its child lookups short.
        for end, length in self._automaton.iter(data.decode("latin-1")):
            stop = end + 1
            start = stop - abs(length)
            # length < 0: short names only. Ruling out the common case (データ inside a sentence)
            # is inlined: this loop may run for every word of a 1 MB attachment.
            if (
                length < 0
                and stop < size
                and data[stop : stop + 1] not in a1
                and data[stop : stop + 2] not in a2
                and data[stop : stop + 3] not in a3
                and data[start - 1 : start] not in b1
                and data[start - 2 : start] not in b2
                and data[start - 3 : start] not in b3
            ):
                continue
            for entry in entries_of[data[start:stop]]:
                honorific = names.name_at(
                    data, start, stop, core=entry.core, needs_context=entry.needs_context
                )
                if honorific is not None:
                    spans.setdefault((start, stop), []).append((entry, honorific))
        return [
            _mention(locate(start), spans[(start, stop)])
            for start, stop in _outermost(spans)
            if all(e.client != OWN for e, _ in spans[(start, stop)])
        ]


def _add_name(table: dict[bytes, set[_Entry]], index: int, name: str) -> None:
    core, had_form = names.split_legal_form(name)
    surface = core if had_form else names.normalise(name)
    if len(surface) < 2:  # a one-letter alias would match everywhere
        return
    entry = _Entry(
        client=index,
        core=had_form,
        surface=surface,
        needs_context=had_form and index != OWN and not names.is_distinctive(surface),
    )
    for variant in names.variants(surface):
        table.setdefault(variant.encode("utf-8").lower(), set()).add(entry)


def _automaton(table: dict[bytes, set[_Entry]]):
    """The automaton over every spelling; its value is the spelling's length in bytes,
    negative when all its entries are short names that need context."""
    if not table:
        return None
    automaton = ahocorasick.Automaton()
    for key, entries in table.items():
        short = all(e.needs_context for e in entries)
        automaton.add_word(key.decode("latin-1"), -len(key) if short else len(key))
    automaton.make_automaton()
    return automaton


def _outermost(spans: dict[tuple[int, int], list]) -> list[tuple[int, int]]:
    """Spans not inside a longer one: 山田商事 within 東山田商事 is not a second client."""
    out, reach = [], -1
    for start, stop in sorted(spans, key=lambda s: (s[0], -s[1])):
        if stop > reach:
            out.append((start, stop))
            reach = stop
    return out


def _mention(where: str, hits: list) -> Mention:
    return Mention(
        where=where,
        clients=tuple(sorted({e.client for e, _ in hits})),
        surface=hits[0][0].surface,
        honorific=any(h for _, h in hits),
    )
