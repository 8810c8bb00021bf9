"""Office corpus, class `own_details` (issue 17, item 6): bank accounts on English invoices.

Our own account ("Beneficiary: NARUMI TECHNO SERVICE CO., LTD.") and a client's are a company's
and must not be held as personal; an account held by a person still is, whatever the layout or
a surname that looks like a corporate form. guard.yaml lists our English and kana names in
organization.names (the English form of 鳴海テクノサービス cannot be derived).
"""

from __future__ import annotations

from ..eval_set import cast
from ..eval_set.fabric import attachment, message, pdf
from .catalogue import case

CLS, CODE = "own_details", "pii.bank_account"


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


# --- positives: a person's account is still found -------------------------------------------


@case(
    f"{CLS}_p01_beneficiary_person.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "an interpreter's invoice forwarded to a client: Beneficiary: TARO YAMADA is a person",
)
def _p01(n: int) -> bytes:
    lines = "  Account type: Ordinary\n  Account No.:  3081652\n  Beneficiary:  TARO YAMADA"
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1187 (interpretation)", _invoice(lines))


@case(
    f"{CLS}_p02_surname_incledon.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "Account name: Corinne Incledon: 'Inc' inside a surname is not Inc.",
)
def _p02(n: int) -> bytes:
    lines = "  Account No.:  Ordinary 4417209\n  Account name: Ms. Corinne Incledon"
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice for translation services", _invoice(lines))


@case(
    f"{CLS}_p03_refund_after_ours.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "our account first, then a refund to a person named Narumi: the second is personal",
)
def _p03(n: int) -> bytes:
    lines = (
        "  Account No.:  1620475\n  Beneficiary:  NARUMI TECHNO SERVICE CO., LTD.\n\n"
        "Deposit refund (please transfer on our behalf)\n"
        "  Bank:         Mizuho Bank, Ltd.  Sakae Branch\n"
        "  Account No.:  Ordinary 5730918\n  Beneficiary:  KENJI NARUMI"
    )
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1190 and deposit refund", _invoice(lines))


@case(
    f"{CLS}_p04_pdf_person.eml",
    "hold",
    CLS,
    "positive",
    CODE,
    "a PDF invoice whose beneficiary (before the number) is a person",
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


# --- negatives: our own and a client's company account -------------------------------------


@case(
    f"{CLS}_n01_our_invoice.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "our English invoice: Beneficiary: NARUMI TECHNO SERVICE CO., LTD.",
)
def _n01(n: int) -> bytes:
    lines = (
        "  Account type: Ordinary\n  Account No.:  1620475\n  Beneficiary:  NARUMI TECHNO SERVICE CO., LTD."
    )
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1187", _invoice(lines))


@case(
    f"{CLS}_n02_our_pdf_invoice.eml",
    "pass",
    CLS,
    "negative",
    CODE,
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


@case(
    f"{CLS}_n03_client_account.eml",
    "pass",
    CLS,
    "negative",
    CODE,
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


@case(
    f"{CLS}_n04_fullwidth_kabushiki_kaisha.eml",
    "pass",
    CLS,
    "negative",
    CODE,
    "our account, holder in full-width capitals with Kabushiki Kaisha",
)
def _n04(n: int) -> bytes:
    lines = "  Account No.:  当座 0817342\n  Account holder: ＮＡＲＵＭＩ　ＴＥＣＨＮＯ　ＳＥＲＶＩＣＥ　ＫＡＢＵＳＨＩＫＩ　ＫＡＩＳＨＡ"
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1191", _invoice(lines))


# --- near misses: no corporate form, and still a company ------------------------------------


@case(
    f"{CLS}_m01_our_name_no_suffix.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "Beneficiary: Narumi Techno Service, no form: our configured name, not a person's",
)
def _m01(n: int) -> bytes:
    lines = "  Account No.:  1620475\n  Beneficiary:  Narumi Techno Service"
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1192", _invoice(lines))


@case(
    f"{CLS}_m02_client_alias.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
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


@case(
    f"{CLS}_m03_kana_holder.eml",
    "pass",
    CLS,
    "near_miss",
    CODE,
    "holder as the bank prints it, ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ without (ｶ: our kana name",
)
def _m03(n: int) -> bytes:
    lines = "  Account No.:  Ordinary 1620475\n  Account name: ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ"
    return message(n, cast.MIURA, cast.KOHOKU, "Invoice INV-2026-1193", _invoice(lines))
