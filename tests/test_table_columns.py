"""Tables read column by column (issue 13): the same ledger as row-by-row reading, and
every customer of a long list counted."""

from __future__ import annotations

import datetime
import random

import pytest

from inspectors.base import Envelope
from inspectors.message import Table
from inspectors.pii import columns
from inspectors.pii.ledger import Ledger
from inspectors.pii.lists import read_rows as _read_rows
from inspectors.pii.lists import read_table as _read_table
from inspectors.pii.scanner import Scanner

TODAY = datetime.date(2024, 4, 1)
ENV = Envelope(mail_from="yamada@sample.co.jp", rcpt_tos=("sato@client.example",))
IGNORED = frozenset({"yamada@sample.co.jp", "sato@client.example"})

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "陽菜", "直樹", "美咲", "健", "蓮"]
PLACES = [
    "東京都千代田区丸の内",
    "大阪府大阪市北区梅田",
    "京都府京都市下京区烏丸通",
    "北海道札幌市中央区北五条西",
]
# Values of every shape a column may hold: plain, full-width, spaced, invalid, organisation
# numbers, role mailboxes, the sender's own address, text a scanner reads otherwise. (Bank
# words send a table to the row reader: they are tested apart.)
ODD = [
    "",
    " ",
    "なし",
    "-",
    "０９０－１２３４－５６７８",
    "090 1234 5678",
    "(03)1234-5678",
    "0120-123-456",
    "03-1234-5678（代表）",
    "+81-90-1234-5678",
    "81-90-1234-5678",
    "090-1234-567",
    "0312345678",
    "050-1234-5678",
    "020-1234-5678",
    "030-1234-5678",
    "info@example.jp",
    "Yamada@Sample.co.jp",
    "sato@client.example",
    "user.@example.jp",
    "ＵＳＥＲ＠ＥＸＡＭＰＬＥ．ＪＰ",
    "a@b",
    "100-0005 東京都千代田区",
    "100-0005",
    "1000005",
    "１００－０００５",
    "山田 太郎 様",
    "鈴木",
    "氏名：鬼頭 健",
    "男",
    "female",
    "1985/04/01",
    "昭和60年4月1日",
    "4111-1111-1111-1111",
    "123456789018",
    "T7000012050002",
    "東京都港区芝公園4-2-8",
    "大阪市北区梅田1-1",
    "AB1234567",
    "090-1234-5678 / 03-1234-5678",
    "〒100-0005",
    "12345",
    "2024-04-01",
    "注文番号 090-1234-5678",
    "ヤマダ タロウ",
]


def _value(rng: random.Random, kind: str) -> str:
    if rng.random() < 0.25:
        return rng.choice(ODD)
    if kind == "name":
        return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
    if kind == "phone":
        return f"0{rng.choice('98735')}0-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}"
    if kind == "mail":
        return f"user{rng.randrange(10**6)}@example{rng.randrange(9)}.jp"
    if kind == "postal":
        return f"{rng.randrange(100, 999)}-{rng.randrange(10**4):04d}"
    if kind == "address":
        return f"{rng.choice(PLACES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}"
    return rng.choice(["A-1", "営業部", "2024-04-01", "東京", "12,000", "済"])


HEADERS = {
    "name": ["氏名", "名前", "お名前", "姓"],
    "phone": ["電話番号", "携帯", "TEL", "連絡先"],
    "mail": ["メールアドレス", "E-mail", "mail"],
    "postal": ["郵便番号", "〒"],
    "address": ["住所", "所在地"],
    "birth": ["生年月日"],
    "other": ["備考", "会社名", "No."],
}


def _table(seed: int, rows: int = 0) -> Table:
    rng = random.Random(seed)
    kinds = [rng.choice(list(HEADERS)) for _ in range(rng.randint(2, 7))]
    header = [rng.choice(HEADERS[k]) for k in kinds]
    rows = [
        tuple(
            _value(rng, "other" if k == "birth" else k)
            if k != "birth"
            else rng.choice(["1985/04/01", "昭和60年4月1日", "", "2030/01/01"])
            for k in kinds
        )
        for _ in range(rows or rng.randint(3, 60))
    ]
    title = [("顧客一覧",) + ("",) * (len(kinds) - 1)] if rng.random() < 0.3 else []
    return Table(
        where=f"attachment:t{seed}.xlsx!Sheet1",
        rows=tuple(title + [tuple(header)] + rows),
        first_row=rng.randint(1, 3),
        first_col=rng.randint(1, 3),
    )


def _ledger_of(read, table: Table, quoted: bool) -> tuple:
    """What a reading leaves for the findings: codes, counts, cell ranges, masked evidence
    (the first values in reading order), and each list's rows, attributes and people."""
    ledger = Ledger(ignored_addresses=IGNORED)
    read(table, Scanner(TODAY), ledger, quoted)
    return (
        [(f.code, f.count, f.where, f.evidence) for f in ledger.findings()],
        [(a.row, b.row, attrs, n) for a, b, attrs, n in ledger.lists],
    )


@pytest.mark.parametrize("seed", range(150))
def test_columns_read_as_rows_do(seed):
    table = _table(seed)
    for quoted in (False, True):
        assert _ledger_of(_read_table, table, quoted) == _ledger_of(_read_rows, table, quoted)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_long_columns_read_as_rows_do(seed):
    """Blocks of ROWS_PER_READ rows: odd values in one block, plain ones in the next."""
    table = _table(seed, rows=2500)
    plain = Table(
        where=table.where,
        rows=table.rows[:1200]
        + tuple(tuple(v if v not in ODD else "" for v in row) for row in table.rows[1200:]),
    )
    for case in (table, plain):
        for quoted in (False, True):
            assert _ledger_of(_read_table, case, quoted) == _ledger_of(_read_rows, case, quoted)


@pytest.mark.slow
def test_a_column_that_forgets_its_readings_reads_as_rows_do():
    """Past CACHE_TEXTS texts that never repeat, a column keeps no readings; what it reads
    after that is the same."""
    table = _table(3, rows=columns.CACHE_TEXTS + 3000)
    assert _ledger_of(_read_table, table, False) == _ledger_of(_read_rows, table, False)


def test_generated_tables_take_the_column_path():
    """The comparison above is only worth something if most tables are read by columns."""
    by_columns = sum(columns.read(_table(seed), Scanner(TODAY)) is not None for seed in range(150))
    assert by_columns >= 120
    assert all(columns.read(_table(seed, rows=2500), Scanner(TODAY)) is not None for seed in range(6))


def test_rows_that_join_or_need_neighbours_are_read_row_by_row():
    split_phone = Table(where="a", rows=(("氏名", "電話番号", "", ""), ("山田 太郎", "090", "1234", "5678")))
    bank = Table(where="b", rows=(("氏名", "備考"), ("山田 太郎", "普通 1234567 カ）ヤマダ")))
    ragged = Table(where="c", rows=(("氏名", "電話番号"), ("山田 太郎",)))
    assert columns.plan(split_phone) is None and columns.plan(ragged) is None
    assert columns.read(bank, Scanner(TODAY)) is None


@pytest.mark.slow
def test_a_long_customer_list_counts_every_customer():
    """110,000 customers in one CSV attachment: every one is a person in pii.records."""
    rng = random.Random(5)
    lines = ["氏名,電話番号,住所"] + [
        f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)},090-{2000 + n // 10000}-{n % 10000:04d},"
        f"{rng.choice(PLACES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}"
        for n in range(110_000)
    ]
    raw = (
        "From: yamada@sample.co.jp\r\nTo: sato@client.example\r\nSubject: list\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "list\r\n--b\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; "
        "filename=customers.csv\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "\r\n".join(lines)
        + "\r\n--b--\r\n"
    ).encode()
    # As a worker inspects it: streamed into the inspectors the relay builds, default limits.
    from proxy.pipeline import InspectorConfig, build_inspectors, inspect_raw

    inspection = inspect_raw(raw, ENV, build_inspectors(InspectorConfig(internal_domains=("sample.co.jp",))))
    found = {f.code: f for f in inspection.findings}
    assert found["pii.records"].count == 110_000
    assert found["pii.phone"].count == 110_000
    assert found["pii.records"].where == ("attachment:customers.csv!A2:C110001",)


@pytest.mark.parametrize(
    "text",
    [
        "氏名,電話\r\n山田,090-1234-5678\r\n",
        "a,b\n\nc,d\n,\n",
        "a\tb\r\nc\td",
        "a,b\r\n\r\n\r\nc\r\n",
        "only one line",
        "x,y\n" * 70_000,  # more than one chunk of lines
    ],
)
def test_plain_csv_rows_are_the_csv_modules(text):
    """A CSV without quotes is split without the csv module, into the same rows."""
    from inspectors.extract import delimited

    delimiter = delimited.delimiter_of(text)
    expected = [tuple(row) for row in __import__("csv").reader(delimited.lines_of(text), delimiter=delimiter)]
    assert list(delimited._records(text, delimiter, 10**6)) == expected


def test_katakana_alone_holds_no_value():
    """Column reading skips the scanner for texts in katakana alone (readings of names):
    that holds only while no pattern finds a value in them."""
    from inspectors import patterns as P
    from inspectors.pii import readings

    words = [w for words in P.CONTEXT_WORDS.values() for w in words if readings._KANA.fullmatch(w)]
    words += [w for w in (*P.NAME_LABELS, *P.HONORIFICS, *P.SURNAMES) if readings._KANA.fullmatch(w)]
    rng = random.Random(7)
    kana = [chr(c) for c in range(0x30A1, 0x30FB)] + ["ー", " ", "\u3000"]
    texts = (
        words
        + [w + " " + v for w in words for v in words[:5]]
        + ["".join(rng.choice(kana) for _ in range(rng.randint(1, 20))) for _ in range(3000)]
    )
    data = "".join(f"\x1e\x1f{t}\n" for t in texts).encode()
    assert len(words) >= 8 and Scanner(TODAY).scan(data, True) == []


@pytest.mark.parametrize(
    "xml",
    [
        b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"/><c r="C1"></c><c r="D1" t="s"><v>2</v></c></row>',
        b'<row r="2"><c r="A2" s="1"/><c r="ZZ99" t="inlineStr"><is><t>x</t></is></c></row>',
        b'<row r="3"><c r="B3"><v>1</v></c><c s="2"><v>1</v></c></row>',  # no reference
        b'<row r="4"><c r="$C$4"><v>1</v></c><c r="D4"><v>1</v></c></row>',  # $ in a reference
        b'<row r="5"><c t="s" r="XFD1048576"><v>1</v></c><c r="A5"><v>1</v></c></row>',  # r not first
        b"<row r='6'><c r='E6'><v>1</v></c></row>",
        b'<x:row r="7"><x:c r="A7"><x:v>1</x:v></x:c><c r="B7"><v>1</v></c></x:row>',
    ],
)
def test_plain_cell_tags_are_measured_as_any_others(xml):
    """Cell tags written the usual way are counted in C; any other way falls back, so the
    used range is the same either way."""
    from inspectors.extract import dimensions

    found = dimensions._plain_cells(xml)
    assert found is None or sorted(found) == sorted(dimensions._CELL.findall(xml))
    assert (found is None) == (xml.count(b"<c ") + xml.count(b":c ") != xml.count(b'<c r="') or b"$" in xml)


@pytest.mark.parametrize(
    "texts",
    [
        [
            "info@x.jp",
            "Info+a@x.jp",
            "info.x@x.jp",
            "sales+@x.jp",
            "a+info@x.jp",
            "user1@EX.jp",
            "noreply@x.co.jp",
            "no-reply+z@x.jp",
            "newsletter@x.jp",
            "infox@x.jp",
            "x@x.jp\nsupport@y.jp",
            "support@y.jp",
        ],
        [".info@x.jp", "..user@x.jp", "user@x.jp"],
    ],
)
def test_a_mail_column_read_at_once_reads_each_address_as_alone(texts):
    """The column's addresses lowered and matched against role mailboxes in one pass give
    what each address gives by itself."""
    from inspectors.pii import readings

    assert readings._by_shape("email_address", texts) == {
        t: readings._mail(t) for t in readings._MAIL_LINES.findall("\n".join(texts))
    }


@pytest.mark.parametrize(
    "texts",
    [
        [
            "ヤマダ タロウ",
            "ア",
            "ア イ",
            "アイ",
            "ｱｲｳ",
            "ア" * 24,
            "ア" * 25,
            "ア\nイウ",
            "イウ",
            "・・",
            "タナカ　ハナコ",
        ],
    ],
)
def test_readings_in_kana_read_at_once_are_those_of_each_text(texts):
    from inspectors.pii import readings

    scanner = Scanner(datetime.date(2026, 1, 1))
    shaped, odd = readings.read("name_kana", "", texts, scanner, False)
    for text in texts:
        alone = readings._of_hits(
            "name_kana",
            text,
            tuple(readings._scanned("", [text], scanner, False)[text]),
            readings.PLAIN["name_kana"],
        )
        got = odd.get(text, shaped.get(text))
        assert (got, type(got)) == (alone, type(alone)), text
