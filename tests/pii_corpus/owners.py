"""Issue 14, class 2: data going back to its owner is not a leak of third parties' data.

Hard negatives (not held by the default policy, visible to the monitor-mode owner rule): the
client's own staff list sent back to that client (every address at the recipient's domain),
our project team's business contacts sent to the client. Positives: the client's staff list
sent to another organisation, client staff mixed with customers, customers' free-mail
addresses sent to a free-mail recipient (a free-mail domain is nobody's organisation), and
"staff" at a look-alike of the recipient's domain (a sender dressing a list up as the owner's).
"""

from __future__ import annotations

from collections import Counter

from fakes import Fake
from mails import CLIENTS, ROMAN, People, Spec
from recipes import _attach_or_inline

CARRIERS = ("plain", "html", "csv_cp932", "csv_utf8", "xlsx_row1", "zip")
DEPTS = ["営業部", "購買部", "総務部", "情報システム部", "経理部", "品質保証部", "開発部", "法務部"]
ROLES = [
    "プロジェクトマネージャー",
    "リーダー",
    "SE",
    "営業担当",
    "インフラ担当",
    "テスト担当",
    "PMO",
    "アーキテクト",
]
FREEMAIL = ["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com", "outlook.jp", "ezweb.ne.jp"]


def _staff(f: Fake, domain: str, block: str, size: int, roles: list[str], used: set) -> list[list[str]]:
    """People of one organisation: name, department or role, address at `domain`, a line in the
    organisation's number block (a direct-in line, or the main line with an extension)."""
    rows = []
    while len(rows) < size:
        surname, given = f.name(uncommon=0.15)
        local = f"{ROMAN.get(surname, 'staff')}.{f.r.choice('abcdefghkmnrsty')}{f.r.randint(1, 99)}"
        if local in used:
            continue
        used.add(local)
        phone = (
            f"{block}-{f.digits(4)}" if f.r.random() < 0.7 else f"{block}-0000（内線{f.r.randint(100, 899)}）"
        )
        rows.append([f"{surname} {given}", f.r.choice(roles), f"{local}@{domain}", phone])
    return rows


def _block(f: Fake) -> str:
    return f.landline().rsplit("-", 1)[0]


def _customers(f: Fake, size: int, domains: list[str] | None, values: dict) -> list[list[str]]:
    rows = []
    for _ in range(size):
        surname, given = f.name()
        email = (
            f.email()
            if domains is None
            else f"{f.r.choice(['taro', 'hana', 'k.sato', 'yama', 'm_ito'])}{f.r.randint(1, 9999)}@{f.r.choice(domains)}"
        )
        phone = f.style(f.mobile())
        rows.append([f"{surname} {given}", "お客様", email, phone])
        values.setdefault("email_address", set()).add(email)
        values.setdefault("phone", set()).add(phone)
    return rows


def _header(f: Fake, role: str) -> list[str]:
    return f.r.choice(
        [
            ["氏名", role, "メールアドレス", "電話番号"],
            ["名前", role, "E-mail", "TEL"],
            ["担当者", role, "メール", "連絡先"],
        ]
    )


def hard_negative(f: Fake, n: int, carrier: str) -> Spec:
    p = People(f)
    size = f.r.randint(10, 18)
    if n % 2 == 0:  # the client's own staff, back to the client
        column, domain, jobs, owner = "部署", p.client_domain, DEPTS, "recipient_org"
        line = "先日頂戴した貴社ご担当者様の連絡先一覧を、弊社の台帳に合わせて整理しました。誤りがないかご確認ください。"
        subject, note, title = "ご担当者様一覧のご確認", "owner:client_staff_back", "ご担当者様一覧"
    else:  # our own team, to the client
        column, domain, jobs, owner = "役割", p.domain, ROLES, "own_org"
        line = "本プロジェクトの弊社体制と連絡先をお送りします。緊急時は代表番号までご連絡ください。"
        subject, note, title = "プロジェクト体制表の送付", "owner:our_team", "体制表"
    rows = [_header(f, column)] + _staff(f, domain, _block(f), size, jobs, set())
    spec = Spec(
        "hard_negative",
        carrier,
        subject,
        "",
        note=note,
        group="owner",
        records=size,
        tally={owner: size},
        hold=False,
        unscored=("person_name",),
        **p.header(),
    )
    _attach_or_inline(f, p, spec, rows, title, line)
    return spec


def positive(f: Fake, n: int, carrier: str) -> Spec:
    p = People(f)
    kind = n % 4
    values: dict = {}
    if kind == 0:  # client A's staff, mailed to client B
        other, other_domain = f.r.choice([c for c in CLIENTS if c[1] != p.client_domain])
        size = f.r.randint(10, 18)
        rows = [_header(f, "部署")] + _staff(f, other_domain, _block(f), size, DEPTS, set())
        for row in rows[1:]:
            values.setdefault("email_address", set()).add(row[2])
            values.setdefault("phone", set()).add(
                row[3].split("（")[0]
            )  # a main line counts once, whatever the extension
        tally, line, note = (
            {"third_parties": size},
            f"{other}様のご担当者一覧です。ご参考まで。",
            "owner:other_client_staff",
        )
    elif kind == 1:  # the client's staff and its customers in one list
        own, size = f.r.randint(3, 8), f.r.randint(10, 16)
        body = _staff(f, p.client_domain, _block(f), own, DEPTS, set()) + _customers(f, size, None, values)
        f.r.shuffle(body)
        rows = [_header(f, "区分")] + body
        tally = {"third_parties": size, "recipient_org": own}
        size += own
        line, note = "貴社ご担当者様と、お問い合わせのあったお客様の一覧です。", "owner:staff_and_customers"
    elif kind == 3:  # a look-alike of the client's domain: someone else's hosts
        size = f.r.randint(10, 16)
        fake = f.r.choice(
            [
                f"{p.client_domain}.mail-relay.example.net",
                p.client_domain.replace(".co.jp", "-co.jp"),
                p.client_domain.replace("-", ""),
            ]
        )
        rows = [_header(f, "部署")] + _staff(f, fake, _block(f), size, DEPTS, set())
        for row in rows[1:]:
            values.setdefault("email_address", set()).add(row[2])
            values.setdefault("phone", set()).add(row[3].split("（")[0])
        tally, line, note = (
            {"third_parties": size},
            "貴社ご担当者様の一覧です（グループ会社分を含みます）。",
            "owner:lookalike_domain",
        )
    else:  # customers' free-mail addresses to a free-mail recipient
        size = f.r.randint(10, 18)
        rows = [_header(f, "区分")] + _customers(f, size, FREEMAIL, values)
        tally, line, note = (
            {"third_parties": size},
            "DM発送用の宛名リストです。発送が済みましたら削除をお願いします。",
            "owner:freemail_to_freemail",
        )
        # A freelancer's private mailbox: no organisation behind the domain.
        p.client, p.to_email = (
            "",
            f"{ROMAN.get(p.to_surname, 'design')}.{f.r.randint(10, 99)}@{f.r.choice(FREEMAIL)}",
        )
    spec = Spec(
        "positive",
        carrier,
        "連絡先一覧",
        "",
        note=note,
        group="owner",
        records=size,
        tally=tally,
        unscored=("person_name",),
        **p.header(),
    )
    spec.expect = Counter({k: len(v) for k, v in values.items()})
    _attach_or_inline(f, p, spec, rows, "連絡先一覧", line)
    return spec
