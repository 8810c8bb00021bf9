"""Hostile input to today's readers: each case once cost minutes of CPU, gigabytes, a crash
or a silent skip; bounded and reported now."""

from __future__ import annotations

import time

import pytest

from inspectors.extract import opendocument
from inspectors.extract.pieces import Problem, Table
from inspectors.extract.rtf import rtf_text
from inspectors.limits import Limits
from inspectors.message import parse

from .test_extract_archive import LIST, _tar
from .test_extract_documents import _odt, _with_parts, word
from .test_message_mime import ENV, codes, mail_with, texts


def cpu(call, *args):
    start = time.process_time()
    result = call(*args)
    return result, time.process_time() - start


@pytest.mark.timing
def test_rtf_that_makes_striprtf_backtrack_is_read_in_linear_time():
    """striprtf's font-table scan and hyperlink rewrite backtracked over the whole line from
    every start: 2 KB of the first took 18 s of CPU, 200 KB of the second 5.6 s."""
    fonts = b"{\\rtf1{\\fonttbl" + b"\\f1\\fcharset0 " * 100 + b"}{\\f1 Taro 090-1234-5678}}"
    unclosed = b"{\\rtf1{\\fonttbl" + b"\\f1 " * 20_000 + b"}"
    fields = b"{\\rtf1 " + b"{\\field{\\*\\fldinst{" * 10_000 + b"}"
    for document in (fonts, unclosed, fields):
        _, seconds = cpu(rtf_text, document)
        assert seconds < 1.0, (document[:30], seconds)
    assert "090-1234-5678" in rtf_text(fonts)
    link = b'{\\rtf1 {\\field{\\*\\fldinst{HYPERLINK "mailto:taro@example.jp"}}{\\fldrslt{Contact}}} us}'
    view = parse(mail_with(("link.rtf", link)), ENV)
    text = texts(view)["attachment:link.rtf"]
    assert "Contact" in text and "mailto:taro@example.jp" in text and not codes(view)


@pytest.mark.timing
def test_opendocument_wide_rows_and_repeated_cells_are_bounded():
    """A row of 100,000 cells was rebuilt cell by cell (3.5 s of CPU in one call); 20,000 rows
    of 16 cells repeated 63 times, a 71 KB file, were 20 million cells (334 MB) and no problem."""
    wide = _odt(
        "<table:table><table:table-row>"
        + "<table:table-cell/>" * 100_000
        + "</table:table-row></table:table>"
    )
    pieces, seconds = cpu(lambda: list(opendocument.extract(wide, Limits())))
    assert seconds < 1.0 and [len(p.rows[0]) for p in pieces] == [100_000]
    row = (
        "<table:table-row>" + '<table:table-cell table:number-columns-repeated="63">'
        "<text:p>x</text:p></table:table-cell>" * 16 + "</table:table-row>"
    )
    repeated = _odt(f"<table:table>{row * 20_000}</table:table>")
    pieces = list(opendocument.extract(repeated, Limits()))
    assert [p for p in pieces if isinstance(p, Problem)] == [
        Problem(code="attachment.unscannable", where="content.xml", reason="limit: cells per sheet > 1000000")
    ]
    tables = [p for p in pieces if isinstance(p, Table)]
    assert len(tables) == 1 and 0 < sum(map(len, tables[0].rows)) <= 1_000_000
    assert tables[0].rows[0] == ("x",) * 1008


def test_a_tar_header_block_that_is_not_one_does_not_hide_the_members_after_it():
    """tarfile stopped, in silence, at a block that is not a header; GNU tar skips to the
    next header and extracts the list after it. A pax path is cut to a name's length."""
    readme = _tar({"readme.txt": b"see the list\n"}, "w")[:1024]  # header and data, no end blocks
    listed = _tar({"export/顧客.csv": LIST, "x" * 5000 + ".txt": b"long"}, "w:")
    view = parse(mail_with(("export.tar", readme + b"\x01" * 512 + listed)), ENV)
    assert [a.where for a in view.attachments][1:] == [
        "attachment:export.tar!readme.txt",
        "attachment:export.tar!export/顧客.csv",
        "attachment:export.tar!" + "x" * 1024,
    ]
    assert [t.rows for t in view.tables] == [(("氏名", "電話番号"), ("山田太郎", "090-1234-5678"))]
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:export.tar!export/顧客.csv",), "corrupt tar: blocks skipped before it")
    ]


def test_a_file_embedded_in_an_office_document_stops_at_the_compression_ratio_as_a_zip_member_does():
    """A 257 KB docx unpacked a 90 MB embedded text file (390 MB in all) that a zip stops."""
    repeated = ("山田太郎 090-1234-5678 " * 400_000).encode()
    data = _with_parts(
        word(),
        {"word/embeddings/list.txt": repeated, "word/embeddings/note.txt": "佐藤花子 03-1111-2222".encode()},
    )
    view = parse(mail_with(("r.docx", data)), ENV)
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:r.docx!word/embeddings/list.txt",), "limit: compression ratio > 100")
    ]
    assert "佐藤花子 03-1111-2222" in texts(view)["attachment:r.docx!word/embeddings/note.txt"]


def test_rtf_nested_past_any_document_is_cut_and_reported():
    """striprtf keeps some 90 bytes a group open: 5 MB of "{" held 450 MB."""
    from inspectors.extract import rtf

    document = b"{\\rtf1 before " + b"{\\{" * 1_000_000 + b"after}"
    pieces = list(rtf.extract(document, Limits()))
    assert pieces[0].text.startswith("before {{") and "after" not in pieces[0].text
    assert pieces[1:] == [
        Problem(code="attachment.unscannable", where="", reason="limit: RTF nesting > 200000")
    ]


@pytest.mark.slow
def test_opendocument_parts_of_millions_of_elements_stop_at_a_limit():
    """A 20 KB odt of 5 million empty elements took 7.6 s of CPU in one call and held
    520 MB, in content.xml or in meta.xml (read as a tree), with no problem reported."""
    junk = "<text:x/>" * 1_050_000
    data = _odt(
        f"<text:p>担当 山田太郎</text:p>{junk}<text:p>after</text:p>", meta=f"<dc:title>名簿</dc:title>{junk}"
    )
    pieces = list(opendocument.extract(data, Limits()))
    assert [p for p in pieces if isinstance(p, Problem)] == [
        Problem(code="attachment.unscannable", where=part, reason="limit: XML elements > 1000000")
        for part in ("content.xml", "meta.xml")
    ]
    assert [p.text for p in pieces if hasattr(p, "text")] == ["担当 山田太郎"]
    assert [(p.name, p.value) for p in pieces if hasattr(p, "value")] == [("title", "名簿")]


@pytest.mark.slow
def test_office_chart_of_millions_of_elements_stops_at_a_limit():
    """A 58 KB docx whose chart held 5 million empty elements: 4.9 s in one call, 515 MB."""
    chart = (
        b'<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        b"<c:v>090-1234-5678</c:v>" + b"<c:x/>" * 1_050_000 + b"<c:v>after</c:v></c:chartSpace>"
    )
    view = parse(mail_with(("r.docx", _with_parts(word(), {"word/charts/chart1.xml": chart}))), ENV)
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:r.docx!word/charts/chart1.xml",), "limit: XML elements > 1000000")
    ]
    assert texts(view)["attachment:r.docx!chart1"] == "090-1234-5678"


@pytest.mark.timing
def test_html_that_html_parser_cannot_finish_is_read_in_linear_time():
    """html.parser rescanned to the end from every construct it could not finish: 200 KB
    of "<a" took 22 s of CPU in one call, 400 KB of "<!--" more than 30 s."""
    from inspectors.extract.text import html_to_text

    for junk in ("<a" * 50_000, "<!--" * 25_000, "</" * 50_000, "<?" * 50_000):
        markup = f"<p>電話 090-1234-5678</p><img alt='山田 太郎'>{junk}"  # no ">" after it
        text, seconds = cpu(html_to_text, markup)
        assert seconds < 1.0, (junk[:4], seconds)
        assert "090-1234-5678" in text and "山田 太郎" in text
    ordinary = (
        "<!--[if mso]><xml><o:x>hidden</o:x></xml><![endif]--><p>a < b &lt; c</p>"
        "<p title='tip'>x<!-- note --></p>"
    )
    assert html_to_text(ordinary) == "\na < b < c\n tip x"  # as before


def test_a_tar_member_of_a_type_tarfile_does_not_know_is_read_as_gnu_tar_extracts_it():
    """GNU tar extracts a member of an unknown type "as normal file" (and exits 0); it was
    passed over in silence."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, kind in (("readme.txt", tarfile.REGTYPE), ("export/顧客.csv", b"Z")):
            data = b"see the list\n" if kind == tarfile.REGTYPE else LIST
            info = tarfile.TarInfo(name)
            info.size, info.type = len(data), kind
            archive.addfile(info, io.BytesIO(data))
    view = parse(mail_with(("export.tar", buffer.getvalue())), ENV)
    assert [a.where for a in view.attachments][1:] == [
        "attachment:export.tar!readme.txt",
        "attachment:export.tar!export/顧客.csv",
    ]
    assert [t.rows for t in view.tables] == [(("氏名", "電話番号"), ("山田太郎", "090-1234-5678"))]


def test_rtf_text_naming_pictures_and_bin_folders_is_read_whole():
    """striprtf took an escaped backslash before "pict" and "bin" for its picture data: the
    rest of the document went unread, or the document could not be read at all."""
    for path in (rb"C:\\pictures\\2026, C:\\bin2", rb"C:\\pictures, C:\\bin"):
        document = b"{\\rtf1 Files in " + path + rb"\par Tel 090-1234-5678\par}"
        assert (
            rtf_text(document) == "Files in " + path.decode().replace("\\\\", "\\") + "\nTel 090-1234-5678\n"
        )
    picture = rb"{\rtf1 a{\pict\bin4 \\}}b\par}"  # binary picture data: still skipped
    assert rtf_text(picture) == "ab\n"


def test_rtf_footnotes_headers_comments_and_text_boxes_are_read():
    """Word shows them; striprtf dropped them as hidden destinations, in silence."""
    document = (
        rb"{\rtf1 Body{\footnote\pard Note 090-1234-5678\par}\par{\header\pard Header taro@example.jp\par}"
        rb"{\footerr\pard Footer \\footnote\par}{\shp{\*\shpinst{\sp{\sn shapeType}{\sv 202}}"
        rb"{\shptxt Box 03-1111-2222}}{\shprslt{\*\do\dptxbxtext Box copy}}}"
        rb"{\*\atnauthor Taro Yamada}\chatn{\*\annotation Comment 080-2222-3333}\headery720 end}"
    )
    text = rtf_text(document)
    for shown in (
        "Body",
        "Note 090-1234-5678",
        "Header taro@example.jp",
        "Footer \\footnote",
        "Box 03-1111-2222",
        "Taro Yamada",
        "Comment 080-2222-3333",
        "end",
    ):
        assert shown in text, shown
    assert "shapeType" not in text and "202" not in text and "Box copy" not in text


def test_rtf_document_properties_are_read_as_an_office_document_s_are():
    """Who wrote an RTF document and for whom (its \\info group) was dropped with the group."""
    document = (
        rb"{\rtf1\ansi\ansicpg932{\info{\title \'96\'bc\'95\'eb}{\author Taro Yamada}"
        rb"{\operator \u23665?\u30000?}{\company ACME K.K.}{\creatim\yr2026}}Body}"
    )
    view = parse(mail_with(("名簿.rtf", document)), ENV)
    assert dict(view.attachments[0].properties) == {
        "title": "名簿",
        "author": "Taro Yamada",
        "last_modified_by": "山田",
        "company": "ACME K.K.",
    }
    assert "Taro Yamada" in texts(view)["attachment:名簿.rtf!properties"] and not codes(view)


def test_opendocument_embedded_sheets_charts_and_ole_objects_are_read():
    """An embedded Calc sheet or chart ("Object 1/content.xml") and an OLE object (the file
    "Object 2") are shown in the document; they were passed over in silence."""
    from .test_extract_archive import workbook

    sheet = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        "<table:table><table:table-row><table:table-cell><text:p>山田太郎</text:p></table:table-cell>"
        "<table:table-cell><text:p>090-1234-5678</text:p></table:table-cell></table:table-row></table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    ).encode()
    excel = workbook(("氏名", "電話番号"), ("佐藤花子", "03-1111-2222"))
    data = _with_parts(
        _odt("<text:p>本文</text:p>"),
        {
            "Object 1/content.xml": sheet,
            "Object 2": excel,
            "Object 3/Object 1/content.xml": sheet,
            "ObjectReplacements/Object 1": b"\x89PNG preview",
        },
    )
    view = parse(mail_with(("報告.odt", data)), ENV)
    rows = {t.where: t.rows for t in view.tables}
    assert rows["attachment:報告.odt!Object 1!table1"] == (("山田太郎", "090-1234-5678"),)
    assert rows["attachment:報告.odt!Object 3/Object 1!table1"] == (("山田太郎", "090-1234-5678"),)
    assert ("佐藤花子", "03-1111-2222") in next(
        r for w, r in rows.items() if w.startswith("attachment:報告.odt!Object 2")
    )
    assert not codes(view)
