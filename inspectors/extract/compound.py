"""OLE compound files (MS-CFB, version 3) written from a tree of storages and streams: how a
message embedded in an Outlook .msg is exported as a .msg of its own (extract.outlook), and
how the tests write theirs.

A storage is a dict of names to storages (dicts) or streams (bytes). Streams under 4096 bytes
live in the mini stream (64-byte mini sectors, chained by the mini FAT), larger ones in 512-byte
sectors chained by the FAT; FAT sectors past the header's 109 are listed in DIFAT sectors. The
directory is a tree of 128-byte entries whose siblings form a binary search tree ordered by
name length, then by upper-case name.
"""

from __future__ import annotations

import struct

Tree = dict[str, "Tree | bytes"]
SECTOR, MINI, CUTOFF = 512, 64, 4096
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DIFSECT, FATSECT, ENDOFCHAIN, FREESECT, NOSTREAM = 0xFFFFFFFC, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
STGTY_STORAGE, STGTY_STREAM, STGTY_ROOT = 1, 2, 5
_HEADER_FATS = 109  # FAT sector numbers the header holds
_PER_SECTOR = SECTOR // 4  # sector numbers in one FAT or DIFAT sector


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
    while True:  # the FAT maps every sector, its own and the DIFAT's included
        difats = -(-max(0, fats - _HEADER_FATS) // (_PER_SECTOR - 1))
        if len(sectors) + fats + difats <= fats * _PER_SECTOR:
            break
        fats += 1
    fat = [FREESECT] * (fats * _PER_SECTOR)
    for first, count in chains:
        for i in range(first, first + count):
            fat[i] = i + 1 if i + 1 < first + count else ENDOFCHAIN
    fat_sectors = list(range(len(sectors), len(sectors) + fats))
    difat_sectors = list(range(fat_sectors[-1] + 1, fat_sectors[-1] + 1 + difats))
    for i in fat_sectors:
        fat[i] = FATSECT
    for i in difat_sectors:
        fat[i] = DIFSECT
    difat_start = difat_sectors[0] if difat_sectors else ENDOFCHAIN
    header = MAGIC + bytes(16) + struct.pack("<HHHHH6xIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, fats, directory, 0)
    header += struct.pack("<IIIII", CUTOFF, minifat_start, minifat_sectors, difat_start, len(difat_sectors))
    listed = fat_sectors + [FREESECT] * (_HEADER_FATS + len(difat_sectors) * (_PER_SECTOR - 1) - fats)
    header += struct.pack(f"<{_HEADER_FATS}I", *listed[:_HEADER_FATS])
    rest = listed[_HEADER_FATS:]
    difat = b""
    for n in range(len(difat_sectors)):
        following = difat_sectors[n + 1] if n + 1 < len(difat_sectors) else ENDOFCHAIN
        own = rest[n * (_PER_SECTOR - 1) : (n + 1) * (_PER_SECTOR - 1)]
        difat += struct.pack(f"<{_PER_SECTOR}I", *own, following)
    return header + b"".join(sectors) + struct.pack(f"<{len(fat)}I", *fat) + difat


def _add(entries: list[_Entry], parent: int, tree: Tree) -> None:
    # Depth first, each storage's entries in order, with a list for a stack, not recursion:
    # an exported tree may nest deeply.
    todo = [(parent, name, value) for name, value in reversed(tree.items())]
    while todo:
        parent, name, value = todo.pop()
        index = len(entries)
        entries[parent].children.append(index)
        if isinstance(value, dict):
            entries.append(_Entry(name, STGTY_STORAGE))
            todo.extend((index, kid, inner) for kid, inner in reversed(value.items()))
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
