"""Technical and data formats told by their content (issue 17): CAD and CNC files, meshes,
tables of measurements and logs, whose numbers are coordinates, readings and timestamps.

A 3 MB STEP file once gave 137 "card numbers" and 2,842 "phone numbers": every long run of
digits in it was a coordinate. The reader of a text or a table names the format it
recognised on its pieces (`TextChunk.format`, `Table.format`) and on the file's facts
(`Attachment.format`); the personal-data scanner then asks bare numbers in it for the
evidence a list of people would give (inspectors/pii/technical.py). The name of a file is not
asked: a .txt can be a STEP file and a .stp a customer list, and only a sample of the start
is read, so a crafted file costs no more than its first 64 KiB.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import MappingProxyType

# What the page says a format is (ja, en).
FORMATS = MappingProxyType(
    {
        "step": ("STEP形式のCADデータ", "STEP CAD data"),
        "iges": ("IGES形式のCADデータ", "IGES CAD data"),
        "dxf": ("DXF形式の図面", "DXF drawing"),
        "gcode": ("NCプログラム（Gコード）", "G-code CNC program"),
        "stl": ("STL形式の形状データ", "STL mesh"),
        "measurements": ("数値の計測データ", "table of measurements"),
        "log": ("ログファイル", "log file"),
    }
)
_SAMPLE = 64 * 1024  # characters of the start that are looked at
_LINES = 200  # lines of the sample that are looked at
_LONGEST = 256  # a longer line is no line of G-code
_WIDEST = 64  # cells of a table's row that are looked at
_IGES_SECTIONS = frozenset("SGDPT")
_GCODE = re.compile(r"(?:\s*[A-Z][+-]?(?:\d+(?:\.\d*)?|\.\d+))+\s*", re.IGNORECASE)  # one reading only
_GCODE_NOISE = re.compile(r"\([^()\n]*\)|;.*")  # comments
_GCODE_MOVE = re.compile(r"\b[GM]\d", re.IGNORECASE)
_TIMESTAMP = re.compile(
    r"\[?\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}"  # ISO 8601, application logs, nginx error
    r"|(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} "  # syslog (RFC 3164)
    r"|<\d{1,3}>1 \d{4}-\d{2}-\d{2}T"  # syslog (RFC 5424)
    r"|\S+ \S+ \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]"  # Apache, nginx access
)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_FLOAT = re.compile(r"[^.eE]*[.eE].*")
_WHEN = re.compile(
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
)


def recognise(text: str) -> str:
    """The format of a text file ("step", "iges", "dxf", "gcode", "stl", "log"), or ""."""
    head = text[:_SAMPLE]
    start = head.lstrip("\ufeff \t\r\n")
    if start.startswith("ISO-10303-21;"):  # the exchange structure's first token, always
        return "step"
    if start.startswith("solid") and "facet normal" in head and "vertex" in head:
        return "stl"
    lines = [line.rstrip("\r") for line in head.split("\n", _LINES)[:_LINES]]
    filled = [line for line in lines if line.strip()]
    if len(filled) < 4:
        return ""
    for name, test in (("iges", _iges), ("dxf", _dxf), ("gcode", _gcode), ("log", _log)):
        if test(filled):
            return name
    return ""


def _iges(lines: list[str]) -> bool:
    """80-column records with the section letter in column 73, a Start section first."""
    sections = [line[72] if len(line) >= 73 else "" for line in lines]
    fitting = sum(s in _IGES_SECTIONS for s in sections)
    return sections[0] == "S" and fitting >= 0.95 * len(lines) and "G" in sections


def _dxf(lines: list[str]) -> bool:
    """Pairs of lines, a group code then its value; the first group a SECTION."""
    codes = [line.strip() for line in lines[0::2]]
    values = [line.strip() for line in lines[1::2]]
    numeric = sum(code.lstrip("-").isdigit() and len(code) <= 4 for code in codes)
    return "SECTION" in values[:3] and numeric >= 0.95 * len(codes)


def _gcode(lines: list[str]) -> bool:
    """Words of a letter and a number (N10 G01 X12.5 Y-3 F1200), comments and % aside."""
    words = [_GCODE_NOISE.sub("", line).strip() for line in lines if len(line) <= _LONGEST]
    words = [w for w in words if w and w != "%"]
    fitting = [w for w in words if _GCODE.fullmatch(w)]
    return (
        len(words) >= 4
        and len(fitting) >= 0.9 * len(words)
        and sum(_GCODE_MOVE.search(w) is not None for w in fitting) >= len(fitting) // 4
    )


def _log(lines: list[str]) -> bool:
    """Lines that begin with a timestamp (continuation lines, a stack trace, allowed)."""
    stamped = sum(_TIMESTAMP.match(line.lstrip("\ufeff")) is not None for line in lines)
    return stamped >= 0.7 * len(lines)


def measurements(rows: Sequence[Sequence[str]]) -> str:
    """ "measurements" for a table mostly of readings (numbers with decimals or exponents:
    coordinates, sensor values), else "". Other columns may stand beside them (a time, an id,
    a name): the scanner asks their numbers for a label, which a column's heading is."""
    sample = [row[:_WIDEST] for row in rows[:_LINES]]
    head = 0
    while head < min(3, len(sample)) and 2 * sum(map(_is_number, sample[head])) < len(sample[head]):
        head += 1
    body = [c.strip() for row in sample[head:] for c in row if c.strip()]
    if len(body) < 8 or max((len(row) for row in sample), default=0) < 2:
        return ""
    floats = sum(_NUMBER.fullmatch(c) is not None and _FLOAT.fullmatch(c) is not None for c in body)
    return "measurements" if floats >= 0.6 * len(body) else ""


def _is_number(cell: str) -> bool:
    cell = cell.strip()
    return _NUMBER.fullmatch(cell) is not None or _WHEN.fullmatch(cell) is not None
