"""Fixed-width files: Zengin (全銀協) transfer files and other 120-column files that are not.

The 総合振込 format of the Japanese Bankers Association: 120-byte records in CP932, where every
character is one byte (ASCII digits and upper case, half-width katakana, spaces):

    header  1  種別21 コード区分0 依頼人コード(10) 依頼人名(40) 振込日MMDD 銀行(4+15) 支店(3+15) 種目 口座(7)
    data    2  銀行(4+15) 支店(3+15) 手形交換所(4) 種目(1) 口座(7) 受取人名(30) 金額(10) 新規(1)
               顧客コード(10+10) 振込区分(1) 識別(1) dummy(7)
    trailer 8  件数(6) 合計金額(12)
    end     9

Records follow each other with CR LF, or with nothing at all (the bank's transmission format),
sometimes with an EOF byte (0x1A) at the end.
"""

from __future__ import annotations

from fakes import Fake

BANKS = [
    ("0001", "ﾐｽﾞﾎ"),
    ("0005", "ﾐﾂﾋﾞｼUFJ"),
    ("0009", "ﾐﾂｲｽﾐﾄﾓ"),
    ("0010", "ﾘｿﾅ"),
    ("0017", "ｻｲﾀﾏﾘｿﾅ"),
    ("0116", "ﾎﾂｺｸ"),
    ("0134", "ﾁﾊﾞ"),
    ("0138", "ﾖｺﾊﾏ"),
    ("0149", "ｼｽﾞｵｶ"),
    ("0310", "GMOｱｵｿﾞﾗﾈﾂﾄ"),
    ("0033", "PAYPAY"),
    ("0036", "ﾗｸﾃﾝ"),
]
BRANCHES = [
    ("001", "ﾎﾝﾃﾝ"),
    ("100", "ｼﾝｼﾞﾕｸ"),
    ("112", "ｼﾌﾞﾔ"),
    ("205", "ｳﾒﾀﾞ"),
    ("251", "ﾅｺﾞﾔ"),
    ("310", "ﾊｶﾀ"),
    ("402", "ｻﾂﾎﾟﾛ"),
    ("518", "ｾﾝﾀﾞｲ"),
    ("620", "ﾖｺﾊﾏｴｷﾏｴ"),
    ("733", "ｵｵﾐﾔ"),
]
SURNAMES = [
    "ｻﾄｳ",
    "ｽｽﾞｷ",
    "ﾀｶﾊｼ",
    "ﾀﾅｶ",
    "ｲﾄｳ",
    "ﾜﾀﾅﾍﾞ",
    "ﾔﾏﾓﾄ",
    "ﾅｶﾑﾗ",
    "ｺﾊﾞﾔｼ",
    "ｶﾄｳ",
    "ﾖｼﾀﾞ",
    "ﾔﾏﾀﾞ",
    "ﾏﾂﾓﾄ",
    "ｲﾉｳｴ",
    "ｷﾑﾗ",
    "ｼﾐｽﾞ",
    "ｷﾄｳ",
    "ﾐﾀﾗｲ",
]
GIVEN = [
    "ﾀﾛｳ",
    "ﾊﾅｺ",
    "ｲﾁﾛｳ",
    "ｹﾝ",
    "ｼﾖｳﾀ",
    "ﾐｻｷ",
    "ﾋﾅ",
    "ﾀﾞｲｽｹ",
    "ﾏﾕﾐ",
    "ﾅｵｷ",
    "ﾒｸﾞﾐ",
    "ﾀｸﾔ",
    "ﾕﾐｺ",
    "ｶｽﾞﾔ",
    "ｱﾔ",
    "ﾀｶｼ",
    "ﾄﾓｺ",
    "ﾕｳﾄ",
]
COMPANIES = ["ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", "ｶ)ﾃｽﾄｺｳｷﾞﾖｳ", "ﾕ)ﾐﾎﾝｷｶｸ", "ｶ)ﾃﾞﾓﾌﾞﾂﾘﾕｳ", "ｺﾞｳ)ﾚｲｼﾞｿﾘﾕｰｼﾖﾝｽﾞ"]


def _f(text: str, width: int) -> str:
    """Left-aligned, space-padded, cut to `width` (alphanumeric fields)."""
    return text[:width].ljust(width)


def _n(value: int, width: int) -> str:
    """Right-aligned, zero-padded (numeric fields)."""
    return str(value).zfill(width)[-width:]


def zengin(
    f: Fake, payees: int, company: str, *, breaks: str = "\r\n", eof: bool = False
) -> tuple[bytes, int]:
    """A 総合振込 file with `payees` data records; returns (bytes, distinct payee accounts)."""
    bank, branch = f.r.choice(BANKS), f.r.choice(BRANCHES)
    month, day = f.r.randint(1, 12), f.r.randint(1, 28)
    records = [
        "1"
        + "21"
        + "0"
        + f.digits(10)
        + _f(company, 40)
        + f"{month:02d}{day:02d}"
        + bank[0]
        + _f(bank[1], 15)
        + branch[0]
        + _f(branch[1], 15)
        + "1"
        + f.digits(7)
        + " " * 17
    ]
    total, accounts = 0, set()
    for _ in range(payees):
        pbank, pbranch = f.r.choice(BANKS), f.r.choice(BRANCHES)
        kind, account = f.r.choice("1112"), f.digits(7)
        name = f"{f.r.choice(SURNAMES)} {f.r.choice(GIVEN)}"
        amount = f.r.randint(5, 600) * 1000
        total += amount
        accounts.add((pbank[0], pbranch[0], account))
        records.append(
            "2"
            + pbank[0]
            + _f(pbank[1], 15)
            + pbranch[0]
            + _f(pbranch[1], 15)
            + " " * 4
            + kind
            + account
            + _f(name, 30)
            + _n(amount, 10)
            + "0"
            + _f(f"E{f.digits(5)}", 10)
            + " " * 10
            + "7"
            + " "
            + " " * 7
        )
    records.append("8" + _n(payees, 6) + _n(total, 12) + " " * 101)
    records.append("9" + " " * 119)
    assert all(len(r.encode("cp932")) == 120 for r in records), [len(r.encode("cp932")) for r in records]
    data = (breaks.join(records) + breaks).encode("cp932")
    return data + (b"\x1a" if eof else b""), len(accounts)


def access_log(f: Fake, lines: int, *, breaks: str = "\r\n") -> bytes:
    """A web server's fixed-width log: 120 columns of date, host, status, bytes, path."""
    rows = []
    for _i in range(lines):
        row = (
            f"2024-04-{f.r.randint(1, 30):02d}T{f.r.randint(0, 23):02d}:{f.r.randint(0, 59):02d}:{f.r.randint(0, 59):02d} "
            f"10.{f.r.randint(0, 255)}.{f.r.randint(0, 255)}.{f.r.randint(1, 254):<3} {f.r.choice(['GET ', 'POST'])} "
            f"{f.r.choice(['200', '200', '304', '404', '500'])} {_n(f.r.randint(100, 9_999_999), 9)} "
            f"{f.r.choice(['/api/v1/orders', '/index.html', '/img/logo.png', '/login'])}?id={f.digits(7)}"
        )
        rows.append(_f(row, 120))
    return (breaks.join(rows) + breaks).encode("ascii")


PRODUCTS = [
    "ﾎﾞｰﾙﾍﾟﾝ ｸﾛ 10ﾎﾝ",
    "ｺﾋﾟｰﾖｳｼ A4 500ﾏｲ",
    "ﾌｧｲﾙ ｱｵ",
    "ﾉｰﾄ B5 ﾖｺｾﾝ",
    "ﾎﾁｷｽ ｼﾝ",
    "ｸﾘｱﾌｧｲﾙ 20P",
    "ﾏｰｶｰ ｱｶ",
    "ﾃｰﾌﾟ 18MM",
    "ｲﾝｸ ｶｰﾄﾘｯｼﾞ",
    "ﾄﾅｰ ﾌﾞﾗｯｸ",
]


def product_master(f: Fake, lines: int, *, breaks: str = "\r\n") -> bytes:
    """A wholesaler's product master in 120 columns: record type, JAN, half-width kana name,
    unit price, case quantity, supplier code, and a 7-digit internal code."""
    rows = []
    for _ in range(lines):
        row = (
            "2"
            + f.jan()
            + _f(f.r.choice(PRODUCTS), 30)
            + _n(f.r.randint(50, 9800), 8)
            + _n(f.r.randint(1, 48), 4)
            + f.digits(4)
            + _f(f"ﾄﾘﾋｷｻｷ{f.r.randint(1, 99)}", 15)
            + f.digits(7)
            + " " * 38
        )
        rows.append(_f(row, 120))
    head = "1" + "PRODUCTMASTER" + "20240401" + " " * 98
    rows.insert(0, head)
    rows.append("9" + _n(lines, 6) + " " * 113)
    assert all(len(r.encode("cp932")) == 120 for r in rows)
    return (breaks.join(rows) + breaks).encode("cp932")
