"""The MIME parser: the stdlib's, fed in slices, with its nesting bounded and message/*
bodies in a transfer encoding kept whole for the walk (inspectors/extract/mail.py) to decode."""
from __future__ import annotations

import email.policy
import re
from email.feedparser import BytesFeedParser
from email.message import Message

_FEED = 1 << 16
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")   # the end of the header section
# Levels of multipart and message/* the parser follows (the walk's own limits are lower).
# The stdlib parser recurses once per level and meets Python's recursion limit near 1,000;
# a deeper container is kept as unparsed text and reported.
PARSE_DEPTH = 50
_ENCODED = ("base64", "quoted-printable")


def read_message(data: bytes) -> Message:
    """The parsed message. A message of one part is parsed to the end of its headers and
    given the rest as its body: the email parser would carry every line of it through
    Python one by one (half the CPU of inspecting a plain message) to the same result."""
    blank = _BLANK_LINE.search(data)
    if blank:
        message = _parsed(data[:blank.end()])
        # The parser read exactly the headers and the empty line when nothing is left over
        # for the body; a malformed header line would have started the body earlier.
        if message.get_content_maintype() not in ("multipart", "message") \
                and message.get_payload() == "":
            message.set_payload(data[blank.end():].decode("ascii", "surrogateescape"))
            return message
    return _parsed(data)


def _parsed(data: bytes) -> Message:
    """Fed in slices: email.message_from_bytes first turns the whole message into one str
    held in a StringIO (4 bytes a character), which for a 25 MB message alone is a 100 MB
    peak."""
    parser = _Parser()
    view = memoryview(data)
    for start in range(0, len(data), _FEED):
        parser.feed(view[start:start + _FEED].tobytes())
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

    def _parse_headers(self, lines) -> None:
        super()._parse_headers(lines)
        part = self._cur
        maintype = declared_type(part).split("/")[0]
        if maintype in ("multipart", "message") and self._depth > PARSE_DEPTH:
            part.opaque = "depth"
        elif maintype == "message" and \
                str(part.get("Content-Transfer-Encoding", "")).strip().lower() in _ENCODED:
            part.opaque = "encoded"
