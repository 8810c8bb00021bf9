"""Issue 14, class 3: Zengin transfer files sent as attachments, and 120-column files that are not.

Positives: a 総合振込 file (see fixedwidth.py) as .txt, .dat or .fb, with CR LF, LF or no line
breaks, sometimes an EOF byte, alone or inside a zip, or pasted into the body; expected: pii.bank_account = distinct payee
accounts, pii.records = payees (third parties). Hard negatives: a 120-column access log and a
product master with half-width kana names, 7-digit codes and amounts.
"""

from __future__ import annotations

from collections import Counter

import carriers as C
import fixedwidth as W
from fakes import Fake
from mails import People, Spec

LAYOUTS = [
    ("furikomi.txt", "\r\n", False, False),
    ("FB_0425.dat", "", False, False),
    ("sogo_furikomi.fb", "\r\n", True, False),
    ("振込データ.txt", "\n", False, False),
    ("kyuyo.dat", "\r\n", False, True),
    ("payment.fb", "", True, True),
    ("総合振込_4月.txt", "", False, True),
    ("FURIKOMI.DAT", "\r\n", True, False),
]
TYPES = {
    "txt": "text/plain; charset=Shift_JIS",
    "dat": "application/octet-stream",
    "fb": "application/octet-stream",
    "log": "text/plain; charset=us-ascii",
    "zip": "application/zip",
}


def _attach(name: str, data: bytes, zipped: bool) -> tuple[str, str, bytes, str]:
    """(attachment name, content type, bytes, where the records are)."""
    if zipped:
        outer = name.rsplit(".", 1)[0] + ".zip"
        return outer, TYPES["zip"], C.zip_bytes([(name, data)]), f"{outer}!{name}"
    return name, TYPES[name.rsplit(".", 1)[1].lower()], data, name


def positive(f: Fake, n: int) -> Spec:
    p = People(f)
    name, breaks, eof, zipped = LAYOUTS[n % len(LAYOUTS)]
    payees = f.r.randint(10, 15) if n % 6 else f.r.randint(2, 5)
    data, accounts = W.zengin(f, payees, f.r.choice(W.COMPANIES), breaks=breaks, eof=eof)
    attachment, ctype, blob, where = _attach(name, data, zipped)
    body = (
        p.greeting()
        + f"\n{f.r.choice(['4月25日', '月末', '今週金曜'])}支払分の総合振込データをお送りします。\n"
        "インターネットバンキングにてアップロードをお願いいたします。\n\nよろしくお願いいたします。\n\n"
        + p.signature()
    )
    spec = Spec(
        "positive",
        "zengin",
        "振込データ送付の件",
        body,
        note=f"zengin:{where}:{'crlf' if breaks == chr(13) + chr(10) else 'lf' if breaks else 'none'}",
        group="zengin",
        records=payees,
        tally={"third_parties": payees},
        prose_names=1,
        unscored=("person_name",),
        attachments=[(attachment, ctype, blob)],
        **p.header(),
    )
    spec.expect = Counter(bank_account=accounts)
    return spec


def pasted(f: Fake, n: int) -> Spec:
    """The records pasted into the body, as they are or wrapped by the mail client at 76."""
    p = People(f)
    payees = f.r.randint(10, 14)
    data, accounts = W.zengin(f, payees, f.r.choice(W.COMPANIES))
    lines = data.decode("cp932").splitlines()
    if n % 2:
        lines = [line[i : i + 76] for line in lines for i in range(0, len(line), 76)]
    body = (
        p.greeting()
        + "\n添付ができなかったため、振込データを本文に貼り付けます。\n\n"
        + "\n".join(lines)
        + "\n\nよろしくお願いいたします。\n\n"
        + p.signature()
    )
    spec = Spec(
        "positive",
        "zengin_body",
        "振込データ（本文貼付）",
        body,
        note=f"zengin:body:{'wrapped' if n % 2 else 'lines'}",
        group="zengin",
        records=payees,
        tally={"third_parties": payees},
        prose_names=1,
        unscored=("person_name",),
        **p.header(),
    )
    spec.expect = Counter(bank_account=accounts)
    return spec


def hard_negative(f: Fake, n: int) -> Spec:
    p = People(f)
    zipped = n % 3 == 2
    if n % 2 == 0:
        name = f.r.choice(["access.log", "app_0401.dat", "web01.txt"])
        data, what, line = (
            W.access_log(f, f.r.randint(20, 40)),
            "log",
            "ご依頼のアクセスログ（固定長）を抽出しました。",
        )
    else:
        name = f.r.choice(["shohin_master.txt", "ITEM.DAT", "master_0401.dat"])
        data, what, line = (
            W.product_master(f, f.r.randint(15, 30)),
            "product_master",
            "商品マスタ（固定長120バイト）の最新版です。",
        )
    attachment, ctype, blob, where = _attach(name, data, zipped)
    body = p.greeting() + f"\n{line}\n\nよろしくお願いいたします。\n\n" + p.signature()
    return Spec(
        "hard_negative",
        "zengin",
        "データ送付",
        body,
        note=f"fixed_width:{what}:{where}",
        group="zengin",
        hold=False,
        prose_names=1,
        attachments=[(attachment, ctype, blob)],
        **p.header(),
    )
