"""Reading client-directory and suppression-list imports (CSV or YAML) into values.

取引先台帳 exports come from Excel: CP932 or UTF-8 with a BOM, Japanese column headings, extra
columns nobody needs here. Every error names the file and the line, so an admin importing five
thousand rows can fix the one that is wrong. Reading files and storing the result is the
caller's; this module turns bytes into `Client` values and suppression entries.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import PurePath

import yaml

from inspectors.clients import Client

from .errors import QuarantineError

_NAME = {"name", "company", "client", "会社名", "取引先名", "取引先", "名称", "社名"}
_ALIASES = {"aliases", "alias", "別名", "略称", "通称", "表記ゆれ"}
_DOMAINS = {"domains", "domain", "ドメイン", "メールドメイン"}
_ENTRY = {"address", "email", "e-mail", "entry", "domain", "メールアドレス", "アドレス", "ドメイン"}
_LIST_SPLIT = re.compile(r"[;；、|\n]")  # aliases may contain commas: Acme, Inc.
_DOMAIN_SPLIT = re.compile(r"[;；、|,，\s]+")
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


class DirectoryError(QuarantineError, ValueError):
    """An import that cannot be read; the message starts with "file:line:"."""


def read_clients(data: bytes, source: str) -> tuple[Client, ...]:
    """Clients from a CSV (a header row naming name / aliases / domains, in English or
    Japanese; other columns ignored) or a YAML list of {name, aliases, domains}."""
    rows = _yaml_clients(data, source) if _is_yaml(source) else _csv_clients(data, source)
    clients: list[Client] = []
    seen: dict[str, int] = {}
    for line, name, aliases, domains in rows:
        if not name.strip():
            raise DirectoryError(f"{source}:{line}: the client has no name")
        if name.strip() in seen:
            raise DirectoryError(
                f"{source}:{line}: client {name.strip()!r} is already on line {seen[name.strip()]}"
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
    entries = _yaml_entries(data, source) if _is_yaml(source) else _csv_entries(data, source)
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
        raise DirectoryError(f"{source}:{line}: domain {value.strip()!r} is not a domain")
    return ascii_form


def suppression_entry(value: str, source: str, line: int) -> str:
    text = value.strip()
    local, at, rest = text.rpartition("@")
    if not at or not local:
        return "@" + domain(rest, source, line)
    if re.search(r"[\s<>(),;:\"]", local) or len(local) > 64:
        raise DirectoryError(f"{source}:{line}: {text!r} is not an address")
    return f"{local.lower()}@{domain(rest, source, line)}"


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without a BOM), else CP932 — what Excel writes."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DirectoryError(f"{source}:{line}: neither UTF-8 nor CP932 text") from None


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
        raise DirectoryError(f"{source}:{reader.line_num}: {exc}") from None


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
        raise DirectoryError(
            f"{source}:{line}: the first row must name the columns "
            f"(name, aliases, domains); got {', '.join(header)!r}"
        )
    alias_col, domain_col = _column(header, _ALIASES), _column(header, _DOMAINS)
    for line, row in rows:
        yield (
            line,
            _cell(row, name_col),
            _LIST_SPLIT.split(_cell(row, alias_col)),
            [(line, d) for d in _DOMAIN_SPLIT.split(_cell(row, domain_col))],
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


def _yaml_root(data: bytes, source: str, key: str):
    try:
        root = yaml.compose(decode(data, source))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DirectoryError(f"{source}:{mark.line + 1 if mark else 1}: not valid YAML") from None
    if isinstance(root, yaml.MappingNode):  # {clients: [...]} as in the configuration file
        root = next((v for k, v in root.value if k.value in (key, "organization")), root)
        if isinstance(root, yaml.MappingNode):
            root = next((v for k, v in root.value if k.value == key), root)
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise DirectoryError(f"{source}:{root.start_mark.line + 1}: expected a list under {key!r}")
    return root.value


def _yaml_clients(data: bytes, source: str) -> Iterator[tuple[int, str, list[str], list]]:
    for node in _yaml_root(data, source, "clients"):
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise DirectoryError(f"{source}:{line}: a client must be a mapping of name, aliases, domains")
        fields = {k.value: v for k, v in node.value}
        unknown = set(fields) - {"name", "aliases", "domains"}
        if unknown:
            raise DirectoryError(f"{source}:{line}: unknown key {sorted(unknown)[0]!r}")
        yield (
            line,
            _scalar(fields.get("name"), source, line),
            [v for _, v in _strings(fields.get("aliases"), source)],
            _strings(fields.get("domains"), source),
        )


def _yaml_entries(data: bytes, source: str) -> Iterator[tuple[int, str]]:
    for node in _yaml_root(data, source, "suppressed_recipients"):
        yield node.start_mark.line + 1, _scalar(node, source, node.start_mark.line + 1)


def _scalar(node, source: str, line: int) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise DirectoryError(f"{source}:{line}: expected text")
    return node.value


def _strings(node, source: str) -> list[tuple[int, str]]:
    """(line, text) of a YAML scalar or list of scalars: errors name the item's own line."""
    if node is None:
        return []
    items = (
        [node]
        if isinstance(node, yaml.ScalarNode)
        else node.value
        if isinstance(node, yaml.SequenceNode)
        else None
    )
    if items is None:
        raise DirectoryError(f"{source}:{node.start_mark.line + 1}: expected a list of text")
    return [(item.start_mark.line + 1, _scalar(item, source, item.start_mark.line + 1)) for item in items]
