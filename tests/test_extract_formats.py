"""CSV/TSV, plain text, HTML, attached .eml files, winmail.dat; type by content."""

from __future__ import annotations

from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from inspectors.extract import delimited
from inspectors.extract.kind import Kind, TypeDetector, mismatch
from inspectors.limits import Limits
from inspectors.message import parse

from .test_extract_workbook import customers
from .test_message_mime import ENV, codes, mail_with, texts, zipped

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "attachments"
ROWS = (
    ("氏名", "電話番号", "住所"),
    ("髙橋 一郎", "090-1234-5678", "東京都千代田区1-1"),
    ("山田 ①", "03-1111-2222", "大阪府大阪市, 北区"),
)


EUC_ROWS = tuple(tuple(v.replace("髙", "高").replace("①", "一") for v in row) for row in ROWS)


def csv_bytes(codec: str, delimiter: str = ",", bom: bytes = b"", rows=ROWS) -> bytes:
    def field(value: str) -> str:
        return f'"{value}"' if delimiter in value else value

    lines = [delimiter.join(field(v) for v in row) for row in rows]
    return bom + ("\r\n".join(lines) + "\r\n").encode(codec)


@pytest.mark.parametrize(
    "name, data, rows",
    [
        ("顧客.csv", csv_bytes("cp932"), ROWS),
        ("顧客.csv", csv_bytes("utf-8"), ROWS),
        ("顧客.csv", csv_bytes("utf-8", bom=b"\xef\xbb\xbf"), ROWS),
        ("顧客.tsv", csv_bytes("cp932", "\t"), ROWS),
        ("顧客.txt", csv_bytes("utf-16", "\t"), ROWS),  # Excel's "Unicode text"
        ("顧客.csv", csv_bytes("euc_jp", rows=EUC_ROWS), EUC_ROWS),
    ],
)
def test_delimited_files_become_tables(name, data, rows):
    view = parse(mail_with((name, data)), ENV)
    [table] = view.tables
    assert (table.where, table.rows, table.ref(2, 2)) == (f"attachment:{name}", rows, "C3")
    assert view.attachments[0].kind == ("text" if name.endswith(".txt") else "csv")


def test_csv_declared_as_excel_by_the_mailer_is_still_csv():
    message = MIMEMultipart()
    part = MIMEText("a,b\r\n1,2\r\n", "plain", "utf-8")
    part.replace_header("Content-Type", "application/vnd.ms-excel")
    part.add_header("Content-Disposition", "attachment", filename="export")
    message.attach(part)
    view = parse(message.as_bytes(), ENV)
    assert [t.rows for t in view.tables] == [(("a", "b"), ("1", "2"))]


def test_a_csv_is_read_whole_whatever_the_sheet_cell_limit():
    # Issue 13: the cell limit guards spreadsheet readers that allocate a used range; a CSV's
    # rows are bounded by its bytes, and every one of them is read.
    pieces = list(delimited.extract(csv_bytes("utf-8"), Limits(max_sheet_cells=5)))
    assert [p.rows for p in pieces] == [tuple(ROWS)]


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "iso2022_jp", "utf-8", "utf-16"])
def test_text_files_in_every_japanese_encoding(codec):
    text = (
        "顧客各位\r\n髙橋様の件、承知しました。"
        if codec == "cp932"
        else "顧客各位\r\n高橋様の件、承知しました。"
    )
    view = parse(mail_with(("メモ.txt", text.encode(codec))), ENV)
    assert texts(view)["attachment:メモ.txt"] == text


def test_html_attachment_with_meta_charset():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "<style>p{color:red}</style></head><body><table><tr><td>氏名</td><td>髙橋</td></tr></table>"
        "<script>track()</script></body></html>"
    ).encode("cp932")
    view = parse(mail_with(("一覧.html", page)), ENV)
    text = texts(view)["attachment:一覧.html"]
    assert "氏名\t髙橋" in text and "track" not in text and "color" not in text
    assert view.attachments[0].kind == "html"


def test_eml_file_attached_as_octet_stream():
    inner = MIMEText("添付メールの本文", "plain", "iso-2022-jp")
    inner["Subject"], inner["From"] = "見積依頼", "c@client.example"
    view = parse(mail_with(("転送.eml", inner.as_bytes())), ENV)
    assert view.attachments[0].kind == "eml"
    assert texts(view)["attachment:転送.eml!body"] == "添付メールの本文"
    assert "Subject: 見積依頼" in texts(view)["attachment:転送.eml!headers"]


def test_winmail_dat_attachments_and_body():
    view = parse(mail_with(("winmail.dat", (CORPUS / "MimeKit" / "two-files.tnef").read_bytes())), ENV)
    assert [(a.where, a.kind) for a in view.attachments] == [
        ("attachment:winmail.dat", "tnef"),
        ("attachment:winmail.dat!AUTHORS", "text"),
        ("attachment:winmail.dat!README", "text"),
    ]
    assert "Authors of tnef" in texts(view)["attachment:winmail.dat!AUTHORS"]
    assert texts(view)["attachment:winmail.dat!headers"] == "Subject: two files"
    body = parse(mail_with(("winmail.dat", (CORPUS / "MimeKit" / "body.tnef").read_bytes())), ENV)
    assert "THE BILL OF RIGHTS" in texts(body)["attachment:winmail.dat!body"]


def test_winmail_dat_with_only_an_rtf_body_is_read():
    """Outlook's "Rich Text" mail carries its body as compressed RTF only."""
    view = parse(mail_with(("winmail.dat", (CORPUS / "MimeKit" / "rtf.tnef").read_bytes())), ENV)
    assert not codes(view)
    assert "gallen@numega.com" in texts(view)["attachment:winmail.dat!body"]


def test_a_winmail_dat_whose_rtf_body_is_corrupt_says_so_and_reads_the_rest():
    data = bytearray((CORPUS / "MimeKit" / "rtf.tnef").read_bytes())
    crc = data.find(b"LZFu") + 4  # MS-OXRTFCP 2.1.3.1: the checksum after the type
    data[crc : crc + 4] = bytes(b ^ 0xFF for b in data[crc : crc + 4])
    view = parse(mail_with(("winmail.dat", bytes(data))), ENV)
    assert codes(view) == {
        "attachment.unscannable": [(("attachment:winmail.dat!body",), "corrupt RTF body: Exception")]
    }


def test_rtf_documents_are_read_in_their_code_page():
    document = (
        rb"{\rtf1\ansi\ansicpg932\deff0{\fonttbl{\f0\fnil\fcharset128 MS Mincho;}}"
        rb"\f0 \'8e\'81\'96\'bc\'81\'46\'8e\'52\'93\'63\'91\'be\'98\'59\par "
        rb"\u38651?\u35441? 090-1234-5678\par}"
    )
    deep = b"{\\rtf1 " + b"{" * 100_000 + "電話 090-1234-5678".encode("cp932")  # hostile nesting, raw 8-bit
    view = parse(mail_with(("顧客.rtf", document), ("深い.rtf", deep)), ENV)
    assert [a.kind for a in view.attachments] == ["rtf", "rtf"] and not codes(view)
    assert "090-1234-5678" in texts(view)["attachment:深い.rtf"]
    assert texts(view)["attachment:顧客.rtf"].splitlines() == ["氏名：山田太郎", "電話 090-1234-5678"]


def test_embedded_message_inside_winmail_dat():
    view = parse(mail_with(("winmail.dat", (CORPUS / "MimeKit" / "christmas.tnef").read_bytes())), ENV)
    assert "Christmas presents" in texts(view)["attachment:winmail.dat!Untitled Attachment!body"]


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"
    + b"\x00" * 7
    + b"\x40"
    + b"\x00" * 35
    + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 7
    + b"PE\x00\x00\x4c\x01\x03\x00"
    + b"\x00" * 12
    + b"\xe0\x00\x02\x01\x0b\x01"
    + b"\x00" * 300
)


@pytest.mark.parametrize(
    "name, data, kind, complaint",
    [
        ("顧客.xlsx", None, "xlsx", None),
        ("顧客.zip", None, "xlsx", None),  # an xlsx is a zip: fine
        ("顧客.xlsx", zipped(**{"a.txt": b"x"}), "zip", "name .xlsx, content application/zip"),
        ("請求書.pdf", EXE, "executable", "name .pdf, content application/vnd.microsoft.portable-executable"),
        ("データ.dat", EXE, "executable", None),  # no claim made by the name
        ("顧客.xls", b"a,b\n1,2\n", "text", "name .xls, content text/plain"),
        ("readme", b"plain words", "text", None),
        ("空.txt", b"", "empty", None),
        ("__MACOSX/._a.pdf", b"\x00\x05\x16\x07" + b"\x00" * 60, "other", None),
    ],
)
def test_type_is_judged_by_content_and_names_that_lie_are_reported(name, data, kind, complaint):
    data = customers() if data is None else data
    detected = TypeDetector().detect(data, name)
    assert detected.name == kind
    assert mismatch(name, detected) == complaint


def test_type_mismatch_finding_still_reads_the_content():
    view = parse(mail_with(("顧客.pdf", customers())), ENV)
    assert codes(view) == {
        "attachment.type_mismatch": [
            (
                ("attachment:顧客.pdf",),
                "name .pdf, content application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ]
    }
    assert next(t.where for t in view.tables) == "attachment:顧客.pdf!顧客"


def test_cp932_text_that_libmagic_calls_data_is_text():
    data = "①②③ ｶﾀｶﾅ 髙".encode("cp932") * 20
    assert TypeDetector().detect(data, "x").name == "text"


def test_encrypted_office_files_never_mismatch():
    assert (
        mismatch("a.xlsx", Kind(name="office-encrypted", mime="application/encrypted", encrypted=True))
        is None
    )
