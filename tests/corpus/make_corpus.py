"""Writes the golden corpus: one .eml per default rule and per benign case, and
expected.yaml with each message's verdict, the rules that must match and the finding codes
that must (and must not) be found. Deterministic; run it again after changing a case:

    .venv/bin/python tests/corpus/make_corpus.py
"""

from __future__ import annotations

import random
import sys
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import yaml

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for tests.names

from tests import names  # noqa: E402
from tests.names import AREAS, BRANCHES, CITIES, ROMAN  # noqa: E402

SHARED = HERE.parents[2] / "shared" / "corpus" / "attachments"
SIGNATURE = (
    "\n--\n株式会社サンプル 営業部\n山田 太郎\nTEL: 03-1234-5678\n"
    "Mail: taro@example.co.jp\n〒100-0001 東京都千代田区千代田1-1\n"
)
DATE = formatdate(1795600000, localtime=False)
SURNAMES = names.SURNAMES[:12]


def mail(
    subject: str,
    body: str,
    *,
    to: str = "tanaka@a-corp.co.jp",
    cc: str = "",
    sender: str = "taro@example.co.jp",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = sender, to, subject, DATE
    msg["Message-ID"] = f"<{abs(hash(subject)) % 10**12}@example.co.jp>"
    if cc:
        msg["Cc"] = cc
    msg.set_content(body)
    return msg


def cases() -> dict[str, tuple[EmailMessage, dict]]:
    out: dict[str, tuple[EmailMessage, dict]] = {}
    out["my-number"] = (
        mail("年末調整の書類", "田中様\n\n個人番号: 1234 5678 9018\nご確認ください。" + SIGNATURE),
        {"verdict": "hold", "rules": ["sensitive-id-external"], "codes": ["pii.my_number"]},
    )
    rows = ["氏名,電話番号,メールアドレス,住所"] + [
        f"顧客{i:02d} 花子,090-{1200 + i:04d}-{5600 + i:04d},customer{i}@mail.example,東京都港区芝{i}-{i}-{i}"
        for i in range(1, 13)
    ]
    listing = mail("会員名簿の件", "会員名簿をお送りします。" + SIGNATURE)
    listing.add_attachment(
        "\r\n".join(rows).encode("cp932"), maintype="text", subtype="csv", filename="会員名簿.csv"
    )
    out["personal-data-list"] = (
        listing,
        {"verdict": "hold", "rules": ["personal-data-list-external"], "codes": ["pii.records"]},
    )
    out["client-mismatch-subject"] = (
        mail("株式会社ビー御中 お見積書", "お見積書をお送りします。" + SIGNATURE),
        {"verdict": "hold", "rules": ["client-mismatch"], "codes": ["client.mismatch"]},
    )
    out["client-mismatch-body"] = (
        mail("お見積書", "先日、株式会社ビーの件でもお世話になりました。" + SIGNATURE),
        {"verdict": "pass", "rules": ["client-mismatch-body"], "codes": ["client.mismatch"]},
    )
    to = ", ".join(f"member{i}@org{i % 4}.example" for i in range(12))
    out["visible-external"] = (
        mail("セミナーのご案内", "来月のセミナーのご案内です。" + SIGNATURE, to=to),
        {
            "verdict": "hold",
            "rules": ["visible-external-recipients"],
            "codes": ["recipients.visible_external"],
        },
    )
    out["lookalike"] = (
        mail("ご連絡", "よろしくお願いします。" + SIGNATURE, to="tanaka@a-c0rp.co.jp"),
        {"verdict": "hold", "rules": ["lookalike-domain"], "codes": ["recipients.lookalike_domain"]},
    )
    out["suppressed"] = (
        mail(
            "会報 12月号",
            "会報をお届けします。" + SIGNATURE,
            to="tanaka@a-corp.co.jp",
            cc="former.member@example.net",
        ),
        {"verdict": "hold", "rules": ["suppressed-recipient"], "codes": ["recipients.suppressed"]},
    )
    out["encrypted-attachment"] = (
        _with_shared(
            "資料送付",
            "パスワードは別途お送りします。",
            "libarchive/test_read_format_zip_traditional_encryption_data.zip",
            "zip",
            "資料.zip",
        ),
        {"verdict": "hold", "rules": ["encrypted-attachment"], "codes": ["attachment.encrypted"]},
    )
    out["unreadable-part"] = (
        _with_shared(
            "議事録",
            "議事録を添付します。",
            "libarchive/test_read_format_zip_malformed1.zip",
            "zip",
            "議事録.zip",
        ),
        {"verdict": "hold", "rules": ["unreadable-part"], "codes": ["attachment.unscannable"]},
    )
    # A format without a reader is reported and passes (issue 13; the rule is shipped disabled).
    out["unsupported-format"] = (
        _with_shared(
            "議事録", "議事録を添付します。", "msoffcrypto-tool/inputs/plain.doc", "msword", "議事録.doc"
        ),
        {"verdict": "pass", "codes": ["attachment.unsupported"], "not_codes": ["attachment.unscannable"]},
    )
    out["freemail"] = (
        mail("ご連絡", "明日よろしくお願いします。" + SIGNATURE, to="someone@gmail.com"),
        {"verdict": "pass", "rules": ["freemail-recipient"], "codes": ["recipients.freemail"]},
    )
    _owner_cases(out)
    _place_cases(out)
    # Ordinary business mail: it must pass.
    out["benign-signature"] = (
        mail("打ち合わせの件", "田中様\n\n明日の打ち合わせは10時からでお願いします。" + SIGNATURE),
        {"verdict": "pass", "not_codes": ["pii.my_number", "pii.records", "client.mismatch"]},
    )
    out["benign-quoted-thread"] = (
        mail(
            "Re: 打ち合わせの件",
            "承知しました。\n\n> 田中様\n> 明日10時でお願いします。\n> "
            + SIGNATURE.replace("\n", "\n> ")
            + "\n> --\n> 株式会社エー 田中一郎\n"
            "> TEL: 06-1111-2222\n" + SIGNATURE,
        ),
        {"verdict": "pass", "not_codes": ["pii.records"]},
    )
    out["benign-quote-for-this-client"] = (
        mail("株式会社エー御中 お見積書", "株式会社エー 田中様\n\nお見積書をお送りします。" + SIGNATURE),
        {"verdict": "pass", "not_codes": ["client.mismatch"]},
    )
    out["benign-invoice"] = (
        mail(
            "請求書送付のご案内",
            "注文番号: 123456789018\n伝票番号: 2024-000123\n"
            "ご請求金額: 120,000円（税込）\n登録番号: T1234567890123\n" + SIGNATURE,
        ),
        {"verdict": "pass", "not_codes": ["pii.my_number"]},
    )
    out["benign-meeting"] = (
        mail(
            "会議招集: 定例会",
            "日時: 2026年12月1日 10:00-11:00\n場所: 本社 会議室A\n" + SIGNATURE,
            to="hanako@example.co.jp",
            cc="jiro@tokyo.example.co.jp",
        ),
        {"verdict": "pass", "not_codes": ["recipients.external"]},
    )
    return out


def _with_shared(subject: str, body: str, shared: str, subtype: str, filename: str) -> EmailMessage:
    """A mail carrying a file of the shared corpus (application/`subtype`)."""
    msg = mail(subject, body + SIGNATURE)
    msg.add_attachment(
        (SHARED / shared).read_bytes(), maintype="application", subtype=subtype, filename=filename
    )
    return msg


def _with_csv(subject: str, body: str, rows: list[str], filename: str, **kw) -> EmailMessage:
    msg = mail(subject, body + SIGNATURE, **kw)
    msg.add_attachment("\r\n".join(rows).encode("cp932"), maintype="text", subtype="csv", filename=filename)
    return msg


def _owner_cases(out: dict) -> None:
    """Issue 14: a list going back to its owner is visible (monitor), not held; third parties' is held."""

    def staff_of(domain: str) -> list[str]:
        return ["氏名,部署,電話番号,メールアドレス"] + [
            f"{SURNAMES[i]} 一郎,営業部,06-6123-{4500 + i:04d},staff{i}@{domain}" for i in range(12)
        ]

    staff = staff_of("a-corp.co.jp")
    out["owner-client-staff-back"] = (
        _with_csv("貴社ご担当者一覧の確認", "貴社のご担当者一覧をお返しします。", staff, "担当者一覧.csv"),
        {"verdict": "pass", "rules": ["personal-data-list-owner"], "codes": ["pii.records"]},
    )
    team = "\n".join(
        ["当社プロジェクトメンバーの連絡先です。", "", "氏名\t役割\tメール\t電話"]
        + [f"{SURNAMES[i]} 花子\t担当\tmember{i}@example.co.jp\t03-1234-{5600 + i:04d}" for i in range(11)]
    )
    out["owner-own-team-to-client"] = (
        mail("体制表の送付", team + "\n" + SIGNATURE),
        {"verdict": "pass", "rules": ["personal-data-list-owner"], "codes": ["pii.records"]},
    )
    mixed = (
        ["氏名,電話番号,メールアドレス"]
        + [f"{SURNAMES[i]} 次郎,06-6123-{4500 + i:04d},staff{i}@a-corp.co.jp" for i in range(3)]
        + [f"{SURNAMES[i]} 三郎,090-{3300 + i:04d}-{1200 + i:04d},cust{i}@gmail.com" for i in range(12)]
    )
    out["owner-mixed-with-customers"] = (
        _with_csv("名簿の件", "名簿をお送りします。", mixed, "名簿.csv"),
        {"verdict": "hold", "rules": ["personal-data-list-external"], "codes": ["pii.records"]},
    )
    hr = ["氏名,メールアドレス,生年月日,住所,携帯電話"] + [
        f"{SURNAMES[i]} 一郎,member{i}@example.co.jp,198{i % 10}/0{1 + i % 9}/1{i % 10},"
        f"神奈川県川崎市中原区小杉町{i + 1}-{i + 2}-{i + 3},090-{4400 + i:04d}-{7700 + i:04d}"
        for i in range(12)
    ]
    account = ["氏名,電話番号,住所,担当者メール"] + [  # one account manager's address on every customer row
        f"{SURNAMES[i]} 花子,090-{3300 + i:04d}-{1200 + i:04d},神奈川県川崎市中原区小杉町{i + 1}-1,tanaka@a-corp.co.jp"
        for i in range(12)
    ]
    out["owner-account-manager-on-each-row"] = (
        _with_csv("顧客リスト", "顧客リストです。", account, "顧客.csv"),
        {"verdict": "hold", "rules": ["personal-data-list-external"], "codes": ["pii.records"]},
    )
    out["owner-hr-list-to-client"] = (  # private data of our staff: not business contacts
        _with_csv("社員情報", "社員情報をお送りします。", hr, "社員名簿.csv"),
        {
            "verdict": "hold",
            "rules": ["personal-data-list-external"],
            "codes": ["pii.records", "pii.birth_date"],
        },
    )
    out["owner-lookalike-domain"] = (
        _with_csv(
            "貴社ご担当者一覧の確認",
            "ご担当者一覧です。",
            staff_of("a-corp.co.jp.evil.example"),
            "担当者一覧.csv",
        ),
        {"verdict": "hold", "rules": ["personal-data-list-external"], "codes": ["pii.records"]},
    )
    out["owner-staff-to-two-organisations"] = (
        _with_csv(
            "貴社ご担当者一覧の確認",
            "ご担当者一覧です。",
            staff,
            "担当者一覧.csv",
            to="tanaka@a-corp.co.jp, sato@b-corp.co.jp",
        ),
        {"verdict": "hold", "rules": ["personal-data-list-external"], "codes": ["pii.records"]},
    )


def _place_cases(out: dict) -> None:
    """Issue 14: lists of premises pass and say so (pii.places); a customer list dressed as
    one, and a list quoted in a forwarded mail, are still held."""
    offices = ["拠点,郵便番号,住所,電話番号"] + [
        f"{b},{100 + i}-{1000 + i},{c},{a}-{1000 + i}"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    ]
    out["places-office-list"] = (
        _with_csv("弊社拠点一覧", "弊社の拠点一覧をお送りします。", offices, "拠点一覧.csv"),
        {"verdict": "pass", "codes": ["pii.places"], "not_codes": ["pii.records"]},
    )
    branches = "\n".join(
        ["貴社支店一覧を確認しました。", "", "支店名\t住所\t電話"]
        + [
            f"株式会社エー {b}\t{c}\t{a}-{2000 + i}"
            for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
        ]
    )
    out["places-client-branches"] = (
        mail("支店一覧の確認", branches + "\n" + SIGNATURE),
        {"verdict": "pass", "codes": ["pii.places"], "not_codes": ["pii.records"]},
    )
    buildings = ["物件名,所在地,賃料"] + [
        f"第{i + 1}中央ビル,{c},{150000 + i * 5000}" for i, c in enumerate(CITIES)
    ]
    out["places-buildings"] = (
        _with_csv("物件一覧", "ご紹介物件の一覧です。", buildings, "物件一覧.csv"),
        {"verdict": "pass", "codes": ["pii.places"], "not_codes": ["pii.records"]},
    )
    typed = "".join(
        f"■{b}\n〒{100 + i}-{1000 + i} {c}\nTEL {a}-{1000 + i}\n"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    )
    out["places-typed-office-list"] = (
        mail("拠点のご案内", "弊社拠点は以下のとおりです。\n\n" + typed + SIGNATURE),
        {"verdict": "pass", "codes": ["pii.places"], "not_codes": ["pii.records"]},
    )
    disguised = ["拠点名,住所,電話番号"] + [
        f"{SURNAMES[i]}店,{c},090-{3000 + i:04d}-{4000 + i:04d}" for i, c in enumerate(CITIES)
    ]
    out["places-disguised-customers"] = (
        _with_csv("拠点一覧", "一覧です。", disguised, "拠点一覧.csv"),
        {
            "verdict": "hold",
            "rules": ["personal-data-list-external"],
            "codes": ["pii.records"],
            "not_codes": ["pii.places"],
        },
    )
    members = ["会員番号,住所,電話番号,メール,来店店舗"] + [
        f"{5001 + i},{c},{a}-{3000 + i},m{i}@isp{i}.ne.jp,渋谷店"
        for i, (c, a) in enumerate(zip(CITIES, AREAS))
    ]
    out["places-shop-category-customers"] = (  # 来店店舗 is a category, not what the row is
        _with_csv("会員リスト", "会員リストです。", members, "会員.csv"),
        {
            "verdict": "hold",
            "rules": ["personal-data-list-external"],
            "codes": ["pii.records"],
            "not_codes": ["pii.places"],
        },
    )
    exchanges = ["03-3711", "03-3712", "03-3713"]
    lines = random.Random(14).sample(range(10000), 300)  # some blocks of 03-3711-12xx hold 3 or 4
    residents = ["会員番号,住所,電話番号"] + [
        f"{7001 + i},東京都目黒区中町{i % 30 + 1}-{i % 9 + 1}-{i % 7 + 1},{exchanges[i % 3]}-{k:04d}"
        for i, k in enumerate(lines)
    ]
    out["places-residential-exchanges"] = (  # many number blocks: a neighbourhood, not an organisation
        _with_csv("自治会名簿", "名簿です。", residents, "名簿.csv"),
        {
            "verdict": "hold",
            "rules": ["personal-data-list-external"],
            "codes": ["pii.records", "pii.phone"],
            "not_codes": ["pii.places"],
        },
    )
    managers = ["拠点,住所,電話,拠点長,メール"] + [  # the client's branches and their managers: the client's
        f"{b},{c},{a}-{1000 + i},{SURNAMES[i]} 誠,mgr{i}@a-corp.co.jp"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    ]
    out["places-branches-with-managers"] = (
        _with_csv("各拠点長様への送付先", "送付先をご確認ください。", managers, "送付先.csv"),
        {"verdict": "pass", "rules": ["personal-data-list-owner"], "codes": ["pii.records"]},
    )
    cards = [
        "会社名,部署,メール,直通電話"
    ] + [  # business cards: a person at each company (t.sato@), not places
        f"株式会社テスト{i},営業部,t.{ROMAN[i]}@corp{i}.co.jp,{a}-{2000 + i}" for i, a in enumerate(AREAS)
    ]
    out["places-business-cards-are-people"] = (
        _with_csv("名刺データ", "名刺データです。", cards, "名刺.csv"),
        {
            "verdict": "hold",
            "rules": ["personal-data-list-external"],
            "codes": ["pii.records"],
            "not_codes": ["pii.places"],
        },
    )
    rows = ["氏名\t電話番号\tメールアドレス"] + [
        f"{SURNAMES[i]} 花子\t090-{1200 + i:04d}-{5600 + i:04d}\tc{i}@mail.example" for i in range(12)
    ]
    forwarded = (
        "ご確認ください。\n\n-----Original Message-----\nFrom: 鈴木\nSent: 2026/11/30\n\n> 名簿です。\n>\n"
        + "\n".join("> " + r for r in rows)
        + "\n"
    )
    # Issue 17: sensitive personal data next to a named person, and a confidentiality mark.
    out["sensitive-category"] = (
        mail("面談記録", "田中様\n\n氏名：北村 翔太\n身体障害者手帳 4級をお持ちです。" + SIGNATURE),
        {
            "verdict": "hold",
            "rules": ["sensitive-category-external"],
            "codes": ["keyword.sensitive_disability"],
        },
    )
    out["confidential-mark"] = (
        mail("価格改定方針", "【社外秘】\n2027年度の価格改定方針をお送りします。" + SIGNATURE),
        {"verdict": "hold", "rules": ["confidential-mark-external"], "codes": ["keyword.confidential"]},
    )
    out["quoted-table-forward"] = (
        mail("Fw: 名簿", forwarded),
        {
            "verdict": "hold",
            "rules": ["personal-data-list-external"],
            "codes": ["pii.records", "pii.phone", "pii.email_address"],
        },
    )


def main() -> None:
    expected = {}
    for name, (msg, expect) in cases().items():
        (HERE / f"{name}.eml").write_bytes(bytes(msg))
        expected[name] = expect
    (HERE / "expected.yaml").write_text(yaml.safe_dump(expected, allow_unicode=True, sort_keys=True), "utf-8")


if __name__ == "__main__":
    main()
