"""CSV in and out of the client directory and the suppression list.

Reading is quarantine.directory_file's (CSV from Excel in UTF-8 or CP932, Japanese headings, or
YAML), whose errors name the line; they are shown as "line 7: ...". Writing produces what
that reader takes back: UTF-8 with a BOM (so Excel opens it as UTF-8), lists joined with ";".
Every CSV the console writes (clients, suppressions, the audit log) goes through
`csv_download`, which makes every cell formula-safe: a cell that a spreadsheet would run as a
formula (=, +, -, @, tab, CR) or that starts with an apostrophe gets a leading apostrophe,
which quarantine.directory_file removes again on import.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterable
from pathlib import PurePath

from starlette.datastructures import UploadFile
from starlette.responses import Response

from ..directory_file import FORMULA_LEADS, DirectoryError
from ..directory_store import ClientRecord, SuppressionRecord
from ..errors import QuarantineError
from ..rendering import headers

MAX_IMPORT = 10 * 1024 * 1024
_ESCAPED = FORMULA_LEADS + ("'",)
_LINE = re.compile(r"^(\d+): (.*)$", re.S)


class ImportProblem(QuarantineError, ValueError):
    """An upload that cannot be imported: the message says which line and why."""


async def uploaded(item, default_name: str) -> tuple[bytes, str]:
    """(bytes, file name) of an uploaded file; the name decides CSV or YAML."""
    if not isinstance(item, UploadFile):
        raise ImportProblem("ファイルを選んでください / choose a file to import")
    data = await item.read(MAX_IMPORT + 1)
    if not data:
        raise ImportProblem("ファイルが空です / the file is empty")
    if len(data) > MAX_IMPORT:
        raise ImportProblem(f"ファイルが大きすぎます / larger than {MAX_IMPORT // (1024 * 1024)} MiB")
    name = PurePath((item.filename or "").replace("\\", "/")).name or default_name
    if PurePath(name).suffix.lower() not in (".csv", ".txt", ".yaml", ".yml"):
        name = default_name
    return data, name


def line_error(exc: DirectoryError, source: str) -> str:
    """ "clients.csv:7: domain 'a_corp' is not a domain" -> "line 7: domain 'a_corp' ..."."""
    text = str(exc)
    rest = text[len(source) + 1 :] if text.startswith(source + ":") else text
    m = _LINE.match(rest)
    return f"line {m.group(1)} / {m.group(1)}行目: {m.group(2)}" if m else text


def clients_csv(records: Iterable[ClientRecord]) -> Response:
    rows = [("name", "aliases", "domains")]
    rows += [(r.name, ";".join(r.aliases), ";".join(r.domains)) for r in records]
    return csv_download(rows, "clients")


def suppressions_csv(records: Iterable[SuppressionRecord]) -> Response:
    rows = [("address", "note")] + [(r.entry, r.note) for r in records]
    return csv_download(rows, "suppressions")


def _safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_ESCAPED) else text


def csv_download(rows: Iterable[tuple], stem: str) -> Response:
    """The one CSV writer: every cell of every row is made formula-safe here, so that no
    caller can forget a column."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([_safe_cell(c) for c in row] for row in rows)
    name = f"{stem}-{time.strftime('%Y%m%d')}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=headers({"Content-Disposition": f'attachment; filename="{name}"'}),
    )
