"""Office corpus, class `conversation` (issue 17): two clients in one conversation.

A reply-all that still copies client B while a document addressed to client A is attached: the
document's addressee (the client named with 御中, 様, Bill to … at its head) against the other
clients among the recipients. Clients from guard.yaml: A is 株式会社港北ロジスティクス, B is
丸茂建設株式会社, C is 株式会社さくら台フーズ.
"""

from __future__ import annotations

from ..eval_set.cast import KOHOKU, KOHOKU2, MARUMO, MIURA, SAEKI, SAKURA, SIG_SAEKI, TAKAMORI
from ..eval_set.fabric import attachment, docx, message, pdf, xlsx
from .catalogue import case

CODE = "client.mismatch"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _quote(addressee: str, extra: list[list] = ()) -> bytes:
    """見積書 as an xlsx form: title, 宛名 cell with 御中, our details, the lines."""
    return xlsx(
        {
            "見積書": [
                ["御見積書", None, None, "No. Q-2026-1142"],
                [addressee, None, None, "2026年11月20日"],
                [None, None, None, "鳴海テクノサービス株式会社"],
                ["下記のとおりお見積り申し上げます。"],
                ["品名", "数量", "単価", "金額"],
                ["倉庫管理システム 保守（年間）", 1, 1_440_000, 1_440_000],
                ["ハンディターミナル 交換", 12, 38_000, 456_000],
                *extra,
                ["合計", None, None, 1_896_000],
            ]
        }
    )


@case(
    "conversation_p01_reply_all_quote.eml",
    "hold",
    "conversation",
    "positive",
    CODE,
    "reply-all to 港北ロジスティクス and 丸茂建設 with a quote whose 宛名 is 株式会社港北ロジスティクス 御中",
)
def p01(n: int) -> bytes:
    return message(
        n,
        SAEKI,
        [KOHOKU],
        "Re: 新横浜倉庫 改修工事の日程について",
        "小川様、川端様\n\nお世話になっております。日程の件、承知いたしました。\n"
        "あわせて、保守更新のお見積りを添付いたします。\n\n" + SIG_SAEKI,
        cc=[MARUMO, TAKAMORI],
        files=[attachment("御見積書_Q-2026-1142.xlsx", _quote("株式会社港北ロジスティクス　御中"), XLSX)],
    )


@case(
    "conversation_p02_invoice_docx_to_b.eml",
    "hold",
    "conversation",
    "positive",
    CODE,
    "a docx 請求書 addressed to 港北ロジスティクス 御中 sent to 丸茂建設 only",
)
def p02(n: int) -> bytes:
    invoice = docx(
        ["請求書", "株式会社港北ロジスティクス 御中", "2026年11月30日", "下記のとおりご請求申し上げます。"],
        [["品目", "金額"], ["倉庫管理システム 保守 11月分", "120,000"], ["合計（税込）", "132,000"]],
        ["鳴海テクノサービス株式会社 経理部"],
    )
    return message(
        n,
        MIURA,
        [MARUMO],
        "11月分ご請求書の送付",
        "川端様\n\nいつもお世話になっております。11月分の請求書をお送りします。\n",
        files=[attachment("請求書_202611.docx", invoice, DOCX)],
    )


@case(
    "conversation_p03_bill_to_pdf.eml",
    "hold",
    "conversation",
    "positive",
    CODE,
    "a PDF invoice 'Bill to: Kohoku Logistics' sent to 丸茂建設 and 港北ロジスティクス",
)
def p03(n: int) -> bytes:
    invoice = pdf(
        [
            "INVOICE  No. INV-2026-0877",
            "Bill to: Kohoku Logistics",
            "Date: 2026-11-30",
            "Warehouse management system maintenance  JPY 120,000",
            "Total  JPY 132,000",
            "Narumi Techno Service Co., Ltd.",
        ]
    )
    return message(
        n,
        MIURA,
        [MARUMO, KOHOKU],
        "Invoice INV-2026-0877",
        "Dear all,\n\nPlease find the invoice attached.\n\nMiura\n",
        files=[attachment("INV-2026-0877.pdf", invoice, "application/pdf")],
    )


@case(
    "conversation_p04_subject_addressee.eml",
    "hold",
    "conversation",
    "positive",
    CODE,
    "subject 【港北ロジスティクス様】 says whose the unaddressed quote sheet is; reply-all still copies さくら台フーズ",
)
def p04(n: int) -> bytes:
    return message(
        n,
        SAEKI,
        [KOHOKU, KOHOKU2],
        "Re: 【港北ロジスティクス様】保守更新のお見積り",
        "小川様\n\n再見積りをお送りします。ご確認ください。\n\n" + SIG_SAEKI,
        cc=[SAKURA],
        files=[attachment("見積書_改訂.xlsx", _quote(""), XLSX)],
    )


@case(
    "conversation_n01_joint_minutes.eml",
    "pass",
    "conversation",
    "negative",
    CODE,
    "joint meeting minutes addressed to both 港北ロジスティクス and 丸茂建設, sent to both",
)
def n01(n: int) -> bytes:
    minutes = docx(
        [
            "新横浜倉庫 改修工事 定例会議 議事録",
            "株式会社港北ロジスティクス 御中",
            "丸茂建設株式会社 御中",
            "日時: 2026年11月18日 14:00-15:30",
            "1. 工程: 12月第2週に搬入口の工事を行う。",
            "2. 倉庫管理システムの停止時間は 2 時間以内とする。",
        ]
    )
    return message(
        n,
        SAEKI,
        [KOHOKU, MARUMO],
        "新横浜倉庫 改修工事 定例会議 議事録",
        "関係者各位\n\n本日の議事録をお送りします。\n\n" + SIG_SAEKI,
        cc=[TAKAMORI],
        files=[attachment("議事録_20261118.docx", minutes, DOCX)],
    )


@case(
    "conversation_n02_quote_to_a_staff_cc.eml",
    "pass",
    "conversation",
    "negative",
    CODE,
    "a quote to 港北ロジスティクス 御中 sent to them only, our own staff in Cc",
)
def n02(n: int) -> bytes:
    return message(
        n,
        SAEKI,
        [KOHOKU],
        "保守更新のお見積り",
        "小川様\n\nお見積りをお送りします。\n\n" + SIG_SAEKI,
        cc=[TAKAMORI, MIURA],
        files=[attachment("御見積書_Q-2026-1142.xlsx", _quote("株式会社港北ロジスティクス　御中"), XLSX)],
    )


@case(
    "conversation_n03_joint_no_addressee.eml",
    "pass",
    "conversation",
    "negative",
    CODE,
    "a schedule addressed to no one (関係者各位), sent to both clients of the project",
)
def n03(n: int) -> bytes:
    schedule = xlsx(
        {
            "工程表": [
                ["新横浜倉庫 改修工事 工程表", None, None],
                ["関係者各位", None, None],
                ["作業", "開始", "終了"],
                ["搬入口 改修", "2026-12-07", "2026-12-11"],
                ["システム停止・切替", "2026-12-12", "2026-12-12"],
            ]
        }
    )
    return message(
        n,
        TAKAMORI,
        [KOHOKU, MARUMO],
        "改修工事 工程表（12月）",
        "各位\n\n12月の工程表をお送りします。\n",
        files=[attachment("工程表_12月.xlsx", schedule, XLSX)],
    )


@case(
    "conversation_m01_subcontractor_named.eml",
    "pass",
    "conversation",
    "near_miss",
    CODE,
    "a quote to 港北ロジスティクス 御中 naming 丸茂建設 as the subcontractor, sent to both: a three-party "
    "document whose parties are all on the thread",
)
def m01(n: int) -> bytes:
    quote = _quote(
        "株式会社港北ロジスティクス　御中",
        [["搬入口 改修工事（施工：丸茂建設株式会社）", 1, 2_300_000, 2_300_000]],
    )
    return message(
        n,
        SAEKI,
        [KOHOKU],
        "Re: 新横浜倉庫 改修工事 お見積り",
        "小川様、川端様\n\n施工分を含めたお見積りです。\n\n" + SIG_SAEKI,
        cc=[MARUMO],
        files=[attachment("御見積書_改修工事.xlsx", quote, XLSX)],
    )


@case(
    "conversation_m02_body_greets_both.eml",
    "pass",
    "conversation",
    "near_miss",
    CODE,
    "the body greets 港北ロジスティクス 様 and 丸茂建設 様, the attachment is a drawing list addressed to no one",
)
def m02(n: int) -> bytes:
    drawings = xlsx(
        {
            "図面一覧": [
                ["図面番号", "名称", "版"],
                ["A-101", "搬入口 平面図", "3"],
                ["A-102", "搬入口 立面図", "2"],
            ]
        }
    )
    return message(
        n,
        TAKAMORI,
        [KOHOKU, MARUMO],
        "Re: 図面の最新版",
        "株式会社港北ロジスティクス 小川様\n丸茂建設株式会社 川端様\n\n最新版の図面一覧です。\n",
        files=[attachment("図面一覧.xlsx", drawings, XLSX)],
    )


@case(
    "conversation_m03_site_owner_named.eml",
    "pass",
    "conversation",
    "near_miss",
    CODE,
    "a work report addressed to 丸茂建設 御中 naming 港北ロジスティクス as the site, sent to both: the site "
    "owner is a party of the document, not a stranger to it",
)
def m03(n: int) -> bytes:
    report = pdf(
        [
            "作業報告書",
            "丸茂建設株式会社 御中",
            "現場: 株式会社港北ロジスティクス 新横浜倉庫",
            "2026年11月25日 LED投光器 6台 設置完了",
            "鳴海テクノサービス株式会社 技術部",
        ]
    )
    return message(
        n,
        TAKAMORI,
        [MARUMO],
        "作業報告書（新横浜倉庫）",
        "川端様\n\n作業報告書をお送りします。\n",
        cc=[KOHOKU],
        files=[attachment("作業報告書_1125.pdf", report, "application/pdf")],
    )


@case(
    "conversation_m04_subject_only.eml",
    "pass",
    "conversation",
    "near_miss",
    CODE,
    "subject 【港北ロジスティクス様】 in a reply-all copying さくら台フーズ, no document: the thread itself is "
    "the conversation both were copied on",
)
def m04(n: int) -> bytes:
    return message(
        n,
        SAEKI,
        [KOHOKU],
        "Re: 【港北ロジスティクス様】共同配送の打合せ日程",
        "小川様、市川様\n\n12月9日 14時からでいかがでしょうか。\n\n" + SIG_SAEKI,
        cc=[SAKURA],
    )


@case(
    "conversation_p05_person_addressee_docx.eml",
    "hold",
    "conversation",
    "positive",
    CODE,
    "a docx 見積書 made out to 丸茂建設 工務部 川端様 (the client through its person), さくら台フーズ copied by "
    "address autocompletion",
)
def p05(n: int) -> bytes:
    quote = docx(
        [
            "御見積書",
            "丸茂建設株式会社 工務部 川端 様",
            "件名: 搬入口 照明更新",
            "下記のとおりお見積り申し上げます。",
        ],
        [["品名", "金額"], ["LED投光器 6台", "312,000"], ["設置工事", "180,000"]],
    )
    return message(
        n,
        TAKAMORI,
        [MARUMO],
        "照明更新のお見積り",
        "川端様\n\nお見積りをお送りします。\n",
        cc=[SAKURA],
        files=[attachment("御見積書_照明更新.docx", quote, DOCX)],
    )
