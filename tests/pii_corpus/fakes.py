"""Fake personal data for the labelled corpus: valid where the real thing is validated.

Every value is made up from a seeded `random.Random`: names from common and uncommon
surnames, phones on real area codes, My Numbers and corporate numbers with correct check
digits, cards with brand prefixes and Luhn digits. Written forms vary the way Japanese
documents do (full-width digits, ー and − for dashes, kanji numerals in addresses, wareki).
"""

from __future__ import annotations

import datetime
import random

from tests.names import SURNAMES as COMMON

UNCOMMON = [
    "鬼頭",
    "御手洗",
    "東海林",
    "勅使河原",
    "小鳥遊",
    "五月女",
    "百目鬼",
    "九十九",
    "四月一日",
    "我妻",
    "一色",
    "蓮見",
    "真壁",
    "篠崎",
    "芦田",
    "椎名",
]
GIVEN = [
    "太郎",
    "花子",
    "一郎",
    "健",
    "翔太",
    "美咲",
    "陽菜",
    "大輔",
    "真由美",
    "直樹",
    "恵",
    "拓也",
    "由美子",
    "和也",
    "彩",
    "隆",
    "智子",
    "悠斗",
    "結衣",
    "誠",
]
KANA = {"太郎": "タロウ", "花子": "ハナコ", "一郎": "イチロウ", "健": "ケン", "翔太": "ショウタ"}
TOWNS = [
    ("東京都", "千代田区", "丸の内"),
    ("東京都", "港区", "芝公園"),
    ("東京都", "新宿区", "西新宿"),
    ("大阪府", "大阪市北区", "梅田"),
    ("神奈川県", "横浜市中区", "山下町"),
    ("愛知県", "名古屋市中区", "栄"),
    ("北海道", "札幌市中央区", "大通西"),
    ("福岡県", "福岡市博多区", "博多駅前"),
    ("京都府", "京都市下京区", "烏丸通"),
    ("埼玉県", "さいたま市大宮区", "桜木町"),
    ("千葉県", "船橋市", "本町"),
    ("兵庫県", "神戸市中央区", "三宮町"),
    ("宮城県", "仙台市青葉区", "一番町"),
    ("広島県", "広島市中区", "紙屋町"),
    ("静岡県", "浜松市中区", "砂山町"),
]
AREA = ["03", "06", "052", "011", "092", "045", "075", "022", "082", "048", "0466", "0742", "0297"]
FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")
KANJI = "〇一二三四五六七八九"
DOMAINS = ["example.com", "example.net", "example.org", "mail.example.jp", "isp.example.ne.jp"]


def _valid_phone(number: str) -> bool:
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.parse(number, "JP"))


class Fake:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def style(self, text: str, full: float = 0.15, dash: float = 0.1) -> str:
        """Full-width digits or another dash sometimes, as people type them."""
        if self.r.random() < full:
            text = text.translate(FULL)
        if self.r.random() < dash:
            text = text.replace("-", self.r.choice(["ー", "−", "‐", "―"])).replace("－", "ー")
        return text

    def name(self, uncommon: float = 0.25) -> tuple[str, str]:
        surname = self.r.choice(UNCOMMON if self.r.random() < uncommon else COMMON)
        return surname, self.r.choice(GIVEN)

    def mobile(self) -> str:
        return f"{self.r.choice(['090', '080', '070'])}-{self.r.randint(1000, 9999)}-{self.digits(4)}"

    def landline(self) -> str:
        """A fixed line the numbering plan accepts: 10 digits, area code + exchange + 4."""
        while True:
            area = self.r.choice(AREA)
            exchange = str(self.r.randint(2, 9)) + self.digits(10 - len(area) - 4 - 1)
            number = f"{area}-{exchange}-{self.digits(4)}"
            if _valid_phone(number):
                return number

    def phone(self) -> str:
        return self.mobile() if self.r.random() < 0.7 else self.landline()

    def email(self, surname_roman: str = "") -> str:
        local = surname_roman or self.r.choice(["taro", "hanako", "k.sato", "yamada", "m_ito", "suzuki"])
        return f"{local}{self.r.randint(1, 9999)}@{self.r.choice(DOMAINS)}"

    def postal(self) -> str:
        return f"{self.r.randint(100, 999)}-{self.digits(4)}"

    def address(self) -> str:
        pref, city, town = self.r.choice(TOWNS)
        a, b, c = self.r.randint(1, 9), self.r.randint(1, 30), self.r.randint(1, 20)
        form = self.r.random()
        if form < 0.2:
            tail = f"{KANJI[a]}丁目{b}番{c}号"
        elif form < 0.35:
            tail = f"{a}-{b}-{c}".translate(FULL)
        else:
            tail = f"{a}-{b}-{c}"
        return f"{pref}{city}{town}{tail}"

    def birth(self) -> tuple[str, str]:
        """(written, ISO) for a birth date written in one of the usual ways."""
        day = datetime.date(1950, 1, 1) + datetime.timedelta(days=self.r.randint(0, 365 * 50))
        era, base = ("昭和", 1925) if day.year < 1989 else ("平成", 1988)
        letter = "S" if era == "昭和" else "H"
        forms = [
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            f"{era}{day.year - base}年{day.month}月{day.day}日",
            f"{letter}{day.year - base}.{day.month}.{day.day}",
            f"{day.year}-{day.month:02d}-{day.day:02d}",
        ]
        if day.year == 1989 and era == "平成" and day.year - base == 1:
            forms[2] = f"平成元年{day.month}月{day.day}日"
        return self.r.choice(forms), day.isoformat()

    def my_number(self) -> str:
        body = self.digits(11)
        total = sum(int(d) * w for d, w in zip(body, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2))) % 11
        return body + str(0 if total <= 1 else 11 - total)

    def bad_my_number(self) -> str:
        good = self.my_number()
        return good[:11] + str((int(good[11]) + 1 + self.r.randint(0, 8)) % 10)

    def corporate(self) -> str:
        body = self.digits(12)
        total = sum(int(d) * (2 if i % 2 else 1) for i, d in enumerate(body[::-1]))
        return str(9 - total % 9) + body

    def card(self) -> str:
        prefix, n = self.r.choice(
            [
                ("4", 16),
                ("5" + str(self.r.randint(1, 5)), 16),
                ("35" + str(self.r.randint(28, 89)), 16),
                ("37", 15),
                ("36", 14),
            ]
        )
        body = prefix + self.digits(n - len(prefix) - 1)
        for check in "0123456789":
            total = 0
            for i, d in enumerate(reversed(body + check)):
                k = int(d) * (2 if i % 2 else 1)
                total += k - 9 if k > 9 else k
            if total % 10 == 0:
                return body + check
        raise AssertionError("unreachable")

    @staticmethod
    def card_written(card: str, sep: str = " ") -> str:
        if len(card) == 15:
            return sep.join((card[:4], card[4:10], card[10:]))
        if len(card) == 14:
            return sep.join((card[:4], card[4:10], card[10:]))
        return sep.join(card[i : i + 4] for i in range(0, len(card), 4))

    def jan(self) -> str:
        body = "49" + self.digits(10)
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
        return body + str((10 - total % 10) % 10)

    def order_number_valid(self) -> str:
        """A 12-digit order number that happens to pass the My Number check digit."""
        return self.my_number()

    # --- identifiers of issue 14: valid where the real number carries a check ---------------
    def licence(self) -> str:
        """A driver's licence number: issuing commission, year, serial, check digit, reissues."""
        return licence_from(self.r.randint(10, 97), self.digits(10))

    def resident_code(self) -> str:
        return resident_code_from(str(self.r.randint(1, 9)) + self.digits(9))

    def pension(self) -> str:
        """基礎年金番号: 4-digit office code and 6-digit serial (no published check digit)."""
        return f"{self.r.randint(1000, 9999)}-{self.digits(6)}"


# 公安委員会 codes (first two digits of a licence number): Hokkaido's five, then prefectures.
LICENCE_CODES = (
    10,
    11,
    12,
    13,
    14,
    20,
    21,
    22,
    23,
    24,
    25,
    30,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    49,
    50,
    51,
    52,
    53,
    54,
    55,
    60,
    61,
    62,
    63,
    64,
    65,
    70,
    71,
    72,
    73,
    74,
    80,
    81,
    82,
    83,
    90,
    91,
    92,
    93,
    94,
    95,
    96,
    97,
)
NOT_LICENCE_CODES = (0, 15, 19, 26, 31, 39, 56, 66, 75, 84, 98, 99)


def licence_check(first10: str) -> int:
    """Weights 5,4,3,2,7,6,5,4,3,2, modulus 11, the last digit of 11 - remainder (the rule
    published by the licensing authorities' vendors; remainders 0 and 1 both give 1 and 0)."""
    total = sum(int(d) * w for d, w in zip(first10, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)))
    return (11 - total % 11) % 10


def licence_from(seed_code: int, digits10: str, code: int | None = None) -> str:
    """A valid number from random material (the same draws as before issue 14, so the older
    messages keep their place in the seeded stream). Remainders 0 and 1 are avoided: readers
    disagree about them, and a fake should be valid under every reading."""
    code = LICENCE_CODES[(seed_code - 10) % len(LICENCE_CODES)] if code is None else code
    body = f"{code:02d}{digits10[:8]}"
    for bump in range(11):
        serial = f"{(int(body[4:]) + bump) % 10**6:06d}"
        first10 = body[:4] + serial
        total = sum(int(d) * w for d, w in zip(first10, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)))
        if total % 11 > 1:
            return first10 + str(licence_check(first10)) + digits10[9]
    raise AssertionError("unreachable")


def resident_code_check(first10: str) -> int:
    """住民票コード (住民基本台帳法施行規則 1条, 平成14年総務省告示436号): weights 2..7 from the
    right-most digit, modulus 11, 11 - remainder, 0 when the remainder is 0 or 1."""
    total = sum(int(d) * (i % 6 + 2) for i, d in enumerate(reversed(first10)))
    return 0 if total % 11 <= 1 else 11 - total % 11


def resident_code_from(digits10: str) -> str:
    return digits10 + str(resident_code_check(digits10))
