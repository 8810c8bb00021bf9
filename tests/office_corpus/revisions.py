"""Office corpus, class `revisions` (issue 17 item 3): Word documents whose tracked changes,
comments or hidden text say what the visible text does not. A contract reused from another
client keeps that client's name in a tracked deletion; a reviewer's comment quotes a customer's
My Number; a quotation hides another client's special price in hidden text. Ordinary review
(dates and amounts revised, comments on wording) and markup that only looks like it (a typo of
the recipient's own name fixed, a table of contents' hidden page numbers) must pass."""

from __future__ import annotations

from ..eval_set.cast import KOHOKU, SAEKI, SIG_SAEKI, TOHO
from ..eval_set.fabric import attachment, message, my_number
from ..office_markup import ODT_TYPE, Paragraph, odt, tracked, word
from .catalogue import case

CLS = "revisions"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _contract(first_party: Paragraph, *more: Paragraph) -> list[Paragraph]:
    return [
        "業務委託契約書",
        first_party,
        "鳴海テクノサービス株式会社（以下「乙」という。）は、物流設備の保守業務について次のとおり契約する。",
        "第1条（業務内容）乙は、甲の倉庫設備の定期点検および修理を行う。",
        *more,
        "第5条（協議）本契約に定めのない事項は、甲乙協議のうえ定める。",
    ]


def _to_kohoku(n: int, subject: str, name: str, data: bytes, mime: str = DOCX) -> bytes:
    body = (
        f"小川様\n\nいつもお世話になっております。\n{subject}をお送りします。ご確認ください。\n\n{SIG_SAEKI}"
    )
    return message(n, SAEKI, KOHOKU, subject, body, files=[attachment(name, data, mime)])


@case(
    "revisions_p01_contract_deleted_client.eml",
    "hold",
    CLS,
    "positive",
    "client.mismatch",
    "A contract reused from ミツワ印刷 for 港北ロジスティクス: the old client's name survives in a tracked deletion.",
)
def _p01(n: int) -> bytes:
    first = [
        ("", ""),
        ("del", "株式会社ミツワ印刷"),
        ("ins", "株式会社港北ロジスティクス"),
        ("", "（以下「甲」という。）と"),
    ]
    return _to_kohoku(n, "業務委託契約書（案）", "業務委託契約書.docx", word(_contract(first)))


@case(
    "revisions_p02_comment_my_number.eml",
    "hold",
    CLS,
    "positive",
    "pii.my_number",
    "A reviewer's comment on a Word form quotes the employee's My Number.",
)
def _p02(n: int) -> bytes:
    data = word(
        ["作業員名簿（入構申請用）", "作業責任者 高森 亮", "作業日 2026年12月10日"],
        comments=[("高森 亮", f"高森さんの個人番号は {my_number('49301827465')} で登録済み（人事確認）")],
    )
    return _to_kohoku(n, "入構申請書", "入構申請書.docx", data)


@case(
    "revisions_p03_comment_third_client.eml",
    "hold",
    CLS,
    "positive",
    "client.mismatch",
    "A quotation for 港北ロジスティクス whose review comment names the client it was copied from.",
)
def _p03(n: int) -> bytes:
    data = word(
        ["御見積書", "株式会社港北ロジスティクス 御中", "倉庫設備 年間保守 一式 1,200,000円（税別）"],
        comments=[("1,200,000円", "さくら台フーズ向けの単価をそのまま使っています。要見直し")],
    )
    return _to_kohoku(n, "御見積書", "御見積書.docx", data)


@case(
    "revisions_p04_hidden_client.eml",
    "hold",
    CLS,
    "positive",
    "client.mismatch",
    "A quotation whose hidden text holds another client's special price note.",
)
def _p04(n: int) -> bytes:
    price = [
        ("", "年間保守 一式 1,200,000円（税別）"),
        ("hidden", "※丸茂建設株式会社 向け特別単価 980,000円"),
    ]
    data = word(["御見積書", "株式会社港北ロジスティクス 御中", price, "有効期限 2026年12月末日"])
    return _to_kohoku(n, "御見積書", "御見積書.docx", data)


@case(
    "revisions_p05_header_deleted_client.eml",
    "hold",
    CLS,
    "positive",
    "client.mismatch",
    "A contract whose page header still holds 東邦メディカルサプライ in a tracked deletion.",
)
def _p05(n: int) -> bytes:
    header = [
        [
            ("", "秘密保持契約書　"),
            ("del", "東邦メディカルサプライ株式会社"),
            ("ins", "株式会社港北ロジスティクス"),
        ]
    ]
    data = word(_contract("株式会社港北ロジスティクス（以下「甲」という。）と"), header=header)
    return _to_kohoku(n, "秘密保持契約書", "秘密保持契約書.docx", data)


@case(
    "revisions_n01_contract_dates_amounts.eml",
    "pass",
    CLS,
    "negative",
    "client.mismatch",
    "A contract for the recipient whose tracked changes only revise the dates and the fee.",
)
def _n01(n: int) -> bytes:
    term = [("", "第2条（期間）2027年"), ("del", "1"), ("ins", "4"), ("", "月1日から1年間とする。")]
    fee = [("", "第3条（委託料）月額"), ("del", "150,000"), ("ins", "165,000"), ("", "円（税別）とする。")]
    first = "株式会社港北ロジスティクス（以下「甲」という。）と"
    return _to_kohoku(
        n, "業務委託契約書（修正版）", "業務委託契約書_修正版.docx", word(_contract(first, term, fee))
    )


@case(
    "revisions_n02_review_comments.eml",
    "pass",
    CLS,
    "negative",
    "client.mismatch",
    "A proposal with the ordinary review comments of a colleague (wording, dates).",
)
def _n02(n: int) -> bytes:
    data = word(
        [
            "保守体制のご提案",
            "株式会社港北ロジスティクス 御中",
            "年2回の定期点検と24時間の緊急対応を行います。",
        ],
        comments=[
            ("定期点検", "「定期点検」と「定例点検」が混在しています。統一してください。"),
            ("24時間", "夜間は名古屋本社からの対応になる旨を補足した方がよいと思います。"),
            ("緊急対応", "対応開始時期は来年4月で確定です（三浦）。"),
        ],
    )
    return _to_kohoku(n, "保守体制のご提案", "保守体制のご提案.docx", data)


@case(
    "revisions_n03_internal_draft_to_colleague.eml",
    "pass",
    CLS,
    "negative",
    "client.mismatch",
    "A contract draft for 東邦メディカルサプライ, tracked changes and all, sent to the recipient's own people.",
)
def _n03(n: int) -> bytes:
    first = [("", "東邦メディカルサプライ株式会社（以下「甲」という。）と"), ("ins", "、その関連会社")]
    data = word(
        _contract(first, [("", "第2条（期間）"), ("del", "6か月"), ("ins", "1年間"), ("", "とする。")])
    )
    body = f"今井様\n\n契約書の修正案をお送りします。変更履歴を残しています。\n\n{SIG_SAEKI}"
    return message(
        n, SAEKI, TOHO, "契約書 修正案", body, files=[attachment("契約書_修正案.docx", data, DOCX)]
    )


@case(
    "revisions_m01_typo_of_own_client_fixed.eml",
    "pass",
    CLS,
    "near_miss",
    "client.mismatch",
    "A tracked change that fixes a typo in the recipient's own client name (ロジスチクス → ロジスティクス).",
)
def _m01(n: int) -> bytes:
    first = [
        ("", "株式会社港北ロジ"),
        ("del", "スチ"),
        ("ins", "スティ"),
        ("", "クス（以下「甲」という。）と"),
    ]
    return _to_kohoku(n, "業務委託契約書（誤字修正）", "業務委託契約書.docx", word(_contract(first)))


@case(
    "revisions_m02_toc_hidden_page_numbers.eml",
    "pass",
    CLS,
    "near_miss",
    "client.mismatch",
    "A manual whose table of contents carries hidden field codes and page numbers, as Word writes them.",
)
def _m02(n: int) -> bytes:
    toc = [
        [("", "1. 点検の手順\t"), ("field", "3")],
        [("", "2. 緊急時の連絡先\t"), ("field", "7")],
        [("", "3. 部品の交換\t"), ("field", "12")],
    ]
    data = word(["保守マニュアル", "目次", *toc, "株式会社港北ロジスティクス 新横浜倉庫向け"])
    return _to_kohoku(n, "保守マニュアル", "保守マニュアル.docx", data)


@case(
    "revisions_m03_hidden_drafting_note.eml",
    "pass",
    CLS,
    "near_miss",
    "client.mismatch",
    "Hidden text that is only our own drafting note (our company's name, the recipient's name).",
)
def _m03(n: int) -> bytes:
    note = [
        ("", "御見積書"),
        ("hidden", "（鳴海テクノサービス 営業部 作成用メモ：港北ロジ様 2026年度 単価表より）"),
    ]
    data = word([note, "株式会社港北ロジスティクス 御中", "倉庫設備 年間保守 一式 1,200,000円（税別）"])
    return _to_kohoku(n, "御見積書", "御見積書.docx", data)


@case(
    "revisions_p06_odt_deleted_client.eml",
    "hold",
    CLS,
    "positive",
    "client.mismatch",
    "A LibreOffice contract (.odt) whose tracked deletion removed 片桐不動産 for 港北ロジスティクス.",
)
def _p06(n: int) -> bytes:
    body = (
        tracked(("ct1", "有限会社片桐不動産"), ("ct2", ""))
        + "<text:h>賃貸借契約書</text:h>"
        + '<text:p>賃借人 <text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>'
        '株式会社港北ロジスティクス<text:change-end text:change-id="ct2"/>（以下「乙」という。）</text:p>'
        "<text:p>第1条 本契約は倉庫の一部の賃貸借について定める。</text:p>"
    )
    return _to_kohoku(n, "賃貸借契約書（案）", "賃貸借契約書.odt", odt(body), ODT_TYPE)


@case(
    "revisions_n04_odt_review_comment.eml",
    "pass",
    CLS,
    "negative",
    "client.mismatch",
    "A LibreOffice quotation (.odt) for the recipient with a review comment on the wording.",
)
def _n04(n: int) -> bytes:
    body = (
        "<text:h>御見積書</text:h><text:p>株式会社港北ロジスティクス 御中</text:p>"
        "<text:p>倉庫設備 年間保守 一式<office:annotation><dc:creator>三浦 由美</dc:creator>"
        "<dc:date>2026-11-20T10:00:00</dc:date><text:p>「一式」の内訳を別紙で付けてください。</text:p>"
        "</office:annotation> 1,200,000円（税別）</text:p>"
    )
    return _to_kohoku(n, "御見積書", "御見積書.odt", odt(body), ODT_TYPE)
