"""Who an Office document says it belongs to: docProps/core.xml and docProps/app.xml.

One reader for xlsx, docx and pptx alike (python-docx and python-pptx expose the core
properties but not app.xml, where Company and Manager live; calamine exposes neither).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

from .archive import MEMBER_ERRORS
from .pieces import UNSCANNABLE, Piece, Problem, Property

_PARTS = ("docProps/core.xml", "docProps/app.xml")
_WANTED = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "lastModifiedBy": "last_modified_by",
    "keywords": "keywords",
    "description": "comments",
    "category": "category",
    "Company": "company",
    "Manager": "manager",
}
_MAX_PART = 1 << 20  # properties are a few hundred bytes; a bigger part is no honest one


def ooxml_properties(archive: zipfile.ZipFile) -> Iterator[Piece]:
    """The properties; a part too big or broken to read is a problem naming it."""
    names = set(archive.namelist())
    for part in _PARTS:
        if part not in names:
            continue
        if archive.getinfo(part).file_size > _MAX_PART:
            yield Problem(code=UNSCANNABLE, where=part, reason=f"limit: properties part > {_MAX_PART} bytes")
            continue
        try:
            root = ElementTree.fromstring(archive.read(part))
        except (ElementTree.ParseError, *MEMBER_ERRORS) as exc:
            yield Problem(code=UNSCANNABLE, where=part, reason=f"corrupt: {type(exc).__name__}")
            continue
        for element in root:
            local = element.tag.rpartition("}")[2]
            value = (element.text or "").strip()
            if local in _WANTED and value:
                yield Property(name=_WANTED[local], value=value)


def properties_text(properties: list[Property]) -> str:
    """Properties as lines a text detector can read ("company: 株式会社エー")."""
    return "\n".join(f"{p.name}: {p.value}" for p in properties)
