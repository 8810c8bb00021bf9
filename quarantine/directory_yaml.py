"""Client-directory and suppression-list imports written as YAML: a list, or the list under
`clients:` / `suppressed_recipients:` as in the configuration file (also under
`organization:`). Errors name the item's own line (quarantine.directory_file reads the CSV).
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from rules.loader import refuse_aliases

from .directory_text import decode, problem


def _root(data: bytes, source: str, key: str):
    text = decode(data, source)
    try:
        refuse_aliases(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise problem(
            source, mark.line + 1 if mark else 1, "not valid YAML", "YAML として読めません"
        ) from None
    if isinstance(root, yaml.MappingNode):  # {clients: [...]} as in the configuration file
        root = next((v for k, v in root.value if k.value in (key, "organization")), root)
        if isinstance(root, yaml.MappingNode):
            root = next((v for k, v in root.value if k.value == key), root)
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise problem(
            source, root.start_mark.line + 1, f"expected a list under {key!r}", f"{key} の下に一覧が必要です"
        )
    return root.value


def yaml_clients(data: bytes, source: str) -> Iterator[tuple[int, str, list[str], list]]:
    for node in _root(data, source, "clients"):
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise problem(
                source,
                line,
                "a client must be a mapping of name, aliases, domains",
                "取引先ごとに name・aliases・domains のキーで書いてください",
            )
        fields = {k.value: v for k, v in node.value}
        unknown = set(fields) - {"name", "aliases", "domains"}
        if unknown:
            raise problem(
                source,
                line,
                f"unknown key {sorted(unknown)[0]!r}",
                f"不明なキー「{sorted(unknown)[0]}」があります",
            )
        yield (
            line,
            _scalar(fields.get("name"), source, line),
            [v for _, v in _strings(fields.get("aliases"), source)],
            _strings(fields.get("domains"), source),
        )


def yaml_entries(data: bytes, source: str) -> Iterator[tuple[int, str]]:
    for node in _root(data, source, "suppressed_recipients"):
        yield node.start_mark.line + 1, _scalar(node, source, node.start_mark.line + 1)


def _scalar(node, source: str, line: int) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise problem(source, line, "expected text", "文字列が必要です")
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
        raise problem(source, node.start_mark.line + 1, "expected a list of text", "文字列の一覧が必要です")
    return [(item.start_mark.line + 1, _scalar(item, source, item.start_mark.line + 1)) for item in items]
