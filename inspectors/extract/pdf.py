"""PDF text via pypdf, page by page, up to the page limit.

A PDF encrypted with an empty user password (restrictions only, the common "protected"
PDF) opens without one and is read; only one that needs a password is reported encrypted.
"""
from __future__ import annotations

import io
from typing import Iterator

from ..limits import Limits
from .pieces import Encrypted, LimitReached, Piece, Property, TextChunk

_METADATA = {"/Title": "title", "/Author": "author", "/Subject": "subject",
             "/Keywords": "keywords", "/Creator": "creator"}


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    from pypdf import PdfReader   # imported on first use: it costs ~25 MB of memory
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not _opens_without_password(reader):
        raise Encrypted("password-protected PDF")
    yield from _metadata(reader)
    count = len(reader.pages)
    for number in range(1, min(count, limits.max_pdf_pages) + 1):
        page = reader.pages[number - 1]
        text = page.extract_text() or ""
        if text.strip():
            yield TextChunk(where=f"page{number}", text=text)
        notes = _annotations(page)
        if notes:
            yield TextChunk(where=f"page{number}!annotations", text="\n".join(notes))
    fields = _form_fields(reader)
    if fields:
        yield TextChunk(where="form", text="\n".join(fields))
    if count > limits.max_pdf_pages:
        raise LimitReached("max_pdf_pages")


def _opens_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:   # unsupported algorithm or a broken encryption dictionary
        return False


def _metadata(reader) -> Iterator[Property]:
    try:
        info = reader.metadata or {}
        items = [(key, info.get(key)) for key in _METADATA]
    except Exception:   # a broken /Info dictionary is no reason to skip the pages
        return
    for key, value in items:
        if value and str(value).strip():
            yield Property(name=_METADATA[key], value=str(value).strip())


def _form_fields(reader) -> list[str]:
    """A filled form's answers ("Name: value"): official forms are filled PDFs, and the page
    text shows only the printed labels."""
    try:
        fields = reader.get_fields() or {}
    except Exception:   # a broken AcroForm is no reason to skip the rest
        return []
    lines = []
    for name, field in fields.items():
        value = field.get("/V") if hasattr(field, "get") else None
        if value is not None and str(value).strip():
            label = str(field.get("/TU") or name)
            lines.append(f"{label}: {value}")
    return lines


def _annotations(page) -> list[str]:
    """What comments and free text on a page say (a widget's value is read with the form)."""
    try:
        annotations = page.get("/Annots") or []
        lines = []
        for ref in annotations:
            annotation = ref.get_object()
            value = annotation.get("/Contents")
            if isinstance(value, str) and value.strip():
                lines.append(value)
        return lines
    except Exception:
        return []
