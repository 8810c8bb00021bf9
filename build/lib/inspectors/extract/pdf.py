"""PDF text via pypdf, page by page, up to the page limit.

A PDF encrypted with an empty user password (restrictions only, the common "protected"
PDF) opens without one and is read; only one that needs a password is reported encrypted.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from ..limits import Limits
from .pieces import UNSCANNABLE, Encrypted, LimitReached, Piece, Problem, Property, TextChunk

_METADATA = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
}


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    from pypdf import PdfReader  # imported on first use: it costs ~25 MB of memory

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
        yield from _annotations(page, f"page{number}!annotations")
    yield from _form_fields(reader)
    if count > limits.max_pdf_pages:
        raise LimitReached("max_pdf_pages")


def _opens_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported algorithm or a broken encryption dictionary
        return False


def _broken(where: str, exc: Exception) -> Problem:
    """A broken side structure is no reason to skip the pages, nor to pass over it in silence."""
    return Problem(code=UNSCANNABLE, where=where, reason=f"corrupt: {type(exc).__name__}")


def _metadata(reader) -> Iterator[Piece]:
    try:
        info = reader.metadata or {}
        items = [(key, info.get(key)) for key in _METADATA]
    except Exception as exc:
        yield _broken("properties", exc)
        return
    for key, value in items:
        if value and str(value).strip():
            yield Property(name=_METADATA[key], value=str(value).strip())


def _form_fields(reader) -> Iterator[Piece]:
    """A filled form's answers ("Name: value"): official forms are filled PDFs, and the page
    text shows only the printed labels."""
    lines = []
    try:
        for name, field in (reader.get_fields() or {}).items():
            value = field.get("/V") if hasattr(field, "get") else None
            if value is not None and str(value).strip():
                lines.append(f"{field.get('/TU') or name}: {value}")
    except Exception as exc:
        yield _broken("form", exc)
    if lines:
        yield TextChunk(where="form", text="\n".join(lines))


def _annotations(page, where: str) -> Iterator[Piece]:
    """What comments and free text on a page say (a widget's value is read with the form)."""
    lines = []
    try:
        for ref in page.get("/Annots") or []:
            value = ref.get_object().get("/Contents")
            if isinstance(value, str) and value.strip():
                lines.append(value)
    except Exception as exc:
        yield _broken(where, exc)
    if lines:
        yield TextChunk(where=where, text="\n".join(lines))
