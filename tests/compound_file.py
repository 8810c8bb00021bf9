"""OLE compound files (MS-CFB, version 3) for tests, written from a tree of storages and streams.

A storage is a dict of names to storages (dicts) or streams (bytes). Streams under 4096 bytes
live in the mini stream (64-byte mini sectors, chained by the mini FAT), larger ones in 512-byte
sectors chained by the FAT; the directory is a tree of 128-byte entries whose siblings form a
binary search tree ordered by name length, then by upper-case name. Enough for the .msg files
of tests/msg_file.py; no DIFAT sectors (files up to about 7 MB).
"""

from __future__ import annotations

import struct

from olefile import ENDOFCHAIN, FATSECT, FREESECT, MAGIC, NOSTREAM, STGTY_ROOT, STGTY_STORAGE, STGTY_STREAM

Tree = dict[str, "Tree | bytes"]
SECTOR, MINI, CUTOFF = 512, 64, 4096
_HEADER_FATS = 109  # FAT sector numbers the header holds


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        self.name, self.kind, self.data = name, kind, data
        self.children: list[int] = []
        self.left = self.right = self.child = NOSTREAM
        self.start, self.size = ENDOFCHAIN, len(data)

    def pack(self) -> bytes:
        name = self.name.encode("utf-16-le") + b"\x00\x00" if self.name else b""
        head = struct.pack("<64sHBBIII", name, len(name), self.kind, 1, self.left, self.right, self.child)
        return head + bytes(16 + 4 + 16) + struct.pack("<IQ", self.start, self.size)


def compound_file(tree: Tree) -> bytes:
    """The bytes of a compound file whose root storage holds `tree`."""
    entries = [_Entry("Root Entry", STGTY_ROOT)]
    _add(entries, 0, tree)
    for entry in entries:
        entry.child = _siblings(entries, sorted(entry.children, key=lambda i: _order(entries[i].name)))
    mini, minifat = bytearray(), []
    for entry in entries:
        if entry.kind == STGTY_STREAM and 0 < entry.size < CUTOFF:
            entry.start = len(mini) // MINI
            count = -(-entry.size // MINI)
            minifat += [entry.start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini += entry.data.ljust(count * MINI, b"\x00")
    entries[0].size = len(mini)
    sectors: list[bytes] = []
    chains: list[tuple[int, int]] = []  # (first sector, sectors)

    def place(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        first, count = len(sectors), -(-len(data) // SECTOR)
        sectors.extend(data[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\x00") for i in range(count))
        chains.append((first, count))
        return first

    for entry in entries:
        if entry.kind == STGTY_STREAM and entry.size >= CUTOFF:
            entry.start = place(entry.data)
    entries[0].start = place(bytes(mini))
    minifat_start = place(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else ENDOFCHAIN
    minifat_sectors = -(-len(minifat) * 4 // SECTOR)
    while len(entries) % (SECTOR // 128):
        entries.append(_Entry("", 0))
    directory = place(b"".join(entry.pack() for entry in entries))
    fats = 1
    while (len(sectors) + fats) > fats * (SECTOR // 4):
        fats += 1
    if fats > _HEADER_FATS:
        raise ValueError("too large for a compound file without DIFAT sectors")
    fat = [FREESECT] * (fats * SECTOR // 4)
    for first, count in chains:
        for i in range(first, first + count):
            fat[i] = i + 1 if i + 1 < first + count else ENDOFCHAIN
    fat_sectors = list(range(len(sectors), len(sectors) + fats))
    for i in fat_sectors:
        fat[i] = FATSECT
    header = MAGIC + bytes(16) + struct.pack("<HHHHH6xIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, fats, directory, 0)
    header += struct.pack("<IIIII", CUTOFF, minifat_start, minifat_sectors, ENDOFCHAIN, 0)
    difat = fat_sectors + [FREESECT] * (_HEADER_FATS - fats)
    header += struct.pack(f"<{_HEADER_FATS}I", *difat)
    return header + b"".join(sectors) + struct.pack(f"<{len(fat)}I", *fat)


def _add(entries: list[_Entry], parent: int, tree: Tree) -> None:
    for name, value in tree.items():
        index = len(entries)
        entries[parent].children.append(index)
        if isinstance(value, dict):
            entries.append(_Entry(name, STGTY_STORAGE))
            _add(entries, index, value)
        else:
            entries.append(_Entry(name, STGTY_STREAM, value))


def _order(name: str) -> tuple[int, str]:
    return len(name.encode("utf-16-le")), name.upper()


def _siblings(entries: list[_Entry], ordered: list[int]) -> int:
    """The root of a balanced search tree of `ordered` (every node black: readers do not
    check the colours, and a balanced tree is shallow)."""
    if not ordered:
        return NOSTREAM
    middle = len(ordered) // 2
    root = entries[ordered[middle]]
    root.left = _siblings(entries, ordered[:middle])
    root.right = _siblings(entries, ordered[middle + 1 :])
    return ordered[middle]
