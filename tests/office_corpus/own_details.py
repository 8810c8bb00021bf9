"""Office corpus, class `own_details` (issue 17, item 6): bank accounts on English invoices.

Our own account ("Beneficiary: NARUMI TECHNO SERVICE CO., LTD.") and a client's are a company's
and must not be held as personal; an account held by a person still is, whatever the layout or
a surname that looks like a corporate form. guard.yaml lists our English and kana names in
organization.names (the English form of 鳴海テクノサービス cannot be derived).
"""

from __future__ import annotations

from ..eval_set import cast
from ..eval_set.fabric import attachment, csv_text, message, pdf, xlsx
from ..eval_set.incidents import XLSX
from .catalogue import case

CLS, CODE = "own_details", "pii.bank_account"


def _case(name: str, expected: str, kind: str, why: str):
    """catalogue.case for this class and its code: the file is `<class>_<name>.eml`."""
    return case(f"{CLS}_{name}.eml", expected, CLS, kind, CODE, why)


def _invoice(holder_lines: str, *, bank: str = "MUFG Bank, Ltd.  Nagoya Branch (SWIFT: BOTKJPJT)") -> str:
    return f"""Dear Mr. Ogawa,

Please find below our invoice INV-2026-1187 for the warehouse sensor maintenance in November.

  Amount due: JPY 1,386,000 (tax included)
  Due date:   December 25, 2026

Payment details
  Bank:         {bank}
{holder_lines}

Thank you for your business.

Best regards,
Yumi Miura
{cast.SIG_MIURA}"""


def _invoice_mail(n: int, subject: str, holder_lines: str) -> bytes:
    return message(n, cast.MIURA, cast.KOHOKU, subject, _invoice(holder_lines))


# --- positives: a person's account is still found -------------------------------------------


@_case(
    "p01_beneficiary_person",
    "hold",
    "positive",
    "an interpreter's invoice forwarded to a client: Beneficiary: TARO YAMADA is a person",
)
def _p01(n: int) -> bytes:
    lines = "  Account type: Ordinary\n  Account No.:  3081652\n  Beneficiary:  TARO YAMADA"
    return _invoice_mail(n, "Invoice INV-2026-1187 (interpretation)", lines)


@_case(
    "p02_surname_incledon",
    "hold",
    "positive",
    "Account name: Corinne Incledon: 'Inc' inside a surname is not Inc.",
)
def _p02(n: int) -> bytes:
    lines = "  Account No.:  Ordinary 4417209\n  Account name: Ms. Corinne Incledon"
    return _invoice_mail(n, "Invoice for translation services", lines)


@_case(
    "p03_refund_after_ours",
    "hold",
    "positive",
    "our account first, then a refund to a person named Narumi: the second is personal",
)
def _p03(n: int) -> bytes:
    lines = (
        "  Account No.:  1620475\n  Beneficiary:  NARUMI TECHNO SERVICE CO., LTD.\n\n"
        "Deposit refund (please transfer on our behalf)\n"
        "  Bank:         Mizuho Bank, Ltd.  Sakae Branch\n"
        "  Account No.:  Ordinary 5730918\n  Beneficiary:  KENJI NARUMI"
    )
    return _invoice_mail(n, "Invoice INV-2026-1190 and deposit refund", lines)


@_case(
    "p04_pdf_person", "hold", "positive", "a PDF invoice whose beneficiary (before the number) is a person"
)
def _p04(n: int) -> bytes:
    lines = [
        "INVOICE  No. FR-2026-044",
        "Bill to: Kohoku Logistics Co., Ltd.",
        "Consulting fee, November 2026    JPY 220,000",
        "Beneficiary: HANAKO SUZUKI",
        "Bank: Sumitomo Mitsui Banking Corporation, Nagoya Branch",
        "Account No.: Ordinary 2948163",
    ]
    body = (
        "Dear Mr. Ogawa,\n\nPlease find the consultant's invoice attached.\n\nBest regards,\n"
        + cast.SIG_MIURA
    )
    files = [attachment("Invoice_FR-2026-044.pdf", pdf(lines), "application/pdf")]
    return message(n, cast.MIURA, cast.KOHOKU, "Consultant invoice FR-2026-044", body, files=files)


@_case(
    "p05_table_person",
    "hold",
    "positive",
    "an Excel payment sheet as a table: the 口座名義 column holds a person (ヤマダ タロウ)",
)
def _p05(n: int) -> bytes:
    return _ja_mail(n, "立替金精算書", "立替金精算_山田.xlsx", _table_invoice("ヤマダ タロウ"))


# --- negatives: our own and a client's company account -------------------------------------


@_case(
    "n01_our_invoice", "pass", "negative", "our English invoice: Beneficiary: NARUMI TECHNO SERVICE CO., LTD."
)
def _n01(n: int) -> bytes:
    lines = (
        "  Account type: Ordinary\n  Account No.:  1620475\n  Beneficiary:  NARUMI TECHNO SERVICE CO., LTD."
    )
    return _invoice_mail(n, "Invoice INV-2026-1187", lines)


@_case(
    "n02_our_pdf_invoice",
    "pass",
    "negative",
    "a PDF invoice, Account name: Narumi Techno Service Co.,Ltd. before the number",
)
def _n02(n: int) -> bytes:
    lines = [
        "INVOICE  No. INV-2026-1188",
        "Bill to: Sakuradai Foods Co., Ltd.",
        "POS terminal maintenance, November 2026    JPY 495,000",
        "Account name: Narumi Techno Service Co.,Ltd.",
        "Bank: MUFG Bank, Ltd., Nagoya Branch",
        "Account No.: Ordinary 1620475",
    ]
    body = "Dear Mr. Ichikawa,\n\nPlease find our invoice attached.\n\nBest regards,\n" + cast.SIG_MIURA
    files = [attachment("Invoice_INV-2026-1188.pdf", pdf(lines), "application/pdf")]
    return message(n, cast.MIURA, cast.SAKURA, "Invoice INV-2026-1188", body, files=files)


@_case(
    "n03_client_account",
    "pass",
    "negative",
    "a client's own account confirmed back to it: KOHOKU LOGISTICS CO.,LTD.",
)
def _n03(n: int) -> bytes:
    body = f"""Dear Mr. Ogawa,

We will refund the overpayment of JPY 33,000 to the account below. Please confirm it is correct.

  Bank:         Yokohama Bank, Shin-Yokohama Branch
  Account No.:  Ordinary 6021734
  Beneficiary:  KOHOKU LOGISTICS CO.,LTD.

Best regards,
{cast.SIG_MIURA}"""
    return message(n, cast.MIURA, cast.KOHOKU, "Refund of overpayment", body)


@_case(
    "n04_fullwidth_kabushiki_kaisha",
    "pass",
    "negative",
    "our account, holder in full-width capitals with Kabushiki Kaisha",
)
def _n04(n: int) -> bytes:
    lines = "  Account No.:  当座 0817342\n  Account holder: ＮＡＲＵＭＩ　ＴＥＣＨＮＯ　ＳＥＲＶＩＣＥ　ＫＡＢＵＳＨＩＫＩ　ＫＡＩＳＨＡ"
    return _invoice_mail(n, "Invoice INV-2026-1191", lines)


@_case(
    "n05_xlsx_form_invoice",
    "pass",
    "negative",
    "an Excel invoice: Beneficiary | NARUMI TECHNO SERVICE CO., LTD.",
)
def _n05(n: int) -> bytes:
    rows = [
        ["INVOICE", "", "No. INV-2026-1194"],
        ["Bill to", "Kohoku Logistics Co., Ltd."],
        ["Amount due", "JPY 1,386,000"],
        [],
        ["Bank", "MUFG Bank, Ltd.  Nagoya Branch"],
        ["Account No.", "Ordinary 1620475"],
        ["Beneficiary", "NARUMI TECHNO SERVICE CO., LTD."],
    ]
    body = "Dear Mr. Ogawa,\n\nPlease find our invoice attached.\n\nBest regards,\n" + cast.SIG_MIURA
    files = [attachment("Invoice_INV-2026-1194.xlsx", xlsx({"Invoice": rows}), XLSX)]
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1194", body, files=files)


_TABLE_HEADER = ["銀行名", "支店名", "口座種別", "口座番号", "口座名義"]


def _table_invoice(holder: str) -> bytes:
    """A Japanese invoice in Excel whose 振込先 is a table: a header row, the values below."""
    rows = [
        ["御請求書", "", "", "", "No. 2026-1195"],
        ["港北ロジスティクス株式会社 御中"],
        ["件名", "倉庫センサー保守（11月分）"],
        ["ご請求金額", "1,386,000円（税込）"],
        [],
        ["お振込先"],
        _TABLE_HEADER,
        ["三菱UFJ銀行", "名古屋支店", "普通", "1620475", holder],
    ]
    return xlsx({"請求書": rows})


def _ja_mail(n: int, subject: str, name: str, data: bytes, mime: str = XLSX) -> bytes:
    body = (
        "港北ロジスティクス株式会社\n小川様\n\nいつもお世話になっております。\n"
        f"{subject}を添付にてお送りいたします。ご確認のほどよろしくお願いいたします。\n\n{cast.SIG_MIURA}"
    )
    return message(n, cast.MIURA, cast.KOHOKU, subject, body, files=[attachment(name, data, mime)])


@_case(
    "n06_table_invoice_ours",
    "pass",
    "negative",
    "an Excel invoice whose 振込先 is a table (銀行名|支店名|口座番号|口座名義): holder カ）ナルミテクノサービス",
)
def _n06(n: int) -> bytes:
    return _ja_mail(
        n, "11月分御請求書", "御請求書_2026-1195.xlsx", _table_invoice("カ）ナルミテクノサービス")
    )


@_case(
    "n07_csv_holder_first_english",
    "pass",
    "negative",
    "a CP932 CSV of our transfer details, 口座名義 column before the number, our English name",
)
def _n07(n: int) -> bytes:
    rows = [
        ["口座名義", "銀行名", "支店名", "口座種別", "口座番号"],
        ["NARUMI TECHNO SERVICE CO., LTD.", "三菱UFJ銀行", "名古屋支店", "普通", "1620475"],
    ]
    data = csv_text(rows).encode("cp932")
    return _ja_mail(n, "お振込先のご案内", "振込先.csv", data, "text/csv")


# --- near misses: no corporate form, and still a company ------------------------------------


@_case(
    "m01_our_name_no_suffix",
    "pass",
    "near_miss",
    "Beneficiary: Narumi Techno Service, no form: our configured name, not a person's",
)
def _m01(n: int) -> bytes:
    lines = "  Account No.:  1620475\n  Beneficiary:  Narumi Techno Service"
    return _invoice_mail(n, "Invoice INV-2026-1192", lines)


@_case(
    "m02_client_alias",
    "pass",
    "near_miss",
    "Beneficiary: Kohoku Logistics, no form: a client's alias from the directory",
)
def _m02(n: int) -> bytes:
    body = f"""Dear Mr. Ogawa,

The credit note CN-2026-07 (JPY 12,100) will be paid to:

  Bank:         Yokohama Bank, Shin-Yokohama Branch
  Account No.:  6021734
  Beneficiary:  Kohoku Logistics

Best regards,
{cast.SIG_MIURA}"""
    return message(n, cast.MIURA, cast.KOHOKU, "Credit note CN-2026-07", body)


@_case(
    "m03_kana_holder",
    "pass",
    "near_miss",
    "holder as the bank prints it, ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ without (ｶ: our kana name",
)
def _m03(n: int) -> bytes:
    lines = "  Account No.:  Ordinary 1620475\n  Account name: ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ"
    return _invoice_mail(n, "Invoice INV-2026-1193", lines)
