"""The inputs of issue 13's measurements, built from fixed seeds (bench/check.py times them).

    .venv/bin/python bench/data.py DIR     # writes the .eml files and the bare CSV/xlsx/text

- customers.csv: 110,000 customers (氏名, 電話番号, 住所), about 7.6 MB of UTF-8;
- catalogue.csv: a 9 MB product catalogue (5.5 M characters), no personal data;
- list12.csv: a 12-person customer list (name, phone, address);
- customers.xlsx: a 20,000-row, six-column customer workbook (bench/extract.py's);
- prose.txt: 8 MB of Japanese business prose, contact data on 15 % of its lines;
- the same inside messages to an external recipient: customers.eml, two-attachments.eml
  (the catalogue, then the 12-person list), workbook.eml, prose.eml, tiny.eml (start-up).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.extract import GIVEN, PLACES, SURNAMES, customer_rows, message, workbook  # noqa: E402

SENTENCES = (
    "本日の会議では、来期の販売計画と予算配分について議論しました。",
    "各部門からの報告を受け、課題を整理しました。",
    "次回までに担当者が詳細な資料を準備することになりました。",
    "納期の遅延を防ぐため、工程表を見直します。",
    "品質管理の観点から、検査手順の改善案が提示されました。",
    "新システムの導入は2025年10月を予定しています。",
    "費用対効果の試算は別紙のとおりです。",
    "関係部署との調整を進め、来月中に結論を出します。",
    "顧客満足度調査の結果、前年より3ポイント改善しました。",
    "在庫水準は適正範囲内で推移しています。",
    "契約条件の変更については、法務部の確認が必要です。",
    "研修は全社員を対象に、6月から順次実施します。",
    "見積書の有効期限は発行日から30日間です。",
    "ご不明な点がございましたら、お気軽にお問い合わせください。",
)


TINY_BODY = "お世話になっております。\n明日の打合せの件、承知しました。\n"  # the start-up's mail


def _phone(rng: random.Random) -> str:
    """A mobile number or a Tokyo line, valid under the numbering plan."""
    if rng.random() < 0.25:
        return f"03-{rng.randrange(1000, 10**4)}-{rng.randrange(10**4):04d}"
    return f"0{rng.choice('987')}0-{rng.randrange(1000, 10**4)}-{rng.randrange(10**4):04d}"


def _unique_phone(n: int) -> str:
    prefix, rest = divmod(n, 9000 * 10**4)
    return f"0{'987'[prefix]}0-{1000 + rest // 10**4}-{rest % 10**4:04d}"


def _address(rng: random.Random) -> str:
    return f"{rng.choice(PLACES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def customers_csv(count: int, seed: int = 11) -> str:
    """Every customer has a phone number of their own, so each row is one person."""
    rng = random.Random(seed)
    lines = ["氏名,電話番号,住所"]
    numbers = rng.sample(range(3 * 9000 * 10**4), count)
    lines += [f"{_name(rng)},{_unique_phone(n)},{_address(rng)}" for n in numbers]
    return "\r\n".join(lines) + "\r\n"


def catalogue_csv(chars: int = 5_500_000, seed: int = 12) -> str:
    """Product code, name, category, price, stock, description: no personal data."""
    rng = random.Random(seed)
    kinds = [
        "ボールペン",
        "ノート",
        "ファイル",
        "封筒",
        "付箋",
        "クリップ",
        "ホチキス",
        "インク",
        "用紙",
        "バインダー",
    ]
    colours = ["黒", "赤", "青", "緑", "白", "透明"]
    lines = ["商品コード,商品名,分類,単価,在庫数,説明"]
    size = len(lines[0])
    n = 0
    while size < chars:
        n += 1
        kind = rng.choice(kinds)
        line = (
            f"P{n:07d},{kind} {rng.choice(colours)} {rng.randrange(1, 50) * 10}枚入り,文具/{kind},"
            f"{rng.randrange(50, 5000)},{rng.randrange(0, 900)},"
            f"日常の事務作業に適した標準品です。型番 {rng.randrange(1000, 9999)} office supply"
        )
        lines.append(line)
        size += len(line) + 2
    return "\r\n".join(lines) + "\r\n"


def prose(target_bytes: int = 8_000_000, seed: int = 13) -> str:
    """Business prose; 15 % of the lines carry a phone, a mail address, a postal address."""
    rng = random.Random(seed)
    lines, size = [], 0
    while size < target_bytes:
        if rng.random() < 0.15:
            line = rng.choice(
                (
                    f"担当の{_name(rng)}様（電話 {_phone(rng)}）にご連絡ください。",
                    f"メール: user{rng.randrange(10**6)}@example{rng.randrange(100)}.co.jp までお送りください。",
                    f"〒{rng.randrange(100, 1000)}-{rng.randrange(10**4):04d} {_address(rng)} へご送付ください。",
                    f"{_name(rng)}さん 携帯 {_phone(rng)} / {_address(rng)}",
                )
            )
        else:
            line = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
        lines.append(line)
        size += len(line.encode()) + 1
        if rng.random() < 0.1:
            lines.append("")
    return "\n".join(lines) + "\n"


def write(directory: Path) -> dict[str, Path]:
    """Every input, written once into `directory` (kept when already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "customers.csv": lambda: customers_csv(110_000).encode(),
        "catalogue.csv": lambda: catalogue_csv().encode(),
        "list12.csv": lambda: customers_csv(12, seed=14).encode(),
        "customers.xlsx": lambda: workbook(customer_rows(20_000, random.Random(3))),
        "prose.txt": lambda: prose().encode(),
    }
    paths = {}
    for name, build in files.items():
        path = paths[name] = directory / name
        if not path.exists():
            path.write_bytes(build())
    messages = {
        "customers.eml": lambda: message([("顧客一覧.csv", paths["customers.csv"].read_bytes())]),
        "two-attachments.eml": lambda: message(
            [
                ("商品カタログ.csv", paths["catalogue.csv"].read_bytes()),
                ("顧客リスト.csv", paths["list12.csv"].read_bytes()),
            ]
        ),
        "workbook.eml": lambda: message([("顧客一覧.xlsx", paths["customers.xlsx"].read_bytes())]),
        "prose.eml": lambda: message([], body=paths["prose.txt"].read_text()),
        "tiny.eml": lambda: message([], body=TINY_BODY),
    }
    for name, build in messages.items():
        path = paths[name] = directory / name
        if not path.exists():
            path.write_bytes(build())
    return paths


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/data")).values():
        print(f"{path}  {path.stat().st_size / 1e6:.2f} MB")
