"""Incidents that must be held: lists of people, bank transfer files, identity numbers,
the wrong client, suppressed and look-alike recipients, visible addresses, encrypted files."""

from __future__ import annotations

from .cast import (
    ISHIDA,
    KATAGIRI,
    KOHOKU,
    KOHOKU2,
    MARUMO,
    MITSUWA,
    MIURA,
    MIYASHITA,
    PAYROLL,
    SAEKI,
    SAKURA,
    SHAROSHI,
    SIG_MIURA,
    SIG_SAEKI,
    SIG_TAKAMORI,
    TAKAMORI,
    TOHO,
    people_rows,
)
from .catalogue import case
from .fabric import (
    OUR,
    People,
    attachment,
    csv_text,
    docx,
    hankaku,
    licence,
    luhn,
    message,
    my_number,
    pdf,
    resident_code,
    xlsx,
    zip_of,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zengin(payees: list[dict], newline: bytes = b"\r\n", kind: str = "21") -> bytes:
    """全銀協 file: 120-byte records, CP932, half-width kana. kind is the 種別コード: 21 総合振込,
    11 給与振込, 91 口座振替 (the data record's last 29 bytes differ: 顧客番号 20 + 振替結果 1)."""

    def rec(fields: list[tuple[str, int, str]]) -> bytes:
        out = b""
        for value, width, kind in fields:
            raw = str(value).encode("cp932")
            if kind == "9":
                raw = raw.rjust(width, b"0")
            else:
                raw = raw.ljust(width, b" ")
            assert len(raw) == width, (value, width)
            out += raw
        assert len(out) == 120, len(out)
        return out

    records = [
        rec(
            [
                ("1", 1, "9"),
                (kind, 2, "9"),
                ("0", 1, "9"),
                ("4180099287", 10, "9"),
                (hankaku("ナルミテクノサービス") + "(ｶ", 40, "X"),
                ("1225", 4, "9"),
                ("0005", 4, "9"),
                (hankaku("ミツビシユーエフジェイ"), 15, "X"),
                ("150", 3, "9"),
                (hankaku("ナゴヤ"), 15, "X"),
                ("1", 1, "9"),
                ("1234567", 7, "9"),
                ("", 17, "X"),
            ]
        )
    ]
    total = 0
    for p in payees:
        total += p["amount"]
        records.append(
            rec(
                [
                    ("2", 1, "9"),
                    (p["bank"], 4, "9"),
                    (hankaku(p["bank_name"]), 15, "X"),
                    (p["branch"], 3, "9"),
                    (hankaku(p["branch_name"]), 15, "X"),
                    ("", 4, "X"),
                    ("1", 1, "9"),
                    (p["account"], 7, "9"),
                    (hankaku(p["kana"]), 30, "X"),
                    (p["amount"], 10, "9"),
                    ("0", 1, "9"),
                ]
                + (
                    [(p["account"][-5:] + "00" + p["bank"], 20, "X"), ("0", 1, "9"), ("", 8, "X")]
                    if kind == "91"
                    else [("", 10, "X"), ("", 10, "X"), ("7", 1, "X"), ("", 1, "X"), ("", 7, "X")]
                )
            )
        )
    records.append(rec([("8", 1, "9"), (len(payees), 6, "9"), (total, 12, "9"), ("", 101, "X")]))
    records.append(rec([("9", 1, "9"), ("", 119, "X")]))
    return newline.join(records) + (newline if newline else b"")


BANKS = [
    ("0001", "ミズホ", "110", "トウキヨウエイギヨウブ"),
    ("0009", "ミツイスミトモ", "270", "ナゴヤ"),
    ("0010", "リソナ", "101", "トウキヨウエイギヨウブ"),
    ("0138", "ヨコハマ", "312", "シンヨコハマ"),
    ("0153", "ジユウロク", "101", "ホンテン"),
    ("0005", "ミツビシユーエフジエイ", "251", "サカエ"),
    ("0150", "オオガキキヨウリツ", "601", "ナゴヤ"),
    ("0017", "サイタマリソナ", "014", "ウラワチユウオウ"),
]


def payees(seed: int, n: int) -> list[dict]:
    import random

    r = random.Random(seed)
    out = []
    for p in People(seed).people(n):
        bank, bank_name, branch, branch_name = r.choice(BANKS)
        out.append(
            {
                "bank": bank,
                "bank_name": bank_name,
                "branch": branch,
                "branch_name": branch_name,
                "account": f"{r.randint(1000000, 9999999)}",
                "kana": p["kana"],
                "amount": r.randint(30, 480) * 1000,
            }
        )
    return out


@case(
    "h01_customers_csv_utf8.eml",
    "hold",
    "customer-list",
    "25 customers (name, kana, 〒, home address, mobile, private e-mail) as UTF-8 CSV to the print shop.",
)
def _(n):
    ppl = People(101).people(25)
    rows = [["氏名", "フリガナ", "郵便番号", "住所", "電話番号", "メールアドレス"]]
    rows += people_rows(ppl, ["name", "kana", "zip", "address", "phone", "email"])
    body = f"大森様\n\n冬季キャンペーンDMの宛名データです。宛名印刷をお願いします。\n\n{SIG_SAEKI}"
    return message(
        n,
        SAEKI,
        MITSUWA,
        "DM宛名データ",
        body,
        files=[attachment("dm_list.csv", csv_text(rows).encode(), "text/csv")],
    )


@case(
    "h02_customers_csv_cp932.eml",
    "hold",
    "customer-list",
    "15 maintenance-contract households (name, address, home phone) as CP932 CSV to a client.",
)
def _(n):
    ppl = People(102).people(15)
    rows = [["契約者名", "〒", "設置先住所", "自宅電話", "携帯電話", "契約開始日"]]
    rows += [[p["name"], p["zip"], p["address"], p["home"], p["phone"], "2025/04/01"] for p in ppl]
    body = f"市川様\n\n家庭用給湯器の保守契約者一覧です。\n\n{SIG_TAKAMORI}"
    return message(
        n,
        TAKAMORI,
        SAKURA,
        "保守契約者一覧",
        body,
        files=[attachment("保守契約者一覧.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h03_customers_xlsx.eml",
    "hold",
    "customer-list",
    "40 members of a point programme (name, birth date, address, phone, e-mail) in xlsx.",
)
def _(n):
    ppl = People(103).people(40)
    rows = [["会員番号", "氏名", "生年月日", "住所", "電話", "メール"]]
    rows += [
        [f"M{700100 + i}", p["name"], p["birth"], p["address"], p["phone"], p["email"]]
        for i, p in enumerate(ppl)
    ]
    body = f"大森様\n\n会員向け会報の発送リストです。\n\n{SIG_SAEKI}"
    return message(
        n,
        SAEKI,
        MITSUWA,
        "会報発送リスト",
        body,
        files=[attachment("会員リスト.xlsx", xlsx({"会員": rows}), XLSX)],
    )


@case(
    "h04_customers_body_tab.eml", "hold", "customer-list", "12 customers pasted as a tab table into the body."
)
def _(n):
    ppl = People(104).people(12)
    table = "\n".join("\t".join([p["name"], p["address"], p["phone"]]) for p in ppl)
    body = (
        f"片桐様\n\n入居者アンケートの回答者です（謝礼送付先）。\n\n氏名\t住所\t電話\n{table}\n\n{SIG_SAEKI}"
    )
    return message(n, SAEKI, KATAGIRI, "アンケート回答者（謝礼送付先）", body)


@case("h05_customers_zip.eml", "hold", "customer-list", "20 customers in a CSV inside an unencrypted zip.")
def _(n):
    ppl = People(105).people(20)
    rows = [["name", "zip", "address", "tel", "email"]] + people_rows(
        ppl, ["name", "zip", "address", "phone", "email"]
    )
    data = zip_of({"customers_202611.csv": csv_text(rows).encode("cp932")})
    return message(
        n,
        SAEKI,
        MITSUWA,
        "データ送付",
        f"大森様\n\nデータを送付します。\n\n{SIG_SAEKI}",
        files=[attachment("data_202611.zip", data, "application/zip")],
    )


@case(
    "h06_customers_html_table.eml",
    "hold",
    "customer-list",
    "18 customers in an HTML table (multipart/alternative).",
)
def _(n):
    ppl = People(106).people(18)
    html = (
        "<html><body><p>大森様</p><table><tr><th>氏名</th><th>住所</th><th>電話</th><th>メール</th></tr>"
        + "".join(
            f"<tr><td>{p['name']}</td><td>{p['address']}</td><td>{p['phone']}</td><td>{p['email']}</td></tr>"
            for p in ppl
        )
        + "</table></body></html>"
    )
    text = (
        "大森様\n\n" + "\n".join(f"{p['name']} {p['address']} {p['phone']} {p['email']}" for p in ppl) + "\n"
    )
    return message(n, SAEKI, MITSUWA, "送付先リスト", text, html=html)


@case("h07_customers_docx.eml", "hold", "customer-list", "14 customers in a Word table (お客様連絡先一覧).")
def _(n):
    ppl = People(107).people(14)
    table = [["お名前", "ご住所", "お電話"]] + people_rows(ppl, ["name", "address", "phone"])
    data = docx(["お客様連絡先一覧（点検日程調整用）"], table)
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "点検日程調整 お客様連絡先",
        f"川端様\n\n分譲住宅の点検日程調整のため、お客様の連絡先をお送りします。\n\n{SIG_TAKAMORI}",
        files=[
            attachment(
                "お客様連絡先一覧.docx",
                data,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        ],
    )


@case(
    "h08_customers_quoted_forward.eml",
    "hold",
    "customer-list-quoted",
    "A forwarded mail whose quoted tab table lists 13 customers with phones and addresses.",
)
def _(n):
    ppl = People(108).people(13)
    quoted = "\n".join("> " + "\t".join([p["name"], p["phone"], p["address"]]) for p in ppl)
    body = f"""大森様

社内で回ってきた一覧をそのまま転送します。年賀状の宛名印刷をお願いします。

佐伯

-------- Original Message --------
From: 石田 舞 <ishida.m@{OUR}>
Subject: 年賀状 送付先（個人のお客様）

> 氏名\t電話\t住所
{quoted}
"""
    return message(n, SAEKI, MITSUWA, "Fwd: 年賀状 送付先（個人のお客様）", body)


@case(
    "h09_participants_many_companies.eml",
    "hold",
    "third-party-list",
    "20 seminar participants of many companies (name, company, e-mail at their companies, phone).",
)
def _(n):
    ppl = People(109).people(20)
    companies = [
        ("株式会社大和エンジ", "yamato-eng.co.jp"),
        ("東海精工株式会社", "tokai-seiko.co.jp"),
        ("株式会社みどり電設", "midori-densetsu.jp"),
        ("中部ビルサービス株式会社", "chubu-bs.co.jp"),
        ("有限会社北斗設備", "hokuto-setsubi.com"),
    ]
    rows = [["氏名", "会社名", "メールアドレス", "電話番号"]]
    rows += [
        [p["name"], companies[i % 5][0], f"{p['sur_ro']}@{companies[i % 5][1]}", p["phone"]]
        for i, p in enumerate(ppl)
    ]
    return message(
        n,
        SAEKI,
        TOHO,
        "セミナー参加者一覧",
        f"今井様\n\n共催セミナーの参加者一覧です。\n\n{SIG_SAEKI}",
        files=[attachment("参加者一覧.xlsx", xlsx({"参加者": rows}), XLSX)],
    )


@case(
    "h10_employees_home_addresses.eml",
    "hold",
    "employee-personal-data",
    "Our 15 employees' home addresses, birth dates and private phones to an outside payroll vendor.",
)
def _(n):
    ppl = People(110).people(15)
    rows = [["社員番号", "氏名", "生年月日", "自宅住所", "自宅電話", "携帯"]]
    rows += [
        [f"E{3100 + i}", p["name"], p["birth"], p["address"], p["home"], p["phone"]]
        for i, p in enumerate(ppl)
    ]
    return message(
        n,
        MIYASHITA,
        PAYROLL,
        "12月入社・異動者 住所データ",
        "給与計算センター ご担当者様\n\n住所変更の反映をお願いします。\n\n鳴海テクノサービス 人事 宮下",
        files=[attachment("住所データ_202612.xlsx", xlsx({"社員": rows}), XLSX)],
    )


@case(
    "h11_zengin_txt_crlf.eml",
    "hold",
    "zengin",
    "Zengin 総合振込 file, 12 payees, CP932 with CRLF, as .txt (text/plain).",
)
def _(n):
    data = zengin(payees(111, 12))
    return message(
        n,
        MIURA,
        ("給与計算センター", "support@kyuyo-center.co.jp"),
        "12月支払分 振込データ",
        f"ご担当者様\n\n12月25日支払分の総合振込データを送付します。\n\n{SIG_MIURA}",
        files=[attachment("FURIKOMI_1225.txt", data, "text/plain")],
    )


@case(
    "h12_zengin_dat_no_newlines.eml",
    "hold",
    "zengin",
    "Zengin file without record separators (one 1,920-byte line), 13 payees, as .dat.",
)
def _(n):
    data = zengin(payees(112, 13), newline=b"")
    return message(
        n,
        MIURA,
        SHAROSHI,
        "振込データ（外注費）",
        f"泉様\n\n外注費の振込データです。内容のご確認をお願いします。\n\n{SIG_MIURA}",
        files=[attachment("sogofurikomi.dat", data, "application/octet-stream")],
    )


@case(
    "h13_zengin_fb_in_zip.eml",
    "hold",
    "zengin",
    "Zengin 給与振込 (種別 11) .fb file with 14 employees inside a zip.",
)
def _(n):
    data = zip_of({"20261225_kyuyo.fb": zengin(payees(113, 14), kind="11")})
    return message(
        n,
        MIURA,
        ("給与計算センター", "support@kyuyo-center.co.jp"),
        "FBデータ送付",
        f"ご担当者様\n\nFBデータを圧縮して送付します。\n\n{SIG_MIURA}",
        files=[attachment("FB_20261225.zip", data, "application/zip")],
    )


@case(
    "h14_zengin_txt_lf_octet.eml",
    "hold",
    "zengin",
    "Zengin file with LF separators and 11 payees, .txt sent as application/octet-stream.",
)
def _(n):
    data = zengin(payees(114, 11), newline=b"\n")
    return message(
        n,
        MIURA,
        TOHO,
        "返金振込データ",
        f"今井様\n\n返金対象者への振込データです。\n\n{SIG_MIURA}",
        files=[attachment("henkin_furikomi.txt", data, "application/octet-stream")],
    )


@case(
    "h15_my_number_body.eml",
    "hold",
    "my-number",
    "One employee's My Number with its label in the body, to the outside labour consultant.",
)
def _(n):
    body = (
        f"泉様\n\n新入社員の資格取得届用の情報です。\n\n氏名：村上 奈々\n個人番号：{my_number('70311458220')}\n"
        f"生年月日：2003年5月14日\n\n人事 宮下"
    )
    return message(n, MIYASHITA, SHAROSHI, "資格取得届の件", body)


@case(
    "h16_my_number_xlsx.eml",
    "hold",
    "my-number",
    "扶養控除 xlsx with 3 My Numbers (employee and dependants).",
)
def _(n):
    rows = [
        ["続柄", "氏名", "個人番号", "生年月日"],
        ["本人", "遠藤 修", my_number("51820074936"), "1979/02/11"],
        ["配偶者", "遠藤 理恵", my_number("22946618503"), "1981/07/30"],
        ["子", "遠藤 悠斗", my_number("63301945172"), "2012/12/03"],
    ]
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "扶養控除等申告書（遠藤）",
        "泉様\n\n扶養控除の資料です。\n\n宮下",
        files=[attachment("扶養控除_遠藤.xlsx", xlsx({"扶養": rows}), XLSX)],
    )


@case(
    "h17_my_number_fullwidth_iso2022jp.eml",
    "hold",
    "my-number",
    "My Number written in full-width digits with hyphens, ISO-2022-JP body.",
)
def _(n):
    num = my_number("88120396644")
    wide = "−".join(num[i : i + 4] for i in (0, 4, 8)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    body = f"給与計算センター ご担当者様\n\nマイナンバーの登録漏れがありました。\n社員番号 E3127 福田 剛　マイナンバー：{wide}\n\n人事 宮下"
    return message(n, MIYASHITA, PAYROLL, "マイナンバー登録漏れ", body, charset="iso-2022-jp")


@case(
    "h18_licence_body.eml",
    "hold",
    "drivers-licence",
    "A driver's licence number (Tokyo code 30, valid check digit) in the body for a rental car booking.",
)
def _(n):
    body = (
        f"レンタカー予約センター ご担当者様\n\n12/7〜12/9の予約の運転者情報です。\n"
        f"運転者：高森 亮\n運転免許証番号：{licence('30', '05', '418826')}\n有効期限：2028年3月14日\n\n{SIG_TAKAMORI}"
    )
    return message(
        n, TAKAMORI, ("予約センター", "yoyaku@nagoya-rentacar.jp"), "レンタカー予約 運転者情報", body
    )


@case(
    "h19_licence_csv.eml",
    "hold",
    "drivers-licence",
    "Company-car drivers: 6 licence numbers of different prefectures in a CSV to the lease company.",
)
def _(n):
    rows = [["氏名", "免許証番号", "免許の種類", "有効期限"]]
    for name, pref, yr, ser in [
        ("佐伯 健太", "54", "08", "302117"),
        ("高森 亮", "30", "05", "418826"),
        ("石田 舞", "54", "14", "550931"),
        ("原田 直樹", "62", "99", "120384"),
        ("近藤 拓也", "49", "11", "774402"),
        ("小野 千尋", "53", "17", "208815"),
    ]:
        rows.append([name, licence(pref, yr, ser), "普通", "2029/05/31"])
    return message(
        n,
        ISHIDA,
        ("オートリース 契約窓口", "keiyaku@chubu-autolease.co.jp"),
        "社用車 運転者登録",
        "ご担当者様\n\n運転者の登録をお願いします。\n\n総務 石田",
        files=[attachment("運転者一覧.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h20_resident_code_body.eml",
    "hold",
    "resident-code",
    "住民票コード with its label (valid check digit) in the body.",
)
def _(n):
    body = (
        f"泉様\n\n年金手続きの件、マイナンバーの代わりに住民票コードでお願いします。\n\n"
        f"氏名：西村 沙織\n住民票コード：{resident_code('5830197624')}\n\n人事 宮下"
    )
    return message(n, MIYASHITA, SHAROSHI, "住民票コードの件", body)


@case(
    "h21_resident_code_docx.eml",
    "hold",
    "resident-code",
    "住民票コード in a Word form (届出書) with name and address.",
)
def _(n):
    data = docx(
        [
            "住所変更届",
            "氏名：青木 和也",
            "住所：愛知県名古屋市昭和区御器所3-12-5",
            f"住民票コード {resident_code('1049283717')}",
            "届出日：2026年11月30日",
        ]
    )
    return message(
        n,
        MIYASHITA,
        SHAROSHI,
        "住所変更届",
        "泉様\n\n届出書を添付します。\n\n宮下",
        files=[
            attachment(
                "住所変更届_青木.docx",
                data,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        ],
    )


@case(
    "h22_pension_body.eml", "hold", "pension-number", "基礎年金番号 (4-6 format) with its label in the body."
)
def _(n):
    body = (
        "泉様\n\n中途入社者の年金手続きをお願いします。\n\n氏名：後藤 麻衣\n基礎年金番号：4312-587209\n"
        "入社日：2026年12月1日\n\n人事 宮下"
    )
    return message(n, MIYASHITA, SHAROSHI, "中途入社者 年金手続き", body)


@case(
    "h23_pension_xlsx.eml",
    "hold",
    "pension-number",
    "3 new hires' 基礎年金番号 (written without hyphen) in an xlsx.",
)
def _(n):
    rows = [
        ["氏名", "基礎年金番号", "入社日"],
        ["後藤 麻衣", "4312587209", "2026/12/01"],
        ["太田 誠", "1207339164", "2026/12/01"],
        ["林 陽子", "6655021873", "2026/12/15"],
    ]
    return message(
        n,
        MIYASHITA,
        PAYROLL,
        "入社者 年金番号",
        "ご担当者様\n\n入社者の情報です。\n\n宮下",
        files=[attachment("入社者_202612.xlsx", xlsx({"入社者": rows}), XLSX)],
    )


@case(
    "h24_credit_card_body.eml",
    "hold",
    "credit-card",
    "A corporate card number (valid Luhn) with expiry in the body to a hotel.",
)
def _(n):
    card = luhn("453201886712045")
    body = (
        f"ホテル予約係 御中\n\n12/7宿泊分の決済カードです。\nカード番号：{card[:4]} {card[4:8]} {card[8:12]} {card[12:]}\n"
        f"有効期限：08/29　名義：RYO TAKAMORI\n\n{SIG_TAKAMORI}"
    )
    return message(n, TAKAMORI, ("ホテル予約係", "reserve@hotel-shinyoko.jp"), "宿泊予約 決済カード", body)


@case(
    "h25_credit_card_pdf.eml",
    "hold",
    "credit-card",
    "A card payment application form as PDF with a card number.",
)
def _(n):
    card = luhn("524187330019273")
    lines = [
        "クレジットカード決済申込書",
        "申込者：鳴海テクノサービス株式会社 総務部 石田 舞",
        f"カード番号 {card[:4]}-{card[4:8]}-{card[8:12]}-{card[12:]}",
        "有効期限 11/28",
        "利用目的：展示会出展料",
    ]
    return message(
        n,
        ISHIDA,
        ("展示会事務局", "info@expo-chubu.jp"),
        "出展料 カード決済申込書",
        "ご担当者様\n\n申込書を送付します。\n\n総務 石田",
        files=[attachment("カード決済申込書.pdf", pdf(lines), "application/pdf")],
    )


@case(
    "h26_client_b_doc_to_client_a.eml",
    "hold",
    "client-mismatch",
    "Quote for 丸茂建設 (file name and content) mailed to 港北ロジスティクス.",
)
def _(n):
    data = xlsx(
        {"見積": [["丸茂建設株式会社 御中"], ["件名", "瑞穂区新築現場 受変電設備"], ["合計", 8640000]]}
    )
    return message(
        n,
        SAEKI,
        KOHOKU,
        "お見積書送付",
        f"小川様\n\nお見積書を添付します。\n\n{SIG_SAEKI}",
        files=[attachment("丸茂建設様_お見積書.xlsx", data, XLSX)],
    )


@case(
    "h27_subject_other_client.eml",
    "hold",
    "client-mismatch",
    "Subject names さくら台フーズ but the mail goes to 片桐不動産.",
)
def _(n):
    return message(
        n,
        TAKAMORI,
        KATAGIRI,
        "さくら台フーズ様 POS入替 作業報告書",
        f"片桐様\n\n作業報告書を送付します。\n\n{SIG_TAKAMORI}",
        files=[
            attachment(
                "作業報告書_1120.pdf",
                pdf(["作業報告書", "POS入替 第1期", "作業日 2026/11/20"]),
                "application/pdf",
            )
        ],
    )


@case(
    "h28_pdf_names_other_client.eml",
    "hold",
    "client-mismatch",
    "An invoice PDF addressed to 東邦メディカルサプライ attached to a mail to さくら台フーズ.",
)
def _(n):
    lines = [
        "請求書",
        "東邦メディカルサプライ株式会社 御中",
        "請求番号 NTS-2026-11-0351",
        "安全衛生研修 受講料 11名 330,000円",
        "鳴海テクノサービス株式会社",
    ]
    return message(
        n,
        MIURA,
        ("さくら台フーズ 経理部", "keiri@sakuradai-foods.jp"),
        "ご請求書送付の件",
        f"ご担当者様\n\n11月分のご請求書をお送りします。\n\n{SIG_MIURA}",
        files=[attachment("請求書_NTS-2026-11-0351.pdf", pdf(lines), "application/pdf")],
    )


@case(
    "h29_suppressed_recipient.eml",
    "hold",
    "suppressed",
    "Newsletter to a former customer who unsubscribed (on the suppression list).",
)
def _(n):
    return message(
        n,
        SAEKI,
        ("星野 様", "hoshino.t@kuroshio-net.ne.jp"),
        "【鳴海テクノ通信】冬号のご案内",
        "星野様\n\n鳴海テクノ通信 冬号をお届けします。\n\n鳴海テクノサービス株式会社",
    )


@case(
    "h30_suppressed_domain.eml",
    "hold",
    "suppressed",
    "Mail to a company whose whole domain is on the suppression list (contract ended, do not contact).",
)
def _(n):
    return message(
        n,
        SAEKI,
        ("旧取引先 ご担当者様", "info@old-partner-closed.co.jp"),
        "新サービスのご案内",
        f"ご担当者様\n\n新しい保守サービスのご案内です。\n\n{SIG_SAEKI}",
    )


@case(
    "h31_lookalike_domain_typo.eml",
    "hold",
    "lookalike-domain",
    "One-letter typo of a client's domain (kohoku-iogi.co.jp for kohoku-logi.co.jp).",
)
def _(n):
    return message(
        n,
        SAEKI,
        ("小川様", "ogawa.h@kohoku-iogi.co.jp"),
        "お見積書送付",
        f"小川様\n\nお見積書をお送りします。\n\n{SIG_SAEKI}",
        files=[
            attachment(
                "見積書.pdf",
                pdf(["御見積書", "株式会社港北ロジスティクス 御中", "金額 634,000円"]),
                "application/pdf",
            )
        ],
    )


@case(
    "h32_lookalike_domain_missing_letter.eml",
    "hold",
    "lookalike-domain",
    "Client domain with a letter missing (sakuradai-food.jp for sakuradai-foods.jp).",
)
def _(n):
    return message(
        n,
        TAKAMORI,
        ("市川様", "ichikawa.r@sakuradai-food.jp"),
        "POS入替 対象店舗一覧",
        f"市川様\n\n資料をお送りします。\n\n{SIG_TAKAMORI}",
    )


@case(
    "h33_twelve_visible_externals.eml",
    "hold",
    "visible-recipients",
    "Year-end greeting to 12 visible external addresses of 6 companies in To.",
)
def _(n):
    to = [
        KOHOKU,
        KOHOKU2,
        MARUMO,
        ("水野様", "mizuno@marumo-kensetsu.co.jp"),
        SAKURA,
        ("坂田様", "sakata@sakuradai-foods.jp"),
        KATAGIRI,
        ("片桐不動産 経理", "keiri@katagiri-fudosan.co.jp"),
        TOHO,
        ("永井様", "nagai@toho-medsupply.co.jp"),
        MITSUWA,
        ("ミツワ印刷 制作部", "seisaku@mitsuwa-print.co.jp"),
    ]
    return message(
        n,
        SAEKI,
        to,
        "年末のご挨拶",
        "各位\n\n本年も大変お世話になりました。\n来年もよろしくお願い申し上げます。\n\n鳴海テクノサービス 佐伯",
    )


@case(
    "h34_visible_externals_to_and_cc.eml",
    "hold",
    "visible-recipients",
    "11 external addresses of 5 companies spread over To and Cc.",
)
def _(n):
    to = [KOHOKU, MARUMO, SAKURA, KATAGIRI, TOHO, MITSUWA]
    cc = [
        KOHOKU2,
        ("水野様", "mizuno@marumo-kensetsu.co.jp"),
        ("坂田様", "sakata@sakuradai-foods.jp"),
        ("永井様", "nagai@toho-medsupply.co.jp"),
        ("ミツワ印刷 制作部", "seisaku@mitsuwa-print.co.jp"),
    ]
    return message(
        n,
        SAEKI,
        to,
        "事務所移転のお知らせ",
        "各位\n\n弊社東京支社は2027年2月に移転いたします。\n\n鳴海テクノサービス",
        cc=cc,
    )


@case(
    "h35_encrypted_zip_ppap.eml",
    "hold",
    "encrypted",
    "PPAP: a password-protected zip of a quote (the password follows in another mail).",
)
def _(n):
    data = zip_of({"mitsumori.xlsx": xlsx({"見積": [["見積", 634000]]})}, password="Nts2026!")
    return message(
        n,
        SAEKI,
        KOHOKU,
        "【暗号化】お見積書",
        f"小川様\n\nお見積書を暗号化して送付します。パスワードは別途お送りします。\n\n{SIG_SAEKI}",
        files=[attachment("mitsumori_20261130.zip", data, "application/zip")],
    )


@case("h36_encrypted_zip_customers.eml", "hold", "encrypted", "Encrypted zip that holds a customer CSV.")
def _(n):
    ppl = People(136).people(30)
    rows = [["氏名", "住所", "電話"]] + people_rows(ppl, ["name", "address", "phone"])
    data = zip_of({"list.csv": csv_text(rows).encode("cp932")}, password="narumi")
    return message(
        n,
        SAEKI,
        MITSUWA,
        "リスト（暗号化）",
        "大森様\n\nパスワードは別メールにて。\n\n佐伯",
        files=[attachment("list.zip", data, "application/zip")],
    )


@case(
    "h37_payee_accounts_csv.eml",
    "hold",
    "bank-accounts",
    "Refund payees' bank accounts with labels (銀行, 支店, 口座番号) in a CSV.",
)
def _(n):
    rows = [["氏名", "銀行名", "支店名", "預金種目", "口座番号"]]
    for p in payees(137, 8):
        rows.append([p["kana"], p["bank_name"], p["branch_name"], "普通", p["account"]])
    return message(
        n,
        MIURA,
        TOHO,
        "返金先口座一覧",
        f"今井様\n\n返金先の口座一覧です。\n\n{SIG_MIURA}",
        files=[attachment("返金先口座.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h38_health_insurance.eml",
    "hold",
    "health-insurance",
    "Health insurance card details (保険者番号, 記号, 番号) of an employee in the body.",
)
def _(n):
    body = (
        "泉様\n\n傷病手当金の申請書類です。\n\n氏名：池田 恵\n保険者番号：01230012\n"
        "被保険者証 記号：2301　番号：4417\n生年月日：1988年10月2日\n\n人事 宮下"
    )
    return message(n, MIYASHITA, SHAROSHI, "傷病手当金 申請", body)


@case("h39_passport.eml", "hold", "passport", "Passport number for an overseas business trip booking.")
def _(n):
    body = (
        f"旅行会社 ご担当者様\n\nベトナム出張の航空券手配をお願いします。\n\n氏名：TAKAMORI RYO\n"
        f"旅券番号：TR4582917\n生年月日：1986/09/21\n有効期限：2031/04/10\n\n{SIG_TAKAMORI}"
    )
    return message(n, TAKAMORI, ("法人営業部", "corp@nagoya-travel.co.jp"), "出張航空券手配", body)


@case("h40_residence_card.eml", "hold", "residence-card", "A foreign employee's 在留カード番号 in the body.")
def _(n):
    body = (
        "泉様\n\n外国人雇用状況届出の情報です。\n\n氏名：NGUYEN VAN AN\n在留カード番号：AB12345678CD\n"
        "在留資格：技術・人文知識・国際業務\n在留期間満了日：2028年6月30日\n\n人事 宮下"
    )
    return message(n, MIYASHITA, SHAROSHI, "外国人雇用状況届出", body)


@case(
    "h41_names_phones_no_header.eml",
    "hold",
    "customer-list",
    "11 name/mobile pairs typed line by line in the body, no header row.",
)
def _(n):
    ppl = People(141).people(11)
    lines = "\n".join(f"{p['name']}様　{p['phone']}" for p in ppl)
    body = f"川端様\n\n内覧会の来場予約者です。当日の駐車場案内のご連絡をお願いします。\n\n{lines}\n\n{SIG_SAEKI}"
    return message(n, SAEKI, MARUMO, "内覧会 来場予約者", body)


@case(
    "h42_customers_second_sheet.eml",
    "hold",
    "customer-list",
    "xlsx whose first sheet is a summary and whose second sheet lists 22 customers.",
)
def _(n):
    ppl = People(142).people(22)
    summary = [["集計", "件数"], ["名古屋市", 12], ["その他", 10]]
    rows = [["No", "氏名", "郵便番号", "住所", "電話番号"]]
    rows += [[i + 1, p["name"], p["zip"], p["address"], p["home"]] for i, p in enumerate(ppl)]
    return message(
        n,
        SAEKI,
        SAKURA,
        "アンケート集計",
        f"市川様\n\n集計結果です。\n\n{SIG_SAEKI}",
        files=[attachment("アンケート集計.xlsx", xlsx({"集計": summary, "回答者": rows}), XLSX)],
    )


@case(
    "h43_forwarded_message_with_list.eml",
    "hold",
    "customer-list",
    "A forwarded message/rfc822 whose attachment is a 16-customer CSV.",
)
def _(n):
    ppl = People(143).people(16)
    rows = [["氏名", "住所", "電話", "メール"]] + people_rows(ppl, ["name", "address", "phone", "email"])
    inner = message(
        900 + n,
        ISHIDA,
        SAEKI,
        "点検希望のお客様",
        "佐伯さん\n\n点検希望のお客様一覧です。\n\n石田",
        files=[attachment("点検希望.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )
    return message(
        n, SAEKI, MARUMO, "Fwd: 点検希望のお客様", f"川端様\n\n転送します。\n\n{SIG_SAEKI}", inner=inner
    )


@case(
    "h44_my_number_in_pdf.eml",
    "hold",
    "my-number",
    "A scanned-form style PDF with a My Number and its label.",
)
def _(n):
    lines = [
        "給与所得者の扶養控除等（異動）申告書",
        "氏名 原田 健一",
        f"個人番号 {my_number('30118847265')}",
        "住所 愛知県岡崎市康生通南2-14-3",
    ]
    return message(
        n,
        MIYASHITA,
        PAYROLL,
        "申告書送付",
        "ご担当者様\n\n申告書を送付します。\n\n宮下",
        files=[attachment("扶養控除申告書_原田.pdf", pdf(lines), "application/pdf")],
    )


@case(
    "h45_zengin_account_transfer_91.eml",
    "hold",
    "zengin",
    "Zengin 口座振替 (種別 91) request: 16 customers' accounts to debit, .txt, CRLF.",
)
def _(n):
    data = zengin(payees(145, 16), kind="91")
    return message(
        n,
        MIURA,
        ("集金代行サービス", "data@shukin-daiko.co.jp"),
        "1月分 口座振替依頼データ",
        f"ご担当者様\n\n1月27日引落分の口座振替依頼データです。\n\n{SIG_MIURA}",
        files=[attachment("KOFURI_0127.txt", data, "text/plain; charset=Shift_JIS")],
    )


@case(
    "h46_client_a_staff_to_client_b.eml",
    "hold",
    "third-party-list",
    "One client's 13 staff (names, e-mails at that client, phones) sent to a different client.",
)
def _(n):
    staff = People(146).people(13, "kohoku-logi.co.jp")
    rows = [["氏名", "所属", "メール", "携帯"]]
    rows += [
        [p["name"], "物流企画部", f"{p['sur_ro']}.{p['giv_ro'][0]}@kohoku-logi.co.jp", p["phone"]]
        for p in staff
    ]
    return message(
        n,
        SAEKI,
        SAKURA,
        "研修参加者一覧",
        f"市川様\n\n参加者一覧です。\n\n{SIG_SAEKI}",
        files=[attachment("参加者一覧.xlsx", xlsx({"参加者": rows}), XLSX)],
    )


@case(
    "h47_freemail_customers_to_freemail.eml",
    "hold",
    "customer-list",
    "12 customers all at gmail.com sent to a freelance designer at gmail.com: a free-mail domain is no organisation.",
)
def _(n):
    ppl = People(147).people(40)
    ppl = [p for p in ppl if p["email"].endswith("@gmail.com")][:6] + People(1470).people(6, "gmail.com")
    rows = [["お名前", "メール", "電話"]] + people_rows(ppl, ["name", "email", "phone"])
    return message(
        n,
        SAEKI,
        ("工房デザイン 松田様", "kobo.design.m@gmail.com"),
        "当選者リスト（賞品発送用）",
        f"松田様\n\nキャンペーン当選者のリストです。賞品発送の手配をお願いします。\n\n{SIG_SAEKI}",
        files=[attachment("当選者.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h48_customers_living_in_buildings.eml",
    "hold",
    "customer-list",
    "14 individual customers whose addresses name their ビル/マンション and room: people, not places.",
)
def _(n):
    ppl = People(148).people(14)
    rows = [["氏名", "住所", "携帯"]]
    for i, p in enumerate(ppl):
        addr = (
            p["address"].split(" ")[0]
            + f" {['第一', 'グラン', 'サン'][i % 3]}{p['sur']}ビル {2 + i % 7}0{1 + i % 5}号"
        )
        rows.append([p["name"], addr, p["phone"]])
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "給湯器リコール 対象のお客様",
        f"川端様\n\nリコール対象のお客様です。訪問日程の調整をお願いします。\n\n{SIG_TAKAMORI}",
        files=[attachment("対象のお客様.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h49_members_without_names.eml",
    "hold",
    "customer-list",
    "15 members with member number, birth date, home address and mobile but no name column.",
)
def _(n):
    ppl = People(149).people(15)
    rows = [["会員番号", "生年月日", "住所", "携帯電話"]]
    rows += [[f"K{55200 + i * 7}", p["birth"], p["address"], p["phone"]] for i, p in enumerate(ppl)]
    return message(
        n,
        SAEKI,
        MITSUWA,
        "会員データ（宛名なし）",
        f"大森様\n\n会員データです。\n\n{SIG_SAEKI}",
        files=[attachment("members.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h50_shop_owners_list.eml",
    "hold",
    "third-party-list",
    "15 small shops with their owners' names and mobiles: premises words, but every row names a person.",
)
def _(n):
    owners = People(150).people(15)
    kinds = ["商店", "酒店", "精肉店", "書店", "理容室"]
    rows = [["店名", "店主", "住所", "携帯"]]
    rows += [
        [f"{p['sur']}{kinds[i % 5]}", p["name"], p["address"].split(" ")[0], p["phone"]]
        for i, p in enumerate(owners)
    ]
    return message(
        n,
        SAEKI,
        MITSUWA,
        "商店街 LED看板キャンペーン 案内先",
        f"大森様\n\n案内状の送付先です（店主様宛）。\n\n{SIG_SAEKI}",
        files=[attachment("案内先_商店街.xlsx", xlsx({"案内先": rows}), XLSX)],
    )


@case(
    "h51_employees_company_mail_and_home.eml",
    "hold",
    "employee-personal-data",
    "Our 12 employees with company e-mails AND home addresses and birth dates, to an insurance agent.",
)
def _(n):
    staff = People(151).people(12, OUR)
    rows = [["氏名", "メール", "生年月日", "自宅住所", "携帯"]]
    rows += [
        [p["name"], f"{p['sur_ro']}.{p['giv_ro'][0]}@{OUR}", p["birth"], p["address"], p["phone"]]
        for p in staff
    ]
    return message(
        n,
        MIYASHITA,
        ("団体保険 代理店", "dantai@hoken-agency.co.jp"),
        "団体保険 加入者データ",
        "ご担当者様\n\n加入者データを送付します。\n\n人事 宮下",
        files=[attachment("加入者データ.xlsx", xlsx({"加入者": rows}), XLSX)],
    )


@case(
    "h52_b2b_contacts_to_printer.eml",
    "hold",
    "third-party-list",
    "12 client companies with their contact persons' names, e-mails and direct lines, sent to the print shop.",
)
def _(n):
    contacts = People(152).people(12)
    companies = [
        ("株式会社大和エンジ", "yamato-eng.co.jp"),
        ("東海精工株式会社", "tokai-seiko.co.jp"),
        ("株式会社みどり電設", "midori-densetsu.jp"),
        ("中部ビルサービス株式会社", "chubu-bs.co.jp"),
        ("有限会社北斗設備", "hokuto-setsubi.com"),
        ("株式会社アイチ冷熱", "aichi-reinetsu.co.jp"),
    ]
    rows = [["会社名", "部署", "ご担当者", "メール", "直通"]]
    rows += [
        [
            companies[i % 6][0],
            "総務部",
            p["name"],
            f"{p['sur_ro']}@{companies[i % 6][1]}",
            f"052-{300 + i * 11}-{4100 + i * 37}",
        ]
        for i, p in enumerate(contacts)
    ]
    return message(
        n,
        SAEKI,
        MITSUWA,
        "年賀状 宛名データ（法人）",
        f"大森様\n\n法人のお客様の宛名データです（ご担当者様宛）。\n\n{SIG_SAEKI}",
        files=[attachment("年賀状_法人.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h53_customers_halfwidth_kana_names.eml",
    "hold",
    "customer-list",
    "12 customers whose names are only in half-width kana (from an old system), with addresses and phones.",
)
def _(n):
    ppl = People(153).people(12)
    rows = [["ｼﾒｲ", "ｼﾞﾕｳｼﾖ", "TEL"]] + [[hankaku(p["kana"]), p["address"], p["home"]] for p in ppl]
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "旧システム 顧客データ",
        f"川端様\n\n旧システムから出力した顧客データです。\n\n{SIG_TAKAMORI}",
        files=[attachment("KOKYAKU.CSV", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "h54_customers_romaji_names.eml",
    "hold",
    "customer-list",
    "12 customers with romanised names, addresses, mobiles and e-mails (an export for an overseas call centre).",
)
def _(n):
    ppl = People(154).people(12)
    rows = [["Name", "Postal code", "Address", "Mobile", "E-mail"]]
    rows += [
        [f"{p['giv_ro'].title()} {p['sur_ro'].title()}", p["zip"], p["address"], p["phone"], p["email"]]
        for p in ppl
    ]
    return message(
        n,
        SAEKI,
        ("Support Desk", "desk@callcenter-global.com"),
        "Customer data for December",
        f"Hello,\n\nplease find the customer data attached.\n\n{SIG_SAEKI}",
        files=[attachment("customers_dec.csv", csv_text(rows).encode(), "text/csv")],
    )


@case(
    "h55_customers_fullwidth_numbers.eml",
    "hold",
    "customer-list",
    "11 customers typed with full-width digits and brackets （０９０）… in the body.",
)
def _(n):
    ppl = People(155).people(11)
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")
    lines = []
    for p in ppl:
        a, b, c = p["phone"].split("-")
        lines.append(
            f"{p['name']}　{a.translate(wide)}（{b.translate(wide)}）{c.translate(wide)}　{p['address']}"
        )
    body = "川端様\n\n見学会の申込者です。\n\n" + "\n".join(lines) + f"\n\n{SIG_SAEKI}"
    return message(n, SAEKI, MARUMO, "見学会 申込者", body)


@case(
    "h56_zengin_company_payees.eml",
    "hold",
    "zengin",
    "Zengin 総合振込 of 10 supplier companies ((ｶ)… payees): account numbers going out.",
)
def _(n):
    import random

    r = random.Random(156)
    names = [
        "カ)ヤマトエンジ",
        "トウカイセイコウ(カ",
        "カ)ミドリデンセツ",
        "チユウブビルサ-ビス(カ",
        "ユ)ホクトセツビ",
        "カ)アイチレイネツ",
        "カ)ナゴヤコウギヨウ",
        "サカエデンキ(カ",
        "カ)ミズホセツビ",
        "ユ)オオスコウムテン",
    ]
    rows = []
    for name in names:
        bank, bank_name, branch, branch_name = r.choice(BANKS)
        rows.append(
            {
                "bank": bank,
                "bank_name": bank_name,
                "branch": branch,
                "branch_name": branch_name,
                "account": f"{r.randint(1000000, 9999999)}",
                "kana": name,
                "amount": r.randint(100, 2000) * 1000,
            }
        )
    return message(
        n,
        MIURA,
        SHAROSHI,
        "外注先 振込データ（確認用）",
        f"泉様\n\n外注先への振込データです。\n\n{SIG_MIURA}",
        files=[attachment("GAICHU_1225.txt", zengin(rows), "text/plain")],
    )


@case(
    "h57_zengin_three_payees.eml",
    "hold",
    "zengin",
    "A small Zengin file: 3 employees' bonus transfers, still three account numbers going out.",
)
def _(n):
    return message(
        n,
        MIURA,
        PAYROLL,
        "賞与 追加振込データ",
        "ご担当者様\n\n賞与の追加振込分（3名）です。\n\n経理 三浦",
        files=[attachment("SHOYO_TSUIKA.txt", zengin(payees(157, 3), kind="11"), "text/plain")],
    )


@case(
    "h58_vcard_address_book_export.eml",
    "hold",
    "customer-list",
    "An address book exported as one .vcf with 15 private contacts (names, mobiles, home addresses, e-mails).",
)
def _(n):
    cards = []
    for p in People(158).people(15):
        sur, giv = p["name"].split(" ")
        cards += [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"N:{sur};{giv};;;",
            f"FN:{p['name']}",
            f"TEL;TYPE=CELL:{p['phone']}",
            f"ADR;TYPE=HOME:;;{p['address']};;;{p['zip']};日本",
            f"EMAIL;TYPE=INTERNET:{p['email']}",
            "END:VCARD",
        ]
    return message(
        n,
        SAEKI,
        ("工房デザイン 松田様", "matsuda@kobo-design.jp"),
        "連絡先データ",
        "松田様\n\nお客様の連絡先データです。案内状の宛名にお使いください。\n\n佐伯",
        files=[attachment("contacts.vcf", ("\r\n".join(cards) + "\r\n").encode(), "text/x-vcard")],
    )


@case(
    "h59_customers_utf16_tsv.eml",
    "hold",
    "customer-list",
    "16 customers saved by Excel as 'Unicode text' (UTF-16LE with BOM, tab-separated).",
)
def _(n):
    ppl = People(159).people(16)
    rows = [["氏名", "郵便番号", "住所", "電話"]] + people_rows(ppl, ["name", "zip", "address", "phone"])
    data = "\ufeff".encode("utf-16-le") + csv_text(rows, sep="\t").encode("utf-16-le")
    return message(
        n,
        SAEKI,
        MITSUWA,
        "宛名データ（テキスト）",
        f"大森様\n\n宛名データです。\n\n{SIG_SAEKI}",
        files=[attachment("atena.txt", data, "text/plain")],
    )
