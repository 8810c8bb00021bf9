"""Business mail as Japanese companies write it: signatures, threads, invoices, orders, lists.

Each recipe returns a `Spec`: the message text and attachments, and its labels — the number
of distinct values the detector should report per type under the documented policy (values
in signatures and, for contact data, in quoted text are not counted; organisation lines,
shared mailboxes, company accounts, the sender's and recipients' addresses are not personal).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from fakes import Fake

from tests.names import ROMAJI, SURNAMES

SENDERS = [
    ("株式会社サンプル商事", "営業部", "sample.co.jp"),
    ("株式会社テスト工業", "技術課", "test-kogyo.co.jp"),
    ("合同会社例示ソリューションズ", "ソリューション事業部", "reiji.example.jp"),
    ("有限会社見本企画", "企画室", "mihon.example.jp"),
    ("株式会社デモ物流", "カスタマーサポート部", "demo-logi.co.jp"),
]
# No client shares a registrable domain with the customers' mail providers of fakes.DOMAINS
# (example.com, ...): the people of c-sys.example.com and of example.com would be one organisation.
CLIENTS = [
    ("株式会社エー", "a-corp.co.jp"),
    ("ビー産業株式会社", "b-sangyo.co.jp"),
    ("株式会社シー・システムズ", "c-sys.co.jp"),
    ("ディー電機株式会社", "d-denki.co.jp"),
    ("イー商会株式会社", "e-shokai.co.jp"),
]
ROMAN = {surname: ROMAJI[surname] for surname in SURNAMES}  # others fall back to a role name


@dataclass
class Spec:
    category: str  # clean | hard_negative | positive
    carrier: str  # plain | html | csv_cp932 | csv_utf8 | xlsx_row1 | xlsx_row3 | xlsx_split | docx | pdf
    subject: str
    body: str
    sender: str = ""
    to: str = ""
    html: bool = False
    charset: str = "utf-8"
    attachments: list = field(default_factory=list)
    expect: Counter = field(default_factory=Counter)
    records: int = 0
    prose_names: int = 0  # person names in prose (plain and HTML bodies)
    note: str = ""
    # Issue 14. `expect` counts, for contact data, the values about third parties (a finding's
    # `third_parties=N` tally when it states one); `tally` is whose people `records` are;
    # `places` the rows about premises; `hold` overrides the policy computed from the counts
    # (lists of the recipients' own staff or ours are not held); `unscored` types are not
    # compared (names in a list whose owner the detector may attribute either way).
    group: str = ""  # the class of the per-class report
    tally: dict = field(default_factory=dict)
    places: int = 0
    hold: bool | None = None
    unscored: tuple = ()


class People:
    """The two parties of a mail: sender (with signature) and addressee."""

    def __init__(self, f: Fake) -> None:
        r = f.r
        self.company, self.dept, self.domain = r.choice(SENDERS)
        self.surname, self.given = f.name(uncommon=0.1)
        roman = ROMAN.get(self.surname, "staff")
        self.email = f"{roman}.{r.randint(1, 99)}@{self.domain}"
        self.client, self.client_domain = r.choice(CLIENTS)
        self.to_surname, self.to_given = f.name(uncommon=0.3)
        self.to_email = f"{ROMAN.get(self.to_surname, 'tanto')}@{self.client_domain}"
        self.f = f

    def greeting(self) -> str:
        return (
            f"{self.client}\n"
            * bool(self.client)
            + f"{self.f.r.choice(['', '営業部 ', '購買部 ', '総務部 '])}{self.to_surname}様\n\n"
            f"いつもお世話になっております。\n{self.company}の{self.surname}です。\n"
        )

    def signature(self) -> str:
        f, r = self.f, self.f.r
        land, fax = f.landline(), f.landline()
        style = r.randint(1, 5)
        if style == 1:
            return (
                f"--\n{self.company} {self.dept}\n{self.surname} {self.given}\n〒{f.postal()} {f.address()}\n"
                f"TEL: {land} / FAX: {fax}\nMail: {self.email}\nURL: https://www.{self.domain}/\n"
            )
        if style == 2:
            bar = "━" * 24
            return (
                f"{bar}\n{self.company}\n{self.dept} {self.surname} {self.given}\n"
                f"TEL {land}（代表） 携帯 {f.mobile()}\nE-mail {self.email}\n{bar}\n"
            )
        if style == 3:
            return (
                f"{self.surname} {self.given}\n{self.company} {self.dept}\n{f.address()}\n"
                f"Tel: {land}\nEmail: {self.email}\n"
            )
        if style == 4:
            return (
                f"Best regards,\n{ROMAN.get(self.surname, 'Staff').title()} {self.given}\n{self.company}\n"
                f"Tel: +81-{land[1:]}\nEmail: {self.email}\n"
            )
        stars = "＊" * 20
        return f"{stars}\n{self.company} {self.dept}\n{self.surname} {self.given}\nTEL：{f.style(land)}\n{stars}\n"

    def client_signature(self) -> str:
        f = self.f
        return (
            f"----------------------------------\n{self.client}\n{self.to_surname} {self.to_given}\n"
            f"〒{f.postal()} {f.address()}\nTEL {f.landline()} FAX {f.landline()}\n"
            f"{self.to_email}\n----------------------------------\n"
        )

    def header(self) -> dict:
        return {"sender": f"{self.surname} <{self.email}>", "to": f"{self.to_surname} <{self.to_email}>"}
