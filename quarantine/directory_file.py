"""Reading client-directory and suppression-list imports (CSV or YAML) into values.

取引先台帳 exports come from Excel: CP932 or UTF-8 with a BOM, Japanese column headings, extra
columns nobody needs here. Every error names the file and the line, so an admin importing five
thousand rows can fix the one that is wrong. Reading files and storing the result is the
caller's; this module turns bytes into `Client` values and suppression entries.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import PurePath

from inspectors.clients import Client

from .directory_text import DirectoryError, decode, problem
from .directory_yaml import yaml_clients, yaml_entries

__all__ = ["DirectoryError", "decode", "domain", "read_clients", "read_suppressions", "suppression_entry"]

_NAME = {"name", "company", "client", "会社名", "取引先名", "取引先", "名称", "社名"}
_ALIASES = {"aliases", "alias", "別名", "略称", "通称", "表記ゆれ"}
_DOMAINS = {"domains", "domain", "ドメイン", "メールドメイン"}
_ENTRY = {"address", "email", "e-mail", "entry", "domain", "メールアドレス", "アドレス", "ドメイン"}
# The one separator of every list cell (aliases, domains), the one the export writes, is ";".
# The full-width "；", "、", "|" and a line break in the cell are taken too: what Japanese input
# and older ledgers use. A comma is not one, in any column: a name or an alias may hold one
# ("Acme, Inc."); a domain cannot, so a comma (or a space) in a domain cell is reported with
# the line, as a wrong separator, never guessed at.
LIST_SPLIT = re.compile(r"[;；、|\n]")
_NOT_SEPARATORS = re.compile(r"[,，\s]")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


# A spreadsheet runs a cell that starts with one of these as a formula. The product's CSV
# writer (quarantine.admin.directory_csv) puts an apostrophe before such a cell, and before a
# cell that starts with an apostrophe, so that reading its files back is lossless.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def unescape_cell(text: str) -> str:
    """A cell as it was before the CSV writer made it formula-safe."""
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_LEADS + ("'",):
        return text[1:]
    return text


def split_list(cell: str) -> list[str]:
    """The values of a list cell (aliases, domains), stripped; empty ones dropped."""
    return [v.strip() for v in LIST_SPLIT.split(cell) if v.strip()]


def read_clients(data: bytes, source: str) -> tuple[Client, ...]:
    """Clients from a CSV (a header row naming name / aliases / domains, in English or
    Japanese; other columns ignored) or a YAML list of {name, aliases, domains}."""
    rows = yaml_clients(data, source) if _is_yaml(source) else _csv_clients(data, source)
    clients: list[Client] = []
    seen: dict[str, int] = {}
    for line, name, aliases, domains in rows:
        if not name.strip():
            raise problem(source, line, "the client has no name", "会社名が空です")
        if name.strip() in seen:
            raise problem(
                source,
                line,
                f"client {name.strip()!r} is already on line {seen[name.strip()]}",
                f"取引先「{name.strip()}」は {seen[name.strip()]} 行目にもあります",
            )
        seen[name.strip()] = line
        clients.append(
            Client(
                name=name.strip(),
                aliases=tuple(a.strip() for a in aliases if a.strip()),
                domains=tuple(dict.fromkeys(domain(d, source, at) for at, d in domains if d.strip())),
            )
        )
    return tuple(clients)


def read_suppressions(data: bytes, source: str) -> tuple[str, ...]:
    """Entries from a CSV or text file (first column, or the column headed address / email /
    domain) or a YAML list: "user@example.net" for an address, "@example.net" for a domain."""
    entries = yaml_entries(data, source) if _is_yaml(source) else _csv_entries(data, source)
    return tuple(dict.fromkeys(suppression_entry(value, source, line) for line, value in entries))


def domain(value: str, source: str, line: int) -> str:
    """A lower-case ASCII domain (IDNs in their xn-- form), or an error naming the line."""
    text = value.strip().lower().lstrip("@").rstrip(".")
    try:
        ascii_form = text.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_form = ""
    labels = ascii_form.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        if _NOT_SEPARATORS.search(value.strip()):
            raise problem(
                source,
                line,
                f"domain {value.strip()!r} is not a domain (separate domains with ';')",
                f"「{value.strip()}」はドメインの形ではありません（複数のドメインは「;」で区切ってください）",
            )
        raise problem(
            source,
            line,
            f"domain {value.strip()!r} is not a domain",
            f"「{value.strip()}」はドメインの形ではありません" if value.strip() else "ドメインがありません",
        )
    return ascii_form


def suppression_entry(value: str, source: str, line: int) -> str:
    text = value.strip()
    local, at, rest = text.rpartition("@")
    if not at or not local:
        return "@" + domain(rest, source, line)
    if re.search(r"[\s<>(),;:\"@]", local) or len(local) > 64:
        raise problem(
            source, line, f"{text!r} is not an address", f"「{text}」はメールアドレスの形ではありません"
        )
    return f"{local.lower()}@{domain(rest, source, line)}"


def _is_yaml(source: str) -> bool:
    return PurePath(source).suffix.lower() in (".yaml", ".yml")


def _csv_rows(data: bytes, source: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells), skipping blank and # comment lines."""
    reader = csv.reader(decode(data, source).splitlines(keepends=True))
    line = 1
    try:
        for row in reader:
            if any(c.strip() for c in row) and not row[0].lstrip().startswith("#"):
                yield line, [unescape_cell(c) for c in row]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise problem(
            source, reader.line_num, str(exc), "CSV として読めません（引用符の閉じ忘れなど）"
        ) from None


def _column(header: list[str], names: set[str]) -> int | None:
    cells = [c.strip().lower() for c in header]
    return next((i for i, c in enumerate(cells) if c in names), None)


def _csv_clients(data: bytes, source: str) -> Iterator[tuple[int, str, list[str], list]]:
    rows = _csv_rows(data, source)
    first = next(rows, None)
    if first is None:
        return
    line, header = first
    name_col = _column(header, _NAME)
    if name_col is None:
        raise problem(
            source,
            line,
            f"the first row must name the columns (name, aliases, domains); got {', '.join(header)!r}",
            f"1行目に列名（会社名・略称・ドメイン）が必要です。1行目は「{'、'.join(header)}」でした",
        )
    alias_col, domain_col = _column(header, _ALIASES), _column(header, _DOMAINS)
    for line, row in rows:
        yield (
            line,
            _cell(row, name_col),
            split_list(_cell(row, alias_col)),
            [(line, d) for d in split_list(_cell(row, domain_col))],
        )


def _cell(row: list[str], col: int | None) -> str:
    return row[col] if col is not None and col < len(row) else ""


def _csv_entries(data: bytes, source: str) -> Iterator[tuple[int, str]]:
    column = 0
    for i, (line, row) in enumerate(_csv_rows(data, source)):
        if i == 0 and (found := _column(row, _ENTRY)) is not None:
            column = found
            continue
        if column < len(row) and row[column].strip():
            yield line, row[column]
