"""An attacker's view of issue 14: every rule that makes the guard hold less (places are not
people, data going back to its owner, quoted tables) is also a way to get a real list out
unheld. Each test is a realistic message run through the relay's own pipeline
(proxy.pipeline.inspect_raw with the inspectors built from a guard.yaml) and the shipped
default rules. Attacks the product does not resist yet are `xfail(strict=True)`: the reason
names what the guard did, what it should do and where the cause lies."""

from __future__ import annotations

import io
import time
import zipfile
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from inspectors.base import Finding
from inspectors.pii import zengin
from inspectors.pii.ledger import Ledger
from proxy.check import envelope_of, report
from proxy.pipeline import build_inspectors, inspect_raw, inspector_config
from proxy.settings import load_settings
from quarantine.display import clean
from quarantine.explain import sentences
from rules import load_rules

from . import names
from .names import RARE, ROMAN
from .test_zengin import FULL_WIDTH_NAMES, trailer
from .test_zengin import data as zengin_data
from .test_zengin import header as zengin_header
from .test_zengin import records as zengin_records

GUARD = """organization:
  internal_domains: [sample.co.jp]
  clients:
    - name: 株式会社エー
      aliases: [エー社]
      domains: [a-corp.co.jp, a-corp.com]
    - name: 株式会社ビー
      domains: [b-corp.co.jp]
"""
SENDER = "yamada@sample.co.jp"
CLIENT = "sato@a-corp.co.jp"
SURNAMES = names.SURNAMES[:12]
GIVEN = ["太郎", "花子", "一郎", "由美", "健太", "美咲", "翔太", "陽子", "大輔", "恵子", "直樹", "真由美"]
HOMES = [
    "東京都世田谷区桜新町1-2-3",
    "神奈川県横浜市港北区日吉2-3-4",
    "埼玉県さいたま市浦和区高砂3-4-5",
    "千葉県船橋市本町4-5-6",
    "大阪府豊中市新千里東町1-1-1",
    "愛知県名古屋市千種区今池2-2-2",
    "福岡県福岡市中央区天神3-3-3",
    "北海道札幌市北区北七条西4-4-4",
    "宮城県仙台市青葉区一番町5-5-5",
    "京都府京都市左京区岡崎6-6-6",
    "兵庫県神戸市灘区六甲台町7-7",
    "広島県広島市南区比治山本町8-8",
]
KANA = [
    "サトウ タロウ",
    "スズキ ハナコ",
    "タカハシ イチロウ",
    "タナカ ユミ",
    "イトウ ケンタ",
    "ワタナベ ミサキ",
    "ヤマモト ショウタ",
    "ナカムラ ヨウコ",
    "コバヤシ ダイスケ",
    "カトウ ケイコ",
    "ヨシダ ナオキ",
    "ヤマダ マユミ",
]
N = 12


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    path = tmp_path_factory.mktemp("guard") / "guard.yaml"
    path.write_text(GUARD, encoding="utf-8")
    return build_inspectors(inspector_config(load_settings(path, environ={})))


def mail(
    body: str = "資料をお送りします。",
    *,
    to: str = CLIENT,
    cc: str = "",
    bcc: str = "",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = SENDER, to, "資料送付"
    if cc:
        message["Cc"] = cc
    if bcc:
        message["Bcc"] = bcc
    message.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def verdict(guard, raw: bytes, rcpts: tuple[str, ...] = ()) -> dict:
    envelope = envelope_of(raw, None, list(rcpts))
    out = report(inspect_raw(raw, envelope, guard).findings, envelope, load_rules(), False)
    out["enforced"] = [r["id"] for r in out["rules"] if r["mode"] == "enforce"]
    out["monitored"] = [r["id"] for r in out["rules"] if r["mode"] == "monitor"]
    out["codes"] = {f["code"]: f for f in out["findings"]}
    return out


def csv(header: str, row, n: int = N) -> bytes:
    return ("\n".join([header, *(row(i) for i in range(n))]) + "\n").encode("utf-8")


def listed(guard, header: str, row, n: int = N, **kw) -> dict:
    rcpts = kw.pop("rcpts", ())
    return verdict(guard, mail(attachments=(("list.csv", csv(header, row, n), "text/csv"),), **kw), rcpts)


def landline(i: int) -> str:
    return f"03-{3400 + i * 7:04d}-{1000 + i * 13:04d}"


def mobile(i: int) -> str:
    return f"090-{1234 + i:04d}-{5678 + i:04d}"


def tally(result: dict, name: str, code: str = "pii.records") -> int:
    evidence = result["codes"].get(code, {}).get("evidence", [])
    return next((int(e.split("=")[1]) for e in evidence if e.startswith(name + "=")), 0)


HELD = "personal-data-list-external"


def xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


# --- 1. a customer list dressed up as places -----------------------------------------------------
@pytest.mark.parametrize(
    "header,row",
    [
        (
            "店舗名,お客様,電話番号,住所",
            lambda i: f"渋谷店,{SURNAMES[i]} {GIVEN[i]},{landline(i)},{HOMES[i]}",
        ),
        ("拠点名,電話番号,住所", lambda i: f"{SURNAMES[i]}{GIVEN[i]}様宅,{landline(i)},{HOMES[i]}"),
        (
            "氏名,建物,電話番号,住所",
            lambda i: f"{SURNAMES[i]} {GIVEN[i]},グリーンビル,{landline(i)},{HOMES[i]}",
        ),
        ("会社名,電話番号,住所", lambda i: f"{SURNAMES[i]} {GIVEN[i]},{landline(i)},{HOMES[i]}"),
        (
            "お名前,担当店,電話番号,住所",
            lambda i: f"{SURNAMES[i]} {GIVEN[i]},渋谷店,{landline(i)},{HOMES[i]}",
        ),
        ("店舗名,生年月日,電話番号,住所", lambda i: f"渋谷店,1980/{1 + i}/{10 + i},{landline(i)},{HOMES[i]}"),
        ("店舗名,メール,住所", lambda i: f"渋谷店,{ROMAN[i]}{i}@gmail.com,{HOMES[i]}"),
        (
            "氏名,電話番号,住所",
            lambda i: f"{SURNAMES[i]} {GIVEN[i]},03-3456-78{i:02d},{HOMES[i]}",
        ),  # one block
        ("氏名,電話番号,住所", lambda i: f"{KANA[i]},03-3456-78{i:02d},{HOMES[i]}"),
        ("建物名,部屋,電話番号,住所", lambda i: f"サンハイツ{i}ビル,{100 + i}号室,{landline(i)},{HOMES[i]}"),
        (
            "宛名,来店店舗,電話番号,住所",
            lambda i: f"{SURNAMES[i]}{GIVEN[i]}様,渋谷店,{landline(i)},{HOMES[i]}",
        ),
        (
            "氏名,勤務先,電話番号,住所",
            lambda i: f"{RARE[i]} {GIVEN[i]},株式会社テスト{i},{landline(i)},{HOMES[i]}",
        ),
    ],
)
def test_a_customer_list_in_shop_clothing_is_still_held(guard, header, row):
    result = listed(guard, header, row)
    assert HELD in result["enforced"] and tally(result, "third_parties") == N


@pytest.mark.parametrize(
    "header,row",
    [
        # Home addresses, phones and individual mailboxes; one free-text note says 本店扱い.
        pytest.param(
            "備考,電話番号,住所,メール",
            lambda i: f"本店扱い,{landline(i)},{HOMES[i]},{ROMAN[i]}@example{i}.co.jp",
            id="shop_customers_without_a_name_column_are_not_a_shop",
        ),
        pytest.param(
            "店舗名,電話番号,住所",
            lambda i: f"Taro {ROMAN[i].capitalize()},{landline(i)},{HOMES[i]}",
            id="romaji_names_under_a_shop_heading",
        ),
        pytest.param(
            "フリガナ,電話番号,住所",
            lambda i: f"{KANA[i]},03-3456-78{i:02d},{HOMES[i]}",
            id="kana_names_with_phones_in_one_block",
        ),
        pytest.param(
            "会社名,部署,メール,直通電話",
            lambda i: f"株式会社テスト{i},営業部,t.{ROMAN[i]}@corp{i}.co.jp,{landline(i)}",
            id="a_business_card_list_is_people",
        ),
        pytest.param(
            "契約者,勤務先,電話番号,住所",
            lambda i: f"{RARE[i]} {GIVEN[i]},株式会社テスト{i},{landline(i)},{HOMES[i]}",
            id="customers_with_an_employer_column_and_less_common_surnames",
        ),
    ],
)
def test_a_customer_list_by_any_other_heading_is_held(guard, header, row):
    assert HELD in listed(guard, header, row)["enforced"]


def test_a_typed_customer_list_with_an_employer_line_is_not_twelve_signatures(guard):
    body = "顧客一覧です。\n\n" + "\n".join(
        f"{SURNAMES[i]} {GIVEN[i]}\n勤務先: 株式会社テスト{i}\n〒150-{1000 + i:04d} {HOMES[i]}\nTEL {mobile(i)}\n"
        for i in range(N)
    )
    assert HELD in verdict(guard, mail(body))["enforced"]


def test_a_typed_list_counts_each_person_once(guard):
    body = "顧客一覧です。\n\n" + "\n".join(
        f"{SURNAMES[i]} {GIVEN[i]}\n〒150-{1000 + i:04d} {HOMES[i]}\nTEL {landline(i)}\n" for i in range(N)
    )
    assert verdict(guard, mail(body))["codes"]["pii.records"]["count"] == N


# --- 2. third parties' data passed off as the owner's --------------------------------------------
CUSTOMERS = "氏名,電話番号,住所,担当者メール"


@pytest.mark.parametrize(
    "header,row",
    [
        pytest.param(
            CUSTOMERS,
            lambda i: f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},{HOMES[i]},eigyo@a-corp.co.jp",
            id="a_shared_mailbox_on_each_row_does_not_launder_a_list",
        ),
        pytest.param(
            "氏名,電話番号,住所,メールアドレス",
            lambda i: f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},{HOMES[i]},{ROMAN[i]}@sample.co.jp",
            id="our_staffs_home_addresses_and_mobiles_to_a_client",
        ),
        pytest.param(
            "氏名,電話番号,メール,勤務先メール",
            lambda i: f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},{ROMAN[i]}@gmail.com,{ROMAN[i]}@a-corp.co.jp",
            id="a_second_address_at_the_recipient_does_not_launder_a_row",
        ),
    ],
)
def test_a_list_of_third_parties_is_held_whoever_it_seems_to_be_of(guard, header, row):
    assert HELD in listed(guard, header, row)["enforced"]


@pytest.mark.parametrize("contact", [SENDER, CLIENT, "tanaka@a-corp.co.jp", "rep@sample.co.jp"])
def test_a_customer_list_with_the_account_managers_address_on_each_row(guard, contact):
    result = listed(guard, CUSTOMERS, lambda i: f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},{HOMES[i]},{contact}")
    assert HELD in result["enforced"] and result["codes"]["pii.records"]["count"] == N


def test_a_list_split_between_both_owners_is_still_seen(guard):
    result = listed(
        guard,
        "氏名,電話番号,住所,メールアドレス",
        lambda i: (
            f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},"
            f"{HOMES[i]},{ROMAN[i]}@{'a-corp.co.jp' if i % 2 else 'sample.co.jp'}"
        ),
    )
    assert "personal-data-list-owner" in result["monitored"] or HELD in result["enforced"]


@pytest.mark.parametrize(
    "domain,kw",
    [
        ("gmail.com", {"to": "someone@gmail.com"}),  # free-mail is nobody's org
        ("a-corp.co.jp", {"to": f"{CLIENT}, x@b-corp.co.jp"}),  # two organisations
        ("a-corp.co.jp", {"to": "sato@a-corp-co.jp"}),  # look-alike recipient
        ("a-corp.co.jp.evil.example", {}),  # look-alike in the list
        ("ocn.ne.jp", {"to": "x@abc.ocn.ne.jp"}),
        ("docomo.ne.jp", {"to": "x@docomo.ne.jp"}),  # ISPs, carriers
        (
            "a-corp.co.jp",
            {"to": "boss@sample.co.jp", "bcc": "x@b-corp.co.jp, sato@a-corp.co.jp"},
        ),  # Bcc: 2 orgs
        ("evil-a-corp.co.jp", {}),
    ],
)
def test_third_parties_stay_third_parties(guard, domain, kw):
    result = listed(
        guard,
        "氏名,電話番号,住所,メールアドレス",
        lambda i: f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},{HOMES[i]},{ROMAN[i]}@{domain}",
        **kw,
    )
    assert HELD in result["enforced"] and tally(result, "third_parties") == N


@pytest.mark.parametrize(
    "recipient,domain", [("x@kcn.ne.jp", "kcn.ne.jp"), ("x@foo.sakura.ne.jp", "bar.sakura.ne.jp")]
)
def test_subscribers_of_an_unlisted_isp_are_not_the_recipients_organisation(guard, recipient, domain):
    result = listed(
        guard,
        "氏名,電話番号,住所,メールアドレス",
        lambda i: f"{SURNAMES[i]} {GIVEN[i]},{mobile(i)},{HOMES[i]},{ROMAN[i]}@{domain}",
        to=recipient,
    )
    assert HELD in result["enforced"]


def test_the_envelope_decides_the_owner_not_the_to_header(guard):
    # Header To an outsider, envelope to the client: the list goes to the client's mailbox.
    result = listed(
        guard,
        "氏名,部署,電話番号,メールアドレス",
        lambda i: f"{SURNAMES[i]} {GIVEN[i]},営業部,06-6123-{4500 + i},{ROMAN[i]}@a-corp.co.jp",
        to="x@evil.example",
        rcpts=(CLIENT,),
    )
    assert tally(result, "recipient_org") == N
    result = listed(
        guard,
        "氏名,部署,電話番号,メールアドレス",
        lambda i: f"{SURNAMES[i]} {GIVEN[i]},営業部,06-6123-{4500 + i},{ROMAN[i]}@a-corp.co.jp",
        to=CLIENT,
        rcpts=("x@evil.example",),
    )
    assert HELD in result["enforced"]


@xfail(
    "owners_for uses the registered domain only, not the client directory: a client with two "
    "domains (a-corp.co.jp, a-corp.com) gets its own staff list held as third parties' (false hold)"
)
def test_a_clients_staff_list_back_to_the_client_under_its_other_domain(guard):
    result = listed(
        guard,
        "氏名,部署,電話番号,メールアドレス",
        lambda i: f"{SURNAMES[i]} {GIVEN[i]},営業部,06-6123-{4500 + i},{ROMAN[i]}@a-corp.com",
    )
    assert HELD not in result["enforced"]


# --- 3. quoted tables --------------------------------------------------------------------------------
TAB_ROWS = ["氏名\t電話番号\t住所\tメール"] + [
    f"{SURNAMES[i]} {GIVEN[i]}\t{mobile(i)}\t{HOMES[i]}\t{ROMAN[i]}@gmail.com" for i in range(N)
]
QUOTE_HEAD = "お世話になっております。\n\n2024年4月1日 10:00 佐藤 <sato@a-corp.co.jp>:\n"


@pytest.mark.parametrize(
    "prefix",
    [
        lambda i: "> ",
        lambda i: ">",
        lambda i: "| ",
        lambda i: ">> " if i % 2 else "> ",
        lambda i: "> " if i % 3 == 0 else "",
        lambda i: ">> " if i > 6 else "> ",
        lambda i: "" if i == 0 else "> ",
    ],
)
def test_a_quoted_table_counts_like_an_unquoted_one(guard, prefix):
    body = QUOTE_HEAD + "\n".join(prefix(i) + r for i, r in enumerate(TAB_ROWS)) + "\n"
    result = verdict(guard, mail(body))
    assert HELD in result["enforced"]
    assert tally(result, "third_parties", "pii.phone") == N and tally(result, "third_parties") == N


def test_a_quoted_table_with_blank_quote_lines_between_rows(guard):
    body = QUOTE_HEAD + "\n>\n".join("> " + r for r in TAB_ROWS) + "\n"
    result = verdict(guard, mail(body))
    assert tally(result, "third_parties", "pii.phone") == N


def test_filler_rows_ahead_of_a_quoted_list(guard):
    filler = ["> -\t-\t-\t-"] * 70
    body = QUOTE_HEAD + "\n".join(["> " + TAB_ROWS[0], *filler, *("> " + r for r in TAB_ROWS[1:])]) + "\n"
    result = verdict(guard, mail(body))
    assert tally(result, "third_parties") == N and tally(result, "third_parties", "pii.phone") == N


# --- 4. Zengin transfer files ------------------------------------------------------------------------
def transfer(rows: list[str], sep: str = "\r\n", encoding: str = "cp932") -> bytes:
    return (sep.join(rows) + sep).encode(encoding)


def sent_file(guard, blob: bytes, name: str = "furikomi.txt", mime: str = "application/octet-stream") -> dict:
    return verdict(guard, mail("振込データです。", attachments=((name, blob, mime),)))


def zipped(name: str, blob: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, blob)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "blob,name",
    [
        (transfer(zengin_records()), "furikomi.txt"),
        (transfer(zengin_records()), "transfer.csv"),
        (transfer(zengin_records(), encoding="utf-8"), "furikomi.dat"),
        (transfer(zengin_records(), encoding="utf-16"), "furikomi.fb"),
        (zipped("inner.zip", zipped("furikomi.txt", transfer(zengin_records()))), "data.zip"),
        (transfer(zengin_records(names=[f"YAMADA TARO{i}" for i in range(N)])), "furikomi.txt"),
    ],
)
def test_a_transfer_file_is_held_however_it_is_carried(guard, blob, name):
    result = sent_file(guard, blob, name)
    assert result["codes"]["pii.bank_account"]["count"] == N and HELD in result["enforced"]


def _one_byte_off(position: int, char: str) -> bytes:
    rows = zengin_records()
    return transfer(
        [rows[0], *(r[:position] + char + r[position + 1 :] for r in rows[1 : N + 1]), *rows[N + 1 :]]
    )


@pytest.mark.parametrize("position,char", [(85, "O"), (39, "A"), (80, "&"), (0, " ")])
def test_a_transfer_file_with_one_byte_changed_per_record(guard, position, char):
    result = sent_file(guard, _one_byte_off(position, char))
    assert result["codes"].get("pii.bank_account", {}).get("count") == N


@pytest.mark.parametrize("width", [76, 78])
def test_a_transfer_file_wrapped_at_mail_width(guard, width):
    flat = "".join(zengin_records())
    body = (
        "振込データを貼ります。\n\n"
        + "\n".join(flat[i : i + width] for i in range(0, len(flat), width))
        + "\n"
    )
    result = verdict(guard, mail(body))
    assert result["codes"].get("pii.bank_account", {}).get("count") == N


def test_full_width_payee_names(guard):
    rows = zengin_records()
    wide = [r[:56] + FULL_WIDTH_NAMES[i].ljust(15, "\u3000") + r[86:] for i, r in enumerate(rows[1 : N + 1])]
    result = sent_file(guard, transfer([rows[0], *wide, *rows[N + 1 :]]))
    assert result["codes"].get("pii.bank_account", {}).get("count") == N


def test_an_ebcdic_transfer_file(guard):
    head = (
        zengin_header().replace("ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", "K)SAMPLE    ").replace("ﾐｽﾞﾎ", "MIZH").replace("ﾎﾝﾃﾝ", "HNTN")
    )
    head = head[:3] + "1" + head[4:]
    body = [
        zengin_data(i, f"YAMADA TARO{i}").replace("ﾐﾂｲｽﾐﾄﾓ", "MITSUI ").replace("ｼﾌﾞﾔ", "SBY ")
        for i in range(N)
    ]
    blob = "".join([head, *body, trailer(N), "9" + " " * 119]).encode("cp500")
    result = sent_file(guard, blob, "furikomi.dat")
    assert "pii.bank_account" in result["codes"] or "attachment.unscannable" in result["codes"]


@pytest.mark.parametrize(
    "text",
    [
        zengin_data(1)[:110] * 18_000,  # near-misses without line breaks
        "2" * 2_000_000,
        (zengin_data(1)[:-31] + "&" * 31) * 16_000,  # every record spoilt at its end
        (zengin_data(1) + zengin_data(1)[:119]) * 8_000,  # every other record damaged
    ],
)
@pytest.mark.timing
def test_crafted_text_does_not_make_the_record_search_slow(text):
    started = time.perf_counter()
    zengin.read("attachment:x.txt", text, Ledger())
    assert time.perf_counter() - started < 2.0


# --- 5. the new identifiers ------------------------------------------------------------------------
LICENCE, RESIDENT = "301234567810", "24727059608"


def ids(guard, body: str) -> set[str]:
    return {c.removeprefix("pii.") for c in verdict(guard, mail(body))["codes"]} & {
        "drivers_license",
        "resident_code",
        "pension_number",
    }


@pytest.mark.parametrize(
    "body,code",
    [
        ("運転免許証番号 3012 3456 7810", "drivers_license"),
        ("運転免許証番号 ３０１２ ３４５６ ７８１０", "drivers_license"),
        (f"Driver's License Number: {LICENCE}", "drivers_license"),
        (f"免許証No.{LICENCE}", "drivers_license"),
        (f"運転免許証\n番号\n{LICENCE}", "drivers_license"),
        ("運転免許証番号 3 0 1 2 3 4 5 6 7 8 1 0", "drivers_license"),
        ("住民票コード 247 2705 9608", "resident_code"),
        ("住民票コード ２４７２７\u3000０５９６０８", "resident_code"),
        (f"住民票ｺｰﾄﾞ {RESIDENT}", "resident_code"),
        (f"住民票コード（11桁） {RESIDENT}", "resident_code"),
        ("基礎年金番号 １２３４\u3000５６７８９０", "pension_number"),
        ("基礎年金番号 1234‐567890", "pension_number"),
        ("年金番号 1234-567890", "pension_number"),
    ],
)
def test_identifiers_written_loosely_are_found(guard, body, code):
    assert code in ids(guard, body)


@pytest.mark.parametrize(
    "body,code",
    [
        (f"Resident Record Code: {RESIDENT}", "resident_code"),
        (f"住民票 コード {RESIDENT}", "resident_code"),
        ("Basic Pension Number: 1234-567890", "pension_number"),
        pytest.param("基礎年金番号 1234 - 567890", "pension_number"),
    ],
)
def test_identifiers_under_english_or_spaced_labels(guard, body, code):
    assert code in ids(guard, body)


@pytest.mark.parametrize(
    "label,value,code",
    [
        ("運転免許証番号", LICENCE, "drivers_license"),
        ("住民票コード", RESIDENT, "resident_code"),
        ("基礎年金番号", "1234-567890", "pension_number"),
    ],
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_label_and_number_separated_by_empty_or_merged_cells(guard, label, value, code, kind):
    if kind == "csv":
        name, blob, mime = "form.csv", f"{label},,,{value}\n氏名,,,山田 太郎\n".encode(), "text/csv"
    else:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet["A1"], sheet["D1"], sheet["A2"], sheet["D2"] = label, value, "氏名", "山田 太郎"
        sheet.merge_cells("A1:C1")
        sheet.merge_cells("A2:C2")
        buffer = io.BytesIO()
        book.save(buffer)
        name, blob, mime = "form.xlsx", buffer.getvalue(), "application/octet-stream"
    result = verdict(guard, mail(attachments=((name, blob, mime),)))
    assert "pii." + code in result["codes"]


# --- 6. the sender page -----------------------------------------------------------------------------
def records_finding(where: str, sample: str = "12 people: phone") -> Finding:
    return Finding(
        code="pii.records",
        count=12,
        where=(where,),
        evidence=("third_parties=12", "recipient_org=0", "own_org=0", sample),
    )


@pytest.mark.parametrize(
    "name",
    [
        "a\u202ecod.exe",
        "line1\nline2\r\n.csv",
        "x\u2028y\u0085z.csv",
        "\u2066a\u2069\u200b.csv",
        "x" * 5000 + ".exe",
    ],
)
def test_file_names_cannot_break_lines_reverse_or_overflow_a_sentence(name):
    for text in sentences(records_finding(f"attachment:{name}!A2:D13")):
        assert not any(c in text for c in "\n\r\u2028\u0085\u202e\u2066\u2069\u200b")
        assert len(text) < 160
    assert clean("<b>\u202e" + "y" * 500) == "<b> " + "y" * 75 + "…"


def test_a_file_name_cannot_forge_a_sentence():
    name = "顧客.csv』は確認済みで問題ありません。そのまま送信してください。『x.csv"
    ja, _ = sentences(records_finding(f"attachment:{name}!A2:D13"))
    assert ja.count("『") == ja.count("』") == 1


@xfail("a file name holding '!' is split as an archive path: 'a!b.csv' shows as 『a』の中の『b.csv』")
def test_a_bang_in_a_file_name_is_not_an_archive():
    ja, _ = sentences(records_finding("attachment:a!b.csv!A2:D13"))
    assert "の中の" not in ja
