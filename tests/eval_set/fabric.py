"""Building blocks of the evaluation set: MIME messages, attachments, made-up people.

Everything here is fiction of one company, 鳴海テクノサービス株式会社 (narumi-ts.co.jp), and
its clients; every number with a check digit is computed here, never copied from anywhere.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from datetime import datetime
from email import encoders
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from pathlib import Path

from ..names import ROMAJI
from ..pdf_file import pdf_file

OUR = "narumi-ts.co.jp"

SURNAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("村上", "ムラカミ"),
    ("近藤", "コンドウ"),
    ("坂本", "サカモト"),
    ("遠藤", "エンドウ"),
    ("青木", "アオキ"),
    ("藤井", "フジイ"),
    ("西村", "ニシムラ"),
    ("福田", "フクダ"),
    ("太田", "オオタ"),
    ("三浦", "ミウラ"),
    ("原田", "ハラダ"),
    ("小野", "オノ"),
]
GIVEN = [
    ("翔太", "ショウタ", "shota"),
    ("美咲", "ミサキ", "misaki"),
    ("大輔", "ダイスケ", "daisuke"),
    ("陽子", "ヨウコ", "yoko"),
    ("健一", "ケンイチ", "kenichi"),
    ("恵", "メグミ", "megumi"),
    ("拓也", "タクヤ", "takuya"),
    ("由美", "ユミ", "yumi"),
    ("直樹", "ナオキ", "naoki"),
    ("彩", "アヤ", "aya"),
    ("誠", "マコト", "makoto"),
    ("真由美", "マユミ", "mayumi"),
    ("浩二", "コウジ", "koji"),
    ("千尋", "チヒロ", "chihiro"),
    ("隆", "タカシ", "takashi"),
    ("麻衣", "マイ", "mai"),
    ("和也", "カズヤ", "kazuya"),
    ("智子", "トモコ", "tomoko"),
    ("悠斗", "ユウト", "yuto"),
    ("沙織", "サオリ", "saori"),
    ("修", "オサム", "osamu"),
    ("奈々", "ナナ", "nana"),
    ("剛", "ツヨシ", "tsuyoshi"),
    ("理恵", "リエ", "rie"),
]
PLACES = [
    ("東京都", "世田谷区", "桜新町", "158", "03"),
    ("東京都", "杉並区", "高円寺南", "166", "03"),
    ("神奈川県", "横浜市港北区", "日吉本町", "223", "045"),
    ("埼玉県", "さいたま市浦和区", "常盤", "330", "048"),
    ("千葉県", "船橋市", "本町", "273", "047"),
    ("愛知県", "名古屋市昭和区", "御器所", "466", "052"),
    ("愛知県", "岡崎市", "康生通", "444", "0564"),
    ("大阪府", "豊中市", "本町", "560", "06"),
    ("兵庫県", "西宮市", "甲子園町", "663", "0798"),
    ("静岡県", "浜松市中央区", "鍛冶町", "430", "053"),
    ("福岡県", "福岡市中央区", "警固", "810", "092"),
    ("北海道", "札幌市北区", "北二十四条西", "001", "011"),
    ("宮城県", "仙台市青葉区", "一番町", "980", "022"),
    ("広島県", "広島市南区", "段原", "732", "082"),
]
FREEMAIL = ["gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp", "ezweb.ne.jp", "outlook.jp"]


class People:
    """Made-up people; the same seed gives the same people."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def person(self, domain: str | None = None) -> dict:
        r = self.rng
        (sur, sur_kana), (giv, giv_kana, giv_ro) = r.choice(SURNAMES), r.choice(GIVEN)
        pref, city, town, zip3, area = r.choice(PLACES)
        local = r.choice(
            [
                f"{giv_ro}.{ROMAJI[sur]}",
                f"{ROMAJI[sur]}.{giv_ro[0]}",
                f"{giv_ro}{r.randint(1, 99)}",
                f"{ROMAJI[sur]}_{giv_ro}",
            ]
        )
        building = r.choice(
            [
                "",
                "",
                f" コーポ{r.choice(['桜', '若葉', '緑'])}{r.randint(1, 3)}0{r.randint(1, 8)}",
                f" {r.choice(['メゾン', 'ハイツ', 'パレス'])}{sur}{r.randint(1, 5)}0{r.randint(1, 9)}号室",
            ]
        )
        return {
            "name": f"{sur} {giv}",
            "sur": sur,
            "kana": f"{sur_kana} {giv_kana}",
            "zip": f"{zip3}-{r.randint(0, 9999):04d}",
            "address": f"{pref}{city}{town}{r.randint(1, 5)}-{r.randint(1, 30)}-{r.randint(1, 20)}{building}",
            "phone": f"0{r.choice('89')}0-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
            "home": f"{area}-{r.randint(200, 999)}-{r.randint(1000, 9999)}"
            if len(area) == 3
            else f"{area}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
            if len(area) == 2
            else f"{area}-{r.randint(10, 99)}-{r.randint(1000, 9999)}",
            "email": f"{local}@{domain or r.choice(FREEMAIL)}",
            "birth": f"{r.randint(1955, 2003)}/{r.randint(1, 12):02d}/{r.randint(1, 28):02d}",
            "giv_ro": giv_ro,
            "sur_ro": ROMAJI[sur],
        }

    def people(self, n: int, domain: str | None = None) -> list[dict]:
        seen, out = set(), []
        while len(out) < n:
            p = self.person(domain)
            if p["name"] not in seen:
                seen.add(p["name"])
                out.append(p)
        return out


# --- numbers with check digits ------------------------------------------------------------


def my_number(first11: str) -> str:
    """個人番号: 11 digits + check digit (番号法施行令 第8条, 総務省令第85号 第5条)."""
    total = sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(first11), 1))
    r = total % 11
    return first11 + str(0 if r <= 1 else 11 - r)


def resident_code(first10: str) -> str:
    """住民票コード: 10 digits + check digit, modulus 11 with weights 2..7 from the right.
    Callers pick numbers whose remainder is not 0 or 1, where published sources differ."""
    total = sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(first10), 1))
    r = total % 11
    assert r > 1, first10
    return first10 + str(11 - r)


def licence(pref: str, year: str, serial: str, reissue: str = "0") -> str:
    """運転免許証番号: 公安委員会コード 2 + 取得年 2 + 6 digits + check digit + reissue count.
    Check digit: 11 - (Σ w·d mod 11) with weights 5,4,3,2,7,6,5,4,3,2, last digit of it."""
    body = pref + year + serial
    r = sum(int(d) * w for d, w in zip(body, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))) % 11
    assert r > 1, body  # remainders 0 and 1 are read differently by different sources
    return body + str(11 - r) + reissue


def luhn(prefix15: str) -> str:
    digits = [int(d) for d in prefix15]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return prefix15 + str((10 - total % 10) % 10)


# --- half-width kana for Zengin files ----------------------------------------------------

_HALF = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
_SMALL = str.maketrans("ァィゥェォャュョッ", "アイウエオヤユヨツ")


def hankaku(katakana: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFD", katakana.translate(_SMALL)):
        if ch == "\u3099":
            out.append("ﾞ")
        elif ch == "\u309a":
            out.append("ﾟ")
        elif ch in ("ー", "-"):
            out.append("-")
        else:
            out.append(_HALF.get(ch, ch))
    return "".join(out)


# --- attachments ---------------------------------------------------------------------------


def repack(data: bytes) -> bytes:
    """Office files are zips stamped with the time of saving: fix the stamps so that a rerun
    of make.py writes the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 20, 10, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now()
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-20T10:00:00Z", body)
            dst.writestr(fixed, body)
    return out.getvalue()


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.properties.creator = "鳴海テクノサービス"
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 20, 10, 0, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return repack(buf.getvalue())


def docx(paragraphs: list[str], table: list[list[str]] | None = None, after: list[str] = ()) -> bytes:
    from docx import Document

    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = str(cell)
    for p in after:
        doc.add_paragraph(p)
    doc.core_properties.created = doc.core_properties.modified = datetime(2026, 11, 20, 10, 0, 0)
    doc.core_properties.last_modified_by = doc.core_properties.author = "鳴海テクノサービス"
    buf = io.BytesIO()
    doc.save(buf)
    return repack(buf.getvalue())


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Japanese text: Type0 font HeiseiKakuGo-W5, UniJIS-UCS2-H (ISO
    32000-1 §9.7.5.2), plus a ToUnicode CMap so text extraction does not depend on the
    predefined CMap."""
    stream = ["BT /F1 10 Tf 14 TL 50 800 Td"]
    for line in lines:
        stream.append(f"<{line.encode('utf-16-be').hex().upper()}> Tj T*")
    stream.append("ET")
    content = "\n".join(stream).encode()
    tounicode = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /UCS2-ToUnicode def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"1 beginbfrange <0000> <D7FF> <0000> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> "
        b"/FontDescriptor 8 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(tounicode) + tounicode + b"endstream",
        b"<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 /FontBBox [-92 -250 1010 922] "
        b"/ItalicAngle 0 /Ascent 752 /Descent -221 /CapHeight 737 /StemV 114 >>",
    ]
    return pdf_file(objs)


def zip_of(files: dict[str, bytes], password: str | None = None) -> bytes:
    """A zip; with a password, ZipCrypto through Info-ZIP's zip(1) as PPAP senders make them."""
    if password is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 10, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                if not name.isascii():
                    info.flag_bits |= 0x800
                z.writestr(info, data)
        return buf.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            (Path(tmp) / name).write_bytes(data)
        subprocess.run(["zip", "-q", "-X", "-P", password, "out.zip", *files], cwd=tmp, check=True)
        return (Path(tmp) / "out.zip").read_bytes()


def csv_text(rows: list[list], sep: str = ",", newline: str = "\r\n") -> str:
    def cell(v):
        v = str(v)
        return f'"{v}"' if sep in v or '"' in v else v

    return newline.join(sep.join(cell(v) for v in row) for row in rows) + newline


# --- messages ------------------------------------------------------------------------------


def _addr(pair, charset: str = "utf-8") -> str:
    if isinstance(pair, str):
        return pair
    name, email = pair
    return formataddr((Header(name, charset).encode(), email))


def text_part(body: str, charset: str = "utf-8", subtype: str = "plain", eight_bit: bool = False) -> MIMEText:
    if charset == "iso-2022-jp":
        part = MIMEText(body.encode("iso-2022-jp").decode("ascii"), subtype, "us-ascii")
        part.set_param("charset", "ISO-2022-JP")
        part.replace_header("Content-Transfer-Encoding", "7bit")
        return part
    part = MIMEText(body, subtype, charset)
    if eight_bit:  # Thunderbird and most phones send UTF-8 unencoded (RFC 6152 8BITMIME)
        del part["Content-Transfer-Encoding"]
        part.set_payload(body.encode(charset), None)
        part["Content-Transfer-Encoding"] = "8bit"
    return part


def attachment(name: str, data: bytes, mime: str = "application/octet-stream") -> MIMEBase:
    """An attachment as mail programs name them: ASCII names plain; others either RFC 2231
    (Thunderbird, Apple Mail) or RFC 2047 words inside quotes (Outlook, Becky!; outside the
    standard but what most Japanese mail carries). `mime` may carry parameters."""
    ctype, _, params = mime.partition(";")
    maintype, subtype = ctype.strip().split("/")
    if maintype == "text":
        part = MIMEBase(maintype, subtype)
        part.set_payload(data)
        encoders.encode_base64(part)
    else:
        part = MIMEApplication(data, subtype)
    for param in filter(None, (p.strip() for p in params.split(";"))):
        key, _, value = param.partition("=")
        part.set_param(key, value)
    if name.isascii():
        part.add_header("Content-Disposition", "attachment", filename=name)
        part.set_param("name", name)
    elif len(name) % 2:
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        part.set_param("name", ("utf-8", "", name))
    else:
        encoded = Header(name, "utf-8").encode(maxlinelen=998)
        part["Content-Disposition"] = f'attachment; filename="{encoded}"'
        part.set_param("name", encoded)
    return part


def message(
    n: int,
    frm,
    to,
    subject: str,
    body: str,
    *,
    cc=(),
    charset: str = "utf-8",
    html: str | None = None,
    files=(),
    inner: bytes | None = None,
    reply_to_id: str | None = None,
    inline=(),
    extra_alt=(),
) -> bytes:
    """One message as a mail program writes it. `inline` parts (images with a Content-ID) put
    the HTML in a multipart/related as Outlook does; `extra_alt` adds alternatives after the
    HTML (a text/calendar invitation)."""
    eight_bit = n % 3 == 1
    if charset == "utf-8" and n % 3 == 2:  # Becky! and older Outlook write ISO-2022-JP when they can
        try:
            body.encode("iso-2022-jp")
            subject.encode("iso-2022-jp")
            charset = "iso-2022-jp"
        except UnicodeEncodeError:
            pass
    alt = text_part(body, charset, eight_bit=eight_bit)
    if html is not None:
        html_part = text_part(html, "utf-8", "html", eight_bit)
        if inline:
            html_part = MIMEMultipart("related", _subparts=[html_part, *inline])
        alt = MIMEMultipart("alternative", _subparts=[alt, html_part, *extra_alt])
    if files or inner is not None:
        msg = MIMEMultipart("mixed", _subparts=[alt])
        for f in files:
            msg.attach(f)
        if inner is not None:
            from email import message_from_bytes

            msg.attach(MIMEMessage(message_from_bytes(inner)))
    else:
        msg = alt
    for k, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"----=_NextPart_{n:03d}_{k}_{n * 104729 % 99991:05d}")
    hdr_charset = "iso-2022-jp" if charset == "iso-2022-jp" else "utf-8"
    msg["From"] = _addr(frm, hdr_charset)
    msg["To"] = ", ".join(_addr(a, hdr_charset) for a in (to if isinstance(to, list) else [to]))
    if cc:
        msg["Cc"] = ", ".join(_addr(a, hdr_charset) for a in cc)
    msg["Subject"] = Header(subject, hdr_charset)
    msg["Date"] = f"Thu, {1 + n % 27:02d} Nov 2026 {9 + n % 9:02d}:{(n * 7) % 60:02d}:00 +0900"
    msg["Message-ID"] = f"<eval{n:03d}.{n * 7919 % 100000}@mail.{OUR}>"
    if reply_to_id:
        msg["In-Reply-To"] = reply_to_id
        msg["References"] = reply_to_id
    del msg["MIME-Version"]
    msg["MIME-Version"] = "1.0"
    msg["X-Mailer"] = ["Microsoft Outlook 16.0", "Thunderbird 128.4.0", "Becky! ver. 2.81"][n % 3]
    data = msg.as_bytes()
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
