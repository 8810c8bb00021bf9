"""Technical and data formats told by their content (issue 17): CAD and CNC files, meshes,
tables of measurements and logs, whose numbers are coordinates, readings and timestamps.

A 3 MB STEP file once gave 137 "card numbers" and 2,842 "phone numbers": every long run of
digits in it was a coordinate. The reader of a text or a table names the format it
recognised on its pieces (`TextChunk.format`, `Table.format`) and on the file's facts
(`Attachment.format`); the personal-data scanner then asks bare numbers in it for the
evidence a list of people would give (inspectors/pii/technical.py). The name of a file is not
asked: a .txt can be a STEP file and a .stp a customer list. A format is told by the bulk of
a sample taken from the start to the end of the text (64 KiB in all, so a crafted file costs
no more), never by a first line: "ISO-10303-21;" on top of a list of phones is no CAD file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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
_SAMPLE = 64 * 1024  # characters that are looked at, from the start to the end of a text
_WINDOWS = 4  # pieces of a longer text that are looked at: its start, two between, its end
_LINES = 200  # lines of each piece that are looked at, in runs from its start to its end
_LONGEST = 256  # a longer line is no line of G-code
_WIDEST = 64  # cells of a table's row that are looked at
_IGES_SECTIONS = frozenset("SGDPT")
_STL = re.compile(r"\s*(?:solid|facet\s+normal|outer\s+loop|vertex|endloop|endfacet|endsolid)\b")
_STEP_HEADER = re.compile(r"^\s*HEADER\s*;", re.MULTILINE)
_STEP_DATA = re.compile(r"^\s*DATA\s*;", re.MULTILINE)
_STEP_STRING = re.compile(r"'(?:[^']|'')*'")  # strings hold anything: their content is not judged
_STEP_STATEMENT = re.compile(  # a record, a header entity, a section keyword
    r"#\d+\s*=|[A-Z][A-Z0-9_]*\s*\(|(?:ISO-10303-21|HEADER|ENDSEC|DATA|END-ISO-10303-21)\s*;"
)
# A broken record's next line: STEP's ASCII tokens, with a separator (a bare number is no part).
_STEP_PART = re.compile(r"(?=.*[,()])[#0-9A-Z_.,()$*+\-=\s;]*")
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
    """The format of a text file ("step", "iges", "dxf", "gcode", "stl", "log"), or "".
    Told by the bulk of a sample taken through the whole text, not by its first line: a
    STEP header or a few lines of G-code on top make no list of people a CAD file."""
    windows = _windows(text)
    start = windows[0].lstrip("\ufeff \t\r\n")
    lines = [[line for line in run if line.strip()] for window in windows for run in _runs(window)]
    if sum(map(len, lines)) < 4:
        return ""
    if start.startswith("ISO-10303-21;") and _step(start, lines):
        return "step"
    if start.startswith("solid") and _share(lines, lambda line: _STL.match(line) is not None) >= 0.9:
        return "stl"
    for name, test in (("iges", _iges), ("dxf", _dxf), ("gcode", _gcode), ("log", _log)):
        if test(lines):
            return name
    return ""


def _windows(text: str) -> list[str]:
    """The sample: the whole text when short, else _WINDOWS pieces from its start to its end,
    each cut to whole lines (a piece's first line is cut off, and its last but at the end)."""
    if len(text) <= _SAMPLE:
        return [text]
    size = _SAMPLE // _WINDOWS
    step = (len(text) - size) // (_WINDOWS - 1)
    pieces = [text[at : at + size] for at in range(0, step * _WINDOWS, step)][:_WINDOWS]
    cut = [piece.partition("\n")[2] for piece in pieces[1:]]
    return [piece.rpartition("\n")[0] for piece in [pieces[0], *cut[:-1]]] + cut[-1:]


def _runs(window: str) -> list[list[str]]:
    """The lines of a piece, or _WINDOWS runs of them from its start to its end if many."""
    lines = [line.rstrip("\r") for line in window.split("\n")]
    if len(lines) <= _LINES:
        return [lines]
    size = _LINES // _WINDOWS
    step = (len(lines) - size) // (_WINDOWS - 1)
    return [lines[at : at + size] for at in range(0, step * _WINDOWS, step)][:_WINDOWS]


def _share(windows: list[list[str]], fits: Callable[[str], bool]) -> float:
    lines = [line for window in windows for line in window]
    return sum(map(fits, lines)) / len(lines) if lines else 0.0


def _step(start: str, windows: list[list[str]]) -> bool:
    """A HEADER and a DATA section, and lines that are records (#12=CARTESIAN_POINT(…);),
    header entities, section keywords or the continuation of a record a line broke."""
    if not (_STEP_HEADER.search(start) and _STEP_DATA.search(start)):
        return False
    fitting = total = 0
    for window in windows:
        open_record = window is not windows[0]  # a piece may begin inside a record
        for line in window:
            bare = _STEP_STRING.sub("", line).strip()
            fits = _STEP_STATEMENT.match(bare) is not None or (
                open_record and _STEP_PART.fullmatch(bare) is not None
            )
            fitting, total = fitting + fits, total + 1
            open_record = fits and not bare.endswith(";")
    return fitting >= 0.9 * total


def _iges(windows: list[list[str]]) -> bool:
    """80-column records with the section letter in column 73, a Start section first."""
    sections = [line[72] if len(line) >= 73 else "" for line in windows[0]]
    return (
        sections[:1] == ["S"]
        and "G" in sections
        and _share(windows, lambda line: len(line) >= 73 and line[72] in _IGES_SECTIONS) >= 0.95
    )


def _dxf(windows: list[list[str]]) -> bool:
    """Pairs of lines, a group code then its value; the first group a SECTION."""
    if "SECTION" not in [line.strip() for line in windows[0][1:6:2]]:
        return False
    numeric = codes = 0
    for window in windows:  # a piece of the middle may begin with a value
        numeric += max(sum(map(_group_code, window[parity::2])) for parity in (0, 1))
        codes += (len(window) + 1) // 2
    return numeric >= 0.95 * codes


def _group_code(line: str) -> bool:
    code = line.strip()
    return code.lstrip("-").isdigit() and len(code) <= 4


def _gcode(windows: list[list[str]]) -> bool:
    """Words of a letter and a number (N10 G01 X12.5 Y-3 F1200), comments and % aside."""
    lines = [line for window in windows for line in window]
    words = [_GCODE_NOISE.sub("", line).strip() for line in lines if len(line) <= _LONGEST]
    words = [w for w in words if w and w != "%"]
    fitting = [w for w in words if _GCODE.fullmatch(w)]
    return (
        len(words) >= 4
        and len(fitting) >= 0.9 * len(words)
        and sum(_GCODE_MOVE.search(w) is not None for w in fitting) >= len(fitting) // 4
    )


def _log(windows: list[list[str]]) -> bool:
    """Lines that begin with a timestamp (continuation lines, a stack trace, allowed)."""
    return _share(windows, lambda line: _TIMESTAMP.match(line.lstrip("\ufeff")) is not None) >= 0.7


def measurements(rows: Sequence[Sequence[str]]) -> str:
    """ "measurements" for a table mostly of readings (numbers with decimals or exponents:
    coordinates, sensor values), else "". Other columns may stand beside them (a time, an id,
    a name): the scanner asks their numbers for a label, which a column's heading is."""
    half = _LINES // 2  # the first rows (a header is there), then rows through the rest
    first = [row[:_WIDEST] for row in rows[:half]]
    rest = rows[half:]
    spread = [row[:_WIDEST] for row in rest[:: max(1, len(rest) // half)][:half]]
    head = 0
    while head < min(3, len(first)) and 2 * sum(map(_is_number, first[head])) < len(first[head]):
        head += 1
    if max((len(row) for row in first), default=0) < 2:
        return ""
    parts = [_cells(first[head:]), _cells(spread)]  # both must be readings: the bulk, not the top
    if len(parts[0]) + len(parts[1]) < 8:
        return ""
    return "measurements" if all(_readings(cells) >= 0.6 * len(cells) for cells in parts) else ""


def _cells(rows: Sequence[Sequence[str]]) -> list[str]:
    return [c.strip() for row in rows for c in row if c.strip()]


def _readings(cells: list[str]) -> int:
    return sum(_NUMBER.fullmatch(c) is not None and _FLOAT.fullmatch(c) is not None for c in cells)


def _is_number(cell: str) -> bool:
    cell = cell.strip()
    return _NUMBER.fullmatch(cell) is not None or _WHEN.fullmatch(cell) is not None
