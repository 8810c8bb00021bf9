"""Names of people and places that test data is written with, in one place so that every test,
generator and benchmark draws on the same lists (and a change to a list is a change to all of them).

Order matters: generators index these lists and draw from them with seeded random streams.
"""

from __future__ import annotations

# Twenty common surnames; tests take the first 12 or 15.
SURNAMES = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "松本",
    "井上",
    "木村",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
]
# The first 12 SURNAMES in romaji, for mail addresses.
ROMAN = [
    "sato",
    "suzuki",
    "takahashi",
    "tanaka",
    "ito",
    "watanabe",
    "yamamoto",
    "nakamura",
    "kobayashi",
    "kato",
    "yoshida",
    "yamada",
]
# Surnames common in Japan (五十嵐, 長谷川 …) that the surname list may lack.
RARE = [
    "東海林",
    "勅使河原",
    "五十嵐",
    "長谷川",
    "小鳥遊",
    "一ノ瀬",
    "西園寺",
    "御手洗",
    "大和田",
    "齋藤",
    "髙橋",
    "渡邊",
]
# Twelve offices of one company, with their addresses and their phone area codes.
BRANCHES = [
    "本社",
    "札幌営業所",
    "仙台支店",
    "横浜支社",
    "名古屋支店",
    "大阪支店",
    "広島営業所",
    "福岡支店",
    "那覇出張所",
    "新潟工場",
    "金沢倉庫",
    "高松物流センター",
]
CITIES = [
    "北海道札幌市中央区北一条西2-1",
    "宮城県仙台市青葉区本町3-8-1",
    "東京都千代田区丸の内1-1-1",
    "神奈川県横浜市中区本町6-50",
    "愛知県名古屋市中区三の丸3-1-2",
    "大阪府大阪市中央区大手前2-1-22",
    "広島県広島市中区基町10-52",
    "福岡県福岡市博多区東公園7-7",
    "沖縄県那覇市泉崎1-2-2",
    "新潟県新潟市中央区新光町4-1",
    "石川県金沢市鞍月1-1",
    "香川県高松市番町4-1-10",
]
AREAS = [
    "011-221",
    "022-261",
    "03-3211",
    "045-671",
    "052-961",
    "06-6941",
    "082-228",
    "092-711",
    "098-866",
    "025-228",
    "076-231",
    "087-831",
]
