"""CSV in and out of the client directory and the suppression list.

Reading is quarantine.directory_file's (CSV from Excel in UTF-8 or CP932, Japanese headings, or
YAML), whose errors name the line; they are shown as "7行目: ..." / "line 7: ...", in the
page's language. Writing produces what that reader takes back: UTF-8 with a BOM (so Excel
opens it as UTF-8), lists joined with ";" (the one separator directory_file documents).
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
from ..directory_store import ClientRecord, DirectoryConflict, SuppressionRecord
from ..errors import QuarantineError
from ..rendering import headers
from .console import say

MAX_IMPORT = 10 * 1024 * 1024
_ESCAPED = FORMULA_LEADS + ("'",)
_LINE = re.compile(r"^(\d+): (.*)$", re.S)


class ImportProblem(QuarantineError, ValueError):
    """An upload that cannot be imported: the message says which line and why."""


async def uploaded(item, default_name: str) -> tuple[bytes, str]:
    """(bytes, file name) of an uploaded file; the name decides CSV or YAML."""
    if not isinstance(item, UploadFile):
        raise ImportProblem(say("ファイルを選んでください", "Choose a file to import"))
    data = await item.read(MAX_IMPORT + 1)
    if not data:
        raise ImportProblem(say("ファイルが空です", "The file is empty"))
    if len(data) > MAX_IMPORT:
        mib = MAX_IMPORT // (1024 * 1024)
        raise ImportProblem(
            say(f"ファイルが大きすぎます（{mib} MB まで）", f"The file is larger than {mib} MiB")
        )
    name = PurePath((item.filename or "").replace("\\", "/")).name or default_name
    if PurePath(name).suffix.lower() not in (".csv", ".txt", ".yaml", ".yml"):
        name = default_name
    return data, name


def line_error(exc: DirectoryError, source: str) -> str:
    """ "clients.csv:7: domain 'a_corp' is not a domain" -> "line 7: domain 'a_corp' ...", or
    on a Japanese page "7行目: 「a_corp」はドメインの形ではありません"."""
    if exc.ja and say("ja", "en") == "ja":
        return f"{exc.line}行目: {exc.ja}" if exc.line is not None else exc.ja
    text = str(exc)
    rest = text[len(source) + 1 :] if text.startswith(source + ":") else text
    m = _LINE.match(rest)
    return f"line {m.group(1)}: {m.group(2)}" if m else text


def replace_unconfirmed() -> str:
    """Why a "replace all" import was refused: its confirmation was not ticked."""
    return say(
        "全件置き換えでは、ファイルにない登録がすべて削除されます。よろしければ確認の欄にもチェックを入れてください",
        "Replacing all deletes every entry the file does not list: tick the confirmation too",
    )


# What the store says when an import would list an entry twice (directory_store._writing).
_CONFLICTS = {"the import names a client twice": "同じ取引先がファイルに2回あります"}


def import_error(exc: ImportProblem | DirectoryConflict) -> str:
    """Why an import was refused, in the page's language (an ImportProblem is worded already)."""
    text = str(exc)
    if isinstance(exc, DirectoryConflict):
        return say(_CONFLICTS.get(text, "登録済みの項目と重なるため取り込めませんでした"), text)
    return text


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
