"""Tracked changes, comments and hidden text in Word documents (issue 17 item 3): read, each in
a place of its own, bounded; and the places in words on the sender's page."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from inspectors.extract import document, opendocument
from inspectors.extract.pieces import Problem, TextChunk
from inspectors.limits import Limits
from inspectors.message import parse
from quarantine.hold_view import where_text
from quarantine.i18n import translator

from .office_markup import W, odt, paragraph_xml, tracked, word
from .test_extract_documents import _with_parts
from .test_message_mime import ENV, codes, mail_with, texts


def chunks(data: bytes, limits: Limits = Limits()) -> dict[str, str]:
    return {p.where: p.text for p in document.extract(data, limits) if isinstance(p, TextChunk)}


def problems(data: bytes, limits: Limits = Limits()) -> list[Problem]:
    return [p for p in document.extract(data, limits) if isinstance(p, Problem)]


def test_a_deleted_client_name_is_read_as_the_paragraph_was_and_the_visible_text_is_unchanged():
    first = [
        ("", "甲："),
        ("del", "株式会社ミツワ印刷"),
        ("ins", "株式会社港北ロジスティクス"),
        ("", "（以下「甲」）"),
    ]
    found = chunks(word(["契約書", first]))
    assert found["tracked-changes"].splitlines() == [
        "甲：株式会社ミツワ印刷（以下「甲」）",
        "甲：株式会社港北ロジスティクス（以下「甲」）",
    ]
    assert found[""] == "契約書\n甲：（以下「甲」）"  # python-docx's reading, as before
    assert "ミツワ" not in found["more-text"]


def test_a_name_deleted_a_character_at_a_time_reads_whole():
    name = [("", "株式会社"), ("del", "ミ"), ("ins", "港"), ("", "ツ"), ("del", "ワ印刷"), ("ins", "北ロジ")]
    assert chunks(word([name]))["tracked-changes"].splitlines()[0] == "株式会社ミツワ印刷"


def test_a_move_is_read_where_it_came_from_and_where_it_went():
    found = chunks(word([[("move_from", "丸茂建設 様")], [("", "宛先："), ("move_to", "丸茂建設 様")]]))
    assert found["tracked-changes"].splitlines() == ["丸茂建設 様", "宛先：丸茂建設 様"]


def test_paragraphs_without_changes_are_not_repeated():
    found = chunks(
        word(
            ["株式会社港北ロジスティクス 御中", [("", "金額 "), ("del", "10"), ("ins", "12"), ("", " 万円")]]
        )
    )
    assert found["tracked-changes"] == "金額 10 万円\n金額 12 万円"


@pytest.mark.parametrize("kind", ["hidden", "web_hidden"])
def test_hidden_runs_are_read_as_hidden_text(kind):
    found = chunks(
        word([[("", "単価 1,200,000円"), (kind, "丸茂建設 向け"), ("", "（税別）"), (kind, "特別単価")]])
    )
    assert found["hidden-text"] == "丸茂建設 向け 特別単価"
    assert "tracked-changes" not in found


def test_spec_vanish_hides_and_a_switched_off_vanish_or_an_old_format_does_not():
    runs = (
        "<w:r><w:rPr><w:specVanish/></w:rPr><w:t>片桐不動産</w:t></w:r>"
        '<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t>見える</w:t></w:r>'
        '<w:r><w:rPr><w:b/><w:rPrChange w:id="1" w:author="x"><w:rPr><w:vanish/></w:rPr></w:rPrChange>'
        "</w:rPr><w:t>前は隠れていた</w:t></w:r>"
    )
    body = f'<w:document xmlns:w="{W}"><w:body><w:p>{runs}</w:p></w:body></w:document>'
    found = chunks(_replaced(word(["x"]), "word/document.xml", body.encode()))
    assert found["hidden-text"] == "片桐不動産"


def test_changes_in_headers_and_footnotes_are_read():
    header = [[("", "秘密保持契約書　"), ("del", "東邦メディカルサプライ株式会社")]]
    footnote = paragraph_xml([("", "注："), ("del", "さくら台フーズ"), ("hidden", "旧版")])
    footnotes = (
        f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1">{footnote[:-6]}</w:p></w:footnote></w:footnotes>'
    )
    data = _with_parts(word(["本文"], header=header), {"word/footnotes.xml": footnotes.encode()})
    found = chunks(data)
    assert found["tracked-changes"].splitlines() == [
        "秘密保持契約書　東邦メディカルサプライ株式会社",
        "注：さくら台フーズ旧版",
    ]
    assert found["hidden-text"] == "旧版"


def test_any_prefix_is_the_word_namespace():
    body = (
        '<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><x:body>'
        '<x:p><x:del x:id="1" x:author="a"><x:r><x:delText>丸茂建設</x:delText></x:r></x:del></x:p>'
        "</x:body></x:document>"
    )
    assert chunks(_replaced(word(["x"]), "word/document.xml", body.encode()))["tracked-changes"] == "丸茂建設"


def test_comments_keep_their_place():
    found = chunks(word(["見積書"], comments=[("見積書", "さくら台フーズ向けと同額")]))
    assert found["comments"] == "さくら台フーズ向けと同額"


def test_a_document_without_markup_has_no_extra_chunks():
    found = chunks(word(["株式会社港北ロジスティクス 御中", [("", "目次\t"), ("field", "3")]]))
    assert set(found) - {"", "more-text"} == {"hidden-text"}  # a TOC's hidden page number only
    assert found["hidden-text"] == "3"
    assert set(chunks(word(["株式会社港北ロジスティクス 御中"]))) == {""}


def test_the_places_reach_the_message_view():
    data = word(
        [[("del", "株式会社ミツワ印刷"), ("ins", "株式会社港北ロジスティクス")], [("hidden", "社外秘")]]
    )
    view = parse(mail_with(("契約書.docx", data)), ENV)
    assert texts(view)["attachment:契約書.docx!tracked-changes"].startswith("株式会社ミツワ印刷")
    assert texts(view)["attachment:契約書.docx!hidden-text"] == "社外秘"


def test_a_broken_part_is_a_problem_naming_it_and_the_rest_is_read():
    header = f'<w:hdr xmlns:w="{W}"><w:p><w:del><w:r><w:delText>丸茂'.encode()
    data = _with_parts(word([[("del", "ミツワ印刷")]]), {"word/header9.xml": header})
    assert [(p.where, p.reason) for p in problems(data)] == [("word/header9.xml", "corrupt: ParseError")]
    assert chunks(data)["tracked-changes"] == "ミツワ印刷"


def test_the_xml_element_limit_stops_a_part_and_keeps_what_was_read():
    data = word([[("del", f"株式会社ミツワ印刷{i}")] for i in range(50)])
    limits = Limits(max_xml_elements=120)
    assert [(p.where, p.reason) for p in problems(data, limits)] == [
        ("word/document.xml", "limit: XML elements > 120")
    ]
    assert chunks(data, limits)["tracked-changes"].splitlines()[0] == "株式会社ミツワ印刷0"
    view = parse(mail_with(("契約書.docx", data)), ENV, limits)
    assert (("attachment:契約書.docx!word/document.xml",), "limit: XML elements > 120") in codes(view)[
        "attachment.unscannable"
    ]


@pytest.mark.slow
def test_a_hundred_thousand_tracked_runs_are_read_in_bounded_time():
    runs = [("del", f"株式会社ミツワ印刷{i}") if i % 2 else ("ins", "港北") for i in range(100_000)]
    data = word(["x", runs])
    start = time.process_time()
    found = chunks(data)
    assert time.process_time() - start < 10  # ~1 s here, python-docx's own parse included
    before, after = found["tracked-changes"].splitlines()
    assert before.startswith("株式会社ミツワ印刷1株式会社ミツワ印刷3") and before.endswith("ミツワ印刷99999")
    assert after == "港北" * 50_000


@pytest.mark.parametrize(
    ("where", "ja", "en"),
    [
        ("attachment:契約書.docx!tracked-changes", "契約書.docx › 変更履歴", "契約書.docx › tracked changes"),
        ("attachment:a.zip!b.docx!hidden-text", "a.zip › b.docx › 隠し文字", "a.zip › b.docx › hidden text"),
        ("attachment:提案.pptx!comments1", "提案.pptx › コメント1", "提案.pptx › comments1"),
        ("attachment:顧客.xlsx!comments!D2", "顧客.xlsx › コメント › D2", "顧客.xlsx › comments › D2"),
        ("attachment:顧客.xlsx!Sheet1!D2:D9", "顧客.xlsx › Sheet1 › D2:D9", "顧客.xlsx › Sheet1 › D2:D9"),
    ],
)
def test_the_places_in_words(where, ja, en):
    assert where_text(where, translator("ja")) == ja
    assert where_text(where, translator("en")) == en


def _replaced(package: bytes, name: str, data: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return out.getvalue()


# --- OpenDocument ---------------------------------------------------------------------------


def odt_chunks(data: bytes, limits: Limits = Limits()) -> dict[str, str]:
    return {p.where: p.text for p in opendocument.extract(data, limits) if isinstance(p, TextChunk)}


def test_an_odt_deletion_is_read_as_a_tracked_change_not_as_body_text():
    body = (
        tracked(("ct1", "株式会社ミツワ印刷"), ("ct2", ""))
        + '<text:p>甲：<text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>'
        '株式会社港北ロジスティクス<text:change-end text:change-id="ct2"/>（以下「甲」）</text:p>'
        "<text:p>第1条 業務内容</text:p>"
    )
    found = odt_chunks(odt(body))
    assert found[""] == "甲：株式会社港北ロジスティクス（以下「甲」）\n第1条 業務内容"
    assert found["tracked-changes"].splitlines() == [
        "株式会社ミツワ印刷",
        "甲：株式会社港北ロジスティクス（以下「甲」）",
    ]


def test_an_odt_insertion_across_paragraphs_marks_each_of_them():
    body = (
        tracked(("ct1", ""))
        + '<text:p>前文<text:change-start text:change-id="ct1"/>追記一</text:p>'
        + '<text:p>追記二<text:change-end text:change-id="ct1"/></text:p><text:p>本文</text:p>'
    )
    assert odt_chunks(odt(body))["tracked-changes"].splitlines() == ["前文追記一", "追記二"]


def test_an_odt_comment_is_read_as_a_comment_without_its_author_in_the_paragraph():
    body = (
        "<text:p>単価<office:annotation><dc:creator>三浦</dc:creator><dc:date>2026-11-20</dc:date>"
        "<text:p>さくら台フーズ向けと同額</text:p></office:annotation>1,200,000円</text:p>"
    )
    found = odt_chunks(odt(body))
    assert found[""] == "単価1,200,000円"
    assert found["comments"] == "さくら台フーズ向けと同額"


def test_odt_hidden_text_fields_sections_and_styles_are_read_as_hidden_text():
    body = (
        '<text:p>注<text:hidden-text text:condition="ooow:1" text:string-value="丸茂建設 向け">丸茂建設 向け'
        '</text:hidden-text>です<text:span text:style-name="T9">片桐不動産</text:span></text:p>'
        '<text:p>見える<text:span text:style-name="T1">ままの文字</text:span></text:p>'
        '<text:section text:name="S1" text:display="none"><text:p>東邦メディカル 特価</text:p></text:section>'
        '<text:p>条件で消える段落<text:hidden-paragraph text:condition="ooow:1"/></text:p>'
    )
    found = odt_chunks(odt(body, hidden_style="T9"))
    assert found["hidden-text"].splitlines() == [
        "丸茂建設 向け 片桐不動産",
        "東邦メディカル 特価",
        "条件で消える段落",
    ]
    assert "片桐不動産" in found[""]  # read where it always was, too


def test_an_odt_of_a_hundred_thousand_tracked_deletions_is_bounded():
    regions = tracked(*((f"ct{i}", f"株式会社ミツワ印刷{i}") for i in range(100_000)))
    data = odt(regions + "<text:p>本文</text:p>")
    start = time.process_time()
    pieces = list(opendocument.extract(data, Limits(max_xml_elements=200_000)))
    assert time.process_time() - start < 10
    assert [p.reason for p in pieces if isinstance(p, Problem)] == ["limit: XML elements > 200000"]
    lines = next(
        p.text for p in pieces if isinstance(p, TextChunk) and p.where == "tracked-changes"
    ).splitlines()
    assert lines[0] == "株式会社ミツワ印刷0" and 20_000 < len(lines) < 100_000  # read up to the limit


def test_the_sentence_says_where_in_the_document_to_look():
    from inspectors.base import Finding
    from quarantine.explain import sentences

    evidence = ("client=有限会社片桐不動産", "addressed=株式会社港北ロジスティクス")
    finding = Finding(
        code="client.mismatch", count=1, where=("attachment:契約書.odt!tracked-changes",), evidence=evidence
    )
    ja, en = sentences(finding)
    assert ja.startswith("添付ファイル『契約書.odt』の変更履歴に『有限会社片桐不動産』とあります")
    assert en.startswith('The attachment "契約書.odt" (tracked changes) names 有限会社片桐不動産')
    inner = Finding(
        code="client.mismatch", count=1, where=("attachment:a.zip!b.docx!hidden-text",), evidence=evidence
    )
    assert sentences(inner)[0].startswith("添付ファイル『a.zip』の中の『b.docx』の隠し文字に")


def test_a_part_without_changes_or_hidden_runs_is_not_parsed_again():
    limits = Limits(max_xml_elements=5)  # any part read here would stop at once
    assert problems(word(["株式会社港北ロジスティクス 御中", "本文"]), limits) == []
    assert [p.where for p in problems(word([[("hidden", "x")]]), limits)] == ["word/document.xml"]


def test_text_hidden_by_a_character_or_paragraph_style_is_hidden_text():
    hidden_styles = (
        '<w:style w:type="character" w:styleId="Secret"><w:name w:val="Secret"/><w:rPr><w:vanish/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Memo"><w:name w:val="Memo"/><w:rPr><w:vanish/></w:rPr></w:style>'
        '<w:style w:type="character" w:styleId="Was"><w:rPr><w:b/>'
        '<w:rPrChange w:id="9" w:author="x"><w:rPr><w:vanish/></w:rPr></w:rPrChange></w:rPr></w:style>'
    )
    data = word(["x"])
    styles = (
        zipfile.ZipFile(io.BytesIO(data))
        .read("word/styles.xml")
        .replace(b"</w:styles>", hidden_styles.encode() + b"</w:styles>")
    )
    body = (
        f'<w:document xmlns:w="{W}"><w:body>'
        '<w:p><w:r><w:t>単価</w:t></w:r><w:r><w:rPr><w:rStyle w:val="Secret"/></w:rPr><w:t>丸茂建設向け</w:t></w:r>'
        '<w:r><w:rPr><w:rStyle w:val="Was"/></w:rPr><w:t>見える</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:pStyle w:val="Memo"/></w:pPr><w:r><w:t>片桐不動産の件</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = _replaced(_replaced(data, "word/styles.xml", styles), "word/document.xml", body.encode())
    assert chunks(data)["hidden-text"].splitlines() == ["丸茂建設向け", "片桐不動産の件"]


def test_a_paragraph_cut_short_by_the_limit_keeps_what_was_read_and_stray_text_is_read():
    runs = [("del", f"株式会社ミツワ印刷{i}") for i in range(100)]
    data = word([runs])
    assert chunks(data, Limits(max_xml_elements=150))["tracked-changes"].startswith(
        "株式会社ミツワ印刷0株式会社ミツワ印刷1"
    )
    stray = f'<w:document xmlns:w="{W}"><w:body><w:del><w:r><w:delText>丸茂建設</w:delText></w:r></w:del></w:body></w:document>'
    assert (
        chunks(_replaced(word(["x"]), "word/document.xml", stray.encode()))["tracked-changes"] == "丸茂建設"
    )
