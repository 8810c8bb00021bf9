"""Extraction benchmark (issue 3, "Speed and memory").

1. A 20,000-row, six-column customer workbook (about 1.5 MB) in a MIME message goes from raw
   bytes to extracted tables: target under 0.6 s.
2. A 25 MB message of realistic attachments is read in a fresh child process, once by
   extraction alone (stream() into a sink that drops each piece: what a worker holds besides
   the detectors) and once by the whole inspection (parse and every inspector, as a pipeline
   worker runs it). Every part is read (issue 13: no text budget); peak resident memory
   (VmHWM) must stay below 6x the message size.

Run from the repository root:  .venv/bin/python bench/extract.py
Prints the figures and writes bench/results/extract.json.
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from tests import names  # noqa: E402
from tests.mime_mail import mail_with  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "extract.json"
WORKBOOK_TARGET_S = 0.6
RSS_TARGET_RATIO = 6.0
LARGE_MESSAGE_BYTES = 25 * 1024 * 1024
RUNS = 7

SURNAMES = [*names.SURNAMES[:12], "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"]
GIVEN = [
    "翔太",
    "陽菜",
    "蓮",
    "結衣",
    "大翔",
    "美咲",
    "悠真",
    "さくら",
    "湊",
    "葵",
    "健太",
    "愛",
    "拓海",
    "彩",
    "颯太",
    "優奈",
    "一郎",
    "花子",
    "直樹",
    "真由美",
]
PLACES = [
    "東京都千代田区丸の内",
    "大阪府大阪市北区梅田",
    "愛知県名古屋市中村区名駅",
    "福岡県福岡市博多区博多駅前",
    "北海道札幌市中央区北五条西",
    "神奈川県横浜市西区みなとみらい",
    "京都府京都市下京区烏丸通",
]


def customer_rows(count: int, rng: random.Random) -> list[list[str]]:
    rows = [["氏名", "フリガナ", "電話番号", "メールアドレス", "郵便番号", "住所"]]
    for _i in range(count):
        rows.append(
            [
                f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                _kana(rng),
                f"0{rng.choice('9873')}0-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}",
                f"user{rng.randrange(10**8)}@example{rng.randrange(100)}.jp",
                f"{rng.randrange(100, 1000)}-{rng.randrange(10**4):04d}",
                f"{rng.choice(PLACES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
                f" {rng.choice(['', 'コーポ', 'ハイツ', 'マンション'])}{rng.randrange(101, 1200)}",
            ]
        )
    return rows


def _kana(rng: random.Random) -> str:
    letters = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
    return (
        "".join(rng.choice(letters) for _ in range(rng.randrange(3, 6)))
        + " "
        + "".join(rng.choice(letters) for _ in range(rng.randrange(2, 5)))
    )


def workbook(rows: list[list[str]]) -> bytes:
    import openpyxl  # test/bench dependency only: it writes what calamine reads

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "顧客一覧"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def message(
    attachments: list[tuple[str, bytes]], body: str = "お世話になっております。資料をお送りします。"
) -> bytes:
    return mail_with(*attachments, body=body, sender="sales@example.co.jp", to="client@client.example")


def bench_workbook() -> dict:
    from python_calamine import CalamineWorkbook

    from inspectors.base import Envelope
    from inspectors.message import parse

    book = workbook(customer_rows(20_000, random.Random(3)))
    raw = message([("顧客一覧.xlsx", book)])
    envelope = Envelope(mail_from="sales@example.co.jp", rcpt_tos=("client@client.example",))
    parse(raw, envelope)  # imports and libmagic's database are loaded once per worker
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        view = parse(raw, envelope)
        seconds.append(time.perf_counter() - started)
    [table] = view.tables
    started = time.perf_counter()
    CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_name("顧客一覧").to_python()
    calamine_only = time.perf_counter() - started
    return {
        "workbook_bytes": len(book),
        "message_bytes": len(raw),
        "rows": len(table.rows),
        "columns": len(table.rows[0]),
        "runs": RUNS,
        "seconds_min": min(seconds),
        "seconds_median": statistics.median(seconds),
        "calamine_only_seconds": calamine_only,
        "problems": [f.code for f in view.problems],
        "target_seconds": WORKBOOK_TARGET_S,
        "ok": statistics.median(seconds) < WORKBOOK_TARGET_S,
    }


def large_message() -> tuple[bytes, list[tuple[str, int]]]:
    """25 MB as people send it: a customer list, a CSV export, a zip of CSVs, a Word file,
    a PDF, and photos/scans (incompressible) making up the rest."""
    import docx

    rng = random.Random(25)
    rows = customer_rows(20_000, rng)
    csv_text = "\r\n".join(",".join(r) for r in customer_rows(40_000, rng)).encode("cp932")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for month in range(1, 7):
            z.writestr(
                f"2024-{month:02d}/請求先.csv", "\r\n".join(",".join(r) for r in customer_rows(8_000, rng))
            )
    document = docx.Document()
    for r in rows[:3000]:
        document.add_paragraph(" ".join(r))
    doc_buffer = io.BytesIO()
    document.save(doc_buffer)
    files = [
        ("顧客一覧.xlsx", workbook(rows)),
        ("export.csv", csv_text),
        ("請求先.zip", archive.getvalue()),
        ("議事録.docx", doc_buffer.getvalue()),
        ("パンフレット.pdf", _pdf(rng)),
    ]
    sized = len(message(files))
    filler = max(0, (LARGE_MESSAGE_BYTES - sized) * 3 // 4 - 2048)
    files.append(("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(filler)))
    raw = message(files)
    return raw, [(name, len(data)) for name, data in files]


def _pdf(rng: random.Random) -> bytes:
    from pypdf import PdfWriter

    from tests.pdf_file import helvetica_pages

    def page() -> str:
        lines = " ".join(
            f"0 -14 Td (Customer {rng.randrange(10**6)} tel 090-{rng.randrange(10**4):04d}) Tj"
            for _ in range(50)
        )
        return f"BT /F1 10 Tf 40 800 Td {lines} ET"

    writer = PdfWriter()
    helvetica_pages(writer, (page() for _ in range(60)), 595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


CHILD = """
import json, sys, time
from pathlib import Path
def rss(field):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field))
    return int(line.split()[1]) * 1024
from inspectors.base import Envelope
from inspectors.limits import Limits
from inspectors.message import stream
class Drop:
    def text(self, chunk): pass
    def table(self, table): pass
envelope = Envelope(mail_from="sales@example.co.jp", rcpt_tos=("client@client.example",))
if sys.argv[2] == "whole":
    from proxy.pipeline import InspectorConfig, build_inspectors, inspect_raw
    inspectors = build_inspectors(InspectorConfig(internal_domains=("example.co.jp",)))
raw = Path(sys.argv[1]).read_bytes()
baseline = rss("VmRSS")
started = time.perf_counter()
if sys.argv[2] == "whole":
    codes = sorted({f.code for f in inspect_raw(raw, envelope, inspectors).findings})
else:
    codes = sorted({f.code for f in stream(raw, envelope, Limits(), lambda _: Drop()).problems})
print(json.dumps({"seconds": time.perf_counter() - started, "baseline_rss": baseline,
                  "peak_rss": rss("VmHWM"), "codes": codes}))
"""


def bench_memory() -> dict:
    """Peak RSS of a fresh process reading the message from a file (so the message is in
    it once, as in a pipeline worker): parse alone, and the whole inspection (parse and
    every inspector the pipeline builds)."""
    raw, files = large_message()
    result = {"message_bytes": len(raw), "attachments": files, "target_ratio": RSS_TARGET_RATIO}
    with tempfile.NamedTemporaryFile(suffix=".eml") as handle:
        handle.write(raw)
        handle.flush()
        for mode in ("parse", "whole"):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, handle.name, mode],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if out.returncode:
                raise SystemExit(f"memory child ({mode}) failed:\n{out.stderr[-3000:]}")
            child = json.loads(out.stdout.splitlines()[-1])
            result[mode] = {
                "seconds": child["seconds"],
                "baseline_rss_bytes": child["baseline_rss"],
                "peak_rss_bytes": child["peak_rss"],
                "peak_rss_ratio": child["peak_rss"] / len(raw),
                "growth_ratio": (child["peak_rss"] - child["baseline_rss"]) / len(raw),
                "codes": child["codes"],
                "ok": child["peak_rss"] / len(raw) < RSS_TARGET_RATIO,
            }
    return result


def main() -> None:
    workbook_result = bench_workbook()
    print(
        f"workbook: {workbook_result['rows'] - 1} rows x {workbook_result['columns']} columns, "
        f"{workbook_result['workbook_bytes'] / 1e6:.2f} MB xlsx in a {workbook_result['message_bytes'] / 1e6:.2f} MB "
        f"message -> tables in {workbook_result['seconds_median']:.3f} s median "
        f"(min {workbook_result['seconds_min']:.3f} s, calamine alone {workbook_result['calamine_only_seconds']:.3f} s; "
        f"target < {WORKBOOK_TARGET_S} s) {'OK' if workbook_result['ok'] else 'OVER'}"
    )
    memory = bench_memory()
    for mode, label in (("parse", "extraction only"), ("whole", "whole inspection")):
        m = memory[mode]
        print(
            f"memory, {label}: {memory['message_bytes'] / 1e6:.1f} MB message in {m['seconds']:.2f} s, "
            f"peak RSS {m['peak_rss_bytes'] / 1e6:.0f} MB = {m['peak_rss_ratio']:.2f}x its size "
            f"(baseline {m['baseline_rss_bytes'] / 1e6:.0f} MB with the message loaded, growth "
            f"{m['growth_ratio']:.2f}x; target < {RSS_TARGET_RATIO}x) {'OK' if m['ok'] else 'OVER'}"
        )
    report.write(RESULTS, {"workbook": workbook_result, "memory": memory})
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
