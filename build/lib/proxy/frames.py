"""The frames the event loop and an inspection worker exchange over their socket.

It exists apart from the pool because it is about bytes, not processes: a frame is one
pickle (protocol 5, PEP 574) whose large bytes arguments travel as out-of-band buffers, so a
20 MB message is neither pickled into a copy nor copied whole into the transport's buffer.
The worker reads frames with blocking calls, the loop with a StreamReader.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from typing import Any

# A frame: the pickle's length and how many out-of-band buffers follow it (pickle protocol 5,
# PEP 574), each buffer's length, the pickle, the buffers. The message travels as a buffer:
# neither pickled into a copy nor copied whole into the transport's write buffer.
_HEADER = struct.Struct("!II")
_LENGTH = struct.Struct("!Q")
OUT_OF_BAND = 1 << 16  # bytes arguments this large travel as buffers
_CHUNK = 1 << 20  # written a chunk at a time, so the transport buffers one at most


def _recv_exact(sock: socket.socket, size: int) -> bytearray | None:
    """The bytes as received, not copied again: a request carries the whole message (pickle
    reads from a bytearray as well)."""
    buf = bytearray(size)
    view, got = memoryview(buf), 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            return None
        got += n
    return buf


def pack(obj: Any) -> list:
    buffers: list[pickle.PickleBuffer] = []
    body = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    views = [buffer.raw() for buffer in buffers]
    head = _HEADER.pack(len(body), len(views)) + b"".join(_LENGTH.pack(v.nbytes) for v in views)
    return [head, body, *views]


def out_of_band(args: tuple) -> tuple:
    return tuple(
        pickle.PickleBuffer(a) if isinstance(a, bytes) and len(a) >= OUT_OF_BAND else a for a in args
    )


def in_band(args: tuple) -> tuple:
    """The buffers back as bytes (the inspectors take bytes; the received copy is dropped)."""
    return tuple(bytes(a) if isinstance(a, memoryview) else a for a in args)


def receive(sock: socket.socket) -> Any:
    header = _recv_exact(sock, _HEADER.size)
    if header is None:
        raise EOFError
    size, count = _HEADER.unpack(header)
    lengths = _recv_exact(sock, _LENGTH.size * count) if count else bytearray()
    body = _recv_exact(sock, size)
    if lengths is None or body is None:
        raise EOFError
    buffers = []
    for (length,) in _LENGTH.iter_unpack(lengths):
        buffer = _recv_exact(sock, length)
        if buffer is None:
            raise EOFError
        buffers.append(buffer)
    return pickle.loads(body, buffers=buffers)


async def send(writer: asyncio.StreamWriter, parts: list) -> None:
    # A chunk at a time, each sent before the next is written: the transport copies
    # what the socket does not take at once, and a 25 MB message is not copied whole.
    for part in parts:
        view = memoryview(part).cast("B")
        for start in range(0, len(view), _CHUNK):
            writer.write(view[start : start + _CHUNK])
            await writer.drain()


async def read(reader: asyncio.StreamReader) -> Any:
    size, count = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    lengths = await reader.readexactly(_LENGTH.size * count) if count else b""
    body = await reader.readexactly(size)
    buffers = [await reader.readexactly(n) for (n,) in _LENGTH.iter_unpack(lengths)]
    return pickle.loads(body, buffers=buffers)
