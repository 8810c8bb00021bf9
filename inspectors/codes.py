"""Every finding code, once (DESIGN.md: extend, don't rename).

Inspectors emit these codes, rules name them and the sender's pages word them: each of those
reads this table instead of keeping its own list. It lives here because inspectors import
nothing from the project. `keyword.<id>` codes are open: the ids are the admins' own, so the
table holds the prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, kw_only=True)
class Code:
    code: str  # dotted area.kind
    ja: str  # the sender's page's short name (never the code itself: internal notation)
    en: str
    informational: bool = False  # public or harmless on its own, e.g. a corporate number

    @property
    def area(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def kind(self) -> str:
        return self.code.split(".", 1)[1]


# The kinds of personal data counted value by value, in the order their findings are reported.
MY_NUMBER = "pii.my_number"
CREDIT_CARD = "pii.credit_card"
BANK_ACCOUNT = "pii.bank_account"
PASSPORT = "pii.passport"
DRIVERS_LICENSE = "pii.drivers_license"
PENSION_NUMBER = "pii.pension_number"
HEALTH_INSURANCE = "pii.health_insurance"
RESIDENCE_CARD = "pii.residence_card"
PHONE = "pii.phone"
EMAIL_ADDRESS = "pii.email_address"
POSTAL_CODE = "pii.postal_code"
ADDRESS = "pii.address"
BIRTH_DATE = "pii.birth_date"
PERSON_NAME = "pii.person_name"
CORPORATE_NUMBER = "pii.corporate_number"
RESIDENT_CODE = "pii.resident_code"
# Counted per list, not per value.
RECORDS = "pii.records"  # rows/people in a list
PLACES = "pii.places"  # a list of premises

EXTERNAL = "recipients.external"
VISIBLE_EXTERNAL = "recipients.visible_external"
LOOKALIKE_DOMAIN = "recipients.lookalike_domain"
SUPPRESSED = "recipients.suppressed"
FIRST_TIME = "recipients.first_time"
FREEMAIL = "recipients.freemail"
CLIENT_MISMATCH = "client.mismatch"
ENCRYPTED = "attachment.encrypted"
UNSCANNABLE = "attachment.unscannable"  # begun, and not all of it could be read
UNSUPPORTED = "attachment.unsupported"  # a format with text that no reader here knows
TYPE_MISMATCH = "attachment.type_mismatch"
INSPECTOR_ERROR = "inspector.error"
KEYWORD = "keyword."  # the prefix of keyword.<id>
CONFIDENTIAL_MARK = "keyword.confidential"  # the shipped dictionary of confidentiality marks

_ALL = (
    Code(code=MY_NUMBER, ja="マイナンバー", en="My Number"),
    Code(code=CREDIT_CARD, ja="クレジットカード番号", en="card numbers"),
    Code(code=BANK_ACCOUNT, ja="口座番号", en="bank accounts"),
    Code(code=PASSPORT, ja="旅券番号", en="passport numbers"),
    Code(code=DRIVERS_LICENSE, ja="運転免許証番号", en="driving licence numbers"),
    Code(code=PENSION_NUMBER, ja="基礎年金番号", en="pension numbers"),
    Code(code=HEALTH_INSURANCE, ja="保険証番号", en="health insurance numbers"),
    Code(code=RESIDENCE_CARD, ja="在留カード番号", en="residence card numbers"),
    Code(code=PHONE, ja="電話番号", en="phone numbers"),
    Code(code=EMAIL_ADDRESS, ja="メールアドレス", en="email addresses"),
    Code(code=POSTAL_CODE, ja="郵便番号", en="postal codes"),
    Code(code=ADDRESS, ja="住所", en="addresses"),
    Code(code=BIRTH_DATE, ja="生年月日", en="birth dates"),
    Code(code=PERSON_NAME, ja="氏名", en="names"),
    Code(code=CORPORATE_NUMBER, ja="法人番号", en="corporate number", informational=True),
    Code(code=RESIDENT_CODE, ja="住民票コード", en="resident record codes"),
    Code(code=RECORDS, ja="名簿（人数）", en="people in a list"),
    Code(code=PLACES, ja="拠点・建物の一覧", en="list of premises"),
    Code(code=EXTERNAL, ja="社外の宛先", en="external recipients"),
    Code(code=VISIBLE_EXTERNAL, ja="To/Cc に見える社外の宛先", en="external recipients visible in To/Cc"),
    Code(code=LOOKALIKE_DOMAIN, ja="よく似た別のドメイン", en="look-alike domain"),
    Code(code=SUPPRESSED, ja="送信停止の宛先", en="do-not-contact recipient"),
    Code(code=FIRST_TIME, ja="初めての宛先", en="first-time recipient"),
    Code(code=FREEMAIL, ja="フリーメール", en="free-mail address"),
    Code(code=CLIENT_MISMATCH, ja="別の取引先の名前", en="another client's name"),
    Code(code=ENCRYPTED, ja="暗号化された添付ファイル", en="encrypted attachment"),
    Code(code=UNSCANNABLE, ja="検査できない添付ファイル", en="attachment that could not be read"),
    Code(
        code=UNSUPPORTED,
        ja="検査できない形式の添付ファイル",
        en="attachment in a format that cannot be read",
    ),
    Code(
        code=TYPE_MISMATCH,
        ja="拡張子と中身が違う添付ファイル",
        en="attachment whose content does not match its name",
    ),
    Code(code=INSPECTOR_ERROR, ja="検査エラー", en="inspection error"),
)
CODES: Mapping[str, Code] = MappingProxyType({c.code: c for c in _ALL})
KEYWORD_CODE = Code(code=KEYWORD, ja="注意が必要な語", en="flagged word")
# The shipped dictionaries (rules/dictionaries.yaml): their own names on the sender's pages.
SHIPPED_KEYWORDS: Mapping[str, Code] = MappingProxyType(
    {
        c.code: c
        for c in (
            Code(code=f"{KEYWORD}sensitive_health", ja="健康・病歴に関する記載", en="health information"),
            Code(code=f"{KEYWORD}sensitive_disability", ja="障害に関する記載", en="disability information"),
            Code(code=f"{KEYWORD}sensitive_criminal", ja="犯罪歴に関する記載", en="criminal record"),
            Code(code=f"{KEYWORD}sensitive_belief", ja="信条・信仰に関する記載", en="belief or religion"),
            Code(code=f"{KEYWORD}sensitive_race", ja="人種・民族に関する記載", en="race or ethnic origin"),
            Code(code=CONFIDENTIAL_MARK, ja="社外秘などの表示", en="confidentiality mark"),
        )
    }
)
OPEN_PREFIXES = (KEYWORD,)
# pii.<kind> per value found, in reporting order (pii.records and pii.places count lists).
PII_VALUE_KINDS = tuple(c.kind for c in _ALL if c.area == "pii" and c.code not in (RECORDS, PLACES))


def lookup(code: str) -> Code | None:
    """The registry's entry for a code; keyword.<id> codes share one, but for the shipped
    dictionaries'."""
    if code.startswith(OPEN_PREFIXES):
        return SHIPPED_KEYWORDS.get(code, KEYWORD_CODE)
    return CODES.get(code)
