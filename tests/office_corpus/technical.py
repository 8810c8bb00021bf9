"""Office corpus, class `technical` (issue 17): see make.py. Cases are registered with catalogue.case.

Number-dense technical files sent to a client's engineers: CAD data (STEP, IGES, DXF), a CNC
program, a mesh, sensor readings and logs. Their coordinates and readings hold thousands of
10-16 digit runs, some of which pass a numbering plan or Luhn; none of them is anyone's phone
or card. What still counts in them: a person on the line, a labelled identifier, mail
addresses. The files are written by tests/technical_files.py.
"""

from __future__ import annotations

import random

from ..eval_set.cast import MARUMO, SAEKI, SIG_SAEKI, SIG_TAKAMORI, TAKAMORI
from ..eval_set.fabric import People, attachment, luhn, message, my_number
from ..technical_files import dxf, gcode, iges, nginx_log, sensor_csv, stamped, step, stl
from .catalogue import case

CLS = "technical"
TEXT = "text/plain"
OCTET = "application/octet-stream"


def _mail(n: int, subject: str, body: str, name: str, data: bytes, mime: str = OCTET) -> bytes:
    frm = TAKAMORI if n % 2 else SAEKI
    sig = SIG_TAKAMORI if n % 2 else SIG_SAEKI
    text = f"丸茂建設 工務部\n川端様\n\nお世話になっております。鳴海テクノサービスの{frm[0]}です。\n\n{body}\n\nよろしくお願いいたします。\n{sig}"
    return message(n, frm, MARUMO, subject, text, files=[attachment(name, data, mime)])


def _luhn_valid(seed: int, count: int) -> list[str]:
    """16-digit numbers that pass Luhn and a Visa prefix: a card's, or an id that looks like one."""
    r = random.Random(seed)
    return [luhn(f"4{r.randrange(10**12, 10**13)}0") for _ in range(count)]


# --- negatives: the point of the class ------------------------------------------------------


@case(
    "technical_n01_step_bracket.eml",
    "pass",
    CLS,
    "negative",
    "pii.phone",
    "STEP AP214 of a bracket: 1,500 points whose ten-decimal coordinates pass the numbering plan.",
)
def _(n):
    return _mail(
        n,
        "ブラケット BRK-2611-A 3Dデータ送付",
        "ブラケットの3Dデータ（STEP）をお送りします。",
        "BRK-2611-A.stp",
        step(1500),
    )


@case(
    "technical_n02_iges_part.eml",
    "pass",
    CLS,
    "negative",
    "pii.credit_card",
    "IGES 5.3 of the same part: 80-column records whose coordinates pass Luhn with a card prefix.",
)
def _(n):
    return _mail(
        n, "BRK-2611-A IGESデータ", "IGES形式もご要望とのことでお送りします。", "BRK-2611-A.igs", iges()
    )


@case(
    "technical_n03_dxf_drawing.eml",
    "pass",
    CLS,
    "negative",
    "pii.credit_card",
    "An R12 DXF floor drawing: 600 lines with 14-decimal coordinates (libmagic calls it an image).",
)
def _(n):
    title = ("鳴海テクノサービス株式会社", "図番 NTS-D-2611-014", "空調機据付図 3F")
    return _mail(n, "空調機据付図（DXF）", "据付図をDXFでお送りします。", "据付図_3F.dxf", dxf(title=title))


@case(
    "technical_n04_gcode.eml",
    "pass",
    CLS,
    "negative",
    "pii.phone",
    "A milling program (G-code) for the bracket: 1,500 moves.",
)
def _(n):
    return _mail(n, "BRK-2611-A 加工プログラム", "OP10の加工プログラムです。", "O2611.nc", gcode())


@case(
    "technical_n05_stl_mesh.eml",
    "pass",
    CLS,
    "negative",
    "pii.credit_card",
    "An ASCII STL mesh of the bracket for 3D printing: 300 facets in exponent notation.",
)
def _(n):
    return _mail(n, "試作用STLデータ", "3Dプリンタ試作用のSTLです。", "BRK-2611-A.stl", stl(300))


@case(
    "technical_n06_sensor_csv.eml",
    "pass",
    CLS,
    "negative",
    "pii.credit_card",
    "Vibration logger readings: 800 rows of 16-17 digit doubles with a timestamp.",
)
def _(n):
    return _mail(
        n,
        "振動測定データ（11/18）",
        "3F空調機の振動測定結果です。",
        "vibration_20261118.csv",
        sensor_csv(800),
        "text/csv",
    )


@case(
    "technical_n07_nginx_log.eml",
    "pass",
    CLS,
    "negative",
    "pii.credit_card",
    "An nginx access log: IPs, byte counts and 16-digit decimal request ids, nobody's card.",
)
def _(n):
    return _mail(
        n, "アクセスログ（障害調査）", "障害時間帯のアクセスログです。", "access.log", nginx_log(600), TEXT
    )


# --- positives: what still counts --------------------------------------------------------


@case(
    "technical_p01_customer_list_as_log.eml",
    "hold",
    CLS,
    "positive",
    "pii.phone",
    "A customer list dressed as an application log: a timestamp, then a name and a phone per line.",
)
def _(n):
    people = People(1701).people(25)
    lines = [f"{p['name']} {p['phone'].replace('-', '')} 会員ランク=GOLD" for p in people]
    return _mail(n, "会員同期バッチのログ", "同期バッチのログです。", "sync_batch.log", stamped(lines), TEXT)


@case(
    "technical_p02_sensor_csv_with_homes.eml",
    "hold",
    CLS,
    "positive",
    "pii.phone",
    "Smart-meter readings (doubles) with the household's name and phone on every row.",
)
def _(n):
    people = [(p["name"], p["phone"]) for p in People(1702).people(20)]
    data = sensor_csv(rows=400, people=people, seed=17)
    return _mail(
        n, "スマートメーター計測データ", "各戸の計測データです。", "meter_readings.csv", data, "text/csv"
    )


@case(
    "technical_p03_step_author_my_number.eml",
    "hold",
    CLS,
    "positive",
    "pii.my_number",
    "A STEP file whose FILE_NAME author field the designer filled with his My Number.",
)
def _(n):
    author = f"Saeki Kenta / My Number {my_number('70311458220')}"
    return _mail(
        n, "ブラケット 修正版3Dデータ", "修正版をお送りします。", "BRK-2611-B.stp", step(800, author, 11)
    )


@case(
    "technical_p04_mail_log_customers.eml",
    "hold",
    CLS,
    "positive",
    "pii.email_address",
    "A mail server log of the newsletter run: customers' addresses, one per delivery line.",
)
def _(n):
    people = People(1704).people(30)
    lines = [
        f"postfix/smtp[{4100 + i}]: {0x4F2A10 + i:X}: to=<{p['email']}>, relay=mx.example.net[203.0.113.{i}]:25, "
        f"delay=0.{i:02d}, dsn=2.0.0, status=sent (250 2.0.0 OK)"
        for i, p in enumerate(people)
    ]
    return _mail(
        n, "配信ログ（11月号）", "11月号メルマガの配信ログです。", "maillog.txt", stamped(lines, 14), TEXT
    )


@case(
    "technical_p05_payment_log_camel_keys.eml",
    "hold",
    CLS,
    "positive",
    "pii.credit_card",
    "A payment API's JSON log: card numbers under creditCardNumber, the key read as its words.",
)
def _(n):
    cards = _luhn_valid(n, 12)
    lines = [
        f'payment {{"orderId":"NT-{26110 + i}","creditCardNumber":"{c}","amount":{1200 + 100 * i},"status":"ok"}}'
        for i, c in enumerate(cards)
    ]
    return _mail(
        n,
        "決済ログ調査の件",
        "調査対象の決済ログです。",
        "payment-api.log",
        stamped(lines, 16, mark="."),
        TEXT,
    )


@case(
    "technical_p06_mobiles_behind_step_line.eml",
    "hold",
    CLS,
    "positive",
    "pii.phone",
    "A list of mobiles under a lone ISO-10303-21; line: a format needs its structure, not a first line.",
)
def _(n):
    people = People(1706).people(40)
    text = "ISO-10303-21;\n" + "".join(f"{p['phone'].replace('-', '')}\n" for p in people)
    return _mail(n, "連絡網", "連絡網のデータです。", "contacts.stp", text.encode("utf-8"))


# --- near misses ----------------------------------------------------------------------------


@case(
    "technical_m01_csv_ids_like_mobiles.eml",
    "pass",
    CLS,
    "near_miss",
    "pii.phone",
    "A CSV whose measurement ids follow the logger's 090/080/070 + 8 digit serial scheme.",
)
def _(n):
    data = sensor_csv(rows=600, ids=True, seed=21)
    return _mail(n, "測定データ（ID付き）", "測定IDつきのデータです。", "measure_ids.csv", data, "text/csv")


@case(
    "technical_m02_dxf_title_block_company.eml",
    "pass",
    CLS,
    "near_miss",
    "pii.phone",
    "A DXF whose title block gives our company's TEL and FAX: an organisation's lines.",
)
def _(n):
    title = (
        "鳴海テクノサービス株式会社",
        "TEL 052-261-4410（代表）",
        "FAX 052-261-4499",
        "図番 NTS-D-2611-015",
    )
    return _mail(n, "配管図（DXF）", "配管図をお送りします。", "配管図_2F.dxf", dxf(400, title, 31))


@case(
    "technical_m03_gateway_log_serials.eml",
    "pass",
    CLS,
    "near_miss",
    "pii.phone",
    "An IoT gateway log whose device serials are 11 digits starting 090/080: no one's phone.",
)
def _(n):
    r = random.Random(n)
    serials = [f"0{r.choice((8, 9))}0{r.randrange(10**7, 10**8)}" for _ in range(40)]
    lines = [
        f"gw-03 device={serials[i % 40]} rssi=-{60 + i % 20} temp={20 + i % 7}.{i % 10}" for i in range(300)
    ]
    return _mail(
        n, "ゲートウェイログ", "ゲートウェイのログです。", "gateway.log", stamped(lines, 15, mark="."), TEXT
    )


@case(
    "technical_m04_api_log_request_ids.eml",
    "pass",
    CLS,
    "near_miss",
    "pii.credit_card",
    "An API log whose 16-digit request ids pass Luhn under requestId/traceId keys: no card word.",
)
def _(n):
    ids = _luhn_valid(n, 30)
    lines = [
        f'api {{"requestId":"{x}","traceId":"{ids[-1 - i]}","latencyMs":{40 + i}}}' for i, x in enumerate(ids)
    ]
    return _mail(n, "APIログ", "API のアクセスログです。", "api.log", stamped(lines, 17, mark="."), TEXT)
