"""Office corpus, class `forms` (issue 17): see make.py. Cases are registered with catalogue.case.

Form-style sheets (帳票) as Japanese offices fill them in Excel: a label in one cell, often
merged over two or three columns, its value in the cell to its right or in the row below,
a My Number written 4-4-4 or one digit a box. Positives carry a check-digit-valid number next
to its label; negatives and near misses carry the same shapes with numbers that are not one
(order numbers, an invalid check digit, a 管理番号, a blank or 「記入不要」 field).
"""

from __future__ import annotations

import io
from datetime import datetime

from ..eval_set.cast import MIURA, MIYASHITA, PAYROLL, SAEKI, SHAROSHI
from ..eval_set.fabric import attachment, csv_text, message, my_number, repack
from .catalogue import case

CLS = "forms"
CODE = "pii.my_number"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KOHOKU_BUYER = ("港北ロジスティクス 購買課 森田様", "morita.k@kohoku-logi.co.jp")


def sheet(title: str, cells: dict[str, object], merged: tuple[str, ...] = ()) -> bytes:
    """One sheet of a form: values by cell reference, merged ranges as Excel writes them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for ref, value in cells.items():
        ws[ref] = value
    for span in merged:
        ws.merge_cells(span)
    wb.properties.creator = "鳴海テクノサービス"
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 20, 10, 0, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return repack(buf.getvalue())


def boxes(row: int, first_col: int, digits: str, width: int = 1) -> dict[str, str]:
    """One digit a box from column `first_col` (1 = A), each box `width` columns wide."""
    return {f"{_letter(first_col + i * width)}{row}": d for i, d in enumerate(digits)}


def box_merges(row: int, first_col: int, count: int, width: int) -> tuple[str, ...]:
    return tuple(
        f"{_letter(first_col + i * width)}{row}:{_letter(first_col + i * width + width - 1)}{row}"
        for i in range(count)
    )


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def gensen(number_cells: dict[str, object], merged: tuple[str, ...] = (), name: str = "遠藤 修") -> bytes:
    """令和8年分 給与所得の源泉徴収票 as an office keeps it in Excel (the payee block)."""
    cells = {
        "A1": "令和8年分　給与所得の源泉徴収票",
        "A3": "支払を受ける者",
        "B3": "住所又は居所",
        "E3": "愛知県名古屋市千種区今池2-11-4",
        "B5": "氏名",
        "E5": name,
        "A8": "種別",
        "B8": "支払金額",
        "D8": "給与所得控除後の金額",
        "A9": "給料・賞与",
        "B9": 5_840_000,
        "D9": 4_056_000,
        "A12": "支払者",
        "B12": "鳴海テクノサービス株式会社",
    }
    return sheet("源泉徴収票", {**cells, **number_cells}, ("A1:N1", "B3:D3", "E3:N3", "B5:D5", *merged))


@case(
    "forms_p01_gensen_merged_label.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "源泉徴収票: 個人番号 in a label merged over B:D, the valid number in E (a number cell).",
)
def _(n):
    data = gensen({"B4": "個人番号", "E4": int(my_number("51820074936"))}, ("B4:D4", "E4:H4"))
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "源泉徴収票（遠藤）の送付",
        "泉様\n\nいつもお世話になっております。\n遠藤の源泉徴収票を添付いたします。\n\n人事部 宮下",
        files=[attachment("源泉徴収票_遠藤.xlsx", data, XLSX)],
    )


@case(
    "forms_p02_fuyou_label_above.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "扶養控除等申告書: the employee's labels row names 4 columns; the spouse's 個人番号 label stands"
    " above its value in another block, under the employee's 住所 column.",
)
def _(n):
    data = sheet(
        "扶養控除等申告書",
        {
            "A1": "令和9年分　給与所得者の扶養控除等（異動）申告書",
            "A3": "本人",
            "B3": "氏名",
            "D3": "住所",
            "H3": "生年月日",
            "K3": "電話番号",
            "B4": "村上 健二",
            "D4": "愛知県名古屋市昭和区御器所3-2-8",
            "H4": "1980/04/12",
            "K4": "090-3318-2046",
            "A6": "源泉控除対象配偶者",
            "B6": "氏名",
            "D6": "個人番号",
            "H6": "生年月日",
            "B7": "村上 理恵",
            "D7": my_number("22946618503"),
            "H7": "1981/07/30",
        },
        (
            "A1:L1",
            "A3:A4",
            "B3:C3",
            "D3:G3",
            "H3:J3",
            "K3:L3",
            "A6:A7",
            "B6:C6",
            "D6:G6",
            "H6:J6",
            "B7:C7",
            "D7:G7",
        ),
    )
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "扶養控除等申告書（村上）",
        "泉様\n\n扶養控除等申告書を送付します。ご確認をお願いします。\n\n人事部 宮下",
        files=[attachment("扶養控除等申告書_村上.xlsx", data, XLSX)],
    )


@case(
    "forms_p03_gensen_twelve_boxes.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "源泉徴収票: the My Number one digit a box over twelve boxes, each merged over two columns.",
)
def _(n):
    number = my_number("63301945172")
    data = gensen(
        {"B4": "個人番号", **boxes(4, 5, number, width=2)},
        ("B4:D4", *box_merges(4, 5, 12, 2)),
        name="佐野 悠斗",
    )
    return message(
        n,
        MIYASHITA,
        PAYROLL,
        "源泉徴収票（佐野）",
        "給与計算センター ご担当者様\n\n年末調整用に源泉徴収票をお送りします。\n\n人事部 宮下",
        files=[attachment("源泉徴収票_佐野.xlsx", data, XLSX)],
    )


@case(
    "forms_p04_nyusha_four_four_four.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "入社手続き書類: 個人番号 written 4-4-4 in three cells right of its label (labels in column B,"
    " a section title merged down column A).",
)
def _(n):
    number = my_number("70311458220")
    data = sheet(
        "入社手続き",
        {
            "A1": "入社手続き書類（従業員情報）",
            "A3": "本人情報",
            "B3": "氏名",
            "D3": "村上 奈々",
            "B4": "個人番号",
            "D4": number[:4],
            "E4": number[4:8],
            "F4": number[8:],
            "B5": "入社日",
            "D5": "2027/04/01",
            "B6": "配属",
            "D6": "技術部",
        },
        ("A1:H1", "A3:A6", "B3:C3", "B4:C4", "B5:C5", "B6:C6"),
    )
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "資格取得届用の従業員情報",
        "泉様\n\n新入社員の資格取得届用の情報をお送りします。\n\n人事部 宮下",
        files=[attachment("入社手続き_村上.xlsx", data, XLSX)],
    )


def quotation(number_cells: dict[str, object]) -> bytes:
    """御見積書 for 港北ロジスティクス: 見積番号 / 注文番号 beside 12-digit numbers."""
    cells = {
        "A1": "御見積書",
        "A3": "株式会社港北ロジスティクス 御中",
        "A5": "件名",
        "C5": "倉庫管理端末 保守契約（2027年度）",
        "A10": "品名",
        "E10": "数量",
        "F10": "単価",
        "G10": "金額",
        "A11": "ハンディターミナル保守",
        "E11": 40,
        "F11": 12_000,
        "G11": 480_000,
        "A13": "合計（税込）",
        "G13": 528_000,
        "A15": "鳴海テクノサービス株式会社 営業部",
    }
    return sheet(
        "見積書", {**cells, **number_cells}, ("A1:G1", "A3:D3", "A5:B5", "C5:G5", "A10:D10", "A11:D11")
    )


@case(
    "forms_n01_quotation_order_numbers.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "見積書: 見積番号 and 注文番号 labels beside 12-digit numbers (check digits that happen to fit).",
)
def _(n):
    data = quotation(
        {
            "E3": "見積番号",
            "F3": my_number("20261120001"),
            "E4": "注文番号",
            "F4": int(my_number("45000317702")),
        }
    )
    return message(
        n,
        SAEKI,
        KOHOKU_BUYER,
        "お見積書送付の件",
        "港北ロジスティクス 森田様\n\nお世話になっております。\nご依頼のお見積書を添付いたします。\n\n佐伯",
        files=[attachment("御見積書_港北ロジスティクス.xlsx", data, XLSX)],
    )


@case(
    "forms_n02_invalid_check_digit.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "Application form: 個人番号 beside a 12-digit number whose check digit is wrong (a typo).",
)
def _(n):
    valid = my_number("81726354019")
    typo = valid[:11] + str((int(valid[11]) + 3) % 10)
    data = sheet(
        "申込書",
        {"A1": "健康診断 受診申込書", "A3": "受診者番号", "C3": "K-2027-0412", "A4": "個人番号", "C4": typo},
        ("A1:F1", "A3:B3", "A4:B4"),
    )
    return message(
        n,
        MIURA,
        SHAROSHI,
        "受診申込書の件",
        "泉様\n\n受診申込書の書式について確認させてください。\n\n経理部 三浦",
        files=[attachment("受診申込書.xlsx", data, XLSX)],
    )


@case(
    "forms_n03_order_form_numbers_below.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "注文書: a labels row (注文番号 | 納期 | 数量) with a 12-digit order number below its label.",
)
def _(n):
    data = sheet(
        "注文書",
        {
            "A1": "注文書",
            "A3": "注文番号",
            "D3": "納期",
            "F3": "数量",
            "A4": my_number("30019284756"),
            "D4": "2027/01/15",
            "F4": 40,
            "A6": "株式会社港北ロジスティクス 購買課",
        },
        ("A1:G1", "A3:C3", "A4:C4"),
    )
    return message(
        n,
        SAEKI,
        KOHOKU_BUYER,
        "注文書受領のご連絡",
        "港北ロジスティクス 森田様\n\n注文書を受領しました。控えをお返しします。\n\n佐伯",
        files=[attachment("注文書控え.xlsx", data, XLSX)],
    )


@case(
    "forms_m01_blank_number_field.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "A blank 扶養控除等申告書 template: 個人番号 labels with their value cells empty.",
)
def _(n):
    data = sheet(
        "扶養控除等申告書",
        {
            "A1": "給与所得者の扶養控除等（異動）申告書",
            "A3": "氏名",
            "D3": "個人番号",
            "A5": "配偶者の氏名",
            "D5": "個人番号",
            **boxes(6, 4, "            "),
        },
        ("A1:J1", "A3:C3", "D3:G3", "A5:C5", "D5:G5"),
    )
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "申告書の様式について",
        "泉様\n\n来年分の申告書の様式（空欄）をお送りします。記入例もご教示ください。\n\n人事部 宮下",
        files=[attachment("扶養控除等申告書_様式.xlsx", data, XLSX)],
    )


@case(
    "forms_m02_number_not_required.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "Application form: 個人番号 label beside 「記入不要」, 受付番号 (12 digits) further down.",
)
def _(n):
    data = sheet(
        "申込書",
        {
            "A1": "福利厚生 保養所 利用申込書",
            "A3": "個人番号",
            "C3": "記入不要",
            "A4": "所属",
            "C4": "営業部",
            "A5": "受付番号",
            "C5": "202611200417",
        },
        ("A1:F1", "A3:B3", "A4:B4", "A5:B5"),
    )
    return message(
        n,
        SAEKI,
        ("いずみ保養センター 予約係", "yoyaku@izumi-hoyo.jp"),
        "保養所利用申込書",
        "予約係 ご担当者様\n\n利用申込書を添付します。よろしくお願いいたします。\n\n佐伯",
        files=[attachment("保養所利用申込書.xlsx", data, XLSX)],
    )


@case(
    "forms_m03_kanri_bangou.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "Equipment form: 管理番号 beside a 12-digit asset number whose check digit happens to fit.",
)
def _(n):
    data = sheet(
        "機器貸出票",
        {
            "A1": "機器貸出票",
            "A3": "管理番号",
            "C3": my_number("10203040506"),
            "A4": "機器名",
            "C4": "ハンディターミナル BHT-1600",
            "A5": "貸出日",
            "C5": "2026/11/20",
        },
        ("A1:F1", "A3:B3", "A4:B4", "A5:B5"),
    )
    return message(
        n,
        SAEKI,
        KOHOKU_BUYER,
        "代替機の貸出票",
        "港北ロジスティクス 森田様\n\n代替機の貸出票をお送りします。\n\n佐伯",
        files=[attachment("機器貸出票.xlsx", data, XLSX)],
    )


@case(
    "forms_p05_shikaku_csv_pension_below.eml",
    "hold",
    CLS,
    "positive",
    "pii.pension_number",
    "資格取得届 exported as CSV (CP932): 基礎年金番号 above its value, written 4|6 in two cells.",
)
def _(n):
    rows = [
        ["健康保険・厚生年金保険 被保険者資格取得届", "", "", "", ""],
        ["事業所名称", "", "鳴海テクノサービス株式会社", "", ""],
        ["", "", "", "", ""],
        ["被保険者氏名", "", "", "基礎年金番号", ""],
        ["村上 奈々", "", "", "4012", "583926"],
        ["資格取得年月日", "", "", "報酬月額", ""],
        ["2027/04/01", "", "", "240000", ""],
    ]
    data = csv_text(rows).encode("cp932")
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "資格取得届データ",
        "泉様\n\n資格取得届のデータをCSVでお送りします。\n\n人事部 宮下",
        files=[attachment("資格取得届.csv", data, "text/csv; charset=Shift_JIS")],
    )


@case(
    "forms_n04_invoice_company_account.eml",
    "pass",
    CLS,
    "negative",
    "pii.bank_account",
    "請求書: 口座番号 label left of our account number, the holder カ）ナルミテクノサービス below it.",
)
def _(n):
    data = sheet(
        "請求書",
        {
            "A1": "請求書",
            "A3": "株式会社港北ロジスティクス 御中",
            "A5": "ご請求金額",
            "C5": 528_000,
            "A7": "振込先",
            "B7": "銀行名",
            "D7": "三菱UFJ銀行 栄支店",
            "B8": "口座番号",
            "D8": "普通 1234567",
            "B9": "口座名義",
            "D9": "カ）ナルミテクノサービス",
            "A11": "鳴海テクノサービス株式会社 経理部",
        },
        ("A1:F1", "A3:D3", "A5:B5", "A7:A9", "B7:C7", "B8:C8", "B9:C9", "D7:F7", "D8:F8", "D9:F9"),
    )
    return message(
        n,
        MIURA,
        KOHOKU_BUYER,
        "11月分ご請求書の送付",
        "港北ロジスティクス 森田様\n\n11月分のご請求書をお送りいたします。\n\n経理部 三浦",
        files=[attachment("請求書_202611.xlsx", data, XLSX)],
    )
