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


def _case(name: str, expected: str, kind: str, why: str):
    """catalogue.case for this class and its code: the file is `<class>_<name>.eml`."""
    return case(f"{CLS}_{name}.eml", expected, CLS, kind, CODE, why)


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


def _statement_mail(n: int, to, greeting: str, payers: list[str], subject: str = "ご入金明細") -> bytes:
    """Our accounting mails a client an extract of the bank statement (入金明細_202611.csv)."""
    body = _body(greeting, "ご入金を確認いたしました。明細を添付いたします。")
    files = [attachment("入金明細_202611.csv", _statement(payers), CSV)]
    return message(n, cast.MIURA, to, subject, body, files=files)


# --- positives: another client's name, written large, in what goes to a client ---------------


@_case(
    "p01_statement_other_client",
    "hold",
    "positive",
    "入金明細 to さくら台フーズ lists ｺｳﾎｸﾛｼﾞｽﾃｲｸｽ(ｶ (ﾃｲ for ﾃｨ): 港北ロジスティクス's payment",
)
def _p01(n: int) -> bytes:
    return _statement_mail(
        n,
        cast.SAKURA,
        "株式会社さくら台フーズ 市川様",
        [hankaku("サクラダイフーズ") + "(ｶ", hankaku("コウホクロジスティクス") + "(ｶ"],
    )


@_case(
    "p02_payment_plan_xlsx",
    "hold",
    "positive",
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


@_case(
    "p03_zengin_other_payee",
    "hold",
    "positive",
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


@_case(
    "p04_body_long_vowel_dash",
    "pass",
    "positive",
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


@_case(
    "n01_statement_own_client",
    "pass",
    "negative",
    "the 入金明細 of 港北ロジスティクス's own payment, sent to 港北ロジスティクス",
)
def _n01(n: int) -> bytes:
    return _statement_mail(
        n, cast.KOHOKU, "株式会社港北ロジスティクス 小川様", [hankaku("コウホクロジスティクス") + "(ｶ"]
    )


@_case(
    "n02_our_kana_name",
    "pass",
    "negative",
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


@_case(
    "m01_medical_service",
    "pass",
    "near_miss",
    "ﾄｳﾎｳﾒﾃﾞｲｶﾙｻ-ﾋﾞｽ (サービス, not サプライ): another company, not in the directory",
)
def _m01(n: int) -> bytes:
    return _statement_mail(
        n,
        cast.MARUMO,
        "丸茂建設株式会社 工務部 川端様",
        [hankaku("マルモケンセツ") + "(ｶ", hankaku("トウホウメディカルサービス") + "(ｶ"],
    )


@_case(
    "m02_sakuradai_farm",
    "pass",
    "near_miss",
    "ｻｸﾗﾀﾞｲﾌｱ-ﾑ (さくら台ファーム): folds ﾌｧ to ﾌｱ and still is not さくら台フーズ",
)
def _m02(n: int) -> bytes:
    return _statement_mail(
        n,
        cast.KOHOKU,
        "株式会社港北ロジスティクス 小川様",
        [hankaku("コウホクロジスティクス") + "(ｶ", "ｻｸﾗﾀﾞｲﾌｧｰﾑ(ﾕ"],
    )


@_case(
    "m03_kohoku_logi_service",
    "pass",
    "near_miss",
    "ｺｳﾎｸﾛｼﾞｻ-ﾋﾞｽ (港北ロジサービス) shares a prefix with ｺｳﾎｸﾛｼﾞｽﾃｲｸｽ, another company",
)
def _m03(n: int) -> bytes:
    return _statement_mail(
        n,
        cast.SAKURA,
        "株式会社さくら台フーズ 市川様",
        [hankaku("サクラダイフーズ") + "(ｶ", "ｶ)" + hankaku("コウホクロジサービス")],
    )
