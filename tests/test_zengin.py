"""全銀協 (Zengin) transfer files (issue 14 item 3): a dozen payees in 120-byte CP932 records,
no labels, as a .txt/.dat/.fb/.csv attachment, inside a zip and pasted in a body; and what
must not be taken for one (a fixed-width log, a product master, a 120-character line
starting with 1, numbers in prose), and damaged files that still report what they hold."""

from __future__ import annotations

import time
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from inspectors.account_holders import AccountHolders
from inspectors.base import Finding
from inspectors.extract.kind import TypeDetector
from inspectors.message import parse
from inspectors.personal_data import PersonalData
from inspectors.pii import zengin
from rules import MessageFacts, decide, load_rules

from .test_message_mime import ENV, mail_with, texts, zipped

PAYEES = (
    "ﾔﾏﾀﾞ ﾀﾛｳ",
    "ｽｽﾞｷ ﾊﾅｺ",
    "ﾀﾅｶ ｲﾁﾛｳ",
    "ｻﾄｳ ｼﾞﾛｳ",
    "ｲﾄｳ ｻﾌﾞﾛｳ",
    "ﾜﾀﾅﾍﾞ ｹﾝ",
    "ｺﾊﾞﾔｼ ﾕｳｺ",
    "ｶﾄｳ ﾏｺﾄ",
    "ﾖｼﾀﾞ ｱｷﾗ",
    "ﾔﾏﾓﾄ ﾘﾖｳ",
    "ﾅｶﾑﾗ ｱｲ",
    "ｲﾉｳｴ ｼﾞﾕﾝ",
)
OWN_ACCOUNT = "7654321"  # the 依頼人's (ours): in the header, never counted


def header(kind: str = "21") -> str:
    return (
        "1"
        + kind
        + "0"
        + "1234567890"
        + "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ".ljust(40)
        + "0425"
        + "0001"
        + "ﾐｽﾞﾎ".ljust(15)
        + "001"
        + "ﾎﾝﾃﾝ".ljust(15)
        + "1"
        + OWN_ACCOUNT
        + " " * 17
    )


def data(i: int, name: str | None = None) -> str:
    return (
        "2"
        + "0009"
        + "ﾐﾂｲｽﾐﾄﾓ".ljust(15)
        + f"{100 + i % 900:03d}"
        + "ｼﾌﾞﾔ".ljust(15)
        + "0000"
        + "1"
        + f"{1234500 + i:07d}"
        + (name or PAYEES[i % len(PAYEES)]).ljust(30)
        + f"{250000 + i * 1000:010d}"
        + "0"
        + f"{i:010d}"
        + "0" * 10
        + " "
        + " "
        + " " * 7
    )


def trailer(n: int) -> str:
    return "8" + f"{n:06d}" + f"{n * 250000:012d}" + " " * 101


def records(n: int = 12, kind: str = "21", names=None) -> list[str]:
    rows = (
        [header(kind)]
        + [data(i, names[i] if names else None) for i in range(n)]
        + [trailer(n), "9" + " " * 119]
    )
    assert all(len(r) == 120 for r in rows)
    return rows


def zengin_file(n: int = 12, sep: str = "\r\n", eof: bool = True, kind: str = "21", rows=None) -> bytes:
    rows = rows or records(n, kind)
    return (sep.join(rows) + sep).encode("cp932") + (b"\x1a" if eof else b"")


def findings(raw: bytes) -> dict:
    return {f.code: f for f in PersonalData().inspect(parse(raw, ENV))}


def payees_of(raw: bytes) -> tuple[int, int]:
    found = findings(raw)
    return (
        found["pii.bank_account"].count if "pii.bank_account" in found else 0,
        found["pii.records"].count if "pii.records" in found else 0,
    )


# --- recognised wherever it stands --------------------------------------------------------------
@pytest.mark.parametrize("name", ["furikomi.txt", "FB20240425.dat", "sogo.fb", "kyuyo.csv", "FURIKOMI"])
@pytest.mark.parametrize("sep", ["\r\n", "\n", ""])
def test_a_transfer_file_attachment(name, sep):
    found = findings(mail_with((name, zengin_file(sep=sep))))
    accounts, people = found["pii.bank_account"], found["pii.records"]
    assert accounts.count == 12 and people.count == 12
    assert accounts.where == (f"attachment:{name}!records 2-13",) == people.where
    assert accounts.evidence == ("****500", "****501", "****502")  # masked, last three digits


@pytest.mark.parametrize("kind", ["21", "11", "71", "12", "72"])
def test_every_transfer_kind(kind):
    assert payees_of(mail_with(("kyuyo.txt", zengin_file(kind=kind)))) == (12, 12)


def test_inside_a_zip_and_without_line_breaks():
    raw = mail_with(("振込.zip", zipped(**{"202404/furikomi.txt": zengin_file(sep="", eof=False)})))
    found = findings(raw)
    assert found["pii.records"].count == 12
    assert found["pii.records"].where == ("attachment:振込.zip!202404/furikomi.txt!records 2-13",)


def test_pasted_in_a_body_with_prose_around_it():
    text = "\n".join(records())
    body = (
        f"経理部 御中\n\n今月分の振込データです。\n\n{text}\n\nご確認ください。\n山田\n携帯 090-1234-5678\n"
    )
    found = findings(mail_with(body=body))
    assert found["pii.records"].count == 12 and found["pii.records"].where == ("body!records 2-13",)
    assert found["pii.phone"].count == 1  # the text around the file is read as usual


def test_half_width_kana_survive_extraction():
    view = parse(mail_with(("furikomi.txt", zengin_file(sep=""))), ENV)
    text = texts(view)["attachment:furikomi.txt"]
    assert "ﾔﾏﾀﾞ ﾀﾛｳ" in text and len(text) == 15 * 120


def test_the_senders_own_account_is_not_counted():
    found = findings(mail_with(("furikomi.txt", zengin_file(n=1))))
    assert found["pii.bank_account"].count == 1 and found["pii.bank_account"].evidence == ("****500",)
    assert all(OWN_ACCOUNT[-3:] not in e for f in found.values() for e in f.evidence)


def test_company_payees_are_accounts_but_not_people():
    names = ["ｶ)ｴｰｼﾖｳｼﾞ", "ﾋﾞ-ｺｳｷﾞﾖｳ(ｶ", "ﾕ)ｼ-ｼﾖｳｶｲ", "ｲ)ｹﾝｺｳｶｲ"] + list(PAYEES[:2])
    found = findings(mail_with(("furikomi.txt", zengin_file(rows=records(6, names=names)))))
    assert found["pii.bank_account"].count == 6 and found["pii.records"].count == 2


def test_a_vendor_batch_is_still_a_transfer_file():
    """Only company payees: no people, but the batch's accounts go out, so the file is held."""
    names = ["ｶ)ｴｰｼﾖｳｼﾞ", "ﾋﾞ-ｺｳｷﾞﾖｳ(ｶ", "ﾕ)ｼ-ｼﾖｳｶｲ", "ｶ)ﾃﾞｲ-ﾃﾞﾝｷ"]
    found = findings(mail_with(("sogo.fb", zengin_file(rows=records(4, names=names)))))
    assert found["pii.bank_account"].count == 4 and "pii.records" not in found


def test_trailing_blanks_cut_by_an_editor():
    rows = [r.rstrip() for r in records()]
    assert payees_of(mail_with(("furikomi.txt", zengin_file(rows=rows)))) == (12, 12)


def test_one_payee_twice_is_one_person():
    rows = records(3)
    rows[3] = rows[1]
    assert payees_of(mail_with(("furikomi.txt", zengin_file(rows=rows)))) == (2, 2)


# --- the format, record by record -----------------------------------------------------------------
def test_find_numbers_records_and_reads_the_kind():
    (transfer,) = zengin.find("".join(records(3, kind="11")))
    assert transfer.kind == "11" and [p.record for p in transfer.payees] == [2, 3, 4]
    assert [p.name for p in transfer.payees] == list(PAYEES[:3])
    assert transfer.start == 0 and transfer.end == 6 * 120 and transfer.damaged == 0


def test_data_records_without_their_header():
    assert len(zengin.find("\n".join(records()[1:14]))[0].payees) == 12
    assert zengin.find("\n".join(records()[1:3])) == []  # two lines: not clearly a transfer file


# --- hostile and damaged input ---------------------------------------------------------------------
def test_a_truncated_file_reports_what_it_holds():
    raw = zengin_file(sep="")[: 120 * 6 + 50]  # header, five payees, half a sixth
    assert payees_of(mail_with(("furikomi.txt", raw))) == (5, 5)


@pytest.mark.parametrize("sep", ["\r\n", ""])
def test_a_record_of_119_bytes_is_skipped_and_the_rest_read(sep):
    rows = records()
    rows[4] = rows[4][:45] + rows[4][46:]  # a digit of the account lost: every field after moves
    assert payees_of(mail_with(("furikomi.txt", zengin_file(rows=rows, sep=sep)))) == (11, 11)


@pytest.mark.parametrize(
    "junk",
    [bytes(range(256)) * 20, b"\x00" * 5000, bytes(range(128, 256)) * 30, "ｱｲｳ漢字".encode("cp932") * 300],
)
def test_unreadable_past_some_record_still_reports_what_was_read(junk):
    raw = zengin_file(sep="")[: 120 * 7] + junk  # binary after six payees: still read as text
    assert payees_of(mail_with(("furikomi.dat", raw))) == (6, 6)


def test_a_file_opening_with_a_header_is_text_to_the_type_detector():
    damaged = zengin_file(sep="")[: 120 * 3] + b"\x00\x01\x02" * 100
    assert TypeDetector().detect(damaged, "furikomi.dat").name == "text"
    assert TypeDetector().detect(b"121" + bytes(range(256)) * 4, "x.dat").name != "text"


@pytest.mark.slow
@pytest.mark.timing
def test_a_ten_megabyte_file():
    n = 10 * 1024 * 1024 // 120
    started = time.monotonic()
    (transfer,) = zengin.find("".join(records(n)))
    assert len(transfer.payees) == n and transfer.payees[-1].record == n + 1
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "text",
    [
        "1" + "2" * 119,  # starts with 1, 120 characters
        header() + "\n" + "お振込みは 2024年4月25日 に 0009 三井住友銀行 100 渋谷支店 普通 1234567 へ",
        "\n".join(
            f"2{i:04d} {'INFO server started pid=' + str(1000 + i):<60}{i:055d}" for i in range(20)
        ),  # a log
        "\n".join(
            f"2{i:04d}{'ﾎﾞﾙﾄ M8':<15}{i:03d}{'ｽﾃﾝﾚｽ':<15}{i:05d}{'ﾊｺ 100ｺ':<30}{i * 37:010d}{' ' * 37}"
            for i in range(20)
        ),  # a product master, 120 wide
        "2" * 120 * 20,  # digits in every field, names too
        "\n".join(f"2{i:04d}" + "0" * 115 for i in range(20)),  # a numeric fixed-width file
        "口座番号 1234567 と 2345678 の二件、金額 250000 円と 180000 円をお振込みください。",
    ],
)
def test_lookalikes_are_no_transfer_file(text):
    assert zengin.find(text) == []
    found = findings(mail_with(("data.txt", text.encode("cp932"))))
    assert "pii.records" not in found


def test_garbage_bytes_do_not_crash():
    for blob in (b"\x00" * 5000, bytes(range(256)) * 400, b"2" * 100000, b"1" * 120 + b"2" * 120 * 50):
        found = findings(mail_with(("furikomi.fb", blob)))
        assert "pii.records" not in found and "pii.bank_account" not in found


def test_a_part_declared_latin1_keeps_its_kana():
    message = MIMEMultipart()
    message.attach(MIMEText("振込データです。", "plain", "utf-8"))
    part = MIMEBase("text", "plain", charset="iso-8859-1")
    part.set_payload(zengin_file())
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename="furikomi.txt")
    message.attach(part)
    assert payees_of(message.as_bytes()) == (12, 12)


def test_the_default_rules_hold_a_transfer_file_going_out():
    external = Finding(
        code="recipients.external", count=1, where=("header:To",), evidence=("client.example",)
    )
    found = tuple(findings(mail_with(("furikomi.txt", zengin_file()))).values())
    decision = decide(
        found + (external,), MessageFacts(mail_from=ENV.mail_from, rcpt_tos=ENV.rcpt_tos), load_rules()
    )
    assert decision.action == "hold" and "sensitive-id-external" in [m.id for m in decision.enforced]


@pytest.mark.parametrize("width", [72, 76, 78])
@pytest.mark.parametrize("sep", ["", "\n"])
def test_pasted_in_a_body_and_wrapped_by_the_mail_client(width, sep):
    file = sep.join(records())
    wrapped = "\n".join(
        "\n".join(line[i : i + width] for i in range(0, len(line), width)) for line in file.split("\n")
    )
    body = f"お疲れ様です。\n今月分の振込データを貼り付けます。\n\n{wrapped}\n\nよろしくお願いします。\n"
    found = findings(mail_with(body=body))
    assert found["pii.records"].count == 12 and found["pii.bank_account"].count == 12


def test_ordinary_wrapped_prose_is_no_transfer_file():
    line = "20240401 納品予定の件、先日お送りした見積書のとおりで問題ございません。ご確認のほどよろしくお願いいたします。"
    body = "\n".join(line[i : i + 30] for i in range(0, len(line), 30)) * 3
    assert not any(code in findings(mail_with(body=body)) for code in ("pii.records", "pii.bank_account"))


# --- read by byte layout: damaged bytes, full-width names, EBCDIC ----------------------------------
def _each_record(change) -> bytes:
    rows = records()
    return zengin_file(rows=[rows[0], *(change(r) for r in rows[1:13]), *rows[13:]])


# The twelve payees' names in full-width katakana (a 全角 file).
FULL_WIDTH_NAMES = [
    "ヤマダ　タロウ",
    "スズキ　ハナコ",
    "タナカ　イチロウ",
    "サトウ　ジロウ",
    "イトウ　サブロウ",
    "ワタナベ　ケン",
    "コバヤシ　ユウコ",
    "カトウ　マコト",
    "ヨシダ　アキラ",
    "ヤマモト　リヨウ",
    "ナカムラ　アイ",
    "イノウエ　ジユン",
]


@pytest.mark.parametrize("position,char", [(85, "O"), (39, "A"), (60, "&"), (0, " "), (100, "*"), (10, "%")])
@pytest.mark.parametrize("sep", ["\r\n", ""])
def test_one_byte_changed_in_every_record_outside_the_account_fields(position, char, sep):
    rows = records()
    rows = [rows[0], *(r[:position] + char + r[position + 1 :] for r in rows[1:13]), *rows[13:]]
    found = findings(mail_with(("furikomi.txt", zengin_file(rows=rows, sep=sep))))
    assert found["pii.bank_account"].count == 12 and found["pii.records"].count == 12
    assert found["pii.bank_account"].where == ("attachment:furikomi.txt!records 2-13",)


def test_full_width_payee_names_in_shift_jis():
    """15 double-byte characters fill the 30-byte name field: 120 bytes, 105 characters."""
    raw = _each_record(lambda r: r)
    rows = records()
    wide = [r[:50] + FULL_WIDTH_NAMES[i].ljust(15, "\u3000") + r[80:] for i, r in enumerate(rows[1:13])]
    raw = zengin_file(rows=[rows[0], *wide, *rows[13:]])
    assert all(len(w.encode("cp932")) == 120 for w in wide)
    assert payees_of(mail_with(("furikomi.txt", raw))) == (12, 12)


def test_an_ebcdic_file_is_decoded():
    head = header().replace("ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", "K)SAMPLE    ").replace("ﾐｽﾞﾎ", "MIZH").replace("ﾎﾝﾃﾝ", "HNTN")
    body = [
        data(i, f"YAMADA TARO{i}").replace("ﾐﾂｲｽﾐﾄﾓ", "MITSUI ").replace("ｼﾌﾞﾔ", "SBY ") for i in range(12)
    ]
    blob = "".join([head[:3] + "1" + head[4:], *body, trailer(12), "9" + " " * 119]).encode("cp037")
    assert payees_of(mail_with(("furikomi.dat", blob))) == (12, 12)


def test_an_ebcdic_file_that_cannot_be_read_is_reported_not_passed_over():
    """Kana payee names in EBCDIC (JIS8 kana, no codec here) and records damaged past reading:
    the part is named as unscannable."""
    head = (
        "1211"
        + "1234567890"
        + "K)SAMPLE".ljust(40)
        + "0425"
        + "0001"
        + "MIZH".ljust(15)
        + "001"
        + "HNTN".ljust(15)
        + "1"
        + "7654321"
        + " " * 17
    )
    blob = (head + "".join("2" + "X" * 119 for _ in range(12)) + "9" + " " * 119).encode("cp037")
    found = findings(mail_with(("furikomi.dat", blob)))
    assert found["attachment.unscannable"].where == ("attachment:furikomi.dat",)
    assert found["attachment.unscannable"].evidence == ("unreadable: EBCDIC transfer file",)


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(
            f"2{i:04d}{'ﾎﾞﾙﾄ M8':<15}{i:03d}{'ｽﾃﾝﾚｽ':<15}{i:05d}{'ﾊｺ 100ｺ':<30}{i * 37:010d}{' ' * 37}"
            for i in range(20)
        ),  # a product master, 120 wide
        "\n".join(
            f"3{i:04d}{'x' * 15}{i:03d}{'y' * 19}1{i:07d}{'ABC':<70}" for i in range(20)
        ),  # no 2, 1 or 8
        "\n".join(f"2{i:04d}{'x' * 15}{i:03d}{'y' * 19}1{i:07d}{'ABC':<70}" for i in range(2)),  # two records
    ],
)
def test_the_byte_layout_alone_needs_three_marked_records(text):
    found = findings(mail_with(("data.txt", text.encode("cp932"))))
    assert "pii.bank_account" not in found and "pii.records" not in found


@pytest.mark.parametrize(
    "text",
    [
        ("2" * 60 + "a" * 60 + "\n") * 16000,
        ("2" * 130 + "\n") * 16000,
        ("0123456789 abc\n" * 140000),
        "2" * 2_000_000,
    ],
)
@pytest.mark.timing
def test_the_byte_layout_search_is_linear(text):
    started = time.perf_counter()
    zengin.read("attachment:x.txt", text, __import__("inspectors.pii.ledger", fromlist=["Ledger"]).Ledger())
    assert time.perf_counter() - started < 2.0


# --- payees that are our own company or a configured client (issue 17 follow-up) ------------------
NAMED_HOLDERS = AccountHolders.of(
    ("鳴海テクノサービス株式会社", "NARUMI TECHNO SERVICE", "ナルミテクノサービス", "株式会社ミツワショウジ")
)
# Ours and a client's as bank systems write them: no ｶ), small kana large (ｼﾖｳ), - for the long vowel.
NAMED_PAYEES = ["ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ", "ﾐﾂﾜｼﾖｳｼﾞ", "NARUMI TECHNO SERVICE", "ﾐﾂﾜ ﾀﾛｳ", *PAYEES[:2]]


def test_payees_named_as_our_company_or_a_client_are_not_people():
    raw = mail_with(("furikomi.txt", zengin_file(rows=records(6, names=NAMED_PAYEES))))
    found = {f.code: f for f in PersonalData(holders=NAMED_HOLDERS).inspect(parse(raw, ENV))}
    assert found["pii.bank_account"].count == 6  # every account of the batch still counts
    assert found["pii.records"].count == 3  # ﾐﾂﾜ ﾀﾛｳ is a person, not ﾐﾂﾜｼﾖｳｼﾞ
    assert payees_of(raw) == (6, 6)  # without the names, only a corporate form tells


def test_named_payees_read_by_byte_layout():
    rows = records(6, names=NAMED_PAYEES)
    damaged = [rows[0], *(r[:85] + "O" + r[86:] for r in rows[1:7]), *rows[7:]]  # zengin.find fails
    raw = mail_with(("furikomi.txt", zengin_file(rows=damaged)))
    found = {f.code: f for f in PersonalData(holders=NAMED_HOLDERS).inspect(parse(raw, ENV))}
    assert found["pii.bank_account"].count == 6 and found["pii.records"].count == 3
