"""Word documents with tracked changes, comments and hidden text, written as Word writes them
(python-docx for the package, the runs in WordprocessingML), for the revisions reader's tests
and the office corpus.

A paragraph is a string (plain) or a list of segments (kind, text); kinds:
"" plain, "del" a tracked deletion (w:del/w:delText), "ins" a tracked insertion,
"move_from" / "move_to" a tracked move, "hidden" w:vanish, "web_hidden" w:webHidden,
"field" a hidden field code run (w:instrText, as a TOC's PAGEREF is).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Segment = tuple[str, str]
Paragraph = str | Sequence[Segment]
_MARK = 'w:id="{n}" w:author="三浦 由美" w:date="2026-11-20T10:00:00Z"'


def run_xml(kind: str, text: str, n: int) -> str:
    t = escape(text)
    plain = f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>'
    mark = _MARK.format(n=n)
    return {
        "": plain,
        "del": f'<w:del {mark}><w:r><w:delText xml:space="preserve">{t}</w:delText></w:r></w:del>',
        "ins": f"<w:ins {mark}>{plain}</w:ins>",
        "move_from": f'<w:moveFrom {mark}><w:r><w:delText xml:space="preserve">{t}</w:delText></w:r></w:moveFrom>',
        "move_to": f"<w:moveTo {mark}>{plain}</w:moveTo>",
        "hidden": f'<w:r><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>',
        "web_hidden": f'<w:r><w:rPr><w:webHidden/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>',
        "field": (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc{n} \\h </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r><w:rPr><w:webHidden/></w:rPr><w:t>{t}</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        ),
    }[kind]


def paragraph_xml(segments: Sequence[Segment], first: int = 0) -> str:
    runs = "".join(run_xml(kind, text, first + i) for i, (kind, text) in enumerate(segments))
    return f'<w:p xmlns:w="{W}">{runs}</w:p>'


def word(
    paragraphs: Sequence[Paragraph],
    *,
    comments: Sequence[tuple[str, str]] = (),
    header: Sequence[Paragraph] = (),
) -> bytes:
    """A docx of `paragraphs`; each comment (anchor text, comment text) is a plain paragraph
    with a comment on it; `header` is the first section's header."""
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document()
    body = doc.element.body
    for n, paragraph in enumerate(paragraphs):
        if isinstance(paragraph, str):
            doc.add_paragraph(paragraph)
        else:
            body.insert(len(body) - 1, parse_xml(paragraph_xml(paragraph, 100 * n)))  # before sectPr
    for anchor, text in comments:
        run = doc.add_paragraph().add_run(anchor)
        doc.add_comment(run, text=text, author="三浦 由美", initials="MY")
    if header:
        part = doc.sections[0].header
        part.is_linked_to_previous = False
        element = part._element
        for n, paragraph in enumerate(header):
            segments = [("", paragraph)] if isinstance(paragraph, str) else paragraph
            element.append(parse_xml(paragraph_xml(segments, 10_000 + 100 * n)))
    doc.core_properties.created = doc.core_properties.modified = datetime(2026, 11, 20, 10, 0, 0)
    doc.core_properties.last_modified_by = doc.core_properties.author = "鳴海テクノサービス"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
