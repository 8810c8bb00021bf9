"""Half-width kana names as bank systems write them (issue 17, item 8): small kana large (ﾃｨ as
ﾃｲ, ｯ as ﾂ, ｬｭｮ as ﾔﾕﾖ, ｧｨｩｪｫ as ｱｲｳｴｵ) and the long vowel as "-". One folding
(company_names.fold_kana) serves the client directory and the account holders."""

from __future__ import annotations

import pytest

from inspectors.account_holders import AccountHolders, key
from inspectors.clients import Client, ClientDirectory
from inspectors.company_names import fold_halfwidth, fold_kana
from inspectors.message import Table

TOHO = Client(
    name="東邦メディカルサプライ株式会社", aliases=("トウホウメディカルサプライ",), domains=("toho.example",)
)
KIDS = Client(name="株式会社キッズプラザ", aliases=("キッズプラザ",), domains=("kids.example",))
JOY = Client(name="ジョイフルマート株式会社", aliases=("ジョイフルマート",), domains=("joy.example",))
FARM = Client(name="有限会社ファームウェル", aliases=("ファームウェル",), domains=("farm.example",))
SAKURA = Client(name="株式会社さくら台フーズ", aliases=("サクラダイフーズ",), domains=("sakura.example",))
BANKSTYLE = Client(
    name="株式会社テイ-エムシ-", aliases=("ﾃｲｰｴﾑｼｰ",), domains=("tmc.example",)
)  # typed from a bank export
CLIENTS = (TOHO, KIDS, JOY, FARM, SAKURA, BANKSTYLE)


def named(text: str) -> list[str]:
    found = ClientDirectory(CLIENTS).mentions(text, "body")
    return [CLIENTS[i].name for m in found for i in m.clients]


def test_fold_kana_writes_small_kana_large_in_both_widths():
    assert fold_kana("ティッシュ ﾃｨｯｼｭ ファーム ｧｨｩｪｫｬｭｮ") == "テイツシユ ﾃｲﾂｼﾕ フアーム ｱｲｳｴｵﾔﾕﾖ"
    assert fold_kana("ヴァ ヵヶ ヮ") == "ヴア カケ ワ"


def test_fold_halfwidth_leaves_full_width_text_alone_and_keeps_byte_offsets():
    assert fold_halfwidth("ショッピング") == "ショッピング"  # people write full-width small kana
    text = "ショッピング ｼｮｯﾋﾟﾝｸﾞ"
    folded = fold_halfwidth(text)
    assert folded == "シヨツピング ｼﾖﾂﾋﾟﾝｸﾞ"
    assert len(folded.encode()) == len(text.encode())


@pytest.mark.parametrize(
    ("text", "client"),
    [
        ("ﾌﾘｺﾐ ﾄｳﾎｳﾒﾃﾞｲｶﾙｻﾌﾟﾗｲ(ｶ", TOHO),  # ﾃﾞｲ for ﾃﾞｨ
        ("ﾌﾘｺﾐ ﾄｳﾎｳﾒﾃﾞｨｶﾙｻﾌﾟﾗｲ(ｶ", TOHO),  # as written
        ("カ）トウホウメデイカルサプライ", TOHO),  # full-width, bank style
        ("ｶ)ｷﾂｽﾞﾌﾟﾗｻﾞ", KIDS),  # ﾂ for ｯ
        ("ｼﾞﾖｲﾌﾙﾏ-ﾄ(ｶ", JOY),  # ﾖ for ｮ, - for ー
        ("ﾕ)ﾌｱ-ﾑｳｴﾙ", FARM),  # ｱ for ｧ, ｴ for ｪ
        ("ｻｸﾗﾀﾞｲﾌ-ｽﾞ(ｶ", SAKURA),  # the long vowel as -
        ("ｻｸﾗﾀﾞｲﾌｰｽﾞ(ｶ", SAKURA),  # ... or ｰ
        ("ﾃｨｰｴﾑｼｰ", BANKSTYLE),  # a bank-style alias finds the proper half-width spelling
    ],
)
def test_a_kana_alias_matches_across_small_and_large(text, client):
    assert named(text) == [client.name]


@pytest.mark.parametrize(
    "text",
    [
        "ﾄｳﾎｳﾒﾃﾞｲｶﾙｻ-ﾋﾞｽ(ｶ",  # サービス, not サプライ
        "ｷﾂｽﾞﾗﾝﾄﾞ",  # キッズランド
        "ｼﾞﾖｲﾌﾙﾏ-ﾄｼｮｯﾌﾟ",  # a longer kana word that contains the alias
        "ﾌｱ-ﾑﾜｲﾄﾞ",  # ファームワイド
        "ショッピングのデータ",
    ],
)
def test_names_that_differ_by_more_than_small_and_large_do_not_match(text):
    assert named(text) == []


def test_a_table_cell_is_located_after_folding():
    table = Table(
        where="attachment:入金明細.csv",
        rows=(("日付", "摘要"), ("11/20", "ﾌﾘｺﾐ ｼﾞｮｲﾌﾙﾏｰﾄ(ｶ"), ("11/21", "ｶ)ｷｯｽﾞﾌﾟﾗｻﾞ")),
    )
    found = ClientDirectory(CLIENTS).table_mentions(table)
    assert [(m.where, CLIENTS[m.clients[0]].name) for m in found] == [
        ("attachment:入金明細.csv!B2", JOY.name),
        ("attachment:入金明細.csv!B3", KIDS.name),
    ]


def test_account_holders_use_the_same_folding():
    holders = AccountHolders.of(["ジョイフルマート", "キッズプラザ"])
    assert key("ｼﾞｮｲﾌﾙﾏｰﾄ") == key("ｼﾞﾖｲﾌﾙﾏ-ﾄ") == key("ジョイフルマート")
    assert holders.is_company("ｼﾞﾖｲﾌﾙﾏ-ﾄ") and holders.is_company("ｷﾂｽﾞﾌﾟﾗｻﾞ")
    assert not holders.is_company("ｷﾂｽﾞﾗﾝﾄﾞ")
