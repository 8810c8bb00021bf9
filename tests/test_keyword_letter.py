"""Keyword dictionaries after review (issue 17 item 4): who a text is about (not the greeting's
addressee, not the signature's writer), where a word is a mark, and evidence that hides words."""

from __future__ import annotations

import pytest

from inspectors.keyword_dictionary import KeywordDictionary
from inspectors.letter import greeting_end, is_mark, signature_spans
from inspectors.message import Table, TextChunk

from .test_keywords import ENV, MessageView, found, shipped, view

HEALTH, CONFIDENTIAL = "keyword.sensitive_health", "keyword.confidential"


# --- who the text is about ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "小川様\n健康診断結果の提出は12月10日までにお願いします。",
        "港北ロジスティクス株式会社\n物流部\n小川 浩様\n\n健康診断結果の提出は12月10日までです。",
        "小川様、服薬指導システムのご提案です。",
        "佐伯様 本件は不起訴となりました",
        "佐伯様 発達障害支援の取り組み（CSR報告）",
        "Dear Mr. Ogawa,\n服薬指導システムのご提案です。",
        "各位\r\n健康診断結果の提出は12月10日までです。\r\n\r\n--\r\n人事部 宮下 彩香様\r\n",
        "健康診断結果は総務部宛にお送りください。\n\n--\n鳴海テクノサービス株式会社\n佐伯 健太様",
        "健康診断結果の提出は健診機関様へのご連絡です。",
        "健康診断結果は来週お送りします。\n\n宮下",
    ],
)
def test_the_addressee_and_the_writer_are_not_the_person_a_text_is_about(body):
    assert not shipped(body), body


@pytest.mark.parametrize(
    "body",
    [
        "小川様\n来週伺う山田太郎様の既往歴：糖尿病です。",
        "小川様\n氏名：山田 太郎\n既往歴：糖尿病",
        "小川様\n生年月日 1980年4月1日 の方の既往歴：糖尿病",
        "山田太郎様の既往歴：糖尿病\n以上",
        "山田太郎様 既往歴：糖尿病",  # a record line, not a greeting
        # A quoted reply after the signature is someone else's mail, read as such.
        "小川様\n承知しました。\n--\n佐伯\n> 氏名：山田 太郎\n> 既往歴：糖尿病",
    ],
)
def test_a_data_subject_in_the_text_still_counts(body):
    assert HEALTH in shipped(body), body


def test_the_greeting_and_the_signature_are_bounded_blocks():
    text = "小川様\n\n本文です。\n--\n佐伯\n" + "x\n" * 40
    assert text[: greeting_end(text)] == "小川様\n\n"
    (start, end), *_ = signature_spans(text)
    assert text[start:].startswith("--") and text[start:end].count("\n") == 12


# --- marks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "社外秘\n2027年度 価格改定方針",
        "【社外秘】2027年度 価格改定方針",
        "2027年度 価格改定方針［部外秘］",
        "■ 極秘 ■\n議事録",
        "STRICTLY CONFIDENTIAL\nCost review",
        "[Internal Use Only] cost review",
        "資料 (取扱注意) 2027年度",
    ],
)
def test_a_mark_counts(body):
    assert CONFIDENTIAL in shipped(body), body


@pytest.mark.parametrize(
    "body",
    [
        "本メールには社外秘の情報が含まれる場合があります。",
        "新製品は極秘プロジェクトとして進めております。",
        "第2条 秘密情報とは、「社外秘」「Confidential」等の表示を付して開示した情報をいう。",
        'Article 2. Information marked "Confidential" by the Disclosing Party.',
        "Information marked [Confidential] or 【社外秘】 by the Disclosing Party is protected.",
        "Dear Mr. Ogawa,\nThe quote follows.\n\nBest regards,\nKenta Saeki\n\nCONFIDENTIAL\nThis e-mail is for the addressee.",
        "見積書です。\n--\n佐伯\n【社外秘】\n",
        "「社外秘」",
    ],
)
def test_a_word_in_a_sentence_a_quote_or_a_signature_is_no_mark(body):
    assert CONFIDENTIAL not in shipped(body), body


def test_the_subject_a_file_name_a_header_and_a_cell_of_its_own_are_marks():
    assert CONFIDENTIAL in shipped("資料です。", subject="Re: 社外秘資料の件")
    header = MessageView(
        envelope=ENV,
        size=1,
        texts=(TextChunk(where="attachment:a.docx!header1", text="株式会社鳴海 社外秘"),),
    )
    assert CONFIDENTIAL in found(shipped.__globals__["SHIPPED"], header)
    cell = Table(where="attachment:a.xlsx!Sheet1", rows=(("区分", "社外秘"), ("保守", "+6%")))
    assert CONFIDENTIAL in shipped(tables=(cell,))
    prose = Table(where="attachment:a.xlsx!Sheet1", rows=(("備考",), ("社外秘の資料は回収します",)))
    assert CONFIDENTIAL not in shipped(tables=(prose,))


def test_is_mark_reads_a_bounded_line():
    text = "あ" * 10_000 + "社外秘" + "い" * 10_000
    assert not is_mark(text, 10_000, 10_003)
    assert is_mark("x\n 【社外秘】 \ny", 4, 7)


# --- evidence ------------------------------------------------------------------------------


def test_a_watch_list_shows_no_names_when_show_words_is_false():
    watch = KeywordDictionary(id="watch", words=("北村翔太",), show_words=False)
    f = found([watch], view("北村翔太の件"))["keyword.watch"]
    assert f.evidence == ("(word) ×1",) and "北村" not in str(f)
    shown = KeywordDictionary(id="watch", words=("北村翔太",))
    assert found([shown], view("北村翔太の件"))["keyword.watch"].evidence == ("北村翔太 ×1",)


# --- one kana folding ----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["プロジェクト鷹", "プロジエクト鷹", "ﾌﾟﾛｼﾞｪｸﾄ鷹"])
@pytest.mark.parametrize("text", ["ﾌﾟﾛｼﾞｪｸﾄ鷹の件", "ﾌﾟﾛｼﾞｴｸﾄ鷹の件", "ぷろじぇくと鷹の件"])
def test_small_kana_typed_half_width_match_as_large(word, text):
    d = KeywordDictionary(id="p", words=(word,))
    if text.startswith("ぷ") and "エ" in word:
        return  # full-width text keeps its small kana: people who type full width write them
    assert "keyword.p" in found([d], view(text)), (word, text)


def test_folding_keeps_every_position_and_the_forms_are_at_most_five():
    from inspectors.keyword_dictionary import text_form, word_forms

    assert len(text_form("ﾃｨｯｼｭ ＡＢＣ")) == len("ﾃｨｯｼｭ ＡＢＣ")
    assert len(word_forms("ティ・あ ﾃｨ")) <= 5
    assert "ﾃｲ" in word_forms("ティ")


@pytest.mark.timing
def test_a_text_of_separators_costs_a_bounded_signature_scan():
    import time

    text = "--\n" * 1_000_000 + "北村翔太様の既往歴"
    started = time.perf_counter()
    spans = signature_spans(text)
    assert time.perf_counter() - started < 2 and len(spans) == 1
    assert HEALTH in shipped(text)  # past the separators looked at, a name is a person again
