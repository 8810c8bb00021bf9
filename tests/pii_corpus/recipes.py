"""The corpus recipes: clean business mail, hard negatives, and personal data in every carrier."""

from __future__ import annotations

from collections import Counter

import carriers as C
from fakes import Fake, licence_from
from mails import People, Spec

ATTACHED = ("csv_cp932", "csv_utf8", "xlsx_row1", "xlsx_row3", "xlsx_split", "docx", "pdf")


# --- clean business mail --------------------------------------------------------------------
def clean(f: Fake, n: int) -> Spec:
    p = People(f)
    kind = n % 12
    body, expect, subject = _CLEAN[kind](f, p)
    names = 1  # the addressee's name in the greeting
    if f.r.random() < 0.3:
        other = f.name(uncommon=0.2)[0]
        while other == p.to_surname:
            other = f.name(uncommon=0.2)[0]
        body += f"\nなお、本件は弊社の{other}さんも同席いたします。\n"
        names += 1
    text = p.greeting() + "\n" + body + "\nよろしくお願いいたします。\n\n" + p.signature()
    if f.r.random() < 0.35:
        text += _quoted_thread(f, p)
    return Spec(
        "clean", "plain", subject, text, expect=expect, prose_names=names, note=f"clean:{kind}", **p.header()
    )


def _meeting(f, p):
    day = f.r.randint(1, 28)
    return (
        (
            f"打ち合わせの日程につきまして、下記の候補でいかがでしょうか。\n"
            f"・2024年5月{day}日（水）14:00～15:00\n・2024/05/{day + 1:02d} 10:00-11:30\n"
            f"Web会議 ミーティングID: 8{f.digits(2)} {f.digits(4)} {f.digits(4)} パスコード: {f.digits(6)}\n"
        ),
        Counter(),
        "お打ち合わせ日程のご相談",
    )


def _quote(f, p):
    rows = "".join(
        f"型番 {f.r.choice('ABCDXZ')}{f.r.choice('KLMN')}-{f.digits(4)}-{f.digits(2)}  数量 {f.r.randint(1, 50)}  "
        f"単価 {f.r.randint(1, 99) * 1000:,}円\n"
        for _ in range(f.r.randint(2, 5))
    )
    return (
        (
            f"お見積りをお送りいたします。\n見積番号：Q-2024-{f.digits(4)}\n{rows}有効期限：2024年6月30日\n"
            f"部品コード XK{f.digits(8)}ZA の納期は約3週間です。\n"
        ),
        Counter(),
        "お見積りの件",
    )


def _invoice(f, p):
    corp = f.corporate()
    return (
        (
            f"4月分のご請求書を添付いたします。\n請求書番号：INV-{f.digits(8)}\n登録番号：T{corp}\n"
            f"ご請求金額：{f.r.randint(10, 999) * 1000:,}円（税込）\nお支払期限：2024年5月31日\n"
            f"振込先：みずほ銀行 {f.r.choice(['本店', '新宿支店', '大阪支店'])} 普通 {f.digits(7)}\n"
            f"口座名義：カ）{p.company.replace('株式会社', '')[:6]}\n"
        ),
        Counter(corporate_number=1),
        "ご請求書送付のご案内",
    )


def _order(f, p):
    return (
        (
            f"ご注文ありがとうございます。\n注文番号：{f.order_number_valid()}\n"
            f"商品：ボールペン 黒 10本入 JAN：{f.jan()}\n伝票番号：{f.digits(4)}-{f.digits(4)}-{f.digits(4)}\n"
            f"お問い合わせ番号：{f.order_number_valid()}\nご不明点はお客様センター 0120-{f.digits(3)}-{f.digits(3)} まで。\n"
        ),
        Counter(),
        "ご注文確認",
    )


def _shipping(f, p):
    return (
        (
            f"本日、商品を発送いたしました。\n配送業者：ヤマト運輸\n追跡番号：{f.digits(4)}-{f.digits(4)}-{f.digits(4)}\n"
            f"お届け予定日：2024年4月{f.r.randint(2, 28)}日 午前中\n管理番号 {f.order_number_valid()}\n"
        ),
        Counter(),
        "発送のお知らせ",
    )


def _event(f, p):
    return (
        (
            f"下記のとおりセミナーを開催いたします。\n日時：2024年6月{f.r.randint(1, 28)}日 13:30～17:00\n"
            f"会場：〒100-0005 東京都千代田区丸の内1-{f.r.randint(1, 9)}-1 丸の内ビル{f.r.randint(2, 30)}階\n"
            f"お問い合わせ：事務局 03-{f.r.randint(3000, 6999)}-{f.digits(4)}（代表）\n"
        ),
        Counter(address=1, postal_code=1),
        "セミナー開催のご案内",
    )


def _branches(f, p):
    lines = [
        f"{name} 〒{f.postal()} {f.address()} TEL {f.landline()}"
        for name in ("本社", "大阪支社", "名古屋営業所", "福岡営業所")[: f.r.randint(2, 4)]
    ]
    # An organisation's contact block: not personal, like a signature (not counted).
    return "弊社拠点の連絡先は以下のとおりです。\n" + "\n".join(lines) + "\n", Counter(), "拠点一覧のご案内"


def _template(f, p):
    return (
        (
            "申込書の様式をお送りします。下記にご記入のうえご返送ください。\n"
            "氏名：\n生年月日：　　年　　月　　日\n住所：〒\n電話番号：\nマイナンバー：\n口座番号：\n"
        ),
        Counter(),
        "申込書様式",
    )


def _schedule(f, p):
    return (
        (
            f"プロジェクトの進捗です。\n2024-04-01 キックオフ\n2024-04-15 設計レビュー（v1.2.3）\n"
            f"2024-05-20 リリース予定 サーバ 192.168.{f.r.randint(0, 255)}.{f.r.randint(1, 254)}\n"
            f"作業時間 13:00-17:30、費用 1,234,567円\n"
        ),
        Counter(),
        "進捗のご報告",
    )


def _english(f, p):
    return (
        (
            f"Please find attached the revised proposal.\nPO number: {f.digits(10)}\n"
            f"The delivery date is 2024-06-{f.r.randint(1, 28):02d}.\n"
        ),
        Counter(),
        "Revised proposal",
    )


def _aggregate(f, p):
    rows = "\n".join(
        f"{b}支店\t{f.r.randint(10, 300)}件\t{f.r.randint(1, 99) * 10000:,}円"
        for b in ("東京", "大阪", "名古屋", "福岡")
    )
    return "今月の実績です。\n" + rows + "\n", Counter(), "月次実績"


def _mobile(f, p):
    return (f"急ぎの場合は私の携帯 {f.mobile()} までご連絡ください。\n"), Counter(phone=1), "ご連絡先"


_CLEAN = [
    _meeting,
    _quote,
    _invoice,
    _order,
    _shipping,
    _event,
    _branches,
    _template,
    _schedule,
    _english,
    _aggregate,
    _mobile,
]


def _quoted_thread(f: Fake, p: People) -> str:
    quoted = (
        f"\n-----Original Message-----\nFrom: {p.to_surname} {p.to_given} <{p.to_email}>\n"
        f"Sent: Friday, March 29, 2024 5:00 PM\nTo: {p.email}\nSubject: RE: ご相談\n\n"
        f"{p.company}\n{p.surname}様\n\nお世話になっております。ご連絡ありがとうございます。\n"
        f"社内で確認のうえ、改めてご連絡いたします。\n\n{p.client_signature()}"
    )
    if f.r.random() < 0.5:
        older = People(f)
        quoted += "\n" + "".join(
            f"> {line}\n"
            for line in (
                f"{older.client}\n{older.to_surname}様\n\nいつもお世話になっております。\n資料を送付いたします。\n\n"
                + older.signature()
            ).splitlines()
        )
    return quoted


# --- hard negatives: what looks like personal data and is not -------------------------------
def hard_negative(f: Fake, n: int, carrier: str) -> Spec:
    p = People(f)
    kind = n % 6
    rows, note = [
        lambda: (
            [["注文番号", "商品名", "数量"]]
            + [[f.order_number_valid(), "コピー用紙", str(f.r.randint(1, 9))] for _ in range(12)],
            "order_numbers",
        ),
        lambda: (
            [["JANコード", "品名", "単価"]] + [[f.jan(), "ノート", "120"] for _ in range(12)],
            "jan_codes",
        ),
        lambda: (
            [["支店", "件数", "売上", "前年比"]]
            + [
                [b, str(f.r.randint(10, 999)), str(f.r.randint(10**5, 10**7)), "102%"]
                for b in ("東京", "大阪", "名古屋", "福岡", "札幌", "仙台")
            ],
            "aggregate",
        ),
        lambda: (
            [["氏名", "生年月日", "電話番号", "メールアドレス", "マイナンバー"]]
            + [["", "", "", "", ""] for _ in range(5)],
            "blank_template",
        ),
        lambda: (
            [["型番", "品名", "伝票番号"]] + [[f"AB{f.digits(8)}CD", "部品", f.card()] for _ in range(10)],
            "part_numbers",
        ),
        lambda: (
            [["拠点", "代表電話", "FAX番号", "お問い合わせ"]]
            + [
                [b, f.landline(), f.landline(), f"0120-{f.digits(3)}-{f.digits(3)}"]
                for b in ("本社", "大阪支社", "福岡営業所")
            ],
            "main_lines",
        ),
    ][kind]()
    spec = Spec("hard_negative", carrier, "資料送付の件", "", note=f"hard:{note}", **p.header())
    if note == "main_lines":  # issue 14: rows about premises are pii.places
        spec.places = len(rows) - 1
    _attach_or_inline(f, p, spec, rows, "資料")
    return spec


# --- positives -------------------------------------------------------------------------------
COLUMN_SETS = [
    ("氏名", "電話番号", "メールアドレス"),
    ("氏名", "フリガナ", "生年月日", "住所", "電話番号"),
    ("顧客名", "郵便番号", "住所", "TEL", "E-mail"),
    ("社員番号", "氏名", "マイナンバー", "生年月日"),
    ("name", "phone", "email", "address"),
    ("氏名", "カード番号", "電話番号"),
]


def person_row(f: Fake, columns, counts: Counter, values: dict) -> list[str]:
    surname, given = f.name()
    row = []
    for col in columns:
        if col in ("氏名", "顧客名", "name"):
            v, kind = f"{surname} {given}", "person_name"
        elif col == "フリガナ":
            v, kind = "ヤマダ タロウ", ""
        elif col == "生年月日":
            v, iso = f.birth()
            kind, key = "birth_date", iso
        elif col in ("電話番号", "TEL", "phone"):
            v, kind = f.style(f.phone()), "phone"
        elif col in ("メールアドレス", "E-mail", "email"):
            v, kind = f.email(), "email_address"
        elif col == "郵便番号":
            v, kind = f.postal(), "postal_code"
        elif col in ("住所", "address"):
            v, kind = f.address(), "address"
        elif col == "マイナンバー":
            v, kind = f.style(_spaced(f, f.my_number())), "my_number"
        elif col == "カード番号":
            v, kind = f.card_written(f.card(), f.r.choice([" ", "-", ""])), "credit_card"
        else:
            v, kind = f"E{f.digits(5)}", ""
        if kind:
            values.setdefault(kind, set()).add(key if kind == "birth_date" else v)
        row.append(v)
    return row


def _spaced(f: Fake, digits: str) -> str:
    sep = f.r.choice(["", " ", "-"])
    return sep.join((digits[:4], digits[4:8], digits[8:]))


def people_list(f: Fake, n: int, carrier: str, size: int) -> Spec:
    p = People(f)
    columns = COLUMN_SETS[n % len(COLUMN_SETS)]
    values: dict = {}
    rows = [list(columns)] + [person_row(f, columns, Counter(), values) for _ in range(size)]
    spec = Spec("positive", carrier, "顧客リスト送付", "", note=f"list:{'/'.join(columns)}", **p.header())
    spec.expect = Counter({k: len(v) for k, v in values.items()})
    spec.records = size
    _attach_or_inline(f, p, spec, rows, "顧客一覧")
    return spec


def _attach_or_inline(
    f: Fake, p: People, spec: Spec, rows: list[list[str]], title: str, line: str = ""
) -> None:
    """Put `rows` (header first) into the spec's carrier; the body is a short cover note
    (`line` when given, a stock sentence otherwise)."""
    cover = (
        p.greeting()
        + f"\n{line or title + 'をお送りいたします。ご確認ください。'}\n\nよろしくお願いいたします。\n\n"
        + p.signature()
    )
    intro = f"\n{line or title + 'です。'}\n"
    spec.prose_names = 1
    carrier = spec.carrier
    if carrier == "plain":
        spec.body = (
            p.greeting()
            + intro
            + "\n"
            + _text_rows(f, rows)
            + "\nよろしくお願いいたします。\n\n"
            + p.signature()
        )
    elif carrier == "html":
        spec.html, spec.body = True, _html(p.greeting() + intro, rows, p.signature())
    elif carrier.startswith("csv"):
        spec.body = cover
        encoding = "cp932" if carrier == "csv_cp932" else "utf-8-sig"
        charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
        spec.attachments = [(f"{title}.csv", f"text/csv; charset={charset}", C.csv_bytes(rows, encoding))]
    elif carrier == "zip":
        spec.body = cover
        member = C.csv_bytes(rows, "cp932")
        spec.attachments = [(f"{title}.zip", "application/zip", C.zip_bytes([(f"{title}.csv", member)]))]
    elif carrier.startswith("xlsx"):
        spec.body = cover
        sheet, merges = _sheet(rows, carrier)
        spec.attachments = [
            (
                f"{title}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                C.xlsx_bytes(sheet, merges),
            )
        ]
    elif carrier == "docx":
        spec.body = cover
        spec.attachments = [
            (
                f"{title}.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                C.docx_bytes([title, "作成日 2024年4月1日"], rows),
            )
        ]
    else:
        spec.body = cover
        spec.attachments = [
            (f"{title}.pdf", "application/pdf", C.pdf_bytes([title] + ["  ".join(r) for r in rows]))
        ]


def _text_rows(f: Fake, rows: list[list[str]]) -> str:
    style = f.r.randint(0, 2)
    if style == 0:
        return "\n".join("\t".join(r) for r in rows) + "\n"
    if style == 1:
        return (
            "No.  "
            + "  ".join(rows[0])
            + "\n"
            + "\n".join(f"{i}.  " + "  ".join(r) for i, r in enumerate(rows[1:], 1))
            + "\n"
        )
    header = rows[0]
    return "\n".join(
        f"【{i}】\n" + "\n".join(f"{h}：{v}" for h, v in zip(header, r)) + "\n"
        for i, r in enumerate(rows[1:], 1)
    )


def _html(intro: str, rows: list[list[str]], signature: str) -> str:
    div = "".join(f"<div>{line or '<br>'}</div>\n" for line in intro.splitlines())
    table = (
        "<table border=1>\n"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n" for r in rows)
        + "</table>\n"
    )
    sig = "".join(f"<div>{line or '<br>'}</div>\n" for line in signature.splitlines())
    return f"<html><body>\n{div}{table}<div>よろしくお願いいたします。</div>\n{sig}</body></html>\n"


def _sheet(rows: list[list[str]], carrier: str) -> tuple[list[list[str]], list[str]]:
    if carrier == "xlsx_row1":
        return rows, []
    if carrier == "xlsx_row3":
        return [["顧客一覧（社外秘）"], ["作成日", "2024/04/01"]] + rows, []
    header, merges, out = rows[0], [], []
    for c, h in enumerate(header):  # phones over three merged cells, names as 姓|名
        if h in ("電話番号", "TEL", "phone"):
            out.append((c, "split3"))
        elif h in ("氏名", "顧客名", "name"):
            out.append((c, "split2"))
        else:
            out.append((c, ""))
    new_header, new_rows = [], [[] for _ in rows[1:]]
    for c, how in out:
        if how == "split3":
            col = len(new_header) + 1
            new_header += [header[c], "", ""]
            merges.append(f"{_col(col)}1:{_col(col + 2)}1")
            for i, r in enumerate(rows[1:]):
                parts = (
                    r[c].translate(str.maketrans("０１２３４５６７８９－ー−‐―", "0123456789-----")).split("-")
                )
                new_rows[i] += (parts + ["", "", ""])[:3] if len(parts) == 3 else [r[c], "", ""]
        elif how == "split2":
            new_header += ["姓", "名"]
            for i, r in enumerate(rows[1:]):
                new_rows[i] += (r[c].split(" ", 1) + [""])[:2]
        else:
            new_header.append(header[c])
            for i, r in enumerate(rows[1:]):
                new_rows[i].append(r[c])
    return [new_header] + new_rows, merges


def _col(n: int) -> str:
    return chr(64 + n)


# The numbers that identify a person; a record may carry any of them, and each one holds it.
PERSONAL_IDS = (
    "my_number",
    "credit_card",
    "bank_account",
    "passport",
    "drivers_license",
    "pension_number",
    "health_insurance",
    "residence_card",
)
ID_LINES = [*PERSONAL_IDS, "corporate_number"]


def id_mail(f: Fake, n: int, carrier: str) -> Spec:
    """One person's record with identifiers, as a registration or payroll request."""
    p = People(f)
    surname, given = f.name()
    birth, _ = f.birth()
    kinds = [ID_LINES[n % len(ID_LINES)]] + f.r.sample(ID_LINES, f.r.randint(0, 2))
    lines = [
        ("氏名", f"{surname} {given}"),
        ("生年月日", birth),
        ("住所", f"〒{f.postal()} {f.address()}"),
        ("電話番号", f.style(f.mobile())),
        ("メールアドレス", f.email()),
    ]
    expect = Counter(person_name=1, birth_date=1, address=1, postal_code=1, phone=1, email_address=1)
    for kind in dict.fromkeys(kinds):
        lines.append(_id_line(f, kind))
        expect[kind] += 1
    spec = Spec(
        "positive",
        carrier,
        "登録情報のご連絡",
        "",
        note="record:" + "+".join(dict.fromkeys(kinds)),
        **p.header(),
    )
    return registration(f, p, spec, lines, expect)


def _id_line(f: Fake, kind: str) -> tuple[str, str]:
    if kind == "my_number":
        return "マイナンバー", f.style(_spaced(f, f.my_number()))
    if kind == "credit_card":
        return "クレジットカード番号", f.card_written(f.card(), f.r.choice([" ", "-", ""]))
    if kind == "bank_account":
        if f.r.random() < 0.3:
            return "ゆうちょ銀行 記号番号", f"1{f.digits(4)}-{f.digits(8)}"
        return "振込口座", f"三井住友銀行 渋谷支店 普通 {f.digits(7)} ヤマダ タロウ"
    if kind == "passport":
        return "旅券番号", f"{f.r.choice(['TK', 'TR', 'MZ', 'TZ'])}{f.digits(7)}"
    if kind == "drivers_license":
        return "運転免許証番号", licence_from(f.r.randint(10, 97), f.digits(10))
    if kind == "pension_number":
        return "基礎年金番号", f"{f.digits(4)}-{f.digits(6)}"
    if kind == "health_insurance":
        return "健康保険証", f"記号 {f.digits(4)} 番号 {f.r.randint(1, 999)}"
    if kind == "residence_card":
        return (
            "在留カード番号",
            f"{f.r.choice(['AB', 'CD', 'EF'])}{f.digits(8)}{f.r.choice(['GH', 'JK', 'LM'])}",
        )
    return "法人番号", f.corporate()


def forwarded_list(f: Fake, n: int, size: int) -> Spec:
    """A list of people inside a forwarded message. Issue 14: one table, one set of findings —
    its contact values count as in the same list unforwarded, and so do its people."""
    p = People(f)
    values: dict = {}
    columns = ("氏名", "電話番号", "メールアドレス")
    rows = [person_row(f, columns, Counter(), values) for _ in range(size)]
    body = (
        p.greeting()
        + "\n参加者名簿を転送します。\n\n"
        + p.signature()
        + "\n---------- Forwarded message ---------\n"
        f"From: {p.to_surname} <{p.to_email}>\nDate: 2024年3月29日(金) 17:00\nSubject: 参加者名簿\n\n"
        + "\n".join(f"{i}. " + "  ".join(r) for i, r in enumerate(rows, 1))
        + "\n"
    )
    spec = Spec(
        "positive", "plain", "Fwd: 参加者名簿", body, note="forwarded_list", prose_names=1, **p.header()
    )
    # Names without a column heading or an honorific are not names to the detector, quoted or not.
    spec.expect = Counter({k: len(v) for k, v in values.items() if k != "person_name"})
    spec.records = size
    return spec


def registration(f: Fake, p: People, spec: Spec, lines: list[tuple[str, str]], expect: Counter) -> Spec:
    """One person's record (label, value lines) asking for registration: in the text (plain or
    html) or as a table in the carrier `spec` names."""
    carrier = spec.carrier
    if carrier in ("plain", "html"):
        text = (
            p.greeting()
            + "\n下記の方の登録をお願いいたします。\n\n"
            + "\n".join(f"{k}：{v}" for k, v in lines)
            + "\n\nよろしくお願いいたします。\n\n"
            + p.signature()
        )
        spec.body = _html(text, [], "") if carrier == "html" else text
        spec.html = carrier == "html"
        expect["person_name"] = 0
        spec.prose_names = 2  # the addressee and the record
    else:
        _attach_or_inline(f, p, spec, [["項目", "内容"]] + [list(kv) for kv in lines], "登録情報")
    spec.expect = expect
    return spec
