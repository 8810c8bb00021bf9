"""Office corpus, class `kana` (issue 17, item 8): client names in half-width kana as bank
systems write them, small kana large (ﾃｨ -> ﾃｲ, ｯ -> ﾂ) and the long vowel as "-".

guard.yaml gives three clients a kana alias written as people write it (コウホクロジスティクス,
トウホウメディカルサプライ, サクラダイフーズ); bank statements, payment lists and 全銀 files
carry ｺｳﾎｸﾛｼﾞｽﾃｲｸｽ, ﾄｳﾎｳﾒﾃﾞｲｶﾙｻﾌﾟﾗｲ, ｻｸﾗﾀﾞｲﾌ-ｽﾞ. Another client's name in what goes to a client
is a client.mismatch; names that differ by more than the folding are not.
"""

from __future__ import annotations

from ..eval_set import cast
from ..eval_set.fabric import attachment, csv_text, hankaku, message, xlsx
from ..eval_set.incidents import XLSX, zengin
from .catalogue import case

CLS, CODE = "kana", "client.mismatch"
CSV = "text/csv; charset=shift_jis"


def _statement(payers: list[str]) -> bytes:
    """A bank's 入出金明細 export: half-width kana payer names, small kana large."""
    rows = [["日付", "摘要", "お預入金額", "お引出金額", "残高"]]
    balance = 8_412_300
    for k, payer in enumerate(payers):
        amount = 110_000 * (k + 2)
        balance += amount
        rows.append([f"2026/11/{20 + k:02d}", "ﾌﾘｺﾐ " + payer, amount, "", balance])
    return csv_text(rows).encode("cp932")


def _body(name: str, text: str) -> str:
    return f"{name}\n\nいつもお世話になっております。鳴海テクノサービスの三浦です。\n\n{text}\n\n{cast.SIG_MIURA}"


# --- positives: another client's name, written large, in what goes to a client ---------------


@case(
    f"{CLS}_p01_statement_other_client.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "入金明細 to さくら台フーズ lists ｺｳﾎｸﾛｼﾞｽﾃｲｸｽ(ｶ (ﾃｲ for ﾃｨ): 港北ロジスティクス's payment",
)
def _p01(n: int) -> bytes:
    data = _statement([hankaku("サクラダイフーズ") + "(ｶ", hankaku("コウホクロジスティクス") + "(ｶ"])
    body = _body("株式会社さくら台フーズ 市川様", "11月分のご入金を確認いたしました。明細を添付いたします。")
    files = [attachment("入金明細_202611.csv", data, CSV)]
    return message(n, cast.MIURA, cast.SAKURA, "ご入金確認のご連絡", body, files=files)


@case(
    f"{CLS}_p02_payment_plan_xlsx.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "支払予定表 to ミツワ印刷 with payee ｶ)ﾄｳﾎｳﾒﾃﾞｲｶﾙｻﾌﾟﾗｲ (ﾃﾞｲ for ﾃﾞｨ)",
)
def _p02(n: int) -> bytes:
    rows = [
        ["支払予定日", "支払先(振込名義)", "金額"],
        ["2026/12/25", "ｶ)" + hankaku("ミツワインサツ"), 264_000],
        ["2026/12/25", "ｶ)" + hankaku("トウホウメディカルサプライ"), 1_078_000],
    ]
    body = _body("株式会社ミツワ印刷 大森様", "12月のお支払予定をお送りします。ご確認ください。")
    files = [attachment("支払予定表_202612.xlsx", xlsx({"12月": rows}), XLSX)]
    return message(n, cast.MIURA, cast.MITSUWA, "12月お支払予定のご案内", body, files=files)


@case(
    f"{CLS}_p03_zengin_other_payee.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "a 全銀 file meant for our bank sent to ミツワ印刷; a payee is ﾄｳﾎｳﾒﾃﾞｲｶﾙｻﾌﾟﾗｲ(ｶ",
)
def _p03(n: int) -> bytes:
    payees = [
        {
            "bank": "0005",
            "bank_name": "ミツビシユーエフジェイ",
            "branch": "150",
            "branch_name": "ナゴヤ",
            "account": "2215307",
            "kana": "カ)ミツワインサツ",
            "amount": 264000,
        },
        {
            "bank": "0001",
            "bank_name": "ミズホ",
            "branch": "110",
            "branch_name": "ホンテン",
            "account": "3387021",
            "kana": "トウホウメディカルサプライ(カ",
            "amount": 1078000,
        },
    ]
    body = _body("株式会社ミツワ印刷 大森様", "お振込データを添付いたします。")
    files = [attachment("furikomi_20261225.txt", zengin(payees), "text/plain")]
    return message(n, cast.MIURA, cast.MITSUWA, "お振込データ", body, files=files)


@case(
    f"{CLS}_p04_body_long_vowel_dash.eml",
    "pass",
    CLS,
    "positive",
    CODE,
    "a statement line pasted in a body to 丸茂建設: ｻｸﾗﾀﾞｲﾌ-ｽﾞ with '-' for ー (body: monitored)",
)
def _p04(n: int) -> bytes:
    text = (
        "下記のとおり、ご入金を確認いたしました。\n\n"
        "  2026/11/25  ﾌﾘｺﾐ ﾏﾙﾓｹﾝｾﾂ(ｶ       550,000\n"
        "  2026/11/26  ﾌﾘｺﾐ ｻｸﾗﾀﾞｲﾌ-ｽﾞ(ｶ    132,000\n"
    )
    body = _body("丸茂建設株式会社 工務部 川端様", text)
    return message(n, cast.MIURA, cast.MARUMO, "ご入金確認", body)


# --- negatives: the addressed client's own kana name, or ours -------------------------------


@case(
    f"{CLS}_n01_statement_own_client.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "the 入金明細 of 港北ロジスティクス's own payment, sent to 港北ロジスティクス",
)
def _n01(n: int) -> bytes:
    data = _statement([hankaku("コウホクロジスティクス") + "(ｶ"])
    body = _body("株式会社港北ロジスティクス 小川様", "ご入金を確認いたしました。明細を添付いたします。")
    files = [attachment("入金明細_202611.csv", data, CSV)]
    return message(n, cast.MIURA, cast.KOHOKU, "ご入金確認のご連絡", body, files=files)


@case(
    f"{CLS}_n02_our_kana_name.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "a payment notice to 東邦メディカルサプライ naming ﾄｳﾎｳﾒﾃﾞｲｶﾙｻﾌﾟﾗｲ and us (ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ)",
)
def _n02(n: int) -> bytes:
    rows = [
        ["振込日", "振込依頼人", "受取人", "金額"],
        [
            "2026/12/25",
            hankaku("ナルミテクノサービス") + "(ｶ",
            "ｶ)" + hankaku("トウホウメディカルサプライ"),
            1_078_000,
        ],
    ]
    body = _body("東邦メディカルサプライ株式会社 今井様", "12/25 にお振込いたします。控えを添付いたします。")
    files = [attachment("振込控_20261225.xlsx", xlsx({"控": rows}), XLSX)]
    return message(n, cast.MIURA, cast.TOHO, "お振込のご連絡", body, files=files)


# --- near misses: kana names that differ by more than small/large ---------------------------


@case(
    f"{CLS}_m01_medical_service.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "ﾄｳﾎｳﾒﾃﾞｲｶﾙｻ-ﾋﾞｽ (サービス, not サプライ): another company, not in the directory",
)
def _m01(n: int) -> bytes:
    data = _statement([hankaku("マルモケンセツ") + "(ｶ", hankaku("トウホウメディカルサービス") + "(ｶ"])
    body = _body("丸茂建設株式会社 工務部 川端様", "ご入金を確認いたしました。明細を添付いたします。")
    files = [attachment("入金明細_202611.csv", data, CSV)]
    return message(n, cast.MIURA, cast.MARUMO, "ご入金確認のご連絡", body, files=files)


@case(
    f"{CLS}_m02_sakuradai_farm.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "ｻｸﾗﾀﾞｲﾌｱ-ﾑ (さくら台ファーム): folds ﾌｧ to ﾌｱ and still is not さくら台フーズ",
)
def _m02(n: int) -> bytes:
    data = _statement([hankaku("コウホクロジスティクス") + "(ｶ", "ｻｸﾗﾀﾞｲﾌｧｰﾑ(ﾕ"])
    body = _body("株式会社港北ロジスティクス 小川様", "ご入金明細を添付いたします。")
    files = [attachment("入金明細_202611.csv", data, CSV)]
    return message(n, cast.MIURA, cast.KOHOKU, "ご入金明細", body, files=files)


@case(
    f"{CLS}_m03_kohoku_logi_service.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "ｺｳﾎｸﾛｼﾞｻ-ﾋﾞｽ (港北ロジサービス) shares a prefix with ｺｳﾎｸﾛｼﾞｽﾃｲｸｽ, another company",
)
def _m03(n: int) -> bytes:
    data = _statement([hankaku("サクラダイフーズ") + "(ｶ", "ｶ)" + hankaku("コウホクロジサービス")])
    body = _body("株式会社さくら台フーズ 市川様", "ご入金明細を添付いたします。")
    files = [attachment("入金明細_202611.csv", data, CSV)]
    return message(n, cast.MIURA, cast.SAKURA, "ご入金明細", body, files=files)
