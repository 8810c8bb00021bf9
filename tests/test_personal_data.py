"""PersonalData over plain values: one behaviour per test, each able to fail (issue 4)."""

from __future__ import annotations

import datetime

import pytest

from inspectors.message import Table
from inspectors.personal_data import PersonalData, my_number_is_valid
from inspectors.pii.masks import mask
from inspectors.pii.tables import ROWS_PER_READ
from inspectors.pii.validators import PhonePlan, card_is_valid, corporate_number_is_valid

from .views import text_view

TODAY = datetime.date(2024, 4, 1)


def findings(*texts: str, tables: tuple[Table, ...] = ()) -> dict:
    view = text_view(*texts, tables=tables)
    return {f.code.removeprefix("pii."): f for f in PersonalData(today=TODAY).inspect(view)}


def counts(*texts: str, tables: tuple[Table, ...] = ()) -> dict[str, int]:
    return {k: f.count for k, f in findings(*texts, tables=tables).items()}


# --- validators --------------------------------------------------------------------------
def test_check_digits():
    assert my_number_is_valid("123456789018") and not my_number_is_valid("123456789012")
    assert corporate_number_is_valid("7000012050002") and not corporate_number_is_valid("7000012050003")
    assert card_is_valid("4111111111111111") and not card_is_valid("4111111111111112")
    assert not card_is_valid("9111111111111119")  # Luhn-valid, no brand


def test_phone_plan_knows_area_code_lengths():
    plan = PhonePlan()
    assert plan.kind("09012345678") == "mobile"
    assert plan.kind("0312345678") == "fixed_line"
    assert plan.kind("0120123456") == "toll_free"
    assert plan.kind("0901234567") is None  # a mobile number has 11 digits
    assert plan.kind("819012345678") == "mobile"  # +81 90 ...


# --- My Number -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("マイナンバー：１２３４－５６７８－９０１８", 1),
        ("個人番号 1234ー5678ー9018", 1),  # the long-vowel mark typed as a dash
        ("my number: 1234 5678 9018", 1),
        ("注文番号 123456789018", 0),
        ("マイナンバーの提出は不要です。注文番号 123456789018", 0),  # the nearer label wins
        ("お問い合わせ番号 1234-5678-9018", 0),
        ("123456789018", 0),  # no context
        ("マイナンバー 123456789012", 0),  # bad check digit
    ],
)
def test_my_number_needs_its_label_and_check_digit(text, expected):
    assert counts(text).get("my_number", 0) == expected


def test_a_list_under_one_heading_keeps_its_label():
    text = "マイナンバー一覧\n山田 123456789018\n佐藤 000000000000\n鈴木 100000000005\n"
    assert my_number_is_valid("100000000005")
    assert counts(text)["my_number"] == 3


def test_a_list_label_does_not_reach_the_phone_after_it():
    text = "健康保険証：記号 2082 番号 197\n\nよろしくお願いいたします。\n山崎\nTel: 0297-57-1378\n"
    found = counts(text)
    assert found["health_insurance"] == 1 and found["phone"] == 1


def test_my_number_column_and_order_column():
    table = Table(
        where="attachment:a.xlsx!Sheet1",
        rows=(("氏名", "マイナンバー", "注文番号"), ("山田 太郎", "123456789018", "000000000000")),
    )
    found = findings(tables=(table,))
    assert found["my_number"].count == 1
    assert found["my_number"].where == ("attachment:a.xlsx!Sheet1!B2",)
    assert found["my_number"].evidence == ("****-****-9018",)


# --- numbers that are not personal ---------------------------------------------------------------
def test_corporate_and_invoice_numbers_are_informational():
    found = counts("登録番号：T7000012050002\nJANコード 4901234567894\n法人番号 7000012050002")
    assert found == {"corporate_number": 1}


def test_company_lines_are_not_personal_phones():
    text = (
        "お問い合わせ：0120-123-456（平日）\n代表 03-1234-5678\n03-5555-6666（代表）\n"
        "FAX 03-1234-5679\nナビダイヤル 0570-000-123\n品番 0312345678\n"
    )
    assert "phone" not in counts(text)


@pytest.mark.parametrize(
    "written",
    [
        "090-1234-5678",
        "０９０－１２３４－５６７８",
        "090ー1234ー5678",
        "090−1234−5678",
        "090‐1234‐5678",
        "090―1234―5678",
        "+81-90-1234-5678",
        "(090)1234-5678",
        "09012345678",
    ],
)
def test_phone_forms(written):
    found = findings(f"携帯 {written} までご連絡ください")
    assert found["phone"].count == 1 and found["phone"].evidence == ("third_parties=1", "090-****-5678")


def test_cards_need_luhn_brand_and_no_order_label():
    assert counts("カード 4111 1111 1111 1111")["credit_card"] == 1
    assert counts("JCB 3530-1113-3330-0000")["credit_card"] == 1
    assert "credit_card" not in counts("伝票番号 4111 1111 1111 1111")
    assert "credit_card" not in counts("4111 1111 1111 1112")
    assert "credit_card" not in counts("4111 111 1111 11111")  # not a card grouping


def test_card_split_over_four_cells_under_one_header():
    table = Table(
        where="attachment:c.xlsx!Sheet1",
        first_row=3,
        rows=(("氏名", "カード番号", "", "", ""), ("山田 太郎", "4111", "1111", "1111", "1111")),
    )
    found = findings(tables=(table,))
    assert found["credit_card"].count == 1
    assert found["credit_card"].where == ("attachment:c.xlsx!Sheet1!B4:E4",)


# --- the other identifiers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, kind",
    [
        ("旅券番号 TK1234567", "passport"),
        ("運転免許証番号 301234567810", "drivers_license"),
        ("基礎年金番号 1234-567890", "pension_number"),
        ("健康保険証 記号 1234 番号 56", "health_insurance"),
        ("在留カード番号 AB12345678CD", "residence_card"),
        ("三井住友銀行 渋谷支店 普通 1234567 ヤマダ タロウ", "bank_account"),
        ("ゆうちょ銀行 記号番号 12345-12345671", "bank_account"),
    ],
)
def test_identifiers_with_context(text, kind):
    assert counts(text).get(kind) == 1


@pytest.mark.parametrize(
    "text",
    [
        "型番 TK1234567",
        "部品 AB12345678CD",
        "XTK1234567",
        "1234567",
        "振込先 みずほ銀行 本店 普通 1234567 カ）サンプル",
        "お振込先：三菱UFJ銀行 新宿支店 当座 7654321\n口座名義：株式会社エー",
    ],
)
def test_identifier_lookalikes(text):
    assert not {"passport", "residence_card", "bank_account"} & set(counts(text))


# --- contact data ----------------------------------------------------------------------------------
def test_addresses_compare_after_normalisation():
    found = findings(
        "東京都港区六本木六丁目10番1号\n〒106-6108 東京都港区六本木6-10-1\n大阪府大阪市北区梅田３－１－１"
    )
    assert found["address"].count == 2 and found["postal_code"].count == 1
    assert "東京都港区****" in found["address"].evidence


@pytest.mark.parametrize(
    "text, expected",
    [
        ("生年月日：昭和60年4月1日", "1985-04-01"),
        ("生年月日 S60.4.1", "1985-04-01"),
        ("誕生日 平成元年2月3日", "1989-02-03"),
        ("1985/04/01生まれ", "1985-04-01"),
        ("Date of birth: 1985-04-01", "1985-04-01"),
    ],
)
def test_birth_dates(text, expected):
    assert counts(text)["birth_date"] == 1
    assert mask("birth_date", expected) == "19**-**-**"


@pytest.mark.parametrize(
    "text", ["納期 2024年4月1日", "1985/04/01", "生年月日 2030/01/01", "生年月日 昭和70年1月1日"]
)
def test_dates_that_are_not_birth_dates(text):
    assert "birth_date" not in counts(text)


def test_mail_addresses_skip_shared_mailboxes_and_the_parties():
    found = findings(
        "連絡先 taro@example.com ｈａｎａｋｏ＠example.com info@example.com "
        "yamada@sample.co.jp sato@client.example"
    )
    assert found["email_address"].count == 2
    assert set(found["email_address"].evidence) == {"third_parties=2", "t***@example.com", "h***@example.com"}


def test_names_by_honorific_and_label():
    found = findings("佐藤様\nお客様各位、皆様、ご担当者様\n鬼頭さんと山田部長\n氏名：勅使河原 健\n")
    assert found["person_name"].count == 3  # 佐藤, 鬼頭, 勅使河原健


# --- ordinary mail stays quiet ---------------------------------------------------------------------
SIGNATURE = (
    "--\n株式会社サンプル 営業部\n山田 太郎\n〒100-0001 東京都千代田区千代田1-1-1\n"
    "TEL: 03-1234-5678 / FAX: 03-1234-5679\n携帯: 090-1111-2222\nMail: t.yamada@sample.co.jp\n"
)


def _thread(n: int) -> str:
    return "".join(
        f"\n-----Original Message-----\nFrom: 担当{i} <p{i}@client{i}.example>\nSent: Monday\n\n"
        f"承知しました。\n\n------------------\nクライアント{i}株式会社\n担当 次郎\n"
        f"TEL 06-{6000 + i}-1234\nMobile 080-{2000 + i}-5678\np{i}@client{i}.example\n"
        f"〒530-000{i} 大阪府大阪市北区梅田{i}-1-1\n------------------\n"
        for i in range(1, n + 1)
    )


def test_signature_and_quoted_thread_are_not_counted():
    text = "佐藤様\n\nお世話になっております。資料をお送りします。\n\n" + SIGNATURE + _thread(3)
    found = counts(text)
    assert found == {"person_name": 1}


def test_html_double_spaced_signature_is_still_a_signature():
    body = "佐藤様\n\nお世話になっております。\n\n" + SIGNATURE
    assert counts(body.replace("\n", "\n\n")) == {"person_name": 1}


def test_a_customer_record_is_not_a_signature():
    text = (
        "お客様情報\n氏名：山田 太郎\n生年月日：1985/4/1\n住所：東京都港区芝公園4-2-8\n電話：090-1234-5678\n"
    )
    assert counts(text) == {"person_name": 1, "birth_date": 1, "address": 1, "phone": 1}


# --- people in lists (pii.records) -----------------------------------------------------------------
def _people(n: int) -> list[tuple[str, str, str]]:
    return [
        (f"山田 {chr(0x592A + i)}郎", f"090-{1000 + i}-{2000 + i}", f"user{i}@example.com") for i in range(n)
    ]


def test_text_list_of_people():
    lines = "\n".join(f"{i}. {n} {p} {m}" for i, (n, p, m) in enumerate(_people(12), 1))
    found = findings("名簿です。\n" + lines + "\n\n" + SIGNATURE)
    assert found["records"].count == 12 and found["phone"].count == 12
    assert found["records"].where == ("body!lines 2-13",)


def test_table_header_on_row_three_and_english_headers():
    rows = (("Customer list",), ("2024-04-01",), ("Name", "Phone", "E-mail", "Note")) + tuple(
        (n, p, m, "VIP") for n, p, m in _people(15)
    )
    found = findings(tables=(Table(where="attachment:list.xlsx!Sheet1", rows=rows),))
    assert found["records"].count == 15
    assert found["phone"].where == ("attachment:list.xlsx!Sheet1!B4:B18",)


def test_a_table_longer_than_one_read_is_one_list():
    # Tables are read ROWS_PER_READ rows at a time; the findings must not show the seams.
    n = 2 * ROWS_PER_READ + 345
    people = [
        (
            f"山田 {chr(0x4E00 + i % 2000)}{chr(0x4E00 + i // 2000)}",
            f"090-{1000 + i % 9000}-{2000 + i // 9000}",
            f"user{i}@example.com",
        )
        for i in range(n)
    ]
    rows = (("名簿",), ("氏名", "電話番号", "メール")) + tuple(people)
    found = findings(tables=(Table(where="attachment:big.xlsx!Sheet1", rows=rows),))
    assert found["records"].count == n and found["phone"].count == n and found["email_address"].count == n
    assert found["records"].where == (f"attachment:big.xlsx!Sheet1!A3:C{n + 2}",)
    assert found["phone"].where == (f"attachment:big.xlsx!Sheet1!B3:B{n + 2}",)
    assert found["records"].evidence == (
        f"third_parties={n}",
        "recipient_org=0",
        "own_org=0",
        f"{n} people: email_address+person_name+phone",
    )


def test_a_birth_word_anywhere_in_a_table_lets_every_block_find_dates():
    # The scanner looks for dates only in a text that speaks of birth; a table is one text,
    # however many blocks it is read in.
    rows = [(f"メモ{i}",) for i in range(2 * ROWS_PER_READ)]
    rows[3], rows[-5] = ("1980年1月1日生",), ("生年月日は別紙",)
    found = findings(tables=(Table(where="attachment:t.xlsx!Sheet1", rows=tuple(rows)),))
    assert found["birth_date"].count == 1 and found["birth_date"].where == ("attachment:t.xlsx!Sheet1!A4",)


def test_a_quote_header_above_a_tab_table_still_covers_the_text_below_it():
    table = "品名\t数量\t単価\nA\t1\t100\nB\t2\t200\nC\t3\t300\n"
    tail = "\n連絡先 携帯 090-1234-5678\n"
    quoted = "お世話になります。\n\n-----Original Message-----\nFrom: a\n\n" + table + tail
    assert "phone" not in counts(quoted)
    assert counts("お世話になります。\n\n" + table + tail).get("phone") == 1


def test_phone_split_over_merged_header_cells_and_names_split():
    rows = (("姓", "名", "電話番号", "", ""),) + tuple(
        (n.split()[0], n.split()[1], *p.split("-")) for n, p, _ in _people(10)
    )
    found = findings(tables=(Table(where="attachment:s.xlsx!Sheet1", rows=rows),))
    assert found["phone"].count == 10 and found["records"].count == 10


def test_blank_template_and_aggregates_are_not_lists():
    blank = Table(
        where="attachment:t.xlsx!Sheet1", rows=(("氏名", "電話番号", "メール"), ("", "", ""), ("", "", ""))
    )
    totals = Table(
        where="attachment:t.xlsx!Sheet2",
        rows=(("支店", "件数", "売上"), ("東京", "120", "1234567"), ("大阪", "98", "7654321")),
    )
    assert counts(tables=(blank, totals)) == {}


def test_csv_attachment_is_a_table():
    csv = "氏名,生年月日,電話番号\n" + "\n".join(
        f"{n},1985/4/{i + 1},{p}" for i, (n, p, _) in enumerate(_people(11))
    )
    found = findings("添付します。", csv)
    assert found["records"].count == 11 and found["birth_date"].count == 11


def test_people_are_counted_once_across_carriers():
    csv = "氏名,電話番号,メール\n" + "\n".join(",".join(p) for p in _people(10))
    assert counts("添付します。", csv, csv)["records"] == 10


# --- what findings carry -----------------------------------------------------------------------------
def test_findings_never_carry_raw_values():
    raw = ["123456789018", "4111111111111111", "09012345678", "090-1234-5678", "taro@example.com", "1234567"]
    text = (
        "マイナンバー 123456789018\nカード 4111111111111111\n携帯 090-1234-5678\n"
        "mail taro@example.com\n三井銀行 新宿支店 普通 1234567 ヤマダ\n"
    )
    for finding in findings(text).values():
        shown = " ".join(finding.where + finding.evidence)
        assert not any(value in shown for value in raw), finding


def test_masks_never_raise_nor_fall_back_to_the_value():
    assert mask("phone", "not-a-number") == "****"
    assert mask("birth_date", "garbage") == "****"
