"""Changing a few keys of one rule in a rule file's text, the rest of the text as it was.

The console's rule form (issue 18) sets a rule's enabled, mode, action, delay or scope. PyYAML
forgets comments when it dumps, and the local rules file is written by people who comment
it, so the new values are written into the text where yaml.compose's node marks say the old
ones are. The patched text is parsed again and must give exactly the data the change asks
for; when it does not (anchors, odd layouts), the file is dumped again from the data instead,
comments lost but the rules right.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

Changes = Mapping[str, Any]  # key -> new value; None removes the key


class _Unpatchable(Exception):
    """A layout the text patch does not handle: dump the data instead."""


def set_fields(text: str, rule_id: str, changes: Changes) -> str:
    """`text` with the rule `rule_id`'s keys set (or removed), adding an entry for the rule
    when the file has none. Raises yaml.YAMLError for text that is not YAML, ValueError for
    YAML that is not a rule file (the page's validation says what is wrong with it)."""
    data = yaml.safe_load(text) or {}
    wanted = _changed(data, rule_id, changes)
    try:
        patched = _patch(text, rule_id, changes)
        if yaml.safe_load(patched) == wanted:
            return patched
    except (_Unpatchable, yaml.YAMLError):
        pass
    return yaml.safe_dump(wanted, sort_keys=False, allow_unicode=True, width=1000)


def _changed(data: Any, rule_id: str, changes: Changes) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    out: dict[str, Any] = copy.deepcopy(data)
    if out.get("rules") is None:
        out["rules"] = []
    rules = out["rules"]
    if not isinstance(rules, list):
        raise ValueError("rules is not a list")
    item = next((r for r in rules if isinstance(r, dict) and r.get("id") == rule_id), None)
    if item is None:
        item = {"id": rule_id}
        rules.append(item)
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return out


def flow(value: Any) -> str:
    """One value as YAML on one line: quoted where YAML needs it."""
    dumped = yaml.safe_dump(
        [value], default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    )
    return dumped.strip()[1:-1]


def _patch(text: str, rule_id: str, changes: Changes) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    added = {k: v for k, v in changes.items() if v is not None}
    if root is None:  # empty, or comments only
        return _end(text) + "rules:\n" + _block_item(rule_id, added, 2)
    if not isinstance(root, yaml.MappingNode):
        raise _Unpatchable
    rules = _value(root, "rules")
    if rules is None:
        return _end(text) + "rules:\n" + _block_item(rule_id, added, 2)
    if isinstance(rules, yaml.ScalarNode) and rules.tag.endswith(":null"):
        i = rules.start_mark.index
        return text[:i] + "\n" + _block_item(rule_id, added, 2).rstrip("\n") + text[i:]
    if not isinstance(rules, yaml.SequenceNode):
        raise _Unpatchable
    item = next((n for n in rules.value if _id_of(n) == rule_id), None)
    if item is None:
        return _append(text, rules, rule_id, added)
    assert isinstance(item, yaml.MappingNode)
    # From the end of the text backwards, so that earlier marks stay right.
    kept = [pair for pair in item.value if changes.get(pair[0].value, "") is not None]
    edits = [_edit(text, item, kept, key, value) for key, value in changes.items()]
    ordered = sorted(((e, n) for n, e in enumerate(edits) if e), key=lambda x: (x[0][0], x[1]), reverse=True)
    for (start, end, new), _ in ordered:
        text = text[:start] + new + text[end:]
    return text


def _append(text: str, rules: yaml.SequenceNode, rule_id: str, added: Changes) -> str:
    if rules.flow_style:
        if not rules.value:  # rules: [] becomes a block list
            s, e = rules.start_mark.index, rules.end_mark.index
            s = len(text[:s].rstrip(" "))
            return text[:s] + "\n" + _block_item(rule_id, added, 2).rstrip("\n") + text[e:]
        close = rules.end_mark.index - 1
        if text[close] != "]":
            raise _Unpatchable
        return text[:close] + ", " + flow({"id": rule_id, **added}) + text[close:]
    at = _line_end(text, _last(rules.value[-1]))
    return text[:at] + "\n" + _block_item(rule_id, added, rules.start_mark.column).rstrip("\n") + text[at:]


def _edit(
    text: str, item: yaml.MappingNode, kept: list[tuple[yaml.Node, yaml.Node]], key: str, value: Any
) -> tuple[int, int, str] | None:
    """(start, end, new text) for one key; `kept`: the item's pairs that stay."""
    pair = next(((k, v) for k, v in item.value if k.value == key), None)
    if pair is None:
        if value is None:
            return None
        if item.flow_style:
            close = item.end_mark.index - 1
            if text[close] != "}":
                raise _Unpatchable
            return close, close, f", {key}: {flow(value)}"
        at = _line_end(text, max(_last(n) for pair in kept for n in pair))
        return at, at, "\n" + " " * item.value[0][0].start_mark.column + f"{key}: {flow(value)}"
    k, v = pair
    end = _last(v)
    if value is not None:
        if isinstance(v, yaml.ScalarNode) or v.flow_style:
            gap = " " if v.start_mark.index == end else ""  # "key:" with no value: a null
            return v.start_mark.index, end, gap + flow(value)
        colon = text.index(":", k.end_mark.index)  # a block list or mapping: all on the key's line
        return colon + 1, end, " " + flow(value)
    if item.flow_style:
        rest = text[end:].lstrip(" ")
        if rest.startswith(","):
            return k.start_mark.index, len(text) - len(rest[1:].lstrip(" ")), ""
        before = text.rindex(",", 0, k.start_mark.index)
        return before, end, ""
    line = text.rfind("\n", 0, k.start_mark.index) + 1
    if text[line : k.start_mark.index].strip():  # "- key:": the item's first key
        raise _Unpatchable
    return line, min(_line_end(text, end) + 1, len(text)), ""


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _id_of(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    value = _value(node, "id")
    return value.value if isinstance(value, yaml.ScalarNode) else None


def _last(node: yaml.Node) -> int:
    """Where the node's text ends: a block collection's end mark is the next token's start,
    past blank lines and comments, so its last scalar's end is taken instead."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_last(c) for c in children), default=node.end_mark.index)


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _end(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _block_item(rule_id: str, values: Changes, dash: int) -> str:
    pad = " " * dash
    lines = [f"{pad}- id: {flow(rule_id)}"] + [f"{pad}  {k}: {flow(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"
