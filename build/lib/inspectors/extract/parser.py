"""The MIME parser: the stdlib's, fed in slices, with its nesting bounded and message/*
bodies in a transfer encoding kept whole for the walk (inspectors/extract/mail.py) to decode.
It stays the authority on structure; only the lines it would merely carry are spared it (a
one-part message's body, large base64 bodies: `_parsed_without_runs`)."""

from __future__ import annotations

import email.policy
import functools
import os
import re
from collections.abc import Callable, Iterator
from email.feedparser import BytesFeedParser
from email.message import Message

import re2

_FEED = 1 << 16
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")  # the end of the header section
# Levels of multipart and message/* the parser follows (the walk's own limits are lower).
# The stdlib parser recurses once per level and meets Python's recursion limit near 1,000;
# a deeper container is kept as unparsed text and reported.
PARSE_DEPTH = 50
_ENCODED = ("base64", "quoted-printable")


def read_message(data: bytes) -> Message:
    """The parsed message, every body in place."""
    message, stand_ins = read_lazily(data)
    if stand_ins is not None:
        stand_ins.put_back(message)
    return message


def read_lazily(data: bytes) -> tuple[Message, StandIns | None]:
    """The parsed message, and the stand-ins its large base64 bodies still are: each is put
    back (`StandIns.put_back`) when its part is about to be read, so the message's bytes are
    not held twice (once in `data`, once in the parts) while it is read part by part.

    A message of one part is parsed to the end of its headers and given the rest as its
    body: the email parser would carry every line of it through Python one by one (half the
    CPU of inspecting a plain message) to the same result."""
    blank = _BLANK_LINE.search(data)
    if blank:
        message = _parsed(data[: blank.end()])
        # The parser read exactly the headers and the empty line when nothing is left over
        # for the body; a malformed header line would have started the body earlier.
        if message.get_content_maintype() not in ("multipart", "message") and message.get_payload() == "":
            message.set_payload(data[blank.end() :].decode("ascii", "surrogateescape"))
            return message, None
    return _parsed_without_runs(data)


# A run: lines of nothing but base64 characters after an empty line, the body of a part in
# base64 (an attachment, or a mailer's base64 text). It holds no boundary ("-" is not
# base64), no header and no empty line, so the parser's reading of the structure does not
# depend on it: it is parsed as one short stand-in line of the same characters and put back
# whole afterwards, instead of being carried line by line through the parser (140,000
# lines, a tenth of a second, for 10 MB).
_RUN_START = re.compile(rb"\n\r?\n(?=[A-Za-z0-9+/=]{40})")
_RUN_STOP = re2.compile(rb"[^A-Za-z0-9+/=\r\n]|\n\r?\n")
MIN_RUN = 1 << 16  # shorter runs cost the parser little


def _runs(data: bytes) -> list[tuple[int, int]]:
    """[start, end) of each run worth standing in for; `end` before its last line break
    (the break before a boundary belongs to the boundary)."""
    runs, pos = [], 0
    while (found := _RUN_START.search(data, pos)) is not None:
        start = found.end()
        stop = _RUN_STOP.search(data, start)
        end = data.rfind(b"\n", start, len(data) if stop is None else stop.start() + 1)
        end -= end > start and data[end - 1 : end] == b"\r"
        if end - start >= MIN_RUN:
            runs.append((start, end))
        pos = max(end, start)  # the next run starts after this one's lines
    return runs


def _parsed_without_runs(data: bytes) -> tuple[Message, StandIns | None]:
    """The parsed message, its large base64 runs parsed as stand-ins; parsed as it comes
    if a stand-in is not found again exactly once (it never should be)."""
    runs = _runs(data)
    if not runs:
        return _parsed(data), None
    prefix = b"MDGRUN" + os.urandom(8).hex().encode()
    while prefix in data:
        prefix = b"MDGRUN" + os.urandom(8).hex().encode()
    view = memoryview(data)  # the text between runs is copied once, into what is parsed
    pieces: list[bytes | memoryview] = []
    spans: dict[str, tuple[int, int]] = {}
    at = 0
    for i, (start, end) in enumerate(runs):
        token = b"%s%06d" % (prefix, i)
        pieces += (view[at:start], token)
        spans[token.decode()] = (start, end)
        at = end
    pieces.append(view[at:])
    message = _parsed(b"".join(pieces))
    stand_ins = StandIns(prefix.decode(), spans, data)
    if stand_ins.count(message) != len(runs):
        return _parsed(data), None
    return message, stand_ins


class StandIns:
    """The runs a parsed message holds stand-ins for, and how to put them back."""

    def __init__(self, prefix: str, runs: dict[str, tuple[int, int]], data: bytes) -> None:
        self.prefix, self.runs, self.data = prefix, runs, data
        self.token = re.compile(re.escape(prefix) + r"\d{6}")

    def count(self, message: Message) -> int:
        return sum(len(self.token.findall(text)) for text, _ in _texts(message, whole=True))

    def put_back(self, part: Message, whole: bool = True, keep_sole: bool = False) -> None:
        """The runs in `part` and everything in it; `whole` False: in its preamble and
        epilogue only (a multipart whose parts are read one by one after it). `keep_sole`:
        a body that is one run stays a stand-in, for `sole` to decode from the bytes."""

        def run(found: re.Match) -> str:
            start, end = self.runs[found.group()]
            return self.data[start:end].decode("ascii")

        sole = self.sole(part) if keep_sole else None
        for text, put in _texts(part, whole):
            # _payload: the stdlib's own attribute, read as stored, without get_payload's decoding.
            if self.prefix in text and not (sole and text is part._payload):  # type: ignore[attr-defined]
                put(self.token.sub(run, text))

    def sole(self, part: Message) -> tuple[int, int] | None:
        """[start, end) in the message's bytes of a body that is one run and nothing else:
        decoded from there, a 15 MB attachment is not also held as a 15 MB text."""
        payload = part._payload  # type: ignore[attr-defined]  # as stored, not decoded
        if isinstance(payload, str) and len(payload) < 64:
            found = self.token.fullmatch(payload.strip())
            if found is not None:
                return self.runs[found.group()]
        return None


def _texts(message: Message, whole: bool) -> Iterator[tuple[str, Callable[[str], None]]]:
    """Each text a stand-in may be in (bodies, preambles, epilogues), with its setter."""
    todo = [message]
    while todo:
        part = todo.pop()
        for name in ("preamble", "epilogue"):
            text = getattr(part, name, None)
            if isinstance(text, str):
                yield text, functools.partial(setattr, part, name)
        payload = part._payload  # type: ignore[attr-defined]  # as stored, not decoded
        if isinstance(payload, list):
            if whole:
                todo.extend(p for p in payload if isinstance(p, Message))
        elif isinstance(payload, str):
            yield payload, functools.partial(setattr, part, "_payload")


def _parsed(data: bytes) -> Message:
    """Fed in slices: email.message_from_bytes first turns the whole message into one str
    held in a StringIO (4 bytes a character), which for a 25 MB message alone is a 100 MB
    peak."""
    parser = _Parser()
    view = memoryview(data)
    for start in range(0, len(data), _FEED):
        parser.feed(view[start : start + _FEED].tobytes())
    return parser.close()


class _Part(Message):
    """A parsed part. `opaque` says why the parser kept its body as unparsed text: "depth"
    (nested too deep) or "encoded" (a message/* part in base64 or quoted-printable, which
    RFC 6532 §3.5 allows for message/global and mailers use for message/rfc822 too)."""

    opaque = ""

    def get_content_type(self) -> str:
        # What the parser (and a generator flattening it again) acts on: an opaque body is
        # one leaf. The walk reads the declared type with declared_type().
        return "application/octet-stream" if self.opaque else super().get_content_type()


def declared_type(part: Message) -> str:
    return Message.get_content_type(part)


class _Parser(BytesFeedParser):
    """The stdlib parser with its nesting bounded (it follows multipart and message/* by
    recursion, hooked here through its private _parsegen/_parse_headers)."""

    def __init__(self) -> None:
        super().__init__(_factory=_Part, policy=email.policy.compat32)
        self._depth = 0

    def _parsegen(self):
        self._depth += 1
        try:
            yield from super()._parsegen()
        finally:
            self._depth -= 1

    # _parse_headers and _cur are the stdlib parser's private hook and state; typeshed omits them.
    def _parse_headers(self, lines) -> None:
        super()._parse_headers(lines)  # type: ignore[misc]
        part = self._cur  # type: ignore[attr-defined]
        maintype = declared_type(part).split("/")[0]
        if maintype in ("multipart", "message") and self._depth > PARSE_DEPTH:
            part.opaque = "depth"
        elif (
            maintype == "message"
            and str(part.get("Content-Transfer-Encoding", "")).strip().lower() in _ENCODED
        ):
            part.opaque = "encoded"
