"""`client.mismatch`: whose document is this?

Client B's quote sent to client A is the incident: the subject, the attachment names and the
attachment contents name one client while the envelope goes to another. The client directory
(`inspectors.clients`) finds the names; this inspector weighs them against the recipients.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .addressee import Addressees, Head
from .base import Finding, domain_of, is_within
from .clients import ClientDirectory, Mention
from .codes import CLIENT_MISMATCH
from .message import MessageView, Table, TextChunk, read_view

MAX_WHERE = 10  # places listed in a finding; its count says how many in all
MAX_CLIENTS = 20  # findings per zone: a customer list names hundreds


class ClientMismatch:
    """`client.mismatch`: the message names a client that none of its recipients belong to.

    Subject, attachment names and attachment contents are the strong signal; mentions in the
    body text are reported in their own findings (where "body"), since a body also quotes
    earlier mail and signatures. A message going only inside the organisation is not checked.
    """

    name = "client.mismatch"

    def __init__(self, directory: ClientDirectory, internal_domains: Iterable[str]) -> None:
        self.directory = directory
        self.internal_domains = tuple(d.lower().strip(".") for d in internal_domains)
        # A directory entry with an internal domain is a part of our own group, never a mismatch.
        self._ours = frozenset(
            i
            for i, c in enumerate(directory.clients)
            if any(is_within(d.lower(), self.internal_domains) for d in c.domains)
        )

    def reader(self, message: MessageView) -> _Reader:
        """Collects mentions as extraction gives text and tables (message: its headers)."""
        return _Reader(self, message)

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        # Each table is read once, as cells, which locates a hit to the cell.
        return read_view(self.reader(message), message)

    def external(self, message: MessageView) -> list[str]:
        """External recipient domains; none, or no directory, and there is nothing to check."""
        domains = sorted({domain_of(a) for a in message.envelope.rcpt_tos} - {""})
        external = [d for d in domains if not is_within(d, self.internal_domains)]
        return external if self.directory.clients else []

    def judge(self, message: MessageView, content: _Reader) -> list[Finding]:
        external = self.external(message)
        if not external:
            return []
        addressed = set().union(self._ours, *(self.directory.clients_at(d) for d in external))
        zones: tuple[dict[int, list[Mention]], dict[int, list[Mention]]] = ({}, {})  # strong, body
        for strong, mention in self._mentions(message, content):
            if addressed.isdisjoint(mention.clients):  # a shared alias may mean the addressed one
                for index in mention.clients:
                    zones[0 if strong else 1].setdefault(index, []).append(mention)
        context = (self._addressed(addressed), "recipients=" + _sample(external, 5))
        named = [finding for found in zones for finding in self._findings(found, context)]
        # The clients of each recipient domain: a domain that two directory entries share (a
        # group company) is one party, not two.
        groups = {frozenset(self.directory.clients_at(d)) - self._ours for d in external} - {frozenset()}
        return named + self._addressee_findings(message, content, groups, context[1:])

    def _addressee_findings(
        self,
        message: MessageView,
        content: _Reader,
        groups: set[frozenset[int]],
        context: tuple[str, ...],
    ) -> list[Finding]:
        """A document addressed to a client among the recipients that also goes to people of
        a client it does not name at all: client A's quote in a reply-all still copying B.
        Clients the document names anywhere are its parties (a subcontractor, a site owner)
        and may be on the thread; a document addressed to no one, or to a client not among
        the recipients (the finding above says so), is not weighed here."""
        if len(groups) < 2:
            return []
        subject = content.heads.subject(message.subject)
        heads = [
            (doc, head)
            for doc, head in self._heads(message, content, subject)
            if any(g & head.clients for g in groups)
        ]
        if not heads:
            return []
        files = _files(message)
        named: dict[str, set[int]] = {}
        for _, mention in self._mentions(message, content):
            named.setdefault(_document(mention.where, files), set()).update(mention.clients)
        grouped: dict[tuple[frozenset[int], frozenset[int], str], list[str]] = {}
        for doc, head in heads:
            addressees = head.clients - self._ours
            parties = addressees | named.get(doc, set()) | named.get("subject", set())
            others = set().union(*(g for g in groups if not g & parties))
            if others:
                key = (frozenset(addressees), frozenset(others), head.kind)
                grouped.setdefault(key, []).extend(dict.fromkeys([doc, *head.where]))
        return [self._addressee_finding(*key, wheres, context) for key, wheres in grouped.items()]

    def _heads(self, message: MessageView, content: _Reader, subject: Head) -> Iterator[tuple[str, Head]]:
        """Each attachment's head (its parts' heads merged); the subject's addressee stands in
        for an attachment whose head names none (【エー様】お見積り with an unaddressed sheet).
        The subject alone is the conversation, not a document, and is not weighed."""
        merged: dict[str, Head] = {}
        files = _files(message)
        for where, part in content.heads.heads.items():
            head = merged.setdefault(_document(where, files), Head())
            head.clients |= part.clients
            head.kind = head.kind or part.kind
            head.where += part.where
        for doc, head in merged.items():
            if not head.clients and subject.clients:
                head = Head(clients=set(subject.clients), kind=head.kind or subject.kind, where=subject.where)
            yield doc, head

    def _addressee_finding(
        self,
        addressees: frozenset[int],
        others: frozenset[int],
        kind: str,
        wheres: list[str],
        context: tuple[str, ...],
    ) -> Finding:
        clients = self.directory.clients
        return Finding(
            code=CLIENT_MISMATCH,
            count=len(others),
            where=tuple(wheres[:MAX_WHERE]),
            evidence=(
                "addressee=" + _sample(sorted(clients[i].name for i in addressees), 3),
                "other_clients=" + _sample(sorted(clients[i].name for i in others), 3),
                f"document={kind or 'document'}",
                "confidence=high",
                *context,
            ),
        )

    def _findings(self, found: dict[int, list[Mention]], context: tuple[str, ...]) -> list[Finding]:
        """One finding per client named, honorific and most places first; a client list
        naming hundreds is summed up by the leading "named_clients=N" of each finding."""

        def rank(index: int):
            mentions = found[index]
            return (
                not any(m.honorific for m in mentions),
                -len({m.where for m in mentions}),
                self.directory.clients[index].name,
            )

        tally = f"named_clients={len(found)}"
        return [self._finding(i, found[i], (tally,), context) for i in sorted(found, key=rank)[:MAX_CLIENTS]]

    def _mentions(self, message: MessageView, content: _Reader) -> Iterator[tuple[bool, Mention]]:
        find = self.directory.mentions
        for mention in find(message.subject, "subject"):
            yield True, mention
        for att in message.attachments:
            for mention in find(att.filename, att.where):
                yield True, mention
            if f"{att.where}!properties" not in content.texts:
                for mention in find(_properties_text(att), f"{att.where}!properties"):
                    yield True, mention
        yield from content.found

    def _addressed(self, addressed: set[int]) -> str:
        named = sorted(self.directory.clients[i].name for i in addressed - self._ours)
        return "addressed=" + (_sample(named, 3) if named else "none")

    def _finding(
        self, index: int, mentions: list[Mention], tally: tuple[str, ...], context: tuple[str, ...]
    ) -> Finding:
        wheres = list(dict.fromkeys(m.where for m in mentions))
        surfaces = list(dict.fromkeys(m.surface for m in mentions))
        confidence = "high" if any(m.honorific for m in mentions) else "medium"
        return Finding(
            code=CLIENT_MISMATCH,
            count=len(wheres),
            where=tuple(wheres[:MAX_WHERE]),
            evidence=(
                *tally,
                f"client={self.directory.clients[index].name}",
                f"confidence={confidence}",
                "as=" + _sample(surfaces, 3),
                *context,
            ),
        )


class _Reader:
    """Mentions in one message's text and tables, read as they come (none for mail that
    stays inside, where nothing is checked)."""

    def __init__(self, check: ClientMismatch, message: MessageView) -> None:
        self._check = check
        self._active = bool(check.external(message))
        self.texts: set[str] = set()  # wheres read as text (a document's properties among them)
        self.found: list[tuple[bool, Mention]] = []
        self.heads = Addressees(check.directory)

    def text(self, chunk: TextChunk) -> None:
        self.texts.add(chunk.where)
        if self._active:
            self.heads.text(chunk.where, chunk.text)
            strong = chunk.where.startswith("attachment:")
            self.found.extend((strong, m) for m in self._check.directory.mentions(chunk.text, chunk.where))

    def table(self, table: Table) -> None:
        if self._active:
            self.heads.table(table)
            strong = table.where.startswith("attachment:")
            self.found.extend((strong, m) for m in self._check.directory.table_mentions(table))

    def findings(self, message: MessageView) -> list[Finding]:
        return self._check.judge(message, self)


def _properties_text(att) -> str:
    """Document properties (company, author, title), when extraction has not already given
    them as text."""
    return "\n".join(value for _, value in getattr(att, "properties", ()))


def _files(message: MessageView) -> frozenset[str]:
    return frozenset(att.where for att in message.attachments)


def _document(where: str, files: frozenset[str]) -> str:
    """The attachment a `where` lies in ("attachment:a.zip!b.xlsx!Sheet1!B2" -> the member
    b.xlsx's where), or the place itself (subject, body)."""
    parts = where.split("!")
    for end in range(len(parts), 0, -1):
        if (prefix := "!".join(parts[:end])) in files:
            return prefix
    return parts[0]


def _sample(values: list[str], limit: int) -> str:
    more = f" (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more
