"""Office documents with tracked changes, comments and hidden text, for the revisions readers'
tests and the office corpus: Word documents written as Word writes them (python-docx for the
package, the runs in WordprocessingML), OpenDocument texts as LibreOffice writes them.

Word:

A paragraph is a string (plain) or a list of segments (kind, text); kinds:
"" plain, "del" a tracked deletion (w:del/w:delText), "ins" a tracked insertion,
"move_from" / "move_to" a tracked move, "hidden" w:vanish, "web_hidden" w:webHidden,
"field" a hidden field code run (w:instrText, as a TOC's PAGEREF is).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from .eval_set.fabric import repack

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
        comment = doc.add_comment(run, text=text, author="三浦 由美", initials="MY")
        comment._comment_elm.set(f"{{{W}}}date", "2026-11-20T10:00:00Z")  # not now: make.py is rerun
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
    return repack(buf.getvalue())


# --- OpenDocument ---------------------------------------------------------------------------

_ODF_NS = (
    " ".join(
        f'xmlns:{prefix}="urn:oasis:names:tc:opendocument:xmlns:{name}:1.0"'
        for prefix, name in (("office", "office"), ("text", "text"), ("table", "table"), ("style", "style"))
    )
    + ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
_CHANGE_INFO = "<office:change-info><dc:creator>三浦 由美</dc:creator><dc:date>2026-11-20T10:00:00</dc:date></office:change-info>"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
_MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_TYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def tracked(*regions: tuple[str, str]) -> str:
    """text:tracked-changes of (change id, deleted text, or "" for an insertion)."""
    out = []
    for change_id, deleted in regions:
        kind = (
            f"<text:deletion>{_CHANGE_INFO}<text:p>{escape(deleted)}</text:p></text:deletion>"
            if deleted
            else f"<text:insertion>{_CHANGE_INFO}</text:insertion>"
        )
        out.append(
            f'<text:changed-region text:id="{change_id}" xml:id="{change_id}">{kind}</text:changed-region>'
        )
    return f"<text:tracked-changes>{''.join(out)}</text:tracked-changes>"


def odt(body: str, hidden_style: str = "") -> bytes:
    """An OpenDocument text whose office:text is `body`; `hidden_style` names an automatic
    text style that hides (text:display="none"), as LibreOffice's Hidden character attribute."""
    styles = (
        f'<office:automatic-styles><style:style style:name="{hidden_style}" style:family="text">'
        '<style:text-properties text:display="none"/></style:style></office:automatic-styles>'
        if hidden_style
        else ""
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS} office:version="1.3">'
        f"{styles}<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, text, kind in (
            ("mimetype", ODT_TYPE, zipfile.ZIP_STORED),  # first and stored, as ODF requires
            ("content.xml", content, zipfile.ZIP_DEFLATED),
            ("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED),
        ):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 10, 0, 0))  # not now: make.py is rerun
            info.compress_type = kind
            package.writestr(info, text)
    return out.getvalue()
