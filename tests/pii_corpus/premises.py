"""Issue 14, class 1: lists of places are not lists of people.

Hard negatives: our offices (〒, address, main line), a client's branches, buildings to let, a
chain's shops — each a list of 10+ premises with addresses and phones and no one's name in it.
Near misses that are people after all: customers with the shop they visit, tenants by room,
seminar attendees with their company names.
"""

from __future__ import annotations

from collections import Counter

from fakes import Fake
from mails import ROMAN, People, Spec
from recipes import _attach_or_inline

CARRIERS = ("plain", "html", "csv_cp932", "csv_utf8", "xlsx_row1", "zip")
TOWNS = {
    "札幌": "北海道札幌市中央区北三条西",
    "仙台": "宮城県仙台市青葉区中央",
    "盛岡": "岩手県盛岡市大通",
    "新潟": "新潟県新潟市中央区万代",
    "大宮": "埼玉県さいたま市大宮区桜木町",
    "千葉": "千葉県千葉市中央区新町",
    "横浜": "神奈川県横浜市西区みなとみらい",
    "静岡": "静岡県静岡市葵区紺屋町",
    "浜松": "静岡県浜松市中区砂山町",
    "名古屋": "愛知県名古屋市中村区名駅",
    "金沢": "石川県金沢市本町",
    "京都": "京都府京都市下京区烏丸通",
    "大阪": "大阪府大阪市北区梅田",
    "神戸": "兵庫県神戸市中央区三宮町",
    "岡山": "岡山県岡山市北区駅元町",
    "広島": "広島県広島市中区紙屋町",
    "高松": "香川県高松市サンポート",
    "松山": "愛媛県松山市千舟町",
    "福岡": "福岡県福岡市博多区博多駅前",
    "熊本": "熊本県熊本市中央区花畑町",
    "鹿児島": "鹿児島県鹿児島市中央町",
    "那覇": "沖縄県那覇市久茂地",
}
CITIES = list(TOWNS)
ATTENDING = [
    ("北商事株式会社", "kita-shoji.co.jp"),
    ("南電機株式会社", "minami-denki.co.jp"),
    ("株式会社東システム", "higashi-sys.jp"),
    ("西物産株式会社", "nishi-bussan.co.jp"),
    ("中央精工株式会社", "chuo-seiko.co.jp"),
    ("株式会社サンプル建設", "sample-kensetsu.jp"),
]


def given_initial(given: str) -> str:
    return "abcdefghkmnrsty"[len(given) * 7 % 15]


OFFICE = ["支店", "営業所", "支社", "出張所", "営業所"]
SITES = ["工場", "物流センター", "倉庫", "配送センター"]
BUILDING = [
    "ビル",
    "第一ビル",
    "第二ビル",
    "センタービル",
    "スクエアビル",
    "ビルディング",
    "駅前ビル",
    "プラザビル",
]
SHOP = ["店", "駅前店", "東口店", "西口店", "本店", "中央店", "北店", "イオンモール店"]


def _address(f: Fake, city: str) -> str:
    """An address in the premises' own city, sometimes with the building and floor."""
    place = f"{TOWNS[city]}{f.r.randint(1, 5)}-{f.r.randint(1, 20)}-{f.r.randint(1, 15)}"
    return place + (f" {city}{f.r.choice(BUILDING)}{f.r.randint(2, 12)}F" if f.r.random() < 0.3 else "")


def _phone(f: Fake, block: str | None) -> str:
    """A branch line; a third of them inside the head office's number block (same exchange)."""
    if block and f.r.random() < 0.35:
        return f"{block}-{f.digits(4)}"
    return f.style(f.landline())


def _sites(f: Fake, size: int, suffixes: list[str], head: str | None) -> list[str]:
    names = [head] if head else []
    for city in f.r.sample(CITIES, len(CITIES)):
        if len(names) >= size:
            break
        names.append(city + f.r.choice(suffixes))
    return names


def offices(f: Fake, p: People, size: int, ours: bool) -> tuple[list[list[str]], str, str]:
    header = f.r.choice(
        [
            ["拠点", "〒", "所在地", "代表電話"],
            ["事業所名", "郵便番号", "住所", "TEL", "FAX"],
            ["名称", "住所", "電話番号"],
            ["拠点名", "所在地", "電話", "備考"],
        ]
    )
    head = f.landline()
    block = head.rsplit("-", 1)[0]
    rows = [header]
    suffixes = OFFICE + (SITES if f.r.random() < 0.5 else [])
    for name in _sites(f, size, suffixes, "本社" if ours else f.r.choice(["本社", "本店", None])):
        city = next((c for c in CITIES if name.startswith(c)), "東京")
        address = (
            _address(f, city)
            if city != "東京"
            else f"東京都千代田区丸の内{f.r.randint(1, 3)}-{f.r.randint(1, 9)}-1"
        )
        cells = {
            "〒": f.postal(),
            "郵便番号": f.postal(),
            "所在地": address,
            "住所": address,
            "代表電話": _phone(f, block),
            "TEL": _phone(f, block),
            "電話番号": _phone(f, block),
            "電話": _phone(f, block),
            "FAX": f.landline(),
            "備考": f.r.choice(["", "", "土日休", "駐車場あり", "2024年5月移転予定"]),
        }
        rows.append([name] + [cells[h] for h in header[1:]])
    if ours:
        return (
            rows,
            "弊社拠点一覧",
            "弊社の拠点一覧（2024年4月現在）をお送りします。請求書の送付先としてご登録ください。",
        )
    return (
        rows,
        "貴社拠点一覧",
        f"{p.client}様の支店・営業所一覧を当方で整理しました。配送先として相違ないかご確認ください。",
    )


def buildings(f: Fake, p: People, size: int) -> tuple[list[list[str]], str, str]:
    header = f.r.choice(
        [
            ["物件名", "所在地", "最寄駅", "賃料（月額）", "面積"],
            ["No.", "ビル名", "住所", "坪単価", "空室"],
            ["物件", "所在地", "築年", "賃料"],
        ]
    )
    rows = [header]
    for i, city in enumerate(f.r.sample(CITIES, size), 1):
        address = _address(f, city).split(" ")[0]
        cells = {
            "物件名": f"{city}{f.r.choice(BUILDING)} {f.r.randint(2, 12)}F",
            "ビル名": f"{city}{f.r.choice(BUILDING)}",
            "物件": f"{f.r.choice(['KS', 'NT', 'サンライズ', 'グラン'])}{city}{f.r.choice(BUILDING)}",
            "所在地": address,
            "住所": address,
            "最寄駅": f"{city}駅 徒歩{f.r.randint(1, 15)}分",
            "賃料（月額）": f"{f.r.randint(20, 400) * 10000:,}円",
            "面積": f"{f.r.randint(20, 300)}.{f.r.randint(0, 9)}㎡",
            "No.": str(i),
            "坪単価": f"{f.r.randint(8, 40) * 1000:,}円",
            "空室": f.r.choice(["あり", "なし", "3F"]),
            "築年": f"{f.r.randint(1975, 2022)}年",
            "賃料": f"{f.r.randint(20, 400)}万円",
        }
        rows.append([cells[h] for h in header])
    return (
        rows,
        "物件一覧",
        "ご依頼の条件に合う事務所物件の一覧をお送りします。内見のご希望があればお知らせください。",
    )


def shops(f: Fake, p: People, size: int) -> tuple[list[list[str]], str, str]:
    header = f.r.choice(
        [
            ["店舗名", "住所", "電話番号", "営業時間"],
            ["店舗", "〒", "所在地", "TEL"],
            ["店名", "所在地", "電話", "定休日"],
        ]
    )
    rows = [header]
    brand = f.r.choice(["カフェ・サンプル", "ベーカリー見本", "ドラッグ例示", "サンプル書店"])
    for city in f.r.sample(CITIES, size):
        address = _address(f, city)
        cells = {
            "住所": address,
            "所在地": address,
            "〒": f.postal(),
            "電話番号": f.style(f.landline()),
            "TEL": f.landline(),
            "電話": f.landline(),
            "営業時間": f.r.choice(["10:00-20:00", "9:00～21:00", "7:30-19:00"]),
            "定休日": f.r.choice(["水曜", "なし", "第3火曜"]),
        }
        rows.append([f"{brand} {city}{f.r.choice(SHOP)}"] + [cells[h] for h in header[1:]])
    return rows, "店舗一覧", "新規出店分を含む店舗一覧です。販促物の発送先としてご利用ください。"


def hard_negative(f: Fake, n: int, carrier: str) -> Spec:
    p = People(f)
    size = f.r.randint(10, 16)
    kind = n % 4
    rows, title, line = [
        lambda: offices(f, p, size, True),
        lambda: offices(f, p, size, False),
        lambda: buildings(f, p, size),
        lambda: shops(f, p, size),
    ][kind]()
    spec = Spec(
        "hard_negative",
        carrier,
        f"{title}の送付",
        "",
        note=f"places:{('ours', 'client', 'buildings', 'shops')[kind]}",
        group="places",
        places=len(rows) - 1,
        hold=False,
        **p.header(),
    )
    _attach_or_inline(f, p, spec, rows, title, line)
    return spec


def near_miss(f: Fake, n: int, carrier: str) -> Spec:
    """Premises words in every row, and a person's name in every row: a list of people."""
    p = People(f)
    size = f.r.randint(10, 18)
    values: dict = {}
    if n % 3 == 0:
        header, title = (
            f.r.choice([["氏名", "来店店舗", "電話番号", "住所"], ["会員名", "店舗", "携帯電話", "住所"]]),
            "会員一覧",
        )
        rows = [header]
        for _ in range(size):
            name, phone, address = " ".join(f.name()), f.style(f.mobile()), f.address()
            rows.append([name, f"{f.r.choice(CITIES)}{f.r.choice(SHOP)}", phone, address])
            for kind, v in (("person_name", name), ("phone", phone), ("address", address)):
                values.setdefault(kind, set()).add(v)
        line = "ポイント移行の対象となる会員様の一覧です。"
    elif n % 3 == 2:
        # Seminar attendees: a company name in every row (a premises signal), a person too.
        header, title = (
            f.r.choice(
                [
                    ["会社名", "部署", "氏名", "メールアドレス", "電話番号"],
                    ["貴社名", "ご所属", "お名前", "E-mail", "TEL"],
                ]
            ),
            "参加者一覧",
        )
        rows = [header]
        for i in range(size):
            company, domain = f.r.choice(ATTENDING)
            surname, given = f.name()
            email = f"{ROMAN.get(surname, 'user')}.{given_initial(given)}{i}@{domain}"
            name, phone = f"{surname} {given}", f.style(f.mobile() if f.r.random() < 0.5 else f.landline())
            rows.append(
                [
                    company,
                    f.r.choice(["営業部", "総務部", "経営企画室", "情報システム部"]),
                    name,
                    email,
                    phone,
                ]
            )
            for kind, v in (("person_name", name), ("email_address", email), ("phone", phone)):
                values.setdefault(kind, set()).add(v)
        line = "先日のセミナーにご参加いただいた方の一覧です。アンケート集計にご利用ください。"
    else:
        header, title = (
            f.r.choice(
                [
                    ["物件名", "号室", "入居者名", "連絡先", "賃料"],
                    ["建物", "部屋", "契約者", "電話番号", "契約開始"],
                ]
            ),
            "入居者一覧",
        )
        rows = [header]
        for _ in range(size):
            name, phone = " ".join(f.name()), f.style(f.phone())
            last = f"{f.r.randint(5, 15)}万円" if header[4] == "賃料" else f"2023/{f.r.randint(1, 12)}/1"
            rows.append(
                [
                    f"{f.r.choice(CITIES)}{f.r.choice(BUILDING)}",
                    f"{f.r.randint(1, 9)}0{f.r.randint(1, 9)}号室",
                    name,
                    phone,
                    last,
                ]
            )
            for kind, v in (("person_name", name), ("phone", phone)):
                values.setdefault(kind, set()).add(v)
        line = "管理物件の入居者一覧をお送りします。更新案内の送付にご利用ください。"
    spec = Spec(
        "positive",
        carrier,
        f"{title}の件",
        "",
        note=f"places_people:{title}",
        group="places",
        records=size,
        tally={"third_parties": size},
        **p.header(),
    )
    spec.expect = Counter({k: len(v) for k, v in values.items()})
    _attach_or_inline(f, p, spec, rows, title, line)
    return spec
