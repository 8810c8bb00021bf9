"""Places are not people (issue 14): lists of offices, branches, shops and buildings are
pii.places, and their contacts are no third party's; a customer list that dresses up as one
is still people."""

from __future__ import annotations

import datetime

import pytest

from inspectors.base import Envelope, Finding
from inspectors.freemail import FreemailDomains
from inspectors.message import MessageView, Table, TextChunk, parse
from inspectors.personal_data import PersonalData
from inspectors.pii.owners import TALLIES
from rules import decide, load_rules
from rules.model import MessageFacts

from . import names
from .names import AREAS, BRANCHES, CITIES, RARE
from .views import ENV, text_view

TODAY = datetime.date(2024, 4, 1)
SURNAMES = names.SURNAMES[:12]


def found(*texts: str, tables: tuple[Table, ...] = (), env: Envelope = ENV) -> dict:
    view = text_view(*texts, tables=tables, env=env, suffix="csv")
    return {f.code: f for f in PersonalData(today=TODAY).inspect(view)}


def tally(finding, name: str = "third_parties") -> int:
    return next(int(e.split("=")[1]) for e in finding.evidence if e.startswith(name + "="))


def csv(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


def held(findings: dict) -> list[str]:
    """The enforced default rules that match, the recipient being external."""
    external = Finding(code="recipients.external", count=1, where=("envelope",), evidence=("client.example",))
    decision = decide(
        [*findings.values(), external],
        MessageFacts(mail_from=ENV.mail_from, rcpt_tos=ENV.rcpt_tos),
        load_rules(),
    )
    return [m.id for m in decision.matched if m.mode == "enforce"]


OFFICES = csv(
    "拠点,郵便番号,住所,電話番号",
    [
        f"{b},{100 + i}-{1000 + i},{c},{a}-{1000 + i}"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    ],
)


def test_our_office_list_is_places_not_people():
    f = found(OFFICES)
    assert "pii.records" not in f
    assert f["pii.places"].count == 12 and f["pii.places"].evidence[0] == "places=12"
    assert tally(f["pii.phone"]) == 0 and tally(f["pii.address"]) == 0
    assert f["pii.phone"].count == 12  # still counted, as premises' lines
    assert held(f) == []


def test_branch_names_without_a_premises_heading():
    text = csv(
        "名称,住所,電話",
        [f"株式会社エー {b},{c},{a}-{1000 + i}" for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))],
    )
    f = found(text)
    assert "pii.records" not in f and f["pii.places"].count == 12
    assert set(f["pii.places"].evidence[1:]) <= {"株式会社", "営業所", "支店", "本社"}


def test_buildings_with_addresses_and_rents_are_places():
    text = csv("物件名,所在地,賃料", [f"第{i}中央ビル,{c},{120000 + i * 1000}" for i, c in enumerate(CITIES)])
    f = found(text)
    assert f["pii.places"].count == 12 and tally(f["pii.address"]) == 0
    assert held(f) == []


def test_one_organisations_number_block_makes_rows_places():
    """Department lines 03-5555-12xx with an address: one organisation, no one in particular."""
    text = csv("部署,住所,電話", [f"第{i}課,東京都港区芝{i}-1-1,03-5555-12{i:02d}" for i in range(1, 13)])
    f = found(text)
    assert f["pii.places"].count == 12 and "pii.records" not in f
    assert f["pii.places"].evidence[1] == "代表番号帯"


def branches(header: str, row) -> str:
    return csv(
        header, [row(i, b, s, c, a) for i, (b, s, c, a) in enumerate(zip(BRANCHES, SURNAMES, CITIES, AREAS))]
    )


@pytest.mark.parametrize("header", ["拠点,担当者,住所,電話番号", "拠点,所長,住所,電話番号"])
def test_a_branch_list_with_its_contact_person_is_places(header):
    """Premises named first, then their contact person with the premises' address and
    landline: business contact data, counted with the places (no mail address to say whose)."""
    f = found(branches(header, lambda i, b, s, c, a: f"{b},{s} 一郎,{c},{a}-{1000 + i}"))
    assert "pii.records" not in f and f["pii.places"].count == 12
    assert tally(f["pii.phone"]) == 0 and held(f) == []


@pytest.mark.parametrize(
    "header,row",
    [
        (
            "拠点,担当者,住所,電話番号",
            lambda i, b, s, c, a: f"{b},{s} 一郎,{c},090-{1200 + i}-{3400 + i}",
        ),  # a mobile
        (
            "担当者,拠点,住所,電話番号",
            lambda i, b, s, c, a: f"{s} 一郎,{b},{c},{a}-{1000 + i}",
        ),  # the person first
        (
            "勤務先,氏名,住所,電話番号",
            lambda i, b, s, c, a: f"株式会社テスト{i},{s} 一郎,{c},{a}-{1000 + i}",
        ),  # a company
        (
            "店舗名,氏名,住所,電話番号",
            lambda i, b, s, c, a: f"渋谷店,{s} 一郎,{c},{a}-{1000 + i}",
        ),  # a category
        (
            "拠点,担当者,住所,生年月日",
            lambda i, b, s, c, a: f"{b},{s} 一郎,{c},1980/04/{1 + i:02d}",
        ),  # a birth date
    ],
)
def test_a_contact_person_with_more_than_business_data_is_a_person(header, row):
    f = found(branches(header, row))
    assert f["pii.records"].count == 12 and tally(f["pii.records"]) == 12 and "pii.places" not in f
    assert held(f) == ["personal-data-list-external"]


def test_a_branch_list_with_the_clients_managers_goes_back_to_the_client():
    """With the managers' mail addresses at the recipient's domain, the rows are the client's."""
    text = branches(
        "拠点,住所,電話,拠点長,メール",
        lambda i, b, s, c, a: f"{b},{c},{a}-{1000 + i},{s} 一郎,staff{i}@client.example",
    )
    view = MessageView(
        envelope=ENV, size=0, tables=(), texts=(TextChunk(where="attachment:a.csv", text=text),)
    )
    f = {x.code: x for x in PersonalData(today=TODAY, freemail=FreemailDomains()).inspect(view)}
    assert tally(f["pii.records"], "recipient_org") == 12 and tally(f["pii.records"]) == 0
    assert held(f) == []
    text = text.replace("@client.example", "@gmail.com")
    view = MessageView(
        envelope=ENV, size=0, tables=(), texts=(TextChunk(where="attachment:a.csv", text=text),)
    )
    f = {x.code: x for x in PersonalData(today=TODAY, freemail=FreemailDomains()).inspect(view)}
    assert tally(f["pii.records"]) == 12 and held(f) == ["personal-data-list-external"]


def test_a_customer_list_does_not_dodge_by_appending_a_shop_word():
    """氏名 is a personal heading: 山田太郎店 there is still a person."""
    text = csv(
        "氏名,住所,電話番号",
        [f"{s}太郎店,{c},{a}-{1000 + i}" for i, (s, c, a) in enumerate(zip(SURNAMES, CITIES, AREAS))],
    )
    f = found(text)
    assert f["pii.records"].count == 12 and "pii.places" not in f
    assert held(f) == ["personal-data-list-external"]


def test_a_premises_heading_does_not_hide_a_customer_name():
    text = csv(
        "拠点名,住所,電話番号",
        [f"{s} 太郎,{c},{a}-{1000 + i}" for i, (s, c, a) in enumerate(zip(SURNAMES, CITIES, AREAS))],
    )
    f = found(text)
    assert "pii.places" not in f and held(f) == ["personal-data-list-external"]


def test_a_premises_heading_does_not_hide_mobiles_mail_or_birth_dates():
    mobiles = csv(
        "拠点名,住所,電話番号",
        [f"{b},{c},090-{1000 + i:04d}-{2000 + i:04d}" for i, (b, c) in enumerate(zip(BRANCHES, CITIES))],
    )
    freemail = csv(
        "拠点名,住所,メール", [f"{b},{c},user{i}@gmail.com" for i, (b, c) in enumerate(zip(BRANCHES, CITIES))]
    )
    births = csv(
        "拠点名,住所,生年月日",
        [f"{b},{c},1980/04/{i + 1:02d}" for i, (b, c) in enumerate(zip(BRANCHES, CITIES))],
    )
    for text in (mobiles, freemail, births):
        f = found(text)
        assert f["pii.records"].count == 12 and "pii.places" not in f, text
        assert held(f) == ["personal-data-list-external"], text


def test_a_mixed_list_counts_its_people_and_its_places_apart():
    rows = [f"{b},{c},{a}-{1000 + i}" for i, (b, c, a) in enumerate(zip(BRANCHES[:4], CITIES, AREAS))] + [
        f"{s} 花子様,{c},090-{3000 + i:04d}-{4000 + i:04d}" for i, (s, c) in enumerate(zip(SURNAMES, CITIES))
    ]
    f = found(csv("顧客名,住所,電話番号", rows))
    assert f["pii.places"].count == 4 and f["pii.records"].count == 12
    assert tally(f["pii.phone"]) == 12


def test_tallies_sum_to_the_count():
    f = found(
        OFFICES,
        csv(
            "氏名,住所,電話番号",
            [
                f"{s} 次郎,{c},090-{5000 + i:04d}-{6000 + i:04d}"
                for i, (s, c) in enumerate(zip(SURNAMES, CITIES))
            ],
        ),
    )
    records = f["pii.records"]
    assert [e.split("=")[0] for e in records.evidence[:3]] == list(TALLIES)
    assert sum(tally(records, n) for n in TALLIES) == records.count == 12


def test_an_office_list_in_a_cp932_csv_attachment_passes():
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "yamada@sample.co.jp", "sato@client.example", "拠点一覧"
    msg.set_content("拠点一覧をお送りします。")
    msg.add_attachment(
        OFFICES.replace("\n", "\r\n").encode("cp932"), maintype="text", subtype="csv", filename="拠点一覧.csv"
    )
    view = parse(bytes(msg), ENV)
    f = {x.code: x for x in PersonalData(today=TODAY).inspect(view)}
    assert f["pii.places"].count == 12 and "pii.records" not in f
    assert f["pii.places"].where[0].startswith("attachment:拠点一覧.csv!")


def office_text(heading: str = "当社拠点一覧", phone: str = "TEL") -> str:
    entries = [
        f"■{b}\n〒{100 + i}-{1000 + i} {c}\n{phone} {a}-{1000 + i}\n"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    ]
    return f"お世話になっております。\n{heading}をお送りします。\n\n" + "".join(entries) + "\n以上です。\n"


def test_an_office_list_typed_in_the_body_is_places():
    f = found(office_text())
    assert "pii.records" not in f and f["pii.places"].count == 12
    assert tally(f["pii.phone"]) == 0 and tally(f["pii.address"]) == 0
    assert held(f) == []


def labelled_entries(person: str = "", phone: str = "代表電話") -> str:
    """【n】 entries with one label a line; the main line is an organisation's (not counted), so
    each entry's only counted value is its address."""
    return "".join(
        f"【{i + 1}】\n拠点：{b}\n〒：{100 + i}-{1000 + i}\n所在地：{c}\n{person}{phone}：{a}-{1000 + i}\n\n"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    )


def test_an_office_list_of_labelled_entries_with_main_lines_is_places():
    f = found("弊社の拠点一覧です。\n\n" + labelled_entries() + "よろしくお願いいたします。\n")
    assert f["pii.places"].count == f["pii.address"].count >= 11 and "pii.records" not in f
    assert tally(f["pii.address"]) == 0 and tally(f["pii.postal_code"]) == 0
    assert held(f) == []


def test_labelled_entries_of_people_at_their_homes_are_not_places():
    text = "".join(
        f"【{i + 1}】\n氏名：{s} 太郎\n〒：{100 + i}-{1000 + i}\n住所：{c}\n携帯：090-{1000 + i:04d}-{2000 + i:04d}\n\n"
        for i, (s, c) in enumerate(zip(SURNAMES, CITIES))
    )
    f = found("会員一覧です。\n\n" + text)
    assert "pii.places" not in f and held(f) == ["personal-data-list-external"]


def test_addresses_without_premises_stay_third_parties():
    text = "".join(f"【{i + 1}】\n〒{100 + i}-{1000 + i}\n{c}\n\n" for i, c in enumerate(CITIES))
    f = found("送付先です。\n\n" + text)
    assert (
        "pii.places" not in f and tally(f["pii.address"]) == 12 and held(f) == ["personal-data-list-external"]
    )


def test_a_customer_list_typed_in_the_body_stays_people():
    text = "\n".join(
        f"{s} 様\n〒{100 + i}-{1000 + i} {c} 中央ビル3F\nTEL {a}-{1000 + i}\n"
        for i, (s, c, a) in enumerate(zip(SURNAMES, CITIES, AREAS))
    )
    f = found("顧客一覧です。\n\n" + text)
    assert f["pii.records"].count >= 12 and "pii.places" not in f
    assert held(f) == ["personal-data-list-external"]


def test_a_shop_word_in_each_customer_entry_does_not_hide_mobiles():
    text = "".join(
        f"{b}店\n〒{100 + i}-{1000 + i} {c}\n携帯 090-{1000 + i:04d}-{2000 + i:04d}\n"
        for i, (b, c) in enumerate(zip(BRANCHES, CITIES))
    )
    f = found("一覧です。\n\n" + text)
    assert f["pii.records"].count == 12 and "pii.places" not in f


# --- the column reader and the row reader agree on places and owners ----------------------
def _ledger_of(read, table: Table) -> tuple:
    from inspectors.pii.ledger import Ledger
    from inspectors.pii.owners import owners_for
    from inspectors.pii.scanner import Scanner

    ledger = Ledger(owners=owners_for(("sato@client.example",), ("sample.co.jp",), FreemailDomains()))
    read(table, Scanner(TODAY), ledger, False)
    return [(f.code, f.count, f.where, f.evidence) for f in ledger.findings()]


def _mixed_table(seed: int) -> Table:
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(rng.randint(5, 40)):
        kind = rng.random()
        if kind < 0.4:
            name, phone = rng.choice(BRANCHES), f"03-5555-12{i % 100:02d}"
        elif kind < 0.6:
            name, phone = f"{rng.choice(SURNAMES)} 太郎", f"090-{1000 + i:04d}-{2000 + i:04d}"
        else:
            name, phone = (
                f"{rng.choice(SURNAMES)} 次郎",
                f"0{rng.randint(11, 99)}-{rng.randint(200, 999)}-{i:04d}",
            )
        mail = rng.choice(
            [f"u{i}@client.example", f"u{i}@sample.co.jp", f"u{i}@gmail.com", f"u{i}@other.example", ""]
        )
        rows.append((name, rng.choice(CITIES), phone, mail))
    return Table(
        where=f"attachment:m{seed}.xlsx!Sheet1", rows=(("顧客名", "住所", "電話番号", "メール"), *rows)
    )


@pytest.mark.parametrize("seed", range(30))
def test_column_and_row_readers_agree_on_places_and_owners(seed):
    from inspectors.pii.lists import read_rows, read_table

    table = _mixed_table(seed)
    assert _ledger_of(read_table, table) == _ledger_of(read_rows, table)


def test_an_office_list_one_line_per_office():
    text = "弊社拠点の連絡先は以下のとおりです。\n" + "".join(
        f"{b} 〒{100 + i}-{1000 + i} {c} TEL {a}-{1000 + i}\n"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    )
    f = found(text)
    assert "pii.records" not in f and f["pii.places"].count == 12
    assert held(f) == []


def test_a_premises_word_in_the_introduction_names_no_entry():
    """本社 in the sentence above the list is three lines above the first entry's values."""
    text = "本社の総務部より、会員の連絡先をお送りします。\n\n\n" + "".join(
        f"〒{100 + i}-{1000 + i} {c}\nTEL {a}-{1000 + i}\n\n" for i, (c, a) in enumerate(zip(CITIES, AREAS))
    )
    f = found(text)
    assert "pii.places" not in f and f["pii.records"].count == 12


def test_an_office_table_without_a_header_row_is_places():
    text = "拠点一覧です。\n\n" + "".join(
        f"{b}\t〒{100 + i}-{1000 + i}\t{c}\t{a}-{1000 + i}\n"
        for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))
    )
    f = found(text)
    assert "pii.records" not in f and f["pii.places"].count == 12 and held(f) == []


def test_a_customer_table_without_a_header_row_stays_people():
    shops = "".join(
        f"{b}店\t{c}\t携帯 090-{1000 + i:04d}-{2000 + i:04d}\n"
        for i, (b, c) in enumerate(zip(BRANCHES, CITIES))
    )
    names = "".join(
        f"{s} 太郎\t{c}\t{a}-{1000 + i}\n" for i, (s, c, a) in enumerate(zip(SURNAMES, CITIES, AREAS))
    )
    for text in (shops, names):
        f = found("一覧です。\n\n" + text)
        assert "pii.places" not in f and f["pii.records"].count == 12, text
        assert held(f) == ["personal-data-list-external"]


# --- a category column names no row; one block is one organisation, many are a neighbourhood
MEMBERS = [
    f"{1001 + i},{c},{a}-{1000 + i},member{i}@mail{i}.example.jp"
    for i, (c, a) in enumerate(zip(CITIES, AREAS))
]


@pytest.mark.parametrize("shops", [["渋谷店"], ["渋谷店", "新宿店", "池袋店"]])
def test_a_shop_category_column_does_not_make_a_customer_list_places(shops):
    """来店店舗 repeats over the rows: it says where the customer shops, not what the row is."""
    rows = [f"{m},{shops[i % len(shops)]}" for i, m in enumerate(MEMBERS)]
    table = found(csv("会員番号,住所,電話番号,メール,来店店舗", rows))
    headerless = found("会員一覧です。\n\n" + "".join(r.replace(",", "\t") + "\n" for r in rows))
    text = found(
        "会員一覧です。\n\n"
        + "".join(
            f"住所: {m.split(',')[1]}\nTEL: {m.split(',')[2]}\n"
            f"メール: {m.split(',')[3]}\n来店店舗: {shops[i % len(shops)]}\n\n"
            for i, m in enumerate(MEMBERS)
        )
    )
    for f in (table, headerless, text):
        assert "pii.places" not in f and f["pii.records"].count == 12, f
        assert tally(f["pii.phone"]) == 12
        assert held(f) == ["personal-data-list-external"]


def test_a_distinct_shop_column_still_names_its_rows():
    rows = [f"{b},{c},{a}-{1000 + i}" for i, (b, c, a) in enumerate(zip(BRANCHES, CITIES, AREAS))]
    f = found(csv("所属,住所,電話番号", rows))
    assert f["pii.places"].count == 12 and "pii.records" not in f


def _residents(n: int = 300) -> list[str]:
    import random

    rng = random.Random(14)
    exchanges = ["03-3711", "03-3712", "03-3713"]
    numbers = rng.sample(range(10000), n)
    return [
        f"{2001 + i},東京都目黒区中町{i % 30 + 1}-{i % 9 + 1}-{i % 7 + 1},{exchanges[i % 3]}-{k:04d}"
        for i, k in enumerate(numbers)
    ]


def test_a_residential_list_from_a_few_exchanges_is_no_organisations_block():
    rows = _residents()
    table = found(csv("会員番号,住所,電話番号", rows))
    text = found(
        "名簿です。\n\n"
        + "".join(f"会員番号 {m}\n〒152-0000 {a}\nTEL {p}\n\n" for m, a, p in (r.split(",") for r in rows))
    )
    for f in (table, text):
        assert "pii.places" not in f, f["pii.places"]
        assert f["pii.records"].count == 300 and tally(f["pii.phone"]) == 300


def test_a_block_holding_half_the_landlines_is_an_organisations():
    """Twelve department lines of one block and twelve scattered landlines: half, still one organisation."""
    rows = [f"第{i}課,東京都港区芝{i}-1-1,03-5555-12{i:02d}" for i in range(1, 13)] + [
        f"第{i}課,{c},{a}-{1000 + i}" for i, (c, a) in enumerate(zip(CITIES, AREAS), 13)
    ]
    f = found(csv("部署,住所,電話", rows))
    assert f["pii.places"].count == 12 and f["pii.records"].count == 12


def test_signs_tell_fixed_lines_and_mobiles_by_the_numbering_plan():
    from inspectors.pii.signs import has_mobile, number_block

    assert number_block("0312345678") == "03123456" and number_block("81312345678") == "03123456"
    for other in ("0120123456", "05012345678", "09012345678", "0570123456", "031234567"):
        assert number_block(other) == "", other
    assert has_mobile("携帯 090-1234-5678") and has_mobile("+81 80 1234 5678")
    assert not has_mobile("03-1234-5678") and not has_mobile("050-1234-5678")


def test_one_main_line_repeated_on_every_row_is_one_block():
    """Sites that all give the head office's main line: three rows of one number are one block."""
    rows = [f"第{i}現場,東京都港区芝{i}-1-1,03-5555-1200" for i in range(1, 13)]
    f = found(csv("現場,住所,電話", rows))
    assert f["pii.places"].count == 12 and "pii.records" not in f


def typed_branches(row) -> str:
    return "各拠点の所長です。\n\n" + "".join(
        row(i, b, s, c, a) + "\n" for i, (b, s, c, a) in enumerate(zip(BRANCHES, SURNAMES, CITIES, AREAS))
    )


def test_a_typed_branch_list_with_its_managers_is_places():
    f = found(typed_branches(lambda i, b, s, c, a: f"{b}　所長 {s} 一郎　TEL {a}-{1000 + i}　{c}"))
    assert "pii.records" not in f and f["pii.places"].count == 12 and held(f) == []


@pytest.mark.parametrize(
    "row",
    [
        lambda i, b, s, c, a: f"{b}　所長 {s} 一郎　TEL 090-{1200 + i}-{3400 + i}　{c}",  # a mobile
        lambda i, b, s, c, a: f"{s} 一郎　{b}　TEL {a}-{1000 + i}　{c}",  # the person first
        lambda i, b, s, c, a: f"株式会社テスト{i}　{s} 一郎　TEL {a}-{1000 + i}　{c}",  # a company
        lambda i, b, s, c, a: f"{b}　所長 {s} 一郎　{s.lower()}{i}@gmail.com　{c}",  # free-mail
    ],
)
def test_a_typed_contact_person_with_more_than_business_data_is_a_person(row):
    f = found(typed_branches(row))
    assert f["pii.records"].count == 12 and tally(f["pii.records"]) == 12
    assert held(f) == ["personal-data-list-external"]


def test_a_role_mailbox_is_the_premises_a_personal_one_a_persons():
    """info@ belongs to an office; t.sato@ to someone (a business-card list is people)."""
    offices = branches(
        "拠点,住所,電話番号,メール", lambda i, b, s, c, a: f"{b},{c},{a}-{1000 + i},info+{i}@corp.example"
    )
    f = found(offices)
    assert "pii.records" not in f and f["pii.places"].count == 12
    cards = csv(
        "会社名,部署,メール,直通電話",
        [
            f"株式会社テスト{i},営業部,t.{s}{i}@corp{i}.example,{a}-{1000 + i}"
            for i, (s, a) in enumerate(zip("abcdefghijkl", AREAS))
        ],
    )
    f = found(cards)
    assert f["pii.records"].count == 12 and "pii.places" not in f


@pytest.mark.parametrize(
    "header,name",
    [
        (
            "契約者,勤務先,電話番号,住所",
            lambda i: f"{RARE[i]} 一郎,株式会社テスト{i}",
        ),  # surnames off the list
        ("申込者名,勤務先,電話番号,住所", lambda i: f"{RARE[i]}様,株式会社テスト{i}"),
        (
            "店舗名,電話番号,住所",
            lambda i: f"Ichiro {['Sato', 'Kondo', 'Ikeda', 'Hattori', 'Ueno', 'Mori'][i % 6]}",
        ),
        (
            "店舗名,電話番号,住所",
            lambda i: f"{['サトウ', 'コンドウ', 'イケダ', 'ハットリ', 'ウエノ', 'モリ'][i % 6]} イチロウ",
        ),
    ],
)
def test_names_are_people_without_the_surname_list(header, name):
    f = found(csv(header, [f"{name(i)},{a}-{1000 + i},{c}" for i, (c, a) in enumerate(zip(CITIES, AREAS))]))
    assert f["pii.records"].count == 12 and "pii.places" not in f


def test_an_address_to_a_company_is_no_name():
    """宛名 御中 (to the company) under a personal heading names no one: still places."""
    f = found(
        csv(
            "会社名,住所,代表電話,宛名",
            [f"株式会社テスト{i},{c},{a}-{1000 + i},御中" for i, (c, a) in enumerate(zip(CITIES, AREAS))],
        )
    )
    assert "pii.records" not in f and f["pii.places"].count == 12
    f = found(
        csv(
            "店舗名,電話番号,住所",
            [
                f"{s} Store,{a}-{1000 + i},{c}"
                for i, (s, c, a) in enumerate(zip(["Shibuya", "Ginza", "Ueno"] * 4, CITIES, AREAS))
            ],
        )
    )
    assert "pii.records" not in f and f["pii.places"].count == 12


def test_a_postal_code_and_its_address_on_one_line_are_one_persons():
    """records.text_people: 〒 and the address on one line do not start a second person."""
    body = "顧客一覧です。\n\n" + "".join(
        f"{s} 太郎\n〒{100 + i}-{1000 + i} {c}\nTEL {a}-{1000 + i}\n\n"
        for i, (s, c, a) in enumerate(zip(SURNAMES, CITIES, AREAS))
    )
    assert found(body)["pii.records"].count == 12


def test_tenants_of_buildings_are_people_not_contacts():
    """A contact person stands under a staff role (担当者, 所長); a 契約者 or 入居者 of a
    building is its tenant: the list stays people, in a table and typed."""
    f = found(
        csv(
            "建物,部屋,契約者,電話番号",
            [
                f"第{i + 1}中央ビル,{101 + i}号室,{s} 一郎,{a}-{1000 + i}"
                for i, (s, a) in enumerate(zip(SURNAMES, AREAS))
            ],
        )
    )
    assert f["pii.records"].count == 12 and "pii.places" not in f
    body = "入居者一覧です。\n\n" + "".join(
        f"【{i + 1}】\n建物：第{i + 1}中央ビル\n部屋：{101 + i}号室\n契約者：{s} 一郎\n"
        f"電話番号：{a}-{1000 + i}\n\n"
        for i, (s, a) in enumerate(zip(SURNAMES, AREAS))
    )
    f = found(body)
    assert f["pii.records"].count == 12 and "pii.places" not in f
