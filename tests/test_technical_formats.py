"""Technical files (issue 17): formats told by content, and bare numbers in them asked for
evidence. Real files from tests/technical_files.py, read through the extraction and the
personal-data reader as a message's attachment is."""

from __future__ import annotations

import datetime
import json
import random
import time

import pytest

from inspectors.extract.extraction import Extraction
from inspectors.extract.pieces import Member
from inspectors.extract.technical import FORMATS, measurements, recognise
from inspectors.limits import Limits
from inspectors.message import MessageView, Summary
from inspectors.personal_data import PersonalData
from inspectors.view import Envelope
from proxy.pipeline import inspect_raw

from . import technical_files as T
from .eval_set.fabric import People, luhn, my_number, xlsx, zip_of
from .sender_page import held_on, open_store, serving
from .test_explain_findings import INSPECTORS, OURS, mail

TODAY = datetime.date(2026, 12, 3)


class _Sink:
    def __init__(self) -> None:
        self.pieces: list = []

    def text(self, chunk) -> None:
        self.pieces.append(chunk)

    def table(self, table) -> None:
        self.pieces.append(table)


def read(name: str, data: bytes) -> tuple[str, dict[str, int]]:
    """(the attachment's format, {code: count}) of one file sent outside."""
    sink = _Sink()
    extraction = Extraction(Limits(), sink)
    extraction.open(Member(name=name, data=data), "", 1, None)
    view = MessageView(
        envelope=Envelope(mail_from="saeki.k@narumi-ts.co.jp", rcpt_tos=("x@client.example",)), size=1
    )
    reader = PersonalData(today=TODAY, internal_domains=["narumi-ts.co.jp"]).reader(view)
    for piece in sink.pieces:
        (reader.text if hasattr(piece, "text") and isinstance(piece.text, str) else reader.table)(piece)
    return extraction.attachments[0].format, {f.code: f.count for f in reader.findings(view)}


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("BRK.stp", T.step(600), "step"),
        ("part.txt", T.step(600), "step"),  # by content, not by name
        ("BRK.igs", T.iges(), "iges"),
        ("plan.dxf", T.dxf(), "dxf"),
        ("O2611.nc", T.gcode(), "gcode"),
        ("BRK.stl", T.stl(300), "stl"),
        ("readings.csv", T.sensor_csv(), "measurements"),
        ("access.log", T.nginx_log(), "log"),
        ("batch.log", T.stamped([f"job {i} done" for i in range(50)]), "log"),
    ],
)
def test_formats_are_told_by_content_and_their_numbers_are_nobodys(name, data, fmt):
    found, codes = read(name, data)
    assert found == fmt and fmt in FORMATS
    assert not {"pii.phone", "pii.credit_card", "pii.postal_code", "pii.records"} & set(codes), codes


def test_the_same_numbers_in_plain_text_are_still_read():
    """The step file's own lines, without its header, are no STEP file: read as before."""
    body = T.step(3000).decode().split("DATA;", 1)[1]
    found, codes = read("notes.txt", body.encode())
    assert found == "" and (codes.get("pii.phone", 0) + codes.get("pii.credit_card", 0)) > 20


def test_a_customer_list_dressed_as_a_log_is_still_a_list():
    """The attack: a timestamp before each line must not hide names and phones."""
    people = People(3).people(15)
    data = T.stamped([f"{p['name']} {p['phone'].replace('-', '')}" for p in people])
    found, codes = read("export.log", data)
    assert found == "log" and codes["pii.phone"] == 15 and codes["pii.records"] == 15


def test_labelled_and_written_numbers_in_a_log_count():
    card = luhn("411111222233334")
    lines = [
        f"payment ok card={card} amount=1200",  # a key names it
        "callback requested tel=0524417209",  # the catalogue's label
        "call from 090-4417-2093 dur=35s",  # written as a phone number
        f"txn ref {card[:4]} {card[4:8]} {card[8:12]} {card[12:]}",  # a card's groups
        "rid=4539578763621486 rid=09044172094",  # bare runs: no evidence
    ]
    found, codes = read("app.log", T.stamped(lines))
    assert found == "log" and codes["pii.credit_card"] == 1 and codes["pii.phone"] == 2


def test_identifiers_with_their_label_and_mail_addresses_count_in_technical_files():
    author = f"Saeki Kenta / 個人番号 {my_number('70311458220')}"
    assert read("a.stp", T.step(400, author))[1]["pii.my_number"] == 1
    people = People(4).people(12)
    log = T.stamped([f"status=sent to=<{p['email']}>" for p in people])
    assert read("mail.log", log)[1]["pii.email_address"] == 12


def test_a_float_table_with_name_and_phone_columns_keeps_its_people():
    people = [(p["name"], p["phone"]) for p in People(5).people(12)]
    found, codes = read("meters.csv", T.sensor_csv(rows=200, people=people))
    assert found == "measurements"
    assert codes["pii.phone"] == 12 and codes["pii.records"] == 12 and "pii.credit_card" not in codes


@pytest.mark.parametrize(
    "text",
    [
        "氏名,電話\n山田 太郎,090-1234-5678\n" * 5,  # a list: no format
        "ISO-10303-2;\nnot quite\n",
        "solid walls\nthe facet of a gem\n",
        "  0\nnot a section\n  2\nfoo\n  9\nbar\n",
        "Dear all,\nplease see below.\nX1 Y2\nregards\n",
        "\n".join(f"{p['name']} {p['phone']}" for p in People(6).people(10)),
    ],
)
def test_ordinary_text_is_no_technical_format(text):
    assert recognise(text) == ""


def test_measurements_need_mostly_readings():
    assert measurements([("id", "x"), *[(str(i), f"{i}.5") for i in range(10)]]) == ""  # half
    assert measurements([("a", "b", "c"), *[("1.5", "2e-3", "7") for _ in range(10)]]) == "measurements"
    assert measurements([("氏名", "電話"), *[("山田", "090-1234-5678") for _ in range(10)]]) == ""


@pytest.mark.parametrize(
    "text",
    [
        "G" + "1" * 60_000 + "X",  # one long line of G-code shape
        "a b c " * 20_000,  # the access-log timestamp's three fields
        "ISO-10303-21;\n" + "#1=P(" * 200_000,  # a huge STEP body: only the sample is looked at
        "\n".join("N1 G1 X1" + " Y1" * 80 for _ in range(5000)),
    ],
)
def test_recognising_costs_the_sample_only(text):
    started = time.process_time()
    recognise(text)
    assert time.process_time() - started < 0.5


def test_evidence_costs_one_pass_on_a_single_long_line():
    """Thousands of bare numbers on one 1 MB line: the line of each is found once."""
    numbers = " ".join(f"0.0{n:011d}" for n in range(524_000_000, 524_070_000))
    started = time.process_time()
    found, codes = read("one_line.log", T.stamped(["start", "ok", "ok", "ok", numbers, "done"]))
    assert found == "log" and "pii.phone" not in codes
    assert time.process_time() - started < 20


def test_the_page_says_which_attachment_is_cad_data_and_what_was_not_applied(tmp_path):
    """A STEP file (zipped, as CAD data travels) next to a customer list: the list is held,
    the STEP file adds no phone or card, and the page says why its numbers were not read."""
    people = People(9).people(12)
    listing = "氏名,電話番号\r\n" + "".join(f"{p['name']},{p['phone']}\r\n" for p in people)
    raw, env = mail(
        "図面と名簿",
        "お送りします。",
        ("BRK-2611-A.zip", zip_of({"BRK-2611-A.stp": T.step(2000)})),
        ("名簿.csv", listing.encode("utf-8")),
    )
    found = inspect_raw(raw, env, INSPECTORS)
    codes = {f.code: f.count for f in found.findings}
    assert codes["pii.phone"] == 12 and "pii.credit_card" not in codes
    assert found.summary.formats == (("BRK-2611-A.zip", "step"),)
    assert Summary.from_dict(json.loads(json.dumps(found.summary.to_dict()))) == found.summary
    msg = held_on(raw, env, found.findings, found.summary)
    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    with serving(store, msg, OURS, "guard@sample.co.jp") as web:
        en, ja = (web.get(f"/h/tok-Q1?lang={lang}").text for lang in ("en", "ja"))
    assert "STEP CAD data: bare digits are not counted as phone or card numbers" in en
    assert "STEP形式のCADデータ：区切りのない数字だけでは" in ja
    assert en.count('class="muted format"') == 1  # the zip's row, not the list's


def test_a_sheet_of_readings_is_measurements_too():
    """The same readings saved from Excel: calamine gives 15 significant digits."""
    r = random.Random(12)
    rows = [["time", "x_mm", "y_mm", "z_mm"]]
    rows += [
        [f"10:{i // 60:02d}:{i % 60:02d}", *(r.uniform(-300, 300) for _ in range(3))] for i in range(3000)
    ]
    found, codes = read("readings.xlsx", xlsx({"run1": rows}))
    assert found == "measurements"
    assert not {"pii.phone", "pii.credit_card"} & set(codes), codes


@pytest.mark.parametrize(
    ("name", "build"),
    [
        # a list behind a STEP header: the header makes no list of people a CAD file
        (
            "list.stp",
            lambda ppl: (
                "ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\n"
                + "".join(
                    f"#{i}=PERSON('{p['name']}','{p['phone'].replace('-', '')}');\n"
                    for i, p in enumerate(ppl)
                )
            ),
        ),
        # readings with a name and a phone on each row, and no header row
        (
            "meters.csv",
            lambda ppl: "".join(
                f"{i}.25,{i * 0.37:.6f},1.5e-3,{p['name']},{p['phone']}\n" for i, p in enumerate(ppl)
            ),
        ),
        # readings with a contact column under a heading that is no label word
        (
            "contact.csv",
            lambda ppl: (
                "x,y,z,連絡先\n"
                + "".join(
                    f"{i}.25,{i * 0.37:.6f},1.5e-3,{p['phone'].replace('-', '')}\n" for i, p in enumerate(ppl)
                )
            ),
        ),
    ],
)
def test_a_list_in_technical_clothes_keeps_its_phones(name, build):
    people = People(10).people(12)
    found, codes = read(name, build(people).encode("utf-8"))
    assert found in ("step", "measurements") and codes.get("pii.phone") == 12, (found, codes)


def test_telling_readings_costs_a_sample_of_a_wide_table():
    rows = [tuple(f"{i}.{j}" for j in range(16_384)) for i in range(300)]
    started = time.process_time()
    assert measurements(rows) == "measurements"
    assert time.process_time() - started < 0.2


# --- after review (issue 17 item 5): keys as programs write them, structure not magic lines ---
CARDS = ("4111111111111111", "5555555555554444", "4012888888881881", "378282246310005")


@pytest.mark.parametrize(
    "line",
    [
        '{{"orderId":"A1","creditCardNumber":"{card}","amount":3000}}',  # JSON, camelCase
        '{{"cc_number": "{card}"}}',  # JSON, snake case
        "payment ok cardNo={card} amount=3000",  # key=value
        'level=info msg="charged" card-number={card} amount=3000',  # logfmt
        "charged CARD_NUMBER: {card}",
        "charged pan={card}",
    ],
)
def test_a_card_under_a_key_as_programs_write_it_counts_in_a_log(line):
    lines = ["start", "ok", *(line.format(card=c) for c in CARDS), "done"]
    found, codes = read("app.log", T.stamped(lines))
    assert found == "log" and codes.get("pii.credit_card") == len(CARDS), codes


@pytest.mark.parametrize(
    "line",
    [
        '{{"mobileNumber":"{phone}"}}',
        '{{"phoneNumber": "{phone}"}}',
        "sms sent tel_no={phone}",
        'level=info msg="sms" contact.mobile={phone}',
    ],
)
def test_a_phone_under_a_key_as_programs_write_it_counts_in_a_log(line):
    phones = [f"090{3100 + i:04d}{5000 + i:04d}" for i in range(6)]
    found, codes = read("app.log", T.stamped(["start", *(line.format(phone=p) for p in phones), "done"]))
    assert found == "log" and codes.get("pii.phone") == len(phones), codes


@pytest.mark.parametrize(
    "line",
    [
        '{{"requestId":"{card}","hotelId":"{phone}"}}',  # no card or phone word in the key
        "cardinality={card} telemetry={phone}",  # a label word inside another word
        "panel={card} hotel_no={phone}",
    ],
)
def test_keys_that_only_contain_a_label_are_no_label(line):
    lines = [line.format(card=c, phone=f"090{3100 + i:04d}{5000 + i:04d}") for i, c in enumerate(CARDS)]
    found, codes = read("app.log", T.stamped(["start", *lines, "done"]))
    assert found == "log" and not {"pii.credit_card", "pii.phone"} & set(codes), codes


def test_the_reviewers_payment_log_keeps_its_cards():
    """As many cards as in the same lines without their timestamps (no format: read as text)."""
    cards = (*CARDS, "6011111111111117", "3530111333300000", "5105105105105100", "4242424242424242")
    lines = [
        f'2026-11-02 10:15:{i:02d} INFO payment {{"orderId":"A{i:05d}","creditCardNumber":"{c}","amount":3000}}'
        for i, c in enumerate(cards * 4)
    ]
    found, codes = read("app.log", "\n".join(lines).encode())
    plain, text_codes = read("app.txt", "\n".join(line[20:] for line in lines).encode())
    assert (found, plain) == ("log", "")
    assert codes.get("pii.credit_card") == text_codes["pii.credit_card"] >= 7, codes


MOBILES = [f"090-3{d + 100:03d}-{d + 5000:04d}" for d in range(1, 60)]


@pytest.mark.parametrize(
    "text",
    [
        "ISO-10303-21;\n" + "\n".join(MOBILES),  # the magic line alone
        "ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\n" + "\n".join(MOBILES),  # sections, no records
        "solid x\nfacet normal 0 0 1\nvertex 1 2 3\n" + "\n".join(MOBILES),
        "  0\nSECTION\n  2\nHEADER\n" + "\n".join(MOBILES),
        "G21\nG90\nG0 X0 Y0\nG1 X1 Y1\n" + "\n".join(MOBILES),
        "\n".join(MOBILES[:2] + [f"2026-11-02 10:15:0{i} INFO ok" for i in range(3)] + MOBILES[2:]),
    ],
)
def test_a_first_line_makes_no_format(text):
    assert recognise(text) == ""
    found, codes = read("list.txt", text.encode())
    assert found == "" and codes.get("pii.phone") == len(MOBILES), codes


@pytest.mark.parametrize(
    ("fmt", "head"),
    [
        ("step", T.step(400)),
        ("iges", T.iges(300)),
        ("gcode", T.gcode(800)),
        ("stl", T.stl(200)),
        ("log", T.stamped(["ok"] * 400)),
    ],
)
def test_a_real_head_does_not_make_a_list_behind_it_technical(fmt, head):
    """The sample is taken through the whole text: a file that starts as CAD data and goes
    on as a list of people is no CAD file."""
    assert recognise(head.decode()) == fmt
    people = People(11).people(40)
    listing = "".join(f"{p['phone'].replace('-', '')}\n" for p in people) * 60
    assert recognise(head.decode() + listing) == ""


def test_written_numbers_count_in_a_recognised_cad_file():
    """A STEP file full of hyphenated mobiles is a list: numbers written as people write them
    count in every format, as in a log; bare ones still need a label."""
    records = "".join(
        f"#{i + 10}=DESCRIPTIVE_REPRESENTATION_ITEM('','{m}');\n" for i, m in enumerate(MOBILES)
    )
    cards = "#900=DESCRIPTIVE_REPRESENTATION_ITEM('','4111 1111 1111 1111');\n"
    text = T.step(200).decode().replace("ENDSEC;\r\nEND-ISO", records + cards + "ENDSEC;\r\nEND-ISO")
    found, codes = read("BRK.stp", text.encode())
    assert found == "step" and codes.get("pii.phone") == len(MOBILES) and codes.get("pii.credit_card") == 1


def test_company_accounts_stay_exempt_in_technical_files():
    """The configured names (issue 17 item 6) reach the scanner of logs and number tables."""
    from inspectors.account_holders import AccountHolders
    from inspectors.message import TextChunk

    line = "payout 三菱UFJ銀行 名古屋支店 普通 口座番号 1234567 名義 Narumi Techno Service"
    text = T.stamped([line, "ok", "ok", "ok"]).decode()
    view = MessageView(
        envelope=Envelope(mail_from="saeki.k@narumi-ts.co.jp", rcpt_tos=("x@client.example",)),
        size=1,
        texts=(TextChunk(where="payout.log", text=text, format="log"),),
    )
    holders = AccountHolders.of(["鳴海テクノサービス株式会社", "Narumi Techno Service"])
    codes = {f.code for f in PersonalData(today=TODAY, holders=holders).inspect(view)}
    assert "pii.bank_account" not in codes
    assert "pii.bank_account" in {f.code for f in PersonalData(today=TODAY).inspect(view)}


def test_readings_on_top_make_no_table_of_people_measurements():
    readings = [(f"{i}.25", f"{i * 0.37:.6f}", "1.5e-3") for i in range(150)]
    phones = [(f"090{3100 + i:04d}{5000 + i:04d}", "", "") for i in range(600)]
    assert measurements([("x", "y", "z"), *readings]) == "measurements"
    assert measurements([("x", "y", "z"), *readings, *phones]) == ""


def test_a_step_file_whose_exporter_breaks_records_is_step():
    text = T.step(300).decode().replace("',(", "',\r\n  (").replace(",0.));", ",\r\n  0.));")
    assert text.count("\r\n  (") > 200 and recognise(text) == "step"
