"""CSV in and out of the client directory and the suppression list.

Reading is inspectors.directory's (CSV from Excel in UTF-8 or CP932, Japanese headings, or
YAML), whose errors name the line; they are shown as "line 7: ...". Writing produces what
that reader takes back: UTF-8 with a BOM (so Excel opens it as UTF-8), lists joined with ";".
A free-text cell that a spreadsheet would run as a formula (=, +, -, @) gets a leading
apostrophe.
"""
from __future__ import annotations

import csv
import io
import re
import time
from pathlib import PurePath
from typing import Iterable

from starlette.datastructures import UploadFile
from starlette.responses import Response

from inspectors.directory import DirectoryError

from ..directory_store import ClientRecord, SuppressionRecord
from .console import headers

MAX_IMPORT = 10 * 1024 * 1024
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_LINE = re.compile(r"^(\d+): (.*)$", re.S)


class ImportProblem(ValueError):
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
    """"clients.csv:7: domain 'a_corp' is not a domain" -> "line 7: domain 'a_corp' ..."."""
    text = str(exc)
    rest = text[len(source) + 1:] if text.startswith(source + ":") else text
    m = _LINE.match(rest)
    return f"line {m.group(1)} / {m.group(1)}行目: {m.group(2)}" if m else text


def clients_csv(records: Iterable[ClientRecord]) -> Response:
    rows = [("name", "aliases", "domains")]
    rows += [(safe_cell(r.name), safe_cell(";".join(r.aliases)), ";".join(r.domains)) for r in records]
    return csv_download(rows, "clients")


def suppressions_csv(records: Iterable[SuppressionRecord]) -> Response:
    # entries are validated addresses or @domains: nothing in them can run as a formula
    rows = [("address", "note")] + [(r.entry, safe_cell(r.note)) for r in records]
    return csv_download(rows, "suppressions")


def safe_cell(text: str) -> str:
    """A free-text cell a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def csv_download(rows: list[tuple[str, ...]], stem: str) -> Response:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    name = f"{stem}-{time.strftime('%Y%m%d')}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers=headers({"Content-Disposition": f'attachment; filename="{name}"'}))
